"""Outreach and service: visits, the venue, the platform, appeals, and trust.

Three channels let the branch hear people: members' visits to their network
neighbours (走村串户), the service centre for those who can reach it
(阵地集中服务), and the digital platform for anyone with digital access,
people away included (线上诉求收集). Appeals (诉求) raised by someone the
branch hears are resolved while capacity lasts; resolved appeals raise
trust, unheard or unresolved ones lower it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from villagesim.grouping import per_village
from villagesim.population import Population, clip01
from villagesim.submodels.month import Month

if TYPE_CHECKING:
    import scipy.sparse as sp

ELDERLY_MOBILITY_AGE = 70.0  # years; older people reach the service centre less (interventions.venue.elderly_mobility)


@dataclass
class Appeals:
    """Appeals raised and resolved this month, per village."""

    raised: np.ndarray
    resolved: np.ndarray


def platform_users(pop: Population, params: dict, rng: np.random.Generator, intensity: dict[str, float]) -> np.ndarray:
    """People who use the digital platform this month, at home or away."""
    chance = params["interventions.digital.reach"] * intensity["digital"]
    if chance == 0:
        return np.zeros(pop.size, bool)
    return pop.alive & pop.digital & (rng.random(pop.size) < chance)


def venue_users(pop: Population, params: dict, rng: np.random.Generator, intensity: dict[str, float],
                venue_hamlet: np.ndarray) -> np.ndarray:
    """Present people who come to the service centre this month."""
    if intensity["venue"] == 0:
        return np.zeros(pop.size, bool)
    near = pop.hamlet == venue_hamlet[pop.village]
    chance = intensity["venue"] * np.where(near, params["interventions.venue.reach"], params["interventions.venue.remote_reach"])
    chance = np.where(pop.age >= ELDERLY_MOBILITY_AGE, chance * params["interventions.venue.elderly_mobility"], chance)
    return pop.present & (rng.random(pop.size) < chance)


def visits(pop: Population, adj: sp.csr_matrix, params: dict, rng: np.random.Generator,
           intensity: dict[str, float]) -> np.ndarray:
    """Members' visits to random network neighbours; returns trust gained per person.

    A present member makes Poisson(visits_per_member x activity) visits, less
    the share of time the platform takes; each visit goes to a random
    neighbour, counts only if that neighbour is at home, and brings trust in
    proportion to the visitor's capability.
    """
    visitor = (pop.is_member() & ~pop.away).nonzero()[0]
    substitution = params["interventions.digital.visit_substitution"] * intensity["digital"]
    rate = params["outreach.visits_per_member"] * pop.activity[visitor] * (1.0 - substitution)
    who = np.repeat(visitor, rng.poisson(rate))
    first = adj.indptr[who]
    degree = adj.indptr[who + 1] - first
    pick = first + (rng.random(who.size) * degree).astype(np.intp)
    tied = degree > 0
    return visit_gain(pop, params, who[tied], adj.indices[pick[tied]])


def visit_gain(pop: Population, params: dict, visitor: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Trust gained per person from visits ``visitor[k]`` -> ``target[k]``: a visit counts only if the
    visited person is at home, and brings ``outreach.visit_trust_gain`` x the visitor's capability."""
    home = pop.present[target]
    gain = params["outreach.visit_trust_gain"] * pop.capability[visitor[home]]
    return np.bincount(target[home], weights=gain, minlength=pop.size)


def gain_trust(pop: Population, gain: np.ndarray) -> None:
    """Add ``gain`` (per person) to trust, kept in [0, 1]."""
    pop.trust += gain
    clip01(pop.trust, out=pop.trust)


def appeals(pop: Population, params: dict, rng: np.random.Generator, heard: np.ndarray, online: np.ndarray,
            capacity: np.ndarray, quality: np.ndarray) -> Appeals:
    """Raise appeals, resolve the heard ones while capacity lasts, move trust."""
    raised = (pop.alive & (~pop.away | online) & (rng.random(pop.size) < params["appeals.rate"])).nonzero()[0]
    return resolve_appeals(pop, params, rng, raised, heard[raised], capacity, quality)


def resolve_appeals(pop: Population, params: dict, rng: np.random.Generator, raised: np.ndarray,
                    raised_heard: np.ndarray, capacity: np.ndarray, quality: np.ndarray) -> Appeals:
    """The appeals of the people ``raised`` (heard by the branch where ``raised_heard``): each village resolves
    its heard ones while ``capacity`` lasts; resolved appeals raise trust, the others lower it."""
    villages = capacity.size
    village = pop.village[raised]
    n_heard = per_village(village, raised_heard, villages)
    share = np.minimum(1.0, np.divide(capacity, n_heard, out=np.ones(villages), where=n_heard > 0))
    resolved = raised_heard & (rng.random(raised.size) < share[village])
    gain = params["appeals.resolved_gain"] * (0.5 + 0.5 * quality[village])
    trust = pop.trust[raised] + np.where(resolved, gain, -params["appeals.neglected_loss"])
    pop.trust[raised] = clip01(trust)
    return Appeals(np.bincount(village, minlength=villages), per_village(village, resolved, villages))


def relax_trust(pop: Population, params: dict) -> None:
    """Trust drifts back towards its baseline without contact."""
    pop.trust += params["trust.relaxation"] * (params["trust.baseline"] - pop.trust)


def use_platform(month: Month) -> None:
    """Who is on the platform this month."""
    month.online = platform_users(month.population, month.params, month.rng, month.intensity)


def step(month: Month) -> None:
    """Visits, the service centre and appeals: who the branch hears, what it resolves, and trust."""
    pop, p, rng = month.population, month.params, month.rng
    gain = visits(pop, month.adjacency, p, rng, month.intensity)
    gain_trust(pop, gain)
    month.visited = gain > 0
    month.heard = month.visited | month.online | venue_users(pop, p, rng, month.intensity, month.venue_hamlet)
    month.appeals = appeals(pop, p, rng, month.heard, month.online, month.branch.capacity, month.branch.quality)


def relax(month: Month) -> None:
    """Trust drifts back towards its baseline."""
    relax_trust(month.population, month.params)
