"""The template's own identities (勾稽关系), checked on the printed values of one report.

Each :class:`~govreports.template.Identity` in ``template.IDENTITIES`` is checked here by one
function, on printed values (a blank cell is 0). A failing identity is an ``error`` finding
pointing at the printed total it contradicts; it is never "corrected". Cells a report does not
print are missing and skip the check.
"""
from __future__ import annotations

from . import template as T


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_identities(requests: dict, appeals: dict) -> list[dict]:
    """Given placed cells {(row, applicant): Value} and {(proceeding, result): Value}, return
    one finding dict per failing identity instance."""
    out: list[dict] = []
    for ident in T.IDENTITIES:
        if ident.scope == "per_row":
            for row in T.REQUEST_KEYS:
                out += _check(ident, requests, [(row, a) for a in ident.parts], [(row, "total")],
                              key=row, applicant="total")
        elif ident.scope == "per_applicant":
            for a in T.APPLICANT_KEYS:
                parts = [(p, a) for p in ident.parts if (p, a) in requests or p not in T.OUTCOME_KEYS]
                if ident.id == "outcome_total":
                    parts = [(p, a) for p in ident.parts if (p, a) in requests]
                    if not parts:
                        continue
                out += _check(ident, requests, parts, [(t, a) for t in ident.total],
                              key=ident.total[0], applicant=a)
        elif ident.scope == "per_proceeding":
            for p in T.PROCEEDING_KEYS:
                out += _check(ident, appeals, [(p, r) for r in ident.parts], [(p, "total")],
                              key=p, proceeding=p)
    return out


def _check(ident: T.Identity, cells: dict, parts, totals, key="", applicant="", proceeding="") -> list[dict]:
    if any(c not in cells for c in list(parts) + list(totals)):
        return []
    lhs = sum(cells[c].value for c in parts)
    rhs = sum(cells[c].value for c in totals)
    if abs(lhs - rhs) < 1e-9:
        return []
    where = cells[totals[0]].location
    if ident.id == "balance":
        msg = (f"{applicant} column: received_new + carried_over = {_fmt(lhs)} but outcome_total + "
               f"carried_forward = {_fmt(rhs)} (第一项加第二项之和 ≠ 第三项加第四项之和)")
        expected, found = _fmt(lhs), _fmt(rhs)
    elif ident.id == "row_total":
        label = T.ROW_BY_KEY[key].label
        msg = (f"row {key} ({label}): the applicant columns sum to {_fmt(lhs)} but 总计 is printed "
               f"'{cells[totals[0]].printed}' ({_fmt(rhs)})")
        expected, found = _fmt(lhs), _fmt(rhs)
    elif ident.id == "outcome_total":
        msg = (f"{applicant} column: the outcome rows sum to {_fmt(lhs)} but （七）总计 is printed "
               f"'{cells[totals[0]].printed}' ({_fmt(rhs)})")
        expected, found = _fmt(lhs), _fmt(rhs)
    else:
        msg = (f"{proceeding}: upheld + corrected + other + pending = {_fmt(lhs)} but 总计 is printed "
               f"'{cells[totals[0]].printed}' ({_fmt(rhs)})")
        expected, found = _fmt(lhs), _fmt(rhs)
    return [dict(check=ident.id, table=ident.table, key=key, applicant=applicant, proceeding=proceeding,
                 expected=expected, found=found, severity="error", message=msg, location=where)]
