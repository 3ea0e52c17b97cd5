"""Per-report figures of a Parquet corpus, computed by DuckDB part by part and kept.

Why a module of its own: a national corpus (1,000,000 reports) holds 175 million cells of
table 3; scanning them for every question takes half a minute however it is done (DuckDB groups
17.5 million cells in 3 s on this 2-core machine, pandas in 100 s). Every analysis of table 3
and table 4 starts from the same per-report figures (:func:`govreports.analysis.report_figures`
and :func:`~govreports.analysis.appeal_figures`), so they are computed once per Parquet part
(2,000 reports, a few MB of memory whatever the corpus's size) and kept in a cache keyed by the
part's path, size and modification time and by the SQL that computes them; a rebuilt corpus writes new
parts and gets new figures. An analysis then reads one narrow row per report (only the figure
columns it needs) and lets DuckDB group them. The error findings per report (by_agency_year's
n_errors) are counted and kept the same way, per findings part.

Cold and warm: the first analysis on a corpus computes the figures of every part it needs (table
3's cells for the outcome shares: minutes at 1,000,000 reports, 175 million cells); every later
one, in any process, reads them (benchmarks/analysis_speed.py prints both). Beside them
:func:`kept` holds what govreports.analysis derives from them once per corpus: the usable
reports joined with their figures (and each agency's rank, level, region and latest name), and
the few rows of a scan of reports.parquet, so a warm analysis reads one file and joins nothing.

The rules are those of :mod:`govreports.analysis`, in SQL: a row's figure is its printed total,
or the sum of its applicant cells where the total is blank and some applicant cell is not, or
where no total is printed; a sum with a missing cell is missing. ``tests/test_analysis_fast.py``
checks that every figure equals the pandas computation.

Figures written by the build: the first analysis after a build must not wait for them (at
1,000,000 reports computing them took 45 s of the first call's 47 s). A build computes each part's
figures as it writes the part (:class:`BuildFigures`, the same SQL on the part just written, about
0.05 ms of CPU a report) and keeps them beside the parts, in ``<corpus>/.figures/<table>.parquet``
(in the parts' order) with ``<table>.json`` naming each part with its size, modification time and
number of figure rows. :func:`figure_files` uses that file while every part is still the one it was
computed from, and computes into the cache as above otherwise (a corpus written by an older
govreports, or a part changed since).

Why DuckDB rather than pyarrow compute: on a part of 350,000 cells the grouping takes 0.16 s in
DuckDB and 0.27 s with ``pyarrow.Table.group_by`` (same machine, same load), and the figures,
the pivot to one row per report and the grouping by agency-year are each one SQL statement.

>>> from govreports import figures                                  # doctest: +SKIP
>>> figures.figure_files(Path("out/corpus"), "requests")   # one cached Parquet file of per-report figures  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import template

CACHE_ENV = "GOVREPORTS_FIGURES_CACHE"
DEFAULT_CACHE = "~/.cache/govreports/figures"
BATCH = 8  # parts per DuckDB statement: DuckDB works on several files at once, memory stays small
APPEAL_RESULTS = tuple(r for r in template.RESULT_KEYS if r != "total")
BUILT = ".figures"   # a corpus's own figures, written by its build (:class:`BuildFigures`)
# reports per row group of a build's figures: 16 parts of 2,000 (under 16 MB held); joining a
# million reports with figures in row groups of 2,000 took 2.6 s of CPU, 2.2 s in groups of 32,000
ROW_GROUP = 32_000
_TEMP: list[str] = []


def _q(name: str) -> str:
    """A SQL identifier (figure names hold dots)."""
    return '"' + name.replace('"', '""') + '"'


def _s(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_s(v) for v in values) + ")"


def connect():
    """A DuckDB connection (in memory) quiet about progress."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def on_disk(data) -> Path | None:
    """Given an analysis input, return its corpus folder where its tables of cells are Parquet
    parts not yet read into memory (what this module scans), else None."""
    folder = getattr(data, "folder", None)
    # getattr_static: asking for ``reports`` would read a Corpus's whole reports table
    if folder is None or not hasattr(data, "table") or inspect.getattr_static(data, "reports", None) is None:
        return None
    held = getattr(data, "_tables", {})
    if any(name in held for name in ("requests", "appeals")):
        return None
    return Path(folder)


def parts(folder: Path, table: str) -> list[Path]:
    """The Parquet parts of ``table`` in a corpus folder (paths resolved: a part's cache key
    names its real folder, resolved once rather than part by part)."""
    return sorted((Path(folder).resolve() / table).glob("part-*.parquet"))


def _cell_figure_sql(source: str, keys: str, part_col: str, part_values: tuple[str, ...], extra: str = "") -> str:
    """SQL: one figure per ``keys`` group of long cells (analysis._cell_figures, in SQL)."""
    parts_in = f"{part_col} IN {_in(part_values)}"
    return f"""
    SELECT filename, report_id, {keys},
      max(value) FILTER (WHERE {part_col} = 'total') AS tv,
      bool_or(blank) FILTER (WHERE {part_col} = 'total') AS tb,
      CASE WHEN count(*) FILTER (WHERE {parts_in}) = count(value) FILTER (WHERE {parts_in})
           THEN sum(value) FILTER (WHERE {parts_in}) END AS ps,
      bool_or(NOT blank) FILTER (WHERE {parts_in}) AS pp,
      count(*) FILTER (WHERE corrected) AS nc{extra}
    FROM {source} GROUP BY filename, report_id, {keys}"""


_FIGURE = """CASE WHEN (tv IS NULL OR (coalesce(tb, true) AND coalesce(pp, false))) AND (ps IS NOT NULL OR tv IS NULL)
                  THEN ps ELSE tv END"""


def _cells(files: list[Path], columns: str) -> str:
    paths = "[" + ", ".join(_s(str(p)) for p in files) + "]"
    return (f"(SELECT filename, {columns}, coalesce(blank, false) AS blank, coalesce(corrected, false) AS corrected "
            f"FROM read_parquet({paths}, filename = true))")


def _requests_sql(files: list[Path]) -> str:
    received = "".join(f",\n      max(value) FILTER (WHERE applicant = {_s(a)}) AS {_q('a_' + a)}"
                       for a in template.APPLICANT_PARTS)
    per_row = _cell_figure_sql(_cells(files, "report_id, row, applicant, value"), "row", "applicant",
                               template.APPLICANT_PARTS, received)
    rows = ",\n  ".join(f"max(fig) FILTER (WHERE row = {_s(k)})::BIGINT AS {_q(k)}" for k in template.REQUEST_KEYS)
    recv = ",\n  ".join(f"max({_q('a_' + a)}) FILTER (WHERE row = {_s(template.RECEIVED_NEW)})::BIGINT AS "
                        f"{_q('received_' + a)}" for a in template.APPLICANT_PARTS)
    groups = {g: [k for k in template.REQUEST_KEYS if k.startswith(g + ".")] for g in template.REQUEST_GROUPS}
    sums = [f"({' + '.join(_q(k) for k in groups[g])}) AS {_q(g)}" for g in template.REQUEST_GROUPS[:3]]
    other = (f"CASE WHEN {_q(template.OTHER_OTHER)} IS NOT NULL THEN "
             + " + ".join(f"coalesce({_q(k)}, 0)" for k in groups["other"]) + f" END AS {_q('other')}")
    handled = " + ".join(_q(k) for k in (template.GRANTED, template.PARTLY_GRANTED, *template.REQUEST_GROUPS))
    return f"""
    WITH r AS ({per_row}),
    f AS (SELECT *, {_FIGURE} AS fig FROM r),
    w AS (SELECT filename, report_id,
      {rows},
      {recv},
      sum(nc)::BIGINT AS n_corrected
      FROM f GROUP BY filename, report_id),
    g AS (SELECT *, {', '.join(sums)}, {other} FROM w)
    SELECT *, ({handled}) AS {_q(template.HANDLED)} FROM g"""


def _appeals_sql(files: list[Path]) -> str:
    results = "".join(f",\n      max(value) FILTER (WHERE result = {_s(r)}) AS {_q('r_' + r)}" for r in APPEAL_RESULTS)
    per_proc = _cell_figure_sql(_cells(files, "report_id, proceeding, result, value"), "proceeding", "result",
                                APPEAL_RESULTS, results)
    cols = []
    for p in template.PROCEEDING_KEYS:
        for r in APPEAL_RESULTS:
            cols.append(f"max({_q('r_' + r)}) FILTER (WHERE proceeding = {_s(p)})::BIGINT AS {_q(f'{p}.{r}')}")
        cols.append(f"max(fig) FILTER (WHERE proceeding = {_s(p)})::BIGINT AS {_q(f'{p}.total')}")
    return f"""
    WITH r AS ({per_proc}),
    f AS (SELECT *, {_FIGURE} AS fig FROM r)
    SELECT filename, report_id, {', '.join(cols)}, sum(nc)::BIGINT AS n_corrected
    FROM f GROUP BY filename, report_id"""


def _findings_sql(files: list[Path]) -> str:
    """Error findings per report (what by_agency_year shows as n_errors)."""
    paths = "[" + ", ".join(_s(str(p)) for p in files) + "]"
    return (f"SELECT filename, report_id, count(*)::BIGINT AS n_errors FROM read_parquet({paths}, filename = true) "
            "WHERE severity = 'error' GROUP BY filename, report_id")


_SQL = {"requests": _requests_sql, "appeals": _appeals_sql, "findings": _findings_sql}


def _code_key(table: str) -> str:
    """What the cached figures depend on besides the data: the SQL computing them."""
    return hashlib.sha256(_SQL[table]([Path("part")]).encode()).hexdigest()[:16]


def cache_dir() -> Path:
    """Where figures are kept: ``$GOVREPORTS_FIGURES_CACHE``, else ``~/.cache/govreports/figures``
    (a temporary folder for this process where that cannot be written)."""
    folder = Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
        return folder
    except OSError:
        if not _TEMP:
            _TEMP.append(tempfile.mkdtemp(prefix="govreports-figures-"))
        return Path(_TEMP[0])


def _entry(table: str, part: Path, code: str) -> str:
    st = part.stat()
    key = f"{table}|{code}|{part}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".parquet"


_PART_INDEX: dict[tuple, dict[str, Path]] = {}


def part_of(folder: Path, table: str, report_id: str) -> Path | None:
    """Given a corpus folder, ``requests`` or ``appeals`` and a report_id, return the Parquet part
    holding that report's cells (None if none does), from the kept figures (read once per
    corpus; a widget's trace then reads one part, not all)."""
    files = parts(folder, table)
    built = _built(folder, table, files)
    if built is not None:
        data, rows = built
        key = (str(data), data.stat().st_mtime_ns)
    else:
        code, where = _code_key(table), cache_dir()
        figure_files(folder, table)
        entries = [where / _entry(table, p, code) for p in files]
        key = tuple(e.name for e in entries)
    if key not in _PART_INDEX:
        index = {}
        if built is not None:
            ids = pq.read_table(data, columns=["report_id"]).column("report_id").to_pylist()
            start = 0
            for part, n in zip(files, rows):
                for rid in ids[start:start + n]:
                    index[rid] = part
                start += n
        else:
            for part, entry in zip(files, entries):
                for rid in pq.read_table(entry, columns=["report_id"]).column("report_id").to_pylist():
                    index[rid] = part
        if len(_PART_INDEX) >= 8:  # a few corpora's tables at most
            _PART_INDEX.pop(next(iter(_PART_INDEX)))
        _PART_INDEX[key] = index
    return _PART_INDEX[key].get(report_id)


def figure_files(folder: Path, table: str) -> list[Path]:
    """Given a corpus folder and ``requests``, ``appeals`` or ``findings``, return the per-report
    figures as one Parquet file: those its build wrote (:class:`BuildFigures`) while every part is
    the one they were computed from, else the cached ones (the parts' figures, each computed once,
    merged), computing those not kept yet (a few parts at a time).

    Requests: report_id, a column per row key of table 3 (its figure), the groups ``denied``,
    ``unavailable``, ``not_processed``, ``other``, ``handled``, ``received_<applicant>`` (the
    applicant cells of 一、本年新收) and n_corrected (cells a person corrected). Appeals:
    report_id, ``<proceeding>.<result>`` (each total its figure) and n_corrected. Findings:
    report_id, n_errors (its findings of severity ``error``; reports with none have no row).
    """
    files = parts(folder, table)
    built = _built(folder, table, files)
    if built is not None:
        return [built[0]]
    code, where = _code_key(table), cache_dir()
    out = [where / _entry(table, p, code) for p in files]
    todo = [(p, o) for p, o in zip(files, out) if not o.exists()]
    if todo:
        con = connect()
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            for (part, target), mine in zip(batch, _computed(con, table, [p for p, _ in batch])):
                tmp = target.with_suffix(f".{os.getpid()}.tmp")
                pq.write_table(mine, tmp)
                os.replace(tmp, target)
            pa.default_memory_pool().release_unused()
        con.close()
    return _merged(folder, table, out, where)


def _computed(con, table: str, files: list[Path]) -> list[pa.Table]:
    """The figures of each of ``files`` (parts of ``table``), computed in one DuckDB statement."""
    result = con.sql(_SQL[table](files)).to_arrow_table()
    names = result.column("filename")
    return [result.filter(pc.equal(names, str(part))).drop_columns(["filename"]) for part in files]


def _signature(part: Path) -> list:
    st = part.stat()
    return [part.name, st.st_size, st.st_mtime_ns]


def _built(folder: Path, table: str, files: list[Path]) -> tuple[Path, list[int]] | None:
    """The figures the build wrote for ``table`` and the number of rows of each part's (in
    ``files``' order), if they are those of exactly these parts by the current SQL; else None."""
    if not files:
        return None
    where = Path(folder) / BUILT
    try:
        info = json.loads((where / f"{table}.json").read_text(encoding="utf-8"))
        data = where / f"{table}.parquet"
        if info.get("code") != _code_key(table) or not data.exists():
            return None
        if [p[:3] for p in info["parts"]] != [_signature(p) for p in files]:
            return None
        return data, [p[3] for p in info["parts"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None   # none written (an older corpus) or unreadable: computed as for any corpus


class BuildFigures:
    """Computes each part's per-report figures as a corpus writer writes the part, and keeps
    them in the corpus folder (``.figures/<table>.parquet`` and ``.json``), so the first
    analysis after a build reads them (:func:`figure_files`). The figures are those
    :func:`figure_files` computes (the same SQL, on the part just written); memory stays that of
    one part's cells and 32,000 reports' figures (:data:`ROW_GROUP`). Use it as a context
    manager: the files are complete when it closes without an error.

    >>> with BuildFigures(folder) as figs:               # doctest: +SKIP
    ...     figs.add("requests", folder / "requests" / "part-00000.parquet")
    """

    def __init__(self, folder: Path):
        self.where = Path(folder) / BUILT
        self.con = None
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.held: dict[str, list[pa.Table]] = {}   # figures of the parts not written yet
        self.parts: dict[str, list] = {}

    def add(self, table: str, part: Path) -> None:
        """Given a table's name and one of its parts just written, compute and keep its figures
        (tables without figures are passed over). Parts are added in their order."""
        if table not in _SQL:
            return
        if self.con is None:
            self.con = connect()
            self.con.execute("SET threads = 1")   # one part at a time: a second thread only adds overhead
        part = Path(part).resolve()
        (mine,) = _computed(self.con, table, [part])
        held = self.held.setdefault(table, [])
        held.append(mine)
        self.parts.setdefault(table, []).append([*_signature(part), mine.num_rows])
        if sum(t.num_rows for t in held) >= ROW_GROUP:
            self._write(table)

    def _write(self, table: str) -> None:
        """Write the figures held of ``table`` as one row group."""
        held = self.held.pop(table, [])
        if not held:
            return
        writer = self.writers.get(table)
        if writer is None:
            self.where.mkdir(exist_ok=True)
            writer = self.writers[table] = pq.ParquetWriter(self.where / f".{table}.parquet.tmp", held[0].schema)
        writer.write_table(pa.concat_tables([t.cast(writer.schema) for t in held]), row_group_size=1 << 20)

    def close(self) -> None:
        """Finish the files (the parts' signatures last: figures without them are never used)."""
        for table in list(self.held):
            self._write(table)
        for table, writer in self.writers.items():
            writer.close()
            os.replace(self.where / f".{table}.parquet.tmp", self.where / f"{table}.parquet")
            info = {"code": _code_key(table), "parts": self.parts[table]}
            (self.where / f"{table}.json").write_text(json.dumps(info), encoding="utf-8")
        self.writers = {}
        if self.con is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> "BuildFigures":
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self.close()
            return
        for table, writer in self.writers.items():
            writer.close()
            (self.where / f".{table}.parquet.tmp").unlink(missing_ok=True)
        if self.con is not None:
            self.con.close()


def _merged(folder: Path, table: str, entries: list[Path], where: Path) -> list[Path]:
    """The entries as one file (reading 500 small files costs seconds; one file of 1,000,000 rows a
    tenth of that), written once per set of entries; the older merged file of the folder goes."""
    if len(entries) <= 1:
        return entries
    stem = f"merged-{table}-" + hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:12]
    key = hashlib.sha256("\n".join(p.name for p in entries).encode()).hexdigest()[:16]
    target = where / f"{stem}-{key}.parquet"
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        merged = pa.concat_tables([pq.read_table(entry) for entry in entries])  # ~50 bytes a report
        pq.write_table(merged, tmp, row_group_size=1 << 20)
        del merged
        os.replace(tmp, target)
        for old in where.glob(f"{stem}-*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)
    return [target]


def files_sql(files: list[Path], columns: list[str] | None = None) -> str:
    """SQL reading some columns of Parquet files (None: every column)."""
    cols = ", ".join(_q(c) for c in columns) if columns else "*"
    if not files:
        return None
    return f"(SELECT {cols} FROM read_parquet([{', '.join(_s(str(p)) for p in files)}]))"


def kept(stem: str, key: str, write, suffix: str = ".parquet") -> Path:
    """Given a name for a kind of derived file (e.g. a corpus's pre-joined reports), a key of
    what its content depends on and ``write(path)`` writing it, return the kept file, written
    once per key (atomically); the older files of the same ``stem`` go."""
    where = cache_dir()
    target = where / f"{stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}{suffix}"
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        write(tmp)
        os.replace(tmp, target)
        for old in where.glob(f"{stem}-*{suffix}"):
            if old != target:
                old.unlink(missing_ok=True)
    return target
