"""How fast read_corpus is, how much memory it takes, and how fast a re-run and open_corpus are.

    python benchmarks/corpus_build.py                      # sizes 500 2000, corpus made in a temp dir
    python benchmarks/corpus_build.py --sizes 1000 5000 20000 --corpus /tmp/corpus20k

Printed, never asserted. Goals: 300+ reports/s per core (text/HTML) including the corpus's own
work, at most 5x the regex floor (reading each file and finding its numbers with one regular
expression: what any reader must at least do), 100,000 reports in under 10 minutes, a re-run on
an unchanged corpus at least 20x faster than the first, open_corpus in seconds.

"where the time goes" times one process's CPU on the same files: read_report alone, then
parse_batch (what a worker runs: read_report plus the corpus's own work: sha256, time limit,
columns, fingerprint, Arrow) in batches of 64 files without a cache, with a cache being filled
(JSON written), and from a full cache (JSON read and checked); then the main process's own CPU
per report (collect: duplicates, Parquet parts, agency linking, cross-year) on those batches.

"whole builds" run read_corpus in a child process and count the CPU of the main process and of
its workers together: per core = reports / those CPU seconds (what the goal counts: the corpus's
own work included, wherever it runs), beside the wall-clock rate per worker (which a loaded
machine lowers). A build's fixed cost (imports on first use, the division table for agency
linking, empty parts) is measured on 3 files and printed; the rate is given with and without it.

"cold" parses every file; "from the per-file cache" reads the JSON cache entries
(validated on load) into a new output folder. Each build runs in a fresh process so that peak memory
(VmHWM: ru_maxrss would carry this process's own peak over into the child) is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def build(files: str, n: int, workers: int, cache: str | None, out: str, engine: str = "local") -> dict:
    """Run one read_corpus over the first ``n`` files in a child process; return its numbers."""
    code = f"""
import json, resource, time, sys
from govreports.corpus import list_files, read_corpus
files = list_files({files!r})[:{n}]
start = time.perf_counter()
cpu = time.process_time()
c = read_corpus(files, workers={workers}, cache={cache!r}, out={out!r}, progress=False, engine={engine!r})
seconds = time.perf_counter() - start
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"seconds": seconds, "counts": c.counts, "main_cpu": time.process_time() - cpu,
                  "workers_cpu": children.ru_utime + children.ru_stime,
                  "peak_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024,
                  "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def regex_floor(paths: list[str]) -> float:
    """CPU seconds to read every file and find its numbers with one regular expression."""
    import re

    number = re.compile(rb"\d+")
    start = time.process_time()
    for p in paths:
        with open(p, "rb") as fh:
            number.findall(fh.read())
    return time.process_time() - start


def where_the_time_goes(files: list[str], cache: str) -> dict:
    """CPU seconds per file in one process: read_report, parse_batch without, into and from a cache."""
    import govreports as gr
    from govreports.corpus import code_version, parse_batch
    from govreports.corpus.facade import collect

    version = code_version()
    parse_batch(files[:5], None, version)   # imports and first-call costs out of the way
    out = {"floor": regex_floor(files)}
    try:
        from govreports.corpus.worker import _light_gc
    except ImportError:  # an older govreports (to compare with): no easing
        from contextlib import nullcontext as _light_gc

    start = time.process_time()
    for f in files:
        gr.read_report(f)
    out["read_report"] = time.process_time() - start
    start = time.process_time()
    with _light_gc():   # as parse_batch runs it: the garbage collector eased
        for f in files:
            gr.read_report(f)
    out["read_report_light_gc"] = time.process_time() - start
    batches = [files[i:i + 64] for i in range(0, len(files), 64)]   # as a build sends them
    for name, where in (("parse_batch", None), ("cache_fill", cache), ("cache_read", cache)):
        start = time.process_time()
        results = [parse_batch(b, where, version) for b in batches]
        out[name] = time.process_time() - start
        if name == "parse_batch":
            parsed = results
    folder = Path(tempfile.mkdtemp(prefix="govreports-collect-"))
    try:
        (folder / "first").mkdir()
        (folder / "all").mkdir()
        collect(iter([parse_batch(files[:3], None, version)]), folder / "first", 3)  # its fixed cost out of the way
        start = time.process_time()
        collect(iter(parsed), folder / "all", len(files))
        out["collect"] = time.process_time() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out.update(_parts_of_the_corpus_work(files, version))
    return {k: v / len(files) for k, v in out.items()}


def _parts_of_the_corpus_work(files: list[str], version: str) -> dict:
    """CPU seconds of each step a worker adds to read_report, each timed alone on the same files."""
    import hashlib
    import json

    import govreports as gr
    from govreports.corpus.cache import load_cached, store_cached
    from govreports.corpus.store import columns_to_arrow
    from govreports.corpus.worker import TABLES, fingerprint, parse_file, records_to_columns
    from govreports.timelimit import time_limit

    datas = [open(f, "rb").read() for f in files]
    reports = [gr.read_report(d, name=f) for d, f in zip(datas, files)]
    out = {}

    def timed(name, fn):
        start = time.process_time()
        fn()
        out[name] = time.process_time() - start

    timed("sha256", lambda: [hashlib.sha256(d).hexdigest() for d in datas])
    def limited():
        for _ in datas:
            with time_limit(60):
                pass

    timed("time_limit", limited)
    tables = []
    timed("columns", lambda: tables.extend({n: records_to_columns(r.records(n), n) for n in TABLES} for r in reports))
    timed("fingerprint", lambda: [fingerprint(t) for t in tables])
    def arrow():  # one Arrow table per table per batch of 64 files, as parse_batch makes them
        for i in range(0, len(tables), 64):
            for n in TABLES:
                cols = {c: [v for t in tables[i:i + 64] for v in t[n][c]] for c in tables[i][n]}
                columns_to_arrow(cols, n, [0] * len(next(iter(cols.values()), [])))

    timed("arrow", arrow)
    entries = [parse_file(f, None, version)[0] for f in files]
    try:
        from govreports.corpus.cache import _dumps   # what the cache writes with (orjson where installed)
    except ImportError:  # an older govreports
        def _dumps(e):
            return json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode()
    timed("json_encode", lambda: [_dumps(e) for e in entries])
    folder = Path(tempfile.mkdtemp(prefix="govreports-entries-"))
    try:
        timed("cache_write", lambda: [store_cached(folder / "ab" / f"{i}.json", e) for i, e in enumerate(entries)])
        timed("cache_load", lambda: [load_cached(folder / "ab" / f"{i}.json") for i in range(len(entries))])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def open_and_measure(out: str) -> dict:
    """Open a built corpus and compute every agency's refused share; return the timings."""
    import govreports.analysis as ga
    from govreports.corpus import open_corpus

    start = time.perf_counter()
    c = open_corpus(out)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    direct = refused_share_by_agency(c)
    direct_s = time.perf_counter() - start
    start = time.perf_counter()
    shares = ga.outcome_shares(c, by="agency")
    measured = time.perf_counter() - start
    return {"open_s": opened, "refused_share_s": measured, "direct_s": direct_s, "agencies": len(shares),
            "median_refused_share": float(shares["refused_share"].median()),
            "direct_median": float(direct.median())}


def _same_corpus(a: Path, b: Path) -> bool:
    """True when two corpus folders hold the same reports and tables."""
    from govreports.corpus import TABLES, open_corpus

    ca, cb = open_corpus(a), open_corpus(b)
    return ca.reports.equals(cb.reports) and all(ca.table(t).equals(cb.table(t)) for t in TABLES)


def refused_share_by_agency(c) -> "pd.Series":
    """denied / handled per agency_key from three columns of requests (printed totals only;
    analysis.outcome_shares also fills blank totals from the applicant cells)."""
    req = c.table("requests", columns=["report_id", "row", "applicant", "value"])
    req = req[req["applicant"] == "total"]
    group = req["row"].str.split(".").str[0]
    outcome = group.isin(["granted", "partly_granted", "denied", "unavailable", "not_processed", "other"])
    per_report = pd.DataFrame({"report_id": req["report_id"], "denied": req["value"].where(group == "denied", 0),
                               "handled": req["value"].where(outcome, 0)}).groupby("report_id").sum()
    usable = c.reports[(c.reports["status"] == "parsed") & c.reports["duplicate_of"].isna()]
    per_agency = per_report.join(usable.set_index("report_id")["agency_key"], how="inner").groupby("agency_key").sum()
    return (per_agency["denied"] / per_agency["handled"].where(per_agency["handled"] > 0)).astype("float64")


def main(argv: list[str] | None = None) -> int:
    from govreports.corpus import list_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--corpus", help="folder of report files (made with make_corpus.py if missing)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask", action="store_true", help="also the dask engine on a LocalCluster")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="govreports-bench-"))
    corpus = Path(args.corpus) if args.corpus else tmp / "reports"
    biggest = max(args.sizes)
    have = len(list(corpus.glob("*.*"))) - 1 if corpus.exists() else 0
    if have < biggest:
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(biggest), str(corpus)], check=True)
    print(f"cores: {os.cpu_count()}  corpus: {corpus}")
    try:
        n = min(args.sizes)
        files = [str(f) for f in list_files(corpus)][:n]
        t = where_the_time_goes(files, str(tmp / "cpu_cache"))
        ms = {k: v * 1000 for k, v in t.items()}
        print(f"\n-- where the time goes, {n} reports, one process, CPU ms per report")
        print(f"regex floor {ms['floor']:.2f}; read_report {ms['read_report']:.2f} ({ms['read_report_light_gc']:.2f} with the "
              f"garbage collector eased as in a batch); parse_batch {ms['parse_batch']:.2f} "
              f"(corpus's own work {ms['parse_batch'] - ms['read_report_light_gc']:.2f}); filling the cache "
              f"{ms['cache_fill']:.2f} (+{ms['cache_fill'] - ms['parse_batch']:.2f}); from the cache {ms['cache_read']:.2f}")
        print(f"main process (collect: duplicates, Parquet parts, agency linking, cross-year; its fixed cost apart) "
              f"{ms['collect']:.2f}; "
              f"together {ms['parse_batch'] + ms['collect']:.2f}: {1 / (t['parse_batch'] + t['collect']):.0f} reports/s "
              f"per core, {(t['parse_batch'] + t['collect']) / t['floor']:.1f}x the regex floor")
        print("of which (each timed alone): " + ", ".join(f"{k} {ms[k]:.2f}" for k in (
            "sha256", "time_limit", "columns", "fingerprint", "arrow", "json_encode", "cache_write", "cache_load")))
        print(f"one core: {1 / t['parse_batch']:.0f} reports/s without a cache, {1 / t['cache_fill']:.0f} filling one; "
              f"{t['parse_batch'] / t['floor']:.1f}x the regex floor ({1 / t['floor']:.0f} reports/s)")
        fixed = build(str(corpus), 3, 1, None, str(tmp / "out_fixed"))
        fixed_cpu = fixed["main_cpu"] - 3 * t["parse_batch"]
        print(f"\n-- whole builds (read_corpus, no cache) on {n} reports; a build's fixed cost (3 files, "
              f"less their parsing): {fixed_cpu:.2f} s CPU")
        print("per core = reports / CPU seconds of the main process and its workers together; "
              "x floor = that CPU per report / the regex floor's")
        for workers in args.workers:
            r = build(str(corpus), n, workers, None, str(tmp / f"out_w{workers}"))
            rate, cpu = n / r["seconds"], r["main_cpu"] + r["workers_cpu"]
            print(f"workers={workers}: {r['seconds']:.1f} s wall, {rate:.0f} reports/s, {rate / workers:.0f} reports/s "
                  f"per worker (wall); CPU per report {cpu * 1000 / n:.2f} ms (main {r['main_cpu'] * 1000 / n:.2f}, "
                  f"workers {r['workers_cpu'] * 1000 / n:.2f}): {n / cpu:.0f} reports/s per core, "
                  f"{cpu / n / t['floor']:.1f}x the regex floor; without the fixed cost "
                  f"{n / (cpu - fixed_cpu):.0f} reports/s per core, {(cpu - fixed_cpu) / n / t['floor']:.1f}x")
        if args.dask:
            workers = max(args.workers)
            local = build(str(corpus), n, workers, None, str(tmp / "out_local"))
            dask = build(str(corpus), n, workers, None, str(tmp / "out_dask"), engine="dask")
            same = _same_corpus(tmp / "out_local", tmp / "out_dask")
            print(f"dask LocalCluster of {workers} workers: {dask['seconds']:.1f} s ({n / dask['seconds']:.0f} reports/s) "
                  f"against local {local['seconds']:.1f} s ({n / local['seconds']:.0f} reports/s): "
                  f"{local['seconds'] / dask['seconds']:.0%} of the local engine's throughput; same corpus: {same}")
        workers = max(args.workers)
        print(f"\n-- growing sizes, workers={workers}, with a cache, then a re-run on the unchanged corpus")
        for n in args.sizes:
            cache, out = str(tmp / f"cache{n}"), str(tmp / f"out{n}")
            first = build(str(corpus), n, workers, cache, out)
            again = build(str(corpus), n, workers, cache, out)
            cached = build(str(corpus), n, workers, cache, out + "_from_cache")
            print(f"n={n}: cold {first['seconds']:.1f} s ({n / first['seconds']:.0f}/s), "
                  f"peak {first['peak_mb']:.0f} MB main, {first['children_peak_mb']:.0f} MB largest worker; "
                  f"re-run into the same folder {again['seconds']:.2f} s "
                  f"({first['seconds'] / again['seconds']:.0f}x faster); "
                  f"from the per-file cache into a new folder {cached['seconds']:.2f} s "
                  f"({first['seconds'] / cached['seconds']:.1f}x faster, {cached['counts']['cached']} cached); "
                  f"{first['counts']}")
            m = open_and_measure(out)
            print(f"      open_corpus {m['open_s']:.2f} s; refused share of {m['agencies']} agencies: "
                  f"{m['direct_s']:.2f} s from three columns, {m['refused_share_s']:.2f} s with "
                  f"analysis.outcome_shares (median {m['median_refused_share']:.3f})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
