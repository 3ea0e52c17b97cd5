"""govreports: China's annual government-information-disclosure reports as tidy pandas data.

>>> import govreports as gr
>>> r = gr.read_report("data/reports/seeds/001_aedc4f75886f8629.txt")   # doctest: +SKIP
>>> r.requests_wide()                                                   # doctest: +SKIP
"""
__version__ = "0.1.0"

from .exceptions import ReportError  # noqa: E402
from .report import Report, ReportMeta, read_report  # noqa: E402
from .corpus import Corpus, open_corpus, read_corpus  # noqa: E402
from .fetch import fetch  # noqa: E402  (gr.fetch is the function; its module: govreports.fetch via from-imports)


def __getattr__(name: str):
    """``gr.analysis`` and ``gr.widgets`` are imported when first used (matplotlib, ipywidgets)."""
    if name in ("analysis", "widgets", "plotting", "render"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'govreports' has no attribute {name!r}")


__all__ = ["Corpus", "Report", "ReportError", "ReportMeta", "analysis", "fetch", "open_corpus", "read_corpus",
           "read_report", "widgets"]
