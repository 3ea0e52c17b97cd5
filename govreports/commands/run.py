"""``govreports run [PATH] -o OUT/``: the whole job on a folder of reports, in one command.

Reads every report into a corpus (``OUT/corpus``, Parquet), prints each agency's requests and
its refused / unanswerable shares, writes a citable release (``OUT/release``: Parquet, CSV, Stata,
Excel, codebook; :mod:`govreports.export`), executes the four notebooks through papermill into HTML
(``OUT/reports/index.html``), and says where everything is. The README's first command.
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
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--no-notebooks", action="store_true", help="stop after the corpus and the summary")
    p.set_defaults(func=run)


def summary_table(corpus) -> pd.DataFrame:
    """One row per report: agency, year, received, handled, refused and unanswerable shares, errors."""
    from .. import analysis

    shares = analysis.outcome_shares(corpus, by="report")
    reports = corpus.reports.set_index("report_id")
    errors = corpus.findings[corpus.findings["severity"] == "error"].groupby("report_id").size()
    out = pd.DataFrame({
        "agency": reports.loc[shares["report_id"], "agency"].fillna(
            reports.loc[shares["report_id"], "source"].map(lambda s: f"(no name: {Path(s).name})")).values,
        "year": reports.loc[shares["report_id"], "year"].values,
        "received": shares["received_new"].values,
        "handled": shares["handled"].values,
        "refused_share": shares["refused_share"].round(4).values,
        "unanswerable_share": shares["unanswerable_share"].round(4).values,
        "errors": errors.reindex(shares["report_id"]).fillna(0).astype(int).values,
        "note": [("page cut short" if bool(t) else "table 3 incomplete") if pd.isna(h) else ""
                 for t, h in zip(reports.loc[shares["report_id"], "truncated"].fillna(False), shares["handled"])],
    })
    return out.sort_values(["agency", "year"]).reset_index(drop=True)


LEGEND = ("one row per report: received = 本年新收 (table 3 total), handled = sum of the outcome rows, "
          "refused_share = 不予公开 / handled, unanswerable_share = 无法提供 / handled (NaN where handled is "
          "unknown or 0), errors = identities the report's own numbers break")


def run(args) -> int:
    from .. import corpus as _corpus
    from .. import notebooks

    out = Path(args.out)
    print(f"reading {args.path} ...", flush=True)
    c = _corpus.read_corpus(args.path, workers=args.workers, cache=out / "cache", out=out / "corpus")
    print(_corpus.format_counts(c.counts))
    failed = c.reports[c.reports["status"] == "failed"]
    for _, row in failed.iterrows():
        print(f"FAILED {row['source']}: {row['error']}", file=sys.stderr)
    print(LEGEND)
    with pd.option_context("display.width", 160, "display.max_rows", 200, "display.max_colwidth", 40):
        print(summary_table(c).to_string(index=False))
    print(f"corpus written to {out / 'corpus'}/ (open it with govreports.open_corpus)")
    from ..export import export, summary

    print(summary(export(c, out / "release")))
    if args.no_notebooks:
        return 0
    results = notebooks.run_all(out / "corpus", out / "reports")
    print(notebooks.summary(results))
    print(f"HTML reports: {(out / 'reports' / 'index.html').resolve()}")
    return 0 if all(r.ok for r in results) else 1
