"""Print report values as an HTML page, as agencies' sites publish them.

The page prints the same document as the text layouts (``text.build_document``): tables keep
their ``rowspan``/``colspan`` (三、本年度办理结果 spans every outcome row, （三）不予公开 its eight
rows, a three-level header over table 3), wrapped in site navigation, a breadcrumb, and a footer
with a contact table, so that a reader has to find the report inside the page.

Two layouts:

* ``html``: a CMS page, cells as ``<td><p align="center">…</p></td>``;
* ``html_word``: a Word/WPS export pasted into a CMS: every cell a ``<p class=MsoNormal>`` whose
  text is split into several ``<span>``s (sometimes one character each), ``&nbsp;`` in empty
  cells and ``<o:p></o:p>`` tags.
"""
from __future__ import annotations

import html as _html
import random
import zlib

from .text import Heading, Options, Paragraph, Table, build_document, to_traditional
from .values import ReportValues

HTML_LAYOUTS = ("html", "html_word")

NAV = ("首页", "机构概况", "政务公开", "政策文件", "政务服务", "互动交流", "专题专栏")


def render(values: ReportValues, layout: str = "html", charset: str = "utf-8", twice: bool = False,
           **options) -> str:
    """Print ``values`` as a whole HTML page in ``layout`` (``html`` or ``html_word``).

    ``charset`` is only declared in the page's ``<meta>`` (real pages often declare gb2312 and
    are GBK); encoding the text is :func:`govreports.render.encode`'s job. ``twice`` prints the
    report a second time in the page, as a hidden print copy under the original (LAYOUTS.md).
    """
    if layout not in HTML_LAYOUTS:
        raise ValueError(f"unknown html layout {layout!r}; known: {HTML_LAYOUTS}")
    opts = Options.of(options)
    word = layout == "html_word"
    blocks = build_document(values, opts)
    title = blocks[0].text
    body = [_block(b, word) for b in blocks]
    if twice:
        body += ['</div>\n<div class="print-copy" style="display:none">', *body]
    page = "\n".join([_page_head(title, charset), *body, _page_foot(values.agency)])
    return to_traditional(page) if opts.traditional else page


# --------------------------------------------------------------------------- page frame
def _page_head(title: str, charset: str) -> str:
    nav = "".join(f'<li><a href="/{i}/index.html">{name}</a></li>' for i, name in enumerate(NAV))
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
            f'charset={charset}">\n<title>{_esc(title)}</title>\n'
            '<script type="text/javascript">var siteId = "1"; var columnId = "42";</script>\n</head>\n'
            '<body>\n<div class="header"><div class="logo">政府门户网站</div>\n'
            f'<ul class="nav">{nav}</ul></div>\n'
            '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            '<a href="/zwgk/ndbg/">政府信息公开年报</a></div>\n'
            '<div class="article"><div class="info"><span>来源：本站</span> <span>浏览次数：'
            '<script>document.write(123)</script></span></div>\n<div class="content">')


def _page_foot(agency: str) -> str:
    contact = ("<table class=\"contact\"><tr><td>主办单位</td><td>{0}</td></tr>"
               "<tr><td>联系电话</td><td>0000-12345678</td></tr>"
               "<tr><td>附件</td><td><a href=\"/files/report.pdf\">年度报告.pdf</a></td></tr></table>")
    return ('</div></div>\n<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>\n'
            f'<div class="footer">{contact.format(_esc(agency))}\n'
            '<p>版权所有 ICP备案号：00000000号 网站标识码：0000000000</p></div>\n</body>\n</html>\n')


# --------------------------------------------------------------------------- blocks
def _block(block, word: bool) -> str:
    if isinstance(block, Table):
        return _table(block, word)
    if isinstance(block, Heading) and block.level == 0:
        return f'<p style="text-align: center;font-weight: bold;">{_esc(block.text)}</p>'
    text = _esc(block.text)
    if word:
        return f'<p class=MsoNormal style="text-indent:32.0pt"><span style="font-family:仿宋_GB2312">{text}</span></p>'
    if isinstance(block, Heading):
        return f"<p><strong>{text}</strong></p>"
    assert isinstance(block, Paragraph)
    return f"<p>{text}</p>"


def _table(table: Table, word: bool) -> str:
    attrs = ' class=MsoNormalTable border=1 cellspacing=0 cellpadding=0' if word else ' border="1" cellspacing="1" align="center"'
    rows = []
    for row in table.rows:
        tds = "".join(_td(c, word) for c in row)
        rows.append(f"<tr>{tds}</tr>")
    return f"<table{attrs}><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _td(cell, word: bool) -> str:
    spans = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + \
            (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
    align = "" if cell.kind == "label" else ' align="center"'
    if not word:
        return f'<td nowrap="nowrap"{spans}><p{align}>{_esc(cell.text) or "&nbsp;"}</p></td>'
    inner = _word_spans(cell.text) if cell.text else "<span lang=EN-US>&nbsp;<o:p></o:p></span>"
    return (f"<td width=60 valign=center style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'"
            f"{spans}><p class=MsoNormal align=center style='text-align:center'>{inner}</p></td>")


def _word_spans(text: str) -> str:
    """Split ``text`` into runs of 1-4 characters, each in its own styled ``<span>``.

    The split is drawn from the text itself, so the same text always prints the same way.
    """
    rng = random.Random(zlib.crc32(text.encode("utf-8")))
    runs, i = [], 0
    while i < len(text):
        n = rng.choice((1, 1, 2, 3, 4))
        runs.append(text[i:i + n])
        i += n
    style = "font-size:10.5pt;font-family:仿宋_GB2312"
    spans = "".join(f"<span style='{style}'>{_esc(run)}</span>" for run in runs)
    return spans + "<span lang=EN-US><o:p></o:p></span>"


def _esc(text: str) -> str:
    return _html.escape(text, quote=False)
