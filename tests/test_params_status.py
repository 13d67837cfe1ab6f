"""Every parameter that can move the ranking of the paths has a plausible range, a unit and a source status."""

import pytest

from villagesim.params import INTERVENTIONS, PARAMS, lookup
from villagesim.params.registry import STATUSES

RANKING = [
    *(f"interventions.{path}.{cost}" for path in INTERVENTIONS for cost in ("setup_cost", "cost")),
    "trust.baseline", "trust.relaxation", "appeals.rate", "appeals.brought", "appeals.resolved_gain",
    "appeals.neglected_loss", "branch.appeals_per_member", "participation.trust_weight",
    "participation.threshold_mean", "interventions.digital.reach", "interventions.digital.contact_gain",
    "interventions.digital.fatigue", "interventions.digital.lasting", "interventions.digital.capacity",
    "interventions.digital.monitoring_gain", "interventions.digital.visit_substitution",
    "interventions.digital.elderly_skill", "village.digital_young", "village.digital_elderly",
]


@pytest.mark.parametrize("key", RANKING)
def test_a_parameter_that_moves_the_ranking_has_a_plausible_range_inside_its_bounds(key):
    param = lookup(key)
    low, high = param.plausible
    assert param.lo <= low <= param.default <= high <= param.hi and param.unit


def test_every_parameter_has_one_of_the_statuses_and_an_assumption_says_so():
    assert {p.status for p in PARAMS} <= set(STATUSES)
    for p in PARAMS:
        if p.source.startswith("assumption"):
            assert p.status in ("assumed", "input"), p.key
    # Bounded by CNNIC's shares online: the ceilings of the platform's use.
    assert lookup("village.digital_elderly").status == lookup("village.digital_young").status == "bounded"


def test_the_platforms_trust_effect_may_be_zero_or_negative_and_its_use_may_not_wane():
    low, high = lookup("interventions.digital.contact_gain").plausible
    assert low < 0 < high
    assert lookup("interventions.digital.fatigue").plausible[0] == 0.0
