"""Where the members' capacity binds (ODD 7.5): the weak-service village, and what training and standardisation buy
there; the rule itself is checked in tests/submodels/test_service.py."""

import numpy as np
import pytest

from villagesim import VillageModel


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
