"""A time limit on one piece of work in the current thread: one file must never stall a batch.

Why not a signal (SIGALRM): it works only in a process's main thread, and dask runs its tasks in
worker threads. Instead one watchdog thread per process raises :class:`TimedOut` in the thread
whose deadline passed (``PyThreadState_SetAsyncExc``), which works in the main thread (process
pool, ``workers=1``) and in dask's worker threads alike. ``TimedOut`` derives from
BaseException, so the readers' ``except Exception`` never swallows it.

Where it cannot stop work: the exception is raised when the thread next runs Python code, so a
single call into C that runs for long (one huge regular expression, one huge XML parse) is
stopped only when it returns. The size limits (:mod:`govreports.limits`) keep such inputs away.

>>> with time_limit(5):
...     sum(range(10))
45
"""
from __future__ import annotations

import ctypes
import itertools
import os
import threading
import time
from contextlib import contextmanager


class TimedOut(BaseException):
    """Raised in a thread whose time limit passed (see :func:`time_limit`)."""


def _set_async_exc(thread_id: int, exc) -> None:
    """Raise ``exc`` in the thread at its next Python instruction; ``None`` clears a pending one."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


class _Watchdog:
    """One daemon thread holding the deadlines of this process's timed work.

    The timed thread never takes a lock that the exception could leave held: a deadline is
    taken out of ``jobs`` by one atomic ``dict.pop``, either by the thread (done in time) or by
    the watchdog (which then raises in the thread, and marks the token ``fired``)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.jobs: dict[int, tuple[float, int]] = {}   # token -> (deadline, thread id)
        self.fired: set[int] = set()
        self.tokens = itertools.count()
        self.thread: threading.Thread | None = None
        self.wakes = 0.0   # when the watchdog wakes next (it sleeps until the earliest deadline)

    def arm(self, seconds: float) -> int:
        with self.cond:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="govreports-time-limit", daemon=True)
                self.thread.start()
            token = next(self.tokens)
            deadline = time.monotonic() + seconds
            self.jobs[token] = (deadline, threading.get_ident())
            if deadline < self.wakes or not self.wakes:
                # only a deadline earlier than its next wake-up wakes the watchdog: waking it for
                # every file cost a thread switch (about 1 ms) per file
                self.cond.notify()
        return token

    def disarm(self, token: int) -> None:
        """Forget a deadline. If the watchdog took it first, wait until it has raised, then clear
        the exception if it is still pending (or let it surface here: the work was too slow)."""
        if self.jobs.pop(token, None) is not None:
            return
        try:
            while token not in self.fired:
                time.sleep(0.001)
            _set_async_exc(threading.get_ident(), None)
        finally:
            self.fired.discard(token)

    def _loop(self) -> None:
        with self.cond:
            while True:
                now = time.monotonic()
                for token, (deadline, tid) in list(self.jobs.items()):
                    if deadline <= now and self.jobs.pop(token, None) is not None:
                        _set_async_exc(tid, TimedOut)
                        self.fired.add(token)
                wait = max(0.01, min((d for d, _ in list(self.jobs.values())), default=now + 3600) - now)
                self.wakes = now + wait
                self.cond.wait(timeout=wait)


_WATCHDOG = _Watchdog()


def _after_fork() -> None:
    global _WATCHDOG
    _WATCHDOG = _Watchdog()  # a forked worker does not inherit the parent's thread


os.register_at_fork(after_in_child=_after_fork)


@contextmanager
def time_limit(seconds: float | None):
    """Run the body under a time limit: past ``seconds`` it is interrupted with :class:`TimedOut`.

    ``None`` or 0: no limit. The caller catches ``TimedOut`` (it may also surface as the body
    ends, when the limit passed at that very moment: the work did take too long)."""
    if not seconds or seconds <= 0:
        yield
        return
    watchdog = _WATCHDOG
    token = watchdog.arm(seconds)
    try:
        yield
    finally:
        watchdog.disarm(token)
