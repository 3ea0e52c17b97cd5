"""How fast the PDF and Word front ends read reports.

    .venv/bin/python benchmarks/pdf_docx_speed.py [--n 20] [--full]

Prints, for the real PDFs of ../shared/reports/pdf (when present) and for reports printed by
our own renderers (PDF and DOCX, synthetic values), the seconds per report and the reports per
second on one core: for the reader alone (bytes -> Document) and, with ``--full`` or when
``govreports.read_report`` exists, for the whole pipeline (file -> tidy frames). Goal: a
typical 5-page report in under 0.5 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import govreports as gr  # noqa: E402
from govreports.readers.docx import read_docx  # noqa: E402
from govreports.readers.pdf import read_pdf  # noqa: E402
from govreports.render.values import ReportValues  # noqa: E402

REAL_PDF = ROOT.parent / "shared" / "reports" / "pdf"
GOAL_SECONDS = 0.5


def timed(fn, repeat: int) -> list[float]:
    """Given a function, return the seconds of ``repeat`` calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def pages_of(data: bytes) -> int:
    import pdfplumber
    import io

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def parse_floor(data: bytes) -> None:
    """pdfplumber alone parsing every page's characters and lines: the floor of any PDF reader here."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.chars, page.edges


def line(label: str, seconds: list[float], extra: str = "") -> None:
    med = statistics.median(seconds)
    flag = "ok" if med < GOAL_SECONDS else "SLOW"
    print(f"  {label:<46} {med:7.3f} s/report  {1 / med:7.1f} reports/s/core  {flag} {extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10, help="synthetic reports per format")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per file")
    ap.add_argument("--full", action="store_true", help="also time read_report (the whole pipeline)")
    args = ap.parse_args()
    full = hasattr(gr, "read_report")
    tmp = Path(tempfile.mkdtemp(prefix="govreports-bench-"))

    print("real PDFs (reader: bytes -> Document; pipeline: read_report)")
    if REAL_PDF.is_dir():
        for path in sorted(REAL_PDF.glob("*.pdf")):
            data = path.read_bytes()
            line(f"{path.name} ({pages_of(data)} p) pdfplumber parse only", timed(lambda: parse_floor(data), args.repeat))
            line(f"{path.name} reader", timed(lambda: read_pdf(data, path.name), args.repeat))
            if full:
                line(f"{path.name} pipeline", timed(lambda: gr.read_report(path), args.repeat))
    else:
        print(f"  (skipped: {REAL_PDF} not present)")

    from govreports.render.docx import render as render_docx
    from govreports.render.pdf import render as render_pdf

    for fmt, render, reader in (("pdf", render_pdf, read_pdf), ("docx", render_docx, read_docx)):
        reads, fulls, renders, pages = [], [], [], []
        for seed in range(args.n):
            v = ReportValues.synthetic(seed)
            t = time.perf_counter()
            data = render(v, split_pages=True) if fmt == "pdf" else render(v, split_table=seed % 2 == 1)
            renders.append(time.perf_counter() - t)
            if fmt == "pdf":
                pages.append(pages_of(data))
            reads += timed(lambda: reader(data, f"r.{fmt}"), args.repeat)
            if full:
                path = tmp / f"{seed}.{fmt}"
                path.write_bytes(data)
                fulls += timed(lambda: gr.read_report(path), 1)
        extra = f"({statistics.mean(pages):.1f} pages)" if pages else ""
        print(f"rendered {fmt} x{args.n} {extra}")
        line(f"render ({fmt})", renders)
        line("reader", reads)
        if full:
            line("pipeline (read_report)", fulls)


if __name__ == "__main__":
    main()
