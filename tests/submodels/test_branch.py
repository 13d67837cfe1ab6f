"""Organisational life and the branch (ODD 7.4): assessment, meetings, quorum and ageing.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from conftest import ALL, NONE, village

from villagesim.params import resolve
from villagesim.population import MEMBER, RESIDENT, attainable_activity
from villagesim.submodels import branch


def test_assess_gives_effort_quality_strength_and_head_counts_by_their_formulas():
    params, rng, _, _, pop = village()
    pop.activity[:] = rng.random(pop.size)
    state = branch.Branch.start(1, params)
    branch.assess(pop, state, params)
    member = pop.is_member()
    working = member & ~pop.away
    effort = (pop.activity * pop.capability)[working].sum()
    np.testing.assert_allclose(state.effort, effort)
    np.testing.assert_allclose(state.quality, effort / pop.activity[working].sum())
    assert state.members[0] == member.sum()
    np.testing.assert_allclose(state.strength, effort / member.sum() * (0.5 + 0.5 * params["branch.regularity"]))
    assert state.active[0] == (working & (pop.activity >= params["branch.active_threshold"])).sum()


def test_a_branch_without_members_has_no_strength_or_quality():
    params, _, _, _, pop = village()
    pop.role[pop.role == MEMBER] = RESIDENT
    state = branch.Branch.start(1, params)
    branch.assess(pop, state, params)
    assert state.effort[0] == state.quality[0] == state.strength[0] == state.members[0] == state.active[0] == 0


@pytest.mark.parametrize("regularity, quorum, meeting", [(1.0, 0.0, 1.0), (0.0, 0.0, 0.0), (1.0, 1.0, 0.3)])
def test_a_meeting_renews_activity_trains_members_and_sets_capacity(regularity, quorum, meeting):
    params, rng, _, _, pop = village({"branch.regularity": regularity, "branch.quorum": quorum,
                                      "branch.formality_effect": 0.3, "interventions.training.capability_gain": 0.1})
    pop.activity[:] = 0.3
    member = pop.is_member()
    assert (member & pop.away).any()  # some away and offline: quorum 1 cannot be met
    state = branch.Branch.start(1, params)
    old_capability = pop.capability.copy()
    online = np.zeros(pop.size, bool)
    unregulated = {**ALL, "standardization": 0.0}  # which would make every meeting happen
    branch.hold_meetings(pop, state, params, rng, unregulated, online)
    assert state.meeting[0] == meeting
    np.testing.assert_allclose(state.regularity, 0.8 * regularity + 0.2 * meeting)
    attend = member & ~pop.away
    ceiling = attainable_activity(pop.age, params)
    renewed = 0.3 + params["branch.activity_renewal"] * meeting * attend * (ceiling - 0.3) \
        - params["branch.activity_decay"] * 0.3
    np.testing.assert_allclose(pop.activity[member], np.minimum(np.maximum(renewed, 0), ceiling)[member])
    np.testing.assert_allclose(pop.capability[member],
                               (old_capability + 0.1 * attend * (meeting > 0) * (1 - old_capability))[member])
    np.testing.assert_array_equal(pop.capability[~member], old_capability[~member])
    # The members' own capacity: the venue and the platform resolve their users' appeals themselves (7.5).
    assert state.effort[0] > 0
    np.testing.assert_allclose(state.capacity, params["branch.appeals_per_member"] * state.effort)


def test_a_branch_of_one_meets_in_full_a_quorum_met_exactly_counts_and_no_members_means_a_formality():
    # Three villages: 0 with all its members at home (a quorum of one met exactly), 1 with one member, 2 with none.
    params, rng, _, _, pop = village({"region.villages": 3, "branch.regularity": 1.0, "branch.quorum": 1.0,
                                      "branch.formality_effect": 0.3})
    member = pop.is_member()
    pop.away[member & (pop.village == 0)] = False
    lone = (member & (pop.village == 1)).nonzero()[0]
    pop.role[lone[1:]], pop.away[lone[0]] = RESIDENT, False
    pop.role[member & (pop.village == 2)] = RESIDENT
    pop.activity[lone[0]], pop.capability[lone[0]] = 0.5, 0.8
    state = branch.Branch.start(3, params)
    branch.hold_meetings(pop, state, params, rng, NONE, np.zeros(pop.size, bool))
    np.testing.assert_allclose(state.meeting, [1.0, 1.0, 0.3])
    assert state.members.tolist()[1:] == [1, 0]
    np.testing.assert_allclose(state.quality[1:], [0.8, 0.0])
    np.testing.assert_allclose(state.strength[1:], [pop.activity[lone[0]] * 0.8 * (0.5 + 0.5 * state.regularity[1]),
                                                    0.0])
    pop.activity[lone[0]] = params["branch.active_threshold"]  # active exactly at the threshold
    branch.assess(pop, state, params)
    assert state.active.tolist()[1:] == [1, 0]


def test_regularity_is_closed_towards_one_by_standardisation():
    params = resolve({"branch.regularity": 0.4, "interventions.standardization.regularity_gain": 0.5})
    assert branch.regularity(params, NONE) == 0.4
    assert branch.regularity(params, ALL) == pytest.approx(0.7)


def test_meeting_without_quorum_is_a_formality():
    params, rng, _, _, pop = village({"branch.regularity": 1.0, "branch.quorum": 0.5}, population=None)
    state = branch.Branch.start(1, params)
    nobody_online = np.zeros(pop.size, bool)
    pop.away[pop.role == MEMBER] = True
    branch.hold_meetings(pop, state, params, rng, NONE, nobody_online)
    assert state.meeting[0] == pytest.approx(params["branch.formality_effect"])
    pop.away[:] = False
    branch.hold_meetings(pop, state, params, rng, NONE, nobody_online)
    assert state.meeting[0] == 1.0


def test_ageing_caps_member_activity():
    params, rng, _, _, pop = village(population=None)
    state = branch.Branch.start(1, params)
    pop.age[pop.role == MEMBER] = 90.0
    for _ in range(24):
        branch.hold_meetings(pop, state, params, rng, NONE, np.zeros(pop.size, bool))
    ceiling = 1 - params["branch.decline_rate"] * (90 - params["branch.decline_age"])
    assert pop.activity[pop.role == MEMBER].max() <= ceiling + 1e-12


def test_training_reaches_only_members_who_attend_a_meeting_that_is_held():
    # Four villages at regularity 0.5: some hold their meeting and some do not; members away attend only online.
    params, rng, _, _, pop = village({"region.villages": 4, "branch.regularity": 0.5,
                                      "interventions.training.capability_gain": 0.5}, seed=3)
    state = branch.Branch.start(4, params)
    before = pop.capability.copy()
    member = pop.is_member()
    online = np.zeros(pop.size, bool)
    online[member & pop.away] = np.arange((member & pop.away).sum()) % 2 == 0
    branch.hold_meetings(pop, state, params, rng, {**NONE, "training": 1.0}, online)
    attended = member & (~pop.away | online)
    held = state.meeting[pop.village] > 0
    gained = pop.capability > before
    assert (held & member).any() and (~held & member).any() and (member & ~attended).any()
    assert (gained == (member & attended & held & (before < 1.0))).all()
    np.testing.assert_allclose(pop.capability[gained], before[gained] + 0.5 * (1.0 - before[gained]))
