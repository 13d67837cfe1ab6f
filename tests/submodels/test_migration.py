"""Migration (ODD 7.3): leaving, returning and the Spring Festival.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from conftest import binomial_ok, village

from villagesim.params import resolve
from villagesim.population import MEMBER
from villagesim.submodels import (
    migration,
)


def migrating_village(overrides=None):
    params, rng, _, _, pop = village({"migration.festival_month": 1, "migration.festival_length": 2,
                                      "migration.return_hazard": 0.0, "migration.leave_hazard": 0.0,
                                      **(overrides or {})})
    return params, rng, pop


def test_the_festival_brings_migrants_home_and_they_leave_again_when_it_ends():
    params, rng, pop = migrating_village({"migration.festival_return": 1.0})
    workers = pop.alive & pop.works_away
    assert workers.any() and (pop.away[workers]).all()
    migration.move(pop, params, rng, 1, np.zeros(1))
    assert not pop.away[workers].any() and (pop.works_away == workers).all()
    migration.move(pop, params, rng, 2, np.zeros(1))
    assert not pop.away[workers].any()
    migration.move(pop, params, rng, 3, np.zeros(1))
    assert pop.away[workers].all()


def test_everyone_away_returns_for_good_at_a_hazard_of_one():
    params, rng, pop = migrating_village({"migration.return_hazard": 1.0})
    workers = pop.alive & pop.works_away
    migration.move(pop, params, rng, 6, np.zeros(1))
    assert not pop.works_away[workers].any() and not pop.away[workers].any()


def test_young_people_leave_at_a_hazard_of_one_but_members_need_their_factor():
    params, rng, pop = migrating_village({"migration.leave_hazard": 1.0, "migration.member_leave_factor": 0.0})
    pop.age[(pop.alive & ~pop.works_away).nonzero()[0][:5]] = params["demography.youth_max_age"]  # still young
    young = pop.alive & ~pop.works_away & (pop.age <= params["demography.youth_max_age"])
    members = young & (pop.role == MEMBER)
    migration.move(pop, params, rng, 6, np.zeros(1))
    assert (pop.works_away[young & ~members]).all() and (pop.away[young & ~members]).all()
    assert not pop.works_away[members].any()
    assert not pop.works_away[pop.alive & (pop.age > params["demography.youth_max_age"]) & ~pop.away].any()


@pytest.mark.parametrize("length", [1, 2])
def test_who_decides_to_leave_during_the_festival_goes_when_it_ends(length):
    params, rng, pop = migrating_village({"migration.leave_hazard": 1.0, "migration.festival_length": length})
    young = pop.alive & ~pop.works_away & (pop.age <= params["demography.youth_max_age"]) & (pop.role != MEMBER)
    migration.move(pop, params, rng, length, np.zeros(1))  # the festival's last month
    assert pop.works_away[young].all() and not pop.away[young].any()
    migration.move(pop, params, rng, length + 1, np.zeros(1))
    assert pop.away[young].all()


@pytest.mark.parametrize("start, length", [(1, 0), (1, 1), (12, 2), (3, 11), (5, 12)])
def test_those_working_away_are_home_for_the_festivals_months_of_each_year(start, length):
    params, rng, pop = migrating_village({"migration.festival_month": start, "migration.festival_length": length,
                                          "migration.festival_return": 1.0})
    workers = pop.alive & pop.works_away
    assert workers.any() and pop.away[workers].all()
    for t in range(25):  # two years from the festival's first month, across the new year
        migration.move(pop, params, rng, (start - 1 + t) % 12 + 1, np.zeros(1))
        assert (pop.away[workers] == (t % 12 >= length)).all(), t


def test_full_opportunity_cuts_leaving_and_raises_returns_by_their_effects():
    params = resolve({"migration.leave_hazard": 0.1, "migration.opportunity_effect": 0.5,
                      "migration.member_leave_factor": 2.0, "migration.return_hazard": 0.1,
                      "migration.return_effect": 3.0})
    np.testing.assert_allclose(migration.leave_hazard(params, np.array([0.0, 1.0])), [[0.1, 0.2], [0.05, 0.1]])
    np.testing.assert_allclose(migration.return_hazard(params, np.array([0.0, 1.0])), [0.1, 0.4])
    assert migration.in_festival(2, 1, 2) and not migration.in_festival(3, 1, 2) and migration.in_festival(1, 12, 2)


def test_leave_hazard_gives_its_expected_share():
    params, rng, _, _, pop = village({"village.population": 40_000, "migration.initial_away_youth": 0.0,
                                      "migration.initial_away_middle": 0.0, "migration.return_hazard": 0.0,
                                      "village.opportunity": 0.5})
    young = pop.alive & (pop.age <= 40) & (pop.role != MEMBER)
    migration.move(pop, params, rng, calendar_month=6, opportunity=np.array([0.5]))
    expected = params["migration.leave_hazard"] * (1 - params["migration.opportunity_effect"] * 0.5)
    assert binomial_ok((pop.away & young).sum(), young.sum(), expected)
    assert not (pop.away & ~young & (pop.role != MEMBER)).any()


def test_spring_festival_brings_people_home_and_they_leave_after():
    params, rng, _, _, pop = village({"village.population": 20_000, "migration.leave_hazard": 0.0,
                                      "migration.return_hazard": 0.0})
    opportunity = np.array([0.0])
    migrants = pop.works_away.copy()
    migration.move(pop, params, rng, 1, opportunity)  # January: festival starts
    assert binomial_ok((migrants & ~pop.away).sum(), migrants.sum(), params["migration.festival_return"])
    home_in_january = migrants & ~pop.away
    migration.move(pop, params, rng, 2, opportunity)  # still festival
    assert (home_in_january == (migrants & ~pop.away)).all()
    migration.move(pop, params, rng, 3, opportunity)  # festival over
    assert (pop.away[migrants]).all()


def test_opportunity_lowers_leaving_and_raises_returns():
    params = resolve()
    low, high = np.array([0.0]), np.array([1.0])
    assert (migration.leave_hazard(params, high) < migration.leave_hazard(params, low)).all()
    assert (migration.return_hazard(params, high) > migration.return_hazard(params, low)).all()
    member_factor = params["migration.member_leave_factor"]
    assert migration.leave_hazard(params, low)[0, 1] == params["migration.leave_hazard"] * member_factor

