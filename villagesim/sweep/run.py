"""The sweep itself: each (point, replicate) run with its seed, streamed to the store; resumable."""


from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from villagesim import __version__
from villagesim.errors import InputError
from villagesim.outputs import replacing
from villagesim.sweep.design import point_overrides, points, series_steps
from villagesim.sweep.executors import ExecutorFailed, SerialExecutor
from villagesim.sweep.spec import Spec, load_spec
from villagesim.sweep.store import ResultStore, schemas


PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run; small, so it pickles cheaply."""

    run_id: int
    seed: int
    overrides: dict[str, Any]
    months: int
    metrics: tuple[str, ...]
    steps: tuple[int, ...]
    extensions: tuple[tuple[str, str], ...] = ()
    """(path, sha256) of each extension file; the worker loads them by path."""


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: final metric values and the kept time-series rows."""

    run_id: int
    error: str | None
    duration_s: float
    final: tuple[float, ...]
    series: tuple[tuple[float, ...], ...]


def run_task(task: Task) -> Outcome:
    """Run one simulation; an exception becomes an ``error`` outcome instead of stopping the sweep."""
    from villagesim.extensions import load
    from villagesim.model import VillageModel

    start = time.perf_counter()
    try:
        extensions = [load(path, sha256) for path, sha256 in task.extensions]
        model = VillageModel(task.overrides, seed=task.seed, extensions=extensions).run(task.months)
        final = model.final()
        series = ()
        if task.steps:
            frame = model.timeseries().loc[list(task.steps), ["step", *task.metrics]]
            series = tuple(tuple(float(x) for x in row) for row in frame.itertuples(index=False))
        return Outcome(task.run_id, None, time.perf_counter() - start, tuple(final[m] for m in task.metrics), series)
    except Exception as err:  # noqa: BLE001 - any failure of one run is recorded, not fatal
        message = f"{type(err).__name__}: {err}".splitlines()[0]
        nan = (math.nan,) * len(task.metrics)
        return Outcome(task.run_id, message, time.perf_counter() - start, nan, ())


@dataclass
class Summary:
    """Counts of a finished (or resumed) sweep."""

    total: int
    done: int
    failed: int
    skipped: int
    seconds: float
    first_result_s: float = math.nan

    @property
    def new(self) -> int:
        return self.done - self.skipped

    @property
    def rate(self) -> float:
        """Runs per second of this session, start-up (imports, worker launch) included."""
        return self.new / self.seconds if self.seconds > 0 else math.nan

    @property
    def steady_rate(self) -> float:
        """Runs per second after the first result, i.e. without start-up."""
        span = self.seconds - self.first_result_s
        return (self.new - 1) / span if self.new > 1 and span > 0 else math.nan


class Progress:
    """A one-line progress bar on stderr: runs done, failures, time left."""

    def __init__(self, total: int, already: int, stream=None, width: int = 28):
        self.total, self.already, self.width = total, already, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = self.last = time.monotonic()
        self.done, self.failed = already, 0

    def update(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if self.done == self.total or now - self.last >= (0.2 if self.tty else 30.0):
            self.last = now
            self.draw(now)

    def draw(self, now: float) -> None:
        new = self.done - self.already
        left = (now - self.start) / new * (self.total - self.done) if new else float("nan")
        filled = int(self.width * self.done / max(self.total, 1))
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} runs, "
                f"{self.failed} failed, {_duration(left)} left")
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    if math.isnan(seconds):
        return "?"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def prepare(spec: Spec, out: str | os.PathLike, overwrite: bool = False) -> dict[str, Any]:
    """Check that ``out`` is new, empty or holds this very sweep (any sweep if ``overwrite``);
    return the manifest to keep there.

    Writes nothing, so a refused resume leaves the folder as it was.
    """
    out = Path(out)
    pts = points(spec)
    digest = hashlib.sha256(json.dumps(pts).encode()).hexdigest()
    manifest = {"villagesim": __version__, "spec": spec.to_dict(), "points": len(pts),
                "runs": len(pts) * spec.replicates, "points_sha256": digest, "code_sha256": code_digest()}
    manifest = json.loads(json.dumps(manifest))
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        old = _started(out)
        if old is None:
            raise InputError(f"--out {out}: not empty and not a sweep folder (no readable sweep.json); "
                             "use a new folder, or --overwrite")
        if not _same_sweep(old, manifest):
            keys = sorted(k for k in {**old.get("spec", {}), **manifest["spec"]}
                          if old.get("spec", {}).get(k) != manifest["spec"].get(k)) or ["design points"]
            raise InputError(f"--out {out}: holds a different sweep (differs in {', '.join(keys)}); "
                             "use a new folder, the spec it was started with to resume, or --overwrite")
    return manifest


SWEEP_ENTRIES = ("sweep.json", "runs", "timeseries", "analysis", ".journal-*.jsonl")
"""What a sweep writes in its folder: all that ``--overwrite`` deletes."""


def _started(out: Path) -> dict | None:
    """The manifest of the sweep in ``out``, None if there is none (or it cannot be read)."""
    try:
        old = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(old, dict) and isinstance(old.get("spec"), dict):
        # Keys added since: a sweep started before them had their defaults.
        old["spec"].setdefault("extensions", [])
        old["spec"].setdefault("common_seeds", False)
    return old if isinstance(old, dict) else None


def _same_sweep(old: dict | None, manifest: dict) -> bool:
    """Whether ``old`` is this sweep's manifest (whatever the code's version)."""
    return old is not None and {**old, "code_sha256": None} == {**manifest, "code_sha256": None}


def code_digest() -> str:
    """sha256 of villagesim's sources and presets, so that a resume can tell when the code changed."""
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.rglob("*.toml")]):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def tasks(spec: Spec, skip: set[int]) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Tasks of the runs not yet done, in run_id order, with their row template."""
    steps = tuple(series_steps(spec.months, spec.every))
    extensions = tuple((e["path"], e["sha256"]) for e in spec.extensions)
    for point_id, point in enumerate(points(spec)):
        overrides = point_overrides(spec, point)
        for replicate in range(spec.replicates):
            run_id = point_id * spec.replicates + replicate
            if run_id in skip:
                continue
            seed = spec.run_seed(point_id, replicate)
            row = {"run_id": run_id, "point_id": point_id, "replicate": replicate, "seed": seed,
                   **dict(zip(spec.factor_keys, point))}
            yield Task(run_id, seed, overrides, spec.months, tuple(spec.metrics), steps, extensions), row


def run_sweep(spec: Spec | str | os.PathLike, out: str | os.PathLike, executor: Executor | None = None, *,
              progress: bool = False, in_flight: int = 256, batch: int = 1000, store=None,
              overwrite: bool = False) -> Summary:
    """Run (or resume) a sweep into ``out``; returns its :class:`Summary`.

    Parameters
    ----------
    spec : Spec or path of a spec TOML
    out : folder of the results (created; reused to resume)
    executor : any :class:`concurrent.futures.Executor`; default runs in this process.
        The caller owns it (and shuts it down).
    progress : draw a progress bar on stderr
    in_flight : most runs submitted and not yet collected (bounds memory)
    batch : runs per Parquet part
    store : a :class:`ResultStore` to use instead of the default (fault injection)
    overwrite : if ``out`` holds another sweep, delete its results (:data:`SWEEP_ENTRIES`) and start afresh

    An exception raised by a run is recorded with status ``error``; an
    exception of the executor itself (a broken pool, a lost scheduler) stops
    the sweep with :class:`ExecutorFailed`, keeping every finished run for a resume.
    """
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    out = Path(out)
    manifest = open_folder(spec, out, overwrite)
    store = store or ResultStore(out, *schemas(spec), batch=batch)
    done = store.recover()
    total = manifest["runs"]
    bar = Progress(total, len(done)) if progress else None
    executor = executor or SerialExecutor()
    if isinstance(executor, SerialExecutor):
        in_flight = 1  # its runs finish inside submit: journal each at once, so a kill loses none
    start = time.monotonic()
    failed, first_result = collect(spec, tasks(spec, done), executor, store, in_flight, bar)
    failed_before = _count_failed(out) - failed if done else 0
    return Summary(total, total, failed + failed_before, len(done), time.monotonic() - start,
                   (first_result or math.nan) - start)


def open_folder(spec: Spec, out: Path, overwrite: bool) -> dict[str, Any]:
    """Ready ``out`` for the sweep and return its manifest: another sweep's results deleted with ``overwrite``,
    the manifest written by the first session (a resume keeps it and warns if the code changed since)."""
    manifest = prepare(spec, out, overwrite)
    if overwrite and not _same_sweep(_started(out), manifest):
        for name in SWEEP_ENTRIES:
            for entry in out.glob(name):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    out.mkdir(parents=True, exist_ok=True)
    if (out / "sweep.json").exists():  # a resume keeps the first session's manifest
        started = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
        if started.get("code_sha256") != manifest["code_sha256"]:
            print("villagesim sweep: warning: villagesim's code changed since this sweep started; "
                  "new runs may differ from earlier ones (use a new folder for a clean dataset)", file=sys.stderr)
    else:
        with replacing(out / "sweep.json") as tmp:
            tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def collect(spec: Spec, todo: Iterator[tuple[Task, dict[str, Any]]], executor: Executor, store: ResultStore,
            in_flight: int, bar: Progress | None) -> tuple[int, float | None]:
    """Submit the runs of ``todo``, at most ``in_flight`` at a time, and store each result as it comes; returns
    the failed runs and when the first result came (``time.monotonic()``, ``None`` if none did). Closes the
    store; an error of the executor itself raises :class:`ExecutorFailed` after the finished runs are kept."""
    failed = 0
    first_result = None
    pending: dict[Future, dict[str, Any]] = {}
    try:
        while True:
            for task, row in itertools.islice(todo, max(in_flight - len(pending), 0)):
                pending[executor.submit(run_task, task)] = row
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost = None
            for future in finished:
                row = pending.pop(future)
                error = CancelledError() if future.cancelled() else future.exception()
                if error is not None:  # run_task records a run's own errors: this one is the executor's
                    lost = lost or error
                    continue
                outcome = future.result()
                failed += outcome.error is not None
                store.add(*_records(spec, row, outcome))
                first_result = first_result or time.monotonic()
                if bar:
                    bar.update(outcome.error is not None)
            if lost is not None:
                raise ExecutorFailed(f"{type(lost).__name__}: {lost}".splitlines()[0]) from lost
    finally:
        for future in pending:
            future.cancel()
        store.close()
    return failed, first_result


def _records(spec: Spec, row: dict[str, Any], outcome: Outcome) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    run = {**row, "status": "error" if outcome.error else "ok", "error": outcome.error,
           "duration_s": outcome.duration_s, **dict(zip(spec.metrics, outcome.final))}
    keys = ("run_id", "point_id", "replicate")
    series = [{**{k: row[k] for k in keys}, "step": int(values[0]), **dict(zip(spec.metrics, values[1:]))}
              for values in outcome.series]
    return run, series


def _count_failed(out: Path) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    status = pq.read_table(out / "runs", columns=["status"])["status"]
    return int(pc.sum(pc.equal(status, "error")).as_py() or 0)
