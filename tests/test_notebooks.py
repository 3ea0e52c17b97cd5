"""The analysis notebooks and the batch runner, executed through papermill on data/reports.

Each test executes a notebook with real parameters into ``tmp_path`` and asserts on what the
executed notebook shows; the expected numbers come from the gold values (tests/gold/*.json),
added up by hand here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

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


@pytest.fixture(scope="module")
def parquet_corpus(tmp_path_factory):
    """data/reports read once into a Parquet corpus folder, as the batch job gets it."""
    from govreports.corpus import read_corpus

    return read_corpus(CORPUS, workers=1, cache=None).to_parquet(tmp_path_factory.mktemp("corpus"))


AGENCIES = ["上海市人民政府办公厅", "不存在的机关", "黑龙江省人民防空办公室"]
PARAMETERS = {"level": "provincial", "year": 2020, "measure": "refused_share", "min_volume": 1}


@pytest.fixture(scope="module")
def run_all(tmp_path_factory, parquet_corpus):
    """All four notebooks executed once, as ``govreports notebooks run-all`` does: agency_profile
    for three agencies (one not in the corpus), the others with PARAMETERS."""
    out = tmp_path_factory.mktemp("reports")
    lines = []
    results = gn.run_all(parquet_corpus, out, PARAMETERS, only=AGENCIES,
                         progress=lambda i, n, r: lines.append(f"[{i}/{n}] {r.name} {r.ok}"))
    return SimpleNamespace(out=out, results={(r.notebook, r.name): r for r in results}, progress=lines)


def executed(run_all, notebook: str, name: str | None = None) -> nbformat.NotebookNode:
    r = run_all.results[(notebook, name or notebook)]
    assert r.ok, r.error
    assert r.html is not None and r.html.stat().st_size > 10_000
    return nbformat.read(r.ipynb, as_version=4)


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


def test_agencies_of_a_corpus(parquet_corpus):
    """--for-each agency runs over every agency_key; an agency without a name is named by its key."""
    pairs = dict(gn.agencies_of(parquet_corpus))
    assert pairs["上海市人民政府办公厅"] == "上海市人民政府办公厅"  # two reports, one agency
    assert "黑龙江省人民防空办公室" in pairs and "不存在的机关" not in pairs
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in pairs.items())


def test_agency_profile_prints_the_refused_share(run_all):
    nb = executed(run_all, "agency_profile", "上海市人民政府办公厅")
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


def test_agency_profile_of_a_report_with_printed_zero_totals(run_all):
    nb = executed(run_all, "agency_profile", "黑龙江省人民防空办公室")
    denied, handled = gold_counts("seeds", "004_454a5f1be846ec67.txt")
    assert f"refused_share: {denied / handled:.4f} ({denied}/{handled})" in texts(nb)


def test_cross_year_flags_the_missing_years(run_all):
    nb = executed(run_all, "cross_year")
    text = texts(nb)
    denied, handled = gold_counts("web", "shanghai_gov_office_2019.html")
    assert f"{denied / handled:.6f}" in text  # 上海 2019, a provincial agency
    assert "missing" in text  # 上海 has no report for 2020..2024
    assert images(nb) == 1


def test_compare_agencies_ranks_with_counts(run_all):
    nb = executed(run_all, "compare_agencies")
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


def test_data_quality_lists_failing_checks(run_all):
    nb = executed(run_all, "data_quality")
    text = texts(nb)
    assert "row_total" in text and "outcome_total" in text  # 上海 2019 and 黑龙江 2020 fail both
    assert images(nb) == 2                                  # failed checks; days late
    assert "on_time_share" in text and "no_deadline" in text


def test_run_all_goes_on_past_a_failing_agency_and_writes_an_index(run_all):
    failed = [r for r in run_all.results.values() if not r.ok]
    assert [(r.notebook, r.name) for r in failed] == [("agency_profile", "不存在的机关")]
    assert failed[0].error.startswith("ValueError: unknown agency: 不存在的机关")
    pages = sorted(p.relative_to(run_all.out).as_posix() for p in run_all.out.rglob("*.html"))
    assert pages == ["agency_profile/上海市人民政府办公厅.html", "agency_profile/黑龙江省人民防空办公室.html",
                     "compare_agencies.html", "cross_year.html", "data_quality.html", "index.html"]
    index = (run_all.out / "index.html").read_text(encoding="utf-8")
    pages_list = index.split("<h2>Pages</h2>")[1]
    assert pages_list.count("<a href=") == 5 and "不存在的机关: <b>failed</b>" in pages_list
    # runs go one per core: progress counts them as they end, in any order
    assert [line.split("] ")[0] for line in run_all.progress] == [f"[{i}/6" for i in range(1, 7)]
    assert sorted(line.split("] ", 1)[1] for line in run_all.progress) == sorted([
        "上海市人民政府办公厅 True", "不存在的机关 False", "黑龙江省人民防空办公室 True", "cross_year True",
        "compare_agencies True", "data_quality True"])


def test_batch_command_lists_the_failing_agency(tmp_path, capsys):
    """``govreports notebooks run --for-each agency`` on the folder of report files: exit 1, the
    good agency's pages written, the bad one listed, the unknown parameter warned about."""
    out = tmp_path / "reports"
    rc = cli.main(["notebooks", "run", "agency_profile", "--corpus", str(CORPUS), "--for-each", "agency",
                   "--agencies", "不存在的机关,重庆市人民防空办公室", "-p", "bogus", "1", "-o", str(out)])
    err = capsys.readouterr().err
    assert rc == 1
    assert (out / "agency_profile" / "重庆市人民防空办公室.html").is_file()
    assert (out / "agency_profile" / "重庆市人民防空办公室.ipynb").is_file()
    assert not (out / "agency_profile" / "不存在的机关.html").exists()
    assert "1 of 2 notebook runs succeeded" in err
    assert re.search(r"FAILED agency_profile 不存在的机关: ValueError: unknown agency", err)
    assert "unknown parameter(s) bogus" in err
    assert "[2/2]" in err  # progress
    text = texts(nbformat.read(out / "agency_profile" / "重庆市人民防空办公室.ipynb", as_version=4))
    denied, handled = gold_counts("seeds", "001_aedc4f75886f8629.txt")
    assert f"refused_share: {denied / handled:.4f} ({denied}/{handled})" in text


def test_compare_agencies_with_a_minimum_no_agency_meets(parquet_corpus, tmp_path):
    """A min_volume above every agency's base gives a sentence, not an IndexError."""
    result = gn.execute("compare_agencies", tmp_path / "c.ipynb",
                        {"corpus": str(parquet_corpus), "year": 2020, "min_volume": 100000}, html_copy=False)
    assert result.ok, result.error
    assert "no agency has a" in texts(nbformat.read(tmp_path / "c.ipynb", 4))


def test_index_page_answers_first(run_all):
    """index.html opens with every agency and year's refused share beside its counts; each agency
    links to its page; errors link to the data-quality page; a note says why a figure is not known."""
    page = (run_all.out / "index.html").read_text(encoding="utf-8")
    denied, handled = gold_counts("web", "shanghai_gov_office_2019.html")
    row = re.search(r"<tr><td>(.*?)</td>(.*?)</tr>", page[page.index("上海市人民政府办公厅</a></td><td class=\"num\">2019") - 80:])
    assert row and 'href="agency_profile/上海市人民政府办公厅.html"' in row[1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[2])
    assert cells[:4] == ["2019", "859", str(handled), f"{denied / handled:.1%} ({denied}/{handled})"]
    assert re.fullmatch(r'<a href="data_quality.html">\d+</a>', cells[5])  # 上海 2019 breaks identities
    # a cut-short report: — for what is not known, and the note says why; no link (no profile page run)
    cut = re.search(r"<tr><td>长桥乡人民政府</td>(.*?)</tr>", page)
    assert cut and "—" in cut[1] and ">cut short</td>" in cut[1]
    assert "position: sticky" in page and "text-align: right" in page
    assert "(no name" not in page


def test_index_lists_agencies_without_a_profile(tmp_path, parquet_corpus):
    """run_all skips an agency whose reports have no known figure, and the index says so."""
    skip = gn.agencies_with_nothing_to_show(parquet_corpus)
    assert "长桥乡人民政府" in skip and "上海市人民政府办公厅" not in skip
    assert "黑龙江省人民防空办公室" not in skip
    page = gn.write_index([], tmp_path, "", skipped=[("长桥乡人民政府", "长桥乡人民政府")]).read_text(encoding="utf-8")
    assert f"agency_profile: 长桥乡人民政府: {gn.NOTHING_TO_SHOW}" in page


def test_injected_parameters_are_readable_chinese(run_all):
    nb = executed(run_all, "agency_profile", "黑龙江省人民防空办公室")
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "agency = '黑龙江省人民防空办公室'" in injected.source and "\\u" not in injected.source
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"][:3] == [1, 2, 3]  # a fresh namespace


def test_notebook_pages_are_clear(run_all, parquet_corpus):
    cross = texts(executed(run_all, "cross_year"))
    assert "have a value for one year at most" in cross and "<NA> <NA>" not in cross
    compare = texts(executed(run_all, "compare_agencies"))
    assert "min_volume = 1:" in compare
    assert gn.notebook_parameters("compare_agencies")["min_volume"] == 10
    # findings messages in full in the tables, not cut with …
    from html import escape

    from govreports.corpus import open_corpus

    nb = executed(run_all, "data_quality")
    shown = "\n".join(o["data"].get("text/html", "") for c in nb.cells for o in c.get("outputs", []) if "data" in o)
    errors = open_corpus(parquet_corpus).findings.query("severity == 'error'")
    longest = max(errors["message"], key=len)
    assert len(longest) > 50 and escape(longest) in shown and "…" not in shown
