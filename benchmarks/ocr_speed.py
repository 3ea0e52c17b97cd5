"""OCR speed: seconds per page and cells exact, per dpi, on one core.

    .venv/bin/python benchmarks/ocr_speed.py [--dpi 150 200 300] [--entry pdf/huaian_city_gov_2024.pdf]

Reads one gold entry printed by the renderer and rasterized (no text layer) at each dpi, and a
5-page real PDF rasterized at 200 dpi when ../shared is present. The OCR engine runs one thread
(govreports.readers.ocr.engine), so the CPU seconds are the cost on one core; the wall seconds
also count the waiting on a loaded machine. Goal: a 5-page scanned report in
under 15 s on one core.
"""
from __future__ import annotations

import argparse
import time

from ocr_common import REAL_PDF, compare, gold_entries

import govreports as gr
from govreports.readers import ocr
from govreports.render.scan import images_to_pdf, rasterize, scanned_pdf
from govreports.render.values import ReportValues


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpi", type=int, nargs="*", default=[150, 200, 300])
    ap.add_argument("--entry", default="pdf/huaian_city_gov_2024.pdf")
    args = ap.parse_args()
    entry = gold_entries()[args.entry]
    ocr.engine()  # load the models once, outside the timings
    values = ReportValues.from_gold(entry)
    for dpi in args.dpi:
        data = scanned_pdf(values, dpi=dpi)
        pages = len(rasterize(data, 36))
        t, c = time.perf_counter(), time.process_time()
        report = gr.read_report(data, name=f"scan@{dpi}")
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        r = compare(report, entry)
        print(f"{args.entry} @ {dpi} dpi: {pages} pages, {secs / pages:5.1f} s/page wall, "
              f"{cpu / pages:5.1f} s/page CPU, "
              f"cells exact {r['exact']}/{r['cells']} ({100 * r['exact'] / r['cells']:.2f}%), "
              f"missing {r['missing']}, wrong {r['wrong']}", flush=True)
    path = REAL_PDF / "huaian_hongze_district_gov_2024.pdf"
    if path.exists():
        pages = rasterize(path.read_bytes(), 200)
        data = images_to_pdf(pages, 200)
        t, c = time.perf_counter(), time.process_time()
        report = gr.read_report(data, name=path.name)
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        gold = gold_entries().get(f"pdf/{path.name}")
        exact = ""
        if gold:
            r = compare(report, gold)
            exact = f", cells exact {r['exact']}/{r['cells']}, missing {r['missing']}, wrong {r['wrong']}"
        print(f"real {path.name} rasterized @ 200 dpi: {len(pages)} pages in {secs:.1f} s wall, "
              f"{cpu:.1f} s CPU ({cpu / len(pages):.1f} s/page CPU){exact}", flush=True)


if __name__ == "__main__":
    main()
