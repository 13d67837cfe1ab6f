"""Every arm of the scenario discovery spends at most its budget at every point of its design."""

from pathlib import Path

import pytest

from villagesim.params import resolve
from villagesim.submodels.interventions import plan_cost
from villagesim.sweep import load_spec
from villagesim.sweep.design import point_overrides, points

ARMS = sorted((Path(__file__).resolve().parent.parent / "experiments" / "discovery").glob("arm_*.toml"))
BUDGET = 30.0  # 万元 over the arms' months: the budget the arms' headers name


@pytest.mark.parametrize("arm", ARMS, ids=[arm.stem for arm in ARMS])
def test_the_arm_spends_at_most_its_budget_at_every_point(arm):
    spec = load_spec(arm)
    costs = [plan_cost(resolve(point_overrides(spec, point)), spec.months) for point in points(spec)]
    assert len(costs) == spec.samples
    assert max(costs) <= BUDGET, f"{arm.name} spends up to {max(costs):.2f} 万元"
