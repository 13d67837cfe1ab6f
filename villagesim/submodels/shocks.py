"""Shocks and relapse into poverty (防止返贫).

Each month a household may suffer an illness, a disaster or a market shock.
The branch's monitoring (动态监测) catches it early with a chance that grows
with the branch's strength, with written procedures (standardisation) and,
for households where someone used the platform this month, with the platform
(digital access alone is not enough: the platform hears only its users). A
caught shock is helped in time and raises the household's trust; an uncaught
one may push the household back into poverty, which lowers it.
"""

from __future__ import annotations

import numpy as np

from villagesim.population import Population, clip01
from villagesim.submodels.month import Month


def catch_chance(params: dict, intensity: dict[str, float], strength: np.ndarray, online: np.ndarray) -> np.ndarray:
    """Chance per household that a shock is caught early.

    ``strength`` is the household's branch strength, ``online`` whether
    anyone in the household used the platform this month.
    """
    chance = (
        params["shocks.monitoring"] * strength
        + params["interventions.standardization.monitoring_gain"] * intensity["standardization"]
        + params["interventions.digital.monitoring_gain"] * intensity["digital"] * online
    )
    return np.minimum(chance, 1.0)


def strike(pop: Population, params: dict, rng: np.random.Generator, intensity: dict[str, float],
           strength: np.ndarray, household_village: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Shocks, monitoring and relapse for one month; returns relapses per village.

    ``users`` marks the people on the platform this month. Shocks are rare, so only the people of the
    shocked households are looked at.
    """
    households = household_village.size
    struck = (rng.random(households) < params["shocks.rate"]).nonzero()[0]
    hit = np.zeros(households, bool)
    hit[struck] = True
    people = hit[pop.household].nonzero()[0]
    people = people[pop.alive[people]]
    home = pop.household[people]
    living = np.zeros(households, bool)
    living[home] = True
    online = np.zeros(households, bool)
    online[home[users[people]]] = True
    shocked = struck[living[struck]]
    chance = catch_chance(params, intensity, strength[household_village[shocked]], online[shocked])
    caught = rng.random(shocked.size) < chance
    relapsed = ~caught & (rng.random(shocked.size) < params["shocks.relapse_prob"])
    change = np.zeros(households)
    change[shocked] = caught * params["shocks.caught_gain"] - relapsed * params["shocks.relapse_loss"]
    pop.trust[people] = clip01(pop.trust[people] + change[home])
    return np.bincount(household_village[shocked[relapsed]], minlength=strength.size)


def step(month: Month) -> None:
    """The month's shocks, caught or not; the relapses per village."""
    month.relapses = strike(month.population, month.params, month.rng, month.intensity, month.branch.strength,
                            month.household_village, month.online)
