"""How fast the analyses answer on a national corpus, and how much memory they take.

    python benchmarks/analysis_speed.py                           # 100,000 and 1,000,000 reports
    python benchmarks/analysis_speed.py --dir /tmp/corpora        # keep the corpora for the next run
    python benchmarks/analysis_speed.py --cache /tmp/figures      # keep the figures too (runs warm only)
    python benchmarks/analysis_speed.py --sizes 100000 --before   # and the plain pandas path (100k: minutes)
    python benchmarks/analysis_speed.py --code /tmp/old-checkout  # the same runs with another govreports

The corpus tables are written directly by ``benchmarks/export_speed.py``'s synthesizer (parsing a
million reports would measure the reader): 6 years, one report per agency and year, every cell of
tables 2, 3 and 4, in Parquet parts of 2,000 reports (1,000,000 reports: 175 million cells of
table 3; 10 minutes to write). Each analysis runs in a fresh process after ``open_corpus`` (whose
time is printed apart), so its seconds and memory are its own: wall and CPU seconds (CPU counts
DuckDB's threads; on a shared machine it says more than wall), the peak resident memory (VmHWM)
and what the analysis added to the memory the process had once govreports was imported.

"first call after a build" is the first call on a corpus as a build leaves it: a new figures
cache, the per-report figures of every part written by the build beside the parts
(govreports.figures.BuildFigures, which the synthesizer uses as the corpus writer does), so only
the usable reports are joined with them, once per corpus and analysis kind. "cold" is the first
call on a corpus without those figures (written by an older govreports): the figures of every
Parquet part it needs are computed by DuckDB from the cells and kept (table 3's cells for the
outcome shares, table 4's for reviews, the findings for the error counts), then joined. "warm"
is every later call, from any process: one pre-joined file is read from the cache. A kept corpus
(``--dir``) written before the synthesizer kept figures gets them first (time printed: what
the figures cost a build). "before" is the plain pandas
computation (the corpus read into frames). Goals (issue 19): every agency-year's outcome shares
under 2 s and cross_year of one measure under 1 s at 1,000,000 reports, memory flat (the peak
at 1,000,000 reports against 100,000). Printed, never asserted; the load average is printed beside.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ANALYSES = {
    "outcome_shares by agency_year": "ga.outcome_shares(c, by='agency_year')",
    "cross_year refused_share": "ga.cross_year(c, 'refused_share')",
    "by_agency_year reviews_per_100": "ga.by_agency_year(c, 'reviews_per_100')",
    "outcome_shares by report": "ga.outcome_shares(c, by='report')",
    "outcome_shares by agency": "ga.outcome_shares(c, by='agency')",
    "outcome_shares by year": "ga.outcome_shares(c, by='year')",
    "outcome_shares by level": "ga.outcome_shares(c, by='level')",
    "outcome_shares by region": "ga.outcome_shares(c, by='region')",
    "cross_year suits": "ga.cross_year(c, 'suits')",
    "volumes by agency_year": "ga.volumes(c, by='agency_year')",
    "by_agency_year on_time_share": "ga.by_agency_year(c, 'on_time_share')",
    "cross_year on_time_share": "ga.cross_year(c, 'on_time_share')",
    "timeliness": "ga.timeliness(c)",
    # selections (the agency is in every size's corpus: the synthesizer's first, seed 0)
    "cross_year refused_share, one agency": "ga.cross_year(c, 'refused_share', agencies=['铜川市第0局'])",
    "cross_year refused_share, level county": "ga.cross_year(c, 'refused_share', level='county')",
    "outcome_shares by agency_year, a region": "ga.outcome_shares(ga.select(c, region='陕西省/铜川市'), by='agency_year')",
    "rank_agencies refused_share, county": "ga.rank_agencies(c, 'refused_share', level='county')",
}
COLD = ("outcome_shares by agency_year", "cross_year refused_share", "by_agency_year reviews_per_100")
BEFORE = {
    "before: outcome_shares by agency_year": "ga.outcome_shares(ga.frames_of(c), by='agency_year')",
    "before: cross_year refused_share": "ga.cross_year(ga.frames_of(c), 'refused_share')",
}


def run_child(corpus: Path, expr: str, cache: Path, code: str | None = None) -> dict:
    script = f"""
import json, resource, time, warnings
warnings.simplefilter("ignore")
from govreports import analysis as ga
from govreports.corpus import open_corpus

def mem(field):   # this process's own figures (ru_maxrss would carry the parent's peak into a child)
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0]) / 1024

t = time.perf_counter(); c = open_corpus({str(corpus)!r}); opened = time.perf_counter() - t
base = mem("VmRSS")
t, cpu = time.perf_counter(), time.process_time()
out = {expr}
took, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({{"code": ga.__file__, "open": opened, "seconds": took, "cpu": cpu, "rows": len(out), "peak_mb": mem("VmHWM"),
                  "base_mb": base}}))
"""
    env = {**os.environ, "GOVREPORTS_FIGURES_CACHE": str(cache)}
    env["PYTHONPATH"] = code or str(Path(__file__).resolve().parents[1])
    # run from the temp folder: from here, ``-c`` would put this checkout's govreports first on the path
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir())
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_figures(corpus: Path) -> None:
    """Write the figures a build keeps beside the parts of a corpus written without them."""
    from govreports import figures

    with figures.BuildFigures(corpus) as figs:
        for table in ("requests", "appeals", "findings"):
            for part in figures.parts(corpus, table):
                figs.add(table, part)


@contextlib.contextmanager
def without_build_figures(corpus: Path):
    """The corpus as an older govreports wrote it (its build's figures set aside meanwhile)."""
    from govreports.figures import BUILT

    aside = corpus.parent / f"{corpus.name}-figures-aside"
    shutil.rmtree(aside, ignore_errors=True)   # left by a run killed meanwhile
    os.replace(corpus / BUILT, aside)
    try:
        yield
    finally:
        os.replace(aside, corpus / BUILT)


def show(n: int, name: str, got: dict) -> None:
    print(f"{n:>9,} reports  {name:58s} {got['seconds']:6.2f} s  CPU {got['cpu']:6.2f} s  peak {got['peak_mb']:5.0f} MB "
          f"(+{got['peak_mb'] - got['base_mb']:4.0f})  open_corpus {got['open'] * 1000:4.1f} ms  {got['rows']:>9,} rows  "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--dir", default=None, help="folder for the corpora (kept; default: a temp dir)")
    parser.add_argument("--before", action="store_true", help="also time the plain pandas path (sizes <= 100,000)")
    parser.add_argument("--cache", default=None, help="a figures cache to reuse: no cold runs (default: a new "
                                                      "cache per cold run, then one kept for the warm runs)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs, those without the build's "
                                                                 "figures (1,000,000: a minute each)")
    parser.add_argument("--only", nargs="+", default=None, help="only these analyses (names as printed)")
    parser.add_argument("--code", default=None, help="PYTHONPATH of the govreports to time (e.g. an older checkout)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from export_speed import write_corpus

    todo = {k: v for k, v in ANALYSES.items() if not args.only or k in args.only}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(args.dir) if args.dir else Path(tmp)
        for n in args.sizes:
            corpus = base / f"corpus{n}"
            if not (corpus / "corpus.json").exists():
                start = time.perf_counter()
                write_corpus(corpus, n)
                print(f"{n:>9,} reports: corpus written in {time.perf_counter() - start:.0f} s", flush=True)
            if not (corpus / ".figures" / "requests.json").exists():
                start, cpu = time.perf_counter(), time.process_time()
                build_figures(corpus)
                cpu = time.process_time() - cpu
                print(f"{n:>9,} reports: the build's figures written in {time.perf_counter() - start:.0f} s, "
                      f"CPU {cpu:.0f} s ({cpu / n * 1000:.3f} ms a report)", flush=True)
            warm = Path(args.cache) if args.cache else Path(tmp) / f"figures{n}"
            if not args.cache:
                for i, name in enumerate(k for k in COLD if k in todo):
                    show(n, f"first call after a build: {name}",
                         run_child(corpus, todo[name], Path(tmp) / f"built{n}-{i}", args.code))
            if not (args.cache or args.no_cold):
                with without_build_figures(corpus):
                    for i, name in enumerate(k for k in COLD if k in todo):
                        show(n, f"cold: {name}", run_child(corpus, todo[name], Path(tmp) / f"cold{n}-{i}", args.code))
            for name, expr in todo.items():
                run_child(corpus, expr, warm, args.code)   # the figures it needs, kept (cold above)
                show(n, f"warm: {name}", run_child(corpus, expr, warm, args.code))
            if args.before and n <= 100_000:
                for name, expr in BEFORE.items():
                    show(n, name, run_child(corpus, expr, warm, args.code))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
