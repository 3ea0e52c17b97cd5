"""Corrections: what a person read on the printed page where the reader could not, kept beside it.

Why a module of its own: a researcher who publishes numbers must say, for every cell, whether it is
what the agency printed, and who changed it and why. A corrections file (CSV, so it opens in Excel
and diffs in git; or YAML, a list of the same mappings) holds one correction per row:

==========  ====================================================================================
column      what
==========  ====================================================================================
sha256      the report's file SHA-256 (or its first 16 digits, the ``report_id``)
report_id   the report_id, where ``sha256`` is empty
source      optional: the report's file name, so a report whose bytes changed is recognised
table       ``requests`` (表三), ``appeals`` (表四), ``disclosure`` (表二), ``meta`` (agency, year,
            level, region), ``agency_alias`` (two printed names, one agency), or ``finding`` (a
            flag a person looked at and accepted, changing no value)
key         the row (``denied.third_party``), proceeding (``review``) or item (``licensing``); for
            ``meta`` the field; for ``agency_alias`` the name as printed; for ``finding`` the check
column      the applicant (``total``), result (``upheld``) or measure (``decisions``); for
            ``finding`` the finding's key
value       a number, ``blank`` (printed empty: 0, ``blank=True``) or ``missing`` (not printed:
            no value); for ``meta`` the field's value; for ``agency_alias`` the agency_key
note        why (what the page shows), author, date
==========  ====================================================================================

A corrected cell keeps what was printed (``printed``, and ``value_printed``: the value read
before) and gets ``corrected=True`` and the note; a cell the reader left missing gets a row of
its own. The template's identities and the value checks are run again on the corrected cells
(:func:`govreports.checks.check_identities`), so a correction that repairs an identity removes
its error and one that breaks it adds one. A correction that confirms the value read (same
value, same blank) is kept with its note but the cell stays ``corrected=False``.

>>> import govreports as gr
>>> r = gr.read_report("data/reports/seeds/001_aedc4f75886f8629.txt", corrections="corrections.csv")  # doctest: +SKIP
>>> r.requests.query("corrected")[["row", "applicant", "value", "value_printed", "printed", "note"]]  # doctest: +SKIP
>>> c = gr.read_corpus("data/reports", corrections="corrections.csv")                               # doctest: +SKIP
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pandera.pandas as pa

from . import frames as _frames
from . import template
from .exceptions import CorrectionsError

COLUMNS = ("sha256", "report_id", "source", "table", "key", "column", "value", "note", "author", "date")
CELL_KEYS = {"requests": ("row", "applicant"), "appeals": ("proceeding", "result"),
             "disclosure": ("item", "measure")}
META_FIELDS = ("agency", "year", "level", "region")
KINDS = (*CELL_KEYS, "meta", "agency_alias", "finding")
BLANK, MISSING = "blank", "missing"
_ITEM_MEASURES = {(i.key, m.key) for items in template.DISCLOSURE_ITEMS.values() for i in items for m in i.measures}
# findings recomputed on corrected cells: the identities and the value checks of checks.py
VALUE_CHECKS = ("requests_count", "appeals_count", "disclosure_count", "money_unit")


@dataclass(frozen=True)
class Correction:
    """One row of a corrections file, with where it was written (file and line)."""

    file: str
    line: int
    sha256: str
    report_id: str
    source: str
    table: str
    key: str
    column: str
    value: str
    note: str = ""
    author: str = ""
    date: str = ""

    @property
    def where(self) -> str:
        """``corrections.csv line 4`` (the header is line 1), or ``corrections.yaml item 3``."""
        return f"{self.file} {_unit(self.file)} {self.line}"

    @property
    def rid(self) -> str:
        """The report_id it names (from sha256, else report_id)."""
        return (self.sha256 or self.report_id)[:16]

    def names(self, sha256: str) -> bool:
        """Given a report's SHA-256, say whether this row names that report."""
        if self.sha256:
            return sha256 == self.sha256 or (len(self.sha256) == 16 and sha256[:16] == self.sha256)
        return sha256[:16] == self.report_id

    def number(self) -> float | None:
        """The corrected value: a float, 0 for blank, None for missing."""
        v = self.value.strip().lower()
        if v == MISSING:
            return None
        return 0.0 if v == BLANK else float(self.value.replace(",", ""))


# --------------------------------------------------------------------------- reading and validating

def _is_cell_value(v: str) -> bool:
    v = (v or "").strip().lower()
    if v in (BLANK, MISSING):
        return True
    try:
        float(v.replace(",", ""))
        return True
    except ValueError:
        return False


def _row_check(df: pd.DataFrame) -> pd.Series:
    """Per row: whether its table, key, column and value fit together (see :func:`_row_problem`)."""
    return pd.Series([_row_problem(r) is None for r in df.to_dict("records")], index=df.index, dtype=bool)


SCHEMA = pa.DataFrameSchema(
    {"sha256": pa.Column("string", pa.Check.str_matches(r"^([0-9a-f]{16}|[0-9a-f]{64})?$"), nullable=False),
     "report_id": pa.Column("string", pa.Check.str_matches(r"^([0-9a-f]{16})?$"), nullable=False),
     "source": pa.Column("string"),
     "table": pa.Column("string", pa.Check.isin(KINDS)),
     "key": pa.Column("string", pa.Check.str_length(min_value=1)),
     "column": pa.Column("string"),
     "value": pa.Column("string"),
     "note": pa.Column("string"), "author": pa.Column("string"), "date": pa.Column("string")},
    checks=[pa.Check(_row_check, error="table/key/column/value do not fit")],
    strict=True, coerce=True, name="corrections")


def _row_problem(r: dict) -> str | None:
    """Given one row (strings), return what is wrong with it, or None."""
    table, key, col, value = r["table"], r["key"], r["column"], (r["value"] or "").strip()
    if table not in KINDS:
        return f"table {table!r} is not one of {', '.join(KINDS)}"
    if table != "agency_alias" and not (r["sha256"] or r["report_id"]):
        return "names no report (give sha256 or report_id)"
    if table in CELL_KEYS:
        if table == "requests" and (key not in template.REQUEST_KEYS or col not in template.APPLICANT_KEYS):
            return f"no cell ({key!r}, {col!r}) in table 3 (requests): row must be a row key, column an applicant"
        if table == "appeals" and (key not in template.PROCEEDING_KEYS or col not in template.RESULT_KEYS):
            return f"no cell ({key!r}, {col!r}) in table 4 (appeals): key must be a proceeding, column a result"
        if table == "disclosure" and (key, col) not in _ITEM_MEASURES:
            return f"no cell ({key!r}, {col!r}) in table 2 (disclosure): not a measure of that item in any template"
        if not _is_cell_value(value):
            return f"value {value!r} is not a number, '{BLANK}' or '{MISSING}'"
        if table != "disclosure" and value.lower() not in (BLANK, MISSING) and not float(value.replace(",", "")).is_integer():
            return f"value {value!r} is not a whole number (tables 3 and 4 count requests and cases)"
    elif table == "meta":
        if key not in META_FIELDS:
            return f"meta field {key!r} is not one of {', '.join(META_FIELDS)}"
        if key == "year" and not (value.isdigit() and 1990 <= int(value) <= 2100):
            return f"year {value!r} is not a year"
        if key == "level" and value not in template.LEVELS:
            return f"level {value!r} is not one of {', '.join(template.LEVELS)}"
        if not value:
            return f"meta field {key!r} has no value"
    elif table == "agency_alias" and not value:
        return f"agency alias {key!r} names no agency_key (value)"
    return None


def _frame_of(path: Path) -> tuple[pd.DataFrame, int]:
    """Given a CSV or YAML file, return its rows as strings and the line number of the first row."""
    if path.suffix.lower() in (".yml", ".yaml"):
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if isinstance(data, dict):
            data = data.get("corrections", [])
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise CorrectionsError([f"{path}: a YAML corrections file is a list of mappings (one per correction)"])
        df = pd.DataFrame(data, dtype=object)
        return df, 1  # YAML rows are numbered by their position (1 = the first mapping)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=False)
    return df, 2  # the header is line 1


def read_corrections(source) -> "Corrections":
    """Given a corrections file (CSV or YAML), a list of them, or a :class:`Corrections`, return
    the validated :class:`Corrections`.

    Raises :class:`CorrectionsError` listing every bad line (``corrections.csv line 4: no cell
    ('granted', 'people') in table 3 ...``) and applies nothing.

    >>> read_corrections("corrections.csv").rows[0].where     # doctest: +SKIP
    'corrections.csv line 2'
    """
    if isinstance(source, Corrections):
        return Corrections(source.rows, source.digest)  # fresh: what a build saw is counted anew
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    rows: list[Correction] = []
    problems: list[str] = []
    digest = hashlib.sha256()
    for p in paths:
        path = Path(p).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"no corrections file {path}")
        digest.update(path.read_bytes())
        df, first = _frame_of(path)
        unknown = [c for c in df.columns if c not in COLUMNS]
        if unknown:
            problems.append(f"{path}: unknown column(s) {', '.join(map(str, unknown))}; the columns are "
                            + ", ".join(COLUMNS))
            continue
        df = df.reindex(columns=list(COLUMNS)).fillna("").astype(str).apply(lambda s: s.str.strip())
        df = df[(df != "").any(axis=1)]  # blank lines
        try:
            SCHEMA.validate(df, lazy=True)
        except pa.errors.SchemaErrors as err:
            problems += _schema_problems(err, df, path, first)
        rows += [Correction(str(path), int(i) + first, **r) for i, r in zip(df.index, df.to_dict("records"))]
    if problems:
        raise CorrectionsError(sorted(set(problems), key=_line_order))
    return Corrections(rows, digest.hexdigest())


def _unit(file) -> str:
    """How a file's rows are numbered in messages: CSV lines, YAML items."""
    return "item" if str(file).lower().endswith((".yml", ".yaml")) else "line"


def _line_order(problem: str) -> tuple:
    m = re.match(r"(.*?) (?:line|item) (\d+):", problem)
    return (m.group(1), int(m.group(2)), problem) if m else (problem, 0, problem)


def _schema_problems(err, df: pd.DataFrame, path: Path, first: int) -> list[str]:
    """Given pandera's lazy errors, return one message per bad line (naming its column)."""
    out = []
    for case in err.failure_cases.to_dict("records"):
        idx = case.get("index")
        if idx is None or pd.isna(idx) or idx not in df.index:
            out.append(f"{path}: {case.get('column') or ''} {case.get('check')}")
            continue
        line = f"{_unit(path)} {int(idx) + first}"
        if case.get("column") == "corrections" or case.get("schema_context") == "DataFrameSchema":
            out.append(f"{path} {line}: {_row_problem(df.loc[idx].to_dict())}")
        else:
            out.append(f"{path} {line}: column {case['column']}: {case['failure_case']!r} fails "
                       f"{case['check']}")
    return out


class Corrections:
    """Validated corrections, by report; what ``corrections=`` of read_report / read_corpus takes."""

    def __init__(self, rows: list[Correction], digest: str = ""):
        self.rows = rows
        self.digest = digest
        self.aliases = {r.key: r.value for r in rows if r.table == "agency_alias"}
        self._by_rid: dict[str, list[Correction]] = {}
        for r in rows:
            if r.table != "agency_alias":
                self._by_rid.setdefault(r.rid, []).append(r)
        self.used: set[int] = set()  # ids of rows that named a report seen
        self.problems: list[str] = []  # found while a corpus is built, raised at its end
        self.changed_files: dict[int, str] = {}  # id of a row -> SHA-256 now found under its file name

    def for_report(self, sha256: str) -> list[Correction]:
        """Given a report's SHA-256, return the corrections naming it (in file order)."""
        return [r for r in self._by_rid.get(sha256[:16], []) if r.names(sha256)]

    def changed(self, sha256: str, source: str | None) -> list[Correction]:
        """Given a report's SHA-256 and file, return the corrections naming its file but other bytes."""
        name = Path(source or "").name
        return [r for r in self.rows if r.source and Path(r.source).name == name and r.table != "agency_alias"
                and not r.names(sha256)]

    def frame(self) -> pd.DataFrame:
        """The corrections as a DataFrame (one row each, with file and line)."""
        return pd.DataFrame([dataclasses.asdict(r) for r in self.rows],
                            columns=["file", "line", *COLUMNS]).astype({"line": "int64"})

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"<Corrections: {len(self.rows)} rows>"

    # ---------------------------------------------------------------- applying
    def apply(self, tables: dict[str, pd.DataFrame], meta: dict) -> tuple[dict[str, pd.DataFrame], dict]:
        """Given one report's tidy frames and its meta (``sha256``, ``template``, ``level``, ...),
        return them corrected, findings recomputed. Raises CorrectionsError for a cell that is not
        in the report's template."""
        sha = meta.get("sha256") or ""
        rows = self.for_report(sha)
        for r in self.changed(sha, meta.get("source")):
            self.changed_files[id(r)] = sha
        if not rows:
            return tables, meta
        self.used.update(id(r) for r in rows)
        return apply_rows(tables, meta, rows)

    def unused(self) -> list[Correction]:
        """Rows naming a report that no :meth:`apply` saw."""
        return [r for r in self.rows if r.table != "agency_alias" and id(r) not in self.used]

    def warn_changed(self) -> list[Correction]:
        """Warn (naming the line) for every unused row whose file was seen with other bytes: the
        report changed since the correction was written, so it is not applied. Return those rows."""
        changed = [r for r in self.unused() if id(r) in self.changed_files]
        for r in changed:
            warnings.warn(f"{r.where}: {Path(r.source).name} changed since the correction was written (its "
                          f"SHA-256 is now {self.changed_files[id(r)][:16]}..., the correction names {r.rid}); "
                          "not applied", stacklevel=3)
        return changed

    def check_all_used(self, seen: set[str] | None = None) -> None:
        """Warn for rows naming a report whose bytes changed (:meth:`warn_changed`); raise
        CorrectionsError for every other row naming a report not in the corpus, and for the bad
        cells found while building."""
        changed = {id(r) for r in self.warn_changed()}
        bad = [r for r in self.unused() if (seen is None or r.rid not in seen) and id(r) not in changed]
        problems = self.problems + [f"{r.where}: report {r.sha256 or r.report_id} is not in the corpus"
                                    + (f" ({r.source})" if r.source else "") for r in bad]
        if problems:
            raise CorrectionsError(sorted(set(problems), key=_line_order))

    def apply_aliases(self, reports: pd.DataFrame) -> pd.DataFrame:
        """Given a corpus's reports table (agency_key filled), return it with every report whose
        agency (as printed, as expanded, or its key) is an alias given the alias's agency_key."""
        if not self.aliases or not len(reports):
            return reports
        reports = reports.copy()
        target = pd.Series(pd.NA, index=reports.index, dtype="string")
        for col in ("agency_key", "agency", "agency_as_printed"):
            if col in reports.columns:
                m = reports[col].astype("string").map(self.aliases).astype("string")
                target = target.fillna(m)
        hit = target.notna()
        reports.loc[hit, "agency_key"] = target[hit]
        if "agency_link" in reports.columns:
            reports.loc[hit, "agency_link"] = "alias"
        return reports

    def apply_batch(self, batch: dict) -> dict:
        """Given a ``corpus.parse_batch`` result, return it with the corrections of its reports
        applied (after the cache: the cache holds what was read, never a correction). The rows of
        the reports concerned are taken out of each Arrow table at once, corrected report by
        report in pandas, and put back."""
        import pyarrow as pa_
        import pyarrow.compute as pc

        from .corpus import arrow_to_frame

        targets = [pos for pos, row in enumerate(batch["reports"])
                   if row.get("sha256") and (self.for_report(row["sha256"]) or self.changed(row["sha256"], row.get("source")))]
        if not targets:
            return batch
        reports = [dict(r) for r in batch["reports"]]
        wanted = pa_.array(targets, type=pa_.int32())
        tables, mine = {}, {}
        for name, t in batch["tables"].items():
            hit = pc.is_in(t["_pos"], value_set=wanted)
            tables[name] = t.filter(pc.invert(hit))
            sel = t.filter(hit)
            df = arrow_to_frame(sel.drop_columns(["_pos"]), name).assign(_pos=sel["_pos"].to_numpy())
            mine[name] = {pos: g.drop(columns="_pos").reset_index(drop=True) for pos, g in df.groupby("_pos")}
        parts: dict[str, list[pd.DataFrame]] = {name: [] for name in tables}
        for pos in targets:
            row = reports[pos]
            frames = {name: mine[name][pos] if pos in mine[name] else _frames.empty(name) for name in tables}
            if row.get("status") != "parsed":
                bad = self.for_report(row["sha256"])
                self.used.update(id(r) for r in bad)
                self.problems += [f"{r.where}: {row.get('source')} could not be read ({row.get('error')}); "
                                  "its cells cannot be corrected" for r in bad if r.table in CELL_KEYS]
                row.update(_meta_values([r for r in bad if r.table == "meta"]))
            else:
                try:
                    frames, reports[pos] = self.apply(frames, row)
                except CorrectionsError as err:  # reported with every other bad line when the build ends
                    self.problems += err.problems
            for name in tables:
                parts[name].append(frames[name].assign(_pos=pos))
        for name in tables:
            df = pd.concat(parts[name], ignore_index=True)
            if len(df):
                back = pa_.Table.from_pandas(df, preserve_index=False).cast(tables[name].schema)
                tables[name] = pa_.concat_tables([tables[name], back])
        return {**batch, "reports": reports, "tables": tables}


def _meta_values(rows: list[Correction]) -> dict:
    out: dict = {}
    for r in rows:
        out[r.key] = int(r.value) if r.key == "year" else r.value
    return out


def apply_rows(tables: dict[str, pd.DataFrame], meta: dict, rows: list[Correction]) -> tuple[dict, dict]:
    """Given one report's tidy frames, its meta and the corrections naming it, return the frames
    and meta corrected, with identity and value findings recomputed on the corrected cells."""
    problems = []
    out = {name: tables[name].copy() if name in tables else _frames.empty(name) for name in _frames.TABLES}
    tpl = meta.get("template")
    touched: dict[str, set] = {}
    for r in rows:
        if r.table not in CELL_KEYS:
            continue
        if r.table == "disclosure" and not any(
                i.key == r.key and any(m.key == r.column for m in i.measures) for i in template.DISCLOSURE_ITEMS.get(tpl or "", ())):
            problems.append(f"{r.where}: no cell ({r.key!r}, {r.column!r}) in table 2 of this report "
                            f"(its template is {tpl})")
            continue
        out[r.table] = _correct_cell(out[r.table], r, meta)
        touched.setdefault(r.table, set()).add((r.key, r.column))
    if problems:
        raise CorrectionsError(problems)
    meta = {**meta, **_meta_values([r for r in rows if r.table == "meta"])}
    if touched:
        out["findings"] = recheck(out, meta.get("report_id") or "", tpl, meta.get("level"), touched)
    return out, meta


def _correct_cell(df: pd.DataFrame, r: Correction, meta: dict) -> pd.DataFrame:
    """Given one table of one report and a correction of one of its cells, return the table with
    the cell corrected (or added, where the reader left it missing)."""
    k1, k2 = CELL_KEYS[r.table]
    at = (df[k1] == r.key) & (df[k2] == r.column)
    new = r.number()
    blank = r.value.strip().lower() == BLANK
    if at.any():
        i = at.idxmax()
        old, old_blank = df.at[i, "value"], bool(df.at[i, "blank"])
        same = (pd.isna(old) and new is None) or (new is not None and pd.notna(old) and float(old) == new
                                                  and old_blank == blank)
        df.at[i, "note"] = _note(r)
        if same:
            return df
        was = df.at[i, "corrected"]
        if not (pd.notna(was) and bool(was)):  # corrected twice: value_printed stays what was read
            df.at[i, "value_printed"] = old
        df.at[i, "value"] = pd.NA if new is None else new
        df.at[i, "blank"] = blank
        df.at[i, "corrected"] = True
        return df
    if new is None:
        return df  # missing, and read as missing: nothing to say beyond the note
    row = {c: pd.NA for c in df.columns}
    row.update({"report_id": meta.get("report_id") or r.rid, k1: r.key, k2: r.column, "value": new, "blank": blank,
                "printed": pd.NA, "location": f"not read; {r.where}", "corrected": True, "note": _note(r)})
    if r.table == "disclosure":
        row["unit"] = next(m.unit for i in template.DISCLOSURE_ITEMS[meta["template"]] if i.key == r.key
                           for m in i.measures if m.key == r.column)
    add = pd.DataFrame([row]).astype(_frames.COLUMNS[r.table])
    return pd.concat([df, add], ignore_index=True).astype(_frames.COLUMNS[r.table])


def _note(r: Correction) -> str:
    who = ", ".join(x for x in (r.author, r.date) if x)
    return f"{r.note} ({who})" if who else r.note


# --------------------------------------------------------------------------- findings again

def cells_of(df: pd.DataFrame, table: str) -> dict:
    """Given a tidy table of one report, return {(key, column): Value} of its cells with a value
    (what the checks of :mod:`govreports.checks` take)."""
    from .parse import Value

    k1, k2 = CELL_KEYS[table]
    cols = [df[c].tolist() for c in (k1, k2, "value", "blank", "printed", "location")]
    return {(a, b): Value(float(v), bool(bl), "" if pr is pd.NA or pr is None else str(pr),
                          "" if loc is pd.NA or loc is None else str(loc))
            for a, b, v, bl, pr, loc in zip(*cols) if v is not pd.NA and v is not None}


def recheck(tables: dict[str, pd.DataFrame], report_id: str, tpl: str | None, level: str | None,
            touched: dict[str, set]) -> pd.DataFrame:
    """Given corrected tables, return the report's findings with the template's identities checked
    again (:func:`govreports.checks.check_identities`, the one identity checker) and the value
    checks run again on the corrected cells; every other finding is kept as read."""
    from .checks import check_identities, check_values

    cells = {t: cells_of(tables[t], t) for t in CELL_KEYS}
    found = check_identities(cells["requests"], cells["appeals"])
    only = SimpleNamespace(template=tpl, **{t: {c: v for c, v in cells[t].items() if c in touched.get(t, ())}
                                                 for t in CELL_KEYS})
    found += check_values(only, level)
    identities = {i.id for i in template.IDENTITIES}
    cols = list(_frames.COLUMNS["findings"])
    old = tables["findings"]
    kept = [rec for rec in zip(*(old[c].tolist() for c in cols))
            if rec[1] not in identities and not (rec[1] in VALUE_CHECKS and _on_cells(*rec[2:6], touched))]
    new = [(report_id, *(f.get(c, "") for c in cols[1:])) for f in found]
    return _frames.from_records("findings", kept + new)


def _on_cells(table, key, applicant, proceeding, touched: dict[str, set]) -> bool:
    """Given a value finding's table, key, applicant and proceeding, say whether it is on a
    corrected cell (table 2's findings name the item only: any corrected measure of it)."""
    cells = touched.get(table, set())
    if table == "requests":
        return (key, applicant) in cells
    if table == "appeals":
        return (proceeding, key) in cells
    return any(item == key for item, _ in cells)


# --------------------------------------------------------------------------- a report

def apply_to_report(report, corrections):
    """Given a :class:`~govreports.report.Report` and corrections, return the Report corrected
    (its tables, findings and meta; ``report.corrections`` lists the rows applied)."""
    from functools import cached_property

    corr = read_corrections(corrections)
    m = report.meta
    tables = {name: getattr(report, name) for name in _frames.TABLES}
    fixed, meta = corr.apply(tables, m.to_dict())
    corr.warn_changed()
    out = copy.copy(report)  # the same report (legacy figures, sections ...), its tables made again
    for name in list(out.__dict__):
        if isinstance(getattr(type(out), name, None), cached_property):
            del out.__dict__[name]
    out.meta = dataclasses.replace(m, **{k: v for k, v in meta.items() if k in dataclasses.asdict(m)})
    out._corrected = fixed if fixed is not tables else {}
    out.corrections = corr.frame().loc[[r.names(m.sha256) for r in corr.rows]].reset_index(drop=True) \
        if len(corr) else corr.frame()
    return out
