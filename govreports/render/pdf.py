"""Print report values as a PDF report, the way agencies' PDFs look (reportlab).

The document is the one every layout prints (``text.build_document``): headings and prose,
then the three tables drawn with ruled lines (so that a PDF reader finds them as tables), group
labels and headers spanning rows and columns, a footer ``- n -`` on every page. Text uses the
Adobe CID font ``STSong-Light`` (built into reportlab, no font file needed; the text layer
extracts as plain Unicode).

Options beyond the shared printing options of ``text.OPTIONS``:

* ``split_pages``: table 3 broken by a page break inside the （四）无法提供 group, its label cut
  in two (``（四）无`` at the foot of one page, ``法提供`` at the top of the next), as in the
  real 2024 report of 淮安市人民政府;
* ``footer`` (default True): print ``- n -`` at the foot of each page;
* ``ruled`` (default True): draw the tables' lines; ``ruled=False`` prints borderless tables,
  which a reader can only take from the text layer;
* ``font_file``: a TrueType font to embed instead of ``STSong-Light`` (which a PDF viewer must
  supply itself: a rasterizer without CJK fonts draws its characters as nothing). The scans of
  ``govreports.render.scan`` embed the SimHei that ``mplfonts`` ships.
"""
from __future__ import annotations

import functools
import io

from .docx import blocks_of, positions, split_options
from .text import Heading, Paragraph, Table, to_traditional
from .values import ReportValues

EXTRA_OPTIONS = ("split_pages", "footer", "ruled", "font_file")
FONT = "STSong-Light"


def _font_name(font_file: str | None) -> str:
    """The reportlab name of the font to print with, registered on first use."""
    if not font_file:
        return FONT
    return _register_ttf(str(font_file))


@functools.lru_cache(maxsize=4)
def _register_ttf(path: str) -> str:
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "Embedded-" + Path(path).stem
    pdfmetrics.registerFont(TTFont(name, path))
    return name


@functools.lru_cache(maxsize=4)
def _styles(font: str = FONT):
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if font == FONT:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK", firstLineIndent=22)
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=24, alignment=TA_CENTER,
                                spaceAfter=12, wordWrap="CJK"),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=12, leading=20, spaceBefore=6,
                                  wordWrap="CJK"),
        "body": body,
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK"),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _col_widths(table: Table, total: float) -> list[float]:
    """Column widths: table 3 gives its three label columns room, the rest share evenly."""
    width = table.width
    if table.key == "requests":
        label = [0.07, 0.10, 0.27]
        rest = (1 - sum(label)) / (width - 3)
        return [total * f for f in label] + [total * rest] * (width - 3)
    if table.key == "disclosure":
        first = 0.28
        return [total * first] + [total * (1 - first) / (width - 1)] * (width - 1)
    return [total / width] * width


def _flowable_table(table: Table, widths: list[float], conv, ruled: bool = True, font: str = FONT):
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T
    from reportlab.platypus import TableStyle

    style = _styles(font)["cell"]
    placed = positions(table)
    grid = [[""] * table.width for _ in table.rows]
    commands = [("GRID", (0, 0), (-1, -1), 0.6, "black")] if ruled else []
    commands += [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for r, row in enumerate(placed):
        for col, cell in row:
            if cell.text:
                grid[r][col] = P(_esc(conv(cell.text)), style)
            if cell.rowspan > 1 or cell.colspan > 1:
                last_row = min(r + cell.rowspan, len(placed)) - 1
                commands.append(("SPAN", (col, r), (col + cell.colspan - 1, last_row)))
    return T(grid, colWidths=widths, style=TableStyle(commands), repeatRows=0, splitByRow=1)


def render(values: ReportValues, **options) -> bytes:
    """Print ``values`` as the bytes of a PDF report (see the module docstring for options)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as P

    opts, own = split_options(dict(options), EXTRA_OPTIONS)
    conv = to_traditional if opts.traditional else (lambda s: s)
    font = _font_name(own.get("font_file"))
    styles = _styles(font)
    split = bool(own.get("split_pages"))
    footer = own.get("footer", True)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=25 * mm, title=conv(f"{values.agency}{values.year}年政府信息公开工作年度报告"))
    story = []
    table_parts = 0
    for block in blocks_of(values, opts, split):
        if isinstance(block, Heading):
            story.append(P(_esc(conv(block.text)), styles["title" if block.level == 0 else "heading"]))
        elif isinstance(block, Paragraph):
            story.append(P(_esc(conv(block.text)), styles["body"]))
        elif isinstance(block, Table):
            if block.key == "requests" and split:
                table_parts += 1
                if table_parts == 2:
                    story.append(PageBreak())
            story.append(_flowable_table(block, _col_widths(block, doc.width), conv, own.get("ruled", True),
                                         font))
            story.append(Spacer(1, 8))

    def on_page(canvas, document):
        if footer:
            canvas.saveState()
            canvas.setFont(font, 10)
            canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {document.page} -")
            canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
