"""OCR accuracy against the gold, cell by cell: every gold entry printed by the renderer,
rasterized (no text layer) at each dpi and as a degraded copy, and the real PDFs rasterized.

    .venv/bin/python benchmarks/ocr_accuracy.py [--dpi 150 200 300] [--degraded] [--real] [--limit N]

Prints one line per printing (cells, exact, missing, wrong, silent, seconds) and a total per
variant. Goals: >= 99.5% of cells exact at 200 dpi, >= 98% on the degraded copies, and no
report silently wrong (a wrong cell whose table has no error or warning) at any dpi.
Slow (seconds per page): run it once, not in the tests.
"""
from __future__ import annotations

import argparse
import time

from ocr_common import REAL_PDF, compare, gold_entries

import govreports as gr
from govreports.render.scan import DEGRADED, images_to_pdf, rasterize, scanned_pdf
from govreports.render.values import ReportValues


def run(label: str, data: bytes, entry: dict, totals: dict) -> None:
    t = time.perf_counter()
    try:
        report = gr.read_report(data, name=label)
        r = compare(report, entry)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
        print(f"{label:70s} FAILED {type(exc).__name__}: {exc}", flush=True)
        r = {"cells": len(entry.get("requests", {})) * 7, "exact": 0, "missing": 0, "wrong": 0, "silent": 0,
             "failed": 1}
    secs = time.perf_counter() - t
    variant = label.split(" @ ")[-1]
    tot = totals.setdefault(variant, {"cells": 0, "exact": 0, "missing": 0, "wrong": 0, "silent": 0,
                                      "reports": 0, "silent_reports": 0, "failed": 0, "secs": 0.0})
    for k in ("cells", "exact", "missing", "wrong", "silent"):
        tot[k] += r[k]
    tot["reports"] += 1
    tot["silent_reports"] += r["silent"] > 0
    tot["failed"] += r.get("failed", 0)
    tot["secs"] += secs
    print(f"{label:70s} cells {r['cells']:4d} exact {r['exact']:4d} missing {r['missing']:3d} "
          f"wrong {r['wrong']:3d} silent {r['silent']:3d}  {secs:6.1f} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpi", type=int, nargs="*", default=[150, 200, 300])
    ap.add_argument("--degraded", action="store_true", help="also a degraded copy at 200 dpi")
    ap.add_argument("--real", action="store_true", help="also the real PDFs of ../shared, rasterized")
    ap.add_argument("--limit", type=int, default=0, help="only the first N gold entries")
    ap.add_argument("--only", nargs="*", default=[], help="only gold entries whose name contains one of these")
    args = ap.parse_args()
    entries = gold_entries()
    names = [n for n in entries if not args.only or any(o in n for o in args.only)][: args.limit or None]
    totals: dict = {}
    for name in names:
        values = ReportValues.from_gold(entries[name])
        for dpi in args.dpi:
            run(f"{name} @ {dpi} dpi", scanned_pdf(values, dpi=dpi), entries[name], totals)
        if args.degraded:
            run(f"{name} @ degraded", scanned_pdf(values, dpi=200, **DEGRADED), entries[name], totals)
    if args.real and REAL_PDF.exists():
        for path in sorted(REAL_PDF.glob("*.pdf")):
            entry = entries.get(f"pdf/{path.name}")
            if entry:
                data = images_to_pdf(rasterize(path.read_bytes(), 200), 200)
                run(f"real/{path.name} @ real 200 dpi", data, entry, totals)
    print()
    for variant, t in totals.items():
        print(f"{variant:16s} reports {t['reports']:3d}  cells {t['cells']:5d}  exact {100 * t['exact'] / max(1, t['cells']):6.2f}%"
              f"  missing {t['missing']:4d}  wrong {t['wrong']:3d}  silent cells {t['silent']:3d}"
              f"  silent reports {t['silent_reports']:2d}  failed {t['failed']}  {t['secs'] / max(1, t['reports']):5.1f} s/report")


if __name__ == "__main__":
    main()
