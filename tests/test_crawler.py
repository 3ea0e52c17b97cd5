"""Crawler text (the whole report on one line, cells glued) and tables printed as labels only.

The digit splitter (govreports/split.py) on its own; the real crawler file of ../shared (skipped
where that folder is absent) against its gold, cell by cell; every gold entry and synthetic
reports printed as crawler text by govreports.render and read back: every cell exact or missing
with a warning, never wrong; and the bad cases of the issue, one test each.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import random
from pathlib import Path

import pytest

import govreports as gr
from govreports import split
from govreports import template
from govreports.render import ReportValues, render
from govreports.render.values import report_cells

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
CRAWLER = ROOT.parent / "shared" / "reports" / "crawler" / "pingtan_zone_gov_2021.txt"
PINGTAN = json.loads((GOLD / "crawler.json").read_text(encoding="utf-8"))["pingtan_zone_gov_2021.txt"]


def gold_values() -> list[tuple[str, ReportValues]]:
    out = []
    for f in sorted(GOLD.glob("*.json")):
        for name, g in json.loads(f.read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                out.append((f"{f.stem}:{name}", ReportValues.from_gold(g)))
    return out


def warned(r: gr.Report) -> set[str]:
    f = r.findings
    return set(f.loc[f["severity"].isin(["warning", "error"]), "table"])


def findings(r: gr.Report, check: str):
    f = r.findings
    return f.loc[f["check"] == check]


# --------------------------------------------------------------------------- split.py
def test_row_cuts_satisfy_the_row_total_and_print_no_leading_zero():
    assert split.group_splits("640020470", 1, 7) == [(64, 0, 0, 2, 0, 4, 70)]
    assert split.group_splits("0000000", 1, 7) == [(0,) * 7]
    assert sorted(split.group_splits("270020130", 1, 7)) == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]
    assert split.group_splits("0101", 1, 3, total=False) == [(0, 10, 1)]  # '01' is never a number
    assert split.group_splits("123", 1, 7) == []  # too few digits for seven cells
    assert split.group_splits("1234567", 1, 7) == []  # no cut whose last number is the sum


def test_table4_run_splits_by_the_three_proceeding_totals():
    assert split.group_splits("10203120001200000", 3, 5) == [tuple(PINGTAN["appeals"])]


def test_long_run_lists_at_most_the_limit():
    cuts = split.group_splits("9" * 40, 1, 3, total=False, limit=10)
    assert len(cuts) == 11  # one more than the limit: 'too many to list'


def test_signed_cuts_start_a_number_at_each_minus_sign():
    assert split.signed_splits("5-110", 3) == [(5, -1, 10), (5, -11, 0)]
    assert sorted(split.signed_splits("27-3133", 3)) == [(2, 7, -3133), (27, -313, 3), (27, -31, 33), (27, -3, 133)]
    assert split.signed_splits("0-30", 3) == [(0, -3, 0)]


def _runs(rows: dict[str, list[int]]) -> dict[str, str]:
    return {k: "".join(map(str, v)) for k, v in rows.items()}


def test_column_identities_pick_the_one_consistent_combination():
    rows = split.row_runs(_runs(PINGTAN["requests"]))
    assert len(rows["granted"].candidates) == 2 and len(rows["unavailable.not_held"].candidates) == 2
    sol = split.solve_requests(rows, split.column_identities(rows, template.OUTCOME_KEYS))
    assert sol.consistent and not sol.open
    assert {k: list(v) for k, v in sol.chosen.items()} == PINGTAN["requests"]


def test_a_row_two_cuts_fit_stays_open_with_both():
    runs = {"granted": "270020130", "outcome_total": "270020130"}
    rows = split.row_runs(runs)
    sol = split.solve_requests(rows, split.column_identities(rows, template.OUTCOME_KEYS))
    assert sol.consistent and not sol.chosen
    assert sorted(sol.open["granted"]) == [(2, 7, 0, 0, 20, 1, 30), (27, 0, 0, 2, 0, 1, 30)]


def test_no_consistent_combination_keeps_only_rows_with_one_cut():
    runs = {"granted": "270020130", "partly_granted": "5000005", "outcome_total": "1000001"}
    rows = split.row_runs(runs)
    sol = split.solve_requests(rows, split.column_identities(rows, template.OUTCOME_KEYS))
    assert not sol.consistent
    assert set(sol.chosen) == {"partly_granted", "outcome_total"} and "granted" in sol.open


def test_search_under_a_tiny_budget_gives_up_rather_than_guess():
    rows = split.row_runs(_runs(PINGTAN["requests"]))
    sol = split.solve_requests(rows, split.column_identities(rows, template.OUTCOME_KEYS), budget=3)
    assert "granted" not in sol.chosen and "unavailable.not_held" not in sol.chosen
    assert all(len(rows[k].candidates) == 1 for k in sol.chosen)


def _every_combination(rows: dict, identities: list[dict]) -> split.Solution:
    """The plain definition: try every combination of the bound rows' cuts; a row is chosen when
    every combination that satisfies every identity in every column cuts it the same way."""
    bound = sorted({k for i in identities for k in i})
    valid = []
    for combo in itertools.product(*(rows[k].candidates for k in bound)):
        pick = dict(zip(bound, combo))
        if all(sum(coef * pick[k][c] for k, coef in i.items()) == 0 for i in identities for c in range(7)):
            valid.append(pick)
    if not valid:
        chosen = {k: r.candidates[0] for k, r in rows.items() if len(r.candidates) == 1}
        return split.Solution(chosen, {k: list(r.candidates) for k, r in rows.items() if k not in chosen}, False)
    chosen, still = {}, {}
    for k, r in rows.items():
        cuts = {v[k] for v in valid} if k in bound else set(r.candidates)
        if len(cuts) == 1:
            chosen[k] = cuts.pop()
        else:
            still[k] = sorted(cuts, key=r.candidates.index)
    return split.Solution(chosen, still, True)


def _consistent_table(rng: random.Random) -> dict[str, tuple[int, ...]]:
    """Table 3 rows (seven cells each) for which every identity holds."""
    def row(hi: int) -> tuple[int, ...]:
        parts = [rng.randint(0, hi) for _ in range(6)]
        return (*parts, sum(parts))
    t = template
    rows = {k: row(2) for k in t.OUTCOME_KEYS}
    total = tuple(map(sum, zip(*rows.values())))
    forward, over = row(1), row(1)
    over = tuple(min(o, tf) for o, tf in zip(over[:6], map(sum, zip(total, forward))))
    over = (*over, sum(over))
    rows.update({t.OUTCOME_TOTAL: total, t.CARRIED_FORWARD: forward, t.CARRIED_OVER: over,
                 t.RECEIVED_NEW: tuple(a + b - c for a, b, c in zip(total, forward, over))})
    return rows


def test_column_identities_search_finds_what_every_combination_finds():
    rng = random.Random(7)
    consistent = 0
    for _ in range(300):
        table = _consistent_table(rng)
        several = set(rng.sample(sorted(table), rng.choice([0, 2, 4])))  # rows given other cuts too: few, to try every combination
        misprint = rng.choice(sorted(table)) if rng.random() < 0.3 else None
        unprinted = rng.choice([None, None, template.OUTCOME_TOTAL, template.RECEIVED_NEW])  # its identities drop out
        rows = {}
        for k, cells in table.items():
            if k == unprinted:
                continue
            cuts = {cells}
            for _ in range(rng.choice([1, 2]) if k in several else 0):
                other = list(cells)
                i, j = rng.sample(range(6), 2)
                other[i], other[j] = other[i] + 1, other[j] - 1
                if other[j] >= 0:
                    cuts.add(tuple(other))  # the same row total, other cells
            if k == misprint:
                cuts = {(*cells[:6], cells[6] + 1)}  # no identity holds with it
            rows[k] = split.RowRun(k, "", sorted(cuts))
        identities = split.column_identities(rows, template.OUTCOME_KEYS)
        expected = _every_combination(rows, identities)
        got = split.solve_requests(rows, identities)
        assert (got.chosen, got.open, got.consistent) == (expected.chosen, expected.open, expected.consistent)
        consistent += expected.consistent
    assert 100 < consistent < 300  # both kinds of table were tried


# --------------------------------------------------------------------------- the real crawler file
@pytest.fixture(scope="module")
def pingtan():
    if not CRAWLER.exists():
        pytest.skip(f"{CRAWLER} not present (the shared report folder is not beside the project)")
    return gr.read_report(CRAWLER)


def test_real_crawler_file_every_gold_cell(pingtan):
    exp = ReportValues.from_gold(PINGTAN).cells()
    got = report_cells(pingtan)
    assert {k: got.get(k) for k in exp if got.get(k) != exp[k]} == {}
    assert set(got) == set(exp)  # 行政规范性文件 '693665' is not golded: it must stay missing
    assert (pingtan.meta.year, pingtan.meta.template) == (2021, "2021")


def test_real_crawler_file_findings(pingtan):
    split_rows = findings(pingtan, "split_by_identity")
    assert set(split_rows.loc[split_rows["table"] == "requests", "key"]) == set(PINGTAN["requests"])
    assert (split_rows["severity"] == "info").all() and "appeals" in set(split_rows["table"])
    amb = findings(pingtan, "split_ambiguous")
    assert list(amb["key"]) == ["normative_docs"] and (amb["severity"] == "warning").all()
    assert "'693665'" in amb["message"].iloc[0] and "69|36|65" in amb["message"].iloc[0]
    assert not (pingtan.findings["severity"] == "error").any()
    cell = pingtan.requests.set_index(["row", "applicant"]).loc[("granted", "social_org")]
    assert cell["printed"] == "2" and cell["location"].startswith("line 10 char ")


# --------------------------------------------------------------------------- rendered crawler text
def _assert_never_wrong(v: ReportValues, name: str) -> tuple[int, int]:
    text = render(v, "crawler")
    assert "\n" not in text.split("正文 " + "=" * 20 + "\n", 1)[1]  # the report on one line
    r = gr.read_report(text, name=name + ".txt")
    exp, got = v.cells(), report_cells(r)
    wrong = {k: (x, got[k]) for k, x in exp.items() if k in got and abs(got[k] - x) > 1e-6}
    assert not wrong, name
    assert not set(got) - set(exp), name
    missing = {k for k in exp if k not in got}
    assert {k[0] for k in missing} <= warned(r), name  # every cell left missing is flagged
    return len(exp) - len(missing), len(exp)


def test_every_gold_entry_printed_as_crawler_text_is_never_wrong():
    exact = total = 0
    for name, v in gold_values():
        e, t = _assert_never_wrong(v, name)
        exact, total = exact + e, total + t
    assert exact / total > 0.9  # most cells are decided by the identities


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_synthetic_reports_printed_as_crawler_text_are_never_wrong(seed):
    _assert_never_wrong(ReportValues.synthetic(seed), f"s{seed}")


def test_gold_crawler_values_rendered_read_back_exactly():
    v = ReportValues.from_gold(PINGTAN)
    r = gr.read_report(render(v, "crawler"), name="pingtan.txt")
    assert report_cells(r) == {k: float(x) for k, x in v.cells().items()}


def test_stray_spaces_inside_a_run_are_not_cell_breaks():
    v = ReportValues.from_gold(PINGTAN)
    text = render(v, "crawler", stray_spaces=False)
    assert "（一）予以公开270020130（二）" in text and "00000002.其他法律" in text  # numbers stuck to labels
    spaced = text.replace("（一）予以公开270020130", "（一）予以公开2 700 20130").replace("640020470", "64 0020 47 0")
    r = gr.read_report(spaced, name="spaced.txt")
    wide = r.requests_wide()
    assert list(wide.loc["granted"]) == PINGTAN["requests"]["granted"]
    assert list(wide.loc["received_new"]) == PINGTAN["requests"]["received_new"]


def test_ambiguous_rows_stay_missing_and_name_their_cuts():
    """Without （七）总计 and 四、结转下年度 no column identity is printed: the two rows that split
    two ways by their own total stay missing, each with a warning naming both cuts."""
    text = render(ReportValues.from_gold(PINGTAN), "crawler", stray_spaces=False)
    text = text.replace("（七）总计630020469四、结转下年度继续办理1000001", "")
    r = gr.read_report(text, name="no-totals.txt")
    rows = set(r.requests["row"])
    assert "granted" not in rows and "unavailable.not_held" not in rows
    amb = findings(r, "split_ambiguous").set_index("key")
    assert "27|0|0|2|0|1|30" in amb.loc["granted", "message"] and "2|7|0|0|20|1|30" in amb.loc["granted", "message"]
    assert "22|0|0|0|0|3|25" in amb.loc["unavailable.not_held", "message"]
    assert (amb["severity"] == "warning").all()
    assert list(r.requests_wide().loc["received_new"]) == PINGTAN["requests"]["received_new"]


def test_table4_with_two_cuts_stays_missing():
    text = render(ReportValues.from_gold(PINGTAN), "crawler", stray_spaces=False)
    text = text.replace("10203120001200000", "11212227012031202519")  # 1|12|… or 11|2|…: both add up
    r = gr.read_report(text, name="t4.txt")
    assert len(r.appeals) == 0
    amb = findings(r, "split_ambiguous")
    assert list(amb["table"]) == ["appeals"] and "11|2|12|2|27" in amb["message"].iloc[0]


def test_table2_runs_no_identity_splits_stay_missing():
    v = dataclasses.replace(ReportValues.from_gold(PINGTAN),
                            disclosure={**PINGTAN["disclosure"], "normative_docs": {"issued": 6, "repealed": 9,
                                                                                    "in_force": 3665}})
    r = gr.read_report(render(v, "crawler"), name="t2.txt")
    assert "normative_docs" not in set(r.disclosure["item"])
    assert list(findings(r, "split_ambiguous")["key"]) == ["normative_docs"]
    d = r.disclosure.set_index(["item", "measure"])["value"]
    assert d[("regulations", "in_force")] == 0 and d[("fees", "amount_10k_yuan")] == pytest.approx(24252.311082)


def test_a_blank_row_glued_label_to_label_is_read_blank():
    v = ReportValues.from_gold(PINGTAN)
    v = dataclasses.replace(v, blank_rows=frozenset({"carried_over", "denied.state_secret", "other.unpaid_fee"}))
    text = render(v, "crawler")
    assert "（三）不予公开1.属于国家秘密2.其他法律" in text
    r = gr.read_report(text, name="blank.txt")
    assert report_cells(r) == {k: float(x) for k, x in v.cells().items()}
    blank = r.requests.loc[r.requests["blank"], "row"]
    assert set(blank) == {"carried_over", "denied.state_secret", "other.unpaid_fee"}
    assert set(findings(r, "blank_row_inferred")["key"]) == set(blank)


def test_long_prose_lines_are_not_crawler_text():
    v = ReportValues.synthetic(4)
    prose = ("本年新收政府信息公开申请数量12件，上年结转政府信息公开申请3件，予以公开8件，结转下年度继续办理1件；"
             "二、主动公开政府信息方面，全年主动公开信息2645条。") * 5
    text = render(v, "tsv").replace("依据《中华人民共和国政府信息公开条例》", prose + "依据《中华人民共和国政府信息公开条例》")
    r = gr.read_report(text, name="prose.txt")
    assert report_cells(r) == {k: float(x) for k, x in v.cells().items()}


# --------------------------------------------------------------------------- labels only
def _all_blank(seed: int) -> ReportValues:
    v = ReportValues.synthetic(seed)
    return dataclasses.replace(v, requests={k: [0] * 7 for k in v.requests}, blank_rows=frozenset(v.requests),
                               appeals=[0] * 15, appeals_blank=True)


LABELS_ONLY = ["tsv", "cells", "pipe_cells", "markdown", "crawler"]


def _labels_only_text(v: ReportValues, layout: str) -> str:
    text = render(v, layout) if layout == "crawler" else render(v, layout, drop_empty=True)
    table3 = text[text.index("一、本年新收"):text.index("四、政府信息公开行政复议")]
    assert not any(ch.isdigit() for ch in table3.replace("1.", "").replace("2.", "").replace("3.", "")
                   .replace("4.", "").replace("5.", "").replace("6.", "").replace("7.", "").replace("8.", ""))
    return text


@pytest.mark.parametrize("layout", LABELS_ONLY)
def test_labels_only_tables_are_printed_blank(layout):
    v = _all_blank(2)
    r = gr.read_report(_labels_only_text(v, layout), name=f"empty.{layout}")
    req = r.requests
    assert set(req["row"]) == set(v.requests) and len(req) == 7 * len(v.requests)
    assert (req["value"] == 0).all() and req["blank"].all()
    assert len(r.appeals) == 15 and r.appeals["blank"].all()
    pb = findings(r, "printed_blank")
    assert set(pb["table"]) == {"requests", "appeals"} and (pb["severity"] == "info").all()
    assert not (r.findings["table"].isin(["requests", "appeals"]) & (r.findings["severity"] != "info")).any()


@pytest.mark.parametrize("layout", LABELS_ONLY)
def test_labels_only_table_cut_short(layout):
    v = _all_blank(2)
    text = _labels_only_text(v, layout)
    cut = text[:text.index("5.属于三类内部事务信息")]
    r = gr.read_report(cut, name=f"cut.{layout}")
    before = ["received_new", "carried_over", "granted", "partly_granted", "denied.state_secret",
              "denied.prohibited_by_law", "denied.security_stability"]
    assert sorted(set(r.requests["row"])) == sorted(before)  # 4.保护第三方合法权益 is cut: missing
    assert r.requests["blank"].all()
    assert r.meta.truncated and (findings(r, "truncated")["table"] == "requests").any()
    assert "requests" in set(findings(r, "printed_blank")["table"])


def test_lone_pipe_cells_before_a_page_cut_are_the_last_rows_blank_cells():
    v = _all_blank(2)
    text = render(v, "pipe_cells", drop_empty=True)
    cut = text[:text.index("5.属于三类内部事务信息")] + " |\n" * 7  # 4.保护第三方合法权益's seven empty cells
    r = gr.read_report(cut, name="lone.txt")
    assert "denied.third_party" in set(r.requests["row"]) and r.requests["blank"].all()
    assert set(r.requests["row"]) >= {"received_new", "granted", "denied.state_secret"}


def test_labels_out_of_template_order_are_not_a_blank_table():
    v = _all_blank(2)
    text = render(v, "tsv", drop_empty=True)
    text = text.replace("一、本年新收政府信息公开申请数量", "X").replace("（一）予以公开", "一、本年新收政府信息公开申请数量")
    text = text.replace("X", "（一）予以公开")
    r = gr.read_report(text, name="shuffled.txt")
    assert len(r.requests) == 0 and not len(findings(r, "printed_blank").query("table == 'requests'"))


# --------------------------------------------------------------------------- torn labels (PDF → markdown)
def _torn_table3(v: ReportValues, **kw) -> tuple[dict, dict, gr.Report]:
    r = gr.read_report(render(v, "markdown_torn", **kw), name="torn.md")
    exp = {k: x for k, x in v.cells().items() if k[0] == "requests"}
    got = {k: x for k, x in report_cells(r).items() if k[0] == "requests"}
    return exp, got, r


def test_torn_labels_every_gold_entry_and_synthetic_report_never_wrong():
    exact = total = aligned = 0
    values = gold_values() + [(f"s{i}", ReportValues.synthetic(i)) for i in range(0, 60, 4)]
    for name, v in values:
        exp, got, r = _torn_table3(v)
        assert not {k for k in exp if k in got and abs(got[k] - exp[k]) > 1e-6}, name
        assert not set(got) - set(exp), name
        if set(exp) - set(got):
            assert "requests" in warned(r), name
        exact += sum(k in got for k in exp)
        total += len(exp)
        if "partly_granted" in v.requests and not v.identity_failures():  # the identities can confirm it
            assert got == {k: float(x) for k, x in exp.items()}, name
            assert "labels_aligned" in set(r.findings["check"]), name
    assert exact / total > 0.95


def test_torn_labels_are_aligned_and_flagged():
    v = ReportValues.synthetic(3)
    exp, got, r = _torn_table3(v)
    assert got == {k: float(x) for k, x in exp.items()}
    f = findings(r, "labels_aligned")
    assert len(f) == 1 and f["severity"].iloc[0] == "warning"
    assert set(f["key"].iloc[0].split(";")) == {k for k in v.requests if k == "granted" or k.startswith(
        ("partly_granted", "denied.", "unavailable."))}


def test_torn_labels_wrapped_mid_label_are_still_found():
    v = ReportValues.synthetic(3)
    for wrap in (5, 11, 40):
        exp, got, _ = _torn_table3(v, wrap=wrap)
        assert got == {k: float(x) for k, x in exp.items()}, wrap


def test_torn_labels_with_one_value_row_missing_are_not_aligned():
    v = ReportValues.synthetic(3)
    text = render(v, "markdown_torn")
    block = text.split("| 数据 |", 1)[1]
    first_value_row = next(s for s in block.split("\n")[2:] if s.startswith("|  |  |  |"))
    r = gr.read_report(text.replace(first_value_row + "\n", "", 1), name="short.md")
    got = {k: x for k, x in report_cells(r).items() if k[0] == "requests"}
    exp = {k: x for k, x in v.cells().items() if k[0] == "requests"}
    assert not {k for k in got if abs(got[k] - exp[k]) > 1e-6}  # nothing read under a wrong label
    assert "granted" not in {k[1] for k in got} and "labels_aligned" not in set(r.findings["check"])
    assert (findings(r, "unlabelled_row")["message"].str.contains("cannot be aligned")).any()


def test_torn_labels_kept_only_where_the_identities_hold():
    v = ReportValues.synthetic(3)
    text = render(v, "markdown_torn")
    head, block = text.split("| 数据 |", 1)
    rows = block.split("\n")
    i = next(n for n, s in enumerate(rows) if s.startswith("|  |  |  | ") and any(ch.isdigit() for ch in s))
    cells = rows[i].split(" | ")
    cells[3] = str(int(cells[3]) + 1)  # the natural-person cell of the first torn row: its total breaks
    rows[i] = " | ".join(cells)
    r = gr.read_report(head + "| 数据 |" + "\n".join(rows), name="bad.md")
    torn = {k for k in v.requests if k == "granted" or k.startswith(("partly_granted", "denied.", "unavailable."))}
    assert not torn & set(r.requests["row"])
    assert (findings(r, "unlabelled_row")["message"].str.contains("identities do not hold")).any()


def test_torn_labels_out_of_template_order_are_not_used():
    v = ReportValues.synthetic(3)
    text = render(v, "markdown_torn", wrap=400)
    loose = next(s for s in text.split("\n") if s.startswith("（一）予以公开"))
    r = gr.read_report(text.replace(loose, "（二）部分公开 （一）予以公开" + loose[len("（一）予以公开 （二）部分公开"):]),
                       name="order.md")
    exp = {k: x for k, x in v.cells().items() if k[0] == "requests"}
    got = {k: x for k, x in report_cells(r).items() if k[0] == "requests"}
    assert not {k for k in got if abs(got[k] - exp[k]) > 1e-6}
    assert "labels_aligned" not in set(r.findings["check"])
