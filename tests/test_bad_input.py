"""Bad input: a clear ReportError naming the file, never a bare traceback; a batch goes on."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import govreports as gr
from govreports.render import ReportValues, render

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "reports" / "seeds" / "001_aedc4f75886f8629.txt"


@pytest.mark.parametrize("data, problem", [
    (b"", "empty file"),
    (b"   \n\n  ", "empty file"),
    (bytes(range(256)) * 20, "binary"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "binary"),
    ("<html><body><p>欢迎访问本网站</p><p>联系我们</p></body></html>".encode(), "no report found"),
    ("这是一篇与年度报告无关的新闻稿。\n今天天气很好。".encode("gb18030"), "no report found"),
    (b"abc " + "收到和处理政府信息公开申请".encode("utf-8")[:-1] + b"\xff" * 50, "undecodable"),
    (b"\xff\xfe" + bytes(range(0xd8, 0xdc)) * 40, "undecodable"),
])
def test_not_a_report_raises_report_error_naming_the_file(data, problem):
    with pytest.raises(gr.ReportError) as err:
        gr.read_report(data, name="bad/file.txt")
    assert "bad/file.txt" in str(err.value) and problem in str(err.value)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(gr.ReportError, match="no such file"):
        gr.read_report(tmp_path / "nope.txt")
    with pytest.raises(gr.ReportError, match="folder"):
        gr.read_report(tmp_path)


def test_truncated_table_keeps_what_is_printed_and_says_so():
    text = SEED.read_text(encoding="utf-8")
    cut = text[: text.index("(三)不予公开") + 30]  # ends inside table 3
    r = gr.read_report(cut, name="cut.txt")
    assert r.meta.truncated
    assert set(r.requests["row"]) == {"received_new", "carried_over", "granted", "partly_granted"}
    assert (r.findings["check"] == "truncated").any()
    assert (r.findings["check"] == "missing_table").any() and r.appeals.empty
    assert len(r.disclosure) == 22  # table 2 was printed whole


def test_row_cut_in_the_middle_is_absent_not_guessed():
    text = SEED.read_text(encoding="utf-8")
    i = text.index("| 二、上年结转政府信息公开申请数量")
    r = gr.read_report(text[: i + len("| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 |")], name="cut.md")
    assert set(r.requests["row"]) == {"received_new"}


def test_dropped_empty_cells_never_guess_a_column():
    v = ReportValues.from_gold(json.loads((ROOT / "tests/gold/seeds.json").read_text())["001_aedc4f75886f8629.txt"])
    text = render(v, "markdown").replace("| 1.本机关不掌握相关政府信息 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
                                         "| 1.本机关不掌握相关政府信息 | 3 | 3 |")
    assert "| 3 | 3 |" in text
    r = gr.read_report(text, name="dropped.md")
    row = r.requests[r.requests["row"] == "unavailable.not_held"]
    assert list(row["applicant"]) == ["total"] and int(row["value"].iloc[0]) == 3
    f = r.findings[r.findings["check"] == "columns_ambiguous"]
    assert list(f["key"]) == ["unavailable.not_held"] and (f["severity"] == "warning").all()


def test_cli_parse_goes_on_past_bad_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SEED.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "z.txt").write_bytes((ROOT / "data/reports/seeds/004_454a5f1be846ec67.txt").read_bytes())
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "govreports.cli", "parse", str(folder), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{folder / 'empty.txt'}: empty file" in proc.stderr
    assert "binary file" in proc.stderr
    assert "2 parsed, 2 failed" in proc.stdout
    requests = pd.read_parquet(out / "requests.parquet")
    assert requests["report_id"].nunique() == 2
    assert set(pd.read_csv(out / "findings.csv")["check"]) >= {"row_total", "balance", "outcome_total"}
    reports = pd.read_csv(out / "reports.csv")
    assert sorted(reports["status"]) == ["failed", "failed", "parsed", "parsed"]


def test_cli_parse_all_good_exits_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "govreports.cli", "parse", str(SEED), "-o", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "重庆市人民防空办公室 2020 template 2019: received 3, （七）总计 3" in proc.stdout
    df = pd.read_csv(tmp_path / "requests.csv")
    assert len(df) == 161 and df["report_id"].str.len().eq(16).all()
