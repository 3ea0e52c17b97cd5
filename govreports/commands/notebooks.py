"""``govreports notebooks``: run the analysis notebooks in batch (see :mod:`govreports.notebooks`).

    govreports notebooks list
    govreports notebooks run agency_profile --corpus corpus/ --for-each agency -o reports/
    govreports notebooks run compare_agencies --corpus corpus/ -p year 2020 -p min_volume 10 -o reports/
    govreports notebooks run-all --corpus corpus/ -o out/reports
"""
from __future__ import annotations

import sys
import warnings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("notebooks", help="run the analysis notebooks (papermill) into .ipynb + HTML",
                                   description=__doc__)
    sub = parser.add_subparsers(dest="notebooks_command", required=True)

    ls = sub.add_parser("list", help="list the notebooks and their parameters")
    ls.set_defaults(func=_list)

    run = sub.add_parser("run", help="execute one notebook, or one per agency")
    run.add_argument("notebook", help="a name (agency_profile, cross_year, compare_agencies, data_quality) or a path")
    _common(run)
    run.add_argument("--for-each", choices=("agency",), help="one run per agency of the corpus")
    run.set_defaults(func=_run)

    run_all = sub.add_parser("run-all", help="execute all four notebooks (agency_profile for each agency)")
    _common(run_all)
    run_all.set_defaults(func=_run_all)


def _common(p) -> None:
    p.add_argument("--corpus", required=True, help="a Parquet corpus folder or a folder of report files")
    p.add_argument("-o", "--out", "--output", dest="output", required=True,
                   help="folder for the executed notebooks and HTML pages")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="a notebook parameter (a Python literal, else text); repeatable")
    p.add_argument("--agencies", help="comma-separated agency names or keys to run for (with --for-each agency)")
    p.add_argument("--workers", type=int, default=None, help="notebooks run at a time (default: one per core)")


def _parameters(args) -> dict:
    from ..notebooks import parse_value

    return {name: parse_value(value) for name, value in args.parameter}


def _only(args):
    return [a.strip() for a in args.agencies.split(",") if a.strip()] if args.agencies else None


def _list(args) -> int:
    from .. import notebooks as gn

    for name in gn.NOTEBOOKS:
        params = ", ".join(f"{k}={v!r}" for k, v in gn.notebook_parameters(name).items())
        print(f"{name}: {params}")
    return 0


def _finish(results) -> int:
    from ..notebooks import summary

    print(summary(results), file=sys.stderr)
    return 1 if any(not r.ok for r in results) else 0


def _warn_to_stderr() -> None:
    warnings.simplefilter("always", UserWarning)
    warnings.showwarning = lambda message, *a, **k: print(f"warning: {message}", file=sys.stderr)


def _run(args) -> int:
    from .. import notebooks as gn

    _warn_to_stderr()
    params = _parameters(args)
    if args.for_each and args.for_each in params:
        print(f"warning: -p {args.for_each} is replaced by --for-each {args.for_each}", file=sys.stderr)
    results = gn.run(args.notebook, args.corpus, args.output, params, for_each=args.for_each, only=_only(args),
                     workers=args.workers)
    return _finish(results)


def _run_all(args) -> int:
    from .. import notebooks as gn

    _warn_to_stderr()
    results = gn.run_all(args.corpus, args.output, _parameters(args), only=_only(args), workers=args.workers)
    print(f"index: {args.output}/index.html", file=sys.stderr)
    return _finish(results)
