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

_TITLE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*度?.{0,24}?(?:政府)?\s*(?:信息|政务|信息)\s*公\s*[开開]"
                    r"(?:工作)?(?:年度)?(?:工作)?(?:报告|報告|年报|年報)|(?P<year2>(?:19|20)\d{2})\s*年\s*[报報]"
                    r"|(?:信息|政务)公[开開].{0,8}?(?:报告|報告|年报|年報)[(（](?P<year3>(?:19|20)\d{2})年度?[)）]")
_YEAR_LINE = re.compile(r"^[(（](?P<year>(?:19|20)\d{2})年度?[)）]$")
_TITLE_NO_YEAR = re.compile(r"(?:信息|政务)公[开開].{0,8}?(?:报告|報告|年报|年報)$")
_NOT_TITLE = re.compile(r"^(?:上一篇|下一篇|上篇|下篇|相关|推荐|往期|附件|链接|相关链接)")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_CN_YEAR = re.compile(r"[二][〇○零][〇○零一二三四五六七八九]{2}(?=年)")
_PERIOD = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)")
_YEAR_OPENING = re.compile(r"^\s*(?:\(?[一二三四五六七八九十]+\)?[、.]?)?\s*(?P<year>(?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_ANY_YEAR = re.compile(r"(?P<year>20[12]\d)\s*年(?!\s*\d{1,2}\s*月\s*\d)")
_AGENCY_END = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|局|厅|委|办|中心|院|处|街道办事处|办事处|管委会|镇|乡|街道|署|所|站|馆|会)$")
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_HEADING_ONE = re.compile(r"^\s*一\s*[、.]\s*(?:总体情况|工作基本情况|概述|總體情況)")
_TITLE_PREFIX = re.compile(r"^(?:关于|關於)|[《》“”\"]")


_SPACES = re.compile(r"\s+")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


_PUNCT = re.compile(r"[，,。.:：;；《》“”\"()（）!！?？]")
_LEAD_VERBS = re.compile(r"^(?:特编制|特制定|现编制|现发布|现公布|现将|编制|发布|公布|制作|关于)")
_NOT_A_NAME = re.compile(r"^(?:在|我|根据|按照|依据|本|[一二三四五六七八九十]+、)")
_NAME_OK = re.compile(r"^[\u3400-\u9fff（）()、·]{2,30}$")
_PROSE_NAME = re.compile(
    r"^\s*(?:\(?[一二三四五六七八九十]+\)?[、.]?\s*)?(?:[^，,。]{0,12}[。.]\s*)?(?:19|20)\d{2}\s*年度?\s*[,，]?\s*"
    r"(?:在[^,，。]{0,40}?[,，]\s*)?(?P<name>(?!在|我|根据|按照|本)[\u3400-\u9fff]{1,20}?"
    r"(?:人民政府|政府办公室|办公室|办公厅|委员会|街道办事处|办事处|局|厅|委|人防办|镇|乡|中心))")


def _plausible(name: str) -> str | None:
    name = _TITLE_PREFIX.sub("", _SPACES.sub("", name)).strip("：:—-_")
    return name if _NAME_OK.match(name) and not _NOT_A_NAME.match(name) else None


def _title_lines(lines: list[str]) -> list[str]:
    """The first lines in a comparable form: NFKC, no spaces, years in Chinese numerals as digits,
    a year printed alone in brackets under a title moved into it."""
    head = [_CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), _SPACES.sub("", _norm(x))) for x in lines[:60]]
    for i in range(len(head) - 1):
        m = _YEAR_LINE.match(head[i + 1])
        if m and _TITLE_NO_YEAR.search(head[i]):
            head[i] = m["year"] + "年" + head[i]
    return head


def find_title(lines: list[str]) -> tuple[str, int] | None:
    """Given the first lines of a report, return the title and the index of its first line
    (a title broken over two lines is joined). Where several lines look like titles (a page
    listing earlier reports, a '上一篇' link), the last one before section 一 is the title."""
    head = _title_lines(lines)
    first_heading = next((i for i, s in enumerate(lines[:60]) if _HEADING_ONE.match(_norm(s))), len(head))
    for joined in (False, True):
        found = []
        for i, s in enumerate(head):
            cand = s + (head[i + 1] if joined and i + 1 < len(head) else "")
            if 6 <= len(cand) <= 80 and _TITLE.search(cand) and not _NOT_TITLE.match(cand):
                found.append((cand, i))
        before = [f for f in found if f[1] < first_heading]
        if before or found:
            return (before or found)[-1] if before else found[0]
    for i, s in enumerate(head):  # a title inside the opening sentence: '特编制…2023年…年度报告'
        if _TITLE.search(s) and not _NOT_TITLE.match(s):
            return s, i
    return None


def find_year(text: str, lines: list[str]) -> int | None:
    """Given a report's text, return the year it reports on, or None when not printed."""
    t = find_title(lines)
    if t:
        m = _TITLE.search(t[0])
        return int(m["year"] or m["year2"] or m["year3"])
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


def find_agency(lines: list[str], truncated: bool = False) -> tuple[str | None, str]:
    """Given a report's lines, return the agency name as printed and where it was found
    ('title', 'signature', 'text' or '')."""
    t = find_title(lines)
    if t:
        title, i = t
        m = _TITLE.search(title)
        before = _plausible(_LEAD_VERBS.sub("", _PUNCT.split(title[:m.start()])[-1]))
        if before:
            return before, "title"
        after = re.match(r"^(?:19|20)\d{2}\s*年\s*度?(?P<mid>.*?)(?:政府)?(?:信息|政务)公开", title[m.start():])
        mid = _plausible(after["mid"]) if after else None
        if mid:
            return mid, "title"
        for prev in reversed(lines[max(0, i - 3):i]):
            p = _plausible(_norm(prev))
            if p and _AGENCY_END.search(p):
                return p, "title"
    tail = [] if truncated else [_SPACES.sub("", _norm(x)) for x in lines[-12:] if x.strip()]
    for i, s in enumerate(tail):
        if 3 <= len(s) <= 30 and _AGENCY_END.search(s) and _plausible(s):
            nxt = tail[i + 1] if i + 1 < len(tail) else ""
            if _DATE_LINE.match(nxt) or i == len(tail) - 1:
                return s, "signature"
    for s in lines[:80]:
        m = _PROSE_NAME.match(_norm(s))
        if m:
            return m["name"], "text"
    return None, ""
