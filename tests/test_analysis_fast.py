"""Analyses of a corpus on disk (DuckDB over its Parquet parts, govreports/figures.py) give the
results of the plain pandas computation, row for row and dtype for dtype.

Each comparison opens the corpus afresh (reading a whole table into the Corpus makes later
analyses use pandas) and checks that the fast path was taken; the pandas side is the same corpus
read into :class:`~govreports.analysis.Frames`.
"""
from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pandas as pd
import pytest

from govreports import analysis as ga
from govreports import figures
from govreports import frames as _frames
from govreports.corpus import Corpus, open_corpus
from test_analysis import ALL_ZERO, SH19_APPEALS, make_corpus, make_report, shanghai_2019_requests

ROOT = Path(__file__).resolve().parents[1]
FAST = [m for m in ga.MEASURES if ga.source_of(m) in ("outcome_shares", "appeals_rates", "legacy_shares")]


@pytest.fixture(autouse=True)
def figure_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path_factory.mktemp("figures")))


def _compare(path: Path, pandas_frames: ga.Frames, fn, fast: bool = True) -> None:
    disk = open_corpus(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, got = fn(pandas_frames), fn(disk)
    assert not fast or figures.on_disk(disk) is not None, "the fast path read the tables into pandas"
    pd.testing.assert_frame_equal(got, expected)


def _all_analyses(path: Path, measures=tuple(FAST), bys=tuple(ga.BY) + (("level", "year"),)) -> None:
    f = ga.frames_of(open_corpus(path))
    for by in bys:
        by = list(by) if isinstance(by, tuple) else by
        for fn in (ga.outcome_shares, ga.volumes, ga.appeals_rates, ga.legacy_shares):
            _compare(path, f, lambda x: fn(x, by=by))
    for i, m in enumerate(measures):
        _compare(path, f, lambda x: ga.by_agency_year(x, m))
        _compare(path, f, lambda x: ga.cross_year(x, m))
        if i % 3 == 0:
            _compare(path, f, lambda x: ga.measure_values(x, m, by="report"))
            _compare(path, f, lambda x: ga.rank_agencies(x, m, min_volume=1))


# --------------------------------------------------------------------------- a hand-made corpus of edge cases

def _edge_corpus(folder: Path, extra=()) -> Path:
    sh = shanghai_2019_requests()  # 总计 blank in the outcome rows: figures are the applicant sums
    reports = [*extra,
        make_report("sh19", "上海市人民政府办公厅", 2019, sh, SH19_APPEALS,
                    findings=[("outcome_total", "error"), ("row_total", "error"), ("placed_by_order", "warning")]),
        # a second report of the same agency and year, printed under another name: report_ids joins both
        make_report("sh19b", "上海市政府办公厅", 2019, ALL_ZERO, [1] * 14 + [None], agency_key="上海市人民政府办公厅",
                    findings=[("row_total", "error")]),
        make_report("sh20", "上海市人民政府办公厅", 2020, ALL_ZERO, level="city"),
        make_report("dup", "上海市人民政府办公厅", 2019, sh, duplicate_of="sh19"),    # left out
        make_report("bad", "某县民政局", 2020, ALL_ZERO, status="error"),             # left out
        make_report("gap", "某县民政局", 2021, {k: v for k, v in ALL_ZERO.items() if k != "denied.third_party"},
                    region="江苏省"),                                                 # a row not printed: NA
        make_report("noyear", "某县民政局", None, ALL_ZERO, region="江苏省"),
        make_report("nameless", None, 2020, ALL_ZERO, agency_key="mirror_4522.txt", region="江苏省"),
        make_report("pre", "某县教育局", 2016, {"received_new": [None] * 6 + [7], "granted": [None] * 6 + [5]},
                    level="county", region="江苏省"),
        # before 2019, no 答复总数 printed: answered is the sum of the four kinds; one kind not stated: unknown
        make_report("pre17", "某县教育局", 2017, {"granted": [None] * 6 + [3], "partly_granted": [None] * 6 + [1]},
                    level="county", region="江苏省"),
        make_report("pre18", "某县教育局", 2018, {"granted": [None] * 6 + [3], "partly_granted": [None] * 6 + [1]},
                    level="county", region="江苏省"),
        # duplicate_of printed blank (an ideographic space) is no duplicate; a status FAILED is a failure
        make_report("blanked", "某市统计局", 2020, sh, duplicate_of="\u3000", level="city", region="江苏省/南京市"),
        make_report("upper", "某市统计局", 2021, ALL_ZERO, status="FAILED", level="city", region="江苏省/南京市"),
        make_report("nostatus", "某市统计局", 2022, ALL_ZERO, status=None, level=None, region="江苏省/南京市"),
    ]
    c = make_corpus(*reports)
    req = c.requests.copy()
    # a missing applicant cell under a blank total: the row's figure is missing, not a smaller sum
    hole = (req["report_id"] == "gap") & (req["row"] == "granted")
    req.loc[hole & (req["applicant"] == "total"), "blank"] = True
    req.loc[hole & (req["applicant"] == "commercial"), "value"] = pd.NA
    # corrected cells count in n_corrected
    req.loc[(req["report_id"] == "sh20") & (req["row"] == "granted"), "corrected"] = True
    app = c.appeals.copy()
    app.loc[(app["report_id"] == "sh19") & (app["result"] == "upheld"), "corrected"] = True
    meta = c.reports.copy()
    meta.loc[meta["report_id"].str.startswith("pre"), "template"] = "pre2019"
    legacy = _frames.from_records("legacy", [("pre", "suits_total", 2.0, "件", "2", "line 9"),
                                             ("pre", "refused_all", 2.0, "件", "2", "line 5"),
                                             ("pre17", "refused_all", 2.5, "件", "2.5", "line 5"),
                                             ("pre17", "other_answers", 1.0, "件", "1", "line 6"),
                                             ("pre18", "refused_all", 4.0, "件", "4", "line 5")])
    tables = {"requests": req, "appeals": app, "findings": c.findings, "legacy": legacy}
    tables = {name: tables[name].reindex(columns=list(cols)).astype(cols) if name in tables else _frames.empty(name)
              for name, cols in _frames.COLUMNS.items()}
    meta = meta.reindex(columns=list(_frames.REPORT_COLUMNS)).astype(_frames.REPORT_COLUMNS)  # as a build writes it
    corpus = Corpus(meta, tables=tables)
    return corpus.to_parquet(folder)


def test_edge_cases_equal_pandas(tmp_path):
    path = _edge_corpus(tmp_path / "edge")
    _all_analyses(path)
    f = ga.frames_of(open_corpus(path))
    _compare(path, f, lambda x: ga.cross_year(x, "refused_share", years=[2018, 2019, 2020]))
    _compare(path, f, lambda x: ga.cross_year(x, "reviews", agencies=["上海市人民政府办公厅"]))
    _compare(path, f, lambda x: ga.cross_year(x, "suits", region="江苏省"))


def test_edge_cases_have_the_numbers_of_the_rules(tmp_path):
    """Not only equal to pandas: the on-disk path itself gives the hand-counted figures."""
    path = _edge_corpus(tmp_path / "edge")
    c = open_corpus(path)
    ay = ga.outcome_shares(c, by="agency_year").set_index(["agency_key", "year"])
    sh = ay.loc[("上海市人民政府办公厅", 2019)]
    assert (sh["denied"], sh["handled"], sh["n_reports"]) == (35, 805, 2)   # sh19 + sh19b (all 0)
    assert sh["report_ids"] == "sh19,sh19b" and sh["agency"] == "上海市政府办公厅"
    assert pd.isna(ay.loc[("某县民政局", 2021), "denied"])                     # a row not printed
    # a blank total over a missing applicant cell: the applicant sum is not known, the blank (0) stays
    assert ay.loc[("某县民政局", 2021), "granted"] == 0
    assert "bad" not in ",".join(ay["report_ids"]) and "dup" not in ",".join(ay["report_ids"])
    assert ay.loc[("上海市人民政府办公厅", 2020), "n_corrected"] == 7
    assert figures.on_disk(c) is not None
    cy = ga.cross_year(c, "suits").set_index(["agency_key", "year"])
    assert cy.loc[("某县教育局", 2016), "numerator"] == 2                       # 2019年前: suits_total
    assert not cy.loc[("某县教育局", 2017), "missing"] and bool(cy.loc[("某县教育局", 2019), "missing"])
    old = ga.cross_year(c, "refused_all_share", agencies=["某县教育局"]).set_index("year")
    # halves round to even: refused_all 2.5 -> 2, answered 3 + 1 + 2.5 + 1 = 7.5 -> 8
    assert old.loc[2017, ["numerator", "denominator"]].tolist() == [2, 8]
    assert pd.isna(old.loc[2018, "denominator"]) and pd.isna(old.loc[2018, "value"])   # other_answers not stated
    assert old.loc[2016, "numerator"] == 2 and pd.isna(old.loc[2016, "denominator"])  # nor partly_granted
    stats = ga.cross_year(c, "refused_share", agencies=["某市统计局"]).set_index("year")
    assert stats.loc[2020, ["numerator", "denominator"]].tolist() == [35, 805]   # a blank duplicate_of counts
    assert bool(stats.loc[2021, "missing"]) and stats.loc[2021, "flag"] == "missing"   # FAILED is left out
    assert not stats.loc[2022, "missing"] and (stats["level"] == "city").all()  # level: the latest known
    assert ay.loc[("上海市人民政府办公厅", 2020), "handled"] == 0
    assert pd.isna(ga.outcome_shares(c, by="agency_year").set_index(["agency_key", "year"])
                   .loc[("上海市人民政府办公厅", 2020), "refused_share"])     # nothing handled: NaN, never 0


def test_timeliness_reads_no_cells(tmp_path):
    """on_time_share needs the reports only: a corpus on disk is not read into frames of cells
    (at 1,000,000 reports they would not fit), the corrected cells are counted from the kept figures."""
    path = _edge_corpus(tmp_path / "edge")
    f = ga.frames_of(open_corpus(path))
    for fn in (ga.timeliness, lambda x: ga.timeliness_shares(x, by="agency_year"),
               lambda x: ga.by_agency_year(x, "on_time_share"), lambda x: ga.cross_year(x, "on_time_share"),
               lambda x: ga.cross_year(x, "on_time_share", agencies=["某县民政局"])):
        _compare(path, f, fn)
    c = open_corpus(path)
    got = ga.timeliness_shares(c, by="agency_year").set_index(["agency_key", "year"])
    assert got.loc[("上海市人民政府办公厅", 2020), "n_corrected"] == 7
    assert c._tables == {}   # no table read into the Corpus


def test_the_reports_table_is_not_read(tmp_path):
    """The analyses of a whole corpus on disk read the few reports columns they need from
    reports.parquet in SQL: Corpus.reports (every column, about 1 GB at 1,000,000 reports) is
    never read into pandas."""
    path = _edge_corpus(tmp_path / "edge")
    c = open_corpus(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ga.outcome_shares(c, by="agency_year"), ga.volumes(c, by="region"), ga.appeals_rates(c, by="year")
        ga.by_agency_year(c, "reviews_per_100"), ga.cross_year(c, "refused_share"), ga.rank_agencies(c, "received")
        ga.measure_values(c, "suits", by="level"), ga.select(c)
    assert c.reports_file is not None and figures.on_disk(c) is not None


def test_reports_needing_names_filled_still_equal_pandas(tmp_path):
    """A reports table whose rows want what _normalise_reports fills (a report with neither an
    agency name nor a key: keyed by its file name) is read into pandas first; same results."""
    keyless = make_report("anon", None, 2020, ALL_ZERO, region="江苏省")
    path = _edge_corpus(tmp_path / "edge", extra=[keyless])
    f = ga.frames_of(open_corpus(path))
    assert f.reports.set_index("report_id").loc["anon", "agency_key"] == "anon.txt"
    for fn in (lambda x: ga.outcome_shares(x, by="agency_year"), lambda x: ga.cross_year(x, "refused_share"),
               lambda x: ga.by_agency_year(x, "suits"), lambda x: ga.volumes(x, by="region")):
        _compare(path, f, fn)


# --------------------------------------------------------------------------- the sample reports and a synthetic corpus

@pytest.mark.skipif(not (ROOT / "data" / "reports").exists(), reason="no data/reports")
def test_sample_corpus_equals_pandas(tmp_path):
    path = ga.load_corpus(ROOT / "data" / "reports").to_parquet(tmp_path / "sample")
    _all_analyses(path)


def assert_on_disk_equals_pandas(path: Path, analyses) -> None:
    """Each analysis on the corpus at ``path`` opened from disk equals it on the corpus read into
    pandas, frame for frame, and the disk path never read the reports table into pandas."""
    f = ga.frames_of(open_corpus(path))
    for fn in analyses:
        disk = open_corpus(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected, got = fn(f), fn(disk)
        assert disk.reports_file is not None, "the reports table was read into pandas"
        pd.testing.assert_frame_equal(got, expected)


def benchmark_corpus(path: Path, n: int, part: int, seed: int) -> Path:
    """The synthetic corpus the benchmarks use (benchmarks/export_speed.py), in parts of ``part`` reports."""
    spec = importlib.util.spec_from_file_location("export_speed", ROOT / "benchmarks" / "export_speed.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.PART = part
    mod.write_corpus(path, n, seed=seed)
    return path


def test_synthetic_corpus_of_several_parts_equals_pandas(tmp_path):
    """The corpus the benchmarks use (benchmarks/export_speed.py), in parts of 2,000 reports."""
    path = benchmark_corpus(tmp_path / "synthetic", 420, part=150, seed=2)
    assert len(figures.parts(path, "requests")) == 3
    _all_analyses(path, measures=("refused_share", "received", "corrected_share", "suits_per_100"),
                  bys=("agency_year", "region"))


def test_figures_are_kept_and_recomputed_when_a_part_changes(tmp_path):
    path = _edge_corpus(tmp_path / "edge")
    first = figures.figure_files(path, "requests")
    assert figures.figure_files(path, "requests") == first and all(p.exists() for p in first)
    part = figures.parts(path, "requests")[0]
    part.write_bytes(part.read_bytes())        # rewritten: a new modification time
    import os
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))
    assert figures.figure_files(path, "requests") != first


def test_a_corpus_in_memory_still_uses_pandas(tmp_path):
    path = _edge_corpus(tmp_path / "edge")
    c = open_corpus(path)
    c.requests  # read into the Corpus: its in-memory tables are what the analyses see
    assert figures.on_disk(c) is None


def _rewrite(part: Path, change) -> None:
    """Rewrite a Parquet file with ``change(table)``, its modification time moved on."""
    import os

    import pyarrow.parquet as pq
    pq.write_table(change(pq.read_table(part)), part)
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))


def test_the_joined_reports_are_kept_and_rewritten_when_the_corpus_changes(tmp_path):
    """The usable reports joined with their figures are kept beside the figures (one file per
    corpus and source); a changed reports.parquet or part gives a new file, the old one goes,
    and the results are those of pandas on the changed corpus."""
    import pyarrow as pa
    import pyarrow.compute as pc

    path = _edge_corpus(tmp_path / "edge")
    cache = figures.cache_dir()
    measure = lambda x: ga.cross_year(x, "refused_share")   # noqa: E731
    _compare(path, ga.frames_of(open_corpus(path)), measure)
    first = sorted(cache.glob("joined-*.parquet"))
    assert len(first) == 1 and len(list(cache.glob("reports-*.json"))) == 1
    _compare(path, ga.frames_of(open_corpus(path)), measure)
    assert sorted(cache.glob("joined-*.parquet")) == first          # read, not joined again

    def fail_sh20(t: pa.Table) -> pa.Table:   # sh20 becomes a failed report: left out
        status = pc.if_else(pc.equal(t["report_id"], "sh20"), "error", t["status"])
        return t.set_column(t.schema.get_field_index("status"), "status", status)

    _rewrite(path / "reports.parquet", fail_sh20)
    f = ga.frames_of(open_corpus(path))
    assert "sh20" not in set(ga._usable_reports(f)["report_id"])
    _compare(path, f, measure)
    second = sorted(cache.glob("joined-*.parquet"))
    assert len(second) == 1 and second != first and len(list(cache.glob("reports-*.json"))) == 1

    def double(t: pa.Table) -> pa.Table:      # every printed value of a part doubled
        return t.set_column(t.schema.get_field_index("value"), "value", pc.multiply(t["value"], 2))

    _rewrite(figures.parts(path, "requests")[0], double)
    f = ga.frames_of(open_corpus(path))
    _compare(path, f, measure)
    assert sorted(cache.glob("joined-*.parquet")) not in (first, second)
