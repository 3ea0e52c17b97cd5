"""Building a corpus folder safely: one build at a time, and never a half-written corpus.

Why: a build killed halfway must leave the previous corpus whole, and two builds into one
folder must not mix their reports. So a build

- takes a lock beside the folder (``.<name>.lock``, holding the pid, host and start time); a
  second build fails at once with :class:`~govreports.exceptions.CorpusLockedError` naming the
  holder; a lock whose process is dead (same host) is taken over with a warning;
- writes into a staging folder beside it (``.<name>.building-<pid>``) and swaps it in at the
  end (two renames; a kill between them is repaired by the next build, which puts the previous
  corpus back from ``.<name>.previous``).

>>> with build_lock("out/corpus") as folder:              # doctest: +SKIP
...     with staging(folder) as tmp:
...         write_the_corpus_into(tmp)
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from .exceptions import CorpusLockedError
from .frames import TABLES

CORPUS_ENTRIES = {"reports.parquet", "corpus.json", "files.json", "failed.csv", *TABLES}


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def _alive(pid: int) -> bool:
    """True when a process of this pid exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> dict | None:
    """What the lock file says (pid, host, started), or None when it is gone or unreadable."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return info if isinstance(info, dict) else {}
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def describe(info: dict) -> str:
    """Given a lock's contents, return who holds it, for a message."""
    return f"pid {info.get('pid', '?')} on {info.get('host', '?')}, started {info.get('started', '?')}"


@contextmanager
def build_lock(folder: str | os.PathLike):
    """Hold the build lock of ``folder`` for the body; yield the folder (a Path).

    Raises CorpusLockedError when another live build holds it. A lock left by a dead process on
    this host (a killed build) is taken over with a warning; a lock of another host is never
    taken over (its process cannot be checked from here)."""
    folder = Path(folder).expanduser().absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(folder)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    for _ in range(20):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            info = _holder(path)
            if info is None:
                continue  # released meanwhile: try again
            pid, host = info.get("pid"), info.get("host")
            if not (isinstance(pid, int) and host == me["host"] and not _alive(pid)):
                raise CorpusLockedError(
                    f"{folder} is being built by another run ({describe(info)}); wait for it to end, "
                    f"or remove {path} if that run is gone") from None
            _take_over(path, info)
            warnings.warn(f"{folder}: took over the lock of a build that is gone ({describe(info)})", stacklevel=3)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        break
    else:
        raise CorpusLockedError(f"{folder}: could not take the build lock {path}")
    try:
        yield folder
    finally:
        if _holder(path) == me:
            path.unlink(missing_ok=True)


def _take_over(path: Path, stale: dict) -> None:
    """Remove a stale lock, unless another build took it over (and wrote its own) meanwhile."""
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return
    if _holder(aside) != stale:  # not the lock we judged stale: put it back if nobody holds one now
        try:
            os.link(aside, path)
        except OSError:
            pass
    aside.unlink(missing_ok=True)


def check_folder(folder: Path) -> None:
    """Refuse to build into a folder that holds anything but a corpus (it would be replaced)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file, not a folder for a corpus")
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in CORPUS_ENTRIES and not p.name.startswith("."))
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise FileExistsError(f"{folder} holds files that are not a corpus ({shown}); a build replaces the whole "
                              f"folder: choose an empty or new folder")


@contextmanager
def staging(folder: Path):
    """Yield a fresh staging folder beside ``folder``; when the body ends without an exception,
    swap it in as ``folder`` (the previous corpus is removed only once the new one is in place).
    Hold :func:`build_lock` around it. Leftovers of killed builds are cleaned up first."""
    recover(folder)
    check_folder(folder)
    tmp = folder.parent / f".{folder.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    previous = folder.parent / f".{folder.name}.previous"
    if folder.exists():
        os.rename(folder, previous)
    os.rename(tmp, folder)
    shutil.rmtree(previous, ignore_errors=True)


def recover(folder: Path) -> None:
    """Under the build lock: put back a previous corpus a killed swap left aside, and remove the
    staging folders of killed builds."""
    previous = folder.parent / f".{folder.name}.previous"
    if previous.exists():
        if folder.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(previous, folder)
    for left in folder.parent.glob(f".{folder.name}.building-*"):
        shutil.rmtree(left, ignore_errors=True)
