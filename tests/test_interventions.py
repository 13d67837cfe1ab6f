"""Each path moves its own mechanism the right way: paired over seeds, with 99% confidence intervals."""

import numpy as np
import pytest

from villagesim import VillageModel
from villagesim.submodels import service
from villagesim.submodels.interventions import intensities
from villagesim.population import MEMBER
from villagesim.stats import mean_ci

SEEDS = range(12)
MONTHS = 36


def mechanism(name, params, seed):
    """Run and return the quantity the path should act on."""
    model = VillageModel({"village.population": 800, **params}, seed=seed)
    pop = model.population
    meetings, away_participating = [], []
    for _ in range(MONTHS):
        model.step()
        meetings.append(model.branch.meeting.mean())
        away_participating.append((pop.participating & pop.away).sum() / max(pop.away.sum(), 1))
    frame = model.timeseries()
    member = pop.alive & (pop.role == MEMBER)
    return {
        "standardization": np.mean(meetings),
        "training": pop.capability[member].mean(),
        "venue": frame["appeals_resolved_rate"].iloc[1:].mean(),
        "digital": np.mean(away_participating),
        "recruitment": frame["members"].iloc[-1],
    }[name]


@pytest.mark.parametrize("name", ["standardization", "training", "venue", "digital", "recruitment"])
def test_path_moves_its_mechanism_up(name):
    diffs = [mechanism(name, {f"interventions.{name}.intensity": 1.0}, s) - mechanism(name, {}, s) for s in SEEDS]
    mean, low, high = mean_ci(diffs, level=0.99)
    assert low > 0, (name, mean, low, high)


def test_standardization_prevents_relapse():
    def relapses(params, seed):
        return VillageModel({"shocks.rate": 0.03, **params}, seed=seed).run(MONTHS).final()["relapse_count"]

    diffs = [relapses({"interventions.standardization.intensity": 1.0}, s) - relapses({}, s) for s in SEEDS]
    assert mean_ci(diffs, level=0.99)[2] < 0


def test_digital_platform_takes_time_from_visits():
    def visits(params, seed):
        model = VillageModel(params, seed=seed)
        return (service.visits(model.population, model.adjacency, model.params, model.rng,
                               intensities(model.params, 1)) > 0).sum()

    diffs = [visits({"interventions.digital.intensity": 1.0}, s) - visits({}, s) for s in SEEDS]
    assert mean_ci(diffs, level=0.99)[2] < 0


def test_a_path_does_nothing_before_its_start():
    early = VillageModel({"interventions.training.intensity": 1.0, "interventions.training.start": 100}, seed=3)
    plain = VillageModel(seed=3)
    early.run(24)
    plain.run(24)
    assert early.timeseries().equals(plain.timeseries())
