"""Shared test set-up.

Servers and browsers: :func:`start_server` starts a server on a free port of
127.0.0.1 and waits for it, :func:`stop_server` stops it, the ``browser``
fixture is Debian's headless Chromium with the flags of
:mod:`villagesim.benchmark.servers` (where the view's and the classroom's measurements start theirs too),
and :func:`local_only` makes a browser context refuse every request that
would leave this machine.

Hypothesis profiles: ``ci`` (the default, sized so the whole suite fits CI),
``long`` (run by hand before a release: ``VILLAGESIM_HYPOTHESIS=long pytest
tests/test_reliability_inputs.py tests/test_reliability_model.py``) and
``dev`` (a quick local check). The profile is chosen by the
``VILLAGESIM_HYPOTHESIS`` environment variable.

Helpers that test modules import (``from conftest import village``): :func:`village` builds one village's
parameters, network and people; :data:`NONE` and :data:`ALL` are every path off and every path at full intensity;
:func:`binomial_ok` is an exact binomial test; :func:`table` reads a sweep's result table in a comparable order.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from scipy import stats

from villagesim.benchmark import servers
from villagesim.benchmark.servers import CHROMIUM, CHROMIUM_ARGS, free_port
from villagesim.network import generate_layout, generate_ties
from villagesim.params import INTERVENTIONS, resolve
from villagesim.population import generate

# No deadline: a shared 2-core machine makes per-example timings meaningless.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, **_COMMON)
settings.register_profile("long", max_examples=2000, **_COMMON)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.load_profile(os.environ.get("VILLAGESIM_HYPOTHESIS", "ci"))

# Written out, not computed by the submodel under test: mutation testing imports this file with every
# submodel function made to fail.
NONE = {name: 0.0 for name in INTERVENTIONS}
ALL = {name: 1.0 for name in NONE}


def village(overrides=None, seed=0, population: int | None = 1200):
    """``(params, rng, layout, adj, pop)`` of a village of ``population`` people (``None``: the registry's
    default) with ``overrides`` on top, generated from ``seed``."""
    sized = {} if population is None else {"village.population": population}
    params = resolve({**sized, **(overrides or {})})
    rng = np.random.default_rng(seed)
    layout = generate_layout(params, rng)
    return params, rng, layout, generate_ties(layout, params, rng), generate(layout, params, rng)


def binomial_ok(successes, trials, p, level=0.999):
    """Two-sided exact binomial test does not reject p at 1 - level."""
    return stats.binomtest(int(successes), int(trials), p).pvalue > 1 - level


def table(out: Path, name: str = "runs") -> pd.DataFrame:
    """The sweep result table ``name`` under ``out`` without its nondeterministic columns, sorted by run (and
    step); empty if nothing has been written yet."""
    from villagesim.sweep import NONDETERMINISTIC_COLUMNS

    if not (out / name).exists():
        return pd.DataFrame()
    frame = pd.read_parquet(out / name)
    if frame.empty:  # no part written yet: pandas reads the folder as a frame without columns
        return frame
    keys = ["run_id", "step"] if name == "timeseries" else ["run_id"]
    return frame.drop(columns=[c for c in NONDETERMINISTIC_COLUMNS if c in frame]).sort_values(
        keys, ignore_index=True)


stop_server = servers.stop
SERVER_START_LIMIT = 180  # seconds; importing the stack takes long on a busy 2-core CI machine


def start_server(command: list[str], port: int | None = None, path: str = "/",
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """:func:`villagesim.benchmark.servers.start_server` for a test: it fails, with the server's output, if the
    server exits first or does not answer within :data:`SERVER_START_LIMIT` seconds."""
    try:
        return servers.start_server(command, port, path, env, SERVER_START_LIMIT)
    except servers.ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a module's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def local_only(context) -> list[str]:
    """Make the browser ``context`` refuse every request that would leave this machine; returns the list of
    the refused addresses (a test asserts it is empty)."""
    refused: list[str] = []

    def route(request_route):
        address = request_route.request.url
        if re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", address) or address.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            refused.append(address)
            request_route.abort()

    context.route("**/*", route)
    return refused


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
