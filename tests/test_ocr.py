"""OCR: scanned PDFs and page images read through OCR only, compared with the gold cell by cell.

OCR is heavy (seconds per page on a loaded 2-core machine), so each printing is read once per
session (module-scoped fixtures) and only a small sample is read here: one gold entry scanned
at 200 dpi, the same degraded (JPEG 40, 1.5° skew, noise), a multi-page TIFF at 150 dpi, a PDF
with a text page and a scanned page, one real PDF rasterized. Every dpi, every degraded copy and every gold entry are swept by
``benchmarks/ocr_accuracy.py``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import govreports as gr
from govreports.exceptions import ReportError
from govreports.ocr_review import review
from govreports.parse import Parsed, Value
from govreports.readers import ocr
from govreports.readers.ocr import CellRead, as_number_text
from govreports.render.values import ReportValues, compare_cells
from govreports.template import APPLICANT_KEYS

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
PDF_GOLD = json.loads((GOLD / "pdf.json").read_text(encoding="utf-8"))
REAL_PDF = ROOT.parent / "shared" / "reports" / "pdf"
CITY = "huaian_city_gov_2024.pdf"  # large numbers (3,985,758), all three （六） sub-rows

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the [ocr] extra is not installed")
BOX = re.compile(r"^page \d+ \(OCR\) row \d+ col \d+ \[\d+,\d+,\d+,\d+\]$")


@pytest.fixture(scope="module")
def city_values() -> ReportValues:
    return ReportValues.from_gold(PDF_GOLD[CITY])


@pytest.fixture(scope="module")
def scan_200(city_values):
    from govreports.render.scan import scanned_pdf

    return gr.read_report(scanned_pdf(city_values, dpi=200), name="city_scan.pdf")


@pytest.fixture(scope="module")
def scan_degraded(city_values):
    from govreports.render.scan import DEGRADED, scanned_pdf

    return gr.read_report(scanned_pdf(city_values, dpi=200, **DEGRADED), name="city_scan_degraded.pdf")


# --------------------------------------------------------------------------- no OCR needed
def test_digit_like_letters_become_digits_and_stay_doubtful():
    assert as_number_text("1o") == ("10", True)
    assert as_number_text("。") == ("0", True)
    assert as_number_text("3985758") == ("3985758", False)
    assert as_number_text("96171. 6") == ("96171.6", False)  # one number the detector cut in two
    assert as_number_text("２０") == ("20", False)  # full-width digits are the same digits
    assert as_number_text("（一）予以公开") == ("（一）予以公开", False)


def _value(v: float, loc: str) -> Value:
    return Value(float(v), False, str(v), loc)


def _row_reads(row: str, vals: list[int], statuses: dict[int, str]) -> tuple[dict, dict]:
    cells, reads = {}, {}
    for i, (a, v) in enumerate(zip(APPLICANT_KEYS, vals)):
        loc = f"page 2 (OCR) row 1 col {i + 3} [0,0,1,1]"
        cells[(row, a)] = _value(v, loc)
        reads[loc] = CellRead(str(v), str(v), 0.5 if i in statuses else 0.99, statuses.get(i, "ok"), (0, 0, 1, 1))
    return cells, reads


def test_review_keeps_a_doubtful_cell_the_identities_confirm():
    parsed = Parsed()
    cells, reads = _row_reads("granted", [2, 0, 0, 0, 0, 0, 2], {1: "doubt"})
    parsed.requests.update(cells)
    review(parsed, reads)
    assert ("granted", "commercial") in parsed.requests
    assert not [f for f in parsed.findings if f["check"] == "ocr_doubt"]


def test_review_leaves_a_doubtful_cell_in_a_failing_identity_missing_and_flags_it():
    parsed = Parsed()
    cells, reads = _row_reads("granted", [2, 8, 0, 0, 0, 0, 2], {1: "doubt"})  # 8 misread, 0 printed
    parsed.requests.update(cells)
    review(parsed, reads)
    assert ("granted", "commercial") not in parsed.requests
    doubts = [f for f in parsed.findings if f["check"] == "ocr_doubt"]
    assert len(doubts) == 1 and doubts[0]["severity"] == "warning"
    assert doubts[0]["applicant"] == "commercial" and "(OCR)" in doubts[0]["location"]


def test_review_never_reads_an_unread_inked_cell_as_blank_zero():
    parsed = Parsed()
    cells, reads = _row_reads("granted", [2, 0, 0, 0, 0, 0, 2], {})
    loc = cells[("granted", "research")].location
    cells[("granted", "research")] = Value(0.0, True, "", loc)
    reads[loc] = CellRead("", "", 0.0, "unread", (0, 0, 1, 1))
    parsed.requests.update(cells)
    review(parsed, reads)
    assert ("granted", "research") not in parsed.requests
    assert [f["check"] for f in parsed.findings] == ["ocr_doubt"]


def test_review_blames_the_one_cell_two_failing_identities_share():
    from govreports.checks import check_identities

    parsed = Parsed()
    rows = {"received_new": [5, 0, 0, 0, 0, 0, 5], "carried_over": [0] * 7, "granted": [5, 0, 0, 0, 0, 0, 5],
            "outcome_total": [8, 0, 0, 0, 0, 0, 5], "carried_forward": [0] * 7}  # 8: a 5 misread (confidence 0.9)
    reads = {}
    for r, (row, vals) in enumerate(rows.items(), 1):
        for c, (a, v) in enumerate(zip(APPLICANT_KEYS, vals), 1):
            loc = f"page 1 (OCR) row {r} col {c} [0,0,1,1]"
            parsed.requests[(row, a)] = _value(v, loc)
            sure = 0.99 if (row, a) != ("outcome_total", "natural_person") else 0.9
            reads[loc] = CellRead(str(v), str(v), sure, "ok", (0, 0, 1, 1))
    assert check_identities(parsed.requests, {})  # the misread breaks identities
    review(parsed, reads)
    assert ("outcome_total", "natural_person") not in parsed.requests
    assert [f["check"] for f in parsed.findings] == ["ocr_doubt"]


def test_review_never_blames_a_sure_reading_for_a_printed_inconsistency():
    parsed = Parsed()
    cells, reads = _row_reads("received_new", [3, 0, 0, 0, 0, 0, 0], {})  # printed so: total 0
    parsed.requests.update(cells)
    review(parsed, reads)
    assert len(parsed.requests) == 7 and not parsed.findings


def test_identity_errors_on_ocr_cells_say_so():
    from govreports.ocr_review import annotate

    findings = [{"check": "row_total", "message": "row granted: ..."}, {"check": "unit_assumed", "message": "x"}]
    annotate(findings)
    assert "read by OCR" in findings[0]["message"] and findings[1]["message"] == "x"


def test_scan_without_the_ocr_extra_names_the_extra(monkeypatch, city_values):
    from govreports.readers import pdf as pdf_reader
    from govreports.render.scan import images_to_pdf
    from PIL import Image

    monkeypatch.setattr(pdf_reader.ocr, "available", lambda: False)
    blank = images_to_pdf([Image.new("L", (400, 560), 255)], dpi=50)
    with pytest.raises(ReportError, match=r"scan\.pdf.*OCR needed.*govreports\[ocr\]"):
        gr.read_report(blank, name="scan.pdf")


def test_image_without_the_ocr_extra_names_the_extra(monkeypatch):
    from govreports.render.scan import page_png
    from PIL import Image

    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ReportError, match=r"table\.png.*govreports\[ocr\]"):
        gr.read_report(page_png(Image.new("L", (40, 40), 255)), name="table.png")


def _glyph_cell(text: str, px: int):
    """A table cell (grey page, cell box) holding ``text`` printed in the scans' font, ``px`` high."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from govreports.render.scan import font_file

    img = Image.new("L", (5 * px, 2 * px), 255)
    ImageDraw.Draw(img).text((2 * px, px // 3), text, font=ImageFont.truetype(font_file(), px), fill=0)
    return np.asarray(img), (0, 0, img.width, img.height)


@needs_ocr
@pytest.mark.parametrize("px", [14, 16, 18, 22, 34])  # about the digits' size at 150, 200 and 300 dpi
def test_zero_ring_confirms_a_zero_and_no_other_glyph(px):
    from govreports.readers.ocr import is_zero_ring

    assert is_zero_ring(*_glyph_cell("0", px))
    for other in ("6", "9", "8", "4", "o", "。", "10", "00", "-", "", "口"):
        assert not is_zero_ring(*_glyph_cell(other, px)), other


@needs_ocr
@pytest.mark.parametrize("px", [14, 18, 22, 34])
def test_a_minus_sign_the_recogniser_dropped_makes_the_reading_doubtful(px):
    from govreports.readers.ocr import has_unread_minus

    for printed in ("-7", "-1", "-25"):  # read without its sign: doubtful
        assert has_unread_minus(*_glyph_cell(printed, px), printed[1:]), printed
    for printed in ("7", "1", "17", "0", "2,021"):  # no stroke before the digits
        assert not has_unread_minus(*_glyph_cell(printed, px), printed), printed
    assert not has_unread_minus(*_glyph_cell("-7", px), "-7")  # the sign was read


@needs_ocr
def test_short_crops_read_side_by_side_keep_each_its_own_text():
    import cv2

    numbers = ["0", "12", "3", "0", "985", "7", "58", "1", "0", "4", "2,021", "60", "0", "9"]
    crops = []
    for n in numbers:  # a detected number as the engine cuts it: the glyphs with a white margin
        gray, _ = _glyph_cell(n, 22)
        ys, xs = (gray < 128).nonzero()
        tight = gray[max(0, ys.min() - 6):ys.max() + 7, max(0, xs.min() - 6):xs.max() + 7]
        crops.append(cv2.cvtColor(tight, cv2.COLOR_GRAY2BGR))
    got = ocr.read_short(ocr.engine(), crops)
    assert [t for t, _ in got] == numbers
    assert all(0.0 < c <= 1.0 for _, c in got)


# --------------------------------------------------------------------------- OCR
@needs_ocr
def test_scan_at_200_dpi_reads_the_gold_cell_by_cell(scan_200):
    r = compare_cells(scan_200, ReportValues.from_gold(PDF_GOLD[CITY]).cells())
    assert scan_200.meta.format == "pdf-ocr"
    assert not r["wrong"], r["wrong"]
    assert r["exact"] / r["cells"] >= 0.995, r["missing"]
    assert scan_200.meta.year == PDF_GOLD[CITY]["year"]


@needs_ocr
def test_ocr_locations_name_page_cell_and_box(scan_200):
    locs = scan_200.requests["location"].tolist()
    assert locs and all(BOX.match(loc) for loc in locs), locs[:3]


@needs_ocr
def test_degraded_scan_is_never_silently_wrong(scan_degraded):
    r = compare_cells(scan_degraded, ReportValues.from_gold(PDF_GOLD[CITY]).cells())
    assert not r["silent"], r["silent"]
    assert r["exact"] / r["cells"] >= 0.98, (r["missing"], r["wrong"])
    for key in r["missing"]:  # a cell left missing is flagged in its table
        assert key[0] in set(scan_degraded.findings["table"]), key


@needs_ocr
def test_multipage_tiff_at_150_dpi_reads_the_gold(city_values):
    import io

    from govreports.render.scan import render_pages

    pages = render_pages(city_values, dpi=150)
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    report = gr.read_report(buf.getvalue(), name="city_scan.tif")
    assert report.meta.format == "image"
    r = compare_cells(report, ReportValues.from_gold(PDF_GOLD[CITY]).cells())
    assert not r["silent"], r["silent"]
    assert r["exact"] / r["cells"] >= 0.98, (r["missing"], r["wrong"])


@needs_ocr
def test_pdf_with_a_text_page_and_a_scanned_page_reads_both(city_values):
    from govreports.render.scan import mixed_pdf

    report = gr.read_report(mixed_pdf(city_values, scanned=(2,)), name="mixed.pdf")
    assert report.meta.format == "pdf-ocr"
    locs = report.requests["location"]  # table 3 begins on the text page and goes on in the scan
    assert locs.str.startswith("page 1 table").any() and locs.str.startswith("page 2 (OCR)").any()
    assert report.appeals["location"].str.startswith("page 2 (OCR)").all()
    assert not report.disclosure["location"].str.contains("OCR").any()  # table 1: the text layer
    r = compare_cells(report, city_values.cells())
    assert not r["wrong"], r["wrong"]
    assert r["exact"] / r["cells"] >= 0.995, r["missing"]
    assert report.meta.year == PDF_GOLD[CITY]["year"]


@needs_ocr
@pytest.mark.shared
def test_real_pdf_rasterized_reads_through_ocr_only():
    from govreports.render.scan import images_to_pdf, rasterize

    name = "huaian_hongze_district_gov_2024.pdf"
    path = REAL_PDF / name
    if not path.exists():
        pytest.skip(f"{path} not present (the shared report folder is not beside the project)")
    report = gr.read_report(images_to_pdf(rasterize(path.read_bytes(), 200), 200), name=name)
    assert report.meta.format == "pdf-ocr"
    r = compare_cells(report, ReportValues.from_gold(PDF_GOLD[name]).cells())
    assert not r["silent"], r["silent"]
    assert r["exact"] / r["cells"] >= 0.98, (r["missing"], r["wrong"])


# --------------------------------------------------------------------------- HTML with a table image
def _html_with_table4_as(values: ReportValues, src: str) -> str:
    from govreports.render import render

    html = render(values, "html")
    tables = [m.start() for m in re.finditer("<table", html)]
    start = next(t for t in tables if "结果维持" in html[t:html.find("</table>", t)])
    end = html.find("</table>", start) + len("</table>")
    return html[:start] + f'<p><img src="{src}" alt="表4"></p>' + html[end:]


def _table4_crop(city_values, above: int) -> bytes:
    """Table 4 as the scan prints it, cut from the renderer's page image by its ruling lines
    (``above``: pixels kept above the table, for its section heading)."""
    from govreports.render.scan import page_png, render_pages

    page = render_pages(city_values, dpi=200)[-1]
    gray = ocr.to_gray(page)
    bbox = [b for b, cells in ocr.find_tables(gray) if max(c[3] for c in cells) >= 15][-1]
    return page_png(page.crop((bbox[0] - 20, bbox[1] - above, bbox[2] + 20, bbox[3] + 20)))


@pytest.fixture(scope="module")
def table4_png(city_values) -> bytes:
    return _table4_crop(city_values, 20)


@needs_ocr
def test_html_table_image_saved_beside_the_page_is_read_by_ocr(tmp_path, city_values, table4_png):
    (tmp_path / "report_files").mkdir()
    (tmp_path / "report_files" / "t4.png").write_bytes(table4_png)
    page = tmp_path / "report.html"
    page.write_text(_html_with_table4_as(city_values, "report_files/t4.png"), encoding="utf-8")
    report = gr.read_report(page)
    got = report.appeals.set_index(["proceeding", "result"])["value"]
    assert [int(v) for v in got.tolist()] == PDF_GOLD[CITY]["appeals"]
    assert all("(OCR)" in loc for loc in report.appeals["location"])
    assert "table_as_image" not in set(report.findings["check"])


def test_html_table_image_only_linked_is_flagged_with_its_url(tmp_path, city_values):
    page = tmp_path / "report.html"
    url = "http://www.example.gov.cn/images/t4.png"
    page.write_text(_html_with_table4_as(city_values, url), encoding="utf-8")
    report = gr.read_report(page)
    flags = report.findings[report.findings["check"] == "table_as_image"]
    assert len(flags) >= 1 and set(flags["severity"]) == {"warning"}
    assert "appeals" in set(flags["table"]) and url in flags["message"].iloc[0]
    assert report.appeals["value"].isna().all() or len(report.appeals) == 0


@needs_ocr
def test_docx_with_table_4_pasted_as_a_picture_is_read_by_ocr(city_values, table4_png):
    import io

    import docx
    from docx.shared import Inches

    from govreports.render import render

    word = docx.Document(io.BytesIO(render(city_values, "docx")))
    table4 = next(t for t in word.tables if "结果维持" in "".join(c.text for c in t._cells))
    p = word.add_paragraph()
    p.add_run().add_picture(io.BytesIO(table4_png), width=Inches(6))
    table4._element.addprevious(p._p)
    table4._element.getparent().remove(table4._element)
    buf = io.BytesIO()
    word.save(buf)
    report = gr.read_report(buf.getvalue(), name="pasted.docx")
    assert [int(v) for v in report.appeals["value"].tolist()] == PDF_GOLD[CITY]["appeals"]
    assert all("(OCR)" in loc for loc in report.appeals["location"])
    gold = PDF_GOLD[CITY]["requests"]  # table 3 stays the Word table it was
    assert [int(v) for v in report.requests_wide().loc["outcome_total"].tolist()] == gold["outcome_total"]


@needs_ocr
def test_read_corpus_ocrs_in_its_workers_and_caches_the_result(tmp_path, city_values):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "table4.png").write_bytes(_table4_crop(city_values, 100))  # with its heading 四、…
    (folder / "report.txt").write_bytes((ROOT / "data" / "reports" / "seeds" / "000_5098ec7e8be95a2a.txt").read_bytes())
    first = gr.read_corpus(folder, workers=2, cache=tmp_path / "cache")
    row = first.reports.set_index(first.reports["source"].map(lambda s: Path(s).name)).loc["table4.png"]
    assert row["status"] == "parsed" and row["format"] == "image", row.get("error")
    appeals = first.appeals[first.appeals["report_id"] == row["report_id"]]
    assert [int(v) for v in appeals["value"]] == PDF_GOLD[CITY]["appeals"]
    again = gr.read_corpus(folder, workers=2, cache=tmp_path / "cache")
    assert again.counts["cached"] == 2
