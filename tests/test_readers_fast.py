"""The readers' fast paths give what their general paths give, on clean and damaged inputs.

``read_text`` reads a ``cell |`` line without :func:`_split_pipes` and decides the terminator
style only when a line begins with ``|``; ``read_html`` reads a cell's text without serialising
it; ``read_html`` prepares its markup with case-sensitive patterns spelling out what ``re.I``
matches. Each is compared here with the general path it short-cuts, on rendered printings, damaged
copies of them and random lines.
"""
from __future__ import annotations

import random
import re

from lxml import etree

from govreports.readers.crawler import MIN_LENGTH
from govreports.readers.html import (_JS_STRING, _PARSER, _XML_DECLARATION, _ci, _markup, _rows, _table_lines,
                                     _unescape_js)
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


# the markup patterns as first written, with re.I: the reference the case-sensitive ones must equal
_OLD_BREAKS = re.compile(r"<(?=br\s*/?>|/(?:p|div|h[1-6]|li|tr|td|th|caption|title|section|article|header|footer|"
                         r"blockquote)\s*>)", re.I)
_OLD_SPAN_TAGS = re.compile(r"</?(?:span|o:p)\b[^>]*>", re.I)
_OLD_SCRIPT_OPEN = re.compile(r"<script", re.I)
_OLD_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.I | re.S)


def _old_markup(text: str) -> str:
    def repl(m: re.Match) -> str:
        found = [_unescape_js(sm.group(2)) for sm in _JS_STRING.finditer(m.group(1))]
        return "\n".join(f for f in found if "<" in f and ("信息公开" in f or "<table" in f.lower()))
    if _OLD_SCRIPT_OPEN.search(text) and any("<table" in b.lower() or "\\u003c" in b.lower() or "信息公开" in b
                                             for b in _OLD_SCRIPT.findall(text)):
        text = _OLD_SCRIPT.sub(repl, text)
    if '\\"' in text:
        text = text.replace('\\"', '"').replace("\\/", "/").replace("\\n", "\n").replace("\\t", "\t")
    text = _OLD_BREAKS.sub("\n<", _OLD_SPAN_TAGS.sub("", text))
    if text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        text = _XML_DECLARATION.sub("", text, count=1)
    return text


# tag names in every case, with the non-ASCII letters re.I takes for s, k and i (ſ, U+212A, İ, ı)
NAMES = ["span", "SPAN", "Span", "ſpan", "o:p", "O:P", "o:P", "br", "BR", "bR", "p", "P", "td", "TD", "tr", "th", "tH",
         "div", "DIV", "dİv", "dıv", "li", "LI", "lı", "h1", "H6", "h7", "caption", "captİon", "title", "TİTLE", "tıtle",
         "section", "ſection", "SECTİON", "article", "artıcle", "header", "footer", "blockquote", "bloc\u212aquote",
         "BLOCKQUOTE", "script", "SCRIPT", "ſcript", "scrİpt", "scrıpt", "table", "TABLE", "tabla", "spans", "brr", "o:pp"]
SOUP = ["<", "</", ">", "/>", " />", "/", " ", "\t", "\n", "\xa0", "=", "'", '"', "\\\"", "\\u003c", "\\/", "\\n",
        "信息公开", "字", "12", "x", "ſ", "\u212a", "İ", "ı", "<?xml version='1.0'?>", "var a='", "document.write(\""]


def _soup(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randrange(1, 80)):
        r = rng.random()
        if r < 0.35:
            ends = ["", ">", " >", "/>", " a=1>", "\n>", "x>"]
            out.append(rng.choice(["<", "</", "<", "</ "]) + rng.choice(NAMES) + rng.choice(ends))
        elif r < 0.45:
            out.append(rng.choice(NAMES))
        else:
            out.append(rng.choice(SOUP))
    return "".join(out)


def _markups():
    rng = random.Random(7)
    for _ in range(3000):
        yield _soup(rng)
    for layout in ("html", "html_word"):
        for seed in range(8):
            printed = render(ReportValues.synthetic(seed), layout, **(random_options(rng) if seed % 2 else {}))
            yield printed
            for _ in range(2):
                damaged = list(printed)
                for _ in range(rng.randrange(1, 40)):
                    i = rng.randrange(len(damaged) + 1)
                    damaged[i:i] = _soup(rng) if rng.random() < 0.3 else rng.choice(SOUP + NAMES)
                yield "".join(damaged)


def test_markup_is_what_the_case_insensitive_patterns_made():
    """Spans, block ends and scripts found by the case-sensitive patterns are those re.I found
    (ſ, U+212A, İ and ı included): the markup given to lxml is the same, on printings, damaged ones and tag soup."""
    changed = 0
    for text in _markups():
        expected = _old_markup(text)
        assert _markup(text) == expected, text
        changed += expected != text
    assert changed > 2000  # most inputs hold spans, block ends or scripts to act on
    odd = "<ſpan>a</SPAN><dİv>b</dıv>\n<p>c</TİTLE><BR/><bloc\u212aquote>d</bloc\u212aquote>"
    assert _markup(odd) == "a<dİv>b\n</dıv>\n<p>c\n</TİTLE>\n<BR/><bloc\u212aquote>d\n</bloc\u212aquote>"


def test_letter_classes_match_what_re_i_matches():
    """For every ASCII letter, the class _ci writes matches exactly the code points re.I matches."""
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x110000)))
    for c in "abcdefghijklmnopqrstuvwxyz":
        assert re.findall(_ci(c), every) == re.findall(c, every, re.I), c
