"""The sweep spec: a TOML file of a base scenario, fixed overrides, factors and a design, validated whole."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from villagesim import scenarios, tomlfile
from villagesim.params import Registry, flatten
from villagesim.errors import InputError, did_you_mean
from villagesim.extensions import load, load_all, registry
from villagesim.metrics import METRICS
from villagesim.seeds import run_seed
from villagesim.sweep.design import SCENARIO_FACTOR, check_points

DESIGNS = ("grid", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")
TOP_KEYS = ("scenario", "extensions", "months", "replicates", "seed", "common_seeds", "design", "samples", "set",
            "factors", "output")
OUTPUT_KEYS = ("metrics", "every")
NONDETERMINISTIC_COLUMNS = ("duration_s",)
"""Columns that differ between two runs of the same sweep; compare all others."""


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
    object even if a preset file changes later. ``extensions`` lists the
    extension files every run loads (the spec's, ``--extension``'s and
    those the scenarios name), each as ``{"path", "sha256"}``: workers
    load them by path and refuse a file whose content changed. With
    ``common_seeds``, replicate ``r`` of every design point has the same
    seed (common random numbers: differences between points pair by replicate).
    """

    scenario: str | None
    scenarios: dict[str, dict[str, Any]]
    set: dict[str, Any]
    factors: list[Factor]
    months: int
    replicates: int = 1
    seed: int = 0
    common_seeds: bool = False
    design: str = "grid"
    samples: int | None = None
    metrics: list[str] = field(default_factory=lambda: list(METRICS))
    every: int = 0
    extensions: list[dict[str, str]] = field(default_factory=list)

    def run_seed(self, point_id: int, replicate: int) -> int:
        """The model seed of one run: its own per (point, replicate), or per replicate with ``common_seeds``."""
        return run_seed(self.seed, 0 if self.common_seeds else point_id, replicate)

    def registry(self) -> Registry:
        """The parameters of this sweep's runs: the model's and its extensions'."""
        return registry(load(e["path"], e["sha256"]) for e in self.extensions)

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

    def check_best(self, best: str | None, by: str | None) -> None:
        """Refuse a ``--best`` that is not a metric, or a ``--by`` that is not a factor, of this sweep."""
        if best is not None and best not in self.metrics:
            raise InputError(f"--best {best}: not a metric of this sweep; {did_you_mean(best, self.metrics)}"
                             f"its metrics: {', '.join(self.metrics)}")
        if by is not None and by not in self.factor_keys:
            raise InputError(f"--by {by}: not a factor of this sweep; {did_you_mean(by, self.factor_keys)}"
                             f"its factors: {', '.join(self.factor_keys)}")


def read_manifest(out: str | os.PathLike) -> tuple[Spec, dict[str, Any]]:
    """The spec and manifest (``sweep.json``) of a sweep folder that has finished runs."""
    out = Path(out)
    try:
        manifest = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
        spec = Spec.from_dict(manifest["spec"])
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"{out}: not a sweep folder (no readable sweep.json)") from None
    if not any((out / "runs").glob("part-*.parquet")):
        raise InputError(f"{out}: the sweep has no finished runs yet")
    return spec, manifest


def load_spec(path: str | os.PathLike, extensions=()) -> Spec:
    """Read and validate a sweep spec TOML, including every design point; ``extensions``
    (files, e.g. from ``--extension``) join the spec's own.

    Raises :class:`InputError` with one line naming the file and key.

    >>> load_spec("no/such.toml")
    Traceback (most recent call last):
    ...
    villagesim.errors.InputError: sweep spec no/such.toml: no such file
    """
    path = Path(path)
    table = tomlfile.read(path, "sweep spec")
    try:
        spec = parse_spec(table, base_dir=path.parent, extensions=extensions)
        check_points(spec)
    except InputError as err:
        raise InputError(f"sweep spec {path}: {err}") from None
    return spec


def parse_spec(table: dict[str, Any], base_dir: str | os.PathLike = ".", extensions=()) -> Spec:
    """A :class:`Spec` from a parsed TOML table; relative scenario and extension paths are taken from
    ``base_dir``, those of ``extensions`` from the current folder."""
    for key in table:
        if key not in TOP_KEYS:
            raise InputError(f"{key}: unknown key; {_allowed(key, TOP_KEYS)}")
    design, samples = _design(table)
    files = _extension_files(table, base_dir, extensions)
    factor_table = _table("factors", table.get("factors", {}))
    names, presets, files = _presets(table, factor_table, design, base_dir, files)
    loaded = load_all(files)
    params = registry(loaded)

    fixed = {}
    for key, value in flatten(_table("set", table.get("set", {}))).items():
        fixed[key] = _param(params, f"set.{key}", key, value)
    factors = _parse_factors(params, factor_table, design, fixed)
    if design in SAMPLED and not factors:
        raise InputError(f"factors: design {design!r} needs at least one factor {{min = .., max = ..}}")

    scenario_factor = next((f for f in factors if f.key == SCENARIO_FACTOR), None)
    if scenario_factor and "scenario" in table:
        raise InputError("scenario: give it at the top or as a factor, not both")
    default_months = params.resolve({**presets[names[0]], **fixed})["time.months"]
    output = _table("output", table.get("output", {}))
    metrics = _metrics(output)

    return Spec(
        scenario=None if scenario_factor else names[0],
        scenarios=presets,
        set=fixed,
        factors=factors,
        months=_param(params, "months", "time.months", table.get("months", default_months)),
        replicates=_integer("replicates", table.get("replicates", 1), 1),
        seed=_integer("seed", table.get("seed", 0), 0),
        common_seeds=_boolean("common_seeds", table.get("common_seeds", False)),
        design=design,
        samples=samples,
        metrics=metrics,
        every=_integer("output.every", output.get("every", 0), 0),
        extensions=[{"path": ext.path, "sha256": ext.sha256} for ext in loaded],
    )


def _design(table: dict[str, Any]) -> tuple[str, int | None]:
    """The spec's design and its base sample size (required, and a power of 2 for Sobol', if sampled)."""
    design = table.get("design", "grid")
    if design not in DESIGNS:
        raise InputError(f"design: must be one of {', '.join(DESIGNS)}, got {design!r}; {did_you_mean(str(design), DESIGNS)}"
                         .rstrip("; "))
    samples = table.get("samples")
    if samples is not None:
        samples = _integer("samples", samples, 1)
    if design in SAMPLED and samples is None:
        raise InputError(f"samples: required for design {design!r} (base sample size, e.g. 256)")
    if design == "sobol" and samples & (samples - 1):
        raise InputError(f"samples: must be a power of 2 for design 'sobol' (Sobol' sequence), got {samples}")
    return design, samples


def _extension_files(table: dict[str, Any], base_dir: str | os.PathLike, extensions) -> list[str]:
    """Absolute paths of the spec's own extensions (relative to ``base_dir``), then of ``extensions``."""
    own = table.get("extensions", [])
    if not isinstance(own, list) or not all(isinstance(item, str) and item for item in own):
        raise InputError(f"extensions: must be a list of Python file paths, got {own!r}")
    return [str((Path(base_dir) / item).resolve()) for item in own] + [str(Path(f).resolve()) for f in extensions]


def _presets(table: dict[str, Any], factor_table: dict[str, Any], design: str, base_dir: str | os.PathLike,
             files: list[str]) -> tuple[list[str], dict[str, dict[str, Any]], list[str]]:
    """The scenarios the spec names (the scenario factor's values, or the top-level ``scenario``), their
    overrides by name, and ``files`` followed by the extensions those scenarios bring."""
    named = factor_table.get(SCENARIO_FACTOR)
    # A malformed scenario factor is refused with the other factors, later.
    valid = isinstance(named, list) and named and all(isinstance(n, str) for n in named) and design == "grid"
    names = list(dict.fromkeys(named)) if valid else [table.get("scenario", "default")]
    presets, files = {}, list(files)
    for name in names:
        if not isinstance(name, str):
            raise InputError(f"scenario: must be a preset name or a TOML path, got {name!r}")
        scenario = _scenario(name, base_dir, files)
        presets[name] = scenario.overrides
        files += [ext.path for ext in scenario.extensions if ext.path not in files]
    return names, presets, files


def _metrics(output: dict[str, Any]) -> list[str]:
    """The metrics an ``[output]`` table asks for (all of :data:`METRICS` by default), its keys checked."""
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
    return list(metrics)


def _parse_factors(params: Registry, table: dict[str, Any], design: str, fixed: dict[str, Any]) -> list[Factor]:
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
        param = params.lookup(key) if key in ranges else _known(params, key)
        if design == "grid":
            if not isinstance(value, list) or not value:
                raise InputError(f"{name}: design 'grid' needs a non-empty list of values, got {value!r}")
            values = [_param(params, name, key, v) for v in value]
            if len(set(values)) < len(values):
                raise InputError(f"{name}: a value is listed twice")
            factors.append(Factor(key, values=values))
            continue
        if not isinstance(value, dict) or set(value) != {"min", "max"}:
            raise InputError(f"{name}: design {design!r} needs {{min = .., max = ..}}, got {value!r}")
        if param.kind not in (int, float):
            raise InputError(f"{name}: cannot be sampled (it is {param.allowed()}); fix it in [set] or use a grid")
        low, high = (_param(params, f"{name}.{end}", key, value[end]) for end in ("min", "max"))
        if not low < high:
            raise InputError(f"{name}: min must be below max, got min = {low}, max = {high}")
        factors.append(Factor(key, low=float(low), high=float(high)))
    return factors


def _scenario(name: str, base_dir: str | os.PathLike, extensions: list[str]) -> scenarios.Scenario:
    """A preset by name, or a scenario file by a path relative to the spec's folder."""
    if name.endswith(".toml") and not os.path.isabs(name):
        name = str(Path(base_dir) / name)
    return scenarios.load(name, extensions)


def _known(params: Registry, key: str):
    try:
        return params.lookup(key)
    except InputError as err:
        raise InputError(f"factors.{err}") from None


def _param(params: Registry, name: str, key: str, value: Any) -> Any:
    try:
        return params.lookup(key).check(value)
    except InputError as err:
        raise InputError(str(err).replace(key, name, 1)) from None


def _integer(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InputError(f"{name}: must be an integer >= {least}, got {value!r}")
    return value


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{name}: must be true or false, got {value!r}")
    return value


def _table(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{name}: must be a table ([{name}]), got {value!r}")
    return value


def _allowed(key: str, allowed) -> str:
    return f"{did_you_mean(key, allowed)}allowed: {', '.join(allowed)}"
