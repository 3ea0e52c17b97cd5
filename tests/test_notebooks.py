"""The analysis notebooks and the batch runner, executed through papermill on data/reports.

Each test executes a notebook with real parameters into ``tmp_path`` and asserts on what the
executed notebook shows; the expected numbers come from the gold values (tests/gold/*.json),
added up by hand here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from govreports import cli
from govreports import notebooks as gn

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "reports"
GOLD = ROOT / "tests" / "gold"
OUTCOME_ROWS_EXCLUDED = ("received_new", "carried_over", "outcome_total", "carried_forward")


def gold_counts(folder: str, name: str) -> tuple[int, int]:
    """(denied, handled) of a gold report: each row's 总计, or its applicant cells where 总计 is
    blank (gold writes a blank as 0; only 上海 2019 leaves 总计 blank beside numbers)."""
    entry = json.loads((GOLD / f"{folder}.json").read_text())[name]
    blank_totals = name == "shanghai_gov_office_2019.html"

    def fig(cells):
        return sum(cells[:6]) if blank_totals and cells[6] == 0 else cells[6]
    rows = {k: fig(v) for k, v in entry["requests"].items() if k not in OUTCOME_ROWS_EXCLUDED}
    return sum(v for k, v in rows.items() if k.startswith("denied.")), sum(rows.values())


def execute(tmp_path, notebook: str, **parameters) -> nbformat.NotebookNode:
    result = gn.execute(notebook, tmp_path / f"{notebook}.ipynb", {"corpus": str(CORPUS), **parameters})
    nb = nbformat.read(result.ipynb, as_version=4)
    assert result.ok, result.error
    assert result.html is not None and result.html.stat().st_size > 10_000
    return nb


def texts(nb, cells: slice = slice(None)) -> str:
    """Everything the executed notebook (or some of its cells) printed or displayed as text."""
    out = []
    for cell in nb.cells[cells]:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o["text"])
            elif "data" in o:
                out.append(o["data"].get("text/plain", ""))
    return "\n".join(out)


def images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_every_notebook_has_a_literal_parameters_cell():
    for name in gn.NOTEBOOKS:
        nb = nbformat.read(gn.find_notebook(name), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"], name
        assert gn.notebook_parameters(name)["corpus"] == "data/reports"
        assert all(not c.get("outputs") for c in code), f"{name} is committed with outputs"


def test_agency_profile_prints_the_refused_share(tmp_path):
    nb = execute(tmp_path, "agency_profile", agency="上海市人民政府办公厅")
    text = texts(nb)
    for year, name in ((2019, "shanghai_gov_office_2019.html"), (2025, "shanghai_gov_office_2025.md")):
        denied, handled = gold_counts("web", name)
        line = re.search(rf"上海市人民政府办公厅 {year}  refused_share: ([0-9.]+) \((\d+)/(\d+)\)", text)
        assert line, text[:2000]
        assert float(line[1]) == pytest.approx(denied / handled, abs=5e-5)
        assert (int(line[2]), int(line[3])) == (denied, handled)
    assert "refused_share: 0.0435 (35/805)" in text  # SCHEMA.md: denied 35 of 805 handled
    assert images(nb) >= 3
    # the closing cell traces the latest refused count to printed cells with their location
    last = texts(nb, slice(-1, None))
    assert "denied.state_secret" in last and "location" in last


def test_cross_year_flags_the_missing_years(tmp_path):
    nb = execute(tmp_path, "cross_year", agencies=["上海市人民政府办公厅"], measure="refused_share",
                 years=[2019, 2020, 2025])
    text = texts(nb)
    denied, handled = gold_counts("web", "shanghai_gov_office_2019.html")
    assert f"{denied / handled:.6f}" in text
    assert "missing" in text  # 2020 has no report
    assert images(nb) == 1


def test_compare_agencies_ranks_with_counts(tmp_path):
    nb = execute(tmp_path, "compare_agencies", level="provincial", year=2020, measure="refused_share", min_volume=1)
    seeds = json.loads((GOLD / "seeds.json").read_text())
    shares = {}
    for name, entry in seeds.items():
        denied, handled = gold_counts("seeds", name)
        if entry["level"] == "provincial" and entry["year"] == 2020 and handled >= 1:
            shares[entry["agency"]] = denied / handled
    top = max(shares, key=shares.get)
    text = texts(nb)
    assert re.search(rf"^{top} 2020 refused_share {shares[top]}", text, re.M), text[-1500:]
    assert "上海市人民政府办公厅" not in text  # 2019 and 2025 only: not in a 2020 ranking


def test_data_quality_lists_failing_checks(tmp_path):
    nb = execute(tmp_path, "data_quality")
    text = texts(nb)
    assert "row_total" in text and "outcome_total" in text  # 上海 2019 and 黑龙江 2020 fail both
    assert images(nb) == 1


def test_batch_goes_on_past_a_failing_agency(tmp_path, capsys):
    out = tmp_path / "reports"
    rc = cli.main(["notebooks", "run", "agency_profile", "--corpus", str(CORPUS), "--for-each", "agency",
                   "--agencies", "黑龙江省人民防空办公室,不存在的机关,重庆市人民防空办公室", "-p", "bogus", "1",
                   "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 1
    assert (out / "agency_profile" / "黑龙江省人民防空办公室.html").is_file()
    assert (out / "agency_profile" / "重庆市人民防空办公室.html").is_file()
    assert not (out / "agency_profile" / "不存在的机关.html").exists()
    assert "2 of 3 notebook runs succeeded" in err
    assert re.search(r"FAILED agency_profile 不存在的机关: ValueError: unknown agency", err)
    assert "unknown parameter(s) bogus" in err
    assert "[3/3]" in err  # progress
    text = texts(nbformat.read(out / "agency_profile" / "黑龙江省人民防空办公室.ipynb", as_version=4))
    denied, handled = gold_counts("seeds", "004_454a5f1be846ec67.txt")
    assert f"refused_share: {denied / handled:.4f} ({denied}/{handled})" in text


def test_run_all_writes_every_page_and_an_index(tmp_path, capsys):
    out = tmp_path / "all"
    rc = cli.main(["notebooks", "run-all", "--corpus", str(CORPUS), "--agencies", "重庆市人民防空办公室",
                   "-p", "measure", "granted_share", "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert pages == ["agency_profile/重庆市人民防空办公室.html", "compare_agencies.html", "cross_year.html",
                     "data_quality.html", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<a href=") == 4
    assert "4 of 4 notebook runs succeeded" in err
