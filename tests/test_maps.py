"""Maps of a measure by region (issue 21): the sums behind each region, a map at each level, the
regions with no data hatched, the map view of the compare widget and the notebook's map section.
Needs the [maps] extra (cnmaps), which the test command installs."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
pytest.importorskip("cnmaps", reason="the [maps] extra is not installed: pip install -e '.[dev]'")

import govreports as gr  # noqa: E402
from govreports import maps as gm  # noqa: E402
from govreports import plotting as gp  # noqa: E402
from govreports.render import ReportValues, encode, render  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WEB = json.loads((ROOT / "tests" / "gold" / "web.json").read_text(encoding="utf-8"))
SEEDS = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
PROVINCES = ("江苏省", "浙江省", "广东省", "四川省", "湖北省")


@pytest.fixture(scope="module")
def sample():
    return gr.read_corpus(ROOT / "data" / "reports", workers=1, cache=None, progress=False)


@pytest.fixture(scope="module")
def spread(tmp_path_factory):
    """A synthetic corpus of ten agencies in five provinces (two each, one of them a city's)."""
    folder = tmp_path_factory.mktemp("spread")
    values = []
    for i, province in enumerate(PROVINCES * 2):
        v = ReportValues.synthetic(100 + i)
        name = f"{province}人民政府办公厅" if i < 5 else f"{province}统计局"
        v = dataclasses.replace(v, agency=name, year=2022)
        (folder / f"r{i}.txt").write_bytes(encode(render(v, "tsv"), "utf-8"))
        values.append(v)
    return gr.read_corpus(folder, workers=1, cache=None, progress=False), values


def test_region_sums_are_the_agencies_figures_added_up(sample):
    t = gm.region_values(sample, "received", "province").set_index("name")
    shanghai = sum(v["requests"]["received_new"][6] for v in WEB.values())
    assert t.loc["上海市", "numerator"] == shanghai and t.loc["上海市", "n_reports"] == 2
    ningxia = sum(v["requests"]["received_new"][6] for v in SEEDS.values() if "宁夏" in (v.get("agency") or ""))
    assert t.loc["宁夏回族自治区", "value"] == ningxia
    assert set(t.index) <= {"上海市", "宁夏回族自治区", "重庆市", "贵州省", "黑龙江省", "河北省", "湖南省", "广东省"}


def test_shares_add_up_numerators_and_denominators_not_shares(spread):
    corpus, values = spread
    t = gm.region_values(corpus, "refused_share", "province").set_index("name")
    for province in PROVINCES:
        mine = [v for v in values if v.agency.startswith(province)]
        denied = sum(v.requests[k][6] for v in mine for k in v.requests if k.startswith("denied."))
        handled = sum(v.requests[k][6] for v in mine for k in v.requests
                      if k not in ("received_new", "carried_over", "outcome_total", "carried_forward"))
        assert t.loc[province, "numerator"] == denied and t.loc[province, "denominator"] == handled
        assert t.loc[province, "n_agencies"] == 2


def _hatched(ax) -> int:
    return sum(len(c.get_paths()) for c in ax.collections if c.get_hatch())


def test_a_map_at_each_level_marks_the_regions_without_data(sample, spread):
    corpus, _ = spread
    for data, level, region in ((corpus, "province", None), (sample, "city", "广东省"), (sample, "county", "河北省/衡水市")):
        ax, table = gp.plot_map(data, "received", level=level, region=region)
        shapes = gm._boundaries(level, region)
        with_data = set(table.loc[table["n_reports"] > 0, "name"]) & {n for n, _ in shapes}
        assert with_data and ax.gr_no_data == len(shapes) - len(with_data)
        assert _hatched(ax) >= ax.gr_no_data > 0
        legend = ax.get_legend().get_texts()[0].get_text()
        assert legend.startswith(gm.NO_DATA) and f"({ax.gr_no_data} / {len(shapes)})" in legend
        assert "received_new" in ax.figure.axes[-1].get_ylabel()  # the colour bar says what is counted
        plt.close(ax.figure)


def test_compare_widget_has_a_map_view(spread):
    import govreports.widgets as gw

    app = gw.compare(spread[0], measure="refused_share", view="map")
    assert len(app.plot_output.outputs) == 1 and app.figure.axes[0].gr_no_data == 34 - len(PROVINCES)
    assert "denied / handled" in app.figure.axes[-1].get_ylabel()


def test_map_section_needs_three_regions(sample):
    ax, table, message = gm.map_section(sample, "received", region="广东省")
    assert ax is None and "no map" in message
    ax, table, message = gm.map_section(sample, "received")
    assert ax is not None and "regions at province level" in message


@pytest.mark.notebooks
def test_compare_agencies_notebook_draws_the_map(tmp_path):
    import nbformat
    import papermill

    out = tmp_path / "compare.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "compare_agencies.ipynb"), str(out), kernel_name="python3",
                               parameters={"corpus": str(ROOT / "data" / "reports"), "measure": "received"},
                               cwd=str(ROOT), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    last = nb.cells[-1]
    assert "regions at province level" in "".join(o.get("text", "") for o in last.outputs)
    assert any("image/png" in o.get("data", {}) for o in last.outputs)
