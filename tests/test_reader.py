"""The reader against the hand-read gold values, cell by cell, and against every printing.

Gold files (tests/gold/*.json, our own reading of the public reports) say what each report
PRINTS. Every cell must come back exactly, blanks must be blanks, rows the report does not
print must be absent, and the report's own inconsistencies must come back as error findings.
A cell the reader cannot place must be missing with a warning, never a wrong number.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import govreports as gr
from govreports import template
from govreports.render import LAYOUTS, ReportValues, encode, render
from govreports.render.values import report_cells

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
DATA = ROOT / "data" / "reports"
SHIPPED = ("seeds.json", "web.json", "web_excerpts.json")

# Cells the reader leaves missing on purpose, each with a warning (see test_no_silent_errors).
# shanghai_gov_office_2025.md prints the 本年废止件数 cells of 规章/规范性文件 as loose lines above a
# 4-column header over 2-value rows; the gold reading assigns them by the meaning of '含自然失效'.
KNOWN_MISSING = {
    ("shanghai_gov_office_2025.md", "disclosure", "regulations"),
    ("shanghai_gov_office_2025.md", "disclosure", "normative_docs"),
}


def gold_entries(files=SHIPPED):
    for f in files:
        for name, g in json.loads((GOLD / f).read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                yield name, g


def expected_cells(g: dict) -> dict:
    cells = {}
    for row, vals in g.get("requests", {}).items():
        for a, v in zip(template.APPLICANT_KEYS, vals):
            cells[("requests", row, a)] = v
    ap = g.get("appeals")
    if isinstance(ap, str):
        ap = [0] * 15
    if isinstance(ap, list):
        for (p, r), v in zip(template.APPEAL_CELLS, ap):
            cells[("appeals", p, r)] = v
    for item, ms in (g.get("disclosure") or {}).items():
        for m, v in ms.items():
            if not m.startswith("_"):  # '_printed', '_note' are remarks, not cells
                cells[("disclosure", item, m)] = v
    return cells


@pytest.fixture(scope="module")
def reports():
    out = {}
    for name, g in gold_entries():
        path = next(DATA.rglob(name))
        out[name] = (gr.read_report(path), g)
    return out


def _names():
    return [n for n, _ in gold_entries()]


@pytest.mark.parametrize("name", _names())
def test_every_gold_cell_exact(reports, name):
    r, g = reports[name]
    exp, got = expected_cells(g), report_cells(r)
    wrong = {k: (v, got.get(k)) for k, v in exp.items()
             if (name, k[0], k[1]) not in KNOWN_MISSING and (k not in got or abs(got[k] - float(v)) > 1e-9)}
    assert not wrong, f"{name}: cells differ from gold (expected, got): {wrong}"


@pytest.mark.parametrize("name", _names())
def test_rows_not_printed_are_absent(reports, name):
    r, g = reports[name]
    if g.get("truncated"):
        printed_rows = set(g.get("requests", {}))
        got_rows = set(r.requests["row"])
        # a truncated page may hold rows cut short: those must be absent, never guessed
        complete = set(g.get("complete_rows", printed_rows))
        assert got_rows <= complete | printed_rows, got_rows - complete
    else:
        assert set(r.requests["row"]) == set(g["requests"])


@pytest.mark.parametrize("name", _names())
def test_no_silent_errors(reports, name):
    """A cell the reader does not get right must be missing AND explained by a warning."""
    r, g = reports[name]
    exp, got = expected_cells(g), report_cells(r)
    for k, v in exp.items():
        if k in got:
            assert abs(got[k] - float(v)) < 1e-9, f"{name}: wrong number in {k}: {got[k]} != {v}"
        else:
            flagged = r.findings[(r.findings["table"] == k[0]) & r.findings["severity"].isin(["warning", "error"])]
            assert len(flagged), f"{name}: {k} missing without a finding"


@pytest.mark.parametrize("name", _names())
def test_meta(reports, name):
    r, g = reports[name]
    assert r.meta.year == g["year"]
    assert r.meta.template == g["template"]
    if g.get("level") and not g.get("truncated"):
        assert r.meta.level == g["level"]
    if not g.get("truncated"):
        assert r.meta.agency == g["agency"]


def test_blank_cells_are_marked(reports):
    for name, (r, g) in reports.items():
        rows = set()
        for pattern in g.get("requests_printed_blank_rows", []):
            rows |= {k for k in template.REQUEST_KEYS if k == pattern or (pattern.endswith(".*") and k.startswith(pattern[:-1]))}
        df = r.requests
        for row in rows:
            cells = df[df["row"] == row]
            assert len(cells) == 7 and cells["blank"].all() and (cells["value"] == 0).all(), (name, row)
        if isinstance(g.get("appeals"), str):
            assert len(r.appeals) == 15 and r.appeals["blank"].all()


def test_printed_zero_is_not_blank(reports):
    r, _ = reports["001_aedc4f75886f8629.txt"]
    cell = r.requests[(r.requests["row"] == "granted") & (r.requests["applicant"] == "total")].iloc[0]
    assert cell["value"] == 0 and not cell["blank"] and cell["printed"] == "0"


def test_values_trace_to_printed_lines(reports):
    r, _ = reports["000_5098ec7e8be95a2a.txt"]
    text = (DATA / "seeds" / "000_5098ec7e8be95a2a.txt").read_text(encoding="utf-8").split("\n")
    cell = r.requests[(r.requests["row"] == "unavailable.not_held") & (r.requests["applicant"] == "natural_person")].iloc[0]
    line_no = int(cell["location"].split()[1])
    assert "本机关不掌握相关政府信息" in text[line_no - 1] and cell["printed"] == "1"


ERROR_CELLS = {
    "004_454a5f1be846ec67.txt": {("row_total", "received_new", "total"), ("outcome_total", "outcome_total", "natural_person"),
                                 ("outcome_total", "outcome_total", "total"), ("balance", "outcome_total", "natural_person")},
}


def test_source_inconsistencies_are_errors(reports):
    for name, (r, g) in reports.items():
        errors = r.findings[r.findings["severity"] == "error"]
        if not g.get("source_inconsistencies"):
            assert errors.empty, f"{name}: false alarm {errors[['check', 'key', 'applicant', 'message']].to_dict('records')}"
        else:
            assert not errors.empty, name
    r, _ = reports["004_454a5f1be846ec67.txt"]
    e = r.findings[r.findings["severity"] == "error"]
    assert set(zip(e["check"], e["key"], e["applicant"])) == ERROR_CELLS["004_454a5f1be846ec67.txt"]
    r, _ = reports["shanghai_gov_office_2019.html"]
    e = r.findings[r.findings["severity"] == "error"]
    blank_total_rows = {"granted", "partly_granted", "denied.state_secret", "denied.internal_affairs", "denied.deliberative",
                        "denied.query_service", "unavailable.not_held", "unavailable.needs_creation", "unavailable.unclear",
                        "not_processed.petition", "not_processed.duplicate"}
    assert set(e.loc[e["check"] == "row_total", "key"]) == blank_total_rows
    assert set(zip(e.loc[e["check"] == "outcome_total", "applicant"])) == {("total",)}


def test_truncated_excerpts_say_so(reports):
    for name, (r, g) in reports.items():
        assert r.meta.truncated == bool(g.get("truncated")), name
        if g.get("truncated"):
            assert (r.findings["check"] == "truncated").any(), name


# --------------------------------------------------------------------------- every printing
OPTION_SETS = [{}, {"blank_zeros": True}, {"spaced_labels": True}, {"traditional": True},
               {"fullwidth_digits": True}, {"thousands": True}, {"units": True}, {"label_variants": True},
               {"money_in_yuan": True}, {"blank_zeros": True, "spaced_labels": True, "units": True}]
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")


def _assert_round_trip(v: ReportValues, data: bytes, name: str, blank_zeros: bool = False):
    r = gr.read_report(data, name=name)
    exp, got = v.cells(), report_cells(r)
    wrong = {k: (x, got.get(k)) for k, x in exp.items() if k not in got or abs(got[k] - x) > 1e-6}
    assert not wrong, f"{name}: {wrong}"
    assert set(got) == set(exp), f"{name}: extra cells {set(got) - set(exp)}"
    assert (r.meta.year, r.meta.template) == (v.year, v.template)
    if blank_zeros:
        df = r.requests
        assert (df.loc[df["value"] == 0, "blank"]).all() and not df.loc[df["value"] != 0, "blank"].any()
    return r


SEEDS = [(n, ReportValues.from_gold(g)) for n, g in gold_entries(("seeds.json",))]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: "+".join(o) or "plain")
def test_gold_rendered_in_every_layout_reads_back(layout, options):
    for name, v in SEEDS:
        _assert_round_trip(v, encode(render(v, layout, **options), "utf-8"), f"{name}.{layout}",
                           options.get("blank_zeros", False))


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("layout", ["tsv", "html", "html_word"])
def test_gold_rendered_in_every_encoding_reads_back(layout, encoding):
    for name, v in SEEDS:
        text = render(v, layout, **({"charset": encoding} if layout.startswith("html") and encoding != "utf-8-sig" else {}))
        _assert_round_trip(v, encode(text, encoding), f"{name}.{layout}.{encoding}")


@pytest.mark.parametrize("seed", range(40))
def test_synthetic_reports_read_back(seed):
    v = ReportValues.synthetic(seed)
    layout = LAYOUTS[seed % len(LAYOUTS)]
    options = OPTION_SETS[seed % len(OPTION_SETS)]
    _assert_round_trip(v, encode(render(v, layout, **options), ENCODINGS[seed % 4]), f"s{seed}.{layout}")


def test_synthetic_reports_have_no_findings_errors():
    for seed in range(20):
        v = ReportValues.synthetic(seed)
        r = gr.read_report(render(v, "tsv"), name="x.txt")
        assert not (r.findings["severity"] == "error").any(), r.findings.to_dict("records")


def test_wide_shapes():
    name, v = SEEDS[2]
    r = gr.read_report(render(v, "markdown"), name="x.md")
    wide = r.requests_wide()
    assert list(wide.columns) == list(template.APPLICANT_KEYS)
    assert wide.loc["denied.query_service", "total"] == v.requests["denied.query_service"][6]
    assert r.appeals_wide().shape == (3, 5)
    assert "Report" in repr(r) and "<div>" in r._repr_html_()


@pytest.mark.parametrize("headings", [
    {"二、主动公开政府信息情况": "二、行政机关主动公开政府信息情况",
     "三、收到和处理政府信息公开申请情况": "三、行政机关收到和处理政府信息公开申请情况",
     "四、政府信息公开行政复议、行政诉讼情况": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"},
    {"二、主动公开政府信息情况": "主动公开政府信息情况", "三、收到和处理政府信息公开申请情况": "收到和处理政府信息公开申请情况",
     "四、政府信息公开行政复议、行政诉讼情况": "政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况": "存在的主要问题及改进情况"},
    {"二、": "2.", "三、收到": "3.收到", "四、政府": "4.政府", "五、存在": "5.存在"},
])
@pytest.mark.parametrize("layout", ["tsv", "pipe_cells", "html"])
def test_heading_variants(headings, layout):
    for name, v in SEEDS:
        text = render(v, layout)
        for a, b in headings.items():
            text = text.replace(a, b)
        _assert_round_trip(v, encode(text, "utf-8"), f"{name}.{layout}")


@pytest.mark.parametrize("layout", ["tsv", "cells", "pipe_cells", "markdown"])
def test_page_footers_inside_tables_are_ignored(layout):
    """PDF-to-text copies leave '— 3 —' lines inside tables (shanghai_gov_office_2025.md)."""
    for name, v in SEEDS:
        lines = render(v, layout).split("\n")
        start = next(i for i, s in enumerate(lines) if "本年新收政府信息公开申请数量" in s)
        for k, at in enumerate((start + 3, start + 17, start + 40)):
            lines.insert(at, f"— {k + 3} —")
        _assert_round_trip(v, encode("\n".join(lines), "utf-8"), f"{name}.{layout}")


def _space_separated(text: str) -> str:
    """A PDF text layer's printing: cells separated by spaces, empty cells gone."""
    import re
    return re.sub(r"\t+", " ", text)


@pytest.mark.parametrize("seed", range(30))
def test_space_separated_rows_with_blank_rows(seed):
    """'label n n n n n n n' per line; a blank row is its label alone (flagged blank_row_inferred)."""
    v = ReportValues.synthetic(seed)
    text = _space_separated(render(v, "tsv"))
    if seed % 2:
        text = text.replace("（区分处理的，只计这一情形，不计其他情形）", "（区分处理的，只计这一情形，不\n计其他情形）")
    r = _assert_round_trip(v, encode(text, "utf-8"), f"s{seed}.spaces")
    inferred = set(r.findings.loc[r.findings["check"] == "blank_row_inferred", "key"])
    blank = {k for k in v.blank_rows if k in v.requests}
    assert inferred == blank
    assert (r.findings.loc[r.findings["check"] == "blank_row_inferred", "severity"] == "warning").all()


def test_loose_labels_are_not_blank_rows(reports):
    """shanghai_gov_office_2025.md prints labels as loose lines away from their values: those
    rows must not be read as blank (their values come later, unlabelled)."""
    r, _ = reports["shanghai_gov_office_2025.md"]
    assert not (r.findings["check"] == "blank_row_inferred").any()


def test_rows_placed_by_order_only_where_identities_hold():
    """A row that lost its label is placed by template order (flagged) when that is the only
    place left and the sums agree; with a wrong number in it, it stays missing."""
    name, v = SEEDS[1]
    text = render(v, "markdown").replace("| 2.重复申请 |", "|")
    r = gr.read_report(text, name="unlabelled.md")
    f = r.findings
    assert list(f.loc[f["check"] == "placed_by_order", "key"]) == ["not_processed.duplicate"]
    assert list(r.requests_wide().loc["not_processed.duplicate"]) == v.requests["not_processed.duplicate"]
    bad = text.replace("| 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
                       "| 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", 1)
    rows = bad.split("\n")
    i = next(k for k, s in enumerate(rows) if s.startswith("|  |  | 0 | 0 |") or s.startswith("| 0 | 0 |"))
    rows[i] = rows[i].replace("0", "5", 1)  # the unlabelled row now breaks its own total
    r = gr.read_report("\n".join(rows), name="unlabelled-bad.md")
    assert "not_processed.duplicate" not in set(r.requests["row"])
    assert (r.findings["check"] == "unlabelled_row").any()
