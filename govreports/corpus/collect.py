"""The collector: takes parse_batch results in order, marks duplicates, and flushes every
``chunk_size`` reports: the tidy rows to ``<table>/part-NNNNN.parquet`` (and each part's
per-report figures, :class:`govreports.figures.BuildFigures`: the first analysis after a build
reads them), the report rows (with each report's own agency key) to a staging part, the
carry-over cells to the build's index.

What it must remember about every report seen (its id, its agency, year and values) is kept in
the build's SQLite index (:func:`~govreports.corpus.store.open_index`), not in memory.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import agencies as _agencies
from .. import figures as _figures
from .. import frames as _frames
from ..findings import _CARRY_ROWS
from .store import REPORT_COLUMNS, SCHEMAS, TABLES, _clear_dataset, _write_part

RAW = ".reports-raw"   # staging parts of the report rows, before linking


class _Collector:
    """Takes batches in order, marks duplicates, and flushes every ``chunk_size`` reports into
    ``out`` (a staging folder)."""

    def __init__(self, out: Path, chunk_size: int, index: sqlite3.Connection, linker: _agencies.AgencyLinker):
        self.out, self.chunk_size, self.index, self.linker = out, chunk_size, index, linker
        self.pending_rows: list[dict] = []
        self.buffer: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self.buffered = 0
        self.part = 0
        self.counts = {"files": 0, "parsed": 0, "failed": 0, "cached": 0, "duplicates": 0}
        _clear_dataset(out)
        self.figures = _figures.BuildFigures(out)
        (out / RAW).mkdir(exist_ok=True)
        index.executescript("""
            CREATE TABLE seen_ids (report_id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE seen_values (key TEXT PRIMARY KEY, report_id TEXT) WITHOUT ROWID;
            CREATE TABLE carry (report_id TEXT, row TEXT, applicant TEXT, value INTEGER, location TEXT);
        """)

    def add(self, batch: dict) -> None:
        keep: list[int] = []
        for pos, row in enumerate(batch["reports"]):
            row = self._mark(row)
            self.pending_rows.append(row)
            if row["status"] == "parsed" and row["duplicate_of"] is None:
                keep.append(pos)
        self.counts["cached"] += batch["cached"]
        every = len(keep) == len(batch["reports"])
        for name, table in batch["tables"].items():
            if table.num_rows:
                if not every:  # a numpy mask: cheaper than an Arrow kernel on a batch's few rows
                    table = table.filter(np.isin(table["_pos"].to_numpy(), keep))
                self.buffer[name].append(table.drop_columns(["_pos"]))
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
        value_key = f"{key}\x1f{row.get('year')}\x1f{fp}" if key and fp else None
        db = self.index
        if db.execute("SELECT 1 FROM seen_ids WHERE report_id = ?", (rid,)).fetchone():
            row["duplicate_of"] = rid
        elif value_key and (first := db.execute("SELECT report_id FROM seen_values WHERE key = ?",
                                                (value_key,)).fetchone()):
            row["duplicate_of"] = first[0]
        else:
            db.execute("INSERT INTO seen_ids VALUES (?)", (rid,))
            if value_key:
                db.execute("INSERT INTO seen_values VALUES (?, ?)", (value_key, rid))
        self.counts["duplicates"] += row["duplicate_of"] is not None
        return row

    def _note_carry(self, requests: pa.Table) -> None:
        """Keep the carry-over cells of the kept reports in the index (the cross-year step reads them)."""
        carry = requests.filter(pc.is_in(requests["row"], value_set=pa.array(_CARRY_ROWS)))  # what cross-year compares
        if carry.num_rows:
            cols = [carry[c].to_pylist() for c in ("report_id", "row", "applicant", "value", "location")]
            self.index.executemany("INSERT INTO carry VALUES (?, ?, ?, ?, ?)", zip(*cols))

    def flush(self) -> None:
        if self.pending_rows:
            rows = self.linker.own(_frames.typed(pd.DataFrame(self.pending_rows), REPORT_COLUMNS))
            tmp = self.out / RAW / f".part-{self.part:05d}.tmp"
            pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), tmp)
            tmp.replace(self.out / RAW / f"part-{self.part:05d}.parquet")
        for name in TABLES:
            parts = self.buffer[name]
            table = pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
            self.write_part(name, table, self.part)
            if name == "requests":
                self._note_carry(table)
        self.index.commit()
        self.part += 1
        self.pending_rows, self.buffered = [], 0
        self.buffer = {name: [] for name in TABLES}

    def write_part(self, name: str, table: pa.Table | pd.DataFrame, part: int) -> None:
        """Write part number ``part`` of table ``name`` and keep its figures."""
        self.figures.add(name, _write_part(table, self.out / name, part))

    def finish(self) -> None:
        """Complete the parts' figures (once every part is written)."""
        self.figures.close()

    def raw_parts(self) -> list[Path]:
        """The staging parts of the report rows, in order."""
        return sorted((self.out / RAW).glob("part-*.parquet"))
