"""How much memory the main process of a corpus build takes as the corpus grows.

    python benchmarks/corpus_memory.py                     # 30,000 and 300,000 reports
    python benchmarks/corpus_memory.py --sizes 3000 30000

Parsing 300,000 files takes hours here, and parsing happens in the workers; this measures what the
main process does with their results. It feeds :func:`govreports.corpus.facade.collect` (the one
way every build ends) with synthetic ``parse_batch`` results: the reports under data/reports parsed
once, then replicated with new report ids, agencies (a sixth of the reports; real regions) and
years, so that every step runs on every report: duplicates marked, Parquet parts, agency linking,
the reports table, the cross-year findings. Each size runs in a fresh process (its own peak, VmHWM).
Printed, never asserted. Goal: the peak at 300,000 within 10% of the peak at 30,000.

Then ``open_corpus`` on a corpus of 1,000,000 report rows (``--open``; written directly by
benchmarks/export_speed.py's synthesizer, reports table only): seconds and memory added by opening,
asking its counts and its length. Goal: under 0.5 s, memory flat (nothing read but corpus.json).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BATCH = 64
YEARS = list(range(2019, 2025))


def templates() -> list[tuple[dict, dict]]:
    """The parsed reports of data/reports: (report row, {table: Arrow rows of that report})."""
    import pyarrow.compute as pc

    from govreports.corpus import code_version, list_files, parse_batch

    batch = parse_batch([str(f) for f in list_files(ROOT / "data" / "reports")], None, code_version())
    out = []
    for pos, row in enumerate(batch["reports"]):
        if row["status"] == "parsed":
            tables = {name: t.filter(pc.equal(t["_pos"], pos)).drop_columns(["_pos"])
                      for name, t in batch["tables"].items()}
            out.append((row, tables))
    return out


def synthetic_batches(n: int):
    """Yield parse_batch results of ``n`` synthetic reports (see the module's docstring)."""
    import pyarrow as pa
    from export_speed import _regions

    temps = templates()
    regions = [r.split("/")[-1] for r in _regions()]
    n_agencies = max(1, n // len(YEARS))
    for start in range(0, n, BATCH):
        rows, parts = [], {name: [] for name in temps[0][1]}
        for pos, k in enumerate(range(start, min(n, start + BATCH))):
            row, tables = temps[k % len(temps)]
            a, year = k % n_agencies, YEARS[(k // n_agencies) % len(YEARS)]
            rid = f"{k:016x}"
            name = f"{regions[a % len(regions)]}第{a}局"
            rows.append({**row, "report_id": rid, "sha256": rid * 4, "source": f"synthetic/{a}_{year}.txt",
                         "agency": name, "agency_as_printed": name, "year": year, "level": None,
                         "_fingerprint": f"{k:040x}"})
            for tname, t in tables.items():
                if t.num_rows:
                    t = t.set_column(0, "report_id", pa.array([rid] * t.num_rows, pa.string()))
                    parts[tname].append(t.append_column("_pos", pa.array([pos] * t.num_rows, pa.int32())))
        from govreports.corpus import SCHEMAS

        tables = {name: pa.concat_tables(p) if p else SCHEMAS[name].append(pa.field("_pos", pa.int32())).empty_table()
                  for name, p in parts.items()}
        yield {"reports": rows, "tables": tables, "cached": 0}


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss carries a parent's peak into a child)."""
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmHWM:")[1].split()[0]) / 1024


def child(n: int, out: str) -> None:
    """Run collect() over ``n`` synthetic reports into ``out``; print seconds and peak memory."""
    from govreports.corpus.facade import collect

    Path(out).mkdir(parents=True)
    batches = synthetic_batches(n)
    base = _peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    c = collect(batches, Path(out), n)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "cpu": time.process_time() - cpu, "counts": c.counts, "base_mb": base,
                      "peak_mb": _peak_mb(),
                      "cross_findings": int((c.table("findings", ["table"])["table"] == "corpus").sum())}))


def open_child(folder: str) -> None:
    """Open a corpus; print seconds and the memory opening added (counts and len included)."""
    from govreports.corpus import open_corpus

    before = _peak_mb()
    start = time.perf_counter()
    c = open_corpus(folder)
    counts, n = c.counts, len(c)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "files": counts["files"], "len": n,
                      "added_mb": _peak_mb() - before}))


def open_million(n: int, tmp: str) -> None:
    """Write a corpus of ``n`` report rows (in a child: this process's peak memory stays its own,
    and so do its children's) and open it in another child."""
    folder = Path(tmp) / f"open{n}"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); from pathlib import Path; "
                    f"from export_speed import write_corpus; write_corpus(Path({str(folder)!r}), {n}, tables=False)"],
                   check=True)
    made = time.perf_counter() - start
    done = subprocess.run([sys.executable, __file__, "--open-child", str(folder)], capture_output=True, text=True,
                          check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    size = (folder / "reports.parquet").stat().st_size / 1e6
    print(f"open_corpus on {r['len']:,} report rows ({size:.0f} MB reports.parquet, written in {made:.0f} s): "
          f"{r['seconds'] * 1000:.1f} ms, {r['added_mb']:.1f} MB added (counts and len included)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[30000, 300000])
    parser.add_argument("--open", type=int, default=1_000_000, help="report rows of the corpus opened (0: skip)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--open-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(int(args.child[0]), args.child[1])
        return 0
    if args.open_child:
        open_child(args.open_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="govreports-mem-") as tmp:
        if args.open:
            open_million(args.open, tmp)
        peaks = {}
        for n in args.sizes:
            done = subprocess.run([sys.executable, __file__, "--child", str(n), f"{tmp}/out{n}"],
                                  capture_output=True, text=True, check=True)
            r = json.loads(done.stdout.strip().splitlines()[-1])
            peaks[n] = r["peak_mb"]
            print(f"n={n}: {r['seconds']:.1f} s, CPU {r.get('cpu', 0):.1f} s (with making the synthetic batches), "
                  f"peak {r['peak_mb']:.0f} MB (after imports and templates {r['base_mb']:.0f} MB), "
                  f"{r['cross_findings']} cross-year findings; {r['counts']}")
        first, last = min(peaks, default=0), max(peaks, default=0)
        if len(peaks) > 1:
            print(f"peak at {last:,} / peak at {first:,}: {peaks[last] / peaks[first]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
