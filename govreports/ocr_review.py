"""OCR'd numbers checked by the template's identities before anyone trusts them.

OCR misreads digits: an isolated ``0`` comes back as ``o`` or not at all, a ``3`` as an ``8``.
After parsing, every placed value read by OCR is judged with what the reader kept about its
cell (:class:`govreports.readers.ocr.CellRead`) and the identities of tables 3 and 4:

* ink in the cell but nothing legible (``unread``): the value is left missing, never read as a
  blank 0, and flagged ``ocr_doubt``;
* a doubtful reading (confidence below ``readers.ocr.CONFIDENCE``, or a letter read as a digit):
  kept when an identity that covers it holds (its row's or its column's sum confirms it); left
  missing and flagged when every identity over it fails; kept and flagged when no identity
  covers it (table 2);
* a reading below :data:`SURE` in a failing row identity and a failing column identity, the
  only cell both share: the misread cell, left missing and flagged (a sure reading is not
  blamed: reports print real inconsistencies, and their identity errors stand). A lone ``0``
  whose glyph the shape check confirms (status ``ring``, :func:`readers.ocr.is_zero_ring`) is
  sure: two independent readings, the recogniser's and the shape's, agree;
* ink the recogniser could not read but shaped as a ``0``: a doubtful ``0``, judged as above.

Identity errors that remain on OCR'd cells say so in their message (:func:`annotate`).
"""
from __future__ import annotations

from . import template
from .findings import finding
from .readers import ocr

_TABLE_KEYS = {"requests": ("key", "applicant"), "appeals": ("proceeding", ""), "disclosure": ("key", "")}
IDENTITY_IDS = frozenset(i.id for i in template.IDENTITIES)
# A reading at least this sure is not blamed for failing identities: reports print real
# inconsistencies (the identity error then stands, naming the cells).
SURE = ocr.SURE


def identity_instances(requests: dict, appeals: dict) -> list[tuple[str, str, list, bool]]:
    """Every identity instance whose cells are all placed: ``(id, table, cells, holds)``; cells
    are ``(table, key1, key2)``. The same instances :func:`checks.check_identities` checks."""
    out = []

    def add(ident, cells, parts, totals, table):
        keys = list(parts) + list(totals)
        if any(k not in cells for k in keys):
            return
        holds = abs(sum(cells[k].value for k in parts) - sum(cells[k].value for k in totals)) < 1e-9
        out.append((ident.id, table, [(table, *k) for k in keys], holds))

    for ident in template.IDENTITIES:
        if ident.scope == "per_row":
            for row in template.REQUEST_KEYS:
                add(ident, requests, [(row, a) for a in ident.parts], [(row, "total")], "requests")
        elif ident.scope == "per_applicant":
            for a in template.APPLICANT_KEYS:
                parts = [(p, a) for p in ident.parts if (p, a) in requests or p not in template.OUTCOME_KEYS]
                if ident.parts == template.OUTCOME_KEYS and not parts:  # no outcome row placed: nothing to sum
                    continue
                add(ident, requests, parts, [(t, a) for t in ident.total], "requests")
        elif ident.scope == "per_proceeding":
            for p in template.PROCEEDING_KEYS:
                add(ident, appeals, [(p, r) for r in ident.parts], [(p, "total")], "appeals")
    return out


def _flag(parsed, table: str, k1: str, k2: str, value, read, why: str) -> None:
    names = {"requests": dict(key=k1, applicant=k2), "appeals": dict(key=k2, proceeding=k1),
             "disclosure": dict(key=f"{k1}.{k2}")}[table]
    parsed.findings.append(finding(
        "ocr_doubt", f"{why}: OCR read {read.raw!r} with confidence {read.conf:.2f}"
                     f"{f' ({read.note})' if read.note else ''} (read by OCR)",
        table=table, found=read.raw, location=value.location, **names))


def review(parsed, reads: dict) -> None:
    """Given a parsed report and its OCR cell reads (location → CellRead), leave missing what
    OCR cannot vouch for and flag it ``ocr_doubt``, in place (see the module docstring)."""
    tables = {"requests": parsed.requests, "appeals": parsed.appeals, "disclosure": parsed.disclosure}
    read_of = {}
    for table, cells in tables.items():
        for (k1, k2), value in list(cells.items()):
            read = reads.get(value.location)
            if read is None:
                continue
            if read.status == "unread":
                del cells[(k1, k2)]
                _flag(parsed, table, k1, k2, value, read, "ink in the cell but nothing legible; left missing")
                continue
            read_of[(table, k1, k2)] = (value, read)
    instances = identity_instances(parsed.requests, parsed.appeals)
    covering: dict[tuple, list[bool]] = {}
    for _, _, keys, holds in instances:
        for k in keys:
            covering.setdefault(k, []).append(holds)
    drop: dict[tuple, str] = {}
    for k, (value, read) in read_of.items():
        if read.status != "doubt":
            continue
        verdicts = covering.get(k, [])
        if any(verdicts):  # an identity holding with this cell in it vouches for it
            read.status = "confirmed"
        elif verdicts:
            drop[k] = "a doubtful reading every identity over it fails; left missing"
        else:
            _flag(parsed, k[0], k[1], k[2], value, read, "a doubtful reading no identity can confirm")
    failing = [set(keys) for _, _, keys, holds in instances if not holds]
    for i, a in enumerate(failing):
        for b in failing[i + 1:]:
            shared = a & b
            if len(shared) == 1:
                k = next(iter(shared))
                if (k in read_of and read_of[k][1].conf < SURE and read_of[k][1].status != "ring" and k not in drop
                        and not any(k2 in drop for k2 in a | b)):
                    drop[k] = "the one cell shared by two failing identities (a row's and a column's); left missing"
    for k, why in drop.items():
        value, read = read_of[k]
        del tables[k[0]][(k[1], k[2])]
        _flag(parsed, k[0], k[1], k[2], value, read, why)


def annotate(findings: list[dict]) -> None:
    """Say in each identity error that its cells were read by OCR (a misread digit is possible)."""
    for f in findings:
        if f["check"] in IDENTITY_IDS and "(read by OCR" not in f["message"]:
            f["message"] += " (cells read by OCR: a misread digit may be the cause; see the boxes in location)"


def linked_images(parsed, urls: list[str]) -> None:
    """A page that links images and lacks a template table: flag ``table_as_image`` (warning) on
    each missing table, naming the image URLs, so the missing numbers are explained."""
    missing = [f["table"] for f in parsed.findings if f["check"] == "missing_table"]
    if not parsed.requests and "requests" not in missing:
        missing.insert(0, "requests")
    shown = ", ".join(urls[:5]) + (f" (+{len(urls) - 5} more)" if len(urls) > 5 else "")
    for table in dict.fromkeys(missing):
        parsed.findings.append(finding(
            "table_as_image", f"table {table} is not printed as text; the page shows image(s) {shown}: "
            "save them beside the page to read them by OCR", table=table, found=urls[0]))
