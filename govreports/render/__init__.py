"""The one renderer of report values into printings, used by tests and benchmarks alike.

>>> from govreports.render import ReportValues, render
>>> v = ReportValues.synthetic(7)
>>> text = render(v, "tsv", blank_zeros=True)
>>> v.agency in text
True

Layouts (``LAYOUTS``): ``tsv``, ``markdown``, ``cells``, ``pipe_cells`` (text copied from web pages,
see ``text.py``), ``html``, ``html_word`` (see ``html.py``); ``crawler`` (``IDENTITY_LAYOUTS``: the whole
report on one line, cells glued together, as site-crawling archives store pages; option
``stray_spaces``, on by default), ``markdown_torn`` (a PDF turned into markdown with a block of table
3's row labels torn from their rows, printed as loose wrapped text; option ``torn``, the rows);
``pdf`` and ``docx`` come from
``govreports.render.pdf`` / ``govreports.render.docx`` when those modules exist; spreadsheets
(``SHEET_LAYOUTS``: ``csv`` as text, ``xlsx`` and ``xls`` as bytes) from ``spreadsheet.py``.

Options (keyword arguments, all ``bool``): ``blank_zeros`` (every 0 of tables 3 and 4 printed as an
empty cell), ``spaced_labels`` ('商 业 企 业'), ``traditional`` (the whole text in traditional
characters), ``fullwidth_digits``, ``thousands`` (1,234), ``units`` ('32 项', '1042.94 万元'),
``label_variants`` (社会组织, 采购预算总金额), ``money_in_yuan`` ('251000元'), ``drop_empty`` (every empty
cell left out, as a page's text extraction drops them: a table left empty prints only its labels). The HTML layouts also
take ``charset`` (declared in the page's ``<meta>``).
"""
from __future__ import annotations

import importlib
import json
import random
from pathlib import Path
from typing import Iterable

from . import html as _html
from . import spreadsheet as _sheet
from . import text as _text
from .text import OPTIONS
from .values import ReportValues

__all__ = ["ReportValues", "render", "encode", "write_corpus", "LAYOUTS", "IDENTITY_LAYOUTS", "BINARY_LAYOUTS",
           "SHEET_LAYOUTS", "ENCODINGS", "OPTIONS"]

LAYOUTS = _text.TEXT_LAYOUTS + _html.HTML_LAYOUTS
IDENTITY_LAYOUTS = _text.IDENTITY_LAYOUTS  # read back only where the identities decide (not in LAYOUTS)
BINARY_LAYOUTS = ("pdf", "docx")
SHEET_LAYOUTS = _sheet.SHEET_LAYOUTS
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16")
EXTENSIONS = {"tsv": ".txt", "cells": ".txt", "pipe_cells": ".txt", "markdown": ".md", "html": ".html",
              "html_word": ".html", "pdf": ".pdf", "docx": ".docx", "csv": ".csv", "xlsx": ".xlsx",
              "xls": ".xls"}
# What an HTML page declares for each encoding (GBK pages usually claim gb2312).
DECLARED_CHARSET = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030", "gbk": "gb2312",
                    "utf-16": "utf-16"}


def render(values: ReportValues, layout: str, **options) -> str | bytes:
    """Print ``values`` in ``layout``: ``str`` for text, HTML and csv layouts, ``bytes`` for
    pdf, docx, xlsx and xls."""
    if layout in _text.TEXT_LAYOUTS:
        return _text.render(values, layout, **options)
    if layout == "crawler":
        return _text.render_crawler(values, **options)
    if layout == "markdown_torn":
        return _text.render_torn(values, **options)
    if layout in _html.HTML_LAYOUTS:
        return _html.render(values, layout, **options)
    if layout in BINARY_LAYOUTS:
        return _binary_renderer(layout)(values, **options)
    if layout in SHEET_LAYOUTS:
        return _sheet.render(values, layout, **options)
    raise ValueError(f"unknown layout {layout!r}; known: {LAYOUTS + IDENTITY_LAYOUTS + BINARY_LAYOUTS + SHEET_LAYOUTS}")


def _binary_renderer(layout: str):
    """The ``render`` of ``govreports.render.<layout>``, imported only when asked for."""
    try:
        module = importlib.import_module(f"{__name__}.{layout}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{layout}":
            raise  # the module exists but needs a package that is missing
        raise NotImplementedError(f"layout {layout!r} needs module {__name__}.{layout}, "
                                  "which is not written yet") from exc
    return module.render


def encode(text: str, encoding: str) -> bytes:
    """The bytes of ``text`` in one of ``ENCODINGS`` (utf-8-sig and utf-16 carry a BOM)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; known: {ENCODINGS}")
    return text.encode(encoding)


def random_options(rng: random.Random) -> dict[str, bool]:
    """A random set of printing options, each switched on now and then."""
    chances = {"blank_zeros": 0.2, "spaced_labels": 0.15, "traditional": 0.1, "fullwidth_digits": 0.05,
               "thousands": 0.1, "units": 0.2, "label_variants": 0.2, "money_in_yuan": 0.1}
    return {name: True for name, p in chances.items() if rng.random() < p}


def write_corpus(folder: str | Path, n: int, seed: int = 0, layouts: Iterable[str] = LAYOUTS,
                 formats: Iterable[str] = ENCODINGS, vary_options: bool = True) -> list[Path]:
    """Write ``n`` synthetic reports into ``folder`` and return their paths.

    File ``i`` holds ``ReportValues.synthetic(seed * 1_000_003 + i)`` printed in layout
    ``layouts[i % L]`` and encoded in ``formats[(i // L) % F]`` (so every pair comes up), with
    random options when ``vary_options``. Binary layouts (pdf, docx) ignore the encoding. A
    ``manifest.jsonl`` beside them records, per file, the seed, layout, encoding and options, so
    the values can be rebuilt. Each file is written as soon as it is printed: nothing piles up in
    memory, whatever ``n``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    layouts, formats = tuple(layouts), tuple(formats)
    paths: list[Path] = []
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for i in range(n):
            layout = layouts[i % len(layouts)]
            encoding = formats[(i // len(layouts)) % len(formats)]
            report_seed = seed * 1_000_003 + i
            options = random_options(random.Random(report_seed)) if vary_options else {}
            values = ReportValues.synthetic(report_seed)
            extra = {"charset": DECLARED_CHARSET[encoding]} if layout in _html.HTML_LAYOUTS else {}
            printed = render(values, layout, **options, **extra)
            data = printed if isinstance(printed, bytes) else encode(printed, encoding)
            tag = "bin" if isinstance(printed, bytes) else encoding.replace("-", "")
            path = folder / f"{i:06d}_{layout}_{tag}{EXTENSIONS[layout]}"
            path.write_bytes(data)
            paths.append(path)
            manifest.write(json.dumps({"file": path.name, "seed": report_seed, "layout": layout,
                                       "encoding": None if tag == "bin" else encoding,
                                       "options": options}, ensure_ascii=False) + "\n")
    return paths
