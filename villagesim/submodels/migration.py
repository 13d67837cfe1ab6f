"""Migration: young people leave to work away, come home for the Spring Festival, some return for good.

Examples
--------
>>> in_festival(1, start=1, length=2), in_festival(2, 1, 2), in_festival(3, 1, 2)
(True, True, False)
"""

from __future__ import annotations

import numpy as np

from villagesim.population import MEMBER, Population
from villagesim.submodels.month import Month


def in_festival(calendar_month: int, start: int, length: int) -> bool:
    """Whether the Spring Festival return covers ``calendar_month``."""
    return (calendar_month - start) % 12 < length


def leave_hazard(params: dict, opportunity: np.ndarray) -> np.ndarray:
    """Monthly chance a present young person leaves to work away: per village (rows), non-member and member (columns)."""
    hazard = params["migration.leave_hazard"] * (1.0 - params["migration.opportunity_effect"] * opportunity)
    return np.minimum(hazard[:, None] * (1.0, params["migration.member_leave_factor"]), 1.0)


def return_hazard(params: dict, opportunity: np.ndarray) -> np.ndarray:
    """Monthly chance someone away returns for good, per village (it rises with opportunity)."""
    return np.minimum(params["migration.return_hazard"] * (1.0 + params["migration.return_effect"] * opportunity), 1.0)


def move(pop: Population, params: dict, rng: np.random.Generator, calendar_month: int, opportunity: np.ndarray) -> None:
    """Festival comings and goings, then departures and returns for good (draws only for those concerned)."""
    start, length = params["migration.festival_month"], params["migration.festival_length"]
    if length > 0 and calendar_month == start:
        migrants = pop.works_away.nonzero()[0]
        pop.away[migrants[rng.random(migrants.size) < params["migration.festival_return"]]] = False
    if 0 < length < 12 and (calendar_month - start) % 12 == length:
        pop.away[pop.alive & pop.works_away] = True

    away = (pop.alive & pop.works_away).nonzero()[0]
    returns = away[rng.random(away.size) < return_hazard(params, opportunity)[pop.village[away]]]
    young = (pop.alive & ~pop.works_away & (pop.age <= params["demography.youth_max_age"])).nonzero()[0]
    hazard = leave_hazard(params, opportunity)[pop.village[young], (pop.role[young] == MEMBER).astype(np.intp)]
    leaves = young[rng.random(young.size) < hazard]
    come_home(pop, returns)
    leave(pop, leaves, params, calendar_month)


def come_home(pop: Population, who: np.ndarray) -> None:
    """``who`` return from working away for good."""
    pop.works_away[who] = False
    pop.away[who] = False


def leave(pop: Population, who: np.ndarray, params: dict, calendar_month: int) -> None:
    """``who`` leave to work away; those who decide to during the festival go when it ends."""
    start, length = params["migration.festival_month"], params["migration.festival_length"]
    pop.works_away[who] = True
    pop.away[who] = not (length > 0 and in_festival(calendar_month, start, length))


def step(month: Month) -> None:
    """The month's comings and goings, with the opportunity the project has made."""
    move(month.population, month.params, month.rng, month.calendar, month.project.opportunity)
