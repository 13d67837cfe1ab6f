"""Shocks (ODD 7.6): households struck, caught and helped or relapsed.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from conftest import ALL, NONE, village

from villagesim.params import resolve
from villagesim.submodels import shocks


def struck_village(overrides, seed=0):
    """``(params, rng, pop, household_village)``: one village where every household is struck and relapses unless
    the shock is caught; everyone's trust 0.5, so 0.55 after help in time and 0.4 after a relapse."""
    params, rng, layout, _, pop = village({"shocks.rate": 1.0, "shocks.relapse_prob": 1.0, "shocks.relapse_loss": 0.1,
                                           "shocks.caught_gain": 0.05, **overrides}, seed=seed)
    pop.trust[:] = 0.5
    return params, rng, pop, np.zeros(int(layout.household.max()) + 1, np.intp)


@pytest.mark.parametrize("caught", [False, True])
def test_every_household_struck_either_relapses_or_is_helped(caught):
    params, rng, pop, household_village = struck_village({"shocks.monitoring": 1.0})
    pop.alive[pop.household == pop.household[0]] = False  # a household of the dead: nobody to strike
    pop.alive[1::11] = False
    strength = np.array([1.0 if caught else 0.0])
    relapses = shocks.strike(pop, params, rng, NONE, strength, household_village, np.zeros(pop.size, bool))
    homes = np.unique(pop.household[pop.alive])
    assert relapses.tolist() == [0 if caught else homes.size]
    np.testing.assert_allclose(pop.trust[pop.alive], 0.55 if caught else 0.4)
    np.testing.assert_allclose(pop.trust[~pop.alive], 0.5)


def test_the_platform_catches_every_shock_of_a_household_with_a_living_member_online():
    params, rng, pop, household_village = struck_village({"shocks.monitoring": 0.0,
                                                          "interventions.digital.monitoring_gain": 1.0})
    pop.alive[(pop.digital & (np.arange(pop.size) % 4 == 0)).nonzero()[0]] = False  # some online members died
    online = np.isin(pop.household, pop.household[pop.alive & pop.digital])
    assert (pop.alive & online).any() and (pop.alive & ~online).any()
    relapses = shocks.strike(pop, params, rng, {**NONE, "digital": 1.0}, np.zeros(1), household_village, pop.digital)
    assert relapses.tolist() == [np.unique(pop.household[pop.alive & ~online]).size]
    np.testing.assert_allclose(pop.trust[pop.alive], np.where(online, 0.55, 0.4)[pop.alive])


def test_digital_access_without_use_gets_no_monitoring_from_the_platform():
    params, rng, pop, household_village = struck_village({"village.digital_young": 1.0, "village.digital_elderly": 1.0,
                                                          "shocks.monitoring": 0.0,
                                                          "interventions.digital.monitoring_gain": 1.0}, seed=5)
    users = pop.alive & (pop.household % 3 == 0) & (np.arange(pop.size) % 2 == 0)
    used = np.isin(pop.household, pop.household[users])
    assert pop.digital.all() and (pop.alive & ~used).any()
    relapses = shocks.strike(pop, params, rng, {**NONE, "digital": 1.0}, np.zeros(1), household_village, users)
    assert relapses.tolist() == [np.unique(pop.household[pop.alive & ~used]).size]
    np.testing.assert_allclose(pop.trust[pop.alive], np.where(used, 0.55, 0.4)[pop.alive])


def test_the_chance_to_catch_a_shock_adds_its_sources_up_to_one():
    params = resolve({"shocks.monitoring": 0.3, "interventions.standardization.monitoring_gain": 0.2,
                      "interventions.digital.monitoring_gain": 0.4})
    strength, online = np.array([0.5, 0.5, 1.0]), np.array([False, True, True])
    np.testing.assert_allclose(shocks.catch_chance(params, NONE, strength, online), [0.15, 0.15, 0.3])
    np.testing.assert_allclose(shocks.catch_chance(params, ALL, strength, online), [0.35, 0.75, 0.9])
    params = resolve({"shocks.monitoring": 1.0, "interventions.digital.monitoring_gain": 1.0}, base=params)
    assert shocks.catch_chance(params, ALL, strength, online).max() == 1.0
