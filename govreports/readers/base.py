"""The common intermediate every format reader produces: printed lines of cells.

A reader turns bytes into a :class:`Document`: the printed lines in reading order, each a list
of :class:`Cell` (the text of one table cell, or one line of prose as a single cell), each with
a ``location`` a researcher can find on the page (``line 57``, ``html table #2 row 5 col 3``,
``page 3 table #1 row 5 col 2``; ``#`` counts tables on the page, unlike 表二). Empty cells are
kept where the printing has them (an empty ``<td>``, two tabs in a row), because a blank cell
is data (SCHEMA.md: blank reads as 0 with ``blank=True``). Everything after this stage is format-blind (:mod:`govreports.parse`).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    text: str
    location: str


@dataclass(slots=True)
class Line:
    """One printed line or table row. ``table`` says whether it came from a real table
    structure (HTML/PDF/DOCX table, tab- or pipe-separated row) where cell positions matter."""

    cells: list[Cell]
    location: str
    table: bool = False


@dataclass(slots=True)
class Document:
    lines: list[Line]
    text: str  # the plain text, for meta (title, year, agency) and prose checks
    format: str  # text | markdown | html | pdf | docx
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (check, severity, message) from the reader
    cache: dict = field(default_factory=dict, repr=False)  # what a reader found beside the lines (images, OCR reads)
    glued: bool = False  # crawler text: a table cell of digits may hold several cells glued together


def check_rows(n_rows: int, table: int, source: str, max_rows: int | None) -> None:
    """Refuse a printed table of more rows than a report's table can have (``Limits.table_rows``)."""
    if max_rows is not None and n_rows > max_rows:
        from ..exceptions import ReportError
        raise ReportError(source, f"table {table} has {n_rows:,} rows: more than a report's table can have "
                                  f"(limit {max_rows:,}, GOVREPORTS_TABLE_ROWS); not read")
