"""What a new researcher meets in the first hour (issue 14), on the shipped sample reports:
one label for a report without an agency name, clear errors instead of empty frames or bare
TypeErrors, empty folders stopped at once, a terminal table that lines up with Chinese names,
plots that say when they have nothing to draw.

Expected numbers come from the gold values (tests/gold/*.json), added up here.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from govreports import analysis as ga  # noqa: E402
from govreports import cli, summary  # noqa: E402
from govreports import plotting as gp  # noqa: E402
from govreports.corpus import read_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "reports"
GOLD = ROOT / "tests" / "gold"
NAMELESS = "haidian_dept_mirror_auto4522.txt"  # web_excerpts: prints no agency name, cut short


@pytest.fixture(scope="module")
def corpus():
    return read_corpus(CORPUS, workers=1, cache=False)


def gold(folder: str, name: str) -> dict:
    return json.loads((GOLD / f"{folder}.json").read_text(encoding="utf-8"))[name]


def test_the_nameless_report_prints_no_agency_in_gold(corpus):
    """The premise of the label tests: the gold file says the excerpt prints no agency name."""
    assert gold("web_excerpts", NAMELESS)["agency_as_printed"] == "（未印出）"
    row = corpus.reports[corpus.reports["source"].str.endswith(NAMELESS)].iloc[0]
    assert pd.isna(row["agency"])


# ------------------------------------------------------------------ 1. one label: the file name

def test_a_report_without_agency_name_is_labelled_by_its_file_name_everywhere(corpus):
    rid = corpus.reports.loc[corpus.reports["source"].str.endswith(NAMELESS), "report_id"].iloc[0]
    shares = ga.outcome_shares(corpus, by="agency_year")
    row = shares[shares["report_ids"] == rid].iloc[0]
    assert row["agency"] == NAMELESS and row["agency_key"] == NAMELESS  # not the report_id
    # the terminal table, the index, the batch's page names and the plots say the same
    assert NAMELESS in summary.summary_frame(corpus, by="report")["agency"].tolist()
    assert NAMELESS in summary.summary_frame(corpus, by="agency_year")["agency"].tolist()
    from govreports import notebooks as gn
    assert (NAMELESS, NAMELESS) in gn.agencies_of(CORPUS)
    ax = gp.plot_volumes(ga.volumes(corpus, by="agency_year"))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(lab.startswith(NAMELESS) for lab in labels)
    assert not any(re.fullmatch(r"[0-9a-f]{16}.*", lab) for lab in labels)  # no hash ids


def test_row_label_never_prints_na():
    assert ga.row_label({"agency": pd.NA, "agency_key": "x.txt", "year": pd.NA}) == "x.txt (year not printed)"
    assert "<NA>" not in ga.row_label(pd.Series({"agency": None, "agency_key": "x.txt", "year": 2020}))


# ------------------------------------------------------------------ 9, 10. errors, not empty frames

def test_trace_of_an_unknown_report_or_figure_raises_listing_the_valid_ones(corpus):
    rid = corpus.reports.loc[corpus.reports["source"].str.endswith("shanghai_gov_office_2019.html"), "report_id"].iloc[0]
    with pytest.raises(ValueError, match=r"unknown report_id 'nope'; the data has: [0-9a-f]{16}"):
        ga.trace(corpus, "nope", "denied")
    with pytest.raises(ValueError, match=r"unknown figure 'denyed'; one of: denied, unavailable"):
        ga.trace(corpus, rid, "denyed")
    traced = ga.trace(corpus, rid, "denied")  # a valid pair still traces: gold denied 35 (SCHEMA.md)
    assert traced.loc[traced["used"], "value"].sum() == 35


def test_read_corpus_with_cache_false(tmp_path):
    c = read_corpus(CORPUS / "seeds", workers=1, cache=False)
    assert c.counts["parsed"] == 5 and c.counts["cached"] == 0


def test_progress_bar_shows_in_a_jupyter_kernel(monkeypatch):
    """tqdm.auto's bar is on where stderr is no terminal but a kernel runs (a notebook)."""
    from govreports import corpus as gc

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert gc._progress_bar(3, None).disable
    fake = SimpleNamespace(get_ipython=lambda: SimpleNamespace(kernel=object()))
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert not gc._progress_bar(3, None).disable


# ------------------------------------------------------------------ 11. empty folders stop at once

@pytest.mark.parametrize("command", ["parse", "run"])
def test_an_empty_folder_stops_with_one_line(command, tmp_path, capsys):
    empty = tmp_path / "EMPTYDIR"
    empty.mkdir()
    (empty / "README.md").write_text("not a report", encoding="utf-8")  # skipped like in data/
    rc = cli.main([command, str(empty), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"no report files found in {empty}" in err
    assert not (tmp_path / "out" / "reports").exists()  # no notebook was run


# ------------------------------------------------------------------ 13. the terminal table

def test_run_summary_lines_up_chinese_names_and_prints_shares_with_counts(tmp_path, capsys):
    rc = cli.main(["run", str(CORPUS), "-o", str(tmp_path / "out"), "--no-notebooks", "--workers", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("agency "))
    end = next(i for i, line in enumerate(lines) if line.startswith("corpus written to"))
    table = lines[head:end]
    assert len(table) > 20
    starts = {summary.display_width(line[:line.index("year")]) for line in table[:1]}
    # the year column ends at the same display column on every row
    ends = {summary.display_width(re.match(r"^(.*?\s)(\d{4}|—)\s", line)[0]) for line in table[1:]}
    assert len(ends) == 1 and ends.pop() == starts.pop() + len("year") + 1
    # 上海 2019 (gold): denied 35 of 805 handled -> 4.3% (35/805), as the index prints it
    sh = next(line for line in table if line.startswith("上海市人民政府办公厅") and " 2019 " in line)
    assert "4.3% (35/805)" in sh
    assert any(line.startswith(NAMELESS) and "cut short" in line for line in table)
    assert "(no name" not in out


def test_share_text():
    assert summary.share_text(35, 805) == "4.3% (35/805)"
    assert summary.share_text(pd.NA, 805) == summary.UNKNOWN
    assert summary.share_text(0, 0) == "n/a (0/0)"


# ------------------------------------------------------------------ 4, 5. plots with nothing to draw

def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_plots_of_a_cut_short_report_say_no_data(corpus):
    cut = ga.select(corpus, agencies="长桥乡人民政府")  # web_excerpts: cut short before table 3's figures
    assert ga.outcome_shares(cut, by="agency_year")["handled"].isna().all()
    assert any(gp.NO_DATA in t for t in _texts(gp.plot_outcome_mix(ga.outcome_shares(cut, by="agency_year"))))
    assert any(gp.NO_DATA in t for t in _texts(gp.plot_volumes(ga.volumes(cut, by="agency_year"))))
    assert any(gp.NO_DATA in t for t in _texts(gp.plot_refusal_reasons(ga.refusal_reasons(cut, by="agency_year"))))
    assert any(gp.NO_DATA in t for t in _texts(gp.plot_trend(ga.cross_year(cut, "refused_share"))))


def test_trend_of_one_year_agencies_draws_labelled_points(corpus):
    cy = ga.cross_year(corpus, "received")
    ax = gp.plot_trend(cy)
    one_year = cy.dropna(subset=["value"]).groupby("agency")["year"].nunique().eq(1)
    assert one_year.sum() >= 10
    shown = {label for text in _texts(ax) for label in text.split("\n")}
    assert set(one_year[one_year].index) <= shown  # each point carries its agency, none hidden under another
    assert len(_texts(ax)) == len(set(_texts(ax)))
    assert "上海市人民政府办公厅" in [line.get_label() for line in ax.get_lines()]  # 2019 and 2025: a line
    pivot = cy.pivot_table(index="agency", columns="year", values="value", dropna=False)
    assert not pivot.index.isna().any() and "<NA>" not in map(str, pivot.index)


# ------------------------------------------------------------------ 8. where an HTML cell is

def test_html_locations_cannot_be_read_as_a_template_table():
    import govreports as gr

    r = gr.read_report(CORPUS / "web" / "shanghai_gov_office_2019.html")
    assert r.requests["location"].str.match(r"^html table #\d+ row \d+ col \d+$").all()


def test_notes_say_why_a_figure_is_not_known(corpus):
    """— has one meaning (not known); the note gives the reason: cut short, or a report before
    2019 that prints no national table (data/reports/pre2019)."""
    t = summary.summary_frame(corpus, by="report").set_index("agency")
    assert t.loc[NAMELESS, "note"] == "cut short" and t.loc[NAMELESS, "refused"] == summary.UNKNOWN
    pre = t[t["year"] < 2019]
    assert len(pre) == 2 and set(pre["note"]) == {summary.NOTES["pre2019"]}
    shanghai = t.loc["上海市人民政府办公厅"].set_index("year").loc[2019]
    assert shanghai["note"] == "" and shanghai["refused"] == "4.3% (35/805)"


def test_an_unreadable_file_gets_a_row_saying_so(tmp_path):
    import shutil

    shutil.copy(CORPUS / "seeds" / "004_454a5f1be846ec67.txt", tmp_path)
    (tmp_path / "notes.txt").write_text("会议纪要：本文件不是年度报告。", encoding="utf-8")
    c = read_corpus(tmp_path, workers=1, cache=False)
    assert c.counts["failed"] == 1
    t = summary.summary_frame(c, by="agency_year").set_index("agency")
    assert t.loc["notes.txt", "note"] == "unreadable" and t.loc["notes.txt", "refused"] == summary.UNKNOWN
    assert t.loc["黑龙江省人民防空办公室", "note"] == ""
