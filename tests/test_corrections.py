"""Corrections (govreports.corrections): applied to the gold seed reports they change exactly the
cells they name, keep what was printed, re-check the identities, and every bad line is an error
naming its line. The seed reports ship in data/ and their gold values in tests/gold, so these
tests always run."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports import analysis as ga
from govreports import template
from govreports.corrections import read_corrections
from govreports.exceptions import CorrectionsError
from govreports.schemas import validate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "reports" / "seeds"
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
CHONGQING = "001_aedc4f75886f8629.txt"      # arithmetic consistent as printed
HEILONGJIANG = "004_454a5f1be846ec67.txt"   # prints received_new total 0 where its columns sum to 3
HEADER = "sha256,report_id,source,table,key,column,value,note,author,date\n"
PROCEEDINGS = [p.key for p in template.PROCEEDINGS]
RESULTS = [r.key for r in template.RESULTS]


def _sha(name: str) -> str:
    import hashlib

    return hashlib.sha256((SEEDS / name).read_bytes()).hexdigest()


def _gold_cells(name: str) -> dict[tuple, float]:
    """Every gold cell of a seed: (table, key, column) -> value."""
    g = GOLD[name]
    cells = {("requests", row, a): v for row, vals in g["requests"].items() for a, v in zip(template.APPLICANT_KEYS, vals)}
    if isinstance(g.get("appeals"), list):
        cells.update({("appeals", PROCEEDINGS[i // 5], RESULTS[i % 5]): v for i, v in enumerate(g["appeals"])})
    for item, ms in (g.get("disclosure") or {}).items():
        cells.update({("disclosure", item, m): v for m, v in ms.items() if not m.startswith("_")})
    return cells


def _cells(r) -> dict[tuple, pd.Series]:
    out = {}
    for table, (k1, k2) in (("requests", ("row", "applicant")), ("appeals", ("proceeding", "result")),
                            ("disclosure", ("item", "measure"))):
        for rec in getattr(r, table).to_dict("records"):
            out[(table, rec[k1], rec[k2])] = rec
    return out


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_corrections_change_exactly_the_named_cells(tmp_path):
    sha = _sha(CHONGQING)
    gold = _gold_cells(CHONGQING)
    named = {("requests", "granted", "natural_person"): 4, ("appeals", "review", "upheld"): "blank",
             ("disclosure", "licensing", "decisions"): 12.5}
    path = _write(tmp_path / "corrections.csv", [
        f"{sha},,{CHONGQING},requests,granted,natural_person,4,page 3 prints 4,王,2026-12-01",
        f"{sha},,,appeals,review,upheld,blank,the cell is empty on the page,王,2026-12-01",
        f"{sha[:16]},,,disclosure,licensing,decisions,12.5,,李,"])
    before = _cells(gr.read_report(SEEDS / CHONGQING))
    r = gr.read_report(SEEDS / CHONGQING, corrections=path)
    after = _cells(r)
    assert set(after) == set(before)
    for cell, gold_value in gold.items():
        got = after[cell]
        if cell in named:
            new = named[cell]
            assert got["value"] == (0 if new == "blank" else new), cell
            assert bool(got["blank"]) is (new == "blank")
            assert got["corrected"] is True and got["value_printed"] == gold_value
            assert got["printed"] == before[cell]["printed"] and got["location"] == before[cell]["location"]
        else:
            assert got["value"] == gold_value, cell
            assert got["corrected"] is False and pd.isna(got["value_printed"]) and pd.isna(got["note"])
    assert after[("requests", "granted", "natural_person")]["note"] == "page 3 prints 4 (王, 2026-12-01)"
    for table in ("requests", "appeals", "disclosure", "findings"):
        validate(table, getattr(r, table))
    assert len(r.corrections) == 3 and r.corrections["line"].tolist() == [2, 3, 4]


def test_a_cell_left_missing_can_be_entered_and_a_read_cell_marked_missing(tmp_path):
    sha = _sha(CHONGQING)
    path = _write(tmp_path / "c.csv", [f"{sha},,,requests,other.no_correction,total,2,printed in a note,,",
                                       f"{sha},,,requests,granted,total,missing,ink blot,,"])
    r = gr.read_report(SEEDS / CHONGQING, corrections=path)
    req = r.requests.set_index(["row", "applicant"])
    added = req.loc[("other.no_correction", "total")]
    assert added["value"] == 2 and added["corrected"] and pd.isna(added["printed"]) and "c.csv line 2" in added["location"]
    gone = req.loc[("granted", "total")]
    assert pd.isna(gone["value"]) and gone["corrected"] and gone["value_printed"] == GOLD[CHONGQING]["requests"]["granted"][6]
    assert gone["printed"] == "0" or gone["printed"] == str(GOLD[CHONGQING]["requests"]["granted"][6])
    validate("requests", r.requests)


def test_findings_are_recomputed_a_repaired_identity_goes_a_broken_one_comes(tmp_path):
    r0 = gr.read_report(SEEDS / HEILONGJIANG)
    assert set(r0.errors["check"]) == {"row_total", "balance", "outcome_total"}
    repaired = _write(tmp_path / "a.csv", [f"{_sha(HEILONGJIANG)},,,requests,received_new,total,3,columns sum to 3,,"])
    r1 = gr.read_report(SEEDS / HEILONGJIANG, corrections=repaired)
    left = r1.errors[["check", "key", "applicant"]].values.tolist()
    assert ["row_total", "received_new", "total"] not in left
    # 3 received in the total column now fails the balance against its printed (七)总计 0
    assert sorted(left) == sorted([x for x in r0.errors[["check", "key", "applicant"]].values.tolist()
                                   if x != ["row_total", "received_new", "total"]] + [["balance", "outcome_total", "total"]])

    r2 = gr.read_report(SEEDS / CHONGQING)
    assert r2.errors.empty
    broken = _write(tmp_path / "b.csv", [f"{_sha(CHONGQING)},,,requests,granted,total,99,,,"])
    r3 = gr.read_report(SEEDS / CHONGQING, corrections=broken)
    got = sorted(r3.errors[["check", "key", "applicant"]].values.tolist())
    assert got == [["outcome_total", "outcome_total", "total"], ["row_total", "granted", "total"]]
    assert set(r3.findings.query("severity != 'error'")["check"]) == set(r2.findings.query("severity != 'error'")["check"])


def test_every_bad_line_gets_its_error(tmp_path):
    sha = _sha(CHONGQING)
    path = _write(tmp_path / "bad.csv", [
        f"{sha},,,requests,granted,total,5,fine,,",
        f"{sha},,,requests,granted_all,total,5,,,",            # 3: no such row
        f"{sha},,,requests,granted,people,5,,,",               # 4: no such applicant
        f"{sha},,,requests,granted,total,five,,,",             # 5: not a number
        f"{sha},,,requests,granted,total,2.5,,,",              # 6: not whole
        f"{sha},,,appeals,review,won,1,,,",                    # 7: no such result
        f"{sha},,,disclosure,licensing,amount,1,,,",           # 8: no such measure
        f"{sha},,,meta,year,,20x1,,,",                         # 9: not a year
        f"{sha},,,meta,level,,village,,,",                     # 10: not a level
        f"{sha},,,table9,granted,total,1,,,",                  # 11: no such table
        ",,,requests,granted,total,1,,,",                      # 12: no report
        "xyz,,,requests,granted,total,1,,,"])                  # 13: not a SHA-256
    with pytest.raises(CorrectionsError) as err:
        read_corrections(path)
    text = str(err.value)
    for line, words in ((3, "granted_all"), (4, "people"), (5, "five"), (6, "whole"), (7, "won"), (8, "amount"),
                        (9, "year"), (10, "village"), (11, "table9"), (12, "names no report"), (13, "sha256")):
        assert any(f"bad.csv line {line}:" in p and words in p for p in err.value.problems), (line, text)
    assert not any("line 2:" in p for p in err.value.problems)
    with pytest.raises(CorrectionsError):  # nothing is applied from a file with a bad line
        gr.read_report(SEEDS / CHONGQING, corrections=path)


def test_a_measure_not_in_the_reports_template_is_an_error(tmp_path):
    path = _write(tmp_path / "t.csv", [f"{_sha(CHONGQING)},,,disclosure,regulations,issued,1,,,"])  # a 2021 measure
    with pytest.raises(CorrectionsError, match=r"t.csv line 2: .*'regulations', 'issued'.*template is 2019"):
        gr.read_report(SEEDS / CHONGQING, corrections=path)


def test_a_report_not_in_the_corpus_and_a_changed_report(tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(SEEDS, folder)
    missing = _write(tmp_path / "m.csv", [f"{_sha(CHONGQING)},,,requests,granted,total,0,,,",
                                          f"{'ab' * 32},,gone.txt,requests,granted,total,1,,,"])
    with pytest.raises(CorrectionsError, match=r"m.csv line 3: report (ab){32} is not in the corpus \(gone.txt\)"):
        gr.read_corpus(folder, workers=1, cache=None, corrections=missing)

    old_sha = _sha(HEILONGJIANG)
    changed = _write(tmp_path / "ch.csv", [f"{old_sha},,{HEILONGJIANG},requests,received_new,total,3,,,"])
    (folder / HEILONGJIANG).write_bytes((SEEDS / HEILONGJIANG).read_bytes() + "\n附：修订。\n".encode())
    with pytest.warns(UserWarning, match=rf"ch.csv line 2: {HEILONGJIANG} changed since"):
        c = gr.read_corpus(folder, workers=1, cache=None, corrections=changed)
    assert not c.requests["corrected"].any()
    with pytest.warns(UserWarning, match="changed since"):
        r = gr.read_report(folder / HEILONGJIANG, corrections=changed)
    assert not r.requests["corrected"].any()   # nothing applied to the changed report


def test_corpus_applies_corrections_after_the_cache(tmp_path):
    cache = tmp_path / "cache"
    plain = gr.read_corpus(SEEDS, workers=1, cache=cache)
    assert plain.counts["cached"] == 0 and not plain.requests["corrected"].any()
    path = _write(tmp_path / "c.csv", [f"{_sha(HEILONGJIANG)},,,requests,received_new,total,3,,,",
                                       f"{_sha(CHONGQING)},,,meta,year,,2021,report year misprinted,,"])
    c = gr.read_corpus(SEEDS, workers=1, cache=cache, corrections=path)
    assert c.counts["cached"] == 5   # the cached parse, corrected
    fixed = c.requests[c.requests["corrected"].fillna(False)]
    assert fixed[["row", "applicant", "value", "value_printed"]].values.tolist() == [["received_new", "total", 3, 0]]
    hlj = c.findings[c.findings["report_id"] == _sha(HEILONGJIANG)[:16]]
    assert "row_total" not in set(hlj["check"]) and "balance" in set(hlj["check"])
    assert c.reports.set_index("report_id").loc[_sha(CHONGQING)[:16], "year"] == 2021
    again = gr.read_corpus(SEEDS, workers=1, cache=cache)      # the cache kept what was read
    assert not again.requests["corrected"].any()

    out = tmp_path / "corpus"
    gr.read_corpus(SEEDS, workers=1, cache=cache, out=out, corrections=path)
    path.write_text(HEADER, encoding="utf-8")   # corrections withdrawn: the Parquet corpus is rebuilt
    opened = gr.read_corpus(SEEDS, workers=1, cache=cache, out=out, corrections=path)
    assert not opened.requests["corrected"].any()


def test_yaml_corrections_and_agency_aliases(tmp_path):
    pytest.importorskip("yaml")
    path = tmp_path / "c.yaml"
    path.write_text(f"""
- sha256: {_sha(CHONGQING)}
  table: requests
  key: granted
  column: natural_person
  value: 4
  note: yaml works
- table: agency_alias
  key: 贵阳市人民防空办公室
  value: 重庆市人民防空办公室
  note: one office (a test of the alias table, not a fact)
""", encoding="utf-8")
    c = gr.read_corpus(SEEDS, workers=1, cache=None, corrections=path)
    reps = c.reports.set_index("agency")
    assert reps.loc["贵阳市人民防空办公室", "agency_key"] == reps.loc["重庆市人民防空办公室", "agency_key"]
    assert reps.loc["贵阳市人民防空办公室", "agency_link"] == "alias"
    validate("reports", c.reports)
    assert c.requests["corrected"].fillna(False).sum() == 1


def test_analyses_say_how_many_numbers_rest_on_corrections_and_trace_shows_the_note(tmp_path):
    sha = _sha(CHONGQING)
    path = _write(tmp_path / "c.csv", [f"{sha},,,requests,denied.third_party,total,2,page 4 prints 2,王,",
                                       f"{sha},,,requests,denied.third_party,natural_person,2,,,",
                                       f"{sha},,,appeals,review,total,1,,,"])
    c = gr.read_corpus(SEEDS, workers=1, cache=None, corrections=path)
    shares = ga.outcome_shares(c, by="report").set_index("report_id")
    assert shares.loc[sha[:16], "n_corrected"] == 2 and shares["n_corrected"].sum() == 2
    assert ga.appeals_rates(c, by="report").set_index("report_id").loc[sha[:16], "n_corrected"] == 3
    assert ga.by_agency_year(c, "refused_share")["n_corrected"].sum() == 2
    assert ga.refusal_reasons(c, by="report").query("report_id == @sha[:16]")["n_corrected"].eq(2).all()
    t = ga.trace(c, sha[:16], "denied").query("corrected == True")
    assert t[["row", "column", "value", "value_printed"]].values.tolist() == [
        ["denied.third_party", "natural_person", 2, 0], ["denied.third_party", "total", 2, 0]]
    assert "page 4 prints 2 (王)" in t["note"].tolist()


def test_cli_corpus_build_with_corrections(tmp_path):
    path = _write(tmp_path / "c.csv", [f"{_sha(HEILONGJIANG)},,,requests,received_new,total,3,,,"])
    run = subprocess.run([sys.executable, "-m", "govreports.cli", "corpus", "build", str(SEEDS), "-o",
                          str(tmp_path / "corpus"), "--no-cache", "--workers", "1", "--corrections", str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    c = gr.open_corpus(tmp_path / "corpus")
    assert c.requests["corrected"].fillna(False).sum() == 1
    bad = _write(tmp_path / "bad.csv", [f"{_sha(HEILONGJIANG)},,,requests,received,total,3,,,"])
    run = subprocess.run([sys.executable, "-m", "govreports.cli", "corpus", "build", str(SEEDS), "-o",
                          str(tmp_path / "corpus2"), "--no-cache", "--corrections", str(bad)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "bad.csv line 2" in run.stderr and "Traceback" not in run.stderr


def test_bad_cells_found_while_building_are_all_reported_at_the_end(tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.txt").write_bytes(b"")   # a file that cannot be read
    import hashlib

    empty = hashlib.sha256(b"").hexdigest()
    path = _write(tmp_path / "c.csv", [f"{_sha(CHONGQING)},,,disclosure,regulations,issued,1,,,",
                                       f"{empty},,broken.txt,requests,granted,total,1,,,",
                                       f"{_sha(HEILONGJIANG)},,,requests,received_new,total,3,,,"])
    with pytest.raises(CorrectionsError) as err:
        gr.read_corpus(folder, workers=1, cache=None, corrections=path)
    assert [p.split(": ")[0].rsplit("/", 1)[-1] for p in err.value.problems] == ["c.csv line 2", "c.csv line 3"]
    assert "could not be read" in err.value.problems[1]


def test_a_bad_yaml_item_is_named_by_its_position(tmp_path):
    pytest.importorskip("yaml")
    path = tmp_path / "c.yml"
    path.write_text(f"- {{sha256: {_sha(CHONGQING)}, table: requests, key: granted, column: total, value: 1}}\n"
                    f"- {{sha256: {_sha(CHONGQING)}, table: requests, key: granted, column: everyone, value: 1}}\n",
                    encoding="utf-8")
    with pytest.raises(CorrectionsError, match=r"c.yml item 2: no cell \('granted', 'everyone'\)"):
        read_corrections(path)
