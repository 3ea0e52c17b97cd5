"""Many reports at once: read a folder of report files into one set of tidy tables.

Why a module of its own: a researcher's corpus is tens of thousands of files in every format, some
broken, some saved twice, one agency printing its name five ways over six years. Reading them must
survive a bad file, resume after an interruption without parsing anything twice, keep memory flat
as the corpus grows, and link the reports of one agency across years. The stages are plain
functions over plain data::

    list_files(paths)                      -> [Path, ...]                 (sorted, README/manifest skipped)
    parse_batch(paths, cache_dir, version, limits) -> {"reports": [row, ...], "tables": {name: Arrow}, "cached": n}
    collect(results, folder, total)        -> the one way a build ends, in the main process:
      _Collector.add(batch)                -> duplicates marked, chunks of 2,000 reports flushed to Parquet
      AgencyLinker own / see / link        -> agency_key, agency_link, level, region filled corpus-wide
      CrossYear.add / findings             -> carry-over, a year twice or missing, a misfiled report

One module a job::

    files.py     list_files, report_id_of: which files are reports
    cache.py     the per-file JSON cache (code_version, cache_path, load_cached, store_cached, valid_entry)
    worker.py    parse_file, parse_batch: what runs in a worker process (plain data in and out)
    engines.py   local (process pool) and dask engines: batches in, results in order
    collect.py   the collector: duplicates marked, chunks flushed, carry-over cells noted
    store.py     Arrow schemas, Parquet parts, reports.parquet, corpus.json, the build's SQLite index
    crossyear.py the findings only a corpus shows, streamed agency by agency
    facade.py    Corpus, read_corpus, open_corpus, collect
    (agency linking: govreports.agencies.link_agencies and AgencyLinker)

Memory stays flat however large the corpus: what a build must remember about every report is
kept in a SQLite index beside the rows (see :func:`~govreports.corpus.facade.collect`).

Every file is read under :class:`~govreports.limits.Limits` (size, pages, rows, seconds: one
file never stalls a batch); the cache holds JSON checked on load (data, never code); a corpus
folder is built under a lock into a staging folder swapped in at the end (:mod:`govreports.building`).

>>> import govreports as gr
>>> c = gr.read_corpus("data/reports", cache="~/.cache/govreports")          # doctest: +SKIP
>>> c.counts                                                                  # doctest: +SKIP
{'files': 23, 'parsed': 21, 'failed': 2, 'cached': 0, 'duplicates': 0}
>>> c.reports[["agency", "agency_key", "year", "level", "region", "status"]]  # doctest: +SKIP
>>> c.to_parquet("corpus/")                                                   # doctest: +SKIP
>>> c = gr.open_corpus("corpus/")                                             # doctest: +SKIP

On a dask cluster (files and cache on a filesystem every worker sees)::

    c = gr.read_corpus("/shared/reports", engine="dask", scheduler="tcp://head:8786",
                       cache="/shared/cache", out="/shared/corpus")
"""
from __future__ import annotations

from ..agencies import link_agencies
from ..frames import REPORT_COLUMNS, TABLES
from .cache import (CACHE_ENTRY_BYTES, CACHE_FORMAT, DEFAULT_CACHE, cache_path, code_version, load_cached,
                    store_cached, valid_entry)
from .facade import Corpus, _progress_bar, format_counts, open_corpus, read_corpus  # noqa: F401
from .files import list_files, report_id_of
from .store import _PANDAS_TYPES, DEFAULT_CHUNK_SIZE, SCHEMAS, arrow_to_frame, columns_to_arrow  # noqa: F401
from .worker import fingerprint, parse_batch, parse_file, records_to_columns

__all__ = ["CACHE_ENTRY_BYTES", "CACHE_FORMAT", "DEFAULT_CACHE", "DEFAULT_CHUNK_SIZE", "REPORT_COLUMNS", "SCHEMAS",
           "TABLES", "Corpus", "arrow_to_frame", "cache_path", "code_version", "columns_to_arrow", "fingerprint",
           "format_counts", "link_agencies", "list_files", "load_cached", "open_corpus", "parse_batch", "parse_file",
           "read_corpus", "records_to_columns", "report_id_of", "store_cached", "valid_entry"]
