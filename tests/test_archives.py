"""The printings real archives hold (issue 11): spreadsheets, a report printed twice in one
page, stray bytes, names and dates from page headers, prose restatements in other words.

Every printing is rendered from the gold values by ``govreports.render`` and read back cell for
cell; the bad cases the issue names each have a test.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

import govreports as gr
from govreports import template
from govreports.readers import sniff_format
from govreports.render import ReportValues, encode, render
from govreports.render.values import report_cells

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
SHARED = ROOT.parent / "shared"
GOLD_FILES = ("seeds.json", "web.json", "web_excerpts.json")


def gold_values() -> list[tuple[str, ReportValues]]:
    out = []
    for f in GOLD_FILES:
        for name, g in json.loads((GOLD / f).read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                out.append((name, ReportValues.from_gold(g)))
    return out


GOLD_VALUES = gold_values()


def assert_reads_back(v: ReportValues, data: bytes, name: str) -> gr.Report:
    r = gr.read_report(data, name=name)
    exp, got = v.cells(), report_cells(r)
    wrong = {k: (x, got.get(k)) for k, x in exp.items() if k not in got or abs(got[k] - x) > 1e-6}
    assert not wrong, f"{name}: (expected, got) {wrong}"
    assert set(got) == set(exp), f"{name}: extra cells {set(got) - set(exp)}"
    assert r.meta.template == v.template
    if v.year:
        assert r.meta.year == v.year
    return r


# --------------------------------------------------------------------------- spreadsheets
@pytest.mark.parametrize("encoding, options", [
    ("utf-8-sig", {}), ("utf-8", {}), ("gb18030", {}),
    ("utf-8-sig", {"blank_zeros": True}), ("gb18030", {"traditional": True, "units": True}),
], ids=lambda x: x if isinstance(x, str) else "+".join(x) or "plain")
def test_every_gold_entry_as_csv_reads_back(encoding, options):
    for name, v in GOLD_VALUES:
        r = assert_reads_back(v, encode(render(v, "csv", **options), encoding), f"{name}.csv")
        assert r.meta.format == "spreadsheet"
        assert r.requests["location"].str.match(r"^sheet 1 row \d+ col \d+$").all()


@pytest.mark.parametrize("layout", ["xlsx", "xls"])
@pytest.mark.parametrize("options", [{}, {"blank_zeros": True}], ids=lambda o: "+".join(o) or "plain")
def test_every_gold_entry_as_workbook_reads_back(layout, options):
    for name, v in GOLD_VALUES:
        data = render(v, layout, **options)
        assert sniff_format(data) == layout
        r = assert_reads_back(v, data, f"{name}.{layout}")
        assert r.meta.format == "spreadsheet"


def test_csv_table_4_is_read_not_printed_blank():
    """The bad case: a CSV export was read as text and its table 4 came back printed blank."""
    name, v = next((n, v) for n, v in GOLD_VALUES if v.appeals and any(v.appeals))
    r = gr.read_report(encode(render(v, "csv"), "utf-8-sig"), name=f"{name}.csv")
    assert r.appeals_wide().to_numpy().ravel().tolist() == v.appeals
    assert not (r.findings["check"] == "printed_blank").any()


def test_a_broken_workbook_is_a_clear_error():
    data = render(GOLD_VALUES[0][1], "xlsx")
    broken = data[:100] + bytes(len(data) - 2100) + data[-2000:]  # a ZIP naming xl/workbook.xml, its data zeroed
    assert sniff_format(broken) == "xlsx"
    with pytest.raises(gr.ReportError, match=r"book\.xlsx: not a readable \.xlsx spreadsheet"):
        gr.read_report(broken, name="book.xlsx")


def test_wps_et_that_no_library_reads_says_so():
    xls = render(GOLD_VALUES[0][1], "xls")
    et = b"\xd0\xcf\x11\xe0" + b"\x00" * 60 + "Workbook".encode("utf-16-le") + "ETExtData".encode("utf-16-le")
    assert sniff_format(et) == "et" and sniff_format(xls) == "xls"
    word_with_a_chart = (b"\xd0\xcf\x11\xe0" + b"\x00" * 60 + "WordDocument".encode("utf-16-le")
                         + "Workbook".encode("utf-16-le"))
    assert sniff_format(word_with_a_chart) == "doc"
    with pytest.raises(gr.ReportError, match=r"WPS spreadsheet \(\.et\).*save it as \.xlsx"):
        gr.read_report(et, name="report.et")


def test_a_workbook_reads_as_pandas_reads_it():
    """The reader takes the cells from python-calamine itself (no DataFrame per sheet); what it
    prints must be what pandas.read_excel(header=None, dtype=object) gives: pandas' missing-value
    markers read as empty, numbers, dates and times as pandas returns them, chart sheets skipped,
    an empty row kept in the row count."""
    import datetime
    import io

    import openpyxl
    import pandas as pd

    from govreports.readers import spreadsheet

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["NA", "N/A", "", "1.0", "nan", "None", "True", 1, 1.5, 2.0, True, False],
                [None, " NA", "null", "#N/A", "-", "1,234", "  x  ", "a\r\nb", -0.0, 1e20, "0001", "<NA>"],
                [],
                [datetime.datetime(2020, 1, 2), datetime.date(2020, 1, 3), datetime.time(1, 2),
                 datetime.datetime(2021, 3, 4, 5, 6, 7), "三、收到", 3.25, -7, 12345678901234567890]):
        sheet.append(row)
    book.create_sheet("second")["C5"] = "lone"
    book.create_sheet("empty")
    book.create_chartsheet("chart")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    frames = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="calamine", dtype=object)
    by_pandas = [[[spreadsheet._cell_text(v) for v in row] for row in f.to_numpy(dtype=object).tolist()]
                 for f in frames.values()]
    doc = spreadsheet.read_workbook(data, "book.xlsx", "xlsx")
    assert doc == spreadsheet._document(by_pandas, "book.xlsx")
    assert [c.text for c in doc.lines[0].cells][:6] == ["", "", "", "1.0", "", ""]


def test_prose_with_commas_is_not_taken_for_csv():
    v = GOLD_VALUES[0][1]
    text = render(v, "tsv").replace("，", ",")
    r = gr.read_report(encode(text, "utf-8"), name="x.txt")
    assert r.meta.format == "text"


# --------------------------------------------------------------------------- stray bytes
def _insert(data: bytes, at: int, junk: bytes) -> bytes:
    return data[:at] + junk + data[at:]


def _stray_places(data: bytes, label: str, encoding: str) -> list[int]:
    """Byte offsets to put a stray byte at: in the title, inside a table label, beside a number."""
    i = data.index(label.encode(encoding))
    number = re.compile(rb"[>\t,]\d").search(data, i).start() + 1
    return [len("题".encode(encoding)) * 3, i + len(label[:2].encode(encoding)), number]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("layout", ["tsv", "html", "csv"])
def test_a_stray_byte_is_replaced_and_flagged(layout, encoding):
    """The bad case: one inserted byte used to reject the whole report."""
    for name, v in [(n, v) for n, v in GOLD_VALUES if "received_new" in v.requests]:
        clean = encode(render(v, layout), encoding)
        label = template.ROW_BY_KEY["received_new"].label[2:]
        at = _stray_places(clean, label, encoding)
        for pos in at:
            data = _insert(clean, pos, b"\xff")
            r = assert_reads_back(v, data, f"{name}.{layout}")
            bad = r.findings[r.findings["check"] == "bad_bytes"]
            assert len(bad) >= 1 and (bad["severity"] == "warning").all(), name
            assert f"byte offsets {pos}" in bad["message"].iloc[0]


def test_a_stray_byte_in_a_number_is_flagged_in_its_table():
    name, v = GOLD_VALUES[0]
    clean = encode(render(v, "tsv"), "utf-8")
    i = clean.index(template.ROW_BY_KEY["received_new"].label.encode())
    pos = clean.index(b"\t", i) + 1
    r = gr.read_report(_insert(clean, pos, b"\xff"), name="x.txt")
    bad = r.findings[r.findings["check"] == "bad_bytes"]
    assert bad["table"].tolist() == ["requests"] and bad["location"].iloc[0] != ""


def test_nul_bytes_inside_text_are_replaced_and_flagged():
    name, v = GOLD_VALUES[1]
    clean = encode(render(v, "tsv"), "utf-8")
    data = _insert(_insert(clean, 30, b"\x00"), 9, b"\x00")
    r = assert_reads_back(v, data, "x.txt")
    assert "2 NUL byte(s)" in r.findings.loc[r.findings["check"] == "bad_bytes", "message"].iloc[0]


def test_more_than_a_few_bad_bytes_is_still_undecodable():
    clean = encode(render(GOLD_VALUES[0][1], "tsv"), "utf-8")
    noisy = b"".join(clean[i:i + 300] + b"\xff" for i in range(0, len(clean), 300))
    with pytest.raises(gr.ReportError, match="undecodable"):
        gr.read_report(noisy, name="noisy.txt")


# --------------------------------------------------------------------------- a report printed twice
@pytest.mark.parametrize("layout", ["html", "html_word"])
def test_every_gold_entry_printed_twice_in_one_page_reads_once(layout):
    """The bad case: a page holding the report twice summed table 2 (规章 13 → 26)."""
    for name, v in GOLD_VALUES:
        r = assert_reads_back(v, encode(render(v, layout, twice=True), "utf-8"), f"{name}.{layout}")
        dup = r.findings[r.findings["check"] == "duplicate_copy"]
        assert len(dup) == 1 and dup["severity"].iloc[0] == "info", name
        assert not r.findings["check"].isin(["duplicate_row", "appeals_unreadable"]).any(), name


def test_a_report_printed_once_has_no_duplicate_copy():
    for name, v in GOLD_VALUES:
        r = gr.read_report(encode(render(v, "html"), "utf-8"), name=f"{name}.html")
        assert not (r.findings["check"] == "duplicate_copy").any(), name


def test_two_differing_copies_read_the_first_and_warn():
    name, v = next((n, v) for n, v in GOLD_VALUES if v.requests.get("received_new"))
    row = list(v.requests["received_new"])
    other = dataclasses.replace(v, requests={**v.requests, "received_new": [row[0] + 1, *row[1:6], row[6] + 1]})
    text = render(v, "tsv") + "\n" + render(other, "tsv")
    r = assert_reads_back(v, encode(text, "utf-8"), f"{name}.txt")
    dup = r.findings[r.findings["check"] == "duplicate_copy"]
    assert dup[["table", "severity"]].values.tolist() == [["requests", "warning"]]
    assert "2 cell(s) of table 3" in dup["message"].iloc[0]


# --------------------------------------------------------------------------- names and dates from any page
CRAWLER = SHARED / "reports" / "crawler" / "pingtan_zone_gov_2021.txt"
CRAWLER_GOLD = SHARED / "gold" / "crawler.json"


@pytest.mark.shared
@pytest.mark.skipif(not CRAWLER.exists() or not CRAWLER_GOLD.exists(), reason="../shared/reports/crawler absent")
def test_crawler_page_header_gives_agency_and_published():
    """meta.py reads a crawled page's metadata header whatever its body looks like."""
    from govreports.agencies import expand_agency
    from govreports.meta import find_agency, find_published

    g = json.loads(CRAWLER_GOLD.read_text(encoding="utf-8"))[CRAWLER.name]
    text = CRAWLER.read_text(encoding="utf-8")
    lines = text.split("\n")
    printed, where = find_agency(lines)
    assert g["agency_as_printed"].startswith(printed + " ") and where == "title"
    assert expand_agency(printed, text) == g["agency"]
    header_date = next(x for x in lines[:10] if x.startswith("发布时间:")).split(":", 1)[1].strip()[:10]
    assert find_published(lines) == (header_date, "page")


def test_page_header_fields_come_before_the_body():
    from govreports.meta import find_agency, find_published

    v = GOLD_VALUES[0][1]
    body = render(v, "tsv").replace(f"{v.agency}{v.year}年", f"{v.year}年")  # no name in the title
    head = f"标题: 政府信息公开工作年度报告\n发布时间: 2022-01-28 09:30\n发布机构: {v.agency}\n原文链接: https://x/y.htm\n"
    lines = (head + body).split("\n")
    assert find_agency(lines) == (v.agency, "header")
    assert find_published(lines) == ("2022-01-28", "page")
    r = gr.read_report(encode(head + body, "utf-8"), name="crawled.txt")
    assert (r.meta.agency_as_printed, r.meta.published, r.meta.published_source) == (v.agency, "2022-01-28", "page")


@pytest.mark.parametrize("sentence, name", [
    ("根据《条例》要求，市科委编制了2021年政府信息公开工作年度报告。", "市科委"),
    ("现公布区统计局2021年政府信息公开工作年度报告。", "区统计局"),
    ("特此公布县委机构编制委员会办公室2021年政府信息公开工作年度报告", "县委机构编制委员会办公室"),
])
def test_a_name_is_cut_from_the_verbs_around_it(sentence, name):
    from govreports.meta import find_agency

    got, _ = find_agency([sentence, "一、总体情况", "2021年，我局认真贯彻落实《条例》。"])
    assert got == name


@pytest.mark.parametrize("layout", ["tsv", "html", "csv"])
def test_published_is_the_date_printed_at_the_end(layout):
    for name, v in GOLD_VALUES[:6]:
        r = gr.read_report(encode(render(v, layout), "utf-8"), name=f"{name}.{layout}")
        assert (r.meta.published, r.meta.published_source) == (f"{v.year + 1}-01-15", "signature"), name


def test_a_page_date_line_wins_over_the_signature_and_statistics_dates_are_not_it():
    v = GOLD_VALUES[0][1]
    page = render(v, "html").replace("<span>来源：本站</span>", "<span>来源：本站</span> <span>发布日期：2022年02月08日</span>")
    r = gr.read_report(encode(page, "utf-8"), name="x.html")
    assert (r.meta.published, r.meta.published_source) == ("2022-02-08", "page")
    text = "统计时间：2021年1月1日至2021年12月31日\n" + render(v, "tsv")
    r = gr.read_report(encode(text, "utf-8"), name="x.txt")
    assert r.meta.published_source == "signature"


# --------------------------------------------------------------------------- prose restatements in other words
@pytest.mark.parametrize("sentence, figure", [
    ("全年共受理政府信息公开申请{n}件。", "received_new"),
    ("本机关受理公民、法人和其他组织提出的政府信息公开申请{n}件。", "received_new"),
    ("全年共办理政府信息公开申请{n}件。", "handled"),
    ("全年办结各类申请{n}件。", "outcome_total"),
])
def test_prose_in_other_words_is_checked_against_table_3(sentence, figure):
    """The bad case: 共受理政府信息公开申请2件 against a table 3 of 3 went unflagged."""
    name, v = next((n, v) for n, v in GOLD_VALUES if v.requests.get("received_new", [0])[-1] >= 2
                   and not v.requests.get("carried_over", [0])[-1])
    received = v.requests["received_new"][-1]
    printed = render(v, "tsv")
    said = f"全年共收到政府信息公开申请{received}件。"
    assert said in printed
    for n, flagged in ((received, False), (received - 1, True)):
        r = gr.read_report(encode(printed.replace(said, sentence.format(n=n)), "utf-8"), name=f"{name}.txt")
        f = r.findings[r.findings["check"] == "text_table"]
        assert (figure in set(f["key"])) == flagged, (n, f["message"].tolist())
        if flagged:
            assert (f.loc[f["key"] == figure, "severity"] == "warning").all()


def test_a_table_of_contents_is_not_a_first_copy():
    v = GOLD_VALUES[0][1]
    toc = "\n".join(s.heading for s in template.SECTIONS) + "\n"
    r = assert_reads_back(v, encode(toc + render(v, "tsv"), "utf-8"), "toc.txt")
    assert not (r.findings["check"] == "duplicate_copy").any()
