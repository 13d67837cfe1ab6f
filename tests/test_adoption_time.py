"""Adoption over time and membership: reading the data, the timing fit, hazards given the history, intervals."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from villagesim.calibration import read_groups
from villagesim.calibration.rule import enrolment_months
from villagesim.errors import InputError
from villagesim.params import resolve


def diffusion_data(folder, villages=4, size=30, last=8, seed=3):
    """Villages with members, directed nominations of two relations and adoption periods (last = censored)."""
    rng = np.random.default_rng(seed)
    rows, edges = [], []
    for v in range(villages):
        ids = [f"{v}-{i}" for i in range(size)]
        member = rng.random(size) < 0.4
        member[0], member[1] = True, False
        toa = np.where(rng.random(size) < 0.6, rng.integers(1, last, size), last)
        toa[0] = last  # every village reaches the last period
        rows += [[ids[i], f"village {v}", 20 + i, int(member[i]), int(toa[i])] for i in range(size)]
        for i in range(size):
            for j in rng.choice(size, 3, replace=False):
                if j != i:
                    edges.append([ids[i], ids[j], rng.choice(["talk", "neighbour"])])
    nodes_path, edges_path = folder / "nodes.csv", folder / "edges.csv"
    with open(nodes_path, "w", newline="") as handle:
        csv.writer(handle).writerows([["id", "village", "age", "club", "toa"], *rows])
    with open(edges_path, "w", newline="") as handle:
        csv.writer(handle).writerows([["from", "to", "relation"], *edges])
    return str(nodes_path), str(edges_path)


def test_times_membership_and_chosen_relations_are_read(tmp_path):
    nodes, edges = diffusion_data(tmp_path)
    both = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8, participation_col="club")
    talk = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8, relations=("talk",))
    assert both.time.min() >= 1 and both.time.max() == 8 and both.last_period == 8
    assert (both.participation == both.seed).all()
    assert 0 < talk.adjacency.nnz < both.adjacency.nnz
    assert (both.adjacency != both.adjacency.T).nnz == 0  # nominations are symmetrised


@pytest.mark.parametrize("kwargs, message", [
    ({"time_col": "toa", "last_period": 9}, "--last-period 9 does not match the data: the largest toa is 8"),
    ({"time_col": "toa", "last_period": 7}, "toa '8' must be a whole period from 1 to --last-period 7"),
    ({"time_col": "village", "last_period": 8}, "village 'village 0' must be a whole period"),
    ({"time_col": "toa"}, "--time-col and --last-period: give both"),
    ({"relations": ("tallk",)}, "no tie has relation 'tallk'; did you mean talk? relations: neighbour, talk"),
    ({"time_col": "when", "last_period": 8}, "no 'when' column"),
])
def test_bad_time_or_relation_is_refused_in_one_line(tmp_path, kwargs, message):
    nodes, edges = diffusion_data(tmp_path)
    with pytest.raises(InputError) as err:
        read_groups(nodes, edges, "id", "village", "club", **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_those_who_declined_enrol_later_only_when_they_reconsider(tmp_path):
    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club")
    params = resolve({"project.campaign": 36, "project.outreach": 0.0, "project.member_shift": 0.0,
                      "project.propensity": -1.0, "project.propensity_sd": 0.0})
    once = enrolment_months(groups, params, 20, 1)
    again = enrolment_months(groups, {**params, "project.reconsider": 0.2}, 20, 1)
    assert (once[:, groups.seed] <= 0).all()  # members are informed first and decide in the first month
    assert (again[:, groups.seed] > 0).any()
    assert (again >= 0).mean() > (once >= 0).mean()


def test_the_simulated_histories_and_the_hazard_filter_ramp_the_campaign_from_launch(tmp_path):
    from villagesim.calibration.hazard import hazards

    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8)
    # Only the campaign informs: nobody passes the news on.
    params = resolve({"project.campaign": 84, "project.outreach": 0.2, "project.news_prob": 0.0,
                      "project.news_prob_enrolled": 0.0, "project.propensity": 3.0, "project.propensity_sd": 0.0})
    ramped = {**params, "project.outreach_ramp": 36.0}
    flat, slow = (enrolment_months(groups, p, 20, 1)[:, ~groups.seed] for p in (params, ramped))
    assert ((slow > 1) | (slow < 0)).all() and (flat == 1).any()  # none hears at launch
    assert (slow >= 0).mean() > 0.9  # and full strength after the ramp
    assert ((slow >= 0) & (slow < 12)).mean() < ((flat >= 0) & (flat < 12)).mean()
    first, later = (hazards(groups, p)[~groups.seed] for p in (params, ramped))
    assert np.nanmean(later[:, 0]) < 0.5 * np.nanmean(first[:, 0])


def _with_times(groups, time):
    from dataclasses import replace

    return replace(groups, time=time, _blocks={})


@pytest.mark.parametrize("t", [1, 3, 5])
def test_the_hazards_up_to_a_period_never_read_later_adoptions(tmp_path, t):
    from villagesim.calibration.hazard import hazards

    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8)
    params = resolve({"project.reconsider": 0.05, "project.outreach": 0.01, "project.news_prob": 0.05})
    later = groups.time > t
    rng = np.random.default_rng(t)
    moved = groups.time.copy()
    moved[later] = rng.integers(t + 1, 9, later.sum())  # any adoption period after t, or none
    assert (moved != groups.time).any()
    before, after = hazards(groups, params), hazards(_with_times(groups, moved), params)
    np.testing.assert_array_equal(before[:, :t], after[:, :t])
    # Period t + 2 reads adoptions in period t + 1, which moved: the check can see a change.
    assert not np.allclose(np.nan_to_num(before[:, t + 1]), np.nan_to_num(after[:, t + 1]))


def test_adopting_neighbours_raise_the_hazard_only_when_adopters_talk(tmp_path):
    from villagesim.calibration.hazard import hazards, person_periods

    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8)
    params = resolve({"project.outreach": 0.001, "project.news_prob": 0.0, "project.propensity": 2.0,
                      "project.propensity_sd": 0.0})
    rows = person_periods(groups)
    talk, silent = (hazards(groups, {**params, "project.news_prob_enrolled": q})[rows.person, rows.period - 1]
                    for q in (0.1, 0.0))
    first = (rows.period == 2) & (rows.exposure > 0)  # first exposed in period 2
    assert talk[first].mean() > 5 * silent[first].mean()


TIME_SMALL = ["--replicates", "2", "--candidates", "4", "--starts", "1", "--max-evaluations", "4", "--profiles", "0",
              "--draws", "5", "--steps", "10",
              "--final-replicates", "3"]


def _data_args(nodes, edges, out, *extra):
    return ["--nodes", nodes, "--edges", edges, "--group-col", "village", "--seed-col", "club", "--time-col", "toa",
            "--last-period", "8", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def timing_calibration(tmp_path_factory):
    from villagesim.cli import main

    folder = tmp_path_factory.mktemp("timing")
    nodes, edges = diffusion_data(folder)
    assert main(["calibrate", *_data_args(nodes, edges, folder / "cal"), *TIME_SMALL]) == 0
    return folder, nodes, edges


def test_calibrate_and_predict_adoption_over_time(timing_calibration):
    from villagesim.cli import main

    folder, nodes, edges = timing_calibration
    params = str(folder / "cal" / "params.toml")
    assert main(["predict", *_data_args(nodes, edges, folder / "p"), "--params", params]) == 0
    with open(folder / "p" / "hazard.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "group", "period", "predicted", "period_only", "logit_on_exposure"]
    groups = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8)
    assert len(rows) == sum(int((groups.time >= p).sum()) for p in range(1, 8))
    assert all(0 < float(r[c]) < 1 for r in rows for c in ("predicted", "period_only", "logit_on_exposure"))


@pytest.mark.parametrize("extra, message", [
    (["--last-period", "9"], "--last-period 9 does not match the data"),
    (["--relations", "talks"], "did you mean talk?"),
    (["--time-col", "wrong"], "no 'wrong' column"),
    (["--set", "project.reconsider=0.1"], "--set project.reconsider: is estimated by calibrate"),
])
def test_calibrate_refuses_bad_timing_input_in_one_line(tmp_path, capsys, extra, message):
    from villagesim.cli import main

    nodes, edges = diffusion_data(tmp_path)
    out = tmp_path / "out"
    assert main(["calibrate", *_data_args(nodes, edges, out), *TIME_SMALL, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_predict_over_time_refuses_a_take_up_calibration(timing_calibration, tmp_path, capsys):
    from villagesim.cli import main

    folder, nodes, edges = timing_calibration
    bad = tmp_path / "params.toml"
    text = (folder / "cal" / "params.toml").read_text()
    bad.write_text(text.replace("period_months", "months_per_period"))
    assert main(["predict", *_data_args(nodes, edges, tmp_path / "p"), "--params", str(bad)]) == 2
    assert "not a calibration on adoption over time" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_the_posterior_draws_follow_the_objective():
    from types import SimpleNamespace

    from villagesim.calibration.intervals import posterior_draws
    from villagesim.calibration.moments import Fit

    keys = ("project.propensity", "project.member_shift")

    class Quadratic:
        def __init__(self):
            self.keys = keys

        def __call__(self, unit):
            return float(np.sum(((unit - 0.5) / 0.04) ** 2))  # exp(-J/2): normal, SD 0.04 on each axis

    centre = np.full(2, 0.5)
    cal = SimpleNamespace(objective=Quadratic(), fit=Fit(centre, {}, 0.0, None, None, None, 0))
    draws, acceptance = posterior_draws(cal, 1000, 6000, seed=3)
    from villagesim.calibration.moments import to_unit

    units = np.array([[to_unit(k, d[k]) for k in keys] for d in draws])
    assert 0.15 < acceptance < 0.7
    np.testing.assert_allclose(units.std(axis=0), 0.04, rtol=0.3)
    np.testing.assert_allclose(units.mean(axis=0), 0.5, atol=0.02)


def test_intervals_widen_with_the_parameters_uncertainty(timing_calibration, tmp_path):
    import tomllib

    import tomli_w

    from villagesim.cli import main

    folder, nodes, edges = timing_calibration
    table = tomllib.loads((folder / "cal" / "params.toml").read_text())
    widths = {}
    for name, spread in (("certain", 0.0), ("uncertain", 1.5)):
        posterior = {key: [table["params"][key]] * 20 for key in table["calibration"]["posterior"]}
        posterior["project.propensity"] = list(table["params"]["project.propensity"] + np.linspace(-spread, spread, 20))
        table["calibration"]["posterior"] = posterior
        path = tmp_path / f"{name}.toml"
        path.write_text(tomli_w.dumps(table))
        assert main(["predict", *_data_args(nodes, edges, tmp_path / name), "--params", str(path), "--per-draw", "2",
                     "--replicates", "4"]) == 0
        with open(tmp_path / name / "curves.csv") as handle:
            rows = list(csv.DictReader(handle))
        widths[name] = np.mean([float(r["upper"]) - float(r["lower"]) for r in rows])
    assert widths["uncertain"] > 1.3 * widths["certain"] > 0


def test_no_fold_fits_on_the_village_it_scores(tmp_path):
    from dataclasses import replace

    from villagesim.calibration.folds import Settings, time_fold

    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club", time_col="toa", last_period=8)
    settings = Settings(replicates=2, candidates=4, max_evaluations=4, starts=1, draws=4, steps=6, per_draw=1,
                        final_replicates=2)
    held = groups.group == 1
    scrambled = groups.time.copy()
    scrambled[held] = np.random.default_rng(9).permutation(scrambled[held])
    scrambled[np.flatnonzero(held & (scrambled < 8))[:5]] = 8
    folds = [time_fold(replace(groups, time=t, _blocks={}), 1, resolve({}), "likelihood", settings, 4)
             for t in (groups.time, scrambled)]
    assert folds[0]["baselines"] == folds[1]["baselines"]
    assert folds[0]["estimate"] == folds[1]["estimate"]
    assert not np.array_equal(folds[0]["observed"], folds[1]["observed"])  # the fold does score the change


def test_membership_is_fitted_and_predicted_per_person(tmp_path, capsys):
    from villagesim.cli import main

    nodes, edges = diffusion_data(tmp_path)
    extra = ["--participation-col", "club", "--age-col", "age"]
    assert main(["calibrate", *_data_args(nodes, edges, tmp_path / "cal", *extra), *TIME_SMALL]) == 0
    params = str(tmp_path / "cal" / "params.toml")
    assert main(["predict", *_data_args(nodes, edges, tmp_path / "p", *extra), "--params", params,
                 "--replicates", "4"]) == 0
    with open(tmp_path / "p" / "people.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "group", "predicted_participation", "logit"] and len(rows) == 120
    assert all(0 <= float(r["predicted_participation"]) <= 1 and 0 < float(r["logit"]) < 1 for r in rows)
    # A calibration without membership cannot predict it: refused before anything is written.
    assert main(["calibrate", *_data_args(nodes, edges, tmp_path / "bare"), *TIME_SMALL]) == 0
    capsys.readouterr()
    assert main(["predict", *_data_args(nodes, edges, tmp_path / "q", *extra), "--params",
                 str(tmp_path / "bare" / "params.toml")]) == 2
    assert "no membership fit" in capsys.readouterr().err and not (tmp_path / "q").exists()


def test_participation_rule_clusters_members_when_neighbours_weigh(tmp_path):
    from villagesim.calibration.membership import membership_moments, simulate_rule

    nodes, edges = diffusion_data(tmp_path)
    groups = read_groups(nodes, edges, "id", "village", "club", participation_col="club")
    base = resolve({"participation.threshold_mean": 0.45, "participation.threshold_sd": 0.2})
    alone = membership_moments(groups, simulate_rule(groups, {**base, "participation.trust_weight": 1.0}, 30, 1))
    social = membership_moments(groups, simulate_rule(groups, {**base, "participation.trust_weight": 0.5}, 30, 1))
    v = len(groups.labels)
    gap = (social[:, v] - social[:, v + 1]).mean()  # members' ties to members minus non-members'
    assert abs((alone[:, v] - alone[:, v + 1]).mean()) < 0.05 < gap


def test_in_the_village_model_those_who_declined_enrol_later_only_when_they_reconsider():
    from villagesim import VillageModel

    settings = {"village.population": 400, "region.villages": 2, "project.start": 0, "project.outreach": 1.0,
                "project.propensity": -2.0, "project.propensity_sd": 0.0, "project.campaign": 12}
    enrolled = {}
    for again in (0.0, 0.3):
        model = VillageModel({**settings, "project.reconsider": again}, seed=3)
        model.run(12)
        enrolled[again] = model.population.enrolled[model.population.alive].mean()
    assert enrolled[0.3] > 1.5 * enrolled[0.0] > 0
