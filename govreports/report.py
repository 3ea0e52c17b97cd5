"""The facade: ``read_report(path) -> Report`` with tidy DataFrame properties.

>>> import govreports as gr
>>> r = gr.read_report("data/reports/seeds/001_aedc4f75886f8629.txt")   # doctest: +SKIP
>>> r.meta.agency, r.meta.year                                          # doctest: +SKIP
('重庆市人民防空办公室', 2020)
>>> r.requests_wide().loc["unavailable.not_held", "total"]               # doctest: +SKIP
3
"""
from __future__ import annotations

import hashlib
import html as _html
import os
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import frames
from . import template
from .agencies import expand_agency, level_of
from .checks import check_report, check_values
from .copies import differing_cells, split_copies
from .exceptions import ReportError
from .lightgc import light_gc
from .limits import Limits, megabytes
from .limits import current as current_limits
from .meta import find_agency, find_published, find_title, find_year, page_header
from .legacy import read_legacy, report_scope
from .parse import Layout, Parsed, Value, document_keys, layout_of, parse_document
from .sections import report_sections
from .readers import read_document


@dataclass(frozen=True)
class ReportMeta:
    """What a report is: who, which year, which template, where it came from."""

    report_id: str
    source: str
    sha256: str
    format: str
    agency: str | None
    agency_as_printed: str | None
    year: int | None
    template: str | None
    level: str | None
    title: str | None = None
    truncated: bool = False
    scope: str | None = None  # agency | aggregate (a whole region's report adding up its agencies)
    published: str | None = None          # ISO date the report was published, or None
    published_source: str | None = None   # page (发布时间 of the page), signature (the date at the end)

    def to_dict(self) -> dict:
        return asdict(self)


class Report:
    """One parsed report. The tables are long and tidy; ``requests_wide()`` gives the printed shape."""

    def __init__(self, meta: ReportMeta, parsed: Parsed, legacy: dict | None = None,
                 sections: list[tuple[str, str, str, str]] | None = None, document=None):
        self.meta = meta
        self._parsed = parsed
        self._document = document  # the printed lines (a reference, for explain()); None when not kept
        self._legacy = legacy or {}
        self._sections = sections or []
        self._corrected: dict[str, pd.DataFrame] = {}  # tables as corrected by a person, if any
        self.corrections: pd.DataFrame | None = None     # the corrections applied (read_report(corrections=))

    @property
    def report_id(self) -> str:
        return self.meta.report_id

    def records(self, table: str) -> list[tuple]:
        """The rows of a tidy table as plain tuples in column order (see ``frames.COLUMNS``):
        what the DataFrame properties are built from, and what a corpus stores without pandas."""
        rid, p = self.report_id, self._parsed
        if table in self._corrected:  # corrections applied (govreports.corrections): the corrected frame
            return list(self._corrected[table].astype(object).where(self._corrected[table].notna(), None)
                        .itertuples(index=False, name=None))
        if table == "requests":
            cells = p.requests
            return [(rid, c[0], c[1], int(v.value), v.blank, v.printed, v.location, False, None, None)
                    for c in _REQUEST_CELLS if (v := cells.get(c)) is not None]
        if table == "appeals":
            cells = p.appeals
            return [(rid, c[0], c[1], int(v.value), v.blank, v.printed, v.location, False, None, None)
                    for c in template.APPEAL_CELLS if (v := cells.get(c)) is not None]
        if table == "disclosure":
            return [(rid, it.key, m.key, float(v.value), m.unit, v.blank, v.printed, v.location, False, None, None)
                    for it in template.DISCLOSURE_ITEMS.get(self.meta.template or "", ()) for m in it.measures
                    if (v := p.disclosure.get((it.key, m.key))) is not None]
        if table == "findings":
            return [(rid, *map(f.get, _FINDING_FIELDS, _NO_FIELDS)) for f in p.findings]
        if table == "legacy":
            return [(rid, k, float(v.value), template.LEGACY_BY_KEY[k].unit, v.printed, v.location)
                    for k in template.LEGACY_KEYS if (v := self._legacy.get(k)) is not None]
        if table == "sections":
            return [(rid, *s) for s in self._sections]
        raise KeyError(table)

    @cached_property
    def requests(self) -> pd.DataFrame:
        """Table 3, long: one row per printed cell (row × applicant)."""
        return frames.from_records("requests", self.records("requests"))

    @cached_property
    def appeals(self) -> pd.DataFrame:
        """Table 4, long: proceeding × result."""
        return frames.from_records("appeals", self.records("appeals"))

    @cached_property
    def disclosure(self) -> pd.DataFrame:
        """Table 2, long: item × measure; money in 万元 (``unit='10k_yuan'``)."""
        return frames.from_records("disclosure", self.records("disclosure"))

    @cached_property
    def legacy(self) -> pd.DataFrame:
        """Figures of a pre-2019 report with no modern cell (``template.LEGACY_FIGURES``): key,
        value, unit (``count`` or ``yuan``), printed, location. Empty for modern reports."""
        return frames.from_records("legacy", self.records("legacy"))

    @cached_property
    def sections(self) -> pd.DataFrame:
        """The prose, one row per section: section (a declared key), heading as printed, text
        (tables left out), location of the heading."""
        return frames.from_records("sections", self.records("sections"))

    @cached_property
    def findings(self) -> pd.DataFrame:
        """What is wrong or doubtful: check, table, key, severity, message, location."""
        return frames.from_records("findings", self.records("findings"))

    def requests_wide(self) -> pd.DataFrame:
        """Table 3 as printed: rows × applicants (Int64; missing cells are <NA>)."""
        df = self.requests
        wide = df.pivot(index="row", columns="applicant", values="value") if len(df) else pd.DataFrame()
        rows = [r for r in template.REQUEST_KEYS if r in wide.index]
        return wide.reindex(index=rows, columns=list(template.APPLICANT_KEYS)).astype("Int64")

    def appeals_wide(self) -> pd.DataFrame:
        """Table 4 as printed: proceedings × results."""
        df = self.appeals
        if not len(df):
            return pd.DataFrame(index=list(template.PROCEEDING_KEYS), columns=list(template.RESULT_KEYS), dtype="Int64")
        return df.pivot(index="proceeding", columns="result", values="value").reindex(
            index=list(template.PROCEEDING_KEYS), columns=list(template.RESULT_KEYS)).astype("Int64")

    def explain(self, cell, column: str | None = None):
        """Show how one cell was read: the printed line(s) it came from, the label matched and how
        (exact, inexact, by order, split by identity), the value placed (blank or printed), the
        findings on it and every identity instance that involves it (holds / fails, expected / found).

        ``cell`` is ``(table, key, column)`` (as in the tidy tables: ``("appeals", "review", "total")``)
        or a key alone with ``column``: ``r.explain("denied.third_party", "total")``,
        ``r.explain("review", "upheld")``, ``r.explain("licensing", "decisions")``; ``column``
        defaults to ``total``. Returns a :class:`govreports.explain.Explanation` (prints readably;
        its fields are plain data). Shows the cells as read, before any corrections.
        """
        from .explain import explain

        return explain(self._parsed, self._document, cell, column)

    @property
    def errors(self) -> pd.DataFrame:
        f = self.findings
        return f[f["severity"] == "error"]

    def __repr__(self) -> str:
        m = self.meta
        n_err = int((self.findings["severity"] == "error").sum())
        n_warn = int((self.findings["severity"] == "warning").sum())
        return (f"<Report {m.agency or m.agency_as_printed or '?'} {m.year or '?'} template={m.template} "
                f"format={m.format} requests={len(self.requests)} cells appeals={len(self.appeals)} "
                f"disclosure={len(self.disclosure)} findings: {n_err} errors, {n_warn} warnings "
                f"id={m.report_id}>")

    def _repr_html_(self) -> str:
        m = self.meta
        head = (f"<b>{_html.escape(str(m.agency or m.agency_as_printed or '?'))}</b> · {m.year} · "
                f"template {m.template} · {m.format} · <code>{m.report_id}</code>")
        f = self.findings[["severity", "check", "table", "key", "message"]]
        parts = [head, self.requests_wide().to_html(na_rep="—", max_rows=30)]
        if len(f):
            parts.append(f.to_html(index=False, max_rows=20))
        return "<div>" + "<br>".join(parts) + "</div>"


def _load(source, name: str | None, limits: Limits | None = None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), name or "<bytes>"
    if isinstance(source, str) and name is not None:
        return source.encode("utf-8"), name
    path = Path(source).expanduser()
    try:
        return read_bytes(path, limits), str(path)
    except OSError:  # why the file cannot be read, said as before reading was tried
        if not path.exists():
            raise ReportError(str(path), "no such file") from None
        if path.is_dir():
            raise ReportError(str(path), "is a folder; use read_corpus for many reports") from None
        raise


def read_bytes(path: Path, limits: Limits | None = None) -> bytes:
    """Given a file, return its bytes; a file larger than ``Limits.file_bytes`` is a ReportError
    before anything is read. (The file is opened once, unbuffered: its size is that of the open file.)"""
    lim = current_limits(limits)
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > lim.file_bytes:
            raise ReportError(str(path), f"{megabytes(size)} file: larger than a report can be "
                                         f"(limit {megabytes(lim.file_bytes)}, GOVREPORTS_FILE_BYTES); not read")
        return fh.read()


_TABLE_NO = {"disclosure": 2, "requests": 3, "appeals": 4}
# the order of the tidy tables' rows and columns, made once
_REQUEST_CELLS = tuple((r, a) for r in template.REQUEST_KEYS for a in template.APPLICANT_KEYS)
_FINDING_FIELDS = tuple(frames.COLUMNS["findings"])[1:]
_NO_FIELDS = ("",) * len(_FINDING_FIELDS)  # a field a finding lacks


def _compare_copies(parsed: Parsed, copies: list, year: int | None) -> None:
    """A page printing the report more than once: the first copy is read; each further copy is
    parsed and compared with it (``duplicate_copy``)."""
    for n, (other, keys) in enumerate(copies[1:], 2):
        where = other.lines[0].location if other.lines else ""
        diff = differing_cells(parsed, parse_document(other, year, layout_of(other, keys)))
        if not diff:
            parsed.find("duplicate_copy",
                        f"the page prints the report {len(copies)} times; copy {n} (from {where}) agrees with "
                        "copy 1, which is read", location=where, table="meta")
        for table, cells in diff.items():
            parsed.find("duplicate_copy",
                        f"the page prints the report {len(copies)} times and copy {n} (from {where}) differs from "
                        f"copy 1 in {cells} cell(s) of table {_TABLE_NO[table]}; copy 1 is read",
                        location=where, table=table, severity="warning")


def _reader_findings(doc, regions: list[str | None], parsed: Parsed) -> None:
    """The decoding notes as findings: stray bytes (``bad_bytes``) once per table they fall in
    (``regions``: each line's table), so that a number they touch is flagged in its own table."""
    for check, severity, message in doc.notes:
        if check != "bad_bytes":
            continue
        where: dict[str, list[str]] = {}
        kept = doc.cache.get("stray_numbers", ())
        for line, region in zip(doc.lines, regions):
            for cell in line.cells:
                if "\ufffd" in cell.text or cell.location in kept:
                    where.setdefault(region or "text", []).append(cell.location)
        for table, locs in (where or {"text": []}).items():
            parsed.find("bad_bytes", message, location="; ".join(locs[:5]), table=table, severity=severity)


def read_report(source, name: str | None = None, limits: Limits | None = None, corrections=None) -> Report:
    """Read one report (a path, or its bytes/text with ``name=``) into a :class:`Report`.

    ``corrections``: a corrections file (CSV or YAML, see :mod:`govreports.corrections`) whose rows
    naming this report are applied: a corrected cell keeps ``printed`` and ``value_printed`` and
    gets ``corrected=True`` and its ``note``; identities are checked again on the corrected cells.

    Raises :class:`ReportError` (naming the file) when the file is not a readable report, or when
    it is beyond ``limits`` (a :class:`govreports.limits.Limits`; default: the module's defaults
    and ``GOVREPORTS_*`` environment variables): larger than a report can be, a zip bomb, a table
    of thousands of rows. A PDF longer than ``limits.pdf_pages`` is read up to that page and
    gets a ``pages_skipped`` finding.
    """
    if corrections is not None:
        from .corrections import apply_to_report, read_corrections

        return apply_to_report(read_report(source, name, limits), read_corrections(corrections))
    with light_gc():
        return _read_report(source, name, limits)


def _read_report(source, name: str | None, limits: Limits | None) -> Report:
    limits = current_limits(limits)  # read once (the environment), not by each step
    data, src = _load(source, name, limits)
    digest = hashlib.sha256(data).hexdigest()
    doc = read_document(data, src, limits)
    lines = [" ".join([c.text for c in ln.cells]) for ln in doc.lines] if doc.format in ("html", "pdf", "docx", "pdf-ocr", "image") \
        else doc.text.split("\n")
    header = page_header(lines)  # a crawled page's metadata fields, read once for title, agency, date
    title = find_title(lines, header)
    year = find_year(doc.text, lines, title)
    copies = split_copies(doc, document_keys(doc))
    doc, keys = copies[0]
    layout: Layout = layout_of(doc, keys)
    parsed = parse_document(doc, year, layout)
    ocr_reads = doc.cache.get("ocr")
    if ocr_reads is not None:  # OCR'd numbers: confirmed by the identities, or left missing and flagged
        from .ocr_review import review
        review(parsed, ocr_reads)
    linked = doc.cache.get("linked_images")
    legacy = None
    if not (parsed.requests or parsed.appeals or parsed.disclosure):
        if year is not None and year <= template.LAST_PRE_TEMPLATE_YEAR:
            parsed, legacy = _read_pre2019(doc)
        elif not parsed.regions:
            raise ReportError(src, "no report found: none of the template's three tables is printed"
                              + (f" (the page links images, perhaps its tables: {', '.join(linked[:3])}; save "
                                 "them beside the page to read them by OCR)" if linked else ""))
    if legacy is None:
        _compare_copies(parsed, copies, year)
    printed, found_in = find_agency(lines, parsed.truncated, title, header)
    agency, level = printed, None
    if printed:  # pure functions of the name and the text: nothing to catch
        agency = expand_agency(printed, doc.text)
        level = level_of(agency)
    if agency is None:
        parsed.find("agency_unknown", "the report prints no agency name (no title or signature)")
    elif found_in == "text" or agency == printed and level is None:
        parsed.find("agency_partial",
                    f"agency name '{printed}' read from the text, not a title or signature; it may be partial")
    if year is None:
        parsed.find("year_unknown", "the report prints no year it reports on")
    _reader_findings(doc, layout.regions, parsed)
    for check, severity, message in doc.notes:
        if check == "pages_skipped":
            parsed.find("pages_skipped", message, severity=severity)
    published, published_source = find_published(lines, parsed.truncated, header)
    meta = ReportMeta(digest[:16], src, digest, doc.format, agency, printed, year, parsed.template, level,
                      title=title[0] if title else None, truncated=parsed.truncated, scope=report_scope(doc.text),
                      published=published, published_source=published_source or None)
    if legacy is None:
        parsed.findings.extend(check_report(parsed, doc, meta, layout.regions))
        if ocr_reads is not None:
            from .ocr_review import annotate
            annotate(parsed.findings)
        if linked:
            from .ocr_review import linked_images
            linked_images(parsed, linked)
        sections = report_sections(doc, parsed.template, layout.keys, layout.regions)
    else:
        parsed.findings.extend(check_values(parsed, level))
        sections = report_sections(doc, parsed.template)
    return Report(meta, parsed, legacy, sections, document=doc)


def _read_pre2019(doc) -> tuple[Parsed, dict]:
    """A report from before the template: figures with a modern meaning into the modern cells
    (the ``total`` column only), the others into ``legacy`` (see :mod:`govreports.legacy`)."""
    reading = read_legacy(doc)
    parsed = Parsed(template=template.PRE2019, template_source="year")
    legacy = {}
    for key, fig in reading.figures.items():
        value = Value(fig.value, False, fig.printed, fig.location)
        target = template.LEGACY_BY_KEY[key].target
        if target is None:
            legacy[key] = value
        elif target[0] == "requests":
            parsed.requests[(target[1], target[2])] = value
        else:
            parsed.appeals[(target[1], target[2])] = value
    parsed.findings.extend(reading.findings)
    return parsed, legacy
