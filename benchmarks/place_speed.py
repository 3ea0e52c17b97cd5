"""CPU time of placing the template's cells, per layout: the stages of :mod:`govreports.parse` alone.

    python benchmarks/place_speed.py [N] [ROUNDS]

Renders N synthetic reports per text and HTML layout (values drawn reproducibly), reads each
once, then times, in CPU time (the machine may be shared), the three stages that follow the
reader: ``document_keys`` (every cell's key form), ``layout_of`` (each line's table) and
``parse_document`` (rows assembled, cells placed). Each stage is run ROUNDS times over the same
documents and the fastest round is kept (the least disturbed by other work on the machine).
Printed in ms a report. Issue 19: read_report must reach about 1 ms a report, every stage counts.
"""
from __future__ import annotations

import gc
import sys
import time

from govreports import parse
from govreports.readers import read_document
from govreports.render import LAYOUTS, ReportValues, encode, render


def documents(layout: str, n: int) -> list:
    return [read_document(encode(render(ReportValues.synthetic(i), layout), "utf-8"), f"r{i}.txt") for i in range(n)]


def fastest(stage, docs, rounds: int) -> float:
    """The fastest round's CPU time of ``stage`` over ``docs``, in ms a report."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        stage(docs)
        best = min(best, time.process_time() - t0)
    return 1000 * best / len(docs)


def main(n: int = 100, rounds: int = 7) -> None:
    print(f"{n} synthetic reports per layout, fastest of {rounds} rounds, CPU ms a report")
    print(f"{'layout':<12}{'keys':>8}{'regions':>9}{'parse':>8}{'total':>8}")
    gc.disable()  # a collection is charged to whichever stage meets it; here none does
    try:
        for layout in LAYOUTS:
            docs = documents(layout, n)
            keys = [parse.document_keys(d) for d in docs]
            layouts = [parse.layout_of(d, k) for d, k in zip(docs, keys)]
            year = ReportValues.synthetic(0).year
            k = fastest(lambda ds: [parse.document_keys(d) for d in ds], docs, rounds)
            r = fastest(lambda ds: [parse.layout_of(d, kk) for d, kk in zip(ds, keys)], docs, rounds)
            p = fastest(lambda ds: [parse.parse_document(d, year, lay) for d, lay in zip(ds, layouts)], docs, rounds)
            print(f"{layout:<12}{k:>8.3f}{r:>9.3f}{p:>8.3f}{k + r + p:>8.3f}")
    finally:
        gc.enable()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
