"""How much work one report file may cost: the one declaration of govreports' limits.

Why: a report is a few pages and at most a few hundred KB, but a corpus gathered from the web
holds compilations of hundreds of pages, 50 MB text dumps and the odd zip bomb. Each limit
turns such a file into a clear :class:`~govreports.ReportError` (or, for PDF pages, a reading
of the first pages with a ``pages_skipped`` finding) instead of minutes of work and gigabytes
of memory. The defaults are generous (tens of times the largest real report); change them per
call (``read_report(path, limits=Limits(pdf_pages=200))``, ``read_corpus(..., limits=...)``)
or for a whole session through the environment (``GOVREPORTS_PDF_PAGES=200``).

>>> from govreports.limits import Limits, current
>>> current().pdf_pages
40
>>> Limits(pdf_pages=200).pdf_pages
200
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from functools import lru_cache

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits one report file is read under (environment variable in brackets).

    - ``file_bytes``: size of any file (PDF and Word files carry images) [GOVREPORTS_FILE_BYTES]
    - ``text_bytes``: size of a text, markdown or HTML file [GOVREPORTS_TEXT_BYTES]
    - ``zip_member_bytes``: uncompressed size of one member of a .docx/.xlsx, read from the
      zip directory before anything is decompressed [GOVREPORTS_ZIP_MEMBER_BYTES]
    - ``zip_total_bytes``: uncompressed size of all members together [GOVREPORTS_ZIP_TOTAL_BYTES]
    - ``pdf_pages``: pages of a PDF that are read; the rest are skipped with a ``pages_skipped``
      finding (a compilation of many reports) [GOVREPORTS_PDF_PAGES]
    - ``table_rows``: rows one printed table may have (HTML, Word, spreadsheets) [GOVREPORTS_TABLE_ROWS]
    - ``timeout``: seconds one file may take in a corpus worker; over it the file is ``failed``
      with ``timed out after N s`` and the batch goes on; 0 for no limit [GOVREPORTS_TIMEOUT]
    """

    file_bytes: int = 64 * MB
    text_bytes: int = 10 * MB
    zip_member_bytes: int = 64 * MB
    zip_total_bytes: int = 256 * MB
    pdf_pages: int = 40
    table_rows: int = 2000
    timeout: float = 60.0

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Limits":
        """The defaults, each overridden by its ``GOVREPORTS_<NAME>`` environment variable."""
        env = os.environ if environ is None else environ
        changes = {}
        for f in fields(cls):
            raw = env.get(f"GOVREPORTS_{f.name.upper()}")
            if raw is None or not raw.strip():
                continue
            try:
                changes[f.name] = float(raw) if f.name == "timeout" else int(float(raw))
            except ValueError as exc:
                raise ValueError(f"GOVREPORTS_{f.name.upper()}={raw!r} is not a number") from exc
        return replace(cls(), **changes)


_ENV_NAMES = tuple(f"GOVREPORTS_{f.name.upper()}" for f in fields(Limits))


@lru_cache(maxsize=8)
def _from_settings(settings: tuple) -> Limits:
    return Limits.from_env(dict(zip(_ENV_NAMES, settings)))


def current(limits: Limits | None = None) -> Limits:
    """Given limits or None, return the limits to read under (None: defaults and environment).

    The environment is looked at on every call (a change takes effect at once); the limits
    it gives are made once per set of values, since every report of a corpus asks for them."""
    if limits is not None:
        return limits
    get = os.environ.get
    return _from_settings(tuple(get(name) for name in _ENV_NAMES))


def megabytes(n: int) -> str:
    """Given a number of bytes, return it in MB for a message (``'64 MB'``, ``'0.5 MB'``)."""
    value = n / MB
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"
