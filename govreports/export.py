"""A citable, documented release of a corpus: panel, long tables, rollups, codebook, provenance.

Why a module of its own: the people who use these numbers work in Stata, R and Excel, and cite
datasets. A release is what a research group publishes with a paper: one folder with the same
tables in Parquet (pandas, R's ``arrow``), CSV (UTF-8 with BOM: Excel shows the Chinese), Stata
``.dta`` (version 118, labelled) and one ``.xlsx`` workbook, a codebook generated from
:mod:`govreports.template` and the declared measures of :mod:`govreports.analysis`, a
``release.json`` (version, the corpus's content hash, counts) and a README saying how to cite.

The tables:

- ``panel``: one row per agency × year (per report: an agency with two different reports on one
  year keeps both rows, flagged ``year_duplicate``); every cell of tables 2, 3 and 4 as a column
  (``requests__denied_state_secret__total``), the measures with their numerators and
  denominators, meta and quality counts;
- ``rollups``: figures summed over the agencies of a region and a level, per year, with how many
  agencies are behind each sum and how many are missing;
- ``reports``, ``requests``, ``appeals``, ``disclosure``, ``findings``: the corpus's long tables.

>>> import govreports as gr
>>> c = gr.open_corpus("out/corpus")                         # doctest: +SKIP
>>> c.export("out/release")                                  # doctest: +SKIP
>>> from govreports.export import panel, codebook
>>> panel(c).filter(like="refused_share")                    # doctest: +SKIP

Memory stays flat in the corpus's size: a corpus on disk is read one Parquet part at a time, the
panel is computed part by part and written in its order a bucket of rows at a time, and the Stata
files (:mod:`govreports.stata`) and sheets are written from the release's Parquet files a batch at
a time. What grows is the reports table, kept in Arrow (its repeated names as dictionaries: about
30 MB at 100,000 reports), and a few int32 numbers per report (its place
in the panel, its quality counts).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import analysis as _analysis
from . import frames as _frames
from .corpus import Corpus
from .template import (APPLICANTS, DISCLOSURE_ITEMS, LEGACY_FIGURES, LEVELS, OTHER_OTHER, PRE2019, PROCEEDINGS,
                       REQUEST_ROWS, RESULTS, TEMPLATES, template_for_year)

FORMATS = ("parquet", "csv", "dta", "xlsx")
# the corpus's tables of numbers (its ``sections``, the reports' prose, are not part of a release)
LONG_TABLES = ("reports", *(t for t in ("requests", "appeals", "disclosure", "findings", "legacy")
                            if t in _frames.TABLES))
RELEASE_TABLES = ("panel", "rollups", *LONG_TABLES)
XLSX_MAX_ROWS = 1_048_575          # a sheet holds 1,048,576 rows, one of them the header
XLSX_MAX_CELLS = 1_000_000         # beyond this a sheet takes more than ~10 s to write: left to CSV
DTA_MAX_ROWS = XLSX_MAX_ROWS       # a long table longer than this is left to Parquet and CSV (the panel never is)
STATA_LABEL_MAX = 80
BOM = b"\xef\xbb\xbf"
XLSX_NAME = "govreports_release.xlsx"
SEP = "__"

# --------------------------------------------------------------------------------------------
# Stable short names for Stata (32 characters at most). Changing one breaks users' do-files:
# tests/test_export.py holds the golden list of column names.
# --------------------------------------------------------------------------------------------
# table 3's rows, in the template's order (template.REQUEST_ROWS): a row added there needs one here
ROW_STATA = ("recv", "cover", "grant", "partgr", "den_secret", "den_law", "den_security", "den_thirdpty",
             "den_internal", "den_deliber", "den_enforce", "den_query", "unav_notheld", "unav_create",
             "unav_unclear", "np_petition", "np_duplicate", "np_publication", "np_excessive", "np_confirm",
             "oth_nocorr", "oth_unpaid", "oth_other", "outtot", "cfwd")
ROW_SHORT = dict(zip((r.key for r in REQUEST_ROWS), ROW_STATA, strict=True))
APPLICANT_SHORT = {"natural_person": "nat", "commercial": "com", "research": "res", "social_org": "soc",
                   "legal_service": "leg", "other_org": "oth", "total": "tot"}
PROCEEDING_SHORT = {"review": "rev", "suit_direct": "sdir", "suit_after_review": "sarv"}
RESULT_SHORT = {"upheld": "uph", "corrected": "cor", "other": "oth", "pending": "pend", "total": "tot"}
ITEM_SHORT = {"regulations": "reg", "normative_docs": "norm", "licensing": "lic", "other_services": "osvc",
              "penalty": "pen", "coercion": "coer", "fees": "fee", "procurement": "proc"}
MEASURE_SHORT = {"made": "made", "published": "pub", "in_force_published": "inforcepub",
                 "items_prev_year": "prev", "items_change": "chg", "decisions": "dec", "projects": "proj",
                 "amount_10k_yuan": "amt", "issued": "iss", "repealed": "rep", "in_force": "inforce"}
# measures whose name plus "_num"/"_den" would pass 32 characters
MEASURE_STATA = {"refused_or_unanswerable_share": "refused_or_unans_share"}


@dataclass(frozen=True)
class Column:
    """One column of a release table, as the codebook documents it."""

    name: str
    zh: str
    en: str
    type: str            # string, integer, number, boolean, date, category
    unit: str = ""       # count, 10k_yuan, share, per_100, ...
    values: str = ""     # allowed values
    derived: str = ""    # how it is made
    stata: str = ""      # the Stata variable name ('' = the name itself)

    @property
    def stata_name(self) -> str:
        return self.stata or self.name

    @property
    def stata_label(self) -> str:
        """'中文 | English', cut to Stata's 80 characters."""
        label = f"{self.zh} | {self.en}" if self.zh else self.en
        return label if len(label) <= STATA_LABEL_MAX else label[:STATA_LABEL_MAX - 1] + "…"


def _c(name, zh, en, type_, unit="", values="", derived="", stata=""):
    return Column(name, zh, en, type_, unit, values, derived, stata)


# --------------------------------------------------------------------------------------------
# Declarations of every column (the codebook's source)
# --------------------------------------------------------------------------------------------
_LEVEL_VALUES = ", ".join(LEVELS)
TEMPLATE_VALUES = (*TEMPLATES, PRE2019)
_TEMPLATE_VALUES = ", ".join(TEMPLATE_VALUES)
_HEX16 = "16 hex digits"

META = (
    _c("report_id", "报告编号", "report id: first 16 hex digits of the SHA-256 of the report file's bytes", "string",
       values=_HEX16),
    _c("agency_key", "机关键", "key linking one agency's reports across years (its normalised name)", "string"),
    _c("agency", "机关名称", "the agency's full official name", "string"),
    _c("level", "行政级别", "administrative level of the agency's government", "category", values=_LEVEL_VALUES,
       derived="Stata: value labels (0 = national ... 4 = township)"),
    _c("region", "地区", "the places the agency's name names, largest first, joined by '/'", "string"),
    _c("division_code", "区划代码", "national division code (国家统计局区划代码, 12 digits) of the deepest "
       "county-level-or-above place of region", "string", values="12 digits",
       derived="region's places looked up in cpca's table of divisions; missing where none is unambiguous"),
    _c("year", "报告年度", "the year the report is on", "integer"),
    _c("template", "表格模板", "the national template the tables follow (2019 or 2021 revision)", "category",
       values=_TEMPLATE_VALUES, derived="read from table 2's shape (pre2019: a report on 2008-2018, before the "
       "national template); Stata: value labels (0 = 2019, 1 = 2021, 2 = pre2019)"),
    _c("format", "文件格式", "what the file is and how it was read", "string",
       values="text, markdown, html, pdf, docx, spreadsheet, pdf-ocr, image"),
    _c("source", "文件路径", "the report file's path when the corpus was built", "string"),
    _c("sha256", "文件哈希", "SHA-256 of the report file's bytes", "string", values="64 hex digits"),
    _c("scope", "报告范围", "what the report covers: one agency, or a whole region's report adding up its agencies",
       "string", values="agency, aggregate", derived="aggregate reports are not summed in the rollups"),
    _c("published", "发布日期", "date the report was published, where known (ISO 8601 text)", "date",
       derived="from published_source; missing where no date is known"),
    _c("published_source", "发布日期来源", "where the published date comes from", "string",
       values="page (the page's 发布时间), signature (the date printed at the report's end), manifest (a "
       "fetch manifest's date), or missing"),
)
QUALITY = (
    _c("n_reports_agency_year", "同年度报告数", "different reports of this agency on this year in the corpus",
       "integer", "reports", derived="count of non-duplicate parsed reports with this agency_key and year"),
    _c("year_duplicate", "同年度重复报告", "the agency has two or more different reports on this year: each is a "
       "row, none merged", "boolean", derived="n_reports_agency_year > 1", stata="year_dup"),
    _c("n_errors", "错误数", "error findings of the report (identities that fail, impossible values)", "integer",
       "findings", derived="rows of findings with severity 'error'"),
    _c("n_warnings", "警告数", "warning findings of the report (doubtful numbers)", "integer", "findings",
       derived="rows of findings with severity 'warning'"),
    _c("n_missing_cells", "缺失单元格数", "cells of the report's template (tables 2, 3, 4) not printed", "integer",
       "cells", derived="template cells with no value; the 2021-only rows of （六）其他处理 count only where the "
       "report prints one of them (a single （六） row is the template's variant)"),
    _c("n_corrected", "更正单元格数", "cells whose value is a person's correction, not what was printed",
       "integer", "cells", derived="cells with corrected = true (0 where the corpus has no corrections)"),
)


def _group_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in REQUEST_ROWS:
        if "." in r.key and r.group_label and r.group not in out:
            out[r.group] = r.group_label
    return out


def cell_columns() -> list[Column]:
    """Every cell of tables 3, 4 and 2 as a panel column, in template order."""
    groups = _group_labels()
    out = []
    for r in REQUEST_ROWS:
        row_zh = (groups[r.group] + " " if "." in r.key else "") + r.label
        only = "" if r.templates == TEMPLATES else f" ({', '.join(r.templates)} template only)"
        for a in APPLICANTS:
            out.append(_c(f"requests{SEP}{r.key.replace('.', '_')}{SEP}{a.key}", f"表三 {row_zh} · {a.label}",
                          f"table 3 requests, row {r.key}, column {a.key}{only}", "integer", "requests",
                          "integer >= 0", "the printed cell (blank printed = 0; missing = not printed)",
                          f"r_{ROW_SHORT[r.key]}_{APPLICANT_SHORT[a.key]}"))
    for p in PROCEEDINGS:
        for res in RESULTS:
            out.append(_c(f"appeals{SEP}{p.key}{SEP}{res.key}", f"表四 {p.label} · {res.label}",
                          f"table 4 appeals, {p.key}, {res.key}", "integer", "cases", "integer >= 0",
                          "the printed cell (blank printed = 0; missing = not printed)",
                          f"a_{PROCEEDING_SHORT[p.key]}_{RESULT_SHORT[res.key]}"))
    seen: dict[tuple[str, str], list] = {}
    for t, items in DISCLOSURE_ITEMS.items():
        for item in items:
            for m in item.measures:
                seen.setdefault((item.key, m.key), []).append((t, item, m))
    for (item_key, m_key), uses in seen.items():
        zh = " / ".join(dict.fromkeys(f"{i.label} · {m.label}" for _, i, m in uses))
        templates = ", ".join(t for t, _, _ in uses)
        m = uses[0][2]
        values = "number (may be negative)" if m.may_be_negative else "number >= 0"
        out.append(_c(f"disclosure{SEP}{item_key}{SEP}{m_key}", f"表二 {zh}",
                      f"table 2 disclosure, item {item_key}, measure {m_key} ({templates} template)",
                      "number", m.unit, values, "the printed cell (amounts normalised to 万元; blank = 0)",
                      f"d_{ITEM_SHORT[item_key]}_{MEASURE_SHORT[m_key]}"))
    return out


def measure_columns(names: list[str] | None = None) -> list[Column]:
    """The measures of :data:`govreports.analysis.MEASURES` (or those ``names``), each with
    numerator and denominator."""
    out = []
    for name, m in _analysis.MEASURES.items():
        if names is not None and name not in names:
            continue
        num = " + ".join(m.numerator)
        short = MEASURE_STATA.get(name, name)
        if m.denominator is None:
            out.append(_c(name, m.zh, m.en, "integer", "count", "integer >= 0", f"figure {num} of the report"))
            continue
        scale = f" × {m.scale:g}" if m.scale != 1 else ""
        unit = "per_100" if m.scale == 100 else "share"
        out += [
            _c(name, m.zh, m.en, "number", unit, "number >= 0; NaN where the denominator is 0 or unknown",
               f"{name}{SEP}num / {name}{SEP}den{scale}", short),
            _c(f"{name}{SEP}num", f"{m.zh}（分子）", f"numerator of {name}: {num}", "integer", "count",
               "integer >= 0", f"sum of the figures {num}", f"{short}_num"),
            _c(f"{name}{SEP}den", f"{m.zh}（分母）", f"denominator of {name}: {m.denominator}", "integer", "count",
               "integer >= 0", _DENOMINATORS.get(m.denominator, f"figure {m.denominator}"), f"{short}_den"),
        ]
    return out


_DENOMINATORS = {
    "handled": "figure handled: the sum of the outcome rows of table 3 (not the printed （七）总计)",
    "concluded": "reviews and suits concluded: upheld + corrected + other (pending left out)",
    "answered": "figure answered of a report before 2019: its printed 答复总数, else the sum of its four kinds "
                "of answer (granted, partly granted, refused_all, other_answers); missing for later reports",
}
FIGURE_RULE = ("a row's figure is its printed total cell, or the sum of its applicant cells where the total is "
               "blank (SCHEMA.md 'Derived measures'); a sum with an unprinted part is missing")


def panel_columns() -> list[Column]:
    """The panel's columns, in order."""
    return [*META, *QUALITY, *measure_columns(), *cell_columns()]


ROLLUP_FIGURES = tuple(dict.fromkeys((*_analysis.OUTCOME_COUNTS, *_analysis.APPEAL_COUNTS[1:])))
ROLLUPS = (
    _c("region", "地区", "a region: one of the prefixes of the agencies' region (省 / 省/市 / 省/市/县 ...)", "string"),
    _c("division_code", "区划代码", "national division code of the region's deepest county-or-above place",
       "string", values="12 digits"),
    _c("region_depth", "地区层级", "places in region: 1 a province (or a place named alone), 2 one below ...",
       "integer", values="1, 2, 3, 4"),
    _c("level", "行政级别", "the level of the agencies summed", "category", values=_LEVEL_VALUES),
    _c("year", "报告年度", "the year reported on", "integer"),
    _c("figure", "指标", "the figure summed", "string", values=", ".join(ROLLUP_FIGURES),
       derived="per-report figures as in the panel's measures: " + FIGURE_RULE),
    _c("value", "合计", "sum of the figure over the n_reports agencies that print it: the region's total only "
       "where complete", "integer", "count", "integer >= 0"),
    _c("n_reports", "纳入报告数", "agencies (one report each) whose figure is in value", "integer", "reports"),
    _c("n_agencies", "机关数", "agencies of this region and level in the corpus (any year)", "integer", "agencies",
       derived="distinct agency_key; the corpus may not hold every agency of the region"),
    _c("n_missing", "缺失机关数", "agencies of this region and level with no report on this year, with the figure "
       "not printed, or with two different reports on the year (not summed)", "integer", "agencies",
       derived="n_agencies - n_reports"),
    _c("complete", "是否完整", "every agency of the region and level in the corpus is in value", "boolean",
       derived="n_missing == 0"),
)

_CELL = ("the printed value: blank printed = 0 (blank = true); a cell not printed has no row")
LONG = {
    "report_id": META[0],
    "row": _c("row", "表三行", "table 3 row key", "string", values=", ".join(r.key for r in REQUEST_ROWS)),
    "applicant": _c("applicant", "申请人类型", "table 3 column key (applicant type)", "string",
                    values=", ".join(a.key for a in APPLICANTS)),
    "proceeding": _c("proceeding", "复议诉讼类型", "table 4 proceeding", "string",
                     values=", ".join(p.key for p in PROCEEDINGS)),
    "result": _c("result", "结果", "table 4 result", "string", values=", ".join(r.key for r in RESULTS)),
    "item": _c("item", "表二事项", "table 2 item key", "string",
               values=", ".join(dict.fromkeys(i.key for items in DISCLOSURE_ITEMS.values() for i in items))),
    "measure": _c("measure", "表二指标", "table 2 measure key", "string",
                  values=", ".join(dict.fromkeys(m.key for items in DISCLOSURE_ITEMS.values() for i in items
                                                 for m in i.measures))),
    "value": _c("value", "数值", "the cell's value", "number", values="number", derived=_CELL),
    "unit": _c("unit", "单位", "unit of a table 2 value", "string", values="count, 10k_yuan"),
    "blank": _c("blank", "空白", "the cell was printed empty (or -, /, 无): read as 0", "boolean"),
    "printed": _c("printed", "印出文字", "the text printed in the cell", "string"),
    "location": _c("location", "位置", "where the value was printed (line, or page/table/row/col)", "string"),
    "corrected": _c("corrected", "已更正", "the value is a person's correction (corrections file)", "boolean"),
    "value_printed": _c("value_printed", "原印数值", "the value read before a correction", "number"),
    "note": _c("note", "更正说明", "why the value was corrected", "string"),
}
FINDINGS = {
    "check": _c("check", "检查项", "stable id of the failing check (README 'The checks')", "string"),
    "table": _c("table", "表", "the table the finding is about", "string",
                values="requests, appeals, disclosure, text, meta, corpus"),
    "key": _c("key", "行或事项", "row or item the finding is about", "string"),
    "applicant": _c("applicant", "申请人类型", "table 3 column concerned (empty where none)", "string"),
    "proceeding": _c("proceeding", "复议诉讼类型", "table 4 proceeding concerned (empty where none)", "string"),
    "expected": _c("expected", "应为", "what the check expected", "string"),
    "found": _c("found", "实为", "what was found", "string"),
    "severity": _c("severity", "严重程度", "error, warning or info", "string", values="error, warning, info"),
    "message": _c("message", "说明", "the finding in words", "string"),
    "location": LONG["location"],
}
LEGACY = {
    "key": _c("key", "2019年前指标", "a figure of a report before 2019 that has no modern cell", "string",
              values=", ".join(f.key for f in LEGACY_FIGURES)),
    "value": _c("value", "数值", "the figure as stated", "number", "see unit"),
    "unit": _c("unit", "单位", "unit of the figure", "string", values="count, yuan"),
}
REPORTS = {
    **{c.name: c for c in META},
    "status": _c("status", "读取状态", "whether the file was read", "string", values="parsed, failed"),
    "error": _c("error", "错误", "why a file could not be read", "string"),
    "agency_link": _c("agency_link", "机关链接方式", "how the agency_key was linked across years", "string"),
    "agency_as_printed": _c("agency_as_printed", "印出机关名称", "the agency's name as printed", "string"),
    "title": _c("title", "标题", "the report's title as printed", "string"),
    "truncated": _c("truncated", "不完整", "the text ends inside a table (cut short)", "boolean"),
    "duplicate_of": _c("duplicate_of", "重复于", "report_id this file duplicates (its cells are left out)", "string"),
    "url": _c("url", "网址", "where the report was fetched from", "string"),
    "fetched_at": _c("fetched_at", "抓取时间", "when the report was fetched (ISO 8601)", "string"),
}


def _long_column(table: str, name: str) -> Column:
    """The declaration of a long table's column; an undeclared one gets a plain entry (flagged)."""
    if table == "reports" and name in REPORTS:
        col = REPORTS[name]
    elif table == "findings" and name in FINDINGS:
        col = FINDINGS[name]
    elif table == "legacy" and name in LEGACY:
        col = LEGACY[name]
    elif name in LONG:
        col = LONG[name]
        if name == "value":
            col = replace(col, type="number" if table == "disclosure" else "integer",
                          unit="see unit" if table == "disclosure" else "count")
    else:
        col = _c(name, "", "(not documented)", "string")
    return col


# --------------------------------------------------------------------------------------------
# Division codes
# --------------------------------------------------------------------------------------------

def division_code(region: str | None) -> str | None:
    """Given a region (``江苏省/淮安市/洪泽区``), return the 12-digit division code of its deepest
    place that the national table (county level and above) names unambiguously, or None.

    >>> division_code("江苏省/淮安市/洪泽区"), division_code("上海市"), division_code(None)
    ('320813000000', '310000000000', None)
    """
    if not isinstance(region, str) or not region:
        return None
    from .agencies import _division_codes

    by_name, _ = _division_codes()
    code = None
    for place in region.split("/"):
        found = by_name.get(place, [])
        if code is not None:
            prefix = code.rstrip("0")
            prefix = prefix + "0" * (len(prefix) % 2)
            found = [c for c in found if c.startswith(prefix)]
        if len(found) != 1:
            break
        code = found[0]
    return code


# --------------------------------------------------------------------------------------------
# Reading a corpus in parts
# --------------------------------------------------------------------------------------------

def _parts(corpus, name: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
    """Given a corpus and a table name, yield the table as Arrow tables, one Parquet part at a
    time (all of it at once for a corpus in memory); ``columns`` that a part lacks are skipped."""
    folder = getattr(corpus, "folder", None)
    if folder is None or name in getattr(corpus, "_tables", {}):
        df = corpus.table(name)
        yield pa.Table.from_pandas(df[[c for c in columns if c in df.columns]] if columns else df,
                                   preserve_index=False)
        return
    for part in sorted((Path(folder) / name).glob("part-*.parquet")):
        names = pq.read_schema(part).names
        yield pq.read_table(part, columns=[c for c in columns if c in names] if columns else None)


_CELL_COLUMNS = ["report_id", "row", "applicant", "proceeding", "result", "item", "measure", "value", "blank",
                 "corrected"]


def _rows_of(corpus, name: str) -> int:
    """The number of rows of a corpus table, from the Parquet footers (no data read)."""
    folder = getattr(corpus, "folder", None)
    if name == "reports":
        return len(corpus) if isinstance(corpus, Corpus) else len(corpus.reports)
    if folder is None or name in getattr(corpus, "_tables", {}):
        return len(corpus.table(name))
    return sum(pq.read_metadata(p).num_rows for p in (Path(folder) / name).glob("part-*.parquet"))


def _chunked_cells(corpus, full: bool = False) -> Iterator[dict[str, pa.Table]]:
    """Yield {requests, appeals, disclosure: Arrow table} of the same reports, part by part (only
    the columns the panel needs, or every column when ``full``: the release writes them too)."""
    cols = None if full else _CELL_COLUMNS
    folder = getattr(corpus, "folder", None)
    names = ("requests", "appeals", "disclosure")
    if folder is None or all(n in getattr(corpus, "_tables", {}) for n in names):
        yield {n: next(_parts(corpus, n, cols)) for n in names}
        return
    parts = sorted({p.name for n in names for p in (Path(folder) / n).glob("part-*.parquet")})
    for part in parts:
        out = {}
        for n in names:
            path = Path(folder) / n / part
            if path.exists():
                have = pq.read_schema(path).names
                out[n] = pq.read_table(path, columns=[c for c in cols if c in have] if cols else None)
            else:
                out[n] = pa.Table.from_pandas(_frames.empty(n), preserve_index=False)
        yield out


# --------------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------------

def _usable_mask(reports: pd.DataFrame) -> np.ndarray:
    """Which rows of a reports table the panel holds: parsed, not a duplicate of another file."""
    dup = reports["duplicate_of"].astype("string").fillna("").str.strip() != "" \
        if "duplicate_of" in reports else pd.Series(False, index=reports.index)
    parsed = reports["status"].astype("string").fillna("") == "parsed"
    return (parsed & ~dup).to_numpy(dtype=bool)


REQUEST_COMBOS = [(r.key, a.key) for r in REQUEST_ROWS for a in APPLICANTS]
APPEAL_COMBOS = [(p.key, r.key) for p in PROCEEDINGS for r in RESULTS]
DISCLOSURE_COMBOS = list(dict.fromkeys((i.key, m.key) for items in DISCLOSURE_ITEMS.values()
                                       for i in items for m in i.measures))
_KEYS = {"requests": ("row", "applicant", REQUEST_COMBOS), "appeals": ("proceeding", "result", APPEAL_COMBOS),
         "disclosure": ("item", "measure", DISCLOSURE_COMBOS)}
# the sub-rows of （六）其他处理 that only the 2021 template prints (a report may print the group as one row)
_SUBROWS_2021 = tuple(r.key for r in REQUEST_ROWS if r.templates != TEMPLATES)
REQUEST_KEYS_OTHER = [r.key for r in REQUEST_ROWS if r.group == "other"]
# （六）其他处理 printed as one row, or its 3.其他: without it the group's figure is unknown
_OTHER_ROW = OTHER_OTHER


def _codes(column: pa.ChunkedArray, keys: list[str]) -> np.ndarray:
    """Given a column of strings and the keys, return each value's position among them (-1: none)."""
    idx = pc.index_in(column.cast(pa.string()), value_set=pa.array(keys, type=pa.string()))
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _cells(table: pa.Table, ids: list[str], name: str):
    """Given one table of cells and the reports' ids, return (value, exists, blank) arrays of shape
    report × cell (NaN where not printed), and each report's count of corrected cells."""
    k1, k2, combos = _KEYS[name]
    n, m = len(ids), len(combos)
    value, exists, blank = np.full((n, m), np.nan), np.zeros((n, m), bool), np.zeros((n, m), bool)
    corrected = np.zeros(n, dtype=np.int64)
    if not table.num_rows:
        return value, exists, blank, corrected
    keys1 = list(dict.fromkeys(a for a, _ in combos))
    keys2 = list(dict.fromkeys(b for _, b in combos))
    lut = np.full((len(keys1), len(keys2)), -1)
    for j, (a, b) in enumerate(combos):
        lut[keys1.index(a), keys2.index(b)] = j
    row = _codes(table["report_id"], ids)
    c1, c2 = _codes(table[k1], keys1), _codes(table[k2], keys2)
    ok = (row >= 0) & (c1 >= 0) & (c2 >= 0)
    col = np.where(ok, lut[np.maximum(c1, 0), np.maximum(c2, 0)], -1)
    ok &= col >= 0
    vals = pc.fill_null(table["value"].cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False)
    blanks = pc.fill_null(table["blank"], False).to_numpy(zero_copy_only=False).astype(bool)
    value[row[ok], col[ok]] = vals[ok]
    exists[row[ok], col[ok]] = True
    blank[row[ok], col[ok]] = blanks[ok]
    if "corrected" in table.column_names:
        corr = pc.fill_null(table["corrected"], False).to_numpy(zero_copy_only=False).astype(bool)
        corrected = np.bincount(row[ok & corr], minlength=n).astype(np.int64)
    return value, exists, blank, corrected


def _row_figures(value: np.ndarray, exists: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Given arrays report × row × column whose last column is the total, return each row's figure
    (report × row): the total, or where it is blank (or not printed) and some part is printed,
    the sum of the parts; NaN where unknown. The rule of :func:`govreports.analysis.row_figures`."""
    total, t_exists = value[:, :, -1], exists[:, :, -1]
    t_blank = np.where(t_exists, blank[:, :, -1], True)
    parts, p_exists, p_blank = value[:, :, :-1], exists[:, :, :-1], blank[:, :, :-1]
    parts_sum = np.where(p_exists, np.nan_to_num(parts), 0).sum(axis=2)
    unknown = (p_exists & np.isnan(parts)).any(axis=2) | ~p_exists.any(axis=2)
    parts_sum[unknown] = np.nan
    parts_printed = (p_exists & ~p_blank).any(axis=2)
    use = np.isnan(total) | (t_blank & parts_printed)
    use &= ~np.isnan(parts_sum) | np.isnan(total)
    return np.where(use, parts_sum, total)


def _sum(*arrays: np.ndarray) -> np.ndarray:
    """Element-wise sum, NaN where any is NaN."""
    return np.sum(np.vstack(arrays), axis=0)


def _figures(req: tuple, app: tuple) -> dict[str, np.ndarray]:
    """Given the request and appeal arrays of some reports, return their figures (as
    :func:`analysis.report_figures` and :func:`analysis.appeals_rates`), by name."""
    n_app = len(APPLICANTS)
    shape = (-1, len(REQUEST_ROWS), n_app)
    rows = _row_figures(*(a.reshape(shape) for a in req[:3]))
    fig = {r.key: rows[:, i] for i, r in enumerate(REQUEST_ROWS)}
    for g, keys in _analysis.GROUP_ROWS.items():
        fig[g] = _sum(*(fig[k] for k in keys))
    others = np.vstack([fig[k] for k in REQUEST_KEYS_OTHER])
    other = np.where(np.isnan(others).all(axis=0), np.nan, np.nansum(others, axis=0))
    fig["other"] = np.where(np.isnan(fig[_OTHER_ROW]), np.nan, other)
    fig["handled"] = _sum(*(fig[k] for k in _analysis.SHARE_OF_HANDLED))
    shape = (-1, len(PROCEEDINGS), len(RESULTS))
    totals = _row_figures(*(a.reshape(shape) for a in app[:3]))
    values = app[0].reshape(shape)
    per = {}
    for j, p in enumerate(PROCEEDINGS):
        for i, r in enumerate(RESULTS):
            per[(p.key, r.key)] = totals[:, j] if r.key == "total" else values[:, j, i]
    for name, (proceedings, result) in _analysis.APPEAL_FIGURES.items():   # reviews, suits: a family each
        if result != "total":
            continue
        for r in RESULTS:
            fig[name + ("" if r.key == "total" else "_" + r.key)] = _sum(*(per[(p, r.key)] for p in proceedings))
    # as analysis.measure_values: the cases concluded (upheld, corrected, other; pending left out)
    fig["concluded"] = _sum(*(fig[f"{p}_{r}"] for p in ("reviews", "suits") for r in ("upheld", "corrected", "other")))
    return fig


# the sources of analysis.MEASURES whose figures are computed here from the cells, a part at a time,
# by the rules of analysis.row_figures, report_figures and appeals_rates (SCHEMA.md 'Derived measures')
_CELL_SOURCES = ("outcome_shares", "volumes", "appeals_rates")
# the others are computed by analysis.measure_values itself: from the reports table alone, or from
# the reports before 2019 and their cells (modern reports state none of their figures)
_REPORT_SOURCES = ("timeliness_shares",)
_PRE2019_SOURCES = ("legacy_shares",)


def _check_sources() -> None:
    """A measure declared with a source export does not know is an error, never a silent gap."""
    unknown = {f"{n} ({m.source})" for n, m in _analysis.MEASURES.items()
               if m.source not in (*_CELL_SOURCES, *_REPORT_SOURCES, *_PRE2019_SOURCES)}
    if unknown:
        raise ValueError(f"export cannot compute the measure(s) {', '.join(sorted(unknown))}: add the source to "
                         "govreports/export.py's _CELL_SOURCES, _REPORT_SOURCES or _PRE2019_SOURCES")


def _measures(fig: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Given per-report figures, return the columns of the measures computed from the cells
    (value, numerator, denominator, as :func:`analysis.measure_values` defines them)."""
    out = {}
    for name, m in _analysis.MEASURES.items():
        if m.source not in _CELL_SOURCES:
            continue
        num = _sum(*(fig[k] for k in m.numerator))
        if m.denominator is None:
            out[name] = num
            continue
        den = fig[m.denominator]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(den > 0, num / den * m.scale, np.nan)
        out[f"{name}{SEP}num"] = num
        out[f"{name}{SEP}den"] = den
    return out


def _expected_masks() -> dict[str | None, np.ndarray]:
    """Per template (None: unknown), which cells (of requests + appeals + disclosure) it prints."""
    out = {}
    for t in (*TEMPLATES, None):
        req = [(t is None and r.templates == TEMPLATES) or (t is not None and t in r.templates)
               for r in REQUEST_ROWS for _ in APPLICANTS]
        app = [True] * len(APPEAL_COMBOS)
        items = {(i.key, m.key) for i in DISCLOSURE_ITEMS.get(t, ()) for m in i.measures}
        disc = [c in items for c in DISCLOSURE_COMBOS]
        out[t] = np.array(req + app + disc)
    out[PRE2019] = np.zeros_like(out[None])   # before the national template: no cell is expected
    return out


def _template_keys(reports: pd.DataFrame) -> np.ndarray:
    """Each report's template ('2019', '2021'; from its year where not read; None where neither)."""
    t = reports["template"].astype("string")
    from_year = reports["year"].map(lambda y: template_for_year(int(y)) if pd.notna(y) else None)
    known = t.isin(list(TEMPLATE_VALUES)).fillna(False).to_numpy(dtype=bool)
    keys = np.where(known, t.astype(object), from_year.astype(object))
    shared: dict = {}    # one string object per template, not one per report
    return np.array([shared.setdefault(k, k) for k in keys], dtype=object)


def _pre2019_corpus(corpus, reports: pd.DataFrame) -> Corpus | None:
    """The reports before 2019 (``reports``: those rows of the reports table) with their cells."""
    if not len(reports):
        return None
    rows = {"report_id": reports["report_id"].astype(str).tolist()}
    return Corpus(reports, {n: corpus.table(n, rows=rows) for n in ("requests", "appeals", "disclosure", "legacy")})


def _suits_before_2019(pre: Corpus | None) -> pd.Series:
    """A report before 2019 states its lawsuits as one figure (suits_total), by report_id: what
    :func:`analysis.appeals_rates` counts as its suits."""
    if pre is None:
        return pd.Series(dtype="float64")
    fig = _analysis.legacy_figures(pre).set_index("report_id")["suits_total"]
    return fig.astype("Float64").astype("float64")


def _measure_columns(data, name: str) -> dict[str, pd.Series]:
    """The panel columns of one measure, by report_id, from :func:`analysis.measure_values`."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # 'not defined before 2019': the panel's NaN says it
        mv = _analysis.measure_values(data, name, by="report").set_index("report_id")
    m = _analysis.MEASURES[name]
    out = {name: mv["value"].astype("float64")}
    if m.denominator is not None:
        out[f"{name}{SEP}num"] = mv["numerator"].astype("Float64").astype("float64")
        out[f"{name}{SEP}den"] = mv["denominator"].astype("Float64").astype("float64")
    else:
        out[name] = mv["numerator"].astype("Float64").astype("float64")
    return out


def _panel_chunk(ids: list[str], tables: dict[str, pa.Table], templates: np.ndarray,
                 suits_total: pd.Series, other: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Given some reports' ids, their cells, templates, lawsuits stated before 2019 and the columns
    of the measures not computed from the cells (arrays in the order of ids), return (panel
    columns, figures), arrays in the order of ids."""
    req = _cells(tables["requests"], ids, "requests")
    app = _cells(tables["appeals"], ids, "appeals")
    disc = _cells(tables["disclosure"], ids, "disclosure")
    value = np.hstack([req[0], app[0], disc[0]])
    expected = _expected_masks()
    mask = np.vstack([expected[t] for t in (None,)]).repeat(len(ids), axis=0) if not len(ids) else \
        np.vstack([expected.get(t, expected[None]) for t in templates])
    sub = [REQUEST_COMBOS.index((k, a.key)) for k in _SUBROWS_2021 for a in APPLICANTS]
    single_other = (templates == "2021") & np.isnan(value[:, sub]).all(axis=1)
    mask[np.ix_(single_other, sub)] = False
    fig = _figures(req, app)
    stated = suits_total.reindex(ids).to_numpy(dtype="float64", na_value=np.nan) if len(suits_total) \
        else np.full(len(ids), np.nan)
    fig["suits"] = np.where(np.isnan(fig["suits"]), stated, fig["suits"])  # before 2019: one figure
    cols = {"n_missing_cells": (np.isnan(value) & mask).sum(axis=1), "n_corrected": req[3] + app[3] + disc[3],
            **_measures(fig), **other}
    names = [c.name for c in cell_columns()]
    cols.update({name: value[:, j] for j, name in enumerate(names)})
    return cols, {k: fig[k] for k in ROLLUP_FIGURES}


BUCKET_ROWS = 10_000     # the panel is sorted and written this many rows at a time


_UNIQUE_REPORT_COLUMNS = ("report_id", "sha256", "source", "title", "error", "url", "fetched_at")


class _ReportsSource:
    """The corpus's reports table as the export reads it. For a corpus on disk whose reports are
    not read yet: an Arrow table (its strings packed, a fraction of what pandas' Python strings
    take at 100,000 reports), turned into typed pandas a slice at a time; otherwise the corpus's
    own DataFrame. Either way the slices are the same typed frames (``frames.REPORT_COLUMNS``)."""

    def __init__(self, corpus):
        folder = getattr(corpus, "folder", None)
        self.df: pd.DataFrame | None = None
        self.table: pa.Table | None = None
        if folder is not None and getattr(corpus, "_reports", None) is None:
            path = Path(folder) / "reports.parquet"
            schema = pq.read_schema(path)
            # names, regions, levels repeat from year to year: kept as dictionaries (codes and the values once)
            repeated = [f.name for f in schema if f.name not in _UNIQUE_REPORT_COLUMNS
                        and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
            source = pq.ParquetFile(path, read_dictionary=repeated, pre_buffer=False)
            batches = source.iter_batches(batch_size=BUCKET_ROWS, use_threads=False)
            # one dictionary per column, not one per batch
            self.table = pa.Table.from_batches(batches, schema=source.schema_arrow).unify_dictionaries().combine_chunks()
            source.close()
            _release_memory()
            self.columns = list(self.table.column_names)
        else:
            self.df = corpus.reports
            self.columns = list(self.df.columns)

    def __len__(self) -> int:
        return len(self.df) if self.df is not None else self.table.num_rows

    def take(self, rows: np.ndarray | None, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows at ``rows`` (all where None) of ``columns`` (those it has; all where None)."""
        if self.df is not None:
            src = self.df[[c for c in columns if c in self.df.columns]] if columns else self.df
            return src if rows is None else src.iloc[rows]
        t = self.table.select([c for c in columns if c in self.columns]) if columns else self.table
        return _typed_reports(t if rows is None else t.take(pa.array(rows, type=pa.int64())))

    def slices(self, size: int) -> Iterator[pd.DataFrame]:
        """The whole table, ``size`` rows at a time (one empty slice where it has no row)."""
        for start in range(0, max(1, len(self)), size):
            if self.df is not None:
                yield self.df.iloc[start:start + size]
            else:
                yield _typed_reports(self.table.slice(start, size))


def _typed_reports(table: pa.Table) -> pd.DataFrame:
    """An Arrow slice of reports.parquet as the typed frame ``read_reports`` makes of the whole."""
    from .corpus.store import _PANDAS_TYPES
    from .frames import REPORT_COLUMNS

    table = pa.Table.from_arrays([pc.cast(c, c.type.value_type) if pa.types.is_dictionary(c.type) else c
                                  for c in table.columns], names=table.column_names)
    df = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    return df.astype({c: t for c, t in REPORT_COLUMNS.items() if c in df.columns})


class _Reports:
    """The reports of the panel (parsed, not duplicates, one per report_id) by position, each
    one's row in the panel's order (agency_key, year, report_id), and what is known of it
    before its cells are read (template, quality counts, timeliness, reports on its year). Holds
    positions into the corpus's reports table and a few arrays, never a copy of the table."""

    def __init__(self, corpus):
        _check_sources()
        src = _ReportsSource(corpus)
        usable = np.flatnonzero(_usable_mask(src.take(None, ["status", "duplicate_of"])))
        rows = usable[~src.take(usable, ["report_id"])["report_id"].astype("string").duplicated().to_numpy()]
        self.src, self.rows = src, rows

        def col(name, dtype="string"):
            return src.take(rows, [name])[name].astype(dtype).reset_index(drop=True) if name in src.columns \
                else pd.Series(pd.NA, index=range(len(rows)), dtype=dtype)

        key = pd.DataFrame({"agency_key": col("agency_key"), "year": col("year", "Int64"),
                            "report_id": col("report_id")})
        index = pd.Index(key["report_id"].to_numpy(dtype=object))   # while built; kept as Arrow (self.ids)
        self.ids = pa.array(key["report_id"], type=pa.string())
        order = key.sort_values(["agency_key", "year", "report_id"], na_position="last").index.to_numpy()
        self.rank = np.empty(len(order), dtype=np.int32)     # each report's row in the panel
        self.rank[order] = np.arange(len(order), dtype=np.int32)
        del order
        same = key.groupby([key["agency_key"].fillna(key["report_id"]), key["year"]], dropna=False)["report_id"]
        self.n_same = same.transform("size").to_numpy(dtype=np.int32)
        self.duplicate = (self.n_same > 1) & key["agency_key"].notna().to_numpy() & key["year"].notna().to_numpy()
        self.agencies = int(key["agency_key"].nunique())
        self.years = sorted(int(y) for y in key["year"].dropna().unique())
        self.templates = _template_keys(pd.DataFrame({"template": col("template"), "year": key["year"]}))
        del key
        quality = _quality_counts(corpus).reindex(index)
        self.n_errors = quality["error"].fillna(0).to_numpy(dtype=np.int32)
        self.n_warnings = quality["warning"].fillna(0).to_numpy(dtype=np.int32)
        del quality
        pre = _pre2019_corpus(corpus, self.frame(np.flatnonzero(self.templates == PRE2019)))
        self.suits_total = _suits_before_2019(pre)
        self.other: dict[str, np.ndarray] = {}   # measures not computed from the cells, by position
        for name, m in _analysis.MEASURES.items():
            if m.source in _PRE2019_SOURCES and pre is not None:
                for col, values in _measure_columns(pre, name).items():
                    self.other[col] = values.reindex(index).to_numpy(dtype="float64", na_value=np.nan)
            elif m.source in _PRE2019_SOURCES:
                self.other.update({c.name: np.full(len(rows), np.nan) for c in measure_columns([name])})
            elif m.source in _REPORT_SOURCES:
                self.other.update({c.name: np.full(len(rows), np.nan) for c in measure_columns([name])})
                for start in range(0, len(rows), BUCKET_ROWS):   # in slices: its frames grow with the rows
                    part = np.arange(start, min(start + BUCKET_ROWS, len(rows)))
                    for col, values in _measure_columns(Corpus(self.frame(part)), name).items():
                        self.other[col][part] = values.reindex(index[part]).to_numpy(dtype="float64",
                                                                                         na_value=np.nan)
        self._codes: dict[str, str | None] = {}
        del index
        _release_memory()

    def __len__(self) -> int:
        return len(self.rows)

    def release(self) -> None:
        """Drop what only the panel needs (the reports table, per-report arrays); keep the counts."""
        self.src = self.ids = self.rank = self.n_same = self.templates = None
        self.n_errors = self.n_warnings = self.suits_total = None
        self.other, self._codes = {}, {}
        _release_memory()

    def positions(self, ids) -> np.ndarray:
        found = pc.index_in(pa.array(ids, type=pa.string()), value_set=self.ids)
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)

    def frame(self, pos: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of the reports table at ``pos`` (the META columns it lacks added, missing)."""
        df = self.src.take(self.rows[pos], columns)
        for c in META:
            if c.name not in df.columns and (columns is None or c.name in columns):
                df = df.assign(**{c.name: pd.Series(pd.NA, index=df.index, dtype="string")})
        return df.reset_index(drop=True)

    def meta(self, pos: np.ndarray) -> pd.DataFrame:
        """The META and QUALITY columns of the reports at ``pos``."""
        df = self.frame(pos, [c.name for c in META])[[c.name for c in META]]
        for region in df["region"].dropna().unique():
            if region not in self._codes:
                self._codes[region] = division_code(region)
        df["division_code"] = df["region"].map(self._codes).astype("string")
        pub = df["published"]
        if not pd.api.types.is_string_dtype(pub):
            pub = pd.to_datetime(pub, errors="coerce").dt.strftime("%Y-%m-%d")
        df["published"] = pub.astype("string")
        return df.assign(n_reports_agency_year=self.n_same[pos], year_duplicate=self.duplicate[pos],
                         n_errors=self.n_errors[pos], n_warnings=self.n_warnings[pos])


def _bodies(corpus, reports: _Reports, sink: dict | None = None) -> Iterator[tuple[np.ndarray, dict, dict]]:
    """Yield (positions, panel columns, figures) of the reports, one Parquet part of cells at a
    time (then the reports that print no cell). With ``sink`` ({table: writer}), each part read is
    also handed to the writer of its table, so that the release reads every part once."""
    seen = np.zeros(len(reports), dtype=bool)
    empty = {n: pa.Table.from_pandas(_frames.empty(n), preserve_index=False) for n in _KEYS}

    def body(pos: np.ndarray, tables: dict):
        ids = reports.ids.take(pa.array(pos, type=pa.int64())).to_pylist()
        other = {k: v[pos] for k, v in reports.other.items()}
        cols, fig = _panel_chunk(ids, tables, reports.templates[pos], reports.suits_total, other)
        return pos, cols, fig

    for tables in _chunked_cells(corpus, full=sink is not None):
        for name in tables:
            if sink is not None and name in sink and tables[name].num_rows:
                sink[name].add(tables[name])
        ids = pa.chunked_array([c for t in tables.values() for c in t["report_id"].cast(pa.string()).chunks],
                               type=pa.string())
        found = pc.unique(ids).drop_null().to_pylist()
        pos = reports.positions(found)
        pos = pos[pos >= 0]
        if not len(pos):
            continue
        if seen[pos].any():
            raise ValueError("a report's cells are spread over two Parquet parts; rebuild the corpus")
        seen[pos] = True
        yield body(pos, tables)
        del tables
        _release_memory()   # Arrow's allocator keeps freed blocks otherwise
    rest = np.flatnonzero(~seen)   # reports that print no cell at all
    for start in range(0, len(rest), BUCKET_ROWS):
        yield body(rest[start:start + BUCKET_ROWS], empty)


_FIG = "_fig" + SEP


class _Buckets:
    """Panel rows on disk (Arrow IPC) in buckets of BUCKET_ROWS consecutive rows of the panel's
    order, so that the panel is written sorted while only one bucket is in memory."""

    def __init__(self, folder: Path, reports: _Reports, rows: int | None = None):
        self.folder, self.reports, self.rows = folder, reports, rows or BUCKET_ROWS
        self.writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, pos: np.ndarray, cols: dict, fig: dict) -> None:
        names = ["_pos", *cols, *(_FIG + k for k in fig)]
        arrays = [pos, *cols.values(), *fig.values()]
        bucket = self.reports.rank[pos] // self.rows
        order = np.argsort(bucket, kind="stable")    # rows grouped by bucket: each bucket's rows a slice
        batch = pa.RecordBatch.from_arrays([pa.array(np.asarray(a)[order]) for a in arrays], names=names)
        buckets, starts, counts = np.unique(bucket[order], return_index=True, return_counts=True)
        for b, start, count in zip(buckets.tolist(), starts.tolist(), counts.tolist()):
            if b not in self.writers:
                self.writers[b] = pa.ipc.new_file(str(self.folder / f"bucket-{b:06d}.arrow"), batch.schema)
            self.writers[b].write_batch(batch.slice(start, count))

    def __iter__(self) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Yield (panel rows, figures) bucket by bucket, in the panel's order."""
        for w in self.writers.values():
            w.close()
        cols = panel_columns()
        dtypes = _dtypes(cols)
        for b in sorted(self.writers):
            path = self.folder / f"bucket-{b:06d}.arrow"
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
            pos = table["_pos"].to_numpy()
            table = table.take(pa.array(np.argsort(self.reports.rank[pos], kind="stable")))
            pos = table["_pos"].to_numpy()
            figs = [n for n in table.column_names if n.startswith(_FIG)]
            body = table.drop_columns(["_pos", *figs]).to_pandas()
            df = pd.concat([self.reports.meta(pos), body], axis=1)[[c.name for c in cols]].astype(dtypes)
            fig = pd.DataFrame({n[len(_FIG):]: table[n].to_numpy() for n in figs}, index=df["report_id"].astype(str))
            del table, body
            path.unlink()
            _release_memory()
            yield df, fig
            del df, fig, pos     # one bucket in memory at a time


def _panel_buckets(corpus, folder: Path, sink: dict | None = None) -> tuple[_Reports, _Buckets]:
    """Read the cells and compute every report's panel columns into buckets under ``folder``."""
    reports = _Reports(corpus)
    buckets = _Buckets(folder, reports)
    for pos, cols, fig in _bodies(corpus, reports, sink):
        buckets.add(pos, cols, fig)
        del pos, cols, fig     # before the next part is read
    return reports, buckets


def _quality_counts(corpus) -> pd.DataFrame:
    """Errors and warnings per report (columns error, warning), from the findings part by part."""
    counts = []
    for part in _parts(corpus, "findings", ["report_id", "severity"]):
        df = part.to_pandas()
        df = df[df["severity"].isin(["error", "warning"])]
        counts.append(df.groupby(["report_id", "severity"]).size())
    counts = [c for c in counts if len(c)]
    if not counts:
        return pd.DataFrame(columns=["error", "warning"], dtype="int64")
    s = pd.concat(counts)
    return s.groupby(level=[0, 1]).sum().unstack(fill_value=0).reindex(columns=["error", "warning"], fill_value=0)


def panel(corpus) -> pd.DataFrame:
    """Given a Corpus, return the panel: one row per agency × year (per report; flagged where an
    agency has two different reports on a year), with the columns of :func:`panel_columns`.

    Duplicates (``duplicate_of``) and failed files are left out; cells are the printed values.

    >>> p = panel(gr.read_corpus("data/reports/seeds", cache=None))        # doctest: +SKIP
    >>> p[["agency", "year", "requests__received_new__total", "refused_share"]]   # doctest: +SKIP
    """
    return _build_panel(corpus)[0]


def _build_panel(corpus) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole panel in memory, and its rows' figures (for :func:`rollups`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="govreports-panel-") as tmp:
        _, buckets = _panel_buckets(corpus, Path(tmp))
        parts = list(buckets)
    if not parts:
        return _empty_panel(), pd.DataFrame(columns=list(ROLLUP_FIGURES), dtype="float64")
    df = pd.concat([p for p, _ in parts], ignore_index=True)
    return df, pd.concat([f for _, f in parts])


def _empty_panel() -> pd.DataFrame:
    cols = panel_columns()
    return pd.DataFrame({c.name: pd.Series(dtype=t) for c, t in zip(cols, _dtypes(cols).values())})


_PANDAS_DTYPES = {"string": "string", "category": "string", "date": "string", "integer": "Int64",
                  "number": "Float64", "boolean": "boolean"}


def _dtypes(cols: list[Column]) -> dict[str, str]:
    out = {}
    for c in cols:
        t = _PANDAS_DTYPES[c.type]
        if c.type == "number" and c.unit in ("share", "per_100"):
            t = "float64"
        if c.name in ("n_errors", "n_warnings", "n_missing_cells", "n_corrected", "n_reports_agency_year"):
            t = "int64"
        out[c.name] = t
    return out


# --------------------------------------------------------------------------------------------
# Rollups
# --------------------------------------------------------------------------------------------

def _prefixes(region: str) -> list[str]:
    parts = region.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _rollup_base(panel_df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows summed (agencies' own reports with a region, level and year), once per prefix of
    their region: (region, level, year, agency_key, dup, report_id), and each one's panel row."""
    def col(name):
        return panel_df[name] if name in panel_df else pd.Series(pd.NA, index=panel_df.index, dtype="string")

    aggregate = col("scope").astype("string").fillna("") == "aggregate"   # sums of agencies: never re-summed
    keep = (col("region").notna() & col("level").notna() & col("year").notna() & ~aggregate).to_numpy(dtype=bool)
    p = panel_df[keep]
    regions = p["region"].astype(str).to_numpy()
    pref = {r: _prefixes(r) for r in set(regions)}
    rows_idx, rows_region = [], []
    for i, r in enumerate(regions):
        for pr in pref[r]:
            rows_idx.append(i)
            rows_region.append(pr)
    rows_idx = np.array(rows_idx, dtype=int)
    key = p["agency_key"].astype("string").fillna(p["report_id"].astype("string")).to_numpy()
    dup = p["year_duplicate"] if "year_duplicate" in p else pd.Series(False, index=p.index)
    base = pd.DataFrame({"region": rows_region, "level": p["level"].to_numpy()[rows_idx],
                         "year": p["year"].to_numpy()[rows_idx], "agency_key": key[rows_idx],
                         "dup": dup.to_numpy(dtype=bool)[rows_idx], "report_id": p["report_id"].to_numpy()[rows_idx]})
    return base, np.flatnonzero(keep)[rows_idx]


def _rollup_sums(panel_df: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Sums and counts of the figures per (region, level, year) over some panel rows: partial
    results that add up (``a.add(b, fill_value=0)``) to those of all rows."""
    base, _ = _rollup_base(panel_df)
    fig = figures.reindex(index=base["report_id"].astype(str), columns=list(ROLLUP_FIGURES))
    fig = fig.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    fig[base["dup"].to_numpy(dtype=bool)] = np.nan   # two different reports on a year: neither is summed
    vals = pd.DataFrame(fig, columns=list(ROLLUP_FIGURES))
    g = vals.groupby([base["region"], base["level"], base["year"]])
    return pd.concat([g.sum().add_prefix("sum:"), g.count().add_prefix("n:")], axis=1)


def _rollup_agencies(panel_df: pd.DataFrame) -> pd.Series:
    """Distinct agencies per (region, level) of the rows summed (any year)."""
    base, _ = _rollup_base(panel_df)
    return base.groupby(["region", "level"])["agency_key"].nunique().rename("n_agencies")


def _rollups_of(sums: pd.DataFrame | None, agencies: pd.Series) -> pd.DataFrame:
    """Given the added-up sums and counts and the agencies per region and level, return the rollups."""
    cols = [c.name for c in ROLLUPS]
    if sums is None or not len(sums):
        return pd.DataFrame({c.name: pd.Series(dtype=t) for c, t in zip(ROLLUPS, _dtypes(list(ROLLUPS)).values())})
    figs = list(ROLLUP_FIGURES)
    total = sums[[f"sum:{f}" for f in figs]].set_axis(figs, axis=1).stack(future_stack=True).rename("sum")
    size = sums[[f"n:{f}" for f in figs]].set_axis(figs, axis=1).stack(future_stack=True).rename("size")
    r = pd.concat([total, size], axis=1)
    r.index = r.index.set_names(["region", "level", "year", "figure"])
    r = r.reset_index()
    r = r.join(agencies, on=["region", "level"])
    r["n_reports"] = r["size"].fillna(0).astype("int64")
    r["value"] = r["sum"].where(r["n_reports"] > 0).round().astype("Int64")
    r["n_missing"] = (r["n_agencies"] - r["n_reports"]).astype("int64")
    r["complete"] = r["n_missing"] == 0
    codes = {reg: division_code(reg) for reg in r["region"].unique()}
    r["division_code"] = r["region"].map(codes).astype("string")
    r["region_depth"] = r["region"].str.count("/") + 1
    order = {k: i for i, k in enumerate(ROLLUP_FIGURES)}
    r = r.assign(_o=r["figure"].map(order)).sort_values(["region", "level", "year", "_o"]).drop(columns="_o")
    return r[cols].astype(_dtypes(list(ROLLUPS))).reset_index(drop=True)


def _rollup_parts(sums: pd.DataFrame | None, agencies: pd.Series | None) -> Iterator[pd.DataFrame]:
    """The rollups in their order, BUCKET_ROWS groups (region, level, year) at a time."""
    if sums is None or not len(sums):
        yield _rollups_of(None, agencies)
        return
    sums = sums.sort_index()
    for start in range(0, len(sums), BUCKET_ROWS):
        yield _rollups_of(sums.iloc[start:start + BUCKET_ROWS], agencies)


def rollups(panel_df: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Given the panel and its per-report figures, return region × level × year sums, long:
    one row per figure, with n_reports, n_agencies, n_missing and complete beside each value."""
    return _rollups_of(_rollup_sums(panel_df, figures), _rollup_agencies(panel_df))


# --------------------------------------------------------------------------------------------
# The codebook
# --------------------------------------------------------------------------------------------

CODEBOOK_COLUMNS = ["table", "column", "stata_name", "label_zh", "meaning_en", "type", "unit", "values", "derived"]


def codebook(columns: dict[str, list[str]]) -> pd.DataFrame:
    """Given {table: [column, ...]} as written, return the codebook: one row per table × column.

    >>> codebook({"panel": ["report_id", "refused_share"]})[["column", "label_zh"]]   # doctest: +SKIP
    """
    declared = {c.name: c for c in panel_columns()}
    rolled = {c.name: c for c in ROLLUPS}
    rows = []
    for table, names in columns.items():
        for name in names:
            if table == "panel":
                col = declared.get(name) or _c(name, "", "(not documented)", "string")
            elif table == "rollups":
                col = rolled.get(name) or _c(name, "", "(not documented)", "string")
            else:
                col = _long_column(table, name)
            rows.append([table, name, col.stata_name, col.zh, col.en, col.type, col.unit, col.values, col.derived])
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS).astype("string")


def codebook_markdown(book: pd.DataFrame) -> str:
    """Given a codebook, return it as Markdown, one section per table."""
    out = ["# Codebook", "",
           "Generated by govreports from `govreports/template.py` and the measures of `govreports/analysis.py`.",
           "Stata names (`stata_name`) are at most 32 characters and stable across releases.", ""]
    for table, rows in book.groupby("table", sort=False):
        out += [f"## {table}", "", "| column | stata | 中文 | meaning | type | unit | values | derived |",
                "|---|---|---|---|---|---|---|---|"]
        for r in rows.itertuples(index=False):
            cells = [f"`{r.column}`", f"`{r.stata_name}`", r.label_zh, r.meaning_en, r.type, r.unit, r.values,
                     r.derived]
            out.append("| " + " | ".join(str(x).replace("|", "\\|") if pd.notna(x) else "" for x in cells) + " |")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


STAGING = ".staging"   # a release's working folder (buckets of the panel, Parquet not asked for); removed


def _release_memory() -> None:
    """Hand freed memory back to the system between steps: Arrow's pool keeps freed blocks, and
    the C allocator keeps the pages of freed Python objects and small arrays, unless asked."""
    pa.default_memory_pool().release_unused()
    if _malloc_trim is not None:
        _malloc_trim(0)


def _trimmer():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim   # glibc only
    except (OSError, AttributeError):
        return None


_malloc_trim = _trimmer()


class _TableWriter:
    """Streams one table's parts to Parquet and CSV (flat memory). The Parquet file is also the
    source of the Stata file and the workbook sheet (written from it afterwards), so it is written
    even where Parquet is not asked for (into the staging folder, removed at the end). Keeps what
    a Stata file needs to know beforehand: each text column's longest value in bytes, each integer
    column's range, the values of ``level`` and ``template``."""

    def __init__(self, out: Path, name: str, formats: tuple[str, ...], stats: bool = True):
        self.out, self.name, self.formats, self.stats = out, name, formats, stats
        folder = out / "parquet" if "parquet" in formats else out / STAGING
        self.path = folder / f"{name}.parquet" if {"parquet", "dta", "xlsx"} & set(formats) else None
        self.pq = self.csv = None
        self.rows = 0
        self.columns: list[str] | None = None
        self.schema: pa.Schema | None = None
        self.widths: dict[str, int] = {}
        self.ranges: dict[str, tuple] = {}
        self.values: dict[str, set] = {}

    def add(self, data: pd.DataFrame | pa.Table) -> None:
        table = data if isinstance(data, pa.Table) else _arrow(data)
        table = table.select([c for c in table.column_names if not c.startswith("_")])
        if self.columns is None:
            self.columns = list(table.column_names)
            self.schema = table.schema
        table = table.cast(self.schema)
        if self.path is not None:
            if self.pq is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.pq = pq.ParquetWriter(self.path, self.schema)
            self.pq.write_table(table)
        if "csv" in self.formats:
            if self.csv is None:
                path = self.out / "csv" / f"{self.name}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                self.csv_fh = open(path, "wb")
                self.csv_fh.write(BOM)
                self.csv = pacsv.CSVWriter(self.csv_fh, self.schema)
            self.csv.write_table(table)
        self.rows += table.num_rows
        if "dta" in self.formats and self.stats:
            self._stats(table)

    def _stats(self, table: pa.Table) -> None:
        for name, col in zip(table.column_names, table.columns):
            t = col.type
            if pa.types.is_string(t) or pa.types.is_large_string(t):
                longest = pc.max(pc.binary_length(col)).as_py() or 0
                self.widths[name] = max(self.widths.get(name, 0), longest)
                if name in _STATA_CATEGORIES:
                    self.values.setdefault(name, set()).update(v for v in pc.unique(col).to_pylist() if v is not None)
            elif pa.types.is_integer(t):
                mm = pc.min_max(col).as_py()
                lo, hi = self.ranges.get(name, (None, None))
                if mm["min"] is not None:
                    lo = mm["min"] if lo is None else min(lo, mm["min"])
                    hi = mm["max"] if hi is None else max(hi, mm["max"])
                self.ranges[name] = (lo, hi)

    def close(self) -> None:
        if self.pq is not None:
            self.pq.close()
        if self.csv is not None:
            self.csv.close()
            self.csv_fh.close()


_STATA_CATEGORIES = {"level": LEVELS, "template": TEMPLATE_VALUES}


def _stata_variables(w: _TableWriter, book: pd.DataFrame) -> list:
    """The Stata variables of a table written by ``w``: short names, '中文 | English' labels, the
    smallest type that holds the values; level and template value-labelled where all values are known."""
    from .stata import Variable, integer_type

    rows = book.set_index("column")
    out = []
    for field in w.schema:
        name, t = field.name, field.type
        zh, en = rows.at[name, "label_zh"], str(rows.at[name, "meaning_en"])
        label = f"{zh} | {en}" if zh and not pd.isna(zh) else en
        label = label if len(label) <= STATA_LABEL_MAX else label[:STATA_LABEL_MAX - 1] + "…"
        short = rows.at[name, "stata_name"]
        cats = _STATA_CATEGORIES.get(name)
        if cats is not None and w.values.get(name, set()) <= set(cats) and name in w.widths:
            out.append(Variable(short, "byte", label, value_labels=dict(enumerate(cats))))
        elif pa.types.is_boolean(t):
            out.append(Variable(short, "byte", label))
        elif pa.types.is_integer(t):
            out.append(Variable(short, integer_type(*w.ranges.get(name, (None, None))), label))
        elif pa.types.is_floating(t):
            out.append(Variable(short, "double", label))
        else:
            out.append(Variable(short, "str", label, width=w.widths.get(name, 1)))
    return out


def _fixed_width(col: pa.Array, width: int, step: int = 1 << 20) -> np.ndarray:
    """Given an Arrow array of texts, return their UTF-8 bytes as a numpy ``S<width>`` array
    (missing: empty), without making a Python object per text (about ``step`` bytes at a time)."""
    col = pc.fill_null(col.cast(pa.large_string()), "")
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    n, width = len(col), max(1, width)
    _, offsets, data = col.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[col.offset:col.offset + n + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    out = np.zeros((n, width), dtype=np.uint8)
    start = 0
    while start < n:
        stop = min(n, start + max(1, step // width))
        lengths = np.diff(offsets[start:stop + 1]).astype(np.int32)
        rows = np.repeat(np.arange(start, stop, dtype=np.int32), lengths)
        within = np.arange(int(lengths.sum()), dtype=np.int32) - \
            np.repeat((offsets[start:stop] - offsets[start]).astype(np.int32), lengths)
        out[rows, within] = data[offsets[start]:offsets[stop]]
        start = stop
    return out.view(f"S{width}").ravel()


def _batches(path: Path, rows: int) -> Iterator[pa.RecordBatch]:
    """A Parquet file's rows, ``rows`` at a time, one row group read at a time (no read-ahead)."""
    f = pq.ParquetFile(path)
    for i in range(f.num_row_groups):
        group = f.read_row_group(i)
        yield from group.to_batches(max_chunksize=rows)
        del group
        _release_memory()


def write_stata(w: _TableWriter, path: Path, book: pd.DataFrame) -> None:
    """Write the table of ``w`` (read back from its Parquet file a batch at a time) as Stata 118
    (Unicode): short names, 中文 | English variable labels, value labels for level and template."""
    from .stata import DtaWriter

    variables = _stata_variables(w, book)
    writer = DtaWriter(path, variables, nobs=w.rows, label=f"govreports release: {w.name}")
    try:
        batch_rows = max(1_000, min(BUCKET_ROWS, 500_000 // max(1, len(variables))))
        for batch in _batches(w.path, batch_rows):
            cols = {}
            for v, field, col in zip(variables, batch.schema, batch.columns):
                if v.value_labels:
                    codes = pc.index_in(col, value_set=pa.array(list(v.value_labels.values()), type=col.type))
                    cols[v.name] = codes.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
                elif v.is_strl:
                    cols[v.name] = col.cast(pa.large_string()).to_pylist()
                elif v.type == "str":
                    cols[v.name] = _fixed_width(col, v.width)
                else:
                    cols[v.name] = col.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
            writer.write(cols)
    finally:
        writer.close()


def _xlsx_value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


def _frames_of(source) -> Iterator[pd.DataFrame]:
    """A sheet's rows: a DataFrame, or a Parquet file read a batch at a time."""
    if isinstance(source, pd.DataFrame):
        yield source
        return
    from .corpus import _PANDAS_TYPES

    for batch in _batches(source, BUCKET_ROWS):
        yield batch.to_pandas(types_mapper=_PANDAS_TYPES.get)


def write_xlsx(sheets: dict[str, pd.DataFrame | Path], path: Path) -> None:
    """Write one sheet per table, a DataFrame or a Parquet file (xlsxwriter, constant memory;
    text never read as a formula)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False,
                                         "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    try:
        for name, source in sheets.items():
            ws = wb.add_worksheet(name[:31])
            i = 0
            for df in _frames_of(source):
                if i == 0:
                    ws.write_row(0, 0, list(df.columns), bold)
                    ws.freeze_panes(1, 0)
                for row in df.astype(object).itertuples(index=False, name=None):
                    i += 1
                    ws.write_row(i, 0, [_xlsx_value(v) for v in row])
    finally:
        wb.close()


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------

def content_hash(reports: pd.DataFrame) -> str:
    """Given a reports table, return the corpus's content hash: SHA-256 of the sorted, distinct
    SHA-256s of its files, one per line (the same files give the same hash, whatever their paths)."""
    shas = sorted(set(reports["sha256"].dropna().astype(str)))
    return hashlib.sha256("\n".join(shas).encode()).hexdigest()


def _file_sha(path: Path) -> str:
    with open(path, "rb", buffering=0) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _corrections_info(corpus, corrections) -> dict | None:
    if corrections is not None:
        paths = [corrections] if isinstance(corrections, (str, os.PathLike)) else list(corrections)
        return {"files": [{"file": Path(p).name, "sha256": _file_sha(Path(p))} for p in paths]}
    folder = getattr(corpus, "folder", None)
    if folder is not None and (Path(folder) / "files.json").exists():
        try:
            built = json.loads((Path(folder) / "files.json").read_text(encoding="utf-8")).get("version", "")
        except ValueError:
            built = ""
        m = re.search(r"\+corrections-([0-9a-f]+)", built)
        if m:
            return {"digest": m.group(1), "note": "digest of the corrections the corpus was built with"}
    return None


# --------------------------------------------------------------------------------------------
# The release
# --------------------------------------------------------------------------------------------

def export(corpus, out: str | os.PathLike, formats: tuple[str, ...] | list[str] = FORMATS, corrections=None,
           xlsx_max_cells: int = XLSX_MAX_CELLS, title: str | None = None) -> Path:
    """Given a Corpus, write a documented release into ``out`` and return the folder.

    Args:
        corpus: a :class:`~govreports.corpus.Corpus` (in memory or opened from Parquet).
        out: the release folder (created; files of an earlier release are overwritten).
        formats: some of ``parquet``, ``csv``, ``dta``, ``xlsx``.
        corrections: the corrections file(s) the corpus was built with: their SHA-256 goes into
            ``release.json`` (without it, the digest recorded in the corpus folder, if any).
        xlsx_max_cells: a table with more cells than this (or more rows than a sheet holds) is
            left out of the workbook, and the README says so: its CSV opens in Excel instead.

    Writes ``parquet/``, ``csv/``, ``stata/`` (one file per table), ``govreports_release.xlsx``
    (a sheet per table and the codebook), ``codebook.md``, ``codebook.csv``, ``release.json``,
    ``README.md``. Memory stays flat in the corpus's size: the long tables are read and written
    one Parquet part at a time, the panel is computed part by part and written sorted
    :data:`BUCKET_ROWS` rows at a time, and the Stata files and sheets are written from the
    release's Parquet files a batch at a time.

    >>> gr.open_corpus("out/corpus").export("out/release")          # doctest: +SKIP
    """
    import shutil

    import govreports

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; known: {FORMATS}")
    formats = tuple(formats)
    out = Path(out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    staging = out / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str) -> None:
        steps[name] = round(time.perf_counter() - started - sum(steps.values()), 2)

    # a long table with more rows than DTA_MAX_ROWS is left out of the Stata files: nothing kept for it
    writers = {n: _TableWriter(out, n, formats, stats=n not in LONG_TABLES or _rows_of(corpus, n) <= DTA_MAX_ROWS)
               for n in RELEASE_TABLES}
    try:
        reports, buckets = _panel_buckets(corpus, staging / "panel",
                                          sink={n: writers[n] for n in ("requests", "appeals", "disclosure")})
        _release_memory()
        step("cells")
        sums = agencies = None
        for df, fig in buckets:     # in the panel's order, a bucket at a time
            writers["panel"].add(df)
            part, seen = _rollup_sums(df, fig), _rollup_base(df)[0][["region", "level", "agency_key"]]
            sums = part if sums is None else sums.add(part, fill_value=0)
            agencies = (seen if agencies is None else pd.concat([agencies, seen])).drop_duplicates()
            del df, fig, part, seen   # before the next bucket is read
        if writers["panel"].columns is None:   # no report read
            writers["panel"].add(_empty_panel())
        n_agencies = None if agencies is None else \
            agencies.groupby(["region", "level"])["agency_key"].nunique().rename("n_agencies")
        for part in _rollup_parts(sums, n_agencies):
            writers["rollups"].add(part)
        del sums, agencies
        _release_memory()
        step("panel_and_rollups")
        for part in reports.src.slices(BUCKET_ROWS):
            writers["reports"].add(part)
        digest = content_hash(reports.src.take(None, ["sha256"]))
        reports.release()    # the reports table and per-report arrays are not needed any more
        for name in LONG_TABLES[1:]:
            if name not in _KEYS:    # the cell tables were written while the panel read them
                for part in _parts(corpus, name):
                    writers[name].add(part)
            if writers[name].columns is None:  # a corpus without any part of this table
                writers[name].add(_frames.empty(name))
        for w in writers.values():
            w.close()
        step("parquet_csv")
        columns = {n: w.columns for n, w in writers.items()}
        rows = {n: w.rows for n, w in writers.items()}
        skipped: dict[str, list[str]] = {}
        book = codebook(columns)
        book.to_csv(out / "codebook.csv", index=False, encoding="utf-8-sig")
        (out / "codebook.md").write_text(codebook_markdown(book), encoding="utf-8")
        if "dta" in formats:
            (out / "stata").mkdir(exist_ok=True)
            for name, w in writers.items():
                if name in LONG_TABLES and (w.rows > DTA_MAX_ROWS or not w.stats):   # that long: Parquet or CSV
                    skipped.setdefault("dta", []).append(name)
                    continue
                write_stata(w, out / "stata" / f"{name}.dta", book[book["table"] == name])
                _release_memory()
            step("dta")
        if "xlsx" in formats:
            sheets: dict[str, pd.DataFrame | Path] = {}
            for name, w in writers.items():
                if w.rows > XLSX_MAX_ROWS or w.rows * len(w.columns) > xlsx_max_cells:
                    skipped.setdefault("xlsx", []).append(name)
                    continue
                sheets[name] = w.path
            sheets["codebook"] = book
            write_xlsx(sheets, out / XLSX_NAME)
            step("xlsx")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    info = _release_info(corpus, reports, digest, rows, columns, skipped, formats, corrections, out, govreports)
    step("provenance")
    info["seconds"] = round(time.perf_counter() - started, 2)
    info["seconds_by_step"] = steps
    (out / "release.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "README.md").write_text(release_readme(info, title), encoding="utf-8")
    return out


def _release_info(corpus, reports: _Reports, digest: str, rows, columns, skipped, formats, corrections, out, govreports) -> dict:
    from .corpus import code_version

    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name not in ("release.json", "README.md")):
        files.append({"file": path.relative_to(out).as_posix(), "bytes": path.stat().st_size,
                      "sha256": _file_sha(path)})
    return {
        "title": "govreports release",
        "govreports_version": govreports.__version__,
        "code_version": code_version(),
        "content_hash": digest,
        "content_hash_rule": "sha256 of the sorted distinct SHA-256 (hex) of every report file, one per line",
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": {
            **{k: int(v) for k, v in (getattr(corpus, "counts", None) or {}).items() if k != "cached"},
            "panel_rows": len(reports),
            "agencies": reports.agencies,
            "years": reports.years,
            "year_duplicate_rows": int(reports.duplicate.sum()),
            "rows": rows,
        },
        "columns": {k: len(v) for k, v in columns.items()},
        "formats": list(formats),
        "skipped": {fmt: sorted(set(names)) for fmt, names in skipped.items() if fmt in formats},
        "corrections": _corrections_info(corpus, corrections),
        "files": files,
    }


def release_readme(info: dict, title: str | None = None) -> str:
    """Given release.json's content, return the release's README (what is in it, how to cite it)."""
    c = info["counts"]
    years = c["years"]
    span = f"{years[0]}–{years[-1]}" if years else "no year"
    date = info["built"][:10]
    skipped = info.get("skipped") or {}
    lines = [
        f"# {title or 'Government information disclosure annual reports (政府信息公开工作年度报告): tables'}", "",
        f"Built {info['built']} by govreports {info['govreports_version']} ({info['code_version']}) from "
        f"{c.get('files', '?')} report files ({c.get('parsed', '?')} read, {c.get('failed', '?')} failed, "
        f"{c.get('duplicates', '?')} duplicates left out): {c['panel_rows']} reports of {c['agencies']} "
        f"agencies, years {span}.", "",
        f"Content hash of the corpus: `{info['content_hash']}` ({info['content_hash_rule']}).", "",
        "## Tables", "",
        "| table | rows | columns | what |", "|---|---|---|---|",
    ]
    what = {
        "panel": "one row per agency × year: every cell of tables 2, 3, 4, the measures with numerators and "
                 "denominators, meta and quality counts",
        "rollups": "figures summed over the agencies of a region and a level per year, with n_reports, n_agencies, "
                   "n_missing beside each value",
        "reports": "one row per file read (also failed files and duplicates)",
        "requests": "table 3, one row per printed cell", "appeals": "table 4, one row per printed cell",
        "disclosure": "table 2, one row per printed cell", "findings": "what does not add up, one row per finding",
        "legacy": "figures of reports before 2019 that have no modern cell, one row per figure",
    }
    for name in RELEASE_TABLES:
        lines.append(f"| `{name}` | {c['rows'].get(name, 0)} | {info['columns'].get(name, 0)} | {what[name]} |")
    lines += ["", "## Files", "",
              "- `parquet/<table>.parquet`: pandas (`pd.read_parquet`), R (`arrow::read_parquet`), Python, Julia. "
              "R users read these (no `.rds` is needed): types and missing values are kept.",
              "- `csv/<table>.csv`: UTF-8 with a byte-order mark, so Excel opens it with the Chinese intact; "
              "pandas: `pd.read_csv(path, encoding='utf-8-sig', dtype={'report_id': str, 'division_code': str})`.",
              "- `stata/<table>.dta`: Stata 14+ (format 118, Unicode). Variables have the short `stata_name` of "
              "the codebook (32 characters at most) and a label `中文 | English`; `level` and `template` carry "
              "value labels. A missing text is an empty string.",
              f"- `{XLSX_NAME}`: one sheet per table and a `codebook` sheet.",
              "- `codebook.md`, `codebook.csv`: every column of every table: name, Stata name, Chinese label, "
              "English meaning, type, unit, allowed values, how it is derived.",
              "- `release.json`: version, content hash, build date, counts, each file's SHA-256, the corrections "
              "used.", ""]
    if skipped:
        lines += ["## Left out", ""]
        for fmt, names in skipped.items():
            if names:
                lines.append(f"- `{fmt}`: {', '.join(names)}: more rows than an Excel sheet holds "
                             f"({XLSX_MAX_ROWS:,}) or more cells than a workbook is written in reasonable time; "
                             "use the Parquet or CSV file of the same table.")
        lines.append("")
    lines += [
        "## What the numbers are", "",
        "- A cell is the number printed in the report: a cell printed empty (or `-`, `/`, `无`) is 0; a cell "
        "the report does not print is missing, never 0 (`n_missing_cells` counts them).",
        "- " + FIGURE_RULE[0].upper() + FIGURE_RULE[1:] + ".",
        "- `refused_share = denied / handled`, `unanswerable_share = unavailable / handled`; `handled` is the sum "
        "of the outcome rows. A share over nothing handled is missing (NaN), never 0. Every share has its "
        "numerator (`__num`) and denominator (`__den`) beside it.",
        "- Duplicate files are counted once. An agency with two different reports on one year keeps both rows "
        "in the panel, flagged `year_duplicate`; they are not summed in the rollups.",
        "- A rollup's `value` sums the agencies that print the figure; it is the region's total only where "
        "`complete` (`n_missing` = 0), and only over the agencies the corpus holds (`n_agencies`).",
        "- `n_errors`, `n_warnings`: findings of the report's own arithmetic and reading; see the `findings` "
        "table and the govreports README ('The checks').", "",
        "## How to cite", "",
        "The data:", "",
        f"> Government information disclosure annual reports, tables of {span} ({c['panel_rows']} reports, "
        f"{c['agencies']} agencies). Built with govreports {info['govreports_version']} on {date}. "
        f"Corpus content hash sha256:{info['content_hash']}.", "",
        "The software: see `CITATION.cff` in the govreports repository (`govreports` "
        f"{info['govreports_version']}).", "",
        "Cite the content hash: two releases with the same hash were built from the same report files.", "",
    ]
    return "\n".join(lines)


def summary(out: str | os.PathLike) -> str:
    """Given a release folder, return a few lines saying where it is and what it holds."""
    out = Path(out)
    info = json.loads((out / "release.json").read_text(encoding="utf-8"))
    rows = info["counts"]["rows"]
    lines = [f"release written to {out.resolve()}/ (README.md, codebook.md, release.json)",
             f"  panel: {rows.get('panel', 0)} rows x {info['columns'].get('panel', 0)} columns; "
             f"formats: {', '.join(info['formats'])}; content hash {info['content_hash'][:16]}..."]
    for fmt, names in (info.get("skipped") or {}).items():
        if names:
            lines.append(f"  left out of {fmt}: {', '.join(names)} (too big; see README.md)")
    return "\n".join(lines)
