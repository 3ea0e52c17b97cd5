"""``govreports run [PATH] -o OUT/``: the whole job on a folder of reports, in one command.

Reads every report into a corpus (``OUT/corpus``, Parquet; per-file cache in ``OUT/cache``),
prints each agency's requests and its refused / unanswerable shares, writes a citable release
(``OUT/release``: Parquet, CSV, Stata, Excel, codebook; :mod:`govreports.export`), executes the
four notebooks through papermill into HTML, one per core (``OUT/reports/index.html``; an agency
profile for each agency with a known figure), and says where everything is. The README's first command.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="read a folder, build the corpus, execute the notebooks (the main job)",
                       description=__doc__.splitlines()[0])
    p.add_argument("path", nargs="?", default="data/reports", help="folder of reports (default: data/reports)")
    p.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes reading reports and notebooks run at a time (default: all cores)")
    p.add_argument("--no-notebooks", action="store_true", help="stop after the corpus and the summary")
    p.set_defaults(func=run)


def summary_table(corpus) -> pd.DataFrame:
    """One row per report: agency (its name, else the file name), year, received, handled, the
    refused and unanswerable shares with their counts, errors, and a note where a figure is not known."""
    from ..summary import summary_frame

    return summary_frame(corpus, by="report")


def run(args) -> int:
    from .. import corpus as _corpus
    from .. import notebooks
    from ..summary import LEGEND, to_text
    from .parse import no_files_message

    if not _corpus.list_files(args.path):
        print(f"govreports run: {no_files_message(args.path)}", file=sys.stderr)
        return 1
    out = Path(args.out)
    print(f"reading {args.path} ...", flush=True)
    c = _corpus.read_corpus(args.path, workers=args.workers, cache=out / "cache", out=out / "corpus")
    print(_corpus.format_counts(c.counts))
    failed = c.reports[c.reports["status"] == "failed"]
    for _, row in failed.iterrows():
        print(f"FAILED {row['source']}: {row['error']}", file=sys.stderr)
    print(f"one row per report: {LEGEND}")
    print(to_text(summary_table(c)))
    print(f"corpus written to {out / 'corpus'}/ (open it with govreports.open_corpus)")
    from ..export import export, summary

    print(summary(export(c, out / "release")))
    if args.no_notebooks:
        return 0
    results = notebooks.run_all(out / "corpus", out / "reports", workers=args.workers)
    print(notebooks.summary(results))
    print(f"HTML reports: {(out / 'reports' / 'index.html').resolve()}")
    return 0 if all(r.ok for r in results) else 1
