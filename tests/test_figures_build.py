"""A build writes each part's per-report figures beside its parts (govreports.figures.BuildFigures),
and the analyses read them: the first analysis after a build then computes nothing from the cells.

What must hold: the figures a build writes are exactly those figures.py computes from the parts;
an analysis on a built corpus equals the plain pandas computation frame for frame, after a
rebuild with some files changed too; a corpus without them (an older govreports's) or with a part
changed since is computed from the cells as before.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from govreports import analysis as ga
from govreports import figures
from govreports.corpus import open_corpus, read_corpus
from govreports.render import ReportValues, render
from test_analysis_fast import benchmark_corpus

TABLES = ("requests", "appeals", "findings")
LAYOUTS = ("html", "markdown", "cells", "pipe_cells", "html_word")
AGENCIES = ("沭阳县发展和改革局", "沭阳县民政局", "宿迁市财政局")
ANALYSES = {
    "outcome_shares by agency_year": lambda x: ga.outcome_shares(x, by="agency_year"),
    "outcome_shares by region": lambda x: ga.outcome_shares(x, by="region"),
    "volumes by year": lambda x: ga.volumes(x, by="year"),
    "appeals_rates by agency": lambda x: ga.appeals_rates(x, by="agency"),
    "by_agency_year reviews_per_100": lambda x: ga.by_agency_year(x, "reviews_per_100"),
    "cross_year refused_share": lambda x: ga.cross_year(x, "refused_share"),
}


@pytest.fixture(autouse=True)
def figure_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path_factory.mktemp("figures")))


def _printing(agency: str, year: int, seed: int) -> str:
    values = dataclasses.replace(ReportValues.synthetic(seed), agency=agency, year=year)
    return render(values, LAYOUTS[seed % len(LAYOUTS)])


def _reports(folder: Path, seed: int = 0) -> Path:
    """Three agencies' reports of 2019-2022 in five layouts (12 files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (agency, year) in enumerate((a, y) for a in AGENCIES for y in range(2019, 2023)):
        ext = ".html" if LAYOUTS[i % len(LAYOUTS)].startswith("html") else ".txt"
        (folder / f"r{i:02d}{ext}").write_text(_printing(agency, year, seed + i), encoding="utf-8")
    return folder


def _build(reports: Path, out: Path) -> Path:
    read_corpus(reports, workers=1, cache=None, out=out, chunk_size=5)   # three parts of each table
    return out


def _computed(path: Path, table: str) -> pa.Table:
    """The figures figures.py computes from the parts (the build's set aside meanwhile)."""
    aside = path.parent / f"{path.name}-figures-aside"
    shutil.move(path / figures.BUILT, aside)
    try:
        (got,) = figures.figure_files(path, table)
        assert got.parent == figures.cache_dir()
        return pq.read_table(got)
    finally:
        shutil.move(aside, path / figures.BUILT)


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by([(c, "ascending") for c in t.column_names])


def _cache_entries() -> list[Path]:
    """Figures computed into the cache (a part's entry or merged entries)."""
    return [p for p in figures.cache_dir().glob("*.parquet") if not p.name.startswith(("joined-", "meta-"))]


def _all_equal_pandas(path: Path) -> None:
    expected = ga.frames_of(open_corpus(path))
    for name, fn in ANALYSES.items():
        disk = open_corpus(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, want = fn(disk), fn(expected)
        assert figures.on_disk(disk) is not None, f"{name}: the tables were read into pandas"
        pd.testing.assert_frame_equal(got, want, obj=name)


def test_a_build_writes_the_figures_figures_py_computes(tmp_path):
    path = _build(_reports(tmp_path / "reports"), tmp_path / "corpus")
    for table in TABLES:
        assert len(figures.parts(path, table)) >= 3
        (built,) = figures.figure_files(path, table)
        assert built == path / figures.BUILT / f"{table}.parquet"
        mine, computed = pq.read_table(built), _computed(path, table)
        assert mine.schema.equals(computed.schema), table
        assert _sorted(mine).equals(_sorted(computed)), table
    assert pq.read_table(path / figures.BUILT / "requests.parquet").num_rows == 12


def test_analyses_after_a_build_read_its_figures_and_equal_pandas(tmp_path):
    reports = _reports(tmp_path / "reports")
    path = _build(reports, tmp_path / "corpus")
    _all_equal_pandas(path)
    assert _cache_entries() == [], "figures were computed although the build wrote them"

    # a rebuild with two files changed and one added: new parts, new figures, still pandas's results
    for i, name in enumerate(("r01.txt", "r05.html")):
        old = next(reports.glob(name.split(".")[0] + ".*"))
        old.write_text(_printing(AGENCIES[i], 2019 + i, 40 + i), encoding="utf-8")
    (reports / "r99.txt").write_text(_printing("宿迁市财政局", 2023, 7), encoding="utf-8")
    before = pq.read_table(path / figures.BUILT / "requests.parquet")
    _build(reports, path)
    after = pq.read_table(path / figures.BUILT / "requests.parquet")
    assert after.num_rows == 13
    assert not _sorted(after.drop_columns(["report_id"])).equals(_sorted(before.drop_columns(["report_id"])))
    _all_equal_pandas(path)
    assert _cache_entries() == []
    for table in TABLES:
        assert _sorted(pq.read_table(path / figures.BUILT / f"{table}.parquet")).equals(
            _sorted(_computed(path, table))), table


def test_a_corpus_without_build_figures_is_computed_as_before(tmp_path):
    """A corpus written by an older govreports has no .figures: computed from the cells."""
    path = _build(_reports(tmp_path / "reports"), tmp_path / "corpus")
    shutil.rmtree(path / figures.BUILT)
    _all_equal_pandas(path)
    assert _cache_entries(), "nothing was computed: where did the figures come from?"
    for table in TABLES:
        assert figures.figure_files(path, table)[0].parent == figures.cache_dir()


def test_a_part_changed_since_the_build_is_computed_from_its_cells(tmp_path):
    path = _build(_reports(tmp_path / "reports"), tmp_path / "corpus")
    part = figures.parts(path, "requests")[1]
    cells = pq.read_table(part)
    doubled = pc.multiply(cells["value"], 2)   # every value of the part's reports doubled
    pq.write_table(cells.set_column(cells.schema.get_field_index("value"), "value", doubled), part)
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))
    (got,) = figures.figure_files(path, "requests")
    assert got.parent == figures.cache_dir()
    assert figures.figure_files(path, "appeals")[0].parent == path / figures.BUILT   # unchanged: still read
    ids = set(cells["report_id"].to_pylist())
    fig = pq.read_table(got).to_pandas().set_index("report_id")
    built = pq.read_table(path / figures.BUILT / "requests.parquet").to_pandas().set_index("report_id")
    assert (fig.loc[sorted(ids), "handled"] == 2 * built.loc[sorted(ids), "handled"]).all()
    _all_equal_pandas(path)


def test_part_of_finds_each_report_from_the_build_figures(tmp_path):
    path = _build(_reports(tmp_path / "reports"), tmp_path / "corpus")
    for table in ("requests", "appeals"):
        for part in figures.parts(path, table):
            for rid in set(pq.read_table(part, columns=["report_id"])["report_id"].to_pylist()):
                assert figures.part_of(path, table, rid) == part
        assert figures.part_of(path, table, "no-such-report") is None
    assert _cache_entries() == []


def test_the_benchmark_corpus_has_the_figures_of_a_build(tmp_path):
    """benchmarks/export_speed.py writes its parts with the build's figures (what a build leaves)."""
    path = benchmark_corpus(tmp_path / "synthetic", 250, part=100, seed=3)
    for table in TABLES:
        (built,) = figures.figure_files(path, table)
        assert built == path / figures.BUILT / f"{table}.parquet"
        assert _sorted(pq.read_table(built)).equals(_sorted(_computed(path, table))), table


def test_a_report_with_errors_in_two_findings_parts_is_one_report(tmp_path):
    """A build writes a report's own findings in its part and the cross-year ones (carry_over is
    an error) in later parts: the error counts are summed per report, not joined twice."""
    path = _build(_reports(tmp_path / "reports"), tmp_path / "corpus")
    first, *_, last = figures.parts(path, "findings")
    cross = pq.read_table(last)
    extra = cross.filter(pc.equal(cross["severity"], "error")).slice(0, 1)
    assert extra.num_rows == 1 and extra["table"][0].as_py() == "corpus"
    own = pq.read_table(first)
    pq.write_table(pa.concat_tables([own, extra.cast(own.schema)]), first)   # one more error of that report
    expected = ga.by_agency_year(ga.frames_of(open_corpus(path)), "refused_share")
    got = ga.by_agency_year(open_corpus(path), "refused_share")
    pd.testing.assert_frame_equal(got, expected)
    assert int(got["n_errors"].sum()) == int(expected["n_errors"].sum()) > 1
