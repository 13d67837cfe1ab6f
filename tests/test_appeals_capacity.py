"""Appeals reach the branch without a visit, and the members' capacity binds when they exceed it (ODD 7.5)."""

import numpy as np
import pytest

from villagesim import VillageModel
from villagesim.network import generate_layout
from villagesim.params import resolve
from villagesim.population import generate
from villagesim.submodels import service


def village(overrides):
    params = resolve({"village.population": 1200, "appeals.rate": 1.0, "appeals.resolved_gain": 0.1,
                      "appeals.neglected_loss": 0.05, **overrides})
    rng = np.random.default_rng(2)
    pop = generate(generate_layout(params, rng), params, rng)
    pop.trust[:] = 0.5
    return params, rng, pop


def raise_all(params, rng, pop, capacity, heard=None, online=None, channels=()):
    nobody = np.zeros(pop.size, bool)
    heard = nobody if heard is None else heard
    online = nobody if online is None else online
    return service.appeals(pop, params, rng, heard, online, np.array([capacity]), np.array([1.0]), channels)


@pytest.mark.parametrize("brought", [0.0, 1.0])
def test_villagers_at_home_bring_their_appeals_themselves_and_people_away_cannot(brought):
    params, rng, pop = village({"appeals.brought": brought})
    result = raise_all(params, rng, pop, capacity=1e9)
    home = pop.alive & ~pop.away
    assert (pop.alive & pop.away).any()
    assert result.raised.tolist() == [home.sum()]
    assert result.resolved.tolist() == result.handled.tolist() == [home.sum() if brought else 0]
    np.testing.assert_allclose(pop.trust[home], 0.6 if brought else 0.45)


def test_some_appeals_are_brought_at_the_rate_and_the_heard_always_reach_the_branch():
    params, rng, pop = village({"appeals.brought": 0.3})
    heard = pop.alive & (np.arange(pop.size) % 4 == 0)
    home = pop.alive & ~pop.away
    result = raise_all(params, rng, pop, capacity=1e9, heard=heard)
    assert (pop.trust[heard & home] > 0.5).all()
    brought = (pop.trust[home & ~heard] > 0.5).mean()
    assert 0.25 < brought < 0.35 and result.resolved[0] == (pop.trust > 0.5).sum()


@pytest.mark.parametrize("capacity", [0.0, 7.0, 150.0])
def test_the_members_resolve_exactly_their_capacity_when_the_appeals_exceed_it(capacity):
    params, rng, pop = village({"appeals.brought": 1.0})
    result = raise_all(params, rng, pop, capacity=capacity)
    assert result.raised[0] > capacity
    assert result.resolved.tolist() == result.handled.tolist() == [capacity]


def test_the_platform_is_a_channel_into_the_members_capacity_not_a_way_round_it():
    params, rng, pop = village({"appeals.brought": 0.0})
    online = pop.alive & pop.digital & (np.arange(pop.size) % 2 == 0)
    # The platform's own staff resolve 20; its users' other appeals wait for the members, who have room for 30.
    result = raise_all(params, rng, pop, capacity=30.0, heard=online, online=online,
                       channels=((online, np.array([20.0])),))
    assert (online & pop.alive).sum() > 100
    assert result.resolved.tolist() == [50] and result.handled.tolist() == [30]


def test_capacity_binds_in_the_weak_service_village_and_not_always_in_the_default():
    for seed in (1, 2):
        used = VillageModel.from_scenario("weak_service", seed=seed).run(48).timeseries()["capacity_used"]
        assert used.iloc[13:].mean() > 0.97 and used.iloc[13:].min() > 0.8
    default = VillageModel.from_scenario("default", seed=1).run(48).timeseries()["capacity_used"]
    assert default.iloc[13:].mean() < 0.95


@pytest.mark.parametrize("path", ["training", "standardization"])
def test_training_and_standardisation_buy_appeals_resolved_where_capacity_binds(path):
    def resolved(intensity):
        return np.array([VillageModel.from_scenario("weak_service", seed=seed, overrides={
            f"interventions.{path}.intensity": intensity}).run(60).timeseries()["appeals_resolved_rate"].iloc[13:].mean()
            for seed in (1, 2, 3, 4)])

    gain = resolved(1.0) - resolved(0.0)
    assert (gain > 0).all(), gain


def test_a_scripted_appeal_brought_in_person_reaches_the_members_while_they_have_room():
    model = VillageModel({"village.population": 500, "appeals.brought": 1.0}, seed=2).run(2)
    month, pop = model.last_month, model.population
    unheard = np.flatnonzero(~month.heard & pop.alive & ~pop.away)
    model.branch.capacity[:] = month.appeals.handled + 1
    assert model.person(unheard[0]).raise_appeal() is True
    assert model.person(unheard[1]).raise_appeal() is False  # the room for one is used
