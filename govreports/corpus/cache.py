"""The per-file cache: one JSON entry per report (data only, checked on load), keyed by the
file's SHA-256, the govreports version and a hash of its code.

An entry is ``{"report": {column: value}, "tables": {name: {column: [values]}}}``: what
:func:`govreports.corpus.worker.parse_file` returns. Loading one never runs code; a torn, foreign
or planted file is a miss, never an error.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

from .. import frames as _frames

try:  # a faster JSON (3x to write an entry); the standard library's writes and reads the same files
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; without it json does the same
    orjson = None

TABLES = _frames.TABLES
DEFAULT_CACHE = "~/.cache/govreports"
CACHE_ENTRY_BYTES = 32 * 1024 * 1024   # a cache entry larger than this is not one (a report's is ~20 KB)
CACHE_FORMAT = 3                 # bump when the layout of a cache entry changes
_META_FIELDS = ("report_id", "source", "sha256", "format", "agency", "agency_as_printed", "year",
                "template", "level", "title", "truncated", "scope", "published", "published_source")


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
            entry = _loads(fh.read())
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
            fh.write(_dumps(entry))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _dumps(entry: dict) -> bytes:
    """Given an entry, return it as UTF-8 JSON; NaN or infinity is a ValueError (not a JSON
    number), as is an integer too large for JSON's readers."""
    if orjson is not None and not _has_nan(entry):
        try:
            return orjson.dumps(entry)
        except TypeError:  # an integer beyond 64 bits: json writes it
            pass
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _has_nan(entry: dict) -> bool:
    """True when a number of the entry's float columns is NaN or infinite (orjson would write
    them as null, which reads back as missing: json refuses them instead)."""
    for cols in entry["tables"].values():
        for col in ("value", "value_printed"):
            for v in cols.get(col) or ():
                if type(v) is float and (v != v or v in (_INF, -_INF)):
                    return True
    return False


_INF = float("inf")


def _loads(data: bytes):
    """Given a file's bytes, return the JSON they hold (ValueError when they are not JSON)."""
    return orjson.loads(data) if orjson is not None else json.loads(data)


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
