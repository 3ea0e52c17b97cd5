"""timeliness and on_time_share: the deadline rules worked out once per distinct agency and year
(not once per report) give the frames of the rules applied report by report, in memory and on disk.

The reference below applies govreports.deadlines to every report in turn, as timeliness did
before it was vectorised; the corpus covers every rule of deadlines.py: a department (31 January),
a local government (31 March), a general office whose title names it (a department) or not (no
deadline), a township, a name with no place, no name, the State Council, a national department,
a report before 2019 (2007 text: 31 March), a year no rule covers, no year, no or an unreadable date,
duplicates and failed reports left out, two reports of one agency and year.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govreports import analysis as ga
from govreports import deadlines as dl
from govreports import figures
from govreports import frames as _frames
from govreports.corpus import Corpus, open_corpus
from test_analysis import ALL_ZERO, make_corpus, make_report
from test_analysis_fast import assert_on_disk_equals_pandas


@pytest.fixture(autouse=True)
def figure_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path_factory.mktemp("figures")))


def reference_timeliness(data) -> pd.DataFrame:
    """The rules of govreports.deadlines applied to each usable report in turn."""
    r = ga._usable_reports(ga.frames_of(data))
    titles = r["title"] if "title" in r.columns else pd.Series(None, index=r.index, dtype="object")
    kinds = [dl.kind_of(a if pd.notna(a) else None, lv if pd.notna(lv) else None, t if pd.notna(t) else None)
             for a, lv, t in zip(r["agency"].astype("object"), r["level"].astype("object"), titles.astype("object"))]
    years = r["year"].astype("Int64")
    rules = [dl.rule_for(k, int(y)) if pd.notna(y) else None for (k, _), y in zip(kinds, years)]
    deadline = pd.Series([dl.deadline_for(k, y) for (k, _), y in zip(kinds, years)], index=r.index,
                         dtype="datetime64[ns]")
    published = pd.to_datetime(r["published"].astype("object"), errors="coerce", utc=True)
    published = published.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    source = r["published_source"].astype("string") if "published_source" in r.columns else \
        pd.Series(pd.NA, index=r.index, dtype="string")
    days = (published - deadline).dt.days.astype("Int64")
    why = []
    for (kind, reason), y, d, pub in zip(kinds, years, deadline, published):
        if pd.isna(d):
            why.append(dl.why_no_deadline(kind, reason, y))
        elif pd.isna(pub):
            why.append("no publication date (not in a fetch manifest, the page or the report's end)")
        else:
            why.append(pd.NA)
    out = pd.DataFrame({
        "report_id": r["report_id"], "agency_key": r["agency_key"], "agency": r["agency"], "year": years,
        "level": r["level"], "region": r["region"], "kind": pd.array([k for k, _ in kinds], dtype="string"),
        "published": published, "published_source": source.where(published.notna()), "deadline": deadline,
        "days_late": days, "on_time": (days <= 0).astype("boolean"),
        "rule": pd.array([d.article if d else pd.NA for d in rules], dtype="string"),
        "no_deadline": pd.array(why, dtype="string"),
    })
    return out[ga.TIMELINESS_COLUMNS].reset_index(drop=True)


SH_OFFICE = "上海市人民政府办公厅"
# report_id, agency, year, level, region, title, published, published_source, (duplicate_of, status)
REPORTS = [
    ("dept20", "沭阳县发展和改革局", 2020, "county", "江苏省", None, "2021-01-31", "page"),        # on the day
    ("dept21", "沭阳县发展和改革局", 2021, None, "江苏省", None, "2022-02-01", "signature"),       # a day late
    ("dept22", "沭阳县发展和改革局", 2022, "county", "江苏省", None, None, None),                 # no date
    ("dept22b", "沭阳县发展和改革局", 2022, "county", "江苏省", None, "2023-01-10", "manifest"),   # 2 of a year
    ("gov20", "淮安市洪泽区人民政府", 2020, "county", "江苏省", None, "2021-03-31", "manifest"),   # 31 March
    ("gov21", "淮安市洪泽区人民政府", 2021, None, "江苏省", None, "2022-04-01", "page"),
    ("town", "七里坪镇人民政府", 2020, "township", "河南省", None, "2021-01-15", "page"),
    ("office", SH_OFFICE, 2019, "provincial", "上海市", f"{SH_OFFICE}2019年政府信息公开工作年度报告", "2020-01-31",
     "manifest"),                                                                          # its own: 31 Jan
    ("office20", SH_OFFICE, 2020, "provincial", "上海市", "上海市政府信息公开工作年度报告", "2021-02-02", "page"),
    ("office21", SH_OFFICE, 2021, "provincial", "上海市", None, "2022-01-20", "page"),
    ("noplace", "审计局", 2020, None, None, None, "2021-01-05", "page"),
    ("nameless", None, 2020, None, "江苏省", None, "2021-01-05", "page"),
    ("council", "国务院", 2020, "national", None, None, "2021-03-01 09:30", "page"),   # a time too
    ("ministry", "国家统计局", 2020, "national", None, None, "2021-01-29T23:30:00+08:00", "page"),   # UTC: 29th
    ("pre15", "沭阳县发展和改革局", 2015, "county", "江苏省", None, "2016-03-31", "page"),       # 2007 text
    ("pre16", "淮安市洪泽区人民政府", 2016, "county", "江苏省", None, "2017-04-05", "page"),
    ("old07", "沭阳县发展和改革局", 2007, "county", "江苏省", None, "2008-03-01", "page"),        # no rule
    ("noyear", "淮安市洪泽区人民政府", None, "county", "江苏省", None, "2021-03-01", "page"),
    ("baddate", "淮安市洪泽区人民政府", 2022, "county", "江苏省", None, "不详", "page"),           # unreadable
    ("dup", "沭阳县发展和改革局", 2020, "county", "江苏省", None, "2021-05-01", "page", "dept20", "ok"),
    ("failed", "淮安市洪泽区人民政府", 2022, "county", "江苏省", None, "2023-01-01", "page", None, "error"),
]


def timeliness_corpus(folder: Path) -> Path:
    reports = []
    for rid, agency, year, level, region, title, published, source, *rest in REPORTS:
        dup, status = rest or (None, "ok")
        key = agency or "nameless_4522.txt"
        reports.append(make_report(rid, agency, year, ALL_ZERO, level=level, region=region, agency_key=key,
                                   duplicate_of=dup, status=status))
    c = make_corpus(*reports)
    meta = c.reports.copy()
    info = {r[0]: r[5:8] for r in REPORTS}
    for i, col in enumerate(("title", "published", "published_source")):
        meta[col] = meta["report_id"].map(lambda rid: info[rid][i])
    meta.loc[meta["year"].fillna(2019) < 2019, "template"] = "pre2019"
    req = c.requests.copy()
    req.loc[(req["report_id"] == "gov20") & (req["row"] == "granted"), "corrected"] = True
    tables = {"requests": req, "appeals": c.appeals, "findings": c.findings}
    tables = {name: tables[name].reindex(columns=list(cols)).astype(cols) if name in tables else _frames.empty(name)
              for name, cols in _frames.COLUMNS.items()}
    meta = meta.reindex(columns=list(_frames.REPORT_COLUMNS)).astype(_frames.REPORT_COLUMNS)
    return Corpus(meta, tables=tables).to_parquet(folder)


def test_timeliness_equals_the_rules_report_by_report(tmp_path):
    path = timeliness_corpus(tmp_path / "t")
    f = ga.frames_of(open_corpus(path))
    expected = reference_timeliness(f)
    pd.testing.assert_frame_equal(ga.timeliness(f), expected)
    pd.testing.assert_frame_equal(ga.timeliness(open_corpus(path)), expected)   # reports.parquet read in part
    # the rules themselves, by hand
    t = expected.set_index("report_id")
    assert set(t["kind"]) == {"department", "government", "township", "government_office", "unknown"}
    assert (t.loc["dept20", "deadline"], t.loc["dept20", "days_late"], t.loc["dept20", "on_time"]) == \
        (pd.Timestamp("2021-01-31"), 0, True)
    assert (t.loc["dept21", "days_late"], t.loc["dept21", "on_time"]) == (1, False)
    assert (t.loc["gov20", "deadline"], t.loc["gov21", "days_late"]) == (pd.Timestamp("2021-03-31"), 1)
    assert t.loc["office", "kind"] == "department" and t.loc["office20", "kind"] == "government_office"
    assert pd.isna(t.loc["office20", "deadline"]) and pd.isna(t.loc["town", "on_time"])
    assert t.loc["pre15", "rule"] == dl.REGULATIONS_2007 and t.loc["pre15", "deadline"] == pd.Timestamp("2016-03-31")
    assert pd.isna(t.loc["old07", "deadline"]) and "2007" in t.loc["old07", "no_deadline"]
    assert t.loc["noyear", "no_deadline"] == "the year reported on is unknown"
    assert t.loc["dept22", "no_deadline"].startswith("no publication date") and pd.isna(t.loc["baddate", "published"])
    assert "dup" not in t.index and "failed" not in t.index


def test_on_time_share_on_disk_equals_pandas(tmp_path):
    path = timeliness_corpus(tmp_path / "t")
    analyses = [lambda x, by=by: ga.timeliness_shares(x, by=by) for by in [*ga.BY, ["level", "year"]]]
    analyses += [lambda x: ga.by_agency_year(x, "on_time_share"), lambda x: ga.cross_year(x, "on_time_share"),
                 lambda x: ga.cross_year(x, "on_time_share", years=[2019, 2020, 2021]),
                 lambda x: ga.cross_year(x, "on_time_share", agencies=["沭阳县发展和改革局"]),
                 lambda x: ga.cross_year(x, "on_time_share", region="江苏省"),
                 lambda x: ga.measure_values(x, "on_time_share", by="report"),
                 lambda x: ga.measure_values(x, "on_time_share", by="year"),
                 lambda x: ga.rank_agencies(x, "on_time_share", level="county"),
                 lambda x: ga.timeliness(ga.select(x, level="county"))]
    assert_on_disk_equals_pandas(path, analyses)
    # the counts, by hand: dept 2022 has two reports (one without a date)
    ay = ga.timeliness_shares(open_corpus(path), by="agency_year").set_index(["agency_key", "year"])
    row = ay.loc[("沭阳县发展和改革局", 2022)]
    assert (row["on_time"], row["late"], row["timed"], row["n_reports"]) == (1, 0, 1, 2)
    assert ay.loc[("淮安市洪泽区人民政府", 2020), "n_corrected"] == 7
    assert ay.loc[("淮安市洪泽区人民政府", 2021), ["on_time", "late", "timed"]].tolist() == [0, 1, 1]


def test_the_kept_timeliness_follows_the_reports(tmp_path):
    """The per-report timeliness is kept in the pre-joined file: a changed reports.parquet gives
    a new one (a date moved: the share moves with it)."""
    import os

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = timeliness_corpus(tmp_path / "t")
    share = lambda: ga.by_agency_year(open_corpus(path), "on_time_share").set_index(["agency_key", "year"])  # noqa: E731
    assert share().loc[("沭阳县发展和改革局", 2021), "value"] == 0.0
    t = pq.read_table(path / "reports.parquet")
    moved = pc.if_else(pc.equal(t["report_id"], "dept21"), pa.scalar("2022-01-30"), t["published"])
    pq.write_table(t.set_column(t.schema.get_field_index("published"), "published", moved), path / "reports.parquet")
    st = (path / "reports.parquet").stat()
    os.utime(path / "reports.parquet", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert share().loc[("沭阳县发展和改革局", 2021), "value"] == 1.0
    assert len(list(figures.cache_dir().glob("joined-timeliness_shares-*.parquet"))) == 1
