"""PDF and Word front ends: the real PDFs of ../shared/reports/pdf, and reports printed by our
own PDF/DOCX renderers from every gold entry, read back cell for cell.

Two levels: the reader's :class:`Document` (lines of cells; runs without the parser), and
``govreports.read_report`` (the whole pipeline; runs once it exists).
"""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

import govreports as gr
from govreports.exceptions import ReportError
from govreports.readers.base import Document
from govreports.readers.docx import convert_legacy, read_docx
from govreports.readers.pdf import is_footer, is_numeric, join_wrapped, read_pdf
from govreports.render.values import ReportValues
from govreports.template import APPEAL_CELLS, APPLICANT_KEYS, DISCLOSURE_ITEMS, label_key

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
REAL_PDF = ROOT.parent / "shared" / "reports" / "pdf"
PDF_GOLD = json.loads((GOLD / "pdf.json").read_text(encoding="utf-8"))
SEEDS = json.loads((GOLD / "seeds.json").read_text(encoding="utf-8"))
WEB = json.loads((GOLD / "web.json").read_text(encoding="utf-8"))
GOLD_ENTRIES = {f"seeds/{k}": v for k, v in SEEDS.items()} | {f"web/{k}": v for k, v in WEB.items()} \
    | {f"pdf/{k}": v for k, v in PDF_GOLD.items()}


def real_pdf(name: str) -> Path:
    path = REAL_PDF / name
    if not path.exists():
        pytest.skip(f"{path} not present (the shared report folder is not beside the project)")
    return path


# --------------------------------------------------------------------------- Document helpers
def request_rows(doc: Document) -> list[list[str]]:
    """The value cells (last 7) of every data row of table 3, in reading order."""
    out, inside = [], False
    for line in doc.lines:
        keys = [label_key(c.text) for c in line.cells]
        joined = "".join(keys)
        if "申请人情况" in joined:
            inside = True
            continue
        if inside and ("行政复议" in joined or re.match(r"^四.{0,8}行政复议", joined)):
            break
        if not inside or not line.table or len(line.cells) < 8:
            continue
        if any(k in joined for k in ("自然人", "商业企业", "科研机构")):
            continue  # header rows
        out.append([c.text for c in line.cells[-7:]])
    return out


def appeals_row(doc: Document) -> list[str] | None:
    """The 15 value cells of table 4 (the first table row of 15 cells after its header)."""
    seen_header = False
    for line in doc.lines:
        joined = "".join(label_key(c.text) for c in line.cells)
        if "行政复议" in joined and line.table:
            seen_header = True
        if (seen_header and line.table and len(line.cells) == 15
                and all(is_numeric(c.text) or not c.text.strip() for c in line.cells)):
            return [c.text for c in line.cells]
    return None


def disclosure_cells(doc: Document, template: str) -> dict[str, list[str]]:
    """Item key -> the value cells printed after its label in table 2."""
    items = DISCLOSURE_ITEMS[template]
    out: dict[str, list[str]] = {}
    for line in doc.lines:
        if not line.table or len(line.cells) < 2:
            continue
        key = label_key(line.cells[0].text)
        for item in items:
            if key == label_key(item.label) and item.key not in out:
                out[item.key] = [c.text for c in line.cells[1:]]
    return out


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text) or 0)


# --------------------------------------------------------------------------- small units
def test_join_wrapped_keeps_chinese_whole():
    assert join_wrapped(["（四）无", "法提供"]) == "（四）无法提供"
    assert join_wrapped(["三、", "本", "年", "度"]) == "三、本年度"
    assert join_wrapped(["mail@x.com", "tel"]) == "mail@x.com tel"


@pytest.mark.parametrize("text", ["— 3 —", "- 3 -", "－12－", "第 3 页", "第3页 共6页"])
def test_footers(text):
    assert is_footer(text)


@pytest.mark.parametrize("text", ["3", "三、收到和处理政府信息公开申请情况", "2024 年", "-1"])
def test_not_footers(text):
    assert not is_footer(text)


def test_numeric_cells():
    assert all(is_numeric(t) for t in ["3", "3,985,758", "842.5", "32 项", "1042.94 万元", "０"])
    assert not any(is_numeric(t) for t in ["", "总计", "1.属于国家秘密", "（七）总计"])


# --------------------------------------------------------------------------- real PDFs, Document level
@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(PDF_GOLD))
def test_real_pdf_document(name):
    gold = PDF_GOLD[name]
    doc = read_pdf(real_pdf(name).read_bytes(), name)
    assert doc.format == "pdf"
    assert str(gold["year"]) in doc.text and gold["agency_as_printed"] in doc.text
    # table 3: every row's seven cells, in printed order
    expected = [[str(n) for n in cells] for cells in gold["requests"].values()]
    assert request_rows(doc) == expected
    # table 4: the fifteen numbers in order
    assert appeals_row(doc) == [str(n) for n in gold["appeals"]]
    # table 2: every item and measure
    printed = disclosure_cells(doc, gold["template"])
    for item, measures in gold["disclosure"].items():
        values = [number(t) for t in printed[item] if t]
        assert values == pytest.approx(list(measures.values())), item
    # no page footer survives, no label fragment is left behind
    texts = [c.text for line in doc.lines for c in line.cells]
    assert not any(is_footer(t) for t in texts)
    assert "法提供" not in texts


@pytest.mark.shared
def test_real_pdf_label_cut_by_page_break_is_joined():
    name = "huaian_city_gov_2024.pdf"
    doc = read_pdf(real_pdf(name).read_bytes(), name)
    cells = [(c.text, c.location) for line in doc.lines for c in line.cells]
    joined = [loc for text, loc in cells if text == "（四）无法提供"]
    assert joined and joined[0].startswith("page 4 ")
    assert not any(text.startswith("法提供") for text, _ in cells)
    # the continued table on page 5 keeps its group-label column (an empty cell), values aligned
    first_p5 = next(line for line in doc.lines if line.table and line.location.startswith("page 5 table #1"))
    assert [c.text for c in first_p5.cells] == ["", "", "2.没有现成信息需要另行制作", "11", "0", "0", "0", "0", "0", "11"]


@pytest.mark.shared
def test_real_pdf_missing_border_cell_recovered():
    """Hongze 2023 page 3: the 信息内容 cell has no ruled border; its text is kept in the row."""
    name = "huaian_hongze_district_gov_2023.pdf"
    doc = read_pdf(real_pdf(name).read_bytes(), name)
    first = next(line for line in doc.lines if line.location.startswith("page 3 table #1"))
    assert [c.text for c in first.cells] == ["信息内容", "本年处理决定数量"]


@pytest.mark.shared
def test_real_pdf_one_row_other_processing():
    name = "huaian_hongze_district_gov_2023.pdf"
    doc = read_pdf(real_pdf(name).read_bytes(), name)
    row = next(line for line in doc.lines if any(c.text == "（六）其他处理" for c in line.cells))
    assert [c.text for c in row.cells][-7:] == ["0"] * 7
    assert not any("逾期不补正" in c.text for line in doc.lines for c in line.cells)


# --------------------------------------------------------------------------- rendered reports
def _render(fmt: str, values: ReportValues, **options) -> bytes:
    if fmt == "pdf":
        from govreports.render.pdf import render
    else:
        from govreports.render.docx import render
    return render(values, **options)


def _read(fmt: str, data: bytes) -> Document:
    return read_pdf(data, "r.pdf") if fmt == "pdf" else read_docx(data, "r.docx")


def _expected_request_rows(v: ReportValues) -> list[list[str]]:
    return [["" if key in v.blank_rows else str(n) for n in v.requests[key]] for key in v.request_rows()]


VARIANTS = {
    "pdf": [{}, {"split_pages": True}, {"spaced_labels": True, "split_pages": True}],
    "docx": [{}, {"split_table": True}, {"spaced_labels": True}, {"merge_cells": False},
             {"split_table": True, "spaced_labels": True}],
}
RENDER_CASES = [(fmt, name, i) for fmt in VARIANTS for name in sorted(GOLD_ENTRIES) for i in range(len(VARIANTS[fmt]))]
SYNTHETIC_CASES = [(fmt, seed, i) for fmt in VARIANTS for seed in (1, 2, 3, 11, 12) for i in range(len(VARIANTS[fmt]))]


def _check_document(doc: Document, v: ReportValues, fmt: str, options: dict) -> None:
    assert doc.format == fmt
    assert request_rows(doc) == _expected_request_rows(v)
    if v.appeals is not None:
        assert appeals_row(doc) == ["" if v.appeals_blank else str(n) for n in v.appeals]
    printed = disclosure_cells(doc, v.template)
    for item in DISCLOSURE_ITEMS[v.template]:
        if item.key not in v.disclosure:
            continue
        want = [v.disclosure[item.key].get(m.key) for m in item.measures]
        got = [number(t) if t else None for t in printed[item.key][:len(item.measures)]]
        assert got == pytest.approx(want), item.key
    texts = [c.text for line in doc.lines for c in line.cells]
    assert not any(is_footer(t) for t in texts)
    if options.get("split_pages") or options.get("split_table"):
        group = label_key("（四）无法提供")
        assert any(label_key(t) == group for t in texts), "the label cut by the split is joined again"


@pytest.mark.parametrize("fmt,name,variant", RENDER_CASES)
def test_rendered_gold_document(fmt, name, variant):
    v = ReportValues.from_gold(GOLD_ENTRIES[name])
    options = VARIANTS[fmt][variant]
    doc = _read(fmt, _render(fmt, v, **options))
    _check_document(doc, v, fmt, options)


@pytest.mark.parametrize("fmt,seed,variant", SYNTHETIC_CASES)
def test_rendered_synthetic_document(fmt, seed, variant):
    v = ReportValues.synthetic(seed)
    options = VARIANTS[fmt][variant]
    doc = _read(fmt, _render(fmt, v, **options))
    _check_document(doc, v, fmt, options)


def test_docx_merged_cells_and_body_order():
    v = ReportValues.synthetic(5, "2021")
    doc = read_docx(_render("docx", v), "r.docx")
    kinds = ["T" if line.table else "P" for line in doc.lines]
    text = [line.cells[0].text for line in doc.lines]
    # headings come before their tables (body order, not paragraphs then tables)
    i3 = text.index("三、收到和处理政府信息公开申请情况")
    assert kinds[i3] == "P" and kinds[i3 + 1] == "T" and "申请人情况" in doc.lines[i3 + 1].cells[-1].text
    header = [[c.text for c in line.cells] for line in doc.lines[i3 + 1:i3 + 4]]
    assert header[1] == ["", "自然人", "法人或其他组织", "总计"]  # gridSpan: one cell; vMerge: one ''
    first = next(line for line in doc.lines if line.cells[0].text == "三、本年度办理结果")
    second = doc.lines[doc.lines.index(first) + 1]
    assert second.cells[0].text == "" and len(second.cells) == len(first.cells)


def test_pdf_renders_chinese_text_layer():
    v = ReportValues.synthetic(8)
    doc = read_pdf(_render("pdf", v), "r.pdf")
    assert f"{v.agency}{v.year}年政府信息公开工作年度报告" in doc.text


# --------------------------------------------------------------------------- what cannot be read
def _image_only_pdf() -> bytes:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        img.putpixel((x, 50), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(img), 50, 600, 400, 200)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_scanned_pdf_raises():
    with pytest.raises(ReportError, match="OCR"):
        read_pdf(_image_only_pdf(), "scan.pdf")


def test_encrypted_and_corrupt_pdf_raise():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="secret")
    c.drawString(100, 700, "hello")
    c.save()
    with pytest.raises(ReportError, match="enc.pdf"):
        read_pdf(buf.getvalue(), "enc.pdf")
    with pytest.raises(ReportError, match="bad.pdf"):
        read_pdf(b"%PDF-1.4\n garbage without objects", "bad.pdf")


def test_legacy_doc_without_libreoffice(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(ReportError, match=r"legacy Word format \(\.doc/\.wps\): install LibreOffice"):
        convert_legacy(ole2, "old.doc")
    from govreports.readers import read_document

    with pytest.raises(ReportError, match="old.doc: legacy Word format"):
        read_document(ole2, "old.doc")


def test_not_a_docx():
    with pytest.raises(ReportError, match="x.docx"):
        read_docx(b"PK\x03\x04 not really a zip", "x.docx")


# --------------------------------------------------------------------------- the whole pipeline
def _meta(report, name):
    meta = report.meta
    return meta[name] if isinstance(meta, dict) else getattr(meta, name)


def compare_with_gold(report, entry: dict | ReportValues) -> tuple[int, list[str]]:
    """Compare every cell of ``report`` with a gold entry; return (cells checked, mismatches)."""
    v = entry if isinstance(entry, ReportValues) else ReportValues.from_gold(entry)
    bad: list[str] = []
    n = 0
    req = report.requests
    got_rows = set(req["row"])
    for key, cells in v.requests.items():
        rows = req[req["row"] == key]
        got = dict(zip(rows["applicant"], rows["value"]))
        for applicant, want in zip(APPLICANT_KEYS, cells):
            n += 1
            if got.get(applicant) != want:
                bad.append(f"requests {key}/{applicant}: {got.get(applicant)} != {want}")
    for extra in sorted(got_rows - set(v.requests)):
        bad.append(f"requests row {extra} read but not printed")
    if v.appeals is not None:
        ap = report.appeals
        got = {(p, r): val for p, r, val in zip(ap["proceeding"], ap["result"], ap["value"])}
        for cell, want in zip(APPEAL_CELLS, v.appeals):
            n += 1
            if got.get(cell) != want:
                bad.append(f"appeals {cell}: {got.get(cell)} != {want}")
    dis = report.disclosure
    got = {(i, m): val for i, m, val in zip(dis["item"], dis["measure"], dis["value"])}
    for item in DISCLOSURE_ITEMS[v.template]:
        for m in item.measures:
            want = v.disclosure.get(item.key, {}).get(m.key)
            if want is None:
                continue
            n += 1
            g = got.get((item.key, m.key))
            if g is None or abs(float(g) - float(want)) > 1e-6:
                bad.append(f"disclosure {item.key}/{m.key}: {g} != {want}")
    for name in ("year", "template"):
        n += 1
        if str(_meta(report, name)) != str(getattr(v, name)):
            bad.append(f"meta {name}: {_meta(report, name)} != {getattr(v, name)}")
    return n, bad


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(PDF_GOLD))
def test_real_pdf_read_report(name):
    report = gr.read_report(real_pdf(name))
    n, bad = compare_with_gold(report, PDF_GOLD[name])
    assert not bad, f"{len(bad)} of {n} cells differ: {bad[:20]}"
    assert _meta(report, "format") == "pdf"


@pytest.mark.shared
def test_real_pdf_hongze_2023_findings():
    name = "huaian_hongze_district_gov_2023.pdf"
    report = gr.read_report(real_pdf(name))
    f = report.findings
    appeals_errors = f[(f["table"] == "appeals") & (f["severity"] == "error")]
    assert set(appeals_errors["proceeding"]) >= {"review", "suit_after_review"}
    rows = set(report.requests["row"])
    assert "other.other" in rows and not {"other.no_correction", "other.unpaid_fee"} & rows
    # a one-row （六）其他处理 is a printing fact, not an error of the sums
    req_errors = f[(f["table"] == "requests") & (f["severity"] == "error")]
    assert req_errors.empty, req_errors.to_dict("records")


@pytest.mark.parametrize("fmt,name,variant", RENDER_CASES)
def test_rendered_gold_read_report(fmt, name, variant, tmp_path):
    v = ReportValues.from_gold(GOLD_ENTRIES[name])
    path = tmp_path / f"report.{fmt}"
    path.write_bytes(_render(fmt, v, **VARIANTS[fmt][variant]))
    report = gr.read_report(path)
    n, bad = compare_with_gold(report, v)
    assert not bad, f"{len(bad)} of {n} cells differ: {bad[:20]}"
    assert _meta(report, "format") == fmt


@pytest.mark.parametrize("fmt,seed,variant", SYNTHETIC_CASES)
def test_rendered_synthetic_read_report(fmt, seed, variant, tmp_path):
    v = ReportValues.synthetic(seed)
    path = tmp_path / f"report.{fmt}"
    path.write_bytes(_render(fmt, v, **VARIANTS[fmt][variant]))
    n, bad = compare_with_gold(gr.read_report(path), v)
    assert not bad, f"{len(bad)} of {n} cells differ: {bad[:20]}"


def test_scanned_pdf_read_report_never_zeros(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_image_only_pdf())
    try:
        report = gr.read_report(path)
    except ReportError as err:
        assert "OCR" in str(err) and "scan.pdf" in str(err)
        return
    assert report.requests.empty and report.appeals.empty
    assert (report.findings["severity"] == "error").any()


# --------------------------------------------------------------------------- unruled PDF tables
UNRULED = [s for s in range(12) if not ReportValues.synthetic(s).blank_rows][:4]


@pytest.mark.parametrize("seed", UNRULED)
def test_unruled_pdf_numbers_in_their_columns(seed):
    """Tables printed without lines come from the text layer; the numbers of each table-3 row
    land in the seven applicant columns."""
    v = ReportValues.synthetic(seed)
    doc = read_pdf(_render("pdf", v, ruled=False), "r.pdf")
    rows = [[c.text for c in line.cells[-7:]] for line in doc.lines
            if line.table and len(line.cells) >= 7 and all(is_numeric(c.text) or not c.text for c in line.cells[-7:])
            and any(c.text for c in line.cells[-7:])]
    want = [[str(n) for n in v.requests[k]] for k in v.request_rows()]
    assert rows[:len(want)] == want


@pytest.mark.parametrize("seed", UNRULED)
def test_unruled_pdf_read_report(seed, tmp_path):
    v = ReportValues.synthetic(seed)
    path = tmp_path / "unruled.pdf"
    path.write_bytes(_render("pdf", v, ruled=False))
    n, bad = compare_with_gold(gr.read_report(path), v)
    assert not bad, f"{len(bad)} of {n} cells differ: {bad[:20]}"
