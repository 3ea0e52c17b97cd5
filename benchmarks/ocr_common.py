"""Shared by the OCR benchmarks: gold entries, scanned printings, cell-by-cell comparison."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govreports.template import APPLICANT_KEYS  # noqa: E402

GOLD = ROOT / "tests" / "gold"
REAL_PDF = ROOT.parent / "shared" / "reports" / "pdf"
PROCEEDINGS = ("review", "suit_direct", "suit_after_review")
RESULTS = ("upheld", "corrected", "other", "pending", "total")


def gold_entries() -> dict[str, dict]:
    """Every gold entry of tests/gold that prints the template's tables: 'file/name' -> entry."""
    out = {}
    for f in sorted(GOLD.glob("*.json")):
        for name, entry in json.loads(f.read_text(encoding="utf-8")).items():
            if entry.get("requests") and entry.get("template") in ("2019", "2021"):
                out[f"{f.stem}/{name}"] = entry
    return out


def gold_cells(entry: dict) -> dict[tuple[str, str, str], float]:
    cells = {("requests", row, a): float(v) for row, vals in entry.get("requests", {}).items()
             for a, v in zip(APPLICANT_KEYS, vals)}
    appeals = entry.get("appeals")
    if isinstance(appeals, str):
        appeals = [0] * 15
    if isinstance(appeals, list):
        for i, v in enumerate(appeals):
            cells[("appeals", PROCEEDINGS[i // 5], RESULTS[i % 5])] = float(v)
    for item, measures in (entry.get("disclosure") or {}).items():
        for m, v in measures.items():
            if not m.startswith("_"):
                cells[("disclosure", item, m)] = float(v)
    return cells


def compare(report, entry: dict) -> dict:
    """Cells exact / missing / wrong, and wrong cells no error or warning of their table flags."""
    got = {}
    for table, k1, k2 in (("requests", "row", "applicant"), ("appeals", "proceeding", "result"),
                          ("disclosure", "item", "measure")):
        df = getattr(report, table)
        for a, b, v in zip(df[k1], df[k2], df["value"]):
            if v is not None and str(v) != "<NA>":
                got[(table, str(a), str(b))] = float(v)
    f = report.findings
    flagged = set(f.loc[f["severity"].isin(["error", "warning"]), "table"])
    out = {"cells": 0, "exact": 0, "missing": 0, "wrong": 0, "silent": 0}
    for key, want in gold_cells(entry).items():
        out["cells"] += 1
        if key not in got:
            out["missing"] += 1
        elif abs(got[key] - want) > 1e-6:
            out["wrong"] += 1
            out["silent"] += key[0] not in flagged
        else:
            out["exact"] += 1
    return out
