"""Spreadsheets (.csv, .xlsx, .xls, WPS .et) -> :class:`Document`: one printed line per sheet row.

A report saved as a spreadsheet keeps the printed grid: one table row per sheet row, prose
paragraphs and headings in the first column, empty cells as empty fields (LAYOUTS.md). Each
non-empty sheet row becomes a :class:`Line`; its cells are located ``sheet S row R col C``.

Rows of a table are cut at that table's width (:func:`sheet_lines`), so that the empty cells of
a row printed blank stay cells (a blank cell is data) while the padding of a prose row, which
spreadsheet programs add up to the sheet's width, does not.

Workbooks are read with python-calamine (the fastest of pandas' engines on both .xlsx and .xls,
see ``benchmarks/parse_speed.py``), directly, as ``pandas.read_excel`` would give the cells
(:func:`_calamine_sheets`); pandas reads what that cannot, and says what is wrong with a broken
file; ``ENGINE`` names the engine pandas would use. CSV text is split by
the standard :mod:`csv` module after the common decoding (BOM, UTF-8, GB18030, stray bytes).
"""
from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime

from ..exceptions import ReportError, UnsupportedFormatError
from ..template import SECTIONS, label_key
from .base import Cell, Document, Line, check_rows

ENGINE = "calamine"
_NUMERIC = re.compile(r"^[\s+\-−]*[\d０-９][\d０-９,，.]*\s*$")


def _cell_text(v) -> str:
    """Given a value pandas read from a sheet, return the text the cell prints."""
    if type(v) is str:  # the common cases first: text, an empty cell (NaN), a count
        return v.replace("\r\n", "\n").strip()
    if type(v) is float and math.isnan(v):
        return ""
    if type(v) is int:
        return str(v)
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).replace("\r\n", "\n").strip()


_PROSE_LEN = 60  # a lone cell longer than this is a paragraph, never a table row's label


def _section_heading(text: str) -> bool:
    k = label_key(text)
    return 0 < len(k) <= 40 and any(sec.pattern.match(k) for sec in SECTIONS)


def sheet_lines(rows: list[list[str]], sheet: int) -> list[Line]:
    """Given a sheet's rows of cell texts (row 1 first), return its printed lines.

    A table is a run of consecutive rows with two or more filled cells, together with the short
    rows of one filled cell among or beside them (a row printed blank keeps its label alone);
    an empty row, a paragraph or a section heading ends it. Each row of a table is cut at the
    table's width, so its empty cells stay cells; every other row is one cell of prose."""
    filled = [[i for i, t in enumerate(row) if t] for row in rows]
    lone = [len(f) == 1 and len(rows[r][f[0]]) <= _PROSE_LEN and not _section_heading(rows[r][f[0]])
            for r, f in enumerate(filled)]
    width = [0] * len(rows)
    r = 0
    while r < len(rows):
        if not (len(filled[r]) >= 2 or lone[r]):
            r += 1
            continue
        end = r
        while end < len(rows) and (len(filled[end]) >= 2 or lone[end]):
            end += 1
        w = max((filled[i][-1] + 1 for i in range(r, end) if len(filled[i]) >= 2), default=0)
        for i in range(r, end):
            width[i] = w
        r = end
    lines: list[Line] = []
    for r, (row, f) in enumerate(zip(rows, filled), 1):
        if not f:
            continue
        loc = f"sheet {sheet} row {r}"
        if width[r - 1] == 0 or len(f) == 1 and f[0] >= width[r - 1]:
            text = " ".join(row[c] for c in f)
            lines.append(Line([Cell(text, f"{loc} col {f[0] + 1}")], loc))
            continue
        n = max(width[r - 1], f[-1] + 1)
        cells = [Cell(row[c] if c < len(row) else "", f"{loc} col {c + 1}") for c in range(n)]
        lines.append(Line(cells, loc, table=True))
    return lines


def _document(sheets: list[list[list[str]]], source: str) -> Document:
    lines: list[Line] = []
    for s, rows in enumerate(sheets, 1):
        lines.extend(sheet_lines(rows, s))
    if not lines:
        raise ReportError(source, "the spreadsheet holds no text (every sheet is empty)")
    text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln in lines)
    return Document(lines=lines, text=text, format="spreadsheet")


# --------------------------------------------------------------------------- CSV
_TAB_OR_PIPE = re.compile(r"[\t|]")


def looks_like_csv(text: str) -> bool:
    """True when decoded text is a comma-separated sheet: at least five rows of three or more
    fields, half of them numbers or empty (table rows), three of them four fields wide or more
    (a '1,234,567' printed alone is not a row), and no tabs or pipes in those rows.
    Prose with ASCII commas splits into words, not numbers, and is not taken for a sheet."""
    if text.count(",", 0, 200000) < 10:  # five rows of two commas cannot be there
        return False
    rows = wide = 0
    for line in text[:200000].split("\n", 2000)[:2000]:
        if line.count(",") < 2 or _TAB_OR_PIPE.search(line):
            continue
        try:
            fields = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            continue
        if len(fields) >= 3 and sum(1 for x in fields if not x.strip() or _NUMERIC.match(x)) * 2 >= len(fields):
            rows += 1
            wide += len(fields) >= 4
            if rows >= 5 and wide >= 3:
                return True
    return False


def read_csv_text(text: str, source: str, max_rows: int | None = None) -> Document:
    """Given the decoded text of a CSV export, return its rows as printed lines (more than
    ``max_rows`` rows, see :mod:`govreports.limits`, is a ReportError)."""
    try:
        rows = [[x.strip() for x in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReportError(source, f"a CSV file that cannot be split into fields ({exc})") from exc
    check_rows(len(rows), 1, source, max_rows)
    return _document([rows], source)


# --------------------------------------------------------------------------- workbooks
def _calamine_sheets(data: bytes) -> list[list[list]]:
    """Every worksheet's rows of cell values, read by python-calamine itself: what
    ``pandas.read_excel(header=None, dtype=object, engine='calamine')`` gives, without building
    a DataFrame per sheet (four times faster). pandas' one change to the values is kept: a text
    cell that is one of its missing-value markers ('', 'NA', 'N/A', 'null' ...) reads as empty.
    Any failure is left to the pandas reading, which says what is wrong with the file."""
    from pandas._libs.parsers import STR_NA_VALUES
    from python_calamine import SheetTypeEnum, load_workbook

    book = load_workbook(io.BytesIO(data))
    sheets = []
    for meta in book.sheets_metadata:
        if meta.typ == SheetTypeEnum.WorkSheet:  # pandas reads worksheets only (not chart sheets)
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append([[None if type(v) is str and v in STR_NA_VALUES else v for v in row] for row in rows])
    return sheets


def _pandas_sheets(data: bytes, source: str, kind: str) -> list[list[list]]:
    import pandas as pd

    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine=ENGINE, dtype=object)
    except ImportError as exc:
        raise UnsupportedFormatError(source, f"reading a .{kind} spreadsheet needs python-calamine ({exc})") from exc
    except Exception as exc:  # the engines raise many types on a broken or foreign file
        if kind == "et":
            raise UnsupportedFormatError(
                source, "a WPS spreadsheet (.et) that no installed library reads; save it as .xlsx "
                        f"in WPS and read that ({type(exc).__name__}: {str(exc)[:120]})") from exc
        raise ReportError(source, f"not a readable .{kind} spreadsheet ({type(exc).__name__}: {str(exc)[:200]})") from exc
    return [frame.to_numpy(dtype=object).tolist() for frame in book.values()]


def read_workbook(data: bytes, source: str, kind: str, max_rows: int | None = None) -> Document:
    """Given the bytes of a workbook (``kind`` 'xlsx', 'xls' or 'et'), return every sheet's
    rows as printed lines, sheet after sheet (a sheet of more than ``max_rows`` rows, see
    :mod:`govreports.limits`, is a ReportError)."""
    book = None
    if ENGINE == "calamine":
        try:
            book = _calamine_sheets(data)
        except Exception:  # a broken file, or python-calamine missing: the pandas reading says which
            book = None
    if book is None:
        book = _pandas_sheets(data, source, kind)
    sheets = []
    for n, rows in enumerate(book, 1):
        check_rows(len(rows), n, source, max_rows)
        sheets.append([[_cell_text(v) for v in row] for row in rows])
    return _document(sheets, source)
