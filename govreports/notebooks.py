"""Run the analysis notebooks in batch: one executed notebook and one HTML page per run.

Why: the notebooks in ``notebooks/`` answer one question each for given parameters (an agency, a
measure, a year). A newsroom or a research group wants the answer for *every* agency of a corpus,
as pages it can open without Jupyter. This module executes a notebook through papermill (kernel
``python3``), once or once per agency, writes the executed ``.ipynb`` and an HTML copy, goes on
past a run that fails and reports the failures at the end.

>>> from govreports import notebooks as gn
>>> gn.notebook_parameters("agency_profile")                                   # doctest: +SKIP
{'corpus': 'data/reports', 'agency': '上海市人民政府办公厅', 'years': None}
>>> results = gn.run("agency_profile", corpus="out/corpus", output_dir="out/reports",
...                  for_each="agency")                                         # doctest: +SKIP
>>> [r.name for r in results if not r.ok]                                        # doctest: +SKIP
[]
"""
from __future__ import annotations

import ast
import contextlib
import html
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("agency_profile", "cross_year", "compare_agencies", "data_quality")
FOR_EACH = ("agency",)
KERNEL = "python3"


@dataclass
class RunResult:
    """One execution: which notebook, for what, where its outputs are, and the error if it failed."""

    notebook: str
    name: str
    parameters: dict
    ipynb: Path
    html: Path | None = None
    error: str | None = None
    seconds: float = 0.0
    unknown_parameters: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def find_notebook(notebook: str | Path) -> Path:
    """Given a path or a name of :data:`NOTEBOOKS` (``agency_profile``), return the notebook's path."""
    p = Path(notebook)
    if p.suffix == ".ipynb" and p.exists():
        return p
    candidate = NOTEBOOK_DIR / f"{p.stem}.ipynb"
    if candidate.exists():
        return candidate
    raise FileNotFoundError(f"no notebook {notebook!r} (known: {', '.join(NOTEBOOKS)} in {NOTEBOOK_DIR})")


def notebook_parameters(notebook: str | Path) -> dict:
    """Given a notebook, return the names and default values of its ``parameters`` cell."""
    import papermill

    params = papermill.inspect_notebook(str(find_notebook(notebook)))
    return {name: parse_value(p["default"]) for name, p in params.items()}


def parse_value(text: str):
    """Given a parameter as typed on a command line, return it as a Python literal where it is one.

    >>> parse_value("2020"), parse_value("[2019, 2020]"), parse_value("None"), parse_value("上海市人民政府办公厅")
    (2020, [2019, 2020], None, '上海市人民政府办公厅')
    """
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def unknown_parameters(notebook: str | Path, parameters: dict) -> list[str]:
    """Given a notebook and parameters, return the names its parameters cell does not declare."""
    known = notebook_parameters(notebook)
    return [name for name in parameters if name not in known]


def file_stem(value: str) -> str:
    """Given an agency_key (or any value), return a safe file name stem; Chinese characters stay.

    >>> file_stem("淮安市/洪泽区 人民政府")
    '淮安市_洪泽区_人民政府'
    """
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", str(value)).strip("._")
    return stem[:120] or "unnamed"


def execute(notebook: str | Path, output: str | Path, parameters: dict | None = None, html_copy: bool = True,
            name: str | None = None, warn_unknown: bool = True) -> RunResult:
    """Execute one notebook with ``parameters`` into ``output`` (``.ipynb``), plus an HTML copy.

    Never raises for an error inside the notebook: the result carries it (and the executed
    notebook, with the traceback in it, is still written).
    """
    import papermill

    path = find_notebook(notebook)
    parameters = dict(parameters or {})
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    unknown = unknown_parameters(path, parameters)
    if unknown and warn_unknown:
        warnings.warn(f"{path.name}: unknown parameter(s) {', '.join(unknown)} (declared: "
                      f"{', '.join(notebook_parameters(path))})", stacklevel=2)
    result = RunResult(path.stem, name or output.stem, parameters, output, unknown_parameters=unknown)
    start = time.perf_counter()
    try:
        with _quiet_kernel():
            papermill.execute_notebook(str(path), str(output), parameters=parameters, kernel_name=KERNEL,
                                       progress_bar=False, cwd=str(path.parent))
        if html_copy:
            result.html = write_html(output)
    except Exception as err:  # noqa: BLE001 - one failing run must not stop the batch
        result.error = _error_text(err)
    result.seconds = time.perf_counter() - start
    return result


@contextlib.contextmanager
def _quiet_kernel():
    """The kernel process inherits our stderr and prints a warning there at every start ('Kernel
    is running over TCP without encryption'); send its stderr to /dev/null while it starts and
    runs. Errors in cells are in the executed notebook and in RunResult.error, not lost."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _error_text(err: Exception) -> str:
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(err).__name__}: {err}"


def write_html(ipynb: str | Path) -> Path:
    """Given an executed notebook, write its HTML copy beside it (plots embedded) and return its path."""
    import nbformat
    from nbconvert import HTMLExporter

    ipynb = Path(ipynb)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(ipynb, as_version=4))
    out = ipynb.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def agencies_of(corpus: str | Path, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Given a corpus, return (agency_key, agency name) of every agency in it, or of ``only``:
    names kept as given, so that one not in the corpus fails in its own run, not here."""
    from . import analysis as ga

    if only is not None:
        return [(a, a) for a in only]
    import pandas as pd

    reports = ga._usable_reports(ga.frames_of(ga.load_corpus(corpus)))
    names = reports.sort_values("year").groupby("agency_key", sort=True)["agency"].last()  # latest name
    return [(str(k), str(k) if pd.isna(v) else str(v)) for k, v in names.items()]


def _resolve_corpus(corpus: str | Path) -> str:
    p = Path(corpus)
    if p.exists():
        return str(p.resolve())
    root_relative = NOTEBOOK_DIR.parent / p
    return str(root_relative.resolve()) if root_relative.exists() else str(corpus)


def _print_progress(i: int, n: int, result: RunResult) -> None:
    status = "ok" if result.ok else f"FAILED: {result.error}"
    print(f"[{i}/{n}] {result.notebook} {result.name}: {status} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)


Progress = Callable[[int, int, RunResult], None]


def run(notebook: str | Path, corpus: str | Path, output_dir: str | Path, parameters: dict | None = None,
        for_each: str | None = None, only: Iterable[str] | None = None, html_copy: bool = True,
        progress: Progress | None = _print_progress) -> list[RunResult]:
    """Execute ``notebook`` on ``corpus`` into ``output_dir``; with ``for_each="agency"`` once per
    agency (``output_dir/<notebook>/<agency_key>.ipynb``), else once (``output_dir/<notebook>.ipynb``).

    ``only`` limits the agencies (names or keys). Returns one :class:`RunResult` per run.
    """
    path = find_notebook(notebook)
    output_dir = Path(output_dir)
    params = {**(parameters or {}), "corpus": _resolve_corpus(corpus)}
    if for_each is None:
        jobs = [(path.stem, output_dir / f"{path.stem}.ipynb", params)]
    elif for_each == "agency":
        jobs = [(name, output_dir / path.stem / f"{file_stem(key)}.ipynb", {**params, "agency": key})
                for key, name in agencies_of(params["corpus"], only)]
    else:
        raise ValueError(f"--for-each must be one of {', '.join(FOR_EACH)}, not {for_each!r}")
    unknown = unknown_parameters(path, params)
    if unknown:
        warnings.warn(f"{path.name}: unknown parameter(s) {', '.join(unknown)} (declared: "
                      f"{', '.join(notebook_parameters(path))})", stacklevel=2)
    results = []
    for i, (name, out, p) in enumerate(jobs, 1):
        result = execute(path, out, p, html_copy=html_copy, name=name, warn_unknown=False)
        results.append(result)
        if progress:
            progress(i, len(jobs), result)
    return results


def run_all(corpus: str | Path, output_dir: str | Path, parameters: dict | None = None,
            only: Iterable[str] | None = None, progress: Progress | None = _print_progress) -> list[RunResult]:
    """Execute all four notebooks on ``corpus``: agency_profile once per agency, the others once.
    Writes ``output_dir/index.html`` linking every page and listing the failures."""
    parameters = dict(parameters or {})
    declared = {nb: notebook_parameters(nb) for nb in NOTEBOOKS}
    unknown = [k for k in parameters if not any(k in d for d in declared.values())]
    if unknown:
        warnings.warn(f"unknown parameter(s) {', '.join(unknown)}: no notebook declares them", stacklevel=2)
    results = []
    for nb in NOTEBOOKS:
        own = {k: v for k, v in parameters.items() if k in declared[nb]}
        results += run(nb, corpus, output_dir, own, for_each="agency" if nb == "agency_profile" else None,
                       only=only, progress=progress)
    write_index(results, output_dir, shares_table(corpus))
    return results


def shares_table(corpus: str | Path) -> str:
    """An HTML table of every agency and year: requests received and handled, refused and
    unanswerable shares with their counts, and the report's errors (the page's first answer)."""
    import pandas as pd

    from . import analysis

    try:
        data = analysis.load_corpus(_resolve_corpus(corpus))
        shares = analysis.outcome_shares(data, by="agency_year")
        errors = analysis.by_agency_year(data, "refused_share")[["agency_key", "year", "n_errors"]]
    except Exception as err:  # noqa: BLE001 - the index still links every page
        return f"<p>(no summary table: {html.escape(str(err))})</p>"
    t = shares.merge(errors, on=["agency_key", "year"], how="left")

    def cell(x, missing="—") -> str:
        return missing if x is None or x is pd.NA or x != x else html.escape(str(x))

    def share(num, den, value) -> str:
        return "—" if value != value else f"{value:.1%} ({num}/{den})"

    rows = [f"<tr><td>{cell(r.agency, '(no name printed)')}</td><td>{cell(r.year)}</td><td>{cell(r.received_new)}</td>"
            f"<td>{cell(r.handled)}</td>"
            f"<td>{share(r.denied, r.handled, r.refused_share)}</td>"
            f"<td>{share(r.unavailable, r.handled, r.unanswerable_share)}</td>"
            f"<td>{'' if r.n_errors != r.n_errors or not r.n_errors else int(r.n_errors)}</td></tr>"
            for r in t.itertuples()]
    return ("<table border=1 cellpadding=4><tr><th>机关 agency</th><th>年度 year</th><th>新收 received</th>"
            "<th>办结 handled</th><th>不予公开 refused</th><th>无法提供 unanswerable</th><th>errors</th></tr>"
            + "\n".join(rows) + "</table><p>— : not known (the report is cut short or table 3 is incomplete), "
            "or nothing handled.</p>")


def write_index(results: list[RunResult], output_dir: str | Path, table: str = "") -> Path:
    """Write ``index.html``: the summary ``table`` (if given), a link to every HTML page, and the
    runs that failed with their error."""
    output_dir = Path(output_dir)
    items = []
    for r in results:
        label = html.escape(f"{r.notebook}: {r.name}")
        if r.ok and r.html:
            items.append(f'<li><a href="{html.escape(r.html.relative_to(output_dir).as_posix())}">{label}</a></li>')
        else:
            items.append(f"<li>{label}: <b>failed</b> {html.escape(r.error or '')}</li>")
    page = ("<!doctype html><meta charset='utf-8'><title>govreports</title>"
            "<h1>政府信息公开年度报告分析 Disclosure report analyses</h1>" + table
            + "<h2>Pages</h2><ul>" + "\n".join(items) + "</ul>")
    out = output_dir / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def summary(results: list[RunResult]) -> str:
    """Return a closing report: how many runs succeeded, and each failure with its error."""
    failed = [r for r in results if not r.ok]
    lines = [f"{len(results) - len(failed)} of {len(results)} notebook runs succeeded"]
    lines += [f"FAILED {r.notebook} {r.name}: {r.error} (see {r.ipynb})" for r in failed]
    return "\n".join(lines)
