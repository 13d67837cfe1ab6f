"""Project uptake: news of a collective project spreads, people enrol, the project lives or fails.

At ``project.start`` the branch launches a project (a cooperative, tourism,
processing). Present members and this month's participants hear of it at
once; members' visits carry the news; every month each aware person tells
each neighbour with chance ``project.news_prob`` (``news_prob_enrolled``
once enrolled: those who joined talk more, as in Banerjee et al. 2013). An
aware person at home or online enrols with monthly chance
``project.enrol_rate`` once ``w * trust + (1 - w) * s >= threshold + shift``
(``s``: enrolled share of neighbours). The project is viable once its
enrolment reaches ``project.min_enrolment`` of the village's adults; it
fails if that has not happened ``project.deadline`` months after launch. A
viable project raises local opportunity and the trust of those enrolled
(三感); a failed one costs the trust of all who knew of it (落地不生根).

:func:`spread_news` and :func:`enrol` are the two rules on their own, so
that calibration on real networks (``villagesim calibrate``) uses exactly
the rules the model does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

from villagesim.grouping import per_village
from villagesim.network import column_sums, row_sums
from villagesim.events import Event
from villagesim.population import Population, clip01
from villagesim.submodels.month import Month

WAITING, RUNNING, VIABLE, FAILED = 0, 1, 2, 3


@dataclass
class Project:
    """Per-village project state (arrays of length V)."""

    status: np.ndarray  # int8: WAITING, RUNNING, VIABLE or FAILED
    launched: np.ndarray  # int32: launch month, or -1
    opportunity: np.ndarray  # float64: local opportunity this month

    @classmethod
    def start(cls, villages: int, params: dict) -> "Project":
        return cls(np.zeros(villages, np.int8), np.full(villages, -1, np.int32),
                   np.full(villages, params["village.opportunity"]))


def spread_news(adj: sp.csr_matrix, aware: np.ndarray, enrolled: np.ndarray, p_news: float,
                p_news_enrolled: float, rng: np.random.Generator) -> np.ndarray:
    """Who hears of the project this month from an aware neighbour (newly aware only).

    Each aware neighbour tells independently, so the chance of hearing is
    ``1 - prod(1 - p_j)``, a sum of logarithms over the ties between the
    aware and the unaware; it walks the ties of whichever side is small, or
    takes one sparse product when neither is.
    """
    # One uniform per person whatever the state, so that runs with other
    # parameter values meet the same draws (common random numbers).
    draw = rng.random(aware.size)
    heard = np.zeros(aware.size, bool)
    tellers = aware.nonzero()[0]
    deaf = (~aware).nonzero()[0]
    keep, keep_enrolled = (math.log1p(-min(p, 1.0 - 1e-12)) for p in (p_news, p_news_enrolled))
    log_keep = np.where(enrolled[tellers], keep_enrolled, keep)
    if 4 * tellers.size < aware.size:
        log_miss = column_sums(adj, tellers, log_keep)[deaf]
    else:
        x = np.zeros(aware.size)
        x[tellers] = log_keep
        # Walking a quarter of the ties or more costs more than one sparse product.
        log_miss = row_sums(adj, deaf, x) if 4 * deaf.size < aware.size else (adj @ x)[deaf]
    heard[deaf] = draw[deaf] < -np.expm1(log_miss)
    return heard


def enrol(adj: sp.csr_matrix, aware: np.ndarray, enrolled: np.ndarray, can_enrol: np.ndarray, trust: np.ndarray,
          threshold: np.ndarray, params: dict, rng: np.random.Generator, denominator: np.ndarray) -> np.ndarray:
    """Who enrols this month (newly enrolled only).

    The monthly chance (one uniform per person, as in :func:`spread_news`)
    is checked first, so the neighbours' share is computed only for the few
    who get the chance to decide.
    """
    w = params["project.trust_weight"]
    who = (can_enrol & aware & ~enrolled & (rng.random(aware.size) < params["project.enrol_rate"])).nonzero()[0]
    share = row_sums(adj, who, enrolled) / np.maximum(denominator[who], 1)
    convinced = w * trust[who] + (1.0 - w) * share >= threshold[who] + params["project.threshold_shift"]
    joined = np.zeros(aware.size, bool)
    joined[who[convinced]] = True
    return joined


def advance(pop: Population, project: Project, adj: sp.csr_matrix, params: dict, rng: np.random.Generator,
            month: int, visited: np.ndarray, online: np.ndarray, living_neighbours: np.ndarray,
            villagers: np.ndarray) -> dict[str, np.ndarray]:
    """One month of the project; returns the villages where it launched, became viable or failed."""
    villages = project.status.size
    launch = (project.status == WAITING) & (month >= params["project.start"])
    project.status[launch] = RUNNING
    project.launched[launch] = month
    open_ = ((project.status == RUNNING) | (project.status == VIABLE))[pop.village]
    if launch.any():
        pop.aware |= launch[pop.village] & pop.alive & ((pop.is_member() & ~pop.away) | pop.participating)
    pop.aware |= open_ & visited
    heard = spread_news(adj, pop.aware & pop.alive, pop.enrolled, params["project.news_prob"],
                        params["project.news_prob_enrolled"], rng)
    pop.aware |= heard & open_ & pop.alive
    can_enrol = open_ & pop.alive & (~pop.away | online)
    pop.enrolled |= enrol(adj, pop.aware, pop.enrolled, can_enrol, pop.trust, pop.threshold, params, rng,
                          living_neighbours)

    share = np.divide(per_village(pop.village, pop.enrolled, villages), villagers, out=np.zeros(villages),
                      where=villagers > 0)
    viable = (project.status == RUNNING) & (share >= params["project.min_enrolment"])
    project.status[viable] = VIABLE
    failed = (project.status == RUNNING) & (month - project.launched >= params["project.deadline"])
    project.status[failed] = FAILED
    if failed.any():
        lost = failed[pop.village]
        pop.trust -= (lost & pop.aware) * params["project.failure_loss"]
        pop.enrolled &= ~lost
    enrolled = pop.enrolled.nonzero()[0]
    pop.trust[enrolled[(project.status == VIABLE)[pop.village[enrolled]]]] += params["project.viable_gain"]
    clip01(pop.trust, out=pop.trust)
    gain = params["project.opportunity_gain"] * params["project.potential"]
    project.opportunity = np.minimum(params["village.opportunity"] + gain * (project.status == VIABLE), 1.0)
    return {"launched": launch.nonzero()[0], "viable": viable.nonzero()[0], "failed": failed.nonzero()[0]}


def step(month: Month) -> None:
    """The project's month; its launches, successes and failures are logged."""
    happened = advance(month.population, month.project, month.adjacency, month.params, month.rng, month.number,
                       month.visited, month.online, month.living_neighbours, month.villagers)
    for code, where in happened.items():
        month.events += [Event(month.number, f"project_{code}", int(v)) for v in where]
