"""A report checked before publishing: one self-contained HTML page for a disclosure office.

Why a module of its own: an office that writes its annual report wants to know, before it
publishes, whether the sums add up (勾稽关系), whether the prose says what the tables say, and
whether a row the template expects is missing. Everything here comes from the reader and the
declared checks (``Report.findings``); this module only lays it out:

- a verdict at the top: 可以发布 · ready (no error and no warning), or the number of problems;
- the three tables as read, each cell named by a finding highlighted, its rule in Chinese with
  the expected and found numbers on hover and in the list beside;
- every problem in words: the rule (中文), what was expected, what was printed, where.

Nothing leaves the machine: the page has no script, no link to anything outside, and every
printed text is escaped.

>>> import govreports as gr
>>> from govreports.check_page import check_page
>>> r = gr.read_report("data/reports/seeds/004_454a5f1be846ec67.txt")    # doctest: +SKIP
>>> open("out/check.html", "w").write(check_page(r))                       # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from . import template

PROBLEM_SEVERITIES = ("error", "warning")
_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222;max-width:78em}
.verdict{padding:.8em 1em;border-radius:6px;font-size:1.25em;font-weight:bold;margin-bottom:1em}
.ready{background:#e7f6ea;color:#1e6b34}.problems{background:#fdecea;color:#a12622}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.2em .5em}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}
td.error{background:#f8c9c4;font-weight:bold}td.warning{background:#fdf0c2}td.missing{color:#999}
li.error{color:#a12622}li.warning{color:#8a6100}.small{color:#666;font-size:.9em}
"""


@dataclass(frozen=True)
class Verdict:
    """Whether a report is ready to publish: ``problems`` counts its errors and warnings."""

    errors: int
    warnings: int

    @property
    def problems(self) -> int:
        return self.errors + self.warnings

    @property
    def ready(self) -> bool:
        return self.problems == 0

    def text(self) -> str:
        if self.ready:
            return "可以发布 · ready: 数字相互一致，未发现问题 (the numbers agree; nothing to fix)"
        return (f"发现 {self.problems} 个问题 · {self.problems} problems "
                f"({self.errors} 处数字不一致 errors, {self.warnings} 处存疑 warnings)")


def verdict(report) -> Verdict:
    """Given a Report, return its :class:`Verdict`."""
    sev = report.findings["severity"]
    return Verdict(int((sev == "error").sum()), int((sev == "warning").sum()))


def _problems(report) -> pd.DataFrame:
    f = report.findings
    return f[f["severity"].isin(PROBLEM_SEVERITIES)]


def _rule(check: str) -> str:
    c = template.CHECK_BY_ID.get(check)
    return f"{c.zh} ({c.en})" if c else check


def _marks(problems: pd.DataFrame, table: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(row, column) -> (severity, tooltip) of each cell a finding of ``table`` names."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for f in problems[problems["table"] == table].itertuples():
        col = f.applicant or f.proceeding
        if not isinstance(f.key, str) or not f.key:
            continue
        column = "total" if table == "appeals" else (col if isinstance(col, str) and col else "total")
        tip = f"{_rule(f.check)}: 应为 expected {f.expected}, 实为 found {f.found}" if f.expected or f.found \
            else f"{_rule(f.check)}: {f.message}"
        if (f.key, column) not in out or f.severity == "error":
            out[(f.key, column)] = (f.severity, tip)
    return out


def _cell(value, blank, marks, row, col) -> str:
    sev, tip = marks.get((row, col), ("", ""))
    if value is None or pd.isna(value):
        text, cls = "—", "missing"
    else:
        text, cls = ("" if blank else _fmt(value)), "n"
    classes = " ".join(x for x in (cls, sev) if x)
    title = f' title="{escape(tip)}"' if tip else ""
    return f'<td class="{classes}"{title}>{escape(text)}</td>'


def _fmt(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


_GROUP_LABEL = {r.group: r.group_label for r in template.REQUEST_ROWS if r.group_label and "." in r.key}


def _requests_table(report, problems) -> str:
    df = report.requests
    if not len(df):
        return "<p class='small'>表三未读到 · table 3 not read</p>"
    marks = _marks(problems, "requests")
    cells = {(r.row, r.applicant): (r.value, bool(r.blank)) for r in df.itertuples()}
    head = "<tr><th></th>" + "".join(f"<th>{escape(a.label)}</th>" for a in template.APPLICANTS) + "</tr>"
    rows = []
    for row in template.REQUEST_ROWS:
        if not any((row.key, a) in cells for a in template.APPLICANT_KEYS) and not any(k[0] == row.key for k in marks):
            continue
        tds = "".join(_cell(*cells.get((row.key, a), (None, False)), marks, row.key, a) for a in template.APPLICANT_KEYS)
        group = _GROUP_LABEL.get(row.group, "") if "." in row.key else ""
        label = row.label if group in row.label else f"{group} {row.label}"
        rows.append(f"<tr><th style='text-align:left' data-key='{row.key}'>{escape(label)}</th>{tds}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _appeals_table(report, problems) -> str:
    df = report.appeals
    if not len(df):
        return "<p class='small'>表四未读到 · table 4 not read</p>"
    marks = _marks(problems, "appeals")
    cells = {(r.proceeding, r.result): (r.value, bool(r.blank)) for r in df.itertuples()}
    head = "<tr><th></th>" + "".join(f"<th>{escape(r.label)}</th>" for r in template.RESULTS) + "</tr>"
    rows = [f"<tr><th style='text-align:left'>{escape(p.label)}</th>"
            + "".join(_cell(*cells.get((p.key, r), (None, False)), marks if r == "total" else {}, p.key, r)
                      for r in template.RESULT_KEYS) + "</tr>" for p in template.PROCEEDINGS]
    return f"<table>{head}{''.join(rows)}</table>"


def _disclosure_table(report, problems) -> str:
    df = report.disclosure
    items = template.DISCLOSURE_ITEMS.get(report.meta.template or "", ())
    if not len(df) or not items:
        return "<p class='small'>表二未读到 · table 2 not read</p>"
    marks = {(f.key, "value"): (f.severity, _rule(f.check) + ": " + f.message)
             for f in problems[problems["table"] == "disclosure"].itertuples() if isinstance(f.key, str)}
    cells = {(r.item, r.measure): (r.value, bool(r.blank)) for r in df.itertuples()}
    rows = []
    for item in items:
        for m in item.measures:
            v, blank = cells.get((item.key, m.key), (None, False))
            unit = " 万元" if m.unit == "10k_yuan" else ""
            rows.append(f"<tr><th style='text-align:left'>{escape(item.label)}</th><td>{escape(m.label)}{unit}</td>"
                        f"{_cell(v, blank, marks, item.key, 'value')}</tr>")
    return f"<table><tr><th>项目</th><th>指标</th><th>数量</th></tr>{''.join(rows)}</table>"


def _problem_list(problems: pd.DataFrame) -> str:
    if not len(problems):
        return "<p>未发现问题 · no problems found.</p>"
    items = []
    for f in problems.sort_values("severity").itertuples():
        where = " · ".join(str(x) for x in (f.table, f.key, f.applicant or f.proceeding) if isinstance(x, str) and x)
        numbers = f" 应为 expected <b>{escape(str(f.expected))}</b>，实为 found <b>{escape(str(f.found))}</b>。" \
            if f.expected or f.found else ""
        loc = f" <span class='small'>[{escape(str(f.location))}]</span>" if isinstance(f.location, str) and f.location else ""
        items.append(f"<li class='{f.severity}'><b>{escape(_rule(f.check))}</b> — {escape(where)}:{numbers} "
                     f"{escape(str(f.message))}{loc}</li>")
    return "<ol>" + "".join(items) + "</ol>"


def check_body(report) -> str:
    """Given a Report, return the page's body (verdict, problems, tables) as an HTML fragment:
    what the Voila app shows and what :func:`check_page` wraps."""
    m, v, problems = report.meta, verdict(report), _problems(report)
    who = " · ".join(escape(str(x)) for x in (m.agency or m.agency_as_printed or "未印出机关名称", m.year or "年度未印出",
                                               f"模板 template {m.template}", m.format))
    return (f"<div class='verdict {'ready' if v.ready else 'problems'}'>{escape(v.text())}</div>"
            f"<p>{who}<br><span class='small'>{escape(str(m.source))} · {m.report_id}</span></p>"
            f"<h2>问题 · Problems</h2>{_problem_list(problems)}"
            f"<h2>三、收到和处理政府信息公开申请情况 · Table 3</h2>{_requests_table(report, problems)}"
            f"<h2>四、行政复议、行政诉讼情况 · Table 4</h2>{_appeals_table(report, problems)}"
            f"<h2>二、主动公开政府信息情况 · Table 2</h2>{_disclosure_table(report, problems)}"
            "<p class='small'>红色：数字不一致（违反勾稽关系）；黄色：存疑。悬停可见规则与数字。 Red: an identity fails; "
            "yellow: doubtful. Hover a cell for the rule and the numbers. Generated by govreports; nothing was sent "
            "anywhere.</p>")


def check_page(report) -> str:
    """Given a Report, return a standalone HTML page (no script, nothing loaded from outside)."""
    title = escape(f"报告检查 · {report.meta.agency or report.meta.source}")
    return (f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{_STYLE}</style></head><body><h1>政府信息公开工作年度报告检查 · Report check</h1>"
            f"{check_body(report)}</body></html>")
