"""``govreports export CORPUS -o release/``: a citable release of a corpus for Stata, R, Excel, pandas.

    govreports export out/corpus -o out/release
    govreports export data/reports -o out/release --formats parquet csv
    govreports export out/corpus -o out/release --corrections corrections.csv

CORPUS is a Parquet corpus folder (``govreports corpus build``) or a folder of report files (read
first, without a cache). Writes the panel, the rollups and the long tables in Parquet, CSV (UTF-8
with BOM), Stata 118 and one .xlsx workbook, with a codebook, release.json and a README.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers) -> None:
    """Register ``export`` on the CLI's subparsers."""
    from govreports.export import FORMATS, XLSX_MAX_CELLS

    p = subparsers.add_parser("export", help="write a documented release (Parquet, CSV, Stata, Excel, codebook)",
                              description=__doc__.splitlines()[0])
    p.add_argument("corpus", metavar="CORPUS", help="a Parquet corpus folder or a folder of reports")
    p.add_argument("-o", "--out", required=True, help="release folder")
    p.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS), help="formats (default: all)")
    p.add_argument("--corrections", nargs="+", default=None,
                   help="the corrections file(s) the corpus was built with (their SHA-256 goes into release.json)")
    p.add_argument("--xlsx-max-cells", type=int, default=XLSX_MAX_CELLS,
                   help=f"leave a table out of the workbook beyond this many cells (default: {XLSX_MAX_CELLS:,})")
    p.add_argument("--title", default=None, help="title of the release README")
    p.set_defaults(func=run)


def load(path: str):
    """Given a Parquet corpus folder or a folder of report files, return the Corpus."""
    from govreports.corpus import open_corpus, read_corpus

    folder = Path(path).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"no corpus at {path}")
    if (folder / "reports.parquet").exists():
        return open_corpus(folder)
    return read_corpus(folder, cache=None)


def run(args: argparse.Namespace) -> int:
    """Write the release, print where it is and what is in it."""
    from govreports.export import export, summary

    corpus = load(args.corpus)
    out = export(corpus, args.out, formats=tuple(args.formats), corrections=args.corrections,
                 xlsx_max_cells=args.xlsx_max_cells, title=args.title)
    print(summary(out))
    return 0
