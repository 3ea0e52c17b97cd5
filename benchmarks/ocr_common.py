"""Shared by the OCR benchmarks: gold entries, scanned printings, cell-by-cell comparison."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govreports.render.values import ReportValues, compare_cells  # noqa: E402

GOLD = ROOT / "tests" / "gold"
REAL_PDF = ROOT.parent / "shared" / "reports" / "pdf"


def gold_entries() -> dict[str, dict]:
    """Every gold entry of tests/gold that prints the template's tables: 'file/name' -> entry."""
    out = {}
    for f in sorted(GOLD.glob("*.json")):
        for name, entry in json.loads(f.read_text(encoding="utf-8")).items():
            if entry.get("requests") and entry.get("template") in ("2019", "2021"):
                out[f"{f.stem}/{name}"] = entry
    return out


def gold_cells(entry: dict) -> dict[tuple[str, str, str], float]:
    """The cells a gold entry says the report prints (the package's one reading of gold)."""
    return ReportValues.from_gold(entry).cells()


def compare(report, entry: dict) -> dict:
    """Cells exact / missing / wrong, and wrong cells no error or warning of their table flags (counts)."""
    r = compare_cells(report, gold_cells(entry))
    return {"cells": r["cells"], "exact": r["exact"], "missing": len(r["missing"]), "wrong": len(r["wrong"]),
            "silent": len(r["silent"])}


