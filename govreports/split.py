"""Split runs of glued digits into cells with the template's identities.

Crawler text prints a table row's cells with nothing between them: ``700000070`` is
70|0|0|0|0|0|70 (LAYOUTS.md, crawler text). A run of digits is cut into numbers printed without
leading zeros (``0`` itself is a number); which cut is meant only the identities can say:

* :func:`group_splits` lists the cuts of one run into groups of cells whose last cell is the sum
  of the others (a table-3 row: six applicants and their total; table 4: three proceedings of
  four results and their total), or plain cuts where no identity holds (table 2);
* :func:`solve_requests` picks, among the rows' cuts, the ones that satisfy the column
  identities of table 3 (outcome rows = （七）总计 per column; received + carried over = handled
  + carried forward). A row is read only when one cut of it is left; otherwise it stays missing.

The search never enumerates blindly: cuts are built left to right and abandoned as soon as the
digits left cannot hold the total; rows are combined by backtracking with the bounds of each
column's sum, under a node budget.

>>> group_splits("700000070", 1, 7)
[(70, 0, 0, 0, 0, 0, 70)]
>>> sorted(group_splits("270020130", 1, 7))
[(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
>>> group_splits("10203120001200000", 3, 5)
[(1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)]
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache

from . import template

MAX_CANDIDATES = 64      # a run with more cuts than this is left missing without listing them all
NODE_BUDGET = 200_000    # backtracking steps allowed for one table


def _numbers(s: str, i: int, end: int):
    """Numbers that can start at ``s[i]`` and end by ``end``: '0' alone, or no leading zero."""
    if s[i] == "0":
        yield 1, 0
        return
    for j in range(i + 1, end + 1):
        yield j - i, int(s[i:j])


def row_splits(run: str, width: int = 7, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Given a run of digits, return its cuts into one row of ``width`` numbers whose last is the
    sum of the others. Cached: most rows print the same few runs ('0000000').

    >>> row_splits("640020470")
    [(64, 0, 0, 2, 0, 4, 70)]
    """
    return list(_group_splits(run, 1, width, True, limit))


def group_splits(run: str, groups: int, width: int, total: bool = True,
                 limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Given a run of digits, return its cuts into ``groups`` groups of ``width`` numbers.

    With ``total`` the last number of each group must equal the sum of the group's others.
    At most ``limit + 1`` cuts are returned (more means: too many to list). Cached: the same runs
    recur ('000', table 4's fifteen zeros).

    >>> group_splits("000", 1, 3, total=False)
    [(0, 0, 0)]
    >>> len(group_splits("693665", 1, 3, total=False))
    10
    """
    return list(_group_splits(run, groups, width, total, limit))


@lru_cache(maxsize=4096)
def _group_splits(run: str, groups: int, width: int, total: bool, limit: int) -> tuple[tuple[int, ...], ...]:
    return tuple(_search_splits(run, groups, width, total, limit))


def _search_splits(run: str, groups: int, width: int, total: bool, limit: int) -> list[tuple[int, ...]]:
    """:func:`group_splits`, searched."""
    if groups == 1 and total:
        every = _row_cuts(run, width, _ROW_CUTS_CAP)
        if every is not None:
            return every[:limit + 1]
    s = run
    n = len(s)
    out: list[tuple[int, ...]] = []
    cells: list[int] = []

    def group(i: int, left: int) -> bool:  # False: stop, enough found
        if left == 0:
            if i == n:
                out.append(tuple(cells))
                return len(out) <= limit
            return True
        return parts(i, left, width - 1 if total else width, 0)

    def parts(i: int, left: int, k: int, acc: int) -> bool:
        if k == 0:
            if not total:
                return group(i, left - 1)
            t = str(acc)
            if not s.startswith(t, i):
                return True
            cells.append(acc)
            ok = group(i + len(t), left - 1)
            cells.pop()
            return ok
        # digits still needed after this number: k - 1 numbers, the total (at least as long as
        # the sum so far), and at least one digit per cell of the later groups
        later = (left - 1) * width
        tail = (k - 1) + (len(str(acc)) if total else 0) + later
        for size, v in _numbers(s, i, n - tail):
            if total and len(str(acc + v)) > n - i - size - (k - 1) - later:
                break  # the total would not fit in the digits left
            cells.append(v)
            ok = parts(i + size, left, k - 1, acc + v)
            cells.pop()
            if not ok:
                return False
        return True

    if n >= groups * width:
        group(0, groups)
    return out


_ROW_CUTS_CAP = 1000  # more cuts than this: the first ones are found by the search in cut order instead


def _row_cuts(run: str, width: int, cap: int) -> list[tuple[int, ...]] | None:
    """Every cut of a run into ``width`` numbers whose last is the sum of the others, in the order
    :func:`group_splits` lists them (ascending); None when there are more than ``cap``.

    The total is a suffix of the run: for each suffix that is a number, the digits before it are
    cut into numbers adding up to it, which prunes far more than the lengths alone."""
    n, k = len(run), width - 1
    out: list[tuple[int, ...]] = []
    cells: list[int] = []

    def parts(i: int, end: int, left: int, rest: int) -> bool:  # False: more than cap
        if left == 1:
            piece = run[i:end]
            if (piece[0] != "0" or len(piece) == 1) and int(piece) == rest:
                out.append((*cells, rest, total))
                return len(out) <= cap
            return True
        room = end - i - (left - 1)  # digits this number may take
        for size in ((1,) if run[i] == "0" else range(1, room + 1)):
            v = int(run[i:i + size])
            if v > rest:
                break
            # the later numbers' digits cannot add up to more than this
            if rest - v <= 10 ** (end - i - size - left + 2) + 9 * left:
                cells.append(v)
                ok = parts(i + size, end, left - 1, rest - v)
                cells.pop()
                if not ok:
                    return False
        return True

    for end in range(k, n):  # the numbers take run[:end], the total run[end:]
        if run[end] == "0" and end < n - 1:
            continue
        total = int(run[end:])
        if not parts(0, end, k, total):
            return None
    out.sort()
    return out


def signed_splits(run: str, width: int, limit: int = MAX_CANDIDATES) -> list[tuple[int, ...]]:
    """Given a run that may hold minus signs (table 2's 本年增/减: ``'5-110'``), return its cuts
    into ``width`` numbers, a minus sign always starting a (negative) number.

    >>> signed_splits("5-110", 3)
    [(5, -1, 10), (5, -11, 0)]
    """
    return list(_signed_splits(run, width, limit))


@lru_cache(maxsize=4096)
def _signed_splits(run: str, width: int, limit: int) -> tuple[tuple[int, ...], ...]:
    head, *negs = run.split("-")
    segs = [(head, 1)] + [(s, -1) for s in negs]
    if any(not s for s, _ in segs[1:]):
        return ()
    out: list[tuple[int, ...]] = []

    def walk(i: int, left: int, acc: tuple) -> None:
        if len(out) > limit:
            return
        if i == len(segs):
            if left == 0:
                out.append(acc)
            return
        seg, sign = segs[i]
        lo = 0 if not seg else 1
        for k in range(lo, min(left, len(seg)) + 1):
            if not seg:
                walk(i + 1, left, acc)
                break
            for cut in _group_splits(seg, 1, k, False, limit) if k else ():
                walk(i + 1, left - k, acc + ((sign * cut[0],) + cut[1:]))

    walk(0, width, ())
    return tuple(out)


def _scaled(coefs: list[int], cand: tuple[int, ...]) -> tuple[int, ...]:
    """A cut times each coefficient, side by side (``(1, -1), (2, 3)`` → ``(2, 3, -2, -3)``)."""
    out: tuple[int, ...] = ()
    for c in coefs:
        out += cand if c == 1 else tuple([c * x for x in cand])
    return out


@dataclass
class RowRun:
    """A table-3 row printed as one run of digits, and its cuts that satisfy the row total."""

    key: str
    run: str
    candidates: list[tuple[int, ...]]


@dataclass
class Solution:
    """What :func:`solve_requests` decides: the cut of each row it can read, and for the rest
    the cuts still possible (empty: none satisfies the identities)."""

    chosen: dict[str, tuple[int, ...]]
    open: dict[str, list[tuple[int, ...]]]
    consistent: bool  # False: no combination satisfies the column identities


def row_runs(runs: dict[str, str], width: int = 7) -> dict[str, RowRun]:
    """Given ``row key -> run of digits``, return each row's cuts under the row total."""
    return {k: RowRun(k, r, row_splits(r, width)) for k, r in runs.items()}


def column_identities(keys, outcome_keys) -> list[dict[str, int]]:
    """The column identities of table 3 among the rows present, as ``{row: coefficient}``
    (the coefficients of each column sum to 0): outcome rows − （七）总计, and received +
    carried over − handled − carried forward. An identity whose rows are absent is dropped."""
    present = set(keys)
    out = []
    outcomes = [k for k in outcome_keys if k in present]
    if template.OUTCOME_TOTAL in present and outcomes:
        out.append({**{k: 1 for k in outcomes}, template.OUTCOME_TOTAL: -1})
    bal = {template.RECEIVED_NEW: 1, template.CARRIED_OVER: 1, template.OUTCOME_TOTAL: -1, template.CARRIED_FORWARD: -1}
    if set(bal) <= present:
        out.append(bal)
    return out


def solve_requests(rows: dict[str, RowRun], identities: list[dict[str, int]],
                   budget: int = NODE_BUDGET) -> Solution:
    """Given the rows' cuts and the column identities, return the rows each identity pins down.

    Every combination of cuts that satisfies every identity is found by backtracking (rows with
    the fewest cuts first; a partial combination is dropped as soon as some column of some
    identity can no longer reach 0 with the rows left). A row is chosen when all those
    combinations cut it the same way. With no valid combination, only rows with a single cut
    are chosen (``consistent`` False: the checks will report the identity that fails); past the
    budget, likewise.
    """
    usable = {k: r for k, r in rows.items() if 0 < len(r.candidates) <= MAX_CANDIDATES}
    ids = [i for i in identities if all(k in usable for k in i)]
    bound = {k for i in ids for k in i}
    order = sorted(bound, key=lambda k: len(usable[k].candidates))
    # what each cut of each row adds to every identity's columns, side by side in one tuple
    adds = [[_scaled([ident.get(k, 0) for ident in ids], cand) for cand in usable[k].candidates] for k in order]
    size = len(adds[0][0]) if adds else 0
    # the rows with one cut come first: a chain whose checks are all the same one (the sums so far
    # plus the bounds of the rows left do not change along it), walked here at once
    fixed = next((p for p, a in enumerate(adds) if len(a) > 1), len(adds))
    fixed = fixed if fixed <= budget else 0
    # the least and most the rows from position p on can still add, per identity and column
    lo = [(0,) * size] * (len(order) + 1)
    hi = [(0,) * size] * (len(order) + 1)
    for p in range(len(order) - 1, fixed - 1, -1):
        cols = list(zip(*adds[p]))
        lo[p] = tuple(map(operator.add, lo[p + 1], map(min, cols)))
        hi[p] = tuple(map(operator.add, hi[p + 1], map(max, cols)))
    pick: list[int] = [0] * len(order)
    seen: dict[str, set[int]] = {k: set() for k in order}
    seen.update({k: set(range(len(r.candidates))) for k, r in usable.items() if k not in bound})
    steps = 0
    exhausted = False

    def walk(p: int, sums: tuple) -> None:
        nonlocal steps, exhausted
        if exhausted:
            return
        if p == len(order):
            for q, k in enumerate(order):
                seen[k].add(pick[q])
            return
        least, most = lo[p + 1], hi[p + 1]
        for ci, add in enumerate(adds[p]):
            steps += 1
            if steps > budget:
                exhausted = True
                return
            now = tuple(map(operator.add, sums, add))
            # every column of every identity can still reach 0 with the rows left
            if max(map(operator.add, now, least)) <= 0 <= min(map(operator.add, now, most)):
                pick[p] = ci
                walk(p + 1, now)
            if exhausted:
                return

    if fixed:
        steps = fixed
        start = tuple(map(sum, zip(*(a[0] for a in adds[:fixed]))))
        if max(map(operator.add, start, lo[fixed])) <= 0 <= min(map(operator.add, start, hi[fixed])):
            walk(fixed, start)
    elif order:
        walk(0, (0,) * size)
    consistent = not exhausted and (not order or bool(seen[order[0]]))
    chosen: dict[str, tuple[int, ...]] = {}
    still: dict[str, list[tuple[int, ...]]] = {}
    for k, r in rows.items():
        if k in usable and consistent and len(seen[k]) == 1:
            chosen[k] = r.candidates[next(iter(seen[k]))]
        elif k in usable and not consistent and len(r.candidates) == 1:
            chosen[k] = r.candidates[0]
        elif k in usable and consistent:
            still[k] = [r.candidates[i] for i in sorted(seen[k])]
        else:
            still[k] = list(r.candidates)
    return Solution(chosen, still, consistent)
