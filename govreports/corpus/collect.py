"""The collector: takes parse_batch results in order, marks duplicates, and flushes the tidy rows
every ``chunk_size`` reports to Parquet parts (or to memory for a corpus without a folder).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import agencies as _agencies
from .. import frames as _frames
from .store import REPORT_COLUMNS, SCHEMAS, TABLES, _clear_dataset, _write_part


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
            self.report_chunks.append(_frames.typed(pd.DataFrame(self.pending_rows), REPORT_COLUMNS))
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
        return pd.concat(frames, ignore_index=True) if frames else _frames.typed(pd.DataFrame(), REPORT_COLUMNS)
