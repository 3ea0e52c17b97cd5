"""govreports.widgets.compare, driven in plain Python: set widget values, read the Output widgets.

Observe callbacks run synchronously outside a kernel, and the app fills ``Output.outputs`` itself
(see shared/STACK.md), so each test sets values and asserts on the PNG and the HTML table.
"""
from __future__ import annotations

import ast
import base64
import importlib.util
import json
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
import yaml

matplotlib.use("Agg")

import govreports.analysis as ga  # noqa: E402
import govreports.widgets as gw  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEILONGJIANG = "黑龙江省人民防空办公室"   # data/reports/seeds/004: 2020, 4 error findings
CHONGQING = "重庆市人民防空办公室"       # data/reports/seeds/001: 2020, no errors


def _synthetic(n: int, **kw) -> ga.Frames:
    spec = importlib.util.spec_from_file_location("widget_latency", ROOT / "benchmarks" / "widget_latency.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.synthetic_frames(n, **kw)


@pytest.fixture(scope="module")
def corpus():
    return ga.load_corpus(ROOT / "data" / "reports")


@pytest.fixture(scope="module")
def multi_year():
    """8 agencies x 5 years (2019-2023), about a quarter of the reports with an error finding."""
    return _synthetic(40, error_rate=0.25, seed=3)


@pytest.fixture
def app(corpus, tmp_path):
    return gw.compare(corpus, out_dir=tmp_path, corpus_path="data/reports")


def png(app) -> bytes:
    (out,) = app.plot_output.outputs
    data = out["data"]["image/png"]
    return data if isinstance(data, bytes) else base64.b64decode(data)


def table(app) -> str:
    (out,) = app.table_output.outputs
    return out["data"]["text/html"]


def key_of(app, name: str) -> str:
    return next(k for label, k in app.agencies.options if label.startswith(name))


def test_compare_shows_one_plot_and_one_table(app):
    assert png(app).startswith(b"\x89PNG")
    assert ga.MEASURES["refused_share"].zh in table(app)
    assert HEILONGJIANG in table(app) and CHONGQING in table(app)
    assert "机构" in app.status.value


def test_selecting_an_agency_changes_the_table_rows_and_the_png(app):
    before_png, before_table = png(app), table(app)
    app.agencies.value = (key_of(app, CHONGQING),)
    assert png(app) != before_png
    assert table(app) != before_table
    assert CHONGQING in table(app) and HEILONGJIANG not in table(app)
    assert table(app).count("<tr") == 2  # header + one agency-year
    assert list(app.selection()["agency"]) == [CHONGQING]


def test_outputs_are_replaced_never_stacked(app):
    for change in (lambda: setattr(app.agencies, "value", (key_of(app, CHONGQING),)),
                   lambda: setattr(app.measure, "value", "received"),
                   lambda: setattr(app.view, "value", "bars"),
                   lambda: setattr(app.measure, "value", "outcome_mix"),
                   lambda: setattr(app.view, "value", "trend")):
        change()
        assert len(app.plot_output.outputs) == 1
        assert len(app.table_output.outputs) == 1
        assert len(app.trace_output.outputs) == 1


def test_table_view_shows_the_table_without_a_plot(app):
    app.view.value = "table"
    assert app.plot_output.outputs == ()
    assert len(app.table_output.outputs) == 1


def test_numbers_are_those_of_by_agency_year(app, corpus):
    app.measure.value = "received"
    app.agencies.value = (key_of(app, HEILONGJIANG),)
    expected = ga.by_agency_year(corpus, "received").query("agency == @HEILONGJIANG")
    got = app.selection()
    assert list(got["value"]) == list(expected["value"])
    assert list(got["report_id"]) == list(expected["report_id"])
    assert f"<td>{int(expected['numerator'].iloc[0])}</td>" in table(app)


def test_error_year_is_marked_in_table_and_plot(app):
    app.agencies.value = (key_of(app, HEILONGJIANG), key_of(app, CHONGQING))
    html = table(app)
    row = next(r for r in html.split("<tr") if HEILONGJIANG in r)
    assert 'class="gr-error"' in row and "⚠ 4" in row
    ok_row = next(r for r in html.split("<tr") if CHONGQING in r)
    assert "gr-error" not in ok_row and "⚠" not in ok_row
    assert "⚠ 1" in app.status.value
    rings = [ln for ln in app.figure.axes[0].get_lines()
             if ln.get_markerfacecolor() == "none" and len(ln.get_xdata())]
    assert len(rings) == 1 and list(rings[0].get_xdata()) == [2020]
    app.view.value = "bars"
    hatched = [p for p in app.figure.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1


def test_error_years_on_a_multi_year_corpus(multi_year):
    app = gw.compare(multi_year, out_dir="unused")
    sel = app.selection()
    assert sel["year"].nunique() == 5 and sel["has_errors"].any()
    key = sel.loc[sel["has_errors"], "agency_key"].iloc[0]
    app.agencies.value = (key,)
    bad_years = sorted(app.selection().query("has_errors")["year"].astype(int))
    rings = [ln for ln in app.figure.axes[0].get_lines() if ln.get_markerfacecolor() == "none"]
    assert sorted(int(x) for x in rings[0].get_xdata()) == bad_years
    assert table(app).count('class="gr-error"') == len(bad_years)


def test_year_range_filters_rows(multi_year):
    app = gw.compare(multi_year)
    app.years.value = (2021, 2022)
    assert sorted(app.selection()["year"].unique()) == [2021, 2022]
    assert "2019" not in table(app).split("<tbody>")[1]


def test_search_and_level_narrow_the_list_and_keep_the_selection(multi_year):
    app = gw.compare(multi_year)
    first = app.agencies.options[0][1]
    app.agencies.value = (first,)
    app.search.value = "第00003"
    keys = [k for _, k in app.agencies.options]
    assert app.agencies.value == (first,) and first in keys and len(keys) <= 2
    app.agencies.value = ()
    assert set(app.selection()["agency_key"]) == {k for k in keys if "第00003" in k}
    app.search.value = ""
    app.level.value = "county"
    assert set(app.selection()["level"]) == {"county"}


def test_every_measure_and_view_draws(app):
    for _, measure in gw.MEASURE_CHOICES:
        app.measure.value = measure
        for view in ("trend", "bars"):
            app.view.value = view
            assert png(app).startswith(b"\x89PNG"), (measure, view)
    app.measure.value = "outcome_mix"
    assert "予以公开" in table(app) and "办理 handled" in table(app)


def test_trace_shows_the_printed_cells_behind_a_row(app, corpus):
    app.agencies.value = (key_of(app, HEILONGJIANG),)
    assert "choose a row" in app.trace_output.outputs[0]["data"]["text/html"]
    app.trace_row.value = 0
    html = app.trace_output.outputs[0]["data"]["text/html"]
    rid = app.selection()["report_id"].iloc[0]
    used = ga.trace(corpus, rid, "refused_share").query("used and value != 0")
    assert rid in html and "004_454a5f1be846ec67.txt" in html
    for loc in used["location"]:
        assert loc in html
    assert "⚠ 4 error finding" in html


def test_no_missing_glyph_warning(app):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.view.value = "bars"
        app.view.value = "trend"


def test_csv_export_has_the_selected_rows(app, tmp_path):
    app.agencies.value = (key_of(app, HEILONGJIANG), key_of(app, CHONGQING))
    app.csv_button.click()
    df = pd.read_csv(tmp_path / "selection.csv", dtype={"report_id": str})
    assert sorted(df["agency"]) == sorted([HEILONGJIANG, CHONGQING])
    assert set(df["report_id"]) == set(app.selection()["report_id"])
    assert {"value", "numerator", "denominator", "has_errors", "source"} <= set(df.columns)
    assert "selection.csv" in app.export_output.outputs[0]["data"]["text/html"]


def _parameter_names(notebook: Path) -> set[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}


def test_parameters_match_the_cross_year_notebook(app, tmp_path):
    app.agencies.value = (key_of(app, CHONGQING),)
    app.measure.value = "received"
    params = app.parameters()
    assert set(params) == _parameter_names(ROOT / gw.CROSS_YEAR_NOTEBOOK)
    assert params["agencies"] == [key_of(app, CHONGQING)] and params["measure"] == "received"
    app.params_button.click()
    assert yaml.safe_load((tmp_path / "selection.yaml").read_text(encoding="utf-8")) == params
    shown = app.export_output.outputs[0]["data"]["text/html"]
    assert "papermill notebooks/cross_year.ipynb" in shown and "-f" in shown and "-p measure received" in shown


def test_unknown_measure_or_view_is_refused(corpus):
    with pytest.raises(ValueError, match="unknown measure"):
        gw.compare(corpus, measure="nope")
    with pytest.raises(ValueError, match="unknown view"):
        gw.compare(corpus, view="pie")


def test_each_change_of_selection_redraws_on_a_larger_corpus():
    """Every change of agencies gives new output (its latency is measured in
    benchmarks/widget_latency.py, not asserted here: a loaded machine must not fail a test)."""
    app = gw.compare(_synthetic(200))
    keys = [k for _, k in app.agencies.options]
    seen = []
    for i in range(5):
        app.agencies.value = tuple(keys[i:i + 3])
        seen.append(repr(app.plot_output.outputs) + repr(app.table_output.outputs))
    assert len(set(seen)) == 5


@pytest.mark.notebooks
@pytest.mark.slow
def test_exported_parameters_run_cross_year(app, tmp_path):
    papermill = pytest.importorskip("papermill")
    app.agencies.value = (key_of(app, HEILONGJIANG),)
    out = tmp_path / "cross_year.ipynb"
    papermill.execute_notebook(str(ROOT / gw.CROSS_YEAR_NOTEBOOK), str(out), parameters=app.parameters(),
                               kernel_name="python3", cwd=str(ROOT), progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert HEILONGJIANG in text and "errors" in text


@pytest.mark.notebooks
@pytest.mark.slow
def test_explore_notebook_opens_the_app(tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(out), kernel_name="python3",
                               parameters={"out_dir": str(tmp_path / "out")}, cwd=str(ROOT / "notebooks"),
                               progress_bar=False)
    nb = json.loads(out.read_text(encoding="utf-8"))
    mimes = [m for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"] for m in o.get("data", {})]
    assert "application/vnd.jupyter.widget-view+json" in mimes


def test_compare_on_a_corpus_on_disk_reads_no_table_and_shows_the_same(corpus, tmp_path, monkeypatch):
    """A Parquet corpus stays on disk (measures from DuckDB, a trace from the one part holding the
    report) and the app shows what it shows for the same corpus in memory."""
    from govreports import figures
    from govreports.corpus import open_corpus

    monkeypatch.setenv(figures.CACHE_ENV, str(tmp_path / "figures"))
    c = open_corpus(corpus.to_parquet(tmp_path / "corpus"))
    disk, memory = gw.compare(c, out_dir=tmp_path), gw.compare(corpus, out_dir=tmp_path)
    for measure in ("refused_share", "reviews_per_100", "outcome_mix"):
        for app in (disk, memory):
            app.measure.value = measure
            app.agencies.value = (key_of(app, HEILONGJIANG), key_of(app, CHONGQING))
        pd.testing.assert_frame_equal(disk.selection(), memory.selection())
        assert table(disk) == table(memory)
        disk.trace_row.value = memory.trace_row.value = 0
        assert disk.trace_output.outputs == memory.trace_output.outputs
        assert "⚠" in disk.trace_html(1) and "line" in disk.trace_html(0)
    assert figures.on_disk(c) is not None, "the app read a whole table into the Corpus"
