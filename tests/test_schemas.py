"""The declared pandera schemas: every sample report's tables fit them; a bad dtype, an unknown key,
an unknown check or severity never does."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.errors as pe
import pytest

import govreports as gr
from govreports.corpus import read_corpus
from govreports.schemas import schema, validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "data" / "reports").glob("*/*") if p.name.lower() != "readme.md") \
    + sorted((ROOT.parent / "shared" / "reports" / "pdf").glob("*.pdf"))
TABLES = ("requests", "appeals", "disclosure", "findings")


@pytest.fixture(scope="module")
def seed() -> gr.Report:
    return gr.read_report(ROOT / "data" / "reports" / "seeds" / "001_aedc4f75886f8629.txt")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_report_fits_the_schemas(path):
    r = gr.read_report(path)
    for table in TABLES:
        validate(table, getattr(r, table))


def test_corpus_tables_and_reports_fit(tmp_path):
    c = read_corpus(ROOT / "data" / "reports" / "seeds", workers=1, cache=None)
    validate("reports", c.reports)
    for table in TABLES:
        validate(table, getattr(c, table))


def test_a_bad_dtype_is_refused(seed):
    bad = seed.requests.astype({"value": "float64"})
    with pytest.raises(pe.SchemaError, match="value"):
        validate("requests", bad)


def test_an_unknown_row_key_is_refused(seed):
    bad = seed.requests.copy()
    bad.loc[0, "row"] = "granted_typo"
    with pytest.raises(pe.SchemaError, match="row"):
        validate("requests", bad)


def test_an_unknown_applicant_is_refused(seed):
    bad = seed.requests.copy()
    bad.loc[0, "applicant"] = "自然人"
    with pytest.raises(pe.SchemaError):
        validate("requests", bad)


def test_a_measure_of_another_item_is_refused(seed):
    bad = seed.disclosure.copy()
    i = bad.index[bad["item"] == "regulations"][0]
    bad.loc[i, "measure"] = "decisions"  # a real measure, but not of regulations
    with pytest.raises(pe.SchemaError):
        validate("disclosure", bad)


def test_an_extra_column_is_refused(seed):
    with pytest.raises((pe.SchemaError, pe.SchemaErrors)):
        validate("appeals", seed.appeals.assign(extra=1))


def test_duplicate_cells_are_refused(seed):
    with pytest.raises(pe.SchemaError):
        validate("requests", pd.concat([seed.requests, seed.requests.iloc[:1]], ignore_index=True))


@pytest.mark.parametrize("column,value", [("severity", "fatal"), ("check", "no_such_check"), ("table", "prose")])
def test_findings_keep_to_the_declared_sets(column, value):
    r = gr.read_report(ROOT / "data" / "reports" / "seeds" / "004_454a5f1be846ec67.txt")
    bad = r.findings.copy()
    bad.loc[0, column] = value
    with pytest.raises(pe.SchemaError):
        validate("findings", bad)


def test_unknown_table_name():
    with pytest.raises(ValueError, match="unknown table"):
        schema("nope")
