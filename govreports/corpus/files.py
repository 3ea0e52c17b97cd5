"""Which files of a folder, glob or list are reports, and a report's id.

>>> from govreports.corpus.files import list_files
>>> len(list_files("data/reports/seeds"))
5
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

SKIP_NAMES = re.compile(r"^(\.|readme|manifest\.(jsonl|csv)$)", re.IGNORECASE)
SKIP_SUFFIXES = {".json", ".jsonl", ".parquet", ".pkl", ".pyc", ".tmp"}


def list_files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Given a folder, a glob pattern, a file or a list of them, return the report files, sorted.

    Folders are searched recursively; hidden files, README files, JSON/JSONL (a render manifest)
    and Parquet files are skipped. A symbolic link that leads nowhere (dangling, or a loop) is
    listed, so that it is reported ``failed`` with its reason rather than skipped unseen. A path
    that names nothing raises FileNotFoundError.

    >>> len(list_files("data/reports/seeds"))
    5
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            found += [f for f in p.rglob("*") if (f.is_file() or _broken_link(f)) and _is_report_file(f, p)]
        elif p.is_file() or _broken_link(p):
            found.append(p)
        elif any(ch in str(item) for ch in "*?["):
            base = Path(p.anchor) if p.is_absolute() else Path(".")
            pattern = str(p.relative_to(p.anchor)) if p.is_absolute() else str(item)
            found += [f for f in base.glob(pattern) if (f.is_file() or _broken_link(f)) and _is_report_file(f, base)]
        else:
            raise FileNotFoundError(f"no such file, folder or pattern: {item}")
    return sorted(set(found))


def _broken_link(path: Path) -> bool:
    """True for a symbolic link that leads nowhere (dangling, or a loop): listed, to fail with its reason."""
    return path.is_symlink() and not path.exists()


def _is_report_file(path: Path, root: Path) -> bool:
    """Given a file under ``root``, say whether it may be a report (not hidden, README, manifest)."""
    parts = path.relative_to(root).parts
    if any(part.startswith(".") for part in parts):
        return False
    return not SKIP_NAMES.match(path.name) and path.suffix.lower() not in SKIP_SUFFIXES


def report_id_of(data: bytes) -> str:
    """Given a file's bytes, return its report_id: the first 16 hex digits of their SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]
