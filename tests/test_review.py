"""The review queue (analysis.review_queue) and the review app (gr.widgets.review), driven headless:
its order on a small rendered corpus, the printed context, and clicks that append corrections."""
from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports import analysis as ga
from govreports.render import ReportValues, render
from govreports.review import cell_box, page_image, printed_context

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
PDF_DIR = ROOT.parent / "shared" / "reports" / "pdf"
WEB_GOLD = json.loads((ROOT / "tests" / "gold" / "web.json").read_text(encoding="utf-8"))
SEEDS_GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))


def _gold_weight(g: dict) -> int:
    """The size of a report's figures from its gold values: requests received or handled (the
    printed (七)总计 or the sum of the outcome rows' totals), whichever is larger."""
    req = g["requests"]
    outcome_rows = [k for k in req if k not in ("received_new", "carried_over", "outcome_total", "carried_forward")]
    return max(req["received_new"][6], req["outcome_total"][6], sum(req[k][6] for k in outcome_rows))


def _with_error(v: ReportValues) -> ReportValues:
    """The same report with its granted total misprinted by one (a row_total and an outcome_total error)."""
    req = {k: list(cells) for k, cells in v.requests.items()}
    req["granted"][6] += 1
    return dataclasses.replace(v, requests=req)


@pytest.fixture(scope="module")
def designed(tmp_path_factory):
    """Three rendered reports: a big one with an error, a small one with an error, a big one that
    only has a warning (table 4 not printed)."""
    folder = tmp_path_factory.mktemp("queue")
    big_error = _with_error(dataclasses.replace(ReportValues.synthetic(13), agency="甲市人民政府"))
    small_error = _with_error(dataclasses.replace(ReportValues.synthetic(5), agency="乙县人民政府"))
    big_warning = dataclasses.replace(ReportValues.synthetic(14), agency="丙省人民政府", appeals=None)
    for name, v in (("a_small.txt", small_error), ("b_big_warning.txt", big_warning), ("c_big.txt", big_error)):
        (folder / name).write_text(render(v, "tsv"), encoding="utf-8")
    return folder, {"甲市人民政府": big_error, "乙县人民政府": small_error, "丙省人民政府": big_warning}


def test_queue_order_errors_first_then_by_the_size_of_the_figures(designed):
    folder, values = designed
    q = ga.review_queue(gr.read_corpus(folder, workers=1, cache=None))
    assert q["rank"].tolist() == list(range(1, len(q) + 1))
    order = q[["agency", "severity", "check", "key", "column"]].values.tolist()
    assert [o[:2] for o in order[:4]] == [["甲市人民政府", "error"]] * 2 + [["乙县人民政府", "error"]] * 2
    assert {tuple(o[2:]) for o in order[:2]} == {("row_total", "granted", "total"), ("outcome_total", "outcome_total", "total")}
    assert [o[:3] for o in order[4:]] == [["丙省人民政府", "warning", "missing_table"]]
    for agency, v in values.items():
        req = v.requests
        handled = sum(req[k][6] for k in req if k not in ("received_new", "carried_over", "outcome_total", "carried_forward"))
        assert set(q.loc[q["agency"] == agency, "weight"]) == {max(req["received_new"][6], req["outcome_total"][6], handled)}
    granted = q[(q["agency"] == "甲市人民政府") & (q["check"] == "row_total")].iloc[0]
    assert granted["value"] == values["甲市人民政府"].requests["granted"][6]   # the cell as read
    assert "▶" in granted["context"] and re.search(r"▶ [^\n]*予以公开", granted["context"])


def test_queue_on_the_shipped_reports_and_the_corrections_that_settle_flags(tmp_path):
    c = gr.read_corpus(REPORTS, workers=1, cache=None)
    q = ga.review_queue(c)
    sev = q["severity"].map({"error": 0, "warning": 1}).tolist()
    assert sev == sorted(sev) and {"error", "warning"} <= set(q["severity"])
    for s in ("error", "warning"):
        w = q.loc[q["severity"] == s, "weight"].tolist()
        assert w == sorted(w, reverse=True)
    by_agency = q.groupby("agency")["weight"].first()
    assert by_agency["上海市人民政府办公厅"] == _gold_weight(WEB_GOLD["shanghai_gov_office_2019.html"])
    assert by_agency["黑龙江省人民防空办公室"] == _gold_weight(SEEDS_GOLD["004_454a5f1be846ec67.txt"])
    first_sh = q[q["agency"] == "上海市人民政府办公厅"]["rank"].min()
    assert first_sh < q[q["agency"] == "黑龙江省人民防空办公室"]["rank"].min()
    html_item = q[(q["format"] == "html") & (q["table"] == "requests")].iloc[0]
    marked = [ln for ln in html_item["context"].splitlines() if ln.startswith("▶")]
    assert len(marked) == 1 and html_item["location"].rsplit(" col ", 1)[0] in marked[0]
    assert all(re.match(r"[▶ ] html table #\d+ row \d+:", ln) for ln in html_item["context"].splitlines())

    path = tmp_path / "c.csv"
    item = q.iloc[0]
    path.write_text("sha256,table,key,column,value,note\n"
                    f"{item['sha256']},{item['table']},{item['key']},{item['column']},0,seen\n", encoding="utf-8")
    settled = ga.review_queue(c, corrections=path, context=False)
    same_cell = (q["report_id"] == item["report_id"]) & (q["table"] == item["table"]) & (q["key"] == item["key"]) \
        & (q["column"] == item["column"])
    assert len(settled) == len(q) - same_cell.sum()


@pytest.mark.skipif(not PDF_DIR.exists(), reason="no ../shared/reports/pdf beside the project")
def test_pdf_context_is_a_crop_of_the_page():
    from PIL import Image

    pdf = sorted(PDF_DIR.glob("*.pdf"))[0]
    r = gr.read_report(pdf)
    loc = r.requests.query("row == 'received_new' and applicant == 'total'")["location"].iloc[0]
    ctx = printed_context(str(pdf), loc)
    page = int(re.match(r"page (\d+)", loc).group(1))
    assert ctx["page"] == page and any(mark for _, _, mark in ctx["lines"])
    full = Image.open(__import__("io").BytesIO(page_image(str(pdf), page)))
    box = cell_box(str(pdf), loc)
    if box is not None:
        crop = Image.open(__import__("io").BytesIO(page_image(str(pdf), page, box)))
        assert crop.height < full.height and crop.width <= full.width


# --------------------------------------------------------------------------- the app, headless

def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_review_app_clicks_append_corrections_and_move_on(tmp_path):
    pytest.importorskip("ipywidgets")
    import govreports.widgets as gw

    corpus = gr.read_corpus(REPORTS, workers=1, cache=None)
    path = tmp_path / "corrections.csv"
    app = gw.review(corpus, corrections=path, author="测试")
    n = len(app.queue)
    assert "gr-review" in app._dom_classes and f"1 of {n}" in app.progress.value
    first = app.item
    assert first["rank"] == 1 and first["table"] == "requests"
    assert first["key"] in app.cells.value and "▶" in app.context.value

    app.note.value = "as printed"
    app.accept_button.click()
    rows = _rows(path)
    expected = "blank" if first["blank"] else str(int(first["value"]))
    assert rows == [{"sha256": first["sha256"], "report_id": first["report_id"], "source": Path(first["source"]).name,
                     "table": "requests", "key": first["key"], "column": first["column"], "value": expected,
                     "note": "as printed", "author": "测试", "date": rows[0]["date"]}]
    assert app.item["rank"] != first["rank"] and f"1 of {n - 1}" in app.progress.value

    second = app.item
    app.value.value = "seven"
    app.enter_button.click()
    assert len(_rows(path)) == 1 and "not a number" in app.status.value and app.item["rank"] == second["rank"]
    app.value.value = "7"
    app.enter_button.click()
    app.blank_button.click()
    app.missing_button.click()
    rows = _rows(path)
    assert [r["value"] for r in rows] == [expected, "7", "blank", "missing"]
    assert (rows[1]["key"], rows[1]["column"]) == (second["key"], second["column"])

    app.skip_button.click()
    assert app.i == 1
    app.check.value = "balance"
    assert len(app.items) and set(app.items["check"]) == {"balance"} and app.i == 0

    fixed = gr.read_corpus(REPORTS, workers=1, cache=None, corrections=path)
    cell = fixed.requests[(fixed.requests["report_id"] == second["report_id"]) & (fixed.requests["row"] == second["key"])
                          & (fixed.requests["applicant"] == second["column"])].iloc[0]
    assert cell["value"] == 7 and cell["corrected"] and "测试" in cell["note"]
    assert cell["value_printed"] == (0 if pd.isna(second["value"]) else second["value"])
    again = gw.review(corpus, corrections=path)
    assert len(again.queue) == n - 4


def test_review_app_report_flags_and_meta(tmp_path):
    pytest.importorskip("ipywidgets")
    import govreports.widgets as gw

    corpus = gr.read_corpus(REPORTS / "web_excerpts", workers=1, cache=None)
    path = tmp_path / "c.csv"
    app = gw.review(corpus, corrections=path)
    whole = app.queue[~app.queue["table"].isin(["requests", "appeals", "disclosure"])]
    if whole.empty:
        pytest.skip("no report-level flag in the shipped excerpts")
    app.items, app.i = whole, 0
    app._show()
    it = app.item
    app.accept_button.click()
    row = _rows(path)[-1]
    assert row["table"] in ("meta", "finding") and row["report_id"] == it["report_id"]
    read_back = gr.read_corpus(REPORTS / "web_excerpts", workers=1, cache=None, corrections=path)
    assert len(read_back.reports) == len(corpus.reports)


@pytest.mark.notebooks
@pytest.mark.slow
def test_review_notebook_opens_the_app_and_is_not_in_the_batch(tmp_path):
    papermill = pytest.importorskip("papermill")
    from govreports import notebooks as gn

    assert "review" not in gn.NOTEBOOKS   # interactive, like explore: run-all and run leave it out
    out = tmp_path / "review.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "review.ipynb"), str(out), kernel_name="python3",
                               parameters={"corrections": str(tmp_path / "c.csv")}, cwd=str(ROOT / "notebooks"),
                               progress_bar=False)
    nb = json.loads(out.read_text(encoding="utf-8"))
    mimes = [m for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"] for m in o.get("data", {})]
    assert "application/vnd.jupyter.widget-view+json" in mimes
    assert not (tmp_path / "c.csv").exists()   # opening the app writes nothing
