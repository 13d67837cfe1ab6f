"""Shared test set-up.

Hypothesis profiles: ``ci`` (the default, sized so the whole suite fits CI),
``long`` (run by hand before a release: ``VILLAGESIM_HYPOTHESIS=long pytest
tests/test_reliability_inputs.py tests/test_reliability_model.py``) and
``dev`` (a quick local check). The profile is chosen by the
``VILLAGESIM_HYPOTHESIS`` environment variable.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No deadline: a shared 2-core machine makes per-example timings meaningless.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, **_COMMON)
settings.register_profile("long", max_examples=2000, **_COMMON)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.load_profile(os.environ.get("VILLAGESIM_HYPOTHESIS", "ci"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def local_dask(nanny: bool):
    """A real ``dask scheduler`` and two single-threaded workers on 127.0.0.1 that also stop by themselves;
    yields the scheduler's address once both workers are up. With ``nanny`` each worker runs under a nanny
    that restarts it when it dies."""
    from dask.distributed import Client

    dask = Path(sys.executable).parent / "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    # The workers can import the test modules, for tests that send them their own functions.
    path = os.pathsep.join(filter(None, (str(Path(__file__).parent), os.environ.get("PYTHONPATH"))))
    common = {"start_new_session": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
              "env": {**os.environ, "PYTHONPATH": path}}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                                  "--idle-timeout", "300s"], **common)
    worker = [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
              "--death-timeout", "30", "--lifetime", "600s"]
    workers = ([subprocess.Popen([*worker, "--nworkers", "2"], **common)] if nanny
               else [subprocess.Popen([*worker, "--no-nanny"], **common) for _ in range(2)])
    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in (*workers, scheduler):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def dask_scheduler():
    """The address of a local Dask cluster (:func:`local_dask`) shared by a module's tests."""
    with local_dask(nanny=False) as address:
        yield address


@pytest.fixture
def dask_cluster():
    """A client of a local Dask cluster whose workers run under nannies, so that a killed one comes back."""
    from dask.distributed import Client

    with local_dask(nanny=True) as address, Client(address, timeout="60s") as client:
        yield client
