"""Reports on 2008–2018: figures from the prose and the agency's own statistics table.

Before the national template (reports on 2019 onwards) there was no common table. A report
states its figures in prose (共收到…申请7条, 没有接到…申请, 同意公开答复数2条, 行政复议0件, 暂不收费)
and many provinces added a statistics table of two columns, the year and the running total
since 2008 (``指标名称 | 计量单位 | 2014年度 | 历年累计``). Only explicit statements are read,
each keeping what was printed and where (the declarations are ``template.LEGACY_FIGURES``):

- a figure whose meaning is the modern one goes to the modern cell (``requests`` rows in the
  ``total`` column only, ``appeals`` ``review``/``total``); every other into ``legacy``;
- the table wins over the prose; a prose figure that disagrees is a ``text_table`` warning;
- the 历年累计 column is never a figure. In crawler text it is glued to the year's figure
  (``条728`` = 7 | 28) and the next row's ordinal sticks to it (``条0182.传真``): the split is
  taken only where exactly one split has a running total no smaller than the year's figure;
  otherwise the figure stays missing with a ``legacy_cumulative`` warning;
- numbers that are not requests (licensing, consultations, documents classed by kind, spending)
  are never read (``template.LEGACY_NOT_REQUESTS``).

>>> import govreports as gr
>>> r = gr.read_report("data/reports/pre2019/tangcun-town_2010.excerpt.txt")   # doctest: +SKIP
>>> r.meta.template, r.legacy[["key", "value", "printed"]]                       # doctest: +SKIP
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import template
from .findings import finding
from .meta import nfkc
from .readers.base import Document

_UNIT_RUN = re.compile(r"(?P<unit>" + "|".join(template.LEGACY_UNITS) + r")\s*(?P<nums>\d+(?:\.\d+)?(?:[ \t\u3000]+\d+(?:\.\d+)?)*)")
_ORDINAL_AFTER = re.compile(r"^\s*[.、．]\s*\D")
_LABEL_ORDINAL = re.compile(r"^\s*(?:其中\s*[:：]?)?\s*(\d{1,2})\s*[、.．]")
_LABEL_LEAD = re.compile(r"^(?:其中)?\d{0,2}")
_SENTENCE = re.compile(r"[^。；;！!？?]+")
_REVIEW_WORDS = re.compile(r"复议|诉讼|申诉")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(slots=True)
class Figure:
    """One figure a pre-2019 report states."""

    value: float
    printed: str
    location: str
    source: str  # "table" or "prose"


@dataclass
class LegacyReading:
    """What :func:`read_legacy` found: figures by legacy key (``LEGACY_FIGURES``) and findings."""

    figures: dict[str, Figure] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)


def read_legacy(doc: Document) -> LegacyReading:
    """Given a pre-2019 report's document, return the figures it states (table first, then prose)."""
    out = LegacyReading()
    table, span = _table_figures(doc, out.findings)
    prose = _prose_figures(doc, span)
    out.figures.update(table)
    for key, fig in prose.items():
        have = out.figures.get(key)
        if have is None:
            if key not in _unsure(out.findings):
                out.figures[key] = fig
        elif have.value != fig.value:
            out.findings.append(finding(
                "text_table", key=key, expected=_fmt(have.value), found=_fmt(fig.value), location=fig.location,
                message=f"the prose says {fig.printed!r} ({_fmt(fig.value)}) but the statistics table prints "
                        f"{_fmt(have.value)} for {template.LEGACY_BY_KEY[key].label}; the table's figure is kept"))
    out.findings += check_legacy(out.figures)
    return out


def _unsure(findings: list[dict]) -> set[str]:
    return {f["key"] for f in findings if f["check"] == "legacy_cumulative"}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --------------------------------------------------------------------------- the statistics table
def _flat(doc: Document) -> tuple[str, list[tuple[int, str]]]:
    """The document as one string (cells joined by spaces, lines by newlines, NFKC) with the
    offset where each printed line starts."""
    parts, marks, offset = [], [], 0
    for line in doc.lines:
        s = nfkc(" ".join([c.text for c in line.cells])).replace("|", " ")
        s = _THOUSANDS.sub("", s)
        marks.append((offset, line.location))
        parts.append(s)
        offset += len(s) + 1
    return "\n".join(parts), marks


def _location(marks: list[tuple[int, str]], at: int) -> str:
    """Given line marks and an offset in the flat text, return 'line N' (with the character
    where the line is long, as in crawler text that prints a whole report on one line)."""
    start, loc = next(((o, l) for o, l in reversed(marks) if o <= at), (0, marks[0][1] if marks else ""))
    return loc if at - start < 200 else f"{loc} char {at - start + 1}"


def _table_figures(doc: Document, findings: list[dict]) -> tuple[dict[str, Figure], tuple[int, int] | None]:
    """Figures of the statistics table, and the span of the flat text it covers."""
    text, marks = _flat(doc)
    head = template.LEGACY_TABLE_HEADER.search(text)
    if head is None:
        return {}, None
    header_end = head.end()
    cumulative = False
    m_cum = template.LEGACY_CUMULATIVE.search(text, header_end, header_end + 80)
    if m_cum:
        cumulative, header_end = True, m_cum.end()
    else:
        m_year = re.compile(r"年度?").search(text, header_end, header_end + 60)
        header_end = m_year.end() if m_year else header_end
    figures: dict[str, Figure] = {}
    pos, last_end, stuck = header_end, header_end, None
    for m in _UNIT_RUN.finditer(text, header_end):
        label = text[pos:m.start()]
        if "\n\n" in label.strip() or len(label) > 60:
            break  # the table has ended
        own = _LABEL_ORDINAL.match(label)
        ordinal = int(own[1]) if own else stuck
        tokens, stuck = m["nums"].split(), None
        if _ORDINAL_AFTER.match(text[m.end():m.end() + 4]) and tokens:
            tokens[-1], stuck = _strip_ordinal(tokens[-1], (ordinal or 0) + 1)
            if not tokens[-1]:
                tokens.pop()
        key = _row_figure(label)
        pos = last_end = m.end()
        if key is None or not tokens:
            continue
        fig = template.LEGACY_BY_KEY[key]
        value, why = _year_value(tokens, cumulative)
        loc = _location(marks, m.start())
        if value is None:
            findings.append(finding("legacy_cumulative", key=key, found=" ".join(tokens), location=loc,
                                    message=f"{fig.label}: {' '.join(tokens)!r} {why}; left missing"))
            continue
        if key not in figures:
            figures[key] = Figure(float(value), " ".join(tokens), loc, "table")
    return figures, (head.start(), last_end)


def _strip_ordinal(token: str, expected: int) -> tuple[str, int | None]:
    """A number run followed by '.'/'、' ends with the next row's ordinal: remove it (the one
    after this row's ordinal first, else one digit)."""
    for ordinal in (str(expected), token[-1:]):
        if token.endswith(ordinal) and len(token) >= len(ordinal):
            return token[:-len(ordinal)], int(ordinal)
    return token, None


def _row_figure(label: str) -> str | None:
    key = _LABEL_LEAD.sub("", template.label_key(label))
    hits = [f.key for f in template.LEGACY_FIGURES if f.row is not None and f.row.match(key)]
    return hits[0] if len(hits) == 1 else None


def _year_value(tokens: list[str], cumulative: bool) -> tuple[float | None, str]:
    """The year's figure of a row's numbers: the first; where the year and the running total are
    glued into one number, the one split whose total is no smaller than the year's figure."""
    if not cumulative or len(tokens) >= 2:
        return float(tokens[0]), ""
    run = tokens[0]
    if "." in run:
        return None, "glues the year's figure to the running total"
    splits = [(run[:i], run[i:]) for i in range(1, len(run))
              if _whole(run[:i]) and _whole(run[i:]) and int(run[i:]) >= int(run[:i])]
    if len(splits) == 1:
        return float(splits[0][0]), ""
    if not splits:
        return None, "cannot be split into the year's figure and a running total no smaller than it"
    return None, "splits into the year's figure and the running total in more than one way: " + \
        ", ".join(f"{a} | {b}" for a, b in splits)


def _whole(s: str) -> bool:
    return s == "0" or (s[:1] != "0" and s.isdigit())


# --------------------------------------------------------------------------- prose
def _prose_figures(doc: Document, table_span: tuple[int, int] | None) -> dict[str, Figure]:
    """Figures the prose states, the first statement of each."""
    text, marks = _flat(doc)
    if table_span:
        text = text[:table_span[0]] + " " * (table_span[1] - table_span[0]) + text[table_span[1]:]
    found: dict[str, Figure] = {}
    for sent in _SENTENCE.finditer(text):
        s = sent.group(0)
        squeezed, where = _squeeze(s)
        for fig in template.LEGACY_FIGURES:
            if fig.key in found:
                continue
            for pattern in fig.prose:
                m = re.search(pattern, squeezed)
                if m is None or template.LEGACY_NOT_REQUESTS.search(m.group(0)):
                    continue
                if fig.key in ("received", "answered") and _REVIEW_WORDS.search(m.group(0)):
                    continue
                value = float(m.group("n")) if "n" in m.re.groupindex else 0.0
                at = sent.start() + where[m.start()]
                found[fig.key] = Figure(value, m.group(0), _location(marks, at), "prose")
                break
    return found


def _squeeze(s: str) -> tuple[str, list[int]]:
    """Given a sentence, return it without whitespace and, for each kept character, its offset."""
    kept = [(i, ch) for i, ch in enumerate(s) if not ch.isspace()]
    return "".join(ch for _, ch in kept), [i for i, _ in kept] + [len(s)]


# --------------------------------------------------------------------------- checks
# the answers by kind (legacy keys; the first two are the keys of the table-3 rows they land in)
_ANSWER_PARTS = (template.GRANTED, template.PARTLY_GRANTED, "refused_all", "other_answers")


def check_legacy(figures: dict[str, Figure]) -> list[dict]:
    """Given a report's figures, return a ``legacy_balance`` warning where its answers do not
    account for its requests (there was no carried-forward before 2019)."""
    out = []
    parts = [figures[k].value for k in _ANSWER_PARTS if k in figures]
    answered = figures.get("answered")
    received = figures.get("received")
    if answered is not None and parts and (len(parts) == len(_ANSWER_PARTS) or sum(parts) > answered.value) \
            and sum(parts) != answered.value:
        out.append(finding("legacy_balance", key="answered", expected=_fmt(answered.value), found=_fmt(sum(parts)),
                           location=answered.location,
                           message=f"the answers by kind sum to {_fmt(sum(parts))}, the answers printed are "
                                   f"{_fmt(answered.value)}"))
    total = answered.value if answered is not None else (sum(parts) if len(parts) == len(_ANSWER_PARTS) else None)
    if received is not None and total is not None and total != received.value:
        out.append(finding("legacy_balance", key="received", expected=_fmt(received.value), found=_fmt(total),
                           location=received.location,
                           message=f"{_fmt(received.value)} requests received but {_fmt(total)} answered"))
    return out


def report_scope(text: str) -> str:
    """``aggregate`` for a whole-region report that adds up its agencies (全区…各部门、各乡镇),
    else ``agency``."""
    return "aggregate" if template.SCOPE_AGGREGATE.search(nfkc(text[:30000])) else "agency"
