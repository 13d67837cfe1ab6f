"""The best plan for a village at a given budget: which paths, how strong, from which month.

A plan gives each of the five paths an intensity (0, or between
:data:`MIN_INTENSITY` and 1) and a start month. Its cost over ``months``
months follows from the cost parameters (:func:`plan_cost`): each path
switched on pays its set-up cost once and its running cost times its
intensity every month from its start. :func:`plan` searches the plans that
cost no more than the budget for the one with the highest objective at the
last month (a metric, or a weighted sum of metrics), in four steps:

1. **Search.** Optuna's TPE sampler (seeded) proposes plans in batches; a
   plan over budget is scaled down until it fits (:func:`fit_budget`); each
   is run on the same search seeds (common random numbers) through any
   :class:`concurrent.futures.Executor`, as sweeps are. The single-path plans
   that spend the whole budget are among the first proposals.
2. **Final comparison.** The best plans of the search, "nothing", and the
   best single-path plan of each path are run again on fresh seeds (again
   common to all); seeds are doubled until the winner's lead over the
   runner-up is beyond its paired 95% confidence interval or the largest
   number of seeds is reached, and the plans it cannot be told from are
   reported as tied.
3. **Marginal value.** Each path's intensity in the best plan is moved by
   0.1; the paired change of the objective per 万元 of cost change.
4. **Robust mode.** With ``robust=True`` every seed is paired with one point
   of a Latin hypercube over the plausible ranges of the assumed parameters
   (:func:`robust_keys`), so the means are over the uncertainty, not at the
   defaults.

Results depend only on the seed and the inputs, never on the executor or
the number of workers.

Examples
--------
A small, fast plan (a real one uses the defaults):

>>> result = plan("hollowed", budget=20, months=24, trials=8, search_seeds=2, seeds=4, max_seeds=4, seed=3)
>>> result.best.cost <= 20
True
>>> sorted(result.to_json())  # doctest: +NORMALIZE_WHITESPACE
['alternatives', 'best', 'budget', 'marginal_per_10k', 'months', 'objective', 'resolved', 'robust', 'runs',
 'seeds', 'tied']
>>> [a.name for a in result.alternatives if a.name.endswith(" only")]  # doctest: +NORMALIZE_WHITESPACE
['standardization only', 'training only', 'venue only', 'digital only', 'recruitment only']
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from villagesim import scenarios
from villagesim.config import configure
from villagesim.errors import InputError, did_you_mean
from villagesim.metrics import METRICS
from villagesim.params import INTERVENTIONS, PARAMS
from villagesim.seeds import run_seed
from villagesim.stats import mean_ci
from villagesim.submodels.interventions import MIN_INTENSITY, path_cost, plan_cost

MAX_BUDGET = 10_000.0
"""Most 万元 per village a plan may spend (1 亿元): far above any village's means; more is a typing error."""
INTENSITY_STEP = 0.01
START_STEPS = 20
BATCH = 8
TOP = 4
MARGINAL_STEP = 0.1
LEAST = {"trials": 0, "search_seeds": 2, "seeds": 2, "max_seeds": 2}
"""Smallest value of each of :func:`plan`'s search bounds."""
QUICK_SEARCH = {"trials": 8, "search_seeds": 2, "seeds": 4, "max_seeds": 8}
"""A bounded search for a room (90-160 runs, 15-40 s for a 120-month village): the browser view's "best plan"
button and the classroom's debrief. ``villagesim plan`` searches more (the defaults of :func:`plan`)."""


@dataclass(eq=False)
class Candidate:
    """A plan with its cost and, once evaluated, its objective per seed."""

    name: str
    plan: dict[str, tuple[float, int]]  # path -> (intensity, start); paths off are left out
    cost: float
    values: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def overrides(self) -> dict[str, Any]:
        """The plan as dotted keys, every path included (so that no preset's value is left over)."""
        out: dict[str, Any] = {}
        for name in INTERVENTIONS:
            intensity, start = self.plan.get(name, (0.0, 0))
            out[f"interventions.{name}.intensity"] = intensity
            out[f"interventions.{name}.start"] = start
        return out

    @property
    def mean(self) -> float:
        return mean_ci(self.values)[0]

    @property
    def ci(self) -> tuple[float, float]:
        return mean_ci(self.values)[1:]

    def describe(self) -> str:
        if not self.plan:
            return "no path" if self.name == "nothing" else "not affordable: no path (its set-up exceeds the budget)"
        return ", ".join(f"{name} {x:.2f} from month {s}" for name, (x, s) in self.plan.items())

    def to_json(self) -> dict[str, Any]:
        low, high = self.ci
        return {"name": self.name, "overrides": self.overrides, "cost": round(self.cost, 4),
                "mean": self.mean, "ci": [low, high]}


@dataclass
class Marginal:
    """Change of the objective per 万元 when one path's intensity in the best plan moves by ``step``."""

    path: str
    step: float
    per_10k: float
    ci: tuple[float, float]


@dataclass
class PlanResult:
    """What :func:`plan` found. :meth:`to_json` is the ``--json`` object."""

    scenario: str
    budget: float
    months: int
    objective: dict[str, float]
    best: Candidate
    alternatives: list[Candidate]
    tied: list[str]
    marginal: list[Marginal]
    seeds: list[int]
    robust: bool
    evaluations: int
    seconds: float
    resolved: bool

    def to_json(self) -> dict[str, Any]:
        best = self.best.to_json()
        del best["name"]
        return {"budget": self.budget, "months": self.months, "objective": self.objective, "best": best,
                "alternatives": [a.to_json() for a in self.alternatives], "tied": self.tied,
                "resolved": self.resolved,
                "marginal_per_10k": [{"path": m.path, "step": m.step, "per_10k": m.per_10k, "ci": list(m.ci)}
                                     for m in self.marginal],
                "seeds": self.seeds, "robust": self.robust, "runs": self.evaluations}


# --- input ------------------------------------------------------------------------------------


def parse_objective(text: str | Mapping[str, float]) -> dict[str, float]:
    """``participation_rate``, ``project_uptake`` or ``KEY=WEIGHT,...`` over the metrics.

    >>> parse_objective("participation_rate=1, project_uptake=0.5")
    {'participation_rate': 1.0, 'project_uptake': 0.5}
    >>> parse_objective("turnout")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    villagesim.errors.InputError: --objective turnout: unknown metric; use participation_rate, project_uptake or KEY=WEIGHT,... over the metrics: participation_rate, ...
    """
    if isinstance(text, Mapping):
        items = [(str(k), v) for k, v in text.items()]
    else:
        items = []
        for part in str(text).split(","):
            key, sep, weight = part.partition("=")
            items.append((key.strip(), weight.strip() if sep else 1.0))
    weights: dict[str, float] = {}
    for key, weight in items:
        if key not in METRICS:
            raise InputError(f"--objective {key}: unknown metric; {did_you_mean(key, METRICS)}use participation_rate, "
                             "project_uptake or "
                             f"KEY=WEIGHT,... over the metrics: {', '.join(METRICS)}")
        try:
            value = float(weight)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value == 0.0:
            raise InputError(f"--objective {key}={weight}: the weight must be a non-zero number")
        if key in weights:
            raise InputError(f"--objective {key}: given twice")
        weights[key] = value
    if not weights:
        raise InputError("--objective: empty; use participation_rate, project_uptake or KEY=WEIGHT,...")
    return weights


def parse_search(text: str, name: str = "--plan-search") -> dict[str, int]:
    """Search bounds from ``trials=N,search_seeds=N,seeds=N,max_seeds=N``; a bound left out keeps
    :data:`QUICK_SEARCH`. ``name`` is the setting named in an error.

    >>> parse_search("trials=0, seeds=2")
    {'trials': 0, 'search_seeds': 2, 'seeds': 2, 'max_seeds': 8}
    >>> parse_search("seeds=1")
    Traceback (most recent call last):
    ...
    villagesim.errors.InputError: --plan-search seeds=1: must be an integer >= 2
    """
    bounds = dict(QUICK_SEARCH)
    given: set[str] = set()
    for part in filter(None, (item.strip() for item in text.split(","))):
        key, sep, value = (piece.strip() for piece in part.partition("="))
        if key not in QUICK_SEARCH or not sep:
            raise InputError(f"{name} {part}: use KEY=N,... with KEY one of {', '.join(QUICK_SEARCH)}")
        if key in given:
            raise InputError(f"{name} {key}: given twice")
        if not (value.isascii() and value.isdigit()) or int(value) < LEAST[key]:
            raise InputError(f"{name} {key}={value}: must be an integer >= {LEAST[key]}")
        bounds[key] = int(value)
        given.add(key)
    return bounds


def check_budget(budget: Any, params: dict[str, Any], months: int) -> float:
    """The budget as a float, or an InputError if it is not a positive number, absurd, or below every path's cost."""
    try:
        value = float(budget)
    except (TypeError, ValueError):
        value = math.nan
    villages = params["region.villages"]
    most = MAX_BUDGET * villages
    if not math.isfinite(value) or value <= 0 or value > most:
        raise InputError(f"--budget {budget}: must be a number of 万元 above 0 and at most {most:g} "
                         f"({MAX_BUDGET:g} per village)")
    cheapest = min(INTERVENTIONS, key=lambda name: smallest_cost(params, name, months))
    least = smallest_cost(params, cheapest, months) * villages
    if value < least:
        raise InputError(f"--budget {budget}: too small for any path; the cheapest, {cheapest}, "
                         f"costs at least {least:.3g} 万元 (its set-up and one month at intensity {MIN_INTENSITY})")
    return value


def smallest_cost(params: dict[str, Any], name: str, months: int) -> float:
    """Least a village can spend on one path within ``months``: set-up and its last month at the least intensity."""
    return path_cost(params, name, MIN_INTENSITY, max(months, 1), months)


def check(scenario: str, budget: Any, months: int, objective: str | Mapping[str, float],
          overrides: Mapping[str, Any] | None, trials: int = 0, search_seeds: int = 2, seeds: int = 2):
    """Every input of :func:`plan` checked: the preset, base overrides, resolved parameters, budget and weights."""
    weights = parse_objective(objective)
    preset = scenarios.load(scenario)
    own = [k for k in (overrides or {}) if k.startswith("interventions.") and k.rsplit(".", 1)[-1] in ("intensity", "start")]
    if own:
        raise InputError(f"--set {own[0]}: the plan chooses every path's intensity and start; set other keys")
    config = configure(preset, overrides)
    base, params = dict(config.overrides), dict(config.params)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 100_000:
        raise InputError(f"--months {months}: must be an integer in [1, 100000]")
    budget = check_budget(budget, params, months)
    for key, value in (("trials", trials), ("search_seeds", search_seeds), ("seeds", seeds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < LEAST[key]:
            raise InputError(f"--{key.replace('_', '-')} {value}: must be an integer >= {LEAST[key]}")
    return preset, base, params, budget, weights


# --- plans and the budget -------------------------------------------------------------------------


def cost_of(params: dict[str, Any], plan: Mapping[str, tuple[float, int]], months: int) -> float:
    """Cost in 万元 of ``plan`` over ``months`` months for all villages of the region."""
    return plan_cost({**params, **Candidate("", dict(plan), 0.0).overrides}, months) * params["region.villages"]


def fit_budget(params: dict[str, Any], plan: Mapping[str, tuple[float, int]], months: int,
               budget: float) -> dict[str, tuple[float, int]]:
    """``plan`` made to cost no more than ``budget``: running intensities scaled down, paths dropped if needed.

    Intensities are rounded down to :data:`INTENSITY_STEP` (so that the
    printed plan is the plan run); a path below :data:`MIN_INTENSITY` is off.
    If the set-ups alone exceed the budget, the paths with the lowest
    intensity are dropped first.
    """
    plan = {name: (_floor(x), s) for name, (x, s) in plan.items() if _floor(x) >= MIN_INTENSITY and s <= months}
    while plan:
        fixed = cost_of(params, {n: (MIN_INTENSITY, s) for n, (_, s) in plan.items()}, months)
        if fixed <= budget:
            break
        plan.pop(min(plan, key=lambda n: (plan[n][0], n)))
    for _ in range(len(INTERVENTIONS) + 1):
        total = cost_of(params, plan, months)
        if total <= budget + 1e-9:
            break
        setups = sum(params[f"interventions.{n}.setup_cost"] for n in plan) * params["region.villages"]
        running = total - setups
        scale = (budget - setups) / running if running > 0 else 0.0
        plan = {n: (_floor(x * scale), s) for n, (x, s) in plan.items()}
        plan = {n: v for n, v in plan.items() if v[0] >= MIN_INTENSITY}
    return plan


def _floor(x: float) -> float:
    return round(math.floor(min(x, 1.0) / INTENSITY_STEP + 1e-9) * INTENSITY_STEP, 2)


def single_path(params: dict[str, Any], name: str, start: int, months: int, budget: float) -> dict[str, tuple[float, int]]:
    """The plan that spends up to ``budget`` on path ``name`` alone from ``start`` (intensity at most 1)."""
    return fit_budget(params, {name: (1.0, start)}, months, budget)


# --- evaluation -----------------------------------------------------------------------------------


@dataclass
class Evaluator:
    """Runs plans on a fixed list of (seed, assumption overrides) through an executor."""

    base: dict[str, Any]
    months: int
    objective: dict[str, float]
    executor: Executor
    runs: int = 0

    def __call__(self, plans: list[dict[str, Any]], draws: list[tuple[int, dict[str, Any]]]) -> np.ndarray:
        """Objective values, one row per plan, one column per draw."""
        from villagesim.sweep import Task, run_task

        metrics = tuple(self.objective)
        weights = np.array(list(self.objective.values()))
        futures = []
        for plan in plans:
            for seed, assumed in draws:
                # What the scenario or the user fixes (the village's own characteristics) is not drawn.
                task = Task(self.runs, seed, {**assumed, **self.base, **plan}, self.months, metrics, ())
                futures.append(self.executor.submit(run_task, task))
                self.runs += 1
        values = np.empty(len(futures))
        for i, future in enumerate(futures):
            outcome = future.result()
            if outcome.error:
                raise RuntimeError(f"a plan run failed: {outcome.error}")
            values[i] = float(np.dot(weights, outcome.final))
        return values.reshape(len(plans), len(draws))


def robust_keys() -> list[str]:
    """Assumed mechanism parameters with a plausible range: the axes of the robust mode's Latin hypercube.

    Costs are left out (a plan must fit its budget for sure) and so are the
    village's own characteristics (they are the scenario); a key the scenario or
    the caller's overrides set keeps that value (:class:`Evaluator`).
    """
    return [p.key for p in PARAMS if p.plausible is not None and not p.key.startswith("village.")
            and not p.key.endswith("cost")]


def draws(seed: int, stream: int, count: int, offset: int, robust: bool) -> list[tuple[int, dict[str, Any]]]:
    """``count`` seeds (from index ``offset``) of stream ``stream``; in robust mode each with its hypercube point."""
    seeds = [run_seed(seed, stream, r) for r in range(offset, offset + count)]
    if not robust:
        return [(s, {}) for s in seeds]
    from scipy.stats import qmc

    keys = robust_keys()
    spec = {p.key: p for p in PARAMS}
    unit = qmc.LatinHypercube(d=len(keys), seed=run_seed(seed, stream + 100, offset)).random(count)
    points = []
    for row in unit:
        point = {}
        for key, u in zip(keys, row):
            low, high = spec[key].plausible
            value = low + u * (high - low)
            point[key] = int(round(value)) if spec[key].kind is int else float(value)
        points.append(point)
    return list(zip(seeds, points))


# --- the search -----------------------------------------------------------------------------------


def plan(scenario: str = "default", budget: float = 30.0, months: int = 120,
         objective: str | Mapping[str, float] = "participation_rate", overrides: Mapping[str, Any] | None = None,
         seed: int = 0, robust: bool = False, executor: Executor | None = None, trials: int = 56,
         search_seeds: int = 6, seeds: int = 16, max_seeds: int = 64,
         progress: Callable[[str], None] | None = None) -> PlanResult:
    """The best plan for ``scenario`` spending at most ``budget`` 万元 over ``months`` months.

    Parameters
    ----------
    scenario : preset name or scenario TOML
    budget : 万元 for the whole region over the ``months`` months
    objective : ``"participation_rate"``, ``"project_uptake"``, ``"KEY=WEIGHT,..."`` or a dict of weights,
        over the metrics at the last month (a negative weight makes lower better)
    overrides : dotted-key parameters set on top of the scenario (not the plan's own keys)
    seed : all seeds derive from it (search: stream 1, final comparison: stream 0)
    robust : pair each seed with a point of a Latin hypercube over the assumed parameters
    executor : where runs happen (default: this process); e.g. a process pool or a Dask client's executor
    trials : plans the optimiser proposes (besides the single-path plans it starts from)
    search_seeds, seeds, max_seeds : seeds per plan in the search, first and largest number in the final comparison

    Example: ``villagesim.plan("hollowed", budget=30).best.overrides`` are dotted keys for ``villagesim run --set``.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    preset, base, params, budget, weights = check(scenario, budget, months, objective, overrides, trials,
                                                  search_seeds, seeds)
    max_seeds = max(max_seeds, seeds)
    from villagesim.sweep import SerialExecutor

    evaluate = Evaluator(base, months, weights, executor or SerialExecutor())

    def candidate(name: str, raw: Mapping[str, tuple[float, int]]) -> Candidate:
        fitted = fit_budget(params, raw, months, budget)
        return Candidate(name, fitted, cost_of(params, fitted, months))

    seen = search(evaluate, candidate, months, seed, trials, draws(seed, 1, search_seeds, 0, robust), say)
    pool, singles, nothing = finalists(seen, candidate)
    order, final, resolved = final_comparison(evaluate, pool, seed, seeds, max_seeds, robust, say)
    best = order[0]
    for rank, c in enumerate(order, 1):
        if c.name.startswith("plan "):
            c.name = f"plan {rank}"  # named by their final rank (the best is plan 1)
    tied = [c.name for c in order[1:] if mean_ci(best.values - c.values)[1] <= 0]
    marginal = marginal_values(evaluate, best, params, months, final)
    alternatives = listed_alternatives(order, tied, singles, nothing)
    return PlanResult(preset.name, budget, months, weights, best, alternatives, tied, marginal,
                      [s for s, _ in final], robust, evaluate.runs, time.monotonic() - started, resolved)


def search(evaluate: Evaluator, candidate: Callable[[str, Mapping[str, tuple[float, int]]], Candidate], months: int,
           seed: int, trials: int, search_draws: list[tuple[int, dict[str, Any]]],
           say: Callable[[str], None]) -> dict[tuple, Candidate]:
    """The search: Optuna's TPE proposes ``trials`` plans (after the single-path plans at two starts), in batches
    evaluated on ``search_draws``; returns every distinct plan evaluated, by :func:`_key`."""
    import optuna

    step = max(1, months // START_STEPS)
    latest = (months * 3 // 4) // step * step
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed % 2**32, n_startup_trials=min(16, max(trials, 1)),
                                         multivariate=True, constant_liar=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    starts = sorted({0, latest // 3})
    for name in INTERVENTIONS:
        for start in starts:
            study.enqueue_trial({**{f"{n}.intensity": 0.0 for n in INTERVENTIONS}, f"{name}.intensity": 1.0,
                                 **{f"{n}.start": 0 for n in INTERVENTIONS}, f"{name}.start": start})
    total = trials + len(INTERVENTIONS) * len(starts)
    seen: dict[tuple, Candidate] = {}
    done = 0
    while done < total:
        batch = [study.ask() for _ in range(min(BATCH, total - done))]
        proposals = []
        for trial in batch:
            raw = {name: (trial.suggest_float(f"{name}.intensity", 0.0, 1.0),
                          trial.suggest_int(f"{name}.start", 0, latest, step=step)) for name in INTERVENTIONS}
            proposals.append(candidate("", raw))
        fresh = [c for c in proposals if _key(c) not in seen]
        fresh = list({_key(c): c for c in fresh}.values())
        if fresh:
            values = evaluate([c.overrides for c in fresh], search_draws)
            for c, row in zip(fresh, values):
                c.values = row
                seen[_key(c)] = c
        for trial, c in zip(batch, proposals):
            study.tell(trial, seen[_key(c)].mean)
        done += len(batch)
        say(f"search: {done} of {total} plans, best so far {study.best_value:.4f} (mean over the search's "
            f"{len(search_draws)} seeds; the final comparison runs on fresh seeds)")
    return seen


def finalists(seen: dict[tuple, Candidate], candidate: Callable[[str, Mapping[str, tuple[float, int]]], Candidate]
              ) -> tuple[list[Candidate], dict[str, Candidate], Candidate]:
    """The plans of the final comparison: the search's best :data:`TOP`, doing nothing and each path alone
    (the search's best single-path plan, or the path at full intensity from the start fitted to the budget).
    Returns them, the single-path plans by path and the plan of doing nothing."""
    ranked = sorted(seen.values(), key=lambda c: -c.mean)
    chosen: dict[tuple, Candidate] = {}
    for c in ranked[:TOP]:
        chosen[_key(c)] = Candidate(f"plan {len(chosen) + 1}", c.plan, c.cost)
    chosen[()] = Candidate("nothing", {}, 0.0)
    singles = {}
    for name in INTERVENTIONS:
        alone = [c for c in ranked if set(c.plan) == {name}]
        pick = alone[0] if alone else candidate("", {name: (1.0, 0)})
        singles[name] = Candidate(f"{name} only", pick.plan, pick.cost)
        if not pick.plan:
            continue  # not affordable: the same plan as nothing, reported as such
        if _key(pick) in chosen:
            chosen[_key(pick)].name = singles[name].name  # a single-path plan among the best keeps its name
        singles[name] = chosen.setdefault(_key(pick), singles[name])
    return list(chosen.values()), singles, chosen[()]


def final_comparison(evaluate: Evaluator, pool: list[Candidate], seed: int, seeds: int, max_seeds: int, robust: bool,
                     say: Callable[[str], None]) -> tuple[list[Candidate], list[tuple[int, dict[str, Any]]], bool]:
    """The final comparison on fresh seeds (stream 0): ``seeds`` of them, doubled until the best plan's lead
    over the runner-up is beyond its paired 95% CI or ``max_seeds`` are run. Returns the plans best first,
    the draws and whether the lead was resolved."""
    final: list[tuple[int, dict[str, Any]]] = []
    while True:
        # Seeds double each round; each round's seeds are their own hypercube in robust mode.
        extra = draws(seed, 0, seeds if not final else min(len(final), max_seeds - len(final)), len(final), robust)
        values = evaluate([c.overrides for c in pool], extra)
        for c, row in zip(pool, values):
            c.values = np.concatenate([c.values if final else np.empty(0), row])
        final += extra
        count = len(final)
        order = sorted(pool, key=lambda c: -c.mean)
        low, _ = mean_ci(order[0].values - order[1].values)[1:]
        resolved = low > 0
        say(f"final: {count} fresh seeds, lead of the best {order[0].mean - order[1].mean:+.4f} "
            f"({'beyond' if resolved else 'within'} its 95% CI)")
        if resolved or count >= max_seeds:
            return order, final, resolved


def marginal_values(evaluate: Evaluator, best: Candidate, params: dict[str, Any], months: int,
                    final: list[tuple[int, dict[str, Any]]]) -> list[Marginal]:
    """Marginal value per 万元 of each path: its intensity in the best plan moved by :data:`MARGINAL_STEP`
    (down where up would pass 1), run on the final comparison's draws, paired with the best plan."""
    moved = []
    for name in INTERVENTIONS:
        x, start = best.plan.get(name, (0.0, 0))
        step_x = -MARGINAL_STEP if x + MARGINAL_STEP > 1.0 else MARGINAL_STEP
        new_x = round(x + step_x, 2)
        changed = {**best.plan, name: (max(new_x, MIN_INTENSITY), start)} if new_x >= MIN_INTENSITY else {
            k: v for k, v in best.plan.items() if k != name}
        moved.append((name, step_x, Candidate(name, changed, cost_of(params, changed, months))))
    values = evaluate([c.overrides for _, _, c in moved], final)
    marginal = []
    for (name, step_x, c), row in zip(moved, values):
        delta_cost = c.cost - best.cost
        mean, low, high = mean_ci((row - best.values) / delta_cost) if delta_cost else (0.0, 0.0, 0.0)
        marginal.append(Marginal(name, step_x, mean, (low, high)))
    return marginal


def listed_alternatives(order: list[Candidate], tied: list[str], singles: dict[str, Candidate],
                        nothing: Candidate) -> list[Candidate]:
    """The plans listed beside the best: those tied with it, doing nothing and the five single-path plans
    (always, even the one that may be the best; an unaffordable one has the values of doing nothing)."""
    for c in singles.values():
        if not c.plan:
            c.values = nothing.values
    best = order[0]
    listed = [c for c in order if c.name in tied and c not in singles.values()] + [nothing, *singles.values()]
    return [c for c in dict.fromkeys(listed) if c is not best or c in singles.values()]


def _key(c: Candidate) -> tuple:
    return tuple(sorted(c.plan.items()))
