"""Leave one village out with the whole procedure in each fold: adoption over time, and take-up intervals.

Each fold fits on the other villages only (the rule's parameters, their
posterior draws and the baselines) and then scores the held-out village:
its hazards given its own history (:mod:`villagesim.calibration.hazard`),
its adoption curve from the start with a 90% interval, and for take-up the
village's share with its interval. ``executor`` (any
``concurrent.futures`` executor; default: this process) runs the folds;
each fold's draws depend only on the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from villagesim.calibration.data import Groups, subset
from villagesim.calibration.hazard import baseline_hazards, fit_baselines, hazards, person_periods
from villagesim.calibration.intervals import posterior_draws, predictive_interval
from villagesim.calibration.moments import calibrate
from villagesim.calibration.prediction import predict, shares
from villagesim.calibration.rule import simulate
from villagesim.calibration.settings import PERIOD_MONTHS
from villagesim.calibration.timing import (LikelihoodObjective, TimingObjective, adoption_periods, curves,
                                           timing_params)


@dataclass
class Settings:
    """The fit's budget in each fold (as ``villagesim calibrate``'s options)."""

    replicates: int = 16
    candidates: int = 64
    max_evaluations: int = 200
    starts: int = 3
    profiles: bool = False
    draws: int = 100
    steps: int = 400
    per_draw: int = 4
    final_replicates: int = 200
    bootstrap: int = 400


def _run(groups: Groups, folds, executor):
    from villagesim.sweep.executors import SerialExecutor

    executor = executor or SerialExecutor()
    futures = [executor.submit(*fold) for fold in folds]
    return [future.result() for future in futures]


def _split(groups: Groups, g: int) -> tuple[Groups, Groups]:
    keep = np.arange(len(groups.labels)) != g
    return subset(groups, keep), subset(groups, ~keep)


def time_fold(groups: Groups, g: int, base: dict, objective: str, settings: Settings, seed: int,
              period_months: int = PERIOD_MONTHS) -> dict:
    """Fit on every village but ``g``; score ``g``'s hazards given its history and its curve's interval."""
    train, test = _split(groups, g)
    kind = LikelihoodObjective if objective == "likelihood" else TimingObjective
    cal = calibrate(train, base, settings.replicates, seed, settings.candidates, settings.max_evaluations,
                    settings.bootstrap, settings.starts, settings.profiles,
                    objective=kind(train, base, settings.replicates, seed, period_months))
    params = timing_params({**base, **cal.fit.estimate}, groups.last_period, period_months)
    draws, acceptance = posterior_draws(cal, settings.draws, settings.steps, seed)
    coefficients = fit_baselines(train)
    rows = person_periods(test)
    predicted = {"uptake rule": hazards(test, params, period_months)[rows.person, rows.period - 1],
                 **baseline_hazards(rows, coefficients)}

    def run(p, k, s):
        return curves(test, adoption_periods(test, p, k, s, period_months))[:, 0, :]

    lower, upper = predictive_interval(run, [{**params, **d} for d in draws], settings.per_draw, seed)
    return {"estimate": cal.fit.estimate, "acceptance": acceptance, "baselines": coefficients,
            "adopted": rows.adopted, "period": rows.period, "exposure": rows.exposure, "hazards": predicted,
            "curve": run(params, settings.final_replicates, seed).mean(axis=0), "lower": lower, "upper": upper,
            "observed": curves(test, test.time[None, :])[0, 0]}


def leave_one_out_time(groups: Groups, base: dict, objective: str = "likelihood", settings: Settings | None = None,
                       seed: int = 0, period_months: int = PERIOD_MONTHS, executor=None) -> list[dict]:
    """:func:`time_fold` for every village, in order."""
    settings = settings or Settings()
    return _run(groups, [(time_fold, groups, g, base, objective, settings, seed, period_months)
                         for g in range(len(groups.labels))], executor)


def uptake_fold(groups: Groups, g: int, base: dict, settings: Settings, seed: int) -> dict:
    """Fit the take-up moments on every village but ``g``; ``g``'s share (seeds' decisions given), 90% interval."""
    train, test = _split(groups, g)
    cal = calibrate(train, base, settings.replicates, seed, settings.candidates, settings.max_evaluations,
                    settings.bootstrap, settings.starts, settings.profiles)
    params = {**base, **cal.fit.estimate}
    draws, acceptance = posterior_draws(cal, settings.draws, settings.steps, seed)
    given = test.outcome & test.seed

    def run(p, k, s):
        return shares(test, simulate(test, p, k, s, given), ~test.seed)

    lower, upper = predictive_interval(run, [{**params, **d} for d in draws], settings.per_draw, seed)
    return {"estimate": cal.fit.estimate, "acceptance": acceptance, "observed": float(test.observed()[0]),
            "predicted": float(predict(test, params, settings.final_replicates, seed, True)[0]),
            "lower": float(lower[0]), "upper": float(upper[0])}


def leave_one_out_uptake(groups: Groups, base: dict, settings: Settings | None = None, seed: int = 0,
                         executor=None) -> list[dict]:
    """:func:`uptake_fold` for every village, in order."""
    settings = settings or Settings()
    return _run(groups, [(uptake_fold, groups, g, base, settings, seed) for g in range(len(groups.labels))],
                executor)
