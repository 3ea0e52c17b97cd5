"""HTML pages: tables become rows of cells, everything else lines of prose.

Handles what CMS pages do to the template (LAYOUTS.md): rowspan/colspan group labels, Word
exports with every character in its own ``<span>``, ``&nbsp;`` blanks, ``<o:p>`` tags, a whole
site around the report, and a report stored inside a JavaScript string (``rowspan=\\"20\\"``).
Spans are not expanded: the format-blind parser places values by their row label and their
order after it, so a cell is emitted once, where it is printed.
"""
from __future__ import annotations

import re

from lxml import etree

from .base import Cell, Document, Line

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "header",
          "footer", "blockquote", "pre", "dd", "dt", "ul", "ol", "body", "center", "title", "caption"}
_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "button", "select", "option"}
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_WS = re.compile(r"[\s\u00a0\u3000]+")


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _cell_text(td) -> str:
    parts: list[str] = []
    for node in td.iter():
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            continue
        if node.tag == "br" or (node is not td and node.tag in ("p", "div")):
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        if node is not td and node.tail:
            parts.append(node.tail)
    return _clean("".join(parts))


def _rows(table) -> list:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child if isinstance(c.tag, str) and c.tag == "tr")
    return rows


def read_html(text: str, source: str) -> Document:
    """Given HTML text, return its prose lines and table rows in page order."""
    if '\\"' in text:
        text = text.replace('\\"', '"').replace("\\/", "/").replace("\\n", "\n").replace("\\t", "\t")
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Document([], "", "html")
    lines: list[Line] = []
    prose: list[str] = []
    buf: list[str] = []
    n_tables = 0

    def flush() -> None:
        s = _clean("".join(buf))
        buf.clear()
        if s:
            loc = f"paragraph {len(prose) + 1}"
            prose.append(s)
            lines.append(Line([Cell(s, loc)], loc))

    def walk(el) -> None:
        nonlocal n_tables
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "table":
            flush()
            n_tables += 1
            for r, tr in enumerate(_rows(el), start=1):
                cells = [Cell(_cell_text(td), f"table {n_tables} row {r} col {c}")
                         for c, td in enumerate((x for x in tr if isinstance(x.tag, str) and x.tag in ("td", "th")), 1)]
                if cells:
                    lines.append(Line(cells, f"table {n_tables} row {r}", table=True))
                    prose.append("\t".join(c.text for c in cells))
            return
        block = tag in _BLOCK
        if block or tag == "br":
            flush()
        if tag and el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return Document(lines, "\n".join(prose), "html")
