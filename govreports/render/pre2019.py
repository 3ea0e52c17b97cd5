"""Printings of reports from before the national template (2008–2018), from their figures.

Tests and benchmarks print the same figures several ways and read them back (the figures are
keyed as in ``shared/gold/pre2019.json``: ``requests.ROW.total``, ``appeals.review.total``,
``legacy.KEY``):

- ``prose``: every figure stated in a sentence (共收到…申请7条, 同意公开答复2条, 行政复议0件 …);
- ``prose_words``: zeros written in words (没有接到…申请, 未发生…行政复议案、行政诉讼案, 没有收费);
- ``table``: the agency's statistics table, one row per line, space-separated, with the
  running total since 2008 beside each figure (``指标名称 计量单位 2014年度 历年累计``);
- ``crawler``: the same table as a crawler stores it: one line, the year's figure glued to the
  running total (``条728``) and each row's ordinal stuck to the digits before it.

Every printing carries decoys (``decoys=True``): numbers that are not figures (licensing at the
service centre, consultations in 人次, documents published, an agency's spending) which a reader
must never take; :attr:`LegacyValues.decoys` lists them.

>>> v = LegacyValues.synthetic(3)
>>> "指标名称" in render_pre2019(v, "table")
True
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from .. import template

LAYOUTS = ("prose", "prose_words", "table", "crawler")
# Figure name -> template key of LEGACY_FIGURES (the gold's names, e.g. requests.received_new.total)
_BY_TARGET = {".".join(f.target): f.key for f in template.LEGACY_FIGURES if f.target}


def figure_key(name: str) -> str:
    """Given a gold figure name (``requests.granted.total``, ``legacy.fees_yuan``), return the key
    of ``template.LEGACY_FIGURES`` it belongs to."""
    return name.split(".", 1)[1] if name.startswith("legacy.") else _BY_TARGET[name]


@dataclass
class LegacyValues:
    """The figures of one pre-2019 report, keyed by ``template.LEGACY_FIGURES`` keys."""

    agency: str
    year: int
    figures: dict[str, float]
    cumulative: dict[str, int] = field(default_factory=dict)
    decoys: tuple[int, ...] = (121510, 3698, 2543, 78967, 36)

    @classmethod
    def from_gold(cls, entry: dict) -> "LegacyValues":
        """Given an entry of ``pre2019.json``, return its values (running totals made up, each
        a unique split of the glued form)."""
        figures = {figure_key(k): float(v) for k, v in entry["figures"].items()}
        return cls(entry["agency"], int(entry["year"]), figures, _cumulative(figures, random.Random(entry["year"])))

    @classmethod
    def synthetic(cls, seed: int) -> "LegacyValues":
        """A consistent made-up report: answers by kind sum to the answers, which equal the requests."""
        rng = random.Random(seed)
        granted, partly, refused, other = (rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 40]) for _ in range(4))
        answered = granted + partly + refused + other
        channels = _split(answered, 3, rng)
        figures = {"received": answered, "answered": answered, "granted": granted, "partly_granted": partly,
                   "refused_all": refused, "other_answers": other, "review": rng.choice([0, 0, 1, 2]),
                   "suits_total": rng.choice([0, 0, 1]), "fees_yuan": rng.choice([0, 0, 0, 20, 35]),
                   "channel_in_person": channels[0], "channel_online": channels[1], "channel_letter_fax": channels[2]}
        figures = {k: float(v) for k, v in figures.items()}
        agency = rng.choice(["某某县人民政府办公室", "某某市统计局", "某某区教育局", "某某镇人民政府"])
        return cls(agency, rng.randint(2008, 2018), figures, _cumulative(figures, rng))


def _split(n: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, n) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, n])]


def _cumulative(figures: dict[str, float], rng: random.Random) -> dict[str, int]:
    """A running total for each count whose glued form (year's figure, then the total) splits
    in one way only: the total has one digit more than the figure and is at least ten times it."""
    out = {}
    for key, v in figures.items():
        n = int(v)
        lo = max(10 * n, 10 ** len(str(n)))
        out[key] = rng.randint(lo, lo * 2 - 1) if n else rng.randint(10, 99)
    return out


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# Sentences stating a figure: (key, with a number, with a zero in words or None)
_SENTENCES = (
    ("received", "{year}年共收到有关政府信息公开的申请{n}条，已全部按期答复", "{year}年度我单位没有接到公民、法人或其他组织要求公开政府信息的申请"),
    ("answered", "对申请的答复总数{n}条", None),
    ("granted", "其中同意公开答复{n}条", None),
    ("partly_granted", "同意部分公开答复{n}条", None),
    ("refused_all", "不予公开答复{n}条", None),
    ("other_answers", "其他类型答复{n}条", None),
    ("review", "因政府信息公开申请行政复议{n}件", "未发生针对本单位政府信息公开事务的行政复议案"),
    ("suits_total", "提起行政诉讼{n}件", "未发生有关政府信息公开的行政诉讼案"),
    ("fees_yuan", "依申请提供政府信息收取检索、复制费用{n}元", "依申请提供政府信息没有收费"),
)
_DECOY_PROSE = ("区行政服务中心开设窗口26个，共受理申请{d0}件", "全年接受群众咨询{d1}人次",
                "主动公开政府信息{d2}条", "全年政府信息公开工作投入经费{d4}万元")
_TABLE_ROWS = ("received", "channel_in_person", "channel_online", "channel_letter_fax", "answered", "granted",
               "partly_granted", "refused_all", "other_answers", "fees_yuan", "review", "suits_total")
_SUB_ROWS = {"channel_in_person": 1, "channel_online": 2, "channel_letter_fax": 3,
             "granted": 1, "partly_granted": 2, "refused_all": 3, "other_answers": 4}


def render_pre2019(values: LegacyValues, layout: str, decoys: bool = True) -> str:
    """Print ``values`` in one of :data:`LAYOUTS` (a whole report: title, sections, figures)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {LAYOUTS}")
    d = dict(zip(("d0", "d1", "d2", "d3", "d4"), values.decoys))
    lines = [f"{values.agency}{values.year}年政府信息公开工作年度报告", "",
             f"本报告数据统计期限为{values.year}年1月1日至{values.year}年12月31日。", "", "一、概述", "",
             "我单位认真贯彻落实《中华人民共和国政府信息公开条例》。" + (_DECOY_PROSE[0].format(**d) + "。" if decoys else ""),
             "", "二、主动公开政府信息情况", "", (_DECOY_PROSE[2].format(**d) + "。" if decoys else "") +
             (_DECOY_PROSE[1].format(**d) + "。" if decoys else ""), "", "三、政府信息依申请公开情况", ""]
    if layout in ("prose", "prose_words"):
        said = []
        for key, number, words in _SENTENCES:
            if key not in values.figures:
                continue
            v = values.figures[key]
            said.append(words.format(year=values.year) if layout == "prose_words" and v == 0 and words
                        else number.format(year=values.year, n=_n(v)))
        lines.append("；".join(said) + "。")
    else:
        lines.append("详见统计表。")
    lines += ["", "四、存在的主要问题和改进措施", "", "公开内容有待进一步丰富。" +
              (_DECOY_PROSE[3].format(**d) + "。" if decoys else "")]
    if layout in ("table", "crawler"):
        lines += ["", "五、政府信息公开情况统计表", "", *_table(values, decoys, glued=layout == "crawler")]
    lines += ["", values.agency, f"{values.year + 1}年1月20日"]
    if layout == "crawler":
        return "标题: " + lines[0] + "\n发布时间: " + f"{values.year + 1}-01-20 00:00\n" + "=" * 20 + " 正文 " + "=" * 20 \
            + "\n" + " ".join(x for x in lines if x) + "\n"
    return "\n".join(lines) + "\n"


def _table(values: LegacyValues, decoys: bool, glued: bool) -> list[str]:
    rows = [f"指标名称 计量单位 {values.year}年度 历年累计"]
    if decoys:
        rows.append(f"主动公开文件数 条 {values.decoys[2]} {values.decoys[3]}")
    for key in _TABLE_ROWS:
        if key not in values.figures:
            continue
        fig = template.LEGACY_BY_KEY[key]
        unit = "元" if fig.unit == "yuan" else ("件" if key in ("review", "suits_total") else "条")
        label = f"{_SUB_ROWS[key]}、{fig.label}" if key in _SUB_ROWS else fig.label
        if _SUB_ROWS.get(key) == 1:
            label = "其中：" + label
        v, cum = _n(values.figures[key]), values.cumulative.get(key, int(values.figures[key]))
        rows.append(f"{label} {unit}{v}{cum}" if glued else f"{label} {unit} {v} {cum}")
    if glued:  # one line; a row's ordinal stuck to the digits before it (条0182.网上申请数)
        line = rows[0]
        for r in rows[1:]:
            line += r.replace("、", ".", 1) if r[:1].isdigit() else " " + r
        return [line]
    return rows
