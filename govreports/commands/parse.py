"""``govreports parse PATH... -o OUT/``: read reports into tidy CSV and Parquet tables.

One line per file (agency, year, template, cells read, findings); a file that is not a
readable report gets one clear line and the rest go on; the exit code is 1 if any file failed.
Writes ``reports``, ``requests``, ``appeals``, ``disclosure``, ``findings`` as ``.csv`` and
``.parquet`` under OUT, every row carrying its ``report_id``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from .. import frames
from .. import template
from ..exceptions import ReportError
from ..limits import current as current_limits
from ..report import read_report
from ..timelimit import TimedOut, time_limit

TABLES = ("requests", "appeals", "disclosure", "findings")


def add_parser(sub) -> None:
    p = sub.add_parser("parse", help="read reports into tidy CSV and Parquet tables",
                       description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", help="report files or folders")
    p.add_argument("-o", "--out", default="out/parsed", help="output folder (default: out/parsed)")
    p.add_argument("-q", "--quiet", action="store_true", help="no line per file")
    p.set_defaults(func=run)


def _files(paths: list[str]) -> list[Path]:
    from ..corpus import list_files
    out: list[Path] = []
    for p in paths:
        try:
            out.extend(list_files(p))
        except FileNotFoundError:
            out.append(Path(p))  # reported as a failure below, with the others going on
    return out


def no_files_message(paths) -> str:
    """The one line for a folder (or pattern) with no report file in it."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    return (f"no report files found in {', '.join(str(p) for p in paths)} (looked for every file but hidden "
            "ones, README, .json/.jsonl/.parquet)")


def summary_line(r) -> str:
    """Given a Report, return the one-line summary the CLI prints."""
    m, f = r.meta, r.findings
    n_err = int((f["severity"] == "error").sum())
    n_warn = int((f["severity"] == "warning").sum())
    wide = r.requests_wide()
    got = lambda row: (wide.loc[row, "total"] if row in wide.index else pd.NA)  # noqa: E731
    return (f"{m.agency or m.agency_as_printed or '?'} {m.year or '?'} template {m.template or '?'}: "
            f"received {got(template.RECEIVED_NEW)}, {template.ROW_BY_KEY[template.OUTCOME_TOTAL].label} {got(template.OUTCOME_TOTAL)}; "
            f"{len(r.requests)}+{len(r.appeals)}+{len(r.disclosure)} cells; {n_err} errors, {n_warn} warnings")


def run(args) -> int:
    files = _files(args.paths)
    if not files:
        print(f"govreports parse: {no_files_message(args.paths)}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    metas, failed = [], 0
    timeout = current_limits().timeout
    for path in files:
        try:
            with time_limit(timeout):
                r = read_report(path)
        except TimedOut:
            err = ReportError(str(path), f"timed out after {timeout:g} s (limit GOVREPORTS_TIMEOUT)")
            failed += 1
            print(f"FAILED {err}", file=sys.stderr)
            metas.append({"report_id": None, "source": str(path), "status": "failed", "error": err.problem})
            continue
        except ReportError as err:
            failed += 1
            print(f"FAILED {err}", file=sys.stderr)
            metas.append({"report_id": None, "source": str(path), "status": "failed", "error": err.problem})
            continue
        except Exception as err:  # noqa: BLE001 - one bad file never stops a batch
            failed += 1
            print(f"FAILED {path}: {type(err).__name__}: {err}", file=sys.stderr)
            metas.append({"report_id": None, "source": str(path), "status": "failed",
                          "error": f"{type(err).__name__}: {err}"})
            continue
        for t in TABLES:
            parts[t].append(getattr(r, t))
        metas.append({**r.meta.to_dict(), "status": "parsed", "error": None})
        if not args.quiet:
            print(f"ok     {path}: {summary_line(r)}")
    for t in TABLES:
        df = pd.concat(parts[t], ignore_index=True) if parts[t] else frames.empty(t)
        df.to_csv(out / f"{t}.csv", index=False)
        df.to_parquet(out / f"{t}.parquet", index=False)
    reports = pd.DataFrame(metas)
    reports.to_csv(out / "reports.csv", index=False)
    reports.astype({c: "string" for c in reports.columns if reports[c].dtype == object}).to_parquet(
        out / "reports.parquet", index=False)
    print(f"{len(metas) - failed} parsed, {failed} failed; tables written to {out}/")
    return 1 if failed else 0
