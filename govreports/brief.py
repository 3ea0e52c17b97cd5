"""A written brief on one agency and year, for a journalist or an office's own review.

Deterministic sentences built from :mod:`govreports.analysis` (no language model): the requests
received and the change from the year before; how they ended (refused and unanswerable shares
with their counts); appeals and how often the agency was corrected; where it stands among the
agencies of its level and region (median, rank, how many); and the data-quality caveats.

Every number carries a note ``[n]`` back to its report and the printed cells it came from
(:func:`govreports.analysis.trace`); a sentence whose numbers rest on a report with errors says so.

>>> import govreports as gr
>>> from govreports.brief import brief
>>> c = gr.read_corpus("data/reports")                                         # doctest: +SKIP
>>> b = brief(c, "上海市人民政府办公厅", 2025)                                  # doctest: +SKIP
>>> print(b.to_markdown()); b.save("out/brief.docx")                          # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from . import analysis as ga
from .template import RECEIVED_NEW

LANGS = ("zh", "en")
_LEGACY_FIGURE = {"suits": "suits_total"}  # a figure that reports before 2019 state in Report.legacy
FORMATS = (".md", ".html", ".docx")
_TEXT = {
    "zh": {
        "title": "{agency} {year} 年政府信息公开工作简报",
        "received": "{year}年，{agency}新收政府信息公开申请{n}件{change}。",
        "change_up": "，比{prev}年的{m}件增加{d}件（{pct}）",
        "change_down": "，比{prev}年的{m}件减少{d}件（{pct}）",
        "change_same": "，与{prev}年的{m}件持平",
        "no_prev": "（{prev}年的报告未收入，无法比较）",
        "handled": "全年办理（办结）申请{handled}件，其中不予公开{denied}件，占{refused}；无法提供{unavailable}件，占{unanswerable}。",
        "handled_none": "全年没有办理完毕的申请，不予公开和无法提供的占比无从计算。",
        "handled_unknown": "该报告未按全国模板印出办理结果（{year}年{why}），不予公开和无法提供的占比无从计算。",
        "why_pre2019": "尚无全国统一的表格", "why_missing": "有关的行未读到",
        "appeals": "因政府信息公开被申请行政复议{reviews}件、被提起行政诉讼{suits}件{corrected}。",
        "corrected": "；已审结的复议和诉讼{concluded}件中被纠正{n}件，纠正率{share}",
        "no_concluded": "；没有已审结的复议或诉讼",
        "peers": "在{region}{level}的{n}个有数据的机关中，其不予公开占比排第{rank}位（由高到低），中位数为{median}。",
        "no_peers": "同地区同级别没有其他可比的机关（可比机关不足两个）。",
        "quality_ok": "该报告的数字相互一致，未发现错误。",
        "quality_errors": "数据质量：该报告有{n}处数字不一致（{checks}），相关数字需谨慎使用。",
        "quality_warnings": "另有{n}处存疑（{checks}）。",
        "corrected_cells": "其中{n}个数字经人工更正（见注释）。",
        "missing_years": "该机关{years}年的报告未收入。",
        "caution": "（该报告存在数字不一致）",
        "notes": "注释",
        "levels": {"national": "中央", "provincial": "省级", "city": "市级", "county": "县级", "township": "乡镇级"},
        "unknown_region": "全部地区",
    },
    "en": {
        "title": "{agency}: disclosure requests in {year}",
        "received": "In {year}, {agency} received {n} new disclosure requests{change}.",
        "change_up": ", {d} more than the {m} of {prev} ({pct})",
        "change_down": ", {d} fewer than the {m} of {prev} ({pct})",
        "change_same": ", as many as in {prev} ({m})",
        "no_prev": " (no report for {prev} in the corpus, so no comparison)",
        "handled": "It handled {handled} requests: {denied} were refused ({refused}) and {unavailable} could not be answered ({unanswerable}).",
        "handled_none": "It handled no request, so refused and unanswerable shares are undefined.",
        "handled_unknown": "The report does not print how its requests ended in the national template's terms "
                           "({year}: {why}), so no refused or unanswerable share can be given.",
        "why_pre2019": "before the template", "why_missing": "rows of the table not read",
        "appeals": "It faced {reviews} administrative reviews and {suits} lawsuits over disclosure{corrected}.",
        "corrected": "; of {concluded} concluded, {n} corrected the agency ({share})",
        "no_concluded": "; none was concluded",
        "peers": "Among the {n} {level} agencies of {region} with data, its refused share ranks {rank} (highest first); the median is {median}.",
        "no_peers": "No other agency of its level and region can be compared (fewer than two).",
        "quality_ok": "The report's numbers agree with each other.",
        "quality_errors": "Data quality: the report has {n} inconsistencies ({checks}); use its numbers with care.",
        "quality_warnings": "{n} more things are doubtful ({checks}).",
        "corrected_cells": "{n} of its numbers were corrected by hand (see the notes).",
        "missing_years": "The agency's reports for {years} are not in the corpus.",
        "caution": " (the report's numbers do not all agree)",
        "notes": "Notes",
        "levels": {"national": "national", "provincial": "provincial", "city": "city", "county": "county",
                   "township": "township"},
        "unknown_region": "all regions",
    },
}


@dataclass
class Number:
    """A number printed in the brief, what it is and the note that traces it."""

    name: str
    value: float | None
    note: int
    report_id: str


@dataclass
class Brief:
    """A one-page brief: ``sentences`` (with ``[n]`` markers) and ``notes`` (``n`` → source)."""

    agency: str
    year: int
    lang: str
    title: str
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)

    def to_markdown(self) -> str:
        notes = "\n".join(f"[{i}] {n}" for i, n in enumerate(self.notes, 1))
        return f"# {self.title}\n\n" + "\n\n".join(self.sentences) + f"\n\n## {_TEXT[self.lang]['notes']}\n\n{notes}\n"

    def to_html(self) -> str:
        body = "".join(f"<p>{escape(s)}</p>" for s in self.sentences)
        notes = "".join(f"<li id='n{i}'>{escape(n)}</li>" for i, n in enumerate(self.notes, 1))
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(self.title)}</title></head><body>"
                f"<h1>{escape(self.title)}</h1>{body}<h2>{_TEXT[self.lang]['notes']}</h2><ol>{notes}</ol></body></html>")

    def to_docx(self, path: str | Path) -> Path:
        import docx

        d = docx.Document()
        d.add_heading(self.title, level=1)
        for s in self.sentences:
            d.add_paragraph(s)
        d.add_heading(_TEXT[self.lang]["notes"], level=2)
        for i, n in enumerate(self.notes, 1):
            d.add_paragraph(f"[{i}] {n}")
        d.save(str(path))
        return Path(path)

    def save(self, path: str | Path) -> Path:
        """Write the brief as .md, .html or .docx (by the suffix) and return the path."""
        path = Path(path).expanduser()
        if path.suffix not in FORMATS:
            raise ValueError(f"{path}: a brief is written as one of {', '.join(FORMATS)}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".docx":
            return self.to_docx(path)
        path.write_text(self.to_markdown() if path.suffix == ".md" else self.to_html(), encoding="utf-8")
        return path

    def __str__(self) -> str:
        return self.to_markdown()


class _Writer:
    """Builds the brief's sentences and numbered notes."""

    def __init__(self, f: ga.Frames, lang: str):
        self.f, self.lang, self.t = f, lang, _TEXT[lang]
        self.notes: list[str] = []
        self.numbers: list[Number] = []
        self.sources = f.reports.drop_duplicates("report_id").set_index("report_id")["source"]

    def num(self, name: str, value, report_ids: str, figure: str | None, text: str | None = None,
            derived: str = "") -> str:
        """The number as printed in a sentence, with its note marker: the printed cells it adds up
        (``figure``, traced), or how it is derived from other notes (``derived``)."""
        rid = str(report_ids).split(",")[0]
        cells = ga.trace(self.f, rid, figure) if figure else pd.DataFrame()
        used = cells[cells["used"] & (cells["printed"].fillna("") != "")] if len(cells) else cells
        where = derived or "; ".join(f"{c.row}·{c.column} '{c.printed}' ({c.location})" for c in used.itertuples())
        if not where and figure in _LEGACY_FIGURE:  # before 2019: the report's own figure
            leg = self.f.legacy[(self.f.legacy["report_id"] == rid) & (self.f.legacy["key"] == _LEGACY_FIGURE[figure])]
            where = "; ".join(f"legacy·{c.key} '{c.printed}' ({c.location})" for c in leg.itertuples())
        where = where or "all printed blank (0)"
        corrected = ""
        if len(used) and "corrected" in used.columns and used["corrected"].fillna(False).astype(bool).any():
            corrected = " · corrected: " + "; ".join(f"{c.row}·{c.column}: {c.note}" for c in used.itertuples()
                                                      if c.corrected)
        self.notes.append(f"{name} = {_plain(value)}: {self.sources.get(rid, rid)} (report {rid}); "
                          f"{'' if derived else 'printed cells: '}{where}{corrected}")
        self.numbers.append(Number(name, None if pd.isna(value) else float(value), len(self.notes), rid))
        return f"{text if text is not None else _plain(value)}[{len(self.notes)}]"


def _plain(x) -> str:
    if x is None or pd.isna(x):
        return "—"
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _pct(x) -> str:
    return "—" if x is None or pd.isna(x) else f"{100 * float(x):.1f}%"


def brief(data, agency: str, year: int | None = None, lang: str = "zh") -> Brief:
    """Given a corpus (or any input of :mod:`govreports.analysis`), an agency (name or key) and a
    year (default: its latest), return the :class:`Brief`. ``lang`` is ``"zh"`` or ``"en"``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    f = ga.frames_of(data)
    keys = ga._match_agencies(ga._usable_reports(f), [agency])
    if len(keys) != 1:
        raise ValueError(f"{agency!r} names {len(keys)} agencies; give the full name or the agency_key")
    key = keys[0]
    mine = ga.select(f, agencies=[key])
    shares = ga.outcome_shares(mine, by="agency_year").set_index("year")
    if year is None:
        year = int(shares.index.max())
    if year not in shares.index:
        raise ValueError(f"{agency}: no report on {year} in the corpus (years: {sorted(int(y) for y in shares.index)})")
    row = shares.loc[year]
    name = str(row["agency"]) if pd.notna(row["agency"]) else agency
    w, t = _Writer(f, lang), _TEXT[lang]
    rid = str(row["report_ids"])
    errors = f.findings[(f.findings["report_id"].isin(rid.split(","))) & (f.findings["severity"] == "error")]
    caution = t["caution"] if len(errors) else ""
    b = Brief(name, year, lang, t["title"].format(agency=name, year=year))

    received = w.num(RECEIVED_NEW, row[RECEIVED_NEW], rid, RECEIVED_NEW)
    if year - 1 in shares.index and pd.notna(shares.loc[year - 1, RECEIVED_NEW]) and pd.notna(row[RECEIVED_NEW]):
        prev = shares.loc[year - 1]
        m, n = int(prev[RECEIVED_NEW]), int(row[RECEIVED_NEW])
        d = n - m
        pct = _pct(d / m) if m else "—"
        kind = "change_up" if d > 0 else "change_down" if d < 0 else "change_same"
        change = t[kind].format(prev=year - 1, m=w.num(RECEIVED_NEW, m, prev["report_ids"], RECEIVED_NEW),
                                d=abs(d), pct=pct)
    else:
        change = t["no_prev"].format(prev=year - 1)
    b.sentences.append(t["received"].format(year=year, agency=name, n=received, change=change) + caution)

    if pd.notna(row["handled"]) and row["handled"] > 0:
        handled = w.num("handled", row["handled"], rid, "handled")
        n_handled = len(w.notes)
        denied = w.num("denied", row["denied"], rid, "denied")
        refused = w.num("refused_share", row["refused_share"], rid, None, _pct(row["refused_share"]),
                        f"denied / handled = [{len(w.notes)}] / [{n_handled}]")
        unavailable = w.num("unavailable", row["unavailable"], rid, "unavailable")
        unanswerable = w.num("unanswerable_share", row["unanswerable_share"], rid, None,
                             _pct(row["unanswerable_share"]), f"unavailable / handled = [{len(w.notes)}] / [{n_handled}]")
        b.sentences.append(t["handled"].format(handled=handled, denied=denied, refused=refused,
                                               unavailable=unavailable, unanswerable=unanswerable) + caution)
    elif pd.isna(row["handled"]):
        pre = (mine.reports.loc[mine.reports["year"] == year, "template"] == "pre2019").any()
        b.sentences.append(t["handled_unknown"].format(year=year, why=t["why_pre2019" if pre else "why_missing"]))
    else:
        b.sentences.append(t["handled_none"])

    ap = ga.appeals_rates(mine, by="agency_year").set_index("year")
    if year in ap.index and (pd.notna(ap.loc[year, "reviews"]) or pd.notna(ap.loc[year, "suits"])):
        a = ap.loc[year]
        reviews, suits = w.num("reviews", a["reviews"], rid, "reviews"), w.num("suits", a["suits"], rid, "suits")
        concluded = sum(a[f"{p}_{r}"] for p in ("reviews", "suits") for r in ("upheld", "corrected", "other"))
        if pd.notna(concluded) and concluded > 0:
            n = w.num("corrected", a["reviews_corrected"] + a["suits_corrected"], rid, "corrected_share")
            corrected = t["corrected"].format(
                concluded=_plain(concluded), n=n,
                share=w.num("corrected_share", a["corrected_share"], rid, None, _pct(a["corrected_share"]),
                            f"corrected / concluded (upheld + corrected + other) = [{len(w.notes)}] / {_plain(concluded)}"))
        elif pd.isna(concluded):
            corrected = ""
        else:
            corrected = t["no_concluded"]
        b.sentences.append(t["appeals"].format(reviews=reviews, suits=suits, corrected=corrected) + caution)

    b.sentences.append(_peers(w, f, key, year))
    b.sentences.append(_quality(w, f, mine, rid, year, errors))
    b.notes, b.numbers = w.notes, w.numbers
    return b


def _peers(w: _Writer, f: ga.Frames, key: str, year: int) -> str:
    """Where the agency stands among the agencies of its level and region on the refused share."""
    t = w.t
    reports = ga._usable_reports(f)
    mine = reports[reports["agency_key"] == key].sort_values("year")
    level, region = mine["level"].dropna().iloc[-1:], mine["region"].dropna().iloc[-1:]
    level = level.iloc[0] if len(level) else None
    region = region.iloc[0] if len(region) else None
    ranked = ga.rank_agencies(f, "refused_share", year=year, level=level, region=region)
    ranked = ranked[ranked["value"].notna()]
    if len(ranked) < 2 or key not in set(ranked["agency_key"]):
        return t["no_peers"]
    me = ranked[ranked["agency_key"] == key].iloc[0]
    median = float(ranked["value"].median())
    where = region or t["unknown_region"]
    basis = (f"refused_share of the {len(ranked)} agencies of level {level}, region {where}, {year}: "
             + ", ".join(f"{r.agency or r.agency_key} {_pct(r.value)}" for r in ranked.itertuples()))
    return t["peers"].format(region=where, level=t["levels"].get(level, level or ""), n=len(ranked),
                             rank=w.num("rank", me["rank"], me["report_id"], None, derived=basis),
                             median=w.num("peer_median", median, me["report_id"], None, _pct(median), basis))


def _quality(w: _Writer, f: ga.Frames, mine: ga.Frames, rid: str, year: int, errors: pd.DataFrame) -> str:
    t = w.t
    ids = rid.split(",")
    warnings = f.findings[f.findings["report_id"].isin(ids) & (f.findings["severity"] == "warning")]
    parts = [t["quality_errors"].format(n=len(errors), checks=", ".join(sorted(set(errors["check"]))))
             if len(errors) else t["quality_ok"]]
    if len(warnings):
        parts.append(t["quality_warnings"].format(n=len(warnings), checks=", ".join(sorted(set(warnings["check"])))))
    req = f.requests[f.requests["report_id"].isin(ids)]
    if "corrected" in req.columns and req["corrected"].fillna(False).astype(bool).any():
        parts.append(t["corrected_cells"].format(n=int(req["corrected"].fillna(False).astype(bool).sum())))
    years = sorted(int(y) for y in mine.reports["year"].dropna().unique())
    gaps = [y for y in range(years[0], year) if y not in years] if years else []
    if gaps:
        parts.append(t["missing_years"].format(years="、".join(str(y) for y in gaps) if w.lang == "zh"
                                               else ", ".join(str(y) for y in gaps)))
    return "".join(parts) if w.lang == "zh" else " ".join(parts)
