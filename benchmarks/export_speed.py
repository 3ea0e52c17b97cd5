"""How fast ``govreports export`` writes a release, and how much memory it takes, as the corpus grows.

    python benchmarks/export_speed.py                          # 10,000 and 100,000 reports
    python benchmarks/export_speed.py --sizes 20000 --formats parquet csv dta

Parsing 100,000 reports takes minutes (benchmarks/corpus_build.py); the export starts from a corpus
folder, so this script writes the corpus tables directly (what ``read_corpus(out=...)`` writes:
``reports.parquet`` and parts of 2,000 reports per table) with synthetic but template-shaped
values: 6 years, about 17,000 agencies in real regions, every cell of tables 2, 3 and 4, and each
part's per-report figures as a build keeps them (govreports.figures.BuildFigures). Each
export runs in a fresh process so that its peak memory (VmHWM) is its own; printed beside it,
the peak once the corpus is opened and govreports imported (what the export adds is the difference), the wall time and the CPU time (the machine is often shared: CPU time says more).
Printed, never asserted. Goal: 100,000 reports in under a minute, peak memory flat in the
corpus's size. ``--keep DIR`` keeps the synthetic corpora for the next run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from govreports.corpus import REPORT_COLUMNS, SCHEMAS
from govreports.corpus.store import _write_part
from govreports.figures import BuildFigures
from govreports.template import (APPLICANT_KEYS, DISCLOSURE_ITEMS, PROCEEDING_KEYS, REQUEST_ROWS, RESULT_KEYS,
                                 template_for_year)

PART = 2000
YEARS = list(range(2019, 2025))
LEVELS = ["provincial", "city", "county", "township"]


def _regions() -> list[str]:
    from govreports.agencies import _division_codes

    _, by_code = _division_codes()
    out = []
    for code, name in sorted(by_code.items()):
        if code.endswith("00000000") and not code.endswith("0000000000"):   # a city
            province = by_code.get(code[:2] + "0" * 10)
            if province and not name.endswith("辖区"):
                out.append(f"{province}/{name}")
    return out


def write_corpus(folder: Path, n: int, seed: int = 0, tables: bool = True) -> None:
    """Write a corpus folder of ``n`` synthetic reports (tables written part by part; with
    ``tables=False`` only reports.parquet and corpus.json, as benchmarks/corpus_memory.py uses)."""
    rng = np.random.default_rng(seed)
    regions = _regions()
    n_agencies = max(1, n // len(YEARS))
    agency_region = rng.integers(0, len(regions), n_agencies)
    agency_level = rng.integers(0, len(LEVELS), n_agencies)
    ids = [f"{i:016x}" for i in range(n)]
    agency_of = np.arange(n) % n_agencies
    year_of = np.array([YEARS[(i // n_agencies) % len(YEARS)] for i in range(n)])
    names = [f"{regions[agency_region[a]].split('/')[-1]}第{a}局" for a in range(n_agencies)]
    reports = {c: [None] * n for c in REPORT_COLUMNS}
    reports["report_id"] = ids
    reports["sha256"] = [f"{i:064x}" for i in range(n)]
    reports["source"] = [f"reports/{i}.html" for i in range(n)]
    reports["format"] = ["html"] * n
    reports["status"] = ["parsed"] * n
    reports["agency"] = reports["agency_key"] = reports["agency_as_printed"] = [names[a] for a in agency_of]
    reports["agency_link"] = ["exact"] * n
    reports["year"] = year_of.tolist()
    reports["template"] = [template_for_year(int(y)) for y in year_of]
    reports["level"] = [LEVELS[agency_level[a]] for a in agency_of]
    reports["region"] = [regions[agency_region[a]] for a in agency_of]
    reports["truncated"] = [False] * n
    import pandas as pd

    df = pd.DataFrame(reports).astype(REPORT_COLUMNS)
    folder.mkdir(parents=True, exist_ok=True)
    df.to_parquet(folder / "reports.parquet", index=False)
    if not tables:
        _write_counts(folder, n)
        return
    with BuildFigures(folder) as figs:   # each part's figures, kept as a build keeps them
        _write_tables(folder, n, ids, year_of, rng, figs)
    _write_counts(folder, n)   # written last: a folder with corpus.json is a whole corpus (--keep reuses it)


def _write_tables(folder: Path, n: int, ids: list[str], year_of, rng, figs: BuildFigures) -> None:
    req_cells = [(r.key, a) for r in REQUEST_ROWS for a in APPLICANT_KEYS]
    app_cells = [(p, r) for p in PROCEEDING_KEYS for r in RESULT_KEYS]
    disc_cells = {t: [(i.key, m.key, m.unit) for i in items for m in i.measures] for t, items in DISCLOSURE_ITEMS.items()}
    for part, start in enumerate(range(0, n, PART)):
        rid = np.array(ids[start:start + PART])
        k = len(rid)
        figs.add("requests", _table(folder, "requests", part, rid, req_cells, rng, ("row", "applicant")))
        figs.add("appeals", _table(folder, "appeals", part, rid, app_cells, rng, ("proceeding", "result")))
        templ = [template_for_year(int(y)) for y in year_of[start:start + PART]]
        rows = [(r, item, m, unit) for r, t in zip(rid, templ) for item, m, unit in disc_cells[t]]
        vals = rng.integers(0, 500, len(rows))
        cols = {"report_id": [r[0] for r in rows], "item": [r[1] for r in rows], "measure": [r[2] for r in rows],
                "value": vals.astype(float).tolist(), "unit": [r[3] for r in rows], "blank": [False] * len(rows),
                "printed": vals.astype(str).tolist(), "location": ["page 2 table 1"] * len(rows)}
        _write(folder, "disclosure", part, cols)
        nf = k // 2
        who = rng.choice(rid, nf)
        fcols = {c: [None] * nf for c in SCHEMAS["findings"].names}
        fcols.update(report_id=who.tolist(), check=["row_total"] * nf, table=["requests"] * nf,
                     severity=rng.choice(["error", "warning", "info"], nf).tolist(),
                     message=["总计 = 各类申请人之和 fails"] * nf)
        figs.add("findings", _write(folder, "findings", part, fcols))


def _write_counts(folder: Path, n: int) -> None:
    (folder / "corpus.json").write_text(json.dumps({"counts": {"files": n, "parsed": n, "failed": 0,
                                                               "duplicates": 0}}), encoding="utf-8")


def _table(folder, name, part, rid, cells, rng, keys) -> Path:
    k, c = len(rid), len(cells)
    vals = rng.integers(0, 50, k * c)
    cols = {"report_id": np.repeat(rid, c).tolist(), keys[0]: [a for a, _ in cells] * k,
            keys[1]: [b for _, b in cells] * k, "value": vals.tolist(), "blank": (vals == 0).tolist(),
            "printed": vals.astype(str).tolist(), "location": ["line 57"] * (k * c)}
    return _write(folder, name, part, cols)


def _write(folder: Path, name: str, part: int, cols: dict) -> Path:
    """Write one part of table ``name`` (with the corpus writer's _write_part) and return its path."""
    schema = SCHEMAS[name]
    arrays = [pa.array(cols.get(f.name, [None] * len(cols["report_id"])), type=f.type) for f in schema]
    return _write_part(pa.Table.from_arrays(arrays, schema=schema), folder / name, part)


def export_in_child(corpus: Path, out: Path, formats: list[str]) -> dict:
    code = f"""
import json, resource, time
from govreports.corpus import open_corpus
from govreports.export import export

def hwm():   # this process's peak (ru_maxrss would carry the parent's peak into a child)
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024

start = time.perf_counter()
corpus = open_corpus({str(corpus)!r})   # reads corpus.json only: the export reads the tables itself
opened = hwm()
export(corpus, {str(out)!r}, formats={tuple(formats)!r})
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - start, "cpu_seconds": use.ru_utime + use.ru_stime,
                  "peak_mb": hwm(), "opened_mb": opened}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv", "dta", "xlsx"])
    parser.add_argument("--tmp", default=None, help="folder for the corpora and releases (default: a temp dir)")
    parser.add_argument("--keep", default=None, help="folder where the synthetic corpora are kept and reused")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for n in args.sizes:
            corpus = Path(args.keep or tmp) / f"corpus{n}"
            start = time.perf_counter()
            if not (corpus / "corpus.json").exists():
                write_corpus(corpus, n)
            made = time.perf_counter() - start
            got = export_in_child(corpus, Path(tmp) / f"release{n}", args.formats)
            info = json.loads((Path(tmp) / f"release{n}" / "release.json").read_text(encoding="utf-8"))
            size = sum(f["bytes"] for f in info["files"]) / 1e6
            print(f"{n:>7} reports (tables made in {made:.0f} s): export {got['seconds']:.1f} s wall, "
                  f"{got['cpu_seconds']:.1f} s CPU (process and its threads), "
                  f"peak {got['peak_mb']:.0f} MB ({got['opened_mb']:.0f} MB once the corpus is opened), "
                  f"{size:.0f} MB written, rows {info['counts']['rows']}, "
                  f"left out: {info['skipped']}, steps (s): {info['seconds_by_step']}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
