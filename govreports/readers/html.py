"""HTML pages: tables become rows of cells, everything else lines of prose.

Handles what CMS pages do to the template (LAYOUTS.md): rowspan/colspan group labels, Word
exports with every character in its own ``<span>``, ``&nbsp;`` blanks, ``<o:p>`` tags, a whole
site around the report, and a report stored inside a JavaScript string (``rowspan=\\"20\\"``).
Spans are not expanded: the format-blind parser places values by their row label and their
order after it, so a cell is emitted once, where it is printed.

The work is done by libxml2: block ends and ``<br>`` become line breaks in the source, each
innermost table (one holding no other table; tables that hold tables are page layout) is read
row by row and replaced by a placeholder, and the rest of the page is taken as text in one
call, so that prose and tables come out in page order.
"""
from __future__ import annotations

import re

from lxml import etree

from .base import Cell, Document, Line, check_rows

_XML_DECLARATION = re.compile(r"<\?xml[^>]*\?>")
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, collect_ids=False)  # ids: unused


def _ci(names: str) -> str:
    """Given a pattern of tag names (letters, digits, ':', '|'), return it matching what ``re.I``
    would match: each ASCII letter as a class of both cases and the non-ASCII letters ``re.I``
    takes for it (ſ for s, the Kelvin sign U+212A for k, İ and ı for i). The patterns below are
    case-sensitive: their branches fail at a glance on most '<' of a page (the matches re.I
    gave, in fewer steps)."""
    odd = {"s": "ſ", "k": "\u212a", "i": "İı"}
    return "".join(f"[{c}{c.upper()}{odd.get(c, '')}]" if "a" <= c <= "z" else c for c in names)


# the '<' of a <br> or of a block's end tag: a line break goes before it (a plain replacement, no
# callback per match); the commonest ends first
_BREAKS = re.compile("<(?=/(?:" + _ci("td|p|tr|th|div|li") + "|[hH][1-6]|"
                     + _ci("caption|title|section|article|header|footer|blockquote")
                     + r")\s*>|" + _ci("br") + r"\s*/?>)")
# <span> and Word's <o:p> tags hold no structure; a Word export wraps every character in a span (a
# tree ten times larger). A run of them is one match (what one match per tag would remove, joined);
# possessive repeats (*+) keep no state to backtrack to (a tag ends at its first '>' either way)
_SPAN_TAG = "</?(?:" + _ci("span|o:p") + r")\b[^>]*+>"
_SPAN_TAGS = re.compile(f"{_SPAN_TAG}(?:{_SPAN_TAG})*+")
_SCRIPT_OPEN = re.compile("<" + _ci("script"))
_SCRIPT = re.compile("<" + _ci("script") + r"\b[^>]*+>(.*?)</" + _ci("script") + r"\s*>", re.S)
_JS_STRING = re.compile(r"""(["'])((?:\\.|(?!\1).)*?)\1""", re.S)
_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_MARK = "\ue000T"  # where a table stood in the page text (private-use characters; see _MARK_LINE)
_MARK_LINE = re.compile("^\ue000T(\\d+)\ue000$")
_IMG = "\ue000I"  # where an <img> stood
_IMG_LINE = re.compile("^\ue000I(\\d+)\ue000$")


def _clean(text: str) -> str:
    """Whitespace runs (\\s, NBSP, ideographic space: what ``str.split`` splits on) as one space, ends stripped."""
    return " ".join(text.split())


def _rows(table) -> list:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def _innermost_tables(root) -> list:
    """The tables that hold no other table, in page order (a table's ancestors are looked up,
    not its whole subtree)."""
    tables = list(root.iter("table"))
    outer = set()
    for t in tables:
        for a in t.iterancestors("table"):
            if a in outer:
                break  # its ancestors are marked already
            outer.add(a)
    return [t for t in tables if t not in outer]


def _table_lines(rows: list, n: int) -> list[Line]:
    """Given a table's rows (:func:`_rows`) and its number on the page, return a line per row
    that has cells (``html table #n row r col c``). A cell's text is its descendants' too (not
    its tail), in one space-separated run (as :func:`_clean`); read without a call per cell."""
    lines = []
    for r, tr in enumerate(rows, start=1):
        loc = f"html table #{n} row {r}"
        cells = []
        for c, td in enumerate(tr.iterchildren("td", "th"), 1):
            k = len(td)
            if not k:
                text = td.text or ""
            elif k == 1 and not len(child := td[0]):  # one child holding text only (Word's <p> in a cell)
                text = (td.text or "") + (child.text or "") + (child.tail or "")
            else:
                text = etree.tostring(td, method="text", encoding="unicode", with_tail=False)
            cells.append(Cell(" ".join(text.split()), f"{loc} col {c}"))
        if cells:
            lines.append(Line(cells, loc, True))
    return lines


def _unescape_js(s: str) -> str:
    """Given the body of a JavaScript string literal, return its value (\\uXXXX, \\", \\n ...)."""
    simple = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": ""}

    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(int(e[1:], 16))
        return simple.get(e, e)
    return _JS_ESCAPE.sub(one, s)


def _scripts_to_html(text: str) -> str:
    """A CMS that keeps the report in a JavaScript string (``var content="<p>…"``,
    ``document.write('…')``, ``\\u003ctable``): put such strings back into the page as HTML."""
    def repl(m: re.Match) -> str:
        body = m.group(1)
        found = [_unescape_js(sm.group(2)) for sm in _JS_STRING.finditer(body)]
        found = [f for f in found if "<" in f and ("信息公开" in f or "<table" in f.lower())]
        return "\n".join(found)
    return _SCRIPT.sub(repl, text)


def _markup(text: str) -> str:
    """Given a page, return the markup lxml is given: a report kept in a script string put back
    as HTML, escaped quotes undone, span tags dropped, a line break before each block end and
    ``<br>``, an XML declaration dropped."""
    first = _SCRIPT_OPEN.search(text)
    if first and any("<table" in b.lower() or "\\u003c" in b.lower() or "信息公开" in b
                     for b in _SCRIPT.findall(text, first.start())):
        text = _scripts_to_html(text)
    if '\\"' in text:
        text = text.replace('\\"', '"').replace("\\/", "/").replace("\\n", "\n").replace("\\t", "\t")
    text = _BREAKS.sub("\n<", _SPAN_TAGS.sub("", text))
    if text.lstrip("\ufeff \t\r\n").startswith("<?xml"):  # lxml refuses a str that declares its encoding
        text = _XML_DECLARATION.sub("", text, count=1)
    return text


def read_html(text: str, source: str, max_rows: int | None = None) -> Document:
    """Given HTML text, return its prose lines and table rows in page order; a table of more
    than ``max_rows`` rows (see :mod:`govreports.limits`) is a ReportError."""
    text = _markup(text)
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Document([], "", "html")
    etree.strip_elements(root, "script", "style", "noscript", "head", "template", with_tail=False)
    tables: list[list[Line]] = []
    # Tables that hold other tables are page layout: their cells are read as text, and the
    # innermost tables (the template's) as tables.
    for table in _innermost_tables(root):
        rows = _rows(table)
        check_rows(len(rows), len(tables) + 1, source, max_rows)
        tables.append(_table_lines(rows, len(tables) + 1))
        mark = etree.Element("span")
        mark.text = f"\n{_MARK}{len(tables) - 1}\ue000\n"
        mark.tail = table.tail
        table.getparent().replace(table, mark)
    images: list[str] = []  # <img> sources, in page order: a table printed as a picture (readers.ocr)
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if src and not src.startswith("data:"):
            mark = etree.Element("span")
            mark.text = f"\n{_IMG}{len(images)}\ue000\n"
            mark.tail = img.tail
            img.getparent().replace(img, mark)
            images.append(src)
    placed: list[tuple[int, str]] = []
    lines: list[Line] = []
    plain: list[str] = []
    for raw in etree.tostring(root, method="text", encoding="unicode").split("\n"):
        if "\ue000" in raw:
            m = _IMG_LINE.match(raw.strip())
            if m:
                placed.append((len(lines), images[int(m.group(1))]))
                continue
            m = _MARK_LINE.match(raw)
            if m:
                table = tables[int(m.group(1))]
                lines += table
                plain += ["\t".join([c.text for c in line.cells]) for line in table]
                continue
        s = _clean(raw)
        if s:
            loc = f"paragraph {len(plain) + 1}"
            lines.append(Line([Cell(s, loc)], loc))
            plain.append(s)
    doc = Document(lines, "\n".join(plain), "html")
    if placed:
        doc.cache["images"] = placed  # (index of the line it stands before, src)
    return doc
