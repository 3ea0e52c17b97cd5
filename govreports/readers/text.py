"""Plain text and markdown: each printed line becomes a :class:`Line` of cells.

Copied web pages print tables in many ways (LAYOUTS.md): tab-separated rows, markdown pipe
rows, one cell per line ending in `` |``, one cell per line with ``|`` alone between cells; crawler
text, the whole report on one line with its cells glued together, is cut apart by ``crawler.py``.
This stage only splits lines into cells; it keeps empty cells where the printing has them and
leaves the meaning of every cell to :mod:`govreports.parse`.
"""
from __future__ import annotations

from .base import Cell, Document, Line
from .crawler import MIN_LENGTH, is_flattened, unglue

_ALIGNMENT = frozenset("-: ")  # what a markdown alignment row |---|:--:| is made of


def _terminator_style(lines: list[str]) -> bool:
    """True when cells are printed one per line, each ending in ``|`` (so a lone ``|`` is an
    empty cell, not a separator between cells)."""
    ended = sum(1 for s in lines if s.endswith("|") and not s.startswith("|") and s.count("|") == 1)
    return ended >= 8


def _split_pipes(s: str, terminator: bool) -> list[str] | None:
    """Split a line on ``|``; ``None`` for a separator-only line that holds no cell."""
    if s == "|" and not terminator:
        return None
    if s.endswith("|") and s.count("|") == 1:
        parts = [s[:-1]]  # 'cell |': one cell per line, the common case
    else:
        parts = s.split("|")
        if s.startswith("|") and not terminator:
            parts = parts[1:]
        if s.endswith("|"):
            parts = parts[:-1]
        if terminator and s.startswith("|") and s != "|" and s.strip("|").strip():
            parts = parts[1:]  # '| cell' continuation of a broken row
    if parts and "-" in s and all(_ALIGNMENT.issuperset(p.strip()) and "-" in p for p in parts):
        return None  # markdown alignment row |---|---|
    return [p.strip() for p in parts]


def _row(parts: list[str], loc: str) -> Line:
    if len(parts) == 1:
        return Line([Cell(parts[0], loc)], loc, table=True)
    return Line([Cell(p, f"{loc} col {c}") for c, p in enumerate(parts, 1)], loc, table=True)


def read_text(text: str, source: str, fmt: str = "text") -> Document:
    """Given decoded text, return its lines split into cells (tabs, pipes or one per line)."""
    raw = text.split("\n")
    stripped = [s.strip() for s in raw]
    terminator = _terminator_style([s for s in stripped if "|" in s])
    lines: list[Line] = []
    glued = False
    for n, (s_raw, s) in enumerate(zip(raw, stripped), start=1):
        if not s:
            if "\t" in s_raw:  # a line holding only a tab: an empty cell (one cell per line)
                loc = f"line {n}"
                lines.append(Line([Cell("", loc)], loc, table=True))
            continue
        if len(s) >= MIN_LENGTH and is_flattened(s):  # crawler text: the whole report on this line (crawler.py)
            lines += unglue(s, n)
            glued = True
            continue
        loc = f"line {n}"
        body = s_raw.rstrip("\r\n")
        tab_parts = body.split("\t") if "\t" in body else None
        if tab_parts is not None and len(tab_parts) == 2 and not tab_parts[0].strip():
            tab_parts = None  # one cell per line, indented with a tab
        if "|" in s:
            parts = _split_pipes(s, terminator)
            if parts is None:
                continue
            lines.append(_row(parts, loc))
        elif tab_parts is not None:
            lines.append(_row([p.strip() for p in tab_parts], loc))
        else:
            lines.append(Line([Cell(s, loc)], loc))
    return Document(lines, text, fmt, glued=glued)
