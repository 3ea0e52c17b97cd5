"""The checks one report's printed values get, each declared in ``template.CHECKS``.

- :func:`check_identities`: the template's own identities (勾稽关系, ``template.IDENTITIES``) on
  printed values (a blank cell is 0). A failing identity is an ``error`` pointing at the printed
  total it contradicts; it is never "corrected". Cells a report does not print skip the check.
- :func:`check_values`: counts that cannot be counts (negative, fractional), money implausible
  in 万元.
- :func:`check_prose`: the prose restates table figures (共收到申请X件, 办结Y件, 行政复议Z件 ...,
  declared in ``PROSE_FIGURES``); a restatement that agrees with no reading of the table is a
  ``warning``.
- :func:`check_meta`: the table template against the year reported on.

:func:`check_report` runs them all; the reader calls it once per report.
"""
from __future__ import annotations

import re

from . import template
from .findings import finding
from .meta import nfkc_lines

LABEL = {**{a.key: a.label for a in template.APPLICANTS}, **{p.key: p.label for p in template.PROCEEDINGS},
         **{r.key: r.label for r in template.REQUEST_ROWS}}
RESULT_LABEL = {r.key: r.label for r in template.RESULTS}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_report(parsed, doc=None, meta=None, regions=None) -> list[dict]:
    """Given a parsed report (``parse.Parsed``), its document with each line's table
    (``parse.split_regions``) and its ``ReportMeta``, return the findings of every declared check on
    it (identities, values, prose (given the document and its regions), meta)."""
    out = check_identities(parsed.requests, parsed.appeals)
    out += check_values(parsed, getattr(meta, "level", None))
    if doc is not None and regions is not None:
        out += check_prose(parsed, doc, regions)
    if meta is not None:
        out += check_meta(parsed, meta.year)
    return out


# --------------------------------------------------------------------------- identities
def check_identities(requests: dict, appeals: dict) -> list[dict]:
    """Given placed cells {(row, applicant): Value} and {(proceeding, result): Value}, return
    one finding dict per failing identity instance (the instances of :func:`identity_instances`,
    walked without building them)."""
    out: list[dict] = []
    for ident, outcome_parts, instances in _CHECKED:
        cells = appeals if ident.table == "appeals" else requests
        for parts, totals, where in instances:
            try:
                if outcome_parts:  # outcome rows the report does not print are left out
                    lhs = [v.value for c in parts if (v := cells.get(c)) is not None]
                    if not lhs:
                        continue
                    lhs = sum(lhs)
                else:
                    lhs = sum([cells[c].value for c in parts])
                rhs = sum([cells[c].value for c in totals])
            except KeyError:  # a cell the report does not print: no check
                continue
            if abs(lhs - rhs) >= 1e-9:
                out.append(_failure(ident, cells, lhs, rhs, totals, **where))
    return out


def identity_instances(requests: dict, appeals: dict):
    """Given placed cells, yield every instance of the template's identities as
    ``(identity, cells, parts, totals, where)``: the placed cells of its table, the cells that are
    summed, the cells they must equal, and ``where`` (key, applicant or proceeding of a finding)."""
    for ident in template.IDENTITIES:
        if ident.scope == "per_applicant":  # an outcome row the report does not print is left out
            for parts, totals, where in _INSTANCES[ident.id]:
                parts = [c for c in parts if c in requests or c[0] not in _OUTCOMES]
                if ident.id == template.OUTCOME_TOTAL and not parts:
                    continue
                yield ident, requests, parts, totals, where
        else:
            for parts, totals, where in _INSTANCES[ident.id]:
                yield ident, requests if ident.table == "requests" else appeals, parts, totals, where


# every instance's cells (parts, totals, where), made once
_INSTANCES = {ident.id: tuple((tuple((row, a) for a in ident.parts), ((row, "total"),), dict(key=row, applicant="total"))
                              for row in template.REQUEST_KEYS) if ident.scope == "per_row" else
              tuple((tuple((p, a) for p in ident.parts), tuple((t, a) for t in ident.total),
                     dict(key=ident.total[0], applicant=a)) for a in template.APPLICANT_KEYS)
              if ident.scope == "per_applicant" else
              tuple((tuple((p, r) for r in ident.parts), ((p, "total"),), dict(key=p, proceeding=p))
                    for p in template.PROCEEDING_KEYS)
              for ident in template.IDENTITIES}
_OUTCOMES = frozenset(template.OUTCOME_KEYS)
# each identity with its instances, and whether its parts are all outcome rows of a per-applicant
# identity (then the rows a report does not print are left out; an instance with none is not checked)
_CHECKED = tuple((ident, ident.scope == "per_applicant" and ident.id == template.OUTCOME_TOTAL, _INSTANCES[ident.id])
                 for ident in template.IDENTITIES)
assert all(c[0] in _OUTCOMES for ident, outcome_parts, inst in _CHECKED if outcome_parts
           for parts, _, _ in inst for c in parts)
assert all(c[0] not in _OUTCOMES for ident, outcome_parts, inst in _CHECKED
           if ident.scope == "per_applicant" and not outcome_parts for parts, _, _ in inst for c in parts)


def _failure(ident: template.Identity, cells: dict, lhs: float, rhs: float, totals, key="", applicant="",
             proceeding="") -> dict:
    """Given a failing identity instance (its cells, the sum of its parts and of its totals), return its
    error finding."""
    printed = "'" + "' + '".join(cells[c].printed for c in totals) + "'"
    if ident.id == "balance":
        msg = (f"{applicant} ({LABEL[applicant]}) column: received_new + carried_over = {_fmt(lhs)} but "
               f"outcome_total + carried_forward = {_fmt(rhs)} (第一项加第二项之和 ≠ 第三项加第四项之和)")
    elif ident.id == "row_total":
        msg = (f"row {key} ({LABEL[key]}): the applicant columns sum to {_fmt(lhs)} but 总计 is printed "
               f"{printed} ({_fmt(rhs)})")
    elif ident.id == template.OUTCOME_TOTAL:
        msg = (f"{applicant} ({LABEL[applicant]}) column: the outcome rows sum to {_fmt(lhs)} but （七）总计 "
               f"is printed {printed} ({_fmt(rhs)})")
    else:
        msg = (f"{proceeding} ({LABEL[proceeding]}): upheld + corrected + other + pending (维持+纠正+其他+尚未审结) "
               f"= {_fmt(lhs)} but 总计 is printed {printed} ({_fmt(rhs)})")
    where = "; ".join(dict.fromkeys(cells[c].location for c in totals))
    return finding(ident.id, msg, key=key, applicant=applicant, proceeding=proceeding,
                   expected=_fmt(lhs), found=_fmt(rhs), location=where)


# --------------------------------------------------------------------------- values
# Above these amounts (万元) an amount read in 万元 is implausible for an agency of that level,
# and was probably printed in 元: 1e6 万元 is 100 亿元.
MONEY_CEILING_10K_YUAN = {"national": 1e8, "provincial": 2e6, "city": 1e6, "county": 2e5, "township": 1e4,
                          None: 1e6}


def check_values(parsed, level: str | None = None) -> list[dict]:
    """Given a parsed report (and its agency's level), return findings for counts that cannot be
    counts (negative, fractional) and for amounts implausible in 万元. (``v.value % 1`` is 0 for a
    whole number, NaN for NaN or ±inf.)"""
    out = [finding("requests_count", f"row {r} ({LABEL[r]}), {a} ({LABEL[a]}): '{v.printed}' is not a whole "
                   "number of requests", key=r, applicant=a, expected="a whole number ≥ 0", found=v.printed,
                   location=v.location)
           for (r, a), v in parsed.requests.items() if not v.blank and (v.value < 0 or v.value % 1)]
    out += [finding("appeals_count", f"{p} ({LABEL[p]}), {r} ({RESULT_LABEL[r]}): '{v.printed}' is not a whole "
                    "number of cases", key=r, proceeding=p, expected="a whole number ≥ 0", found=v.printed,
                    location=v.location)
            for (p, r), v in parsed.appeals.items() if not v.blank and (v.value < 0 or v.value % 1)]
    measures = _MEASURES.get(parsed.template or "", {})
    for cell, v in parsed.disclosure.items():
        if cell in measures and not v.blank:
            out += _disclosure_value(*measures[cell], v, level)
    return out


# each template's table-2 cells: {(item, measure): (DisclosureItem, Measure)}, made once
_MEASURES = {tpl: {(i.key, m.key): (i, m) for i in items for m in i.measures}
             for tpl, items in template.DISCLOSURE_ITEMS.items()}


def _disclosure_value(item: template.DisclosureItem, m: template.Measure, v, level: str | None) -> list[dict]:
    """Given one table-2 cell, return its findings (a bad count, a negative or implausible amount)."""
    where = f"{item.key} ({item.label}), {m.key} ({m.label})"
    if m.unit == "count":
        whole = float(v.value).is_integer() and (v.value >= 0 or m.may_be_negative)
        if whole:
            return []
        return [finding("disclosure_count", f"{where}: '{v.printed}' is not a whole number"
                        + ("" if m.may_be_negative else " ≥ 0"), key=item.key, expected="a whole number",
                        found=v.printed, location=v.location)]
    if v.value < 0:
        return [finding("disclosure_count", f"{where}: a negative amount '{v.printed}'", key=item.key,
                        expected="≥ 0", found=v.printed, location=v.location)]
    ceiling = MONEY_CEILING_10K_YUAN.get(level, MONEY_CEILING_10K_YUAN[None])
    if v.unit in ("元", "亿元") or v.value <= ceiling:
        return []
    return [finding("money_unit", f"{where}: '{v.printed}' read in 万元 is {_fmt(v.value)} 万元 "
                    f"({v.value / 1e4:,.2f} 亿元), implausible for a {level or 'government'} agency; if the agency "
                    f"printed 元, it is {v.value / 1e4:g} 万元", key=item.key,
                    expected=f"≤ {_fmt(ceiling)} 万元 (or {v.value / 1e4:g} 万元 if printed in 元)",
                    found=f"{_fmt(v.value)} 万元", location=v.location)]


# --------------------------------------------------------------------------- prose
from .template import PROSE_FIGURES, ProseFigure  # noqa: E402,F401 - declared in the template

_PROSE_MARK = re.compile(r"[。，,；;]")
_PATTERNS = {fig.key: [re.compile(p) for p in fig.patterns] for fig in PROSE_FIGURES}


def prose_of(doc, regions: list[str | None]) -> tuple[str, list[tuple[int, str]]]:
    """Given a document and each line's table (``parse.split_regions``), return its prose as
    (offset, location) marks over one string (lines outside tables, and sentences inside them),
    whitespace removed, NFKC."""
    raws, locations = [], []
    for line, region in zip(doc.lines, regions):
        if region is not None and line.table:
            continue
        raw = line.cells[0].text if len(line.cells) == 1 else " ".join([c.text for c in line.cells])
        if region is not None and (len(raw) < 15 or not _PROSE_MARK.search(raw)):
            continue
        raws.append(raw)
        locations.append(line.location)
    text, marks = [], []
    offset = 0
    for s, where in zip(nfkc_lines(raws), locations):
        s = _squeeze(s)
        marks.append((offset, where))
        text.append(s)
        offset += len(s)
    return "".join(text), marks


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _squeeze(s: str) -> str:
    """Given a printed line (NFKC), return it with whitespace removed and thousands separators dropped."""
    s = "".join(s.split())
    return _THOUSANDS.sub("", s) if "," in s else s


def check_prose(parsed, doc, regions: list[str | None]) -> list[dict]:
    """Given a parsed report, its document and each line's table, return a warning for each figure
    the prose restates with a number that agrees with no reading of the table."""
    text, marks = prose_of(doc, regions)
    out = []
    for fig in PROSE_FIGURES:
        said = [(m.group(1), m.start(), m.group(0)) for p in _PATTERNS[fig.key] for m in p.finditer(text)]
        if not said:
            continue
        readings = _readings(parsed, fig)
        if not readings:
            continue
        if any(float(n) in readings for n, _, _ in said):
            continue
        n, at, snippet = said[0]
        out.append(_prose_finding(fig, n, snippet, readings, _location(marks, at), parsed))
    return out


def _readings(parsed, fig: ProseFigure) -> dict[float, str]:
    """Given a figure, return {value: how it was read} for each reading the table allows (empty
    when the table does not print the cells, e.g. a truncated report)."""
    out: dict[float, str] = {}
    for rows in (fig.rows, *fig.also):
        v = _figure(parsed, fig.table, rows)
        if v is not None:
            out.setdefault(v, " + ".join(rows))
    return out


def _figure(parsed, table: str, rows: tuple[str, ...]) -> float | None:
    """Given a table and rows, return the sum of the rows' figures, or None where not printed."""
    if table == "appeals":
        cells = [parsed.appeals.get((p, "total")) for p in rows]
        return None if None in cells else sum(c.value for c in cells)
    present = [r for r in rows if (r, "total") in parsed.requests or (r, "natural_person") in parsed.requests]
    if not present or (parsed.truncated and len(present) < len(rows) and not _other_one_row(rows, present)):
        return None
    return sum(_row_figure(parsed.requests, r) for r in present)


def _other_one_row(rows, present) -> bool:
    return present == [template.OTHER_OTHER]


def _row_figure(req: dict, row: str) -> float:
    """SCHEMA.md 'Derived measures': a row's printed total, or where it is blank but the applicant
    cells are not, the sum of the applicant cells."""
    total = req.get((row, "total"))
    if total is not None and not total.blank:
        return total.value
    parts = [req[(row, a)] for a in template.APPLICANT_PARTS if (row, a) in req]
    if total is not None and all(p.blank for p in parts):
        return total.value
    return sum(p.value for p in parts)


def _location(marks: list[tuple[int, str]], at: int) -> str:
    loc = ""
    for offset, where in marks:
        if offset > at:
            break
        loc = where
    return loc


def _prose_finding(fig: ProseFigure, said: str, snippet: str, readings: dict, where: str, parsed) -> dict:
    """Given a disagreeing restatement, return its warning."""
    first_value, first_rows = next(iter(readings.items()))
    table_no = 3 if fig.table == "requests" else 4
    cells = _cell_locations(parsed, fig)
    msg = (f"the prose says {fig.label} {said} 件 ('{snippet}') but table {table_no} prints "
           f"{first_rows} = {_fmt(first_value)}")
    if len(readings) > 1:
        msg += " (" + ", ".join(f"{rows} = {_fmt(v)}" for v, rows in list(readings.items())[1:]) + ")"
    kw = dict(applicant="total") if fig.table == "requests" else dict(proceeding="+".join(fig.rows))
    return finding("text_table", msg, key=fig.key, expected=_fmt(first_value), found=said,
                   location="; ".join(x for x in (f"prose {where}", cells) if x), **kw)


def _cell_locations(parsed, fig: ProseFigure) -> str:
    if fig.table == "appeals":
        locs = [parsed.appeals[(p, "total")].location for p in fig.rows if (p, "total") in parsed.appeals]
    else:
        locs = [parsed.requests[(r, "total")].location for r in fig.rows if (r, "total") in parsed.requests]
    return "; ".join(locs[:3]) + (" ..." if len(locs) > 3 else "")


# --------------------------------------------------------------------------- meta
def check_meta(parsed, year: int | None) -> list[dict]:
    """Given a parsed report and the year it reports on, return a warning when the table template
    (read from the tables, not the year) does not fit the year."""
    tpl = parsed.template
    if year is None or tpl is None or parsed.template_source in ("year", ""):
        return []
    fits = template.template_for_year(year)
    if tpl == fits:
        return []
    return [finding("template_year", f"the report is on {year} but prints the {tpl} template's tables "
                    f"({parsed.template_source}); reports on {'2020 or earlier' if fits == '2019' else '2021 or later'} "
                    f"use the {fits} template", key="template", expected=fits, found=tpl,
                    location=parsed.template_source)]
