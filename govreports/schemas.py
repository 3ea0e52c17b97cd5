"""Declared pandera schemas of the tidy tables: a bad dtype or an unknown key never reaches an analysis.

One schema per table (``requests``, ``appeals``, ``disclosure``, ``findings``, ``reports``), built
from the declarations: column names and dtypes from :mod:`govreports.frames` (the corpus's
``REPORT_COLUMNS`` too), allowed keys from :mod:`govreports.template` (rows, applicants, items,
measures, check ids, severities). Columns are exact: the right names, in order, with the right
dtypes (``string``, ``Int64``, ``Float64``, ``boolean``), nothing else.

>>> import govreports as gr
>>> from govreports.schemas import validate
>>> r = gr.read_report("data/reports/seeds/001_aedc4f75886f8629.txt")   # doctest: +SKIP
>>> validate("requests", r.requests)                                     # doctest: +SKIP
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from . import frames
from . import template

_ITEMS = {i.key for items in template.DISCLOSURE_ITEMS.values() for i in items}
_MEASURES = {m.key for items in template.DISCLOSURE_ITEMS.values() for i in items for m in i.measures}
_ITEM_MEASURES = {(i.key, m.key): m.unit for items in template.DISCLOSURE_ITEMS.values() for i in items for m in i.measures}
_TEXT_COLUMNS = ("printed", "location", "heading", "text")


def _isin(values) -> pa.Check:
    return pa.Check.isin(sorted(values))


# Per table: the allowed values of key columns (None: any value) and whether a column may be null.
KEY_VALUES: dict[str, dict[str, tuple]] = {
    "requests": {"row": template.REQUEST_KEYS, "applicant": template.APPLICANT_KEYS},
    "appeals": {"proceeding": template.PROCEEDING_KEYS, "result": template.RESULT_KEYS},
    "disclosure": {"item": tuple(sorted(_ITEMS)), "measure": tuple(sorted(_MEASURES)),
                   "unit": ("count", "10k_yuan")},
    "findings": {"check": tuple(c.id for c in template.CHECKS), "table": template.FINDING_TABLES,
                 "severity": template.SEVERITIES},
    "legacy": {"key": template.LEGACY_KEYS, "unit": ("count", "yuan")},
    "sections": {"section": tuple(dict.fromkeys(["preamble", *(s.key for s in template.SECTIONS),
                                                 *(s.key for s in template.PRE2019_SECTIONS)]))},
}
UNIQUE = {"requests": ["report_id", "row", "applicant"], "appeals": ["report_id", "proceeding", "result"],
          "disclosure": ["report_id", "item", "measure"], "legacy": ["report_id", "key"]}


def _column(table: str, name: str, dtype: str) -> pa.Column:
    """Given a table's column and its dtype, return its pandera column (keys checked, nullability)."""
    checks = []
    allowed = KEY_VALUES.get(table, {}).get(name)
    if allowed is not None:
        checks.append(_isin(allowed))
    nullable = table == "findings" and name not in ("report_id", "check", "table", "severity", "message")
    if name in _TEXT_COLUMNS or name in ("value_printed", "note"):
        nullable = True
    if name == "value" and table != "findings":  # a cell a person marked missing (checked below)
        nullable = True
    return pa.Column(dtype, checks=checks, nullable=nullable)


def _table_schema(table: str) -> pa.DataFrameSchema:
    """Given a tidy table's name, return its schema (from ``frames.COLUMNS`` and the template)."""
    checks = []
    if table == "disclosure":
        checks.append(pa.Check(_known_item_measures, error="(item, measure) is not a measure of that item "
                                                           "in any template, or its unit is wrong"))
    if table in UNIQUE:
        checks.append(pa.Check(_value_or_corrected, error="a cell without a value that no correction marked missing"))
    return pa.DataFrameSchema({c: _column(table, c, t) for c, t in frames.COLUMNS[table].items()},
                              checks=checks, strict=True, ordered=True, unique=UNIQUE.get(table), name=table)


def _value_or_corrected(df: pd.DataFrame) -> pd.Series:
    """Per row: a value, or a correction (``corrected``) that marked the printed cell missing."""
    return df["value"].notna() | df["corrected"].fillna(False).astype(bool)


def _known_item_measures(df: pd.DataFrame) -> pd.Series:
    """Given the disclosure table, return per row whether (item, measure) and its unit fit the template."""
    return pd.Series([_ITEM_MEASURES.get((i, m)) == u for i, m, u in zip(df["item"], df["measure"], df["unit"])],
                     index=df.index, dtype=bool)


def _reports_schema() -> pa.DataFrameSchema:
    """The corpus's ``reports`` table: one row per file, meta values in the declared sets."""
    from .frames import REPORT_COLUMNS

    allowed = {"format": template.FORMATS, "template": (*template.TEMPLATES, template.PRE2019), "level": template.LEVELS,
               "status": ("parsed", "failed"), "scope": template.SCOPES,
               "agency_link": ("exact", "normalized", "guessed", "partial", "alias"), "published_source": template.PUBLISHED_SOURCES}
    cols = {}
    for name, dtype in REPORT_COLUMNS.items():
        checks = [_isin(allowed[name])] if name in allowed else []
        if name == "year":
            checks.append(pa.Check.in_range(1990, 2100))
        if name == "published":
            checks.append(pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"))
        cols[name] = pa.Column(dtype, checks=checks, nullable=name not in ("report_id", "source", "status"),
                               unique=name == "report_id")
    return pa.DataFrameSchema(cols, strict=False, ordered=True, name="reports")


SCHEMAS: dict[str, pa.DataFrameSchema] = {name: _table_schema(name) for name in frames.TABLES}


def schema(table: str) -> pa.DataFrameSchema:
    """Given a table name, return its schema."""
    if table == "reports":
        if "reports" not in SCHEMAS:
            SCHEMAS["reports"] = _reports_schema()
        return SCHEMAS["reports"]
    if table not in SCHEMAS:
        raise ValueError(f"unknown table {table!r}; known: {(*frames.TABLES, 'reports')}")
    return SCHEMAS[table]


def validate(table: str, df: pd.DataFrame, lazy: bool = False) -> pd.DataFrame:
    """Given a table name and a frame, return the frame if it fits the declared schema.

    Raises ``pandera.errors.SchemaError`` naming the column and the offending values, or
    ``SchemaErrors`` listing every failure (with ``lazy=True``, and for columns not in the schema).
    """
    return schema(table).validate(df, lazy=lazy)
