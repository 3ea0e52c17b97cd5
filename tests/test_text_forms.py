"""The fast text forms the meta stages and the checks share (``meta.nfkc``, ``meta.nfkc_lines``) are
exactly what ``unicodedata`` gives, and the tidy frames keep their declared dtypes."""
from __future__ import annotations

import random
import unicodedata

import pandas as pd
import pytest

import govreports as gr
from govreports import frames
from govreports.meta import _NFKC_OF_CHAR, nfkc, nfkc_lines
from govreports.render import LAYOUTS, ReportValues, encode, random_options, render


def _reference(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def test_nfkc_of_every_bmp_character_alone_and_before_a_combining_mark():
    for code in range(0x10000):
        c = chr(code)
        assert nfkc(c) == _reference(c), hex(code)
        # a mark after it may compose with what the character becomes (Ａ + ◌̊ is Å)
        assert nfkc(c + "\u030a") == _reference(c + "\u030a"), hex(code)


def test_nfkc_of_mixed_text_with_marks_jamo_and_compatibility_ideographs():
    pool = ([chr(i) for i in (*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1100, 0x1200),
                              *range(0x3000, 0x3100), *range(0xAC00, 0xAC20), *range(0xF900, 0xFA80))]
            + list(_NFKC_OF_CHAR) * 3 + list("政府信息公开年度报告\n"))
    rng = random.Random(19)
    for _ in range(20000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert nfkc(s) == _reference(s), repr(s)
        lines = s.split("\n")
        assert nfkc_lines(lines) == [_reference(x) for x in lines], repr(s)


def test_nfkc_lines_keeps_a_line_that_holds_a_newline_whole():
    lines = ["（一）\n予以公开", "", "１２３　件", "Ａ"]
    assert nfkc_lines(lines) == [_reference(x) for x in lines]
    assert nfkc_lines([]) == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_nfkc_of_rendered_reports(layout):
    for seed in range(6):
        options = random_options(random.Random(seed)) | {"traditional": seed % 2 == 0, "fullwidth_digits": seed % 3 == 0}
        printed = render(ReportValues.synthetic(seed), layout, **options)
        text = printed if isinstance(printed, str) else printed.decode("utf-8")
        assert nfkc(text) == _reference(text)
        assert nfkc_lines(text.split("\n")) == [_reference(x) for x in text.split("\n")]


@pytest.mark.parametrize("table", frames.TABLES)
def test_frames_have_their_declared_dtypes_empty_or_not(table):
    empty = frames.empty(table)
    assert list(empty.columns) == list(frames.COLUMNS[table])
    assert [str(t) for t in empty.dtypes] == list(frames.COLUMNS[table].values())
    assert isinstance(empty.index, pd.RangeIndex) and len(empty) == 0
    row = tuple(None for _ in frames.COLUMNS[table])
    full = frames.from_records(table, [row, row])
    assert [str(t) for t in full.dtypes] == list(frames.COLUMNS[table].values())
    assert full.isna().all().all() and len(full) == 2
    assert frames.from_records(table, [dict.fromkeys(frames.COLUMNS[table])]).equals(full.iloc[:1])


def test_report_frames_hold_what_records_hold():
    r = gr.read_report(encode(render(ReportValues.synthetic(3), "tsv"), "utf-8"), name="r.txt")
    for table in ("requests", "appeals", "disclosure", "findings"):
        df = getattr(r, table)
        assert [str(t) for t in df.dtypes] == list(frames.COLUMNS[table].values())
        got = [tuple(None if pd.isna(x) else x for x in row) for row in df.itertuples(index=False, name=None)]
        assert got == [tuple(x for x in rec) for rec in r.records(table)]
