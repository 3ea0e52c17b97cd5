"""The cross-year step: findings only a corpus shows (carry-over, a year twice or missing, a
misfiled report), computed once when a corpus is built and stored with the reports' findings.
"""
from __future__ import annotations

import pandas as pd

from .. import frames as _frames


def _cross_report_findings(corpus) -> pd.DataFrame:
    """The findings only a corpus shows (table 'corpus': carry-over across years, a year printed
    twice or missing, a misfiled report), computed once when the corpus is built and stored with
    the reports' own findings."""
    from ..findings import cross_year_findings

    cross = cross_year_findings(corpus)
    return cross[list(_frames.COLUMNS["findings"])].astype(_frames.COLUMNS["findings"]) if len(cross) else cross
