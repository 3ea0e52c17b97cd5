"""Reports from 2008–2018 (issue 20): figures from prose and the agency's statistics table, the
running-total column never read, decoys never taken, and the prose of every report as sections.

The two real reports ship in data/reports/pre2019 (their README allows it); their figures, read by
hand, are tests/gold/pre2019/pre2019.json (a copy of ../shared/gold/pre2019.json, in a folder of its
own: its shape is not that of the modern gold files).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports import analysis as ga
from govreports import template
from govreports.render.pre2019 import LAYOUTS, LegacyValues, figure_key, render_pre2019

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "reports"
GOLD = json.loads((ROOT / "tests" / "gold" / "pre2019" / "pre2019.json").read_text(encoding="utf-8"))
MODERN_GOLD = ("seeds.json", "web.json", "web_excerpts.json")


def figures_of(r: gr.Report) -> dict[str, float]:
    """Every figure a report gives, keyed by LEGACY_FIGURES key."""
    by_target = {f.target: f.key for f in template.LEGACY_FIGURES if f.target}
    out = {}
    for x in r.requests.itertuples():
        out[by_target[("requests", x.row, x.applicant)]] = float(x.value)
    for x in r.appeals.itertuples():
        out[by_target[("appeals", x.proceeding, x.result)]] = float(x.value)
    for x in r.legacy.itertuples():
        out[x.key] = float(x.value)
    return out


def read_text(text: str, name: str = "report.txt") -> gr.Report:
    return gr.read_report(text.encode("utf-8"), name=name)


# --------------------------------------------------------------------------- the real reports
@pytest.mark.parametrize("name", sorted(GOLD))
def test_real_reports_every_figure_right_and_no_decoy(name):
    g = GOLD[name]
    r = gr.read_report(DATA / "pre2019" / name)
    assert r.meta.template == "pre2019" and r.meta.year == g["year"]
    assert r.meta.scope == g["scope"]
    got = figures_of(r)
    for fig, value in g["figures"].items():
        assert got.get(figure_key(fig)) == value, fig
    for fig in g["absent"]:
        assert figure_key(fig) not in got, fig
    taken = set(got.values())
    for decoy in g["decoys"]:
        assert float(decoy) not in taken
    assert not (r.findings["severity"] == "error").any()


def test_applicant_columns_of_a_pre2019_report_are_missing_not_zero():
    r = gr.read_report(DATA / "pre2019" / "pingtan-syq_2014.txt")
    assert set(r.requests["applicant"]) == {"total"}
    assert set(r.appeals["proceeding"]) == {"review"} and set(r.appeals["result"]) == {"total"}


def test_the_running_total_column_is_never_read():
    r = gr.read_report(DATA / "pre2019" / "pingtan-syq_2014.txt")
    row = r.requests.set_index("row").loc["received_new"]
    assert row["value"] == 1 and row["printed"] == "1 1" and row["location"].startswith("line ")


def test_the_accuracy_tool_scores_every_figure():
    tool = ROOT.parent / "shared" / "tools" / "pre2019_accuracy.py"
    if not tool.exists():
        pytest.skip("../shared/tools is not beside the project")
    import runpy
    import sys
    from io import StringIO

    out, argv = StringIO(), sys.argv
    sys.stdout, sys.argv = out, [str(tool), f"{ROOT / 'tests' / 'gold' / 'pre2019' / 'pre2019.json'}:{DATA / 'pre2019'}"]
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(tool), run_name="__main__")
    finally:
        sys.stdout, sys.argv = sys.__stdout__, argv
    assert done.value.code == 0
    assert "100.00% of" in out.getvalue() and "silent-error reports 0" in out.getvalue()


# --------------------------------------------------------------------------- printings from values
@pytest.mark.parametrize("layout", LAYOUTS)
def test_rendered_printings_read_back_exact_or_flagged_never_wrong(layout):
    counts = {"exact": 0, "flagged": 0}
    for seed in range(40):
        v = LegacyValues.synthetic(seed)
        r = read_text(render_pre2019(v, layout), f"s{seed}.txt")
        got = figures_of(r)
        flagged = set(r.findings.loc[r.findings["severity"] == "warning", "key"])
        stated = v.figures if layout in ("table", "crawler") else \
            {k: x for k, x in v.figures.items() if not k.startswith("channel_")}
        assert set(got) <= set(stated), f"seed {seed}: read figures that are not printed"
        for key, value in stated.items():
            if key in got:
                assert got[key] == value, (seed, key)
                counts["exact"] += 1
            else:
                assert key in flagged, (seed, key)
                counts["flagged"] += 1
        assert not set(got.values()) & {float(d) for d in v.decoys if d > 40}
    if layout != "crawler":
        assert counts["flagged"] == 0
    else:  # a glued year's figure of one digit splits in one way only
        assert counts["exact"] > counts["flagged"] > 0


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_figures_read_back_from_every_printing(name):
    v = LegacyValues.from_gold(GOLD[name])
    for layout in ("prose", "table"):
        got = figures_of(read_text(render_pre2019(v, layout)))
        assert {k: got.get(k) for k in v.figures} == v.figures, layout


# --------------------------------------------------------------------------- phrasings
PREFACE = "某某县统计局2012年政府信息公开工作年度报告\n\n"


@pytest.mark.parametrize("sentence, key, value", [
    ("2012年共收到有关政府信息公开的申请7条。", "received", 7),
    ("全年收到政府信息公开申请12件。", "received", 12),
    ("本年度共受理政府信息公开申请3件。", "received", 3),
    ("2012年收到有关政府信息公开的信函申请1条，已受理回复。", "received", 1),
    ("2012年度我局没有接到群众主动要求公开政府信息的申请。", "received", 0),
    ("未收到公民、法人和其他组织提出的政府信息公开申请。", "received", 0),
    ("同意公开答复数2条。", "granted", 2),
    ("同意部分公开答复1条。", "partly_granted", 1),
    ("否决公开1条。", "refused_all", 1),
    ("不予公开答复数3条。", "refused_all", 3),
    ("其它公开2条。", "other_answers", 2),
    ("因政府信息公开申请行政复议0件。", "review", 0),
    ("未发生针对本单位政府信息公开事务的行政复议案、行政诉讼案和有关的申诉案。", "suits_total", 0),
    ("未发生针对本单位政府信息公开事务的行政复议案、行政诉讼案和有关的申诉案。", "complaints", 0),
    ("提起行政诉讼2件。", "suits_total", 2),
    ("依申请提供政府信息暂不收费。", "fees_yuan", 0),
    ("我局政府信息公开没有收费。", "fees_yuan", 0),
    ("收取检索、复制费用35元。", "fees_yuan", 35),
])
def test_each_prose_phrasing(sentence, key, value):
    r = read_text(PREFACE + "三、依申请公开情况\n\n" + sentence + "\n")
    assert figures_of(r).get(key) == value


@pytest.mark.parametrize("decoy", [
    "区行政服务中心开设窗口26个，共受理申请121510件。",        # licensing at the service centre
    "全年共受理行政审批事项4521件。",                           # licensing
    "接受群众咨询3698人次。",                                    # consultations
    "其中依申请公开信息215条，不予公开信息12条。",              # documents classed by kind
    "全年政府信息公开工作投入经费36万元。",                      # an agency's spending
    "2012年主动公开政府信息2543条。",                            # documents published
])
def test_decoys_are_never_read(decoy):
    r = read_text(PREFACE + "一、概述\n\n" + decoy + "\n")
    assert figures_of(r) == {}


def test_prose_that_disagrees_with_the_table_is_a_warning_and_the_table_wins():
    v = LegacyValues("某某县统计局", 2012, {"received": 4.0}, {"received": 19})
    text = render_pre2019(v, "table").replace("详见统计表。", "2012年共收到有关政府信息公开的申请5条。")
    r = read_text(text)
    assert figures_of(r)["received"] == 4
    f = r.findings[r.findings["check"] == "text_table"]
    assert list(f["expected"]) == ["4"] and list(f["found"]) == ["5"]


# --------------------------------------------------------------------------- the glued table
TABLE = "五、统计表\n指标名称 计量单位 2012年度 历年累计 "


def test_glued_running_total_and_stuck_ordinal():
    text = PREFACE + TABLE + "受理依申请公开信息总数 条728 其中：1、当面申请数 条0182.传真申请数 条737\n"
    got = figures_of(read_text(text))
    assert got["received"] == 7 and got["channel_in_person"] == 0 and got["channel_fax"] == 7


def test_a_glued_figure_that_splits_two_ways_is_missing_with_a_warning():
    r = read_text(PREFACE + TABLE + "受理依申请公开信息总数 条19245 行政复议数 件03\n")
    assert "received" not in figures_of(r) and figures_of(r)["review"] == 0
    f = r.findings.set_index("check").loc["legacy_cumulative"]
    assert f["key"] == "received" and "1 | 9245" in f["message"] and "19 | 245" in f["message"]


def test_answers_that_do_not_account_for_the_requests_are_a_warning():
    v = LegacyValues("某某县统计局", 2012, {"received": 5.0, "answered": 4.0, "granted": 3.0, "partly_granted": 0.0,
                                          "refused_all": 0.0, "other_answers": 0.0})
    r = read_text(render_pre2019(v, "table"))
    f = r.findings[r.findings["check"] == "legacy_balance"]
    assert set(f["key"]) == {"answered", "received"}


def test_scope_of_a_whole_region_report():
    r = read_text(PREFACE + "一、概述\n\n全县各部门、各乡镇共收到政府信息公开申请3件。\n")
    assert r.meta.scope == "aggregate"
    assert read_text(PREFACE + "一、概述\n\n我局收到政府信息公开申请3件。\n").meta.scope == "agency"


def test_a_report_with_no_year_and_no_table_is_still_an_error():
    with pytest.raises(gr.ReportError, match="no report found"):
        read_text("某某局政府信息公开工作报告\n\n我局收到政府信息公开申请3件。\n")


# --------------------------------------------------------------------------- analyses
@pytest.fixture(scope="module")
def mixed():
    return gr.read_corpus(DATA, workers=1, cache=None, progress=False)


def test_corpus_carries_legacy_and_sections_through_parquet(mixed, tmp_path):
    c = gr.open_corpus(mixed.to_parquet(tmp_path / "c"))
    pd.testing.assert_frame_equal(c.legacy.reset_index(drop=True), mixed.legacy.reset_index(drop=True),
                                  check_dtype=False)
    assert len(c.sections) == len(mixed.sections) > 0
    pre = c.reports[c.reports["template"] == "pre2019"]
    assert sorted(pre["year"].tolist()) == [2010, 2014]


def test_comparable_measures_run_across_the_template_change(mixed):
    cy = ga.cross_year(mixed, "received")
    years = cy.loc[cy["value"].notna(), "year"]
    assert years.min() == 2010 and years.max() >= 2023
    tangcun = cy[(cy["year"] == 2010) & cy["value"].notna()]
    assert tangcun["value"].tolist() == [0.0]


def test_refused_share_is_not_computed_from_refused_all(mixed):
    with pytest.warns(UserWarning, match="refused_all_share"):
        mv = ga.measure_values(mixed, "refused_share", by="report")
    pre_ids = set(mixed.reports.loc[mixed.reports["template"] == "pre2019", "report_id"])
    assert mv[mv["report_id"].isin(pre_ids)]["value"].isna().all()
    own = ga.measure_values(mixed, "refused_all_share", by="report").set_index("report_id")
    pingtan = mixed.reports.loc[mixed.reports["source"].str.contains("pingtan"), "report_id"].iloc[0]
    assert own.loc[pingtan, "numerator"] == 0 and own.loc[pingtan, "denominator"] == 1
    modern = mixed.reports.loc[mixed.reports["template"] != "pre2019", "report_id"]
    assert own.loc[own.index.isin(modern), "value"].isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ga.measure_values(mixed, "received", by="report")  # comparable: no warning


def test_suits_of_a_pre2019_report_come_from_its_total():
    r = gr.read_report(DATA / "pre2019" / "tangcun-town_2010.excerpt.txt")
    assert ga.appeals_rates(r)["suits"].tolist() == [0]


def test_trend_plot_marks_the_template_change(mixed):
    import matplotlib
    matplotlib.use("Agg")
    from govreports import plotting as gp

    ax = gp.plot_trend(ga.cross_year(mixed, "received"))
    assert any(abs(line.get_xdata()[0] - 2018.5) < 1e-9 for line in ax.get_lines() if len(line.get_xdata()) == 2)


# --------------------------------------------------------------------------- the prose as data
MODERN_KEYS = [s.key for s in template.SECTIONS]


def _gold_names(files):
    for f in files:
        for name, g in json.loads((ROOT / "tests" / "gold" / f).read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                yield f.split(".")[0], name, g


@pytest.mark.parametrize("folder, name, g", list(_gold_names(MODERN_GOLD)), ids=lambda x: x if isinstance(x, str) else "")
def test_sections_of_every_gold_report(folder, name, g):
    path = DATA / folder / name
    r = gr.read_report(path)
    s = r.sections
    keys = [k for k in s["section"] if k != "preamble"]
    assert keys == sorted(keys, key=MODERN_KEYS.index), "sections out of printed order"
    assert len(keys) == len(set(keys)), "a section found twice"
    if not g.get("truncated") and folder != "web_excerpts":
        assert {"overview", "disclosure", "requests", "appeals"} <= set(keys)
    elif keys:
        assert keys[0] in ("overview", "disclosure", "appeals")
    labels = [row.label for row in template.REQUEST_ROWS if len(row.label) > 12]
    for text in s["text"]:
        for label in labels:  # no table row in the prose
            assert f"{label}\t" not in text and f"{label} |" not in text
        assert not any(len(line.split()) >= 7 and all(x.isdigit() for x in line.split()[-6:])
                       for line in text.split("\n"))


def test_sections_of_pre2019_reports_use_their_own_headings():
    r = gr.read_report(DATA / "pre2019" / "pingtan-syq_2014.txt")
    assert list(r.sections["section"]) == ["preamble", "overview", "disclosure", "requests", "fees", "problems",
                                           "statistics"]
    stats = r.sections.set_index("section").loc["statistics"]
    assert "2543" not in stats["text"]  # the table is not prose
    t = gr.read_report(DATA / "pre2019" / "tangcun-town_2010.excerpt.txt")
    assert "appeals" in set(t.sections["section"])


def test_search_text_finds_sentences_with_agency_year_and_location(mixed):
    hits = ga.search_text(mixed, "暂不收费")
    assert len(hits) == 1 and hits["year"].iloc[0] == 2014 and hits["section"].iloc[0] == "fees"
    assert hits["sentence"].iloc[0].endswith("暂不收费。") and hits["location"].iloc[0].startswith("line ")
    assert len(ga.search_text(mixed, "存在", section="problems")) > 0
    with pytest.raises(ValueError, match="unknown section"):
        ga.search_text(mixed, "x", section="nope")


@pytest.mark.notebooks
def test_prose_notebook_executes_and_shows_the_sentences(tmp_path):
    import nbformat
    import papermill

    out = tmp_path / "prose.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "prose.ipynb"), str(out), kernel_name="python3",
                               parameters={"corpus": str(DATA), "pattern": "暂不收费", "section": None},
                               cwd=str(ROOT), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    shown = "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                      for cell in nb.cells for o in cell.get("outputs", []))
    assert "1 sentences in 1 reports" in shown
    assert "依申请提供政府信息暂不收费" in shown and "fees_yuan" in shown
