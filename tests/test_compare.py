"""Each path alone at a budget over the uncertain parameters: budgets kept, shares that add up, reproducible."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from villagesim import compare
from villagesim.best_buy import ARMS, arms_at, factor_ranges, hypercube, uncertain, uncertain_keys, village_ranges
from villagesim.cli import main
from villagesim.params import INTERVENTIONS, resolve
from villagesim import scenarios

SMALL = {"village.population": 300}
FAST = dict(months=24, overrides=SMALL, points=6, seeds=2, max_seeds=4, seed=3)


@pytest.fixture(scope="module")
def small():
    return compare("hollowed", budget=4, **FAST)


def test_the_shares_of_best_buy_sum_to_one_and_match_the_labels(small):
    shares = [p.p_best for p in small.paths]
    assert [p.name for p in small.paths] == list(ARMS)
    assert sum(shares) == pytest.approx(1.0, abs=1e-12)
    labels = small.points["best_path"]
    for p in small.paths:
        assert p.p_best == pytest.approx((labels == p.name).mean())


def test_no_arm_spends_over_the_budget_at_any_point(small):
    """Costs are varied, so each arm's intensity is fitted at each point; the model's own spend stays within."""
    table = small.points
    assert "interventions.digital.cost" in small.factors and "interventions.venue.setup_cost" in small.factors
    for name in INTERVENTIONS:
        assert (table[f"{name}.spent"] <= 4 + 1e-9).all(), name
        assert (table[f"{name}.cost"] <= 4 + 1e-9).all(), name
    # The fit spends the budget, not a token of it: the running paths come close to it somewhere.
    assert table["training.spent"].max() > 3.5


@pytest.mark.parametrize("budget", [3.0, 15.0, 30.0])
def test_every_arm_fits_the_budget_over_the_cost_ranges(budget):
    ranges = factor_ranges(scenarios.load("default").overrides, vary_village=False)
    base = scenarios.load("default").overrides
    for row in hypercube(ranges, 50, 7).to_dict("records"):
        arms = arms_at(resolve({**base, **row}), 120, budget)
        assert all(cost <= budget + 1e-9 for _, cost in arms.values())
        assert arms["nothing"][1] == 0.0


def test_the_uncertain_parameters_are_defined_by_the_registry():
    assert uncertain(SimpleNamespace(plausible=(0.1, 0.2), status="assumed"))
    assert not uncertain(SimpleNamespace(plausible=(0.1, 0.2), status="sourced"))
    assert not uncertain(SimpleNamespace(plausible=None, status="assumed"))
    keys = uncertain_keys()
    assert {"interventions.digital.reach", "interventions.digital.cost", "interventions.venue.setup_cost"} <= set(keys)
    # The village's own values are kept: a key the scenario sets is not varied.
    hollowed = scenarios.load("hollowed").overrides
    assert "village.digital_elderly" in hollowed
    assert "village.digital_elderly" not in factor_ranges(hollowed, vary_village=False)


def test_discovery_varies_the_village_over_the_span_of_the_presets():
    ranges = village_ranges()
    for key in ("branch.regularity", "branch.capability_mean", "village.digital_elderly", "village.elderly_share"):
        values = [scenarios.load(n).overrides.get(key) for n in scenarios.names()]
        low, high = ranges[key]
        assert all(low <= v <= high for v in values if v is not None)
        assert low < high
    assert "village.population" not in ranges
    keys = factor_ranges({}, vary_village=True)
    assert "branch.regularity" in keys and "interventions.digital.reach" in keys


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_the_result_does_not_depend_on_the_executor(request, small, kind):
    from villagesim.sweep import make_executor

    scheduler = request.getfixturevalue("dask_scheduler") if kind == "dask" else None
    executor, release, _ = make_executor(kind, 2, scheduler)
    try:
        pooled = compare("hollowed", budget=4, executor=executor, **FAST)
    finally:
        release()
    assert json.dumps(pooled.to_json()) == json.dumps(small.to_json())
    assert np.array_equal(pooled.points["seeds"], small.points["seeds"])


def test_points_whose_label_is_noise_get_more_seeds():
    result = compare("default", budget=15, months=24, overrides=SMALL, points=6, seeds=2, max_seeds=8, seed=1)
    table = result.points
    assert set(table["seeds"]) <= {2, 4, 8}
    assert (table.loc[~table["resolved"], "seeds"] == 8).all()
    assert result.runs == table["seeds"].sum() * len(ARMS)


def test_compare_json_has_the_named_fields(capsys):
    assert main(["compare", "--scenario", "hollowed", "--budget", "4", "--months", "24", "--set",
                 "village.population=300", "--points", "4", "--seeds", "2", "--max-seeds", "2",
                 "--executor", "serial", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"budget", "months", "paths", "drivers"} <= set(out)
    assert out["budget"] == 4 and out["months"] == 24
    assert [p["name"] for p in out["paths"]] == list(ARMS)
    for path in out["paths"]:
        assert {"name", "overrides", "cost", "gain", "gain_ci", "per_wan", "per_wan_ci", "p_best"} <= set(path)
        assert path["cost"] <= 4
        assert resolve(path["overrides"])  # keys that `villagesim run --set` takes
    assert sum(p["p_best"] for p in out["paths"]) == pytest.approx(1.0)
    assert all(isinstance(d["key"], str) for d in out["drivers"])


@pytest.mark.parametrize("args, needle", [
    (["--scenario", "holowed"], "did you mean hollowed?"),
    (["--objective", "participaton_rate"], "did you mean participation_rate?"),
    (["--objective", "turnout"], "--objective turnout: unknown metric"),
    (["--budget", "-5"], "--budget -5"),
    (["--budget", "abc"], "--budget abc"),
    (["--set", "interventions.digital.intensity=1"], "compare sets every path"),
    (["--set", "village.population=-1"], "village.population"),
    (["--points", "2"], "--points 2: must be an integer >= 4"),
    (["--seeds", "4", "--max-seeds", "2"], "--max-seeds 2"),
    (["--months", "0"], "--months"),
])
def test_bad_compare_input_is_refused_in_one_line(capsys, args, needle):
    argv = ["compare", "--budget", "15", *args] if "--budget" not in args else ["compare", *args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and needle in captured.err
