"""Recruitment (ODD 7.9): the activist pool and the yearly admission of new members.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from conftest import ALL, NONE, village

from villagesim import VillageModel
from villagesim.events import Event
from villagesim.population import MEMBER, NEVER, attainable_activity
from villagesim.submodels import (
    recruitment,
)


@pytest.mark.parametrize("per_slot", [100.0, 0.0])
def test_the_pool_takes_every_eligible_person_when_it_wants_more_and_nobody_when_it_is_full(per_slot):
    params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1, "recruitment.activists_per_slot": per_slot,
                                              "recruitment.min_trust": 0.6, "recruitment.max_age": 40})
    pop.participating[:] = True
    pop.trust[:] = np.where(np.arange(pop.size) % 2 == 0, 0.7, 0.3)
    fresh = (pop.present & (pop.role != MEMBER) & (pop.activist_since == NEVER)).nonzero()[0]
    pop.trust[fresh[:5]], pop.age[fresh[5:10]], pop.trust[fresh[5:10]] = 0.6, 40, 0.7  # exactly on the limits
    before = pop.activist_since.copy()
    eligible = (pop.present & (pop.role != MEMBER) & (before == NEVER) & (pop.trust >= 0.6) & (pop.age <= 40))
    recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    picked = (before == NEVER) & (pop.activist_since == 100)
    wanted = np.ceil(per_slot * 0.1 * int(village()[4].is_member().sum()))
    assert wanted == 0 or wanted > eligible.sum() + 60  # the pool wants more than there are
    assert (picked == (eligible if per_slot else False)).all()


def test_recruits_bring_at_least_the_recruits_capability():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 1.0, "recruitment.capability_mean": 0.9,
                                                   "branch.capability_sd": 0.0})
    pop.capability[others[:40]] = np.linspace(0.5, 1.0, 40)
    old = pop.capability.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    assert admitted.size == 40
    np.testing.assert_allclose(pop.capability[admitted], np.maximum(old[admitted], 0.9))


def test_the_admission_is_logged_and_the_new_members_count_in_the_branch_that_month():
    model = VillageModel({"village.population": 600, "recruitment.quota": 1.0}, seed=1).run(1)
    month = model.last_month
    month.params["recruitment.admission_month"] = month.calendar
    pop = month.population
    ready = (pop.alive & ~pop.is_member()).nonzero()[0][:10]
    pop.activist_since[ready] = month.number - month.params["recruitment.probation_months"]
    members = month.branch.members.copy()
    recruitment.step(month)
    assert month.admitted.size >= 10
    assert month.events[-1] == Event(month.number, "members_admitted", value=month.admitted.size)
    assert month.branch.members.tolist() == [members[0] + month.admitted.size] == [pop.is_member().sum()]


def recruiting_village(overrides=None):
    params, rng, _, _, pop = village({"recruitment.admission_month": 7, "recruitment.probation_months": 12,
                                      **(overrides or {})})
    others = (pop.alive & (pop.role != MEMBER)).nonzero()[0]
    pop.activist_since[others[:40]] = 100 - 12  # observed long enough by month 100
    pop.activist_since[others[40:60]] = 100 - 11  # not yet
    pop.trust[others[:60]] = np.linspace(0.2, 0.9, 60)
    return params, rng, pop, others


def test_no_admission_outside_the_admission_month():
    params, rng, pop, _ = recruiting_village()
    before = pop.role.copy()
    assert recruitment.admit(pop, params, rng, 100, 6, NONE, 1).size == 0
    assert (pop.role == before).all()


def test_admission_takes_the_most_trusted_activists_past_probation_within_the_quota():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 0.2})
    members = int(pop.is_member().sum())
    old_capability = pop.capability.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    slots = 0.2 * members
    assert np.floor(slots) <= admitted.size <= np.ceil(slots) < 40
    ready = others[:40]
    assert set(admitted) <= set(ready)
    assert pop.trust[admitted].min() > pop.trust[np.setdiff1d(ready, admitted)].max()
    assert (pop.role[admitted] == MEMBER).all() and (pop.member_since[admitted] == 100).all()
    np.testing.assert_allclose(pop.activity[admitted], 0.9 * attainable_activity(pop.age[admitted], params))
    assert (pop.capability[admitted] >= old_capability[admitted]).all()


def test_a_large_quota_admits_every_ready_activist_and_no_one_else():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 1.0})
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    assert sorted(admitted) == sorted(others[:40])


def test_the_recruitment_path_multiplies_the_quota():
    sizes = []
    for intensity in (NONE, ALL):
        params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1,
                                                  "interventions.recruitment.quota_gain": 1.0})
        sizes.append(recruitment.admit(pop, params, rng, 100, 7, intensity, 1).size)
    members = int(village()[4].is_member().sum())
    assert abs(sizes[0] - 0.1 * members) < 1 and abs(sizes[1] - 0.2 * members) < 1


def test_the_activist_pool_is_topped_up_from_eligible_people_only():
    params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1, "recruitment.activists_per_slot": 30.0,
                                              "recruitment.min_trust": 0.6, "recruitment.max_age": 40})
    pop.participating[:] = True
    pop.trust[:] = np.where(np.arange(pop.size) % 2 == 0, 0.7, 0.3)
    before = pop.activist_since.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    picked = (before == NEVER) & (pop.activist_since == 100)
    slots = 0.1 * (int(pop.is_member().sum()) - admitted.size)
    activists = int(((before != NEVER) & pop.alive).sum()) - admitted.size
    wanted = int(np.ceil(30.0 * slots))
    assert picked.sum() == max(wanted - activists, 0) > 0
    assert (pop.trust[picked] >= 0.6).all() and (pop.age[picked] <= 40).all()
    assert (pop.present[picked]).all() and not (pop.role[picked] == MEMBER).any()

