"""One test per printing that once read wrong (found by an adversarial pass over LAYOUTS.md).

Each builds the printing from known values with the package's renderer, transforms it the way
real pages do, and checks the cells read back (or, where the reader cannot know, that they are
missing with a finding, never wrong).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import govreports as gr
from govreports import template
from govreports.render import ReportValues, render

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "tests" / "gold" / "web.json").read_text(encoding="utf-8"))
SH2025 = ReportValues.from_gold(GOLD["shanghai_gov_office_2025.md"])


def appeals_of(r) -> list[int]:
    w = r.appeals_wide()
    return [int(w.loc[p, x]) for p in template.PROCEEDING_KEYS for x in template.RESULT_KEYS]


def test_issue_layout_table_wraps_every_table():
    """A CMS wraps each template table in a one-cell layout table: table 4 read as blank (silent)."""
    page = render(SH2025, "html")
    page = re.sub(r"(<table.*?</table>)", r"<table><tr><td>\1</td></tr></table>", page, flags=re.S)
    r = gr.read_report(page, name="x.html")
    assert appeals_of(r) == SH2025.appeals
    assert list(r.requests_wide().loc["outcome_total"]) == SH2025.requests["outcome_total"]


def test_issue_whole_report_inside_a_layout_table():
    page = render(SH2025, "html")
    body = page[page.index("<body>") + 6:page.index("</body>")]
    page = page.replace(body, f"<table><tr><td>{body}</td></tr></table>")
    r = gr.read_report(page, name="x.html")
    assert r.meta.year == 2025 and appeals_of(r) == SH2025.appeals


def test_issue_report_in_a_javascript_string_with_unicode_escapes():
    inner = render(SH2025, "html")
    inner = inner[inner.index("<body>") + 6:inner.index("</body>")]
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) > 127 else c for c in inner)
    escaped = escaped.replace('"', '\\"').replace("\n", "\\n").replace("</", "<\\/")  # as JS emitters write it
    page = f'<html><head><title>t</title></head><body><div id="c"></div><script>var content = "{escaped}";</script></body></html>'
    r = gr.read_report(page, name="x.html")
    assert appeals_of(r) == SH2025.appeals and len(r.requests) == 175


def _replace_table4(text: str, table4: str) -> str:
    start = text.index("四、政府信息公开行政复议、行政诉讼情况")
    end = text.index("五、存在的主要问题")
    return text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n" + table4 + "\n" + text[end:]


def test_issue_table4_as_labelled_rows_in_another_order():
    """Suits first, then review: once read in template order without a finding."""
    a = SH2025.appeals
    rows = {"review": a[0:5], "suit_direct": a[5:10], "suit_after_review": a[10:15]}
    t4 = "\n".join(["项目\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
                    "行政诉讼（未经复议直接起诉）\t" + "\t".join(map(str, rows["suit_direct"])),
                    "行政诉讼（复议后起诉）\t" + "\t".join(map(str, rows["suit_after_review"])),
                    "行政复议\t" + "\t".join(map(str, rows["review"]))])
    r = gr.read_report(_replace_table4(render(SH2025, "tsv"), t4), name="x.txt")
    assert appeals_of(r) == a


def test_issue_table4_transposed():
    a = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]
    v = ReportValues(SH2025.agency, SH2025.year, SH2025.template, SH2025.requests, a, SH2025.disclosure)
    lines = ["\t行政复议\t未经复议直接起诉\t复议后起诉"]
    for j, res in enumerate(template.RESULTS):
        lines.append(res.label + "\t" + "\t".join(str(a[p * 5 + j]) for p in range(3)))
    r = gr.read_report(_replace_table4(render(v, "tsv"), "\n".join(lines)), name="x.txt")
    assert appeals_of(r) == a


def test_issue_table4_as_prose_is_missing_not_blank():
    t4 = "本年度共发生政府信息公开行政复议案件1件，结果维持1件；未发生政府信息公开行政诉讼案件。"
    r = gr.read_report(_replace_table4(render(SH2025, "tsv"), t4), name="x.txt")
    assert r.appeals.empty
    f = r.findings
    assert ((f["table"] == "appeals") & (f["severity"] == "warning")).any()


def test_issue_fee_in_yuan_declared_only_in_the_header():
    text = render(SH2025, "tsv").replace("本年收费金额（单位：万元）", "本年收费金额（单位：元）")
    text = re.sub(r"(行政事业性收费\t)\S+", r"\g<1>3500", text)
    r = gr.read_report(text, name="x.txt")
    d = r.disclosure.set_index(["item", "measure"])["value"]
    assert d[("fees", "amount_10k_yuan")] == pytest.approx(0.35)


@pytest.mark.parametrize("title, extra", [
    ("二〇二五年上海市人民政府办公厅政府信息公开工作年度报告", ""),
    ("上海市人民政府办公厅政府信息公开工作年度报告\n（2025年度）", ""),
    ("上海市人民政府办公厅2025年政府信息公开工作年度报告", "上一篇：上海市人民政府办公厅2024年政府信息公开工作年度报告\n"),
])
def test_issue_year_from_unusual_titles(title, extra):
    text = render(SH2025, "tsv")
    first = text.split("\n", 1)
    text = extra + title + "\n2024年起，本办持续推进政务公开。\n" + first[1]
    r = gr.read_report(text, name="x.txt")
    assert r.meta.year == 2025


def test_issue_changes_and_money_printed_in_words_and_brackets():
    seeds = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
    v = ReportValues.from_gold(seeds["002_a53a1aafad74cc7a.txt"])  # items_change -7
    text = render(v, "tsv").replace("\t-7\t", "\t减7\t").replace("6423.03", "6423.03（万元）")
    r = gr.read_report(text, name="x.txt")
    d = r.disclosure.set_index(["item", "measure"])["value"]
    assert d[("other_services", "items_change")] == -7 and d[("procurement", "amount_10k_yuan")] == 6423.03


def test_issue_rows_separated_by_fullwidth_spaces():
    text = re.sub(r"\t+", "\u3000", render(SH2025, "tsv"))
    r = gr.read_report(text, name="x.txt")
    assert list(r.requests_wide().loc["unavailable.not_held"]) == SH2025.requests["unavailable.not_held"]


def test_issue_column_header_repeated_after_a_page_break():
    """The header's 总计 was read as the （七）总计 row, and the real one then dropped."""
    text = render(SH2025, "tsv")
    lines = text.split("\n")
    head = [i for i, s in enumerate(lines) if "自然人" in s][0]
    header = lines[head:head + 2]
    at = next(i for i, s in enumerate(lines) if "2.没有现成信息需要另行制作" in s)
    lines[at:at] = ["— 5 —"] + header
    r = gr.read_report("\n".join(lines), name="x.txt")
    assert list(r.requests_wide().loc["outcome_total"]) == SH2025.requests["outcome_total"]
    assert not (r.findings["check"] == "duplicate_row").any()


def test_issue_dash_cells_in_space_separated_rows():
    """A text layer printing empty cells as '—': 'label 3 — — — — — 3'."""
    seeds = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
    v = ReportValues.from_gold(seeds["001_aedc4f75886f8629.txt"])
    rows = render(v, "tsv", blank_zeros=True)
    rows = re.sub(r"(?m)^(.*?[\u4e00-\u9fff）])((?:\t[^\t\n]*)+)$",
                  lambda m: m.group(1) + " " + " ".join(c.strip() or "—" for c in m.group(2).split("\t")[1:]), rows)
    r = gr.read_report(rows, name="x.txt")
    assert list(r.requests_wide().loc["unavailable.not_held"]) == v.requests["unavailable.not_held"]
    assert list(r.requests_wide().loc["received_new"]) == v.requests["received_new"]


SHARED_PDF = ROOT.parent / "shared" / "reports" / "pdf"


@pytest.mark.shared
@pytest.mark.parametrize("name", ["huaian_hongze_district_gov_2023.pdf", "huaian_hongze_district_gov_2024.pdf",
                                  "huaian_city_gov_2024.pdf"])
def test_issue_text_copied_from_the_real_pdfs(name):
    """The text layer of a PDF copied out (numbers centred above their label in tall rows,
    vertical group labels interleaved, labels wrapped): every cell as in the gold file."""
    path = SHARED_PDF / name
    if not path.exists():
        pytest.skip("../shared/reports/pdf is not beside the project")
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    gold = json.loads((ROOT / "tests" / "gold" / "pdf.json").read_text(encoding="utf-8"))[name]
    r = gr.read_report(text, name=name + ".txt")
    wide = r.requests_wide()
    for row, vals in gold["requests"].items():
        assert list(wide.loc[row]) == vals, row
    assert appeals_of(r) == gold["appeals"]
    assert (r.meta.year, r.meta.template) == (gold["year"], gold["template"])


def test_issue_empty_table2_cell_followed_by_a_header():
    """'行政许可 | (empty)' then '信息内容 | 本年处理决定数量': the header words were taken as the
    rest of the label and the blank cell lost."""
    text = re.sub(r"(?m)^(行政许可|行政强制)\t\S+$", r"\1\t", render(SH2025, "tsv"))
    assert "行政许可\t\n" in text
    r = gr.read_report(text, name="x.txt")
    d = r.disclosure.set_index(["item", "measure"])
    for item in ("licensing", "coercion"):
        assert d.loc[(item, "decisions"), "value"] == 0 and bool(d.loc[(item, "decisions"), "blank"])


def test_issue_blank_rows_printed_as_a_loose_label_between_table_rows():
    """An unruled PDF drops a blank row's empty cells: its label stands alone between table rows.
    In template order it is a blank row (flagged); out of order it is not (see the 2025 md)."""
    seeds = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
    v = ReportValues.from_gold(seeds["002_a53a1aafad74cc7a.txt"])
    lines = render(v, "markdown", blank_zeros=True).split("\n")
    out = []
    for s in lines:
        cells = [c.strip() for c in s.strip().strip("|").split("|")]
        labels = [c for c in cells if c and not c.isdigit()]
        if s.startswith("|") and labels and all(not c for c in cells[-7:]) and "2.其他法律行政法规禁止公开" in s:
            out.append(labels[-1])  # the blank row's label alone, its empty cells gone
        else:
            out.append(s)
    r = gr.read_report("\n".join(out), name="x.md")
    assert list(r.requests_wide().loc["denied.prohibited_by_law"]) == [0] * 7
    assert "denied.prohibited_by_law" in set(r.findings.loc[r.findings["check"] == "blank_row_inferred", "key"])


def test_issue_licensing_casework_is_not_a_restated_request_count():
    """Seed 003 says 已办理行政许可类事项共计33件 (licensing casework): the prose figure 办理…件 was
    read as requests handled against a table of 6 and gave a false text_table warning."""
    text = (ROOT / "data" / "reports" / "seeds" / "003_d25101f45b1a16b3.txt").read_text(encoding="utf-8")
    assert "已办理行政许可类事项共计33件" in text
    r = gr.read_report(ROOT / "data" / "reports" / "seeds" / "003_d25101f45b1a16b3.txt")
    assert "text_table" not in set(r.findings["check"])
    said = text.replace("已办理行政许可类事项共计33件", "全年共办理政府信息公开申请33件")
    f = gr.read_report(said.encode("utf-8"), name="x.txt").findings
    assert (f["check"] == "text_table").sum() == 1  # a real restatement that disagrees is still flagged


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_issue_xhtml_page_with_an_xml_declaration(encoding):
    """An XHTML page that begins ``<?xml version="1.0" encoding=...?>`` was read as an empty page
    (lxml refuses a decoded string that declares an encoding): every table must come back."""
    page = f'<?xml version="1.0" encoding="{encoding}"?>\n' + render(SH2025, "html")
    for source in (page, page.encode(encoding)):
        r = gr.read_report(source, name="x.html")
        assert appeals_of(r) == SH2025.appeals
        assert list(r.requests_wide().loc["outcome_total"]) == SH2025.requests["outcome_total"]
