"""``govreports brief --corpus C --agency NAME [--year Y] [--lang en] -o brief.md|.html|.docx``.

    govreports brief --corpus out/corpus --agency 上海市人民政府办公厅 -o out/brief.docx
    govreports brief --corpus data/reports --agency 上海市人民政府办公厅 --year 2019 --lang en -o out/brief.md

One page on one agency and year (:mod:`govreports.brief`): requests and their change, how they
ended, appeals, its place among its peers, data-quality caveats; every number with a note back to
its printed cells.
"""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    """Register ``brief`` on the CLI's subparsers."""
    parser = subparsers.add_parser("brief", help="write a one-page brief on one agency and year",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="a Parquet corpus folder or a folder of report files")
    parser.add_argument("--agency", required=True, help="the agency's name (or agency_key)")
    parser.add_argument("--year", type=int, default=None, help="the year reported on (default: the latest)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the brief (default zh)")
    parser.add_argument("-o", "--out", required=True, help="brief.md, brief.html or brief.docx")
    parser.set_defaults(func=run_brief)


def run_brief(args: argparse.Namespace) -> int:
    from govreports.analysis import load_corpus
    from govreports.brief import brief

    try:
        b = brief(load_corpus(args.corpus), args.agency, args.year, args.lang)
        path = b.save(args.out)
    except ValueError as err:
        print(f"govreports brief: {err}")
        return 1
    print(b.to_markdown().split("\n## ")[0].rstrip())
    print(f"\nbrief written to {path}")
    return 0
