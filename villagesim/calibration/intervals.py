"""90% intervals on predicted shares: parameter uncertainty and the village's own randomness.

Parameter uncertainty is a quasi-posterior, ``exp(-objective / 2)`` over the
unit cube of the fitted parameters (Chernozhukov and Hong 2003: for the
likelihood objective it is the posterior under a flat prior; for the moments
it treats the weighted distance as a chi-squared). :func:`posterior_draws`
samples it by random-walk Metropolis from the estimate, with steps scaled on
each axis by the objective's curvature there (importance sampling from one
normal proposal left one or two effective draws: the posterior is a thin
ridge in seven dimensions). :func:`predictive_interval` then runs the rule a few times at each draw, so
that the interval's quantiles mix both the parameters' spread and the
rule's randomness (who hears, who decides, the village's propensity).
"""

from __future__ import annotations

import numpy as np

from villagesim.calibration.moments import Calibration, to_params

LEVEL = 0.90
MIN_WIDTH, DEFAULT_WIDTH, MAX_WIDTH = 0.01, 0.05, 0.25  # posterior SD guesses, in unit-cube widths


def posterior_draws(cal: Calibration, draws: int = 100, steps: int = 400, seed: int = 0) -> tuple[list[dict], float]:
    """``draws`` parameter values from the quasi-posterior around ``cal``'s estimate, by random-walk Metropolis
    (``steps`` evaluations; the first fifth discarded, the rest thinned evenly), and its acceptance rate."""
    objective, fit = cal.objective, cal.fit
    keys = objective.keys
    scale = _curvature_widths(objective, fit.unit, fit.objective) * 2.38 / np.sqrt(len(keys))
    rng = np.random.default_rng(seed)
    point, value = fit.unit.copy(), fit.objective
    chain, accepted = [], 0
    for _ in range(steps):
        proposal = np.clip(point + scale * rng.standard_normal(len(keys)), 0.0, 1.0)
        proposed = objective(proposal)
        if np.log(rng.random()) < -0.5 * (proposed - value):
            point, value = proposal, proposed
            accepted += 1
        chain.append(point)
    kept = np.array(chain[steps // 5:])
    picked = kept[np.linspace(0, len(kept) - 1, draws).round().astype(int)]
    return [to_params(u, keys) for u in picked], accepted / steps


def _curvature_widths(objective, centre: np.ndarray, value: float, step: float = 0.02) -> np.ndarray:
    """Per-axis SD of ``exp(-objective / 2)`` from the objective's second differences at ``centre``, widened by
    half (the conditional SD understates the marginal one); the default where the objective is not convex."""
    width = np.full(centre.size, DEFAULT_WIDTH)
    for k in range(centre.size):
        ends = []
        for sign in (-1, 1):
            point = centre.copy()
            point[k] = np.clip(centre[k] + sign * step, 0.0, 1.0)
            ends.append(objective(point))
        second = (ends[0] + ends[1] - 2 * value) / step**2
        if second > 0:
            width[k] = np.clip(1.5 * np.sqrt(2.0 / second), MIN_WIDTH, MAX_WIDTH)
    return width


def predictive_interval(run, draws: list[dict], per_draw: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """5% and 95% quantiles of ``run(params, replicates, seed)`` (shares, one row per replicate) over
    ``per_draw`` replicates at each parameter draw."""
    streams = np.random.SeedSequence(seed).generate_state(len(draws))
    sample = np.concatenate([run(params, per_draw, int(s)) for params, s in zip(draws, streams)])
    tail = (1.0 - LEVEL) / 2
    return np.quantile(sample, tail, axis=0), np.quantile(sample, 1.0 - tail, axis=0)


def posterior_table(draws: list[dict]) -> dict[str, list[float]]:
    """The draws as params.toml stores them: one list per parameter."""
    return {key: [d[key] for d in draws] for key in draws[0]} if draws else {}


def read_posterior(path: str, table: dict, base: dict) -> list[dict]:
    """Parameter sets of each draw stored in a params.toml's ``[calibration.posterior]``, over ``base``."""
    from villagesim.errors import InputError

    columns = table.get("posterior")
    ok = (isinstance(columns, dict) and columns and all(isinstance(v, list) and v for v in columns.values())
          and len({len(v) for v in columns.values()}) == 1 and set(columns) <= set(base)
          and all(isinstance(x, (int, float)) for v in columns.values() for x in v))
    if not ok:
        raise InputError(f"--params {path}: calibration.posterior is missing or malformed (one list of numbers per "
                         "fitted parameter, all of one length); rerun villagesim calibrate")
    count = len(next(iter(columns.values())))
    return [{**base, **{key: values[d] for key, values in columns.items()}} for d in range(count)]
