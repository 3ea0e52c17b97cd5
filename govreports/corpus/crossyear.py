"""The cross-year step: findings only a corpus shows (carry-over, a year twice or missing, a
misfiled report), computed once when a corpus is built and stored with the reports' findings.

It streams: the linked reports (parsed, not duplicates, with a key and a year) go into the
build's index chunk by chunk, and the agencies are then walked in key order, one agency's
reports and carry-over cells at a time. The findings themselves are those of
:func:`govreports.findings.cross_year_findings` (the same functions make them).
"""
from __future__ import annotations

import itertools
import sqlite3
from collections import namedtuple
from collections.abc import Iterator

import pandas as pd

from .. import findings as _findings

_Linked = namedtuple("_Linked", "report_id agency_key year source agency_link")


class CrossYear:
    """Collects linked reports (``add(chunk)``, after agency linking) and yields the corpus's
    cross-year findings in frames of at most ``size`` rows (``findings()``)."""

    def __init__(self, index: sqlite3.Connection, size: int = 2000):
        self.index, self.size = index, size
        self.misfiled: list[dict] = []
        index.execute("CREATE TABLE linked (report_id TEXT, agency_key TEXT, year INTEGER, source TEXT,"
                      " agency_link TEXT)")

    def add(self, reports: pd.DataFrame) -> None:
        """Note a chunk of the linked reports table."""
        df = _findings._linked_reports(reports)
        if not len(df):
            return
        link = df["agency_link"] if "agency_link" in df else pd.Series(pd.NA, index=df.index, dtype="string")
        rows = list(zip(df["report_id"], df["agency_key"], df["year"].tolist(), df["source"],
                        link.astype(object).where(link.notna(), None)))
        self.index.executemany("INSERT INTO linked VALUES (?, ?, ?, ?, ?)", rows)
        self.misfiled += _findings._misfiled(pd.DataFrame(rows, columns=_Linked._fields))

    def findings(self) -> Iterator[pd.DataFrame]:
        """Yield the cross-year findings (agencies in key order, then misfiled reports), typed."""
        db = self.index
        db.executescript("""
            CREATE INDEX IF NOT EXISTS carry_report ON carry (report_id);
            CREATE TEMP TABLE several AS SELECT agency_key FROM linked GROUP BY agency_key HAVING COUNT(*) > 1;
        """)
        rows = db.execute("SELECT l.report_id, l.agency_key, l.year, l.source, l.agency_link FROM linked l"
                          " JOIN several s ON s.agency_key = l.agency_key ORDER BY l.agency_key, l.year, l.source")
        recs: list[dict] = []
        for _, group in itertools.groupby(map(_Linked._make, rows), key=lambda r: r.agency_key):
            group = list(group)
            recs += _findings._agency_findings(group, self._carry([r.report_id for r in group]))
            if len(recs) >= self.size:
                yield _typed(recs)
                recs = []
        recs += self.misfiled
        if recs:
            yield _typed(recs)

    def _carry(self, report_ids: list[str]) -> dict:
        """{(report_id, row, applicant): (value, location)} of these reports' carry-over cells."""
        found: list = []
        for i in range(0, len(report_ids), 500):
            part = report_ids[i:i + 500]
            found += self.index.execute("SELECT report_id, row, applicant, value, location FROM carry WHERE"
                                        f" report_id IN ({','.join('?' * len(part))})", part).fetchall()
        return {(r, row, a): (int(v), loc) for r, row, a, v, loc in found if v is not None}


def _typed(records: list[dict]) -> pd.DataFrame:
    """Given finding dicts, return the typed findings frame (its columns in order, no copy)."""
    return _findings.findings_frame(records)
