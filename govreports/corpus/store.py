"""The corpus on disk: Arrow schemas of the tidy tables, Parquet parts written atomically, the
reports table and ``corpus.json`` (version, counts), and typed frames read back.

A corpus folder::

    reports.parquet            one row per file (frames.REPORT_COLUMNS), written chunk by chunk
    corpus.json                govreports version, counts, when written
    files.json                 what it was built from (paths, sizes, mtimes, version)
    failed.csv                 source, report_id, error of each file that could not be read
    <table>/part-NNNNN.parquet requests, appeals, disclosure, findings, legacy, sections
    .figures/                  per-report figures of the parts (govreports.figures.BuildFigures)
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import frames as _frames
from ..figures import BUILT

TABLES = _frames.TABLES
REPORT_COLUMNS = _frames.REPORT_COLUMNS
DEFAULT_CHUNK_SIZE = 2000        # reports per Parquet part: memory stays flat beyond this
_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "boolean": pa.bool_(), "Float64": pa.float64()}
_PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.int64(): pd.Int64Dtype(),
                 pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype(), pa.int32(): pd.Int32Dtype()}
SCHEMAS = {name: pa.schema([(c, _ARROW_TYPES[t]) for c, t in cols.items()]) for name, cols in _frames.COLUMNS.items()}


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


def _write_part(table: pa.Table | pd.DataFrame, folder: Path, part: int) -> Path:
    """Write one Parquet part (an Arrow table or a tidy frame) atomically; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False).cast(SCHEMAS[folder.name])
    tmp = folder / f".part-{part:05d}.parquet.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / f"part-{part:05d}.parquet")
    return folder / f"part-{part:05d}.parquet"


def _clear_dataset(out: Path) -> None:
    """Remove the parts and reports file of an earlier build in ``out`` (only files we write)."""
    for name in TABLES:
        for old in (out / name).glob("part-*.parquet"):
            old.unlink()
    for old in (out / "reports.parquet", out / "corpus.json", out / "files.json"):
        if old.exists():
            old.unlink()
    shutil.rmtree(out / BUILT, ignore_errors=True)   # the parts' figures (govreports.figures.BuildFigures)


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
    with ReportsWriter(folder) as writer:
        writer.add(reports)
    _write_info(folder, counts)


def _write_info(folder: Path, counts: dict) -> None:
    """Write ``corpus.json``: the govreports version, the counts, when (open_corpus reads only this)."""
    import govreports

    info = {"govreports_version": govreports.__version__, "counts": counts,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (folder / "corpus.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")


class ReportsWriter:
    """Writes ``reports.parquet`` chunk by chunk (one row group each, atomically at the end) and
    ``failed.csv`` (source, report_id, error: the files that could not be read, and why)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.tmp = folder / ".reports.parquet.tmp"
        self.writer: pq.ParquetWriter | None = None
        self.failed = open(folder / "failed.csv", "w", encoding="utf-8", newline="")
        self.failed.write("source,report_id,error\n")

    def add(self, reports: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(reports, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))
        if "status" in reports.columns:
            failed = reports.loc[reports["status"] == "failed", ["source", "report_id", "error"]]
            failed.to_csv(self.failed, index=False, header=False)

    def __enter__(self) -> "ReportsWriter":
        return self

    def __exit__(self, kind, *exc) -> None:
        self.failed.close()
        if self.writer is None and kind is None:
            self.add(_frames.typed(pd.DataFrame(), REPORT_COLUMNS))
        if self.writer is not None:
            self.writer.close()
        if kind is None:
            os.replace(self.tmp, self.folder / "reports.parquet")


def read_reports(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Given a corpus folder (or a staging part), return its reports table, typed."""
    path = folder if folder.suffix == ".parquet" else folder / "reports.parquet"
    with pq.ParquetFile(path) as part:  # one file: read as such (read_table sets up pyarrow.dataset)
        reports = part.read(columns=columns).to_pandas(types_mapper=_PANDAS_TYPES.get)
    return reports.astype({c: t for c, t in REPORT_COLUMNS.items() if c in reports.columns})


def open_index(path: Path) -> sqlite3.Connection:
    """Given a path in a staging folder, return the build's SQLite index: what a build must
    remember about every report (ids and values seen, agency keys, carry-over cells) kept on
    disk, so that the main process's memory does not grow with the corpus."""
    db = sqlite3.connect(str(path))
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000;")
    return db
