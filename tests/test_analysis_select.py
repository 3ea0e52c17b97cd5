"""Selections of a corpus on disk (select, and the agencies / years / level / region arguments of
the analyses) are chosen in SQL over the kept pre-joined reports, the reports table never read
into pandas; every selection gives the frames of the same selection made in pandas."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from govreports import analysis as ga
from govreports import figures
from govreports.corpus import open_corpus
from test_analysis_fast import _edge_corpus, assert_on_disk_equals_pandas

SH = "上海市人民政府办公厅"
SELECTIONS = [
    dict(agencies=[SH]),                          # a name (its other name's report comes with the key)
    dict(agencies="上海市政府办公厅"),              # the other name, a string
    dict(agencies=["民政局"]),                     # a unique part of a name
    dict(agencies=["mirror_4522.txt", "某县教育局"]),  # a key, and several
    dict(years=[2019, 2020]),
    dict(years=[]),
    dict(level="city"),
    dict(level="county", region="江苏省"),
    dict(region="江苏省/南京市"),
    dict(agencies=["某县民政局"], years=[2021]),
]


def _analyses(measure_args: dict):
    """Analyses of a selection ``sel`` (cross_year and rank_agencies given the filters themselves)."""
    pick = {k: v for k, v in measure_args.items() if k in ("agencies", "level", "region")}
    rank = {k: v for k, v in measure_args.items() if k in ("level", "region")}
    return [
        lambda x: ga.outcome_shares(ga.select(x, **measure_args), by="agency_year"),
        lambda x: ga.outcome_shares(ga.select(x, **measure_args), by="report"),
        lambda x: ga.volumes(ga.select(x, **measure_args), by="region"),
        lambda x: ga.appeals_rates(ga.select(x, **measure_args), by="year"),
        lambda x: ga.legacy_shares(ga.select(x, **measure_args), by="agency_year"),
        lambda x: ga.by_agency_year(ga.select(x, **measure_args), "refused_share"),
        lambda x: ga.by_agency_year(ga.select(x, **measure_args), "suits"),
        lambda x: ga.measure_values(ga.select(x, **measure_args), "refused_all_share", by="level"),
        lambda x: ga.timeliness_shares(ga.select(x, **measure_args), by="agency_year"),
        lambda x: ga.timeliness(ga.select(x, **measure_args)),
        lambda x: ga.cross_year(x, "refused_share", **pick),
        lambda x: ga.cross_year(x, "reviews_per_100", years=[2016, 2019, 2020, 2021], **pick),
        lambda x: ga.rank_agencies(x, "received", **rank),
    ]


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    return _edge_corpus(tmp_path_factory.mktemp("select") / "edge")


@pytest.fixture(autouse=True)
def figure_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path_factory.mktemp("figures")))


@pytest.mark.parametrize("args", SELECTIONS, ids=[str(s) for s in SELECTIONS])
def test_a_selection_on_disk_equals_pandas(edge, args):
    assert_on_disk_equals_pandas(edge, _analyses(args))
    f = ga.frames_of(open_corpus(edge))
    view = ga.select(open_corpus(edge), **args)
    assert view.chosen and view.corpus.reports_file is not None   # chosen, nothing read
    pd.testing.assert_frame_equal(view.reports, ga.select(f, **args).reports)   # read when asked for
    assert len(view) == len(ga.select(f, **args).reports)


def test_a_selection_of_a_selection(edge):
    f = ga.frames_of(open_corpus(edge))

    def twice(x):
        return ga.cross_year(ga.select(x, region="江苏省"), "refused_all_share", agencies=["教育"])

    disk = open_corpus(edge)
    pd.testing.assert_frame_equal(twice(disk), twice(f))
    assert disk.reports_file is not None
    # the second looks names up among the reports the first kept
    with pytest.raises(ValueError, match="unknown agency: 上海"):
        ga.select(ga.select(disk, region="江苏省"), agencies=["上海"])


def test_an_unknown_agency_is_named_as_in_pandas(edge):
    with pytest.raises(ValueError) as on_disk:
        ga.select(open_corpus(edge), agencies=["某省财政厅"])
    with pytest.raises(ValueError) as in_pandas:
        ga.select(ga.frames_of(open_corpus(edge)), agencies=["某省财政厅"])
    assert str(on_disk.value) == str(in_pandas.value) and "某县民政局" in str(on_disk.value)
    with pytest.raises(ValueError, match="unknown agency: 某县"):   # a part of two agencies' names
        ga.select(open_corpus(edge), agencies=["某县"])


def test_the_pre2019_warning_looks_at_the_reports_chosen(edge):
    """refused_share is not defined before 2019: said where a chosen report is before 2019 only."""
    f = ga.frames_of(open_corpus(edge))
    for agencies, warns in ((["某县教育局"], True), ([SH], False)):
        for data in (f, open_corpus(edge)):
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                ga.by_agency_year(ga.select(data, agencies=agencies), "refused_share")
            assert any("before 2019" in str(w.message) for w in seen) == warns, (agencies, type(data).__name__)
