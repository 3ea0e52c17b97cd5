"""What one printed cell says: a number, a blank, a template label, or just text.

Small pure functions over strings, used by :mod:`govreports.parse`. Numbers are read the way
SCHEMA.md says: full-width digits, thousands separators and unit suffixes (``32 项``,
``1042.94 万元``, ``251000元``) are numbers; ``-``, ``—``, ``/``, ``无`` and the empty string are a
blank cell (read as 0, ``blank=True``).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import template
from .template import label_key

BLANK_MARKS = frozenset({"", "-", "—", "——", "–", "－", "/", "／", "无", "\\", "—-", "/ /",
                         "None", "none", "NULL", "null", "NaN", "nan"})  # the last: tools turning PDFs into markdown
_NUMBER = re.compile(
    r"^(?P<sign>[-+])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|萬元|万|萬|元|亿元|億元|项|項|件|个|個|条|條|次|起|宗|家|篇)?\s*$")
_UNIT_SIMPLIFIED = {"萬元": "万元", "萬": "万", "億元": "亿元", "項": "项", "個": "个", "條": "条"}
_LEADING_NUMBERING = re.compile(r"^(?:[0-9]{1,2}|[一二三四五六七八九十]{1,2})(?=[\u3400-\u9fff])")


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    unit: str | None
    blank: bool


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_PAREN_UNIT = re.compile(r"[(（]\s*(万元|元|亿元|件|项|个|条)\s*[)）]\s*$")
_CHANGE = re.compile(r"^(?P<word>减少|减|增加|增)\s*(?P<rest>.+)$")
_NEGATIVE_PARENS = re.compile(r"^[(（]\s*(?P<inner>[-−－]\s*[\d,.]+)\s*[)）]$")


@lru_cache(maxsize=4096)
def read_number(text: str) -> Number | None:
    """Given a printed cell, return the number it holds, or None when it is not a number.

    Also read: a unit in brackets (``1042.94（万元）``, ``1（件）``), a currency sign (``¥251000``
    is 元), a change printed in words (``减2`` is -2, ``增3`` is 3) or in brackets (``（-2）``),
    the minus signs ``−`` and ``－``.

    >>> read_number("1,042.94 万元")
    Number(value=1042.94, unit='万元', blank=False)
    >>> read_number("—").blank
    True
    """
    s = nfkc(text).strip().replace("−", "-")
    if s in BLANK_MARKS or not s.strip("-—–/ "):
        return Number(0.0, None, True)
    sign = 1.0
    m = _CHANGE.match(s)
    if m:
        s, sign = m["rest"].strip(), (-1.0 if m["word"].startswith("减") else 1.0)
    m = _NEGATIVE_PARENS.match(s)
    if m:
        s = m["inner"].replace(" ", "")
    unit_hint = None
    m = _PAREN_UNIT.search(s)
    if m:
        unit_hint, s = m.group(1), s[:m.start()].strip()
    if s[:1] in ("¥", "￥"):
        unit_hint, s = unit_hint or "元", s[1:].strip()
    m = _NUMBER.match(s)
    if not m:
        return None
    value = float(m["num"].replace(",", "")) * sign
    if m["sign"] == "-":
        value = -value
    unit = m["unit"] or unit_hint
    return Number(value, _UNIT_SIMPLIFIED.get(unit, unit), False)


_FOOTER = re.compile(r"^\s*(?:[-—–_~－]+\s*\d{1,3}\s*[-—–_~－]+|第\s*\d{1,3}\s*页(?:\s*[/,，]?\s*共\s*\d{1,3}\s*页)?"
                     r"|P\.?\s*\d{1,3}|Page\s+\d{1,3}(?:\s+of\s+\d{1,3})?)\s*$", re.I)


@lru_cache(maxsize=4096)
def is_page_footer(text: str) -> bool:
    """True for a page number printed inside a table by a PDF-to-text copy: '— 3 —', '- 3 -',
    '第3页', 'P. 9'. A bare number is a value, never a footer."""
    return bool(_FOOTER.match(nfkc(text)))


_BLANK_TOKENS = frozenset({"-", "—", "——", "–", "－", "/", "／", "无"})
_TOKEN = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?(?:件|项|个|条)?$")


def split_trailing_numbers(text: str) -> list[str] | None:
    """Split ``'行政许可 0'`` or ``'0 0 0'`` (numbers printed space-separated in one cell, as PDF
    text layers do) into cells; None when the cell is not of that shape."""
    tokens = nfkc(text).split()
    if len(tokens) < 2:
        return None
    n = 0
    while n < len(tokens) and (_TOKEN.match(tokens[-1 - n]) or tokens[-1 - n] in _BLANK_TOKENS):
        n += 1
    while n and tokens[len(tokens) - n] in _BLANK_TOKENS and n < 3:
        n -= 1  # blank marks count as cells only in a run of three or more ('label — 3 —')
    if n == 0 or not any(_TOKEN.match(t) or n >= 3 for t in tokens[len(tokens) - n:]):
        return None
    head = " ".join(tokens[:len(tokens) - n])
    if (n == 1 and not head) or len(label_key(head)) > 40 or head[-1:] in ("年", "月", "日", "第"):
        return None  # one number alone, prose ending in a number, or a date
    return ([head] if head else []) + tokens[len(tokens) - n:]


# --------------------------------------------------------------------------- label matching
def _build_phrase_index():
    index: list[tuple[str, str]] = []
    for row in template.REQUEST_ROWS:
        for p in row.phrases:
            index.append((p, row.key))
    index.sort(key=lambda x: -len(x[0]))
    return index


_ROW_PHRASES = _build_phrase_index()
_ROW_REGEX = re.compile("|".join(re.escape(p) for p, _ in _ROW_PHRASES))
_ROW_BY_PHRASE = dict(_ROW_PHRASES)
_FULL_KEYS = {r.key: _LEADING_NUMBERING.sub("", label_key(r.label)) for r in template.REQUEST_ROWS}
_FUZZY_TARGETS = [(r.phrases[0], r.key) for r in template.REQUEST_ROWS if len(r.phrases[0]) >= 4]


@dataclass(frozen=True, slots=True)
class LabelMatch:
    keys: tuple[str, ...]  # candidate row keys (one when certain)
    exact: bool            # False: matched by similarity or as a fragment
    how: str = "phrase"    # phrase | fuzzy | fragment | prefix


# a character of a vertically printed group label fallen before a row's number: '三2.其他…'
_STRAY_BEFORE_NUMBER = re.compile(r"^[\u3400-\u9fff](?=[0-9][\u3400-\u9fff])")


def strip_numbering(key: str) -> str:
    return _LEADING_NUMBERING.sub("", key)


@lru_cache(maxsize=8192)
def match_request_row(key: str) -> LabelMatch | None:
    """Given a cell's key form, return the table-3 row(s) it labels, or None.

    Exact phrases first; then a label cut by a line break (a prefix of a phrase); then a
    fragment of a full label (several candidates possible); then similarity for labels garbled
    by a text layer (``其他法律行政止公开``).
    """
    if not key or len(key) > 60:
        return None
    found = _ROW_REGEX.findall(key)
    if found:
        # the most specific phrase names the row: '（六）其他处理 1.申请人无正当理由逾期不补正…' is
        # no_correction, '本年新收…（不含上年结转）' is received_new; equal lengths: the first printed
        row = _ROW_BY_PHRASE[max(found, key=len)]
        if len(key) > len(_FULL_KEYS[row]) + 10:
            return None  # a sentence that mentions the label, not the label
        return LabelMatch((row,), True)
    if template.OTHER_OTHER_SUBROW.match(key):
        return LabelMatch((template.OTHER_OTHER,), True)
    if key in template.OUTCOME_TOTAL_FORMS:
        return LabelMatch((template.OUTCOME_TOTAL,), True)
    body = strip_numbering(_STRAY_BEFORE_NUMBER.sub("", key))
    if len(body) >= 4:
        prefix = [k for k, full in _FULL_KEYS.items() if full.startswith(body)]
        if len(prefix) == 1:
            return LabelMatch((prefix[0],), False, "prefix")
        frag = [k for k, full in _FULL_KEYS.items() if body in full]
        if frag:
            return LabelMatch(tuple(frag), False, "fragment")
        best, best_key, second = 0.0, None, 0.0
        chars = set(body)
        for phrase, k in _FUZZY_TARGETS:
            if len(chars.intersection(phrase)) < 0.6 * len(set(phrase)):
                continue  # cannot reach the threshold; skip the costly comparison
            r = difflib.SequenceMatcher(None, body, phrase, autojunk=False).ratio()
            if r > best:
                best, best_key, second = r, k, best
            elif r > second:
                second = r
        if best >= 0.8 and best - second >= 0.1:
            return LabelMatch((best_key,), False, "fuzzy")
    return None


def find_row_labels(key: str) -> list[tuple[str, str]]:
    """Given the key form of loose text, return the table-3 labels it prints, in order, as
    (phrase, row key): ``'一予以公开二部分公开'`` → granted, partly_granted.

    >>> [k for _, k in find_row_labels("1属于国家秘密2其他法律行政法规禁止公开")]
    ['denied.state_secret', 'denied.prohibited_by_law']
    """
    return [(p, _ROW_BY_PHRASE[p]) for p in _ROW_REGEX.findall(key)]


class LooseText:
    """A run of loose text scanned once for table-3 labels, read from any position on:
    ``LooseText(text).labels_from(pos) == find_row_labels(text[pos:])``. A scan from a later
    position soon meets a label the whole scan found, and from there both go alike."""

    def __init__(self, text: str):
        self.text = text
        found = list(_ROW_REGEX.finditer(text))
        self.ends = {m.start(): (i, m.end()) for i, m in enumerate(found)}
        self.labels = [(m.group(), _ROW_BY_PHRASE[m.group()]) for m in found]

    def labels_from(self, pos: int) -> list[tuple[str, str]]:
        before = []
        while (m := _ROW_REGEX.search(self.text, pos)) is not None:
            i, end = self.ends.get(m.start(), (None, None))
            if end == m.end():
                return before + self.labels[i:]
            before.append((m.group(), _ROW_BY_PHRASE[m.group()]))
            pos = m.end()
        return before


@lru_cache(maxsize=4096)
def match_group(key: str) -> str | None:
    """Given a cell's key form, return the outcome group it heads ('denied', ...), or None."""
    for group, phrases in template.GROUP_PHRASES.items():
        for p in phrases:
            if key == p or (key.endswith(p) and len(key) <= len(p) + 2):
                return group
    return None


# --------------------------------------------------------------------------- table 2
def _item_index():
    out: dict[str, list[tuple[str, str]]] = {}
    for tpl, items in template.DISCLOSURE_ITEMS.items():
        pairs = [(p, it.key) for it in items for p in it.phrases]
        pairs.sort(key=lambda x: -len(x[0]))
        out[tpl] = pairs
    return out


_ITEM_PHRASES = _item_index()


@lru_cache(maxsize=4096)
def match_item(key: str, tpl: str) -> str | None:
    """Given a cell's key form, return the table-2 item it labels for that template, or None."""
    if not key or len(key) > 20:
        return None
    for phrase, item in _ITEM_PHRASES[tpl]:
        if phrase in key:
            if item == "regulations" and template.NORMATIVE_DOCS_MARK in key:
                continue
            return item
    return None


def template_marker(key: str) -> str | None:
    """Given a header cell's key form, return the template its wording belongs to, or None."""
    for tpl, words in template.TEMPLATE_MARKERS.items():
        if any(w in key for w in words):
            return tpl
    return None
