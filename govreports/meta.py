"""Who reported on which year: title, year, agency and level from a report's text.

``year`` is the year reported on (a report published in 2021 on 2020 is 2020): read from the
title (``2020年政府信息公开工作年度报告``), else the statistical period (``统计期限…2020年1月1日``),
else the first year that opens section 一. ``agency_as_printed`` is the name the report prints
(title, else the signature line); ``agency`` expands it where the text makes that certain
(:func:`govreports.agencies.expand_agency`).
"""
from __future__ import annotations

import re
import unicodedata

_TITLE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政府)?\s*(?:信息|政务)\s*公\s*[开開]"
                    r".{0,12}?(?:年\s*度\s*)?(?:工\s*作\s*)?(?:年\s*度\s*)?(?:报|報)\s*告|(?P<year2>(?:19|20)\d{2})\s*年\s*[报報]")
_PERIOD = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)")
_YEAR_OPENING = re.compile(r"^\s*(?:\(?[一二三四五六七八九十]+\)?[、.]?)?\s*(?P<year>(?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_ANY_YEAR = re.compile(r"(?P<year>20[12]\d)\s*年(?!\s*\d{1,2}\s*月\s*\d)")
_AGENCY_END = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|局|厅|委|办|中心|院|处|街道办事处|办事处|管委会|镇|乡|街道|署|所|站|馆|会)$")
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_HEADING_ONE = re.compile(r"^\s*一\s*[、.]\s*(?:总体情况|工作基本情况|概述|總體情況)")
_TITLE_PREFIX = re.compile(r"^(?:关于|關於)|[《》“”\"]")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def find_title(lines: list[str]) -> tuple[str, int] | None:
    """Given the first lines of a report, return the title line and its index."""
    for i, line in enumerate(lines[:60]):
        s = _norm(line).strip()
        if 6 <= len(s) <= 80 and _TITLE.search(s):
            return s, i
    return None


def find_year(text: str, lines: list[str]) -> int | None:
    """Given a report's text, return the year it reports on, or None when not printed."""
    head = [_norm(x) for x in lines[:80]]
    for s in head:
        s = s.strip()
        if len(s) <= 80:
            m = _TITLE.search(s)
            if m:
                return int(m["year"] or m["year2"])
    m = _PERIOD.search(_norm(text[:20000]))
    if m:
        return int(m["year"])
    start = next((i for i, s in enumerate(lines) if _HEADING_ONE.match(_norm(s))), None)
    if start is not None:
        for s in lines[start + 1:start + 15]:
            m = _YEAR_OPENING.match(_norm(s))
            if m:
                return int(m["year"])
        for s in lines[start + 1:start + 15]:
            m = _ANY_YEAR.search(_norm(s))
            if m:
                return int(m["year"])
    return None


def find_agency(lines: list[str]) -> str | None:
    """Given a report's lines, return the agency name as printed (title, else signature)."""
    t = find_title(lines)
    if t:
        title, i = t
        m = _TITLE.search(title)
        name = _TITLE_PREFIX.sub("", title[:m.start()]).strip(" ：:—-_")
        name = re.sub(r"\s+", "", name)
        if len(name) >= 2 and not re.search(r"\d", name):
            return name
        for prev in reversed(lines[max(0, i - 3):i]):
            p = re.sub(r"\s+", "", _norm(prev))
            if 2 <= len(p) <= 30 and _AGENCY_END.search(p):
                return p
    tail = [re.sub(r"\s+", "", _norm(x)) for x in lines[-12:] if x.strip()]
    for i, s in enumerate(tail):
        if 3 <= len(s) <= 30 and _AGENCY_END.search(s) and not re.search(r"[，。,:：;；()（）]", s):
            nxt = tail[i + 1] if i + 1 < len(tail) else ""
            if _DATE_LINE.match(nxt) or i == len(tail) - 1:
                return s
    return None
