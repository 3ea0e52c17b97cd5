"""PDF reports -> :class:`~govreports.readers.base.Document`, with pdfplumber.

The pipeline, one page at a time, each step a small function whose result can be inspected:

``page_tables`` (pdfplumber finds the ruled tables) -> ``table_grid`` (cell rectangles onto
a grid of rows and columns, merged cells known by their spans) -> ``grid_rows`` (each grid row
as printed cells: a vertically merged continuation gives one ``''``, a horizontally merged cell
one cell, an unruled slot inside the table its own text) -> ``page_text_lines`` (the text
outside the tables, as lines, split into cells where a wide gap separates words) ->
``page_lines`` (both, in reading order, footers dropped) -> ``join_page_break`` (a label cut by a
page break put back together) -> ``align_unruled`` (an unruled table 3, known only from the
text layer, re-cut into its seven value columns, blank cells kept) -> :func:`read_pdf`.

Multi-line cell text is joined without a space between Chinese characters, so a label wrapped
inside its cell comes back whole (``（四）无\\n法提供`` -> ``（四）无法提供``).
"""
from __future__ import annotations

import bisect
import io
import re
from dataclasses import dataclass

from ..exceptions import ReportError
from ..template import GROUP_PHRASES, REQUEST_ROWS, label_key
from . import ocr
from .base import Cell, Document, Line

# Grid lines closer than this (points) are one line.
_SNAP = 2.0
_FOOTER = re.compile(r"^[\s\-—–－_·~～]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3})?(\s*共\s*\d{1,3}\s*页)?[\s\-—–－_·~～]*$")
_DASHED_NUMBER = re.compile(r"^\s*[-—–－~～]+\s*\d{1,3}\s*[-—–－~～]+\s*$")
_NUMERIC = re.compile(r"^[-+－]?[0-9０-９][0-9０-９,，.．]*\s*(万元|万|元|项|件|个|条|%)?$")
_NUMBERED = re.compile(r"^\s*([一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十]+\s*[）)]|\d+\s*[.、．])")
# Characters after which / before which a line break inside a cell is a plain wrap (no space).
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")
# Template phrases used to recognise a label cut in two by a page break.
_PHRASES = tuple({p for r in REQUEST_ROWS for p in r.phrases} | {p for ps in GROUP_PHRASES.values() for p in ps})


@dataclass
class _Row:
    """A table row on its way to a :class:`Line`: cells with their grid column."""

    cells: list[Cell]
    cols: list[int]
    ncols: int
    top: float


# --------------------------------------------------------------------------- text helpers
def text_line(texts: list[str], loc: str) -> Line:
    """One printed line's text runs as a Line: one cell, or (several runs apart) a table line
    whose cells are located ``loc col N``. Shared by the text layer and OCR."""
    if len(texts) == 1:
        return Line([Cell(texts[0], loc)], loc)
    return Line([Cell(t, f"{loc} col {i}") for i, t in enumerate(texts, 1)], loc, table=True)


def join_wrapped(parts: list[str]) -> str:
    """Given the lines of one cell, return its text: a wrap between Chinese characters joins
    without a space, a wrap between two ASCII words keeps one.

    >>> join_wrapped(["（四）无", "法提供"])
    '（四）无法提供'
    >>> join_wrapped(["hzzwgk@126.com", "note"])
    'hzzwgk@126.com note'
    >>> join_wrapped(["hzzwgk@126.com", "(note)"])
    'hzzwgk@126.com(note)'
    """
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return out


def is_numeric(text: str) -> bool:
    """Given a cell's text, return whether it prints a number (``32 项``, ``1,234``, ``842.5``)."""
    return bool(_NUMERIC.match(text.strip()))


def is_footer(text: str) -> bool:
    """Given a line of text, return whether it is a page footer such as ``— 3 —`` or ``- 3 -``."""
    return bool(_DASHED_NUMBER.match(text)) or ("页" in text and bool(_FOOTER.match(text)))


def _chars_to_lines(chars: list[dict]) -> list[str]:
    """Given the chars of one cell, return its text lines (top to bottom, left to right);
    a gap wider than half a character inside a line becomes a space."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))
    lines: list[list[dict]] = []
    for ch in chars:
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= max(2.0, 0.4 * (ch["bottom"] - ch["top"])):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for ln in lines:
        ln.sort(key=lambda c: c["x0"])
        buf = []
        prev = None
        for ch in ln:
            if prev is not None and ch["x0"] - prev["x1"] > 0.5 * max(1.0, prev["x1"] - prev["x0"]):
                buf.append(" ")
            buf.append(ch["text"])
            prev = ch
        text = "".join(buf).strip()
        if text:
            out.append(text)
    return out


# --------------------------------------------------------------------------- tables
def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def table_grid(cells: list[tuple[float, float, float, float]]):
    """Given pdfplumber's cell rectangles of one table, return ``(xs, ys, spans)``: the column
    and row boundaries and, per cell, ``(row0, row1, col0, col1, bbox)`` (end exclusive)."""
    xs = _snap([c[0] for c in cells] + [c[2] for c in cells])
    ys = _snap([c[1] for c in cells] + [c[3] for c in cells])

    def idx(bounds, v):
        i = bisect.bisect_left(bounds, v - _SNAP)
        return min(i, len(bounds) - 1)

    spans = []
    for bbox in cells:
        c0, c1 = idx(xs, bbox[0]), idx(xs, bbox[2])
        r0, r1 = idx(ys, bbox[1]), idx(ys, bbox[3])
        if c1 > c0 and r1 > r0:
            spans.append((r0, r1, c0, c1, bbox))
    return xs, ys, spans


def grid_rows(page_chars: list[dict], cells, page_no: int, table_no: int) -> list[_Row]:
    """Given a page's chars and one table's cell rectangles, return its rows as printed cells.

    A cell is emitted in the row where it starts; a cell merged down from an earlier row gives
    one ``''`` (so the value columns stay aligned); a cell merged across columns is one cell; a
    grid slot no ruled cell covers (a missing border) gets the text printed inside it."""
    xs, ys, spans = table_grid(cells)
    nrows, ncols = len(ys) - 1, len(xs) - 1
    if nrows < 1 or ncols < 1:
        return []
    owner: list[list[int]] = [[-1] * ncols for _ in range(nrows)]
    for k, (r0, r1, c0, c1, _) in enumerate(spans):
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] < 0:
                    owner[r][c] = k
    # chars -> slots by their centre
    x0, y0, x1, y1 = xs[0], ys[0], xs[-1], ys[-1]
    slot_chars: dict[tuple[int, int], list[dict]] = {}
    for ch in page_chars:
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        if not (x0 <= cx <= x1 and y0 <= cy <= y1) or not ch["text"].strip():
            continue
        c = min(max(bisect.bisect_right(xs, cx) - 1, 0), ncols - 1)
        r = min(max(bisect.bisect_right(ys, cy) - 1, 0), nrows - 1)
        slot_chars.setdefault((r, c), []).append(ch)

    def text_of(slots) -> str:
        chars = [ch for s in slots for ch in slot_chars.get(s, ())]
        return join_wrapped(_chars_to_lines(chars))

    rows: list[_Row] = []
    for r in range(nrows):
        out_cells: list[Cell] = []
        out_cols: list[int] = []
        c = 0
        while c < ncols:
            k = owner[r][c]
            if k < 0:  # no ruled cell here: the slot's own text (often a missing border)
                text, width = text_of([(r, c)]), 1
            else:
                r0, r1, c0, c1, _ = spans[k]
                width = c1 - c
                if r0 == r:
                    text = text_of([(rr, cc) for rr in range(r0, r1) for cc in range(c0, c1)])
                else:
                    text = ""  # continuation of a cell merged down from above
            loc = f"page {page_no} table #{table_no} row {len(rows) + 1} col {len(out_cells) + 1}"
            out_cells.append(Cell(text, loc))
            out_cols.append(c)
            c += max(width, 1)
        if any(cell.text for cell in out_cells) or len(out_cells) > 1:
            rows.append(_Row(out_cells, out_cols, ncols, ys[r]))
    return rows


def _is_text_box(rows: list[_Row]) -> bool:
    """A ruled 'table' whose every row is one cell is a framed block of prose, not a table."""
    return all(len(r.cells) == 1 for r in rows)


# --------------------------------------------------------------------------- text outside tables
Extents = list[tuple[float, float]]  # the horizontal extent (x0, x1) of each cell of a text-layer line


def page_text_lines(chars: list[dict], page_no: int, height: float) -> list[tuple[float, Line, Extents]]:
    """Given the chars of a page outside its tables, return its printed lines, each with its top
    and its cells' horizontal extents.

    Words separated by a gap wider than two characters become separate cells (an unruled table);
    a line of one piece is a prose line of one cell. Page footers are dropped."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    groups: list[list[dict]] = []
    for ch in chars:
        if not ch["text"].strip():
            continue
        if groups:
            last = groups[-1]
            h = last[0]["bottom"] - last[0]["top"]
            if abs(ch["top"] - last[0]["top"]) <= max(2.0, 0.5 * h):
                last.append(ch)
                continue
        groups.append([ch])
    out: list[tuple[float, Line]] = []
    n = 0
    for g in groups:
        g.sort(key=lambda c: c["x0"])
        size = max(1.0, sorted(c["x1"] - c["x0"] for c in g)[len(g) // 2])
        pieces: list[list[dict]] = [[g[0]]]
        for prev, ch in zip(g, g[1:]):
            if ch["x0"] - prev["x1"] > 2.0 * size:
                pieces.append([ch])
            else:
                pieces[-1].append(ch)
        texts, extents = [], []
        for p in pieces:
            t = join_wrapped(_chars_to_lines(p))
            if t:
                texts.append(t)
                extents.append((p[0]["x0"], p[-1]["x1"]))
        if not texts:
            continue
        whole = " ".join(texts)
        top = g[0]["top"]
        if is_footer(whole) or (
            re.fullmatch(r"\s*\d{1,3}\s*", whole) and (top > 0.88 * height or top < 0.08 * height)
        ):
            continue
        n += 1
        loc = f"page {page_no} line {n}"
        out.append((top, text_line(texts, loc), extents))
    return out


# --------------------------------------------------------------------------- unruled tables
def _clusters(centres: list[float], tol: float) -> list[list[float]]:
    out: list[list[float]] = []
    for c in sorted(centres):
        if out and c - out[-1][-1] <= tol:
            out[-1].append(c)
        else:
            out.append([c])
    return out


def align_unruled(lines: list[tuple[Line, Extents | None]], ncols: int = 7) -> None:
    """Given a document's lines, each with its cells' extents (None for a table row), put the
    numbers of an unruled table 3 into their columns, in place.

    A table printed without ruling lines comes out of the text layer as words; a blank cell
    leaves no word at all. Between the headings of sections 三 and 四, the centres of the numbers
    cluster into the seven applicant columns; when exactly seven clusters appear, every row with
    numbers is re-cut as its label cells and seven value cells, ``''`` where nothing is printed."""
    from ..template import SECTIONS

    by_key = {s.key: s.pattern for s in SECTIONS}
    start = end = None
    for i, (line, _) in enumerate(lines):
        if line.table:
            continue
        key = label_key(line.cells[0].text)
        if start is None and by_key["requests"].match(key):
            start = i
        elif start is not None and by_key["appeals"].match(key):
            end = i
            break
    if start is None:
        return
    block = [(ln, ext) for ln, ext in lines[start:end] if ext is not None]
    centres = [(x0 + x1) / 2 for ln, ext in block for cell, (x0, x1) in zip(ln.cells, ext)
               if is_numeric(cell.text)]
    clusters = [c for c in _clusters(centres, 12.0) if len(c) >= 2]
    if len(clusters) != ncols:
        return
    anchors = [sum(c) / len(c) for c in clusters]
    half = min(b - a for a, b in zip(anchors, anchors[1:])) / 2 if ncols > 1 else 20.0
    for line, ext in block:
        numeric = [(cell, (x0 + x1) / 2) for cell, (x0, x1) in zip(line.cells, ext) if is_numeric(cell.text)]
        if not numeric:
            continue
        slots: list[str | None] = [None] * ncols
        ok = True
        for cell, centre in numeric:
            k = min(range(ncols), key=lambda j: abs(anchors[j] - centre))
            if abs(anchors[k] - centre) > half or slots[k] is not None:
                ok = False
                break
            slots[k] = cell.text
        labels = [cell for cell, (x0, x1) in zip(line.cells, ext)
                  if not is_numeric(cell.text) and x1 < anchors[0] - half]
        if not ok or len(labels) + len(numeric) != len(line.cells):
            continue
        texts = [c.text for c in labels] + [t or "" for t in slots]
        line.cells[:] = [Cell(t, f"{line.location} col {i}") for i, t in enumerate(texts, 1)]
        line.table = True


# --------------------------------------------------------------------------- page breaks
def _completes_phrase(a: str, b: str) -> bool:
    ka, kb, kab = label_key(a), label_key(b), label_key(a + b)
    return any(p in kab and p not in ka and p not in kb for p in _PHRASES)


def join_page_break(prev: _Row, first: _Row) -> bool:
    """Given the last table row of a page and the first of the next, put a label cut by the
    page break back together in ``prev``. Return True when ``first`` held nothing but label
    fragments (it should then be dropped).

    Two cases: a cell of ``first`` completes the label in the same column of ``prev`` into a
    template phrase (``（四）无`` + ``法提供``); or ``first`` prints no number and no numbering,
    and each of its cells continues a cell of ``prev`` (a row wrapped over the break)."""
    if prev.ncols != first.ncols:
        return False
    by_col = {c: cell for c, cell in zip(prev.cols, prev.cells)}
    pairs = [(by_col.get(c), cell) for c, cell in zip(first.cols, first.cells) if cell.text]
    if not pairs:
        return False
    has_values = any(is_numeric(cell.text) for cell in first.cells)
    if (not has_values and any(is_numeric(c.text) for c in prev.cells)
            and all(p is not None and p.text and not is_numeric(p.text) and not _NUMBERED.match(n.text)
                    for p, n in pairs)):
        for p, n in pairs:
            p.text = join_wrapped([p.text, n.text])
        return True
    for p, n in pairs:
        if (p is not None and p.text and not is_numeric(p.text) and not is_numeric(n.text)
                and not _NUMBERED.match(n.text) and _completes_phrase(p.text, n.text)):
            p.text = join_wrapped([p.text, n.text])
            n.text = ""
    return False


# --------------------------------------------------------------------------- pages
def page_lines(page, page_no: int) -> tuple[list[tuple[float, object, Extents | None]], int]:
    """Given a pdfplumber page, return its items in reading order (``(top, Line, its cells'
    extents)`` or ``(top, [_Row], None)``) and the number of characters on it."""
    chars = page.chars
    tables = []
    for t in page.find_tables():
        rows = grid_rows(chars, t.cells, page_no, len(tables) + 1)
        if rows and not _is_text_box(rows):
            tables.append((t.bbox, rows))

    def outside(ch) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b, _ in tables)

    free = [ch for ch in chars if outside(ch)] if tables else chars
    items: list[tuple[float, object, Extents | None]] = list(page_text_lines(free, page_no, float(page.height)))
    items += [(bbox[1], rows, None) for bbox, rows in tables]
    items.sort(key=lambda it: it[0])
    return items, len(chars)


def _open(data: bytes, source: str):
    import pdfplumber

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name or "password" in str(exc).lower():
            raise ReportError(source, "the PDF is encrypted (password protected); cannot read it") from exc
        raise ReportError(source, f"not a readable PDF ({name}: {exc})") from exc


def read_pdf(data: bytes, source: str, max_pages: int | None = None) -> Document:
    """Given the bytes of a PDF report, return its printed lines and table rows in reading order.

    Only the first ``max_pages`` pages are read (see :mod:`govreports.limits`); a longer PDF (a
    compilation of reports) gets a ``pages_skipped`` note that becomes a finding.

    Raises :class:`ReportError` for an encrypted or corrupt PDF and for one without a text layer
    (a scan: OCR is needed)."""
    lines: list[tuple[Line, Extents | None]] = []  # each with its cells' extents (text-layer lines)
    notes: list[tuple[str, str, str]] = []
    total_chars = 0
    reads: dict = {}  # OCR'd cells of scanned pages (readers.ocr.CellRead by location)
    ocr_pages = 0
    try:
        pdf = _open(data, source)
        with pdf:
            pages = pdf.pages
            if max_pages is not None and len(pages) > max_pages:
                notes.append(("pages_skipped", "warning",
                              f"the PDF has {len(pages)} pages; only the first {max_pages} were read (a report is "
                              f"shorter: a compilation of reports? limit GOVREPORTS_PDF_PAGES)"))
                pages = pages[:max_pages]
            prev_row: _Row | None = None  # last table row of the previous page, if the page ended in a table
            for page_no, page in enumerate(pages, 1):
                items, nchars = page_lines(page, page_no)
                total_chars += nchars
                if nchars == 0 and page.images:
                    if ocr.available():  # a scanned page: OCR reads it
                        image = page.to_image(resolution=ocr.scan_dpi(page)).original
                        items = [(top, item, None) for top, item in ocr.page_items(image, page_no, reads)]
                        ocr_pages += 1
                    else:
                        notes.append(("pdf_page_without_text", "warning",
                                      f"page {page_no} has no text layer (a scanned image?); its content is "
                                      f"missing: install the OCR extra ({ocr.INSTALL_HINT})"))
                for i, (_, item, extents) in enumerate(items):
                    if isinstance(item, Line):
                        lines.append((item, extents))
                        continue
                    rows: list[_Row] = item
                    if i == 0 and prev_row is not None and join_page_break(prev_row, rows[0]):
                        rows = rows[1:]
                    # a row of one cell spanning the table (a heading or prose inside the frame) is a plain line
                    lines.extend((Line(r.cells, r.cells[0].location.rsplit(" col ", 1)[0], table=len(r.cells) > 1), None)
                                 for r in rows)
                last = items[-1][1] if items else None
                prev_row = last[-1] if isinstance(last, list) and last else None
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(source, f"cannot read the PDF ({type(exc).__name__}: {exc})") from exc
    if total_chars == 0 and not ocr_pages:
        raise ReportError(source, "no text layer; OCR needed (the PDF holds only images, e.g. a scan): "
                                  f"install the OCR extra ({ocr.INSTALL_HINT})")
    if not any(c.text.strip() for ln, _ in lines for c in ln.cells):
        raise ReportError(source, "no text layer, and OCR read no text either (a blank or unreadable scan)"
                          if ocr_pages else "no text layer; OCR needed (the PDF holds only images, e.g. a scan)")
    align_unruled(lines)
    text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln, _ in lines)
    doc = Document(lines=[ln for ln, _ in lines], text=text, format="pdf-ocr" if ocr_pages else "pdf", notes=notes)
    if ocr_pages:
        doc.cache["ocr"] = reads
    return doc
