"""Print report values as text, the way text copied from agencies' web pages looks.

The report is first built as a layout-neutral *document* (:func:`build_document`): a list of
blocks, each a heading, a paragraph or a :class:`Table` whose rows hold only their own cells with
HTML-like ``rowspan``/``colspan`` (group labels such as 三、本年度办理结果 span many rows). Each
layout then prints the same document; the HTML renderer (``html.py``) prints it too. So every
layout carries exactly the same labels and numbers, and only the printing differs.

Three views of a table serve the layouts (see ``LAYOUTS.md`` and the seeds):

* own cells (HTML-like, spanned cells not repeated): ``pipe_cells``;
* placeholder rows, a cell spanned down from a row above printed as one empty cell, column
  spans not padded: ``tsv`` (seeds 000, 002) and ``cells`` (seeds 003, 004);
* the full grid, every span padded with empty cells so that all rows are equally wide:
  ``markdown``.

A value cell that prints blank (``blank_zeros``, a row printed blank) stays an empty cell in
every view; it is never dropped.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..template import (
    APPLICANTS,
    DISCLOSURE_ITEMS,
    PROCEEDINGS,
    RESULTS,
    ROW_BY_KEY,
    SECTIONS,
)
from .values import ReportValues

TEXT_LAYOUTS = ("tsv", "markdown", "cells", "pipe_cells")
# Printings that only the identities can read back (not in TEXT_LAYOUTS: many options make no sense
# for them, and what they print may stay ambiguous): the crawler's one-line text, and a PDF turned
# into markdown with the row labels torn from their rows.
IDENTITY_LAYOUTS = ("crawler", "markdown_torn")
OPTIONS = ("blank_zeros", "spaced_labels", "traditional", "fullwidth_digits", "thousands", "units",
           "label_variants", "money_in_yuan", "drop_empty")

# Header words the template prints that are not keys of any cell (so not in template.py).
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS_HEADING = "申请人情况"
ORGANISATIONS_HEADING = "法人或其他组织"
ITEM_HEADING = "信息内容"
OUTCOMES_GROUP = ROW_BY_KEY["granted"].group_label  # 三、本年度办理结果
OTHER_GROUP_LABEL, OTHER_OTHER_LABEL = ROW_BY_KEY["other.other"].label.split(" / ")
SUIT = PROCEEDINGS[1].label.split(" · ")[0]  # 行政诉讼

# Units printed after table-2 numbers with the ``units`` option.
COUNT_UNITS = {"items_prev_year": "项", "items_change": "项", "projects": "项"}
DEFAULT_COUNT_UNIT = "件"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# --------------------------------------------------------------------------- document model
@dataclass(frozen=True)
class Cell:
    """One printed table cell. ``kind`` is ``label`` (row label), ``header`` or ``value``."""

    text: str
    kind: str = "label"
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    """A printed table: rows of their own cells (a spanned cell appears once, in its first row)."""

    key: str  # disclosure, requests, appeals
    rows: list[list[Cell]] = field(default_factory=list)
    header_rows: int = 0

    @property
    def width(self) -> int:
        return max(sum(c.colspan for c in row) for row in self.rows[:1] or [[]])


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Options:
    """The printing options of ``render`` (see the package docstring); unknown names are errors."""

    blank_zeros: bool = False
    spaced_labels: bool = False
    traditional: bool = False
    fullwidth_digits: bool = False
    thousands: bool = False
    units: bool = False
    label_variants: bool = False
    money_in_yuan: bool = False
    drop_empty: bool = False

    @classmethod
    def of(cls, options: dict) -> "Options":
        unknown = set(options) - set(OPTIONS)
        if unknown:
            raise TypeError(f"unknown render options: {sorted(unknown)}; known: {OPTIONS}")
        return cls(**{k: bool(v) for k, v in options.items()})


# --------------------------------------------------------------------------- formatting cells
def format_number(value: float, opts: Options) -> str:
    """Print a number: integers bare, decimals without trailing zeros, then the digit options."""
    if float(value).is_integer():
        text = f"{int(value):,}" if opts.thousands else str(int(value))
    else:
        text = f"{value:,.6f}" if opts.thousands else f"{value:.6f}"
        text = text.rstrip("0").rstrip(".")
    return text.translate(FULLWIDTH) if opts.fullwidth_digits else text


def format_money(amount_10k_yuan: float, opts: Options) -> str:
    """Print an amount held in 万元: in 元 with ``money_in_yuan``, else in 万元 (unit if ``units``)."""
    if opts.money_in_yuan:
        return format_number(round(amount_10k_yuan * 10000, 2), opts) + "元"
    text = format_number(amount_10k_yuan, opts)
    return f"{text} 万元" if opts.units else text


def format_count(value: float, measure: str, opts: Options) -> str:
    text = format_number(value, opts)
    return f"{text} {COUNT_UNITS.get(measure, DEFAULT_COUNT_UNIT)}" if opts.units else text


def label(text: str, opts: Options, kind: str = "label") -> Cell:
    """A label cell, its characters spaced out with ``spaced_labels`` ('商 业 企 业')."""
    return Cell(" ".join(text) if opts.spaced_labels and text else text, kind)


def value_cell(value: int, opts: Options, blank: bool = False) -> Cell:
    """A table-3/4 number; empty when the row is printed blank or (``blank_zeros``) when 0."""
    empty = blank or (opts.blank_zeros and value == 0)
    return Cell("" if empty else format_number(value, opts), "value")


# --------------------------------------------------------------------------- table 2
def disclosure_table(values: ReportValues, opts: Options) -> Table | None:
    """Table 2 in its template's shape: a 第二十条第（x）项 row, a 信息内容 header, the items."""
    items = [i for i in DISCLOSURE_ITEMS[values.template] if i.key in values.disclosure]
    if not items:
        return None
    width = 1 + max(len(i.measures) for i in items)
    table = Table("disclosure")
    section = None
    for item in items:
        if item.section != section:
            section = item.section
            table.rows.append([_spread([label(section, opts, "header")], width)[0]])
            heads = [label(ITEM_HEADING, opts, "header")]
            heads += [label(_measure_label(m, opts), opts, "header") for m in item.measures]
            table.rows.append(_spread(heads, width))
        printed = values.disclosure[item.key]
        cells = [label(item.label, opts)]
        for m in item.measures:
            v = printed.get(m.key)
            text = "" if v is None else (format_money(v, opts) if m.unit == "10k_yuan"
                                         else format_count(v, m.key, opts))
            cells.append(Cell(text, "value"))
        table.rows.append(_spread(cells, width))
    return table


def _measure_label(measure, opts: Options) -> str:
    """The printed header of a measure; with ``label_variants`` the template's variant wording."""
    if opts.label_variants and measure.key == "amount_10k_yuan" and len(measure.phrases) > 1:
        return measure.label.replace(measure.phrases[0], measure.phrases[1])
    return measure.label


def _spread(cells: list[Cell], width: int) -> list[Cell]:
    """Widen the last cell of a row (colspan) so that the row fills ``width`` columns."""
    missing = width - sum(c.colspan for c in cells)
    if missing > 0:
        last = cells[-1]
        cells = cells[:-1] + [Cell(last.text, last.kind, last.colspan + missing, last.rowspan)]
    return cells


# --------------------------------------------------------------------------- table 3
def requests_table(values: ReportValues, opts: Options) -> Table | None:
    """Table 3: the three-level applicant header, then one row per printed row key.

    Row labels occupy three columns: 一、二、四 rows span all three; outcome rows sit under
    三、本年度办理结果 (one cell spanning every outcome row); rows of a group (（三）不予公开 …)
    sit under the group's label, which spans the group's rows.
    """
    keys = values.request_rows()
    if not keys:
        return None
    table = Table("requests", _requests_header(opts), header_rows=3)
    outcome_keys = [k for k in keys if ROW_BY_KEY[k].is_outcome or k == "outcome_total"]
    one_row_other = values.template == "2019" or values.other_one_row
    seen_groups: set[str] = set()
    for key in keys:
        row: list[Cell] = []
        if key in outcome_keys and key == outcome_keys[0]:
            row.append(Cell(label(OUTCOMES_GROUP, opts).text, "label", 1, len(outcome_keys)))
        group = ROW_BY_KEY[key].group if "." in key else ""
        if key not in outcome_keys:
            row.append(Cell(label(ROW_BY_KEY[key].label, opts).text, "label", colspan=3))
        elif group == "other" and one_row_other:
            row.append(Cell(label(OTHER_GROUP_LABEL, opts).text, "label", colspan=2))
        elif group:
            if group not in seen_groups:
                members = [k for k in keys if k.startswith(group + ".")]
                row.append(Cell(label(_group_label(group), opts).text, "label", 1, len(members)))
            row.append(label(_row_label(key), opts))
        else:
            row.append(Cell(label(ROW_BY_KEY[key].label, opts).text, "label", colspan=2))
        seen_groups.add(group)
        blank = key in values.blank_rows
        row += [value_cell(v, opts, blank) for v in values.requests[key]]
        table.rows.append(row)
    return table


def _group_label(group: str) -> str:
    """The printed label of a row group, e.g. （三）不予公开, from the template."""
    if group == "other":
        return OTHER_GROUP_LABEL
    return next(r.group_label for r in ROW_BY_KEY.values() if r.group == group and r.group_label)


def _row_label(key: str) -> str:
    return OTHER_OTHER_LABEL if key == "other.other" else ROW_BY_KEY[key].label


def _applicant_label(applicant, opts: Options) -> str:
    if opts.label_variants and len(applicant.phrases) > 1:
        return applicant.phrases[1]  # 社会组织 for 社会公益组织
    return applicant.label


def _requests_header(opts: Options) -> list[list[Cell]]:
    h = functools.partial(label, opts=opts, kind="header")
    natural, *organisations, total = APPLICANTS
    return [
        [Cell(h(BALANCE_NOTE).text, "header", 3, 3), Cell(h(APPLICANTS_HEADING).text, "header", 7)],
        [Cell(h(natural.label).text, "header", 1, 2), Cell(h(ORGANISATIONS_HEADING).text, "header", 5),
         Cell(h(total.label).text, "header", 1, 2)],
        [h(_applicant_label(a, opts)) for a in organisations],
    ]


# --------------------------------------------------------------------------- table 4
def appeals_table(values: ReportValues, opts: Options) -> Table | None:
    """Table 4: 行政复议 (5 results) and 行政诉讼 split into two proceedings of 5 results each."""
    if values.appeals is None:
        return None
    h = functools.partial(label, opts=opts, kind="header")
    suits = [p.label.split(" · ")[-1] for p in PROCEEDINGS[1:]]
    rows = [
        [Cell(h(PROCEEDINGS[0].label).text, "header", 5), Cell(h(SUIT).text, "header", 10)],
        [Cell(h(r.label).text, "header", 1, 2) for r in RESULTS] + [Cell(h(s).text, "header", 5) for s in suits],
        [h(r.label) for r in RESULTS] * 2,
        [value_cell(v, opts, values.appeals_blank) for v in values.appeals],
    ]
    return Table("appeals", rows, header_rows=3)


# --------------------------------------------------------------------------- the document
def build_document(values: ReportValues, opts: Options) -> list[Block]:
    """The report as blocks: title, the six sections with prose and tables, the signature."""
    by_key = {s.key: s for s in SECTIONS}
    blocks: list[Block] = [Heading(f"{values.agency}{values.year}年政府信息公开工作年度报告", 0),
                           Paragraph("依据《中华人民共和国政府信息公开条例》第五十条之规定，制作本报告。")]
    blocks += [Heading(by_key["overview"].heading), Paragraph(overview_text(values, opts))]
    for key, make in (("disclosure", disclosure_table), ("requests", requests_table),
                      ("appeals", appeals_table)):
        blocks.append(Heading(by_key[key].heading))
        table = make(values, opts)
        if table is not None:
            blocks.append(table)
    blocks += [Heading(by_key["problems"].heading),
               Paragraph("政府信息公开工作还存在主动公开内容不够全面、政策解读形式较为单一等问题。下一步将加强培训，"
                         "规范公开流程，提升公开质量。"),
               Heading(by_key["other"].heading), Paragraph(other_text(values)),
               Paragraph(values.agency), Paragraph(f"{values.year + 1}年1月15日")]
    return blocks


def overview_text(values: ReportValues, opts: Options) -> str:
    """Section 一's prose, restating the number of requests received (a check for the reader)."""
    text = (f"{values.year}年，{values.agency}坚持以习近平新时代中国特色社会主义思想为指导，"
            "认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。")
    received = values.requests.get("received_new")
    if received is not None:
        text += f"全年共收到政府信息公开申请{format_number(received[-1], opts)}件。"
    return text


def other_text(values: ReportValues) -> str:
    if values.template == "2021":
        return "本年度未收取信息处理费。"
    return "无其他需要报告的事项。"


# --------------------------------------------------------------------------- table views
def placeholder_rows(table: Table) -> list[list[Cell]]:
    """Rows with each cell spanned down from above printed as one empty cell (colspans unpadded)."""
    out: list[list[Cell]] = []
    pending: dict[int, tuple[int, int]] = {}  # grid column -> (rows still covered, colspan)
    for row in table.rows:
        printed: list[Cell] = []
        col = 0
        cells = iter(row)
        while True:
            if col in pending:
                left, span = pending[col]
                printed.append(Cell("", "placeholder"))
                pending[col] = (left - 1, span)
                if left - 1 == 0:
                    del pending[col]
                col += span
                continue
            cell = next(cells, None)
            if cell is None:
                break
            printed.append(cell)
            if cell.rowspan > 1:
                pending[col] = (cell.rowspan - 1, cell.colspan)
            col += cell.colspan
        out.append(printed)
    return out


def grid_rows(table: Table) -> list[list[str]]:
    """The full grid: every row as wide as the table, spans padded with empty strings."""
    width = table.width
    grid: list[list[str | None]] = [[None] * width for _ in table.rows]
    for r, row in enumerate(table.rows):
        col = 0
        for cell in row:
            while col < width and grid[r][col] is not None:
                col += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < len(grid) and col + dc < width:
                        grid[r + dr][col + dc] = cell.text if dr == dc == 0 else ""
            col += cell.colspan
    return [[c or "" for c in row] for row in grid]


# --------------------------------------------------------------------------- text layouts
def render(values: ReportValues, layout: str = "tsv", **options) -> str:
    """Print ``values`` as text in ``layout`` (one of ``TEXT_LAYOUTS``) with the given options."""
    if layout not in TEXT_LAYOUTS:
        raise ValueError(f"unknown text layout {layout!r}; known: {TEXT_LAYOUTS}")
    opts = Options.of(options)
    printer = _PRINTERS[layout]
    lines: list[str] = []
    for block in build_document(values, opts):
        if isinstance(block, Table):
            lines += _drop_empty(printer(block), layout) if opts.drop_empty else printer(block)
        else:
            lines += [block.text, ""]
    text = "\n".join(lines) + "\n"
    return to_traditional(text) if opts.traditional else text


# --------------------------------------------------------------------------- crawler text
CRAWLER_BODY_MARK = "=" * 20 + " 正文 " + "=" * 20


def render_crawler(values: ReportValues, stray_spaces: bool = True, **options) -> str:
    """Print ``values`` as an archive built by crawling a government site stores a page:
    a header of page metadata (标题, 发布时间, 发布机构, 原文链接), then the whole report on ONE
    line, every table cell glued to the next with nothing between them (an empty cell prints
    nothing), a row's number (``2.``) stuck to the previous row's digits.

    With ``stray_spaces`` a few runs of digits get a space somewhere inside them, as crawlers
    leave them (``230 000023``): it is not a cell break. Where they go is drawn from the values,
    so the same values always print the same text.
    """
    import random

    opts = Options.of(options)
    rng = random.Random(f"{values.agency}|{values.year}|{sorted(values.requests.items())}")
    blocks = build_document(values, opts)
    title = blocks[0].text
    parts: list[str] = [f"当前位置：首页 政务公开 政府信息公开年报 {title} 来源：{values.agency} "]
    for block in blocks:
        if not isinstance(block, Table):
            parts.append(block.text)
            continue
        for row in block.rows:
            run = ""
            for cell in row:
                if cell.kind == "value":
                    run += cell.text
                    continue
                parts.append(_stray_space(run, rng) if stray_spaces else run)
                run = ""
                parts.append(cell.text)
            parts.append(_stray_space(run, rng) if stray_spaces else run)
    header = [f"标题: {title}", f"发布时间: {values.year + 1}-01-15 09:30", "文号: ", f"发布机构: {values.agency}",
              "栏目: 政府信息公开年报", f"原文链接: https://www.example.gov.cn/zwgk/xxgknb/{values.year + 1}01/t1.htm",
              CRAWLER_BODY_MARK]
    text = "\n".join(header) + "\n" + "".join(parts) + " 附件下载"
    return to_traditional(text) if opts.traditional else text


def render_torn(values: ReportValues, torn: tuple[str, ...] | None = None, wrap: int = 18, **options) -> str:
    """Print ``values`` as a PDF-to-markdown tool does when it loses a block of table 3's row labels:
    the labels of the ``torn`` rows (by default the outcome rows from （一）予以公开 to the end of
    （四）无法提供) come out as loose text wrapped every ``wrap`` characters, and their values as
    a small table of unlabelled rows after it; the rows before and after stay in tables of their
    own. Everything else is the ``markdown`` layout."""
    opts = Options.of(options)
    keys = values.request_rows()
    torn = tuple(k for k in (torn or [k for k in keys if k == "granted" or k.split(".")[0] in ("partly_granted", "denied",
                                                                                              "unavailable")])
                 if k in values.requests)
    text = render(values, "markdown", **options)
    table = requests_table(values, opts)
    if table is None or not torn:
        return text
    grid = grid_rows(table)
    body = grid[table.header_rows:]
    rows = dict(zip(keys, body))
    first, last = keys.index(torn[0]), keys.index(torn[-1])
    before, after = keys[:first], keys[last + 1:]

    def md(rows_: list[list[str]]) -> list[str]:
        return ["| " + " | ".join(r) + " |" for r in rows_]

    loose = " ".join(_row_label(k) for k in torn)
    loose_lines = [loose[i:i + wrap] for i in range(0, len(loose), wrap)]
    head = md(grid[:table.header_rows])
    head.insert(1, "|" + "---|" * table.width)
    values_only = [[""] * (table.width - 7) + r[-7:] for r in (rows[k] for k in torn)]
    printed = (head + md([rows[k] for k in before]) + [""] + loose_lines + [""]
               + ["| " + " | ".join(["数据"] * table.width) + " |", "|" + "---|" * table.width] + md(values_only)
               + [""] + ["|" + "---|" * table.width] + md([rows[k] for k in after]))
    old = "\n".join(_markdown(table)[:-1])
    assert old in text
    return text.replace(old, "\n".join(printed))


def _stray_space(run: str, rng) -> str:
    """Now and then a space inside a run of digits (never at its ends)."""
    if len(run) >= 2 and rng.random() < 0.3:
        at = rng.randrange(1, len(run))
        return run[:at] + " " + run[at:]
    return run


def _drop_empty(lines: list[str], layout: str) -> list[str]:
    """A table's lines with every empty cell left out, as a page's text extraction drops them
    (a row of empty cells disappears; a table left empty prints only its labels)."""
    if layout == "cells":
        return [s for s in lines if s.strip() or not s]
    if layout == "pipe_cells":
        return [s for s in lines if s.strip(" |")]
    sep = "\t" if layout == "tsv" else " | "
    out = []
    for s in lines:
        if layout == "markdown" and s.startswith("|") and not s.startswith("|---"):
            cells = [c.strip() for c in s.strip("|").split("|") if c.strip()]
            out.append("| " + sep.join(cells) + " |" if cells else "")
        elif layout == "tsv":
            out.append(sep.join(c for c in s.split("\t") if c.strip()))
        else:
            out.append(s)
    return out


def _tsv(table: Table) -> list[str]:
    return ["\t".join(c.text for c in row) for row in placeholder_rows(table)] + [""]


def _markdown(table: Table) -> list[str]:
    grid = grid_rows(table)
    lines = ["| " + " | ".join(row) + " |" for row in grid]
    lines.insert(1, "|" + "---|" * table.width)
    return lines + [""]


def _cells(table: Table) -> list[str]:
    lines: list[str] = []
    for row in placeholder_rows(table):
        lines += ["\t" + c.text for c in row] + [""]
    return lines


def _pipe_cells(table: Table) -> list[str]:
    return [f"{c.text} |" for row in table.rows for c in row]


_PRINTERS = {"tsv": _tsv, "markdown": _markdown, "cells": _cells, "pipe_cells": _pipe_cells}


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """The whole text in traditional characters (opencc, s2t), as on mirror sites."""
    return _converter().convert(text)
