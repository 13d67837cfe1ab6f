"""Where runs happen: in this process, a process pool or a Dask cluster (any ``concurrent.futures`` executor)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future

from villagesim.errors import InputError


class SerialExecutor(Executor):
    """Runs each task at once in this process (``--executor serial``)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


class ExecutorFailed(RuntimeError):
    """The executor lost a run (a broken pool, a lost scheduler); finished runs are kept for a resume."""


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def exit_with(parent: int, interval: float = 1.0) -> None:
    """Process-pool initializer: end this worker soon after the sweep process ``parent`` is gone.

    A killed sweep (SIGKILL) cannot stop its pool, and idle workers would wait for tasks forever.
    """

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="exit-with-sweep", daemon=True).start()


def make_executor(kind: str, workers: int, scheduler: str | None):
    """An executor, a function that releases it, and its number of worker slots, for ``--executor``."""
    if kind == "serial":
        return SerialExecutor(), lambda: None, 1
    if kind == "processes":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # forkserver: workers fork from a clean process that imported the model once
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["villagesim.model"])
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=exit_with,
                                   initargs=(os.getpid(),))
        return pool, lambda: pool.shutdown(wait=True, cancel_futures=True), workers
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as err:
            raise InputError(f"--scheduler {scheduler}: cannot connect ({type(err).__name__}: {err})") from None
        return client.get_executor(pure=False), client.close, max(sum(client.nthreads().values()), 1)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    client = Client(cluster)

    def release() -> None:
        client.close()
        cluster.close()

    return client.get_executor(pure=False), release, workers


@contextlib.contextmanager
def local_pool(workers: int) -> Iterator[Executor]:
    """A process pool of ``workers`` on this machine (this process alone for 1), shut down on leaving.

    >>> with local_pool(1) as executor:
    ...     executor.submit(sum, [1, 2]).result()
    3
    """
    executor, release, _ = make_executor("processes" if workers > 1 else "serial", workers, None)
    try:
        yield executor
    finally:
        release()
