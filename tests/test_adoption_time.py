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
    ({"relations": ("tallk",)}, "no tie has relation 'tallk'; did you mean 'talk'?"),
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
    (["--relations", "talks"], "did you mean 'talk'?"),
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
