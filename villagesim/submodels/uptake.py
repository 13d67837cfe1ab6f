"""Project uptake: an information model (Banerjee, Chandrasekhar, Duflo and Jackson 2013).

At ``project.start`` the branch launches a project (a cooperative, tourism,
processing) and a campaign of ``project.campaign`` months. People must first
hear of the project, then decide, once:

- **Who hears.** Members at home and this month's participants hear at
  launch; members' visits carry the news. Every month of the campaign each
  informed person tells each neighbour with chance ``project.news_prob``, or
  ``project.news_prob_enrolled`` if enrolled (Banerjee et al. found
  participants about seven times as likely to pass the news on); anyone may
  also hear from the campaign itself with chance :func:`campaign_reach`:
  ``project.outreach``, or, with ``project.outreach_ramp`` months, rising
  linearly from 0 at launch to ``project.outreach`` over those months (a
  campaign that builds up, as adoption curves that start slowly ask for).
- **Who decides.** An informed person at home or online decides once, in
  the month after hearing: they enrol with chance ``expit(logit)``, where
  ``logit`` is the village's propensity (drawn at set-up, mean
  :func:`mean_propensity`, standard deviation ``project.propensity_sd``),
  plus ``project.member_shift`` for members, ``project.trust_effect`` times
  trust above 0.5, and ``project.endorsement`` times the enrolled share of
  their informed neighbours (off by default: Banerjee et al. found none).
- **Reconsidering.** Each month an informed person who declined decides
  again with chance ``project.reconsider`` (0 by default: one decision).
- **Limited places.** The project can take in ``project.places`` people per
  village over its campaign (the lender's interviews, the cooperative's
  intake); a place is used by each person taken in, whether they join or
  not. Members are taken in first, then the others in random order; once the
  places are gone nobody else can decide, so uptake behaves like a count.

Each month the informed decide first and then tell their neighbours, so
members decide before their news spreads. The project is viable once its
enrolment reaches ``project.min_enrolment`` of the village's adults; it
fails if that has not happened ``project.deadline`` months after launch. A
viable project raises local opportunity and the trust of those enrolled
(三感); a failed one costs the trust of all who knew of it (落地不生根).

:func:`hear`, :func:`campaign_reach`, :func:`decision_logit`, :func:`decide` and :func:`reconsidering` are the rule;
``villagesim calibrate`` runs exactly these on real networks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

from villagesim.grouping import first_k_per_group, per_village
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
    standing: np.ndarray  # float64: the village's standard-normal draw of its propensity, fixed at set-up
    places: np.ndarray  # int64: places left

    @classmethod
    def start(cls, villages: int, params: dict, rng: np.random.Generator) -> "Project":
        # Drawn at set-up, so that runs of one seed share their villages' propensities whatever the paths.
        return cls(np.zeros(villages, np.int8), np.full(villages, -1, np.int32),
                   np.full(villages, params["village.opportunity"]), rng.standard_normal(villages),
                   np.zeros(villages, np.int64))

    def propensity(self, params: dict) -> np.ndarray:
        """Each village's propensity to enrol (log-odds)."""
        return mean_propensity(params) + params["project.propensity_sd"] * self.standing


def mean_propensity(params: dict) -> float:
    """The mean village propensity (log-odds) for a project of this potential.

    ``project.propensity`` is the propensity for a project of ordinary
    potential (0.5), the one fitted on real villages; a more promising
    project draws more people in.

    >>> mean_propensity({"project.propensity": -2.0, "project.potential": 0.9, "project.potential_effect": 2.0})
    -1.2
    """
    return params["project.propensity"] + params["project.potential_effect"] * (params["project.potential"] - 0.5)


def campaign_reach(params: dict, since):
    """The campaign's own chance of reaching a person in a month, ``since`` months after launch (0 in the
    launch month; a number or an array).

    >>> campaign_reach({"project.outreach": 0.2, "project.outreach_ramp": 0}, 3)
    0.2
    >>> campaign_reach({"project.outreach": 0.2, "project.outreach_ramp": 4}, np.arange(6)).round(3).tolist()
    [0.0, 0.05, 0.1, 0.15, 0.2, 0.2]
    """
    full, ramp = params["project.outreach"], params["project.outreach_ramp"]
    return full if ramp == 0 else full * np.clip(np.asarray(since) / ramp, 0.0, 1.0)


def hear(adj: sp.csr_matrix, informed: np.ndarray, enrolled: np.ndarray, params: dict,
         draw: np.ndarray, since=0) -> np.ndarray:
    """Who hears of the project this month (newly informed only), given one uniform ``draw`` per person,
    ``since`` months after launch (a number, or one per person).

    Each informed neighbour tells independently, so the chance of not
    hearing is a product, a sum of logarithms over the ties between the
    informed and the uninformed; it walks the ties of whichever side is
    small, or takes one sparse product when neither is.
    """
    heard = np.zeros(informed.size, bool)
    tellers = informed.nonzero()[0]
    deaf = (~informed).nonzero()[0]
    keep, keep_enrolled = (math.log1p(-min(params[k], 1.0 - 1e-12)) for k in
                           ("project.news_prob", "project.news_prob_enrolled"))
    reach = campaign_reach(params, since)
    keep_direct = (math.log1p(-min(reach, 1.0 - 1e-12)) if np.ndim(reach) == 0
                   else np.log1p(-np.minimum(reach[deaf], 1.0 - 1e-12)))
    log_keep = np.where(enrolled[tellers], keep_enrolled, keep)
    if 4 * tellers.size < informed.size:
        log_miss = column_sums(adj, tellers, log_keep)[deaf]
    else:
        x = np.zeros(informed.size)
        x[tellers] = log_keep
        # Walking a quarter of the ties or more costs more than one sparse product.
        log_miss = row_sums(adj, deaf, x) if 4 * deaf.size < informed.size else (adj @ x)[deaf]
    heard[deaf] = draw[deaf] < -np.expm1(log_miss + keep_direct)
    return heard


def decision_logit(who: np.ndarray, propensity: np.ndarray, member: np.ndarray, trust: np.ndarray, params: dict,
                   adj: sp.csr_matrix | None = None, informed: np.ndarray | None = None,
                   enrolled: np.ndarray | None = None) -> np.ndarray:
    """Log-odds that each person in ``who`` enrols once informed.

    ``propensity`` is the village's propensity of each person in ``who``.
    The endorsement term needs the network and states; without them (or
    with ``project.endorsement`` 0) it is left out.
    """
    logit = (propensity + params["project.member_shift"] * member[who]
             + params["project.trust_effect"] * (trust[who] - 0.5))
    lam = params["project.endorsement"]
    if lam and adj is not None:
        told = row_sums(adj, who, informed)
        logit = logit + lam * row_sums(adj, who, enrolled) / np.maximum(told, 1)
    return logit


def decide(who: np.ndarray, village: np.ndarray, places: np.ndarray, first: np.ndarray, logit_of,
           draw: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Who of ``who`` is taken in this month and who of those enrols.

    Each village takes in at most ``places[v]`` people (``places`` is
    updated); ``first`` people (members) go before the others, who go in the
    random ``order``. ``logit_of(taken)`` gives the log-odds of those taken
    in; ``draw`` is one uniform per person. Returns (taken, joined), indices.
    """
    wanted = np.bincount(village[who], minlength=places.size)
    # Places bind in few months and villages: sort only when they do.
    taken = who if (wanted <= places).all() else who[take_in(who, village[who], wanted, places, first, order)]
    from scipy.special import expit  # here: scipy.special takes seconds to import, and --help needs none of it

    places -= wanted if taken is who else np.bincount(village[taken], minlength=places.size)
    joined = taken[draw[taken] < expit(logit_of(taken))]
    return taken, joined


def reconsidering(decided: np.ndarray, enrolled: np.ndarray, params: dict, draw: np.ndarray) -> np.ndarray:
    """Who of those who declined decides again this month (chance ``project.reconsider``), given one uniform
    ``draw`` per person.

    >>> reconsidering(np.array([True, True, False]), np.array([False, True, False]), {"project.reconsider": 0.5},
    ...               np.array([0.1, 0.1, 0.1])).tolist()
    [True, False, False]
    """
    return decided & ~enrolled & (draw < params["project.reconsider"])


def take_in(who: np.ndarray, group: np.ndarray, wanted: np.ndarray, places: np.ndarray, first: np.ndarray,
            order: np.ndarray) -> np.ndarray:
    """Mask over ``who`` (of villages ``group``) of those taken in: everyone where the village has room for all
    who want a place, nobody where it has none left, the first by ``first`` then ``order`` elsewhere.

    Only the villages whose places bind are ranked, so that months after the places are gone sort no one.
    """
    taken = (wanted <= places)[group]
    ranked = ((wanted > places) & (places > 0))[group].nonzero()[0]
    rank_who = who[ranked]
    taken[ranked] = first_k_per_group(group[ranked], order[rank_who] + first[rank_who], places)
    return taken


def advance(pop: Population, project: Project, adj: sp.csr_matrix, params: dict, rng: np.random.Generator,
            month: int, visited: np.ndarray, online: np.ndarray, villagers: np.ndarray) -> dict[str, np.ndarray]:
    """One month of the project; returns the villages where it launched, became viable or failed."""
    villages = project.status.size
    launch = (project.status == WAITING) & (month >= params["project.start"])
    if launch.any():
        project.status[launch] = RUNNING
        project.launched[launch] = month
        project.places[launch] = params["project.places"]
        pop.aware |= launch[pop.village] & pop.alive & ((pop.is_member() & ~pop.away) | pop.participating)
    live = (project.status == RUNNING) | (project.status == VIABLE)
    campaign = live & (month - project.launched < params["project.campaign"])
    if campaign.any():
        in_campaign = campaign[pop.village] & pop.alive
        pop.aware |= in_campaign & visited
        member = pop.is_member()
        # One uniform per person for each draw whatever the state (common random numbers across parameters).
        decide_draw, order, hear_draw = rng.random((3, pop.size))
        undecided = ~pop.decided
        if params["project.reconsider"]:  # drawn only then, so that the default keeps the runs' draws
            undecided |= reconsidering(pop.decided, pop.enrolled, params, rng.random(pop.size))
        who = (in_campaign & pop.aware & undecided & (~pop.away | online)).nonzero()[0]

        def logit_of(taken):
            return decision_logit(taken, project.propensity(params)[pop.village[taken]], member, pop.trust, params, adj,
                                  pop.aware & pop.alive, pop.enrolled)

        taken, joined = decide(who, pop.village, project.places, member.astype(float), logit_of, decide_draw, order)
        pop.decided[taken] = True
        pop.enrolled[joined] = True
        heard = hear(adj, pop.aware & pop.alive, pop.enrolled, params, hear_draw,
                     month - project.launched[pop.village])
        pop.aware |= heard & in_campaign

    viable = project.status == RUNNING
    if viable.any():  # only a running project can become viable: no count once every village's has ended
        share = np.divide(per_village(pop.village, pop.enrolled, villages), villagers, out=np.zeros(villages),
                          where=villagers > 0)
        viable &= share >= params["project.min_enrolment"]
    project.status[viable] = VIABLE
    failed = (project.status == RUNNING) & (month - project.launched >= params["project.deadline"])
    project.status[failed] = FAILED
    if failed.any():
        lost = failed[pop.village]
        pop.trust -= (lost & pop.aware) * params["project.failure_loss"]
        pop.enrolled &= ~lost
    if (project.status == VIABLE).any():  # until a project is viable, nobody gains from it
        enrolled = pop.enrolled.nonzero()[0]
        pop.trust[enrolled[(project.status == VIABLE)[pop.village[enrolled]]]] += params["project.viable_gain"]
    clip01(pop.trust, out=pop.trust)
    gain = params["project.opportunity_gain"] * params["project.potential"]
    project.opportunity = np.minimum(params["village.opportunity"] + gain * (project.status == VIABLE), 1.0)
    return {"launched": launch.nonzero()[0], "viable": viable.nonzero()[0], "failed": failed.nonzero()[0]}


def step(month: Month) -> None:
    """The project's month; its launches, successes and failures are logged."""
    happened = advance(month.population, month.project, month.adjacency, month.params, month.rng, month.number,
                       month.visited, month.online, month.villagers)
    for code, where in happened.items():
        month.events += [Event(month.number, f"project_{code}", int(v)) for v in where]
