"""notebooks/check_report.ipynb served by Voila in a real Chromium: a disclosure office uploads
its report and reads the verdict (issue 21). Reuses the servers and browser of test_browser.py;
skips, saying why, where no Chromium exists."""
from __future__ import annotations

from pathlib import Path

import pytest

import govreports as gr
from test_browser import page, serve_voila, sync_api  # noqa: F401 (page is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "reports" / "seeds"


@pytest.fixture
def voila_check(tmp_path):
    with serve_voila(tmp_path, "check_report.ipynb") as url:
        yield url


def test_voila_check_page_highlights_a_broken_report_and_clears_a_clean_one(voila_check, page):
    expect = sync_api.expect
    page.goto(voila_check)
    page.locator(".gr-check").first.wait_for(timeout=30_000)
    result = page.locator(".gr-check-result")
    with page.expect_file_chooser() as chooser:
        page.locator(".gr-check .widget-upload").click()
    chooser.value.set_files(str(SEEDS / "004_454a5f1be846ec67.txt"))
    expect(result).to_contain_text("发现 4 个问题")
    errors = gr.read_report(SEEDS / "004_454a5f1be846ec67.txt").errors
    cells = {(f.key, f.applicant or "total") for f in errors.itertuples()}  # two rules can name one cell
    expect(result.locator("td.error")).to_have_count(len(cells))
    expect(result).to_contain_text("第一项加第二项之和，等于第三项加第四项之和")
    page.locator(".gr-check textarea").fill((SEEDS / "001_aedc4f75886f8629.txt").read_text(encoding="utf-8"))
    page.get_by_role("button", name="检查粘贴的文本 Check text").click()
    expect(result).to_contain_text("可以发布 · ready")
    expect(result.locator("td.error")).to_have_count(0)
