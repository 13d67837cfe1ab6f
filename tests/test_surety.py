"""How sure the model is of a plan: a share of plausible worlds with its interval, reproducible, and exact when
one path always does most."""

from __future__ import annotations

import numpy as np
import pytest

from villagesim import InputError, best_buy
from villagesim.best_buy import plan_surety

SMALL = {"village.population": 300}
TRAINING = {"interventions.training.intensity": 1.0, "interventions.training.start": 0}
DIGITAL = {"interventions.digital.intensity": 1.0, "interventions.digital.start": 0}


def test_the_share_is_a_share_inside_its_interval_and_reproducible():
    first = plan_surety("hollowed", TRAINING, 15, months=12, overrides=SMALL, points=6, seeds=2, seed=4)
    assert 0 <= first.ci[0] <= first.share <= first.ci[1] <= 1
    assert first.share == first.wins / first.points and first.points == 6 and first.seeds == 2
    assert first.to_json() == plan_surety("hollowed", TRAINING, 15, months=12, overrides=SMALL, points=6, seeds=2,
                                          seed=4).to_json()


class _DigitalAlone:
    """A stand-in for the model where the objective is the platform's intensity: the platform alone at the
    budget always does most."""

    def __init__(self, executor, months, weights):
        pass

    def __call__(self, jobs):
        values = np.array([overrides["interventions.digital.intensity"] for overrides, _ in jobs])
        return values, np.zeros(len(jobs))


def test_a_plan_that_is_the_path_that_always_wins_is_sure_and_another_never(monkeypatch):
    monkeypatch.setattr(best_buy, "_Runner", _DigitalAlone)
    sure = plan_surety("default", DIGITAL, 30, months=24, points=8, seeds=2, seed=1)
    assert (sure.share, sure.wins, sure.ci[1]) == (1.0, 8, 1.0) and sure.ci[0] > 0.6
    assert sure.driver is None and sure.rival is None  # it is the winning arm: its lead (nil) never varies
    # At 12 万元 the budget always buys some of the platform, more or less as its prices vary.
    never = plan_surety("default", TRAINING, 12, months=24, points=24, seeds=2, seed=1)
    assert (never.share, never.ci[0]) == (0.0, 0.0) and never.ci[1] < 0.2 and never.rival == "digital"
    assert never.driver["key"] == "interventions.digital.cost" and never.driver["rho"] > 0


def test_no_driver_is_named_from_chance_alone(monkeypatch):
    """The lead depends on no parameter at all: none is named, however strongly one correlates by chance."""

    class Noise(_DigitalAlone):
        def __call__(self, jobs):
            values = np.random.default_rng([seed for _, seed in jobs[:1]]).normal(size=len(jobs))
            return values, np.zeros(len(jobs))

    monkeypatch.setattr(best_buy, "_Runner", Noise)
    named = [plan_surety("default", TRAINING, 30, months=24, points=8, seeds=2, seed=s).driver for s in range(40)]
    assert sum(driver is not None for driver in named) <= 4  # a 5% test: one design in ten at most, as by chance


def test_the_driver_test_is_exact_on_few_worlds():
    """On four worlds a perfect rank correlation has 2 of the 24 orderings as extreme: p = 1/12, not ~0."""
    assert best_buy._rank_correlation_p(np.arange(4.0), np.array([1.0, 5.0, 7.0, 9.0])) == pytest.approx(2 / 24)
    assert best_buy._rank_correlation_p(np.arange(8.0), np.arange(8.0)[::-1]) == pytest.approx(2 / 40_320)


@pytest.mark.parametrize("plan, named", [
    ({"interventions.venus.intensity": 1.0}, "plan interventions.venus.intensity: not a plan's key"),
    ({"interventions.venue.intensity": 2}, "plan interventions.venue.intensity=2: must be an intensity in [0, 1]"),
    ({"interventions.venue.start": 1.5}, "plan interventions.venue.start=1.5: must be a start month"),
    ({}, "plan {}: give interventions.<path>.intensity and .start keys"),
])
def test_bad_plans_are_refused_in_one_line(plan, named):
    with pytest.raises(InputError) as refused:
        plan_surety("default", plan, 30, months=12)
    assert str(refused.value).startswith(named) and "\n" not in str(refused.value)


def test_bad_budgets_and_sizes_are_refused_in_one_line():
    with pytest.raises(InputError, match=r"^--budget -1: must be a number"):
        plan_surety("default", TRAINING, -1, months=12)
    with pytest.raises(InputError, match=r"^--points 2: must be an integer >= 4"):
        plan_surety("default", TRAINING, 30, months=12, points=2)
