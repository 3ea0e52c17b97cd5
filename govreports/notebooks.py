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

# the repository's notebooks/ (an editable install), else the copy a wheel installs under
# <prefix>/share/govreports/notebooks (pyproject.toml data-files), so `pip install .` can run them too
REPO_NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
INSTALLED_NOTEBOOK_DIR = Path(sys.prefix) / "share" / "govreports" / "notebooks"
NOTEBOOK_DIR = REPO_NOTEBOOK_DIR if REPO_NOTEBOOK_DIR.is_dir() else INSTALLED_NOTEBOOK_DIR
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
            name: str | None = None, warn_unknown: bool = True, keep_kernel: bool = False) -> RunResult:
    """Execute one notebook with ``parameters`` into ``output`` (``.ipynb``), plus an HTML copy.

    Never raises for an error inside the notebook: the result carries it (and the executed
    notebook, with the traceback in it, is still written). With ``keep_kernel`` the notebook runs
    in this process's kept kernel (see :func:`_kept_kernel`), as batches do.
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
    _readable_parameters()
    try:
        with _quiet_kernel():
            extra = {"engine_name": KEPT_KERNEL_ENGINE, "km": _kept_kernel(str(path.parent))} if keep_kernel else {}
            papermill.execute_notebook(str(path), str(output), parameters=parameters, kernel_name=KERNEL,
                                       progress_bar=False, cwd=str(path.parent),
                                       request_save_on_cell_execute=False, **extra)
        if html_copy:
            result.html = write_html(output)
    except Exception as err:  # noqa: BLE001 - one failing run must not stop the batch
        result.error = _error_text(err)
    result.seconds = time.perf_counter() - start
    return result


def _readable_parameters() -> None:
    """Make papermill write string parameters as Python literals that keep Chinese readable
    (``agency = '上海市人民政府办公厅'``, not ``agency = "\\u4e0a\\u6d77..."``) in the injected cell."""
    from papermill.translators import PythonTranslator, papermill_translators

    if getattr(papermill_translators.find_translator(KERNEL, "python"), "readable", False):
        return

    class ReadablePythonTranslator(PythonTranslator):
        readable = True

        @classmethod
        def translate_str(cls, val):
            return repr(val)

    papermill_translators.register("python", ReadablePythonTranslator)


KEPT_KERNEL_ENGINE = "govreports_kept_kernel"
_KERNELS: dict[str, object] = {}
# Run in a fresh namespace after each notebook: what a fresh kernel has, minus the start-up and imports.
_RESET = "import matplotlib.pyplot as _plt; _plt.close('all'); get_ipython().reset(new_session=True)"


def _kept_kernel(cwd: str):
    """The kernel this process keeps for batch runs (one per folder of notebooks), started once.

    Why: starting a kernel and importing pandas, matplotlib and govreports in it is most of a
    small notebook's run; a batch of 20 notebooks pays it once per worker instead of 20 times.
    After each notebook the kernel's namespace is reset (:data:`_RESET`) and its execution count
    starts again at 1, so the next notebook sees no variable of the one before."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    _register_engine()
    km = _KERNELS.get(cwd)
    if km is not None and run_sync(km.is_alive)():
        return km
    km = AsyncKernelManager(kernel_name=KERNEL)
    run_sync(km.start_kernel)(cwd=cwd)
    _KERNELS[cwd] = km
    if len(_KERNELS) == 1:
        import atexit
        atexit.register(shutdown_kept_kernels)
    return km


def shutdown_kept_kernels() -> None:
    """Stop the kernels :func:`_kept_kernel` started in this process."""
    from jupyter_core.utils import run_sync

    for km in list(_KERNELS.values()):
        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)
    _KERNELS.clear()


def _register_engine() -> None:
    """Register with papermill an engine that runs a notebook in a kernel it is given (``km``),
    leaves it running, and resets its namespace afterwards."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if KEPT_KERNEL_ENGINE in papermill_engines._engines:
        return

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            import logging

            from jupyter_core.utils import run_sync

            kwargs = {k: v for k, v in kwargs.items() if k not in ("input_path", "timeout", "startup_timeout")}
            client = PapermillNotebookClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logging.getLogger("papermill"),
                                             log_output=log_output, stdout_file=stdout_file,
                                             stderr_file=stderr_file, **kwargs)
            try:
                return client.execute(cleanup_kc=False)
            finally:
                if client.kc is not None:
                    with contextlib.suppress(Exception):
                        run_sync(client.kc.execute_interactive)(_RESET, silent=True, store_history=False,
                                                                timeout=60)
                    client.kc.stop_channels()

    papermill_engines.register(KEPT_KERNEL_ENGINE, KeptKernelEngine)


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


_EXPORTER = None


def write_html(ipynb: str | Path) -> Path:
    """Given an executed notebook, write its HTML copy beside it (plots embedded) and return its path."""
    import nbformat
    from nbconvert import HTMLExporter

    global _EXPORTER
    ipynb = Path(ipynb)
    if _EXPORTER is None:  # loading its templates takes a second: one per process
        _EXPORTER = HTMLExporter()
    body, _ = _EXPORTER.from_notebook_node(nbformat.read(ipynb, as_version=4))
    out = ipynb.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def agencies_of(corpus: str | Path, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Given a corpus, return (agency_key, label) of every agency in it, or of ``only``: names
    kept as given, so that one not in the corpus fails in its own run, not here. The label is the
    latest name, or the file name of a report that prints none (:func:`govreports.analysis.agency_label`)."""
    from . import analysis as ga

    if only is not None:
        return [(a, a) for a in only]
    reports = ga._usable_reports(ga.frames_of(ga.load_corpus(corpus)))
    names = reports.sort_values("year").groupby("agency_key", sort=True)["agency"].last()  # latest name
    return [(str(k), ga.agency_label(v, k)) for k, v in names.items()]


NOTHING_TO_SHOW = "no profile: none of its reports has a known figure in table 3 or 4 (cut short or unreadable)"


def agencies_with_nothing_to_show(corpus: str | Path) -> set[str]:
    """Given a corpus, return the agency_keys none of whose reports has a known number of
    requests received, handled, reviews or suits: a profile of them would be empty plots."""
    from . import analysis as ga
    from .template import RECEIVED_NEW

    data = ga.frames_of(ga.load_corpus(corpus))
    counts = ga.outcome_shares(data, by="report")[["report_id", "agency_key", RECEIVED_NEW, "handled"]].merge(
        ga.appeals_rates(data, by="report")[["report_id", "reviews", "suits"]], on="report_id", how="left")
    known = counts[[RECEIVED_NEW, "handled", "reviews", "suits"]].notna().any(axis=1)
    shows = known.groupby(counts["agency_key"]).any()
    return {str(k) for k, v in shows.items() if not v}


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
Job = tuple  # (notebook path, output .ipynb, parameters, name)


def _jobs(notebook: str | Path, corpus: str | Path, output_dir: Path, parameters: dict | None,
          for_each: str | None, only: Iterable[str] | None, skip: set[str] = frozenset()) -> list[Job]:
    path = find_notebook(notebook)
    params = {**(parameters or {}), "corpus": _resolve_corpus(corpus)}
    if for_each is None:
        jobs = [(path, output_dir / f"{path.stem}.ipynb", params, path.stem)]
    elif for_each == "agency":
        jobs = [(path, output_dir / path.stem / f"{file_stem(key)}.ipynb", {**params, "agency": key}, name)
                for key, name in agencies_of(params["corpus"], only) if key not in skip]
    else:
        raise ValueError(f"--for-each must be one of {', '.join(FOR_EACH)}, not {for_each!r}")
    unknown = unknown_parameters(path, params)
    if unknown:
        warnings.warn(f"{path.name}: unknown parameter(s) {', '.join(unknown)} (declared: "
                      f"{', '.join(notebook_parameters(path))})", stacklevel=3)
    return jobs


def _execute_job(job: Job, html_copy: bool) -> RunResult:
    path, out, params, name = job
    return execute(path, out, params, html_copy=html_copy, name=name, warn_unknown=False, keep_kernel=True)


def _execute_jobs(jobs: list[Job], html_copy: bool, progress: Progress | None, workers: int | None) -> list[RunResult]:
    """Run the jobs, ``workers`` at a time (default: one per core), each in a kernel of its own;
    results in the order of ``jobs``, progress as each one ends."""
    workers = max(1, min(len(jobs), workers or os.cpu_count() or 1))
    results: list[RunResult | None] = [None] * len(jobs)
    if workers == 1:
        try:
            for i, job in enumerate(jobs):
                results[i] = _execute_job(job, html_copy)
                if progress:
                    progress(i + 1, len(jobs), results[i])
        finally:
            shutdown_kept_kernels()
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_execute_job, job, html_copy): i for i, job in enumerate(jobs)}
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as err:  # noqa: BLE001 - a dead worker fails its run, not the batch
                path, out, params, name = jobs[i]
                results[i] = RunResult(Path(path).stem, name, params, Path(out), error=_error_text(err))
            if progress:
                progress(done, len(jobs), results[i])
    return results


def run(notebook: str | Path, corpus: str | Path, output_dir: str | Path, parameters: dict | None = None,
        for_each: str | None = None, only: Iterable[str] | None = None, html_copy: bool = True,
        progress: Progress | None = _print_progress, workers: int | None = None) -> list[RunResult]:
    """Execute ``notebook`` on ``corpus`` into ``output_dir``; with ``for_each="agency"`` once per
    agency (``output_dir/<notebook>/<agency_key>.ipynb``), else once (``output_dir/<notebook>.ipynb``).

    ``only`` limits the agencies (names or keys). Runs ``workers`` notebooks at a time (default:
    one per core). Returns one :class:`RunResult` per run, in the order of the agencies.
    """
    jobs = _jobs(notebook, corpus, Path(output_dir), parameters, for_each, only)
    return _execute_jobs(jobs, html_copy, progress, workers)


def run_all(corpus: str | Path, output_dir: str | Path, parameters: dict | None = None,
            only: Iterable[str] | None = None, progress: Progress | None = _print_progress,
            workers: int | None = None) -> list[RunResult]:
    """Execute all four notebooks on ``corpus``, ``workers`` at a time (default: one per core):
    agency_profile once per agency that has something to show, the others once. Writes
    ``output_dir/index.html``: the summary table, a link to every page, the agencies without a
    profile and why, the runs that failed."""
    output_dir = Path(output_dir)
    parameters = dict(parameters or {})
    declared = {nb: notebook_parameters(nb) for nb in NOTEBOOKS}
    unknown = [k for k in parameters if not any(k in d for d in declared.values())]
    if unknown:
        warnings.warn(f"unknown parameter(s) {', '.join(unknown)}: no notebook declares them", stacklevel=2)
    skip = agencies_with_nothing_to_show(_resolve_corpus(corpus))
    jobs = []
    for nb in NOTEBOOKS:
        own = {k: v for k, v in parameters.items() if k in declared[nb]}
        jobs += _jobs(nb, corpus, output_dir, own, "agency" if nb == "agency_profile" else None, only, skip)
    results = _execute_jobs(jobs, True, progress, workers)
    skipped = [(k, name) for k, name in agencies_of(_resolve_corpus(corpus), only) if k in skip]
    write_index(results, output_dir, index_table(corpus, results, output_dir), skipped)
    return results


INDEX_STYLE = """<style>
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 1.5em; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; }
thead th { position: sticky; top: 0; background: #f0f2f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
td.note { color: #8a4b00; }
</style>"""


def index_table(corpus: str | Path, results: list[RunResult] = (), output_dir: str | Path | None = None) -> str:
    """An HTML table of every agency and year: requests received and handled, refused and
    unanswerable shares with their counts, errors (linked to the data-quality page) and a note
    where a figure is not known; each agency links to its profile page."""
    from .summary import UNKNOWN, count_text, summary_frame

    try:
        from . import analysis

        t = summary_frame(analysis.load_corpus(_resolve_corpus(corpus)), by="agency_year")
    except Exception as err:  # noqa: BLE001 - the index still links every page
        return f"<p>(no summary table: {html.escape(str(err))})</p>"
    pages = {}
    for r in results:
        if r.notebook == "agency_profile" and r.ok and r.html is not None:
            key = r.parameters.get("agency")
            href = r.html.relative_to(output_dir).as_posix() if output_dir is not None else r.html.as_posix()
            pages[key] = href
            pages.setdefault(r.name, href)
    quality = next((r.html.relative_to(output_dir).as_posix() for r in results
                    if r.notebook == "data_quality" and r.ok and r.html is not None and output_dir is not None), None)

    def agency(row) -> str:
        href = pages.get(row.agency_key) or pages.get(row.agency)
        name = html.escape(str(row.agency))
        return f'<a href="{html.escape(href)}">{name}</a>' if href else name

    def errors(n) -> str:
        if not n:
            return ""
        return f'<a href="{html.escape(quality)}">{n}</a>' if quality else str(n)

    num = '<td class="num">{}</td>'.format
    rows = [f"<tr><td>{agency(r)}</td>{num(count_text(r.year))}{num(count_text(r.received))}"
            f"{num(count_text(r.handled))}{num(r.refused)}{num(r.unanswerable)}{num(errors(r.errors))}"
            f'<td class="note">{html.escape(r.note)}</td></tr>' for r in t.itertuples()]
    return ('<table class="summary"><thead><tr><th>机关 agency</th><th>年度 year</th><th>新收 received</th>'
            "<th>办结 handled</th><th>不予公开 refused</th><th>无法提供 unanswerable</th><th>错误 errors</th>"
            "<th>说明 note</th></tr></thead><tbody>\n" + "\n".join(rows) + "</tbody></table>"
            f"<p>{UNKNOWN} : not known (the note says why: the report is cut short, its table 3 is incomplete, "
            "the file is unreadable, or the report is on a year before 2019 and prints no national table). "
            "n/a: nothing handled, so no share. A share is printed with its counts "
            "(refused / handled). Errors: identities of the template that the report's own numbers break; "
            "the number links to the data-quality page.</p>")


def shares_table(corpus: str | Path) -> str:
    """The summary table of :func:`index_table` without links (kept for callers of the old name)."""
    return index_table(corpus)


def write_index(results: list[RunResult], output_dir: str | Path, table: str = "",
                skipped: list[tuple[str, str]] = ()) -> Path:
    """Write ``index.html``: the summary ``table`` (if given), a link to every HTML page, the
    agencies left without a profile (``skipped``: (agency_key, label)), and the runs that failed
    with their error."""
    output_dir = Path(output_dir)
    items = []
    for r in results:
        label = html.escape(f"{r.notebook}: {r.name}")
        if r.ok and r.html:
            items.append(f'<li><a href="{html.escape(r.html.relative_to(output_dir).as_posix())}">{label}</a></li>')
        else:
            items.append(f"<li>{label}: <b>failed</b> {html.escape(r.error or '')}</li>")
    items += [f"<li>agency_profile: {html.escape(name)}: {NOTHING_TO_SHOW}</li>" for _, name in skipped]
    page = ("<!doctype html><meta charset='utf-8'><title>govreports</title>" + INDEX_STYLE
            + "<h1>政府信息公开年度报告分析 Disclosure report analyses</h1>" + table
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
