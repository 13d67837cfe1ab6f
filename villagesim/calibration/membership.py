"""Membership of the village's own organisation as participation: the participation rule against two simpler ones.

The rule (:func:`villagesim.submodels.participation.cascade`): a person
takes part once ``w * trust + (1 - w) * s >= threshold``, ``s`` the share
of their neighbours taking part, trust and thresholds drawn as the model
draws them (``village.trust_*``, ``participation.threshold_*``); the
cascade starts from those whose trust alone carries them and runs to its
end. Membership is a state, so the cascade's end is compared with it.

Two simpler rules, fitted the same way (the same moments, weights and
search): **simple contagion** (each person joins on their own with chance
``contagion.spontaneous``, then each member recruits each neighbour once
with chance ``contagion.recruit``, until nobody new joins) and
**independent choice** (a logit on degree and age, no influence; on degree
alone without ages). :func:`fit_membership` fits one of them.

Moments (:func:`membership_moments`): each village's membership rate; the
share of members' ties that go to members and the share of non-members'
ties that do; membership by degree (0-2, 3-5, 6-9, 10 or more ties).
Binomial standard errors.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from villagesim.calibration.data import Groups
from villagesim.calibration.moments import Objective
from villagesim.population import draw_thresholds, draw_trust
from villagesim.submodels.participation import cascade

RULES = {
    "participation rule": ("participation.threshold_mean", "participation.threshold_sd", "participation.trust_weight"),
    "simple contagion": ("contagion.spontaneous", "contagion.recruit"),
    "independent choice (logit on degree and age)": ("logit.intercept", "logit.degree", "logit.age"),
}
RULE, CONTAGION, LOGIT = RULES
DEGREE_BINS = (0, 3, 6, 10)
BATCH = 50


def membership_moments(groups: Groups, member: np.ndarray) -> np.ndarray:
    """Moments of membership, one row per replicate (``member`` has one row per replicate, or is a chance)."""
    member = np.atleast_2d(member).astype(float)
    v = len(groups.labels)
    rates = np.stack([np.bincount(groups.group, weights=row, minlength=v) for row in member]) / groups.size
    adj = groups.adjacency.astype(float)
    to_members = np.asarray(adj @ member.T).T  # ties of each person to members
    degree = np.diff(groups.adjacency.indptr).astype(float)
    ties_members = (member * to_members).sum(axis=1) / np.maximum((member * degree).sum(axis=1), 1)
    ties_others = ((1 - member) * to_members).sum(axis=1) / np.maximum(((1 - member) * degree).sum(axis=1), 1)
    bins = np.digitize(degree, DEGREE_BINS) - 1
    by_degree = np.column_stack([member[:, bins == b].mean(axis=1) if (bins == b).any() else np.full(len(member),
                                                                                                     np.nan)
                                 for b in range(len(DEGREE_BINS))])
    return np.column_stack([rates, ties_members, ties_others, by_degree])


def moment_names(groups: Groups) -> list[str]:
    bins = [f"{lo}-{hi - 1} ties" for lo, hi in zip(DEGREE_BINS, DEGREE_BINS[1:])] + [f"{DEGREE_BINS[-1]}+ ties"]
    return ([f"village {lab} membership" for lab in groups.labels]
            + ["members' ties to members", "non-members' ties to members"] + [f"membership, {b}" for b in bins])


def _errors(groups: Groups, observed: np.ndarray) -> np.ndarray:
    member = groups.participation
    degree = np.diff(groups.adjacency.indptr)
    bins = np.digitize(degree, DEGREE_BINS) - 1
    counts = np.concatenate([groups.size, [(member * degree).sum(), (~member * degree).sum()],
                             [(bins == b).sum() for b in range(len(DEGREE_BINS))]])
    return np.sqrt(np.maximum(observed * (1 - observed), 0.01) / np.maximum(counts, 1))


def simulate_rule(groups: Groups, params: dict, replicates: int, seed: int) -> np.ndarray:
    """The participation rule's end state, shape (replicates, people)."""
    n = groups.group.size
    out = np.empty((replicates, n), bool)
    batch = max(1, min(BATCH, replicates))
    w = params["participation.trust_weight"]
    for b, stream in enumerate(np.random.SeedSequence(seed).spawn(math.ceil(replicates / batch))):
        k = min(batch, replicates - b * batch)
        rng = np.random.default_rng(stream)
        trust, threshold = draw_trust(rng, n * k, params), draw_thresholds(rng, n * k, params)
        active = cascade(groups.blocks(k), np.zeros(n * k, bool), np.ones(n * k, bool), threshold, w * trust,
                         1.0 - w)
        out[b * batch: b * batch + k] = active.reshape(k, n)
    return out


def simulate_contagion(groups: Groups, params: dict, replicates: int, seed: int) -> np.ndarray:
    """Simple contagion's end state: spontaneous joiners, then each new member recruits each neighbour once."""
    rng = np.random.default_rng(seed)
    n = groups.group.size
    adj = groups.blocks(replicates)
    member = rng.random(n * replicates) < params["contagion.spontaneous"]
    new = member.copy()
    keep = math.log1p(-params["contagion.recruit"])
    while new.any():
        reached = rng.random(member.size) < -np.expm1(keep * (adj @ new.astype(float)))
        new = reached & ~member
        member |= new
    return member.reshape(replicates, n)


def logit_chance(groups: Groups, params: dict, age: np.ndarray) -> np.ndarray:
    """Independent choice: each person's chance of membership from their degree and age (centred)."""
    degree = np.diff(groups.adjacency.indptr)
    return expit(params["logit.intercept"] + params["logit.degree"] * (degree - degree.mean())
                 + params["logit.age"] * (age - age.mean()))


class MembershipObjective(Objective):
    """One of :data:`RULES` against the moments of membership (the logit's moments are its expectations)."""

    def __init__(self, groups: Groups, rule: str, replicates: int, seed: int):
        # Without ages the logit is on degree alone (its age coefficient then does nothing).
        self.groups, self.rule = groups, rule
        self.age = groups.age if groups.age is not None else np.zeros(groups.group.size)
        self.keys = RULES[rule]
        from villagesim.params import resolve

        self.base, self.replicates, self.seed, self.evaluations = resolve({}), replicates, seed, 0
        observed = membership_moments(groups, groups.participation)[0]
        self.kept = np.isfinite(observed)
        self.observed, self.errors = observed[self.kept], _errors(groups, observed)[self.kept]

    def chance(self, params: dict, replicates: int | None = None) -> np.ndarray:
        """Each person's chance of membership (the share of replicates where they are members)."""
        return self.states(params, replicates).mean(axis=0)

    def states(self, params: dict, replicates: int | None = None) -> np.ndarray:
        k = replicates or self.replicates
        if self.rule == "participation rule":
            return simulate_rule(self.groups, params, k, self.seed)
        if self.rule == "simple contagion":
            return simulate_contagion(self.groups, params, k, self.seed)
        return logit_chance(self.groups, params, self.age)[None, :]

    def simulated(self, unit: np.ndarray) -> np.ndarray:
        moments = membership_moments(self.groups, self.states(self.params(unit)))
        return np.nan_to_num(np.nanmean(moments, axis=0)[self.kept])


def fit_membership(groups: Groups, rule: str, replicates: int, seed: int, candidates: int, max_evaluations: int,
                   starts: int):
    """:func:`~villagesim.calibration.moments.calibrate` (search only) of ``rule`` on the moments of membership."""
    from villagesim.calibration.moments import calibrate

    return calibrate(groups, {}, replicates, seed, candidates, max_evaluations, 0, starts, False,
                     objective=MembershipObjective(groups, rule, replicates, seed))
