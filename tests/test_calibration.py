"""calibrate and predict: the model's own rule, its passing asymmetry, limited places and leak-freedom; bad input."""

from __future__ import annotations

import csv
import tomllib

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import OptimizeResult
from scipy.sparse.csgraph import connected_components
from scipy.stats import qmc, ttest_ind

from villagesim.calibration import FITTED, Groups, leave_one_out, moments, predict, read_groups, simulate, to_params
from villagesim.cli import main
from villagesim.network import from_edges
from villagesim.params import resolve

SMALL = ["--months", "4", "--replicates", "4", "--candidates", "4", "--max-evaluations", "6", "--profiles", "1",
         "--bootstrap", "20", "--final-replicates", "8", "--draws", "5", "--steps", "10"]
CERTAIN = {"project.news_prob": 1.0, "project.news_prob_enrolled": 1.0, "project.outreach": 0.0,
           "project.propensity": 20.0, "project.propensity_sd": 0.0, "project.member_shift": 0.0,
           "project.trust_effect": 0.0, "project.places": 100_000}


def village_network(sizes, seeds_per_group, degree, rng):
    """Erdős-Rényi villages: group, seed flags and within-village ties."""
    group = np.repeat(np.arange(len(sizes)), sizes)
    start = np.r_[0, np.cumsum(sizes)[:-1]]
    src, dst, seed = [], [], np.zeros(group.size, bool)
    for g, (n, k) in enumerate(zip(sizes, seeds_per_group)):
        m = rng.poisson(degree * n / 2)
        src.append(start[g] + rng.integers(0, n, m))
        dst.append(start[g] + rng.integers(0, n, m))
        seed[start[g] + rng.choice(n, k, replace=False)] = True
    return group, seed, np.concatenate(src), np.concatenate(dst)


def write_data(folder, group, seed, outcome, src, dst, labels=None):
    ids = [f"h{i}" for i in range(group.size)]
    names = labels or [f"v{g}" for g in range(group.max() + 1)]
    with open(folder / "nodes.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["hh", "village", "leader", "loan"])
        out.writerows([ids[i], names[group[i]], int(seed[i]), int(outcome[i])] for i in range(group.size))
    (folder / "edges.csv").write_text("a,b\n" + "".join(f"{ids[s]},{ids[d]}\n" for s, d in zip(src, dst)))
    return str(folder / "nodes.csv"), str(folder / "edges.csv")


@pytest.fixture
def network():
    rng = np.random.default_rng(5)
    group, seed, src, dst = village_network([60, 80, 70, 90], [6, 8, 5, 9], 4.0, rng)
    outcome = rng.random(group.size) < 0.15
    return group, seed, outcome, src, dst


@pytest.fixture
def data(tmp_path, network):
    return write_data(tmp_path, *network)


def args(nodes, edges, out, *extra):
    return ["--nodes", nodes, "--edges", edges, "--id-col", "hh", "--group-col", "village", "--seed-col", "leader",
            "--out", str(out), *extra]


def groups_of(group, seed, src, dst, outcome=None):
    return Groups([str(g) for g in np.unique(group)], group, from_edges(group.size, src, dst), seed, outcome, 0)


def test_certain_news_and_decisions_fill_each_seeded_component():
    rng = np.random.default_rng(1)
    group, seed, src, dst = village_network([50, 40, 70], [1, 2, 1], 1.5, rng)  # sparse: several components
    groups = groups_of(group, seed, src, dst)
    enrolled = simulate(groups, resolve({**CERTAIN, "project.campaign": 200}), replicates=3, seed=0)
    _, label = connected_components(groups.adjacency, directed=False)
    assert (enrolled == np.isin(label, label[seed])).all()


def test_no_news_no_uptake():
    rng = np.random.default_rng(2)
    groups = groups_of(*village_network([50, 40], [3, 3], 4.0, rng))
    params = resolve({**CERTAIN, "project.news_prob": 0.0, "project.news_prob_enrolled": 0.0})
    assert not simulate(groups, params, 5, seed=3)[:, ~groups.seed].any()


def test_only_enrolled_seeds_pass_the_news_when_the_others_never_do():
    """With news_prob 0, only neighbours of enrolled seeds can hear: the two passing probabilities are distinct."""
    rng = np.random.default_rng(4)
    group, seed, src, dst = village_network([200, 200], [10, 10], 5.0, rng)
    outcome = seed & (group == 0)  # village 0's seeds all enrolled, village 1's none
    groups = groups_of(group, seed, src, dst, outcome)
    params = resolve({**CERTAIN, "project.news_prob": 0.0, "project.news_prob_enrolled": 0.5, "project.campaign": 2})
    taken = predict(groups, params, 20, 7, given_seeds=True)
    assert taken[0] > 0.05 and taken[1] == 0.0


def test_neighbours_of_enrolled_seeds_take_up_more_when_participants_talk_more():
    rng = np.random.default_rng(6)
    group, seed, src, dst = village_network([300] * 4, [30] * 4, 4.0, rng)
    outcome = seed & (rng.random(seed.size) < 0.5)
    groups = groups_of(group, seed, src, dst, outcome)
    adj = groups.adjacency.astype(float)
    only_enrolled = ((adj @ outcome) > 0) & ((adj @ (seed & ~outcome)) == 0) & ~seed
    only_other = ((adj @ (seed & ~outcome)) > 0) & ((adj @ outcome) == 0) & ~seed

    def contrast(q_non, q_enrolled):
        params = resolve({**CERTAIN, "project.propensity": -1.0, "project.news_prob": q_non,
                          "project.news_prob_enrolled": q_enrolled, "project.campaign": 2})
        enrolled = simulate(groups, params, 60, 3, outcome)
        return enrolled[:, only_enrolled].mean(axis=1) - enrolled[:, only_other].mean(axis=1)

    asymmetric, symmetric = contrast(0.05, 0.35), contrast(0.2, 0.2)
    assert asymmetric.mean() > 0.05 and asymmetric.mean() > 4 * asymmetric.std() / len(asymmetric) ** 0.5
    assert ttest_ind(asymmetric, symmetric).pvalue < 1e-6


def test_the_fit_uses_the_models_propensity_for_the_projects_potential(network):
    group, seed, _, src, dst = network
    groups = groups_of(group, seed, src, dst)
    params = {"project.propensity_sd": 0.0, "project.potential_effect": 2.0, "project.places": 100_000}
    promising = simulate(groups, resolve({**params, "project.propensity": -1.0, "project.potential": 1.0}), 4, 7)
    ordinary = simulate(groups, resolve({**params, "project.propensity": 0.0, "project.potential": 0.5}), 4, 7)
    np.testing.assert_array_equal(promising, ordinary)  # -1 + 2 x (1 - 0.5) = 0 + 0
    assert simulate(groups, resolve({**params, "project.propensity": -1.0}), 4, 7).sum() < ordinary.sum()


def test_the_spread_across_villages_is_simulated_as_one_draw_of_villages():
    # The data are one draw of villages: with the propensity's spread the simulated spread must be that of one
    # replicate's villages (wide), not that of take-ups averaged over replicates (narrow); without it, only noise.
    rng = np.random.default_rng(3)
    group, seed, src, dst = village_network([80] * 12, [10] * 12, 4.0, rng)
    data = moments.prepare(groups_of(group, seed, src, dst, rng.random(group.size) < 0.15))
    assert moments.MOMENT_NAMES[-2] == "spread (SD)"
    spread = {sd: [moments.simulated_moments(data, resolve({"project.propensity": -1.5, "project.propensity_sd": sd,
                                                            "project.outreach": 0.3}), 16, s)[-2] for s in (1, 2, 3)]
              for sd in (0.0, 2.0)}
    assert max(spread[0.0]) < 0.07 and min(spread[2.0]) > 0.2


def test_the_slope_on_the_seeds_take_up_measures_how_much_villages_differ():
    # With one propensity for all villages the leaders' decisions say nothing about the others'; with a wide
    # spread across villages they say much (the data's slope is about 0.64).
    rng = np.random.default_rng(3)
    group, seed, src, dst = village_network([80] * 12, [10] * 12, 4.0, rng)
    data = moments.prepare(groups_of(group, seed, src, dst, rng.random(group.size) < 0.15))
    slope = {sd: [moments.simulated_moments(data, resolve({"project.propensity": -1.5, "project.propensity_sd": sd,
                                                           "project.outreach": 0.3}), 16, s)[-1] for s in (1, 2, 3)]
             for sd in (0.0, 2.0)}
    assert max(abs(v) for v in slope[0.0]) < 0.15 and min(slope[2.0]) > 0.6
    assert moments.MOMENT_NAMES[-1] == "slope on the seeds' take-up"


def test_limited_places_cap_each_village_as_a_count():
    """Everyone hears and wants in, but each village takes in only `places`: the rate falls as 1/size."""
    rng = np.random.default_rng(8)
    group, seed, src, dst = village_network([100, 200, 400], [5, 5, 5], 6.0, rng)
    groups = groups_of(group, seed, src, dst)
    params = resolve({**CERTAIN, "project.places": 30, "project.campaign": 12})
    enrolled = simulate(groups, params, 10, 1)
    counts = np.stack([np.bincount(group, weights=e, minlength=3) for e in enrolled])
    assert (counts == 30).all()  # the seeds are taken in first, then 25 others
    assert np.allclose(predict(groups, params, 10, 1, False), 25 / (groups.size - 5))
    unlimited = simulate(groups, resolve({**params, "project.places": 100_000}), 10, 1)
    assert (np.stack([np.bincount(group, weights=e, minlength=3) for e in unlimited]) > 60).all()


def test_given_seeds_predictions_ignore_the_non_seeds_outcomes(tmp_path, network):
    group, seed, outcome, src, dst = network
    nodes, edges = write_data(tmp_path, group, seed, outcome, src, dst)
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), "--seed", "1",
                 *SMALL]) == 0
    params = str(tmp_path / "cal" / "params.toml")
    scrambled = outcome.copy()
    scrambled[~seed] = np.random.default_rng(0).permutation(outcome[~seed])
    assert (scrambled[~seed] != outcome[~seed]).any()
    predictions = []
    for name, values in (("a", outcome), ("b", scrambled), ("c", ~outcome)):
        folder = tmp_path / name
        folder.mkdir()
        n2, e2 = write_data(folder, group, seed, np.where(seed, outcome, values), src, dst)
        assert main(["predict", *args(n2, e2, folder / "p", "--outcome-col", "loan"), "--params", params,
                     "--given-seeds", "--replicates", "6"]) == 0
        with open(folder / "p" / "groups.csv", newline="") as handle:
            predictions.append([row["predicted"] for row in csv.DictReader(handle)])
    assert predictions[0] == predictions[1] == predictions[2]
    # ... while the seeds' decisions do change them.
    folder = tmp_path / "d"
    folder.mkdir()
    n2, e2 = write_data(folder, group, seed, np.where(seed, ~outcome, outcome), src, dst)
    assert main(["predict", *args(n2, e2, folder / "p", "--outcome-col", "loan"), "--params", params,
                 "--given-seeds", "--replicates", "6"]) == 0
    with open(folder / "p" / "groups.csv", newline="") as handle:
        assert [row["predicted"] for row in csv.DictReader(handle)] != predictions[0]


def test_leave_one_out_never_reads_the_held_out_outcomes(network):
    """Changing a village's non-seed outcomes changes the other folds' fits, never its own prediction."""
    group, seed, outcome, src, dst = network
    flipped = outcome.copy()
    flipped[(group == 2) & ~seed] = ~outcome[(group == 2) & ~seed]
    runs = [leave_one_out(groups_of(group, seed, src, dst, o), resolve({"project.campaign": 3}), 2, 4, 1, 4, 4,
                          bootstrap=10, log=lambda _: None) for o in (outcome, flipped)]
    for key in ("given", "simulated", "size", "size + seeds' take-up"):
        assert runs[0][key][2] == runs[1][key][2]
    assert runs[0]["size"][0] != runs[1]["size"][0]  # village 2 is in the training set of fold 0


def test_leave_one_out_is_the_same_in_a_process_pool(network):
    from concurrent.futures import ProcessPoolExecutor

    group, seed, outcome, src, dst = network
    groups, base = groups_of(group, seed, src, dst, outcome), resolve({"project.campaign": 3})
    serial = leave_one_out(groups, base, 2, 4, 1, 4, 4, bootstrap=10, log=lambda _: None, profiles=False)
    with ProcessPoolExecutor(2) as pool:
        pooled = leave_one_out(groups, base, 2, 4, 1, 4, 4, bootstrap=10, log=lambda _: None, profiles=False,
                               executor=pool)
    for key in ("given", "simulated", "size"):
        assert np.array_equal(serial[key], pooled[key])
    assert serial["estimates"] == pooled["estimates"]


def test_multi_start_polishes_the_best_sobol_points_and_keeps_the_lowest_end(monkeypatch, network):
    group, seed, outcome, src, dst = network
    groups, base = groups_of(group, seed, src, dst, outcome), resolve({"project.campaign": 3})
    objective = moments.Objective(groups, base, 2, 1, 10)
    design = qmc.Sobol(len(FITTED), scramble=True, seed=1).random(8)
    best_three = design[np.argsort([objective(u) for u in design])[:3]]
    starts, ends = [], iter([(0.9, 7.0), (0.3, 2.0), (0.6, 5.0)])  # the second start ends lowest

    def polish(loss, x0, **_):
        starts.append(np.array(x0))
        x, value = next(ends)
        return OptimizeResult(x=np.full(x0.size, x), fun=value)

    monkeypatch.setattr(moments, "minimize", polish)
    result = moments.fit(groups, base, 2, 1, candidates=8, max_evaluations=4, bootstrap=10, starts=3)
    assert np.array_equal(np.array(starts), best_three)
    assert result.objective == 2.0 and result.starts == (7.0, 2.0, 5.0)
    assert result.estimate == to_params(np.full(len(FITTED), 0.3))


def test_multi_start_reports_the_objective_at_its_estimate(network):
    group, seed, outcome, src, dst = network
    groups, base = groups_of(group, seed, src, dst, outcome), resolve({"project.campaign": 3})
    result = moments.fit(groups, base, 2, 1, candidates=8, max_evaluations=12, bootstrap=10, starts=3)
    assert len(result.starts) == 3 and result.objective == min(result.starts)
    assert moments.Objective(groups, base, 2, 1, 10)(result.unit) == result.objective


def test_a_lower_profile_point_becomes_the_estimate_and_its_interval_holds_it(monkeypatch, network):
    """Started one profile step off the search's minimum, a profile finds a lower point: the estimate moves there
    (given rounds enough to settle, the profiles end with no point below it)."""
    group, seed, outcome, src, dst = network
    groups, base = groups_of(group, seed, src, dst, outcome), resolve({"project.campaign": 3})
    poor = moments.fit(groups, base, 2, 1, candidates=8, max_evaluations=40, bootstrap=10, starts=1).unit.copy()
    poor[0] = np.clip(poor[0] + 0.15, 0.0, 1.0)

    def poor_search(objective, *_):
        return moments._result(objective, poor, objective(poor))

    def recorded_profile(*a, **k):
        found = real_profile(*a, **k)
        lowest.append(float(found.values.min()))
        return found

    real_profile, lowest = moments.profile, []
    monkeypatch.setattr(moments, "search", poor_search)
    monkeypatch.setattr(moments, "profile", recorded_profile)
    cal = moments.calibrate(groups, base, 2, 1, 8, 40, 10, refits=6)
    first_round = min(lowest[:len(FITTED)])
    poor_objective = moments.Objective(groups, base, 2, 1, 10)(poor)
    assert first_round < poor_objective - moments.REFIT_TOLERANCE  # the situation this test needs
    assert cal.refits >= 1 and cal.fit.objective <= first_round
    assert moments.Objective(groups, base, 2, 1, 10)(cal.fit.unit) == cal.fit.objective
    assert cal.below <= moments.REFIT_TOLERANCE
    for key in FITTED:
        p = cal.profiles[key]
        assert p.values.min() >= cal.fit.objective - moments.REFIT_TOLERANCE
        low, high, _ = cal.intervals[key]
        assert low <= cal.fit.estimate[key] <= high, key


def test_same_seed_same_files(data, tmp_path):
    nodes, edges = data
    outputs = []
    for name in ("a", "b"):
        assert main(["calibrate", *args(nodes, edges, tmp_path / name, "--outcome-col", "loan"), "--seed", "7",
                     *SMALL]) == 0
        outputs.append(tuple((tmp_path / name / f).read_text() for f in ("params.toml", "fit.csv", "profiles.csv")))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].splitlines()[0] == "group,n,observed,predicted"
    table = tomllib.loads(outputs[0][0])
    assert set(FITTED) <= set(table["params"]) and set(table["calibration"]["interval95"]) == set(FITTED)


def test_labels_with_commas_and_quotes_keep_their_columns(tmp_path, network):
    group, seed, outcome, src, dst = network
    labels = ['A, east', 'B "north"', "C", "D"]
    nodes, edges = write_data(tmp_path, group, seed, outcome, src, dst, labels)
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), *SMALL]) == 0
    with open(tmp_path / "cal" / "fit.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["group"] for r in rows] == labels and all(len(r) == 4 for r in rows)


def test_predict_writes_groups_and_observed(data, tmp_path):
    nodes, edges = data
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), "--seed", "1",
                 *SMALL]) == 0
    params = str(tmp_path / "cal" / "params.toml")
    assert main(["predict", *args(nodes, edges, tmp_path / "p1"), "--params", params, "--replicates", "5"]) == 0
    assert (tmp_path / "p1" / "groups.csv").read_text().splitlines()[0] == "group,n,predicted,lower,upper"
    assert main(["predict", *args(nodes, edges, tmp_path / "p2", "--outcome-col", "loan"), "--params", params,
                 "--replicates", "5"]) == 0
    with open(tmp_path / "p2" / "groups.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["group", "n", "predicted", "lower", "upper", "observed"] and len(rows) == 4
    assert all(0 <= float(r["lower"]) <= float(r["upper"]) <= 1 and float(r["lower"]) < float(r["upper"])
               for r in rows)


def test_given_seeds_needs_the_outcome_column(data, tmp_path, capsys):
    nodes, edges = data
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), *SMALL]) == 0
    assert main(["predict", *args(nodes, edges, tmp_path / "p"), "--params", str(tmp_path / "cal" / "params.toml"),
                 "--given-seeds"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--given-seeds" in err[0]
    assert not (tmp_path / "p").exists()


def _rewrite(path, old, new):
    text = open(path).read()
    assert old in text
    open(path, "w").write(text.replace(old, new, 1))


@pytest.mark.parametrize("case, message", [
    ("missing column", "no 'loan' column"),
    ("unknown id", "id 'h9999' is not in"),
    ("duplicate id", "duplicate hh 'h0'"),
    ("no seed", "group 'v2' (village) has no seed"),
    ("bad flag", "leader 'maybe' must be 0/1"),
])
def test_bad_input_one_line_exit_2_nothing_written(data, tmp_path, capsys, case, message):
    nodes, edges = data
    if case == "missing column":
        _rewrite(nodes, "hh,village,leader,loan", "hh,village,leader,took")
    elif case == "unknown id":
        with open(edges, "a") as fh:
            fh.write("h0,h9999\n")
    elif case == "duplicate id":
        with open(nodes, "a") as fh:
            fh.write("h0,v0,0,0\n")
    elif case == "no seed":
        lines = open(nodes).read().splitlines()
        open(nodes, "w").write("\n".join(line[:-3] + "0," + line[-1] if line.split(",")[1] == "v2" else line
                                         for line in lines) + "\n")
    else:
        _rewrite(nodes, ",v0,0,", ",v0,maybe,")
    out = tmp_path / "out"
    assert main(["calibrate", *args(nodes, edges, out, "--outcome-col", "loan"), *SMALL]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_predict_refuses_a_params_file_that_is_not_a_calibration(data, tmp_path, capsys):
    nodes, edges = data
    bad = tmp_path / "params.toml"
    bad.write_text('[params]\n"project.news_prob" = 2.0\n')
    assert main(["predict", *args(nodes, edges, tmp_path / "p"), "--params", str(bad)]) == 2
    assert "--params" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("starts, message", [("0", "--starts"), ("x", "--starts"), ("5", "--starts 5: at most")])
def test_bad_starts_one_line_exit_2_nothing_written(data, tmp_path, capsys, starts, message):
    nodes, edges = data
    out = tmp_path / "o"
    assert main(["calibrate", *args(nodes, edges, out, "--outcome-col", "loan"), *SMALL, "--starts", starts]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert not out.exists()


def test_set_of_a_fitted_parameter_is_refused(data, tmp_path, capsys):
    nodes, edges = data
    assert main(["calibrate", *args(nodes, edges, tmp_path / "o", "--outcome-col", "loan"),
                 "--set", "project.places=50", *SMALL]) == 2
    assert "is estimated by calibrate" in capsys.readouterr().err


def test_groups_keep_file_order(data):
    nodes, edges = data
    groups = read_groups(nodes, edges, "hh", "village", "leader", "loan")
    assert groups.labels == ["v0", "v1", "v2", "v3"]
    assert isinstance(groups.adjacency, sp.csr_matrix)
