"""Word reports (.docx; legacy .doc/.wps through LibreOffice) -> :class:`Document`.

The body is read in its own order (paragraphs and tables interleaved as printed), straight
from the WordprocessingML: ``body_items`` (paragraphs and tables, descending into content
controls) -> ``table_lines`` (rows of cells, merged cells emitted once) -> :func:`read_docx`.

Merged cells follow the printed grid: a cell merged across columns (``w:gridSpan``) is one
cell; a cell merged down from the row above (``w:vMerge`` without ``restart``) is one ``''``,
so that the value columns of every row stay aligned. A cell's paragraphs are joined without a
space between Chinese characters (a label wrapped by a paragraph break comes back whole).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile

from lxml import etree

from ..exceptions import ReportError, UnsupportedFormatError
from .base import Cell, Document, Line, check_rows
from .pdf import _Row, join_page_break, join_wrapped

WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{WORD_NS}}}{t}" for t in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{WORD_NS}}}{t}" for t in ("t", "tab", "br", "cr"))
_VAL = f"{{{WORD_NS}}}val"
_TEXT_TAGS = {_T, _TAB, _BR, _CR}


def paragraph_text(p) -> str:
    """Given a ``w:p`` element, return its text (tabs as ``\\t``, breaks as ``\\n``)."""
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if el.tag == _T:
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def cell_text(tc) -> str:
    """Given a ``w:tc``, return the text of its paragraphs (nested tables included) joined as
    one label: wraps between Chinese characters take no space."""
    parts: list[str] = []
    for p in tc.iter(_P):
        parts.extend(paragraph_text(p).replace("\t", " ").split("\n"))
    return join_wrapped(parts)


def body_items(body):
    """Given ``w:body`` (or a content control's content), yield its ``w:p`` and ``w:tbl`` in order."""
    for child in body:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(f"{{{WORD_NS}}}sdtContent")
            if content is not None:
                yield from body_items(content)


def _tc_props(tc) -> tuple[int, str | None]:
    """Given a ``w:tc``, return ``(grid span, vMerge)``; vMerge is None, 'restart' or 'continue'."""
    span, vmerge = 1, None
    pr = tc.find(f"{{{WORD_NS}}}tcPr")
    if pr is not None:
        gs = pr.find(f"{{{WORD_NS}}}gridSpan")
        if gs is not None:
            try:
                span = max(1, int(gs.get(_VAL, "1")))
            except ValueError:
                span = 1
        vm = pr.find(f"{{{WORD_NS}}}vMerge")
        if vm is not None:
            vmerge = vm.get(_VAL, "continue")
        hm = pr.find(f"{{{WORD_NS}}}hMerge")  # legacy horizontal merge: continuation cells are skipped
        if hm is not None and hm.get(_VAL, "continue") == "continue":
            span = 0
    return span, vmerge


def table_rows(tbl, t: int) -> list[_Row]:
    """Given a ``w:tbl`` and its 1-based number, return its rows (cells with their grid column)."""
    rows: list[_Row] = []
    width = 0
    for r, tr in enumerate((el for el in tbl if el.tag == _TR), 1):
        cells: list[Cell] = []
        cols: list[int] = []
        col = 0
        trpr = tr.find(f"{{{WORD_NS}}}trPr")
        before = trpr.find(f"{{{WORD_NS}}}gridBefore") if trpr is not None else None
        if before is not None:
            cells.append(Cell("", f"word table #{t} row {r} col 1"))
            cols.append(0)
            col = int(before.get(_VAL, "1") or 1)
        tcs = [el for el in tr if el.tag == _TC]
        if not tcs:  # cells wrapped in content controls or custom XML
            tcs = list(tr.iter(_TC))
        for tc in tcs:
            span, vmerge = _tc_props(tc)
            if span == 0:
                continue
            loc = f"word table #{t} row {r} col {len(cells) + 1}"
            text = "" if vmerge == "continue" else cell_text(tc)
            cells.append(Cell(text, loc))
            cols.append(col)
            col += span
        width = max(width, col)
        if cells:
            rows.append(_Row(cells, cols, 0, float(r)))
    for row in rows:
        row.ncols = width
    return rows


def table_lines(tbl, t: int) -> list[Line]:
    """Given a ``w:tbl`` and its 1-based number, return its rows as table Lines."""
    return [Line(r.cells, f"word table #{t} row {int(r.top)}", table=True) for r in table_rows(tbl, t)]


def _paragraph_line(text: str, n: int) -> Line | None:
    loc = f"paragraph {n}"
    if "\t" in text:
        parts = [p.strip() for p in text.split("\t")]
        if sum(1 for p in parts if p) >= 2 and len(parts) >= 3:
            return Line([Cell(p, f"{loc} col {i}") for i, p in enumerate(parts, 1)], loc, table=True)
        text = " ".join(p for p in parts if p)
    text = text.replace("\n", " ").strip()
    if not text:
        return None
    return Line([Cell(text, loc)], loc)


def _document_xml(data: bytes, source: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read("word/document.xml")
    except KeyError as exc:
        raise ReportError(source, "a ZIP file without word/document.xml: not a Word document") from exc
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReportError(source, f"not a readable .docx file ({exc})") from exc


def read_docx(data: bytes, source: str, max_rows: int | None = None) -> Document:
    """Given the bytes of a .docx report, return its paragraphs and table rows in body order;
    a table of more than ``max_rows`` rows (see :mod:`govreports.limits`) is a ReportError."""
    xml = _document_xml(data, source)
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(huge_tree=True, recover=True))
    except etree.XMLSyntaxError as exc:
        raise ReportError(source, f"broken word/document.xml ({exc})") from exc
    body = root.find(f"{{{WORD_NS}}}body") if root is not None else None
    if body is None:
        raise ReportError(source, "word/document.xml has no body")
    lines: list[Line] = []
    pictures: list[tuple[int, str]] = []  # (line index, relationship id) of pictures (a pasted table image)
    n_par = n_tbl = 0
    prev_row: _Row | None = None  # the last row of the table just before, if only blank paragraphs follow it
    for el in body_items(body):
        if el.tag == _P:
            n_par += 1
            pictures += [(len(lines), rid) for rid in el.xpath(".//*[local-name()='blip']/@*[local-name()='embed']")]
            line = _paragraph_line(paragraph_text(el), n_par)
            if line is not None:
                lines.append(line)
                prev_row = None
        else:
            n_tbl += 1
            check_rows(sum(1 for tr in el if tr.tag == _TR), n_tbl, source, max_rows)
            rows = table_rows(el, n_tbl)
            # a table continued in a second table (pasted across a page break): re-join a cut label
            if rows and prev_row is not None and join_page_break(prev_row, rows[0]):
                rows = rows[1:]
            lines.extend(Line(r.cells, f"word table #{n_tbl} row {int(r.top)}", table=True) for r in rows)
            prev_row = rows[-1] if rows else prev_row
    if not any(c.text for ln in lines for c in ln.cells) and not pictures:
        raise ReportError(source, "the Word document holds no text")
    text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln in lines)
    doc = Document(lines=lines, text=text, format="docx")
    if pictures:  # tables pasted as pictures: read by OCR when the [ocr] extra is installed
        from . import ocr
        if ocr.available():
            ocr.insert_images(doc, _picture_bytes(data, pictures))
    return doc


def _picture_bytes(data: bytes, pictures: list[tuple[int, str]]) -> list[tuple[int, str, bytes]]:
    """The bytes of each picture (by its relationship id in word/_rels/document.xml.rels)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        except (KeyError, etree.XMLSyntaxError):
            return out
        target = {r.get("Id"): r.get("Target", "") for r in rels}
        for index, rid in pictures:
            name = target.get(rid, "")
            path = name.lstrip("/") if name.startswith("/") else f"word/{name}"
            try:
                out.append((index, name.rsplit("/", 1)[-1], z.read(path)))
            except KeyError:
                continue
    return out


def soffice_path() -> str | None:
    """Return the LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_legacy(data: bytes, source: str, timeout: float | None = None) -> bytes:
    """Given the bytes of a legacy Word file (.doc/.wps, OLE2), return them converted to .docx
    by LibreOffice (given at most ``timeout`` seconds, default 180); raise :class:`ReportError`
    when LibreOffice is missing, fails or takes longer."""
    exe = soffice_path()
    if exe is None:
        raise UnsupportedFormatError(source, "legacy Word format (.doc/.wps): install LibreOffice to convert it")
    with tempfile.TemporaryDirectory(prefix="govreports-doc-") as tmp:
        src = os.path.join(tmp, "report.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        profile = "file://" + os.path.join(tmp, "profile")
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx", "--outdir", tmp, src]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout or 180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(source, f"LibreOffice could not convert the legacy Word file ({exc})") from exc
        out = os.path.join(tmp, "report.docx")
        if proc.returncode != 0 or not os.path.exists(out):
            err = proc.stderr.decode("utf-8", "replace").strip()[:300]
            raise ReportError(source, f"LibreOffice could not convert the legacy Word file ({err or proc.returncode})")
        with open(out, "rb") as fh:
            return fh.read()
