"""Findings: what a report (or a corpus) prints that is wrong, doubtful, or worth knowing.

A finding is one row of ``Report.findings`` or of a corpus's findings (SCHEMA.md 'Findings'):
``check`` (a stable id declared in ``template.CHECKS``), ``table``, ``key``, ``applicant`` /
``proceeding``, ``expected``, ``found``, ``severity``, ``message`` and ``location`` (the printed
cells involved). This module builds them (:func:`finding`, the one way to make a finding) and checks
what only a corpus can show (:func:`cross_year_findings`: one agency's reports across years); the
declared checks are documented by :func:`govreports.docs.checks_markdown`.

>>> import govreports as gr                                                    # doctest: +SKIP
>>> from govreports.corpus import read_corpus                                  # doctest: +SKIP
>>> c = read_corpus("data/reports", workers=1, cache=None)                     # doctest: +SKIP
>>> corpus_findings(c).query("severity == 'error'")                            # doctest: +SKIP
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd

from . import frames
from . import template

SEVERITY_ORDER = {s: i for i, s in enumerate(template.SEVERITIES)}  # error first


# --------------------------------------------------------------------------- one finding
def finding(check: str, message: str, *, table: str | None = None, key: str = "", applicant: str = "",
            proceeding: str = "", expected="", found="", location: str = "",
            severity: str | None = None) -> dict:
    """Given a declared check id and what was found, return one finding dict.

    ``table`` and ``severity`` default to the declaration's; a check declared for table ``'*'``
    (the table concerned) must be given its ``table``. An undeclared id is a bug: KeyError.
    """
    decl = template.CHECK_BY_ID[check]
    table = table or decl.table
    if table == "*":
        raise ValueError(f"check {check!r} is declared for any table: say which")
    return dict(check=check, table=table, key=key, applicant=applicant, proceeding=proceeding,
                expected=_text(expected), found=_text(found), severity=severity or decl.severity,
                message=message, location=location)


def _text(x) -> str:
    """Given a number or text, return it as printed in a finding ('3', not '3.0')."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return "" if x is None else str(x)


def findings_frame(records: list[dict]) -> pd.DataFrame:
    """Given finding dicts (with ``report_id``), return the typed findings frame."""
    return frames.from_records("findings", records)


def sort_findings(df: pd.DataFrame) -> pd.DataFrame:
    """Given findings, return them errors first, then by report and check (a stable order)."""
    order = df["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    return df.assign(_o=order).sort_values(["_o", "report_id", "check"], kind="stable") \
        .drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------- across years
_FILE_YEAR = re.compile(r"(?<![0-9A-Za-z])(20[12]\d)(?![0-9A-Za-z])")
_CARRY_ROWS = (template.CARRIED_OVER, template.CARRIED_FORWARD)
_OVER_LABEL = template.ROW_BY_KEY[template.CARRIED_OVER].label  # 二、上年结转政府信息公开申请数量
_FORWARD_LABEL = template.ROW_BY_KEY[template.CARRIED_FORWARD].label  # 四、结转下年度继续办理


def cross_year_findings(corpus) -> pd.DataFrame:
    """Given a corpus (``reports`` with agency_key and year, ``requests``), return the findings
    only a corpus shows: carry-over pairs that disagree, a year printed twice, a gap, a file
    named for another year. Each finding's ``report_id`` is the later report of the pair."""
    reports = _linked_reports(corpus.reports)
    several = reports[reports["agency_key"].duplicated(keep=False)]  # one report alone has no pair, gap or twin
    carry = _carry_cells(_carry_rows(corpus), set(several["report_id"]))
    recs: list[dict] = []
    rows = several.sort_values(["agency_key", "year", "source"]).itertuples(index=False)
    for _, group in itertools.groupby(rows, key=lambda r: r.agency_key):
        recs += _agency_findings(list(group), carry)
    recs += _misfiled(reports)
    return findings_frame(recs)


def corpus_findings(corpus) -> pd.DataFrame:
    """Given a corpus, return every finding: each report's own, then the cross-year ones
    (computed afresh; a built corpus also stores them in ``corpus.findings``, table 'corpus')."""
    own = corpus.findings
    own = own[own["table"] != "corpus"]
    cross = cross_year_findings(corpus)
    parts = [df for df in (own, cross) if len(df)]
    return pd.concat(parts, ignore_index=True) if parts else frames.empty("findings")


def _linked_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Given a corpus's reports table, return the parsed, non-duplicate ones with a key and a year."""
    df = reports
    if "status" in df:
        df = df[df["status"] == "parsed"]
    if "duplicate_of" in df:
        df = df[df["duplicate_of"].isna()]
    df = df[df["agency_key"].notna() & df["year"].notna()]
    cols = ["report_id", "agency_key", "year", "source"] + (["agency_link"] if "agency_link" in df else [])
    return df[cols].assign(year=df["year"].astype(int))


def _carry_rows(corpus) -> pd.DataFrame:
    """The carried_over and carried_forward cells of a corpus (read alone from a Parquet corpus:
    a national corpus's requests table does not fit in memory)."""
    cols = ["report_id", "row", "applicant", "value", "location"]
    if hasattr(corpus, "table"):
        return corpus.table("requests", cols, rows={"row": list(_CARRY_ROWS)})
    return corpus.requests[cols]


def _carry_cells(requests: pd.DataFrame, ids: set) -> dict:
    """Given the requests table, return {(report_id, row, applicant): (value, location)} for the
    two carry rows of the reports in ``ids``."""
    df = requests[requests["row"].isin(_CARRY_ROWS) & requests["report_id"].isin(ids)]
    return {(r, row, a): (int(v), loc) for r, row, a, v, loc in
            zip(df["report_id"], df["row"], df["applicant"], df["value"], df["location"])}


def _agency_findings(group: list, carry: dict) -> list[dict]:
    """Given one agency's reports (rows sorted by year and source), return its corpus findings."""
    out: list[dict] = []
    by_year = {y: list(g) for y, g in itertools.groupby(group, key=lambda r: r.year)}
    for year, g in by_year.items():
        if len(g) > 1:
            out += _duplicate_years(g)
    years = sorted(by_year)
    for prev, nxt in zip(years, years[1:]):
        if nxt == prev + 2:
            out.append(_gap(by_year[nxt][0], prev + 1))
        if nxt == prev + 1 and len(by_year[prev]) == 1 and len(by_year[nxt]) == 1:
            out += _carry_pair(by_year[prev][0], by_year[nxt][0], carry)
    return out


def _duplicate_years(g: list) -> list[dict]:
    """Given an agency's reports on one year (two or more), flag every one after the first."""
    first = g[0]
    return [{"report_id": r.report_id, **finding(
        "year_duplicate", f"{r.agency_key}: two different reports on {r.year}: {first.source} and {r.source} "
        "(a year printed twice, or a report filed under the wrong year)",
        key=str(r.year), expected="one report per year", found=f"{len(g)} reports", location=str(r.source))}
        for r in g[1:]]


def _gap(later, missing_year: int) -> dict:
    """Given the report after a missing year, return the year_gap finding."""
    return {"report_id": later.report_id, **finding(
        "year_gap", f"{later.agency_key}: reports on {missing_year - 1} and {missing_year + 1} but none on "
        f"{missing_year}; carried_forward/carried_over cannot be compared across the gap",
        key=str(missing_year), expected=str(missing_year), found="missing", location=str(later.source))}


def _carry_pair(before, after, carry: dict) -> list[dict]:
    """Given an agency's reports on years N and N+1, compare carried_forward(N) with carried_over(N+1)
    per applicant column; return one finding per column that differs."""
    guessed = "guessed" in {getattr(before, "agency_link", None), getattr(after, "agency_link", None)}
    out = []
    for a in template.APPLICANT_KEYS:
        fwd = carry.get((before.report_id, template.CARRIED_FORWARD, a))
        over = carry.get((after.report_id, template.CARRIED_OVER, a))
        if fwd is None or over is None or fwd[0] == over[0]:
            continue
        label = next(x.label for x in template.APPLICANTS if x.key == a)
        out.append({"report_id": after.report_id, **finding(
            "carry_over",
            f"{after.agency_key}, {a} ({label}) column: the {before.year} report carries {fwd[0]} forward "
            f"({_FORWARD_LABEL}) but the {after.year} report prints {over[0]} carried over ({_OVER_LABEL})"
            + (" — the two reports were linked by a guessed agency name" if guessed else ""),
            key=template.CARRIED_OVER, applicant=a, expected=fwd[0], found=over[0],
            severity="warning" if guessed else "error",
            location=f"{before.source}: {fwd[1]}; {after.source}: {over[1]}")})
    return out


def _misfiled(reports: pd.DataFrame) -> list[dict]:
    """Given reports, flag each whose file name names one year that is neither the year reported on
    nor the year after it (when reports are usually published)."""
    out = []
    for r in reports.itertuples():
        years = {int(y) for y in _FILE_YEAR.findall(Path(str(r.source)).name)}
        if len(years) == 1 and (named := years.pop()) not in (r.year, r.year + 1):
            out.append({"report_id": r.report_id, **finding(
                "year_misfiled", f"the file {Path(str(r.source)).name} is named for {named} but the report is "
                f"on {r.year}", key=str(r.year), expected=str(r.year), found=str(named), location=str(r.source))})
    return out
