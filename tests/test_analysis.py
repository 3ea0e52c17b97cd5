"""Derived measures (govreports.analysis) against numbers computed by hand.

The small corpora here are written by hand with exactly the corpus columns; the expected numbers
are added up in the test itself, so a reader can check them against SCHEMA.md 'Derived measures'.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import govreports as gr
from govreports import analysis as ga
from govreports import frames
from govreports.template import APPLICANT_KEYS, APPEAL_CELLS, REQUEST_KEYS

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
B = None  # a blank cell: reads 0, blank=True


# --------------------------------------------------------------------------- fixture helpers

def make_report(report_id, agency, year, requests, appeals=None, findings=(), level="provincial",
                region="上海市", agency_key=None, duplicate_of=None, status="ok"):
    """One report as tidy rows. ``requests`` maps row key -> 7 cells (6 applicants + total),
    ``None`` for a blank cell; rows left out are missing. ``appeals`` is 15 cells or None
    (table not printed); ``findings`` are (check, severity) pairs."""
    req = [(report_id, row, app, 0 if v is None else v, v is None, "" if v is None else str(v), f"{row}/{app}")
           for row, cells in requests.items() for app, v in zip(APPLICANT_KEYS, cells)]
    ap = [] if appeals is None else [
        (report_id, p, r, 0 if v is None else v, v is None, "" if v is None else str(v), f"{p}/{r}")
        for (p, r), v in zip(APPEAL_CELLS, appeals)]
    fi = [(report_id, check, "requests", "", "", "", "", "", sev, "", "") for check, sev in findings]
    meta = dict(report_id=report_id, source=f"{report_id}.txt", sha256=report_id * 4, format="text",
                status=status, error=None, agency=agency, agency_key=agency_key or agency,
                agency_as_printed=agency, year=year, template="2019", level=level, region=region,
                duplicate_of=duplicate_of)
    return meta, req, ap, fi


def make_corpus(*reports):
    """A Corpus look-alike with the five frames, built from :func:`make_report` tuples."""
    return SimpleNamespace(
        reports=pd.DataFrame([r[0] for r in reports]),
        requests=frames.from_records("requests", [x for r in reports for x in r[1]]),
        appeals=frames.from_records("appeals", [x for r in reports for x in r[2]]),
        disclosure=frames.empty("disclosure"),
        findings=frames.from_records("findings", [x for r in reports for x in r[3]]),
    )


def zeros(*keys):
    return {k: [0] * 7 for k in keys}


# every row of the 2019 template, all printed 0 (that template has no other.no_correction / other.unpaid_fee)
ALL_ZERO = zeros(*(k for k in REQUEST_KEYS if k not in ("other.no_correction", "other.unpaid_fee")))


def shanghai_2019_requests():
    """上海市人民政府办公厅 2019 as printed (gold/web.json): 总计 blank in every outcome row."""
    gold = json.loads((GOLD / "web.json").read_text())["shanghai_gov_office_2019.html"]["requests"]
    printed_total = {"received_new", "carried_over", "outcome_total", "carried_forward"}
    blank_rows = {"denied.prohibited_by_law", "denied.security_stability", "denied.third_party",
                  "denied.enforcement_file", "not_processed.publication", "not_processed.excessive",
                  "not_processed.confirm_or_reissue", "other.other"}
    out = {}
    for row, cells in gold.items():
        if row in blank_rows:
            out[row] = [B] * 7
        elif row in printed_total:
            out[row] = list(cells)
        else:
            out[row] = list(cells[:6]) + [B]
    return out


SH19_APPEALS = [5, 0, 0, 2, 7, 8, 0, 0, 1, 9, 0, 0, 0, 0, 0]


@pytest.fixture
def sh19():
    return make_corpus(make_report("sh19", "上海市人民政府办公厅", 2019, shanghai_2019_requests(), SH19_APPEALS,
                                   findings=[("outcome_total", "error"), ("row_total", "error"),
                                             ("placed_by_order", "warning")]))


# --------------------------------------------------------------------------- outcome_shares

def test_blank_total_column_uses_applicant_cells(sh19):
    """SCHEMA.md: 上海市人民政府办公厅 2019 has handled 805 and denied 35."""
    row = ga.outcome_shares(sh19).iloc[0]
    granted = 258 + 12 + 1 + 1
    denied = 14 + (5) + (3 + 1) + (10 + 2)
    unavailable = (252 + 12 + 1) + (44 + 3) + 25
    not_processed = (148 + 1) + (5 + 4)
    handled = granted + 3 + denied + unavailable + not_processed + 0
    assert (denied, handled) == (35, 805)
    assert row["handled"] == handled and row["denied"] == denied and row["granted"] == granted
    assert row["unavailable"] == unavailable == 337 and row["not_processed"] == not_processed == 158
    assert row["other"] == 0 and row["outcome_total"] == 805
    assert (row["received_new"], row["carried_over"], row["carried_forward"]) == (859, 18, 72)
    assert row["refused_share"] == pytest.approx(35 / 805)
    assert row["unanswerable_share"] == pytest.approx(337 / 805)
    assert row["refused_or_unanswerable_share"] == pytest.approx((35 + 337) / 805)
    assert row["granted_share"] == pytest.approx(272 / 805)
    assert row["partly_granted_share"] == pytest.approx(3 / 805)
    assert row["not_processed_share"] == pytest.approx(158 / 805)
    assert row["other_share"] == 0.0
    assert row["n_reports"] == 1 and row["report_ids"] == "sh19"


def test_outcome_shares_columns(sh19):
    cols = list(ga.outcome_shares(sh19, by="agency_year").columns)
    assert cols[:3] == ["agency_key", "agency", "year"]
    for c in ("handled", "granted", "partly_granted", "denied", "unavailable", "not_processed", "other",
              "received_new", "carried_over", "carried_forward", "refused_share", "unanswerable_share",
              "refused_or_unanswerable_share", "granted_share", "partly_granted_share", "not_processed_share",
              "other_share", "n_reports", "report_ids"):
        assert c in cols
    assert cols[-2:] == ["n_reports", "report_ids"]


def test_printed_zero_total_wins_over_applicants():
    """Seed 004 prints 总计 0 beside 3 in 自然人 (a printed 0, not a blank): the figure is 0."""
    req = dict(ALL_ZERO, received_new=[3, 0, 0, 0, 0, 0, 0], partly_granted=[3, 0, 0, 0, 0, 0, 3],
               **{"denied.state_secret": [2, 0, 0, 0, 0, 0, 2]})
    row = ga.outcome_shares(make_corpus(make_report("hlj", "黑龙江省人民防空办公室", 2020, req))).iloc[0]
    assert row["received_new"] == 0
    assert row["handled"] == 3 + 2 and row["denied"] == 2
    assert row["refused_share"] == pytest.approx(2 / 5)


def test_zero_handled_gives_nan_not_zero():
    row = ga.outcome_shares(make_corpus(make_report("z", "某局", 2020, ALL_ZERO))).iloc[0]
    assert row["handled"] == 0
    for c in ("refused_share", "unanswerable_share", "refused_or_unanswerable_share", "granted_share"):
        assert math.isnan(row[c])


def test_missing_row_is_na_not_zero():
    """A truncated report (no denied.query_service row onwards) has unknown denied and handled."""
    keys = list(REQUEST_KEYS[:REQUEST_KEYS.index("denied.query_service")])
    req = {k: [1, 0, 0, 0, 0, 0, 1] for k in keys}
    row = ga.outcome_shares(make_corpus(make_report("t", "官洲街道办事处", 2023, req))).iloc[0]
    assert row["granted"] == 1 and row["partly_granted"] == 1
    assert pd.isna(row["denied"]) and pd.isna(row["unavailable"]) and pd.isna(row["handled"])
    assert math.isnan(row["refused_share"])


def test_sum_over_reports_and_na_propagates(sh19):
    a = make_report("a", "甲局", 2020, dict(ALL_ZERO, granted=[4, 0, 0, 0, 0, 0, 4],
                                           **{"denied.third_party": [1, 0, 0, 0, 0, 0, 1]}), region="江苏省")
    b = make_report("b", "乙局", 2020, dict(ALL_ZERO, granted=[5, 0, 0, 0, 0, 0, 5],
                                           **{"unavailable.not_held": [0, 2, 0, 0, 0, 0, 2]}), region="江苏省")
    t = make_report("t", "丙局", 2021, {"granted": [1, 0, 0, 0, 0, 0, 1]}, region="浙江省")
    c = make_corpus(a, b, t)
    by_year = ga.outcome_shares(c, by="year").set_index("year")
    # 2020: handled (4 + 1) + (5 + 2) = 12, denied 1, unavailable 2
    assert by_year.loc[2020, "handled"] == 12 and by_year.loc[2020, "denied"] == 1
    assert by_year.loc[2020, "refused_share"] == pytest.approx(1 / 12)
    assert by_year.loc[2020, "unanswerable_share"] == pytest.approx(2 / 12)
    assert by_year.loc[2020, "n_reports"] == 2 and by_year.loc[2020, "report_ids"] == "a,b"
    assert pd.isna(by_year.loc[2021, "handled"])  # the truncated report makes the sum unknown
    by_region = ga.outcome_shares(c, by="region").set_index("region")
    assert by_region.loc["江苏省", "handled"] == 12
    by_list = ga.outcome_shares(c, by=["level", "year"])
    assert list(by_list.columns[:2]) == ["level", "year"] and len(by_list) == 2


def test_duplicates_and_failed_reports_left_out(sh19):
    base = make_report("sh19", "上海市人民政府办公厅", 2019, shanghai_2019_requests())
    dup = make_report("dup", "上海市人民政府办公厅", 2019, shanghai_2019_requests(), duplicate_of="sh19")
    bad = make_report("bad", "上海市人民政府办公厅", 2019, {}, status="error")
    out = ga.outcome_shares(make_corpus(base, dup, bad), by="agency_year")
    assert len(out) == 1 and out.iloc[0]["handled"] == 805 and out.iloc[0]["report_ids"] == "sh19"


def test_unknown_by_raises(sh19):
    with pytest.raises(ValueError):
        ga.outcome_shares(sh19, by="province")
    with pytest.raises(ValueError):
        ga.outcome_shares(sh19, by=["no_such_column"])


# --------------------------------------------------------------------------- reasons, volumes, appeals

def test_refusal_reasons(sh19):
    rr = ga.refusal_reasons(sh19)
    assert len(rr) == 8 + 3
    assert list(rr["reason"].iloc[:2]) == ["denied.state_secret", "denied.prohibited_by_law"]
    r = rr.set_index("reason")
    assert r.loc["denied.state_secret", "label"] == "属于国家秘密"
    assert r.loc["denied.state_secret", "group_label"] == "不予公开"
    assert r.loc["denied.state_secret", "count"] == 14
    assert r.loc["denied.deliberative", "count"] == 3 + 1
    assert r.loc["denied.query_service", "share"] == pytest.approx((10 + 2) / 805)
    assert r.loc["unavailable.not_held", "label"] == "本机关不掌握相关政府信息"
    assert r.loc["unavailable.not_held", "count"] == 252 + 12 + 1
    assert r.loc["unavailable.unclear", "group"] == "unavailable"
    assert r.loc["denied.third_party", "count"] == 0 and r.loc["denied.third_party", "share"] == 0.0
    assert (r["handled"] == 805).all()
    assert r[r["group"] == "denied"]["count"].sum() == 35


def test_refusal_reasons_zero_handled_nan():
    rr = ga.refusal_reasons(make_corpus(make_report("z", "某局", 2020, ALL_ZERO)))
    assert rr["share"].isna().all() and (rr["count"] == 0).all()


def test_volumes(sh19):
    v = ga.volumes(sh19).iloc[0]
    assert (v["received_natural_person"], v["received_commercial"], v["received_legal_service"],
            v["received_other_org"]) == (821, 35, 2, 1)
    assert v["received_new"] == 859 and v["carried_over"] == 18 and v["carried_forward"] == 72
    assert v["handled"] == 805


def test_appeals_rates(sh19):
    a = ga.appeals_rates(sh19).iloc[0]
    # review: upheld 5, pending 2, total 7; suit_direct: upheld 8, pending 1, total 9; after review: 0
    assert a["reviews"] == 7 and a["suits"] == 9 + 0
    assert a["reviews_upheld"] == 5 and a["suits_upheld"] == 8 and a["suits_pending"] == 1
    assert a["reviews_per_100"] == pytest.approx(7 / 805 * 100)
    assert a["suits_per_100"] == pytest.approx(9 / 805 * 100)
    assert a["review_corrected_share"] == 0.0 and a["corrected_share"] == 0.0


def test_appeals_corrected_share_and_no_concluded_case():
    req = dict(ALL_ZERO, granted=[10, 0, 0, 0, 0, 0, 10])
    # review: upheld 3 corrected 1 other 0 pending 2 total 6; suits: direct pending 1 only
    with_cases = make_report("a", "甲局", 2020, req, [3, 1, 0, 2, 6, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    pending_only = make_report("b", "乙局", 2020, req, [0, 0, 0, 1, 1] + [0] * 10)
    not_printed = make_report("c", "丙局", 2020, req, None)
    out = ga.appeals_rates(make_corpus(with_cases, pending_only, not_printed)).set_index("report_id")
    assert out.loc["a", "review_corrected_share"] == pytest.approx(1 / (3 + 1 + 0))
    assert math.isnan(out.loc["a", "suit_corrected_share"])  # one suit, still pending
    assert out.loc["a", "corrected_share"] == pytest.approx(1 / 4)
    assert out.loc["a", "reviews_per_100"] == pytest.approx(6 / 10 * 100)
    assert math.isnan(out.loc["b", "corrected_share"])
    assert pd.isna(out.loc["c", "reviews"]) and math.isnan(out.loc["c", "reviews_per_100"])


def test_appeals_blank_total_uses_results():
    req = dict(ALL_ZERO, granted=[10, 0, 0, 0, 0, 0, 10])
    r = make_report("a", "甲局", 2020, req, [2, 1, B, B, B] + [B] * 10)
    a = ga.appeals_rates(make_corpus(r)).iloc[0]
    assert a["reviews"] == 3 and a["suits"] == 0


# --------------------------------------------------------------------------- measures, agency × year

def test_measures_declared():
    for name in ("refused_share", "unanswerable_share", "refused_or_unanswerable_share", "granted_share",
                 "received", "handled", "reviews_per_100", "suits_per_100", "corrected_share"):
        m = ga.MEASURES[name]
        assert m.zh and m.en and m.numerator
    with pytest.raises(ValueError):
        ga.by_agency_year(make_corpus(make_report("z", "某局", 2020, ALL_ZERO)), "no_such_measure")


def _two_agencies():
    def req(granted, denied):
        return dict(ALL_ZERO, granted=[granted, 0, 0, 0, 0, 0, granted],
                    **{"denied.state_secret": [denied, 0, 0, 0, 0, 0, denied]},
                    received_new=[granted + denied, 0, 0, 0, 0, 0, granted + denied])
    return make_corpus(
        make_report("a19", "甲局", 2019, req(9, 1), level="city", region="淮安市"),
        make_report("a21", "甲局", 2021, req(6, 2), level="city", region="淮安市",
                    findings=[("balance", "error"), ("balance", "error"), ("label_inexact", "warning")]),
        make_report("b19", "乙局", 2019, req(3, 3), level="county", region="淮安市/洪泽区"),
        make_report("b20", "乙局", 2020, req(0, 0), level="county", region="淮安市/洪泽区"),
        make_report("c20", "丙局", 2020, req(40, 10), level="city", region="淮安市"),
    )


def test_by_agency_year():
    ay = ga.by_agency_year(_two_agencies(), "refused_share")
    assert list(ay.columns) == ["agency_key", "agency", "year", "level", "region", "measure", "value", "numerator",
                                "denominator", "report_id", "n_errors", "has_errors", "n_corrected"]
    a21 = ay[(ay["agency_key"] == "甲局") & (ay["year"] == 2021)].iloc[0]
    assert a21["value"] == pytest.approx(2 / 8) and a21["numerator"] == 2 and a21["denominator"] == 8
    assert a21["report_id"] == "a21" and a21["n_errors"] == 2 and a21["has_errors"]
    b20 = ay[(ay["agency_key"] == "乙局") & (ay["year"] == 2020)].iloc[0]
    assert math.isnan(b20["value"]) and b20["denominator"] == 0 and not b20["has_errors"]
    assert len(ay) == 5


def test_by_agency_year_counts_and_per_100(sh19):
    rec = ga.by_agency_year(sh19, "received").iloc[0]
    assert rec["value"] == 859 and rec["numerator"] == 859 and pd.isna(rec["denominator"])
    assert rec["n_errors"] == 2  # two errors, one warning
    r100 = ga.by_agency_year(sh19, "reviews_per_100").iloc[0]
    assert r100["value"] == pytest.approx(700 / 805) and r100["numerator"] == 7 and r100["denominator"] == 805
    cs = ga.by_agency_year(sh19, "corrected_share").iloc[0]
    assert cs["value"] == 0.0 and cs["numerator"] == 0 and cs["denominator"] == 5 + 8  # concluded: review upheld 5, suit upheld 8


def test_cross_year_flags_missing_year_and_errors():
    cy = ga.cross_year(_two_agencies(), "refused_share", agencies=["甲局"])
    assert list(cy["year"]) == [2019, 2020, 2021]
    assert list(cy["flag"]) == ["", "missing", "errors"]
    assert list(cy["missing"]) == [False, True, False]
    assert cy["value"].iloc[0] == pytest.approx(1 / 10) and math.isnan(cy["value"].iloc[1])
    assert math.isnan(cy["change"].iloc[1]) and math.isnan(cy["change"].iloc[2])  # no 2020 to compare with
    cy_b = ga.cross_year(_two_agencies(), "received", agencies=["乙局"], years=[2019, 2020])
    assert list(cy_b["value"]) == [6.0, 0.0] and list(cy_b["change"].iloc[1:]) == [-6.0]
    by_level = ga.cross_year(_two_agencies(), "handled", level="city")
    assert set(by_level["agency_key"]) == {"甲局", "丙局"} and len(by_level) == 2 * 3


def test_cross_year_unknown_agency_raises():
    with pytest.raises(ValueError, match="不存在局"):
        ga.cross_year(_two_agencies(), "refused_share", agencies=["不存在局"])


def test_rank_agencies():
    c = _two_agencies()
    r = ga.rank_agencies(c, "refused_share", year=2019)
    # 乙局 3/6 = 0.5 above 甲局 1/10
    assert list(r["agency"]) == ["乙局", "甲局"] and list(r["rank"]) == [1, 2]
    assert list(r["numerator"]) == [3, 1] and list(r["denominator"]) == [6, 10]
    latest = ga.rank_agencies(c, "refused_share")  # each agency's latest year: 甲 2021, 乙 2020, 丙 2020
    assert dict(zip(latest["agency"], latest["year"])) == {"甲局": 2021, "乙局": 2020, "丙局": 2020}
    assert latest["agency"].iloc[-1] == "乙局" and pd.isna(latest["rank"].iloc[-1])  # handled 0: NaN, last
    assert list(latest["agency"].iloc[:2]) == ["甲局", "丙局"]  # 2/8 = 0.25 > 10/50 = 0.2
    big = ga.rank_agencies(c, "refused_share", min_volume=10)
    assert set(big["agency"]) == {"丙局"}  # 甲局 2021 handled 8 < 10
    city = ga.rank_agencies(c, "received", level="city", year=2020)
    assert list(city["agency"]) == ["丙局"] and city["value"].iloc[0] == 50


def test_quality_and_trace(sh19):
    q = ga.report_quality(sh19).iloc[0]
    assert (q["n_errors"], q["n_warnings"], q["n_info"]) == (2, 1, 0)
    assert q["checks"] == "outcome_total,placed_by_order,row_total"
    s = ga.findings_summary(sh19)
    assert set(s["check"]) == {"outcome_total", "row_total", "placed_by_order"} and (s["n_reports"] == 1).all()
    t = ga.trace(sh19, "sh19", "denied.state_secret")
    used = t[t["used"]]
    assert list(used["column"]) == list(APPLICANT_KEYS[:-1]) and used["value"].sum() == 14
    t_total = ga.trace(sh19, "sh19", "received_new")
    assert list(t_total[t_total["used"]]["column"]) == ["total"]
    t_rev = ga.trace(sh19, "sh19", "reviews_per_100")  # a measure: the cells of its numerator
    assert list(t_rev[t_rev["used"]][["row", "column", "value"]].itertuples(index=False, name=None)) == \
        [("review", "total", 7)]
    line = ga.describe_shares(ga.outcome_shares(sh19, by="agency_year"))
    assert line == "上海市人民政府办公厅 2019  refused_share: 0.0435 (35/805)  unanswerable_share: 0.4186 (337/805)"


def test_single_report_like_object(sh19):
    """A Report (``.meta`` + frames, no ``.reports``) works too; agency_key comes from the name."""
    meta = SimpleNamespace(report_id="sh19", source="x.html", format="html", agency="上海市人民政府办公厅",
                           agency_as_printed="上海市人民政府办公厅", year=2019, template="2019", level="provincial",
                           title="", truncated=False)
    report = SimpleNamespace(meta=meta, requests=sh19.requests, appeals=sh19.appeals, findings=sh19.findings,
                             disclosure=sh19.disclosure)
    ay = ga.by_agency_year(report, "refused_share").iloc[0]
    assert ay["agency_key"] == "上海市人民政府办公厅" and ay["region"] == "上海市"
    assert ay["value"] == pytest.approx(35 / 805)
    twice = ga.outcome_shares([report, report], by="year").iloc[0]  # the same report given twice counts once
    assert twice["handled"] == 805 and twice["n_reports"] == 1


# --------------------------------------------------------------------------- real reports

def _gold_refused_share(entry):
    """Refused share from a gold entry, by hand: a row's figure is its total, or the applicant sum
    where the total is blank (gold writes blank as 0; only 上海 2019 leaves totals blank)."""
    req = entry["requests"]
    blank_totals = entry.get("agency") == "上海市人民政府办公厅" and entry.get("year") == 2019

    def fig(row):
        cells = req[row]
        return sum(cells[:6]) if blank_totals and cells[6] == 0 else cells[6]
    outcome_rows = [k for k in req if k not in ("received_new", "carried_over", "outcome_total", "carried_forward")]
    handled = sum(fig(k) for k in outcome_rows)
    denied = sum(fig(k) for k in outcome_rows if k.startswith("denied."))
    return denied, handled


REAL = [("seeds", name) for name in json.loads((GOLD / "seeds.json").read_text())] + \
       [("web", name) for name in json.loads((GOLD / "web.json").read_text())]


@pytest.mark.parametrize("folder,name", REAL)
def test_refused_share_of_real_reports(folder, name):
    entry = json.loads((GOLD / f"{folder}.json").read_text())[name]
    denied, handled = _gold_refused_share(entry)
    report = gr.read_report(ROOT / "data" / "reports" / folder / name)
    row = ga.outcome_shares(report).iloc[0]
    got = tuple(None if pd.isna(row[c]) else int(row[c]) for c in ("denied", "handled"))
    missing = report.findings[report.findings["check"] == "missing_rows"]["key"].tolist()
    assert got == (denied, handled), f"rows not read: {missing}"
    if handled:
        assert row["refused_share"] == pytest.approx(denied / handled)
    else:
        assert math.isnan(row["refused_share"])


def test_gold_hand_values():
    """The hand computation above gives SCHEMA.md's numbers for 上海 2019 and seed 004."""
    web = json.loads((GOLD / "web.json").read_text())
    assert _gold_refused_share(web["shanghai_gov_office_2019.html"]) == (35, 805)
    seeds = json.loads((GOLD / "seeds.json").read_text())
    assert _gold_refused_share(seeds["004_454a5f1be846ec67.txt"]) == (2, 5)


def parquet_roundtrip(corpus):
    """The same corpus as a Parquet dataset hands it back (pyarrow-backed dtypes)."""
    import io

    import pyarrow.parquet as pq

    def rt(df):
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        buf.seek(0)
        return pq.read_table(buf).to_pandas()
    return SimpleNamespace(**{k: rt(getattr(corpus, k)) for k in ("reports", "requests", "appeals", "disclosure",
                                                                  "findings")})


def test_every_function_on_a_parquet_round_trip():
    """Every function works on frames as Parquet hands them back, and on reports without findings."""
    c = parquet_roundtrip(_two_agencies())
    sub = ga.select(c, agencies=["乙局"])
    q = ga.report_quality(sub)
    assert list(q["n_errors"]) == [0, 0] and list(q["checks"]) == ["", ""]
    assert ga.findings_summary(sub).empty
    assert ga.outcome_shares(c, by="year").set_index("year").loc[2019, "handled"] == 10 + 6
    assert len(ga.refusal_reasons(c)) == 5 * 11 and len(ga.volumes(c)) == 5
    assert ga.by_agency_year(c, "refused_share")["n_errors"].sum() == 2
    assert ga.cross_year(c, "corrected_share", agencies=["甲局"])["flag"].tolist() == ["", "missing", "errors"]
    assert ga.rank_agencies(c, "received", year=2020)["agency"].tolist() == ["丙局", "乙局"]


def test_issue_report_quality_on_a_parquet_corpus(tmp_path):
    """Found in the batch run: report_quality failed on a Parquet corpus (open_corpus) when the
    selected reports have no error or warning (an empty pyarrow-backed result could not be filled
    with '')."""
    corpus = pytest.importorskip("govreports.corpus")
    c = corpus.open_corpus(corpus.read_corpus(ROOT / "data" / "reports" / "seeds", workers=1, cache=None)
                           .to_parquet(tmp_path / "corpus"))
    q = ga.report_quality(ga.select(c, agencies="重庆市人民防空办公室"))
    assert list(q["n_errors"]) == [0] and list(q["checks"]) == [""]


# --------------------------------------------------------------------------- plots

def test_chinese_plot_has_no_missing_glyphs(sh19, recwarn):
    """Agency names render: the shipped CJK font is registered, no 'missing from font' warning."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from govreports import plotting as gp

    assert gp.use_cjk_font() == "Noto Sans CJK SC"
    c = _two_agencies()
    axes = [gp.plot_outcome_mix(ga.outcome_shares(sh19)),
            gp.plot_refusal_reasons(ga.refusal_reasons(sh19)),
            gp.plot_volumes(ga.volumes(sh19)),
            gp.plot_trend(ga.cross_year(c, "refused_share")),
            gp.plot_ranking(ga.rank_agencies(c, "refused_share")),
            gp.plot_findings(ga.findings_summary(sh19))]
    axes[0].set_title("上海市人民政府办公厅 不予公开 refused")
    for ax in axes:
        ax.figure.canvas.draw()
        plt.close(ax.figure)
    glyphs = [w for w in recwarn if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert not glyphs, [str(w.message) for w in glyphs]
