"""Training is given at organisational life: only members who attend a meeting that is held gain capability."""

import numpy as np

from villagesim.network import generate_layout
from villagesim.params import resolve
from villagesim.population import generate
from villagesim.submodels import branch, interventions


def members_after_a_month(regularity: float, seed: int = 0):
    params = resolve({"village.population": 1200, "region.villages": 4, "branch.regularity": regularity,
                      "interventions.training.intensity": 1.0, "interventions.training.capability_gain": 0.5})
    rng = np.random.default_rng(seed)
    pop = generate(generate_layout(params, rng), params, rng)
    state = branch.Branch.start(4, params)
    before = pop.capability.copy()
    online = np.zeros(pop.size, bool)
    online[pop.is_member() & pop.away] = np.arange((pop.is_member() & pop.away).sum()) % 2 == 0
    branch.hold_meetings(pop, state, params, rng, interventions.intensities(params, 1), online)
    member = pop.is_member()
    attended = member & (~pop.away | online)
    held = state.meeting[pop.village] > 0
    return pop, before, member, attended, held


def test_no_meeting_no_training():
    pop, before, member, *_ = members_after_a_month(regularity=0.0)
    assert member.sum() > 50
    np.testing.assert_array_equal(pop.capability, before)


def test_only_those_who_attend_a_held_meeting_gain_capability():
    pop, before, member, attended, held = members_after_a_month(regularity=0.5, seed=3)
    gained = pop.capability > before
    # Some villages held their meeting and some did not, and some members were away and offline.
    assert (held & member).any() and (~held & member).any() and (member & ~attended).any()
    assert (gained == (member & attended & held & (before < 1.0))).all()
    np.testing.assert_allclose(pop.capability[gained], before[gained] + 0.5 * (1.0 - before[gained]))
