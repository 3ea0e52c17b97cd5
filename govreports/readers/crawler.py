"""Crawler text: the whole report on one line, its table cells glued together.

Archives built by crawling government sites flatten each page into one line (LAYOUTS.md): the
section headings run into the prose, a table row's label runs into its cells
(``本年新收政府信息公开申请数量640020470``), a row's number sticks to the previous row's digits
(``00000002.其他法律…``), and a few stray spaces inside a run are not cell breaks.

This module cuts such a line back into one-cell lines the way ``cells`` text prints them:
headings, labels and prose pieces as text cells, and each run of digits inside the tables as
one cell of its digits (spaces dropped). Which numbers a run holds is not decided here: the
document is marked ``glued`` and :mod:`govreports.split` cuts each run with the template's
identities when the cells are placed.

>>> pieces = [c.text for line in unglue("三、收到和处理政府信息公开申请情况申请人情况自然人" * 1
...           + "一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000", 1)
...           for c in line.cells]
>>> pieces[-4:]
['一、本年新收政府信息公开申请数量', '640020470', '二、上年结转政府信息公开申请数量', '0000000']
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .. import template
from .base import Cell, Line

MIN_LENGTH = 300  # a line shorter than this is not a whole report
# table 3's header and first row in one line (prose that restates the table never prints them)
_TABLE3_WORDS = template.TABLE3_HEADER_WORDS
# or the headings of two of the tables' sections, numbered as headings are
_TABLE_HEADINGS = (re.compile(r"[二2][、.．]\s*(?:行政机关)?主动公开政府信息"),
                   re.compile(r"[三3][、.．]\s*(?:行政机关)?收到和处理政府信息公开申请"),
                   re.compile(r"[四4][、.．][^。]{0,16}行政复议"))

# where the tables begin and where the section after them (五、 or 六、) begins
_TABLES_START = re.compile(r"[二2][、.．]\s*主动公开政府信息|第二十条第|[三3][、.．]\s*收到和处理政府信息公开申请|申请人情况")
_TABLES_END = re.compile(r"[五六5-6][、.．]\s*[^。]{0,12}?(?:存在的?主要问题|存在问题|其他需要报告)")

# cut before an enumeration (一、 （三）), a row number stuck to a label (2.其他…), 第二十条,
# a table-2 item, each result header of table 4; cut after a heading's 情况 and after a sentence
_ENUM = r"(?<!第)(?:[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十]{1,2}[）)])"
_NUMBERING = re.compile(r"\d(?=[.．、][^\d\s.．、])")
_ITEMS = sorted({p for items in template.DISCLOSURE_ITEMS.values() for it in items for p in it.phrases} | {it.label for items in
                template.DISCLOSURE_ITEMS.values() for it in items}, key=len, reverse=True)
_CUT_BEFORE_PROSE = re.compile(_ENUM)
_CUT_BEFORE_TABLE = re.compile(_ENUM + "|第二十条|结果维持|" + "|".join(map(re.escape, _ITEMS)))
_CUT_AFTER = re.compile(r"情况(?![）)])|[。；]")
# a run: digits, stray spaces, a minus sign ('27-3133': a negative 本年增/减) or a decimal point inside
_RUN = re.compile(r"\d(?:[ \u00a0\u3000]*[-−.．]?[ \u00a0\u3000]*\d)*")
_PROSE_AFTER_RUN = re.compile(r"[年月日号%％]")
_SPACE = re.compile(r"\s")


def is_flattened(line: str) -> bool:
    """True for a line that holds a whole report's tables (crawler text)."""
    return len(line) >= MIN_LENGTH and (all(w in line for w in _TABLE3_WORDS)
                                        or sum(bool(h.search(line)) for h in _TABLE_HEADINGS) >= 2)


def unglue(line: str, line_no: int) -> list[Line]:
    """Given one flattened line, return it as one-cell lines (see the module docstring); the
    location of each cell is ``line N char C`` (C counts from 1)."""
    start_m = _TABLES_START.search(line)
    start = len(line)  # no table: prose only
    if start_m:
        start = max(line.rfind("。", 0, start_m.start()) + 1, 0)
    end_m = _TABLES_END.search(line, start_m.end() if start_m else 0)
    end = end_m.start() if end_m else len(line)
    pieces: list[tuple[int, int, bool]] = []  # (start, end, is_run)
    _cut_text(line, 0, start, _CUT_BEFORE_PROSE, pieces)
    _cut_table(line, start, end, pieces)
    _cut_text(line, end, len(line), _CUT_BEFORE_PROSE, pieces)
    out: list[Line] = []
    for a, b, run in pieces:
        text = line[a:b]
        if run:
            text = _SPACE.sub("", text).replace("−", "-").replace("．", ".")
        else:
            text = text.strip()
        if text:
            loc = f"line {line_no} char {a + 1}"
            out.append(Line([Cell(text, loc)], loc, table=run))
    return out


def _cut_table(line: str, start: int, end: int, pieces: list) -> None:
    """The tables' stretch: runs of digits become cells of their own, text is cut at labels."""
    numbering = [m.start() for m in _NUMBERING.finditer(line, start, end)]  # in order
    numbered = set(numbering)
    pos = start
    for m in _RUN.finditer(line, start, end):
        a, b = m.start(), m.end()
        while b > a and (b - 1 in numbered or line[b - 1].isspace()):
            b -= 1  # a row number stuck to the run ('00000002.其他'): the label's
        if b == a or b < len(line) and _PROSE_AFTER_RUN.match(line, b):
            continue
        _cut_text(line, pos, a, _CUT_BEFORE_TABLE, pieces, numbering)
        pieces.append((a, b, True))
        pos = b
    _cut_text(line, pos, end, _CUT_BEFORE_TABLE, pieces, numbering)


def _cut_text(line: str, a: int, b: int, before: re.Pattern, pieces: list, numbering: list[int] = ()) -> None:
    """Cut line[a:b] into text pieces; ``numbering``: the sorted offsets of row numbers, cut before too."""
    if a >= b:
        return
    cuts = {a, b}
    cuts.update(m.start() for m in before.finditer(line, a, b) if m.start() > a)
    cuts.update(m.end() for m in _CUT_AFTER.finditer(line, a, b) if m.end() < b)
    cuts.update(numbering[bisect_right(numbering, a):bisect_left(numbering, b)])
    bounds = sorted(cuts)
    pieces.extend((x, y, False) for x, y in zip(bounds, bounds[1:]))
