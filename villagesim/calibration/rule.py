"""The uptake rule of the village model, run on real networks.

Each replicate runs the campaign of :mod:`villagesim.submodels.uptake` on
every group: the seeds (the data's leaders, the model's members) are
informed at month 0 and decide first; each month the informed decide (and,
with ``project.reconsider``, some of those who declined decide again), then
tell their neighbours. Nobody migrates and everyone can decide. Trust is
not observed: each replicate draws it from the scenario's distribution
(``village.trust_*``), as the model does.

With ``seed_outcome`` (the seeds' observed decisions, ``--given-seeds``)
the seeds' decisions are inputs: they do not draw them, and each group's
propensity is drawn from its posterior given those decisions (the prior is
normal with mean ``project.propensity`` and standard deviation
``project.propensity_sd``, on a grid). Without it the seeds decide as
everyone else does, with the propensity drawn from the prior. Nothing else
of the outcome is read.

Replicates are simulated together as one block-diagonal network; the same
``seed`` gives the same uniforms for any parameter values (common random
numbers), so that the fit compares candidates on the same draws.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.special import log_expit, ndtri

from villagesim.calibration.data import Groups
from villagesim.population import draw_trust
from villagesim.submodels.uptake import decide, decision_logit, hear, mean_propensity, reconsidering

BATCH = 50  # replicates simulated together as one block-diagonal network ...
BLOCK_NODES = 500_000  # ... of at most this many nodes (but at least one replicate), to bound memory
GRID = np.linspace(-4.0, 4.0, 41)  # standard-normal grid for the groups' propensity posterior


def simulate(groups: Groups, params: dict, replicates: int, seed: int,
             seed_outcome: np.ndarray | None = None) -> np.ndarray:
    """Who enrolled, shape (replicates, nodes), from the model's uptake rule."""
    return enrolment_months(groups, params, replicates, seed, seed_outcome) >= 0


def enrolment_months(groups: Groups, params: dict, replicates: int, seed: int,
                     seed_outcome: np.ndarray | None = None) -> np.ndarray:
    """The campaign month (0, 1, ...) in which each node enrolled, -1 if it did not: shape (replicates, nodes)."""
    n, v = groups.group.size, len(groups.labels)
    out = np.empty((replicates, n), np.int32)
    batch = max(1, min(BATCH, BLOCK_NODES // n))
    streams = np.random.SeedSequence(seed).spawn(math.ceil(replicates / batch))
    for b, stream in enumerate(streams):
        k = min(batch, replicates - b * batch)
        adj = groups.blocks(k)
        rng = np.random.default_rng(stream)
        trust = draw_trust(rng, n * k, params)
        decide_draw, order, z_draw = rng.random(n * k), rng.random(n * k), rng.random(k * v)
        hear_draws = rng.random((params["project.campaign"], n * k))
        # Drawn last and only when needed, so that the other draws stay those of a one-decision rule: who
        # reconsiders, and a fresh decision draw, each month.
        again_draws = rng.random((2, *hear_draws.shape)) if params["project.reconsider"] else None
        seeds = np.tile(groups.seed, k)
        village = (np.repeat(np.arange(k), n) * v + np.tile(groups.group, k))
        given = None if seed_outcome is None else np.tile(seed_outcome & groups.seed, k)
        propensity = _propensity(params, village, seeds, trust, given, z_draw)
        out[b * batch: b * batch + k] = _campaign(adj, village, seeds, trust, propensity, params, given,
                                                   decide_draw, order, hear_draws, again_draws).reshape(k, n)
    return out


def _propensity(params: dict, village: np.ndarray, seeds: np.ndarray, trust: np.ndarray, given: np.ndarray | None,
                z_draw: np.ndarray) -> np.ndarray:
    """Each group's propensity (logit): from the prior, or from its posterior given the seeds' decisions."""
    mean, sd = mean_propensity(params), params["project.propensity_sd"]
    if given is None:
        return mean + sd * ndtri(z_draw)
    who = seeds.nonzero()[0]
    offset = decision_logit(who, np.zeros(who.size), seeds, trust, params)
    level = offset[:, None] + mean + sd * GRID[None, :]
    loglik = log_expit(np.where(given[who, None], level, -level))
    by_group = sp.csr_matrix((np.ones(who.size), (village[who], np.arange(who.size))), shape=(z_draw.size, who.size))
    log_post = by_group @ loglik - 0.5 * GRID**2
    weight = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    cdf = np.cumsum(weight, axis=1)
    pick = (cdf < z_draw[:, None] * cdf[:, -1:]).sum(axis=1)
    return mean + sd * GRID[np.minimum(pick, GRID.size - 1)]


def _campaign(adj, village, seeds, trust, propensity, params, given, decide_draw, order, hear_draws,
              again_draws) -> np.ndarray:
    informed, decided, enrolled = seeds.copy(), np.zeros(seeds.size, bool), np.zeros(seeds.size, bool)
    month = np.full(seeds.size, -1, np.int32)
    places = np.full(propensity.size, params["project.places"], np.int64)
    if given is not None:  # the seeds' decisions are data: they have decided, and used their places
        decided |= seeds
        enrolled |= given
        month[given] = 0
        places = np.maximum(places - np.bincount(village[seeds], minlength=places.size), 0)
    first = seeds.astype(float)

    def logit_of(taken):
        return decision_logit(taken, propensity[village[taken]], seeds, trust, params, adj, informed, enrolled)

    for m, draw in enumerate(hear_draws):
        undecided, draws = ~decided, decide_draw
        if again_draws is not None:
            undecided |= reconsidering(decided, enrolled, params, again_draws[0, m])
            draws = again_draws[1, m]
        who = (informed & undecided).nonzero()[0]
        taken, joined = decide(who, village, places, first, logit_of, draws, order)
        decided[taken] = True
        enrolled[joined] = True
        month[joined] = m
        informed |= hear(adj, informed, enrolled, params, draw, m)
    return month
