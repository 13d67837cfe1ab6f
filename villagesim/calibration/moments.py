"""Fit the uptake rule to real networks by simulated method of moments, with profiles and baselines.

Moments (:func:`moments`), each observed once and simulated as the mean
over replicates:

- the take-up among the non-seeds of each group;
- take-up among non-seeds tied only to seeds who enrolled, and among those
  tied only to seeds who did not (this separates the two passing
  probabilities);
- take-up among non-seeds at distance 1, 2 and 3 or more (or no path) from
  the nearest seed;
- the seeds' take-up (simulated with the seeds deciding);
- the slope of the groups' take-up on group size (per 100 nodes) and the
  standard deviation of the groups' take-up (weighted by non-seeds);
- the slope of the groups' take-up on their seeds' take-up (how much a
  village's leaders' decisions say about the others': this identifies the
  spread of the village propensity against the noise of a few leaders'
  decisions).

The groups' and pooled take-ups are simulated with the seeds' observed
decisions as inputs (as Banerjee et al. condition on the leaders'
decisions). The seeds' own take-up, both slopes and the spread across
groups are simulated without them, each per replicate and then averaged: the
data are one draw of the villages, and with the seeds deciding the shape
across groups comes from the rule alone (size and places, the spread of the
propensity), not from the observed decisions. The
objective is the sum of squared gaps, each divided by the moment's standard
error: binomial for the take-ups, a bootstrap over groups for the seeds'
take-up, the slopes and the spread. The minimiser (:func:`search`): a
scrambled Sobol design over :data:`BOUNDS`, then Nelder-Mead
(``scipy.optimize``) from each of its few best points, keeping the lowest
end, all on common random numbers (the objective has several local minima).

A profile re-optimises the other parameters (Nelder-Mead from the
estimate) with each parameter held at steps of :data:`STEPS` around the
estimate, in the unit cube of the search box; its 95% interval is where the
profile objective is within 3.84 of the minimum (linear interpolation
between steps; approximate, as the weighting is diagonal). A parameter
counts as identified when the profile crosses that level on both sides
within the steps; where it does not, the interval runs to the last step or
the edge of the box and the verdict is "no". :func:`calibrate` fits and
profiles; when a profile's re-optimised point lies below the estimate (by
more than :data:`REFIT_TOLERANCE`), it polishes from that point, takes the
lower end as the estimate and profiles again, at most :data:`REFITS` times
(``Calibration.below`` says how far a lower profile point remains, if one does).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from villagesim.calibration.data import Groups, distance_from_seeds, seeds_centrality, subset
from villagesim.calibration.prediction import predict, shares
from villagesim.calibration.rule import simulate
from villagesim.calibration.settings import DEFAULT_SEED, FITTED


BOUNDS = {
    "project.propensity": (-5.0, 1.0, False),
    "project.propensity_sd": (0.05, 2.5, True),
    "project.member_shift": (-2.0, 2.0, False),
    "project.news_prob": (0.002, 0.6, True),
    "project.news_prob_enrolled": (0.01, 0.9, True),
    "project.outreach": (0.0005, 0.5, True),
    "project.outreach_ramp": (0.0, 240.0, False),  # months: up to the longest study's 20 years
    "project.places": (10, 600, True),
    "project.reconsider": (0.0005, 0.5, True),
    "participation.threshold_mean": (0.0, 1.0, False),
    "participation.threshold_sd": (0.01, 0.6, True),
    "participation.trust_weight": (0.0, 1.0, False),
    "contagion.spontaneous": (0.001, 0.9, True),
    "contagion.recruit": (0.001, 0.9, True),
    "logit.intercept": (-5.0, 5.0, False),
    "logit.degree": (-1.0, 1.0, False),
    "logit.age": (-0.5, 0.5, False),
}
"""Search box per fitted parameter: low, high, searched on a log scale."""


MOMENT_NAMES = ("tied only to enrolled seeds", "tied only to seeds who did not enrol", "distance 1", "distance 2",
                "distance 3 or more", "seeds' take-up", "slope on size (per 100)", "spread (SD)",
                "slope on the seeds' take-up")
CHI2_95 = 3.841  # chi-squared, one degree of freedom
STEPS = (-0.4, -0.15, -0.05, 0.05, 0.15, 0.4)  # profile points around the estimate, in unit-cube widths


def to_params(unit: np.ndarray, keys: tuple[str, ...] = FITTED) -> dict[str, float | int]:
    """A point of the unit cube to values of the fitted parameters ``keys`` (log scale where marked)."""
    row: dict[str, float | int] = {}
    for x, key in zip(np.clip(unit, 0.0, 1.0), keys):
        lo, hi, log = BOUNDS[key]
        value = float(np.exp(np.log(lo) + x * np.log(hi / lo))) if log else float(lo + x * (hi - lo))
        row[key] = int(round(value)) if isinstance(lo, int) else value
    return row


def to_unit(key: str, value: float) -> float:
    lo, hi, log = BOUNDS[key]
    return float(np.log(value / lo) / np.log(hi / lo)) if log else float((value - lo) / (hi - lo))


@dataclass
class Data:
    """What the moments need from one set of groups, computed once."""

    groups: Groups
    distance: np.ndarray
    seed_outcome: np.ndarray  # the seeds' observed decisions (False elsewhere)


def prepare(groups: Groups) -> Data:
    return Data(groups, distance_from_seeds(groups), groups.outcome & groups.seed)


def _pooled(data: Data, enrolled: np.ndarray, seeds_enrolled: np.ndarray) -> np.ndarray:
    """The five pooled take-ups of non-seeds, one row per replicate (seeds' decisions may differ by row)."""
    g = data.groups
    non_seed = ~g.seed
    adj = g.adjacency.astype(float)
    to_enrolled = (adj @ (seeds_enrolled & g.seed).T.astype(float)).T > 0
    to_other = (adj @ (~seeds_enrolled & g.seed).T.astype(float)).T > 0
    classes = [to_enrolled & ~to_other & non_seed, to_other & ~to_enrolled & non_seed]
    classes += [np.broadcast_to(non_seed & m, enrolled.shape)
                for m in (data.distance == 1, data.distance == 2, data.distance >= 3)]
    return np.column_stack([(enrolled & c).sum(1) / np.maximum(c.sum(1), 1) for c in classes])


def _slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted least-squares slope of y on x (0 when x does not vary)."""
    dx = x - np.average(x, weights=w)
    denom = np.sum(w * dx**2)
    return float(np.sum(w * dx * (y - np.average(y, weights=w))) / denom) if denom > 0 else 0.0


def shape(size: np.ndarray, share: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Slope of take-up on size (per 100 nodes) and SD across groups, weighted by ``w`` (default: equally).

    >>> slope, spread = shape(np.array([100, 200, 300]), np.array([0.3, 0.2, 0.1]))
    >>> round(slope, 6), round(spread, 6)
    (-0.1, 0.08165)
    """
    w = np.ones(share.size) if w is None else w
    spread = np.sqrt(np.average((share - np.average(share, weights=w)) ** 2, weights=w))
    return _slope(size / 100.0, share, w), float(spread)


def observed_moments(data: Data) -> np.ndarray:
    g = data.groups
    share = g.observed()
    pooled = _pooled(data, g.outcome[None, :], g.outcome[None, :])[0]
    seeds = float(np.average(g.seeds_observed(), weights=g.size - g.non_seeds))
    on_seeds = _slope(g.seeds_observed(), share, g.non_seeds)
    return np.concatenate([share, pooled, [seeds], shape(g.size, share, g.non_seeds), [on_seeds]])


def simulated_moments(data: Data, params: dict, replicates: int, seed: int) -> np.ndarray:
    g = data.groups
    given = simulate(g, params, replicates, seed, data.seed_outcome)
    share = shares(g, given, ~g.seed)
    pooled = _pooled(data, given, given).mean(axis=0)
    free = simulate(g, params, max(1, replicates // 2), seed + 1)
    free_seeds, free_others = shares(g, free, g.seed), shares(g, free, ~g.seed)
    seeds = float(np.average(free_seeds.mean(axis=0), weights=g.size - g.non_seeds))
    # One replicate is one draw of the villages, as the data are: shape and slope per replicate, then averaged.
    by_size = np.mean([shape(g.size, y, g.non_seeds) for y in free_others], axis=0)
    on_seeds = np.mean([_slope(x, y, g.non_seeds) for x, y in zip(free_seeds, free_others)])
    return np.concatenate([share.mean(axis=0), pooled, [seeds], by_size, [on_seeds]])


def standard_errors(data: Data, draws: int, seed: int) -> np.ndarray:
    """Binomial standard errors of the take-ups; bootstrap over groups for the seeds' take-up, slopes and spread."""
    g = data.groups
    share = g.observed()
    se_share = np.sqrt(np.maximum(share * (1 - share), 0.01) / g.non_seeds)
    obs = observed_moments(data)
    pooled = obs[len(share): len(share) + 5]
    counts = _pooled_counts(data)
    se_pooled = np.sqrt(np.maximum(pooled * (1 - pooled), 0.01) / np.maximum(counts, 1))
    rng = np.random.default_rng(seed)
    v = len(g.labels)
    seeds_n = g.size - g.non_seeds
    seeds_share = g.seeds_observed()
    boot = []
    for _ in range(draws):
        pick = rng.integers(0, v, v)
        w, s = g.non_seeds[pick], share[pick]
        boot.append([np.average(seeds_share[pick], weights=seeds_n[pick]), *shape(g.size[pick], s, w),
                     _slope(seeds_share[pick], s, w)])
    return np.concatenate([se_share, se_pooled, np.std(boot, axis=0)])


def _pooled_counts(data: Data) -> np.ndarray:
    g = data.groups
    non_seed = ~g.seed
    adj = g.adjacency.astype(float)
    to_enrolled = (adj @ (g.outcome & g.seed).astype(float)) > 0
    to_other = (adj @ (~g.outcome & g.seed).astype(float)) > 0
    return np.array([(to_enrolled & ~to_other & non_seed).sum(), (to_other & ~to_enrolled & non_seed).sum(),
                     *((non_seed & m).sum() for m in (data.distance == 1, data.distance == 2, data.distance >= 3))])


class Objective:
    """The weighted squared distance of simulated from observed moments, on common random numbers; counts calls.

    ``keys`` are the parameters it fits (the unit cube's axes); a subclass with other moments sets
    ``observed``, ``errors``, ``base``, ``replicates``, ``seed`` and ``evaluations`` and defines ``simulated``.
    """

    keys: tuple[str, ...] = FITTED

    def __init__(self, groups: Groups, base: dict, replicates: int, seed: int, bootstrap: int):
        self.data = prepare(groups)
        self.observed, self.errors = observed_moments(self.data), standard_errors(self.data, bootstrap, seed)
        self.base, self.replicates, self.seed = base, replicates, seed
        self.evaluations = 0

    def params(self, unit: np.ndarray) -> dict:
        return {**self.base, **to_params(unit, self.keys)}

    def simulated(self, unit: np.ndarray) -> np.ndarray:
        return simulated_moments(self.data, self.params(unit), self.replicates, self.seed)

    def __call__(self, unit: np.ndarray) -> float:
        self.evaluations += 1
        return float(np.sum(((self.simulated(unit) - self.observed) / self.errors) ** 2))


@dataclass
class Fit:
    """The estimate, its objective and the moments at the estimate."""

    unit: np.ndarray
    estimate: dict
    objective: float
    observed: np.ndarray
    simulated: np.ndarray
    errors: np.ndarray
    evaluations: int
    starts: tuple[float, ...] = ()  # the objective reached from each Nelder-Mead start


def _polish(loss, start: np.ndarray, max_evaluations: int) -> tuple[np.ndarray, float]:
    """Nelder-Mead in the unit cube from ``start``."""
    res = minimize(loss, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(start),
                   options={"maxfev": max_evaluations, "xatol": 1e-3, "fatol": 1e-2})
    return np.asarray(res.x), float(res.fun)


def _result(objective: Objective, unit: np.ndarray, value: float, starts: tuple[float, ...] = ()) -> Fit:
    return Fit(unit, to_params(unit, objective.keys), value, objective.observed, objective.simulated(unit),
               objective.errors, objective.evaluations, starts)


def search(objective: Objective, candidates: int, max_evaluations: int, starts: int) -> Fit:
    """Sobol design, then Nelder-Mead from each of its ``starts`` best points; the lowest end wins."""
    if not 1 <= starts <= candidates:
        raise ValueError(f"starts must be between 1 and candidates ({candidates}), got {starts}")
    design = qmc.Sobol(len(objective.keys), scramble=True, seed=objective.seed).random(candidates)
    values = np.array([objective(u) for u in design])
    ends = [_polish(objective, design[i], max_evaluations) for i in np.argsort(values, kind="stable")[:starts]]
    unit, value = min(ends, key=lambda end: end[1])
    return _result(objective, unit, value, tuple(end[1] for end in ends))


def fit(groups: Groups, base: dict, replicates: int = 24, seed: int = DEFAULT_SEED, candidates: int = 128,
        max_evaluations: int = 300, bootstrap: int = 400, starts: int = 3) -> Fit:
    """Simulated method of moments: Sobol design, then multi-start Nelder-Mead (:func:`search`)."""
    return search(Objective(groups, base, replicates, seed, bootstrap), candidates, max_evaluations, starts)


@dataclass
class Profile:
    """The objective along one parameter, the others re-optimised: unit-cube values, objectives, full points."""

    grid: np.ndarray
    values: np.ndarray
    points: np.ndarray  # one re-optimised unit point per grid value


def profile(objective: Objective, result: Fit, key: str, max_evaluations: int = 24) -> Profile:
    """The objective along ``key`` (unit-cube points around the estimate), the others re-optimised."""
    k = objective.keys.index(key)
    grid = np.unique(np.clip(result.unit[k] + np.array(STEPS), 0.0, 1.0))
    others = [i for i in range(len(objective.keys)) if i != k]
    values, points = [], []
    for x in grid:
        def full(rest, x=x):
            unit = result.unit.copy()
            unit[others] = rest
            unit[k] = x
            return unit

        # Nelder-Mead's start is a vertex of its simplex, so the value is never above the unpolished point's.
        rest, value = _polish(lambda r: objective(full(r)), result.unit[others], max_evaluations)
        values.append(value)
        points.append(full(rest))
    return Profile(grid, np.array(values), np.array(points))


REFIT_TOLERANCE = 0.1  # objective units: far below the 3.84 of an interval, above Nelder-Mead's own tolerance
REFITS = 2


@dataclass
class Calibration:
    """The estimate, each parameter's profile and 95% interval, and how the estimate was reached."""

    fit: Fit
    profiles: dict[str, Profile]
    intervals: dict[str, tuple[float, float, bool]]
    refits: int  # restarts from a profile point that lay lower than the estimate
    below: float  # how far the lowest profile point still lies below the estimate (0: nowhere)
    seconds: dict[str, float]
    evaluations: int  # of the objective, profiles included
    objective: Objective | None = None  # the objective fitted (for draws around the estimate)


def _lowest(profiles: dict[str, Profile]) -> tuple[np.ndarray, float]:
    unit, value = min(((p.points[i], p.values[i]) for p in profiles.values() for i in range(p.values.size)),
                      key=lambda point: point[1])
    return unit, float(value)


def calibrate(groups: Groups, base: dict, replicates: int = 24, seed: int = DEFAULT_SEED, candidates: int = 128,
              max_evaluations: int = 300, bootstrap: int = 400, starts: int = 3, profiles: bool = True,
              refits: int = REFITS, objective: Objective | None = None) -> Calibration:
    """Fit (:func:`search`), profile every parameter, and while a profile point lies lower than the estimate
    (by more than :data:`REFIT_TOLERANCE`), polish from that point, take the result and profile again
    (``refits`` rounds at most). ``objective`` replaces the default :class:`Objective` on ``groups`` (the
    other moments' settings are then its own)."""
    started = time.perf_counter()
    objective = objective or Objective(groups, base, replicates, seed, bootstrap)
    result = search(objective, candidates, max_evaluations, starts)
    seconds = {"fit": time.perf_counter() - started}
    if not profiles:
        return Calibration(result, {}, {}, 0, 0.0, seconds, objective.evaluations, objective)
    done = 0
    while True:
        found = {key: profile(objective, result, key) for key in objective.keys}
        unit, value = _lowest(found)
        if value >= result.objective - REFIT_TOLERANCE or done == refits:
            break
        done += 1
        polished, polished_value = _polish(objective, unit, max_evaluations)
        if polished_value < value:
            unit, value = polished, polished_value
        result = _result(objective, unit, value, result.starts)
    seconds["profiles"] = time.perf_counter() - started - seconds["fit"]
    intervals = {key: interval(key, p.grid, p.values, result, objective.keys) for key, p in found.items()}
    return Calibration(result, found, intervals, done, max(0.0, result.objective - value), seconds,
                       objective.evaluations, objective)


def interval(key: str, grid: np.ndarray, values: np.ndarray, result: Fit,
             keys: tuple[str, ...] = FITTED) -> tuple[float, float, bool]:
    """95% profile interval of ``key`` in its own units, and whether it is closed inside the search range."""
    centre = result.unit[keys.index(key)]
    unit, value = np.append(grid, centre), np.append(values, result.objective)
    order = np.argsort(unit)
    unit, value = unit[order], value[order]
    level = value.min() + CHI2_95
    best = int(np.argmin(value))
    ends, closed = [], True
    for side in (range(best, -1, -1), range(best, unit.size)):
        side = list(side)
        out = next((i for i in side if value[i] > level), None)
        if out is None:
            closed = False
            ends.append(float(unit[side[-1]]))
            continue
        inner = side[side.index(out) - 1]
        ends.append(float(np.interp(level, [value[inner], value[out]], [unit[inner], unit[out]])))
    low, high = (to_params(np.full(len(keys), u), keys)[key] for u in sorted(ends))
    return float(low), float(high), closed


# --- baselines and leave one out ---------------------------------------------------------------


BASELINES = ("mean", "size", "size + seeds' eigenvector centrality", "seeds' take-up", "size + seeds' take-up")


def covariates(groups: Groups) -> dict[str, np.ndarray]:
    """Group-level covariates of each baseline (``seeds' take-up`` reads only the seeds' outcomes)."""
    size = groups.size.astype(float)
    seeds = groups.seeds_observed()
    return {"mean": np.zeros((size.size, 0)), "size": size[:, None],
            "size + seeds' eigenvector centrality": np.column_stack([size, seeds_centrality(groups)]),
            "seeds' take-up": seeds[:, None], "size + seeds' take-up": np.column_stack([size, seeds])}


def baseline_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares coefficients of y ~ 1 + x."""
    design = np.column_stack([np.ones(y.size), x])
    sw = np.sqrt(w)
    return np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)[0]


def baseline_predict(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(x.shape[0]), x]) @ beta


def summary(observed: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """R-squared (1 - SSE/SST), Pearson correlation and root mean squared error."""
    sse = float(((observed - predicted) ** 2).sum())
    sst = float(((observed - observed.mean()) ** 2).sum())
    corr = float(np.corrcoef(observed, predicted)[0, 1]) if observed.size > 1 and np.ptp(predicted) > 0 else math.nan
    return {"r2": 1.0 - sse / sst if sst > 0 else math.nan, "correlation": corr, "rmse": math.sqrt(sse / observed.size)}


def _fold(groups: Groups, g: int, base: dict, replicates: int, final_replicates: int, seed: int, candidates: int,
          max_evaluations: int, bootstrap: int, starts: int, profiles: bool) -> dict:
    """Calibrate on every group but ``g`` and predict ``g``, with and without its seeds' decisions; the baselines
    too."""
    keep = np.arange(len(groups.labels)) != g
    train, test = subset(groups, keep), subset(groups, ~keep)
    result = calibrate(train, base, replicates, seed, candidates, max_evaluations, bootstrap, starts, profiles).fit
    params = {**base, **result.estimate}
    out = {"given": predict(test, params, final_replicates, seed, True)[0],
           "simulated": predict(test, params, final_replicates, seed, False)[0], "estimate": result.estimate}
    x_train, x_test = covariates(train), covariates(test)
    for name in BASELINES:
        beta = baseline_fit(x_train[name], train.observed(), train.non_seeds)
        out[name] = baseline_predict(x_test[name], beta)[0]
    return out


def leave_one_out(groups: Groups, base: dict, replicates: int, final_replicates: int, seed: int, candidates: int,
                  max_evaluations: int, bootstrap: int = 400, starts: int = 3, log=print, executor=None,
                  profiles: bool = True) -> dict:
    """Refit everything without each group in turn and predict it, with and without its seeds' decisions.

    Each fold runs :func:`calibrate`: with ``profiles`` its whole procedure (profiles and refits from lower
    profile points, as the shipped estimate was made), without them the search alone (five times quicker).
    ``executor`` (any ``concurrent.futures`` executor; default: this process) runs the folds; each fold
    has its own seed-determined draws, so the result does not depend on it.
    """
    from villagesim.sweep.executors import SerialExecutor

    v = len(groups.labels)
    executor = executor or SerialExecutor()
    futures = [executor.submit(_fold, groups, g, base, replicates, final_replicates, seed, candidates,
                               max_evaluations, bootstrap, starts, profiles) for g in range(v)]
    out = {name: np.empty(v) for name in ("given", "simulated", *BASELINES)}
    out["estimates"] = []
    for g, future in enumerate(futures):
        fold = future.result()
        for name in ("given", "simulated", *BASELINES):
            out[name][g] = fold[name]
        out["estimates"].append(fold["estimate"])
        log(f"  left out {groups.labels[g]}: observed {groups.observed()[g]:.3f}, "
            f"given seeds {out['given'][g]:.3f}, simulated seeds {out['simulated'][g]:.3f}")
    return out
