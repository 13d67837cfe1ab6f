"""Outreach and service: visits, the venue, the platform, appeals, and trust.

Three channels let the branch hear people: members' visits to their network
neighbours (走村串户), the service centre for those who can reach it
(阵地集中服务), and the digital platform for anyone with digital access,
people away included (线上诉求收集), less often for people aged 60+ who
have it (``interventions.digital.elderly_skill``). Appeals (诉求) raised by
someone the branch hears are resolved while capacity lasts: the platform and
the centre each resolve their own users' appeals up to their capacity, and
what they cannot, with the appeals heard on visits, falls to the members
("线上诉求收集+线下阵地响应"). Resolved appeals raise trust, unheard or
unresolved ones lower it.
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
ELDERLY_AGE = 60.0  # years; people this old use the platform less (interventions.digital.elderly_skill)
REFERENCE_POPULATION = 1500.0  # adults; venue and platform capacities are given per 1,500 adults


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
    chance = np.where(pop.age >= ELDERLY_AGE, chance * params["interventions.digital.elderly_skill"], chance)
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
            capacity: np.ndarray, quality: np.ndarray,
            channels: tuple[tuple[np.ndarray, np.ndarray], ...] = ()) -> Appeals:
    """Raise appeals, then resolve them (:func:`resolve_appeals`); each of ``channels`` is (its users, its
    capacity per village)."""
    # The draws first: the few who draw an appeal are then checked, not everyone.
    drawn = (rng.random(pop.size) < params["appeals.rate"]).nonzero()[0]
    raised = drawn[pop.alive[drawn] & (~pop.away[drawn] | online[drawn])]
    return resolve_appeals(pop, params, rng, raised, heard[raised], capacity, quality,
                           tuple((users[raised], room) for users, room in channels))


def resolve_appeals(pop: Population, params: dict, rng: np.random.Generator, raised: np.ndarray,
                    raised_heard: np.ndarray, capacity: np.ndarray, quality: np.ndarray,
                    channels: tuple[tuple[np.ndarray, np.ndarray], ...] = ()) -> Appeals:
    """The appeals of the people ``raised`` (heard by the branch where ``raised_heard``); resolved appeals
    raise trust, the others lower it.

    Each of ``channels`` (whether each of ``raised`` uses it, its capacity per village) first resolves its
    own users' appeals; the members' ``capacity`` takes every heard appeal still open.
    """
    villages = capacity.size
    village = pop.village[raised]
    open_ = raised_heard.copy()
    resolved = np.zeros(raised.size, bool)
    for users, room in (*channels, (raised_heard, capacity)):
        mine = open_ & users
        n = per_village(village, mine, villages)
        share = np.minimum(1.0, np.divide(room, n, out=np.ones(villages), where=n > 0))
        done = mine & (rng.random(raised.size) < share[village])
        resolved |= done
        open_ &= ~done
    gain = params["appeals.resolved_gain"] * (0.5 + 0.5 * quality[village])
    trust = pop.trust[raised] + np.where(resolved, gain, -params["appeals.neglected_loss"])
    pop.trust[raised] = clip01(trust)
    return Appeals(np.bincount(village, minlength=villages), per_village(village, resolved, villages))


def relax_trust(pop: Population, params: dict) -> None:
    """Trust drifts back towards its baseline without contact."""
    drift = params["trust.baseline"] - pop.trust
    drift *= params["trust.relaxation"]  # in place: one full-length temporary, not two
    pop.trust += drift


def use_platform(month: Month) -> None:
    """Who is on the platform this month."""
    month.online = platform_users(month.population, month.params, month.rng, month.intensity)


def step(month: Month) -> None:
    """Visits, the service centre and appeals: who the branch hears, what it resolves, and trust."""
    pop, p, rng = month.population, month.params, month.rng
    gain = visits(pop, month.adjacency, p, rng, month.intensity)
    month.visited = gain > 0
    at_venue = venue_users(pop, p, rng, month.intensity, month.venue_hamlet)
    # A month's contact through the platform or at the centre brings trust as a visit does; a channel nobody
    # used would add only zeros (a full pass over everyone for each).
    for users, contact_gain in ((month.online, p["interventions.digital.contact_gain"]),
                                (at_venue, p["interventions.venue.contact_gain"])):
        if users.any():
            gain = gain + contact_gain * users
    gain_trust(pop, gain)
    month.heard = month.visited | month.online | at_venue
    scale = month.villagers / REFERENCE_POPULATION
    channels = ((month.online, scale * month.intensity["digital"] * p["interventions.digital.capacity"]),
                (at_venue, scale * month.intensity["venue"] * p["interventions.venue.capacity"]))
    month.appeals = appeals(pop, p, rng, month.heard, month.online, month.branch.capacity, month.branch.quality,
                            channels)


def relax(month: Month) -> None:
    """Trust drifts back towards its baseline."""
    relax_trust(month.population, month.params)
