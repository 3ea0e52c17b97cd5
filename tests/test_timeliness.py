"""Was each report published on time? Deadlines declared as data (the Regulations, art. 49; art.
31 of the 2007 text before 2019), the kind of agency from its name, reports with known dates."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from govreports import analysis as ga
from govreports import deadlines as dl
from govreports import frames


@pytest.mark.parametrize("agency, title, kind", [
    ("沭阳县发展和改革局", None, "department"),
    ("重庆市人民防空办公室", None, "department"),
    ("湛江市人民政府地方志办公室", None, "department"),
    ("国家统计局", None, "department"),
    ("淮安市洪泽区人民政府", None, "government"),
    ("淮安市人民政府", None, "government"),
    ("淮安市洪泽区", None, "government"),
    ("七里坪镇人民政府", None, "township"),
    ("广州市海珠区官洲街道办事处", None, "township"),
    ("上海市人民政府办公厅", "2019年上海市人民政府办公厅政府信息公开工作年度报告", "department"),
    ("武汉市汉阳区人民政府办公室", None, "government_office"),
    ("审计局", None, "unknown"),
    ("国务院", None, "unknown"),
    (None, None, "unknown"),
])
def test_kind_of_agency(agency, title, kind):
    assert dl.kind_of(agency, title=title)[0] == kind


def test_deadlines_declared_with_the_article():
    assert dl.deadline_for("department", 2020) == pd.Timestamp("2021-01-31")
    assert dl.deadline_for("government", 2021) == pd.Timestamp("2022-03-31")
    assert dl.deadline_for("department", 2018) == pd.Timestamp("2019-03-31")   # 2007 text: every agency, 31 March
    assert dl.deadline_for("township", 2015) == pd.Timestamp("2016-03-31")
    for kind in ("township", "government_office", "unknown"):
        assert dl.deadline_for(kind, 2020) is None
    assert dl.deadline_for("department", None) is None
    assert "第四十九条" in dl.rule_for("government", 2022).article
    assert "第三十一条" in dl.rule_for("department", 2010).article
    assert set(dl.NO_DEADLINE) | {"department", "government"} == set(dl.KINDS)


def _corpus(rows):
    cols = ["report_id", "agency", "year", "level", "title", "published", "published_source", "duplicate_of"]
    reports = pd.DataFrame([dict(zip(cols, r)) for r in rows])
    reports = reports.assign(source=reports["report_id"] + ".txt", sha256=reports["report_id"], format="text",
                             status="parsed", error=None, agency_key=reports["agency"].fillna(reports["report_id"]),
                             agency_as_printed=reports["agency"], template="2019", region="淮安市")
    return SimpleNamespace(reports=reports, requests=frames.empty("requests"), appeals=frames.empty("appeals"),
                           disclosure=frames.empty("disclosure"), findings=frames.empty("findings"))


ROWS = [  # report_id, agency, year, level, title, published, published_source, duplicate_of
    ("d1", "沭阳县发展和改革局", 2020, "county", None, "2021-02-05", "manifest", None),
    ("d2", "沭阳县发展和改革局", 2021, "county", None, pd.Timestamp("2022-01-20"), "page", None),
    ("g1", "淮安市洪泽区人民政府", 2023, "county", None, "2024-03-29", "manifest", None),
    ("g2", "淮安市人民政府", 2022, "city", None, "2023-04-03", "signature", None),
    ("o1", "上海市人民政府办公厅", 2019, "provincial", "2019年上海市人民政府办公厅政府信息公开工作年度报告",
     "2020-01-31", "page", None),
    ("t1", "七里坪镇人民政府", 2020, "township", None, "2021-01-10", "manifest", None),
    ("u1", "审计局", 2020, None, None, "2021-01-10", "page", None),
    ("n1", "沭阳县教育局", 2020, "county", None, None, None, None),
    ("x1", "沭阳县发展和改革局", 2020, "county", None, "2021-02-05", "manifest", "d1"),   # a duplicate: left out
]


def test_timeliness_per_report():
    t = ga.timeliness(_corpus(ROWS)).set_index("report_id")
    assert list(t.index) == ["d1", "d2", "g1", "g2", "o1", "t1", "u1", "n1"]
    expect = {  # kind, deadline, days_late, on_time
        "d1": ("department", "2021-01-31", 5, False),
        "d2": ("department", "2022-01-31", -11, True),
        "g1": ("government", "2024-03-31", -2, True),
        "g2": ("government", "2023-03-31", 3, False),
        "o1": ("department", "2020-01-31", 0, True),
    }
    for rid, (kind, deadline, days, on_time) in expect.items():
        row = t.loc[rid]
        assert (row["kind"], row["deadline"], row["days_late"], row["on_time"]) == \
            (kind, pd.Timestamp(deadline), days, on_time), rid
        assert pd.isna(row["no_deadline"]) and "第四十九条" in row["rule"]
    assert t.loc["d2", "published"] == pd.Timestamp("2022-01-20") and t.loc["d2", "published_source"] == "page"
    for rid, kind, why in (("t1", "township", "set locally"), ("u1", "unknown", "names no place"),
                           ("n1", "department", "no publication date")):
        row = t.loc[rid]
        assert row["kind"] == kind and why in row["no_deadline"], rid
        assert pd.isna(row["days_late"]) and pd.isna(row["on_time"]), rid
    assert pd.isna(t.loc["t1", "deadline"]) and t.loc["n1", "deadline"] == pd.Timestamp("2021-01-31")
    assert pd.isna(t.loc["n1", "published_source"])


def test_timeliness_without_a_published_column():
    c = _corpus([r[:5] + (None, None, None) for r in ROWS[:2]])
    c.reports = c.reports.drop(columns=["published", "published_source"])
    t = ga.timeliness(c)
    assert t["published"].isna().all() and t["on_time"].isna().all()
    assert (t["no_deadline"].str.contains("no publication date")).all()


def test_on_time_share_by_year_and_level():
    c = _corpus(ROWS)
    by_year = ga.measure_values(c, "on_time_share", by="year").set_index("year")
    # 2020: d1 late; t1, u1 no deadline, n1 no date -> 0/1 on time; 2019: o1 0/0+1 -> 1/1
    assert (by_year.loc[2020, "numerator"], by_year.loc[2020, "denominator"], by_year.loc[2020, "value"]) == (0, 1, 0.0)
    assert by_year.loc[2019, "value"] == 1.0 and by_year.loc[2020, "n_reports"] == 4
    by_level = ga.timeliness_shares(c, by="level").set_index("level")
    assert (by_level.loc["county", "on_time"], by_level.loc["county", "late"], by_level.loc["county", "timed"]) == (2, 1, 3)
    assert by_level.loc["county", "on_time_share"] == pytest.approx(2 / 3)
    assert pd.isna(by_level.loc["township", "on_time_share"])            # nothing timed: NaN, never 0
    ay = ga.by_agency_year(c, "on_time_share")
    assert set(ay.loc[ay["agency"] == "淮安市人民政府", "value"]) == {0.0}
    assert ga.MEASURES["on_time_share"].zh == "按时公开占比"
