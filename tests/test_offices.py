"""For disclosure offices and journalists (issue 21): the check page, the check app, the brief.

The check page and app are tested on the gold reports: seed 004 prints totals of 0 beside
non-zero rows (four identities fail, tests/gold/seeds.json says so), seeds 000–003 are clean.
The brief's numbers are compared with the analysis values they come from, and its notes with the
printed cells of the reports.
"""
from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import govreports as gr
from govreports import analysis as ga
from govreports import template
from govreports.brief import brief
from govreports.check_page import check_page, verdict

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "reports" / "seeds"
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))
BAD = "004_454a5f1be846ec67.txt"
CLEAN = ("000_5098ec7e8be95a2a.txt", "001_aedc4f75886f8629.txt", "002_a53a1aafad74cc7a.txt",
         "003_d25101f45b1a16b3.txt")


def _cells(page: str) -> list[tuple[str, str, str]]:
    """(row key, class, text) of each data cell of the table-3 part of a check page."""
    part = page.split("Table 3", 1)[1].split("Table 4", 1)[0]
    out = []
    for key, tds in re.findall(r"<tr><th[^>]*data-key='([^']*)'>.*?</th>(.*?)</tr>", part):
        for cls, text in re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', tds):
            out.append((key, cls, text))
    return out


def test_a_report_with_inconsistencies_gets_its_cells_highlighted():
    r = gr.read_report(SEEDS / BAD)
    page = check_page(r)
    v = verdict(r)
    assert not v.ready and v.errors == 4 and f"发现 {v.problems} 个问题" in page
    cells = _cells(page)
    highlighted = {(key, template.APPLICANT_KEYS[i % 7]) for i, (key, cls, _) in enumerate(cells) if "error" in cls.split()}
    errors = r.findings[r.findings["severity"] == "error"]
    assert highlighted == {(f.key, f.applicant or "total") for f in errors.itertuples()}
    for f in errors.itertuples():  # the rule, in Chinese, and the numbers on the page
        assert template.CHECK_BY_ID[f.check].zh in page and f"<b>{f.expected}</b>" in page
    printed = {(key, template.APPLICANT_KEYS[i % 7]): int(text or 0) for i, (key, _, text) in enumerate(cells)}
    for row, values in GOLD[BAD]["requests"].items():
        for a, v in zip(template.APPLICANT_KEYS, values):
            assert printed[(row, a)] == v, (row, a)


@pytest.mark.parametrize("name", CLEAN)
def test_a_clean_report_is_ready(name):
    page = check_page(gr.read_report(SEEDS / name))
    assert "可以发布 · ready" in page and 'class="n error"' not in page


def test_the_page_escapes_what_the_report_prints_and_loads_nothing():
    text = (SEEDS / CLEAN[0]).read_text(encoding="utf-8").replace("\n", "\n<script>alert(1)</script>\n", 1)
    page = check_page(gr.read_report(text.encode("utf-8"), name="<img src=x onerror=alert(1)>.txt"))
    assert "<script>" not in page and "<img" not in page
    assert "http" not in page.lower()


def test_check_command_writes_the_page(tmp_path):
    out = tmp_path / "check.html"
    proc = subprocess.run([sys.executable, "-m", "govreports.cli", "check", str(SEEDS / BAD), "-o", str(tmp_path),
                           "--html", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert f"check page: {out}" in proc.stdout
    assert "发现 4 个问题" in out.read_text(encoding="utf-8")


def test_check_app_uploaded_and_pasted():
    import govreports.widgets as gw

    app = gw.check_report()
    data = (SEEDS / BAD).read_bytes()
    app.upload.value = ({"name": BAD, "type": "text/plain", "size": len(data), "content": memoryview(data),
                         "last_modified": datetime.datetime(2026, 1, 20, tzinfo=datetime.timezone.utc)},)
    assert "发现 4 个问题" in app.result.value and app.report.meta.report_id == gr.read_report(data, name=BAD).report_id
    app.paste.value = (SEEDS / CLEAN[1]).read_text(encoding="utf-8")
    app.check_button.click()
    assert "可以发布 · ready" in app.result.value
    app.check_text("这不是报告")
    assert "无法读取" in app.result.value and app.report is None


# --------------------------------------------------------------------------- the brief
@pytest.fixture(scope="module")
def corpus():
    return gr.read_corpus(ROOT / "data" / "reports", workers=1, cache=None, progress=False)


def _numbers_in(text: str) -> list[tuple[str, int]]:
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"([\d.]+%?)\[(\d+)\]", text)]


@pytest.mark.parametrize("agency, year, lang", [("上海市人民政府办公厅", 2025, "zh"), ("上海市人民政府办公厅", 2019, "en"),
                                                ("黑龙江省人民防空办公室", 2020, "zh"), ("唐村镇人民政府", 2010, "en")])
def test_every_number_of_a_brief_is_the_analysis_value_and_traces_to_printed_cells(corpus, agency, year, lang):
    b = brief(corpus, agency, year, lang)
    text = "\n".join(b.sentences)
    shown = _numbers_in(text)
    assert [n for _, n in shown] == sorted(n for _, n in shown) == list(range(1, len(b.notes) + 1))
    shares = ga.outcome_shares(ga.select(corpus, agencies=[agency]), by="agency_year").set_index("year").loc[year]
    appeals = ga.appeals_rates(ga.select(corpus, agencies=[agency]), by="agency_year").set_index("year").loc[year]
    expected = {"received_new": shares["received_new"], "handled": shares["handled"], "denied": shares["denied"],
                "unavailable": shares["unavailable"], "reviews": appeals["reviews"], "suits": appeals["suits"],
                "refused_share": shares["refused_share"], "unanswerable_share": shares["unanswerable_share"]}
    for number in b.numbers:
        printed = dict((n, v) for v, n in shown)[number.note]
        if number.name in expected and number.report_id in str(shares["report_ids"]):
            want = float(expected[number.name])
            if number.name.endswith("_share"):
                assert printed == f"{100 * want:.1f}%"
            else:
                assert float(printed) == want == number.value
    requests = corpus.requests
    for note in b.notes:  # every printed cell a note names is a cell of that report, as printed
        rid = re.search(r"\(report (\w+)\)", note).group(1)
        found = re.findall(r"([\w.]+)·(\w+) '([^']*)' \(([^)]+)\)", note)
        assert "all printed blank" not in note or "legacy" not in note
        assert found or "blank" in note or " = [" in note or "agencies of level" in note
        for key, printed, loc in re.findall(r"legacy·(\w+) '([^']*)' \(([^)]+)\)", note):
            hit = corpus.legacy[(corpus.legacy["report_id"] == rid) & (corpus.legacy["key"] == key)]
            assert hit["printed"].tolist() == [printed] and hit["location"].tolist() == [loc]
        for row, col, printed, loc in re.findall(r"([\w.]+)·(\w+) '([^']*)' \(([^)]+)\)", note):
            if row == "legacy":
                continue
            appeal = row in template.PROCEEDING_KEYS
            table, key, other = (corpus.appeals, "proceeding", "result") if appeal else (requests, "row", "applicant")
            hit = table[(table["report_id"] == rid) & (table[key] == row) & (table[other] == col)]
            assert hit["printed"].tolist() == [printed] and hit["location"].tolist() == [loc]


def test_a_brief_on_a_report_with_errors_says_so(corpus):
    b = brief(corpus, "黑龙江省人民防空办公室", 2020)
    assert sum("（该报告存在数字不一致）" in s for s in b.sentences) == 3
    assert "4处数字不一致" in b.sentences[-1]
    assert "存在数字不一致" not in "".join(brief(corpus, "重庆市人民防空办公室", 2020).sentences)


def test_brief_compares_with_the_previous_year(corpus):
    b = brief(corpus, "上海市人民政府办公厅", 2025)
    assert "2024年的报告未收入" in b.sentences[0]
    assert "2019、2020" not in b.sentences[-1] and "2020、2021、2022、2023、2024年的报告未收入" in b.sentences[-1]


def test_brief_files_open(corpus, tmp_path):
    import docx

    b = brief(corpus, "上海市人民政府办公厅", 2019)
    d = docx.Document(str(b.save(tmp_path / "b.docx")))
    paragraphs = [p.text for p in d.paragraphs]
    assert paragraphs[0] == b.title and b.sentences[1] in paragraphs and any(p.startswith("[1] ") for p in paragraphs)
    assert b.save(tmp_path / "b.md").read_text(encoding="utf-8").startswith(f"# {b.title}")
    assert "<h1>" in b.save(tmp_path / "b.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="one of"):
        b.save(tmp_path / "b.pdf")


def test_brief_command(tmp_path):
    out = tmp_path / "brief.md"
    ok = subprocess.run([sys.executable, "-m", "govreports.cli", "brief", "--corpus", "data/reports", "--agency",
                         "上海市人民政府办公厅", "--year", "2019", "--lang", "en", "-o", str(out)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0 and "received 859[1]" in out.read_text(encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "govreports.cli", "brief", "--corpus", "data/reports", "--agency",
                          "上海市人民政府办公厅", "--year", "2001", "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1 and "no report on 2001" in bad.stdout
