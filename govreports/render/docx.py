"""Print report values as a Word (.docx) report, the way agencies write them.

The document is the same one every layout prints (``text.build_document``): headings and
prose as paragraphs, the three tables as real Word tables whose group labels are merged
vertically (``w:vMerge``: 三、本年度办理结果 over every outcome row, （三）不予公开 over its
eight rows) and whose headers are merged across columns (``w:gridSpan``).

Options beyond the shared printing options of ``text.OPTIONS``:

* ``split_table``: table 3 printed as two tables (as when a report pastes a table that broke
  over a page), cut inside the （四）无法提供 group, its label cut in two;
* ``merge_cells=False``: no merged cells; a spanned cell's text sits in its first grid cell and
  the cells it covered are printed empty.
"""
from __future__ import annotations

import io

from .text import Cell, Heading, Options, Paragraph, Table, build_document, to_traditional
from .values import ReportValues

EXTRA_OPTIONS = ("split_table", "merge_cells")
# The row before which a split table 3 is cut (inside a group, like the real 2024 Huai'an report).
SPLIT_BEFORE = "unavailable.needs_creation"


def split_options(options: dict, extra: tuple[str, ...]) -> tuple[Options, dict]:
    """Given render keyword options, return the shared :class:`Options` and this renderer's own."""
    own = {k: options.pop(k) for k in list(options) if k in extra}
    return Options.of(options), own


# --------------------------------------------------------------------------- table geometry
def positions(table: Table) -> list[list[tuple[int, Cell]]]:
    """Given a table of own cells, return per row its cells with their first grid column."""
    width = table.width
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(table.rows):
        placed = []
        col = 0
        for cell in row:
            while (r, col) in taken and col < width:
                col += 1
            placed.append((col, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, col + dc))
            col += cell.colspan
        out.append(placed)
    return out


def split_table(table: Table, at: int, cut_label: bool = True) -> tuple[Table, Table]:
    """Given a table and a row index, return the two tables a page break at that row makes.

    A cell spanning the cut is shortened in the first part and continued in the second by a
    cell of the remaining rows; a label that starts on the last row before the cut is cut in two
    (``（四）无`` | ``法提供``) when ``cut_label``, otherwise the continuation is empty."""
    placed = positions(table)
    first_rows = [[c for _, c in row] for row in placed[:at]]
    second = [list(row) for row in placed[at:]]
    for r, row in enumerate(placed[:at]):
        for i, (col, cell) in enumerate(row):
            if r + cell.rowspan <= at:
                continue
            kept = at - r
            rest = cell.rowspan - kept
            head, tail = cell.text, ""
            if r == at - 1 and cut_label and len(cell.text) >= 4:
                cut = (len(cell.text) + 1) // 2
                head, tail = cell.text[:cut], cell.text[cut:]
            elif r < at - 1 or not cut_label:
                tail = ""
            first_rows[r][i] = Cell(head, cell.kind, cell.colspan, kept)
            second[0].append((col, Cell(tail, cell.kind, cell.colspan, rest)))
    second[0].sort(key=lambda pc: pc[0])
    return (Table(table.key, first_rows, table.header_rows),
            Table(table.key, [[c for _, c in row] for row in second], 0))


def split_requests(table: Table, values: ReportValues) -> tuple[Table, Table]:
    """Given table 3, return it cut in two before :data:`SPLIT_BEFORE` (or in its middle)."""
    keys = values.request_rows()
    at = keys.index(SPLIT_BEFORE) if SPLIT_BEFORE in keys else len(keys) // 2
    return split_table(table, table.header_rows + max(at, 1))


def blocks_of(values: ReportValues, opts: Options, split: bool) -> list:
    """The document to print, table 3 cut in two when ``split``."""
    blocks = []
    for block in build_document(values, opts):
        if isinstance(block, Table) and block.key == "requests" and split:
            blocks.extend(split_requests(block, values))
        else:
            blocks.append(block)
    return blocks


# --------------------------------------------------------------------------- Word
def _set_cell(cell, text: str, bold: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = p.add_run(text)
        run.bold = bold


def _word_table(doc, table: Table, merge: bool, conv) -> None:
    placed = positions(table)
    width = table.width
    t = doc.add_table(rows=len(table.rows), cols=width)
    t.style = "Table Grid"
    for r, row in enumerate(placed):
        for col, cell in row:
            target = t.cell(r, col)
            if merge and (cell.rowspan > 1 or cell.colspan > 1):
                target = target.merge(t.cell(min(r + cell.rowspan, len(placed)) - 1, col + cell.colspan - 1))
            _set_cell(target, conv(cell.text), bold=cell.kind == "header")


def render(values: ReportValues, **options) -> bytes:
    """Print ``values`` as the bytes of a .docx report (see the module docstring for options)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    opts, own = split_options(dict(options), EXTRA_OPTIONS)
    conv = to_traditional if opts.traditional else (lambda s: s)
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    style.font.name = "宋体"
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for block in blocks_of(values, opts, bool(own.get("split_table"))):
        if isinstance(block, Heading):
            p = doc.add_paragraph()
            p.add_run(conv(block.text)).bold = True
        elif isinstance(block, Paragraph):
            doc.add_paragraph(conv(block.text))
        elif isinstance(block, Table):
            _word_table(doc, block, own.get("merge_cells", True), conv)
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
