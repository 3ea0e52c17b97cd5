"""Report.explain: for every gold cell of the seed reports (shipped in data/, gold in tests/gold, so
these tests always run) the explanation gives the gold value, the cell's own location and the
printed line it was read from; the identities that fail in seed 004 show up on its cells."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import govreports as gr
from govreports import template
from govreports.explain import Explanation
from govreports.render.values import ReportValues

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "reports" / "seeds"
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
HEILONGJIANG = "004_454a5f1be846ec67.txt"   # prints received_new total 0 where its columns sum to 3


def _locations(r) -> dict[tuple, str]:
    out = {("requests", x.row, x.applicant): x.location for x in r.requests.itertuples()}
    out.update({("appeals", x.proceeding, x.result): x.location for x in r.appeals.itertuples()})
    out.update({("disclosure", x.item, x.measure): x.location for x in r.disclosure.itertuples()})
    return out


@pytest.mark.parametrize("name", sorted(GOLD))
def test_every_gold_cell_is_explained_by_its_printed_line(name):
    r = gr.read_report(SEEDS / name)
    locations = _locations(r)
    for cell, gold in ReportValues.from_gold(GOLD[name]).cells().items():
        e = r.explain(cell)
        assert e.value == gold, (name, cell)
        assert e.location == locations[cell], (name, cell)
        printed = {loc: cells for loc, cells in e.lines}
        for part in e.location.split("; "):  # a sum of sub-rows has one location per printing
            line = next(loc for loc in printed if part == loc or part.startswith(loc + " "))
            if "; " not in e.location and not e.blank:
                assert e.printed in " ".join(printed[line]), (name, cell, e.lines)
        if cell[0] != "appeals":
            assert e.label is not None, (name, cell)


def test_seed_004_failing_identities_show_up():
    r = gr.read_report(SEEDS / HEILONGJIANG)
    e = r.explain("received_new", "total")
    assert isinstance(e, Explanation)
    failing = {(i["id"], i["expected"], i["found"]) for i in e.failing}
    assert ("row_total", 3, 0) in failing  # its columns sum to 3, its 总计 prints 0
    assert "FAILS: expected 3, found 0" in str(e) and "row_total" in str(e)
    out = r.explain(("requests", "outcome_total", "natural_person"))
    assert {i["id"] for i in out.failing} == {"balance", "outcome_total"}
    # every error finding of the report is a failing identity on some cell it names
    errors = r.findings[r.findings["severity"] == "error"]
    for f in errors.itertuples():
        row = f.key if f.key in template.ROW_BY_KEY else f.proceeding
        column = f.applicant or "total"
        assert f.check in {i["id"] for i in r.explain(row, column).failing}, f


def test_a_consistent_cell_lists_identities_that_hold():
    r = gr.read_report(SEEDS / "001_aedc4f75886f8629.txt")
    e = r.explain("denied.third_party", "total")
    assert e.identities and all(i["holds"] for i in e.identities)
    assert {i["id"] for i in e.identities} >= {"row_total", "outcome_total"}
    assert "<b>" in e._repr_html_()


def test_bad_cell_names_are_clear():
    r = gr.read_report(SEEDS / "001_aedc4f75886f8629.txt")
    with pytest.raises(KeyError, match="not a row"):
        r.explain("no_such_row")
    with pytest.raises(ValueError, match="measure"):
        r.explain("licensing")
