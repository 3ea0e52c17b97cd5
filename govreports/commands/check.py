"""``govreports check PATH... [-o out/] [--strict]``: which identities fail, report by report.

    govreports check data/reports/seeds/004_454a5f1be846ec67.txt
    govreports check reports/ -o out/ --strict --workers 8

Prints a readable summary per report (each error and warning with the printed numbers), lists the
files that could not be read (they do not stop the run), with ``-o OUT`` writes every finding,
including the cross-year ones (:func:`govreports.findings.cross_year_findings`), to
``OUT/findings.csv`` (without ``-o`` nothing is written), and with ``--strict`` exits 1 when any
finding is an ``error`` or any file is unreadable.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def add_parser(subparsers) -> None:
    """Register ``check`` on the CLI's subparsers."""
    parser = subparsers.add_parser("check", help="check reports' arithmetic and prose; write findings.csv",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="report file, folder or glob pattern")
    parser.add_argument("-o", "--out", default=None, help="folder to write findings.csv into (default: write nothing)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any finding is an error or a file is unreadable")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    parser.add_argument("--cache", default=None, help="cache of parsed reports (default: none)")
    parser.add_argument("--all", action="store_true", help="also list info findings and reports with none")
    parser.add_argument("--html", default=None, metavar="OUT.html",
                        help="also write the check page a disclosure office reads (one report: this file; "
                             "several: a folder with one page each)")
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Read the reports, print the summary, write findings.csv; return the exit code."""
    from govreports.corpus import read_corpus
    from govreports.findings import corpus_findings, finding, sort_findings

    corpus = read_corpus(args.paths, workers=args.workers, cache=args.cache)
    reports = corpus.reports
    findings = corpus_findings(corpus)
    failed = reports[reports["status"] == "failed"]
    unreadable = [{"report_id": r.report_id, **finding("unreadable", f"{r.source}: {r.error}", location=str(r.source))}
                  for r in failed.itertuples()]
    if unreadable:
        findings = pd.concat([findings, pd.DataFrame(unreadable).astype(findings.dtypes.to_dict())],
                             ignore_index=True)
    findings = sort_findings(findings)
    print(summary(reports, findings, show_all=args.all))
    n_err = int((findings["severity"] == "error").sum())
    if args.out is None:
        print(f"\n{len(findings)} findings ({n_err} errors); nothing written (add -o FOLDER to write findings.csv)")
    else:
        out = Path(args.out).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        path = out / "findings.csv"
        with_source = findings.merge(reports[["report_id", "source"]].drop_duplicates("report_id"), on="report_id",
                                     how="left")
        with_source.to_csv(path, index=False, encoding="utf-8")
        print(f"\n{len(findings)} findings ({n_err} errors) written to {path}")
    if args.html:
        for page in write_pages(reports, args.html):
            print(f"check page: {page}")
    return 1 if args.strict and (n_err or len(failed)) else 0


def summary(reports: pd.DataFrame, findings: pd.DataFrame, show_all: bool = False) -> str:
    """Given a corpus's reports and findings, return the per-report summary a person reads."""
    lines: list[str] = []
    by_report = {rid: g for rid, g in findings.groupby("report_id", sort=False)}
    for r in reports.sort_values("source").itertuples():
        f = by_report.get(r.report_id, findings.iloc[:0])
        if r.status == "failed":
            lines.append(f"✗ {r.source}: could not be read: {r.error}")
            continue
        if isinstance(r.duplicate_of, str):
            lines.append(f"= {r.source}: duplicate of {r.duplicate_of} (not checked again)")
            continue
        shown = f if show_all else f[f["severity"] != "info"]
        n_err, n_warn = int((f["severity"] == "error").sum()), int((f["severity"] == "warning").sum())
        if not len(shown) and not show_all:
            continue
        mark = "✗" if n_err else ("!" if n_warn else "✓")
        who = " ".join(str(x) for x in (r.agency if isinstance(r.agency, str) else "?",
                                        r.year if pd.notna(r.year) else "?") )
        lines.append(f"{mark} {r.source} ({who}, template {r.template}): {n_err} errors, {n_warn} warnings")
        lines += [f"    {format_finding(x)}" for x in shown.itertuples()]
    n_ok = int(((reports["status"] == "parsed") & ~reports["report_id"].isin(
        findings.loc[findings["severity"] != "info", "report_id"])).sum())
    lines.append(f"\n{len(reports)} files: {n_ok} with no error or warning, "
                 f"{findings.loc[findings['severity'] == 'error', 'report_id'].nunique()} with errors, "
                 f"{int((reports['status'] == 'failed').sum())} unreadable")
    return "\n".join(lines)


def format_finding(f) -> str:
    """Given one finding (a namedtuple row), return one line: severity, check, where, numbers, message."""
    where = ".".join(x for x in (f.table, f.key, f.applicant or f.proceeding) if isinstance(x, str) and x)
    numbers = f" expected {f.expected}, found {f.found}:" if f.expected or f.found else ""
    loc = f" [{f.location}]" if isinstance(f.location, str) and f.location else ""
    return f"{f.severity:<7} {f.check} {where}{numbers} {f.message}{loc}"


def write_pages(reports: pd.DataFrame, target: str) -> list[Path]:
    """Write the check page of each report (:mod:`govreports.check_page`): to ``target`` for one
    report, else into the folder ``target``, one ``<file stem>.html`` each; return the paths."""
    from html import escape

    import govreports as gr
    from govreports.check_page import check_page

    target_path = Path(target).expanduser()
    rows = list(reports.sort_values("source").itertuples())
    paths = []
    for r in rows:
        path = target_path if len(rows) == 1 else target_path / f"{Path(str(r.source)).stem}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        if r.status == "parsed":
            page = check_page(gr.read_report(r.source))
        else:
            page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><h1>无法读取 · unreadable</h1>"
                    f"<p>{escape(str(r.source))}: {escape(str(r.error))}</p></body></html>")
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths
