"""A build streams: agency linking over chunks gives what linking the whole table gives, a build in
chunks of one report gives the corpus a build in one chunk gives, open_corpus reads nothing but
corpus.json, and a LocalCluster that read_corpus starts itself gives the local engine's corpus."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from govreports.agencies import AgencyLinker, link_agencies
from govreports.corpus import TABLES, open_corpus, read_corpus
from govreports.render import ReportValues, render

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"

LINKED = [  # report_id, source, agency, agency_as_printed, year: each kind of corpus-wide link
    ("a", "r/nx_2019.txt", "宁夏回族自治区人民防空办公室", "自治区人民防空办公室", 2019),
    ("c", "r/gy_2020.txt", "市人民防空办公室", "市人防办", 2020),             # partial -> the one longer key
    ("e", "r/hz_2023.pdf", "洪泽区人民政府", "洪泽区人民政府", 2023),
    ("i", "r/沭阳县发展和改革局2022年报告.txt", None, None, 2022),            # named only by its file
    ("k", "r/gy_2022.txt", None, None, 2022),                                # file stem shared with c, d
    ("p", "x/report.txt", "区民政局", None, 2022),                            # placeless, file name shared
    ("q", "y/report.txt", "区民政局", None, 2022),
    ("r", "z/own.txt", "区民政局", None, 2023),                               # placeless, file name its own
    ("d", "r/gy_2021.txt", "贵阳市人民防空办公室", "贵阳市人民防空办公室", 2021),
    ("f", "r/hz_2024.pdf", "淮安市洪泽区人民政府", "淮安市洪泽区人民政府", 2024),
    ("j", "r/沭阳县发展和改革局2023年报告.txt", "沭阳县发展和改革局", None, 2023),
]


def test_linking_chunk_by_chunk_equals_linking_the_whole_table():
    reports = pd.DataFrame(LINKED, columns=["report_id", "source", "agency", "agency_as_printed", "year"])
    whole = link_agencies(reports)
    chunks = [reports.iloc[i:i + 1] for i in range(len(reports))]   # the full names come last, alone
    with AgencyLinker() as linker:
        owned = [linker.own(c) for c in chunks]
        for c in owned:
            linker.see(c)
        streamed = pd.concat([linker.link(c) for c in owned], ignore_index=True)
    pd.testing.assert_frame_equal(streamed, whole)
    key = whole.set_index("report_id")["agency_key"]
    assert key["c"] == key["d"] == key["k"] == "贵阳市人民防空办公室"
    assert key["e"] == key["f"] == "淮安市洪泽区人民政府" and key["i"] == key["j"]
    assert [key["p"], key["q"], key["r"]] == ["区民政局@p", "区民政局@q", "区民政局@own.txt"]


@pytest.fixture
def years(tmp_path) -> Path:
    """One agency's reports: a year missing, a year printed twice, a name printed short once, a copy."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, (name, year, agency) in enumerate([("dev_2019", 2019, "沭阳县发展和改革局"), ("dev_2020", 2020, "发展和改革局"),
                                              ("dev_2021", 2021, "沭阳县发展和改革局"), ("dev_2021b", 2021, "沭阳县发展和改革局"),
                                              ("dev_2023", 2023, "沭阳县发展和改革局")]):
        values = dataclasses.replace(ReportValues.synthetic(i), agency=agency, year=year)
        (folder / f"{name}.txt").write_text(render(values, "cells"), encoding="utf-8")
    (folder / "copy_2023.txt").write_bytes((folder / "dev_2023.txt").read_bytes())
    for seed in sorted((DATA / "seeds").glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def test_a_build_in_chunks_of_one_report_is_the_build_in_one_chunk(years, tmp_path):
    one = read_corpus(years, workers=1, cache=None, out=tmp_path / "one", chunk_size=1, batch_size=1)
    big = read_corpus(years, workers=1, cache=None, out=tmp_path / "big", chunk_size=1000)
    pd.testing.assert_frame_equal(one.reports, big.reports)
    for name in TABLES:
        pd.testing.assert_frame_equal(one.table(name), big.table(name))
    assert one.counts == big.counts and one.counts["duplicates"] == 1
    cross = big.findings[big.findings["table"] == "corpus"]
    assert {"year_gap", "year_duplicate"} <= set(cross["check"])   # the cross-year step ran over the chunks
    # no staging rows or index left behind; only the parts' figures the analyses read (govreports.figures)
    assert [p.name for p in (tmp_path / "one").glob(".*")] == [".figures"]


def test_open_corpus_reads_only_corpus_json(years, tmp_path):
    built = read_corpus(years, workers=1, cache=None, out=tmp_path / "c")
    (tmp_path / "c" / "reports.parquet").write_bytes(b"not parquet: opening must not read me")
    c = open_corpus(tmp_path / "c")
    assert c.counts == built.counts
    with pytest.raises(Exception):
        c.reports


@pytest.mark.slow
def test_dask_engine_with_its_own_local_cluster_gives_the_local_corpus(years):
    pytest.importorskip("distributed")
    local = read_corpus(years, workers=1, cache=None)
    dask = read_corpus(years, engine="dask", workers=2, cache=None, batch_size=2)
    pd.testing.assert_frame_equal(dask.reports, local.reports)
    for name in TABLES:
        pd.testing.assert_frame_equal(dask.table(name), local.table(name))
