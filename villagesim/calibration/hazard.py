"""The chance of adopting in each period given who adopted before it: the uptake rule filtered, and baselines.

:func:`hazards` follows each person not yet adopted through the months of
each period, by the model's rule in expectation (a mean-field filter): the
chance they are still uninformed, informed and about to decide, or
declined (and may reconsider). People who adopted in an earlier period are
known to be enrolled and tell their neighbours with
``project.news_prob_enrolled``; the others tell with the chance of their own
state. Members are informed at month 0. The village's propensity is
unknown: it is integrated over a grid with weights updated, period after
period, by the likelihood of the village's history so far. The prediction
for period ``p`` reads adoption periods before ``p`` only; the period's own
adoptions update the state afterwards. The decision averages over trust
(``village.trust_*``, drawn once with a fixed seed); endorsement is left out
(it must be 0).

Baselines (fitted on other villages, :func:`fit_baselines`): the pooled
hazard of each period (no network), and a logit on exposure (ties to
earlier adopters, and their share of the person's ties).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp

from villagesim.calibration.data import Groups
from villagesim.calibration.settings import PERIOD_MONTHS
from villagesim.errors import InputError
from villagesim.population import draw_trust
from villagesim.submodels.uptake import campaign_reach, mean_propensity

GRID = np.linspace(-3.0, 3.0, 25)  # standard-normal grid for the village propensity
TRUST_DRAWS = 64
FLOOR = 1e-9  # hazards are kept inside (FLOOR, 1 - FLOOR) for the log-likelihood
BASELINE_NAMES = ("period only", "logit on exposure")


@dataclass
class PersonPeriods:
    """Each person not adopted at the start of each period before the survey: who, when, and what happened."""

    person: np.ndarray
    period: np.ndarray
    adopted: np.ndarray  # bool: adopted in that period
    exposure: np.ndarray  # ties to people who adopted before that period
    share: np.ndarray  # exposure over the person's ties (0 without ties)


def person_periods(groups: Groups) -> PersonPeriods:
    """The person-periods at risk, read from adoption periods before each period (and the period's outcome)."""
    degree = np.diff(groups.adjacency.indptr).astype(float)
    rows = []
    for p in range(1, groups.last_period):
        risk = np.flatnonzero(groups.time >= p)
        ties = np.asarray(groups.adjacency @ (groups.time < p).astype(float))[risk]
        rows.append((risk, np.full(risk.size, p), groups.time[risk] == p, ties,
                     np.divide(ties, degree[risk], out=np.zeros(risk.size), where=degree[risk] > 0)))
    return PersonPeriods(*(np.concatenate(col) for col in zip(*rows)))


def _accept(params: dict, member: np.ndarray) -> np.ndarray:
    """Chance to enrol once deciding, averaged over trust: shape (grid, people)."""
    if params["project.endorsement"]:
        raise InputError("project.endorsement: the hazard given the history needs 0 (no endorsement effect)")
    trust = draw_trust(np.random.default_rng(0), TRUST_DRAWS, params)
    level = mean_propensity(params) + params["project.propensity_sd"] * GRID
    logit = (level[:, None, None] + params["project.member_shift"] * np.array([0.0, 1.0])[None, :, None]
             + params["project.trust_effect"] * (trust - 0.5)[None, None, :])
    return expit(logit).mean(axis=2)[:, member.astype(np.int64)]


def hazards(groups: Groups, params: dict, period_months: int = PERIOD_MONTHS) -> np.ndarray:
    """Chance of adopting in each period 1 .. last_period - 1 given the adoption periods before it:
    shape (people, periods), NaN where the person had already adopted."""
    n, v, periods = groups.group.size, len(groups.labels), groups.last_period - 1
    accept = _accept(params, groups.seed)
    log_told, log_told_enrolled = (np.log1p(-min(params[k], 1 - 1e-12)) for k in
                                   ("project.news_prob", "project.news_prob_enrolled"))
    again = params["project.reconsider"]
    adj_t = groups.adjacency.T.tocsr().astype(float)
    uninformed = np.broadcast_to(~groups.seed, (GRID.size, n)).astype(float)
    deciding, declined = 1.0 - uninformed, np.zeros((GRID.size, n))
    log_weight = np.broadcast_to(-0.5 * GRID[:, None] ** 2, (GRID.size, v)).copy()
    out = np.full((n, periods), np.nan)
    for p in range(1, periods + 1):
        known = groups.time < p
        risk = ~known
        accepted = np.zeros((GRID.size, n))
        for k in range(period_months):
            log_direct = np.log1p(-np.minimum(campaign_reach(params, (p - 1) * period_months + k), 1 - 1e-12))
            back = again * declined
            deciding, declined = deciding + back, declined - back
            now = deciding * accept
            accepted += now
            declined += deciding - now
            deciding = np.zeros_like(declined)
            tellers = np.where(known, log_told_enrolled, accepted * log_told_enrolled + declined * log_told)
            log_miss = np.asarray(adj_t @ tellers.T).T + log_direct
            heard = uninformed * -np.expm1(log_miss)
            uninformed, deciding = uninformed - heard, deciding + heard
        hazard = np.clip(accepted, FLOOR, 1 - FLOOR)
        weight = np.exp(log_weight - logsumexp(log_weight, axis=0))
        out[risk, p - 1] = (weight[:, groups.group] * hazard).sum(axis=0)[risk]
        # The period's outcome, read only now: it updates the village's propensity and everyone's state.
        adopted = groups.time == p
        loglik = np.where(adopted, np.log(hazard), np.log1p(-hazard)) * risk
        log_weight += np.stack([np.bincount(groups.group, weights=row, minlength=v) for row in loglik])
        stay = np.where(adopted | known, 0.0, 1.0 / (1.0 - hazard))
        uninformed, deciding, declined = uninformed * stay, deciding * stay, declined * stay
    return out


def fit_baselines(groups: Groups) -> dict[str, list[float]]:
    """The baselines' coefficients on these groups: each period's pooled hazard, and the exposure logit's."""
    from sklearn.linear_model import LogisticRegression

    rows = person_periods(groups)
    events = np.bincount(rows.period, weights=rows.adopted, minlength=groups.last_period)[1:]
    at_risk = np.bincount(rows.period, minlength=groups.last_period)[1:]
    logit = LogisticRegression(C=np.inf, max_iter=1000).fit(np.column_stack([rows.exposure, rows.share]), rows.adopted)
    return {"period only": [float(x) for x in events / np.maximum(at_risk, 1)],
            "logit on exposure": [float(logit.intercept_[0]), *map(float, logit.coef_[0])]}


def baseline_hazards(rows: PersonPeriods, coefficients: dict[str, list[float]]) -> dict[str, np.ndarray]:
    """Each baseline's hazard for the person-periods ``rows``."""
    by_period = np.asarray(coefficients["period only"])
    if rows.period.max(initial=0) > by_period.size:
        raise InputError(f"--last-period {rows.period.max() + 1}: the calibration covered periods 1 to "
                         f"{by_period.size}, the period-only baseline knows no later one")
    beta = np.asarray(coefficients["logit on exposure"])
    return {"period only": np.clip(by_period[rows.period - 1], FLOOR, 1 - FLOOR),
            "logit on exposure": expit(beta[0] + beta[1] * rows.exposure + beta[2] * rows.share)}


def scores(adopted: np.ndarray, predicted: np.ndarray, auc: bool = True) -> dict[str, float]:
    """Log-likelihood per person-period and (with ``auc``) the AUC, NaN with one class only."""
    p = np.clip(predicted, FLOOR, 1 - FLOOR)
    out = {"loglik": float(np.mean(np.where(adopted, np.log(p), np.log1p(-p))))}
    if auc:
        from sklearn.metrics import roc_auc_score

        out["auc"] = float(roc_auc_score(adopted, p)) if 0 < adopted.sum() < adopted.size else float("nan")
    return out
