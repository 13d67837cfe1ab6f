"""The whole model: invariants, determinism, agents, presets."""

import numpy as np
import pandas as pd
import pytest

from villagesim import VillageModel
from villagesim import scenarios
from villagesim.agents import Member, Resident, Youth
from villagesim.errors import InputError
from villagesim.metrics import COLUMNS
from villagesim.population import MEMBER, NEVER, RESIDENT, YOUTH

RATES = ["participation_rate", "project_uptake", "trust_mean", "youth_present_share", "appeals_resolved_rate",
         "present_share", "branch_strength", "project_viable", "opportunity"]


@pytest.mark.parametrize("preset", scenarios.names())
def test_invariants_hold_every_month(preset):
    model = VillageModel.from_scenario(preset, seed=11, overrides={f"interventions.{n}.intensity": 0.5 for n in
                                                                  ("training", "venue", "digital")})
    size = model.population.size
    for _ in range(60):
        model.step()
        pop = model.population
        assert pop.size == size  # slots are kept; the dead are marked, never dropped
        # Only migrant workers are away (they come home for the festival), and only the living work away.
        assert not (pop.away & ~pop.works_away).any() and not (pop.works_away & ~pop.alive).any()
        row = model.final()
        assert row["population"] == pop.alive.sum() and row["members"] == pop.is_member().sum()
        assert row["present_share"] * row["population"] == pytest.approx((pop.alive & ~pop.away).sum())
        assert not (pop.away & ~pop.alive).any() and not (pop.enrolled & ~pop.alive).any()
        assert (pop.trust >= 0).all() and (pop.trust <= 1).all()
    frame = model.timeseries()
    assert list(frame.columns) == list(COLUMNS)
    assert not frame.isna().any().any()
    assert ((frame[RATES] >= 0) & (frame[RATES] <= 1)).all().all()
    assert (frame["cost_cumulative"].diff().dropna() >= 0).all()
    assert (frame["relapse_count"].diff().dropna() >= 0).all()


def test_same_seed_same_run_and_different_seeds_differ():
    a = VillageModel.from_scenario("default", seed=5).run(36).timeseries()
    b = VillageModel.from_scenario("default", seed=5).run(36).timeseries()
    c = VillageModel.from_scenario("default", seed=6).run(36).timeseries()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_agents_are_views_on_the_arrays():
    model = VillageModel({"village.population": 300}, seed=2)
    pop = model.population
    for cls, role in ((Member, MEMBER), (Youth, YOUTH), (Resident, RESIDENT)):
        assert len(model.agents_by_type[cls]) == ((pop.role == role) & pop.alive).sum()
    person = model.person(7)
    person.trust = 0.123
    assert pop.trust[7] == 0.123
    pop.away[7] = True
    assert person.location == "away"
    assert all(isinstance(n, (Member, Youth, Resident)) for n in person.neighbors)
    assert {n.index for n in person.neighbors} == set(model.adjacency[7].indices[pop.alive[model.adjacency[7].indices]])


def test_role_changes_keep_the_object_its_id_and_fire_no_removal_signal():
    from mesa.experimental.mesa_signals import ModelSignals

    model = VillageModel({"interventions.recruitment.intensity": 1.0, "recruitment.min_trust": 0.3}, seed=3)
    pop = model.population
    removed = []

    def on_removed(signal):
        removed.append(signal.additional_kwargs["args"][0])

    model.observe("agents", ModelSignals.AGENT_REMOVED, on_removed)  # Mesa holds a weak reference to it
    admitted = aged_out = 0
    for _ in range(48):
        before = {i: model.person(i) for i in np.flatnonzero(pop.alive & (pop.role != MEMBER))}
        ids = {i: a.unique_id for i, a in before.items()}
        was_youth = pop.alive & (pop.role == YOUTH)
        removals = len(removed)
        model.step()
        new_members = np.flatnonzero(pop.alive & (pop.member_since == model.steps))
        grown_up = np.flatnonzero(pop.alive & was_youth & (pop.role == RESIDENT))
        for i, cls in [(i, Member) for i in new_members] + [(i, Resident) for i in grown_up]:
            agent = model.person(i)
            assert agent is before[i] and agent.unique_id == ids[i] and type(agent) is cls
            assert agent in model.agents_by_type[cls] and agent in model.agents
            assert not any(agent in agents for c, agents in model.agents_by_type.items() if c is not cls)
            assert agent.role == cls.__name__.lower()
        assert (pop.activist_since[new_members] != NEVER).all()
        assert (pop.member_since[new_members] > pop.activist_since[new_members]).all()
        admitted += new_members.size
        aged_out += grown_up.size
        # Removal signals are only for those who died (a newcomer of 18 may have taken the slot).
        for agent in removed[removals:]:
            assert not pop.alive[agent.index] or pop.age[agent.index] == 18.0, agent
    assert admitted > 0 and aged_out > 0
    by_class = {cls: len(model.agents_by_type.get(cls, [])) for cls in (Member, Youth, Resident)}
    assert by_class == {Member: pop.is_member().sum(), Youth: (pop.alive & (pop.role == YOUTH)).sum(),
                        Resident: (pop.alive & (pop.role == RESIDENT)).sum()}


def test_probation_lasts_at_least_its_months_and_admission_is_yearly():
    model = VillageModel({"interventions.recruitment.intensity": 1.0, "recruitment.min_trust": 0.3}, seed=4)
    model.run(72)
    pop = model.population
    new = pop.member_since > 0
    assert new.sum() > 0
    assert (pop.member_since[new] - pop.activist_since[new] >= 12).all()
    assert set(model.calendar_month(m) for m in pop.member_since[new]) == {7}


def test_dead_people_leave_the_model():
    model = VillageModel({"village.population": 400, "demography.mortality_60": 0.2, "demography.renewal": 0.0},
                         seed=8)
    model.run(24)
    alive = model.population.alive
    assert (~alive).sum() > 0
    assert len(model.agents) == alive.sum()
    with pytest.raises(LookupError):
        model.person(int(np.flatnonzero(~alive)[0]))


def test_mid_run_change_takes_effect_next_month_and_is_logged():
    model = VillageModel(seed=1)
    model.run(5)
    model.set("interventions.venue.intensity", 1.0)
    assert model.events[-1].month == 6 and model.events[-1].code == "intervention_changed"
    model.step()
    # The centre's set-up is paid in its first month, with that month's running cost.
    p = model.params
    assert model.timeseries()["cost_cumulative"].iloc[-1] == pytest.approx(
        p["interventions.venue.setup_cost"] + p["interventions.venue.cost"])
    with pytest.raises(InputError, match="village.population"):
        model.set("village.population", 10)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        model.set("interventions.venue.intensity", 2)


def test_events_record_interventions_and_project():
    model = VillageModel({"interventions.venue.intensity": 1.0, "interventions.venue.start": 12}, seed=1).run(60)
    codes = [(e.month, e.code) for e in model.events]
    assert (12, "intervention_started") in codes
    assert (12, "project_launched") in codes
    assert any(code in ("project_viable", "project_failed") for _, code in codes)


def test_seed_is_drawn_and_reported_when_omitted():
    a, b = VillageModel({"village.population": 50}), VillageModel({"village.population": 50})
    assert a.seed != b.seed
    with pytest.raises(InputError, match="seed"):
        VillageModel(seed=-1)


def test_region_holds_several_villages_with_their_own_branch():
    model = VillageModel({"region.villages": 3, "village.population": 400}, seed=1).run(24)
    assert model.villages == 3
    assert np.bincount(model.population.village).tolist() == [400, 400, 400]
    assert model.branch.strength.shape == (3,)
    coo = model.adjacency.tocoo()
    across = model.population.village[coo.row] != model.population.village[coo.col]
    assert 0 < across.mean() < 0.05
