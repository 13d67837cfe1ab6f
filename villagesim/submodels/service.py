"""Outreach and service: visits, the venue, the platform, appeals, and trust.

Three channels let the branch hear people: members' visits to their network
neighbours (走村串户), the service centre for those who can reach it
(阵地集中服务), and the digital platform for those with digital access who use
it this month, people away included (线上诉求收集; :func:`platform_users`).
Villagers at home also bring their appeals (诉求) themselves, to a cadre's
home, a meeting or the committee's office (``appeals.brought``). The appeals
that reach the branch are resolved while capacity lasts: the platform and the
centre each resolve their own users' appeals up to their own staff's
capacity, and what they cannot, with every other appeal that reached the
branch, falls to the members, whose capacity binds when the appeals exceed
it ("线上诉求收集+线下阵地响应": channels into the branch, not a way round
it). Resolved appeals raise trust; appeals that never reach the branch, or
reach it and are not resolved, lower it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from villagesim.grouping import first_k_per_group, per_village, stochastic_round
from villagesim.population import Population, clip01
from villagesim.submodels.month import Month

if TYPE_CHECKING:
    import scipy.sparse as sp

ELDERLY_MOBILITY_AGE = 70.0  # years; older people reach the service centre less (interventions.venue.elderly_mobility)
ELDERLY_AGE = 60.0  # years; people this old use the platform less (interventions.digital.elderly_skill)
REFERENCE_POPULATION = 1500.0  # adults; venue and platform capacities are given per 1,500 adults


@dataclass
class Appeals:
    """Appeals raised and resolved this month, per village; ``handled``: those the members resolved."""

    raised: np.ndarray
    resolved: np.ndarray
    handled: np.ndarray


def platform_users(pop: Population, params: dict, rng: np.random.Generator, intensity: dict[str, float],
                   running: int = 0) -> np.ndarray:
    """People who use the digital platform this month, at home or away, in its ``running``-th month after the first.

    Only people with digital access can (the age group's share online is the ceiling); of them, each uses it
    with chance intensity x ``interventions.digital.reach`` (x ``elderly_skill`` from 60) x :func:`freshness`.
    """
    chance = params["interventions.digital.reach"] * intensity["digital"] * freshness(params, running)
    if chance == 0:
        return np.zeros(pop.size, bool)
    chance = np.where(pop.age >= ELDERLY_AGE, chance * params["interventions.digital.elderly_skill"], chance)
    return pop.alive & pop.digital & (rng.random(pop.size) < chance)


def freshness(params: dict, running: int) -> float:
    """Share of its first month's use a platform keeps after ``running`` months: use wanes by
    ``interventions.digital.fatigue`` a month towards the share that lasts, ``interventions.digital.lasting``.

    >>> from villagesim.params import resolve
    >>> p = resolve({"interventions.digital.fatigue": 0.1, "interventions.digital.lasting": 0.5})
    >>> freshness(p, 0), round(freshness(p, 12), 3)
    (1.0, 0.641)
    """
    lasting = params["interventions.digital.lasting"]
    return lasting + (1.0 - lasting) * (1.0 - params["interventions.digital.fatigue"]) ** max(running, 0)


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
    """Raise appeals, see which reach the branch, then resolve them (:func:`resolve_appeals`); each of
    ``channels`` is (its users, its capacity per village)."""
    # The draws first: the few who draw an appeal are then checked, not everyone.
    drawn = (rng.random(pop.size) < params["appeals.rate"]).nonzero()[0]
    raised = drawn[pop.alive[drawn] & (~pop.away[drawn] | online[drawn])]
    # One draw per appeal whether or not it was heard, so that paths change who is heard, not the draws.
    brought = ~pop.away[raised] & (rng.random(raised.size) < params["appeals.brought"])
    return resolve_appeals(pop, params, rng, raised, heard[raised] | brought, capacity, quality,
                           tuple((users[raised], room) for users, room in channels))


def take(mask: np.ndarray, village: np.ndarray, room: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which of the ``mask`` entries (of villages ``village``) a capacity of ``room`` per village resolves:
    all of them where the room suffices, a random ``room`` of them (stochastically rounded) where it binds.

    >>> rng = np.random.default_rng(0)
    >>> done = take(np.ones(6, bool), np.array([0, 0, 0, 1, 1, 1]), np.array([5.0, 2.0]), rng)
    >>> int(done[:3].sum()), int(done[3:].sum())
    (3, 2)
    """
    chosen = np.zeros(mask.size, bool)
    who = mask.nonzero()[0]
    if who.size:
        chosen[who[first_k_per_group(village[who], rng.random(who.size), stochastic_round(room, rng))]] = True
    return chosen


def resolve_appeals(pop: Population, params: dict, rng: np.random.Generator, raised: np.ndarray,
                    reached: np.ndarray, capacity: np.ndarray, quality: np.ndarray,
                    channels: tuple[tuple[np.ndarray, np.ndarray], ...] = ()) -> Appeals:
    """The appeals of the people ``raised`` (those that reached the branch where ``reached``); resolved
    appeals raise trust, the others lower it.

    Each of ``channels`` (whether each of ``raised`` uses it, its own capacity per village) first resolves
    its own users' appeals (:func:`take`); the members' ``capacity`` then takes the appeals still open.
    """
    villages = capacity.size
    village = pop.village[raised]
    open_ = reached.copy()
    resolved = np.zeros(raised.size, bool)
    for users, room in channels:
        done = take(open_ & users, village, room, rng)
        resolved |= done
        open_ &= ~done
    handled = take(open_, village, capacity, rng)
    resolved |= handled
    gain = params["appeals.resolved_gain"] * (0.5 + 0.5 * quality[village])
    trust = pop.trust[raised] + np.where(resolved, gain, -params["appeals.neglected_loss"])
    pop.trust[raised] = clip01(trust)
    return Appeals(np.bincount(village, minlength=villages), per_village(village, resolved, villages),
                   per_village(village, handled, villages))


def relax_trust(pop: Population, params: dict) -> None:
    """Trust drifts back towards its baseline without contact."""
    drift = params["trust.baseline"] - pop.trust
    drift *= params["trust.relaxation"]  # in place: one full-length temporary, not two
    pop.trust += drift


def use_platform(month: Month) -> None:
    """Who is on the platform this month."""
    running = month.number - max(month.params["interventions.digital.start"], 1)
    month.online = platform_users(month.population, month.params, month.rng, month.intensity, running)


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
    month.branch.handled = month.appeals.handled


def relax(month: Month) -> None:
    """Trust drifts back towards its baseline."""
    relax_trust(month.population, month.params)
