"""Who reported on which year: title, year, agency and level from a report's text.

``year`` is the year reported on (a report published in 2021 on 2020 is 2020): read from the
title (``2020年政府信息公开工作年度报告``), else the statistical period (``统计期限…2020年1月1日``),
else the first year that opens section 一. ``agency_as_printed`` is the name the report prints
(title, else a page header's ``发布机构:`` or the signature line, else the prose, cut at the verbs
and framing words around a name); ``agency`` expands it where the text makes that certain
(:func:`govreports.agencies.expand_agency`).

``published`` is the date the report was published (ISO ``YYYY-MM-DD``) and
``published_source`` says where it was read: ``page`` (a page header's ``发布时间:`` or the
page's own 发布时间/发布日期 line), ``signature`` (the date printed at the report's end).
Crawled pages carry a header of page metadata (``标题:``, ``发布时间:``, ``发布机构:``,
``原文链接:``) before the body: it is read whatever the body looks like (:func:`page_header`).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

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
_TITLE_MIDDLE = re.compile(r"^(?:19|20)\d{2}\s*年\s*度?(?P<mid>.*?)(?:政府)?(?:信息|政务)公开")


# The characters of the blocks Chinese reports print that NFKC changes (full-width punctuation and
# digits, the ideographic space, circled numbers, ...), each with its NFKC form; the most frequent
# are replaced with str.replace, the others by one regex.
_NFKC_OF_CHAR = {c: f for c in map(chr, (*range(0xA0, 0x100), *range(0x2000, 0x2190), *range(0x2460, 0x2500),
                                         *range(0x3000, 0x3040), *range(0xFF00, 0xFFF0)))
                 if (f := unicodedata.normalize("NFKC", c)) != c}
_NFKC_FREQUENT = tuple((c, _NFKC_OF_CHAR[c]) for c in "，（）：；！？　％")
_NFKC_CHANGES = re.compile("[" + "".join(map(re.escape, _NFKC_OF_CHAR)) + "]")


def _nfkc_of(m: re.Match) -> str:
    return _NFKC_OF_CHAR[m.group()]


def nfkc(text: str) -> str:
    """Given text, return ``unicodedata.normalize("NFKC", text)``, ten times faster on a report:
    each character of :data:`_NFKC_OF_CHAR` is replaced by its own NFKC form, which leaves the
    text's NFKC as it was; the result is checked, and where it is not yet NFKC (another character,
    or one that composes with its neighbour) it is normalised as a whole."""
    for char, form in _NFKC_FREQUENT:
        if char in text:
            text = text.replace(char, form)
    text = _NFKC_CHANGES.sub(_nfkc_of, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def nfkc_lines(lines: list[str]) -> list[str]:
    """Given lines, return each NFKC (:func:`nfkc`), normalised together in one pass (NFKC never
    reorders or composes across a newline; a line holding a newline is normalised alone)."""
    out = nfkc("\n".join(lines)).split("\n")
    return out if len(out) == len(lines) else [nfkc(x) for x in lines]


def _squash(s: str) -> str:
    """Given text, return it without whitespace (what ``\\s+`` matches, as ``str.split`` splits)."""
    return "".join(s.split())


_PUNCT = re.compile(r"[，,。.:：;；《》“”\"()（）!！?？]")
# Verbs and framing words around a name in a sentence: a name is what lies between them.
# (never single characters that names hold: 经济, 自由贸易, 为民服务; never 编制 inside a name:
# 机构编制委员会 — a verb is stripped only at the very start or the very end of a candidate).
_LEADING = ("特此公布", "现予公布", "特编制", "特制定", "现编制", "现发布", "现公布", "现将", "兹将", "兹公布", "编制",
            "发布", "公布", "制作", "制定", "关于", "根据", "按照", "依据", "依照")
_TRAILING = ("编制完成了", "编制完成", "编制了", "编制", "发布了", "发布", "公布了", "公布", "制作了", "制作", "制定了",
             "制定", "形成了", "形成", "特此", "现将", "现", "特", "的", "了", "现予")
_LEAD_VERBS = re.compile(r"^(?:" + "|".join(sorted(_LEADING, key=len, reverse=True)) + ")+")
_TRAIL_VERBS = re.compile(r"(?:" + "|".join(sorted(_TRAILING, key=len, reverse=True)) + ")+$")


def strip_framing(name: str) -> str:
    """Given a candidate name cut from a sentence, return it without the verbs and framing words
    printed around it.

    >>> strip_framing("市科委编制了"), strip_framing("现公布区统计局"), strip_framing("县委机构编制委员会办公室")
    ('市科委', '区统计局', '县委机构编制委员会办公室')
    """
    return _TRAIL_VERBS.sub("", _LEAD_VERBS.sub("", name))
_NOT_A_NAME = re.compile(r"^(?:在|我|根据|按照|依据|本|[一二三四五六七八九十]+、)")
_NAME_OK = re.compile(r"^[\u3400-\u9fff（）()、·]{2,30}$")
_PROSE_NAME = re.compile(
    r"^\s*(?:\(?[一二三四五六七八九十]+\)?[、.]?\s*)?(?:[^，,。]{0,12}[。.]\s*)?(?:19|20)\d{2}\s*年度?\s*[,，]?\s*"
    r"(?:在[^,，。]{0,40}?[,，]\s*)?(?P<name>(?!在|我|根据|按照|本)[\u3400-\u9fff]{1,20}?"
    r"(?:人民政府|政府办公室|办公室|办公厅|委员会|街道办事处|办事处|局|厅|委|人防办|镇|乡|中心))")


def _plausible(name: str) -> str | None:
    name = strip_framing(_TITLE_PREFIX.sub("", _squash(name)).strip("：:—-_"))
    return name if _NAME_OK.match(name) and not _NOT_A_NAME.match(name) else None


def _cn_year(m: re.Match) -> str:
    return m.group(0).translate(_CN_DIGITS)


def _title_lines(lines: list[str]) -> list[str]:
    """The first lines (NFKC) in a comparable form: no spaces, years in Chinese numerals as digits,
    a year printed alone in brackets under a title moved into it."""
    head = [_squash(x) for x in lines[:60]]
    head = [_CN_YEAR.sub(_cn_year, x) if "年" in x else x for x in head]
    for i in range(len(head) - 1):
        m = _YEAR_LINE.match(head[i + 1]) if head[i + 1][:1] in "(（" else None
        if m and _TITLE_NO_YEAR.search(head[i]):
            head[i] = m["year"] + "年" + head[i]
    return head


_HEADER_FIELD = re.compile(r"^\s*(?P<field>标题|发布时间|发布日期|发布机构|发文机关|来源|原文链接|文号|栏目|索引号)"
                           r"\s*[:：]\s*(?P<value>.*?)\s*$")


def page_header(lines: list[str]) -> dict[str, tuple[str, int]]:
    """Given a report's lines, return the fields of a crawled page's metadata header
    ({field: (value, line index)}, e.g. ``标题``, ``发布时间``, ``发布机构``); empty fields are
    left out. The header is the first lines, up to the first line that is not a field."""
    out: dict[str, tuple[str, int]] = {}
    for i, s in enumerate(lines[:30]):
        m = _HEADER_FIELD.match(s) if ":" in s or "：" in s else None  # a field has its colon
        if m is None:
            if out and s.strip():
                break
            continue
        if m["value"] and m["field"] not in out:
            out[m["field"]] = (m["value"], i)
    return out


def find_title(lines: list[str], header: dict | None = None) -> tuple[str, int] | None:
    """Given the first lines of a report, return the title and the index of its first line
    (a title broken over two lines is joined). Where several lines look like titles (a page
    listing earlier reports, a '上一篇' link), the last one before section 一 is the title.
    A page header's ``标题:`` is the title where it reads as one. ``header``: what
    :func:`page_header` returned for these lines, where already known."""
    header = (page_header(lines) if header is None else header).get("标题")
    if header:
        t = _title_lines([nfkc(header[0])])[0]
        if _TITLE.search(t):
            return t, header[1]
    first = nfkc_lines(lines[:60])
    first_heading = next((i for i, s in enumerate(first) if "一" in s and _HEADING_ONE.match(s)), len(first))
    # the lines up to section 一's heading and the one after it: in comparable form, the lines before
    # the heading are what they are in the whole head; where a title is among them, the rest is not made
    near = _title_lines(first[:first_heading + 2])
    head = near if len(near) == len(first) else None
    for joined in (False, True):
        before = [f for f in _title_candidates(near, joined) if f[1] < first_heading]
        if before:
            return before[-1]
        if head is None:
            head = _title_lines(first)
        found = _title_candidates(head, joined)
        if found:
            return found[0]
    if head is None:
        head = _title_lines(first)
    for i, s in enumerate(head):  # a title inside the opening sentence: '特编制…2023年…年度报告'
        if "年" in s and _TITLE.search(s) and not _NOT_TITLE.match(s):
            return s, i
    return None


def _title_candidates(head: list[str], joined: bool) -> list[tuple[str, int]]:
    """Given the first lines in comparable form, return (line, index) of each that reads as a title
    (``joined``: each line with the next one)."""
    found = []
    for i, s in enumerate(head):
        cand = s + (head[i + 1] if joined and i + 1 < len(head) else "")
        if 6 <= len(cand) <= 80 and "年" in cand and _TITLE.search(cand) and not _NOT_TITLE.match(cand):
            found.append((cand, i))
    return found


_UNREAD = object()  # the title not looked for yet


def find_year(text: str, lines: list[str], title=_UNREAD) -> int | None:
    """Given a report's text and lines, return the year it reports on, or None when not printed.
    ``title``: what :func:`find_title` returned for these lines, where already known."""
    t = find_title(lines) if title is _UNREAD else title
    if t:
        m = _TITLE.search(t[0])
        return int(m["year"] or m["year2"] or m["year3"])
    m = _PERIOD.search(nfkc(text[:20000]))
    if m:
        return int(m["year"])
    start = next((i for i, s in enumerate(lines) if _HEADING_ONE.match(nfkc(s))), None)
    if start is not None:
        for s in lines[start + 1:start + 15]:
            m = _YEAR_OPENING.match(nfkc(s))
            if m:
                return int(m["year"])
        for s in lines[start + 1:start + 15]:
            m = _ANY_YEAR.search(nfkc(s))
            if m:
                return int(m["year"])
    return None


def find_agency(lines: list[str], truncated: bool = False, title=_UNREAD,
                header: dict | None = None) -> tuple[str | None, str]:
    """Given a report's lines, return the agency name as printed and where it was found
    ('title', 'header' (a page header's 发布机构), 'signature', 'text' or ''). ``title``, ``header``:
    what :func:`find_title` and :func:`page_header` returned for these lines, where already known."""
    t = find_title(lines) if title is _UNREAD else title
    if t:
        title, i = t
        m = _TITLE.search(title)
        before = _plausible(_PUNCT.split(title[:m.start()])[-1])
        if before:
            return before, "title"
        after = _TITLE_MIDDLE.match(title[m.start():])
        mid = _plausible(after["mid"]) if after else None
        if mid:
            return mid, "title"
        for prev in reversed(lines[max(0, i - 3):i]):
            p = _plausible(nfkc(prev))
            if p and _AGENCY_END.search(p):
                return p, "title"
    header = page_header(lines) if header is None else header
    for field in ("发布机构", "发文机关"):
        p = _plausible(nfkc(header[field][0])) if field in header else None
        if p:
            return p, "header"
    tail = [] if truncated else [_squash(nfkc(x)) for x in lines[-12:] if x.strip()]
    for i, s in enumerate(tail):
        if 3 <= len(s) <= 30 and _AGENCY_END.search(s) and _plausible(s):
            nxt = tail[i + 1] if i + 1 < len(tail) else ""
            if _DATE_LINE.match(nxt) or i == len(tail) - 1:
                return s, "signature"
    for s in lines[:80]:
        m = _PROSE_NAME.match(nfkc(s))
        if m:
            name = _plausible(m["name"])
            if name:
                return name, "text"
    return None, ""


# --------------------------------------------------------------------------- published
_DATE = (r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?")
_PAGE_DATE = re.compile(r"(?<![\u4e00-\u9fff])(?:发布|发稿|发文|公开|更新)?(?:时间|日期)\s*[:：]\s*" + _DATE)
_CN_DATE = re.compile(r"^(?P<y>[二][〇○零一二三四五六七八九]{3})年(?P<m>[一二三四五六七八九十]{1,2})月"
                      r"(?P<d>[一二三四五六七八九十]{1,3})日$")
_SIGNATURE_DATE = re.compile(r"^" + _DATE + r"$")
_DATE_START = re.compile(_DATE)
_DATE_END = re.compile(_DATE + r"\s*$")
_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def _iso(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _cn_number(s: str) -> int:
    """'十二' → 12, '二十一' → 21, '三' → 3 (month and day numerals)."""
    if "十" not in s:
        return _CN_NUM[s]
    tens, _, ones = s.partition("十")
    return (_CN_NUM[tens] if tens else 1) * 10 + (_CN_NUM[ones] if ones else 0)


def _signature_date(s: str) -> str | None:
    m = _SIGNATURE_DATE.match(s)
    if m:
        return _iso(m["y"], m["m"], m["d"])
    m = _CN_DATE.match(s)
    if m:
        try:
            return _iso(m["y"].translate(_CN_DIGITS), _cn_number(m["m"]), _cn_number(m["d"]))
        except KeyError:
            return None
    return None


def find_published(lines: list[str], truncated: bool = False, header: dict | None = None) -> tuple[str | None, str]:
    """Given a report's lines, return the date it was published (ISO ``YYYY-MM-DD``) and where it
    was read: ``page`` (a page header's 发布时间, or the page's 发布时间/发布日期 line before the
    report), ``signature`` (the date printed on a line of its own at the report's end), or
    ``(None, '')``.

    >>> find_published(["标题: 某县2021年政府信息公开工作年度报告", "发布时间: 2022-01-28 09:30", "正文"])
    ('2022-01-28', 'page')
    >>> find_published(["……", "某县人民政府", "2022年1月20日"])
    ('2022-01-20', 'signature')

    ``header``: what :func:`page_header` returned for these lines, where already known.
    """
    header = page_header(lines) if header is None else header
    for field in ("发布时间", "发布日期"):
        if field in header:
            m = _DATE_START.match(nfkc(header[field][0]))
            if m and (iso := _iso(m["y"], m["m"], m["d"])):
                return iso, "page"
    for x in lines[:40]:
        if "时间" in x or "日期" in x:
            m = _PAGE_DATE.search(nfkc(x[:3000]))
            if m and (iso := _iso(m["y"], m["m"], m["d"])):
                return iso, "page"
    if truncated:
        return None, ""
    tail = (_squash(nfkc(x)) for x in reversed(lines[-40:]) if x.strip())  # from the end
    for s in tail:
        iso = _signature_date(s)
        if iso:
            return iso, "signature"
    end = nfkc(lines[-1][-200:]) if lines else ""
    m = _DATE_END.search(end)
    if m and (iso := _iso(m["y"], m["m"], m["d"])):
        return iso, "signature"
    return None, ""
