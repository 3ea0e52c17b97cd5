"""govreports: China's annual government-information-disclosure reports as tidy pandas data.

>>> import govreports as gr
>>> r = gr.read_report("data/reports/seeds/001_aedc4f75886f8629.txt")   # doctest: +SKIP
>>> r.requests_wide()                                                   # doctest: +SKIP
"""
__version__ = "0.1.0"

from .exceptions import ReportError  # noqa: E402
from .report import Report, ReportMeta, read_report  # noqa: E402

__all__ = ["Report", "ReportError", "ReportMeta", "read_report"]
