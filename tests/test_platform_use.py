"""The platform: used only by people with digital access, waning without renewal, and a trust effect of either sign."""

import numpy as np
import pytest

from villagesim import VillageModel
from villagesim.network import generate_layout
from villagesim.params import lookup, resolve
from villagesim.population import generate
from villagesim.submodels import interventions, service

FULL = {"interventions.digital.intensity": 1.0, "interventions.digital.reach": 1.0,
        "interventions.digital.elderly_skill": 1.0}


def population(overrides):
    params = resolve({"village.population": 3000, **FULL, **overrides})
    rng = np.random.default_rng(7)
    return params, rng, generate(generate_layout(params, rng), params, rng)


def test_the_share_online_of_each_age_group_is_the_ceiling_of_its_use():
    params, rng, pop = population({"village.digital_young": 0.7, "village.digital_elderly": 0.3,
                                   "interventions.digital.fatigue": 0.0})
    users = service.platform_users(pop, params, rng, interventions.intensities(params, 1))
    assert (users <= pop.digital).all()
    old = pop.alive & (pop.age >= service.ELDERLY_AGE)
    young = pop.alive & ~old
    # At full reach everyone with access uses it: the age group's share online is exactly its ceiling.
    assert abs(users[old].mean() - 0.3) < 0.05 and abs(users[young].mean() - 0.7) < 0.04


def test_use_wanes_towards_the_share_that_lasts():
    params, rng, pop = population({"interventions.digital.fatigue": 0.05, "interventions.digital.lasting": 0.4})
    assert service.freshness(params, 0) == 1.0
    assert service.freshness(params, 12) == pytest.approx(0.4 + 0.6 * 0.95 ** 12)
    assert service.freshness(params, 10_000) == pytest.approx(0.4)
    intensity = interventions.intensities(params, 1)
    first = service.platform_users(pop, params, rng, intensity, running=0).sum()
    late = service.platform_users(pop, params, rng, intensity, running=600).sum()
    assert late == pytest.approx(0.4 * first, rel=0.08)
    no_fatigue = resolve({"interventions.digital.fatigue": 0.0}, base=params)
    assert service.freshness(no_fatigue, 600) == 1.0


def test_the_months_of_use_count_from_the_platforms_start():
    model = VillageModel({"village.population": 600, **FULL, "interventions.digital.start": 30,
                          "interventions.digital.fatigue": 1.0, "interventions.digital.lasting": 0.0}, seed=3)
    model.run(30)
    assert model.last_month.online.sum() > 100  # its first month: full use
    model.run(1)
    assert model.last_month.online.sum() == 0  # fatigue 1, nothing lasts: gone the month after


@pytest.mark.parametrize("gain", [-0.003, 0.0, 0.006])
def test_a_month_on_the_platform_moves_trust_by_its_contact_gain_of_either_sign(gain, monkeypatch):
    model = VillageModel({"village.population": 300, **FULL, "interventions.digital.contact_gain": gain}, seed=1)
    model.run(1)
    month = model.last_month
    pop = month.population
    pop.trust[:] = 0.5
    monkeypatch.setattr(service, "visits", lambda *args: np.zeros(pop.size))
    monkeypatch.setattr(service, "venue_users", lambda *args: np.zeros(pop.size, bool))
    monkeypatch.setattr(service, "appeals", lambda *args: service.Appeals(*np.zeros((3, 1))))
    service.step(month)
    assert month.online.any()
    np.testing.assert_allclose(pop.trust[month.online], 0.5 + gain)
    np.testing.assert_allclose(pop.trust[~month.online], 0.5)


def test_the_trust_effects_plausible_range_includes_zero_and_negative_values():
    low, high = lookup("interventions.digital.contact_gain").plausible
    assert low < 0 < high
    assert lookup("interventions.digital.fatigue").plausible[0] == 0.0
