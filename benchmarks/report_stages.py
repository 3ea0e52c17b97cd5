"""Where read_report's time goes, stage by stage (CPU ms per report, never asserted).

    python benchmarks/report_stages.py --corpus /tmp/corpus_probe2k [--files 600] [--runs 3]

Each stage ``read_report`` calls (reader, placing, title, agency, checks, sections, ...) is wrapped
with a ``time.process_time`` counter; the files are read ``--runs`` times and the best run per
stage is printed, with the time left to ``read_report`` itself (lines, meta, the garbage collector's
easing, loading the bytes). A corpus with every text/HTML layout is made by
``benchmarks/corpus_build.py --corpus DIR``.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import govreports
from govreports import checks, report
from govreports.corpus import list_files
from govreports.lightgc import light_gc
from govreports.limits import current
from govreports.parse import document_keys, layout_of, parse_document
from govreports.readers import read_document

# (module, function name) of every stage, in the order read_report runs them
STAGES = [(report, n) for n in ("read_document", "find_title", "find_year", "document_keys", "split_copies",
                                "layout_of", "parse_document", "_compare_copies", "find_agency", "expand_agency",
                                "level_of", "_reader_findings", "find_published", "report_scope", "check_report",
                                "report_sections")]
CHECKS = [(checks, n) for n in ("check_identities", "check_values", "check_prose", "check_meta")]

_spent: dict[str, float] = defaultdict(float)


def _timed(name, fn):
    clock = time.process_time

    def wrapper(*a, **k):
        t = clock()
        try:
            return fn(*a, **k)
        finally:
            _spent[name] += clock() - t
    return wrapper


def _reader_and_placing(path, year) -> None:
    """What read_report does before the stages this script times separately: the file read into a
    document, its cells' keys, its layout, its cells placed (the year as read before)."""
    doc = read_document(Path(path).read_bytes(), str(path), current())
    keys = document_keys(doc)
    parse_document(doc, year, layout_of(doc, keys))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/tmp/corpus_probe2k")
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = list_files(args.corpus)[: args.files]
    for f in files[:50]:
        govreports.read_report(f)  # warm: imports, lazy tables
    years = [govreports.read_report(f).meta.year for f in files]
    plain, alone = [], []
    for _ in range(args.runs):
        t = time.process_time()
        for f in files:
            govreports.read_report(f)
        plain.append((time.process_time() - t) / len(files) * 1000)
        t = time.process_time()
        with light_gc():
            for f, year in zip(files, years):
                _reader_and_placing(f, year)
        alone.append((time.process_time() - t) / len(files) * 1000)
    print(f"{govreports.__file__}: {len(files)} files, CPU ms per report, unwrapped (best of {args.runs}):")
    print(f"  read_report {min(plain):.3f}, the reader and placing alone {min(alone):.3f}, "
          f"the rest {min(plain) - min(alone):.3f} (runs: {', '.join(f'{x:.3f}' for x in plain)} and "
          f"{', '.join(f'{x:.3f}' for x in alone)})")
    for mod, name in STAGES + CHECKS:
        setattr(mod, name, _timed(name, getattr(mod, name)))
    best: dict[str, float] = {}
    for _ in range(args.runs):
        _spent.clear()
        t = time.process_time()
        for f in files:
            govreports.read_report(f)
        total = time.process_time() - t
        _spent["total (wrapped)"] = total
        _spent["read_report's own"] = total - sum(v for k, v in _spent.items()
                                                   if k != "total (wrapped)" and (checks, k) not in CHECKS)
        for k, v in _spent.items():
            best[k] = min(best.get(k, v), v)
    print(f"  wrapped, each stage timed (best of {args.runs}):")
    for k, v in best.items():
        print(f"  {k:24s} {v / len(files) * 1000:7.3f}")
    after = sum(best.get(n, 0) for _, n in STAGES if n not in ("read_document", "document_keys", "layout_of",
                                                                "parse_document")) + best["read_report's own"]
    before = sum(best[n] for n in ("read_document", "document_keys", "layout_of", "parse_document"))
    print(f"  {'after reader+placing':24s} {after / len(files) * 1000:7.3f}  (every stage but the reader, "
          "document_keys, layout_of, parse_document)")
    print(f"  {'reader+placing':24s} {before / len(files) * 1000:7.3f}")
    print(f"  after / (reader+placing) {after / before:7.3f}  (a ratio the machine's load changes less)")


if __name__ == "__main__":
    main()
