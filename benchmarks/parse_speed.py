"""How fast one core reads reports: reports per second and peak memory, text and HTML.

    python benchmarks/parse_speed.py [N]

Renders N synthetic reports per layout with the package's own renderer (values drawn
reproducibly, every identity holding), then times ``read_report`` on the bytes in one process:
once parsing only, once also building the four tidy DataFrames (what a corpus run does).
Goal (issue 3): at least 300 reports/s per core.
"""
from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import govreports as gr
from govreports.render import LAYOUTS, ReportValues, encode, render


def corpus(layout: str, n: int) -> list[bytes]:
    return [encode(render(ReportValues.synthetic(i), layout), "utf-8") for i in range(n)]


def rate(datas: list[bytes], frames: bool) -> float:
    t0 = time.perf_counter()
    for i, d in enumerate(datas):
        r = gr.read_report(d, name=f"r{i}")
        if frames:
            r.requests, r.appeals, r.disclosure, r.findings  # noqa: B018 - build them
    return len(datas) / (time.perf_counter() - t0)


def main(n: int = 300) -> None:
    print(f"govreports {gr.__version__}: {n} synthetic reports per layout, one process (one core)")
    print(f"{'layout':<12}{'parse only':>14}{'+ frames':>14}{'peak MiB':>10}")
    for layout in LAYOUTS:
        datas = corpus(layout, n)
        gr.read_report(datas[0], name="warm-up")
        tracemalloc.start()
        parse = rate(datas, frames=False)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        full = rate(datas, frames=True)
        print(f"{layout:<12}{parse:>10.0f} r/s{full:>10.0f} r/s{peak / 2**20:>10.1f}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
