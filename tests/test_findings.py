"""Findings: every source inconsistency of the gold files is an error at the right cells, the
consistent reports get none, and reports made wrong on purpose (from the gold values, through the
renderer) get exactly the finding that names what was broken."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports import template
from govreports.cli import main
from govreports.corpus import read_corpus
from govreports.docs import checks_markdown
from govreports.findings import cross_year_findings
from govreports.render import ReportValues, render

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
REPORTS = ROOT / "data" / "reports"
PDFS = ROOT.parent / "shared" / "reports" / "pdf"
FOLDER = {"seeds": REPORTS / "seeds", "web": REPORTS / "web", "web_excerpts": REPORTS / "web_excerpts",
          "pdf": PDFS, "crawler": ROOT.parent / "shared" / "reports" / "crawler"}


def _gold() -> dict[str, tuple[Path, dict]]:
    out = {}
    for path in sorted(GOLD.glob("*.json")):
        for name, entry in json.loads(path.read_text(encoding="utf-8")).items():
            out[name] = (FOLDER[path.stem] / name, entry)
    return out


ALL = _gold()
SEEDS = json.loads((GOLD / "seeds.json").read_text(encoding="utf-8"))


def _read(path: Path) -> gr.Report:
    if not path.exists():
        pytest.skip(f"{path} not present")
    return gr.read_report(path)


def _ids(df: pd.DataFrame) -> set[tuple[str, str, str, str, str]]:
    return set(zip(df["check"], df["table"], df["key"], df["applicant"], df["proceeding"]))


# --------------------------------------------------------------------------- gold: the real inconsistencies
_ROWS_BLANK_TOTAL = ("granted", "partly_granted", "denied.state_secret", "denied.internal_affairs",
                     "denied.deliberative", "denied.query_service", "unavailable.not_held",
                     "unavailable.needs_creation", "unavailable.unclear", "not_processed.petition",
                     "not_processed.duplicate")
EXPECTED_ERRORS = {
    # seeds.json: '004 ...' source_inconsistencies, one finding each
    "004_454a5f1be846ec67.txt": {
        ("row_total", "requests", "received_new", "total", ""),
        ("outcome_total", "requests", "outcome_total", "natural_person", ""),
        ("balance", "requests", "outcome_total", "natural_person", ""),
        ("outcome_total", "requests", "outcome_total", "total", "")},
    # web.json: 总计 column blank in 11 outcome rows; their sum (0) != printed （七）总计 805
    "shanghai_gov_office_2019.html": {("row_total", "requests", r, "total", "") for r in _ROWS_BLANK_TOTAL}
    | {("outcome_total", "requests", "outcome_total", "total", "")},
    # pdf.json: appeals totals printed 0
    "huaian_hongze_district_gov_2023.pdf": {
        ("appeals_total", "appeals", "review", "", "review"),
        ("appeals_total", "appeals", "suit_after_review", "", "suit_after_review")},
}


def test_every_listed_inconsistency_has_an_expected_error():
    listed = {name for name, (_, e) in ALL.items() if e.get("source_inconsistencies")}
    assert listed == set(EXPECTED_ERRORS)


@pytest.mark.parametrize("name", sorted(ALL))
def test_errors_are_exactly_the_gold_inconsistencies(name):
    """Each source inconsistency is an error; a report listed with none gets no error at all."""
    path, _ = ALL[name]
    r = _read(path)
    assert _ids(r.errors) == EXPECTED_ERRORS.get(name, set()), r.errors[["check", "key", "message"]]


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_errors_point_at_the_printed_total(name):
    r = _read(ALL[name][0])
    req = r.requests.set_index(["row", "applicant"])["location"]
    app = r.appeals.set_index(["proceeding", "result"])["location"]
    for f in r.errors.itertuples():
        cell = req[(f.key, f.applicant)] if f.table == "requests" else app[(f.proceeding, "total")]
        assert f.location.split("; ")[0] == cell


def test_seed_004_numbers():
    r = _read(ALL["004_454a5f1be846ec67.txt"][0])
    got = {(f.check, f.applicant): (f.expected, f.found) for f in r.errors.itertuples()}
    assert got == {("row_total", "total"): ("3", "0"), ("balance", "natural_person"): ("3", "0"),
                   ("outcome_total", "natural_person"): ("5", "0"), ("outcome_total", "total"): ("5", "0")}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_finding_is_declared(name):
    r = _read(ALL[name][0])
    assert set(r.findings["check"]) <= set(template.CHECK_BY_ID)


def test_shanghai_2019_prose_disagrees_where_the_gold_says():
    """web.json notes: 予以公开及部分公开258件 disagrees (272 + 3); 无法提供265件 is not_held only;
    受理859件, 答复805件, 结转18/72件, 不予公开35件, 不予处理158件, 复议7件, 诉讼9件 agree."""
    r = _read(ALL["shanghai_gov_office_2019.html"][0])
    text = r.findings[r.findings["check"] == "text_table"]
    got = {(f.key, f.expected, f.found, f.severity) for f in text.itertuples()}
    assert got == {("granted+partly_granted", "275", "258", "warning"), ("unavailable", "337", "265", "warning")}


@pytest.mark.parametrize("name", ["000_5098ec7e8be95a2a.txt", "001_aedc4f75886f8629.txt",
                                  "shanghai_gov_office_2025.md", "huaian_city_gov_2024.pdf",
                                  "huaian_hongze_district_gov_2023.pdf"])
def test_prose_that_agrees_is_no_finding(name):
    r = _read(ALL[name][0])
    assert "text_table" not in set(r.findings["check"])


# --------------------------------------------------------------------------- wrong reports, built on purpose
def _values(name="001_aedc4f75886f8629.txt") -> ReportValues:
    return ReportValues.from_gold(SEEDS[name])


def _with_row(v: ReportValues, key: str, cells: list[int] | None) -> ReportValues:
    req = dict(v.requests)
    if cells is None:
        del req[key]
    else:
        req[key] = cells
    return dataclasses.replace(v, requests=req)


def _report(v: ReportValues, layout="tsv", edit=None, name="made.txt") -> gr.Report:
    text = render(v, layout)
    if edit:
        assert edit[0] in text
        text = text.replace(*edit)
    return gr.read_report(text, name=name)


def _significant(r: gr.Report) -> set:
    f = r.findings[r.findings["severity"] != "info"]
    return set(zip(f["check"], f["table"], f["key"], f["applicant"], f["proceeding"], f["severity"]))


@pytest.mark.parametrize("layout", ["tsv", "markdown", "html"])
def test_gold_values_printed_again_have_no_finding(layout):
    assert _significant(_report(_values(), layout)) == set()


def test_one_cell_changed():
    """granted printed 1 for a natural person: its row total and the natural-person outcome sum break."""
    r = _report(_with_row(_values(), "granted", [1, 0, 0, 0, 0, 0, 0]))
    assert _significant(r) == {("row_total", "requests", "granted", "total", "", "error"),
                               ("outcome_total", "requests", "outcome_total", "natural_person", "", "error")}
    f = r.errors.set_index("check")
    assert (f.loc["row_total", "expected"], f.loc["row_total", "found"]) == ("1", "0")
    assert (f.loc["outcome_total", "expected"], f.loc["outcome_total", "found"]) == ("4", "3")


def test_a_row_shifted_one_column():
    """unavailable.not_held printed one cell to the right: 3 under 商业企业, its 总计 pushed off (0)."""
    r = _report(_with_row(_values(), "unavailable.not_held", [0, 3, 0, 0, 0, 0, 0]))
    assert _significant(r) == {
        ("row_total", "requests", "unavailable.not_held", "total", "", "error"),
        ("outcome_total", "requests", "outcome_total", "natural_person", "", "error"),
        ("outcome_total", "requests", "outcome_total", "commercial", "", "error"),
        ("outcome_total", "requests", "outcome_total", "total", "", "error")}


def test_a_row_dropped():
    """The not_held row not printed: a missing row (warning), and the outcome rows no longer add up."""
    r = _report(_with_row(_values(), "unavailable.not_held", None))
    assert _significant(r) == {
        ("missing_rows", "requests", "unavailable.not_held", "", "", "warning"),
        ("outcome_total", "requests", "outcome_total", "natural_person", "", "error"),
        ("outcome_total", "requests", "outcome_total", "total", "", "error")}
    assert "unavailable.not_held" not in set(r.requests["row"])


def test_a_prose_number_changed():
    r = _report(_values(), edit=("共收到政府信息公开申请3件", "共收到政府信息公开申请5件"))
    assert _significant(r) == {("text_table", "text", "received_new", "total", "", "warning")}
    f = r.findings[r.findings["check"] == "text_table"].iloc[0]
    assert (f.expected, f.found) == ("3", "5")
    assert "共收到申请" in f.message and f.location.startswith("prose ")


def test_an_appeals_total_changed():
    v = _values()
    appeals = list(v.appeals)
    appeals[4] = 2  # review total printed 2 over four zero results
    r = _report(dataclasses.replace(v, appeals=appeals))
    assert _significant(r) == {("appeals_total", "appeals", "review", "", "review", "error")}


def test_a_fractional_count():
    r = _report(_values(), edit=("一、本年新收政府信息公开申请数量\t3\t", "一、本年新收政府信息公开申请数量\t2.5\t"))
    got = _significant(r)
    assert ("requests_count", "requests", "received_new", "natural_person", "", "error") in got


def test_money_printed_in_yuan_but_labelled_10k_yuan():
    """8425 万元 printed in 元 (84250000) under the template's 万元: a warning giving both readings."""
    r = _report(_values(), edit=("政府集中采购\t3\t842.5", "政府集中采购\t3\t84250000"))
    f = r.findings[r.findings["check"] == "money_unit"]
    assert list(zip(f["table"], f["key"], f["severity"])) == [("disclosure", "procurement", "warning")]
    assert "8425 万元" in f.iloc[0]["message"] and "84250000 万元" in f.iloc[0]["message"]


def test_template_that_does_not_fit_the_year():
    """A 2019-template table in a report titled 2022."""
    r = _report(dataclasses.replace(_values(), year=2022))
    assert ("template_year", "meta", "template", "", "", "warning") in _significant(r)


# --------------------------------------------------------------------------- across years
def _next_year(v: ReportValues, extra: int = 0) -> ReportValues:
    """The same agency's report on the next year, consistent in itself: carried_over is last year's
    carried_forward (plus ``extra`` natural-person requests, which are also carried forward)."""
    req = {k: list(c) for k, c in v.requests.items()}
    cf = list(v.requests["carried_forward"])
    bump = [extra, 0, 0, 0, 0, 0, extra]
    req["carried_over"] = [a + b for a, b in zip(cf, bump)]
    req["carried_forward"] = [a + b for a, b in zip(cf, bump)]
    req["received_new"] = list(v.requests["outcome_total"])
    return dataclasses.replace(v, year=v.year + 1, requests=req)


def _corpus(tmp_path: Path, reports: dict[str, ReportValues]):
    for name, v in reports.items():
        (tmp_path / name).write_text(render(v, "tsv"), encoding="utf-8")
    return read_corpus(tmp_path, workers=1, cache=None)


def _base() -> ReportValues:
    v = ReportValues.synthetic(3, template="2021")
    req = dict(v.requests)
    req["carried_forward"] = [2, 0, 0, 0, 0, 0, 2]
    req["received_new"] = [a + b for a, b in zip(req["received_new"], req["carried_forward"])]
    req["received_new"] = [a - b for a, b in zip(req["received_new"], v.requests["carried_forward"])]
    return dataclasses.replace(v, agency="淮安市洪泽区人民政府", year=2021, requests=req)


def test_consistent_years_have_no_corpus_finding(tmp_path):
    v = _base()
    c = _corpus(tmp_path, {"a.txt": v, "b.txt": _next_year(v)})
    assert cross_year_findings(c).empty


def test_carried_over_that_does_not_match_last_year(tmp_path):
    v = _base()
    c = _corpus(tmp_path, {"a.txt": v, "b.txt": _next_year(v, extra=1)})
    f = cross_year_findings(c)
    assert set(zip(f["check"], f["table"], f["key"], f["applicant"], f["severity"])) == {
        ("carry_over", "corpus", "carried_over", "natural_person", "error"),
        ("carry_over", "corpus", "carried_over", "total", "error")}
    later = c.reports.set_index("source").loc[str(tmp_path / "b.txt"), "report_id"]
    assert set(f["report_id"]) == {later}
    assert set(zip(f["expected"], f["found"])) == {("2", "3")}


def test_a_year_missing_in_a_pair(tmp_path):
    v = _base()
    c = _corpus(tmp_path, {"a.txt": v, "c.txt": _next_year(_next_year(v))})
    f = cross_year_findings(c)
    assert list(zip(f["check"], f["table"], f["key"], f["severity"])) == [("year_gap", "corpus", "2022", "info")]


def test_a_year_printed_twice_and_a_misfiled_report(tmp_path):
    v = _base()
    other = _next_year(_next_year(v), extra=3)
    c = _corpus(tmp_path, {"a_2021.txt": v, "b_2019.txt": dataclasses.replace(other, year=2021)})
    f = cross_year_findings(c)
    assert set(zip(f["check"], f["key"], f["severity"])) == {("year_duplicate", "2021", "warning"),
                                                            ("year_misfiled", "2021", "warning")}


def test_hongze_pair_agrees():
    """pdf.json notes: carried_forward 2023 (0) == carried_over 2024 (0)."""
    files = [PDFS / "huaian_hongze_district_gov_2023.pdf", PDFS / "huaian_hongze_district_gov_2024.pdf"]
    if not all(p.exists() for p in files):
        pytest.skip("shared PDFs not present")
    c = read_corpus([str(p) for p in files], workers=1, cache=None)
    assert set(c.reports["agency_key"]) == {"淮安市洪泽区人民政府"}
    assert cross_year_findings(c).empty


# --------------------------------------------------------------------------- docs and command line
def test_docs_checks_md_is_generated_from_the_declarations():
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == checks_markdown(), \
        "regenerate: python -c 'from govreports.docs import checks_markdown; print(checks_markdown(), end=\"\")' > docs/checks.md"


def test_every_declared_check_is_documented():
    md = checks_markdown()
    assert all(f"`{c.id}`" in md for c in template.CHECKS)


def test_cli_check(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "004.txt").write_bytes((REPORTS / "seeds" / "004_454a5f1be846ec67.txt").read_bytes())
    (folder / "001.txt").write_bytes((REPORTS / "seeds" / "001_aedc4f75886f8629.txt").read_bytes())
    (folder / "broken.txt").write_text("not a report", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["check", str(folder), "-o", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "row_total requests.received_new.total expected 3, found 0" in printed
    assert "broken.txt: could not be read" in printed
    f = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    assert set(f.loc[f["severity"] == "error", "source"]) == {str(folder / "004.txt")}
    assert "unreadable" in set(f["check"])
    assert main(["check", str(folder), "-o", str(out), "--workers", "1", "--strict"]) == 1
    assert main(["check", str(folder / "001.txt"), "-o", str(out), "--workers", "1", "--strict"]) == 0


def test_code_and_declarations_name_the_same_checks():
    """Every check id the package emits is declared in template.CHECKS, and every declared id is emitted
    somewhere (``parsed.find("id"`` in the reader, ``finding("id"`` or an identity in the checks)."""
    import re

    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "govreports").rglob("*.py"))
    emitted = set(re.findall(r"""(?:\.find|\bfinding)\(\s*["']([a-z_]+)["']""", source))
    emitted |= {i.id for i in template.IDENTITIES}
    assert emitted == set(template.CHECK_BY_ID)
