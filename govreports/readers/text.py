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
        return Line([Cell(parts[0], loc)], loc, True)
    return Line([Cell(p, f"{loc} col {c}") for c, p in enumerate(parts, 1)], loc, True)


def read_text(text: str, source: str, fmt: str = "text") -> Document:
    """Given decoded text, return its lines split into cells (tabs, pipes or one per line)."""
    raw = text.split("\n")
    terminator = None  # looked at once, when a line begins with '|' (only such lines depend on it)
    lines: list[Line] = []
    append = lines.append
    glued = False
    for n, s_raw in enumerate(raw, 1):
        s = s_raw.strip()
        if not s:
            if "\t" in s_raw:  # a line holding only a tab: an empty cell (one cell per line)
                loc = f"line {n}"
                append(Line([Cell("", loc)], loc, True))
            continue
        if len(s) >= MIN_LENGTH and is_flattened(s):  # crawler text: the whole report on this line (crawler.py)
            lines += unglue(s, n)
            glued = True
            continue
        loc = f"line {n}"
        if "|" in s:
            if s[-1] == "|" and s[0] != "|" and s.count("|") == 1:  # 'cell |': one cell per line, the common case
                cell = s[:-1].strip()
                if "-" in cell and _ALIGNMENT.issuperset(cell):
                    continue  # '--- |': an alignment row's piece (as _split_pipes)
                append(Line([Cell(cell, loc)], loc, True))
                continue
            if s[0] == "|" and terminator is None:
                terminator = _terminator_style([t for t in (r.strip() for r in raw if "|" in r)])
            parts = _split_pipes(s, bool(terminator))
            if parts is not None:
                append(_row(parts, loc))
        elif "\t" in s_raw:
            if s_raw.count("\t") == 1 and (s_raw[0] == "\t" or not s_raw.partition("\t")[0].strip()):
                append(Line([Cell(s, loc)], loc))  # one cell per line, indented with a tab
            else:
                tab_parts = s_raw.rstrip("\r\n").split("\t")
                append(Line([Cell(p.strip(), f"{loc} col {c}") for c, p in enumerate(tab_parts, 1)], loc, True))
        else:
            append(Line([Cell(s, loc)], loc))
    return Document(lines, text, fmt, glued=glued)
