"""Agency names: their administrative level, their region, and a key that links them across years.

Reports name their agency in many ways. The same office prints itself as 自治区人民防空办公室 one
year and 宁夏回族自治区人民防空办公室 the next, as 市人防办 in the text and 贵阳市人民防空办公室 on its
web site, as 下湿壕镇政府 or 固阳县下湿壕镇人民政府, in traditional characters (南山區蛇口街道辦事處), or
under an older name before the 2018 reform (卫生和计划生育委员会 -> 卫生健康委员会). This module turns
a printed name into:

- :func:`level_of`  -> ``national`` / ``provincial`` / ``city`` / ``county`` / ``township``
  (a department has the level of its government; districts of a 直辖市 are county level);
- :func:`region_of` -> the places named, joined by ``/`` (``江苏省/淮安市/洪泽区``);
- :func:`expand_agency` -> the full official name where the report's own text makes it certain;
- :func:`agency_key` -> a normalized, stable key (same for printed variants of one name);
- :func:`link_agencies` -> a corpus's reports linked: one key per agency across years and printings.

Everything here is plain functions over strings and small tables declared as data
(:data:`PROVINCES`, :data:`ABBREVIATIONS`, :data:`RENAMES`).

>>> from govreports.agencies import level_of, region_of, expand_agency, agency_key
>>> level_of("上海市科学技术委员会"), level_of("沭阳县发展和改革局"), level_of("广州市海珠区官洲街道办事处")
('provincial', 'county', 'township')
>>> region_of("淮安市洪泽区人民政府")
'江苏省/淮安市/洪泽区'
>>> expand_agency("市人防办", "……贵阳市人防办2020年……")
'贵阳市人民防空办公室'
>>> agency_key("下湿壕镇政府") == agency_key("下湿壕镇人民政府")
True
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import frames as _frames
from .frames import REPORT_COLUMNS

# names remembered per function: enough for a batch's and a chunk's agencies; a bound that does not
# grow with the corpus (at 65,536 names per function, a build's main process grew with its agencies:
# with the cross-year buffer, 233 -> 272 MB from 30,000 to 300,000 reports)
_NAMES_CACHED = 4096

# --------------------------------------------------------------------------------------------
# Data: the 34 provincial-level divisions
# --------------------------------------------------------------------------------------------


class Province(NamedTuple):
    full: str    # official full name, e.g. 宁夏回族自治区
    short: str   # name as commonly shortened, e.g. 宁夏
    abbr: str    # one-character abbreviation, e.g. 宁
    kind: str    # province / municipality (直辖市) / autonomous_region / sar / taiwan


PROVINCES: tuple[Province, ...] = (
    Province("北京市", "北京", "京", "municipality"),
    Province("天津市", "天津", "津", "municipality"),
    Province("上海市", "上海", "沪", "municipality"),
    Province("重庆市", "重庆", "渝", "municipality"),
    Province("河北省", "河北", "冀", "province"),
    Province("山西省", "山西", "晋", "province"),
    Province("辽宁省", "辽宁", "辽", "province"),
    Province("吉林省", "吉林", "吉", "province"),
    Province("黑龙江省", "黑龙江", "黑", "province"),
    Province("江苏省", "江苏", "苏", "province"),
    Province("浙江省", "浙江", "浙", "province"),
    Province("安徽省", "安徽", "皖", "province"),
    Province("福建省", "福建", "闽", "province"),
    Province("江西省", "江西", "赣", "province"),
    Province("山东省", "山东", "鲁", "province"),
    Province("河南省", "河南", "豫", "province"),
    Province("湖北省", "湖北", "鄂", "province"),
    Province("湖南省", "湖南", "湘", "province"),
    Province("广东省", "广东", "粤", "province"),
    Province("海南省", "海南", "琼", "province"),
    Province("四川省", "四川", "川", "province"),
    Province("贵州省", "贵州", "贵", "province"),
    Province("云南省", "云南", "云", "province"),
    Province("陕西省", "陕西", "陕", "province"),
    Province("甘肃省", "甘肃", "甘", "province"),
    Province("青海省", "青海", "青", "province"),
    Province("台湾省", "台湾", "台", "taiwan"),
    Province("内蒙古自治区", "内蒙古", "蒙", "autonomous_region"),
    Province("广西壮族自治区", "广西", "桂", "autonomous_region"),
    Province("西藏自治区", "西藏", "藏", "autonomous_region"),
    Province("宁夏回族自治区", "宁夏", "宁", "autonomous_region"),
    Province("新疆维吾尔自治区", "新疆", "新", "autonomous_region"),
    Province("香港特别行政区", "香港", "港", "sar"),
    Province("澳门特别行政区", "澳门", "澳", "sar"),
)
AUTONOMOUS_REGIONS = tuple(p for p in PROVINCES if p.kind == "autonomous_region")
MUNICIPALITIES = tuple(p.full for p in PROVINCES if p.kind == "municipality")

# Printed abbreviations of departments -> the full form (longest first when applied).
ABBREVIATIONS: dict[str, str] = {
    "人防办": "人民防空办公室",
    "人民防空办": "人民防空办公室",
    "政府办公室": "人民政府办公室",
    "政府办公厅": "人民政府办公厅",
    "政府办": "人民政府办公室",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "人社厅": "人力资源和社会保障厅",
    "住建局": "住房和城乡建设局",
    "住建委": "住房和城乡建设委员会",
    "住建厅": "住房和城乡建设厅",
    "市监局": "市场监督管理局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "文旅局": "文化和旅游局",
    "文广旅局": "文化广电旅游局",
    "残联": "残疾人联合会",
    "退役军人局": "退役军人事务局",
    "交通局": "交通运输局",
    "生态环境分局": "生态环境分局",
    "农业农村委": "农业农村委员会",
    "科技局": "科学技术局",
    "科委": "科学技术委员会",
    "科技厅": "科学技术厅",
    "工信局": "工业和信息化局",
    "工信厅": "工业和信息化厅",
    "国资委": "国有资产监督管理委员会",
    "管委会": "管理委员会",
    "教体局": "教育体育局",
    "自然资源局": "自然资源局",
}

# Department names before a reform -> the name after it (2018 State Council reform and its local
# counterparts). A link made through this table is a guess: it is marked ``guessed``.
RENAMES: dict[str, str] = {
    "卫生和计划生育委员会": "卫生健康委员会",
    "卫生和计划生育局": "卫生健康局",
    "卫生计生委": "卫生健康委员会",
    "卫生局": "卫生健康局",
    "国土资源局": "自然资源局",
    "国土资源厅": "自然资源厅",
    "国土资源和规划局": "自然资源和规划局",
    "环境保护局": "生态环境局",
    "环境保护厅": "生态环境厅",
    "环保局": "生态环境局",
    "安全生产监督管理局": "应急管理局",
    "安全生产监督管理厅": "应急管理厅",
    "安监局": "应急管理局",
    "工商行政管理局": "市场监督管理局",
    "食品药品监督管理局": "市场监督管理局",
    "质量技术监督局": "市场监督管理局",
    "农业局": "农业农村局",
    "农业委员会": "农业农村委员会",
    "农业厅": "农业农村厅",
    "文化广电新闻出版局": "文化和旅游局",
    "文化广电新闻出版旅游局": "文化和旅游局",
    "文化广电旅游局": "文化和旅游局",
    "旅游局": "文化和旅游局",
    "文化局": "文化和旅游局",
    "民族宗教事务局": "民族宗教事务委员会",
    "住房和城乡建设委员会": "住房和城乡建设局",
    "城乡规划局": "自然资源和规划局",
    "规划局": "自然资源和规划局",
}

# --------------------------------------------------------------------------------------------
# Splitting a name into its places and its department
# --------------------------------------------------------------------------------------------

# Where the department part of a name starts (the place part is everything before it).
_DEPARTMENT_STARTS = (
    "人民政府", "政府", "人民防空", "人防", "办公厅", "办公室", "办事处", "委员会", "管理委员会", "管委会",
    "发展和改革", "发改", "教育", "科学技术", "科技", "工业和信息化", "工信", "公安", "民政", "司法",
    "财政", "人力资源", "人社", "自然资源", "国土", "生态环境", "环境保护", "环保", "住房", "住建",
    "城乡建设", "城市管理", "城管", "交通", "水利", "水务", "农业", "林业", "商务", "文化", "文旅",
    "卫生", "卫健", "退役军人", "应急", "安全生产", "审计", "国有资产", "国资", "市场监督", "市场监管",
    "市监", "统计", "医疗保障", "医保", "地方志", "信访", "体育", "广播电视", "机关事务", "金融",
    "税务", "档案", "粮食", "民族", "宗教", "侨务", "外事", "残疾人", "残联", "供销", "气象",
    "地震", "消防", "规划", "工商", "质量", "食品药品", "旅游", "科协", "总工会", "妇联", "团委",
    "发展改革", "经济", "数据", "大数据", "政务服务", "行政审批", "营商环境", "乡村振兴", "扶贫",
    "投资促进", "招商", "海关", "口岸", "港口", "铁路", "民航", "邮政", "烟草", "网信", "保密",
    "编制", "机构编制", "某",
)
_DEPARTMENT_RE = re.compile("|".join(sorted(map(re.escape, _DEPARTMENT_STARTS), key=len, reverse=True)))

# Place suffixes, longest first; each with the level of a government named by it.
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "街道", "苏木",
                   "地区", "省", "市", "盟", "县", "区", "旗", "镇", "乡")
_SUFFIX_LEVEL = {"特别行政区": "provincial", "自治区": "provincial", "省": "provincial",
                 "自治州": "city", "地区": "city", "盟": "city", "市": "city",
                 "自治县": "county", "自治旗": "county", "县": "county", "区": "county",
                 "新区": "county", "旗": "county",
                 "街道": "township", "镇": "township", "乡": "township", "苏木": "township"}
_SEGMENT_RE = re.compile(r"(.+?)(" + "|".join(_PLACE_SUFFIXES) + ")")
_GENERIC_RE = re.compile(r"(" + "|".join(_PLACE_SUFFIXES) + ")")
_LEVEL_ORDER = ("national", "provincial", "city", "county", "township")
_NATIONAL_RE = re.compile(r"^(国务院|中华人民共和国|国家|中国|全国)|^[\u4e00-\u9fff]{1,8}(部|总署|总局)$")

_PROVINCE_BY_NAME: dict[str, Province] = {}
for _p in PROVINCES:
    _PROVINCE_BY_NAME[_p.full] = _p
    _PROVINCE_BY_NAME[_p.short] = _p
_PROVINCE_NAMES_RE = re.compile("|".join(sorted(_PROVINCE_BY_NAME, key=len, reverse=True)))


class Place(NamedTuple):
    name: str    # as it will be printed in ``region`` (full name for provinces), '' if generic
    level: str   # provincial / city / county / township


def _clean(name: str) -> str:
    """Given a printed name, return it without spaces, brackets' contents kept, simplified."""
    return _clean_text(str(name or ""))


_SPACES = re.compile(r"[\s\u3000\u00a0]+")


@lru_cache(maxsize=_NAMES_CACHED)
def _clean_text(name: str) -> str:
    name = _SPACES.sub("", name).strip("“”\"'《》：:，,。.()（）【】[]")
    return to_simplified(name)


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
        return opencc.OpenCC("t2s")
    except Exception:  # opencc missing or broken: names stay as printed
        return None


def to_simplified(text: str) -> str:
    """Given text, return it in simplified characters (unchanged without opencc)."""
    conv = _converter()
    if conv is None or text.isascii():
        return text
    return conv.convert(text)


@lru_cache(maxsize=_NAMES_CACHED)
def split_name(name: str) -> tuple[str, str]:
    """Given a cleaned agency name, return ``(place_part, department_part)``.

    >>> split_name("沭阳县发展和改革局")
    ('沭阳县', '发展和改革局')
    >>> split_name("广州市海珠区官洲街道办事处")
    ('广州市海珠区官洲街道', '办事处')
    """
    m = _PROVINCE_NAMES_RE.match(name)
    start = m.end() if m else 0
    d = _DEPARTMENT_RE.search(name, start)
    if d is None:
        return name, ""
    return name[:d.start()], name[d.start():]


def places_of(place_part: str) -> list[Place]:
    """Given the place part of a name, return its places from the largest to the smallest.

    A generic prefix (``自治区``, ``市``, ``区`` printed without a name) gives one Place with an
    empty name and the level of its suffix.

    >>> [p.name for p in places_of("江苏省淮安市洪泽区")]
    ['江苏省', '淮安市', '洪泽区']
    >>> places_of("自治区")
    [Place(name='', level='provincial')]
    """
    return list(_places(place_part))


@lru_cache(maxsize=_NAMES_CACHED)
def _places(place_part: str) -> tuple[Place, ...]:
    out: list[Place] = []
    rest = place_part
    m = _PROVINCE_NAMES_RE.match(rest)
    if m:
        prov = _PROVINCE_BY_NAME[m.group()]
        out.append(Place(prov.full, "provincial"))
        rest = rest[m.end():]
        # a short name followed by its own suffix (上海 + 市) is consumed once
        for suffix in ("市", "省", "自治区", "特别行政区"):
            if m.group() == prov.short and rest.startswith(suffix) and prov.full.endswith(suffix):
                rest = rest[len(suffix):]
                break
    generic = _GENERIC_RE.fullmatch(rest)
    if generic and not out:
        return (Place("", _SUFFIX_LEVEL[generic.group()]),)
    while rest:
        seg = _SEGMENT_RE.match(rest)
        if seg is None:
            break
        out.append(Place(seg.group(), _place_level(seg.group(2), out)))
        rest = rest[seg.end():]
    return tuple(out)


def _place_level(suffix: str, above: list[Place]) -> str:
    """Given a place suffix and the places above it, return the place's level."""
    level = _SUFFIX_LEVEL[suffix]
    if suffix == "市" and above and above[-1].level in ("city", "county"):
        return "county"             # a county-level city (苏州市昆山市)
    if suffix in ("区", "新区") and above and above[-1].level == "county":
        return "township"           # rare: a 区 inside a county-level unit
    return level


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=_NAMES_CACHED)
def level_of(name: str) -> str | None:
    """Given an agency name, return the level of its government, or None if the name cannot tell.

    A department has its government's level; a 直辖市 is provincial and its districts county.

    >>> [level_of(n) for n in ("上海市人民政府办公厅", "淮安市洪泽区人民政府", "国家统计局",
    ...                        "自治区人民防空办公室", "七里坪镇人民政府", "审计局")]
    ['provincial', 'county', 'national', 'provincial', 'township', None]
    """
    name = _clean(name)
    if not name:
        return None
    place, dept = split_name(name)
    places = places_of(place)
    if not places:
        return "national" if _NATIONAL_RE.search(name) else None
    return max((p.level for p in places), key=_LEVEL_ORDER.index)


@lru_cache(maxsize=_NAMES_CACHED)
def region_of(name: str) -> str | None:
    """Given an agency name, return the places it names joined by ``/``, or None.

    Provinces come out by their full names; a generic prefix (``自治区``, ``市``) names no region.
    A name that starts below the province (淮安市洪泽区) gets its province and city from the
    national division codes where the name is unambiguous there.

    >>> region_of("广西人民政府"), region_of("淮安市洪泽区人民政府"), region_of("市人防办")
    ('广西壮族自治区', '江苏省/淮安市/洪泽区', None)
    """
    name = _clean(name)
    places = [p.name for p in places_of(split_name(name)[0]) if p.name]
    return "/".join(_complete_places(places)) or None


@lru_cache(maxsize=1)
def _division_codes() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Name → 12-digit division codes, and code → name, from the ``cpca`` package's table of
    China's administrative divisions (国家统计局区划代码)."""
    import csv
    from importlib.util import find_spec

    by_name: dict[str, list[str]] = {}
    by_code: dict[str, str] = {}
    try:
        # The file is found beside cpca's __init__ without importing cpca (its start-up costs 80 ms).
        spec = find_spec("cpca")
        if spec is None or not spec.origin:
            raise ModuleNotFoundError("cpca")
        path = Path(spec.origin).parent / "resources" / "adcodes.csv"
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                by_name.setdefault(row["name"], []).append(row["adcode"])
                by_code[row["adcode"]] = row["name"]
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - cpca is a dependency
        pass
    return by_name, by_code


def _complete_places(places: list[str]) -> list[str]:
    """Given places from the largest down, prepend the province (and city) they lie in where the
    first place has one code only in the national division table."""
    if not places or places[0] in {p.full for p in PROVINCES}:
        return places
    by_name, by_code = _division_codes()
    codes = by_name.get(places[0], [])
    if len(codes) != 1:
        return places
    code = codes[0]
    above = []
    province = by_code.get(code[:2] + "0" * 10)
    city = by_code.get(code[:4] + "0" * 8) if code[4:6] != "00" else None
    if province and province != places[0]:
        above.append(province)
    if city and city not in (places[0], province) and not city.endswith("辖区"):
        above.append(city)
    return above + places


_ABBREVIATIONS_LONGEST_FIRST = tuple(sorted(ABBREVIATIONS, key=len, reverse=True))


def expand_abbreviations(name: str) -> str:
    """Given a name, return it with department abbreviations written out (人防办 -> 人民防空办公室)."""
    place, dept = split_name(name)
    for short in _ABBREVIATIONS_LONGEST_FIRST:
        if dept.startswith(short) and not dept.startswith(ABBREVIATIONS[short]):
            dept = ABBREVIATIONS[short] + dept[len(short):]
            break
    if dept in ("政府",):
        dept = "人民政府"
    return place + dept


def expand_agency(name_as_printed: str, text: str) -> str:
    """Given the agency name as printed and the report's text, return the full official name.

    The name is completed only where the text makes it certain: a generic place prefix (自治区, 省,
    市, 区, 县) gets the one place of that kind the text names before the same department (or the
    only one it names at all); abbreviations are written out. Otherwise the name comes back as
    printed (simplified, without spaces).

    >>> expand_agency("自治区人民防空办公室", "……宁夏回族自治区人民防空办公室……")
    '宁夏回族自治区人民防空办公室'
    >>> expand_agency("市人防办", "……贵阳市人民防空信息网……")
    '贵阳市人民防空办公室'
    >>> expand_agency("区民政局", "天津市河东区民政局2022年……区民政局")
    '天津市河东区民政局'
    >>> expand_agency("县审计局", "本报告由县审计局编制")
    '县审计局'
    """
    name = _clean(name_as_printed)
    if not name:
        return name
    full = expand_abbreviations(name)
    place, dept = split_name(full)
    places = places_of(place)
    simplified = None  # the text in simplified characters, converted only where a place is looked for
    if len(places) == 1 and not places[0].name:
        simplified = to_simplified(text or "")
        found = _place_named_in_text(place, dept, simplified)
        if found:
            full = found + dept
            place = found
    elif not places:
        return normalize_agency(full)
    parent = None
    if place and split_name(full)[0] == place and _has_parent(place):
        parent = _parent_named_in_text(place, to_simplified(text or "") if simplified is None else simplified)
    if parent:
        full = parent + full
    return normalize_agency(full)


def _place_named_in_text(generic: str, dept: str, text: str) -> str | None:
    """Given a generic prefix (自治区, 市, ...) and the department, return the place the text names."""
    if generic == "自治区":
        return _autonomous_region_in_text(dept, text)
    if generic == "省":
        candidates = _provinces_in_text(text, kinds=("province",))
        return candidates[0] if len(candidates) == 1 else None
    stems = [dept[:4]] + [k for k, v in ABBREVIATIONS.items() if dept.startswith(v)]
    before_dept = set()
    for stem in filter(None, stems):
        for m in re.finditer(re.escape(generic) + re.escape(stem), text):
            before_dept.add(_trim_place(text[max(0, m.start() - 4):m.start()] + generic, generic))
    before_dept = _fewest_places(before_dept)
    if len(before_dept) == 1:
        return before_dept.pop()
    if before_dept:
        return None
    anywhere = {_trim_place(text[max(0, m.start() - 3):m.start()] + generic, generic)
                for m in re.finditer(re.escape(generic) + r"(?:人民政府|政府|委|内|的|，)", text)}
    anywhere = _fewest_places(anywhere)
    return anywhere.pop() if len(anywhere) == 1 else None


_LEADING_WORDS = ("通过", "其中", "联系", "可在", "请与", "关于", "登录", "访问", "前往", "致电", "根据",
                  "按照", "依据", "在", "由", "与", "经", "请", "据", "对", "为", "及")


def _trim_place(candidate: str, generic: str) -> str | None:
    """Given a candidate like '年贵阳市', return the place ('贵阳市') or None if it is not one."""
    last = max((candidate.rfind(w) + len(w) for w in _LEADING_WORDS if w in candidate), default=0)
    if len(candidate) - len(generic) - last >= 2:
        candidate = candidate[last:]
    for cut in range(len(candidate) - len(generic)):
        piece = candidate[cut:]
        stem = piece[: -len(generic)]
        if len(stem) < 2 or re.search(r"[^\u4e00-\u9fff]|[年月日的在由和与及对向为是全本各该我省市县区镇乡州旗盟]", stem):
            continue
        if stem.startswith(_LEADING_WORDS):
            continue
        return piece
    return None


def _fewest_places(candidates: set) -> set[str]:
    """Given candidate places, drop None and any that only add characters before another one."""
    found = {c for c in candidates if c}
    return {c for c in found if not any(o != c and c.endswith(o) for o in found)}


def _autonomous_region_in_text(dept: str, text: str) -> str | None:
    """Given the department and the text, return the autonomous region the text names, or None."""
    named = [p for p in AUTONOMOUS_REGIONS if p.full in text or p.short in text]
    if len(named) == 1:
        return named[0].full
    stems = [dept[:4]] + [k for k, v in ABBREVIATIONS.items() if dept.startswith(v)]
    before_dept = [p for p in named if any((p.full + s) in text or (p.short + s) in text for s in stems if s)]
    return before_dept[0].full if len(before_dept) == 1 else None


def _provinces_in_text(text: str, kinds: tuple[str, ...]) -> list[str]:
    """Given text, return the full names of the provinces of ``kinds`` it names by full name."""
    return [p.full for p in PROVINCES if p.kind in kinds and p.full in text]


def _has_parent(place: str) -> bool:
    """Whether a place part starts below a province (a parent place may be printed before it)."""
    places = places_of(place)
    return bool(places) and bool(places[0].name) and places[0].level != "provincial"


def _parent_named_in_text(place: str, text: str) -> str | None:
    """Given a place part ('河东区') and text, return the parent place printed before it, or None."""
    if not _has_parent(place):
        return None
    places = places_of(place)
    first = places[0].name
    parents = set()
    for m in re.finditer(re.escape(first), text):
        window = text[max(0, m.start() - 8):m.start()]
        for suffix in ("省", "市", "自治区", "自治州", "地区", "盟"):
            if window.endswith(suffix):
                parents.add(_trim_place(window, suffix))
    parents = {p for p in _fewest_places(parents) if p != first}
    return parents.pop() if len(parents) == 1 else None


_ZONES = ("实验区", "试验区", "开发区", "高新区", "示范区", "合作区", "园区", "保税区", "度假区", "风景区")


@lru_cache(maxsize=_NAMES_CACHED)
def normalize_agency(name: str) -> str:
    """Given a printed name, return it normalized: simplified, no spaces, abbreviations written
    out, provinces by their full name, a bare place name completed to its 人民政府.

    >>> normalize_agency("广西 人防办"), normalize_agency("七里坪镇"), normalize_agency("南山區蛇口街道辦事處")
    ('广西壮族自治区人民防空办公室', '七里坪镇人民政府', '南山区蛇口街道办事处')
    """
    name = expand_abbreviations(_clean(name))
    place, dept = split_name(name)
    places = places_of(place)
    if places and places[0].level == "provincial" and places[0].name:
        m = _PROVINCE_NAMES_RE.match(place)
        rest = place[m.end():] if m else place
        prov = _PROVINCE_BY_NAME[m.group()] if m else None
        if prov and m.group() == prov.short:
            for suffix in ("市", "省", "自治区", "特别行政区"):
                if rest.startswith(suffix) and prov.full.endswith(suffix):
                    rest = rest[len(suffix):]
                    break
        place = (prov.full if prov else "") + rest
    if not dept and place.endswith(_ZONES):
        dept = "管理委员会"  # a development or pilot zone is governed by its 管委会, not a 人民政府
    if not dept and places and places[-1].name and places[-1].level in ("provincial", "city", "county", "township") \
            and not place.endswith("街道"):
        dept = "人民政府"
    if not dept and place.endswith("街道"):
        dept = "办事处"
    return place + dept


def rename(name: str) -> str:
    """Given a normalized name, return it with a pre-reform department name replaced (or unchanged)."""
    place, dept = split_name(name)
    for old in sorted(RENAMES, key=len, reverse=True):
        if dept == old or (dept.startswith(old) and len(dept) > len(old) and dept[len(old)] in "办"):
            return place + RENAMES[old] + dept[len(old):]
    return name


@lru_cache(maxsize=_NAMES_CACHED)
def agency_key(name: str) -> str:
    """Given an agency name, return a normalized stable key: the same for printed variants and
    for a department renamed in the 2018 reform.

    >>> agency_key("宁夏 自治区人防办") == agency_key("宁夏回族自治区人民防空办公室")
    True
    >>> agency_key("淮安市卫生和计划生育委员会") == agency_key("淮安市卫生健康委员会")
    True
    """
    return rename(normalize_agency(name))


@lru_cache(maxsize=_NAMES_CACHED)
def link_kind(name: str) -> str:
    """Given a name, return how :func:`agency_key` links it: exact, normalized or guessed."""
    clean = _clean(name)
    norm = normalize_agency(clean)
    if rename(norm) != norm:
        return "guessed"
    return "exact" if norm == re.sub(r"\s+", "", str(name or "")) else "normalized"


def name_from_filename(filename: str) -> str | None:
    """Given a file name, return the agency name in it (Chinese characters before the year), or None.

    >>> name_from_filename("贵阳市人民防空办公室2021年政府信息公开工作年度报告.pdf")
    '贵阳市人民防空办公室'
    >>> name_from_filename("report_2021.html") is None
    True
    """
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", str(filename).replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"(19|20)\d\d\s*年?(度)?", " ", stem)
    stem = re.sub(r"(关于)?(政府)?信息公开(工作)?(年度)?报告|年度报告|工作报告", " ", stem)
    pieces = [p for p in re.findall(r"[\u4e00-\u9fff]{3,}", stem)]
    for piece in pieces:
        if places_of(split_name(_clean(piece))[0]) or _NATIONAL_RE.search(piece):
            return _clean(piece)
    return None


# --------------------------------------------------------------------------------------------
# Linking the reports of a corpus
# --------------------------------------------------------------------------------------------

def link_agencies(reports: pd.DataFrame) -> pd.DataFrame:
    """Given a reports table, return it with agency_key, agency_link, level and region filled.

    - ``exact``: the name as printed is already the key;
    - ``normalized``: the key differs only by spacing, traditional characters, abbreviations
      (人防办), a province's short name, or a place completed from the report's own text;
    - ``guessed``: a department renamed (卫生和计划生育委员会 -> 卫生健康委员会), a partial name
      linked to the one full name in the corpus that ends with it (洪泽区人民政府 ->
      淮安市洪泽区人民政府), or an agency taken from the file name;
    - ``partial``: a name with no place (区民政局) that no fuller name claims: a key of its own,
      never merged with another report.

    A corpus too large for memory is linked chunk by chunk with :class:`AgencyLinker` (what
    this function does on one chunk).

    >>> r = pd.DataFrame({"report_id": ["a", "b"], "source": ["x.txt", "y.txt"],
    ...                   "agency": ["洪泽区人民政府", "淮安市洪泽区人民政府"], "agency_as_printed": [None, None]})
    >>> link_agencies(r)[["agency_key", "agency_link", "level"]].values.tolist()
    [['淮安市洪泽区人民政府', 'guessed', 'county'], ['淮安市洪泽区人民政府', 'exact', 'county']]
    """
    with AgencyLinker() as linker:
        reports = linker.own(reports)
        linker.see(reports)
        return linker.link(reports)


class AgencyLinker:
    """Links the reports of a corpus in three passes over chunks of its reports table, so that
    memory does not grow with the corpus: what the passes learn (every key, the shorter names
    each may be printed as, file stems, how often each file name occurs) is kept in SQLite.

    1. ``own(chunk)``: each report's key from its own names (``agency_key``, ``agency_link``);
    2. ``see(chunk)`` (every chunk again, after every ``own``): file stems and file names;
    3. ``link(chunk)``: the corpus-wide links (a partial name to the one longer key, a nameless
       report to the key of its file stem, a placeless name kept apart), level and region.

    ``db`` is an open SQLite connection (a build's index, on disk); None keeps one in memory.
    """

    def __init__(self, db=None):
        import sqlite3

        self._owned = db is None
        self.db = sqlite3.connect(":memory:") if db is None else db
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS link_keys (key TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS link_stems (stem TEXT, key TEXT, PRIMARY KEY (stem, key)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS link_names (name TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
        """)
        self._longer_ready = self._stems_ready = False

    def __enter__(self) -> "AgencyLinker":
        return self

    def __exit__(self, *exc) -> None:
        if self._owned:
            self.db.close()

    def own(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """Pass 1: return the chunk with agency_key and agency_link from each report's own names."""
        chunk = chunk.copy()
        for col in ("report_id", "agency", "agency_as_printed", "level", "region", "source", "status"):
            if col not in chunk.columns:
                chunk[col] = pd.NA
        pairs = [_own_key(_str(a), _str(p), _str(s))
                 for a, p, s in zip(chunk["agency"], chunk["agency_as_printed"], chunk["source"])]
        chunk["agency_key"] = pd.array([k for k, _ in pairs], dtype="string")
        chunk["agency_link"] = pd.array([lk for _, lk in pairs], dtype="string")
        self.db.executemany("INSERT OR IGNORE INTO link_keys VALUES (?)", [(k,) for k, _ in pairs if k])
        return chunk

    def see(self, chunk: pd.DataFrame) -> None:
        """Pass 2: note the chunk's file stems (of reports with a key) and file names."""
        self._prepare_longer()
        keys = self._partial_linked([_str(k) for k in chunk["agency_key"]])
        sources = [_str(s) for s in chunk["source"]]
        stems = {(_file_stem(s), k) for k, s in zip(keys, sources) if k and s and _file_stem(s)}
        self.db.executemany("INSERT OR IGNORE INTO link_stems VALUES (?, ?)", sorted(stems))
        self.db.executemany("INSERT INTO link_names VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1",
                            [(Path(s).name,) for s in sources if s])

    def link(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """Pass 3: return the chunk with its corpus-wide agency_key, agency_link, level and region."""
        self._prepare_longer()
        self._prepare_stems()
        chunk = chunk.copy()
        own = [_str(k) for k in chunk["agency_key"]]
        keys = self._partial_linked(own)
        links = [lk if k == o else "guessed" for k, o, lk in zip(keys, own, chunk["agency_link"])]
        links = [_str(lk) for lk in links]
        sources = [_str(s) for s in chunk["source"]]
        by_stem = self._lookup("SELECT stem, key FROM link_stem_one WHERE stem IN ({})",
                               {_file_stem(s) for k, s in zip(keys, sources) if k is None and _file_stem(s)})
        for i, (key, source) in enumerate(zip(keys, sources)):
            if key is None and _file_stem(source) in by_stem:
                keys[i], links[i] = by_stem[_file_stem(source)], "guessed"
        placeless = [i for i, k in enumerate(keys) if k and _placeless(k)]
        names = [Path(sources[i]).name if sources[i] else None for i in placeless]
        counts = self._lookup("SELECT name, n FROM link_names WHERE name IN ({})", {n for n in names if n})
        for i, name in zip(placeless, names):
            own_name = name if name and counts.get(name) == 1 else chunk["report_id"].iloc[i]
            keys[i], links[i] = f"{keys[i]}@{own_name}", "partial"
        chunk["agency_key"] = pd.array(keys, dtype="string")
        chunk["agency_link"] = pd.array(links, dtype="string")
        shown = [_str(a) or k for a, k in zip(chunk["agency"], keys)]
        chunk["level"] = [_str(lv) or (level_of(k) if k else None) or (level_of(n) if n else None)
                          for lv, k, n in zip(chunk["level"], keys, shown)]
        chunk["region"] = [_str(rg) or _longest_region(n, k) for rg, n, k in zip(chunk["region"], shown, keys)]
        return _frames.typed(chunk, {**REPORT_COLUMNS, **{c: str(chunk[c].dtype) for c in chunk.columns
                                                         if c not in REPORT_COLUMNS}})

    def _prepare_longer(self) -> None:
        """After pass 1: each shorter name claimed by exactly one key of the corpus."""
        if self._longer_ready:
            return
        self.db.execute("CREATE TABLE link_suffixes (suffix TEXT, key TEXT)")
        rows = self.db.execute("SELECT key FROM link_keys")
        while batch := rows.fetchmany(5000):
            self.db.executemany("INSERT INTO link_suffixes VALUES (?, ?)",
                                [(s, k) for (k,) in batch for s in set(_key_suffixes(k))])
        self.db.executescript("""
            CREATE TABLE link_longer AS SELECT suffix, MIN(key) AS key FROM link_suffixes GROUP BY suffix
                HAVING COUNT(DISTINCT key) = 1;
            CREATE UNIQUE INDEX link_longer_suffix ON link_longer (suffix);
            DROP TABLE link_suffixes;
        """)
        self._longer_ready = True

    def _prepare_stems(self) -> None:
        """After pass 2: each file stem with exactly one key."""
        if self._stems_ready:
            return
        self.db.executescript("""
            CREATE TABLE link_stem_one AS SELECT stem, MIN(key) AS key FROM link_stems GROUP BY stem
                HAVING COUNT(*) = 1;
            CREATE UNIQUE INDEX link_stem_one_stem ON link_stem_one (stem);
        """)
        self._stems_ready = True

    def _partial_linked(self, keys: list) -> list:
        """Given keys, return them with each partial key replaced by the one longer key claiming it."""
        longer = self._lookup("SELECT suffix, key FROM link_longer WHERE suffix IN ({})", {k for k in keys if k})
        return [longer.get(k, k) if k else k for k in keys]

    def _lookup(self, query: str, values: set) -> dict:
        """Given a two-column query with an IN list and its values, return {first: second}."""
        out: dict = {}
        values = sorted(values)
        for i in range(0, len(values), 500):
            part = values[i:i + 500]
            out.update(self.db.execute(query.format(",".join("?" * len(part))), part).fetchall())
        return out


def _placeless(key: str) -> bool:
    """True for a key that names no place (区民政局): it could be any district's."""
    return not any(p.name for p in places_of(split_name(key)[0]))


def _str(value) -> str | None:
    """Given a cell, return it as a non-empty str or None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _own_key(agency: str | None, printed: str | None, source: str | None) -> tuple[str | None, str | None]:
    """Given one report's names, return (agency_key, agency_link) without looking at others."""
    name = agency or printed
    if name is None:
        from_file = name_from_filename(source or "")
        return (agency_key(from_file), "guessed") if from_file else (None, None)
    key = agency_key(name)
    norm = normalize_agency(name)
    if key != norm:
        return key, "guessed"
    as_printed = re.sub(r"\s+", "", printed or name)
    return key, "exact" if key == as_printed else "normalized"


def _key_suffixes(key: str) -> list[str]:
    """Given a full key, return the shorter names it may be printed as (洪泽区人民政府, 区人民政府)."""
    place, dept = split_name(key)
    places = [p for p in places_of(place) if p.name]
    out = ["".join(p.name for p in places[i:]) + dept for i in range(1, len(places))]
    if places:
        last = places[-1].name
        suffix = next((s for s in sorted(_PLACE_SUFFIXES, key=len, reverse=True) if last.endswith(s)), "")
        out.append(suffix + dept)
    return [s for s in out if s and s != key]


def _file_stem(source: str | None) -> str | None:
    """Given a source path, return its file name without extension, years and separators."""
    if not source:
        return None
    stem = re.sub(r"(19|20)\d\d|[\s_\-.]+", "", Path(source).stem)
    return stem or None


def _longest_region(name: str | None, key: str | None) -> str | None:
    """Given a report's agency name and key, return the longer region either names."""
    regions = [r for r in (region_of(name) if name else None, region_of(key) if key else None) if r]
    return max(regions, key=len) if regions else None
