"""A page that prints the report twice (a print copy, a mirror under the original).

Read as one, the two copies add up (table 2's sub-rows are summed) or collide (every table-3 row
printed twice, 30 numbers in table 4). :func:`split_copies` finds where a second copy starts:
the section headings begin again (一、总体情况 or 二、主动公开政府信息情况 after a section holding
a table) and a table's section follows again. The reader parses the first copy, compares it with the
second, and says so (``duplicate_copy``: info when the copies agree, a warning per table where
they differ).
"""
from __future__ import annotations

from . import template
from .parse import _HEADING_START, _heading
from .readers.base import Document

_ORDER = {s.key: i for i, s in enumerate(template.SECTIONS)}
_RESTARTS = ("overview", "disclosure")
_TABLES = ("disclosure", "requests", "appeals")
_MIN_TABLE_LINES = 5  # lines under a table's heading that make a table where rows are not marked


def _heading_lines(keys: list[list[str]]) -> list[tuple[int, str]]:
    """Given each line's cell keys, return (line index, section) of each line whose first key
    (its first non-empty one) is a section heading."""
    out = []
    for i, lk in enumerate(keys):
        first = lk[0] if lk and (lk[0] or len(lk) == 1) else next((k for k in lk if k), "")
        if first and first[0] in _HEADING_START and (h := _heading(first)) is not None:
            out.append((i, h))
    return out


def copy_starts(doc: Document, keys: list[list[str]]) -> list[int]:
    """Given a document and its cell keys (``parse.document_keys``), return the indices of the lines
    where a further copy of the report begins (empty for a report printed once)."""
    heads = _heading_lines(keys)
    ends = [i for i, _ in heads[1:]] + [len(doc.lines)]
    starts: list[int] = []
    last, table_seen = -1, False
    for n, ((i, h), end) in enumerate(zip(heads, ends)):
        o = _ORDER[h]
        if (h in _RESTARTS and o <= last and table_seen
                and any(h2 in _TABLES for _, h2 in heads[n + 1:])):
            starts.append(i)
            last, table_seen = -1, False
        last = max(last, o)
        # a section with a table under it (a table of contents lists the headings alone)
        table_seen = table_seen or (h in _TABLES and (end - i > _MIN_TABLE_LINES
                                                      or any(ln.table for ln in doc.lines[i + 1:end])))
    return starts


def split_copies(doc: Document, keys: list[list[str]]) -> list[tuple[Document, list[list[str]]]]:
    """Given a document and its cell keys, return ``(document, keys)`` per copy of the report it
    prints (itself when once)."""
    starts = copy_starts(doc, keys)
    if not starts:
        return [(doc, keys)]
    bounds = [0, *starts, len(doc.lines)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        lines = doc.lines[a:b]
        text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln in lines)
        part = Document(lines=lines, text=text, format=doc.format, notes=list(doc.notes))
        out.append((part, keys[a:b]))
    return out


def differing_cells(first, second) -> dict[str, int]:
    """Given two parses (``parse.Parsed``), return {table: number of cells that differ}."""
    out = {}
    for table in ("disclosure", "requests", "appeals"):
        a, b = getattr(first, table), getattr(second, table)
        n = sum(1 for k in set(a) | set(b) if k not in a or k not in b or a[k].value != b[k].value)
        if n:
            out[table] = n
    return out
