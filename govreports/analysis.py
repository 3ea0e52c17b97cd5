"""Derived measures over reports: refused shares, volumes, appeals, rankings, trends.

Why a module of its own: the tidy frames keep every printed cell; a question such as "how often
does this agency refuse?" needs the *figures* of ``shared/SCHEMA.md`` ('Derived measures'),
computed the same way everywhere (notebooks, widgets, CLI). Every function here takes anything
that has the tidy frames (a Corpus, a single Report, a list of Reports, or :class:`Frames`) and
returns a plain DataFrame that keeps the ``report_id`` of every report a number came from.

The rules, once:

- a row's figure is its printed ``total`` cell; where that cell is blank but the applicant cells
  of the row are not, it is the sum of the applicant cells (上海市人民政府办公厅 2019 leaves 总计
  blank in every outcome row: ``handled`` 805, ``denied`` 35) — see :func:`row_figures`;
- ``handled`` is the sum of the outcome rows, not the printed （七）总计 (kept as
  ``outcome_total``);
- a row the report does not print (missing) makes every figure built on it NA, never 0, and a sum
  over reports with one NA is NA (the figure is unknown, not smaller);
- a share over a ``handled`` of 0 is NaN, never 0;
- duplicate reports (``duplicate_of`` set in a corpus) and reports that failed to read are left
  out of every sum.

>>> import govreports as gr, govreports.analysis as ga            # doctest: +SKIP
>>> corpus = ga.load_corpus("data/reports")                       # doctest: +SKIP
>>> ga.outcome_shares(corpus, by="agency_year")                   # doctest: +SKIP
>>> ga.by_agency_year(corpus, "refused_share")                    # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import frames as _frames
from .frames import REPORT_COLUMNS
from . import template
from .template import (APPLICANT_PARTS, CARRIED_FORWARD, CARRIED_OVER, GRANTED, GROUP_PHRASES, HANDLED, OTHER_OTHER,
                       OUTCOME_KEYS, OUTCOME_TOTAL, PARTLY_GRANTED, PRE2019, PROCEEDING_KEYS, RECEIVED_NEW, REQUEST_KEYS,
                       ROW_BY_KEY)

# --------------------------------------------------------------------------- inputs

FAILED_STATUSES = ("error", "failed", "unreadable")


@dataclass(frozen=True)
class Frames:
    """The tidy frames analysis works on; what :func:`frames_of` makes of any input."""

    reports: pd.DataFrame
    requests: pd.DataFrame
    appeals: pd.DataFrame
    disclosure: pd.DataFrame
    findings: pd.DataFrame
    legacy: pd.DataFrame = dataclasses.field(default_factory=lambda: _frames.empty("legacy"))


def _meta_dict(meta) -> dict:
    if dataclasses.is_dataclass(meta):
        return dataclasses.asdict(meta)
    if isinstance(meta, dict):
        return dict(meta)
    return {k: v for k, v in vars(meta).items() if not k.startswith("_")}


def _table(obj, name: str) -> pd.DataFrame:
    df = getattr(obj, name, None)
    if df is None:
        return _frames.empty(name)
    return df


def _normalise_reports(reports: pd.DataFrame) -> pd.DataFrame:
    reports = reports.copy()
    for col in REPORT_COLUMNS:
        if col not in reports.columns:
            reports[col] = pd.NA
    nameless = reports["agency"].isna() & reports["agency_key"].isna()
    if reports["agency_key"].isna().any() or reports["region"].isna().all():  # a bare Report has neither
        from .agencies import agency_key, region_of

        names = reports["agency"].astype("string")
        reports["agency_key"] = reports["agency_key"].fillna(names.map(lambda n: agency_key(n) if pd.notna(n) else pd.NA))
        files = reports["source"].map(lambda s: Path(str(s)).name if pd.notna(s) and str(s).strip() else pd.NA)
        reports["agency_key"] = reports["agency_key"].fillna(files).fillna(reports["report_id"])
        reports["region"] = reports["region"].fillna(names.map(lambda n: region_of(n) if pd.notna(n) else pd.NA))
    # a report printing no agency name (and linked to none) is shown by its file name, its key
    reports["agency"] = reports["agency"].astype("string").mask(nameless, reports["agency_key"].astype("string"))
    reports["year"] = pd.to_numeric(reports["year"], errors="coerce").astype("Int64")
    return reports


def agency_label(agency, key) -> str:
    """Given an agency name (or NA) and its agency_key, return the name to show: the name, else
    the key, which for a report printing no agency name is its file name (the same label in the
    terminal, index.html, page names, progress lines and plots).

    >>> agency_label(None, "haidian_dept_mirror_auto4522.txt"), agency_label("区民政局", "区民政局@x.txt")
    ('haidian_dept_mirror_auto4522.txt', '区民政局')
    """
    if agency is not None and agency is not pd.NA and agency == agency and str(agency).strip():
        return str(agency)
    return str(key)


def row_label(row) -> str:
    """Given a row of an analysis frame (agency, agency_key, year), return what a person reads:
    '上海市人民政府办公厅 2019', or 'haidian_dept_mirror_auto4522.txt (year not printed)'; never '<NA>'.

    >>> row_label({"agency": None, "agency_key": "x.txt", "year": pd.NA})
    'x.txt (year not printed)'
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    name = agency_label(get("agency"), get("agency_key", "?"))
    year = get("year")
    return f"{name} {int(year)}" if year is not None and not pd.isna(year) else f"{name} (year not printed)"


def frames_of(data) -> Frames:
    """Given a Corpus, a Report, a list of Reports or :class:`Frames`, return its :class:`Frames`.

    >>> f = frames_of(gr.read_report("data/reports/web/shanghai_gov_office_2019.html"))  # doctest: +SKIP
    >>> f.reports[["report_id", "agency", "year"]]                                       # doctest: +SKIP
    """
    if isinstance(data, Frames):
        return data
    if isinstance(data, (list, tuple)):
        parts = [frames_of(d) for d in data]
        if not parts:
            raise ValueError("no reports given")
        f = Frames(*(pd.concat([getattr(p, f.name) for p in parts], ignore_index=True)
                     for f in dataclasses.fields(Frames)))
        seen = f.reports["report_id"].duplicated()
        findings = f.findings.drop_duplicates() if seen.any() else f.findings
        return _deduplicated(Frames(f.reports[~seen], f.requests, f.appeals, f.disclosure, findings, f.legacy))
    if hasattr(data, "reports"):
        reports = data.reports
    elif hasattr(data, "meta"):
        reports = pd.DataFrame([_meta_dict(data.meta)])
    else:
        raise TypeError(f"expected a Corpus, a Report or Frames, not {type(data).__name__}")
    return _deduplicated(Frames(_normalise_reports(reports), _table(data, "requests"), _table(data, "appeals"),
                                _table(data, "disclosure"), _table(data, "findings"), _table(data, "legacy")))


def _deduplicated(f: Frames) -> Frames:
    """The same file twice (one report_id) counts once: keep one copy of each cell."""
    return Frames(f.reports, f.requests.drop_duplicates(["report_id", "row", "applicant"]),
                  f.appeals.drop_duplicates(["report_id", "proceeding", "result"]),
                  f.disclosure.drop_duplicates(["report_id", "item", "measure"]), f.findings,
                  f.legacy.drop_duplicates(["report_id", "key"]))


def _usable_reports(f: Frames) -> pd.DataFrame:
    """Reports that count: not a duplicate of another, not failed."""
    return _usable(f.reports)


def _usable(r: pd.DataFrame) -> pd.DataFrame:
    """The rows of a reports table that count (:func:`_usable_reports`)."""
    dup = r["duplicate_of"].astype("string").fillna("").str.strip() != ""
    failed = r["status"].astype("string").fillna("").str.lower().isin(FAILED_STATUSES)
    return r[~dup & ~failed]


def load_corpus(path: str | Path = "data/reports"):
    """Given a Parquet corpus folder or a folder of report files, return a corpus.

    A relative ``path`` that does not exist from the working directory is looked up from the
    repository root, so notebooks run from ``notebooks/`` find ``data/reports`` too.

    A folder of report files is read afresh (no cache), so a notebook never shows results of an
    older parser; build a Parquet corpus (``govreports corpus build``) for thousands of files.

    >>> corpus = load_corpus("data/reports")            # reads every report file  # doctest: +SKIP
    >>> corpus = load_corpus("out/corpus")              # a folder written by Corpus.to_parquet  # doctest: +SKIP
    """
    p = Path(path)
    if not p.exists() and not p.is_absolute():
        root = Path(__file__).resolve().parents[1]
        if (root / p).exists():
            p = root / p
    if not p.exists():
        raise FileNotFoundError(f"no corpus at {path}")
    from .corpus import open_corpus, read_corpus

    if p.is_dir() and (p / "reports.parquet").exists():
        return open_corpus(p)
    n_files = 1 if p.is_file() else sum(1 for _ in p.rglob("*"))
    return read_corpus(p, workers=1 if n_files < 200 else None, cache=None, progress=False)


def _match_agencies(reports: pd.DataFrame, agencies: Iterable[str]) -> list[str]:
    """Given names or keys, return agency_keys; exact match on key, name or printed name, else a
    unique substring of a name. Raises ValueError naming the agencies not found."""
    keys, unknown = [], []
    cols = [c for c in ("agency_key", "agency", "agency_as_printed") if c in reports.columns]
    for name in agencies:
        hit = reports[np.logical_or.reduce([reports[c].astype("string").fillna("") == name for c in cols])]
        if hit.empty:
            hit = reports[reports["agency"].astype("string").fillna("").str.contains(name, regex=False)]
            if hit["agency_key"].nunique() != 1:
                hit = hit.iloc[0:0]
        if hit.empty:
            unknown.append(name)
        else:
            keys += [k for k in hit["agency_key"].unique() if k not in keys]
    if unknown:
        known = ", ".join(sorted(reports["agency"].dropna().astype(str).unique()))
        raise ValueError(f"unknown agency: {', '.join(unknown)} (the corpus has: {known})")
    return keys


def select(data, agencies: Iterable[str] | str | None = None, years: Iterable[int] | None = None,
           level: str | None = None, region: str | None = None) -> Frames:
    """Given any input and filters, return :class:`Frames` of the matching reports only (for a
    corpus on disk, a :class:`DiskView`: its tables are read only when asked for).

    >>> sub = select(corpus, agencies="上海市人民政府办公厅", years=[2019])   # doctest: +SKIP
    """
    from .figures import on_disk

    disk = data if isinstance(data, DiskView) else (DiskView(data) if on_disk(data) else None)
    if disk is not None and agencies is None and years is None and level is None and region is None:
        return disk   # every report: none read (the analyses read the columns they need)
    file = _plain_file(disk.corpus) if disk is not None and disk._reports is None else None
    if file is not None:   # the reports not read: the analyses choose them in SQL (see _Choice)
        if isinstance(agencies, str):
            agencies = [agencies]
        keys = tuple(_agency_keys(file, disk.chosen, agencies)) if agencies is not None else None
        choice = _Choice(keys, tuple(int(y) for y in years) if years is not None else None, level, region)
        return DiskView(disk.corpus, chosen=(*disk.chosen, choice))
    f = disk if disk is not None else frames_of(data)
    r = _normalise_reports(f.reports) if disk is not None else f.reports
    if agencies is not None:
        if isinstance(agencies, str):
            agencies = [agencies]
        r = r[r["agency_key"].isin(_match_agencies(r, agencies))]
    if years is not None:
        r = r[r["year"].isin([int(y) for y in years])]
    if level is not None:
        r = r[r["level"] == level]
    if region is not None:
        r = r[r["region"] == region]
    if disk is not None:
        return DiskView(disk.corpus, r)
    ids = set(r["report_id"])
    return Frames(r, *(df[df["report_id"].isin(ids)] for df in (f.requests, f.appeals, f.disclosure, f.findings,
                                                                 f.legacy)))


# --------------------------------------------------------------------------- figures per report

def _sum_or_na(values: pd.Series, keys) -> pd.Series:
    """Sum per group, NA where any value of the group is NA (vectorised ``sum(skipna=False)``)."""
    g = values.groupby(keys, sort=False)
    total = g.sum().astype("Int64")
    return total.mask(values.isna().groupby(keys, sort=False).any())


def _cell_figures(cells: pd.DataFrame, keys: list[str], part_col: str, parts: Sequence[str]) -> pd.DataFrame:
    """Given long cells, return one figure per ``keys`` group: the total cell, or where it is
    blank and some part is not, the sum of the parts."""
    cells = cells.assign(value=cells["value"].astype("Int64"), blank=cells["blank"].astype("boolean").fillna(False))
    total = cells[cells[part_col] == "total"].drop_duplicates(keys)
    part = cells[cells[part_col].isin(parts)]
    by = [part[k] for k in keys]
    agg = pd.DataFrame({"parts_sum": _sum_or_na(part["value"], by),
                        "parts_printed": (~part["blank"]).groupby(by, sort=False).any()})
    t = total.set_index(keys)[["value", "blank", "printed", "location"]]
    out = t.join(agg, how="outer")
    use_parts = out["value"].isna() | (out["blank"].fillna(True) & out["parts_printed"].fillna(False).astype(bool))
    use_parts &= out["parts_sum"].notna() | out["value"].isna()
    out["figure"] = out["value"].where(~use_parts, out["parts_sum"]).astype("Int64")
    out["source"] = np.where(use_parts, "applicant_sum", "total")
    if use_parts.any():  # where the figure is a sum, its location is every part's
        wanted = out.index[use_parts.to_numpy()]
        sub = part.set_index(keys).loc[lambda d: d.index.isin(wanted), "location"]
        joined = sub.dropna().astype(str).groupby(level=list(range(len(keys)))).agg("; ".join)
        out.loc[use_parts.to_numpy(), "location"] = joined.reindex(wanted).to_numpy()
    return out.reset_index()


def row_figures(data) -> pd.DataFrame:
    """Given any input, return the figure of every printed row of table 3.

    Columns: report_id, row, value (Int64), source ("total" or "applicant_sum"), printed (the
    printed total cell), location. A row not printed has no line here.

    >>> row_figures(shanghai_2019).query("row == 'granted'")[["value", "source"]]   # doctest: +SKIP
       value         source
         272  applicant_sum
    """
    f = frames_of(data)
    out = _cell_figures(f.requests, ["report_id", "row"], "applicant", APPLICANT_PARTS)
    out = out.rename(columns={"figure": "fig"})[["report_id", "row", "fig", "source", "printed", "location"]]
    return out.rename(columns={"fig": "value"})


# the rows each group needs; a group with one of them missing is NA
GROUP_ROWS = {g: [k for k in REQUEST_KEYS if k.startswith(g + ".")] for g in ("denied", "unavailable", "not_processed")}
SHARE_OF_HANDLED = (GRANTED, PARTLY_GRANTED, *template.REQUEST_GROUPS)  # the figures handled is the sum of


def report_figures(data) -> pd.DataFrame:
    """Given any input, return one row per report with every figure of table 3.

    Columns: report_id, one column per row key of the template (Int64, NA where not printed), and
    the groups ``denied``, ``unavailable``, ``not_processed``, ``other`` and ``handled``. ``other``
    sums the ``other.*`` rows printed and is NA when ``other.other`` (（六）其他处理, or its 3.其他)
    is missing.
    """
    f = frames_of(data)
    ids = f.reports["report_id"].drop_duplicates()
    fig = row_figures(f)
    wide = fig.pivot(index="report_id", columns="row", values="value")
    wide = wide.reindex(index=pd.Index(ids, name="report_id"), columns=list(REQUEST_KEYS)).astype("Int64")
    for g, rows in GROUP_ROWS.items():
        wide[g] = wide[rows].sum(axis=1, skipna=False).astype("Int64")
    others = [k for k in REQUEST_KEYS if k.startswith("other.")]
    wide["other"] = wide[others].sum(axis=1, min_count=1).astype("Int64").where(wide[OTHER_OTHER].notna())
    wide[HANDLED] = wide[list(SHARE_OF_HANDLED)].sum(axis=1, skipna=False).astype("Int64")
    return wide.reset_index().rename_axis(columns=None)


def appeal_figures(data) -> pd.DataFrame:
    """Given any input, return one row per report with the 15 figures of table 4.

    Columns: report_id, ``<proceeding>.<result>`` (Int64). Each proceeding's ``total`` is its
    printed total, or the sum of its results where the total is blank and a result is not (the
    rule of SCHEMA.md 'Derived measures', carried over to table 4). A table not printed is NA.
    """
    f = frames_of(data)
    ids = f.reports["report_id"].drop_duplicates()
    a = f.appeals.assign(value=f.appeals["value"].astype("Int64"))
    results = a[a["result"] != "total"].assign(key=lambda d: d["proceeding"] + "." + d["result"])
    wide = results.pivot_table(index="report_id", columns="key", values="value", aggfunc="first")
    totals = _cell_figures(a, ["report_id", "proceeding"], "result", ("upheld", "corrected", "other", "pending"))
    tw = totals.assign(key=totals["proceeding"] + ".total").pivot(index="report_id", columns="key", values="figure")
    cols = [f"{p}.{r}" for p in PROCEEDING_KEYS for r in ("upheld", "corrected", "other", "pending", "total")]
    out = pd.concat([wide, tw], axis=1).reindex(index=pd.Index(ids, name="report_id"), columns=cols)
    return out.astype("Int64").reset_index().rename_axis(columns=None)


# --------------------------------------------------------------------------- grouping

BY: dict[str, list[str]] = {
    "report": ["report_id", "agency_key", "agency", "year"],
    "agency": ["agency_key", "agency"],
    "year": ["year"],
    "agency_year": ["agency_key", "agency", "year"],
    "level": ["level"],
    "region": ["region"],
}


def _by_columns(by) -> list[str]:
    if isinstance(by, str):
        if by not in BY:
            raise ValueError(f"by must be one of {', '.join(BY)} or a list of reports columns, not {by!r}")
        return list(BY[by])
    return list(by)


def n_corrected(f: Frames, tables: Sequence[str] = ("requests",)) -> pd.Series:
    """Given frames, return per report_id the number of its cells in ``tables`` that a person
    corrected (:mod:`govreports.corrections`): how many of its numbers rest on corrections."""
    parts = [df.loc[df["corrected"].astype("boolean").fillna(False).astype(bool), "report_id"]
             for df in (getattr(f, t) for t in tables) if "corrected" in df.columns]
    ids = pd.concat(parts) if parts else pd.Series(dtype="string")
    return ids.value_counts().astype("int64")


def _aggregate(f: Frames, per_report: pd.DataFrame, by, counts: Sequence[str],
               corrected_in: Sequence[str] = ("requests",)) -> pd.DataFrame:
    """Given per-report figures, sum ``counts`` per ``by`` group (NA if any report's is NA), with
    ``n_corrected`` (cells of ``corrected_in`` corrected by a person) beside them."""
    cols = _by_columns(by)
    reports = _usable_reports(f)
    missing = [c for c in cols if c not in reports.columns]
    if missing:
        raise ValueError(f"unknown reports column(s): {', '.join(missing)}")
    # group on agency_key, not the name (names vary across years); the name shown is the latest
    keys = [c for c in cols if not (c == "agency" and "agency_key" in cols)]
    meta_cols = list(dict.fromkeys(cols + ["report_id", "agency_key", "agency", "year"]))
    df = reports[meta_cols].merge(per_report, on="report_id", how="left")
    df["n_corrected"] = df["report_id"].map(n_corrected(f, corrected_in)).fillna(0).astype("int64")
    df = df.sort_values(["year", "report_id"], na_position="first")
    g = df.groupby(keys, dropna=False, sort=True)
    if len(df):
        sums = g[list(counts)].sum().astype("Int64")
        out = sums.mask(df[list(counts)].isna().groupby([df[k] for k in keys], dropna=False, sort=True).any())
    else:
        out = df[keys + list(counts)].set_index(keys)
    out = out.astype("Int64")
    out["n_corrected"] = g["n_corrected"].sum().astype("int64") if len(df) else pd.Series(dtype="int64")
    out["n_reports"] = g["report_id"].size() if len(df) else pd.Series(dtype="int64")
    out["report_ids"] = g["report_id"].agg(lambda s: ",".join(s)) if len(df) else pd.Series(dtype="string")
    if "agency" in cols and "agency" not in keys:
        out["agency"] = g["agency"].last()
    out = out.reset_index()
    return out[cols + list(counts) + ["n_corrected", "n_reports", "report_ids"]]


def _share(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    """num / den as float64, NaN where either is NA or den is 0 (never 0 for an empty base)."""
    n = num.to_numpy(dtype="float64", na_value=np.nan)
    d = den.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(d > 0, n / d * scale, np.nan)
    return pd.Series(v, index=num.index, dtype="float64")


# --------------------------------------------------------------------------- a corpus on disk
# A Corpus opened from Parquet (open_corpus) is not read into pandas for the analyses of tables 3
# and 4 and of reports before 2019: its per-report figures come from govreports.figures (DuckDB,
# part by part, kept), the few reports columns needed are read from reports.parquet in SQL (the
# reports table, about 1 GB in pandas at 1,000,000 reports, is not read), DuckDB joins them and
# sums the groups of several reports (a group of one report is its report's row), and the groups
# are ordered (and cross_year's agency x year grid laid out) with numpy over Arrow. The same holds
# for on_time_share (each report's timeliness, from the reports alone, worked out once and kept
# with the figures) and for the reports select() keeps (chosen in SQL, the reports not read). The
# results are those of the pandas code above, row for row and dtype for dtype
# (tests/test_analysis_fast.py, test_analysis_timeliness.py, test_analysis_select.py).

class DiskView:
    """Some reports of a corpus on disk, what :func:`select` returns for one: analyses scan the
    corpus's Parquet parts for these reports only; ``table(name)`` reads only their rows.
    ``reports=None`` is every report of the corpus, or those ``chosen`` (:func:`select`'s filters,
    each applied to the reports the one before kept); they are read only if asked for: the
    analyses read the columns they need from ``reports.parquet`` themselves."""

    def __init__(self, corpus, reports: pd.DataFrame | None = None, chosen: tuple["_Choice", ...] = ()):
        self.corpus, self._reports, self.chosen = corpus, reports, chosen

    @property
    def folder(self):
        return self.corpus.folder

    @property
    def reports(self) -> pd.DataFrame:
        if self._reports is None:
            r = _normalise_reports(self.corpus.reports)
            for choice in self.chosen:
                r = choice.rows(r)
            self._reports = r
        return self._reports

    def table(self, name: str, columns: list[str] | None = None, rows: dict[str, list] | None = None) -> pd.DataFrame:
        if self._reports is None and not self.chosen:
            return self.corpus.table(name, columns=columns, rows=rows)
        ids = list(self.reports["report_id"].dropna().unique())
        return self.corpus.table(name, columns=columns, rows={**(rows or {}), "report_id": ids})

    def __getattr__(self, name):
        if name in _frames.TABLES:
            return self.table(name)
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.corpus) if self._reports is None and not self.chosen else len(self.reports)


@dataclass(frozen=True)
class _Choice:
    """One :func:`select` of reports not read: the agencies (their keys), years, level and region
    kept (None: any), as a filter of a reports frame and as SQL."""

    agency_keys: tuple[str, ...] | None
    years: tuple[int, ...] | None
    level: str | None
    region: str | None

    def rows(self, r: pd.DataFrame) -> pd.DataFrame:
        if self.agency_keys is not None:
            r = r[r["agency_key"].isin(list(self.agency_keys))]
        if self.years is not None:
            r = r[r["year"].isin(list(self.years))]
        if self.level is not None:
            r = r[r["level"] == self.level]
        if self.region is not None:
            r = r[r["region"] == self.region]
        return r

    def sql(self) -> str:
        from . import figures as F

        def among(col, values):
            return f"{col} IN ({', '.join(values)})" if values else "false"

        where = []
        if self.agency_keys is not None:
            where.append(among("agency_key", [F._s(k) for k in self.agency_keys]))
        if self.years is not None:
            where.append(among("year", [str(y) for y in self.years]))
        where += [f"{c} = {F._s(v)}" for c, v in (("level", self.level), ("region", self.region)) if v is not None]
        return " AND ".join(where) or "true"


def _plain_file(corpus) -> "_ReportsFile | None":
    """The reports.parquet of a corpus whose reports are not read, if the analyses can read it in
    SQL as it is (:attr:`_ReportsFile.plain`)."""
    path = getattr(corpus, "reports_file", None)
    file = _reports_file(path) if path is not None else None
    return file if file is not None and file.plain else None


def _agency_keys(file: "_ReportsFile", chosen: Sequence[_Choice], agencies: Sequence[str]) -> list[str]:
    """:func:`_match_agencies` over the reports ``chosen`` of a reports.parquet: over those naming
    one of ``agencies`` exactly where each does (a few rows), else over every agency's names."""
    named = _agency_names(file, chosen, agencies)
    cols = [c for c in ("agency_key", "agency", "agency_as_printed") if c in named.columns]
    if all(any((named[c].astype("string").fillna("") == name).any() for c in cols) for name in agencies):
        return _match_agencies(named, agencies)
    return _match_agencies(_agency_names(file, chosen), agencies)


def _agency_names(file: "_ReportsFile", chosen: Sequence[_Choice], exactly: Sequence[str] = ()) -> pd.DataFrame:
    """The distinct agency keys and names (as printed too) of the reports ``chosen`` of a
    reports.parquet (those with a key or name among ``exactly``, if given): what
    :func:`_match_agencies` looks names up in (every report, as select's)."""
    from . import figures as F

    names = [c for c in ("agency_key", "agency", "agency_as_printed") if c in file.dtypes]
    cols = ", ".join(names)
    where = " AND ".join(c.sql() for c in chosen) or "true"
    if exactly:
        where += " AND (" + " OR ".join(f"coalesce({c}, '') IN {F._in(exactly)}" for c in names) + ")"
    con = F.connect()
    names = con.sql(f"SELECT DISTINCT {cols} FROM read_parquet({F._s(str(file.path))}) WHERE {where}").to_arrow_table()
    con.close()
    return names.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)


_READ = ("report_id", "agency_key", "agency", "year", "level", "region", "status", "duplicate_of", "template")


@dataclass(frozen=True)
class _ReportsFile:
    """What the analyses need to know of a ``reports.parquet`` before reading some of its
    columns in SQL: whether its rows are already what :func:`_normalise_reports` makes of them
    (``plain``), the pandas dtype of each column, the SQL choosing the usable reports, and
    whether a usable report is on the pre-2019 template."""

    path: Path
    plain: bool
    dtypes: dict
    usable: str
    pre2019: bool


def _reports_file(path: Path) -> _ReportsFile:
    st = path.stat()
    return _reports_file_of(str(path.resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _reports_file_of(path: str, size: int, mtime_ns: int) -> _ReportsFile:
    """:class:`_ReportsFile` of a file (one scan of five columns; kept per path, size and time)."""
    from . import figures as F
    from .corpus.store import _PANDAS_TYPES

    schema = pq.read_schema(path)
    empty = schema.empty_table().to_pandas(types_mapper=_PANDAS_TYPES.get)
    dtypes = empty.astype({c: t for c, t in REPORT_COLUMNS.items() if c in empty.columns}).dtypes.to_dict()
    if any(c not in dtypes for c in _READ) or str(dtypes["year"]) != "Int64":
        return _ReportsFile(Path(path), False, dtypes, "", False)

    def scan(target: Path) -> None:
        con = F.connect()
        rows = con.sql(f"SELECT status, duplicate_of, count(*) FILTER (WHERE agency_key IS NULL), count(region), "
                       f"count(*) FILTER (WHERE template = {F._s(PRE2019)}) FROM read_parquet({F._s(path)}) "
                       f"GROUP BY ALL").fetchall()
        con.close()
        target.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    # the scan's few rows are kept beside the figures (a fresh process would scan a million rows again)
    stem = "reports-" + hashlib.sha256(path.encode()).hexdigest()[:12]
    kept = F.kept(stem, f"{path}|{size}|{mtime_ns}|{PRE2019}", scan, suffix=".json")
    rows = [tuple(r) for r in json.loads(kept.read_text(encoding="utf-8"))]
    # the rules of _usable_reports (Python's strip and lower) on the few distinct values, then in SQL
    failed = sorted({st for st, *_ in rows if st is not None and st.lower() in FAILED_STATUSES})
    blank = sorted({d for _, d, *_ in rows if d is not None and not d.strip()})
    usable = "(duplicate_of IS NULL" + (f" OR duplicate_of IN {F._in(blank)})" if blank else ")")
    if failed:
        usable += f" AND coalesce(status, '') NOT IN {F._in(failed)}"
    pre = any(n and (st not in failed) and (d is None or d in blank) for st, d, _, _, n in rows)
    plain = sum(r[2] for r in rows) == 0 and sum(r[3] for r in rows) > 0
    return _ReportsFile(Path(path), plain, dtypes, usable, pre)


@dataclass(frozen=True)
class _Disk:
    folder: Path
    reports: pd.DataFrame | None  # the reports in memory (every row: usable ones are chosen in SQL), or
    findings: pd.DataFrame | None = None  # findings the Corpus holds in memory (cross-report ones added)
    file: _ReportsFile | None = None  # ... None and reports.parquet read in SQL, only the columns needed
    corpus: object = None
    chosen: tuple[_Choice, ...] = ()  # with the file: the reports select() kept (none: all)

    @property
    def where(self) -> str:
        """SQL of the reports chosen ("" for all)."""
        return " AND ".join(c.sql() for c in self.chosen)

    def read(self) -> "_Disk":
        """This with the reports read into pandas (for a column reports.parquet lacks: pandas adds it)."""
        disk = _normalised(self.folder, self.corpus.reports, self.findings)
        reports = disk.reports
        for choice in self.chosen:
            reports = choice.rows(reports)
        return dataclasses.replace(disk, reports=reports)

    @property
    def dtypes(self) -> dict:
        return self.file.dtypes if self.reports is None else self.reports.dtypes.to_dict()

    def any_pre2019(self) -> bool:
        """Whether a usable report is on the pre-2019 template."""
        if self.reports is None:
            if not (self.chosen and self.file.pre2019):
                return self.file.pre2019
            from . import figures as F   # the corpus has some: among the reports chosen?

            con = F.connect()
            n = con.sql(f"SELECT count(*) FROM read_parquet({F._s(str(self.file.path))}) WHERE {self.file.usable} "
                        f"AND {self.where} AND template = {F._s(PRE2019)}").fetchall()[0][0]
            con.close()
            return n > 0
        r = self.reports
        return bool((r["template"] == PRE2019).any()) and bool((_usable_reports(Frames(r, *[None] * 4))["template"]
                                                                == PRE2019).any())


def _on_disk(data) -> _Disk | None:
    """The corpus folder and reports of ``data`` where its cells are to be scanned on disk."""
    from . import figures as _figures

    base = data.corpus if isinstance(data, DiskView) else data
    folder = _figures.on_disk(base)
    if folder is None or not _figures.parts(folder, "requests"):
        return None
    held = getattr(base, "_tables", {}).get("findings")
    held = held[["report_id", "severity"]] if held is not None else None
    reports = data._reports if isinstance(data, DiskView) else None
    chosen = data.chosen if isinstance(data, DiskView) else ()
    if reports is None:
        file = _plain_file(base)   # the reports not read (nor replaced) in memory
        if file is not None:
            return _Disk(folder, None, held, file, base, chosen)
        reports = data.reports if chosen else base.reports
    return _normalised(folder, reports, held)


def _normalised(folder: Path, reports: pd.DataFrame, held: pd.DataFrame | None) -> _Disk:
    if any(c not in reports.columns for c in REPORT_COLUMNS) or reports["agency_key"].isna().any() \
            or reports["region"].isna().all() or reports["year"].dtype != "Int64":
        reports = _normalise_reports(reports)   # else normalising changes nothing (and costs 1 s on 1M reports)
    return _Disk(folder, reports, held)


def _usable_mask(reports: pa.Table) -> pa.ChunkedArray:
    """:func:`_usable_reports` of an Arrow table of reports, as a mask."""
    import pyarrow.compute as pc

    # string functions on the few distinct values, not on every row
    dup, status = reports["duplicate_of"].cast(pa.string()), reports["status"].cast(pa.string())
    marks = [v for v in pc.unique(dup).to_pylist() if v is not None and v.strip()]
    failed = [v for v in pc.unique(status).to_pylist() if v is not None and v.lower() in FAILED_STATUSES]
    keep = pc.invert(pc.is_in(dup, value_set=pa.array(marks, pa.string())))
    return pc.and_(keep, pc.invert(pc.is_in(status, value_set=pa.array(failed, pa.string()))))


_BY_ORDER = "year NULLS FIRST, report_id NULLS FIRST"  # pandas's order of reports within a group


def _legacy_sql(disk: _Disk, keys: Sequence[str]) -> str:
    """SQL of one row per report of the legacy table with ``keys`` as columns (DOUBLE), each the
    first stated value (:func:`legacy_figures`)."""
    from . import figures as F

    legacy = F.parts(disk.folder, "legacy")
    if not legacy:
        return "(SELECT NULL::VARCHAR AS report_id, " + ", ".join(f"NULL::DOUBLE AS {k}" for k in keys) + " WHERE false)"
    cols = ", ".join(f"first(value) FILTER (WHERE key = {F._s(k)} AND value IS NOT NULL) AS {k}" for k in keys)
    return f"(SELECT report_id, {cols} FROM {F.files_sql(legacy)} GROUP BY report_id)"


def _per_report_sql(disk: _Disk, source: str) -> str:
    """SQL of one row per report with the figures ``source`` aggregates (and n_corrected)."""
    from . import figures as F

    req = F.files_sql(F.figure_files(disk.folder, "requests"))
    if source in ("outcome_shares", "volumes"):
        return req
    if source == "timeliness_shares":   # "tl": _disk_timed, registered by whoever runs this SQL
        req = F.files_sql(F.figure_files(disk.folder, "requests"), ["report_id", "n_corrected"])
        return f"(SELECT tl.*, r.n_corrected FROM tl LEFT JOIN {req} r USING (report_id))"
    q = F._q
    if source == "legacy_shares":   # legacy_figures: answered only for reports on the pre-2019 template
        kinds = f"r.{GRANTED} + r.{PARTLY_GRANTED} + l.refused_all + l.other_answers"
        return (f"(SELECT report_id, r.n_corrected, round_even(l.refused_all, 0)::BIGINT AS refused_all, "
                f"round_even(l.other_answers, 0)::BIGINT AS other_answers, CASE WHEN rep.template = {F._s(PRE2019)} "
                f"THEN round_even(coalesce(r.{OUTCOME_TOTAL}::DOUBLE, {kinds}), 0)::BIGINT END AS answered "
                f"FROM rep LEFT JOIN {req} r USING (report_id) "
                f"LEFT JOIN {_legacy_sql(disk, ('refused_all', 'other_answers'))} l USING (report_id))")
    if F.parts(disk.folder, "appeals"):
        app = F.files_sql(F.figure_files(disk.folder, "appeals"))
    else:
        app = ("(SELECT NULL::VARCHAR AS report_id, " + ", ".join(
            f"NULL::BIGINT AS {q(f'{p}.{r}')}" for p in PROCEEDING_KEYS for r in (*F.APPEAL_RESULTS, "total"))
            + ", NULL::BIGINT AS n_corrected WHERE false)")
    leg = _legacy_sql(disk, ("suits_total",))
    cols = []
    for res in ("upheld", "corrected", "other", "pending", "total"):
        name = "" if res == "total" else "_" + res
        cols.append(f"a.{q('review.' + res)} AS {q('reviews' + name)}")
        suits = f"a.{q('suit_direct.' + res)} + a.{q('suit_after_review.' + res)}"
        total = f"coalesce({suits}, round_even(l.suits_total, 0)::BIGINT)"
        cols.append(f"{total if res == 'total' else suits} AS {q('suits' + name)}")
    return (f"(SELECT report_id, r.{HANDLED}, {', '.join(cols)}, "
            f"coalesce(r.n_corrected, 0) + coalesce(a.n_corrected, 0) AS n_corrected "
            f"FROM {req} r FULL JOIN {app} a USING (report_id) LEFT JOIN {leg} l USING (report_id))")


def _errors_sql(disk: _Disk) -> str:
    from . import figures as F

    if disk.findings is not None:  # registered as "held" by _disk_query
        return "(SELECT report_id, count(*) AS n_errors FROM held WHERE severity = 'error' GROUP BY report_id)"
    kept = F.figure_files(disk.folder, "findings")   # error findings per report, counted once per part
    if not kept:
        return "(SELECT NULL::VARCHAR AS report_id, 0::BIGINT AS n_errors WHERE false)"
    return f"(SELECT report_id, sum(n_errors)::BIGINT AS n_errors FROM {F.files_sql(kept)} GROUP BY report_id)"


_JOINED = "4"   # the layout of the pre-joined files: a new value makes new files


@functools.lru_cache(maxsize=1)
def _timeliness_code() -> str:
    """What the kept per-report timeliness depends on besides the reports: the code of the rules."""
    import inspect

    from . import agencies, deadlines

    code = [inspect.getsource(m) for m in (deadlines, agencies)] + [inspect.getsource(f) for f in (
        _timeliness_of, _codes, _objects, _published_dates, _timed, _usable)]
    return hashlib.sha256("\n".join(code).encode()).hexdigest()[:16]


def _joined_file(disk: _Disk, source: str, errors: bool) -> Path | None:
    """The usable reports of a corpus on disk (the columns analyses group by, and ``_pos``, the
    row in reports.parquet), each with the figures of ``source`` (and its error count), joined
    once by DuckDB and kept beside the figures (None where the reports are in memory). ``_ay_several``
    marks the reports whose agency and year hold several usable reports, ``_agency`` is the rank
    of the agency_key among the corpus's (code-point order: the order of the results). A warm analysis then
    reads one file and joins nothing (at 1,000,000 reports the join was most of its time).

    The file is keyed by reports.parquet's path, size and time, its usable-report rule and the
    SQL of the figures (which names the kept figure files, themselves keyed by the parts): a
    rebuilt corpus gets a new file, the older one of the same corpus and source goes."""
    from . import figures as F

    if disk.reports is not None or (errors and disk.findings is not None):
        return None
    path = disk.file.path
    per = _per_report_sql(disk, source)
    err = f" LEFT JOIN {_errors_sql(disk)} e USING (report_id)" if errors else ""
    st = path.stat()
    key = "\n".join([_JOINED, str(path), str(st.st_size), str(st.st_mtime_ns), disk.file.usable, per, err,
                     _timeliness_code() if source == "timeliness_shares" else ""])
    stem = f"joined-{source}{'-errors' if errors else ''}-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    cols = ", ".join(F._q(c) for c in _READ)

    def write(target: Path) -> None:
        con = F.connect()
        if source == "timeliness_shares":
            con.register("tl", _disk_timed(disk))
        # groups and ranks joined, not windows over a million rows (at 1,000,000 reports windows
        # took 2 GB, this 0.8 GB); the rows stay about in reports.parquet's order (no sort: nothing
        # needs it exactly, but later reads in that order take their rows' neighbours)
        con.execute(f"CREATE TEMP VIEW rep AS SELECT {cols}, file_row_number AS _pos FROM read_parquet("
                    f"{F._s(str(path))}, file_row_number = true) WHERE {disk.file.usable}")
        con.execute(f"""COPY (
            WITH ay AS (SELECT agency_key, year, count(*) > 1 AS _ay_several FROM rep GROUP BY ALL),
            k AS (SELECT agency_key, (row_number() OVER (ORDER BY agency_key) - 1)::BIGINT AS _agency
                  FROM (SELECT DISTINCT agency_key FROM rep WHERE agency_key IS NOT NULL))
            SELECT rep.*, p.* EXCLUDE (report_id){', e.n_errors' if errors else ''}, ay._ay_several, k._agency
            FROM rep LEFT JOIN {per} p USING (report_id){err}
            JOIN ay ON ay.agency_key IS NOT DISTINCT FROM rep.agency_key AND ay.year IS NOT DISTINCT FROM rep.year
            LEFT JOIN k ON k.agency_key = rep.agency_key) TO {F._s(str(target))} (FORMAT parquet)""")
        con.close()

    return F.kept(stem, key, write)


# an agency's level and region: those of its latest report that has one
_META_SQL = ("SELECT agency_key, " + ", ".join(
    f"arg_max({c}, coalesce(year, 999999) * 1000000000 + _pos) FILTER (WHERE {c} IS NOT NULL) AS {c}"
    for c in ("level", "region")) + " FROM rep WHERE agency_key IS NOT NULL GROUP BY agency_key")


def _meta_file(joined: Path) -> Path:
    """Each agency's level and region (:data:`_META_SQL`), rank (``_agency``) and latest known
    name (that of its latest report with a name, by year, no year last: what
    :func:`_agency_year_grid` finds) of a pre-joined file, in the order of the ranks, kept beside it."""
    from . import figures as F

    def write(target: Path) -> None:
        con = F.connect()
        con.execute(f"CREATE TEMP VIEW rep AS SELECT * FROM read_parquet({F._s(str(joined))})")
        sql = _META_SQL.replace("SELECT agency_key, ", "SELECT agency_key, any_value(_agency) AS _agency, "
                                "last(agency ORDER BY coalesce(year, 999999), report_id NULLS FIRST) "
                                "FILTER (WHERE agency IS NOT NULL) AS agency, ", 1)
        con.execute(f"COPY ({sql} ORDER BY _agency) TO {F._s(str(target))} (FORMAT parquet)")
        con.close()

    return F.kept(joined.name.rsplit("-", 1)[0].replace("joined-", "meta-", 1), joined.name, write)


def _disk_query(disk: _Disk, by, source: str, sums: dict[str, str], errors: bool = False,
                meta: bool = False, years: Sequence[int] | bool | None = None) -> pd.DataFrame:
    """The by-groups of the usable reports with ``sums`` ({name: SQL over the groups' figure
    sums ``F.<figure>``}), n_corrected, n_reports, report_ids (and n_errors; level and region of
    each agency; a row for every agency and year of ``years``, without those years' reports
    missing), as :func:`_aggregate` and :func:`by_agency_year` compute them, in DuckDB."""
    from . import figures as F

    q = F._q
    cols = _by_columns(by)
    if disk.reports is None and any(c not in disk.dtypes for c in cols):
        disk = disk.read()
    dtypes = disk.dtypes
    missing = [c for c in cols if c not in dtypes]
    if missing:
        raise ValueError(f"unknown reports column(s): {', '.join(missing)}")
    keys = [c for c in cols if not (c == "agency" and "agency_key" in cols)]
    wanted = list(dict.fromkeys(cols + ["report_id", "agency_key", "agency", "year", "level", "region", "status",
                                        "duplicate_of", "template"]))
    figures = sorted({f for expr in sums.values() for f in re.findall(r"F\.([A-Za-z_][\w.]*)", expr)})
    fsum = ", ".join(f"CASE WHEN count({q(f)}) = count(*) THEN sum({q(f)})::BIGINT END AS {q(f)}" for f in figures)
    group = ", ".join(q(k) for k in keys)
    first = [q(k) for k in keys]
    same = " AND ".join(f"d.{k} IS NOT DISTINCT FROM x.{k}" for k in first)
    named = "agency" in cols and "agency" not in keys
    keyed = ", ".join("d." + k for k in first)
    # Most groups (an agency's report of a year) hold one report: its figures are the group's,
    # no aggregate needed (aggregating a million one-report groups is most of the time). Only
    # the groups of several reports are aggregated, with report_ids in pandas's order and the
    # latest agency name (ordered aggregates).
    joined = _joined_file(disk, source, errors) if all(c in _READ for c in wanted) else None
    # agencies ranked in the file: neither the grid nor the order of the groups ranks them again
    # (reports chosen by select: their agencies' names, levels and regions are those of the reports kept)
    ranked = joined is not None and not disk.chosen and (years is not None or keys == ["agency_key", "year"])
    # the grid takes the agencies' keys and names from the kept meta: a report's own are not read
    gridded = ranked and years is not None
    one = ["NULL::VARCHAR AS agency_key, d.year, _agency" if gridded else keyed + (", _agency" if ranked else ""),
           *(f"{q(f)}::BIGINT AS {q(f)}" for f in figures),
           "coalesce(n_corrected, 0)::BIGINT AS n_corrected",
           "1::BIGINT AS n_reports", "report_id AS report_ids"]
    many = [keyed, *(["any_value(_agency) AS _agency"] if ranked else []), *([fsum] if fsum else []),
            "coalesce(sum(n_corrected), 0)::BIGINT AS n_corrected",
            "count(*)::BIGINT AS n_reports", f"string_agg(report_id, ',' ORDER BY {_BY_ORDER}) AS report_ids"]
    if named:
        one.append("NULL::VARCHAR AS agency" if gridded else "agency")
        many.append(f"last(agency ORDER BY {_BY_ORDER}) FILTER (WHERE agency IS NOT NULL) AS agency")
    if errors:
        one.append("coalesce(n_errors, 0)::BIGINT AS n_errors")
        many.append("coalesce(sum(n_errors), 0)::BIGINT AS n_errors")
    if joined is not None and keys == ["agency_key", "year"]:   # the groups of several: marked in the file
        sql = ["WITH d AS NOT MATERIALIZED (SELECT * FROM rep),",
               f"g AS (SELECT {', '.join(one)} FROM d WHERE NOT _ay_several "
               f"UNION ALL BY NAME SELECT {', '.join(many)} FROM d WHERE _ay_several GROUP BY {keyed}),"]
    else:
        joins = "" if joined is not None else f" LEFT JOIN {_per_report_sql(disk, source)} p USING (report_id)" + (
            f" LEFT JOIN {_errors_sql(disk)} e USING (report_id)" if errors else "")
        sql = [f"WITH x AS (SELECT {group} FROM rep GROUP BY {group} HAVING count(*) > 1),",
               f"d AS NOT MATERIALIZED (SELECT * FROM rep{joins}),",
               f"g AS (SELECT {', '.join(one)} FROM d ANTI JOIN x ON {same} "
               f"UNION ALL BY NAME SELECT {', '.join(many)} FROM d SEMI JOIN x ON {same} GROUP BY {keyed}),"]
    sql.append("s AS (SELECT *" + (" EXCLUDE (" + ", ".join(q(f) for f in figures) + ")" if figures else "")
               + "".join(f", {expr.replace('F.', '')} AS {q(n)}" for n, expr in sums.items()) + " FROM g)")
    con = F.connect()
    con.execute("SET preserve_insertion_order = false")   # the groups are ordered here, after
    # the usable reports, as a view (a CTE over them would be materialized: read them as they are)
    chosen = f" AND {disk.where}" if disk.chosen else ""
    if joined is not None:   # the usable reports with their figures, joined once and kept
        con.execute(f"CREATE TEMP VIEW rep AS SELECT * FROM read_parquet({F._s(str(joined))}) WHERE true{chosen}")
    elif disk.reports is None:   # only the columns needed, straight from reports.parquet
        con.execute(f"CREATE TEMP VIEW rep AS SELECT {', '.join(q(c) for c in wanted)}, file_row_number AS _pos "
                    f"FROM read_parquet({F._s(str(disk.file.path))}, file_row_number = true) "
                    f"WHERE {disk.file.usable}{chosen}")
    else:
        raw = pa.Table.from_pandas(disk.reports[wanted], preserve_index=False)
        raw = raw.append_column("_pos", pa.array(np.arange(raw.num_rows, dtype="int64")))
        con.register("rep", raw.filter(_usable_mask(raw)))
    if errors and disk.findings is not None:
        con.register("held", pa.Table.from_pandas(disk.findings, preserve_index=False))
    if joined is None and source == "timeliness_shares":
        con.register("tl", _disk_timed(disk))
    # the groups come unordered: sorting a million wide rows in SQL costs more than sorting their keys here
    out = con.sql("\n".join(sql) + " SELECT * FROM s").to_arrow_table().combine_chunks()
    m = None
    if meta:
        m = pq.read_table(_meta_file(joined)) if ranked else con.sql(_META_SQL).to_arrow_table()
    con.close()
    out = _agency_year_grid(out, m, years) if years is not None else _ordered(out, keys, m)
    out = out.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype()}.get)
    for c in cols + (["level", "region"] if meta or years is not None else []):
        out[c] = out[c].astype(dtypes[c])
    for c in sums:
        out[c] = out[c].astype("Int64")
    out["n_corrected"] = out["n_corrected"].astype("int64" if years is None else "Int64")
    out["n_reports"] = out["n_reports"].astype("Int64" if len(out) or years is not None else "int64")  # as pandas
    return out


def _ranked(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Given a column, return each row's rank among the column's distinct values (strings in
    code-point order, null last: SQL's ORDER BY ... NULLS LAST, pandas's sorted groupby) and the
    distinct values in that order (one hash pass, then a sort of the distinct values only)."""
    coded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
    order = pc.array_sort_indices(coded.dictionary, null_placement="at_end").to_numpy()
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    return rank[coded.indices.to_numpy()], coded.dictionary.take(pa.array(order))


def _kept_ranks(code: pa.ChunkedArray, m: pa.Table | None) -> tuple[np.ndarray, pa.Array]:
    """:func:`_ranked` of the agency keys from their ranks in a pre-joined file (no key: last),
    the keys from its meta ``m`` where given (else only their number counts)."""
    n = (pc.max(code).as_py() or 0) + 1 if code.null_count < len(code) else 0
    values = pa.nulls(n + 1, pa.string()) if m is None else pa.concat_arrays(
        [m["agency_key"].combine_chunks().cast(pa.string()), pa.nulls(1, pa.string())])
    return code.fill_null(n).to_numpy(), values


def _with_meta(table: pa.Table, key_rank: np.ndarray, keys: pa.Array, m: pa.Table | None) -> pa.Table:
    """``table`` with each agency's level and region from ``m`` (agency_key, level, region), its
    rows' agency_key ranked as ``key_rank`` among ``keys`` (an agency not in ``m``: null)."""
    if m is None:
        return table
    row_of = np.full(len(keys), -1, dtype="int64")
    row_of[pc.index_in(m["agency_key"], value_set=keys).to_numpy()] = np.arange(m.num_rows)
    at = row_of[key_rank]
    at = pa.array(at, mask=at < 0)
    return table.append_column("level", m["level"].take(at)).append_column("region", m["region"].take(at))


def _ordered(table: pa.Table, keys: Sequence[str], m: pa.Table | None) -> pa.Table:
    """The groups ``table`` ordered by ``keys`` (with level and region from ``m`` where given;
    agencies ranked by ``_agency`` where the table has it: see :func:`_joined_file`)."""
    ranks = [_ranked(table[k]) if not (k == "agency_key" and "_agency" in table.column_names)
             else _kept_ranks(table["_agency"], m) for k in keys]
    if "_agency" in table.column_names:
        table = table.drop_columns(["_agency"])
    if m is not None:
        keyed = next((r for k, r in zip(keys, ranks) if k == "agency_key"), None)   # else ranked here, only then
        table = _with_meta(table, *(keyed or _ranked(table["agency_key"])), m)
    sizes = [len(values) for _, values in ranks]
    if not ranks:
        return table
    if np.prod(np.array(sizes, dtype="float64")) < 2.0 ** 62:   # one integer key: one sort
        key = np.zeros(table.num_rows, dtype="int64")
        for rank, size in zip((r for r, _ in ranks), sizes):
            key = key * size + rank
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort([r for r, _ in ranks][::-1])
    return table.take(pa.array(order))


def _agency_year_grid(ay: pa.Table, m: pa.Table, years: Sequence[int] | bool) -> pa.Table:
    """:func:`cross_year`'s rows from the agency-year groups ``ay`` (agency_key, year, agency,
    figures) and each agency's level and region ``m``: every agency (with a key) x every year of
    ``years`` (True: from the first to the last year of ``ay``), ordered; the group's figures
    where there is one, and on every row the agency's name of its latest group that has one.
    Where ``ay`` has each agency's rank (``_agency``) and ``m`` is ordered by it, with each
    agency's latest name (:func:`_meta_file`), nothing is ranked nor sorted here."""
    if "_agency" in ay.column_names:
        code, names = ay["_agency"].fill_null(-1).to_numpy(), m["agency_key"]
        ay = ay.drop_columns(["_agency"])
    else:
        code, names = _ranked(ay["agency_key"])
        if names.null_count:   # ranked last: not an agency of the grid
            names = names.slice(0, len(names) - 1)
            code = np.where(code < len(names), code, -1)
    year = ay["year"]
    if years is True:
        lo, hi = pc.min(year).as_py(), pc.max(year).as_py()
        yrs = np.arange(lo, hi + 1, dtype="int64") if lo is not None else np.zeros(0, "int64")
    else:
        yrs = np.array(sorted({int(y) for y in years}), dtype="int64")
    y = year.fill_null(-(2 ** 62)).to_numpy()
    at = np.minimum(np.searchsorted(yrs, y), max(len(yrs) - 1, 0))
    keyed = code >= 0
    placed = keyed & (yrs[at] == y) if len(yrs) else np.zeros(len(y), bool)
    rows = np.full(len(names) * len(yrs), -1, dtype="int64")
    rows[code[placed] * len(yrs) + at[placed]] = np.flatnonzero(placed)
    body = ay.drop_columns(["agency_key", "year", "agency"]).take(pa.array(rows, mask=rows < 0))
    every = pa.array(np.repeat(np.arange(len(names)), len(yrs)))
    out = {"agency_key": names.take(every), "year": pa.array(np.tile(yrs, len(names)))}
    out.update((c, body[c]) for c in body.column_names)
    if "_agency" in m.column_names:   # the meta of a pre-joined file: in the order of the ranks
        out["agency"] = m["agency"].take(every)
        out.update((c, m[c].take(every)) for c in ("level", "region"))
        return pa.table(out)
    # each agency's latest known name: its groups by year (no year last), the last one with a name
    mine = np.flatnonzero(keyed)
    order = mine[np.lexsort((np.where(year.is_null().to_numpy(zero_copy_only=False), 2 ** 62, y)[mine], code[mine]))]
    starts = np.flatnonzero(np.r_[True, code[order][1:] != code[order][:-1]]) if len(order) else order
    named = ay["agency"].is_valid().to_numpy(zero_copy_only=False)[order]
    last = np.maximum.reduceat(np.where(named, np.arange(len(order)), -1), starts) if len(order) else order
    pick = np.where(last >= 0, order[np.maximum(last, 0)], -1)
    out["agency"] = ay["agency"].take(pa.array(pick, mask=pick < 0)).take(every)
    grid = pa.table(out)
    return _with_meta(grid, np.repeat(np.arange(len(names)), len(yrs)), names, m)

def _disk_aggregate(disk: _Disk, by, source: str, counts: Sequence[str]) -> pd.DataFrame:
    """:func:`_aggregate` of the per-report figures of ``source``, in DuckDB."""
    out = _disk_query(disk, by, source, {c: f"F.{c}" for c in counts})
    return out[_by_columns(by) + list(counts) + ["n_corrected", "n_reports", "report_ids"]]


def _num_den_sql(measure: str) -> dict[str, str]:
    """SQL over figure sums of a measure's numerator and denominator (a sum with a missing part is missing)."""
    m = MEASURES[measure]
    den = m.denominator
    if den == template.CONCLUDED:
        den_sql = " + ".join(f"F.{p}_{r}" for p in ("reviews", "suits") for r in ("upheld", "corrected", "other"))
    else:
        den_sql = f"F.{den}" if den else "NULL::BIGINT"
    return {"numerator": " + ".join(f"F.{n}" for n in m.numerator), "denominator": den_sql}


def _value(measure: str, num: pd.Series, den: pd.Series) -> pd.Series:
    m = MEASURES[measure]
    return _share(num, den, m.scale) if m.denominator else num.astype("Float64").astype("float64")


# --------------------------------------------------------------------------- measures

OUTCOME_COUNTS = (HANDLED, OUTCOME_TOTAL, *SHARE_OF_HANDLED, RECEIVED_NEW, CARRIED_OVER, CARRIED_FORWARD)


def _summed(data, by: str, kind: str, counts, figures) -> pd.DataFrame:
    """The per-report ``counts`` summed per ``by`` group: in DuckDB for a corpus on disk (the
    figures of analysis ``kind``), else from ``figures(frames)`` in pandas."""
    disk = _on_disk(data)
    if disk is not None:
        return _disk_aggregate(disk, by, kind, counts)
    f = frames_of(data)
    return _aggregate(f, figures(f), by, counts)


def outcome_shares(data, by="report") -> pd.DataFrame:
    """Given any input, return how requests ended, per ``by`` group.

    ``by`` is "report", "agency", "year", "agency_year", "level", "region" or a list of columns of
    the reports table. Columns: the by-columns, handled, outcome_total (the printed （七）总计,
    kept beside handled), granted, partly_granted, denied, unavailable, not_processed, other,
    received_new, carried_over, carried_forward (Int64 sums), refused_share (denied / handled),
    unanswerable_share (unavailable / handled), refused_or_unanswerable_share, granted_share,
    partly_granted_share, not_processed_share, other_share (float64; NaN over a handled of 0 or
    NA), n_reports, report_ids.

    >>> outcome_shares(shanghai_2019)[["handled", "denied", "refused_share"]]   # doctest: +SKIP
       handled  denied  refused_share
           805      35       0.043478
    """
    out = _summed(data, by, "outcome_shares", OUTCOME_COUNTS, report_figures)
    out["refused_share"] = _share(out["denied"], out["handled"])
    out["unanswerable_share"] = _share(out["unavailable"], out["handled"])
    out["refused_or_unanswerable_share"] = _share(out["denied"] + out["unavailable"], out["handled"])
    for k in (GRANTED, PARTLY_GRANTED, "not_processed", "other"):
        out[f"{k}_share"] = _share(out[k], out["handled"])
    shares = [c for c in out.columns if c.endswith("_share")]
    return out[_by_columns(by) + list(OUTCOME_COUNTS) + ["n_corrected"] + shares + ["n_reports", "report_ids"]]


REASON_GROUPS = {g: GROUP_PHRASES[g][-1] for g in ("denied", "unavailable")}  # 不予公开, 无法提供
_NUMBERING = re.compile(r"^\s*\d+[.．、]\s*")


def reason_label(key: str) -> str:
    """Given a row key, return its printed Chinese label without the numbering.

    >>> reason_label("denied.third_party")
    '保护第三方合法权益'
    """
    return _NUMBERING.sub("", ROW_BY_KEY[key].label)


def refusal_reasons(data, by="report") -> pd.DataFrame:
    """Given any input, return the grounds of 不予公开 (8) and 无法提供 (3), long.

    Columns: the by-columns, group ("denied" or "unavailable"), group_label (不予公开 / 无法提供),
    reason (row key), label (its printed Chinese label), count (Int64), handled, share (count /
    handled, NaN over 0), n_reports, report_ids.

    >>> refusal_reasons(shanghai_2019).query("reason == 'denied.state_secret'")[["label", "count", "share"]]  # doctest: +SKIP
          label  count     share
         属于国家秘密     14  0.017391
    """
    f = frames_of(data)
    reasons = [k for g in REASON_GROUPS for k in GROUP_ROWS[g]]
    wide = _aggregate(f, report_figures(f), by, ["handled", *reasons])
    cols = _by_columns(by)
    long = wide.melt(id_vars=cols + ["handled", "n_corrected", "n_reports", "report_ids"], value_vars=reasons,
                     var_name="reason", value_name="count")
    long["count"] = long["count"].astype("Int64")
    long["group"] = long["reason"].str.split(".").str[0]
    long["group_label"] = long["group"].map(REASON_GROUPS)
    long["label"] = long["reason"].map(reason_label)
    long["share"] = _share(long["count"], long["handled"])
    order = {k: i for i, k in enumerate(reasons)}
    long = long.assign(_o=long["reason"].map(order)).sort_values(cols + ["_o"], kind="stable").drop(columns="_o")
    return long[cols + ["group", "group_label", "reason", "label", "count", "handled", "share", "n_corrected",
                        "n_reports", "report_ids"]].reset_index(drop=True)


VOLUME_COUNTS = [f"received_{a}" for a in APPLICANT_PARTS] + [RECEIVED_NEW, CARRIED_OVER, HANDLED, CARRIED_FORWARD]


def volumes(data, by="report") -> pd.DataFrame:
    """Given any input, return how many requests came in, from whom, and what was carried.

    Columns: the by-columns, received_<applicant> for natural_person, commercial, research,
    social_org, legal_service, other_org (the applicant cells of 一、本年新收), received_new (its
    figure), carried_over, handled, carried_forward (Int64), n_reports, report_ids.

    >>> volumes(shanghai_2019)[["received_natural_person", "received_new", "carried_forward"]]  # doctest: +SKIP
       received_natural_person  received_new  carried_forward
                           821           859               72
    """
    disk = _on_disk(data)
    if disk is not None:
        return _disk_aggregate(disk, by, "volumes", VOLUME_COUNTS)
    f = frames_of(data)
    per = report_figures(f)
    rq = f.requests[(f.requests["row"] == RECEIVED_NEW) & f.requests["applicant"].isin(APPLICANT_PARTS)]
    app = rq.pivot_table(index="report_id", columns="applicant", values="value", aggfunc="first")
    app = app.reindex(columns=list(APPLICANT_PARTS)).add_prefix("received_").astype("Int64").reset_index()
    per = per.merge(app, on="report_id", how="left")
    counts = VOLUME_COUNTS
    return _aggregate(f, per, by, counts)


APPEAL_COUNTS = ("handled", "reviews", "reviews_upheld", "reviews_corrected", "reviews_other", "reviews_pending",
                 "suits", "suits_upheld", "suits_corrected", "suits_other", "suits_pending")


def appeals_rates(data, by="report") -> pd.DataFrame:
    """Given any input, return reviews and suits per 100 handled requests and how they ended.

    Columns: the by-columns, handled, reviews (行政复议 total), reviews_upheld, reviews_corrected,
    reviews_other, reviews_pending, suits (未经复议直接起诉 + 复议后起诉 totals), suits_upheld,
    suits_corrected, suits_other, suits_pending (Int64), reviews_per_100, suits_per_100 (per 100
    handled), review_corrected_share, suit_corrected_share, corrected_share (纠正率: corrected /
    (upheld + corrected + other), the concluded cases; NaN when none concluded), n_reports,
    report_ids.

    >>> appeals_rates(shanghai_2019)[["reviews", "suits", "corrected_share"]]   # doctest: +SKIP
       reviews  suits  corrected_share
             7      9              0.0
    """
    disk = _on_disk(data)
    if disk is not None:
        out = _disk_aggregate(disk, by, "appeals_rates", APPEAL_COUNTS)
    else:
        f = frames_of(data)
        per = report_figures(f)[["report_id", "handled"]].merge(appeal_figures(f), on="report_id", how="left")
        for res in ("upheld", "corrected", "other", "pending", "total"):
            name = "" if res == "total" else "_" + res
            per["reviews" + name] = per[f"review.{res}"]
            per["suits" + name] = (per[f"suit_direct.{res}"] + per[f"suit_after_review.{res}"]).astype("Int64")
        per["suits"] = per["suits"].fillna(per["report_id"].map(legacy_figures(f).set_index("report_id")["suits_total"]))
        out = _aggregate(f, per, by, APPEAL_COUNTS, corrected_in=("requests", "appeals"))
    out["reviews_per_100"] = _share(out["reviews"], out["handled"], 100)
    out["suits_per_100"] = _share(out["suits"], out["handled"], 100)
    concluded = {p: out[f"{p}_upheld"] + out[f"{p}_corrected"] + out[f"{p}_other"] for p in ("reviews", "suits")}
    out["review_corrected_share"] = _share(out["reviews_corrected"], concluded["reviews"])
    out["suit_corrected_share"] = _share(out["suits_corrected"], concluded["suits"])
    out["corrected_share"] = _share(out["reviews_corrected"] + out["suits_corrected"],
                                    concluded["reviews"] + concluded["suits"])
    cols = _by_columns(by)
    return out[cols + list(APPEAL_COUNTS) + ["reviews_per_100", "suits_per_100", "review_corrected_share",
                                             "suit_corrected_share", "corrected_share", "n_corrected", "n_reports",
                                             "report_ids"]]


def legacy_figures(data) -> pd.DataFrame:
    """Given any input, return one row per report with the figures of reports before 2019 that
    have no modern cell (``Report.legacy``): refused_all, other_answers, suits_total, complaints,
    fees_yuan (NA where not stated; every modern report is NA), and ``answered``: the printed
    答复总数, else the sum of the four kinds of answer (granted, partly granted, refused_all,
    other_answers) where all four are stated."""
    f = frames_of(data)
    ids = f.reports["report_id"].drop_duplicates()
    wide = f.legacy.pivot_table(index="report_id", columns="key", values="value", aggfunc="first")
    wide = wide.reindex(index=pd.Index(ids, name="report_id"),
                        columns=["refused_all", "other_answers", "suits_total", "complaints", "fees_yuan"])
    wide = wide.astype("Float64")
    per = report_figures(f).set_index("report_id")
    kinds = pd.concat([per[GRANTED].astype("Float64"), per[PARTLY_GRANTED].astype("Float64"),
                       wide["refused_all"], wide["other_answers"]], axis=1).sum(axis=1, skipna=False)
    wide["answered"] = per[OUTCOME_TOTAL].astype("Float64").reindex(wide.index).fillna(kinds.reindex(wide.index))
    pre = f.reports.drop_duplicates("report_id").set_index("report_id")["template"].reindex(wide.index) == PRE2019
    wide["answered"] = wide["answered"].where(pre.fillna(False).to_numpy())
    for c in ("refused_all", "other_answers", "suits_total", "complaints", "answered"):
        wide[c] = wide[c].round().astype("Int64")
    return wide.reset_index().rename_axis(columns=None)


LEGACY_COUNTS = ("answered", "refused_all", "other_answers")


def legacy_shares(data, by="report") -> pd.DataFrame:
    """Given any input, return how requests ended in reports before 2019, per ``by`` group.

    ``refused_all_share = refused_all / answered``: 否决公开 / 不予公开答复数 counts every kind of
    refusal in one figure (what 2019 splits into 不予公开, 无法提供, 不予处理 …), so it is NOT the
    modern ``refused_share`` and the two are never mixed in one series. Columns: the by-columns,
    answered, refused_all, other_answers (Int64 sums), refused_all_share, n_corrected, n_reports, report_ids.
    """
    out = _summed(data, by, "legacy_shares", LEGACY_COUNTS, legacy_figures)
    out["refused_all_share"] = _share(out["refused_all"], out["answered"])
    return out[_by_columns(by) + list(LEGACY_COUNTS) + ["refused_all_share", "n_corrected", "n_reports", "report_ids"]]


# --------------------------------------------------------------------------- timeliness

TIMELINESS_COLUMNS = ["report_id", "agency_key", "agency", "year", "level", "region", "kind", "published",
                      "published_source", "deadline", "days_late", "on_time", "rule", "no_deadline"]


def _published_dates(reports: pd.DataFrame) -> pd.Series:
    """The reports' ``published`` as dates (NaT where missing or unreadable), whatever its dtype."""
    if "published" not in reports.columns:
        return pd.Series(pd.NaT, index=reports.index, dtype="datetime64[ns]")
    # each distinct value once (pandas infers the format from the first value given: the same first here)
    codes, values = pd.factorize(reports["published"], use_na_sentinel=True)
    dates = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce", utc=True)
    dates = pd.array(dates.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]"))
    return pd.Series(dates.take(codes, allow_fill=True), index=reports.index, dtype="datetime64[ns]")


def timeliness(data) -> pd.DataFrame:
    """Given any input, return one row per report: was it published on time?

    The deadline is declared in :mod:`govreports.deadlines` (the Regulations, art. 49 since the
    2019 revision: a department of a government at county level and above by 31 January, a
    local government's own report by 31 March; art. 31 of the 2007 text before). Columns:
    report_id, agency_key, agency, year, level, region, kind (department, government, township,
    government_office, unknown), published (date), published_source (manifest, page, signature),
    deadline, days_late (Int64: published − deadline in days; negative = early), on_time
    (boolean), rule (the article cited), no_deadline (why there is no deadline or no date: a kind
    the Regulations set no date for, a kind the name cannot tell, no year, no publication date).
    A report without a deadline or a date has days_late and on_time missing, never a guess.

    >>> timeliness(corpus)[["agency", "year", "published", "deadline", "days_late", "on_time"]]  # doctest: +SKIP
             agency  year  published    deadline  days_late  on_time
      上海市人民政府办公厅  2019 2020-01-31  2020-01-31          0     True
    """
    return _timeliness_of(_usable(_reports_only(data)))


_NO_DATE = "no publication date (not in a fetch manifest, the page or the report's end)"


def _codes(*columns) -> tuple[np.ndarray, np.ndarray]:
    """Given columns, return each row's code of its combination of values (NA a value like any
    other) and the first row of each code, so a function of the values runs once per combination."""
    code = np.zeros(len(columns[0]), dtype="int64")
    for col in columns:
        c, uniques = pd.factorize(col, use_na_sentinel=True)
        code = pd.factorize(code * (len(uniques) + 1) + (c + 1))[0]
    firsts = np.unique(code, return_index=True)[1]
    return code, firsts


def _objects(values: pd.Series) -> list:
    """The values as Python objects, None for NA (what the functions of govreports.deadlines take)."""
    out = values.to_numpy(dtype=object)
    out[pd.isna(out)] = None
    return out.tolist()


def _timeliness_of(r: pd.DataFrame) -> pd.DataFrame:
    """:func:`timeliness` of usable reports: the rules of :mod:`govreports.deadlines` run once per
    distinct agency name and level (the title only where it can matter: a general office's) and once
    per distinct kind and year, not once per report (a national corpus has a million reports and a
    few hundred thousand agencies)."""
    from . import deadlines as _dl

    code, firsts = _codes(r["agency"], r["level"])
    kinds: dict[tuple[str, str], int] = {}   # (kind, reason) -> its number
    per_name = [_dl.kind_of(a, lv, None) for a, lv in zip(_objects(r["agency"].iloc[firsts]),
                                                          _objects(r["level"].iloc[firsts]))]
    kind = np.array([kinds.setdefault(k, len(kinds)) for k in per_name], dtype="int64")[code]
    # a general office is a department where its title names it: the one case the title decides
    offices = np.flatnonzero(kind == kinds.get(("government_office", ""), -1))
    if len(offices):
        rows = r.iloc[offices]
        titles = _objects(rows["title"]) if "title" in r.columns else [None] * len(rows)
        kind[offices] = [kinds.setdefault(_dl.kind_of(a, lv, t), len(kinds)) for a, lv, t in
                         zip(_objects(rows["agency"]), _objects(rows["level"]), titles)]
    named = list(kinds)   # by number
    years = r["year"].astype("Int64")
    code, firsts = _codes(kind, years)
    rules, deadlines, whys = [], [], []
    for i in firsts:
        (k, why), y = named[kind[i]], years.iat[i]
        rule = _dl.rule_for(k, int(y)) if pd.notna(y) else None
        deadline = _dl.deadline_for(k, y)
        rules.append(rule.article if rule else pd.NA)
        deadlines.append(deadline)
        whys.append(_dl.why_no_deadline(k, why, y) if pd.isna(deadline) else pd.NA)
    deadline = pd.Series(pd.array(deadlines, dtype="datetime64[ns]")[code], index=r.index, dtype="datetime64[ns]")
    published = _published_dates(r)
    source = r["published_source"].astype("string") if "published_source" in r.columns else \
        pd.Series(pd.NA, index=r.index, dtype="string")
    days = (published - deadline).dt.days.astype("Int64")
    why = pd.Series(pd.array(whys, dtype="string")[code], index=r.index)
    why = why.mask(deadline.notna() & published.isna(), _NO_DATE)
    out = pd.DataFrame({
        "report_id": r["report_id"], "agency_key": r["agency_key"], "agency": r["agency"], "year": years,
        "level": r["level"], "region": r["region"], "kind": pd.array([k for k, _ in named], dtype="string")[kind],
        "published": published, "published_source": source.where(published.notna()), "deadline": deadline,
        "days_late": days, "on_time": (days <= 0).astype("boolean"),
        "rule": pd.array(rules, dtype="string")[code],
        "no_deadline": why.array,
    })
    return out[TIMELINESS_COLUMNS].reset_index(drop=True)


_TIMELINESS_READ = ("report_id", "agency_key", "agency", "year", "level", "region", "title", "published",
                    "published_source", "status", "duplicate_of")


def _reports_only(data) -> pd.DataFrame:
    """The reports of any input, for :func:`timeliness` (it needs no cells): of a corpus on disk
    whose reports are not read, only the columns it needs, read from reports.parquet."""
    disk = _on_disk(data)
    if disk is None:
        return frames_of(data).reports
    return disk.reports if disk.reports is not None else _read_reports(disk)


def _read_reports(disk: "_Disk", chosen: bool = True) -> pd.DataFrame:
    """The columns of reports.parquet :func:`timeliness` needs, typed as :func:`_on_disk` gives
    them, of the reports chosen (``chosen=False``: of every report)."""
    from .corpus.store import read_reports

    r = read_reports(disk.file.path, [c for c in _TIMELINESS_READ if c in disk.dtypes])
    for choice in disk.chosen if chosen else ():
        r = choice.rows(r)
    return r


def _timed(reports: pd.DataFrame) -> pa.Table:
    """The per-report figures of :func:`timeliness_shares` (report_id, on_time, late, timed: 1 or
    0) of the usable ones of ``reports``, as an Arrow table for DuckDB."""
    on_time = _timeliness_of(_usable(reports))[["report_id", "on_time"]]
    known = on_time["on_time"].notna().to_numpy()
    yes = on_time["on_time"].fillna(False).to_numpy(dtype=bool)
    return pa.table({"report_id": pa.array(on_time["report_id"].astype("object"), pa.string()),
                     "on_time": pa.array(yes.astype("int64")), "late": pa.array((known & ~yes).astype("int64")),
                     "timed": pa.array(known.astype("int64"))})


def _disk_timed(disk: "_Disk") -> pa.Table:
    """:func:`_timed` of a corpus on disk's reports (those in memory, else every one's columns read)."""
    return _timed(_read_reports(disk, chosen=False) if disk.reports is None else disk.reports)


TIMELINESS_COUNTS = ("on_time", "late", "timed")


def timeliness_shares(data, by="report") -> pd.DataFrame:
    """Given any input, return how many reports were on time per ``by`` group: on_time, late,
    timed (reports with both a deadline and a date), on_time_share (on_time / timed; NaN where
    no report has both), n_reports, report_ids."""
    disk = _on_disk(data)
    if disk is not None:   # the per-report figures worked out once per corpus (see _timed), kept
        out = _disk_aggregate(disk, by, "timeliness_shares", TIMELINESS_COUNTS)
    else:
        f = frames_of(data)
        t = timeliness(f)
        per = pd.DataFrame({"report_id": t["report_id"],
                            "on_time": t["on_time"].fillna(False).astype("Int64"),
                            "late": (t["on_time"] == False).fillna(False).astype("Int64"),  # noqa: E712
                            "timed": t["on_time"].notna().astype("Int64")})
        out = _aggregate(f, per, by, TIMELINESS_COUNTS)
    out["on_time_share"] = _share(out["on_time"], out["timed"])
    return out[_by_columns(by) + list(TIMELINESS_COUNTS) + ["on_time_share", "n_corrected", "n_reports", "report_ids"]]


_SOURCES = {"outcome_shares": (outcome_shares, OUTCOME_COUNTS), "appeals_rates": (appeals_rates, APPEAL_COUNTS + (template.CONCLUDED,)),
            "legacy_shares": (legacy_shares, LEGACY_COUNTS), "timeliness_shares": (timeliness_shares, TIMELINESS_COUNTS)}


@dataclass(frozen=True)
class Indicator(template.Indicator):
    """An indicator of ``template.INDICATORS`` with ``source``: the analysis whose frame has all its
    figures (``outcome_shares``, ``appeals_rates``, ``legacy_shares`` or ``timeliness_shares``)."""

    source: str = ""


def _source_for(m: template.Indicator) -> str:
    wanted = {*m.numerator, *([m.denominator] if m.denominator else [])}
    return next(name for name, (_, cols) in _SOURCES.items() if wanted <= set(cols))


# The indicators are declared in template.py (labels, numerator and denominator figures); MEASURES
# is their public name here, each with the analysis that computes it.
MEASURES: dict[str, Indicator] = {k: Indicator(**dataclasses.asdict(m), source=_source_for(m))
                                  for k, m in template.INDICATORS.items()}


def source_of(measure: str) -> str:
    """Given a name of :data:`MEASURES`, return the analysis whose frame has its figures.

    >>> source_of("refused_share"), source_of("reviews_per_100")
    ('outcome_shares', 'appeals_rates')
    """
    return MEASURES[measure].source


TEMPLATE_CHANGE_YEAR = 2019  # the first year reported on in the national template (a line on plots)


def _warn_pre2019(measure: str, reports: pd.DataFrame | None = None) -> None:
    """Say why a modern measure is empty for reports before 2019, where they are asked for
    (``reports``: the usable reports, None where the caller knows that one is before 2019)."""
    import warnings

    if MEASURES[measure].pre2019 or (reports is not None and not (reports["template"] == PRE2019).any()):
        return
    hint = " (use refused_all_share: 不予公开答复数 counts every kind of refusal)" \
        if "denied" in MEASURES[measure].numerator or "unavailable" in MEASURES[measure].numerator else ""
    warnings.warn(f"{measure} is not defined for reports before 2019, which print no national table: "
                  f"their values are NaN{hint}", stacklevel=3)


def measure_values(data, measure: str, by="agency_year") -> pd.DataFrame:
    """Given any input and a name of :data:`MEASURES`, return by-columns + measure, value,
    numerator, denominator, n_reports, report_ids.

    >>> measure_values(corpus, "refused_share", by="year")    # doctest: +SKIP
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of: {', '.join(MEASURES)}")
    m = MEASURES[measure]
    source = source_of(measure)
    disk = _on_disk(data) if source in _DISK_SOURCES else None
    cols = _by_columns(by)
    if disk is not None:
        if disk.any_pre2019():
            _warn_pre2019(measure)
        df = _disk_query(disk, by, source, _num_den_sql(measure))
        return df[cols].assign(measure=measure, value=_value(measure, df["numerator"], df["denominator"]),
                               numerator=df["numerator"], denominator=df["denominator"],
                               n_corrected=df["n_corrected"], n_reports=df["n_reports"], report_ids=df["report_ids"])
    data = frames_of(data)
    _warn_pre2019(measure, _usable_reports(data))
    df = _SOURCES[source][0](data, by=by)
    if m.denominator == template.CONCLUDED:
        df["concluded"] = sum(df[f"{p}_{r}"] for p in ("reviews", "suits") for r in ("upheld", "corrected", "other"))
    num = df[list(m.numerator)].sum(axis=1, skipna=False).astype("Int64")
    den = df[m.denominator].astype("Int64") if m.denominator else pd.Series(pd.NA, index=df.index, dtype="Int64")
    value = _share(num, den, m.scale) if m.denominator else num.astype("Float64").astype("float64")
    return df[cols].assign(measure=measure, value=value, numerator=num, denominator=den,
                           n_corrected=df["n_corrected"] if "n_corrected" in df else 0, n_reports=df["n_reports"],
                           report_ids=df["report_ids"])


_DISK_SOURCES = ("outcome_shares", "appeals_rates", "legacy_shares", "timeliness_shares")


def _disk_agency_years(disk: _Disk, measure: str, years: Sequence[int] | bool | None = None) -> pd.DataFrame:
    """:func:`by_agency_year` (``years`` None) or :func:`cross_year` (``years``: the years of the
    grid, True: from the first to the last in the data) of a corpus on disk."""
    if disk.any_pre2019():
        _warn_pre2019(measure)
    df = _disk_query(disk, "agency_year", source_of(measure), _num_den_sql(measure), errors=True, meta=True,
                     years=years)
    num, den = df["numerator"], df["denominator"]
    out = df[["agency_key", "agency", "year", "level", "region"]].assign(
        measure=measure, value=_value(measure, num, den), numerator=num, denominator=den, report_id=df["report_ids"],
        n_errors=df["n_errors"].fillna(0).astype("int64"), has_errors=df["n_errors"].fillna(0).to_numpy() > 0,
        n_corrected=df["n_corrected"].fillna(0).astype("int64"))
    if years is None:
        return out[AGENCY_YEAR_COLUMNS]
    v = out["value"].to_numpy()
    # the agency of the row above: every agency has a row per year, the first year starts its rows
    year = out["year"].to_numpy(dtype="int64", na_value=0)
    same = year != year[0] if len(year) else np.zeros(0, bool)
    with np.errstate(invalid="ignore"):
        out["change"] = np.where(same, v - np.r_[np.nan, v[:-1]], np.nan)
    out["missing"] = out["report_id"].isna().to_numpy()
    # three flags picked from an object array: no million Python strings made (np.where of strings would)
    pick = np.where(out["missing"].to_numpy(), 2, out["has_errors"].to_numpy().astype("int64"))
    out["flag"] = np.array(["", "errors", "missing"], dtype=object)[pick]
    return out[AGENCY_YEAR_COLUMNS + ["change", "missing", "flag"]]


def _errors_per_report(f: Frames) -> pd.Series:
    fi = f.findings
    return fi[fi["severity"] == "error"].groupby("report_id").size()


AGENCY_YEAR_COLUMNS = ["agency_key", "agency", "year", "level", "region", "measure", "value", "numerator",
                       "denominator", "report_id", "n_errors", "has_errors", "n_corrected"]


def by_agency_year(data, measure: str) -> pd.DataFrame:
    """Given any input and a measure name, return one row per agency_key × year.

    Columns: agency_key, agency, year, level, region, measure, value (float64), numerator,
    denominator (Int64; denominator NA for counts), report_id (the report behind the row; comma-
    separated if one agency printed two non-duplicate reports for a year), n_errors (error
    findings of that report), has_errors, n_corrected (cells behind it corrected by a person).

    >>> by_agency_year(corpus, "refused_share").query("year == 2019")[["agency", "value", "numerator", "denominator"]]  # doctest: +SKIP
             agency     value  numerator  denominator
      上海市人民政府办公厅  0.043478         35          805
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of: {', '.join(MEASURES)}")
    disk = _on_disk(data) if source_of(measure) in _DISK_SOURCES else None
    if disk is not None:
        return _disk_agency_years(disk, measure)
    f = frames_of(data)
    mv = measure_values(f, measure, by="agency_year")
    reports = _usable_reports(f).sort_values("year")
    meta = reports.groupby("agency_key", dropna=False)[["level", "region"]].last()
    mv = mv.join(meta, on="agency_key")
    errors = _errors_per_report(f)
    mv["n_errors"] = mv["report_ids"].map(lambda ids: int(sum(errors.get(i, 0) for i in ids.split(",")))).astype("int64")
    mv["has_errors"] = mv["n_errors"] > 0
    mv = mv.rename(columns={"report_ids": "report_id"})
    return mv[AGENCY_YEAR_COLUMNS].reset_index(drop=True)


def cross_year(data, measure: str, agencies: Iterable[str] | str | None = None, years: Iterable[int] | None = None,
               level: str | None = None, region: str | None = None) -> pd.DataFrame:
    """Given any input and a measure, return its value per agency per year, with changes and flags.

    Every selected agency gets a row for every year of ``years`` (default: the first to the last
    year in the data), so a year without a report shows up (``missing``). Columns: those of
    :func:`by_agency_year`, then change (value minus the previous year's; NaN if either is
    unknown), missing (no report that year), flag ("missing", "errors" or "").

    >>> cross_year(corpus, "refused_share", agencies=["上海市人民政府办公厅"])   # doctest: +SKIP
    """
    f = select(data, agencies=agencies, level=level, region=region)
    disk = _on_disk(f) if measure in MEASURES and source_of(measure) in _DISK_SOURCES else None
    if disk is not None:
        return _disk_agency_years(disk, measure, years=years if years is not None else True)
    ay = by_agency_year(f, measure)
    yrs = sorted({int(y) for y in years}) if years is not None else \
        (list(range(int(ay["year"].min()), int(ay["year"].max()) + 1)) if ay["year"].notna().any() else [])
    agencies_meta = ay.sort_values("year").groupby("agency_key")[["agency", "level", "region"]].last()
    grid = pd.MultiIndex.from_product([agencies_meta.index, yrs], names=["agency_key", "year"]).to_frame(index=False)
    grid["year"] = grid["year"].astype("Int64")
    out = grid.merge(ay.drop(columns=["agency", "level", "region"]), on=["agency_key", "year"], how="left")
    out = out.join(agencies_meta, on="agency_key")
    out["missing"] = out["report_id"].isna()
    out["measure"] = measure
    out["n_errors"] = out["n_errors"].fillna(0).astype("int64")
    out["n_corrected"] = out["n_corrected"].fillna(0).astype("int64")
    out["has_errors"] = out["has_errors"].astype("boolean").fillna(False).astype(bool)
    out = out.sort_values(["agency_key", "year"]).reset_index(drop=True)
    out["change"] = out.groupby("agency_key")["value"].diff()
    out["flag"] = np.where(out["missing"], "missing", np.where(out["has_errors"], "errors", ""))
    return out[AGENCY_YEAR_COLUMNS + ["change", "missing", "flag"]]


def rank_agencies(data, measure: str, year: int | None = None, level: str | None = None, region: str | None = None,
                  min_volume: int = 0, ascending: bool = False) -> pd.DataFrame:
    """Given any input and a measure, rank agencies, counts beside shares.

    One row per agency: its report of ``year`` (default: each agency's latest year). Agencies
    whose denominator (the numerator, for counts) is below ``min_volume`` are dropped; agencies
    with no value are listed last without a rank. Columns: rank (1 = highest unless
    ``ascending``), then those of :func:`by_agency_year`.

    >>> rank_agencies(corpus, "refused_share", year=2020, min_volume=10)   # doctest: +SKIP
    """
    ay = by_agency_year(select(data, level=level, region=region), measure)
    if year is not None:
        ay = ay[ay["year"] == int(year)]
    else:
        ay = ay.sort_values("year").groupby("agency_key").tail(1)
    volume = ay["denominator"] if MEASURES[measure].denominator else ay["numerator"]
    ay = ay[volume.fillna(0) >= min_volume] if min_volume else ay
    ay = ay.sort_values(["value", "agency_key"], ascending=[ascending, True], na_position="last")
    rank = ay["value"].rank(method="min", ascending=ascending)
    ay.insert(0, "rank", rank.astype("Int64"))
    return ay.reset_index(drop=True)


# --------------------------------------------------------------------------- data quality & tracing

def report_quality(data) -> pd.DataFrame:
    """Given any input, return one row per report: report_id, source, agency, year, format, status,
    n_errors, n_warnings, n_info, checks (the failing check ids, comma-separated)."""
    f = frames_of(data)
    r = f.reports[["report_id", "source", "agency", "year", "format", "status"]].copy()
    fi = f.findings
    for sev, col in (("error", "n_errors"), ("warning", "n_warnings"), ("info", "n_info")):
        counts = fi[fi["severity"] == sev].groupby("report_id").size().to_dict()
        r[col] = pd.Series([int(counts.get(i, 0)) for i in r["report_id"]], index=r.index, dtype="int64")
    checks = fi[fi["severity"].isin(["error", "warning"])].groupby("report_id")["check"] \
        .agg(lambda s: ",".join(sorted(set(s)))).to_dict()
    r["checks"] = pd.Series([checks.get(i, "") for i in r["report_id"]], index=r.index, dtype="string")
    return r.sort_values(["n_errors", "n_warnings", "report_id"], ascending=[False, False, True]).reset_index(drop=True)


def findings_summary(data, severity: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Given any input, return how often each check fails: check, table, severity, n_findings,
    n_reports, report_ids (most frequent first)."""
    fi = frames_of(data).findings
    if severity is not None:
        fi = fi[fi["severity"].isin([severity] if isinstance(severity, str) else list(severity))]
    if fi.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (("check", "string"), ("table", "string"),
                             ("severity", "string"), ("n_findings", "int64"), ("n_reports", "int64"),
                             ("report_ids", "string"))})
    g = fi.groupby(["check", "table", "severity"], dropna=False)
    out = g.size().rename("n_findings").to_frame()
    out["n_reports"] = g["report_id"].nunique()
    out["report_ids"] = g["report_id"].agg(lambda s: ",".join(sorted(set(s))))
    return out.reset_index().sort_values(["n_findings", "check"], ascending=[False, True]).reset_index(drop=True)


APPEAL_FIGURES = {"reviews": (("review",), "total"), "suits": (("suit_direct", "suit_after_review"), "total"),
                  "reviews_corrected": (("review",), "corrected"),
                  "suits_corrected": (("suit_direct", "suit_after_review"), "corrected")}
TRACE_COLUMNS = ["table", "row", "column", "value", "blank", "printed", "location", "used"]
TRACE_CORRECTION = ["corrected", "value_printed", "note"]  # shown where the cells carry them


def trace(data, report_id: str, figure: str = "denied") -> pd.DataFrame:
    """Given a report and a figure, return the printed cells behind it.

    ``figure`` is a row key (``denied.third_party``), a group (``denied``, ``unavailable``,
    ``not_processed``, ``other``, ``handled``), an appeals figure (``reviews``, ``suits``,
    ``reviews_corrected``, ``suits_corrected``) or a name of :data:`MEASURES` (its numerator).
    Columns: table, row, column (applicant or result), value, blank, printed, location, used
    (True for the cells the figure adds up: the total, or the applicant cells where the total is
    blank), and corrected, value_printed, note (a person's correction of the cell and why). An
    unknown ``report_id`` or ``figure`` raises ValueError listing the valid ones.

    >>> trace(shanghai_2019, r.meta.report_id, "denied").query("used")    # doctest: +SKIP
    """
    f = frames_of(data)
    if figure not in TRACE_FIGURES:
        raise ValueError(f"unknown figure {figure!r}; one of: {', '.join(TRACE_FIGURES)}")
    known = f.reports["report_id"].astype("string")
    if not known.eq(report_id).any():
        shown = ", ".join(known.dropna().head(10))
        more = f" ... ({len(known)} in all)" if len(known) > 10 else ""
        raise ValueError(f"unknown report_id {report_id!r}; the data has: {shown or '(no reports)'}{more}")
    if figure in APPEAL_FIGURES:
        return _trace_appeals(f, report_id, *APPEAL_FIGURES[figure])
    if figure in MEASURES and MEASURES[figure].numerator != (figure,):
        return pd.concat([trace(f, report_id, n) for n in MEASURES[figure].numerator], ignore_index=True)
    if figure == "handled":
        rows = list(OUTCOME_KEYS)
    elif figure in GROUP_ROWS or figure == "other":
        rows = [k for k in REQUEST_KEYS if k.startswith(figure + ".")]
    else:
        rows = [figure]
    cells = f.requests[(f.requests["report_id"] == report_id) & f.requests["row"].isin(rows)]
    figs = row_figures(Frames(f.reports, cells, f.appeals, f.disclosure, f.findings))
    used_total = cells["row"].map(figs.set_index("row")["source"]).eq("total")
    is_total = cells["applicant"].eq("total")
    out = cells.assign(table="requests", column=cells["applicant"], used=(is_total & used_total) | (~is_total & ~used_total))
    order = {k: i for i, k in enumerate(REQUEST_KEYS)}
    out = out.assign(_o=out["row"].map(order)).sort_values(["_o"], kind="stable").drop(columns="_o")
    return out[TRACE_COLUMNS + [c for c in TRACE_CORRECTION if c in out.columns]].reset_index(drop=True)


TRACE_FIGURES = tuple(dict.fromkeys([*GROUP_ROWS, "other", "handled", *APPEAL_FIGURES, *MEASURES, *REQUEST_KEYS]))


def _trace_appeals(f: Frames, report_id: str, proceedings: tuple[str, ...], result: str) -> pd.DataFrame:
    a = f.appeals[(f.appeals["report_id"] == report_id) & f.appeals["proceeding"].isin(proceedings)]
    if result == "total":
        figs = _cell_figures(a, ["report_id", "proceeding"], "result", ("upheld", "corrected", "other", "pending"))
        used_total = a["proceeding"].map(figs.set_index("proceeding")["source"]).eq("total")
        is_total = a["result"].eq("total")
        used = (is_total & used_total) | (~is_total & ~used_total)
    else:
        used = a["result"].eq(result)
    out = a.assign(table="appeals", row=a["proceeding"], column=a["result"], used=used)
    return out[TRACE_COLUMNS + [c for c in TRACE_CORRECTION if c in out.columns]].reset_index(drop=True)


def review_queue(data, corrections=None, severity=("error", "warning"), context: bool = True) -> pd.DataFrame:
    """Given any input, return every flagged cell or report, ranked: errors first, then by the
    size of the figures it feeds, with its printed context (see :mod:`govreports.review`).

    >>> review_queue(corpus, corrections="corrections.csv")[["rank", "agency", "check", "key", "column"]]  # doctest: +SKIP
    """
    from .review import review_queue as _queue

    return _queue(data, corrections=corrections, severity=severity, context=context)


def describe_shares(shares: pd.DataFrame) -> str:
    """Given :func:`outcome_shares`, return one plain line per row with the refused and
    unanswerable shares and their counts, e.g.
    ``上海市人民政府办公厅 2019  refused_share: 0.0435 (35/805)  unanswerable_share: 0.4186 (337/805)``."""
    lines = []
    for _, r in shares.iterrows():
        who = " ".join(str(r[c]) for c in ("agency", "year", "level", "region") if c in r.index and pd.notna(r[c]))
        why = "nothing handled" if pd.notna(r["handled"]) and r["handled"] == 0 else "requests handled not known"
        parts = [f"{name}: {r[name]:.4f} ({r[num]}/{r['handled']})" if pd.notna(r[name]) else f"{name}: not known ({why})"
                 for name, num in (("refused_share", "denied"), ("unanswerable_share", "unavailable"))]
        lines.append("  ".join([who or str(r.get("report_ids", "")), *parts]))
    return "\n".join(lines)


# --------------------------------------------------------------------------- the prose
_SENTENCE = r"[^。！？!?；;\n]+[。！？!?；;]?"


def _sections_of(data) -> pd.DataFrame:
    if isinstance(data, (list, tuple)):
        parts = [_sections_of(d) for d in data]
        return pd.concat(parts, ignore_index=True) if parts else _frames.empty("sections")
    if hasattr(data, "table") and callable(data.table):
        return data.table("sections")
    df = getattr(data, "sections", None)
    if df is None:
        raise TypeError(f"expected a Corpus, a Report or a list of Reports, not {type(data).__name__}")
    return df


def search_text(data, pattern: str, section: str | Sequence[str] | None = None, regex: bool = True) -> pd.DataFrame:
    """Given a Corpus, a Report or a list of Reports and a pattern, return every sentence of the
    prose that matches, with the agency, year, section and where it is printed.

    ``section`` keeps only those sections (keys of ``template.SECTIONS`` / ``PRE2019_SECTIONS``,
    or ``preamble``); ``regex=False`` matches the pattern literally. Columns: report_id, agency,
    year, section, heading, sentence, location.

    >>> search_text(corpus, "依申请公开", section="problems")[["agency", "year", "sentence"]]   # doctest: +SKIP
    """
    secs = _sections_of(data)
    if section is not None:
        wanted = [section] if isinstance(section, str) else list(section)
        from .schemas import KEY_VALUES

        unknown = set(wanted) - set(KEY_VALUES["sections"]["section"])
        if unknown:
            raise ValueError(f"unknown section(s) {sorted(unknown)}; one of: {', '.join(KEY_VALUES['sections']['section'])}")
        secs = secs[secs["section"].isin(wanted)]
    secs = secs[secs["text"].astype("string").fillna("").str.contains(pattern, regex=regex)]
    sentences = secs.assign(sentence=secs["text"].astype("string").str.findall(_SENTENCE)).explode("sentence")
    sentences = sentences[sentences["sentence"].notna()]
    sentences = sentences[sentences["sentence"].astype("string").str.contains(pattern, regex=regex)]
    reports = frames_of(data).reports[["report_id", "agency", "year"]].drop_duplicates("report_id")
    out = sentences.merge(reports, on="report_id", how="left")
    out["sentence"] = out["sentence"].astype("string").str.strip()
    return out[["report_id", "agency", "year", "section", "heading", "sentence", "location"]].reset_index(drop=True)


def brief(data, agency: str, year: int | None = None, lang: str = "zh"):
    """Given any input, an agency and a year, return a one-page brief on it (deterministic
    sentences, every number with a note back to its printed cells): see :mod:`govreports.brief`.

    >>> print(brief(corpus, "上海市人民政府办公厅", 2025).to_markdown())   # doctest: +SKIP
    """
    from .brief import brief as _brief

    return _brief(data, agency, year, lang)
