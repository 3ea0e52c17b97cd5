"""How fast the analyses answer on a national corpus, and how much memory they take.

    python benchmarks/analysis_speed.py                           # 100,000 and 1,000,000 reports
    python benchmarks/analysis_speed.py --sizes 100000 --before   # and the plain pandas path (100k: minutes)
    python benchmarks/analysis_speed.py --dir /tmp/corpora        # keep the corpora for the next run

The corpus tables are written directly by ``benchmarks/export_speed.py``'s synthesizer (parsing a
million reports would measure the reader): 6 years, one report per agency and year, every cell of
tables 2, 3 and 4, in Parquet parts of 2,000 reports (1,000,000 reports: 175 million cells of
table 3; 10 minutes to write). Each analysis runs in a fresh process after ``open_corpus`` (whose
time is printed apart), so its seconds and peak memory (ru_maxrss) are its own.

"figures, first run" is the one-time cost of a corpus on disk: the per-report figures of each part
computed by DuckDB and kept (govreports/figures.py); every later analysis reads them. "before" is
the plain pandas computation (the corpus read into frames), what every analysis did before. Goals
(issue 19): every agency-year's outcome shares under 2 s and cross_year of one measure under 1 s at
1,000,000 reports, memory flat. Printed, never asserted; the load average is printed beside.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANALYSES = {
    "outcome_shares by agency_year": "ga.outcome_shares(c, by='agency_year')",
    "cross_year refused_share": "ga.cross_year(c, 'refused_share')",
    "by_agency_year reviews_per_100": "ga.by_agency_year(c, 'reviews_per_100')",
    "outcome_shares by region": "ga.outcome_shares(c, by='region')",
}
BEFORE = {
    "before: outcome_shares by agency_year": "ga.outcome_shares(ga.frames_of(c), by='agency_year')",
    "before: cross_year refused_share": "ga.cross_year(ga.frames_of(c), 'refused_share')",
}


def run_child(corpus: Path, expr: str, cache: Path) -> dict:
    code = f"""
import json, resource, time, warnings
warnings.simplefilter("ignore")
from govreports import analysis as ga
from govreports.corpus import open_corpus
t = time.perf_counter(); c = open_corpus({str(corpus)!r}); opened = time.perf_counter() - t
t = time.perf_counter(); out = {expr}; took = time.perf_counter() - t
print(json.dumps({{"open": opened, "seconds": took, "rows": len(out),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    env = {**os.environ, "GOVREPORTS_FIGURES_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", default=None, help="folder for the corpora (kept; default: a temp dir)")
    parser.add_argument("--before", action="store_true", help="also time the plain pandas path (sizes <= 100,000)")
    parser.add_argument("--cache", default=None, help="a figures cache to reuse (default: a new one, so the first "
                                                      "run computes the figures)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from export_speed import write_corpus

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(args.dir) if args.dir else Path(tmp)
        for n in args.sizes:
            corpus = base / f"corpus{n}"
            if not (corpus / "reports.parquet").exists():
                start = time.perf_counter()
                write_corpus(corpus, n)
                print(f"{n:>9,} reports: corpus written in {time.perf_counter() - start:.0f} s", flush=True)
            cache = Path(args.cache) if args.cache else Path(tmp) / f"figures{n}"
            todo = {"figures, first run (then outcome_shares by agency_year)": ANALYSES["outcome_shares by agency_year"],
                    **ANALYSES}
            if args.before and n <= 100_000:
                todo.update(BEFORE)
            for name, expr in todo.items():
                got = run_child(corpus, expr, cache)
                print(f"{n:>9,} reports  {name:55s} {got['seconds']:7.2f} s  peak {got['peak_mb']:6.0f} MB  "
                      f"(open_corpus {got['open']:.1f} s, {got['rows']:,} rows, load {os.getloadavg()[0]:.1f})",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
