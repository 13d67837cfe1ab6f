"""Sweeps survive faults: the driver SIGKILLed at random moments, a Dask worker killed mid-run,
the disk filling up while results are written.

After every fault the results folder must be readable (``pandas.read_parquet(OUT / "runs")``) and hold
only rows identical to an undisturbed sweep's; a resume must complete it to exactly one row per run
with the same values. Rows are compared on every column except the wall-clock ``duration_s``.
The number of faults follows the hypothesis profile (``VILLAGESIM_HYPOTHESIS``: ci, long or dev).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import errno
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import table
from villagesim import cli
from villagesim.sweep import run as sweep_run
from villagesim.sweep import store as sweep_store
from villagesim.sweep import ResultStore, load_spec, run_sweep

# Faults injected per kind under each profile; each test prints what it injected (pytest -s).
FAULTS = {"dev": {"kill": 2, "dask": 1, "disk": 2}, "ci": {"kill": 3, "dask": 1, "disk": 6},
          "long": {"kill": 30, "dask": 10, "disk": 100}}[os.environ.get("VILLAGESIM_HYPOTHESIS", "ci")]

# Enough runs that every driver kill of the profile lands in the middle of the sweep.
REPLICATES = max(6, 2 * FAULTS["kill"])
SPEC = f"""
months = 10
replicates = {REPLICATES}
seed = 7
[set]
"village.population" = 80
"village.hamlets" = 2
[factors]
scenario = ["default", "hollowed"]
"interventions.training.intensity" = [0.0, 0.5, 1.0]
[output]
metrics = ["participation_rate", "trust_mean", "members", "cost_cumulative"]
every = 5
"""
RUNS = 2 * 3 * REPLICATES


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(spec_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The undisturbed sweep, serial, in this process."""
    out = spec_path.parent / "reference"
    assert run_sweep(spec_path, out).done == RUNS
    runs = table(out)
    assert runs["run_id"].tolist() == list(range(RUNS)) and (runs["status"] == "ok").all()
    return runs, table(out, "timeseries")


def assert_consistent(out: Path, reference) -> int:
    """The folder reads, and every row it holds equals the reference row of its run; returns the row count."""
    runs, series = reference
    got = table(out)
    if got.empty:
        return 0
    assert got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, runs[runs["run_id"].isin(got["run_id"])].reset_index(drop=True))
    # The runs table is the commit point: a fault between a batch's two parts can leave time-series rows of
    # runs not yet in it (the resume rewrites them); every row there must still be right.
    got_series = table(out, "timeseries")
    assert set(got["run_id"]) <= set(got_series["run_id"])
    expected = series[series["run_id"].isin(got_series["run_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got_series, expected)
    return len(got)


def assert_complete(out: Path, reference) -> None:
    runs, series = reference
    pd.testing.assert_frame_equal(table(out), runs)
    pd.testing.assert_frame_equal(table(out, "timeseries"), series)
    assert not list(out.glob(".journal-*")) and not list(out.rglob(".*.tmp"))


def finished_runs(out: Path) -> int:
    """Runs recorded so far: journal lines plus Parquet rows (read while the sweep writes)."""
    count = 0
    for journal in out.glob(".journal-*.jsonl"):
        try:
            count += journal.read_bytes().count(b"\n")
        except FileNotFoundError:  # converted meanwhile
            pass
    for part in (out / "runs").glob("part-*.parquet"):
        try:
            count += pq.ParquetFile(part).metadata.num_rows
        except (FileNotFoundError, OSError):
            pass
    return count


# --- the driver killed with SIGKILL -------------------------------------------------------------------

DRIVER = "import sys; from villagesim.sweep import run_sweep; run_sweep(sys.argv[1], sys.argv[2], batch=int(sys.argv[3]))"


def test_driver_killed_at_random_moments_then_resumed(spec_path, reference, tmp_path):
    """Kill after a random number of finished runs (and a random sub-second delay), again and again.

    The first driver is the command line with two worker processes; the others are the Python API writing
    a Parquet part every 2 runs, so kills also land while parts are converted and renamed.
    """
    rng = np.random.default_rng(2024)
    out = tmp_path / "out"
    kills = 0
    while kills < FAULTS["kill"]:
        before = finished_runs(out) if out.exists() else 0
        assert before < RUNS, "the sweep finished before every kill landed; make it longer"
        if kills == 0:
            argv = [sys.executable, "-m", "villagesim.cli", "sweep", spec_path, "--out", out,
                    "--executor", "processes", "--workers", "2"]
        else:
            argv = [sys.executable, "-c", DRIVER, spec_path, out, "2"]
        # Spread the kills over what is left, so that the last one still finds the sweep unfinished.
        spread = max((RUNS - before) // (FAULTS["kill"] - kills + 1), 1)
        target = int(rng.integers(before, before + spread)) + 1
        driver = subprocess.Popen([str(a) for a in argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            while driver.poll() is None and (not out.exists() or finished_runs(out) < target):
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            landed = driver.poll() is None
            os.kill(driver.pid, signal.SIGKILL)
            driver.wait(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(driver.pid, signal.SIGKILL)  # the orphaned pool workers, if any
        assert landed, "the driver ended before the kill"
        kills += 1
        assert_consistent(out, reference)
    summary = run_sweep(spec_path, out)
    assert summary.done == RUNS and summary.skipped + summary.new == RUNS
    assert_complete(out, reference)
    print(f"\nfaults injected: {kills} SIGKILLs of the sweep driver; {RUNS} runs, none lost or doubled")


# --- a Dask worker killed mid-run ------------------------------------------------------------------


def held_run(fn, task, hold_from: int, gate: str):
    """Run ``fn(task)`` in the worker, holding runs from ``hold_from`` on until the file ``gate`` exists."""
    while task.run_id >= hold_from and not os.path.exists(gate):
        time.sleep(0.01)
    return fn(task)


class HeldExecutor(concurrent.futures.Executor):
    """An executor whose runs from ``hold_from`` on wait in their worker until ``gate`` is created, so that
    a fault injected meanwhile lands mid-sweep however fast the machine; results are unchanged."""

    def __init__(self, inner, hold_from: int, gate: Path):
        self.inner, self.hold_from, self.gate = inner, hold_from, str(gate)

    def submit(self, fn, /, *args, **kwargs):
        return self.inner.submit(held_run, fn, *args, hold_from=self.hold_from, gate=self.gate, **kwargs)


def test_dask_worker_killed_mid_run(spec_path, reference, tmp_path, dask_cluster):
    """SIGKILL a busy worker process after a random number of runs; the scheduler reruns its tasks on the
    other worker or on the one the nanny restarts. One kill per sweep, so no task is lost three times
    (Dask's ``allowed-failures``). The runs after that number wait in the workers until the kill is done."""
    rng = np.random.default_rng(7)
    client = dask_cluster
    for trial in range(FAULTS["dask"]):
        out = tmp_path / f"out{trial}"
        gate = tmp_path / f"released{trial}"
        target = int(rng.integers(1, RUNS // 2))
        executor = HeldExecutor(client.get_executor(pure=False), target, gate)
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(summary=run_sweep(spec_path, out, executor, in_flight=8)))
        thread.start()
        while thread.is_alive() and (not out.exists() or finished_runs(out) < target):
            time.sleep(0.005)
        deadline = time.monotonic() + 60
        while True:  # the held runs reach the workers
            pids = client.run(os.getpid)  # worker address -> process id
            busy = [addr for addr, keys in client.processing().items() if keys and addr in pids]
            if busy or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert thread.is_alive() and busy, "no run was in a worker at the kill"
        assert finished_runs(out) == target  # the held runs have not finished
        victim = busy[int(rng.integers(len(busy)))]
        os.kill(pids[victim], signal.SIGKILL)
        gate.touch()
        thread.join(timeout=600)
        assert result["summary"].done == RUNS and result["summary"].failed == 0
        assert_complete(out, reference)
        while victim in client.scheduler_info()["workers"] or len(client.scheduler_info()["workers"]) < 2:
            time.sleep(0.1)  # the next sweep starts with two live workers
    print(f"\nfaults injected: {FAULTS['dask']} SIGKILLs of a busy Dask worker, one per sweep of {RUNS} runs")


# --- the disk fills up while results are written ---------------------------------------------------


class Disk:
    """A disk with ``free`` bytes left: a write that does not fit writes what fits, then fails with ENOSPC."""

    def __init__(self, free: int):
        self.free = free
        self.full_at = None

    def write(self, handle, data: bytes) -> None:
        fits = data[: max(self.free, 0)]
        self.free -= len(data)
        handle.write(fits)
        handle.flush()
        if len(fits) < len(data):
            self.full_at = "a journal" if handle.name.endswith(".jsonl") else "a Parquet part"
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullJournal:
    """A journal file on the :class:`Disk` (the store writes text lines and flushes them)."""

    def __init__(self, path: Path, disk: Disk):
        self.handle, self.disk = open(path, "ab"), disk

    def write(self, text: str) -> None:
        self.disk.write(self.handle, text.encode("utf-8"))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.handle.close()


class FillingStore(ResultStore):
    """The real store, with its journal on the filling disk."""

    def __init__(self, *args, disk: Disk, **kwargs):
        super().__init__(*args, **kwargs)
        self.disk = disk

    def add(self, run, series) -> None:
        if self._journal is None:
            self._journal = FullJournal(self._journal_path(self.segment), self.disk)
        super().add(run, series)


def test_disk_full_while_writing_then_resumed(spec_path, reference, tmp_path, monkeypatch):
    """Journals and Parquet parts share a disk that fills after a random number of bytes.

    A Parquet part that does not fit leaves a partial temporary file, as on a real full disk.
    """
    rng = np.random.default_rng(99)
    spec = load_spec(spec_path)
    real_write = sweep_store.write_table
    where = collections.Counter()
    for trial in range(FAULTS["disk"]):
        out = tmp_path / f"out{trial}"
        # Even trials: full within the first batch's journal lines; odd ones: anywhere, mostly in a part.
        disk = Disk(int(rng.integers(50, 300) if trial % 2 == 0 else rng.integers(2_000, 40_000)))

        def write_table(table, path, disk=disk):
            data = parquet_bytes(table)
            if len(data) > disk.free:
                with open(path.with_name(f".{path.name}.tmp"), "wb") as handle:
                    disk.write(handle, data)
            disk.free -= len(data)
            real_write(table, path)

        monkeypatch.setattr(sweep_store, "write_table", write_table)
        monkeypatch.setattr(sweep_run, "ResultStore", functools.partial(FillingStore, disk=disk))
        with pytest.raises(OSError) as failure:
            run_sweep(spec, out, batch=8 if trial % 2 == 0 else int(rng.integers(2, 8)))
        assert failure.value.errno == errno.ENOSPC
        where[disk.full_at] += 1
        monkeypatch.undo()  # space freed
        assert assert_consistent(out, reference) < RUNS
        assert run_sweep(spec, out).done == RUNS
        assert_complete(out, reference)
    print(f"\nfaults injected: disk full {FAULTS['disk']} times, while writing {dict(where)}")


def parquet_bytes(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def test_disk_full_on_the_command_line_is_one_line_and_resumable(spec_path, reference, tmp_path, monkeypatch,
                                                                  capsys):
    def no_space(table, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    out = tmp_path / "out"
    argv = ["sweep", str(spec_path), "--out", str(out), "--executor", "serial"]
    monkeypatch.setattr(sweep_store, "write_table", no_space)
    assert cli.main(argv) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "No space left on device" in last and "run the same command again to resume" in last
    monkeypatch.undo()
    assert cli.main(argv) == 0
    assert_complete(out, reference)
