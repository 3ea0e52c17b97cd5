"""Many reports at once: read a folder of report files into one set of tidy tables.

Why a module of its own: a researcher's corpus is tens of thousands of files in every format, some
broken, some saved twice, one agency printing its name five ways over six years. Reading them must
survive a bad file, resume after an interruption without parsing anything twice, keep memory flat
as the corpus grows, and link the reports of one agency across years. The stages are plain
functions over plain data::

    list_files(paths)                      -> [Path, ...]                 (sorted, README/manifest skipped)
    parse_batch(paths, cache_dir, version, limits) -> {"reports": [row, ...], "tables": {name: df}, "cached": n}
    _Collector.add(batch)                  -> duplicates marked, chunks of 2,000 reports flushed to Parquet
    link_agencies(reports)                 -> agency_key, agency_link, level, region filled corpus-wide

Every file is read under :class:`~govreports.limits.Limits` (size, pages, rows, seconds: one
file never stalls a batch); the cache holds JSON checked on load (data, never code); a corpus
folder is built under a lock into a staging folder swapped in at the end (:mod:`govreports.building`).

>>> import govreports as gr
>>> c = gr.read_corpus("data/reports", cache="~/.cache/govreports")          # doctest: +SKIP
>>> c.counts                                                                  # doctest: +SKIP
{'files': 23, 'parsed': 21, 'failed': 2, 'cached': 0, 'duplicates': 0}
>>> c.reports[["agency", "agency_key", "year", "level", "region", "status"]]  # doctest: +SKIP
>>> c.to_parquet("corpus/")                                                   # doctest: +SKIP
>>> c = gr.open_corpus("corpus/")                                             # doctest: +SKIP

On a dask cluster (files and cache on a filesystem every worker sees)::

    c = gr.read_corpus("/shared/reports", engine="dask", scheduler="tcp://head:8786",
                       cache="/shared/cache", out="/shared/corpus")
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import agencies as _agencies
from . import frames as _frames
from .exceptions import ReportError
from .building import build_lock, recover, staging
from .limits import Limits
from .limits import current as current_limits
from .report import read_bytes
from .timelimit import TimedOut, time_limit

TABLES = _frames.TABLES
REPORT_COLUMNS: dict[str, str] = {
    "report_id": "string", "source": "string", "sha256": "string", "format": "string",
    "status": "string", "error": "string", "agency": "string", "agency_key": "string",
    "agency_link": "string", "agency_as_printed": "string", "year": "Int64", "template": "string",
    "level": "string", "region": "string", "title": "string", "truncated": "boolean",
    "duplicate_of": "string", "scope": "string", "published": "string", "published_source": "string",
}
DEFAULT_CACHE = "~/.cache/govreports"
CACHE_ENTRY_BYTES = 32 * 1024 * 1024   # a cache entry larger than this is not one (a report's is ~20 KB)
CACHE_FORMAT = 3                 # bump when the layout of a cache entry changes
DEFAULT_CHUNK_SIZE = 2000        # reports per Parquet part: memory stays flat beyond this
SKIP_NAMES = re.compile(r"^(\.|readme|manifest\.(jsonl|csv)$)", re.IGNORECASE)
SKIP_SUFFIXES = {".json", ".jsonl", ".parquet", ".pkl", ".pyc", ".tmp"}
_META_FIELDS = ("report_id", "source", "sha256", "format", "agency", "agency_as_printed", "year",
                "template", "level", "title", "truncated", "scope", "published", "published_source")


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------

def list_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Given a folder, a glob pattern, a file or a list of them, return the report files, sorted.

    Folders are searched recursively; hidden files, README files, JSON/JSONL (a render manifest)
    and Parquet files are skipped. A symbolic link that leads nowhere (dangling, or a loop) is
    listed, so that it is reported ``failed`` with its reason rather than skipped unseen. A path
    that names nothing raises FileNotFoundError.

    >>> len(list_files("data/reports/seeds"))
    5
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            found += [f for f in p.rglob("*") if (f.is_file() or _broken_link(f)) and _is_report_file(f, p)]
        elif p.is_file() or _broken_link(p):
            found.append(p)
        elif any(ch in str(item) for ch in "*?["):
            base = Path(p.anchor) if p.is_absolute() else Path(".")
            pattern = str(p.relative_to(p.anchor)) if p.is_absolute() else str(item)
            found += [f for f in base.glob(pattern) if (f.is_file() or _broken_link(f)) and _is_report_file(f, base)]
        else:
            raise FileNotFoundError(f"no such file, folder or pattern: {item}")
    return sorted(set(found))


def _broken_link(path: Path) -> bool:
    """True for a symbolic link that leads nowhere (dangling, or a loop): listed, to fail with its reason."""
    return path.is_symlink() and not path.exists()


def _is_report_file(path: Path, root: Path) -> bool:
    """Given a file under ``root``, say whether it may be a report (not hidden, README, manifest)."""
    parts = path.relative_to(root).parts
    if any(part.startswith(".") for part in parts):
        return False
    return not SKIP_NAMES.match(path.name) and path.suffix.lower() not in SKIP_SUFFIXES


def report_id_of(data: bytes) -> str:
    """Given a file's bytes, return its report_id: the first 16 hex digits of their SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# The cache: one JSON file per report (data only), keyed by report_id and govreports version
# --------------------------------------------------------------------------------------------

def code_version() -> str:
    """The govreports version plus a hash of the package's code: a changed parser never serves
    results cached (or a corpus folder built) by an older one, even at the same version number."""
    import govreports

    root = Path(govreports.__file__).parent
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{govreports.__version__}+{digest.hexdigest()[:10]}"


def cache_path(cache_dir: str | os.PathLike, version: str, report_id: str) -> Path:
    """Given the cache folder, the govreports version and a report_id, return the entry's path."""
    return Path(cache_dir).expanduser() / f"v{version}-c{CACHE_FORMAT}" / report_id[:2] / f"{report_id}.json"


def load_cached(path: Path, sha256: str | None = None) -> dict | None:
    """Given a cache entry's path (and the report's SHA-256), return the entry, or None if it is
    absent, unreadable, of another report, or not of the entry's schema.

    An entry is JSON, data only: loading it never runs code, and whatever is in the file is
    checked against the schema (:func:`valid_entry`) before it is used. A torn, foreign or
    planted file is a miss (the report is parsed and the entry rewritten), never an error."""
    try:
        # not through a symbolic link, never blocking on a FIFO, only a regular file of sane size
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > CACHE_ENTRY_BYTES:
                return None
            entry = json.loads(fh.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not valid_entry(entry) or (sha256 is not None and entry["report"]["sha256"] != sha256):
        return None
    return entry


def store_cached(path: Path, entry: dict) -> None:
    """Write a cache entry as JSON, atomically (temp file in the same folder, then os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_NONE = type(None)
_ENTRY_TYPES = {"string": {str, _NONE}, "Int64": {int, _NONE}, "boolean": {bool, _NONE},
                "Float64": {float, int, _NONE}}
_REPORT_TYPES = {**{f: {str, _NONE} for f in _META_FIELDS}, "year": {int, _NONE}, "truncated": {bool, _NONE},
                 "status": {str}, "error": {str, _NONE}, "_fingerprint": {str, _NONE}}


def _typed_list(values, types: set[type]) -> bool:
    """True when ``values`` is a list whose items are of exactly these types (JSON gives exact
    types: a bool is not an int here)."""
    return isinstance(values, list) and set(map(type, values)) <= types


def valid_entry(entry) -> bool:
    """Given what a cache file holds, return whether it is a cache entry: ``{"report": {column:
    value}, "tables": {name: {column: [values]}}}`` with exactly the report columns and the
    tables' columns (:mod:`govreports.frames`), every value of its column's type, every column
    of a table of one length, and a report status of parsed or failed."""
    if not isinstance(entry, dict) or set(entry) != {"report", "tables"}:
        return False
    report, tables = entry["report"], entry["tables"]
    if not isinstance(report, dict) or set(report) != set(_REPORT_TYPES) or not isinstance(tables, dict):
        return False
    if not all(type(v) in _REPORT_TYPES[k] for k, v in report.items()):
        return False
    if report["status"] not in ("parsed", "failed") or type(report["report_id"]) is not str \
            or type(report["sha256"]) is not str:
        return False
    if not set(tables) <= set(TABLES):
        return False
    for name, cols in tables.items():
        dtypes = _frames.COLUMNS[name]
        if not isinstance(cols, dict) or set(cols) != set(dtypes):
            return False
        if len({len(v) if isinstance(v, list) else -1 for v in cols.values()}) != 1:
            return False
        if not all(_typed_list(cols[c], _ENTRY_TYPES[t]) for c, t in dtypes.items()):
            return False
    return True


# --------------------------------------------------------------------------------------------
# Parsing (runs in worker processes: everything here takes and returns plain data)
# --------------------------------------------------------------------------------------------

def parse_file(path: str | os.PathLike, cache_dir: str | None, version: str,
               limits: Limits | None = None) -> tuple[dict, bool]:
    """Given a file, return ``(entry, from_cache)``; never raises for a bad file.

    ``entry`` is ``{"report": {column: value}, "tables": {name: {column: [values]}}}``; a file
    that cannot be read gets ``status="failed"`` and its error (the ReportError message, or
    ``Type: message`` for any other exception) and no tables. A file that takes longer than
    ``limits.timeout`` seconds is failed with ``timed out after N s`` (and not cached: a busy
    machine may read it in time on the next run).
    """
    path = Path(path)
    lim = current_limits(limits)
    try:
        data = read_bytes(path, lim)
    except ReportError as err:
        return _failed_entry(path, b"", str(err)), False
    except OSError as err:
        return _failed_entry(path, b"", _os_error(path, err)), False
    sha = hashlib.sha256(data).hexdigest()
    where = cache_path(cache_dir, version, sha[:16]) if cache_dir else None
    if where is not None:
        entry = load_cached(where, sha)
        if entry is not None:
            entry["report"]["source"] = str(path)
            return entry, True
    try:
        with time_limit(lim.timeout):
            entry, cacheable = _parse_bytes(path, data, lim)
    except TimedOut:
        return _failed_entry(path, data, f"timed out after {lim.timeout:g} s (limit GOVREPORTS_TIMEOUT)"), False
    if where is not None and cacheable:
        try:
            store_cached(where, entry)
        except (OSError, ValueError, TypeError):
            pass  # a read-only or full cache slows the next run, it does not stop this one
    return entry, False


def _os_error(path: Path, err: OSError) -> str:
    """Given a file that could not be opened, say why (a dangling or looping link named as such)."""
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        if err.errno == errno.ELOOP:
            return f"symbolic link loop ({path.name} -> {target} leads back to itself)"
        if err.errno == errno.ENOENT:
            return f"dangling symbolic link ({path.name} -> {target}, which does not exist)"
    return f"{type(err).__name__}: {err}"


def _parse_bytes(path: Path, data: bytes, limits: Limits | None = None) -> tuple[dict, bool]:
    """Given a file's path and bytes, return (entry, cacheable). Only real parse results and
    ReportErrors are cacheable; an unexpected exception may be a bug fixed in the next run."""
    import govreports

    try:
        report = govreports.read_report(data, name=str(path), limits=limits)
    except ReportError as err:
        return _failed_entry(path, data, str(err)), True
    except Exception as err:  # noqa: BLE001 - one bad file never stops the run
        return _failed_entry(path, data, f"{type(err).__name__}: {err}"), False
    meta = report.meta
    row = {f: getattr(meta, f, None) for f in _META_FIELDS}
    row.update(source=str(path), status="parsed", error=None)
    tables = {name: records_to_columns(report.records(name), name) for name in TABLES}
    row["_fingerprint"] = fingerprint(tables)
    return {"report": row, "tables": tables}, True


_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "boolean": pa.bool_(), "Float64": pa.float64()}
_PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
                 pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype(), pa.int32(): pd.Int32Dtype()}
SCHEMAS = {name: pa.schema([(c, _ARROW_TYPES[t]) for c, t in cols.items()]) for name, cols in _frames.COLUMNS.items()}


def records_to_columns(records: list[tuple], name: str) -> dict[str, list]:
    """Given a report's rows of table ``name`` (tuples in column order), return column lists."""
    cols = list(_frames.COLUMNS[name])
    if not records:
        return {c: [] for c in cols}
    return {c: list(v) for c, v in zip(cols, zip(*records))}


def columns_to_arrow(columns: dict[str, list], name: str, positions: list[int]) -> pa.Table:
    """Given column lists of table ``name`` and each row's file position, return an Arrow table."""
    arrays = [pa.array(columns[f.name], type=f.type) for f in SCHEMAS[name]]
    arrays.append(pa.array(positions, type=pa.int32()))
    return pa.Table.from_arrays(arrays, schema=SCHEMAS[name].append(pa.field("_pos", pa.int32())))


def arrow_to_frame(table: pa.Table, name: str) -> pd.DataFrame:
    """Given an Arrow table of ``name`` (or some of its columns), return the typed pandas frame."""
    df = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    dtypes = _frames.COLUMNS[name]
    return df.astype({c: dtypes[c] for c in df.columns if str(df[c].dtype) != dtypes[c]})


def _failed_entry(path: Path, data: bytes, error: str) -> dict:
    """Given a file that could not be read, return its entry: status failed, the error, no tables."""
    sha = hashlib.sha256(data).hexdigest()
    row = {f: None for f in _META_FIELDS}
    row.update(report_id=sha[:16], sha256=sha, source=str(path), status="failed", error=error,
               truncated=False, _fingerprint=None)
    return {"report": row, "tables": {}}


def fingerprint(tables: dict[str, dict[str, list]]) -> str | None:
    """Given a report's tables (column lists), return a hash of its requests values (None without any).

    Where every request value is 0 (common: nobody applied) the appeals and disclosure values are
    hashed too, so that two quiet agencies are not taken for one report saved twice.
    """
    req = tables.get("requests") or {}
    if not req.get("value"):
        return None
    parts = [_values_text(req, ("row", "applicant"))]
    if not any(req["value"]):
        parts.append(_values_text(tables.get("appeals") or {}, ("proceeding", "result")))
        parts.append(_values_text(tables.get("disclosure") or {}, ("item", "measure")))
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def _values_text(columns: dict[str, list], keys: tuple[str, ...]) -> str:
    """Given a table's column lists and its key columns, return its values as one sorted string."""
    if not columns.get("value"):
        return ""
    cells = zip(*(columns[k] for k in keys), columns["value"])
    return ";".join(sorted("|".join("" if x is None else str(x) for x in cell) for cell in cells))


def parse_batch(paths: list[str], cache_dir: str | None, version: str, limits: Limits | None = None) -> dict:
    """Given some files, return their report rows, their tables concatenated, and the cache hits.

    Each table gets a private ``_pos`` column (the file's position in the batch) so the caller
    can drop the rows of a duplicate. This is the unit of work sent to a process or dask worker.
    """
    rows: list[dict] = []
    columns = {name: {col: [] for col in _frames.COLUMNS[name]} for name in TABLES}
    positions: dict[str, list[int]] = {name: [] for name in TABLES}
    cached = 0
    for pos, path in enumerate(paths):
        entry, hit = parse_file(path, cache_dir, version, limits)
        cached += hit
        rows.append(entry["report"])
        for name, cols in entry["tables"].items():
            n = len(next(iter(cols.values()), []))
            for col, values in cols.items():
                columns[name][col].extend(values)
            positions[name].extend([pos] * n)
    tables = {name: columns_to_arrow(columns[name], name, positions[name]) for name in TABLES}
    return {"reports": rows, "tables": tables, "cached": cached}


# --------------------------------------------------------------------------------------------
# Engines: run parse_batch over batches, yield results in order
# --------------------------------------------------------------------------------------------

def _run_local(batches: list[list[str]], workers: int, cache_dir, version, limits=None) -> Iterator[dict]:
    """Given batches, yield parse_batch results in order, over ``workers`` processes."""
    if workers <= 1:
        for batch in batches:
            yield parse_batch(batch, cache_dir, version, limits)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _in_order(lambda b: pool.submit(parse_batch, b, cache_dir, version, limits),
                             batches, window=workers * 3)


def _run_dask(batches: list[list[str]], workers: int, scheduler, cache_dir, version, limits=None) -> Iterator[dict]:
    """Given batches, yield parse_batch results in order from dask.distributed workers.

    ``scheduler`` is an address (``tcp://host:8786``), a ``distributed.Client``, or None for a
    LocalCluster of ``workers`` single-threaded processes on this machine.
    """
    from distributed import Client, LocalCluster

    cluster = client = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    elif isinstance(scheduler, Client):
        client = scheduler
    else:
        client = Client(scheduler)
    try:
        n_threads = sum(client.nthreads().values()) or 1
        yield from _in_order(lambda b: client.submit(parse_batch, b, cache_dir, version, limits, pure=False),
                             batches, window=n_threads * 3)
    finally:
        if client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()


def _in_order(submit, batches: list, window: int) -> Iterator[dict]:
    """Given a submit function, yield results in submission order with at most ``window`` in
    flight (so results never pile up in memory faster than they are written)."""
    pending: list = []
    it = iter(batches)
    try:
        for batch in it:
            pending.append(submit(batch))
            if len(pending) >= window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
    finally:
        for fut in pending:
            fut.cancel()


# --------------------------------------------------------------------------------------------
# Collecting results: duplicates, chunks, Parquet parts
# --------------------------------------------------------------------------------------------

class _Collector:
    """Takes batches in order, marks duplicates, and flushes tidy rows every ``chunk_size`` reports
    to ``out/<table>/part-NNNNN.parquet`` (or to in-memory chunk frames when ``out`` is None)."""

    def __init__(self, out: Path | None, chunk_size: int):
        self.out, self.chunk_size = out, chunk_size
        self.report_chunks: list[pd.DataFrame] = []
        self.pending_rows: list[dict] = []
        self.buffer: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self.buffered = 0
        self.memory: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self.part = 0
        self.seen_ids: set[str] = set()
        self.seen_values: dict[tuple, str] = {}
        self.counts = {"files": 0, "parsed": 0, "failed": 0, "cached": 0, "duplicates": 0}
        if out is not None:
            _clear_dataset(out)

    def add(self, batch: dict) -> None:
        keep: list[int] = []
        for pos, row in enumerate(batch["reports"]):
            row = self._mark(row)
            self.pending_rows.append(row)
            if row["status"] == "parsed" and row["duplicate_of"] is None:
                keep.append(pos)
        self.counts["cached"] += batch["cached"]
        wanted = pa.array(keep, type=pa.int32())
        for name, table in batch["tables"].items():
            if table.num_rows:
                kept = table.filter(pc.is_in(table["_pos"], value_set=wanted))
                self.buffer[name].append(kept.drop_columns(["_pos"]))
        self.buffered += len(batch["reports"])
        if self.buffered >= self.chunk_size:
            self.flush()

    def _mark(self, row: dict) -> dict:
        """Count the row and set its duplicate_of (same bytes, or same agency+year+values)."""
        row = dict(row)
        fp = row.pop("_fingerprint", None)
        row["duplicate_of"] = None
        self.counts["files"] += 1
        self.counts[row["status"]] = self.counts.get(row["status"], 0) + 1
        if row["status"] != "parsed":
            return row
        name = row.get("agency") or row.get("agency_as_printed")
        key = _agencies.agency_key(name) if name else None
        rid = row["report_id"]
        value_key = (key, row.get("year"), fp) if key and fp else None
        if rid in self.seen_ids:
            row["duplicate_of"] = rid
        elif value_key in self.seen_values:
            row["duplicate_of"] = self.seen_values[value_key]
        else:
            self.seen_ids.add(rid)
            if value_key:
                self.seen_values[value_key] = rid
        self.counts["duplicates"] += row["duplicate_of"] is not None
        return row

    def flush(self) -> None:
        if self.pending_rows:
            self.report_chunks.append(_typed(pd.DataFrame(self.pending_rows), REPORT_COLUMNS))
        for name in TABLES:
            parts = self.buffer[name]
            table = pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
            if self.out is not None:
                _write_part(table, self.out / name, self.part)
            elif table.num_rows:
                self.memory[name].append(table)
        self.part += 1
        self.pending_rows, self.buffered = [], 0
        self.buffer = {name: [] for name in TABLES}

    def reports(self) -> pd.DataFrame:
        frames = [df for df in self.report_chunks if len(df)]
        return pd.concat(frames, ignore_index=True) if frames else _typed(pd.DataFrame(), REPORT_COLUMNS)


def _typed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Given a frame, return it with exactly ``columns`` in order and their dtypes."""
    for col in columns:
        if col not in df.columns:
            df[col] = pd.NA
    df = df[list(columns)]
    if "year" in columns:
        df = df.assign(year=pd.to_numeric(df["year"], errors="coerce"))
    return df.astype(columns)


def _write_part(table: pa.Table | pd.DataFrame, folder: Path, part: int) -> None:
    """Write one Parquet part (an Arrow table or a tidy frame) atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False).cast(SCHEMAS[folder.name])
    tmp = folder / f".part-{part:05d}.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / f"part-{part:05d}.parquet")


def _clear_dataset(out: Path) -> None:
    """Remove the parts and reports file of an earlier build in ``out`` (only files we write)."""
    for name in TABLES:
        for old in (out / name).glob("part-*.parquet"):
            old.unlink()
    for old in (out / "reports.parquet", out / "corpus.json", out / "files.json"):
        if old.exists():
            old.unlink()


# --------------------------------------------------------------------------------------------
# Linking agencies across the corpus
# --------------------------------------------------------------------------------------------

def link_agencies(reports: pd.DataFrame) -> pd.DataFrame:
    """Given a reports table, return it with agency_key, agency_link, level and region filled.

    - ``exact``: the name as printed is already the key;
    - ``normalized``: the key differs only by spacing, traditional characters, abbreviations
      (人防办), a province's short name, or a place completed from the report's own text;
    - ``guessed``: a department renamed (卫生和计划生育委员会 -> 卫生健康委员会), a partial name
      linked to the one full name in the corpus that ends with it (洪泽区人民政府 ->
      淮安市洪泽区人民政府), or an agency taken from the file name;
    - ``partial``: a name with no place (区民政局) that no fuller name claims: a key of its own,
      never merged with another report.

    >>> r = pd.DataFrame({"report_id": ["a", "b"], "source": ["x.txt", "y.txt"],
    ...                   "agency": ["洪泽区人民政府", "淮安市洪泽区人民政府"], "agency_as_printed": [None, None]})
    >>> link_agencies(r)[["agency_key", "agency_link", "level"]].values.tolist()
    [['淮安市洪泽区人民政府', 'guessed', 'county'], ['淮安市洪泽区人民政府', 'exact', 'county']]
    """
    reports = reports.copy()
    for col in ("agency", "agency_as_printed", "level", "region", "source", "status"):
        if col not in reports.columns:
            reports[col] = pd.NA
    keys, links = [], []
    for agency, printed, source in zip(reports["agency"], reports["agency_as_printed"], reports["source"]):
        key, link = _own_key(_str(agency), _str(printed), _str(source))
        keys.append(key)
        links.append(link)
    keys, links = _link_partial_keys(keys, links)
    keys, links = _link_by_file_stem(keys, links, reports["source"].tolist())
    keys, links = _keep_placeless_apart(keys, links, reports["report_id"].tolist(), reports["source"].tolist())
    reports["agency_key"] = pd.array(keys, dtype="string")
    reports["agency_link"] = pd.array(links, dtype="string")
    names = [_str(a) or k for a, k in zip(reports["agency"], keys)]
    reports["level"] = [_str(lv) or (_agencies.level_of(k) if k else None) or (_agencies.level_of(n) if n else None)
                        for lv, k, n in zip(reports["level"], keys, names)]
    reports["region"] = [_str(rg) or _longest_region(n, k) for rg, n, k in zip(reports["region"], names, keys)]
    return _typed(reports, {**REPORT_COLUMNS, **{c: str(reports[c].dtype) for c in reports.columns
                                                  if c not in REPORT_COLUMNS}})


def _str(value) -> str | None:
    """Given a cell, return it as a non-empty str or None."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _own_key(agency: str | None, printed: str | None, source: str | None) -> tuple[str | None, str | None]:
    """Given one report's names, return (agency_key, agency_link) without looking at others."""
    name = agency or printed
    if name is None:
        from_file = _agencies.name_from_filename(source or "")
        return (_agencies.agency_key(from_file), "guessed") if from_file else (None, None)
    key = _agencies.agency_key(name)
    norm = _agencies.normalize_agency(name)
    if key != norm:
        return key, "guessed"
    as_printed = re.sub(r"\s+", "", printed or name)
    return key, "exact" if key == as_printed else "normalized"


def _key_suffixes(key: str) -> list[str]:
    """Given a full key, return the shorter names it may be printed as (洪泽区人民政府, 区人民政府)."""
    place, dept = _agencies.split_name(key)
    places = [p for p in _agencies.places_of(place) if p.name]
    out = ["".join(p.name for p in places[i:]) + dept for i in range(1, len(places))]
    if places:
        last = places[-1].name
        suffix = next((s for s in sorted(_agencies._PLACE_SUFFIXES, key=len, reverse=True) if last.endswith(s)), "")
        out.append(suffix + dept)
    return [s for s in out if s and s != key]


def _link_partial_keys(keys: list, links: list) -> tuple[list, list]:
    """Link a partial key to the one longer key in the corpus that ends with it (guessed)."""
    longer: dict[str, set[str]] = {}
    for key in set(k for k in keys if k):
        for suffix in _key_suffixes(key):
            longer.setdefault(suffix, set()).add(key)
    out_keys, out_links = list(keys), list(links)
    for i, key in enumerate(keys):
        targets = longer.get(key, set()) if key else set()
        if len(targets) == 1:
            out_keys[i] = next(iter(targets))
            out_links[i] = "guessed"
    return out_keys, out_links


def _keep_placeless_apart(keys: list, links: list, report_ids: list, sources: list | None = None) -> tuple[list, list]:
    """A name with no place in it (区民政局, 市人防办) that no fuller name in the corpus claims could
    be any district's: it gets a key of its own (``区民政局@<file name>``, or ``@<report_id>``
    where two files share a name; link 'partial') so that two agencies are never merged on it."""
    names = [Path(s).name if _str(s) else None for s in (sources or [None] * len(keys))]
    seen = {n: names.count(n) for n in set(names)}
    out_keys, out_links = list(keys), list(links)
    for i, key in enumerate(keys):
        if key and not any(p.name for p in _agencies.places_of(_agencies.split_name(key)[0])):
            own = names[i] if names[i] and seen[names[i]] == 1 else report_ids[i]
            out_keys[i] = f"{key}@{own}"
            out_links[i] = "partial"
    return out_keys, out_links


def _file_stem(source: str | None) -> str | None:
    """Given a source path, return its file name without extension, years and separators."""
    if not source:
        return None
    stem = re.sub(r"(19|20)\d\d|[\s_\-.]+", "", Path(source).stem)
    return stem or None


def _link_by_file_stem(keys: list, links: list, sources: list) -> tuple[list, list]:
    """Give a report without a name the key of reports whose file names differ only by the year."""
    by_stem: dict[str, set[str]] = {}
    for key, source in zip(keys, sources):
        stem = _file_stem(_str(source))
        if key and stem:
            by_stem.setdefault(stem, set()).add(key)
    out_keys, out_links = list(keys), list(links)
    for i, (key, source) in enumerate(zip(keys, sources)):
        found = by_stem.get(_file_stem(_str(source)) or "", set())
        if key is None and len(found) == 1:
            out_keys[i], out_links[i] = next(iter(found)), "guessed"
    return out_keys, out_links


def _longest_region(name: str | None, key: str | None) -> str | None:
    """Given a report's agency name and key, return the longer region either names."""
    regions = [r for r in (_agencies.region_of(name) if name else None, _agencies.region_of(key) if key else None) if r]
    return max(regions, key=len) if regions else None


# --------------------------------------------------------------------------------------------
# The facade
# --------------------------------------------------------------------------------------------

class Corpus:
    """Tidy tables of many reports: ``reports`` (one row per file) and ``requests``, ``appeals``,
    ``disclosure``, ``findings`` (the columns of :mod:`govreports.frames`, duplicates left out).

    Tables of a corpus on disk are read when first asked for; ``table(name, columns=[...])`` reads
    only some columns (fast on 100k reports).
    """

    def __init__(self, reports: pd.DataFrame, tables: dict[str, pd.DataFrame] | None = None,
                 folder: str | os.PathLike | None = None, counts: dict | None = None):
        self.reports = reports
        self._tables = dict(tables or {})
        self.folder = Path(folder) if folder is not None else None
        self.counts = counts or _counts_of(reports)

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

    @property
    def requests(self) -> pd.DataFrame:
        return self.table("requests")

    @property
    def appeals(self) -> pd.DataFrame:
        return self.table("appeals")

    @property
    def disclosure(self) -> pd.DataFrame:
        return self.table("disclosure")

    @property
    def findings(self) -> pd.DataFrame:
        return self.table("findings")

    @property
    def legacy(self) -> pd.DataFrame:
        return self.table("legacy")

    @property
    def sections(self) -> pd.DataFrame:
        return self.table("sections")

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
        from .export import export

        return export(self, out, **options)

    def __len__(self) -> int:
        return len(self.reports)

    def __repr__(self) -> str:
        c = self.counts
        where = f" at {self.folder}" if self.folder else ""
        return (f"<Corpus{where}: {c.get('files', len(self))} files, {c.get('parsed', 0)} parsed, "
                f"{c.get('failed', 0)} failed, {c.get('duplicates', 0)} duplicates>")

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + self.reports.head(20).to_html(max_cols=12)


def _counts_of(reports: pd.DataFrame) -> dict:
    """Given a reports table, return its counts (files, parsed, failed, duplicates)."""
    status = reports["status"] if "status" in reports else pd.Series(dtype="string")
    dup = reports["duplicate_of"].notna().sum() if "duplicate_of" in reports else 0
    return {"files": len(reports), "parsed": int((status == "parsed").sum()),
            "failed": int((status == "failed").sum()), "cached": 0, "duplicates": int(dup)}


def _read_table(folder: Path, name: str, columns: list[str] | None, rows: dict[str, list] | None = None) -> pd.DataFrame:
    """Given a table folder of Parquet parts, return the typed table (or some columns and rows)."""
    if not any(folder.glob("part-*.parquet")):
        df = _frames.empty(name)
        return df[columns] if columns else df
    if not rows:
        return arrow_to_frame(pq.read_table(str(folder), columns=columns), name)
    filters = [(col, "in", list(values)) for col, values in rows.items()]
    # part by part: only one part's columns are decoded at a time, whatever the corpus's size
    parts = []
    for part in sorted(folder.glob("part-*.parquet")):
        parts.append(pq.read_table(str(part), columns=columns, filters=filters))
        pa.default_memory_pool().release_unused()
    return arrow_to_frame(pa.concat_tables(parts), name)


def _write_reports(reports: pd.DataFrame, folder: Path, counts: dict) -> None:
    """Write the reports table and a small corpus.json (version, counts) into ``folder``."""
    import govreports

    tmp = folder / ".reports.parquet.tmp"
    reports.to_parquet(tmp, index=False)
    os.replace(tmp, folder / "reports.parquet")
    info = {"govreports_version": govreports.__version__, "counts": counts,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (folder / "corpus.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")


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
    reports = pd.read_parquet(path)
    reports = reports.astype({c: t for c, t in REPORT_COLUMNS.items() if c in reports.columns})
    counts = None
    info = folder / "corpus.json"
    if info.exists():
        counts = json.loads(info.read_text(encoding="utf-8")).get("counts")
    return Corpus(reports, folder=folder, counts=counts)


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
    from .fetch import corpus_input

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
        from .corrections import read_corrections

        corr = read_corrections(corrections)  # a bad line fails here, before any parsing
    run = dict(workers=workers, cache_dir=cache_dir, version=version, engine=engine, scheduler=scheduler,
               chunk_size=chunk_size, progress=progress, batch_size=batch_size, limits=lim, manifest=manifest,
               corr=corr)
    if out is None:
        return _build(files, None, **run)
    from .fetch import attach_manifest

    # a changed corrections file rebuilds the Parquet corpus (the per-file cache is not keyed by it)
    built_by = version if corr is None else f"{version}+corrections-{corr.digest[:12]}"
    with build_lock(out) as out_dir:
        recover(out_dir)  # a corpus left aside by a build killed while swapping is put back first
        signature = _signature(files, built_by)
        if _unchanged(out_dir, signature):
            c = open_corpus(out_dir)  # same files, same bytes (size and mtime), same version: reuse it
            c.counts = {**(c.counts or {}), "cached": len(files)}
            c.reports = attach_manifest(c.reports, manifest)
            return c
        with staging(out_dir) as tmp:
            built = _build(files, tmp, **run)
            (tmp / "files.json").write_text(json.dumps(signature), encoding="utf-8")
        return Corpus(built.reports, folder=out_dir, counts=built.counts)


def _build(files: list[str], out_dir: Path | None, workers: int, cache_dir: str | None, version: str, engine: str,
           scheduler, chunk_size: int, progress: bool | None, batch_size: int | None, limits: Limits,
           manifest=None, corr=None) -> Corpus:
    """Parse ``files`` into a Corpus: in memory, or written into ``out_dir`` (the staging folder);
    ``corr`` (read corrections) is applied to each batch after the cache."""
    from .fetch import attach_manifest

    batches = _batches(files, workers, batch_size)
    if engine == "local":
        results = _run_local(batches, workers, cache_dir, version, limits)
    elif engine == "dask":
        results = _run_dask(batches, workers, scheduler, cache_dir, version, limits)
    else:
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'dask'")
    collector = _Collector(out_dir, chunk_size)
    with _progress_bar(len(files), progress) as bar:
        for batch in results:
            collector.add(corr.apply_batch(batch) if corr is not None else batch)
            bar.update(len(batch["reports"]))
    collector.flush()
    reports = attach_manifest(link_agencies(collector.reports()), manifest)
    if corr is not None:
        corr.check_all_used()
        reports = corr.apply_aliases(reports)
    if out_dir is not None:
        _write_reports(reports, out_dir, collector.counts)
        _write_failed(reports, out_dir)
        corpus = Corpus(reports, folder=out_dir, counts=collector.counts)
        cross = _cross_report_findings(corpus)
        if len(cross):
            parts = len(list((out_dir / "findings").glob("part-*.parquet")))
            _write_part(cross, out_dir / "findings", parts)
        return Corpus(reports, folder=out_dir, counts=collector.counts)
    tables = {name: arrow_to_frame(pa.concat_tables(parts), name) if parts else _frames.empty(name)
              for name, parts in collector.memory.items()}
    corpus = Corpus(reports, tables=tables, counts=collector.counts)
    cross = _cross_report_findings(corpus)
    if len(cross):
        corpus._tables["findings"] = pd.concat([tables["findings"], cross], ignore_index=True).astype(
            _frames.COLUMNS["findings"])
    return corpus


def _write_failed(reports: pd.DataFrame, folder: Path) -> None:
    """Write ``failed.csv`` (source, report_id, error): the files that could not be read, and why."""
    failed = reports.loc[reports["status"] == "failed", ["source", "report_id", "error"]]
    failed.to_csv(folder / "failed.csv", index=False, encoding="utf-8")


def _cross_report_findings(corpus: "Corpus") -> pd.DataFrame:
    """The findings only a corpus shows (table 'corpus': carry-over across years, a year printed
    twice or missing, a misfiled report), computed once when the corpus is built and stored with
    the reports' own findings."""
    from .findings import cross_year_findings

    cross = cross_year_findings(corpus)
    return cross[list(_frames.COLUMNS["findings"])].astype(_frames.COLUMNS["findings"]) if len(cross) else cross


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


def _batches(files: list[str], workers: int, batch_size: int | None) -> list[list[str]]:
    """Given files, return batches: small enough to balance the workers, big enough to be cheap."""
    size = batch_size or max(1, min(64, -(-len(files) // (workers * 4))))
    return [files[i:i + size] for i in range(0, len(files), size)]


def _progress_bar(total: int, progress: bool | None):
    """Given a total, return a tqdm bar: shown on a terminal and in a Jupyter kernel (tqdm.auto
    draws a widget there), silent in a pipe or a log unless asked."""
    from tqdm.auto import tqdm

    disable = not (sys.stderr.isatty() or _in_kernel()) if progress is None else not progress
    return tqdm(total=total, unit="file", disable=disable, desc="reading reports")


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
