"""What runs in a worker process (or a dask worker): files in, plain data out.

``parse_batch(paths, cache_dir, version, limits)`` is the unit of work an engine sends; it never
raises for a bad file (the file's row is ``failed`` with its error).
"""
from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

from .. import frames as _frames
from ..exceptions import ReportError
from ..limits import Limits
from ..lightgc import light_gc as _light_gc
from ..limits import current as current_limits
from ..report import read_bytes
from ..timelimit import TimedOut, time_limit
from .cache import _META_FIELDS, cache_path, load_cached, store_cached
from .store import columns_to_arrow

TABLES = _frames.TABLES


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



def records_to_columns(records: list[tuple], name: str) -> dict[str, list]:
    """Given a report's rows of table ``name`` (tuples in column order), return column lists."""
    cols = list(_frames.COLUMNS[name])
    if not records:
        return {c: [] for c in cols}
    return {c: list(v) for c, v in zip(cols, zip(*records))}



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
    hashed too, so that two quiet agencies are not taken for one report saved twice. The cells are
    hashed in the order the report lists them (template order, the same for every report), so
    two reports get one fingerprint exactly when they print the same cells with the same values.
    """
    req = tables.get("requests") or {}
    values = req.get("value")
    if not values:
        return None
    parts = [_cells_text(req, ("row", "applicant"))]
    if not any(values):
        parts.append(_cells_text(tables.get("appeals") or {}, ("proceeding", "result")))
        parts.append(_cells_text(tables.get("disclosure") or {}, ("item", "measure")))
    return hashlib.sha1("\x1d".join(parts).encode()).hexdigest()


def _cells_text(columns: dict[str, list], keys: tuple[str, ...]) -> str:
    """Given a table's column lists and its key columns (template keys), return its cells as one
    string: each key column joined, then the values."""
    return "\x1f".join(["\x1e".join(columns.get(k) or ()) for k in keys] + [repr(list(columns.get("value") or ()))])


def parse_batch(paths: list[str], cache_dir: str | None, version: str, limits: Limits | None = None) -> dict:
    """Given some files, return their report rows, their tables concatenated, and the cache hits.

    Each table gets a private ``_pos`` column (the file's position in the batch) so the caller
    can drop the rows of a duplicate. This is the unit of work sent to a process or dask worker.
    """
    with _light_gc():
        return _parse_batch(paths, cache_dir, version, current_limits(limits))


def _parse_batch(paths: list[str], cache_dir: str | None, version: str, limits: Limits) -> dict:
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
