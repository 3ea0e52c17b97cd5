"""Column names and dtypes of the tidy tables, in one place.

Every frame govreports hands out (one report, a corpus, a Parquet dataset) has these columns in
this order; :func:`empty` builds a correctly typed empty frame.
"""
from __future__ import annotations

import pandas as pd

# Every cell says whether it is what the agency printed: ``corrected`` (a person's correction,
# see :mod:`govreports.corrections`), the value read before it (``value_printed``) and its note.
CORRECTION: dict[str, str] = {"corrected": "boolean", "value_printed": "Int64", "note": "string"}
COLUMNS: dict[str, dict[str, str]] = {
    "requests": {"report_id": "string", "row": "string", "applicant": "string", "value": "Int64",
                 "blank": "boolean", "printed": "string", "location": "string", **CORRECTION},
    "appeals": {"report_id": "string", "proceeding": "string", "result": "string", "value": "Int64",
                "blank": "boolean", "printed": "string", "location": "string", **CORRECTION},
    "disclosure": {"report_id": "string", "item": "string", "measure": "string", "value": "Float64",
                   "unit": "string", "blank": "boolean", "printed": "string", "location": "string",
                   **CORRECTION, "value_printed": "Float64"},
    "findings": {"report_id": "string", "check": "string", "table": "string", "key": "string",
                 "applicant": "string", "proceeding": "string", "expected": "string", "found": "string",
                 "severity": "string", "message": "string", "location": "string"},
    "legacy": {"report_id": "string", "key": "string", "value": "Float64", "unit": "string",
               "printed": "string", "location": "string"},
    "sections": {"report_id": "string", "section": "string", "heading": "string", "text": "string",
                 "location": "string"},
}
TABLES = ("requests", "appeals", "disclosure", "findings", "legacy", "sections")
# A corpus's ``reports`` table: one row per file (its meta, status, agency link, duplicate).
REPORT_COLUMNS: dict[str, str] = {
    "report_id": "string", "source": "string", "sha256": "string", "format": "string",
    "status": "string", "error": "string", "agency": "string", "agency_key": "string",
    "agency_link": "string", "agency_as_printed": "string", "year": "Int64", "template": "string",
    "level": "string", "region": "string", "title": "string", "truncated": "boolean",
    "duplicate_of": "string", "scope": "string", "published": "string", "published_source": "string",
}


# each column's dtype and the array type that holds it, resolved once (a dtype named by a string is
# looked up in pandas' registry on every use: half the time of building a report's frames)
_ARRAYS: dict[str, dict[str, tuple]] = {
    t: {c: (dt, dt.construct_array_type()) for c, dt in ((c, pd.api.types.pandas_dtype(d)) for c, d in cols.items())}
    for t, cols in COLUMNS.items()}


def empty(table: str) -> pd.DataFrame:
    """Given a table name, return an empty frame with its columns and dtypes."""
    return from_records(table, [])


def from_records(table: str, records: list[tuple] | list[dict]) -> pd.DataFrame:
    """Given tuples (in column order) or dicts, return a typed frame of ``table``."""
    arrays = _ARRAYS[table]
    if not records:
        columns = [()] * len(arrays)
    elif isinstance(records[0], tuple):
        columns = zip(*records)
    else:
        columns = ([r.get(c) for r in records] for c in arrays)
    return pd.DataFrame({c: array._from_sequence(list(v), dtype=dtype) for (c, (dtype, array)), v in zip(arrays.items(), columns)},
                        copy=False)


def typed(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Given a frame, return it with exactly ``columns`` in order and their dtypes (a column it
    lacks is added empty; ``year`` is coerced to a number first)."""
    for col in columns:
        if col not in df.columns:
            df[col] = pd.NA
    df = df[list(columns)]
    if "year" in columns:
        df = df.assign(year=pd.to_numeric(df["year"], errors="coerce"))
    return df.astype(columns)
