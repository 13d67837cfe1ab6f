"""Demography (ODD 7.2): mortality, renewal, ageing out of youth and the loss of digital access.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from conftest import binomial_ok, village

from villagesim import VillageModel
from villagesim.params import resolve
from villagesim.population import NEVER, RESIDENT, YOUTH
from villagesim.submodels import (
    demography,
)


def test_monthly_chances_compound_to_the_annual_and_mortality_is_gompertz_from_age_60_up_to_one():
    annual = np.array([0.0, 0.04, 0.5, 1.0])
    np.testing.assert_allclose(1 - (1 - demography.monthly(annual)) ** 12, annual)
    np.testing.assert_allclose(demography.monthly(0.5), 1 - 0.5 ** (1 / 12))
    params = resolve({"demography.mortality_60": 0.01, "demography.mortality_slope": 0.1})
    age = np.array([40.0, 60.0, 70.0, 120.0])
    np.testing.assert_allclose(demography.monthly_mortality(age, params),
                               demography.monthly(np.minimum(0.01 * np.exp(0.1 * (age - 60.0)), 1.0)))
    assert demography.monthly_mortality(np.array([120.0]), params)[0] == 1.0


@pytest.mark.parametrize("renewal", [0.0, 1.0])
def test_at_a_mortality_of_one_everyone_alive_past_60_dies_and_the_reborn_start_afresh(renewal):
    # At a Gompertz level of one at 60 (slope 0.5) the 60+ die for sure and 18-year-olds almost never (1e-9).
    params, rng, _, _, pop = village({"demography.mortality_60": 1.0, "demography.mortality_slope": 0.5,
                                      "demography.renewal": renewal, "branch.capability_mean": 0.6,
                                      "branch.capability_sd": 0.1, "village.digital_young": 1.0})
    pop.age[pop.age < 60] = 18.0
    old = (pop.age >= 60).nonzero()[0]
    pop.alive[old[:5]] = False  # already dead: they stay out of this month's deaths
    pop.activity[:], pop.activist_since[:], pop.member_since[:] = 0.5, 3, 3
    alive, age = pop.alive.copy(), pop.age.copy()
    changes = demography.turn_over(pop, params, rng)
    died = np.sort(np.r_[changes.died, changes.reborn])
    np.testing.assert_array_equal(died, old[5:])
    np.testing.assert_allclose(pop.age[~alive], age[~alive])
    survivors = alive & (age < 60)
    np.testing.assert_allclose(pop.age[survivors], age[survivors] + 1 / 12)
    reborn = changes.reborn
    assert reborn.size == (old.size - 5 if renewal else 0) and pop.alive.sum() == survivors.sum() + reborn.size
    assert (pop.age[reborn] == 18.0).all() and (pop.role[reborn] == demography.YOUTH).all()
    assert (pop.activity[reborn] == 0).all() and (pop.activist_since[reborn] == NEVER).all()
    assert (pop.member_since[reborn] == NEVER).all() and pop.digital[reborn].all()
    if renewal:
        for fresh in (pop.trust, pop.threshold, pop.capability):  # each draws their own
            assert np.isfinite(fresh[reborn]).all() and np.unique(fresh[reborn]).size > 1
        assert 0.55 < pop.capability[reborn].mean() < 0.65  # 0.6, standard error 0.005


def test_everyone_60_plus_loses_digital_access_at_a_loss_of_one_and_youth_ends_past_its_age_limit():
    params, rng, _, _, pop = village({"demography.mortality_60": 0.0, "demography.digital_loss": 1.0,
                                      "demography.youth_max_age": 40})
    people = pop.alive.nonzero()[0]
    pop.digital[people] = True
    pop.age[people[:10]] = 60.0 - 1 / 12  # 60 exactly after this month's ageing
    pop.age[people[10:20]] = 59.5
    pop.role[people[20:40]] = demography.YOUTH
    pop.age[people[20:30]] = 40.0 - 1 / 12  # 40 exactly: still youth
    pop.age[people[30:40]] = 40.0
    demography.turn_over(pop, params, rng)
    assert (pop.digital[people] == (pop.age[people] < 60.0)).all() and not pop.digital[people[:10]].any()
    assert (pop.role[people[20:30]] == demography.YOUTH).all() and (pop.role[people[30:40]] == RESIDENT).all()


def test_the_living_neighbours_and_villagers_follow_the_deaths():
    model = VillageModel({"village.population": 300}, seed=1).run(1)
    month = model.last_month
    month.params["demography.mortality_60"] = 1.0  # the month's deaths: everyone 60+
    demography.step(month)
    pop = month.population
    assert month.changes.died.size + month.changes.reborn.size > 0
    np.testing.assert_allclose(month.living_neighbours, month.adjacency @ pop.alive.astype(float))
    assert month.villagers.tolist() == [pop.alive.sum()]


def test_mortality_matches_its_hazard():
    params, rng, _, _, pop = village({"village.population": 50_000})
    pop.age[:] = 80.0
    expected = demography.monthly_mortality(np.array([80.0 + 1 / 12]), params)[0]
    params = resolve({"demography.renewal": 0.0}, base=params)
    changes = demography.turn_over(pop, params, rng)
    assert binomial_ok(changes.died.size, pop.size, expected)
    assert (~pop.alive).sum() == changes.died.size


def test_renewal_replaces_the_dead_with_young_people_of_the_same_household():
    params, rng, _, _, pop = village({"village.population": 20_000, "demography.renewal": 0.5})
    pop.age[:] = 95.0
    household = pop.household.copy()
    changes = demography.turn_over(pop, params, rng)
    died = changes.died.size + changes.reborn.size
    assert binomial_ok(changes.reborn.size, died, 0.5)
    assert (pop.age[changes.reborn] == 18.0).all() and (pop.role[changes.reborn] == YOUTH).all()
    assert (pop.household == household).all()


def test_youth_past_the_age_limit_become_residents():
    params, rng, _, _, pop = village(population=None)
    pop.age[:] = np.where(pop.role == YOUTH, 40.99, pop.age)
    changes = demography.turn_over(pop, resolve({"demography.mortality_60": 0.0}), rng)
    assert changes.aged_out.size > 0
    assert not ((pop.role == YOUTH) & (pop.age > 40)).any()

