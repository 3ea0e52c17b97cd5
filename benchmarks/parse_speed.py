"""How fast one core reads reports: reports per second and peak memory, text, HTML and spreadsheets.

    python benchmarks/parse_speed.py [N]

Renders N synthetic reports per layout (crawler text too) with the package's own renderer (values drawn
reproducibly, every identity holding), then times ``read_report`` on the bytes in one process, in CPU
time (the machine is shared; wall time would count the others' work): parsing only, with the CPU
time of one report; the same with the garbage collector eased as a corpus worker eases it
(the heap alive before the batch frozen, young objects collected less often: a full collection walks
pandas' and the template's objects, 10-25% of a report); also the plain rows of the four tables (what a corpus run stores); also the four
pandas DataFrames (what a notebook user gets from a Report). Peak memory over 50 reports. Then where
the time of one report goes, stage by stage, for a text, an HTML and a crawler layout.
Goals (issue 19): at least 500 reports/s per core for the text layouts, 300/s for HTML (Word
exports included).

Spreadsheets (csv, xlsx, xls) are timed the same way, and the pandas engines that read
workbooks (openpyxl, xlrd, calamine) are compared on the same files: the reader uses the
fastest (``govreports.readers.spreadsheet.ENGINE``).
"""
from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from contextlib import nullcontext

import govreports as gr
from govreports import checks, parse, report
from govreports.corpus.worker import _light_gc
from govreports.readers import spreadsheet
from govreports.render import IDENTITY_LAYOUTS, LAYOUTS, SHEET_LAYOUTS, ReportValues, encode, render


def corpus(layout: str, n: int) -> list[bytes]:
    out = []
    for i in range(n):
        printed = render(ReportValues.synthetic(i), layout)
        out.append(printed if isinstance(printed, bytes) else encode(printed, "utf-8"))
    return out


TABLES = ("requests", "appeals", "disclosure", "findings")


def rate(datas: list[bytes], then: str = "", as_worker: bool = False) -> float:
    """Reports per second of CPU time (the machine may be shared: wall time would count the others'
    work): parse only, then also the plain rows a corpus stores ('records') or the four pandas
    DataFrames a notebook user gets ('frames'). ``as_worker``: with the garbage collector eased as
    a corpus worker eases it while it parses a batch (govreports.corpus.worker._light_gc)."""
    gc.collect()  # each measure starts from a clean heap: a full collection is not charged to whoever meets it
    with (_light_gc() if as_worker else nullcontext()):
        t0 = time.process_time()
        for i, d in enumerate(datas):
            r = gr.read_report(d, name=f"r{i}")
            if then == "records":
                [r.records(t) for t in TABLES]
            elif then == "frames":
                [getattr(r, t) for t in TABLES]
        return len(datas) / (time.process_time() - t0)


def main(n: int = 300) -> None:
    print(f"govreports {gr.__version__}: {n} synthetic reports per layout, one process (one core)")
    print("parse: read_report alone; in a worker: the same with the garbage collector eased as read_corpus's "
          "workers ease it")
    print(f"{'layout':<12}{'parse':>12}{'CPU/report':>12}{'in a worker':>14}{'+ records':>14}{'+ DataFrames':>16}"
          f"{'peak MiB':>10}")
    for layout in LAYOUTS + IDENTITY_LAYOUTS + SHEET_LAYOUTS:  # crawler, torn labels: read by the identities
        datas = corpus(layout, n)
        gr.read_report(datas[0], name="warm-up")
        parse, records, frames = rate(datas), rate(datas, "records"), rate(datas, "frames")
        worker = rate(datas, as_worker=True)
        tracemalloc.start()
        rate(datas[:50], "records")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{layout:<12}{parse:>8.0f} r/s{1000 / parse:>9.2f} ms{worker:>10.0f} r/s{records:>10.0f} r/s"
              f"{frames:>12.0f} r/s"
              f"{peak / 2**20:>10.1f}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("where one report's CPU time goes (ms; a stage called by another is counted in both):")
    for layout in ("tsv", "html_word", "crawler"):
        stages(layout, n)
    engines(max(20, n // 5))


# the steps of read_report, and the parts of parsing and checking, timed where they are looked up
STAGES = ((report, ("read_document", "document_keys", "split_copies", "layout_of", "parse_document", "find_title", "find_agency",
                    "expand_agency", "find_published", "report_scope", "check_report", "report_sections")),
          (parse, ("assemble_rows", "place_requests", "place_disclosure", "place_appeals", "_align_torn_labels")),
          (checks, ("check_identities", "check_prose")))


def stages(layout: str, n: int) -> None:
    """Print where the CPU time of one report goes (ms), stage by stage (nested stages are also
    counted in the step that calls them: parse_document holds assemble_rows ...)."""
    spent: dict[str, float] = {}
    saved = [(mod, name, getattr(mod, name)) for mod, names in STAGES for name in names if hasattr(mod, name)]

    def timed(name, f):
        def run(*args, **kwargs):
            t0 = time.process_time()
            try:
                return f(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - t0
        return run

    datas = corpus(layout, n)
    try:
        for mod, name, f in saved:
            setattr(mod, name, timed(name, f))
        gc.collect()
        t0 = time.process_time()
        for i, d in enumerate(datas):
            gr.read_report(d, name=f"r{i}")
        total = time.process_time() - t0
    finally:
        for mod, name, f in saved:
            setattr(mod, name, f)
    parts = ", ".join(f"{k} {1000 * v / n:.2f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v / n > 2e-5)
    print(f"  {layout}: {1000 * total / n:.2f} ms a report: {parts}")


def engines(n: int) -> None:
    """Reports per second by the pandas engine that reads the workbook (the rest unchanged)."""
    print(f"workbook engines, {n} reports each (reader uses {spreadsheet.ENGINE!r}):")
    chosen = spreadsheet.ENGINE
    try:
        for layout, names in (("xlsx", ("openpyxl", "calamine")), ("xls", ("xlrd", "calamine"))):
            datas = corpus(layout, n)
            for engine in names:
                spreadsheet.ENGINE = engine
                try:
                    gr.read_report(datas[0], name="warm-up")
                except gr.ReportError as exc:  # the engine is not installed here
                    print(f"  {layout:<6}{engine:<10}     not read ({exc})"[:120])
                    continue
                print(f"  {layout:<6}{engine:<10}{rate(datas):>8.0f} r/s")
    finally:
        spreadsheet.ENGINE = chosen


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
