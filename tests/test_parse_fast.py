"""The faster paths of parse.py give what the plain definitions give: the memos of cell keys and
parts, the shortcut of _align_torn_labels, normalize_values' early return, table 3's classify kept per
key, place_requests given _has_sub_rows, the values-above-label shortcut, and the whole parse
of printings rendered by govreports.render (damaged ones too) against the cells and identities
they were rendered from. Everything is rendered, so these tests always run."""
from __future__ import annotations

import random

import pytest

from govreports import parse, template
from govreports.parse import (_CELL_PARTS, _LINE_MARKS, _LONE_CELL_PARTS, Parsed, Value, _aligned,
                              _align_torn_labels, _cell_key, _cell_parts, _line_marks, _lone_cell_parts, _Memo,
                              document_keys, layout_of, normalize_values, parse_document)
from govreports.readers import read_document
from govreports.render import IDENTITY_LAYOUTS, LAYOUTS, ReportValues, encode, random_options, render


def _damaged(text: str, rng: random.Random) -> str:
    """A printing cut short, with lines dropped, a block repeated or two lines swapped."""
    lines = text.split("\n")
    kind = rng.randrange(4)
    if kind == 0:
        return "\n".join(lines[: rng.randrange(1, len(lines) + 1)])
    if kind == 1:
        return "\n".join(ln for ln in lines if rng.random() > 0.05)
    if kind == 2:
        return "\n".join(lines + lines[rng.randrange(len(lines)):])
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _docs(n: int = 4):
    """Documents of every text and HTML layout (and the torn-label ones), plain, with printing
    options, and damaged."""
    for layout in LAYOUTS + IDENTITY_LAYOUTS:
        for i in range(n):
            rng = random.Random(i * 31 + len(layout))
            values = ReportValues.synthetic(500 + i)
            try:
                printed = render(values, layout, **(random_options(rng) if i % 2 else {}))
            except (TypeError, AssertionError):  # an option this layout does not print
                printed = render(values, layout)
            if i >= n // 2 and isinstance(printed, str) and not layout.startswith("html"):
                printed = _damaged(printed, rng)
            yield layout, i, values, read_document(encode(printed, "utf-8"), f"{layout}_{i}.txt")


DOCS = list(_docs())


def test_memos_give_what_their_functions_give():
    for _, _, _, doc in DOCS:
        for line, lk in zip(doc.lines, document_keys(doc)):
            for c in line.cells:
                assert _CELL_PARTS[c.text] == _cell_parts(c.text)
                assert _LONE_CELL_PARTS[c.text] == _lone_cell_parts(c.text)
            for k in lk:
                assert _LINE_MARKS[k] == _line_marks(k)
            if not any(c in doc.text[:20000] for c in "開報數據請處計況總於應與條關"):  # simplified text
                assert lk == [parse.PROSE_KEY if len(c.text) > 150 else _cell_key(c.text) for c in line.cells]


def test_a_memo_is_emptied_when_full_and_stays_right():
    calls = []
    memo = _Memo(lambda x: calls.append(x) or x * 2, 3)
    assert [memo[x] for x in (1, 2, 1, 3)] == [2, 4, 2, 6]
    assert calls == [1, 2, 3]  # 1 made once
    assert memo[4] == 8 and len(memo) == 1  # full: emptied, then 4 kept
    assert memo[1] == 2 and calls == [1, 2, 3, 4, 1]
    keys = parse._KeyMemo(lambda t: "key", 5)
    assert keys["x" * 151] == parse.PROSE_KEY and len(keys) == 0  # prose: not normalised, not kept
    assert keys["x" * 150] == "key" and len(keys) == 1
    none = _Memo(lambda x: None, 5)
    assert none["a"] is None and "a" in none  # None is a result kept like any other


def test_align_shortcut_gives_the_general_path():
    seen_rows = 0
    for layout, i, _, doc in DOCS:
        layout_ = layout_of(doc)
        lines = [ln for ln, r in zip(doc.lines, layout_.regions) if r == "requests"]
        keys = [k for k, r in zip(layout_.keys, layout_.regions) if r == "requests"]
        fast, plain = Parsed(), Parsed()
        got = _align_torn_labels(lines, keys, fast)
        want = _aligned(lines, keys, plain)
        assert ([[(c.text, c.location) for c in ln.cells] for ln in got[0]], got[1]) == \
            ([[(c.text, c.location) for c in ln.cells] for ln in want[0]], want[1]), (layout, i)
        assert (fast.findings, fast.aligned) == (plain.findings, plain.aligned), (layout, i)
        seen_rows += len(plain.aligned)
    assert seen_rows > 0  # the torn layouts were aligned: the general path was exercised


@pytest.mark.parametrize("values, n, expected", [
    (["1", "2", "3"], 3, ["1", "2", "3"]),
    (["", "1", "2", "3", ""], 3, ["1", "2", "3"]),    # filler dropped from the end, then the start
    (["-", "1", "2", ""], 3, ["-", "1", "2"]),
    (["1", "2", "3", "-"], 3, ["1", "2", "3"]),       # then a printed blank from the end
    (["", ""], 3, ["", "", ""]),                      # empty cells only: a printed blank row
    (["1"], 3, None)])
def test_normalize_values_early_return_is_the_general_rule(values, n, expected):
    vals = [Value(float(t) if t.isdigit() else 0.0, not t.isdigit(), t, f"c{i}") for i, t in enumerate(values)]
    got, why = normalize_values(vals, n)
    if expected is None:
        assert got is None and why
        return
    assert [v.printed for v in got] == expected and why == ""
    if len(vals) == n:
        assert got == vals and got is not vals  # a copy: the caller may change it


def test_rendered_printings_read_back_to_their_cells():
    """Undamaged printings of every layout read back to the cells they were rendered from."""
    for layout, i, values, doc in DOCS:
        if layout in IDENTITY_LAYOUTS or (i >= 2 and not layout.startswith("html")):
            continue  # torn labels are read back where the identities decide; damaged ones below
        parsed = parse_document(doc, values.year)
        got = {(t, k, c): v.value for t in ("requests", "appeals", "disclosure")
               for (k, c), v in getattr(parsed, t).items()}
        want = values.cells()
        assert got.keys() >= want.keys(), (layout, i, sorted(want.keys() - got.keys())[:5])
        assert {c: got[c] for c in want} == pytest.approx(want), (layout, i)


def test_memos_hold_no_state_a_parse_depends_on():
    """Each document, damaged ones too, parses alike with the memos full of other documents' cells
    and with them emptied."""
    memos = [m for m in vars(parse).values() if isinstance(m, _Memo)]
    assert len(memos) >= 5
    warm = [parse_document(doc, values.year) for _, _, values, doc in DOCS]
    for m in memos:
        m.clear()
    for (layout, i, values, doc), first in zip(DOCS, warm):
        cold = parse_document(doc, values.year, layout_of(doc, document_keys(doc)))
        assert (cold.requests, cold.appeals, cold.disclosure, cold.findings, cold.template, cold.truncated) == \
            (first.requests, first.appeals, first.disclosure, first.findings, first.template, first.truncated), (layout, i)
        for m in memos:
            m.clear()


def _requests_region(doc):
    """The lines and keys of a document's table 3, as parse_document gives them to the assembler."""
    lay = layout_of(doc)
    lines = [ln for ln, r in zip(doc.lines, lay.regions) if r == "requests"]
    keys = [k for k, r in zip(lay.keys, lay.regions) if r == "requests"]
    return lines, parse._mask_header_totals(keys)


def _plain_classify_request(seen: dict):
    """Table 3's classify spelled out, without a memo: a bare 总计 after an outcome row is （七）总计."""
    def classify(key: str):
        if not key:
            return ("text", None, None)
        if key == template.OUTCOME_TOTAL_BARE and seen.get("outcome"):
            return ("row", parse.LabelMatch((template.OUTCOME_TOTAL,), True), None)
        m = parse.match_request_row(key)
        if m is not None:
            if m.keys[0] in template.OUTCOME_KEYS:
                seen["outcome"] = True
            return ("row", m, None)
        return ("group", None, None) if parse.match_group(key) else ("text", None, None)
    return classify


def test_table3_classify_kept_per_key_is_the_plain_rule():
    extra = ["", "总计", "本年度办理结果", "（三）不予公开", "六其他处理", "3其他", "…" * 61, "自然人"]
    seen_total = 0
    for cold in (False, True):
        for layout, i, _, doc in DOCS:
            if cold:
                parse._REQUEST_KINDS.clear()
            keys = [k for lk in _requests_region(doc)[1] for k in lk]
            for seq in (keys, extra + keys + extra):
                fast, plain = parse._classify_request({}), _plain_classify_request({})
                assert [fast(k) for k in seq] == [plain(k) for k in seq], (layout, i)
            seen_total += template.OUTCOME_TOTAL_BARE in keys
    assert seen_total  # a bare 总计 was met: the rule that depends on the rows before it was exercised


def test_place_requests_with_sub_rows_given_is_place_requests_alone():
    kinds = set()
    for layout, i, values, doc in DOCS:
        lines, keys = _requests_region(doc)
        if not lines:
            continue
        placed = []
        for given in (False, True):
            parsed = Parsed()
            rows = parse.assemble_rows(*_align_torn_labels(lines, keys, parsed), parse._classify_request({}))
            sub_rows = any(r.match and r.match.exact and not {template.OTHER_NO_CORRECTION, template.OTHER_UNPAID_FEE}
                           .isdisjoint(r.match.keys) for r in rows)
            assert parse._has_sub_rows(rows) is sub_rows, (layout, i)
            kinds.add(sub_rows)
            parse.place_requests(rows, parsed, parse.padded_width(lines, keys), sub_rows if given else None)
            placed.append((parsed.requests, parsed.findings, parsed.labels, parsed.truncated))
        assert placed[0] == placed[1], (layout, i)
    assert kinds == {True, False}  # tables with and without （六）其他处理's sub-rows


def _row(label_key: str | None, values: list[str], closed: bool = True) -> parse.ObservedRow:
    m = parse.LabelMatch((label_key,), True) if label_key else None
    vals = [Value(float(t), False, t, f"c{n}") for n, t in enumerate(values)]
    return parse.ObservedRow(label_key or "", m, None, "l", vals, closed)


def test_values_above_a_label_found_and_a_labelled_table_left_as_is():
    seven = ["1", "0", "0", "0", "0", "0", "1"]
    rows = [_row(template.RECEIVED_NEW, seven), _row(None, seven), _row(template.CARRIED_OVER, [])]
    parsed = Parsed()
    out = parse._values_printed_above_labels(rows, parsed)
    assert [r.key for r in out] == [template.RECEIVED_NEW, template.CARRIED_OVER]
    assert [v.printed for v in out[1].values] == seven
    assert [f["check"] for f in parsed.findings] == ["values_above_label"]
    labelled = [_row(template.RECEIVED_NEW, seven), _row(template.CARRIED_OVER, []), _row(None, seven)]
    parsed = Parsed()
    out = parse._values_printed_above_labels(labelled, parsed)
    assert out == labelled and out[1].values == [] and parsed.findings == []  # nothing follows the unlabelled row


def _table4(rows: list[list[str]]):
    """Table 4 printed as tab-separated lines: its lines and their keys."""
    doc = read_document("\n".join("\t".join(r) for r in rows).encode("utf-8"), "t4.txt")
    return doc.lines, document_keys(doc)


@pytest.mark.parametrize("transposed", [False, True])
def test_labelled_table4_read_in_the_order_of_its_last_full_header(transposed):
    """The header orders are read only once the rows are known to be labelled: still the last header
    line naming every result (or proceeding) once, a line naming fewer not taken."""
    procs = [(p.key, "行政诉讼（" + p.phrases[0] + "）" if p.key != "review" else p.label) for p in template.PROCEEDINGS]
    results = [(r.key, r.label) for r in template.RESULTS]
    value = {(p, r): 10 * i + j + 1 for i, (p, _) in enumerate(procs) for j, (r, _) in enumerate(results)}
    heads, rows_of = (procs, results) if transposed else (results, procs)
    first, last = heads[::-1], heads[1:] + heads[:1]  # two full headers in other orders: the last one counts
    rows = [["项目"] + [lab for _, lab in first], ["项目"] + [lab for _, lab in last],
            ["项目"] + [lab for _, lab in heads[:-1]] + ["说明"]]  # names one fewer: not an order
    for key, lab in rows_of:
        rows.append([lab] + [str(value[(h, key) if transposed else (key, h)]) for h, _ in last])
    parsed = Parsed()
    parse.place_appeals(*_table4(rows), True, parsed)
    assert {c: v.value for c, v in parsed.appeals.items()} == value
    assert parsed.findings == []
