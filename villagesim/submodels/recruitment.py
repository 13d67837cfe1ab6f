"""Recruitment and training of new members (入党积极分子 → 党员).

Once a year, in ``recruitment.admission_month``, the branch admits the
activists who have been observed for at least
``recruitment.probation_months``, most trusted first, up to a quota of
``recruitment.quota`` per existing member (larger with the recruitment
path). It then tops up its pool of activists from trusted, participating,
present youth and residents no older than ``recruitment.max_age``. A new
member keeps their whole history; only their role changes.
"""

from __future__ import annotations

import numpy as np

from villagesim.grouping import first_k_per_group, per_village, stochastic_round
from villagesim.events import Event
from villagesim.population import MEMBER, NEVER, Population, attainable_activity, clip01
from villagesim.submodels.branch import reassess
from villagesim.submodels.month import Month


def admit(pop: Population, params: dict, rng: np.random.Generator, month: int, calendar_month: int,
          intensity: dict[str, float], villages: int) -> np.ndarray:
    """The yearly admission and activist selection; returns the indices admitted."""
    if calendar_month != params["recruitment.admission_month"]:
        return np.empty(0, np.int64)
    member = pop.is_member()
    gain = 1.0 + params["interventions.recruitment.quota_gain"] * intensity["recruitment"]
    slots = params["recruitment.quota"] * gain * per_village(pop.village, member, villages)

    activist = pop.alive & ~member & (pop.activist_since != NEVER)
    ready = (activist & (month - pop.activist_since >= params["recruitment.probation_months"])).nonzero()[0]
    jitter = rng.random(ready.size) * 1e-9  # random order among equal trust
    quota = stochastic_round(slots, rng)
    admitted = ready[first_k_per_group(pop.village[ready], pop.trust[ready] + jitter, quota)]
    pop.role[admitted] = MEMBER
    pop.member_since[admitted] = month
    recruit_skill = clip01(rng.normal(params["recruitment.capability_mean"], params["branch.capability_sd"], admitted.size))
    pop.capability[admitted] = np.maximum(pop.capability[admitted], recruit_skill)
    pop.activity[admitted] = 0.9 * attainable_activity(pop.age[admitted], params)

    activist[admitted] = False
    wanted = np.ceil(params["recruitment.activists_per_slot"] * slots).astype(np.int64)
    need = np.maximum(wanted - per_village(pop.village, activist, villages).astype(np.int64), 0)
    candidate = (
        pop.present & (pop.role != MEMBER) & (pop.activist_since == NEVER) & pop.participating
        & (pop.trust >= params["recruitment.min_trust"]) & (pop.age <= params["recruitment.max_age"])).nonzero()[0]
    picked = candidate[first_k_per_group(pop.village[candidate], rng.random(candidate.size), need)]
    pop.activist_since[picked] = month
    return admitted


def step(month: Month) -> None:
    """The yearly admission; the branch is assessed again so that new members count from this month."""
    month.admitted = admit(month.population, month.params, month.rng, month.number, month.calendar, month.intensity,
                           month.villages)
    if month.admitted.size:
        month.events.append(Event(month.number, "members_admitted", value=int(month.admitted.size)))
        reassess(month)
