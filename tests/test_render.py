"""The renderer on its own (no reader): labels, cell structure, options, encodings, synthetic values."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from govreports.render import (
    ENCODINGS,
    LAYOUTS,
    OPTIONS,
    ReportValues,
    encode,
    render,
    write_corpus,
)
from govreports.render.text import OTHER_GROUP_LABEL, _group_label, _row_label
from govreports.template import (
    APPLICANTS,
    DISCLOSURE_ITEMS,
    PROCEEDINGS,
    RESULTS,
    ROW_BY_KEY,
    SECTIONS,
    label_key,
)

GOLD = Path(__file__).parent / "gold"
SEEDS = json.loads((GOLD / "seeds.json").read_text(encoding="utf-8"))
ALL_GOLD = {name: entry for f in sorted(GOLD.glob("*.json"))
            for name, entry in json.loads(f.read_text(encoding="utf-8")).items()}


def synthetic_full_2021(seed: int = 1) -> ReportValues:
    """A 2021-template report that prints the three sub-rows of （六）其他处理."""
    return next(v for s in range(seed, seed + 100)
                if not (v := ReportValues.synthetic(s, "2021")).other_one_row)


SAMPLES = {
    **{f"gold:{name}": ReportValues.from_gold(entry) for name, entry in ALL_GOLD.items()},
    "synthetic:2019": ReportValues.synthetic(1, "2019"),
    "synthetic:2021": synthetic_full_2021(),
    "synthetic:2021_one_row": next(v for s in range(100) if (v := ReportValues.synthetic(s, "2021")).other_one_row),
}


def plain(printed: str) -> str:
    """The visible text of a printing (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", printed))


def expected_labels(v: ReportValues) -> list[str]:
    """Every label the template prints for the rows and tables present in ``v``."""
    out = [f"{v.agency}{v.year}年政府信息公开工作年度报告"] + [s.heading for s in SECTIONS]
    if "received_new" in v.requests:
        out.append(f"共收到政府信息公开申请{v.requests['received_new'][-1]}件")
    for key in v.request_rows():
        out.append(OTHER_GROUP_LABEL if key == "other.other" and (v.template == "2019" or v.other_one_row)
                   else _row_label(key))
        if "." in key:
            out.append(_group_label(ROW_BY_KEY[key].group))
    if v.requests:
        out += [a.label for a in APPLICANTS]
    for item in DISCLOSURE_ITEMS[v.template]:
        if item.key in v.disclosure:
            out += [item.label, item.section] + [m.label for m in item.measures]
    if v.appeals is not None:
        out += [r.label for r in RESULTS] + [part for p in PROCEEDINGS for part in p.label.split(" · ")]
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_layout_prints_every_label(sample, layout):
    v = SAMPLES[sample]
    text = plain(render(v, layout))
    missing = [lab for lab in expected_labels(v) if lab not in text]
    assert not missing
    assert text.rstrip().endswith(f"{v.year + 1}年1月15日") or layout.startswith("html")
    assert v.agency in text.rstrip().splitlines()[-3:][0] or layout.startswith("html")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_spaced_and_traditional_labels_keep_their_key_form(layout):
    v = SAMPLES["synthetic:2021"]
    keys = label_key(plain(render(v, layout, spaced_labels=True)))
    assert "商 业 企 业" in plain(render(v, layout, spaced_labels=True))
    assert all(label_key(lab) in keys for lab in expected_labels(v))
    trad = plain(render(v, layout, traditional=True))
    assert "政府信息公開工作年度報告" in trad and "申請" in trad


def table3_lines(text: str, v: ReportValues) -> dict[str, list[str]]:
    """tsv: each table-3 row's cells, found by its printed label."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("一、本年新收"))
    rows = {}
    for key, line in zip(v.request_rows(), lines[start:]):
        rows[key] = line.split("\t")
    return rows


def test_tsv_blank_zeros_keeps_seven_value_cells():
    v = SAMPLES["synthetic:2021"]
    for blank in (False, True):
        rows = table3_lines(render(v, "tsv", blank_zeros=blank), v)
        assert set(rows) == set(v.request_rows())
        for key, cells in rows.items():
            label_at = max(i for i, c in enumerate(cells) if c and not c.isdigit())
            values = cells[label_at + 1:]
            assert len(values) == 7, key
            assert values == [("" if (blank and n == 0) or key in v.blank_rows else str(n))
                              for n in v.requests[key]], key


def test_gold_blank_rows_print_empty_cells():
    v = ReportValues.from_gold(SEEDS["000_5098ec7e8be95a2a.txt"])
    rows = table3_lines(render(v, "tsv"), v)
    assert rows["denied.third_party"][-7:] == [""] * 7
    assert rows["received_new"][-7:] == ["2", "0", "0", "0", "0", "0", "2"]
    last_appeals_row = render(v, "tsv").split("五、存在")[0].strip("\n").splitlines()[-1]
    assert last_appeals_row.split("\t") == [""] * 15


def test_cells_layout_structure():
    v = SAMPLES["synthetic:2019"]
    text = render(v, "cells", blank_zeros=True)
    blocks = text.split("\n\n")
    assert all(line.startswith("\t") for b in blocks if b.startswith("\t") for line in b.splitlines())
    row = next(b for b in blocks if "4.保护第三方合法权益" in b).splitlines()
    assert row[:2] == ["\t", "\t"] and len(row) == 3 + 7


def test_markdown_tables_are_rectangular():
    text = render(SAMPLES["synthetic:2021"], "markdown", blank_zeros=True)
    tables = [t for t in text.split("\n\n") if t.startswith("|")]
    assert len(tables) == 3
    for t in tables:
        widths = {line.count("|") for line in t.splitlines() if line.startswith("|")}
        assert len(widths) == 1


def test_pipe_cells_every_table_line_ends_with_pipe():
    text = render(SAMPLES["synthetic:2019"], "pipe_cells", blank_zeros=True)
    assert "\n |\n" in text or "\n0 |\n" in text
    assert "三、本年度办理结果 |\n（一）予以公开 |" in text


@pytest.mark.parametrize("layout", ["html", "html_word"])
def test_html_spans(layout):
    page19 = render(SAMPLES["synthetic:2019"], layout)
    page21 = render(SAMPLES["synthetic:2021"], layout)
    assert 'rowspan="20"' in page19 and 'rowspan="22"' in page21 and 'rowspan="8"' in page19
    assert 'colspan="3" rowspan="3"' in page19  # the balance note over the three-level header
    assert page19.count("<table") == 4  # three template tables and the footer's contact table
    if layout == "html_word":
        assert "class=MsoNormal" in page19 and "<o:p></o:p>" in page19
        assert "&nbsp;" in render(SAMPLES["synthetic:2019"], layout, blank_zeros=True)


def test_number_options():
    v = ReportValues.from_gold(SEEDS["002_a53a1aafad74cc7a.txt"])
    text = render(v, "tsv", units=True, label_variants=True)
    assert "32 项" in text and "6423.03 万元" in text and "采购预算总金额" in text and "社会组织" in text
    assert "64230300元" in render(v, "tsv", money_in_yuan=True)
    big = next(v for s in range(500) if (v := ReportValues.synthetic(s)).requests["received_new"][-1] >= 1000)
    n = big.requests["received_new"][-1]
    assert f"{n:,}" in render(big, "tsv", thousands=True)
    assert str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")) in render(big, "cells", fullwidth_digits=True)


def test_unknown_option_and_layout():
    v = SAMPLES["synthetic:2019"]
    with pytest.raises(TypeError):
        render(v, "tsv", colour=True)
    with pytest.raises(ValueError):
        render(v, "rtf")


@pytest.mark.parametrize("layout, magic", [("pdf", b"%PDF"), ("docx", b"PK\x03\x04")])
def test_binary_layouts_give_files_of_their_format(layout, magic):
    data = render(SAMPLES["synthetic:2019"], layout)
    assert isinstance(data, bytes) and data.startswith(magic)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encodings_round_trip(encoding):
    v = SAMPLES["synthetic:2021"]
    for layout in ("tsv", "html_word"):
        text = render(v, layout, traditional=True, fullwidth_digits=True)
        data = encode(text, encoding)
        assert data.decode(encoding).lstrip("\ufeff") == text
    assert encode("总计", "utf-8-sig").startswith(b"\xef\xbb\xbf")


def test_synthetic_identities_hold_and_are_reproducible():
    for seed in range(200):
        for template in ("2019", "2021", None):
            v = ReportValues.synthetic(seed, template)
            assert not v.identity_failures(), (seed, template)
            assert set(v.requests) == set(v.template_request_keys())
            assert (v.year <= 2020) == (v.template == "2019")
            assert v.agency and v.agency[-1] in "局厅室会府"
    assert ReportValues.synthetic(5) == ReportValues.synthetic(5)
    assert render(ReportValues.synthetic(5), "html") == render(ReportValues.synthetic(5), "html")
    sizes = [ReportValues.synthetic(s).requests["received_new"][-1] for s in range(200)]
    assert sorted(sizes)[100] <= 30 and max(sizes) >= 1000


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_from_gold_loads_seed(name):
    v = ReportValues.from_gold(SEEDS[name])
    assert v.requests == {k: list(c) for k, c in SEEDS[name]["requests"].items()}
    assert v.template == SEEDS[name]["template"] and v.year == SEEDS[name]["year"]
    if isinstance(SEEDS[name]["appeals"], str):
        assert v.appeals_blank and v.appeals == [0] * 15


def test_write_corpus(tmp_path):
    paths = write_corpus(tmp_path / "a", 16, seed=3)
    again = write_corpus(tmp_path / "b", 16, seed=3)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    manifest = [json.loads(line) for line in (tmp_path / "a" / "manifest.jsonl").read_text("utf-8").splitlines()]
    assert len(manifest) == 16 and {m["layout"] for m in manifest} == set(LAYOUTS)
    for path, meta in zip(paths, manifest):
        text = path.read_bytes().decode(meta["encoding"])
        v = ReportValues.synthetic(meta["seed"])
        assert label_key(v.agency) in label_key(plain(text)) or meta["options"].get("traditional")


def test_options_list_is_documented():
    import govreports.render as r

    assert all(name in r.__doc__ for name in OPTIONS)
