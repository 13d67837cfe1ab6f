"""Which path is the best buy for a village at a budget, over the plausible ranges of the uncertain parameters.

For one village and one budget, each of the five paths alone from month 0 at
the single-path intensity that spends at most the budget
(:func:`villagesim.planner.single_path`), and "nothing", are run over a
Latin hypercube of every uncertain parameter (:func:`uncertain_keys`: a
plausible range in the registry and a source status other than sourced),
the village's own values kept. Costs are among those parameters, so each
path's intensity is fitted to the budget at every point: no arm ever spends
more than the budget.

Each point is run on the same seeds in every arm (common random numbers).
A point's *label* is the path of largest gain in the objective per 万元,
or "nothing" if no path gains; points whose leader is not ahead of the
runner-up beyond its paired 95% confidence interval get more seeds (doubled
up to ``max_seeds``), so that a label is not the noise of a few seeds.

Reported, over the points:

- each path's gain over "nothing" and its gain per 万元, with 95% CIs;
- ``p_best``: the share of points where the path is the best buy (the
  shares of the five paths and "nothing" sum to 1);
- ``drivers``: the parameters that decide the label, most influential first
  (permutation importance of a random forest that predicts the label from
  the parameters, scikit-learn), with the path favoured at each end;
- ``boxes``: PRIM boxes (EMA Workbench, :func:`villagesim.discovery.prim_boxes`)
  where each path is the best buy.

:func:`plan_surety` asks the same worlds about one plan: the share of them in
which it does at least as much as "nothing" and each path alone at its
budget, and the parameter its lead depends on (the browser view's budget
card and the classroom debrief show it beside the plan).

With ``vary_village=True`` the village's characteristics are varied too,
over the span of the presets (:func:`village_ranges`): scenario discovery on
the ranking.

Results depend only on the seed and the inputs, never on the executor or the
number of workers.

Examples
--------
>>> result = compare("hollowed", budget=15, months=12, points=4, seeds=2, max_seeds=2, seed=1)
>>> round(sum(p.p_best for p in result.paths), 9)
1.0
>>> [p.name for p in result.paths]
['nothing', 'standardization', 'training', 'venue', 'digital', 'recruitment']
>>> sorted(result.to_json())
['boxes', 'budget', 'drivers', 'months', 'objective', 'paths', 'points', 'resolved', 'scenario', 'seeds']
"""

from __future__ import annotations

import difflib
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from villagesim.errors import InputError
from villagesim.params import INTERVENTIONS, PARAMS, resolve
from villagesim import scenarios
from villagesim.seeds import run_seed
from villagesim.stats import mean_ci

NOTHING = "nothing"
ARMS = (NOTHING, *INTERVENTIONS)
VILLAGE_SECTIONS = ("village.", "branch.", "migration.", "shocks.")
"""Sections of the village's characteristics, as the presets set them (:func:`village_ranges`)."""
NOT_VARIED = ("village.population",)
"""The village's size stays the scenario's: a preset's project places are sized to it."""
LEAST = {"points": 4, "seeds": 2}
PERMUTATIONS = 10
"""Permutations of each factor in the drivers' importance."""


def uncertain(param) -> bool:
    """Whether a parameter is uncertain: it has a plausible range, and its source status is not "sourced".

    The registry's ``status`` (sourced, bounded by a source, assumed) is read
    when it has one; a parameter without it counts by its plausible range alone.
    """
    return param.plausible is not None and getattr(param, "status", None) != "sourced"


def uncertain_keys(fixed: Mapping[str, Any] | None = None) -> list[str]:
    """The uncertain parameters (:func:`uncertain`), except those the scenario or the user set (``fixed``).

    >>> "interventions.digital.reach" in uncertain_keys()
    True
    >>> "interventions.digital.reach" in uncertain_keys({"interventions.digital.reach": 0.3})
    False
    """
    return [p.key for p in PARAMS if uncertain(p) and p.key not in (fixed or {})]


def village_ranges() -> dict[str, tuple[float, float]]:
    """Each village characteristic some preset sets, from the least to the largest value over the presets
    (the defaults included), widened to the registry's plausible range where it has one.

    >>> low, high = village_ranges()["branch.regularity"]
    >>> low < 0.6 < high
    True
    """
    spec = {p.key: p for p in PARAMS}
    values: dict[str, list[float]] = {}
    for name in scenarios.names():
        for key, value in scenarios.load(name).overrides.items():
            if key.startswith(VILLAGE_SECTIONS) and key not in NOT_VARIED and key in spec:
                values.setdefault(key, [spec[key].default]).append(value)
    ranges = {}
    for key, seen in values.items():
        seen += list(spec[key].plausible or ())
        ranges[key] = (min(seen), max(seen))
    return ranges


def factor_ranges(fixed: Mapping[str, Any], vary_village: bool) -> dict[str, tuple[float, float]]:
    """The hypercube's axes: the uncertain parameters, and the village's characteristics if ``vary_village``;
    a key in ``fixed`` keeps its value."""
    spec = {p.key: p for p in PARAMS}
    ranges = {key: spec[key].plausible for key in uncertain_keys(fixed)}
    if vary_village:
        ranges.update({k: r for k, r in village_ranges().items() if k not in fixed})
    return ranges


# --- the design ---------------------------------------------------------------------------------------


def hypercube(ranges: Mapping[str, tuple[float, float]], count: int, seed: int) -> pd.DataFrame:
    """``count`` points of a Latin hypercube over ``ranges`` (integers rounded for integer parameters).

    >>> hypercube({"village.hamlets": (3, 10), "interventions.digital.reach": (0.2, 0.6)}, 3, 0).shape
    (3, 2)
    """
    from scipy.stats import qmc

    spec = {p.key: p for p in PARAMS}
    unit = qmc.LatinHypercube(d=len(ranges), rng=np.random.default_rng(run_seed(seed, 0, 0))).random(count)
    columns = {}
    for j, (key, (low, high)) in enumerate(ranges.items()):
        values = low + unit[:, j] * (high - low)
        columns[key] = np.round(values).astype(int) if spec[key].kind is int else values
    return pd.DataFrame(columns)


def arms_at(params: dict[str, Any], months: int, budget: float) -> dict[str, tuple[dict[str, Any], float]]:
    """Each arm's overrides and planned cost at one point: "nothing", then each path alone from month 0 at
    the intensity that spends at most ``budget`` (an arm whose set-up alone exceeds it is "nothing")."""
    from villagesim.planner import Candidate, cost_of, single_path

    arms = {NOTHING: (Candidate(NOTHING, {}, 0.0).overrides, 0.0)}
    for name in INTERVENTIONS:
        plan = single_path(params, name, 0, months, budget)
        arms[name] = (Candidate(name, plan, 0.0).overrides, cost_of(params, plan, months))
    return arms


# --- the result ---------------------------------------------------------------------------------------


@dataclass
class PathResult:
    """One arm over the points: its intensity and cost at the scenario's values, its gain over "nothing"
    and gain per 万元 (means over the points, 95% CIs) and the share of points where it is the best buy."""

    name: str
    overrides: dict[str, Any]
    cost: float
    gain: float
    gain_ci: tuple[float, float]
    per_wan: float
    per_wan_ci: tuple[float, float]
    p_best: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready; ``per_wan`` is null for a path the budget cannot buy at any point."""
        return {"name": self.name, "overrides": self.overrides, "cost": round(self.cost, 4), "gain": self.gain,
                "gain_ci": list(self.gain_ci), "per_wan": _number(self.per_wan),
                "per_wan_ci": [_number(x) for x in self.per_wan_ci], "p_best": self.p_best}


def _number(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


@dataclass
class CompareResult:
    """What :func:`compare` found. :meth:`to_json` is the ``--json`` object; ``points`` has one row per point
    (its factor values, seeds, each arm's cost, gain and gain per 万元, ``best_path`` and ``resolved``)."""

    scenario: str
    budget: float
    months: int
    objective: dict[str, float]
    paths: list[PathResult]
    drivers: list[dict[str, Any]]
    boxes: pd.DataFrame
    points: pd.DataFrame
    factors: list[str]
    runs: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        boxes = [{k: _number(v) if isinstance(v, float) else v for k, v in row.items()}
                 for row in self.boxes.to_dict("records")]
        return {"scenario": self.scenario, "budget": self.budget, "months": self.months,
                "objective": self.objective, "points": len(self.points), "seeds": int(self.points["seeds"].sum()),
                "resolved": float(self.points["resolved"].mean()), "paths": [p.to_json() for p in self.paths],
                "drivers": self.drivers, "boxes": boxes}


# --- input ----------------------------------------------------------------------------------------------


def check(scenario: str, budget: Any, months: int, objective: str | Mapping[str, float],
          overrides: Mapping[str, Any] | None, points: int, seeds: int, max_seeds: int):
    """Every input of :func:`compare`, checked; unknown presets and metrics get a "did you mean"."""
    from villagesim import planner

    _suggest(str(scenario), scenarios.names(), "--scenario", "preset",
             lambda text: text.endswith(".toml") or "/" in text)
    if isinstance(objective, str):
        from villagesim.metrics import METRICS

        for part in objective.split(","):
            _suggest(part.partition("=")[0].strip(), list(METRICS), "--objective", "metric")
    own = [k for k in (overrides or {}) if k.startswith("interventions.") and k.endswith((".intensity", ".start"))]
    if own:
        raise InputError(f"--set {own[0]}: compare sets every path's intensity and start; set other keys")
    for key, value, least in (("points", points, LEAST["points"]), ("seeds", seeds, LEAST["seeds"]),
                              ("max-seeds", max_seeds, max(seeds, LEAST["seeds"]) if isinstance(seeds, int) else 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(f"--{key} {value}: must be an integer >= {least}")
    return planner.check(scenario, budget, months, objective, overrides)


def _suggest(text: str, known: list[str], flag: str, what: str, exempt: Callable[[str], bool] = lambda t: False):
    if text in known or exempt(text) or not text:
        return
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
    if close:
        raise InputError(f"{flag} {text}: unknown {what}; did you mean {close[0]}? (known: {', '.join(known)})")


# --- the comparison ---------------------------------------------------------------------------------------


def compare(scenario: str = "default", budget: float = 15.0, months: int = 120,
            objective: str | Mapping[str, float] = "participation_rate", overrides: Mapping[str, Any] | None = None,
            seed: int = 0, points: int = 40, seeds: int = 6, max_seeds: int = 24, vary_village: bool = False,
            executor: Executor | None = None, progress: Callable[[str], None] | None = None) -> CompareResult:
    """Each path alone at ``budget`` 万元, and nothing, over a Latin hypercube of the uncertain parameters.

    Parameters
    ----------
    scenario : preset name or scenario TOML
    budget : 万元 for the whole region over the ``months`` months; every arm spends at most this at every point
    objective : ``"participation_rate"``, ``"KEY=WEIGHT,..."`` or a dict of weights over the metrics at the last month
    overrides : dotted keys set on top of the scenario; a key set here is not varied
    seed : the hypercube and every run's seed derive from it
    points : points of the Latin hypercube
    seeds, max_seeds : seeds per point at first, and most seeds of a point whose label is not yet beyond noise
    vary_village : vary the village's characteristics too, over the span of the presets (scenario discovery)
    executor : where runs happen (default: this process); e.g. a process pool or a Dask client's executor

    Example: ``villagesim.compare("hollowed", budget=15).to_json()["paths"]`` (``villagesim.compare`` is this function).
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    preset, base, params, budget, weights = check(scenario, budget, months, objective, overrides, points, seeds,
                                                  max_seeds)
    # The village's own values are kept, unless they are what is varied.
    fixed = dict(overrides or {}) if vary_village else {**preset.overrides, **(overrides or {})}
    ranges = factor_ranges(fixed, vary_village)
    design = hypercube(ranges, points, seed)
    worlds = [{**base, **row} for row in design.to_dict("records")]
    arms = [arms_at(resolve(world), months, budget) for world in worlds]

    from villagesim.sweep import SerialExecutor

    run = _Runner(executor or SerialExecutor(), months, weights)
    gains = [np.empty((len(ARMS), 0)) for _ in worlds]  # per point: arm x seed, gain over nothing
    spent = np.zeros((len(worlds), len(ARMS)))  # most any seed of the arm spent, by the model's own account
    active = list(range(len(worlds)))
    count = seeds
    while active:
        say(f"{len(active)} points on {count} seeds each")
        batch = [(i, r) for i in active for r in range(gains[i].shape[1], count)]
        values, spends = run([({**worlds[i], **arm}, run_seed(seed, i + 1, r))
                              for i, r in batch for arm, _ in arms[i].values()])
        values, spends = values.reshape(len(batch), len(ARMS)), spends.reshape(len(batch), len(ARMS))
        for i in active:
            rows = [k for k, (j, _) in enumerate(batch) if j == i]
            gains[i] = np.concatenate([gains[i], (values[rows] - values[rows, :1]).T], axis=1)
            spent[i] = np.maximum(spent[i], spends[rows].max(axis=0))
        active = [i for i in active if not _resolved(gains[i], _costs(arms[i]))[1] and count < max_seeds]
        count = min(count * 2, max_seeds)

    table = _point_table(design, arms, gains, spent)
    result_paths = _summaries(table, arms_at(params, months, budget))
    drivers = _drivers(table, list(ranges), seed)
    from villagesim.discovery import prim_boxes

    boxes = prim_boxes(table, list(ranges))
    return CompareResult(preset.name, budget, months, weights, result_paths, drivers, boxes, table, list(ranges),
                         run.runs, time.monotonic() - started)


class _Runner:
    """Runs (overrides, seed) pairs through an executor: the objective and the spend (万元) of each, in order."""

    def __init__(self, executor: Executor, months: int, weights: dict[str, float]):
        self.executor, self.months, self.weights = executor, months, weights
        self.metrics = tuple(dict.fromkeys([*weights, "cost_cumulative"]))
        self.runs = 0

    def __call__(self, jobs: list[tuple[dict[str, Any], int]]) -> tuple[np.ndarray, np.ndarray]:
        from villagesim.sweep import Task, run_task

        futures = []
        for overrides, seed in jobs:
            futures.append(self.executor.submit(run_task, Task(self.runs, seed, overrides, self.months,
                                                               self.metrics, ())))
            self.runs += 1
        weights = np.array([self.weights.get(m, 0.0) for m in self.metrics])
        values, spent = np.empty(len(futures)), np.empty(len(futures))
        spend = self.metrics.index("cost_cumulative")
        for k, future in enumerate(futures):
            outcome = future.result()
            if outcome.error:
                raise RuntimeError(f"a comparison run failed: {outcome.error}")
            values[k] = float(np.dot(weights, outcome.final))
            spent[k] = outcome.final[spend]
        return values, spent


def _costs(arms: dict[str, tuple[dict, float]]) -> np.ndarray:
    return np.array([cost for _, cost in arms.values()])


def _per_wan(gains: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Gain per 万元, arm x seed; "nothing" 0, and an arm that cannot be bought -inf (never the best buy)."""
    out = np.full(gains.shape, -np.inf)
    bought = costs > 0
    out[bought] = gains[bought] / costs[bought, None]
    out[0] = 0.0
    return out


def _resolved(gains: np.ndarray, costs: np.ndarray) -> tuple[int, bool]:
    """The point's best arm, and whether its lead over the runner-up is beyond its paired 95% CI."""
    values = _per_wan(gains, costs)
    means = values.mean(axis=1)
    order = np.argsort(-means, kind="stable")
    first, second = order[0], order[1]
    if not np.isfinite(means[second]):
        return int(first), True
    return int(first), mean_ci(values[first] - values[second])[1] > 0


def _point_table(design: pd.DataFrame, arms: list[dict], gains: list[np.ndarray], spent: np.ndarray) -> pd.DataFrame:
    rows = []
    for row, arm, gain, spends in zip(design.to_dict("records"), arms, gains, spent):
        costs = _costs(arm)
        best, resolved = _resolved(gain, costs)
        per_wan = _per_wan(gain, costs).mean(axis=1)
        entry = {**row, "seeds": gain.shape[1], "best_path": ARMS[best], "resolved": resolved}
        for k, name in enumerate(ARMS[1:], 1):
            entry[f"{name}.cost"] = costs[k]
            entry[f"{name}.spent"] = spends[k]
            entry[f"{name}.gain"] = gain[k].mean()
            entry[f"{name}.per_wan"] = per_wan[k] if costs[k] > 0 else np.nan
        rows.append(entry)
    return pd.DataFrame(rows)


def _summaries(table: pd.DataFrame, at_scenario: dict[str, tuple[dict, float]]) -> list[PathResult]:
    """Each arm's means over the points, with the intensity and cost it has at the scenario's own values."""
    shares = table["best_path"].value_counts(normalize=True)
    out = []
    for name in ARMS:
        overrides, cost = at_scenario[name]
        if name == NOTHING:
            gain = per_wan = (0.0, 0.0, 0.0)
        else:
            gain = mean_ci(table[f"{name}.gain"])
            per_wan = mean_ci(table[f"{name}.per_wan"])
        out.append(PathResult(name, overrides, cost, gain[0], gain[1:], per_wan[0], per_wan[1:],
                              float(shares.get(name, 0.0))))
    return out


def _drivers(table: pd.DataFrame, keys: list[str], seed: int) -> list[dict[str, Any]]:
    """Parameters that decide the best buy, most influential first, and the path most often best in the
    factor's lower and upper half. Importance: the drop in accuracy of a random forest predicting the label
    when the factor is permuted, on points held out of its fit (4-fold cross-validation, averaged). Only
    factors whose importance is above 0; empty when one label holds everywhere (nothing decides it)."""
    labels = table["best_path"].to_numpy()
    if len(set(labels)) < 2:
        return []
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import KFold

    state = seed % 2**32
    rng = np.random.default_rng(state)
    x = table[keys].to_numpy(dtype=float)
    importance = np.zeros(len(keys))
    folds = KFold(n_splits=min(4, len(labels)), shuffle=True, random_state=state)
    for fit, held in folds.split(x):
        forest = RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=state, n_jobs=1)
        forest.fit(x[fit], labels[fit])
        accuracy = (forest.predict(x[held]) == labels[held]).mean()
        # Every factor's permuted copies of the held-out points, predicted in one call (sklearn's
        # permutation_importance predicts once per factor and repeat: twenty times slower here).
        copies = np.repeat(x[held][None], len(keys) * PERMUTATIONS, axis=0)
        for k in range(len(copies)):
            copies[k, :, k // PERMUTATIONS] = rng.permutation(copies[k, :, k // PERMUTATIONS])
        hits = forest.predict(copies.reshape(-1, len(keys))).reshape(len(copies), -1) == labels[held]
        drop = accuracy - hits.mean(axis=1).reshape(len(keys), PERMUTATIONS).mean(axis=1)
        importance += drop / folds.get_n_splits()
    drivers = []
    for j in np.argsort(-importance, kind="stable"):
        if importance[j] <= 0:
            break
        column = x[:, j]
        low = labels[column <= np.median(column)]
        high = labels[column > np.median(column)]
        drivers.append({"key": keys[j], "importance": float(importance[j]),
                        "low_favours": _commonest(low), "high_favours": _commonest(high)})
    return drivers


def _commonest(labels: np.ndarray) -> str | None:
    if labels.size == 0:
        return None
    names, counts = np.unique(labels, return_counts=True)
    return str(names[np.argmax(counts)])


# --- the report -------------------------------------------------------------------------------------------


def report(result: CompareResult) -> str:
    """The printed report: one line per path, the drivers and the boxes."""
    objective = ", ".join(f"{w:g} x {k}" for k, w in result.objective.items())
    table = result.points
    lines = [f"villagesim compare: {result.scenario}, budget {result.budget:g} 万元, {result.months} months, "
             f"objective {objective}",
             f"{len(table)} points of a Latin hypercube over {len(result.factors)} uncertain parameters, "
             f"{int(table['seeds'].sum())} seeds in all ({table['seeds'].min()}-{table['seeds'].max()} a point, "
             f"common to every arm); {result.runs} runs in {result.seconds:.0f} s",
             f"the best buy's lead is beyond its paired 95% CI at {table['resolved'].mean():.0%} of the points", "",
             f"{'path':<16} {'cost 万元':>9}  {'gain [95% CI]':<26} {'per 万元 [95% CI]':<32} P(best buy)"]
    for p in result.paths:
        gain = f"{p.gain:+.4f} [{p.gain_ci[0]:+.4f}, {p.gain_ci[1]:+.4f}]"
        per = (f"{p.per_wan:+.5f} [{p.per_wan_ci[0]:+.5f}, {p.per_wan_ci[1]:+.5f}]" if not np.isnan(p.per_wan)
               else "not affordable (set-up over the budget)")
        lines.append(f"{p.name:<16} {p.cost:>9.2f}  {gain:<26} {per:<32} {p.p_best:.2f}")
    lines += ["", "(cost and intensity at the scenario's own values; at each point the intensity is fitted to the "
              "budget at that point's costs)", ""]
    if result.drivers:
        lines.append("what decides the best buy (permutation importance of a random forest on the label):")
        for d in result.drivers:
            lines.append(f"  {d['key']:<44} {d['importance']:.3f}  low: {d['low_favours']}, high: {d['high_favours']}")
    else:
        lines.append("the same path is the best buy at every point: no parameter decides it")
    lines.append("")
    lines.append("where each path is the best buy (PRIM boxes; coverage, density):")
    for path, group in result.boxes.groupby("path", sort=False):
        first = group.iloc[0]
        limits = "; ".join(f"{r.factor} {r.low:.3g} to {r.high:.3g}" for r in group.itertuples() if r.factor)
        lines.append(f"  {path:<16} {first.points:>3} points, coverage {first.coverage:.2f}, density "
                     f"{first.density:.2f}: {limits or 'no box narrower than the whole space'}")
    return "\n".join(lines)


# --- how sure a plan is -----------------------------------------------------------------------------------

SURETY = {"points": 12, "seeds": 2}
"""A room's surety (:func:`plan_surety`): 12 worlds on 2 seeds, 7 arms each (168 runs)."""


@dataclass
class Surety:
    """How sure the model is of a plan (:func:`plan_surety`).

    ``share`` of the ``points`` worlds where the plan did at least as much as "nothing" and each path alone
    at the same budget, with its 95% Wilson interval ``ci``; ``rival`` is the arm most often best where the
    plan is not (None if it always is); ``driver`` is the parameter whose value goes with the plan's lead
    most strongly, if beyond chance (None otherwise), with the share of worlds won in its lower and upper half.
    """

    share: float
    ci: tuple[float, float]
    wins: int
    points: int
    seeds: int
    rival: str | None
    driver: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"share": self.share, "ci": list(self.ci), "wins": self.wins, "points": self.points,
                "seeds": self.seeds, "rival": self.rival, "driver": self.driver}


def plan_surety(scenario: str, plan: Mapping[str, Any], budget: float, months: int = 120,
                objective: str | Mapping[str, float] = "participation_rate",
                overrides: Mapping[str, Any] | None = None, seed: int = 0, points: int = SURETY["points"],
                seeds: int = SURETY["seeds"], executor: Executor | None = None,
                progress: Callable[[str], None] | None = None) -> Surety:
    """The share of plausible worlds in which ``plan`` is the best buy, and what would change it.

    The worlds are :func:`compare`'s: a Latin hypercube of the uncertain parameters, the village's own
    values kept. At each world the plan (``plan``: ``interventions.<path>.intensity`` and ``.start`` keys,
    e.g. :attr:`villagesim.planner.Candidate.overrides`), "nothing" and each path alone are fitted to the
    budget at that world's costs and run on the same ``seeds`` seeds. The plan is the best buy there when
    its mean objective is at least every other arm's (a plan that is one of those arms ties with itself).
    Unlike :func:`compare`'s label, arms are ranked by what they achieve within the budget, as the planner
    ranks plans, not by gain per 万元.

    >>> plan = {"interventions.training.intensity": 1.0, "interventions.training.start": 0}
    >>> surety = plan_surety("hollowed", plan, budget=15, months=12, points=4, seeds=2, seed=1)
    >>> 0 <= surety.ci[0] <= surety.share <= surety.ci[1] <= 1, surety.points
    (True, 4)
    """
    from scipy.stats import binomtest
    from villagesim.planner import Candidate, cost_of, fit_budget
    from villagesim.sweep import SerialExecutor

    say = progress or (lambda message: None)
    chosen = _plan_paths(plan)
    preset, base, _, budget, weights = check(scenario, budget, months, objective, overrides, points, seeds, seeds)
    ranges = factor_ranges({**preset.overrides, **(overrides or {})}, vary_village=False)
    design = hypercube(ranges, points, seed)
    worlds = [{**base, **row} for row in design.to_dict("records")]
    jobs = []
    for i, world in enumerate(worlds):
        params = resolve(world)
        fitted = fit_budget(params, chosen, months, budget)
        arms = [Candidate("plan", fitted, 0.0).overrides, *(o for o, _ in arms_at(params, months, budget).values())]
        jobs += [({**world, **arm}, run_seed(seed, i + 1, r)) for arm in arms for r in range(seeds)]
    say(f"{points} worlds, {len(ARMS) + 1} plans, {seeds} seeds each")
    values, _ = _Runner(executor or SerialExecutor(), months, weights)(jobs)
    means = values.reshape(points, len(ARMS) + 1, seeds).mean(axis=2)  # world x (plan, *ARMS)
    rivals = means[:, 1:]
    margin = means[:, 0] - rivals.max(axis=1)
    won = margin >= -1e-12  # the plan run as one of the arms gives the very same runs
    wins = int(won.sum())
    interval = binomtest(wins, points).proportion_ci(0.95, method="wilson")
    lost = [ARMS[k] for k, w in zip(rivals.argmax(axis=1), won) if not w]
    return Surety(wins / points, (float(interval.low), float(interval.high)), wins, points, seeds,
                  _commonest(np.array(lost)) if lost else None, _surety_driver(design, margin, won, ranges))


def _plan_paths(plan: Mapping[str, Any]) -> dict[str, tuple[float, int]]:
    """A plan's dotted keys as the planner's ``{path: (intensity, start)}``, checked (one line if not a plan)."""
    from villagesim.planner import Candidate

    known = set(Candidate("", {}, 0.0).overrides)
    if not isinstance(plan, Mapping) or not plan:
        raise InputError(f"plan {plan!r}: give interventions.<path>.intensity and .start keys")
    for key, value in plan.items():
        if key not in known:
            raise InputError(f"plan {key}: not a plan's key; use interventions.<path>.intensity or .start "
                             f"with a path in {', '.join(INTERVENTIONS)}")
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
        if not numeric or (key.endswith(".intensity") and not 0 <= value <= 1) or (
                key.endswith(".start") and (value < 0 or value != int(value))):
            what = "an intensity in [0, 1]" if key.endswith(".intensity") else "a start month, an integer >= 0"
            raise InputError(f"plan {key}={value!r}: must be {what}")
    return {name: (float(plan[f"interventions.{name}.intensity"]), int(plan.get(f"interventions.{name}.start", 0)))
            for name in INTERVENTIONS if plan.get(f"interventions.{name}.intensity", 0) > 0}


def _rank_correlation_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided permutation p-value of Spearman's rho between x and y, reproducible."""
    from scipy.stats import permutation_test, rankdata

    y_ranks = rankdata(y)
    y_centred = y_ranks - y_ranks.mean()
    y_unit = y_centred / np.linalg.norm(y_centred)

    def rho(ranks, axis):
        centred = ranks - ranks.mean(axis=axis, keepdims=True)
        return (centred @ y_unit) / np.linalg.norm(centred, axis=axis)

    return float(permutation_test((rankdata(x),), rho, permutation_type="pairings", vectorized=True,
                                  n_resamples=40_320, alternative="two-sided",
                                  random_state=np.random.default_rng(0)).pvalue)


def _surety_driver(design: pd.DataFrame, margin: np.ndarray, won: np.ndarray,
                   ranges: Mapping[str, tuple[float, float]]) -> dict[str, Any] | None:
    """The parameter whose value goes with the plan's lead over the best other arm most strongly (absolute
    Spearman correlation), with the share of worlds the plan wins in its lower and upper half. None when
    the lead does not vary or no correlation is beyond chance (p < 0.05 after Bonferroni's correction for
    the number of parameters): on a few worlds, one of some forty parameters correlates by chance alone.
    The p-value is a permutation test's, exact up to eight worlds (8! orderings) and drawn with a fixed seed
    beyond: on eight worlds the t approximation of Spearman's test is too bold (for pure noise it named a
    parameter in 8 of 40 designs; the permutation test, in none)."""
    from scipy.stats import spearmanr

    if np.ptp(margin) == 0:
        return None
    strength = {}
    for key in ranges:
        column = design[key].to_numpy(dtype=float)
        if np.ptp(column) > 0:
            rho = spearmanr(column, margin).statistic
            if not np.isnan(rho):
                strength[key] = float(rho)
    if not strength:
        return None
    key = max(strength, key=lambda k: abs(strength[k]))
    column = design[key].to_numpy(dtype=float)
    if _rank_correlation_p(column, margin) * len(ranges) >= 0.05:
        return None
    low = column <= np.median(column)
    return {"key": key, "range": [float(x) for x in ranges[key]], "rho": strength[key],
            "low_share": float(won[low].mean()), "high_share": float(won[~low].mean())}
