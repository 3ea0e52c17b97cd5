"""``govreports corpus build PATH... -o corpus/``: read many reports into a Parquet dataset.

    govreports corpus build reports/ -o corpus/ --workers 8
    govreports corpus build reports/ -o corpus/ --engine dask --scheduler tcp://head:8786
    govreports corpus build reports/ -o corpus/ --strict --timeout 30   # exit 1 if any file failed
"""
from __future__ import annotations

import argparse
import sys
import time


def add_parser(subparsers) -> None:
    """Register ``corpus`` (with its ``build`` action) on the CLI's subparsers."""
    parser = subparsers.add_parser("corpus", help="read many reports into one Parquet dataset",
                                   description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="read report files (folders, globs, files) into -o FOLDER")
    build.add_argument("paths", nargs="+", metavar="PATH", help="folder, glob pattern or file")
    build.add_argument("-o", "--out", required=True, help="folder for the Parquet dataset")
    build.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    build.add_argument("--cache", default="~/.cache/govreports",
                       help="cache of parsed reports (default: ~/.cache/govreports)")
    build.add_argument("--no-cache", action="store_true", help="parse every file, keep no cache")
    build.add_argument("--engine", choices=("local", "dask"), default="local")
    build.add_argument("--scheduler", default=None,
                       help="dask scheduler address, e.g. tcp://head:8786 (default: a LocalCluster)")
    build.add_argument("--chunk-size", type=int, default=2000, help="reports per Parquet part")
    build.add_argument("--timeout", type=float, default=None,
                       help="seconds one file may take before it is failed (default: 60, or GOVREPORTS_TIMEOUT; 0: none)")
    build.add_argument("--strict", action="store_true", help="exit 1 when any file failed")
    build.add_argument("--corrections", default=None, metavar="FILE",
                       help="corrections file (CSV or YAML) applied to the cells it names")
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    """Build the dataset, print the counts and, last, how many files failed and where their errors
    are. Exit 0 (failed files are data, not a failed run), or 1 with ``--strict`` when any file
    failed; 1 when the folder is being built by another run or is not a corpus folder."""
    from govreports.corpus import format_counts, read_corpus
    from govreports.exceptions import CorpusLockedError

    if args.scheduler and args.engine != "dask":
        print("--scheduler needs --engine dask")
        return 2
    start = time.perf_counter()
    try:
        corpus = read_corpus(args.paths, workers=args.workers, cache=None if args.no_cache else args.cache,
                             out=args.out, engine=args.engine, scheduler=args.scheduler,
                             chunk_size=args.chunk_size, timeout=args.timeout, corrections=args.corrections)
    except (CorpusLockedError, FileExistsError, NotADirectoryError) as err:
        print(f"corpus build: {err}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(format_counts(corpus.counts))
    print(f"written to {corpus.folder} in {seconds:.1f} s")
    failed = int((corpus.reports["status"] == "failed").sum())
    where = f": their errors are in {corpus.folder / 'failed.csv'}" if failed else ""
    print(f"{failed} of {len(corpus.reports)} files failed{where}")
    return 1 if args.strict and failed else 0
