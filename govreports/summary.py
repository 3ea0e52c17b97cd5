"""The first answer of the main job: each agency's requests and its refused / unanswerable shares.

Why a module: ``govreports run`` prints this table in the terminal (one row per report) and
``index.html`` opens with it (one row per agency and year); both must say the same thing the
same way: the agency's name, else the report's file name (:func:`govreports.analysis.agency_label`);
a share as ``4.3% (35/805)``; ``—`` only for a figure that is not known, with the reason in
``note`` (cut short, table 3 incomplete, unreadable, a report before 2019 without the national table).

>>> from govreports import summary                                      # doctest: +SKIP
>>> print(summary.to_text(summary.summary_frame(corpus, by="report")))   # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .template import RECEIVED_NEW

UNKNOWN = "—"
NOTES = {"cut": "cut short", "incomplete": "table 3 incomplete", "unreadable": "unreadable", "empty": "nothing handled",
         "pre2019": "before 2019: no national table"}
LEGEND = ("received = 本年新收 (table 3 total), handled = sum of the outcome rows, refused = 不予公开 / handled, "
          "unanswerable = 无法提供 / handled, each with its counts; errors = identities the report's own "
          f"numbers break; {UNKNOWN} = not known (the note says why); n/a = nothing handled, so no share")
COLUMNS = ["agency", "year", "received", "handled", "refused", "unanswerable", "errors", "note"]


def share_text(num, den) -> str:
    """Given a count and its base, return the share as the pages print it.

    >>> share_text(35, 805), share_text(0, 0), share_text(pd.NA, 805)
    ('4.3% (35/805)', 'n/a (0/0)', '—')
    """
    if num is None or den is None or pd.isna(num) or pd.isna(den):
        return UNKNOWN
    if den == 0:
        return f"n/a ({num}/0)"
    return f"{num / den:.1%} ({num}/{den})"


def count_text(value) -> str:
    return UNKNOWN if value is None or pd.isna(value) else str(int(value))


def summary_frame(data, by: str = "report") -> pd.DataFrame:
    """Given a corpus, return one row per report (``by="report"``) or per agency and year
    (``"agency_year"``): agency (the label shown), agency_key, year, received, handled, denied,
    unavailable (Int64), refused and unanswerable (as text, ``4.3% (35/805)``), errors, note,
    report_ids. Reports that could not be read get a row of their own (note ``unreadable``)."""
    from . import analysis as ga

    f = ga.frames_of(data)
    shares = ga.outcome_shares(f, by=by)
    errors = ga._errors_per_report(f)
    reports = f.reports.drop_duplicates("report_id").set_index("report_id")
    truncated = reports["truncated"].astype("boolean").fillna(False) if "truncated" in reports else \
        pd.Series(False, index=reports.index)
    ids = shares["report_ids"].str.split(",")
    template = reports["template"].astype("string") if "template" in reports else pd.Series(pd.NA, index=reports.index)
    out = pd.DataFrame({
        "agency": [ga.agency_label(a, k) for a, k in zip(shares["agency"], shares["agency_key"])],
        "agency_key": shares["agency_key"].astype("string"),
        "year": shares["year"].astype("Int64"),
        "received": shares[RECEIVED_NEW], "handled": shares["handled"],
        "denied": shares["denied"], "unavailable": shares["unavailable"],
        "refused": [share_text(n, d) for n, d in zip(shares["denied"], shares["handled"])],
        "unanswerable": [share_text(n, d) for n, d in zip(shares["unavailable"], shares["handled"])],
        "errors": [int(sum(errors.get(i, 0) for i in r)) for r in ids],
        "note": [_note(any(truncated.get(i, False) for i in r), h, all(template.get(i) == "pre2019" for i in r))
                 for r, h in zip(ids, shares["handled"])],
        "report_ids": shares["report_ids"],
    })
    failed = reports[reports["status"].astype("string").fillna("").str.lower().isin(ga.FAILED_STATUSES)]
    if len(failed):
        out = pd.concat([out, pd.DataFrame({
            "agency": [Path(str(s)).name for s in failed["source"]], "agency_key": pd.NA,
            "year": failed["year"].astype("Int64").values, "refused": UNKNOWN, "unanswerable": UNKNOWN,
            "errors": 0, "note": NOTES["unreadable"], "report_ids": failed.index.values})], ignore_index=True)
    out = out.astype({c: "Int64" for c in ("received", "handled", "denied", "unavailable")})
    return out.sort_values(["agency", "year"], na_position="last").reset_index(drop=True)


def _note(cut: bool, handled, pre2019: bool = False) -> str:
    if pd.isna(handled):
        return NOTES["cut"] if cut else NOTES["pre2019"] if pre2019 else NOTES["incomplete"]
    return NOTES["empty"] if handled == 0 else ""


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: 2 per Chinese character (``wcwidth``)."""
    from wcwidth import wcswidth

    w = wcswidth(text)
    return w if w >= 0 else len(text)


def to_text(summary: pd.DataFrame) -> str:
    """Given :func:`summary_frame`, return it as a terminal table whose columns line up with
    Chinese names (padded by display width, numbers right-aligned)."""
    rows = [[str(r.agency), count_text(r.year), count_text(r.received), count_text(r.handled), r.refused,
             r.unanswerable, str(r.errors or ""), r.note] for r in summary.itertuples()]
    table = [COLUMNS, *rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(COLUMNS))]
    left = {0, len(COLUMNS) - 1}

    def pad(text: str, i: int) -> str:
        gap = " " * (widths[i] - display_width(text))
        return text + gap if i in left else gap + text
    return "\n".join("  ".join(pad(cell, i) for i, cell in enumerate(row)).rstrip() for row in table)
