"""Printed lines of cells → the template's cells. Format-blind.

The stages, each a plain function that returns what it found (nothing is kept on the document;
:class:`Layout` carries the first two to the checks and sections that need them too):

1. :func:`document_keys` gives every cell's key form; :func:`split_regions` tells which printed
   lines belong to table 2, 3 or 4 (by the section headings and the tables' own header words,
   never by position).
2. :func:`assemble_rows` walks a region's cells (:class:`RowAssembler`, one line at a time) and
   groups each run of values behind the label printed before it (``ObservedRow``). A label broken
   over lines is re-joined; a row of values with no label is kept as unlabelled.
3. :func:`place_requests`, :func:`place_disclosure`, :func:`place_appeals` put values into
   template cells: by label first; an unlabelled row only where template order leaves exactly
   one place for it (SCHEMA.md ``placed_by_order``); otherwise the cells stay missing and a
   finding says why. A number is never placed where its row or column is unknown.

The result is a :class:`Parsed`: dicts from template keys to :class:`Value`, plus findings.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, groupby, islice
from operator import itemgetter

from . import split
from . import template
from .cells import (LabelMatch, LooseText, Number, find_row_labels, is_page_footer, match_group, match_item, match_request_row, read_number,
                    split_trailing_numbers, template_marker)
from .findings import finding
from .readers.base import Cell, Document, Line
from .template import label_key


@dataclass(slots=True)
class Value:
    value: float
    blank: bool
    printed: str
    location: str
    unit: str | None = None


@dataclass(slots=True)
class ObservedRow:
    key: str                       # key form of the label as printed (joined across lines)
    match: LabelMatch | None       # table-3 rows this label names (None: unlabelled)
    item: str | None               # table-2 item it names
    location: str
    values: list[Value] = field(default_factory=list)
    closed: bool = False           # False when the text ended inside this row
    structured: bool = False       # values came from a multi-cell line
    width: int = 0                 # cells in the line that printed the label
    line_no: int = -1              # index of the line that printed the label
    inline: bool = False           # values printed on the label's own line

    @property
    def has_numbers(self) -> bool:
        for v in self.values:  # a loop, not any(): read for most cells
            if not v.blank:
                return True
        return False

    @property
    def has_values(self) -> bool:
        """Numbers or printed blank marks ('-', '/'), not just empty filler cells."""
        for v in self.values:
            if not v.blank or v.printed:
                return True
        return False


@dataclass
class Parsed:
    template: str | None = None
    template_source: str = ""
    requests: dict[tuple[str, str], Value] = field(default_factory=dict)
    appeals: dict[tuple[str, str], Value] = field(default_factory=dict)
    disclosure: dict[tuple[str, str], Value] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    regions: dict[str, int] = field(default_factory=dict)  # table -> number of lines
    truncated: bool = False
    glued: bool = False  # crawler text: a run of digits may hold several cells (split.py)
    aligned: set = field(default_factory=set)  # rows whose torn labels were aligned by order
    labels: dict = field(default_factory=dict)  # (table, key) -> (label as printed, its location, how matched)

    def find(self, check: str, message: str, **where) -> None:
        """Record a finding of the declared ``check`` (:func:`govreports.findings.finding`: its table and
        severity come from ``template.CHECKS``; a check declared for any table is given ``table=``)."""
        self.findings.append(finding(check, message, **where))


_SUB_ROWS_SOURCE = f"{template.ROW_BY_KEY[template.OTHER_NO_CORRECTION].group_label} sub-rows"  # （六）其他处理 sub-rows
_REVIEW_LABEL = next(p.label for p in template.PROCEEDINGS if p.key == "review")      # 行政复议
_UPHELD_LABEL = next(r.label for r in template.RESULTS if r.key == "upheld")          # 结果维持
_NATURAL_PERSON_LABEL = next(a.label for a in template.APPLICANTS if a.key == "natural_person")  # 自然人

# --------------------------------------------------------------------------- 1. regions
_TRAD_MARKERS = re.compile("[開報數據請處計況總於應與條關]")


@lru_cache(maxsize=1)
def _t2s():
    """The traditional → simplified converter (OpenCC), made once, when a report first needs it."""
    import opencc
    return opencc.OpenCC("t2s").convert


PROSE_KEY = "…" * 61  # the key of a cell too long to be a label or heading (no matcher accepts it)


class _Memo(dict):
    """``memo[x]`` is ``fn(x)``, made once: for what is worked out again and again from the same
    short strings (cell texts, keys: the template's labels and small numbers recur in every report).
    A plain dict lookup, cheaper than ``lru_cache`` where it is done for every cell; emptied when
    it holds ``size`` results."""

    __slots__ = ("fn", "size")

    def __init__(self, fn, size: int):
        super().__init__()
        self.fn, self.size = fn, size

    def __missing__(self, arg):
        if len(self) >= self.size:
            self.clear()
        out = self[arg] = self.fn(arg)
        return out


def _cell_key(text: str) -> str:
    """The key of a cell's text (at most 150 characters): most cells are the template's labels
    and small numbers, printed again in every report, so keys are kept once made."""
    if len(text) <= 60 and text.isascii() and text.isalnum():
        return text  # a number: its own key
    k = label_key(text)
    return k if len(k) <= 60 else PROSE_KEY


class _KeyMemo(_Memo):
    """Cell texts' keys: a text of more than 150 characters (prose) gets :data:`PROSE_KEY`
    without being normalised, and is not kept."""

    __slots__ = ()

    def __missing__(self, text: str) -> str:
        return PROSE_KEY if len(text) > 150 else super().__missing__(text)


_CELL_KEYS = _KeyMemo(_cell_key, 16384)
_TRADITIONAL_CELL_KEYS = _KeyMemo(lambda text: _CELL_KEYS[_t2s()(text)], 4096)


def document_keys(doc: Document) -> list[list[str]]:
    """Given a document, return the key form of every cell (traditional text simplified);
    prose longer than any label gets :data:`PROSE_KEY` without being normalised."""
    trad = len(_TRAD_MARKERS.findall(doc.text[:20000])) >= 5
    key = _TRADITIONAL_CELL_KEYS if trad else _CELL_KEYS
    out = []
    for line in doc.lines:
        cells = line.cells
        if len(cells) == 1:  # most lines: spared the inner loop
            out.append([key[cells[0].text]])
        else:
            out.append([key[c.text] for c in cells])
    return out


_HEADING_START = frozenset("一二三四五六123456总主收政行存其")


def _heading(key: str) -> str | None:
    """The section a cell's key opens, or None."""
    if not key or len(key) > 40 or key[0] not in _HEADING_START:
        return None
    return _section_heading(key)


@lru_cache(maxsize=4096)
def _section_heading(key: str) -> str | None:
    for s in template.SECTIONS:
        if s.pattern.match(key):
            return s.key
    return None


_TABLE_SECTIONS = ("disclosure", "requests", "appeals")  # the sections that hold tables 2, 3, 4
_DIGITS = "0123456789"
_ANY_DIGIT = re.compile(r"\d")
_REQUEST_OPENERS = (template.RECEIVED_NEW, template.CARRIED_OVER, template.CARRIED_FORWARD)
_OPENER_PHRASES = tuple(template.ROW_BY_KEY[k].phrases[0] for k in _REQUEST_OPENERS)  # 本年新收 …


def split_regions(doc: Document, keys: list[list[str]]) -> tuple[list[str | None], bool]:
    """Given a document and its cell keys, return each line's table (or None) and whether the
    last table was followed by a later section (False: the text ends inside a table)."""
    region: str | None = None
    out: list[str | None] = []
    closed_after = True
    for lk in islice(keys, len(doc.lines)):
        first = lk[0] if lk else ""
        if not first and len(lk) > 1:
            first = next((k for k in lk if k), "")  # the first non-empty key
        h, article_20, identity_note, opener = _LINE_MARKS[first]
        if h:
            region = h if h in _TABLE_SECTIONS else None
            closed_after = region is None
        elif article_20 and region not in ("requests", "appeals"):
            region, closed_after = "disclosure", False
        elif identity_note and region != "requests":
            region, closed_after = "requests", False
        elif region == "requests" and _REVIEW_LABEL in (first if len(lk) == 1 else "".join(lk)) and _opens_appeals(lk):
            region, closed_after = "appeals", False
        elif opener and region in (None, "disclosure"):
            region, closed_after = "requests", False
        out.append(region)
    return out, closed_after


def _line_marks(first: str) -> tuple[str | None, bool, bool, bool]:
    """What a line's first key says about the table it is in: the section it heads, a 第二十条
    heading of table 2, table 3's 勾稽关系 note, a row label that opens table 3 (本年新收 …)."""
    opener = False
    if len(first) <= 40:
        label = first.rstrip(_DIGITS)
        if any(p in label for p in _OPENER_PHRASES) and not _ANY_DIGIT.search(label):  # else no need to match
            m = match_request_row(label)
            opener = bool(m and m.exact and m.keys[0] in _REQUEST_OPENERS
                          and template.ROW_BY_KEY[m.keys[0]].phrases[0] in label)
    return _heading(first), first.startswith("第二十条"), "勾稽关系" in first, opener


_LINE_MARKS = _Memo(_line_marks, 16384)


def _opens_appeals(lk: list[str]) -> bool:
    """A line in table 3 that is table 4's header: 行政复议 beside other cells or beside 行政诉讼 /
    结果维持, and no table-3 row label."""
    if len(lk) == 1:
        k = lk[0]
        return _REVIEW_LABEL in k and ("行政诉讼" in k or _UPHELD_LABEL in k) and match_request_row(k) is None
    return any(_REVIEW_LABEL in k for k in lk) and (
        len(lk) > 1 or any(("行政诉讼" in k or _UPHELD_LABEL in k) for k in lk)) \
        and all(match_request_row(k) is None for k in lk if k)


@dataclass(frozen=True)
class Layout:
    """What the stages after reading share about a document: each cell's key form
    (:func:`document_keys`), each line's table (:func:`split_regions`) and whether the last table
    was followed by a later section."""

    keys: list[list[str]]
    regions: list[str | None]
    closed_after: bool


def layout_of(doc: Document, keys: list[list[str]] | None = None) -> Layout:
    """Given a document (and its cell keys, when already made), return its :class:`Layout`."""
    keys = document_keys(doc) if keys is None else keys
    regions, closed_after = split_regions(doc, keys)
    return Layout(keys, regions, closed_after)


# --------------------------------------------------------------------------- 2. rows
_HAS_SPACE = re.compile(r"[\s\u00a0\u3000]")


def _cells_of(line: Line, lk: list[str]) -> list[tuple[str, str, str, Number | None]]:
    """(text, key, location, number) for a line's cells, with 'label 1 2 3' cells split apart."""
    cells = line.cells
    if len(cells) == 1:
        c = cells[0]
        parts = _LONE_CELL_PARTS[c.text]
        if len(parts) == 1:
            t, _, num = parts[0]
            return [(t, lk[0], c.location, num)]
        return [(p, pk, c.location, num) for p, pk, num in parts]
    out = []
    for c, k in zip(cells, lk):
        parts = _CELL_PARTS[c.text]
        if len(parts) == 1:
            t, _, num = parts[0]
            out.append((t, k, c.location, num))
        else:
            loc = c.location
            out.extend((p, pk, loc, num) for p, pk, num in parts)
    return out


def _lone_cell_parts(text: str) -> tuple[tuple[str, str | None, Number | None], ...]:
    """:func:`_cell_parts` of a line's only cell; none for a page number fallen into the table."""
    return () if is_page_footer(text) else _CELL_PARTS[text]


def _cell_parts(text: str) -> tuple[tuple[str, str | None, Number | None], ...]:
    """(text, key, number) of what one cell prints: itself stripped (its key is the document's,
    left None), or the parts of 'label 1 2 3' (two or more). Table cells recur in every report."""
    t = text.strip()
    if t and not t.isdigit() and (t[-1].isdigit() or t[-1] in "件项个条") and _HAS_SPACE.search(t):
        parts = split_trailing_numbers(text)
        if parts:
            return tuple((p, label_key(p), read_number(p)) for p in parts)
    return ((t, None, read_number(t)),)


_CELL_PARTS, _LONE_CELL_PARTS = _Memo(_cell_parts, 4096), _Memo(_lone_cell_parts, 4096)


_GLUED_SIGNED = re.compile(r"^\d+(?:-\d+)+(?:\.\d+)?$")  # crawler text: '27-3133', a negative cell inside


class RowAssembler:
    """Groups the values of a region behind the label printed before them, one line at a time
    (:func:`assemble_rows`).

    ``classify(key) -> (kind, match, item)``: kind 'row' (``match``: the table-3 rows the label
    names, ``item``: the table-2 item), 'group' or 'text'. A text cell that
    follows a label with no numbers yet continues that label (a label broken over lines); values
    printed before any label on their line start an unlabelled row. Its state: the rows closed so
    far, the open row, blank cells waiting for the next cell to say whose they are, and the last
    text cell (the label of an unlabelled row's values, when they follow it).
    """

    __slots__ = ("classify", "glued", "rows", "cur", "pending", "last_text", "line_no", "width", "started", "numbers")

    def __init__(self, classify, glued: bool = False):
        self.classify = classify
        self.glued = glued
        self.rows: list[ObservedRow] = []
        self.cur: ObservedRow | None = None
        self.pending: list[Value] = []
        self.last_text = ""
        # the line being read
        self.line_no = -1
        self.width = 0
        self.started = False   # a value or label already read on this line
        self.numbers = False   # a number (not a blank) read on this line

    def close(self) -> None:
        """The open row is complete."""
        if self.cur is not None:
            self.cur.closed = True
            self.rows.append(self.cur)
        self.cur = None

    def add_line(self, line: Line, lk: list[str]) -> None:
        self.line_no = line_no = self.line_no + 1
        cells = line.cells
        self.width = width = len(cells)
        pending = self.pending
        if pending:
            pending.clear()
        glued = self.glued
        if width == 1:
            c = cells[0]
            parts = _LONE_CELL_PARTS[c.text]
            if not parts:
                return  # a page number fallen into the table
            if len(parts) == 1:  # one cell read whole (most lines of some printings): the loop below, simplified
                text, _, num = parts[0]  # (the line's flags, started and numbers, are read only in that loop)
                if num is None and glued and _GLUED_SIGNED.match(text):
                    num = _SIGNED_RUN
                if num is None:
                    self._text(lk[0], c.location)
                    return
                v = Value(num.value, num.blank, text, c.location, num.unit)
                cur = self.cur
                if cur is None:
                    self._value(v)  # a blank waits for the next cell; a number opens an unlabelled row
                else:
                    cur.values.append(v)
                    if cur.line_no == line_no:
                        cur.inline = True
                if not v.blank:
                    self.last_text = ""
                return
        self.started = self.numbers = False
        append = None  # the open row's values.append, while the values read go to it
        for c, key in zip(cells, lk):
            loc = c.location
            for text, part_key, num in _CELL_PARTS[c.text]:  # one part, but for 'label 1 2 3' in one cell
                if num is None:
                    if glued and _GLUED_SIGNED.match(text):
                        num = _SIGNED_RUN  # cut apart when placed (_split_glued_item)
                    else:
                        append = None
                        self._text(key if part_key is None else part_key, loc)
                        continue
                v = Value(num.value, num.blank, text, loc, num.unit)
                if append is None:
                    cur = self.cur
                    if cur is None or pending or not (self.started or not v.blank or width == 1):
                        self._value(v)
                        continue
                    self.started = True  # to the open row, with the values after it: _value's common case
                    if cur.line_no == line_no:
                        cur.inline = True
                    append = cur.values.append
                append(v)
                if not v.blank:
                    self.numbers = True
        cur = self.cur
        if pending and cur is not None:
            cur.values.extend(pending)  # a line of empty cells: the open row's
            pending.clear()
        if self.numbers:
            if cur is not None:
                self.close()  # a printed row ('label n n n', in cells or in one cell) ends with its line
            self.last_text = ""

    def finish(self) -> list[ObservedRow]:
        if self.cur is not None:
            self.rows.append(self.cur)  # not closed: the text ended inside this row
            self.cur = None
        return self.rows

    def _value(self, v: Value) -> None:
        multi = self.width > 1
        if v.blank and (self.cur is None or (multi and not self.started)):
            # leading empty cells of a printed row: the open row's, or the placeholders
            # of a label printed later on this line; the next cell decides
            self.pending.append(v)
            return
        self.started = True
        if self.cur is None:
            self.cur = ObservedRow(self.last_text, None, None, v.location, structured=multi)
        cur = self.cur
        cur.values.extend(self.pending)
        self.pending.clear()
        self._to_open_row(cur, v)

    def _to_open_row(self, cur: ObservedRow, v: Value) -> None:
        """Add ``v`` to the open row ``cur`` (marked inline when on the line its label began)."""
        self.started = True
        cur.values.append(v)
        if cur.line_no == self.line_no:
            cur.inline = True
        if not v.blank:
            self.numbers = True

    def _text(self, key: str, loc: str) -> None:
        if self.pending:
            self.pending.clear()
        self.started = True
        kind, match, item = self.classify(key)
        cur = self.cur
        if cur is not None and kind != "group" and not cur.has_values and (
                (kind == "text" and _fragment(key)) or _continues(cur, match, item)):
            self._continue_label(key)
            return
        if kind == "row" and cur is None and match is not None and not match.exact and self.rows \
                and self.rows[-1].match is not None and set(self.rows[-1].match.keys) >= set(match.keys):
            kind = "text"  # '计其他情形）' after the row it ends: the rest of that row's label
        if kind == "row":
            if cur is not None and cur.match is None and cur.item is None and not cur.has_numbers:
                self.cur = None
            self.close()
            width = self.width
            self.cur = ObservedRow(key, match, item, loc, structured=width > 1, width=width, line_no=self.line_no)
            return
        if cur is not None and (cur.has_values or kind == "group"):
            self.close()
        elif cur is not None and cur.match is None and cur.item is None:
            self.cur = None
        self.last_text = key

    def _continue_label(self, key: str) -> None:
        """The open row's label goes on in this cell (a label broken over lines)."""
        cur = self.cur
        joined = cur.key + key
        kind, match, item = self.classify(joined)
        if kind == "row":
            cur.match, cur.item = match, item
        cur.key = joined
        cur.line_no = self.line_no  # the label ends on this line
        cur.values.clear()


def assemble_rows(lines: list[Line], keys: list[list[str]], classify, glued: bool = False) -> list[ObservedRow]:
    """Group the values of a region behind the label printed before them (:class:`RowAssembler`)."""
    rows = RowAssembler(classify, glued)
    for line, lk in zip(lines, keys):
        rows.add_line(line, lk)
    return rows.finish()


_STRUCTURAL = template.STRUCTURAL_WORDS
# column headers of table 2 (本年处理决定数量, 本年收费金额 …): never the rest of a row's label
_HEADER_PHRASES = tuple(sorted({p for items in template.DISCLOSURE_ITEMS.values() for it in items for m in it.measures
                                for p in m.phrases}))


_SIGNED_RUN = Number(float("nan"), None, False)


@lru_cache(maxsize=4096)
def _fragment(key: str) -> bool:
    """True for a short text cell that may be the rest of a label broken over lines."""
    return (0 < len(key) <= 14 and not key.startswith(_STRUCTURAL) and _heading(key) is None
            and not any(p in key for p in _HEADER_PHRASES))


def _continues(cur: ObservedRow, match: LabelMatch | None, item: str | None) -> bool:
    """True when a label-like cell (naming the table-3 rows ``match`` or the table-2 ``item``;
    neither: not a label) is the rest of the current row's broken label."""
    if match is None and item is None:
        return False
    if cur.match is not None and match is not None and not match.exact:
        return bool(set(cur.match.keys) & set(match.keys))
    if cur.match is not None and match is not None and cur.match.keys == match.keys \
            and cur.match.exact and not cur.values:
        return True  # both halves of a wrapped label name the same row (收费通知要 / 求缴纳费用)
    if cur.item is not None and item == cur.item:
        return False
    return cur.match is None and cur.item is None and match is not None and not match.exact


def normalize_values(values: list[Value], n: int) -> tuple[list[Value] | None, str]:
    """Given the values printed after a label, return exactly ``n`` of them, or None and why.

    Filler cells ('' beyond the template's columns) are dropped from the end, then from the
    start; a row printed with empty cells only is a printed blank row.
    """
    if len(values) == n:
        return list(values), ""
    v = list(values)
    while len(v) > n and v[-1].blank and not v[-1].printed:
        v.pop()
    while len(v) > n and v[0].blank and not v[0].printed:
        v.pop(0)
    while len(v) > n and v[-1].blank:
        v.pop()
    if len(v) == n:
        return v, ""
    if v and len(v) >= n - 1 and all(x.blank for x in v):
        return [Value(0.0, True, v[0].printed if len(v) == 1 else "", v[0].location)] * n, ""
    if len(v) > n:
        return None, f"{len(v)} values where the template has {n} columns"
    return None, f"{len(v)} values where the template has {n} columns (empty cells dropped?)"


# --------------------------------------------------------------------------- 3a. table 3
_TEXT = ("text", None, None)
_GROUP = ("group", None, None)
_OUTCOME_TOTAL_ROW = ("row", LabelMatch((template.OUTCOME_TOTAL,), True), None)


def _request_kind(key: str):
    """What a table-3 cell's key is to :class:`RowAssembler` (a row's label, a group heading or
    text), and whether it names an outcome row; the same for every report, so kept per key."""
    m = match_request_row(key)
    if m is not None:
        return ("row", m, None), m.keys[0] in template.OUTCOME_KEYS
    return (_GROUP if match_group(key) else _TEXT), False


_REQUEST_KINDS = _Memo(_request_kind, 4096)


def _classify_request(seen: dict):
    """The ``classify`` of table 3 (:class:`RowAssembler`): a bare 总计 after an outcome row is （七）总计."""
    def classify(key: str):
        if not key:
            return _TEXT
        if key == template.OUTCOME_TOTAL_BARE and seen.get("outcome"):
            return _OUTCOME_TOTAL_ROW
        kind, outcome = _REQUEST_KINDS[key]
        if outcome:
            seen["outcome"] = True
        return kind
    return classify


def padded_width(lines: list[Line], keys: list[list[str]]) -> int | None:
    """The width of a table printed as a full grid (every row padded to the same number of
    cells, 自然人 … 总计 in its last seven columns), or None for a ragged printing.

    In a padded grid the values are the last seven cells of each row of that width, which
    decides rows whose blank cells could otherwise be read as filler at either end."""
    for line, lk in zip(lines, keys):
        if _NATURAL_PERSON_LABEL in lk and len(lk) >= 8:
            w = len(lk)
            if w - lk.index(_NATURAL_PERSON_LABEL) == 7:
                return w
            return None
    return None


def place_requests(rows: list[ObservedRow], parsed: Parsed, width: int | None = None,
                   sub_rows: bool | None = None) -> None:
    """Put the observed table-3 rows into template cells (see the module docstring), in passes:
    values cut to a padded grid's seven columns; values printed above their label; a table of
    labels only, or blank rows printed without cells; rows by their exact label, then labels that
    fit several rows where their neighbours leave one, then unlabelled rows where template order
    leaves one place each; glued digits cut by the identities (crawler text); the cells written;
    rows placed by order or aligned by order kept only where the identities hold.
    ``sub_rows``: :func:`_has_sub_rows` of ``rows``, when the caller has it already."""
    if width:
        _trim_padded(rows, width)
    if sub_rows is None:
        sub_rows = _has_sub_rows(rows)
    order = _ORDER_2021 if sub_rows else _ORDER_2019
    rows = _values_printed_above_labels(rows, parsed)
    if not _labels_only(rows, sub_rows, parsed):
        if parsed.glued:
            _glued_blank_rows(rows, sub_rows, parsed)
        _infer_blank_rows(rows, sub_rows, parsed)
    rows = [r for r in rows if r.values and not (sub_rows and _is_group_subtotal(r, sub_rows, parsed))]
    assigned = _assign_by_label(rows, order, parsed)
    _assign_by_neighbours(rows, assigned, order)
    _assign_by_order(rows, assigned, order, parsed)
    skip = _split_glued_rows(rows, assigned, parsed) if parsed.glued else set()
    by_order = _write_rows(rows, assigned, skip, parsed)
    if by_order:
        _verify_order_placement(by_order, parsed)
    if parsed.aligned:
        _verify_aligned(sorted(parsed.aligned & {k for k, _ in parsed.requests}), parsed)


_SUB_ROW_KEYS = (template.OTHER_NO_CORRECTION, template.OTHER_UNPAID_FEE)  # （六）其他处理's first two sub-rows (2021)
_SUB_ROW_SET = frozenset(_SUB_ROW_KEYS)
# table 3's rows in template order, with and without the sub-rows
_ORDER_2021 = tuple(r.key for r in template.REQUEST_ROWS)
_ORDER_2019 = tuple(k for k in _ORDER_2021 if k not in _SUB_ROW_SET)


def _has_sub_rows(rows: list[ObservedRow]) -> bool:
    """True when a sub-row of （六）其他处理 is printed with its exact label (the 2021 template)."""
    for r in rows:  # a loop, not any(): done for every row of every report
        m = r.match
        if m is not None and m.exact and not _SUB_ROW_SET.isdisjoint(m.keys):
            return True
    return False


def _trim_padded(rows: list[ObservedRow], width: int) -> None:
    """In a table printed as a full grid, a row's values are the last seven cells of its line."""
    for r in rows:
        if r.structured and r.width == width and len(r.values) > 7:
            r.values = r.values[-7:]


def _assign_by_label(rows: list[ObservedRow], order: list[str], parsed: Parsed) -> list[str | None]:
    """Each row whose label names one row of ``order``: that row (a second printing is ignored)."""
    assigned: list[str | None] = [None] * len(rows)
    taken: set[str] = set()
    placeable = set(order)
    for i, r in enumerate(rows):
        if r.match and len(r.match.keys) == 1 and r.match.keys[0] in placeable:
            k = r.match.keys[0]
            if k in taken:
                parsed.find("duplicate_row",
                            f"row {k} printed twice; the second printing ({r.location}) is ignored",
                            key=k, location=r.location)
                continue
            assigned[i] = k
            taken.add(k)
    return assigned


def _assign_by_neighbours(rows: list[ObservedRow], assigned: list[str | None], order: list[str]) -> None:
    """A label that fits several rows: the one of them its placed neighbours leave room for."""
    if None not in assigned:
        return  # every row placed by its label (most tables)
    pos = {k: i for i, k in enumerate(order)}
    taken = set(assigned) - {None}
    for i, r in enumerate(rows):
        if assigned[i] is not None or r.match is None or len(r.match.keys) == 1 and r.match.keys[0] in taken:
            continue
        lo, hi = _neighbours(assigned, pos, i, len(order))
        cands = [k for k in r.match.keys if k in pos and lo < pos[k] < hi and k not in taken]
        if len(cands) == 1:
            assigned[i] = cands[0]
            taken.add(cands[0])


def _assign_by_order(rows: list[ObservedRow], assigned: list[str | None], order: list[str], parsed: Parsed) -> None:
    """Each run of unplaced rows between placed ones: placed in template order where the run has
    exactly as many rows as the free rows between its neighbours; otherwise left missing."""
    if None not in assigned:
        return  # every row placed
    pos = {k: i for i, k in enumerate(order)}
    taken = set(assigned) - {None}
    i = 0
    while i < len(rows):
        m = rows[i].match
        if assigned[i] is not None or (m is not None and len(m.keys) == 1 and m.keys[0] in taken):
            i += 1
            continue
        j = i
        while j < len(rows) and assigned[j] is None:
            j += 1
        lo, hi = _neighbours(assigned, pos, i, len(order))
        free = [k for k in order[lo + 1:hi] if k not in taken]
        run = list(range(i, j))
        if len(free) == len(run):
            for idx, k in zip(run, free):
                assigned[idx] = k
                taken.add(k)
                rows[idx].match = LabelMatch((k,), False, "order")
        else:
            for idx in run:
                parsed.find("unlabelled_row",
                            "values printed without a row label that template order cannot place "
                            f"({len(run)} such rows for {len(free)} free rows); left missing",
                            location=rows[idx].location)
        i = j


def _write_rows(rows: list[ObservedRow], assigned: list[str | None], skip: set[int], parsed: Parsed) -> list[str]:
    """Write each placed row's seven values into its cells; return the rows placed by order."""
    by_order: list[str] = []
    cells, labels = parsed.requests, parsed.labels
    for i, (r, k) in enumerate(zip(rows, assigned)):
        if k is None or i in skip:
            continue
        vals = r.values
        if len(vals) != 7:  # seven values (most rows): nothing to normalise
            vals, why = normalize_values(vals, 7)
            if not r.closed and (vals is None or len(r.values) < 7):
                parsed.truncated = True  # the text ends inside this row
                continue
            if vals is None:
                _partial_row(r, k, why, parsed)
                continue
        cells.update(zip(_ROW_CELLS[k], vals))
        m = r.match
        if m is None or m.exact:
            labels[("requests", k)] = (r.key, r.location, "exact")
        else:
            how = m.how
            labels[("requests", k)] = (r.key, r.location, how)
            if how == "order":
                by_order.append(k)
                parsed.find("placed_by_order",
                            f"row {k} ({template.ROW_BY_KEY[k].label}) has no printed label; placed by template order",
                            key=k, location=r.location)
            else:
                parsed.find("label_inexact",
                            f"label '{r.key}' matched to {k} ({template.ROW_BY_KEY[k].label}) by {how}",
                            key=k, location=r.location)
    return by_order


_ROW_CELLS = {r.key: tuple((r.key, a) for a in template.APPLICANT_KEYS) for r in template.REQUEST_ROWS}  # row -> its 7 cells


def _value_row(line: Line) -> bool:
    """A printed table row of values only (seven or more cells, each a number or empty)."""
    if len(line.cells) < 7 or read_number(line.cells[0].text) is None:
        return False
    texts = [c.text for c in line.cells]
    return all(map(read_number, texts)) and sum(map(bool, map(str.strip, texts))) <= 7  # a Number is never falsy


def _align_torn_labels(lines: list[Line], keys: list[list[str]], parsed: Parsed):
    """A PDF turned into markdown can tear a block of row labels from their rows: the labels come
    out as loose wrapped text, then a small table of unlabelled value rows. Where the loose text
    names as many rows, in template order, as the value rows that follow it, each value row gets
    its label back (checked against the identities once placed, ``labels_aligned``); where the
    counts differ, the loose text is dropped so that no value row is taken for the wrong label,
    and the rows stay unlabelled (placed only where template order leaves one place)."""
    if max(map(len, keys), default=0) < 7 or not any(map(_value_row, lines)):
        return lines, keys  # no row of values without a label (most printings): nothing to align
    return _aligned(lines, keys, parsed)


def _aligned(lines: list[Line], keys: list[list[str]], parsed: Parsed):
    """:func:`_align_torn_labels` without its shortcut: each run of loose lines, and the value rows after it."""
    out_l: list[Line] = []
    out_k: list[list[str]] = []
    i, n = 0, len(lines)
    while i < n:
        j = i
        while j < n and len(lines[j].cells) == 1 and not lines[j].table and keys[j][0]:
            j += 1
        k, m = _value_rows_after(lines, keys, j) if j > i else (j, j)
        if m == k:  # no value rows follow: no line of the run (or line i, outside one) starts a block of labels
            end = max(j, i + 1)
            out_l += lines[i:end]
            out_k += keys[i:end]
            i = end
            continue
        run, offset = LooseText("".join(keys[x][0] for x in range(i, j))), 0  # the run of loose lines, scanned once
        while i < j:
            labels = run.labels_from(offset)
            offset += len(keys[i][0])
            if len(labels) >= 2 and not _out_of_order(labels):
                break  # a block of loose labels starts here
            out_l.append(lines[i])  # no block of loose labels starts here
            out_k.append(keys[i])
            i += 1
        if i == j:
            continue
        if len(labels) == m - k:
            for (phrase, key), line in zip(labels, lines[k:m]):
                cells = [c for c in line.cells][-7:]
                loc = lines[i].location
                out_l.append(Line([Cell(phrase, loc)] + cells, line.location, table=True))
                out_k.append([phrase] + [label_key(c.text) for c in cells])
                parsed.aligned.add(key)
        else:
            out_l += lines[k:m]
            out_k += keys[k:m]
            parsed.find("unlabelled_row",
                        f"{len(labels)} row labels printed as loose text ({lines[i].location}) before {m - k} rows of "
                        "values without labels: they cannot be aligned one to one; the labels are not used")
        i = m
    return out_l, out_k


def _value_rows_after(lines: list[Line], keys: list[list[str]], j: int) -> tuple[int, int]:
    """Where the value rows after a run of loose lines ending at ``j`` begin and end (k == m: none),
    past a header over them ('数据 | 数据 | …')."""
    n = len(lines)
    k = j
    while k < n and len(lines[k].cells) > 1 and not _value_row(lines[k]) \
            and not any(read_number(c.text) is not None and c.text.strip() for c in lines[k].cells) \
            and not any(find_row_labels(x) for x in keys[k]):
        k += 1
    m = k
    while m < n and _value_row(lines[m]):
        m += 1
    return k, m


def _out_of_order(labels: list[tuple[str, str]]) -> bool:
    """True unless the labels name rows in template order, each once."""
    pos = [_ROW_POSITION[key] for _, key in labels]
    return pos != sorted(set(pos))


def _glued_run(values: list[Value]) -> str | None:
    """The digits of a row printed as one run of glued digits (crawler text), else None."""
    if len(values) == 1 and values[0].printed.isdigit() and not values[0].blank:
        return values[0].printed
    return None


def _cut_values(v: Value, cells: tuple) -> list[Value]:
    """The cells of a run cut apart, each located by its digits within the run."""
    loc = v.location
    return [Value(x, False, t, loc + digits) for x, t, digits in _cut_parts(cells)]


@lru_cache(maxsize=4096)
def _cut_parts(cells: tuple) -> tuple[tuple[float, str, str], ...]:
    """(value, digits, ' digits a-b') of each cell of a cut (the same cuts recur: '0000000')."""
    out, pos = [], 0
    for x in cells:
        t = str(x)
        end = pos + len(t)
        out.append((float(x), t, f" digits {pos + 1}-{end}"))
        pos = end
    return tuple(out)


def _show_cuts(run: str, cuts: list[tuple]) -> str:
    shown = " or ".join("|".join(map(str, c)) for c in cuts[:6])
    more = f" … ({len(cuts)}{'+' if len(cuts) > split.MAX_CANDIDATES else ''} cuts)" if len(cuts) > 6 else ""
    return f"'{run}' = {shown}{more}" if cuts else f"'{run}': no cut satisfies the identities"


def _split_glued_rows(rows: list[ObservedRow], assigned: list[str | None], parsed: Parsed) -> set[int]:
    """Crawler text: cut each row printed as one run of digits into its seven cells with the
    identities (split.py); a row with no single cut left is skipped (missing, with a warning)."""
    runs = {k: _glued_run(r.values) for r, k in zip(rows, assigned) if k is not None}
    runs = {k: v for k, v in runs.items() if v is not None}
    if not runs:
        return set()
    cands = split.row_runs(runs)
    for r, k in zip(rows, assigned):
        if k is not None and k not in runs and k not in cands:
            vals, _ = normalize_values(r.values, 7)
            if vals is not None and all(v.value == v.value for v in vals):  # printed whole: one 'cut'
                cands[k] = split.RowRun(k, "", [tuple(int(v.value) for v in vals)])
    idents = split.column_identities([k for k in assigned if k is not None], template.OUTCOME_KEYS)
    sol = split.solve_requests(cands, idents)
    skip = set()
    for i, (r, k) in enumerate(zip(rows, assigned)):
        if k not in runs:
            continue
        label = template.ROW_BY_KEY[k].label
        if k in sol.chosen:
            r.values = _cut_values(r.values[0], sol.chosen[k])
            how = "the row total and the column identities" if sol.consistent else \
                "the row total alone (the column identities hold for no cut)"
            parsed.find("split_by_identity",
                        f"row {k} ({label}) printed as the glued digits '{runs[k]}': cut as "
                        f"{'|'.join(map(str, sol.chosen[k]))}, the only cut that satisfies {how}",
                        key=k, location=r.location, table="requests")
        else:
            skip.add(i)
            left = sol.open.get(k, [])
            parsed.find("split_ambiguous",
                        f"row {k} ({label}) printed as glued digits {_show_cuts(runs[k], left)}; "
                        "the row stays missing", key=k, location=r.location, table="requests")
    return skip


def _sums_hold(keys: list[str], cells) -> bool:
    """Each of ``keys`` sums to its total, and in every column the outcome rows sum to （七）总计
    (an identity with a cell not printed is skipped)."""
    def holds(total, parts) -> bool:
        if total not in cells or any(p not in cells for p in parts):
            return True
        return abs(cells[total].value - sum(cells[p].value for p in parts)) < 1e-9

    return (all(holds((k, "total"), [(k, a) for a in template.APPLICANT_PARTS]) for k in keys)
            and all(holds((template.OUTCOME_TOTAL, a), [(o, a) for o in template.OUTCOME_KEYS if (o, a) in cells])
                    for a in template.APPLICANT_KEYS))


def _identities_hold(keys: list[str], cells) -> bool:
    """:func:`_sums_hold`, and the balance holds in every column."""
    def balance(a: str) -> bool:
        got = [cells.get((r, a)) for r in (template.RECEIVED_NEW, template.CARRIED_OVER, template.OUTCOME_TOTAL, template.CARRIED_FORWARD)]
        return None in got or abs(got[0].value + got[1].value - got[2].value - got[3].value) < 1e-9

    return _sums_hold(keys, cells) and all(balance(a) for a in template.APPLICANT_KEYS)


def _verify_aligned(keys: list[str], parsed: Parsed) -> None:
    """Rows whose torn labels were aligned by order stand only if every identity holds with them."""
    if not keys:
        return
    if _identities_hold(keys, parsed.requests):
        parsed.find("labels_aligned",
                    f"rows {', '.join(keys)}: their labels are printed apart from their values (loose text before "
                    "unlabelled rows); aligned in template order, and every identity holds", key=";".join(keys))
        return
    for k in keys:
        for a in template.APPLICANT_KEYS:
            parsed.requests.pop((k, a), None)
    parsed.find("unlabelled_row",
                f"rows {', '.join(keys)}: labels printed apart from their values would align in template order, but "
                "the identities do not hold with them; left missing", key=";".join(keys))


def _verify_order_placement(keys: list[str], parsed: Parsed) -> None:
    """SCHEMA.md: rows placed by template order stand only if the identities hold afterwards
    (each such row sums to its total, and every column's outcome rows sum to （七）总计)."""
    cells = parsed.requests
    if _sums_hold(keys, cells):
        return
    for k in keys:
        for a in template.APPLICANT_KEYS:
            cells.pop((k, a), None)
    parsed.findings = [f for f in parsed.findings if not (f["check"] == "placed_by_order" and f["key"] in keys)]
    parsed.find("unlabelled_row",
                f"rows without labels ({', '.join(keys)}) would fit by template order, but the identities do not "
                "hold with them; left missing", key=";".join(keys))


def _values_printed_above_labels(rows: list[ObservedRow], parsed: Parsed) -> list[ObservedRow]:
    """PDF text layers centre a row's numbers vertically, so in a tall row they can come out on
    the line above its label ('1 0 0 0 0 0 1' then '1.属于国家秘密'). Seven unlabelled values
    directly followed by a label with none of its own are that label's, with a warning."""
    for r in rows[:-1]:
        if r.match is None:
            break
    else:
        return rows  # every row but the last labelled (most tables): no values above a label
    out: list[ObservedRow] = []
    for r, nxt in zip(rows, rows[1:] + [None]):
        if (r.match is None and nxt is not None and len(r.values) == 7 and r.has_numbers and not nxt.values
                and nxt.match is not None and nxt.match.exact and len(nxt.match.keys) == 1 and nxt.closed):
            nxt.values = r.values
            key = nxt.match.keys[0]
            parsed.find("values_above_label",
                        f"row {key} ({template.ROW_BY_KEY[key].label}): its label is printed alone and the seven values "
                        "on the line above it have no label; read as this row's", key=key, location=r.location)
            continue
        out.append(r)
    return out


def _blank_label(r: ObservedRow, sub_rows: bool) -> str | None:
    """The row an exactly printed label names when it may be a blank row (not （六）其他处理
    heading its three sub-rows), else None."""
    if r.has_values or not (r.match and r.match.exact and len(r.match.keys) == 1):
        return None
    key = r.match.keys[0]
    if key == template.OTHER_OTHER and sub_rows and template.OTHER_OTHER_SUBROW_KEY not in r.key:
        return None
    return key


def _labels_only(rows: list[ObservedRow], sub_rows: bool, parsed: Parsed) -> bool:
    """A table 3 an agency left empty, printed by a text extraction that dropped every empty
    cell: its row labels in template order and not one number. Every row whose label is printed
    (and ended: a label the text ends after stays missing, unless its seven empty cells, lone
    ``|``, are printed) is read as blank (0), with ``printed_blank``. True when the table is
    printed so."""
    if any(r.has_values for r in rows):
        return False
    labelled = [(r, k) for r in rows if (k := _blank_label(r, sub_rows)) is not None]
    pos = [_ROW_POSITION[k] for _, k in labelled]
    if len(labelled) < 3 or pos != sorted(set(pos)) or len(labelled) < len([r for r in rows if r.match]) - 1:
        return False
    done = [(r, k) for r, k in labelled if r.closed]
    for r, _ in done:
        r.values = [Value(0.0, True, "", r.location)] * 7
    cut = len(done) < len(labelled)
    parsed.find("printed_blank",
                f"table 3 prints {len(done)} row labels in template order and not one number (its empty cells "
                "dropped): read as blank (0)" + ("; the text ends inside it, the rows after are missing" if cut else ""),
                location=done[0][0].location if done else "", table="requests")
    if cut:
        parsed.truncated = True
    return True


def _glued_blank_rows(rows: list[ObservedRow], sub_rows: bool, parsed: Parsed) -> None:
    """Crawler text prints an empty cell as nothing, so a blank row is its label glued to the next
    label: read as seven blank cells, with a warning."""
    for r in rows:
        key = _blank_label(r, sub_rows)
        if key is None or not r.closed:
            continue
        r.values = [Value(0.0, True, "", r.location)] * 7
        parsed.find("blank_row_inferred",
                    f"row {key} ({template.ROW_BY_KEY[key].label}) printed as its label alone, glued to the next label "
                    "(crawler text prints empty cells as nothing): read as a blank row (0)", key=key, location=r.location)


def _is_group_subtotal(r: ObservedRow, sub_rows: bool, parsed: Parsed) -> bool:
    """Where （六）其他处理 has its three sub-rows, a row labelled （六）其他处理 itself is the
    group's heading or subtotal, not the template row other.other (that is '3.其他')."""
    if not (sub_rows and r.match and r.match.keys == (template.OTHER_OTHER,) and r.match.exact):
        return False
    if template.OTHER_OTHER_SUBROW.search(r.key[-3:]) or r.key.endswith(template.OTHER_OTHER_SUBROW_KEY):
        return False
    if r.has_numbers:
        parsed.find("group_subtotal",
                    "（六）其他处理 printed with its own values above its three sub-rows: read as the group's "
                    "subtotal, not as other.other", key=template.OTHER_OTHER, location=r.location)
    return True


def _infer_blank_rows(rows: list[ObservedRow], sub_rows: bool, parsed: Parsed) -> None:
    """A text layer prints each row as 'label n n n n n n n' on one line and a blank row as its
    label alone. Where both neighbours carry their values on their own line, a label printed
    alone between them is such a blank row: read as 7 blank cells, with a warning."""
    for i, r in enumerate(rows):
        if r.values or not r.closed or not (r.match and r.match.exact and len(r.match.keys) == 1):
            continue
        key = r.match.keys[0]
        if key == template.OTHER_OTHER and sub_rows and template.OTHER_OTHER_SUBROW_KEY not in r.key:
            continue  # （六）其他处理 heading its three sub-rows
        prev = next((x for x in reversed(rows[:i]) if x.values and x.has_numbers), None)
        nxt = next((x for x in rows[i + 1:] if x.values and x.has_numbers), None)
        lo = rows.index(prev) + 1 if prev else 0
        hi = rows.index(nxt) if nxt else len(rows)
        spaced = lambda x: x.inline and not x.structured  # noqa: E731 - 'label n n n' in one printed cell
        if not ((prev or nxt) and (prev is None or spaced(prev)) and (nxt is None or (spaced(nxt) and nxt.match))
                and all(not x.values or spaced(x) for x in rows[lo:hi]) and rows[hi - 1].closed) \
                and not _in_template_order(prev, r, nxt):
            continue
        r.values = [Value(0.0, True, "", r.location)] * 7
        r.inline, r.structured = True, False
        parsed.find("blank_row_inferred",
                    f"row {key} ({template.ROW_BY_KEY[key].label}) printed with no values between rows that print "
                    "theirs on their own line: read as a blank row (0)", key=key, location=r.location)


_ROW_POSITION = {k: i for i, k in enumerate(template.REQUEST_KEYS)}


def _in_template_order(prev: ObservedRow | None, r: ObservedRow, nxt: ObservedRow | None) -> bool:
    """True when a label printed alone sits between two rows that print their values beside
    their labels, in template order (a label printed out of order is a loose line of a broken
    printing, not a blank row: shanghai_gov_office_2025.md)."""
    if not (prev and nxt and prev.values and nxt.values and prev.match and nxt.match
            and len(prev.match.keys) == 1 and len(nxt.match.keys) == 1):
        return False
    p, c, n = (_ROW_POSITION[x.match.keys[0]] for x in (prev, r, nxt))
    return p < c < n


def _neighbours(assigned, pos, i, n) -> tuple[int, int]:
    lo = next((pos[assigned[j]] for j in range(i - 1, -1, -1) if assigned[j] is not None), -1)
    hi = next((pos[assigned[j]] for j in range(i + 1, len(assigned)) if assigned[j] is not None), n)
    return lo, hi


def _partial_row(r: ObservedRow, k: str, why: str, parsed: Parsed) -> None:
    nums = [v for v in r.values if not v.blank]
    label = template.ROW_BY_KEY[k].label
    if len(r.values) < 7 and len(nums) >= 2 and abs(sum(v.value for v in nums[:-1]) - nums[-1].value) < 1e-9:
        parsed.requests[(k, "total")] = nums[-1]
        parsed.find("columns_ambiguous",
                    f"row {k} ({label}): {why}; only the total ({nums[-1].printed}) can be placed, "
                    "the applicant columns stay missing", key=k, location=r.location, table="requests")
    else:
        parsed.find("columns_ambiguous",
                    f"row {k} ({label}): {why}; the row stays missing", key=k, location=r.location, table="requests")


# --------------------------------------------------------------------------- 3b. table 2
def _template_marker(key: str) -> str | None:
    """The template a cell's key marks as table 2's (:func:`template_marker`); header cells recur in every report."""
    return template_marker(key) if key and len(key) <= 30 else None


_TEMPLATE_MARKERS = _Memo(_template_marker, 4096)


def detect_template(lines_keys: list[list[str]]) -> str | None:
    votes = Counter(filter(None, map(_TEMPLATE_MARKERS.__getitem__, chain.from_iterable(lines_keys))))
    if votes["2019"] == votes["2021"]:
        return None
    return max(("2019", "2021"), key=votes.__getitem__)


def _classify_item(key: str):
    """The ``classify`` of table 2 (:class:`RowAssembler`)."""
    if not key:
        return _TEXT
    item = match_item(key, "2019") or match_item(key, "2021")
    if item:
        return "row", None, item
    return _TEXT


def place_disclosure(rows: list[ObservedRow], tpl: str, header_units: set[str], parsed: Parsed) -> None:
    """Put observed table-2 rows into item × measure cells; sub-rows of an item are summed."""
    items = {it.key: it for it in template.DISCLOSURE_ITEMS[tpl]}
    current: str | None = None
    sums: dict[str, list[list[Value]]] = {}
    for r in rows:
        if r.item is not None:
            current = r.item if r.item in items else None
            if current is None:
                continue
            target = current
        elif current is not None and items[current].sub_rows_sum and r.values:
            target = current
        else:
            if r.has_numbers:
                parsed.find("non_template_row",
                            f"table 2 row '{r.key}' is not part of the template; not read", location=r.location)
            continue
        it = items[target]
        if parsed.glued and len(it.measures) > 1 and (cut := _split_glued_item(r, it, parsed)) is not True:
            if cut is None:
                continue
            r.values = cut
        if not r.closed and len(r.values) < len(it.measures):
            parsed.truncated = True
            continue
        vals, why = normalize_values(r.values, len(it.measures))
        if vals is None:
            parsed.find("columns_ambiguous",
                        f"item {target} ({it.label}): {why}; left missing", key=target, location=r.location, table="disclosure")
            continue
        sums.setdefault(target, []).append(vals)
        parsed.labels.setdefault(("disclosure", target), (r.key, r.location, "item label"))
    for key, printings in sums.items():
        it = items[key]
        for mi, m in enumerate(it.measures):
            cells = [p[mi] for p in printings]
            if len(cells) == 1:
                v = cells[0]
            else:
                v = Value(sum(c.value for c in cells), all(c.blank for c in cells),
                          " + ".join(c.printed or "''" for c in cells), "; ".join(c.location for c in cells), cells[0].unit)
            if m.unit == "10k_yuan":
                v = _to_10k_yuan(v, key, m, header_units, parsed)
            parsed.disclosure[(key, m.key)] = v


def _split_glued_item(r: ObservedRow, it: template.DisclosureItem, parsed: Parsed):
    """Crawler text: a table-2 item's measures glued into one run. No identity relates them, so
    the run is cut only when one cut exists ('000'); else None (missing, with a warning). True:
    the item is not printed as one run."""
    if len(r.values) != 1 or r.values[0].blank:
        return True
    v = r.values[0]
    digits, dot, frac = v.printed.partition(".")
    if not digits.replace("-", "").isdigit() or (dot and not frac.isdigit()):
        return True
    cuts = split.signed_splits(digits, len(it.measures))
    if len(cuts) == 1:
        cells = _cut_values(v, cuts[0])
        if dot:  # the decimals belong to the last measure (an amount)
            last = cells[-1]
            cells[-1] = Value(float(f"{last.printed}.{frac}"), False, f"{last.printed}.{frac}",
                              last.location.rsplit("-", 1)[0] + f"-{len(v.printed)}")
        parsed.find("split_by_identity",
                    f"item {it.key} ({it.label}) printed as the glued digits '{v.printed}': the only cut is "
                    + "|".join(c.printed for c in cells), key=it.key, location=r.location, table="disclosure")
        return cells
    parsed.find("split_ambiguous",
                f"item {it.key} ({it.label}) printed as glued digits {_show_cuts(v.printed, cuts)}; no identity "
                "decides between them: left missing", key=it.key, location=r.location, table="disclosure")
    return None


_MONEY_HEADER = re.compile(r"(?:金额|金額)(?:单位)?(万元|亿元|元)")


def money_header_units(keys: list[list[str]]) -> set[str]:
    """The unit table 2's money header declares ('采购总金额（万元）', '本年收费金额（单位：元）')."""
    return set(filter(None, map(_MONEY_UNITS.__getitem__, chain.from_iterable(keys))))


def _money_unit(key: str) -> str | None:
    m = _MONEY_HEADER.search(key) if len(key) < 30 else None
    return m.group(1) if m else None


_MONEY_UNITS = _Memo(_money_unit, 4096)


def _to_10k_yuan(v: Value, item: str, m: template.Measure, header_units: set[str], parsed: Parsed) -> Value:
    unit = v.unit
    if unit is None and len(header_units) == 1 and "万元" not in header_units:
        unit = next(iter(header_units))  # the header prints the unit: '（单位：元）'
        v = Value(v.value, v.blank, v.printed, v.location, unit)
    if unit in ("元",):
        return Value(v.value / 10000, v.blank, v.printed, v.location, unit)
    if unit in ("亿元",):
        return Value(v.value * 10000, v.blank, v.printed, v.location, unit)
    if unit is None and not v.blank and v.value != 0 and "万元" not in header_units:
        parsed.find("unit_assumed",
                    f"{item} {m.key} printed without a unit ('{v.printed}'); read as 万元, the template's unit",
                    key=item, location=v.location)
    return v


# --------------------------------------------------------------------------- 3c. table 4
def _appeal_label(key: str, kinds) -> str | None:
    """The proceeding or result a table-4 label cell names, or None."""
    for item in kinds:
        if any(p in key for p in item.phrases):
            return item.key
    return None


_PROC_BY_MATCH = [next(p for p in template.PROCEEDINGS if p.key == k) for k in template.PROCEEDING_MATCH_ORDER]
_APPEAL_HEADER_WORDS = template.APPEAL_HEADER_WORDS


@lru_cache(maxsize=4096)
def _proceeding_of(key: str) -> str | None:
    return _appeal_label(key, _PROC_BY_MATCH)


@lru_cache(maxsize=4096)
def _result_of(key: str) -> str | None:
    return _appeal_label(key, template.RESULTS)


def _labelled_appeals(read: list[list[tuple]]) -> dict[tuple[str, str], Value] | None:
    """Table 4 printed as labelled rows: three proceeding rows of five results (in the order of
    the result header), or transposed, five result rows of three proceedings. None otherwise.
    ``read``: each line's cells (:func:`_cells_of`)."""
    by_proc: dict[str, list[Value]] = {}
    by_result: dict[str, list[Value]] = {}
    headers: list[list[str]] = []
    for cells in read:
        if len(cells) < 3:
            continue  # neither a header (three labels) nor a labelled row (a label and three or five values)
        texts = [k for _, k, _, n in cells if n is None and k]
        if len(texts) >= 3:
            if any(n is not None and (not n.blank or t) for t, _, _, n in cells):
                continue  # neither a header nor a labelled row
            headers.append(texts)  # a header line: the order of its labels, read if rows are labelled
            continue
        if len(texts) != 1:
            continue
        vals = [Value(n.value, n.blank, t, loc) for t, _, loc, n in cells if n is not None]
        while vals and vals[-1].blank and not vals[-1].printed and len(vals) > 3:
            vals.pop()
        if not vals:
            continue
        proc = _proceeding_of(texts[0])
        res = _result_of(texts[0])
        if proc and len(vals) == 5:
            by_proc[proc] = vals
        elif res and not proc and len(vals) == 3:
            by_result[res] = vals
    out: dict[tuple[str, str], Value] = {}
    if len(by_proc) == 3:
        order = _header_order(headers, _result_of, 5) or list(template.RESULT_KEYS)
        for p, vals in by_proc.items():
            out.update({(p, r): v for r, v in zip(order, vals)})
        return out
    if len(by_result) == 5:
        order = _header_order(headers, _proceeding_of, 3) or list(template.PROCEEDING_KEYS)
        for r, vals in by_result.items():
            out.update({(p, r): v for p, v in zip(order, vals)})
        return out
    return None


def _header_order(headers: list[list[str]], kind_of, n: int) -> list[str]:
    """The ``n`` results (or proceedings: ``kind_of``) in the order the last header line naming
    each of them once prints them; [] when no header line does."""
    order: list[str] = []
    for texts in headers:
        kinds = [k for k in map(kind_of, texts) if k]
        if len(kinds) == n and len(set(kinds)) == n:
            order = kinds
    return order


def _has_appeal_header(keys: list[list[str]]) -> bool:
    """True when table 4's header is printed (a short cell with one of its words, a longer one with two)."""
    return any(sum(w in k for w in _APPEAL_HEADER_WORDS) >= (1 if len(k) <= 16 else 2) for lk in keys for k in lk)


def place_appeals(lines: list[Line], keys: list[list[str]], closed: bool, parsed: Parsed) -> None:
    """Read the 15 numbers of table 4: by their row labels where the table prints them as
    labelled rows (or transposed), else in template order (review, suit_direct,
    suit_after_review × upheld, corrected, other, pending, total)."""
    read = [_cells_of(line, lk) for line, lk in zip(lines, keys)]
    labelled = _labelled_appeals(read)
    if labelled is not None:
        parsed.appeals.update(labelled)
        return
    values: list[Value] = []
    run: list[Value] = []
    for cells in read:
        if len(cells) == 1:  # one cell (most lines of some printings): what the lines below do, simplified
            t, _, loc, n = cells[0]
            if n is not None:
                run.append(Value(n.value, n.blank, t, loc))
            elif run:  # a text cell ends the run
                if any(not v.blank for v in run):
                    values.extend(run)
                run = []
            continue
        if all(n is not None for _, _, _, n in cells):  # a line of values: the run of values goes on
            run.extend(Value(n.value, n.blank, t, loc) for t, _, loc, n in cells)
            continue
        if any(not v.blank for v in run):
            values.extend(run)
        run = []
        if any(n is not None and not n.blank for _, _, _, n in cells):
            values.extend(Value(n.value, n.blank, t, loc) for t, _, loc, n in cells if n is not None)
    if any(not v.blank for v in run):
        values.extend(run)
    while len(values) > 15 and values[-1].blank and not values[-1].printed:
        values.pop()
    while len(values) > 15 and values[0].blank and not values[0].printed:
        values.pop(0)
    run = _glued_run(values) if parsed.glued else None
    if run is not None:
        cuts = split.group_splits(run, len(template.PROCEEDINGS), len(template.RESULTS))
        if len(cuts) == 1:
            values = _cut_values(values[0], cuts[0])
            parsed.find("split_by_identity",
                        f"table 4 printed as the glued digits '{run}': cut as {'|'.join(map(str, cuts[0]))}, "
                        "the only cut in which each proceeding's total is the sum of its four results",
                        location=values[0].location, table="appeals")
        else:
            parsed.find("split_ambiguous",
                        f"table 4 printed as glued digits {_show_cuts(run, cuts)}; left missing",
                        location=values[0].location, table="appeals")
            return
    if len(values) == 15:
        parsed.appeals.update(zip(template.APPEAL_CELLS, values))
    elif not values and closed and _has_appeal_header(keys):
        loc = lines[0].location if lines else ""
        for p, r in template.APPEAL_CELLS:
            parsed.appeals[(p, r)] = Value(0.0, True, "", loc)
        parsed.find("printed_blank",
                    "table 4 is printed with its header but no numbers: all 15 cells read as blank (0)",
                    location=loc, table="appeals")
    elif not values and closed:
        parsed.find("missing_table",
                    "section 四 prints no table 4 (no header, no numbers); table 4 left missing",
                    location=lines[0].location if lines else "", table="appeals")
    elif not closed and len(values) < 15:
        parsed.truncated = True
        parsed.find("truncated",
                    f"the text ends inside table 4 after {len(values)} of 15 numbers; table 4 left missing", table="appeals")
    else:
        parsed.find("appeals_unreadable",
                    f"table 4 prints {len(values)} numbers where the template has 15; left missing",
                    location=values[0].location if values else "")


# --------------------------------------------------------------------------- all together
def parse_document(doc: Document, year: int | None = None, layout: Layout | None = None) -> Parsed:
    """Given a document's lines of cells (and its :class:`Layout`, when already made), return the
    template's cells and reading findings."""
    parsed = Parsed(glued=getattr(doc, "glued", False))
    layout = layout_of(doc) if layout is None else layout
    keys, regions, closed_after = layout.keys, layout.regions, layout.closed_after
    by_region: dict[str, tuple[list[Line], list[list[str]]]] = {}
    last_region = None
    lines, start = doc.lines, 0
    for reg, run in groupby(regions):  # a table's lines are a run or a few
        end = start + len(list(run))
        if reg is not None:
            ls, ks = by_region.setdefault(reg, ([], []))
            ls += lines[start:end]
            ks += keys[start:end]
            last_region = reg
        start = end
    parsed.regions = {k: len(v[0]) for k, v in by_region.items()}

    tpl = detect_template(by_region.get("disclosure", ([], []))[1])
    src = "table 2 header"
    req_rows: list[ObservedRow] = []
    if "requests" in by_region:
        seen: dict = {}
        ls, ks = by_region["requests"]
        by_region["requests"] = _align_torn_labels(ls, _mask_header_totals(ks), parsed)
        req_rows = assemble_rows(*by_region["requests"], _classify_request(seen))
        _close_last(req_rows, "requests", last_region, closed_after)
        sub_rows = _has_sub_rows(req_rows)
        if sub_rows and tpl is None:
            tpl, src = "2021", _SUB_ROWS_SOURCE
    if tpl is None:
        if year is not None:
            tpl, src = template.template_for_year(year), "year"
        else:
            src = ""
    parsed.template, parsed.template_source = tpl, src
    if src == "year":
        parsed.find("template_from_year",
                    f"table 2's shape is not printed; template {tpl} assumed from the year {year}")

    if "disclosure" in by_region and tpl:
        ls, ks = by_region["disclosure"]
        rows = assemble_rows(ls, ks, _classify_item, parsed.glued)
        _close_last(rows, "disclosure", last_region, closed_after)
        units = money_header_units(ks)
        place_disclosure(rows, tpl, units, parsed)
    if req_rows:
        place_requests(req_rows, parsed, padded_width(*by_region["requests"]), sub_rows)
    if "appeals" in by_region:
        closed = closed_after or last_region != "appeals"
        place_appeals(*by_region["appeals"], closed, parsed)

    if req_rows and "disclosure" not in by_region:
        first = next((r.match.keys[0] for r in req_rows if r.match and r.values), None)
        if first not in (None, template.RECEIVED_NEW, template.CARRIED_OVER):
            parsed.truncated = True
            parsed.find("truncated",
                        f"the text begins inside table 3 (first row printed: {first}); what comes before is missing", table="requests")
    _missing_and_truncated(parsed, by_region, last_region, closed_after)
    return parsed


_COLUMN_WORDS = frozenset(p for a in template.APPLICANTS[:-1] for p in a.phrases) | {"申请人情况", "法人或其他组织"}


def _mask_header_totals(keys: list[list[str]]) -> list[list[str]]:
    """Given table 3's cell keys, return them with the 总计 of a column header masked: a header
    repeated after a page break prints 总计 beside 自然人, 商业企业 …, naming the column, not the
    （七）总计 row."""
    total = template.OUTCOME_TOTAL_BARE
    return [lk if total not in lk or _COLUMN_WORDS.isdisjoint(lk) or sum(k in _COLUMN_WORDS for k in lk) < 2
            else [_TOTAL_COLUMN if k == total else k for k in lk] for lk in keys]


_TOTAL_COLUMN = template.OUTCOME_TOTAL_BARE + "列"  # 总计列: no row matcher takes it


def _close_last(rows: list[ObservedRow], region: str, last_region, closed_after: bool) -> None:
    """A region followed by later text ends with a complete row; where the text ends inside
    the region, its last row may be cut short."""
    if rows:
        rows[-1].closed = region != last_region or closed_after


def _missing_and_truncated(parsed: Parsed, by_region, last_region, closed_after) -> None:
    ends_inside = last_region is not None and not closed_after
    if ends_inside or parsed.truncated:
        parsed.truncated = True
        table = last_region or "requests"
        if not any(f["check"] == "truncated" for f in parsed.findings):
            parsed.find("truncated",
                        f"the text ends inside table {_TABLE_NO[table]} ({table}): the report is cut short; "
                        "what follows is missing", table=table)
    for table, got in (("disclosure", parsed.disclosure), ("requests", parsed.requests), ("appeals", parsed.appeals)):
        if not got and not any(f["table"] == table and f["severity"] != "info" for f in parsed.findings):
            reason = "not reached before the text ends" if parsed.truncated else "not found in the report"
            parsed.find("missing_table", f"table {_TABLE_NO[table]} ({table}) {reason}", table=table)
    if parsed.requests and not parsed.truncated:
        printed = set(map(itemgetter(0), parsed.requests))
        expected = _EXPECTED_ROWS.get(parsed.template, ())
        if printed.issuperset(expected):
            return  # every row read (most reports)
        missing = [k for k in expected if k not in printed and not (k in _SUB_ROW_SET and printed.isdisjoint(_SUB_ROW_SET))]
        if missing:
            parsed.find("missing_rows",
                        f"{len(missing)} table-3 rows not read: {', '.join(missing)}", key=";".join(missing))


_TABLE_NO = {"disclosure": 2, "requests": 3, "appeals": 4}
_EXPECTED_ROWS = {t: [r.key for r in template.REQUEST_ROWS if t in r.templates] for t in template.TEMPLATES}  # table 3's rows
