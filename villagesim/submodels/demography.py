"""Demography: ageing, mortality of the old, coming of age, loss of digital access.

Examples
--------
>>> from villagesim.params import resolve
>>> p = resolve()
>>> round(float(monthly_mortality(np.array([60.0]), p)[0]), 6)
0.000669
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from villagesim.grouping import per_village
from villagesim.network import column_sums
from villagesim.population import NEVER, RESIDENT, YOUTH, Population, clip01, draw_digital, draw_thresholds, draw_trust
from villagesim.submodels.month import Month


@dataclass
class Changes:
    """People whose Mesa agent must change: died, reborn as a youth, aged out of youth."""

    died: np.ndarray
    reborn: np.ndarray
    aged_out: np.ndarray


def monthly(annual):
    """Monthly probability equivalent to an annual one (arrays or numbers)."""
    return 1.0 - np.power(1.0 - annual, 1.0 / 12.0)


def monthly_mortality(age: np.ndarray, params: dict) -> np.ndarray:
    """Monthly death probability from a Gompertz annual rate."""
    return monthly(np.minimum(params["demography.mortality_60"] * np.exp(params["demography.mortality_slope"] * (age - 60.0)), 1.0))


def turn_over(pop: Population, params: dict, rng: np.random.Generator) -> Changes:
    """Age everyone a month; deaths; newcomers take some freed slots."""
    n = pop.size
    np.add(pop.age, 1.0 / 12.0, out=pop.age, where=pop.alive)
    draw = rng.random(n)
    # Mortality never falls with age, so only draws below the oldest's risk can mean a death.
    oldest = monthly_mortality(pop.age.max(initial=0.0), params) * (1.0 + 1e-9)
    candidates = (draw < oldest).nonzero()[0]
    died = candidates[pop.alive[candidates] & (draw[candidates] < monthly_mortality(pop.age[candidates], params))]
    for flag in (pop.alive, pop.away, pop.works_away, pop.participating, pop.aware, pop.enrolled, pop.decided):
        flag[died] = False

    # A household member comes of age and takes the place (and ties) of the dead.
    renewed = rng.random(died.size) < params["demography.renewal"]
    reborn = died[renewed]
    k = reborn.size
    if k:
        pop.alive[reborn] = True
        pop.age[reborn] = 18.0
        pop.role[reborn] = YOUTH
        pop.trust[reborn] = draw_trust(rng, k, params)
        pop.digital[reborn] = draw_digital(rng, pop.age[reborn], params)
        pop.threshold[reborn] = draw_thresholds(rng, k, params)
        pop.capability[reborn] = clip01(rng.normal(params["branch.capability_mean"], params["branch.capability_sd"], k))
        pop.activity[reborn] = 0.0
        pop.activist_since[reborn] = NEVER
        pop.member_since[reborn] = NEVER

    elderly = (pop.alive & pop.digital & (pop.age >= 60.0)).nonzero()[0]
    pop.digital[elderly[rng.random(elderly.size) < monthly(params["demography.digital_loss"])]] = False

    aged_out = (pop.alive & (pop.role == YOUTH) & (pop.age > params["demography.youth_max_age"])).nonzero()[0]
    pop.role[aged_out] = RESIDENT
    return Changes(died=died[~renewed], reborn=reborn, aged_out=aged_out)


def step(month: Month) -> None:
    """Ageing, deaths and newcomers; the living neighbours and villagers follow."""
    pop = month.population
    month.changes = changes = turn_over(pop, month.params, month.rng)
    # Living neighbours change only around the dead (the reborn take a living slot).
    if changes.died.size:
        month.living_neighbours -= column_sums(month.adjacency, changes.died)
    month.villagers = per_village(pop.village, pop.alive, month.villages)
