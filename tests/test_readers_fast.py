"""The readers' fast paths give what their general paths give, on clean and damaged inputs.

``read_text`` reads a ``cell |`` line without :func:`_split_pipes` and decides the terminator
style only when a line begins with ``|``; ``read_html`` reads a cell's text without serialising
it. Each is compared here with the general path it short-cuts, on rendered printings, damaged
copies of them and random lines.
"""
from __future__ import annotations

import random

from lxml import etree

from govreports.readers.crawler import MIN_LENGTH
from govreports.readers.html import _PARSER, _rows, _table_lines
from govreports.readers.text import _row, _split_pipes, _terminator_style, read_text
from govreports.render import ReportValues, random_options, render

PIECES = ["|", "||", "| ", " |", "\t", " ", "-", ":", "---", ":-:", "a", "件", "12", "-3", "\u3000", "\xa0", "\r",
          "本年新收政府信息公开申请数量", "自然人"]
LINES = ["a |", "12 件 |", "|", " | ", "| b", "|x|y|", "--- |", "- |", "|---|", "\t|", "c\t|", "| - |", ": |"]


def _random_text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randrange(1, 60)):
        if rng.random() < 0.5:
            lines.append(rng.choice(LINES))
        else:
            lines.append("".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 7))))
    return "\n".join(lines)


def _damaged(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randrange(1, 20)):
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(LINES) if rng.random() < 0.5 else lines[i] + rng.choice(PIECES)
    return "\n".join(lines)


def _texts():
    rng = random.Random(19)
    for i in range(400):
        yield _random_text(rng)
    for layout in ("markdown", "pipe_cells", "cells", "tsv"):
        for seed in range(12):
            printed = render(ReportValues.synthetic(seed), layout, **(random_options(rng) if seed % 2 else {}))
            yield printed
            yield _damaged(printed, rng)


def _by_split_pipes(text: str) -> dict[str, list | None]:
    """Each line holding '|', read by the general path: _split_pipes with the document's style."""
    stripped = [s.strip() for s in text.split("\n")]
    terminator = _terminator_style([s for s in stripped if "|" in s])
    out = {}
    for n, s in enumerate(stripped, 1):
        if "|" in s and len(s) < MIN_LENGTH:
            parts = _split_pipes(s, terminator)
            out[f"line {n}"] = None if parts is None else [(c.text, c.location) for c in _row(parts, f"line {n}").cells]
    return out


def test_pipe_lines_read_as_split_pipes_reads_them():
    checked = 0
    for text in _texts():
        expected = _by_split_pipes(text)
        got = {line.location: [(c.text, c.location) for c in line.cells]
               for line in read_text(text, "t").lines if line.location in expected}
        for loc, cells in expected.items():
            if cells is None:
                assert loc not in got, (loc, text)
            else:
                assert got.get(loc) == cells, (loc, text)
                checked += 1
    assert checked > 5000  # the inputs hold many pipe lines of every kind


CELLS = ["", "12", " 1 2 ", "<p>件数</p>", "<p>件数</p>\n", "a<p>b</p>c", "<p><b>x</b></p>", "<p>a</p><p>b</p>",
         "<br>", "x<br>y", "<b>1</b>2<i>3</i>", "&nbsp;5&nbsp;", "<p>\u3000合计\u3000</p>", "<table><tr><td>in</td></tr></table>"]


def test_cell_text_is_the_text_the_serialiser_gives():
    rng = random.Random(3)
    rows = "".join("<tr>" + "".join(f"<{rng.choice(['td', 'th'])}>{rng.choice(CELLS)}</td>" for _ in range(rng.randrange(0, 6)))
                   + "</tr>" for _ in range(200))
    root = etree.fromstring(f"<html><body><table><tbody>{rows}</tbody></table></body></html>", _PARSER)
    table = root.find(".//table")
    got = [[(c.text, c.location) for c in line.cells] for line in _table_lines(_rows(table), 1)]
    expected = []
    for r, tr in enumerate(_rows(table), 1):
        cells = [(" ".join(etree.tostring(td, method="text", encoding="unicode", with_tail=False).split()),
                  f"html table #1 row {r} col {c}") for c, td in enumerate(tr.iterchildren("td", "th"), 1)]
        if cells:
            expected.append(cells)
    assert got == expected and len(got) > 150


def test_tab_lines_read_as_the_split_on_tabs_reads_them():
    """A line with one tab and only spaces before it is one cell; any other tab line is a row of
    the pieces between its tabs (checked against str.split on random lines)."""
    rng = random.Random(11)
    pieces = ["\t", "\t", " ", "\u3000", "\xa0", "a", "12", "件", "\r", "-"]
    for _ in range(5000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))
        if "\t" not in s or not s.strip() or "|" in s:
            continue
        parts = s.rstrip("\r\n").split("\t")
        one_cell = len(parts) == 2 and not parts[0].strip()
        if one_cell:
            expected = [(s.strip(), "line 1")]
        else:
            expected = [(p.strip(), f"line 1 col {c}") for c, p in enumerate(parts, 1)]
        (line,) = read_text(s, "t").lines
        assert [(c.text, c.location) for c in line.cells] == expected and line.table != one_cell, repr(s)
