"""The review queue: every flagged cell or report, most important first, with its printed context.

Why a module of its own: govreports flags what it is unsure of (an identity that fails, a row
``placed_by_order``, ``columns_ambiguous``, a missing table); a person resolves a flag by looking
at the printed page and writing a correction (:mod:`govreports.corrections`). This module ranks
the flags and finds the printed context of each: the lines around it for text, the table's rows
for HTML, the page (and the table's box on it, for a crop) for PDF. The app that walks the queue
is :func:`govreports.widgets.review`.

Order: errors, then warnings (then info, when asked for); within a severity, by the size of the
figures the flag feeds (the report's requests handled or received, whichever is larger), so a
doubtful cell in a big agency's refused count comes before a blank row of a township.

>>> from govreports import analysis
>>> q = analysis.review_queue(corpus, corrections="corrections.csv")      # doctest: +SKIP
>>> q[["rank", "agency", "year", "check", "table", "key", "column", "value", "printed", "location"]]  # doctest: +SKIP
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from pathlib import Path

import pandas as pd

from . import template
from .corrections import CELL_KEYS, read_corrections

SEVERITY_ORDER = {s: i for i, s in enumerate(template.SEVERITIES)}
META_CHECK_FIELDS = {"agency_unknown": "agency", "agency_partial": "agency", "year_unknown": "year"}
QUEUE_COLUMNS = ["rank", "report_id", "sha256", "source", "format", "agency", "agency_key", "year", "level",
                 "check", "severity", "table", "key", "column", "message", "value", "blank", "printed",
                 "location", "weight"]
CONTEXT_LINES = 3
_KEY_ORDER = {k: i for i, k in enumerate((*template.REQUEST_KEYS, *template.PROCEEDING_KEYS))}


def cell_of(f: dict) -> tuple[str, str, str]:
    """Given a finding (dict of its columns), return the (table, key, column) it is about: a cell
    of table 2, 3 or 4 (column '' for a whole row or item), ``meta`` and its field, or
    ``finding`` and the check (a flag on the report as a whole)."""
    table, key = f.get("table") or "", f.get("key") or ""
    applicant, proceeding = f.get("applicant") or "", f.get("proceeding") or ""
    if table == "requests" and key in template.REQUEST_KEYS:
        return "requests", key, applicant if applicant in template.APPLICANT_KEYS else ""
    if table == "appeals":
        if key in template.PROCEEDING_KEYS:
            return "appeals", key, "total"
        if proceeding in template.PROCEEDING_KEYS:
            return "appeals", proceeding, key if key in template.RESULT_KEYS else ""
    if table == "disclosure" and key in {i.key for items in template.DISCLOSURE_ITEMS.values() for i in items}:
        return "disclosure", key, ""
    if f.get("check") in META_CHECK_FIELDS:
        return "meta", META_CHECK_FIELDS[f["check"]], ""
    return "finding", f.get("check") or "", key


def _weights(f) -> pd.Series:
    """Per report_id: the size of the figures its cells feed (requests handled or received)."""
    from .analysis import report_figures

    fig = report_figures(f).set_index("report_id")
    cols = [c for c in ("handled", template.RECEIVED_NEW, template.OUTCOME_TOTAL) if c in fig.columns]
    return fig[cols].astype("Float64").max(axis=1, skipna=True).fillna(0).astype("float64")


def _resolved(corrections) -> set[tuple]:
    """Given corrections, return what they settle: (report_id, table, key, column) per row, and
    (report_id, table, key, '*') for a whole row or item."""
    if corrections is None:
        return set()
    corr = read_corrections(corrections) if not _empty_file(corrections) else None
    out = set()
    for r in (corr.rows if corr else []):
        out.add((r.rid, r.table, r.key, r.column))
        out.add((r.rid, r.table, r.key, "*"))
    return out


def _empty_file(path) -> bool:
    return isinstance(path, (str, Path)) and not Path(path).expanduser().exists()


def review_queue(corpus, corrections=None, severity=("error", "warning"), context: bool = True) -> pd.DataFrame:
    """Given a corpus (or a Report, or :class:`~govreports.analysis.Frames`), return one row per
    flagged cell or report, ranked (``rank`` 1 first): errors first, then by the size of the
    figures the cell feeds.

    Columns: rank, report_id, sha256, source, format, agency, agency_key, year, level, check,
    severity, table, key, column (the cell: ``requests`` row × applicant, ``appeals`` proceeding ×
    result, ``disclosure`` item; ``meta`` field; ``finding`` check), message, value, blank,
    printed, location (the cell as read), weight (the report's requests handled or received),
    and with ``context=True``: context (the printed lines around it, ``▶`` marking it) and page
    (for PDFs). Flags whose cell (or report, for report flags) the ``corrections`` file already
    settles are left out.

    >>> review_queue(corpus, corrections="corrections.csv").head()        # doctest: +SKIP
    """
    from .analysis import _usable_reports, frames_of

    f = frames_of(corpus)
    sev = [severity] if isinstance(severity, str) else list(severity)
    reports = _usable_reports(f).set_index("report_id")
    fi = f.findings[f.findings["severity"].isin(sev) & f.findings["report_id"].isin(reports.index)]
    done = _resolved(corrections)
    weights = _weights(f)
    cells = {t: f_table.set_index(["report_id", *CELL_KEYS[t]]).sort_index() for t, f_table in
             (("requests", f.requests), ("appeals", f.appeals), ("disclosure", f.disclosure))}
    rows = []
    for rec in fi.astype(object).where(fi.notna(), "").to_dict("records"):
        rid = rec["report_id"]
        table, key, column = cell_of(rec)
        if (rid, table, key, column or "*") in done or (table in CELL_KEYS and (rid, table, key, "*") in done
                                                       and not column):
            continue
        rep = reports.loc[rid]
        value, blank, printed, location = pd.NA, pd.NA, "", rec.get("location") or ""
        if table in CELL_KEYS:
            hit = _cell(cells[table], rid, key, column or _row_total(table, cells[table], rid, key))
            if hit is not None:
                value, blank, printed = hit["value"], hit["blank"], hit["printed"]
                location = hit["location"] if pd.notna(hit["location"]) else location
        rows.append({"report_id": rid, "sha256": rep.get("sha256"), "source": rep.get("source"),
                     "format": rep.get("format"), "agency": rep.get("agency"), "agency_key": rep.get("agency_key"),
                     "year": rep.get("year"), "level": rep.get("level"), "check": rec["check"],
                     "severity": rec["severity"], "table": table, "key": key, "column": column,
                     "message": rec["message"], "value": value, "blank": blank,
                     "printed": "" if pd.isna(printed) else printed, "location": location,
                     "weight": float(weights.get(rid, 0.0))})
    q = pd.DataFrame(rows, columns=QUEUE_COLUMNS[1:])
    q["_s"] = q["severity"].map(SEVERITY_ORDER)
    q["_k"] = q["key"].map(_KEY_ORDER).fillna(len(_KEY_ORDER))  # within a report: template order
    q = q.sort_values(["_s", "weight", "report_id", "table", "_k", "column", "check"],
                      ascending=[True, False, True, True, True, True, True], kind="stable").drop(columns=["_s", "_k"])
    q.insert(0, "rank", range(1, len(q) + 1))
    q = q.reset_index(drop=True).astype({"value": "Float64", "blank": "boolean", "year": "Int64"})
    if context:
        ctx = [printed_context(s, loc) for s, loc in zip(q["source"], q["location"])]
        q["context"] = [c["text"] for c in ctx]
        q["page"] = pd.array([c["page"] for c in ctx], dtype="Int64")
    return q


def _row_total(table: str, df: pd.DataFrame, rid: str, key: str) -> str:
    """The column shown for a whole-row flag: the row's total (table 3, 4) or its first measure."""
    if table != "disclosure":
        return "total"
    try:
        return str(df.loc[(rid, key)].index[0])
    except KeyError:
        return ""


def _cell(df: pd.DataFrame, rid: str, key: str, column: str) -> dict | None:
    try:
        hit = df.loc[(rid, key, column)]
    except KeyError:
        return None
    return (hit.iloc[0] if isinstance(hit, pd.DataFrame) else hit).to_dict()


# --------------------------------------------------------------------------- printed context

_DOCS: dict[str, object] = {}


def _document(source: str):
    """Given a report file, return its read document (kept for the next item of the same file)."""
    if source not in _DOCS:
        from .readers import read_document

        if len(_DOCS) > 16:
            _DOCS.clear()
        _DOCS[source] = read_document(Path(source).read_bytes(), source)
    return _DOCS[source]


def printed_context(source, location: str, around: int = CONTEXT_LINES) -> dict:
    """Given a report file and a location (``line 57``, ``table 2 row 5 col 3``, ``page 4 table 1
    row 12 col 3``), return ``{"text", "page", "lines"}``: the printed lines around it (a table's
    rows, cells joined by ``│``), the target marked ``▶``; ``page`` for PDFs (else None).

    >>> printed_context("data/reports/seeds/001_aedc4f75886f8629.txt", "line 40")["text"]   # doctest: +SKIP
    """
    location = (location or "").split(";")[0].strip()
    page = re.match(r"page (\d+)", location)
    out = {"text": "", "page": int(page.group(1)) if page else None, "lines": []}
    if not isinstance(source, str) or not source or not Path(source).exists():
        out["text"] = "(the report file is not here: no printed context)"
        return out
    try:
        doc = _document(source)
    except Exception as err:  # noqa: BLE001 - a context that cannot be shown never stops the review
        out["text"] = f"(cannot read {source}: {err})"
        return out
    lines = doc.lines
    row_loc = re.sub(r" col \d+$", "", location)
    at = next((i for i, ln in enumerate(lines) if ln.location == row_loc), None)
    if at is None:
        at = next((i for i, ln in enumerate(lines) if row_loc and ln.location.startswith(row_loc)), None)
    if at is None:  # a report-level flag: the report's opening lines
        window = range(0, min(len(lines), 2 * around + 1))
    else:
        table = re.match(r"(.*table #?\d+) row ", lines[at].location)
        if table:  # the whole printed table (rows of the same table), at most 40 lines around
            same = [i for i, ln in enumerate(lines) if ln.location.startswith(table.group(1) + " row ")]
            window = [i for i in same if abs(i - at) <= 20]
        else:
            window = range(max(0, at - around), min(len(lines), at + around + 1))
    for i in window:
        text = " │ ".join(c.text for c in lines[i].cells)
        out["lines"].append((lines[i].location, text, i == at))
    out["text"] = "\n".join(("▶ " if mark else "  ") + f"{loc}: {text}" for loc, text, mark in out["lines"])
    return out


def cell_box(source: str, location: str, around: float = 60.0) -> tuple[float, float, float, float] | None:
    """Given a PDF and a location ``page P table T row R ...``, return the box (x0, top, x1,
    bottom, in PDF points) to show: the printed table's width, ``around`` points above and below
    the row (found by its label), or the whole table; None where the table cannot be found (the
    whole page is shown then)."""
    row = row_box(source, location)
    if row is None:
        return None
    (x0, top, x1, bottom), table = row
    if top is None:
        return table
    return (x0, max(table[1], top - around), x1, min(table[3], bottom + around))


def row_box(source: str, location: str):
    """Given a PDF and a table location, return ((x0, top, x1, bottom) of the row, or with
    top/bottom None where its label is not found on the page; the table's box), or None."""
    m = re.match(r"page (\d+) table #?(\d+) row (\d+)", (location or "").strip())
    if not m:
        return None
    import pdfplumber

    page_no, table_no, _row = (int(x) for x in m.groups())
    ctx = printed_context(source, location)
    texts = next((t.split(" │ ") for _, t, mark in ctx["lines"] if mark), [])
    labels = [re.sub(r"^\s*[（(]?[一二三四五六七八九十\d]+[)）.．、]\s*", "", re.sub(r"\s+", "", t)) for t in texts
              if t.strip() and not re.fullmatch(r"[\d,.\s\-—/／]+", t)]
    try:
        with pdfplumber.open(source) as pdf:
            page = pdf.pages[page_no - 1]
            tables = page.find_tables()
            if table_no > len(tables):
                return None
            table = tables[table_no - 1].bbox
            x0, top, x1, bottom = table
            for label in reversed(labels):  # the label nearest the numbers names the row best
                hits = [h for h in page.search(re.escape(label[:6]), regex=True) if top - 2 <= h["top"] <= bottom + 2]
                if label and hits:
                    return (x0, hits[0]["top"], x1, hits[0]["bottom"]), table
            return (x0, None, x1, None), table
    except Exception:  # noqa: BLE001 - no box: the whole page is shown
        return None


def page_image(source: str, page: int, box: tuple | None = None, scale: float = 2.0, pad: float = 12.0,
               mark: tuple | None = None) -> bytes:
    """Given a PDF, a page number (1-based) and a box in PDF points, return a PNG of that part of
    the page (the whole page without a box), rendered with pypdfium2; ``mark`` (a box in PDF
    points, e.g. the row's) is outlined in red."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(source)
    try:
        image = pdf[page - 1].render(scale=scale).to_pil()
    finally:
        pdf.close()
    if mark is not None and None not in mark:
        from PIL import ImageDraw

        x0, top, x1, bottom = (v * scale for v in mark)
        ImageDraw.Draw(image).rectangle((x0, top - 4 * scale, x1, bottom + 4 * scale), outline=(220, 30, 30), width=3)
    if box is not None:
        x0, top, x1, bottom = box
        image = image.crop((max(0, int((x0 - pad) * scale)), max(0, int((top - pad) * scale)),
                            min(image.width, int((x1 + pad) * scale)), min(image.height, int((bottom + pad) * scale))))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


# --------------------------------------------------------------------------- writing a correction

def append_correction(path: str | Path, row: dict) -> int:
    """Given a corrections CSV and one correction (the columns of
    :data:`govreports.corrections.COLUMNS`; missing ones empty, ``date`` today), append it
    (creating the file with its header, UTF-8 with BOM so Excel reads the Chinese) and return
    its line number."""
    from .corrections import COLUMNS

    path = Path(path).expanduser()
    row = {**{c: "" for c in COLUMNS}, "date": _dt.date.today().isoformat(), **row}
    new = not path.exists() or path.stat().st_size == 0
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8-sig" if new else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        if new:
            w.writerow(COLUMNS)
        w.writerow(["" if row[c] is None else str(row[c]) for c in COLUMNS])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))
