"""Adoption over time: the uptake rule over a study's periods, its moments of time, and their fit.

The model's months map to the data's periods: ``period_months`` months a
period (12: the studies' periods are years). The campaign runs over every
period but the last (which holds those not adopted by the survey), and
places do not bind (a practice has no intake). The organisation's members
are the seeds: informed at month 0, deciding first. A person adopts in the
period of the month they enrol.

Moments (:func:`time_moments`, per replicate, then averaged):

- the cumulative share adopted by the end of each period, in each village;
- the hazard of adopting in a period among those not adopted before it, by
  exposure (ties to people who adopted in an earlier period: 0, 1, 2, 3 or
  more), pooled over villages and periods;
- the share adopted by the survey, and the mean period of adoption among
  adopters, of members and of the others.

:class:`TimingObjective` plugs them into :func:`~villagesim.calibration.moments.calibrate` (Sobol, Nelder-Mead,
profiles), with binomial standard errors (and the standard error of the mean for the mean periods).
"""

from __future__ import annotations

import numpy as np

from villagesim.calibration.data import Groups
from villagesim.calibration.moments import Objective
from villagesim.calibration.rule import enrolment_months
from villagesim.calibration.settings import PERIOD_MONTHS, TIME_FITTED

NO_LIMIT = 100_000_000  # places per village: more than anyone in a village
EXPOSURE = ("0 ties to earlier adopters", "1 tie", "2 ties", "3 or more ties")
GROUP_MOMENTS = ("members adopted by the survey", "others adopted by the survey",
                 "members' mean period of adoption", "others' mean period of adoption")


def timing_params(base: dict, last_period: int, period_months: int = PERIOD_MONTHS) -> dict:
    """The rule's parameters for a study: the campaign spans the periods before the survey, places unlimited."""
    return {**base, "project.campaign": (last_period - 1) * period_months, "project.places": NO_LIMIT}


def adoption_periods(groups: Groups, params: dict, replicates: int, seed: int,
                     period_months: int = PERIOD_MONTHS) -> np.ndarray:
    """Simulated adoption period of each node, shape (replicates, nodes); ``last_period`` if not adopted."""
    months = enrolment_months(groups, timing_params(params, groups.last_period, period_months), replicates, seed)
    return np.where(months >= 0, months // period_months + 1, groups.last_period)


def exposure(groups: Groups, time: np.ndarray, period: int) -> np.ndarray:
    """Ties of each node to nodes that adopted before ``period``; ``time`` has one row per replicate."""
    return np.asarray(groups.adjacency @ (time < period).T.astype(float)).T


def curves(groups: Groups, time: np.ndarray) -> np.ndarray:
    """Cumulative share adopted by the end of each period but the last: shape (replicates, groups, periods)."""
    v, periods = len(groups.labels), groups.last_period - 1
    out = np.empty((time.shape[0], v, periods))
    for p in range(1, periods + 1):
        for r, row in enumerate(time <= p):
            out[r, :, p - 1] = np.bincount(groups.group, weights=row, minlength=v)
    return out / groups.size[None, :, None]


def hazard_counts(groups: Groups, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Adoptions and people at risk by exposure class (0, 1, 2, 3+), summed over periods: (replicates, 4) each."""
    events, at_risk = np.zeros((time.shape[0], 4)), np.zeros((time.shape[0], 4))
    for p in range(1, groups.last_period):
        cls = np.minimum(exposure(groups, time, p), 3).astype(np.int64)
        risk = time >= p
        for c in range(4):
            at_risk[:, c] += (risk & (cls == c)).sum(axis=1)
            events[:, c] += ((time == p) & (cls == c)).sum(axis=1)
    return events, at_risk


def members_and_others(groups: Groups, time: np.ndarray) -> np.ndarray:
    """Members' and others' share adopted by the survey, then their mean period of adoption: (replicates, 4)."""
    adopted = time < groups.last_period
    out = []
    for who in (groups.seed, ~groups.seed):
        out.append(adopted[:, who].mean(axis=1))
    for who in (groups.seed, ~groups.seed):
        count = (adopted & who).sum(axis=1)
        out.append(np.where(count > 0, (time * (adopted & who)).sum(axis=1) / np.maximum(count, 1), np.nan))
    return np.column_stack(out)


def time_moments(groups: Groups, time: np.ndarray) -> np.ndarray:
    """All moments of time, one row per replicate (NaN where a hazard class or group has nobody)."""
    events, at_risk = hazard_counts(groups, time)
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = events / at_risk
    return np.column_stack([curves(groups, time).reshape(time.shape[0], -1), hazard,
                            members_and_others(groups, time)])


def moment_names(groups: Groups) -> list[str]:
    cells = [f"village {lab}, adopted by period {p}" for lab in groups.labels for p in range(1, groups.last_period)]
    return cells + [f"hazard, {name}" for name in EXPOSURE] + list(GROUP_MOMENTS)


def time_errors(groups: Groups, observed: np.ndarray) -> np.ndarray:
    """Binomial standard errors of the shares and hazards; the standard error of the mean for mean periods."""
    v, periods = len(groups.labels), groups.last_period - 1
    n = np.repeat(groups.size, periods).astype(float)
    _, at_risk = hazard_counts(groups, groups.time[None, :])
    adopted = groups.time < groups.last_period
    shares = np.concatenate([n, at_risk[0], [groups.seed.sum(), (~groups.seed).sum()]])
    share = observed[: v * periods + 6]
    se = np.sqrt(np.maximum(share * (1 - share), 0.01) / np.maximum(shares, 1))
    means = [np.std(groups.time[adopted & who]) / np.sqrt(max((adopted & who).sum(), 1))
             for who in (groups.seed, ~groups.seed)]
    return np.concatenate([se, np.maximum(means, 0.1)])


class TimingObjective(Objective):
    """The moments of time (:func:`time_moments`) as the calibration's objective; moments the data leave
    empty (a hazard class with nobody at risk) are dropped."""

    keys = TIME_FITTED

    def __init__(self, groups: Groups, base: dict, replicates: int, seed: int,
                 period_months: int = PERIOD_MONTHS):
        self.groups, self.period_months = groups, period_months
        self.base, self.replicates, self.seed, self.evaluations = base, replicates, seed, 0
        observed = time_moments(groups, groups.time[None, :])[0]
        self.kept = np.isfinite(observed)
        self.observed, self.errors = observed[self.kept], time_errors(groups, observed)[self.kept]

    def simulated(self, unit: np.ndarray) -> np.ndarray:
        time = adoption_periods(self.groups, self.params(unit), self.replicates, self.seed, self.period_months)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(time_moments(self.groups, time), axis=0)
        return np.nan_to_num(mean[self.kept])  # a class nobody reached in any replicate: no adoption in it


class LikelihoodObjective(TimingObjective):
    """The deviance (-2 log-likelihood) of the observed adoption periods under the hazards given the history
    (:func:`~villagesim.calibration.hazard.hazards`): maximum likelihood through the same search and profiles,
    whose 3.84 level is then a likelihood-ratio interval. The moments stay for the report."""

    def __call__(self, unit: np.ndarray) -> float:
        from villagesim.calibration.hazard import hazards, person_periods, scores

        self.evaluations += 1
        rows = person_periods(self.groups)
        predicted = hazards(self.groups, self.params(unit), self.period_months)[rows.person, rows.period - 1]
        return -2.0 * rows.person.size * scores(rows.adopted, predicted, auc=False)["loglik"]
