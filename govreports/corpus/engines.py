"""Engines: run :func:`~govreports.corpus.worker.parse_batch` over batches of files and yield the
results in order: ``local`` (a process pool, or this process) or ``dask`` (dask.distributed).
"""
from __future__ import annotations

from collections.abc import Iterator

from .worker import parse_batch


def _run_local(batches: list[list[str]], workers: int, cache_dir, version, limits=None) -> Iterator[dict]:
    """Given batches, yield parse_batch results in order, over ``workers`` processes."""
    if workers <= 1:
        for batch in batches:
            yield parse_batch(batch, cache_dir, version, limits)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _in_order(lambda b: pool.submit(parse_batch, b, cache_dir, version, limits),
                             batches, window=workers * 3)


def _run_dask(batches: list[list[str]], workers: int, scheduler, cache_dir, version, limits=None) -> Iterator[dict]:
    """Given batches, yield parse_batch results in order from dask.distributed workers.

    ``scheduler`` is an address (``tcp://host:8786``), a ``distributed.Client``, or None for a
    LocalCluster of ``workers`` single-threaded processes on this machine.
    """
    from distributed import Client, LocalCluster

    cluster = client = None
    if scheduler is None:
        import dask

        # forked, not spawned: a worker starts with govreports already imported (spawning
        # re-imported pandas, pyarrow and govreports in every worker: seconds before the first file)
        with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(cluster)
    elif isinstance(scheduler, Client):
        client = scheduler
    else:
        client = Client(scheduler)
    try:
        n_threads = sum(client.nthreads().values()) or 1
        yield from _in_order(lambda b: client.submit(parse_batch, b, cache_dir, version, limits, pure=False),
                             batches, window=n_threads * 3)
    finally:
        if client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()


def _in_order(submit, batches: list, window: int) -> Iterator[dict]:
    """Given a submit function, yield results in submission order with at most ``window`` in
    flight (so results never pile up in memory faster than they are written)."""
    pending: list = []
    it = iter(batches)
    try:
        for batch in it:
            pending.append(submit(batch))
            if len(pending) >= window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()
    finally:
        for fut in pending:
            fut.cancel()


def _batches(files: list[str], workers: int, batch_size: int | None) -> list[list[str]]:
    """Given files, return batches: small enough to balance the workers, big enough to be cheap."""
    size = batch_size or max(1, min(64, -(-len(files) // (workers * 4))))
    return [files[i:i + size] for i in range(0, len(files), size)]
