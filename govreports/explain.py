"""How one cell of a report was read: ``Report.explain`` (the printed line, the label, the value,
the findings and the identities that involve it), so that a reviewer can follow a number from the
printed page to the table without reading the parser.

>>> import govreports as gr                                                         # doctest: +SKIP
>>> r = gr.read_report("data/reports/seeds/004_454a5f1be846ec67.txt")               # doctest: +SKIP
>>> print(r.explain("received_new", "total"))                                       # doctest: +SKIP
requests received_new × total (一、本年新收政府信息公开申请数量 × 总计) = 0, printed '0' at line 117
...
>>> r.explain(("appeals", "review", "total")).identities                            # doctest: +SKIP
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from . import template
from .checks import _fmt, identity_instances

# findings that say how a cell's row was placed (beside label_inexact / placed_by_order, which the
# parser also records in ``Parsed.labels``)
_READING_CHECKS = ("label_inexact", "placed_by_order", "split_by_identity", "split_ambiguous", "labels_aligned",
                   "blank_row_inferred", "group_subtotal", "printed_blank", "unit_assumed", "duplicate_row",
                   "columns_ambiguous", "ocr_doubt")
_IDENTITY_IDS = {i.id for i in template.IDENTITIES}
_COLUMN_LABEL = {**{a.key: a.label for a in template.APPLICANTS}, **{r.key: r.label for r in template.RESULTS}}
_ROW_LABEL = {**{r.key: r.label for r in template.REQUEST_ROWS}, **{p.key: p.label for p in template.PROCEEDINGS},
              **{it.key: it.label for items in template.DISCLOSURE_ITEMS.values() for it in items}}


@dataclass
class Explanation:
    """How one cell was read. Plain data: ``lines`` are ``(location, [cell texts])`` of the printed
    line(s) the value came from; ``label`` is ``(label as printed, its location, how matched)`` or
    None; ``identities`` are dicts ``id, holds (True/False/None when a cell is not printed), expected,
    found, cells``; ``findings`` are the report's finding dicts on this cell's key."""

    table: str
    key: str
    column: str
    value: float | None = None
    blank: bool | None = None
    printed: str | None = None
    location: str | None = None
    lines: list[tuple[str, list[str]]] = field(default_factory=list)
    label: tuple[str, str, str] | None = None
    findings: list[dict] = field(default_factory=list)
    identities: list[dict] = field(default_factory=list)

    @property
    def failing(self) -> list[dict]:
        """The identity instances involving this cell that fail."""
        return [i for i in self.identities if i["holds"] is False]

    def _parts(self) -> list[str]:
        names = f"{_ROW_LABEL.get(self.key, self.key)} × {_COLUMN_LABEL.get(self.column, self.column)}"
        if self.value is None:
            head = f"{self.table} {self.key} × {self.column} ({names}): not printed (missing)"
        else:
            shown = int(self.value) if float(self.value).is_integer() else self.value
            head = (f"{self.table} {self.key} × {self.column} ({names}) = {shown}, "
                    + ("printed blank" if self.blank else "printed") + f" '{self.printed}' at {self.location}")
        out = [head]
        out += [f"  {loc}: " + " | ".join(cells) for loc, cells in self.lines]
        if self.label:
            text, loc, how = self.label
            out.append(f"  label '{text}' at {loc or '?'}, matched {how}")
        out += [f"  finding {f['check']} ({f['severity']}): {f['message']}" for f in self.findings]
        for i in self.identities:
            state = {True: "holds", False: "FAILS", None: "not checked (a cell is not printed)"}[i["holds"]]
            detail = f": expected {_fmt(i['expected'])}, found {_fmt(i['found'])}" if i["holds"] is False else ""
            out.append(f"  identity {i['id']} ({i['where']}) {state}{detail}")
        return out

    def __str__(self) -> str:
        return "\n".join(self._parts())

    def _repr_html_(self) -> str:
        head, *rest = self._parts()
        return (f"<div><b>{html.escape(head)}</b><ul>"
                + "".join(f"<li>{html.escape(x.strip())}</li>" for x in rest) + "</ul></div>")


def cell_address(cell, column: str | None = None) -> tuple[str, str, str]:
    """Given ``(table, key, column)`` or a key and a column, return ``(table, key, column)``: a row of
    table 3, a proceeding of table 4 or an item of table 2 names its table; ``column`` defaults to
    ``total`` (table 2 needs its measure)."""
    if isinstance(cell, tuple):
        if len(cell) != 3 or column is not None:
            raise ValueError(f"a cell is (table, key, column), got {cell!r}")
        return cell
    if cell in template.ROW_BY_KEY:
        table = "requests"
    elif cell in template.PROCEEDING_KEYS:
        table = "appeals"
    elif any(cell == it.key for items in template.DISCLOSURE_ITEMS.values() for it in items):
        table = "disclosure"
        if column is None:
            raise ValueError(f"{cell!r} is an item of table 2: name its measure, e.g. explain({cell!r}, 'made')")
    else:
        raise KeyError(f"{cell!r} is not a row, proceeding or item of the template")
    return table, cell, column or "total"


def explain(parsed, document, cell, column: str | None = None) -> Explanation:
    """Given a report's ``Parsed``, its ``Document`` (or None) and a cell, return its Explanation
    (``lines``: the label's printed line, then the value's, when they differ)."""
    table, key, column = cell_address(cell, column)
    cells = getattr(parsed, table)
    v = cells.get((key, column))
    out = Explanation(table, key, column)
    out.label = parsed.labels.get((table, key))
    if v is not None:
        out.value, out.blank, out.printed, out.location = v.value, v.blank, v.printed, v.location
        label_at = out.label[1] if out.label and out.label[1] != v.location else ""
        out.lines = _printed_lines(document, "; ".join(x for x in (label_at, v.location) if x))
    out.findings = [f for f in parsed.findings if f["table"] == table and key in f["key"].split(";")
                    and (f["check"] in _READING_CHECKS or _involves(f, column))
                    and f["check"] not in _IDENTITY_IDS]  # identities are listed with their instances
    if table != "disclosure":
        out.identities = _identities(parsed, table, (key, column))
    return out


def _involves(f: dict, column: str) -> bool:
    """Does a finding on the cell's key name this column (or no column)?"""
    return f.get("applicant", "") in ("", column)


def _identities(parsed, table: str, cell: tuple[str, str]) -> list[dict]:
    """Every identity instance whose cells include ``cell``, with whether it holds."""
    out = []
    for ident, cells, parts, totals, where in identity_instances(parsed.requests, parsed.appeals):
        if cells is not getattr(parsed, table) or cell not in parts and cell not in totals:
            continue
        entry = dict(id=ident.id, where=", ".join(f"{k}={v}" for k, v in where.items() if v),
                     cells=[f"{r}.{c}" for r, c in list(parts) + list(totals)], holds=None, expected=None, found=None)
        if all(c in cells for c in list(parts) + list(totals)):
            lhs = sum(cells[c].value for c in parts)
            rhs = sum(cells[c].value for c in totals)
            entry.update(holds=abs(lhs - rhs) < 1e-9, expected=lhs, found=rhs)
        out.append(entry)
    return out


def _printed_lines(document, location: str) -> list[tuple[str, list[str]]]:
    """The document lines a value's location points into (a location such as 'line 117', 'html table
    #2 row 6 cell 3', 'line 40 digits 1-3', or several joined by '; ')."""
    if document is None or not location:
        return []
    index = document.cache.get("explain_index")
    if index is None:
        index = {}
        for n, line in enumerate(document.lines):
            index.setdefault(line.location, n)
            for c in line.cells:
                index.setdefault(c.location, n)
        document.cache["explain_index"] = index
    found: list[int] = []
    for loc in location.split("; "):
        words = loc.split(" ")
        for end in range(len(words), 0, -1):  # the longest prefix that is a printed location
            n = index.get(" ".join(words[:end]))
            if n is not None:
                found.append(n)
                break
    return [(document.lines[n].location, [c.text for c in document.lines[n].cells]) for n in dict.fromkeys(found)]
