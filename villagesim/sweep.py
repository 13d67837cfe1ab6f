"""Parameter sweeps: a TOML spec, a design, any executor, a resumable Parquet dataset.

A sweep spec names a base scenario, fixed overrides, the factors and a design
(``grid``, ``lhs``, ``sobol`` or ``morris``; the last three sampled with
SALib), the replicates, the months and the metrics to keep. :func:`load_spec`
validates all of it, and every design point, before anything runs; every
mistake is one :class:`~villagesim.errors.InputError` line naming the key.

Each (design point, replicate) is one run with ``run_id = point_id *
replicates + replicate`` and its own seed drawn from the spec's seed by
:func:`run_seed` (``numpy.random.SeedSequence`` keyed by the two indices), so
results never depend on the executor, the number of workers or the order in
which runs finish.

:func:`run_sweep` takes any :class:`concurrent.futures.Executor` (a process
pool, a Dask client's ``get_executor()``, mpi4py's ``MPIPoolExecutor``) and
streams results to ``OUT/runs`` (and ``OUT/timeseries`` when kept) through a
:class:`ResultStore`. Running it again on the same folder resumes.

Examples
--------
>>> import pathlib, tempfile, pandas as pd
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "spec.toml").write_text('''
... months = 6
... replicates = 2
... seed = 1
... [set]
... "village.population" = 120
... [factors]
... "interventions.training.intensity" = [0.0, 1.0]
... ''')
>>> spec = load_spec(folder / "spec.toml")
>>> summary = run_sweep(spec, folder / "out")
>>> summary.done, summary.failed
(4, 0)
>>> runs = pd.read_parquet(folder / "out" / "runs").sort_values("run_id")
>>> runs["point_id"].tolist(), runs["replicate"].tolist(), runs["interventions.training.intensity"].tolist()
([0, 0, 1, 1], [0, 1, 0, 1], [0.0, 0.0, 1.0, 1.0])
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import itertools
import json
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from villagesim import __version__, scenarios
from villagesim.config import flatten, lookup, resolve
from villagesim.errors import InputError
from villagesim.metrics import METRICS
from villagesim.seeds import run_seed

DESIGNS = ("grid", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")
TOP_KEYS = ("scenario", "months", "replicates", "seed", "design", "samples", "set", "factors", "output")
OUTPUT_KEYS = ("metrics", "every")
SCENARIO_FACTOR = "scenario"
MORRIS_LEVELS = 4
PACKAGE_DIR = Path(__file__).parent
NONDETERMINISTIC_COLUMNS = ("duration_s",)
"""Columns that differ between two runs of the same sweep; compare all others."""


# --- the spec ---------------------------------------------------------------------


@dataclass
class Factor:
    """One factor: a list of ``values`` (grid) or a range ``[low, high]`` (sampled designs)."""

    key: str
    values: list | None = None
    low: float | None = None
    high: float | None = None


@dataclass
class Spec:
    """A validated sweep specification (see docs/sweeps.md for every key).

    ``scenarios`` maps each scenario used (one, or the values of a
    ``scenario`` factor) to its preset overrides, so the spec stays the same
    object even if a preset file changes later.
    """

    scenario: str | None
    scenarios: dict[str, dict[str, Any]]
    set: dict[str, Any]
    factors: list[Factor]
    months: int
    replicates: int = 1
    seed: int = 0
    design: str = "grid"
    samples: int | None = None
    metrics: list[str] = field(default_factory=lambda: list(METRICS))
    every: int = 0

    @property
    def factor_keys(self) -> list[str]:
        return [f.key for f in self.factors]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Spec":
        data = dict(data)
        data["factors"] = [Factor(**f) for f in data["factors"]]
        return cls(**data)


def load_spec(path: str | os.PathLike) -> Spec:
    """Read and validate a sweep spec TOML, including every design point.

    Raises :class:`InputError` with one line naming the file and key.

    >>> load_spec("no/such.toml")
    Traceback (most recent call last):
    ...
    villagesim.errors.InputError: sweep spec no/such.toml: no such file
    """
    path = Path(path)
    table = scenarios.read_toml(path, "sweep spec")
    try:
        spec = parse_spec(table, base_dir=path.parent)
        check_points(spec)
    except InputError as err:
        raise InputError(f"sweep spec {path}: {err}") from None
    return spec


def parse_spec(table: dict[str, Any], base_dir: str | os.PathLike = ".") -> Spec:
    """A :class:`Spec` from a parsed TOML table; relative scenario paths are taken from ``base_dir``."""
    for key in table:
        if key not in TOP_KEYS:
            raise InputError(f"{key}: unknown key; {_allowed(key, TOP_KEYS)}")
    design = table.get("design", "grid")
    if design not in DESIGNS:
        raise InputError(f"design: must be one of {', '.join(DESIGNS)}, got {design!r}")
    samples = table.get("samples")
    if samples is not None:
        samples = _integer("samples", samples, 1)
    if design in SAMPLED and samples is None:
        raise InputError(f"samples: required for design {design!r} (base sample size, e.g. 256)")
    if design == "sobol" and samples & (samples - 1):
        raise InputError(f"samples: must be a power of 2 for design 'sobol' (Sobol' sequence), got {samples}")

    fixed = {}
    for key, value in flatten(_table("set", table.get("set", {}))).items():
        fixed[key] = _param(f"set.{key}", key, value)
    factors = _parse_factors(_table("factors", table.get("factors", {})), design, fixed)
    if design in SAMPLED and not factors:
        raise InputError(f"factors: design {design!r} needs at least one factor {{min = .., max = ..}}")

    scenario_factor = next((f for f in factors if f.key == SCENARIO_FACTOR), None)
    if scenario_factor and "scenario" in table:
        raise InputError("scenario: give it at the top or as a factor, not both")
    names = scenario_factor.values if scenario_factor else [table.get("scenario", "default")]
    presets = {}
    for name in names:
        if not isinstance(name, str):
            raise InputError(f"scenario: must be a preset name or a TOML path, got {name!r}")
        presets[name] = _scenario(name, base_dir).overrides
    default_months = resolve({**presets[names[0]], **fixed})["time.months"]

    output = _table("output", table.get("output", {}))
    for key in output:
        if key not in OUTPUT_KEYS:
            raise InputError(f"output.{key}: unknown key; {_allowed(key, OUTPUT_KEYS)}")
    metrics = output.get("metrics", list(METRICS))
    if not isinstance(metrics, list) or not metrics:
        raise InputError(f"output.metrics: must be a non-empty list of metric names, got {metrics!r}")
    for name in metrics:
        if not isinstance(name, str) or name not in METRICS:
            raise InputError(f"output.metrics: unknown metric {name!r}; {_allowed(str(name), METRICS)}")
    if len(set(metrics)) < len(metrics):
        raise InputError("output.metrics: a metric is listed twice")

    return Spec(
        scenario=None if scenario_factor else names[0],
        scenarios=presets,
        set=fixed,
        factors=factors,
        months=_param("months", "time.months", table.get("months", default_months)),
        replicates=_integer("replicates", table.get("replicates", 1), 1),
        seed=_integer("seed", table.get("seed", 0), 0),
        design=design,
        samples=samples,
        metrics=list(metrics),
        every=_integer("output.every", output.get("every", 0), 0),
    )


def _parse_factors(table: dict[str, Any], design: str, fixed: dict[str, Any]) -> list[Factor]:
    flat = flatten(table)
    ranges: dict[str, dict[str, Any]] = {}
    for key in list(flat):
        stem, _, end = key.rpartition(".")
        if end in ("min", "max") and stem not in flat:
            ranges.setdefault(stem, {})[end] = flat.pop(key)
    factors = []
    for key, value in [*flat.items(), *ranges.items()]:
        name = f"factors.{key}"
        if key in fixed:
            raise InputError(f"{name}: also fixed in [set]; remove it from one of them")
        if key == SCENARIO_FACTOR:
            if design != "grid" or not isinstance(value, list) or not value or not all(
                    isinstance(v, str) for v in value):
                raise InputError(f"{name}: must be a non-empty list of presets or TOML paths, with design 'grid'")
            if len(set(value)) < len(value):
                raise InputError(f"{name}: a value is listed twice")
            factors.append(Factor(key, values=list(value)))
            continue
        param = lookup(key) if key in ranges else _known(name, key)
        if design == "grid":
            if not isinstance(value, list) or not value:
                raise InputError(f"{name}: design 'grid' needs a non-empty list of values, got {value!r}")
            values = [_param(name, key, v) for v in value]
            if len(set(values)) < len(values):
                raise InputError(f"{name}: a value is listed twice")
            factors.append(Factor(key, values=values))
            continue
        if not isinstance(value, dict) or set(value) != {"min", "max"}:
            raise InputError(f"{name}: design {design!r} needs {{min = .., max = ..}}, got {value!r}")
        if param.kind not in (int, float):
            raise InputError(f"{name}: cannot be sampled (it is {param.allowed()}); fix it in [set] or use a grid")
        low, high = (_param(f"{name}.{end}", key, value[end]) for end in ("min", "max"))
        if not low < high:
            raise InputError(f"{name}: min must be below max, got min = {low}, max = {high}")
        factors.append(Factor(key, low=float(low), high=float(high)))
    return factors


def _scenario(name: str, base_dir: str | os.PathLike) -> scenarios.Scenario:
    """A preset by name, or a scenario file by a path relative to the spec's folder."""
    if name.endswith(".toml") and not os.path.isabs(name):
        name = str(Path(base_dir) / name)
    return scenarios.load(name)


def _known(name: str, key: str):
    try:
        return lookup(key)
    except InputError as err:
        raise InputError(f"factors.{err}") from None


def _param(name: str, key: str, value: Any) -> Any:
    try:
        return lookup(key).check(value)
    except InputError as err:
        raise InputError(str(err).replace(key, name, 1)) from None


def _integer(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InputError(f"{name}: must be an integer >= {least}, got {value!r}")
    return value


def _table(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{name}: must be a table ([{name}]), got {value!r}")
    return value


def _allowed(key: str, allowed) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}allowed: {', '.join(allowed)}"


# --- the design -------------------------------------------------------------------------


def problem(spec: Spec) -> dict[str, Any]:
    """The SALib problem of a sampled design."""
    return {"num_vars": len(spec.factors), "names": spec.factor_keys,
            "bounds": [[f.low, f.high] for f in spec.factors]}


def sample(spec: Spec) -> np.ndarray:
    """The raw SALib sample of a sampled design, one row per point (before integer rounding).

    Sobol' uses Saltelli's scheme without second-order terms: ``samples *
    (factors + 2)`` points. Morris draws ``samples`` trajectories of
    ``factors + 1`` points on a 4-level grid. LHS draws ``samples`` points.
    """
    from SALib.sample import latin, morris, sobol

    if spec.design == "lhs":
        return latin.sample(problem(spec), spec.samples, seed=spec.seed)
    if spec.design == "sobol":
        return sobol.sample(problem(spec), spec.samples, calc_second_order=False, seed=spec.seed)
    return morris.sample(problem(spec), spec.samples, num_levels=MORRIS_LEVELS, seed=spec.seed)


def points(spec: Spec) -> list[tuple]:
    """The design points in order, each a tuple of factor values (integers rounded for integer keys).

    >>> spec = parse_spec({"factors": {"village.hamlets": [3, 6], "interventions.venue.intensity": [0.0, 1.0]}})
    >>> points(spec)
    [(3, 0.0), (3, 1.0), (6, 0.0), (6, 1.0)]
    """
    if spec.design == "grid":
        return list(itertools.product(*(f.values for f in spec.factors)))
    kinds = [lookup(key).kind for key in spec.factor_keys]
    return [tuple(int(round(x)) if kind is int else float(x) for x, kind in zip(row, kinds))
            for row in sample(spec)]


def check_points(spec: Spec) -> None:
    """Refuse the spec if any design point is an invalid parameter combination or names unreadable networks."""
    from villagesim.network import read_network

    networks = set()
    for point_id, point in enumerate(points(spec)):
        try:
            params = resolve(point_overrides(spec, point))
            files = (params["network.nodes"], params["network.edges"])
            if files[0] and files not in networks:
                read_network(*files)  # once per pair, so no run fails on a missing or bad file
                networks.add(files)
        except InputError as err:
            where = ", ".join(f"{k} = {v!r}" for k, v in zip(spec.factor_keys, point))
            raise InputError(f"design point {point_id} ({where}): {err}") from None


def point_overrides(spec: Spec, point: tuple) -> dict[str, Any]:
    """Scenario, then ``[set]``, then the point's factor values."""
    values = dict(zip(spec.factor_keys, point))
    preset = spec.scenarios[values.pop(SCENARIO_FACTOR, spec.scenario)]
    return {**preset, **spec.set, **values}


def series_steps(months: int, every: int) -> list[int]:
    """Months kept in the time series: 0, every, 2*every, ... and the last month (none if every is 0).

    >>> series_steps(10, 4)
    [0, 4, 8, 10]
    """
    if every == 0:
        return []
    return sorted({*range(0, months + 1, every), months})


# --- one run (in a worker) ------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run; small, so it pickles cheaply."""

    run_id: int
    seed: int
    overrides: dict[str, Any]
    months: int
    metrics: tuple[str, ...]
    steps: tuple[int, ...]


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
    from villagesim.model import VillageModel

    start = time.perf_counter()
    try:
        model = VillageModel(task.overrides, seed=task.seed).run(task.months)
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


# --- the result store -------------------------------------------------------------------------


def write_table(table, path: Path) -> None:
    """Write one Parquet file atomically (temporary name, fsync, rename).

    The only place that writes Parquet: fault-injection tests (issue 7) can
    replace it, e.g. ``monkeypatch.setattr(villagesim.sweep, "write_table", failing)``.
    """
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ResultStore:
    """Runs (and time series) of one sweep under ``out``, streamed in batches.

    Each finished run is appended at once as one JSON line to a journal
    ``out/.journal-NNNNNN.jsonl``, so a killed sweep loses only the runs in
    flight. Every ``batch`` runs (and at the end) the journal becomes one
    Parquet file ``part-NNNNNN.parquet`` in ``out/timeseries`` then
    ``out/runs`` (written by :func:`write_table`), and is deleted. Recovery
    is idempotent: a journal whose runs part exists was already converted.
    Readers ignore the hidden journal and temporary files.

    Replace it (``run_sweep(..., store=...)``) to inject faults.
    """

    def __init__(self, out: Path, run_schema, series_schema=None, batch: int = 1000):
        self.out = Path(out)
        self.run_schema, self.series_schema, self.batch = run_schema, series_schema, batch
        self.runs_dir = self.out / "runs"
        self.series_dir = self.out / "timeseries"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        if series_schema is not None:
            self.series_dir.mkdir(exist_ok=True)
        self._journal = None
        self._pending = 0
        self.segment = 0

    def recover(self) -> set[int]:
        """Convert journals left by an interrupted sweep; return the ids of every finished run."""
        for tmp in [*self.runs_dir.glob(".*.tmp"), *self.series_dir.glob(".*.tmp")]:
            tmp.unlink()
        journals = sorted(self.out.glob(".journal-*.jsonl"))
        for journal in journals:
            self._convert(journal, int(journal.stem.split("-")[1]))
        numbers = [int(p.stem.split("-")[1]) for p in self.runs_dir.glob("part-*.parquet")]
        self.segment = max(numbers, default=-1) + 1
        if not numbers:
            return set()
        import pyarrow.parquet as pq

        return set(pq.read_table(self.runs_dir, columns=["run_id"])["run_id"].to_pylist())

    def add(self, run: dict[str, Any], series: list[dict[str, Any]]) -> None:
        """Record one finished run (durable once this returns, short of a machine crash)."""
        if self._journal is None:
            self._journal = open(self._journal_path(self.segment), "a", encoding="utf-8")
        self._journal.write(json.dumps({"run": run, "series": series}) + "\n")
        self._journal.flush()
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Turn the current journal into Parquet parts."""
        if self._journal is None:
            return
        self._journal.close()
        self._journal = None
        self._convert(self._journal_path(self.segment), self.segment)
        self.segment += 1
        self._pending = 0

    close = flush

    def _journal_path(self, segment: int) -> Path:
        return self.out / f".journal-{segment:06d}.jsonl"

    def _convert(self, journal: Path, segment: int) -> None:
        import pyarrow as pa

        name = f"part-{segment:06d}.parquet"
        if not (self.runs_dir / name).exists():
            runs, series = [], []
            with open(journal, encoding="utf-8") as handle:
                for line in handle:
                    if not line.endswith("\n"):
                        break  # cut short by a kill: that run was not finished
                    entry = json.loads(line)
                    runs.append(entry["run"])
                    series += entry["series"]
            if runs:
                if self.series_schema is not None:
                    write_table(pa.Table.from_pylist(series, schema=self.series_schema), self.series_dir / name)
                write_table(pa.Table.from_pylist(runs, schema=self.run_schema), self.runs_dir / name)
        journal.unlink()


def schemas(spec: Spec):
    """Arrow schemas of the runs table and of the time-series table (None when not kept)."""
    import pyarrow as pa

    arrow = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}
    factor_types = [pa.string() if key == SCENARIO_FACTOR else arrow[lookup(key).kind] for key in spec.factor_keys]
    runs = pa.schema([
        ("run_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64()),
        ("status", pa.string()), ("error", pa.string()), ("duration_s", pa.float64()),
        *zip(spec.factor_keys, factor_types),
        *((m, pa.float64()) for m in spec.metrics),
    ])
    if spec.every == 0:
        return runs, None
    series = pa.schema([("run_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64()),
                        ("step", pa.int64()), *((m, pa.float64()) for m in spec.metrics)])
    return runs, series


# --- the sweep ----------------------------------------------------------------------------------


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


def prepare(spec: Spec, out: str | os.PathLike) -> dict[str, Any]:
    """Check that ``out`` is new, empty or holds this very sweep; return the manifest to keep there.

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
    if out.is_dir() and any(out.iterdir()):
        try:
            old = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"--out {out}: not empty and not a sweep folder (no readable sweep.json)") from None
        if {**old, "code_sha256": None} != {**manifest, "code_sha256": None}:
            keys = sorted(k for k in {**old.get("spec", {}), **manifest["spec"]}
                          if old.get("spec", {}).get(k) != manifest["spec"].get(k)) or ["design points"]
            raise InputError(f"--out {out}: holds a different sweep (differs in {', '.join(keys)}); "
                             "use a new folder, or the spec it was started with to resume")
    return manifest


def code_digest() -> str:
    """sha256 of villagesim's sources and presets, so that a resume can tell when the code changed."""
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE_DIR.rglob("*.py"), *PACKAGE_DIR.rglob("*.toml")]):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def tasks(spec: Spec, skip: set[int]) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Tasks of the runs not yet done, in run_id order, with their row template."""
    steps = tuple(series_steps(spec.months, spec.every))
    for point_id, point in enumerate(points(spec)):
        overrides = point_overrides(spec, point)
        for replicate in range(spec.replicates):
            run_id = point_id * spec.replicates + replicate
            if run_id in skip:
                continue
            seed = run_seed(spec.seed, point_id, replicate)
            row = {"run_id": run_id, "point_id": point_id, "replicate": replicate, "seed": seed,
                   **dict(zip(spec.factor_keys, point))}
            yield Task(run_id, seed, overrides, spec.months, tuple(spec.metrics), steps), row


def run_sweep(spec: Spec | str | os.PathLike, out: str | os.PathLike, executor: Executor | None = None, *,
              progress: bool = False, in_flight: int = 256, batch: int = 1000, store=None) -> Summary:
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

    An exception raised by a run is recorded with status ``error``; an
    exception of the executor itself (a broken pool, a lost scheduler) stops
    the sweep with :class:`ExecutorFailed`, keeping every finished run for a resume.
    """
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    out = Path(out)
    manifest = prepare(spec, out)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "sweep.json").exists():  # a resume keeps the first session's manifest
        started = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
        if started.get("code_sha256") != manifest["code_sha256"]:
            print("villagesim sweep: warning: villagesim's code changed since this sweep started; "
                  "new runs may differ from earlier ones (use a new folder for a clean dataset)", file=sys.stderr)
    else:
        (out / "sweep.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    store = store or ResultStore(out, *schemas(spec), batch=batch)
    done = store.recover()
    total = manifest["runs"]
    bar = Progress(total, len(done)) if progress else None
    executor = executor or SerialExecutor()
    if isinstance(executor, SerialExecutor):
        in_flight = 1  # its runs finish inside submit: journal each at once, so a kill loses none
    start = time.monotonic()
    failed = 0
    first_result = None
    pending: dict[Future, dict[str, Any]] = {}
    todo = tasks(spec, done)
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
    failed_before = _count_failed(out) - failed if done else 0
    return Summary(total, total, failed + failed_before, len(done), time.monotonic() - start,
                   (first_result or math.nan) - start)


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


# --- the command ------------------------------------------------------------------------------------


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


def cmd_sweep(args) -> int:
    from villagesim.cli import output_dir

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler: only with --executor dask")
    if args.scheduler and args.workers:
        raise InputError("--workers: not with --scheduler (the cluster has its own workers)")
    spec = load_spec(args.spec)
    output_dir(args.out)
    manifest = prepare(spec, args.out)
    workers = args.workers or default_workers()
    executor, release, slots = make_executor(args.executor, workers, args.scheduler)
    label = f"dask scheduler {args.scheduler}" if args.scheduler else (
        "serial" if args.executor == "serial" else f"{args.executor} ({workers} workers)")
    print(f"villagesim sweep: {manifest['points']} points x {spec.replicates} replicates = {manifest['runs']} runs, "
          f"{spec.months} months, {label}", file=sys.stderr)
    try:
        summary = run_sweep(spec, args.out, executor, progress=True, in_flight=max(4 * slots, 16))
    except KeyboardInterrupt:
        print(f"villagesim sweep: interrupted; finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        raise
    except ExecutorFailed as err:
        print(f"villagesim sweep: the executor failed ({err}); finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        return 1
    except OSError as err:  # writing the results, e.g. a full disk
        print(f"villagesim sweep: stopped: {err}; finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        return 1
    finally:
        release()
    resumed = f" ({summary.skipped} already done)" if summary.skipped else ""
    # Rates only where they are defined: a resume with nothing left to do has none.
    rates = [f"{summary.rate:.2f} runs/s"] if summary.new else []
    if not math.isnan(summary.steady_rate):
        rates.append(f"{summary.steady_rate:.2f} runs/s after the first result at {summary.first_result_s:.1f} s")
    print(f"{summary.done} runs{resumed}, {summary.failed} failed; {summary.new} runs in {summary.seconds:.1f} s"
          + (f" ({'; '.join(rates)})" if rates else ""))
    print(f"wrote {Path(args.out) / 'runs'}" + (f", {Path(args.out) / 'timeseries'}" if spec.every else ""))
    return 0


def add_command(subparsers) -> None:
    from villagesim.cli import _positive

    parser = subparsers.add_parser("sweep", help="run a parameter sweep from a TOML spec into a Parquet dataset")
    parser.add_argument("spec", metavar="SPEC.toml", help="sweep specification (see docs/sweeps.md)")
    parser.add_argument("--out", required=True, metavar="DIR", help="results folder; run again to resume")
    parser.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                        help="where runs happen (default: processes)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)")
    parser.set_defaults(handler=cmd_sweep)
