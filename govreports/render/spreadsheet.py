"""Print report values as a spreadsheet, the way archives export reports: CSV, .xlsx, .xls.

The sheet holds the document every layout prints (``text.build_document``): headings and prose
in the first column, each table as its full grid (a spanned cell's text in its first grid cell,
the cells it covers empty), an empty row after each table. A CSV export pads every row with
empty fields to the sheet's width, as spreadsheet programs do; workbooks store numbers as
numbers and, in .xlsx, the table's merged cells as merged ranges.

Layouts (``SHEET_LAYOUTS``): ``csv`` (text, encode it with :func:`govreports.render.encode`),
``xlsx`` (bytes, openpyxl) and ``xls`` (bytes, xlwt: a test dependency).
"""
from __future__ import annotations

import csv
import io
import re

from .text import Heading, Options, Paragraph, Table, build_document, grid_rows, to_traditional
from .values import ReportValues

SHEET_LAYOUTS = ("csv", "xlsx", "xls")
SHEET_NAME = "年度报告"
_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def sheet_rows(values: ReportValues, opts: Options) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Given values and options, return the sheet's rows of cell texts and its merged ranges
    (first row, first col, last row, last col; 0-based)."""
    from .docx import positions

    rows: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []
    for block in build_document(values, opts):
        if isinstance(block, Table):
            top = len(rows)
            rows.extend(grid_rows(block))
            for r, placed in enumerate(positions(block)):
                for col, cell in placed:
                    if cell.rowspan > 1 or cell.colspan > 1:
                        merges.append((top + r, col, top + r + cell.rowspan - 1, col + cell.colspan - 1))
            rows.append([])
        else:
            assert isinstance(block, (Heading, Paragraph))
            rows.append([block.text])
    if opts.traditional:
        rows = [[to_traditional(t) for t in row] for row in rows]
    return rows, merges


def _value(text: str):
    """A cell's value as a spreadsheet stores it: plain numbers as numbers, the rest as text."""
    if _PLAIN_NUMBER.match(text):
        f = float(text)
        return int(f) if f.is_integer() else f
    return text


def render(values: ReportValues, layout: str = "csv", **options) -> str | bytes:
    """Print ``values`` as a sheet in ``layout`` (``csv`` → str; ``xlsx``, ``xls`` → bytes)."""
    if layout not in SHEET_LAYOUTS:
        raise ValueError(f"unknown spreadsheet layout {layout!r}; known: {SHEET_LAYOUTS}")
    rows, merges = sheet_rows(values, Options.of(options))
    if layout == "csv":
        width = max(len(r) for r in rows)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows(r + [""] * (width - len(r)) for r in rows)
        return out.getvalue()
    if layout == "xlsx":
        return _xlsx(rows, merges)
    return _xls(rows)


def _xlsx(rows: list[list[str]], merges) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    for r, row in enumerate(rows, 1):
        for c, text in enumerate(row, 1):
            if text:
                ws.cell(row=r, column=c, value=_value(text))
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xls(rows: list[list[str]]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(SHEET_NAME)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                ws.write(r, c, _value(text))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
