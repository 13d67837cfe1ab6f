"""Running sweeps: same results on every executor, resume after SIGKILL, failed runs, the store's recovery.

Equality compares every column except ``villagesim.sweep.NONDETERMINISTIC_COLUMNS``
(the run's wall-clock ``duration_s``), with rows sorted by ``run_id``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from conftest import table
from villagesim import cli
from villagesim.sweep import store as sweep_store
from villagesim.model import VillageModel
from villagesim.sweep import (ExecutorFailed, ResultStore, SerialExecutor, load_spec,
                              run_seed, run_sweep, schemas)

SMALL = """
months = 8
replicates = 3
seed = 11
[set]
"village.population" = 150
"village.hamlets" = 3
[factors]
scenario = ["default", "hollowed"]
"interventions.digital.intensity" = [0.0, 1.0]
[output]
metrics = ["participation_rate", "project_uptake", "trust_mean", "members"]
every = 4
"""


def write_spec(folder: Path, text: str = SMALL, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The small sweep run serially in this process, through the Python API."""
    folder = tmp_path_factory.mktemp("reference")
    summary = run_sweep(write_spec(folder), folder / "out")
    assert (summary.total, summary.done, summary.failed, summary.skipped) == (12, 12, 0, 0)
    return folder / "out"


def test_runs_table_layout(reference):
    runs = table(reference)
    assert runs["run_id"].tolist() == list(range(12))
    assert list(runs.columns[:6]) == ["run_id", "point_id", "replicate", "seed", "status", "error"]
    assert set(runs["status"]) == {"ok"} and runs["error"].isna().all()
    assert runs["scenario"].tolist() == ["default"] * 6 + ["hollowed"] * 6
    assert (pd.read_parquet(reference / "runs")["duration_s"] > 0).all()
    series = table(reference, "timeseries")
    assert series.groupby("run_id")["step"].apply(list).tolist() == [[0, 4, 8]] * 12
    assert len(list((reference / "runs").glob("*.parquet"))) == 1  # one batch, not one file per run


def test_a_run_equals_a_direct_model_run(reference):
    """Row 7 is what VillageModel gives for its parameters and seed."""
    row = table(reference).iloc[7]
    model = VillageModel.from_scenario(row["scenario"], seed=int(row["seed"]), overrides={
        "village.population": 150, "village.hamlets": 3,
        "interventions.digital.intensity": row["interventions.digital.intensity"]}).run(8)
    assert {m: row[m] for m in ("participation_rate", "project_uptake", "trust_mean", "members")} == {
        m: model.final()[m] for m in ("participation_rate", "project_uptake", "trust_mean", "members")}
    frame = model.timeseries()
    series = table(reference, "timeseries")
    assert series[series["run_id"] == 7]["trust_mean"].tolist() == frame["trust_mean"].iloc[[0, 4, 8]].tolist()


@pytest.mark.parametrize("argv", [
    ["--executor", "serial"],
    ["--executor", "processes", "--workers", "2"],
    ["--executor", "dask", "--scheduler", "DASK"],
    pytest.param(["--executor", "dask", "--workers", "2"], marks=pytest.mark.slow),
], ids=["serial", "processes", "dask-scheduler", "dask-localcluster"])
def test_every_executor_gives_the_same_dataset(request, tmp_path, capsys, reference, argv):
    if "DASK" in argv:
        argv = [request.getfixturevalue("dask_scheduler") if a == "DASK" else a for a in argv]
    out = tmp_path / "out"
    assert cli.main(["sweep", str(write_spec(tmp_path)), "--out", str(out), *argv]) == 0
    printed = capsys.readouterr()
    assert "12 runs, 0 failed" in printed.out
    assert "12/12 runs, 0 failed" in printed.err
    pd.testing.assert_frame_equal(table(out), table(reference))
    pd.testing.assert_frame_equal(table(out, "timeseries"), table(reference, "timeseries"))


def session_processes(session: int) -> list[int]:
    pids = []
    for pid in psutil.pids():
        try:
            if os.getsid(pid) == session:
                pids.append(pid)
        except OSError:
            pass
    return pids


LONGER = SMALL.replace("replicates = 3", "replicates = 10").replace("months = 8", "months = 30")
# Each run in the driver's own process waits 50 ms first, so that however fast
# the model gets, a serial sweep is still under way when the kill lands.
DRIVER = ("import sys, time; from villagesim.model import VillageModel; "
          "from villagesim.sweep import make_executor, run_sweep; "
          "run = VillageModel.run; VillageModel.run = lambda self, months=None: time.sleep(0.05) or run(self, months); "
          "run_sweep(sys.argv[1], sys.argv[2], make_executor(sys.argv[3], 2, None)[0])")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("uninterrupted")
    run_sweep(write_spec(folder, LONGER), folder / "out")
    return folder / "out"


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_resume_after_sigkill_gives_the_uninterrupted_dataset(tmp_path, uninterrupted, executor):
    spec = write_spec(tmp_path, LONGER)
    out = tmp_path / "out"
    journal = out / ".journal-000000.jsonl"
    process = subprocess.Popen([sys.executable, "-c", DRIVER, str(spec), str(out), executor], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") >= 5:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done_before = journal.read_text(encoding="utf-8").count("\n")
    assert process.returncode == -signal.SIGKILL
    assert 5 <= done_before < 40, "the kill must land in the middle of the sweep"
    deadline = time.monotonic() + 30
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = session_processes(process.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the pool's processes must end with the killed sweep"

    summary = run_sweep(spec, out)
    assert (summary.done, summary.skipped) == (40, done_before)
    assert not journal.exists()
    runs = table(out)
    assert runs["run_id"].tolist() == list(range(40))  # exactly one row per run
    pd.testing.assert_frame_equal(runs, table(uninterrupted))
    pd.testing.assert_frame_equal(table(out, "timeseries"), table(uninterrupted, "timeseries"))

    again = run_sweep(spec, out)  # a finished sweep has nothing left to do
    assert (again.done, again.skipped, again.new) == (40, 40, 0)
    pd.testing.assert_frame_equal(table(out), runs)


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    real_run = VillageModel.run

    def run(self, months=None):
        if self.params["interventions.digital.intensity"] == 1.0 and self.params["village.hamlets"] == 3:
            raise ValueError("platform overloaded\nsecond line")
        return real_run(self, months)

    monkeypatch.setattr(VillageModel, "run", run)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(write_spec(tmp_path)), "--out", str(out), "--executor", "serial"]) == 0
    printed = capsys.readouterr()
    assert "12 runs, 6 failed" in printed.out and "12/12 runs, 6 failed" in printed.err
    runs = table(out)
    failed = runs[runs["status"] == "error"]
    assert (failed["interventions.digital.intensity"] == 1.0).all() and len(failed) == 6
    assert set(failed["error"]) == {"ValueError: platform overloaded"}
    assert failed["trust_mean"].isna().all() and runs[runs["status"] == "ok"]["trust_mean"].notna().all()
    series = table(out, "timeseries")
    assert set(series["run_id"]) == set(runs.loc[runs["status"] == "ok", "run_id"])


def test_resume_refuses_a_different_spec_and_changes_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL.replace("replicates = 3", "replicates = 1"))
    out = tmp_path / "out"
    run_sweep(spec, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    write_spec(tmp_path, SMALL.replace("replicates = 3", "replicates = 2"))
    assert cli.main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different sweep (differs in replicates)" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


TWINS = """
months = 8
replicates = 3
seed = 5
common_seeds = true
[factors]
scenario = ["a.toml", "b.toml"]
[output]
metrics = ["participation_rate", "project_uptake", "trust_mean", "members"]
every = 4
"""


def by_point(out: Path, name: str) -> list[pd.DataFrame]:
    """Each point's rows of a sweep of two points, without the columns that name the run or the point."""
    frame = table(out, name)
    return [frame[frame["point_id"] == p].drop(columns=["run_id", "point_id", "scenario"], errors="ignore")
            .reset_index(drop=True) for p in (0, 1)]


def test_common_seeds_make_two_points_with_the_same_parameters_identical(tmp_path):
    for name in ("a.toml", "b.toml"):  # two scenario files, one village
        write_spec(tmp_path, '[village]\npopulation = 150\nhamlets = 3\n', name)
    run_sweep(write_spec(tmp_path, TWINS), tmp_path / "common")
    run_sweep(write_spec(tmp_path, TWINS.replace("common_seeds = true", "common_seeds = false")), tmp_path / "own")
    (runs_a, runs_b), (series_a, series_b) = (by_point(tmp_path / "common", name) for name in ("runs", "timeseries"))
    assert runs_a["seed"].tolist() == runs_b["seed"].tolist() == [run_seed(5, 0, r) for r in range(3)]
    pd.testing.assert_frame_equal(runs_a, runs_b)
    pd.testing.assert_frame_equal(series_a, series_b)
    # Without the key the second point has seeds of its own, so other outputs; the first point is unchanged.
    (own_a, own_b), (_, own_series_b) = (by_point(tmp_path / "own", name) for name in ("runs", "timeseries"))
    pd.testing.assert_frame_equal(own_a, runs_a)
    assert own_b["seed"].tolist() == [run_seed(5, 1, r) for r in range(3)]
    assert not own_series_b.equals(series_b)


def test_resume_refuses_another_common_seeds_and_resumes_folders_made_before_the_key(tmp_path, capsys):
    for name in ("a.toml", "b.toml"):
        write_spec(tmp_path, '[village]\npopulation = 150\nhamlets = 3\n', name)
    unpaired = TWINS.replace("common_seeds = true\n", "").replace("months = 8", "months = 2")
    spec = write_spec(tmp_path, unpaired)
    out = tmp_path / "out"
    run_sweep(spec, out)
    manifest = out / "sweep.json"
    old = json.loads(manifest.read_text(encoding="utf-8"))
    assert old["spec"].pop("common_seeds") is False
    manifest.write_text(json.dumps(old), encoding="utf-8")  # as a sweep started before the key wrote it
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert run_sweep(spec, out).skipped == 6
    write_spec(tmp_path, unpaired.replace("seed = 5", "seed = 5\ncommon_seeds = false"))  # the default: same sweep
    assert run_sweep(spec, out).skipped == 6
    write_spec(tmp_path, unpaired.replace("seed = 5", "seed = 5\ncommon_seeds = true"))
    assert cli.main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different sweep (differs in common_seeds)" in err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli.main(["sweep", str(write_spec(tmp_path)), "--out", str(out), "--executor", "serial"]) == 2
    assert "not empty and not a sweep folder" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


# --- the store's recovery, with faults injected through write_table -----------------------


def small_store(tmp_path: Path, batch: int):
    spec = load_spec(write_spec(tmp_path))
    return spec, ResultStore(tmp_path / "out", *schemas(spec), batch=batch)


def fake_run(spec, run_id: int) -> tuple[dict, list[dict]]:
    run = {"run_id": run_id, "point_id": run_id // 3, "replicate": run_id % 3, "seed": run_id, "status": "ok",
           "error": None, "duration_s": 0.1, **{m: float(run_id) for m in spec.metrics}}
    series = [{"run_id": run_id, "point_id": run_id // 3, "replicate": run_id % 3, "step": s,
               **{m: float(s) for m in spec.metrics}} for s in (0, 4, 8)]
    return run, series


def test_store_writes_batches_and_recovers_a_journal(tmp_path):
    spec, store = small_store(tmp_path, batch=4)
    assert store.recover() == set()
    for run_id in range(10):
        store.add(*fake_run(spec, run_id))
    # killed here: runs 8 and 9 are only in the journal
    assert sorted(p.name for p in store.runs_dir.iterdir()) == ["part-000000.parquet", "part-000001.parquet"]
    journal = tmp_path / "out" / ".journal-000002.jsonl"
    with open(journal, "a", encoding="utf-8") as handle:
        handle.write('{"run": {"run_id": 10, "poi')  # a line cut short by the kill
    _, again = small_store(tmp_path, batch=4)
    assert again.recover() == set(range(10))
    assert not journal.exists() and again.segment == 3
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    assert sorted(runs["run_id"]) == list(range(10))
    assert len(pd.read_parquet(tmp_path / "out" / "timeseries")) == 30


def test_store_recovers_from_a_crash_between_the_two_parts(tmp_path, monkeypatch):
    spec, store = small_store(tmp_path, batch=100)
    store.recover()
    for run_id in range(5):
        store.add(*fake_run(spec, run_id))
    real_write = sweep_store.write_table

    def failing(table, path):
        if path.parent.name == "runs":
            raise OSError("disk full")
        real_write(table, path)

    monkeypatch.setattr(sweep_store, "write_table", failing)
    with pytest.raises(OSError):
        store.close()
    assert (tmp_path / "out" / "timeseries" / "part-000000.parquet").exists()
    assert not (tmp_path / "out" / "runs" / "part-000000.parquet").exists()
    monkeypatch.setattr(sweep_store, "write_table", real_write)
    _, again = small_store(tmp_path, batch=100)
    assert again.recover() == set(range(5))
    assert len(pd.read_parquet(tmp_path / "out" / "timeseries")) == 15  # rewritten, not doubled


def test_store_skips_a_journal_already_converted(tmp_path, monkeypatch):
    """Killed after the runs part was renamed into place but before the journal was deleted."""
    spec, store = small_store(tmp_path, batch=100)
    store.recover()
    for run_id in range(3):
        store.add(*fake_run(spec, run_id))
    journal = tmp_path / "out" / ".journal-000000.jsonl"
    kept = journal.read_text(encoding="utf-8")
    store.close()
    journal.write_text(kept, encoding="utf-8")
    _, again = small_store(tmp_path, batch=100)
    assert again.recover() == {0, 1, 2}
    assert not journal.exists()
    assert len(pd.read_parquet(tmp_path / "out" / "runs")) == 3


def test_manifest_records_the_spec(reference):
    manifest = json.loads((reference / "sweep.json").read_text(encoding="utf-8"))
    assert (manifest["points"], manifest["runs"]) == (4, 12)
    assert manifest["spec"]["factors"][0] == {"key": "scenario", "values": ["default", "hollowed"],
                                              "low": None, "high": None}


class BreaksAfter(SerialExecutor):
    """Runs ``good`` tasks, then fails every later one as a broken process pool would."""

    def __init__(self, good: int):
        self.left = good

    def submit(self, fn, /, *args, **kwargs):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        self.left -= 1
        if self.left >= 0:
            return super().submit(fn, *args, **kwargs)
        future = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future


def test_executor_failure_stops_the_sweep_and_a_resume_completes_it(tmp_path, reference):
    out = tmp_path / "out"
    with pytest.raises(ExecutorFailed, match="BrokenProcessPool: a worker died"):
        run_sweep(write_spec(tmp_path), out, BreaksAfter(5))
    assert sorted(table(out)["run_id"]) == [0, 1, 2, 3, 4]
    assert run_sweep(write_spec(tmp_path), out).skipped == 5
    pd.testing.assert_frame_equal(table(out), table(reference))


def test_resume_warns_when_the_code_changed(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL.replace("replicates = 3", "replicates = 1"))
    run_sweep(spec, tmp_path / "out")
    manifest = tmp_path / "out" / "sweep.json"
    assert "code changed" not in capsys.readouterr().err
    run_sweep(spec, tmp_path / "out")
    assert "code changed" not in capsys.readouterr().err
    edited = json.loads(manifest.read_text(encoding="utf-8")) | {"code_sha256": "an older version"}
    manifest.write_text(json.dumps(edited), encoding="utf-8")
    run_sweep(spec, tmp_path / "out")
    assert "villagesim's code changed since this sweep started" in capsys.readouterr().err
    assert json.loads(manifest.read_text(encoding="utf-8"))["code_sha256"] == "an older version"


def test_resuming_a_finished_sweep_reports_no_undefined_rates(tmp_path, capsys):
    spec = str(write_spec(tmp_path, SMALL.replace("replicates = 3", "replicates = 1")))
    argv = ["sweep", spec, "--out", str(tmp_path / "out"), "--executor", "serial"]
    assert cli.main(argv) == 0
    assert "runs/s" in capsys.readouterr().out
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "(4 already done), 0 failed; 0 runs in" in printed and "nan" not in printed and "runs/s" not in printed
