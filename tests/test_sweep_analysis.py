"""``villagesim analyze``: means with CIs, Sobol' and Morris indices checked on functions with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from villagesim import cli
from villagesim.sweep import run as sweep_run
from villagesim.analysis import analyze, best_points, point_means
from villagesim.sweep import Outcome, parse_spec, run_sweep

KEYS = ("branch.appeals_per_member", "outreach.visits_per_member", "interventions.venue.capacity")


def synthetic_spec(folder, design: str, samples: int, bounds: list[tuple[float, float]]):
    factors = "\n".join(f'"{k}" = {{min = {lo}, max = {hi}}}' for k, (lo, hi) in zip(KEYS, bounds))
    path = folder / "spec.toml"
    path.write_text(f'months = 1\nseed = 5\ndesign = "{design}"\nsamples = {samples}\n'
                    f'[factors]\n{factors}\n[output]\nmetrics = ["trust_mean"]\n', encoding="utf-8")
    return path


def model_of(function, fail_point=None):
    """A stand-in for run_task computing ``function`` of the factor values (fails for ``fail_point``)."""

    def run(task):
        x = [task.overrides[k] for k in KEYS if k in task.overrides]
        if fail_point is not None and task.run_id == fail_point:
            return Outcome(task.run_id, "RuntimeError: injected", 0.0, (math.nan,), ())
        return Outcome(task.run_id, None, 0.0, (function(x),), ())

    return run


def ishigami(x, a=7.0, b=0.1):
    x1, x2, x3 = (v - math.pi for v in x)
    return math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)


def test_sobol_indices_of_the_ishigami_function(tmp_path, monkeypatch):
    """Analytical values (Ishigami and Homma 1990): S1 = .314, .442, 0; ST = .558, .442, .244."""
    monkeypatch.setattr(sweep_run, "run_task", model_of(ishigami))
    spec = synthetic_spec(tmp_path, "sobol", 1024, [(0.0, 2 * math.pi)] * 3)
    run_sweep(spec, tmp_path / "out")
    table = analyze(tmp_path / "out", echo=lambda *a: None)["sobol"].set_index("factor")
    exact = pd.DataFrame({"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}, index=list(KEYS))
    for column in ("S1", "ST"):
        assert np.abs(table[column] - exact[column]).max() < 0.05
        assert ((table[f"{column}_ci_low"] < table[column]) & (table[column] < table[f"{column}_ci_high"])).all()
    assert (tmp_path / "out" / "analysis" / "sobol.png").read_bytes()[:4] == b"\x89PNG"


def test_morris_indices_of_a_linear_function(tmp_path, monkeypatch):
    """y = 3 u1 + 0.5 u2 + 0 u3 with u the factor scaled to its range: mu* = 3, 0.5, 0 and sigma = 0."""
    bounds = [(0.0, 10.0), (2.0, 4.0), (0.0, 100.0)]
    monkeypatch.setattr(sweep_run, "run_task", model_of(lambda x: 3 * x[0] / 10 + 0.5 * (x[1] - 2) / 2))
    run_sweep(synthetic_spec(tmp_path, "morris", 10, bounds), tmp_path / "out")
    table = analyze(tmp_path / "out", echo=lambda *a: None)["morris"].set_index("factor")
    np.testing.assert_allclose(table["mu_star"], [3.0, 0.5, 0.0], atol=1e-9)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-9)


def test_indices_are_not_computed_when_a_point_has_no_successful_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sweep_run, "run_task", model_of(ishigami, fail_point=3))
    run_sweep(synthetic_spec(tmp_path, "sobol", 8, [(0.0, 1.0)] * 3), tmp_path / "out")
    assert cli.main(["analyze", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "sobol indices not computed: 1 design points have no successful run (e.g. point 3)" in out
    points = pd.read_csv(tmp_path / "out" / "analysis" / "points.csv")
    assert points.loc[3, "runs_failed"] == 1 and math.isnan(points.loc[3, "trust_mean"])
    assert not (tmp_path / "out" / "analysis" / "sobol.csv").exists()


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid")
    spec = folder / "spec.toml"
    spec.write_text("""
months = 6
replicates = 4
seed = 3
[set]
"village.population" = 120
[factors]
scenario = ["default", "tourism"]
"interventions.venue.intensity" = [0.0, 1.0]
[output]
metrics = ["participation_rate", "trust_mean"]
every = 2
""", encoding="utf-8")
    run_sweep(spec, folder / "out")
    return folder / "out"


def test_analyze_writes_means_with_t_intervals_and_charts(grid_sweep, capsys):
    assert cli.main(["analyze", str(grid_sweep)]) == 0
    printed = capsys.readouterr().out
    assert "16 of 16 runs finished, 0 failed" in printed and "Mean over replicates [95% CI]" in printed
    folder = grid_sweep / "analysis"
    runs = pd.read_parquet(grid_sweep / "runs")
    points = pd.read_csv(folder / "points.csv")
    assert points["runs_ok"].tolist() == [4] * 4
    for point_id in range(4):
        x = runs.loc[runs["point_id"] == point_id, "trust_mean"].to_numpy()
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
        np.testing.assert_allclose(points.loc[point_id, ["trust_mean", "trust_mean_ci_low", "trust_mean_ci_high"]],
                                   [x.mean(), x.mean() - half, x.mean() + half], rtol=1e-9)
    effects = pd.read_csv(folder / "effects.csv")
    venue = effects[(effects["factor"] == "interventions.venue.intensity") & (effects["metric"] == "trust_mean")]
    assert venue["n"].tolist() == [8, 8]
    assert venue["mean"].iloc[1] == pytest.approx(
        runs.loc[runs["interventions.venue.intensity"] == 1.0, "trust_mean"].mean())
    for name in ("effects_participation_rate", "effects_trust_mean", "timeseries"):
        assert (folder / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert cli.main(["analyze", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a sweep folder" in err
    assert list(tmp_path.iterdir()) == []


def test_best_point_per_factor_level(grid_sweep, capsys):
    assert cli.main(["analyze", str(grid_sweep), "--best", "trust_mean", "--by", "scenario"]) == 0
    best = pd.read_csv(grid_sweep / "analysis" / "best.csv")
    points = pd.read_csv(grid_sweep / "analysis" / "points.csv")
    assert best["scenario"].tolist() == ["default", "tourism"]
    for _, row in best.iterrows():
        same = points[points["scenario"] == row["scenario"]]
        top = same.loc[same["trust_mean"].idxmax()]
        assert row["point_id"] == top["point_id"] and row["trust_mean"] == pytest.approx(top["trust_mean"])
        others = same.drop(index=top.name)
        assert row["tied_count"] == int((others["trust_mean_ci_high"] >= top["trust_mean_ci_low"]).sum())
    assert "Highest mean trust_mean for each scenario" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [(["--best", "cost_cumulative"], "--best cost_cumulative: not a metric"),
                                           (["--best", "trust_mean", "--by", "village.hamlets"], "--by village.hamlets"),
                                           (["--by", "scenario"], "--by: only with --best")])
def test_analyze_refuses_bad_options_before_writing(grid_sweep, tmp_path, capsys, argv, message):
    dest = tmp_path / "analysis"
    assert cli.main(["analyze", str(grid_sweep), "--out", str(dest), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not dest.exists()


def test_the_terminal_summary_is_narrow_and_the_wide_table_goes_to_csv(grid_sweep, capsys):
    assert cli.main(["analyze", str(grid_sweep), "--best", "trust_mean", "--by", "scenario"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = [line for line in lines if not line.startswith(("wrote", str(grid_sweep)))]
    assert max(len(line) for line in table) <= 100
    points = pd.read_csv(grid_sweep / "analysis" / "points.csv")
    assert {"trust_mean_ci_low", "participation_rate_ci_high"} <= set(points.columns)


@pytest.mark.parametrize("common_seeds, ties, comparison", [(True, 0, "paired by replicate"), (False, 1, "CI overlap")])
def test_best_point_ties_are_paired_by_replicate_when_the_sweep_shares_seeds(common_seeds, ties, comparison):
    spec = parse_spec({"months": 6, "replicates": 6, "common_seeds": common_seeds,
                       "factors": {"interventions.venue.intensity": [0.0, 1.0]},
                       "output": {"metrics": ["trust_mean"]}})
    # Replicates differ a lot, the points by a steady 0.01: only a paired comparison tells them apart.
    base = np.linspace(0.2, 0.8, 6)
    runs = pd.DataFrame({"point_id": np.repeat([0, 1], 6), "replicate": np.tile(np.arange(6), 2), "status": "ok",
                         "interventions.venue.intensity": np.repeat([0.0, 1.0], 6),
                         "trust_mean": np.concatenate([base, base + 0.01 + 0.002 * (np.arange(6) % 2)])})
    best = best_points(spec, point_means(spec, runs), "trust_mean", runs=runs)
    assert best["point_id"].tolist() == [1]
    assert best["tied_count"].tolist() == [ties] and best["comparison"].tolist() == [comparison]
    assert best["tied_point_ids"].tolist() == ["0" * ties]  # the ids, not a count: here point 0 or none


def test_a_sweep_on_common_seeds_shows_the_paired_comparison_unasked(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('months = 3\nreplicates = 3\nseed = 3\ncommon_seeds = true\n[set]\n"village.population" = 100\n'
                    '[factors]\n"interventions.venue.intensity" = [0.0, 1.0]\n'
                    '[output]\nmetrics = ["trust_mean", "participation_rate"]\n', encoding="utf-8")
    assert cli.main(["sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial"]) == 0
    assert cli.main(["analyze", str(tmp_path / "s")]) == 0
    best = pd.read_csv(tmp_path / "s" / "analysis" / "best.csv")
    assert best["comparison"].tolist() == ["paired by replicate"]
    out = capsys.readouterr().out
    assert "Highest mean trust_mean [95% CI]" in out
    assert "trust_mean [0-1]" in out and "participation_rate [share]" in out  # the tables give units
