"""The prose as data: a report cut into its sections, headings normalised, tables left out.

Every report, modern (一、总体情况 … 六、其他需要报告的事项: ``template.SECTIONS``) or from before
the template (概述, 主动公开…, 依申请公开…, 收费及减免, 复议诉讼申诉, 主要问题和改进措施, 统计表:
``template.PRE2019_SECTIONS``), becomes rows of ``section, heading, text, location``:

- a heading is a short line whose key form matches a declared section, or, inside a long line
  (crawler text prints a whole report on one line), an ordinal ``二、`` followed by one;
- the text before the first heading is the section ``preamble``;
- table rows are left out: lines of a table, and in the sections that hold tables, every
  sentence that is not prose (no sentence punctuation, mostly numbers).

>>> import govreports as gr
>>> r = gr.read_report("data/reports/seeds/004_454a5f1be846ec67.txt")   # doctest: +SKIP
>>> r.sections[["section", "heading"]]                                  # doctest: +SKIP
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import repeat

from . import template
from .readers.base import Document

PREAMBLE = "preamble"
_INLINE_ORDINAL = re.compile(r"(?:^|(?<=[\s。：:；;!！?？]))[一二三四五六七八九十]{1,2}\s*[、.．]\s*")
_SENTENCES = re.compile(r"[^。；;!！?？\n]+[。；;!！?？]?")
_PROSE_MARK = re.compile(r"[，,。；;：:]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LONG_LINE = 200
_KEY_CHAR = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_TOP_ORDINAL = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．]")
_LEAD_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]{1,2}|\d{1,2})")


def _declared(tpl: str | None) -> tuple[template.Section, ...]:
    return template.PRE2019_SECTIONS if tpl == template.PRE2019 else template.SECTIONS


def _section_of(key: str, declared) -> str | None:
    if not key or len(key) > 40:
        return None
    return _section_named(key, declared is template.PRE2019_SECTIONS)


@lru_cache(maxsize=8192)
def _section_named(key: str, pre2019: bool) -> str | None:
    """The declared section whose heading a key matches (the same keys recur in every report)."""
    declared = template.PRE2019_SECTIONS if pre2019 else template.SECTIONS
    return next((s.key for s in declared if s.pattern.match(key)), None)


def _plain_headings(declared) -> dict[str, str]:
    """Key form of each declared heading without its ordinal (总体情况) -> section."""
    return {_LEAD_ORDINAL.sub("", template.label_key(s.heading)): s.key for s in declared}


_PLAIN = {id(d): _plain_headings(d) for d in (template.SECTIONS, template.PRE2019_SECTIONS)}


def _line_section(raw: str, key: str, pre2019: bool) -> str | None:
    """The section a short line opens: it starts with a top-level ordinal (一、 2.) and names a
    section, or prints a section's heading exactly without one (the caller skips the section
    already open: a sub-heading such as （一）存在的主要问题 is text)."""
    declared = template.PRE2019_SECTIONS if pre2019 else template.SECTIONS
    if _TOP_ORDINAL.match(raw):
        return _section_of(key, declared)
    return _PLAIN[id(declared)].get(key)


@lru_cache(maxsize=16384)
def _short_line(text: str, key: str | None, pre2019: bool) -> tuple[str, str | None]:
    """A short line's text as read (NFKC, stripped) and the section it names as a heading, if
    any (``key``: its first cell's key; None: made from the text). Short lines (table cells,
    headings) recur in every report."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return raw, None
    return raw, _line_section(raw, template.label_key(raw) if key is None else key, pre2019)


def _inline_headings(raw: str, declared) -> list[tuple[int, int, str]]:
    """Given a long printed line, return (start, end, section) of each heading inside it."""
    out = []
    for m in _INLINE_ORDINAL.finditer(raw):
        kept = [(i, ch) for i, ch in enumerate(raw[m.start():m.start() + 60], m.start())
                if _KEY_CHAR.match(ch)]
        best = None
        key = kept[0][1] if kept else ""
        for n in range(2, min(len(kept), 32) + 1):
            key += kept[n - 1][1]  # the first n kept characters
            sec = _section_of(key, declared)
            if sec:
                best = (n, sec)
        if best:
            n, sec = best
            out.append((m.start(), kept[n - 1][0] + 1, sec))
    return out


def _prose_only(text: str) -> str:
    """Given text from a section that holds a table, return its prose sentences only."""
    keep = []
    for s in _SENTENCES.findall(text):
        s = s.strip()
        digits = sum(len(n) for n in _NUMBER.findall(s))
        if s and _PROSE_MARK.search(s) and digits <= 0.3 * len(s) and len(_NUMBER.findall(s)) < 6:
            keep.append(s)
    return "".join(keep)


def report_sections(doc: Document, tpl: str | None, keys: list[list[str]] | None = None,
                    regions: list[str | None] | None = None) -> list[tuple[str, str, str, str]]:
    """Given a document, its template and (for modern reports) each line's cell keys and table
    region, return ``(section, heading, text, location)`` for each section in printed order."""
    declared = _declared(tpl)
    table_sections = {"statistics"} if tpl == template.PRE2019 else {"disclosure", "requests", "appeals"}
    sections: list[list] = [[PREAMBLE, "", [], doc.lines[0].location if doc.lines else ""]]

    def add(text: str, in_table: bool) -> None:
        text = text.strip()
        if in_table:
            text = _prose_only(text)
        if text:
            sections[-1][2].append(text)

    pre2019 = declared is template.PRE2019_SECTIONS
    n = len(doc.lines)
    for line, lk, region in zip(doc.lines, repeat(None, n) if keys is None else keys,
                                repeat(None, n) if regions is None else regions):
        if line.table:
            continue
        cells = line.cells
        text = cells[0].text if len(cells) == 1 else " ".join([c.text for c in cells])
        short = len(text) <= 60
        if short:
            key = None if lk is None else lk[0] if lk and lk[0] else next((k for k in lk if k), "")
            raw, sec = _short_line(text, key, pre2019)
            if not raw:
                continue
            if sec and sec != sections[-1][0]:
                sections.append([sec, raw, [], line.location])
                continue
            if len(text) < 15 and region is not None:
                continue  # a table's cell
        if region is not None and (len(text) < 15 or not _PROSE_MARK.search(text)):
            continue
        if not short:
            raw = unicodedata.normalize("NFKC", text).strip()
        heads = _inline_headings(raw, declared) if len(raw) > _LONG_LINE else []
        pos = 0
        for start, end, s in heads:
            add(raw[pos:start], sections[-1][0] in table_sections)
            sections.append([s, raw[start:end].strip(), [], f"{line.location} char {start + 1}"])
            pos = end
        add(raw[pos:], sections[-1][0] in table_sections or region is not None)
    return [(s, h, "\n".join(parts), loc) for s, h, parts, loc in sections if parts or s != PREAMBLE]
