"""The paths of the meta stages that read_report takes without doing all the work: the title found
among the lines before section 一 (the rest of the head not made), after it, joined over two lines;
the page header read once and handed to title, agency and date; the text converted to simplified
characters only where a place is looked for in it; a file opened once."""
from __future__ import annotations

import pytest

import govreports as gr
from govreports.agencies import expand_agency
from govreports.limits import Limits
from govreports.meta import find_agency, find_published, find_title, page_header

TITLE_2021 = "某县2021年政府信息公开工作年度报告"


def test_title_before_section_one_is_the_last_title_printed_before_it():
    lines = ["上一篇：某县2020年政府信息公开工作年度报告", TITLE_2021, "一、总体情况", "2022年政府信息公开工作年度报告"]
    assert find_title(lines) == (TITLE_2021, 1)


def test_title_after_section_one_is_the_first_title_after_it():
    lines = ["某县人民政府", "一、总体情况", TITLE_2021, "2022年政府信息公开工作年度报告"]
    assert find_title(lines) == (TITLE_2021, 2)


def test_title_broken_over_two_lines_after_section_one_is_joined():
    lines = ["一、总体情况", "某县2021年政府信息公开", "工作年度报告", "正文"]
    assert find_title(lines) == (TITLE_2021, 1)


def test_year_printed_under_the_title_moves_into_it():
    assert find_title(["某县政府信息公开工作年度报告", "（2021年度）", "一、总体情况"]) == (
        "2021年某县政府信息公开工作年度报告", 0)


def test_title_spaces_and_chinese_year_are_read_in_the_lines_before_section_one():
    lines = ["某县 二〇二一年 政府信息公开工作年度报告", "一、总体情况", "二〇二二年度报告"]
    assert find_title(lines) == (TITLE_2021, 0)


def test_a_page_header_read_once_gives_the_same_title_agency_and_date():
    lines = ["标题: 某县2021年政府信息公开工作年度报告", "发布时间: 2022-01-28 09:30", "发布机构: 某县人民政府",
             "", "一、总体情况", "正文。", "某县人民政府", "2022年1月20日"]
    header = page_header(lines)
    assert find_title(lines, header) == find_title(lines) == (TITLE_2021, 0)
    title = find_title(lines)
    assert find_agency(lines, False, title, header) == find_agency(lines, False, title) == ("某县", "title")
    assert find_published(lines, False, header) == find_published(lines) == ("2022-01-28", "page")


def test_agency_completed_from_a_text_printed_in_traditional_characters():
    text = "天津市河東區民政局2022年政府信息公開工作年度報告"
    assert expand_agency("河东区民政局", text) == "天津市河东区民政局"
    assert expand_agency("區民政局", text) == "天津市河东区民政局"
    assert expand_agency("廣東省民政廳", text) == "广东省民政厅"  # a province: no parent looked for


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(gr.ReportError, match="larger than a report can be"):
        gr.read_report(path, limits=Limits(file_bytes=1024))
