"""Agency names: level, region, expansion from the report's text, keys that link years."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from govreports import agencies as ag
from govreports.corpus import link_agencies

DATA = Path(__file__).resolve().parents[1] / "data" / "reports"


def test_the_34_provincial_level_divisions_are_declared_once():
    assert len(ag.PROVINCES) == 34
    assert len({p.full for p in ag.PROVINCES}) == 34 and len({p.short for p in ag.PROVINCES}) == 34
    kinds = pd.Series([p.kind for p in ag.PROVINCES]).value_counts().to_dict()
    assert kinds == {"province": 22, "municipality": 4, "autonomous_region": 5, "sar": 2, "taiwan": 1}
    assert {p.full for p in ag.AUTONOMOUS_REGIONS} == {"宁夏回族自治区", "广西壮族自治区", "新疆维吾尔自治区",
                                                       "西藏自治区", "内蒙古自治区"}


@pytest.mark.parametrize("name, level", [
    ("上海市科学技术委员会", "provincial"),          # a department of a 直辖市
    ("沭阳县发展和改革局", "county"),
    ("上海市人民政府办公厅", "provincial"),
    ("淮安市洪泽区人民政府", "county"),
    ("广州市海珠区官洲街道办事处", "township"),
    ("宁夏回族自治区人民防空办公室", "provincial"),
    ("自治区人民防空办公室", "provincial"),          # generic prefix still tells the level
    ("贵阳市人民防空办公室", "city"),
    ("淮安市人民政府", "city"),
    ("北京市海淀区人民政府", "county"),              # a district of a 直辖市
    ("天津市河东区民政局", "county"),
    ("江苏省苏州市昆山市人民政府", "county"),        # a county-level city
    ("七里坪镇人民政府", "township"),
    ("固阳县下湿壕镇人民政府", "township"),
    ("长桥乡人民政府", "township"),
    ("南山區蛇口街道辦事處", "township"),            # traditional characters
    ("上海市市场监督管理局", "provincial"),          # 市场 is not a city
    ("沭阳县住房和城乡建设局", "county"),            # 城乡 is not a township
    ("国家统计局", "national"),
    ("教育部", "national"),
    ("审计局", None),                                # nothing says whose
])
def test_level_of(name, level):
    assert ag.level_of(name) == level


@pytest.mark.parametrize("name, region", [
    ("宁夏回族自治区人民防空办公室", "宁夏回族自治区"),
    ("宁夏应急管理厅", "宁夏回族自治区"),            # a short name comes out full
    ("江苏省淮安市洪泽区人民政府", "江苏省/淮安市/洪泽区"),
    ("淮安市洪泽区人民政府", "江苏省/淮安市/洪泽区"),  # province from the national division codes
    ("广州市海珠区官洲街道办事处", "广东省/广州市/海珠区/官洲街道"),
    ("上海市人民政府办公厅", "上海市"),
    ("自治区人民防空办公室", None),
    ("市人防办", None),
])
def test_region_of(name, region):
    assert ag.region_of(name) == region


@pytest.mark.parametrize("seed, printed, full", [
    ("seeds/000_5098ec7e8be95a2a.txt", "自治区人民防空办公室", "宁夏回族自治区人民防空办公室"),
    ("seeds/002_a53a1aafad74cc7a.txt", "自治区应急管理厅", "宁夏回族自治区应急管理厅"),
    ("seeds/003_d25101f45b1a16b3.txt", "市人防办", "贵阳市人民防空办公室"),
    ("seeds/001_aedc4f75886f8629.txt", "市人民防空办", "重庆市人民防空办公室"),
    ("seeds/004_454a5f1be846ec67.txt", "省人防办", "黑龙江省人民防空办公室"),
    ("web_excerpts/taojiang_county_audit_2020.txt", "县审计局", "桃江县审计局"),
    ("web_excerpts/guyang_xiashihao_town_2022.txt", "下湿壕镇政府", "下湿壕镇人民政府"),
    ("web_excerpts/qiliping_town_2020.txt", "七里坪镇", "七里坪镇人民政府"),
    # the page never names the district: the name stays as printed
    ("web_excerpts/tianjin_hedong_civil_affairs_2022.txt", "区民政局", "区民政局"),
])
def test_expand_agency_on_real_report_text(seed, printed, full):
    text = (DATA / seed).read_text(encoding="utf-8")
    assert ag.expand_agency(printed, text) == full


def test_expand_agency_is_certain_or_nothing():
    two_regions = "宁夏回族自治区与广西壮族自治区人民政府"
    assert ag.expand_agency("自治区人民防空办公室", two_regions) == "自治区人民防空办公室"
    assert ag.expand_agency("市人防办", "本报告由市人防办编制。") == "市人民防空办公室"
    assert ag.expand_agency("区民政局", "天津市河东区民政局2022年……区民政局") == "天津市河东区民政局"
    assert ag.expand_agency("县审计局", "请联系桃江县审计局") == "桃江县审计局"


@pytest.mark.parametrize("a, b", [
    ("宁夏回族自治区人民防空办公室", "宁夏人防办"),
    ("贵阳市人民防空办公室", "贵阳市人防办"),
    ("下湿壕镇政府", "下湿壕镇人民政府"),
    ("七里坪镇", "七里坪镇人民政府"),
    ("南山區蛇口街道辦事處", "南山区蛇口街道办事处"),
    ("上海市人民政府办公厅", " 上海市人民政府办公厅 "),
    ("淮安市卫生和计划生育委员会", "淮安市卫生健康委员会"),      # renamed in the 2018 reform
    ("沭阳县环境保护局", "沭阳县生态环境局"),
])
def test_agency_key_is_the_same_for_printed_variants(a, b):
    assert ag.agency_key(a) == ag.agency_key(b)


@pytest.mark.parametrize("a, b", [
    ("贵阳市人民防空办公室", "重庆市人民防空办公室"),
    ("沭阳县发展和改革局", "沭阳县人民政府"),
    ("北京市朝阳区人民政府", "长春市朝阳区人民政府"),
])
def test_agency_key_keeps_different_agencies_apart(a, b):
    assert ag.agency_key(a) != ag.agency_key(b)


def test_name_from_filename():
    assert ag.name_from_filename("x/贵阳市人民防空办公室2021年政府信息公开工作年度报告.pdf") == "贵阳市人民防空办公室"
    assert ag.name_from_filename("2022年度沭阳县发展和改革局政府信息公开工作年度报告.docx") == "沭阳县发展和改革局"
    assert ag.name_from_filename("report_2021.html") is None


def _reports(rows):
    return pd.DataFrame(rows, columns=["report_id", "source", "agency", "agency_as_printed", "year"])


def test_link_agencies_across_years_and_printings():
    reports = _reports([
        ("a", "r/nx_2019.txt", "宁夏回族自治区人民防空办公室", "自治区人民防空办公室", 2019),
        ("b", "r/nx_2020.txt", "宁夏回族自治区人民防空办公室", "宁夏回族自治区人民防空办公室", 2020),
        ("c", "r/gy_2020.txt", "市人民防空办公室", "市人防办", 2020),      # not expandable from its text
        ("d", "r/gy_2021.txt", "贵阳市人民防空办公室", "贵阳市人民防空办公室", 2021),
        ("e", "r/hz_2023.pdf", "洪泽区人民政府", "洪泽区人民政府", 2023),
        ("f", "r/hz_2024.pdf", "淮安市洪泽区人民政府", "淮安市洪泽区人民政府", 2024),
        ("g", "r/ha_2019.txt", "淮安市卫生和计划生育委员会", None, 2019),
        ("h", "r/ha_2021.txt", "淮安市卫生健康委员会", None, 2021),
        ("i", "r/沭阳县发展和改革局2022年报告.txt", None, None, 2022),     # named only by its file
        ("j", "r/沭阳县发展和改革局2023年报告.txt", "沭阳县发展和改革局", None, 2023),
        ("k", "r/gy_2022.txt", None, None, 2022),                            # same file stem as c, d
    ])
    out = link_agencies(reports).set_index("report_id")
    key = out["agency_key"]
    assert key["a"] == key["b"] == "宁夏回族自治区人民防空办公室"
    assert key["c"] == key["d"] == key["k"] == "贵阳市人民防空办公室"
    assert key["e"] == key["f"] == "淮安市洪泽区人民政府"
    assert key["g"] == key["h"]
    assert key["i"] == key["j"] == "沭阳县发展和改革局"
    link = out["agency_link"]
    assert link["b"] == "exact" and link["d"] == "exact" and link["f"] == "exact"
    assert link["a"] == "normalized"                     # completed from the report's own text
    assert {link[x] for x in "cegik"} == {"guessed"}
    assert out.loc["a", "level"] == "provincial" and out.loc["d", "level"] == "city"
    assert out.loc["e", "level"] == "county" and out.loc["e", "region"] == "江苏省/淮安市/洪泽区"
    assert out.loc["c", "region"] == "贵州省/贵阳市"      # from the linked key


def test_a_partial_name_shared_by_two_agencies_is_not_linked():
    reports = _reports([
        ("a", "a.txt", "市人民防空办公室", "市人防办", 2020),
        ("b", "b.txt", "贵阳市人民防空办公室", None, 2021),
        ("c", "c.txt", "重庆市人民防空办公室", None, 2021),
    ])
    out = link_agencies(reports).set_index("report_id")
    # a name with no place keeps a key of its own: it is neither city's, and never merged with
    # another placeless report of another city; the key names the file (no hash id in labels)
    assert out.loc["a", "agency_key"] == "市人民防空办公室@a.txt"
    assert out.loc["a", "agency_link"] == "partial"


def test_placeless_names_of_different_agencies_are_not_merged():
    reports = _reports([
        ("a", "a.txt", "区民政局", None, 2022),
        ("b", "b.txt", "区民政局", None, 2022),
        ("c", "c.txt", "区民政局", None, 2023),
    ])
    out = link_agencies(reports).set_index("report_id")
    assert out["agency_key"].nunique() == 3 and set(out["agency_link"]) == {"partial"}


def test_placeless_names_in_files_of_the_same_name_are_not_merged():
    """Two files named alike in two folders: the file name cannot tell them apart, the report_id does."""
    reports = _reports([
        ("a", "2022/report.txt", "区民政局", None, 2022),
        ("b", "other/2022/report.txt", "区民政局", None, 2022),
    ])
    out = link_agencies(reports).set_index("report_id")
    assert list(out["agency_key"]) == ["区民政局@a", "区民政局@b"]


def test_a_zone_printed_as_its_guanweihui_is_its_management_committee():
    """平潭 2014 prints 平潭综合实验区管委会; it was expanded to '…管委会人民政府'. Gold (pre2019.json):
    平潭综合实验区管理委员会, the same agency as the 2021 crawler page's."""
    assert ag.expand_agency("平潭综合实验区管委会", "") == "平潭综合实验区管理委员会"
    assert ag.agency_key("平潭综合实验区管委会") == ag.agency_key("平潭综合实验区管理委员会")
