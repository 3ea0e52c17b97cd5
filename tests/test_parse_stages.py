"""Parsing as a chain of plain functions: each stage returns what it found and leaves its input as
it was (no cache on the document, no module state read back), and the faster paths give what the
plain definitions give (the digit cuts of crawler text, Word-export HTML, the title found once).
Everything is rendered by govreports.render, so these tests always run."""
from __future__ import annotations

import itertools
import random
import re

from govreports import meta, split
from govreports.cells import LooseText, find_row_labels
from govreports import template
from govreports.parse import _mask_header_totals, document_keys, layout_of, parse_document, split_regions
from govreports.readers import read_document
from govreports.readers.base import Cell, Line
from govreports.readers.html import read_html
from govreports.readers.pdf import align_unruled
from govreports.render import ReportValues, encode, render


def _doc(seed: int, layout: str = "tsv"):
    return read_document(encode(render(ReportValues.synthetic(seed), layout), "utf-8"), f"s{seed}.txt")


# --------------------------------------------------------------------------- no hidden state
def test_parsing_leaves_the_document_as_it_was():
    doc = _doc(3)
    before = [[(c.text, c.location) for c in ln.cells] for ln in doc.lines]
    first = parse_document(doc, 2021)
    assert doc.cache == {}  # keys and regions are returned, never kept on the document
    assert [[(c.text, c.location) for c in ln.cells] for ln in doc.lines] == before
    again = parse_document(doc, 2021)
    assert (again.requests, again.appeals, again.disclosure, again.findings) == \
        (first.requests, first.appeals, first.disclosure, first.findings)


def test_a_layout_given_is_the_layout_made():
    doc = _doc(5, "cells")
    keys = document_keys(doc)
    layout = layout_of(doc, keys)
    assert layout.keys is keys
    assert (layout.regions, layout.closed_after) == split_regions(doc, keys)
    assert set(layout.regions) >= {"disclosure", "requests", "appeals"}
    given, made = parse_document(doc, 2021, layout), parse_document(doc, 2021)
    assert (given.requests, given.appeals, given.disclosure) == (made.requests, made.appeals, made.disclosure)


def test_header_totals_masked_in_new_keys_only():
    header = ["申请人情况", "自然人", "商业企业", template.OUTCOME_TOTAL_BARE]
    row = [template.OUTCOME_TOTAL_BARE, "1", "2", "3"]  # the （七）总计 row itself: not a header
    keys = [header, row]
    masked = _mask_header_totals(keys)
    assert keys == [["申请人情况", "自然人", "商业企业", template.OUTCOME_TOTAL_BARE], row]  # input untouched
    assert masked[0][-1] != template.OUTCOME_TOTAL_BARE and masked[0][:3] == header[:3]
    assert masked[1] == row


def test_unruled_columns_from_the_extents_that_come_with_each_line():
    heading = Line([Cell("三、收到和处理政府信息公开申请情况", "page 1 line 1")], "page 1 line 1")
    centres = [150 + 50 * i for i in range(7)]

    def row(n: int, label: str, values: dict[int, str]):
        loc = f"page 1 line {n}"
        cells = [Cell(label, f"{loc} col 1")] + [Cell(v, f"{loc} col {i + 2}") for i, v in enumerate(values.values())]
        extents = [(0.0, 100.0)] + [(centres[c] - 8.0, centres[c] + 8.0) for c in values]
        return Line(cells, loc, table=True), extents

    full = row(2, "1.属于国家秘密", {c: str(c + 1) for c in range(7)})
    sparse = row(3, "2.其他法律行政法规禁止公开", {0: "5", 6: "5"})  # blank cells print no word
    again = row(4, "3.危及“三安全一稳定”", {0: "1", 3: "2", 6: "3"})
    total = row(5, "（七）总计", {c: str(c + 2) for c in range(7)})
    end = Line([Cell("四、政府信息公开行政复议、行政诉讼情况", "page 1 line 6")], "page 1 line 6")
    lines = [(heading, None), full, sparse, again, total, (end, None)]
    align_unruled(lines)
    assert [c.text for c in sparse[0].cells] == ["2.其他法律行政法规禁止公开", "5", "", "", "", "", "", "5"]
    assert [c.text for c in again[0].cells] == ["3.危及“三安全一稳定”", "1", "", "", "2", "", "", "3"]
    assert [c.text for c in full[0].cells][1:] == [str(c + 1) for c in range(7)]


# --------------------------------------------------------------------------- faster, same answers
def _every_row_cut(run: str, width: int) -> list[tuple[int, ...]]:
    """The plain definition: every way to cut the digits into ``width`` numbers (no leading zero)
    whose last is the sum of the others, in ascending order."""
    out = []
    for cuts in itertools.combinations(range(1, len(run)), width - 1):
        bounds = (0, *cuts, len(run))
        parts = [run[a:b] for a, b in zip(bounds, bounds[1:])]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        nums = [int(p) for p in parts]
        if sum(nums[:-1]) == nums[-1]:
            out.append(tuple(nums))
    return sorted(out)


def test_row_cuts_are_every_cut_in_order():
    rng = random.Random(19)
    runs = ["0000000", "640020470", "270020130", "1000000001", "11111111111", "10" * 6,
            "95101211956", "12119511957"]  # cuts whose totals differ in length
    for _ in range(150):
        parts = [rng.choice([0, 0, 1, rng.randint(0, 9), rng.randint(10, 99), rng.randint(100, 999)]) for _ in range(6)]
        runs.append("".join(map(str, parts + [sum(parts)])))
        runs.append("".join(rng.choice("00123") for _ in range(rng.randint(7, 13))))
    for run in runs:
        assert split.group_splits(run, 1, 7) == _every_row_cut(run, 7)[:split.MAX_CANDIDATES + 1], run


def test_row_cuts_beyond_the_limit_are_the_first_in_order(monkeypatch):
    many = "111111116"  # five 1s and one 11 in any of six places, then 16: six cuts
    assert len(_every_row_cut(many, 7)) == 6
    assert split.group_splits(many, 1, 7, limit=2) == _every_row_cut(many, 7)[:3]
    monkeypatch.setattr(split, "_ROW_CUTS_CAP", 2)  # too many to sort: the search in cut order answers
    split._group_splits.cache_clear()  # cuts are cached: search again
    assert split.group_splits(many, 1, 7, limit=2) == _every_row_cut(many, 7)[:3]
    assert split.group_splits(many, 1, 7) == _every_row_cut(many, 7)


def _word_export(page: str) -> str:
    """Each character of each cell and paragraph in its own <span>, as Word's HTML export prints it."""
    out = []
    for piece in re.findall(r"<[^>]*>|&[#\w]+;|\s|[^<&\s]|&", page):  # a tag, an entity, a character
        if piece.startswith("<") or piece.isspace():
            out.append(piece)
        else:
            out.append(f"<span lang=EN-US style='font-size:10.5pt;font-family:\"宋体\"'>{piece}</span>")
    return "".join(out)


def test_word_export_spans_change_nothing_read():
    for seed in (1, 2):
        page = render(ReportValues.synthetic(seed), "html")
        body = page[page.index("<body"):]
        plain, word = read_html(body, "a.html"), read_html(_word_export(body), "b.html")
        assert word.text == plain.text
        assert [[(c.text, c.location) for c in ln.cells] for ln in word.lines] == \
            [[(c.text, c.location) for c in ln.cells] for ln in plain.lines]


def test_the_title_given_or_found_gives_the_same_year_and_agency():
    for seed in range(6):
        doc = _doc(seed, ("tsv", "markdown", "html")[seed % 3])
        lines = [" ".join(c.text for c in ln.cells) for ln in doc.lines]
        title = meta.find_title(lines)
        assert title is not None
        assert meta.find_year(doc.text, lines, title) == meta.find_year(doc.text, lines) == \
            ReportValues.synthetic(seed).year
        assert meta.find_agency(lines, False, title) == meta.find_agency(lines)


def test_loose_text_scanned_once_reads_every_suffix_alike():
    rng = random.Random(4)
    phrases = [p for r in template.REQUEST_ROWS for p in r.phrases] + ["其他", "公开", "1", "二"]
    for _ in range(60):
        text = "".join(rng.choice(phrases) for _ in range(rng.randint(1, 12)))
        loose = LooseText(text)
        for pos in range(len(text) + 1):
            assert loose.labels_from(pos) == find_row_labels(text[pos:]), (text, pos)
