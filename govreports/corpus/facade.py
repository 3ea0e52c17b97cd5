"""The Corpus facade: :func:`read_corpus` (files -> a Corpus, in memory or in a folder),
:func:`open_corpus` (a folder -> a Corpus) and :class:`Corpus` (the tidy tables, read when asked).

A build has one way to end (:func:`collect`): into a folder (the staging folder of ``out=``, or a
temporary one whose tables are then held in memory), the collector's chunks flushed, agencies
linked, the manifest and corrections applied, the reports table, ``failed.csv``, the cross-year
findings and ``corpus.json`` written.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .. import frames as _frames
from ..agencies import AgencyLinker
from ..building import build_lock, recover, staging
from ..limits import Limits
from ..limits import current as current_limits
from .cache import DEFAULT_CACHE, code_version
from .collect import RAW, _Collector
from .crossyear import CrossYear
from .engines import _batches, _run_dask, _run_local
from .files import list_files
from .store import (DEFAULT_CHUNK_SIZE, TABLES, ReportsWriter, _read_table, _write_info, _write_part, _write_reports,
                    open_index, read_reports)


def _table_property(name: str) -> property:
    """A Corpus attribute for one tidy table: ``c.requests`` is ``c.table("requests")``."""
    return property(lambda self: self.table(name), doc=f"The {name} table (``frames.COLUMNS['{name}']``).")


class Corpus:
    """Tidy tables of many reports: ``reports`` (one row per file) and ``requests``, ``appeals``,
    ``disclosure``, ``findings`` (the columns of :mod:`govreports.frames`, duplicates left out).

    Tables of a corpus on disk are read when first asked for, ``reports`` too (opening a corpus
    reads only its ``corpus.json``); ``table(name, columns=[...])`` reads only some columns (fast
    on 100k reports).
    """

    def __init__(self, reports: pd.DataFrame | None = None, tables: dict[str, pd.DataFrame] | None = None,
                 folder: str | os.PathLike | None = None, counts: dict | None = None):
        if reports is None and folder is None:
            raise ValueError("a Corpus needs its reports table or the folder holding it")
        self._reports = reports
        self._tables = dict(tables or {})
        self.folder = Path(folder) if folder is not None else None
        self._counts = counts or None

    @property
    def reports(self) -> pd.DataFrame:
        """One row per file (``frames.REPORT_COLUMNS``); read from the folder when first used."""
        if self._reports is None:
            self._reports = read_reports(self.folder)
        return self._reports

    @reports.setter
    def reports(self, value: pd.DataFrame) -> None:
        self._reports = value

    @property
    def reports_file(self) -> Path | None:
        """``reports.parquet`` while the reports table is on disk only (not read, nor replaced in
        memory): the analyses then read the few columns they need from it. None otherwise."""
        return self.folder / "reports.parquet" if self._reports is None and self.folder is not None else None

    @property
    def counts(self) -> dict:
        """files, parsed, failed, cached, duplicates (from ``corpus.json`` for a corpus on disk)."""
        if self._counts is None:
            self._counts = _counts_of(self.reports)
        return self._counts

    @counts.setter
    def counts(self, value: dict) -> None:
        self._counts = value

    def table(self, name: str, columns: list[str] | None = None, rows: dict[str, list] | None = None) -> pd.DataFrame:
        """Given a table name (and optionally columns, and ``rows={column: [values]}`` to keep only
        rows whose column holds one of the values), return the table. On disk only what is asked
        for is read: ``c.table("requests", ["report_id", "value"], rows={"row": ["granted"]})``."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; known: {TABLES}")
        if name in self._tables or self.folder is None:
            df = self._tables.get(name, _frames.empty(name))
            if rows:
                for col, values in rows.items():
                    df = df[df[col].isin(values)]
            return df[columns] if columns else df
        df = _read_table(self.folder / name, name, columns, rows)
        if columns is None and not rows:
            self._tables[name] = df
        return df

    requests = _table_property("requests")
    appeals = _table_property("appeals")
    disclosure = _table_property("disclosure")
    findings = _table_property("findings")
    legacy = _table_property("legacy")
    sections = _table_property("sections")

    def to_parquet(self, folder: str | os.PathLike) -> Path:
        """Write the corpus as a Parquet dataset (``reports.parquet``, ``<table>/part-*.parquet``)
        that :func:`open_corpus` reopens, and return the folder. Like a build, it is written
        beside the folder and swapped in under a lock (see :func:`read_corpus`)."""
        folder = Path(folder).expanduser()
        if self.folder is not None and folder.resolve() == self.folder.resolve():
            return folder
        with build_lock(folder) as target, staging(target) as tmp:
            for name in TABLES:
                _write_part(self.table(name), tmp / name, 0)
            _write_reports(self.reports, tmp, self.counts)
        return folder

    def export(self, out: str | os.PathLike, **options) -> Path:
        """Write a documented release (panel, rollups, long tables in Parquet, CSV, Stata, Excel;
        codebook; release.json; README) into ``out``: see :func:`govreports.export.export`."""
        from ..export import export

        return export(self, out, **options)

    def __len__(self) -> int:
        if self._reports is None:
            return pq.ParquetFile(self.folder / "reports.parquet").metadata.num_rows
        return len(self.reports)

    def __repr__(self) -> str:
        c = self.counts
        where = f" at {self.folder}" if self.folder else ""
        return (f"<Corpus{where}: {c.get('files', len(self))} files, {c.get('parsed', 0)} parsed, "
                f"{c.get('failed', 0)} failed, {c.get('duplicates', 0)} duplicates>")

    def in_memory(self) -> "Corpus":
        """Return this corpus with its reports and every table read into memory (no folder)."""
        return Corpus(self.reports, tables={name: self.table(name) for name in TABLES}, counts=self.counts)

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + self.reports.head(20).to_html(max_cols=12)


def _counts_of(reports: pd.DataFrame) -> dict:
    """Given a reports table, return its counts (files, parsed, failed, duplicates)."""
    status = reports["status"] if "status" in reports else pd.Series(dtype="string")
    dup = reports["duplicate_of"].notna().sum() if "duplicate_of" in reports else 0
    return {"files": len(reports), "parsed": int((status == "parsed").sum()),
            "failed": int((status == "failed").sum()), "cached": 0, "duplicates": int(dup)}


def open_corpus(folder: str | os.PathLike) -> Corpus:
    """Given a folder written by :func:`read_corpus` (``out=``) or :meth:`Corpus.to_parquet`,
    return the Corpus; tables are read when first used.

    >>> c = open_corpus("corpus/")                           # doctest: +SKIP
    >>> c.table("requests", columns=["report_id", "row", "value"])   # doctest: +SKIP
    """
    folder = Path(folder).expanduser()
    path = folder / "reports.parquet"
    if not path.exists():
        raise FileNotFoundError(f"no corpus in {folder} (no reports.parquet)")
    counts = None
    info = folder / "corpus.json"
    if info.exists():
        counts = json.loads(info.read_text(encoding="utf-8")).get("counts")
    return Corpus(folder=folder, counts=counts)


def read_corpus(paths, workers: int | None = None, cache: str | os.PathLike | bool | None = DEFAULT_CACHE,
                out: str | os.PathLike | None = None, engine: str = "local", scheduler=None,
                chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool | None = None,
                batch_size: int | None = None, manifest=None, limits: Limits | None = None,
                timeout: float | None = None, corrections=None) -> Corpus:
    """Given a folder, a glob or a list of files, read every report into one :class:`Corpus`.

    Args:
        paths: a folder (searched recursively), a glob pattern, a file, or a list of these.
        workers: processes (or dask workers for a LocalCluster); None -> ``os.cpu_count()``;
            1 parses in this process.
        cache: folder of parsed reports keyed by report_id and govreports version; None or False
            for none, True for the default folder (``~/.cache/govreports``).
            A file whose bytes did not change is not parsed again, so an interrupted run resumes.
        out: folder to stream a Parquet dataset into, every ``chunk_size`` reports (memory stays
            flat); the returned Corpus reads its tables from there. None keeps them in memory.
        engine: ``"local"`` (a process pool) or ``"dask"`` (dask.distributed).
        scheduler: with ``engine="dask"``, an address ``tcp://host:8786`` or a Client; None starts
            a LocalCluster.
        progress: show a tqdm bar; None -> when stderr is a terminal or in a Jupyter kernel.
        manifest: a fetch manifest (a folder written by :func:`govreports.fetch`, its
            ``manifest.parquet``/``.csv``, or the DataFrame): ``reports`` gets ``url``,
            ``fetched_at`` and ``published`` (``published_source`` 'manifest'). A fetch folder
            given as ``paths`` brings its manifest and reads only its stored reports.
        limits: what one file may cost (:class:`govreports.limits.Limits`; default: the module's
            defaults and ``GOVREPORTS_*`` environment variables, read here and sent to the workers).
        timeout: seconds one file may take (overrides ``limits.timeout``; 0 for none): a file over
            it is ``failed`` with ``timed out after N s`` and the batch goes on.

        corrections: a corrections file (CSV/YAML, :mod:`govreports.corrections`), applied to each
            report after the cache (the cache keeps what was read); a row naming a report not in
            the corpus raises ``CorrectionsError`` naming its line.
    With ``out``, the build holds a lock beside the folder (a second build into it raises
    :class:`~govreports.exceptions.CorpusLockedError` naming the first), writes into a staging
    folder beside it and swaps it in at the end: a killed build leaves the previous corpus whole.
    ``out`` must be new, empty, or hold a corpus (anything else in it is refused, not deleted).

    A file that cannot be read never stops the run: its row has ``status="failed"`` and its
    ``error``. Duplicates (same bytes, or same agency, year and requests values) get
    ``duplicate_of`` and their rows are left out of the tidy tables.

    >>> c = read_corpus("data/reports/seeds", workers=1, cache=None)           # doctest: +SKIP
    >>> c.counts                                                               # doctest: +SKIP
    {'files': 5, 'parsed': 5, 'failed': 0, 'cached': 0, 'duplicates': 0}
    """
    from ..fetch import corpus_input

    paths, manifest = corpus_input(paths, manifest)
    files = [str(p) for p in list_files(paths)]
    workers = max(1, int(workers or os.cpu_count() or 1))
    if cache is True:
        cache = DEFAULT_CACHE
    cache_dir = str(Path(cache).expanduser()) if cache not in (None, False) else None
    version = code_version()
    lim = current_limits(limits)
    if timeout is not None:
        lim = replace(lim, timeout=float(timeout))
    corr = None
    if corrections is not None:
        from ..corrections import read_corrections

        corr = read_corrections(corrections)  # a bad line fails here, before any parsing
    run = dict(workers=workers, cache_dir=cache_dir, version=version, engine=engine, scheduler=scheduler,
               chunk_size=chunk_size, progress=progress, batch_size=batch_size, limits=lim, manifest=manifest,
               corr=corr)
    if out is None:  # built in a temporary folder like any other, then held in memory
        with tempfile.TemporaryDirectory(prefix="govreports-corpus-") as tmp:
            return _build(files, Path(tmp), **run).in_memory()
    from ..fetch import attach_manifest

    # a changed corrections file rebuilds the Parquet corpus (the per-file cache is not keyed by it)
    built_by = version if corr is None else f"{version}+corrections-{corr.digest[:12]}"
    with build_lock(out) as out_dir:
        recover(out_dir)  # a corpus left aside by a build killed while swapping is put back first
        signature = _signature(files, built_by)
        if _unchanged(out_dir, signature):
            c = open_corpus(out_dir)  # same files, same bytes (size and mtime), same version: reuse it
            c.counts = {**(c.counts or {}), "cached": len(files)}
            if manifest is not None:
                c.reports = attach_manifest(c.reports, manifest)
            return c
        with staging(out_dir) as tmp:
            built = _build(files, tmp, **run)
            (tmp / "files.json").write_text(json.dumps(signature), encoding="utf-8")
        return Corpus(folder=out_dir, counts=built.counts)


def _build(files: list[str], out_dir: Path, workers: int, cache_dir: str | None, version: str, engine: str,
           scheduler, chunk_size: int, progress: bool | None, batch_size: int | None, limits: Limits,
           manifest=None, corr=None) -> Corpus:
    """Parse ``files`` into a corpus folder ``out_dir`` (a staging or temporary folder);
    ``corr`` (read corrections) is applied to each batch after the cache."""
    batches = _batches(files, workers, batch_size)
    if engine == "local":
        results = _run_local(batches, workers, cache_dir, version, limits)
    elif engine == "dask":
        results = _run_dask(batches, workers, scheduler, cache_dir, version, limits)
    else:
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'dask'")
    return collect(results, out_dir, len(files), chunk_size, progress, manifest, corr)


def collect(results: Iterable[dict], out_dir: Path, total: int, chunk_size: int = DEFAULT_CHUNK_SIZE,
            progress: bool | None = False, manifest=None, corr=None) -> Corpus:
    """Given parse_batch results in order, write the corpus folder ``out_dir`` and return it: the
    one way a build ends, whatever parsed the files. Memory stays flat however many reports come:

    1. each batch: duplicates marked (against the build's on-disk index), corrections applied,
       every ``chunk_size`` reports flushed to Parquet parts (:class:`_Collector`);
    2. agencies linked over the report rows, chunk by chunk (:class:`~govreports.agencies.AgencyLinker`),
       the manifest and agency aliases applied, ``reports.parquet`` and ``failed.csv`` written;
    3. the cross-year findings (:class:`CrossYear`) appended to ``findings``; ``corpus.json`` last.
    """
    from ..fetch import attach_manifest

    index = open_index(out_dir / ".index.sqlite")
    try:
        with AgencyLinker(index) as linker:
            collector = _Collector(out_dir, chunk_size, index, linker)
            with _progress_bar(total, progress) as bar:
                for batch in results:
                    collector.add(corr.apply_batch(batch) if corr is not None else batch)
                    bar.update(len(batch["reports"]))
            collector.flush()
            if corr is not None:
                corr.check_all_used()
            raw = collector.raw_parts()
            for part in raw:
                linker.see(read_reports(part))
            cross = CrossYear(index)
            with ReportsWriter(out_dir) as writer:
                for part in raw:
                    reports = attach_manifest(linker.link(read_reports(part)), manifest)
                    if corr is not None:
                        reports = corr.apply_aliases(reports)
                    writer.add(reports)
                    cross.add(reports)
            for i, found in enumerate(cross.findings()):
                collector.write_part("findings", found, collector.part + i)
            collector.finish()
    finally:
        index.close()
    shutil.rmtree(out_dir / RAW, ignore_errors=True)
    (out_dir / ".index.sqlite").unlink(missing_ok=True)
    _write_info(out_dir, collector.counts)
    return Corpus(folder=out_dir, counts=collector.counts)


def _signature(files: list[str], version: str) -> dict:
    """What a Parquet corpus was built from: the govreports version and every file's path, size
    and modification time (a changed file changes its size or mtime)."""
    out = {"version": version, "files": []}
    for f in files:
        try:
            st = os.stat(f)
            out["files"].append([f, st.st_size, st.st_mtime_ns])
        except OSError:
            out["files"].append([f, None, None])
    return out


def _unchanged(out_dir: Path, signature: dict) -> bool:
    """True when ``out_dir`` holds a complete corpus built from exactly these files."""
    try:
        previous = json.loads((out_dir / "files.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return previous == signature and (out_dir / "reports.parquet").exists()


def _progress_bar(total: int, progress: bool | None):
    """Given a total, return a tqdm bar: shown on a terminal and in a Jupyter kernel (tqdm.auto
    draws a widget there), silent in a pipe or a log unless asked (then tqdm is not even imported:
    32 ms of a build's fixed cost)."""
    disable = not (sys.stderr.isatty() or _in_kernel()) if progress is None else not progress
    if disable:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="file", desc="reading reports")


class _NoBar:
    """A hidden progress bar: what tqdm's bar is asked to do (a context, ``update``), doing nothing."""

    disable = True

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: int = 1) -> None:
        pass


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook, Voila), where stderr is no terminal."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    return getattr(shell, "kernel", None) is not None


def format_counts(counts: dict) -> str:
    """Given read_corpus counts, return one line a person can read.

    >>> format_counts({"files": 10, "parsed": 8, "failed": 2, "cached": 5, "duplicates": 1})
    '10 files: 8 parsed, 2 failed, 5 from the cache, 1 duplicates'
    """
    return (f"{counts.get('files', 0)} files: {counts.get('parsed', 0)} parsed, {counts.get('failed', 0)} failed, "
            f"{counts.get('cached', 0)} from the cache, {counts.get('duplicates', 0)} duplicates")
