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
def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tc(text: str, span: int, vmerge: str | None, width: int, bold: bool) -> str:
    props = f'<w:tcW w:w="{width * span}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    run = ""
    if text:
        run = f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'
    return f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{run}</w:p></w:tc>'


def table_xml_rows(table: Table, merge: bool, conv, col_width: int = 600) -> list[str]:
    """Given a table of own cells, return its ``w:tr`` elements as XML strings: spanned cells
    merged with ``w:gridSpan`` / ``w:vMerge`` (or, without ``merge``, printed as empty cells)."""
    width = table.width
    nrows = len(table.rows)
    owner: dict[tuple[int, int], tuple[int, int, Cell]] = {}
    for r, row in enumerate(positions(table)):
        for col, cell in row:
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    owner[(r + dr, col + dc)] = (r, col, cell)
    out = []
    for r in range(nrows):
        tcs = []
        c = 0
        while c < width:
            hit = owner.get((r, c))
            if hit is None:
                tcs.append(_tc("", 1, None, col_width, False))
                c += 1
                continue
            r0, c0, cell = hit
            text = conv(cell.text) if (r0, c0) == (r, c) else ""
            if not merge:
                tcs.append(_tc(text, 1, None, col_width, cell.kind == "header"))
                c += 1
                continue
            span = cell.colspan - (c - c0)
            vmerge = None
            if cell.rowspan > 1:
                vmerge = "restart" if r == r0 else "continue"
            tcs.append(_tc(text, span, vmerge, col_width, cell.kind == "header"))
            c += span
        out.append(f'<w:tr xmlns:w="{_W}">{"".join(tcs)}</w:tr>')
    return out


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _word_table(doc, table: Table, merge: bool, conv) -> None:
    from docx.oxml import parse_xml

    t = doc.add_table(rows=0, cols=table.width)
    t.style = "Table Grid"
    tbl = t._tbl
    for row in table_xml_rows(table, merge, conv):
        tbl.append(parse_xml(row))


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
