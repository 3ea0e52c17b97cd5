"""Bytes → :class:`Document`: detect the format from the bytes, decode, hand to one reader.

``format`` is what the bytes are, not the extension (SCHEMA.md): ``%PDF`` is a PDF, a ZIP with
``word/document.xml`` is DOCX, a ZIP with ``xl/workbook.xml`` or an OLE2 file with a ``Workbook``
stream is a spreadsheet (as is CSV text, :func:`.spreadsheet.looks_like_csv`), another OLE2 file is
legacy Word, text with table tags is HTML, text with pipe rows is markdown, anything else
decodable is text. Text encodings tried: a BOM
(UTF-8, UTF-16), then UTF-8, then GB18030 (a superset of GBK and GB2312, which pages declare
and then do not follow), then UTF-16 without BOM.
"""
from __future__ import annotations

import codecs
import io
import re
import threading
import zipfile
from pathlib import PurePath

from ..exceptions import ReportError
from ..limits import Limits, current, megabytes
from .base import Cell, Document, Line
from .html import read_html
from .ocr import is_image, read_image
from .text import read_text

__all__ = ["Cell", "Document", "Line", "read_document", "decode_text", "sniff_format", "what_it_looks_like",
           "check_zip"]

_HTML = re.compile(rb"<(table|html|body|p|div|td|tr|span)\b", re.I)
_MD_ROW = re.compile(r"^[ \t]*\|[^\n]*\|[ \t]*$", re.M)


_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_OLE_WPS_ET = "ETExtData".encode("utf-16-le")
_OLE_WORD = "WordDocument".encode("utf-16-le")  # a Word file may embed a workbook: it stays Word


def sniff_format(data: bytes) -> str:
    """Given a file's bytes, return 'pdf', 'docx', 'doc', 'xlsx', 'xls', 'et', 'image', 'html' or 'text'."""
    head = data[:8]
    if head.startswith(b"%PDF"):
        return "pdf"
    if is_image(head):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if b"xl/workbook" in data and b"word/document.xml" not in data else "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if _OLE_WORD not in data and any(name in data for name in _OLE_WORKBOOK):
            return "et" if _OLE_WPS_ET in data else "xls"
        return "doc"
    sample = data[:20000]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sample = sample.decode("utf-16", errors="ignore").encode("utf-8")
    return "html" if _at_least(_HTML, sample, 2) else "text"


def _at_least(pattern: re.Pattern, text, n: int) -> bool:
    """True when ``pattern`` matches ``text`` at least ``n`` times (the search stops at the n-th)."""
    for k, _ in enumerate(pattern.finditer(text), 1):
        if k >= n:
            return True
    return False


STRAY_BYTES_SHARE = 0.001  # at most this share of a file's bytes may be stray (replaced, with a finding)


def decode_text(data: bytes, source: str, notes: list | None = None) -> str:
    """Given text bytes, return the text; raise ReportError when they are not text.

    A file that decodes cleanly except for a few bytes (at most ``STRAY_BYTES_SHARE`` of them:
    a stray byte, NUL bytes inside text) is decoded with U+FFFD in their place, and a
    ``bad_bytes`` note naming their offsets is appended to ``notes``."""
    limit = max(1, int(len(data) * STRAY_BYTES_SHARE))
    if data.startswith(codecs.BOM_UTF8):
        text, bad = _decode_stray(data[3:], "utf-8", len(data))
        _note_stray(notes, "UTF-8", [3 + b for b in bad])
        return _nul_replaced(text, notes, 3)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
        if text is not None and _mostly_text(text):
            return text
        raise ReportError(source, "undecodable bytes: a UTF-16 byte-order mark but no valid UTF-16 text")
    nul = data.count(b"\x00") if b"\x00" in data else 0  # the test stops at the first NUL
    if nul > limit:
        # UTF-16 without a BOM: every other byte of CJK/ASCII is NUL
        text = _first_decoding(data, ("utf-16-le", "utf-16-be")) if nul > len(data) // 4 else None
        if text is None:
            looks = what_it_looks_like(data, source)
            raise ReportError(source, f"binary file, not a report ({looks or 'NUL bytes in the data'})")
        return text
    text = _first_decoding(data, ("utf-8",))
    if text is None:
        got = _decode_stray(data, "utf-8", limit)
        if got is not None and _mostly_text(got[0]):
            _note_stray(notes, "UTF-8", got[1])
            text = got[0]
    if text is None:
        text = _first_decoding(data, ("gb18030",))
    if text is None:
        got = _decode_stray(data, "gb18030", limit)
        if got is not None and _mostly_text(got[0]):
            _note_stray(notes, "GB18030", got[1])
            text = got[0]
    if text is None:
        raise ReportError(source, "undecodable bytes: neither UTF-8, GB18030/GBK nor UTF-16")
    return _nul_replaced(text, notes, 0) if nul else text


class _TooManyStray(Exception):
    pass


_stray = threading.local()


def _record_stray(exc: UnicodeDecodeError):
    offsets = _stray.offsets
    offsets.append(exc.start)
    if len(offsets) > _stray.limit:
        raise _TooManyStray
    return "\ufffd", exc.end


codecs.register_error("govreports.stray", _record_stray)


def _decode_stray(data: bytes, encoding: str, limit: int) -> tuple[str, list[int]] | None:
    """Given bytes and an encoding, return the text with U+FFFD for each undecodable byte
    sequence and their offsets; None when there are more than ``limit`` of them."""
    _stray.offsets, _stray.limit = [], limit
    try:
        return data.decode(encoding, errors="govreports.stray"), _stray.offsets
    except _TooManyStray:
        return None


def _nul_replaced(text: str, notes: list | None, start: int) -> str:
    """NUL characters inside text become U+FFFD, noted with their offsets (in characters)."""
    if "\x00" not in text:
        return text
    at = [i for i, ch in enumerate(text) if ch == "\x00"]
    if notes is not None:
        notes.append(("bad_bytes", "warning", f"{len(at)} NUL byte(s) inside the text, read as U+FFFD "
                      f"(at characters {_offsets(at)})"))
    return text.replace("\x00", "\ufffd")


def _offsets(at: list[int], most: int = 20) -> str:
    return ", ".join(str(b) for b in at[:most]) + (f" … ({len(at)} in all)" if len(at) > most else "")


def _note_stray(notes: list | None, encoding: str, bad: list[int]) -> None:
    if bad and notes is not None:
        notes.append(("bad_bytes", "warning", f"{len(bad)} byte(s) not valid {encoding}, read as U+FFFD "
                      f"(at byte offsets {_offsets(bad)})"))


def _first_decoding(data: bytes, encodings: tuple[str, ...]) -> str | None:
    """The text of the first encoding that decodes ``data`` strictly into mostly text."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text
    return None


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff\ufffd]")


def _mostly_text(text: str) -> bool:
    """True unless control, private-use or replacement characters make up over 1% of the text."""
    sample = text[:5000]
    return len(_CONTROL.findall(sample)) <= max(2, len(sample) // 100)


# Magic bytes of files that are not reports: (magic, offset, what it is, refused before decoding).
# Short magics that a text could begin with (BM, MZ, ID3, ...) only name a file already found binary.
_MAGIC: tuple[tuple[bytes, int, str, bool], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image", True), (b"\xff\xd8\xff", 0, "a JPEG image", True),
    (b"GIF87a", 0, "a GIF image", True), (b"GIF89a", 0, "a GIF image", True),
    (b"II*\x00", 0, "a TIFF image", True), (b"MM\x00*", 0, "a TIFF image", True),
    (b"WEBP", 8, "a WebP image", False), (b"BM", 0, "a BMP image", False),
    (b"PK\x03\x04", 0, "a zip archive", False), (b"PK\x05\x06", 0, "an empty zip archive", False),
    (b"\x1f\x8b", 0, "a gzip archive", True), (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive", True),
    (b"Rar!\x1a\x07", 0, "a RAR archive", True), (b"\xfd7zXZ\x00", 0, "an xz archive", True),
    (b"BZh", 0, "a bzip2 archive", False), (b"\x7fELF", 0, "a program (ELF)", True),
    (b"MZ", 0, "a Windows program", False), (b"ftyp", 4, "a video or audio file (MP4/MOV)", False),
    (b"ID3", 0, "an MP3 audio file", False), (b"OggS", 0, "an Ogg audio file", False),
    (b"SQLite format 3\x00", 0, "an SQLite database", True), (b"PAR1", 0, "a Parquet file", False),
    (b"\x80\x04\x95", 0, "a Python pickle", True), (b"\x80\x05\x95", 0, "a Python pickle", True),
)


_CERTAIN = tuple(m for m in _MAGIC if m[3])


def _kind(data: bytes, certain_only: bool = False) -> str | None:
    """Given bytes, return what their magic bytes say they are (None when no magic matches)."""
    for magic, offset, what, _ in _CERTAIN if certain_only else _MAGIC:
        if data.startswith(magic, offset):
            return what
    return None


def what_it_looks_like(data: bytes, source: str = "") -> str | None:
    """Given bytes that are not a report, say what their magic bytes show (None when they do not).

    >>> what_it_looks_like(bytes.fromhex("89504e470d0a1a0a") + bytes(8), "scan.pdf")
    'it is a PNG image (named .pdf)'
    """
    what = _kind(data)
    if what is None:
        return None
    suffix = PurePath(source).suffix.lower() if source else ""
    return f"it is {what}" + (f" (named {suffix})" if suffix else "")


def check_zip(data: bytes, source: str, limits: Limits | None = None) -> None:
    """Given the bytes of a zip-based file (.docx, .xlsx), refuse it with a ReportError when a
    member, or all of them together, would decompress beyond the limits (a zip bomb). Only the
    zip's directory is read; nothing is decompressed. A zip that cannot be opened is left to
    the format's reader (which says what is wrong with it)."""
    lim = current(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > lim.zip_member_bytes:
            raise ReportError(source, f"zip member {info.filename} would decompress to {megabytes(info.file_size)} "
                                      f"(limit {megabytes(lim.zip_member_bytes)}, GOVREPORTS_ZIP_MEMBER_BYTES): "
                                      f"not read (a zip bomb?)")
    if total > lim.zip_total_bytes:
        raise ReportError(source, f"the zip's {len(infos)} members would decompress to {megabytes(total)} "
                                  f"(limit {megabytes(lim.zip_total_bytes)}, GOVREPORTS_ZIP_TOTAL_BYTES): "
                                  f"not read (a zip bomb?)")


def _check_size(data: bytes, source: str, fmt: str, lim: Limits) -> None:
    """Refuse a file larger than a report can be, with a message that gives the limit."""
    if len(data) > lim.file_bytes:
        raise ReportError(source, f"{megabytes(len(data))} file: larger than a report can be "
                                  f"(limit {megabytes(lim.file_bytes)}, GOVREPORTS_FILE_BYTES); not read")
    if fmt in ("text", "html") and len(data) > lim.text_bytes:
        raise ReportError(source, f"{megabytes(len(data))} of text: a report is at most a few hundred KB "
                                  f"(limit {megabytes(lim.text_bytes)}, GOVREPORTS_TEXT_BYTES); not read")


def read_document(data: bytes, source: str, limits: Limits | None = None) -> Document:
    """Given a report file's bytes, return its printed lines of cells (any supported format).

    ``limits`` (default: :func:`govreports.limits.current`) bound the work: file size, text
    size, the uncompressed size of a zip's members, PDF pages, table rows."""
    if not data or data.isspace():
        raise ReportError(source, "empty file")
    lim = current(limits)
    fmt = sniff_format(data)
    if fmt == "text" and _kind(data, certain_only=True):  # images go to OCR; other binaries are named
        raise ReportError(source, f"binary file, not a report ({what_it_looks_like(data, source)})")
    _check_size(data, source, fmt, lim)
    if data[:4] == b"PK\x03\x04":
        check_zip(data, source, lim)
    if fmt == "pdf":
        from .pdf import read_pdf
        return read_pdf(data, source, max_pages=lim.pdf_pages)
    if fmt == "image":
        return read_image(data, source)
    if fmt in ("docx", "doc"):
        from .docx import convert_legacy, read_docx
        if fmt == "doc":
            data = convert_legacy(data, source, timeout=lim.timeout)
        return read_docx(data, source, max_rows=lim.table_rows)
    if fmt in ("xlsx", "xls", "et"):
        from .spreadsheet import read_workbook
        return read_workbook(data, source, fmt, max_rows=lim.table_rows)
    notes: list[tuple[str, str, str]] = []
    text = decode_text(data, source, notes)
    if fmt == "text":
        from .spreadsheet import looks_like_csv, read_csv_text
        if looks_like_csv(text):
            return _with_notes(read_csv_text(text, source, max_rows=lim.table_rows), notes)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "html":
        doc = read_html(text, source, max_rows=lim.table_rows)
        if doc.cache.get("images"):  # a table printed as a picture: OCR it when the file is here
            from .ocr import read_html_images
            read_html_images(doc, source)
        return _with_notes(doc, notes)
    return _with_notes(read_text(text, source, "markdown" if "|" in text and _at_least(_MD_ROW, text, 5) else "text"), notes)


_NUMBER_BESIDE_STRAY = re.compile(r"^\ufffd+([\d.,]+)$|^([\d.,]+)\ufffd+$")


def _with_notes(doc: Document, notes: list) -> Document:
    """Attach the decoding notes; where a stray byte sits beside a number in a cell of its own
    ('\ufffd6'), the number is kept (the ``bad_bytes`` finding names the cell)."""
    if notes:
        doc.notes.extend(notes)
        kept = doc.cache.setdefault("stray_numbers", set())  # locations of cells so cleaned
        for line in doc.lines:
            for cell in line.cells:
                if "\ufffd" in cell.text and (m := _NUMBER_BESIDE_STRAY.match(cell.text.strip())):
                    cell.text = m.group(1) or m.group(2)
                    kept.add(cell.location)
    return doc
