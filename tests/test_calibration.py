"""calibrate and predict: the simulator is the model's rules, the fit recovers a known truth, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from villagesim.calibration import FITTED, Groups, read_groups, simulate, summary
from villagesim.cli import main
from villagesim.params import resolve
from villagesim.network import from_edges

SMALL = ["--months", "8", "--replicates", "4", "--candidates", "16", "--bootstrap", "50", "--final-replicates", "8"]


def village_network(sizes, seeds_per_group, degree, rng):
    """Erdős-Rényi villages: ids, group, seed flags and within-village ties."""
    group = np.repeat(np.arange(len(sizes)), sizes)
    start = np.r_[0, np.cumsum(sizes)[:-1]]
    src, dst, seed = [], [], np.zeros(group.size, bool)
    for g, (n, k) in enumerate(zip(sizes, seeds_per_group)):
        m = rng.poisson(degree * n / 2)
        src.append(start[g] + rng.integers(0, n, m))
        dst.append(start[g] + rng.integers(0, n, m))
        seed[start[g] + rng.choice(n, k, replace=False)] = True
    return group, seed, np.concatenate(src), np.concatenate(dst)


def write_data(folder, group, seed, outcome, src, dst):
    ids = [f"h{i}" for i in range(group.size)]
    lines = ["hh,village,leader,loan"] + [f"{ids[i]},v{group[i]},{int(seed[i])},{int(outcome[i])}"
                                          for i in range(group.size)]
    (folder / "nodes.csv").write_text("\n".join(lines) + "\n")
    (folder / "edges.csv").write_text("a,b\n" + "".join(f"{ids[s]},{ids[d]}\n" for s, d in zip(src, dst)))
    return str(folder / "nodes.csv"), str(folder / "edges.csv")


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(5)
    group, seed, src, dst = village_network([60, 80, 70, 90], [3, 5, 2, 6], 4.0, rng)
    outcome = rng.random(group.size) < 0.15
    return write_data(tmp_path, group, seed, outcome, src, dst)


def args(nodes, edges, out, *extra):
    return ["--nodes", nodes, "--edges", edges, "--id-col", "hh", "--group-col", "village", "--seed-col", "leader",
            "--out", str(out), *extra]


def groups_of(group, seed, src, dst, outcome=None):
    return Groups([str(g) for g in np.unique(group)], group, from_edges(group.size, src, dst), seed, outcome, 0)


def test_certain_news_and_enrolment_fill_each_seeded_component():
    rng = np.random.default_rng(1)
    group, seed, src, dst = village_network([50, 40, 70], [1, 2, 1], 1.5, rng)  # sparse: several components
    groups = groups_of(group, seed, src, dst)
    params = resolve({"project.news_prob": 1.0, "project.news_prob_enrolled": 1.0, "project.enrol_rate": 1.0,
                      "project.threshold_shift": -1.0})
    uptake = simulate(groups, params, months=200, replicates=3, seed=0)
    _, label = connected_components(groups.adjacency, directed=False)
    reached = np.isin(label, label[seed]) & ~seed
    expected = np.bincount(group, weights=reached) / np.bincount(group, weights=~seed)
    assert np.allclose(uptake, expected)


def test_no_news_no_uptake():
    rng = np.random.default_rng(2)
    groups = groups_of(*village_network([50, 40], [3, 3], 4.0, rng))
    params = resolve({"project.news_prob": 0.0, "project.news_prob_enrolled": 0.0, "project.threshold_shift": -1.0})
    assert simulate(groups, params, 24, 5, seed=3).max() == 0.0


def test_common_random_numbers_make_uptake_monotone_in_news_prob():
    rng = np.random.default_rng(3)
    groups = groups_of(*village_network([120, 100, 90], [2, 4, 3], 5.0, rng))
    runs = [simulate(groups, resolve({"project.news_prob": q, "project.news_prob_enrolled": 0.3}), 18, 60, seed=9)
            for q in (0.01, 0.05, 0.15, 0.3)]
    for low, high in zip(runs, runs[1:]):
        assert (high >= low).all()  # replicate by replicate, not only on average
    assert runs[-1].mean() > runs[0].mean()


def test_calibration_recovers_the_gradient_of_a_known_truth(tmp_path):
    """Data drawn from known parameters: the fitted model explains most of the between-group variance."""
    rng = np.random.default_rng(11)
    seeds = [1, 2, 3, 4, 6, 8, 10, 12, 15, 18]
    group, seed, src, dst = village_network([150] * 10, seeds, 5.0, rng)
    truth = resolve({"project.news_prob": 0.03, "project.news_prob_enrolled": 0.2, "project.enrol_rate": 0.3,
                     "project.threshold_shift": -0.1})
    # One draw of the outcome per node, as a survey would see it.
    groups = groups_of(group, seed, src, dst)
    draws = simulate(groups, truth, 12, 200, seed=77)
    observed_share = draws[0]
    outcome = np.zeros(group.size, bool)
    for g in range(10):
        idx = np.flatnonzero((group == g) & ~seed)
        outcome[rng.choice(idx, int(round(observed_share[g] * idx.size)), replace=False)] = True
    nodes, edges = write_data(tmp_path, group, seed, outcome, src, dst)
    out = tmp_path / "fit"
    assert main(["calibrate", *args(nodes, edges, out, "--outcome-col", "loan"), "--seed", "4", "--months", "12",
                 "--replicates", "8", "--candidates", "64", "--bootstrap", "200", "--final-replicates", "100"]) == 0
    fit = np.genfromtxt(out / "fit.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    achievable = summary(observed_share, draws[1:].mean(axis=0))["r2"]  # the truth itself, with its noise
    fitted = summary(fit["observed"], fit["predicted"])["r2"]
    assert achievable > 0.6
    assert fitted > achievable - 0.15
    text = (out / "params.toml").read_text()
    assert all(f'"{key}"' in text for key in FITTED) and "[calibration.interval95]" in text


def test_same_seed_same_files(data, tmp_path):
    nodes, edges = data
    outputs = []
    for name in ("a", "b"):
        assert main(["calibrate", *args(nodes, edges, tmp_path / name, "--outcome-col", "loan"), "--seed", "7",
                     *SMALL]) == 0
        outputs.append(((tmp_path / name / "params.toml").read_text(), (tmp_path / name / "fit.csv").read_text()))
    assert outputs[0] == outputs[1]
    header = outputs[0][1].splitlines()[0]
    assert header == "group,n,observed,predicted"


def test_predict_writes_groups_and_observed(data, tmp_path):
    nodes, edges = data
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), "--seed", "1",
                 *SMALL]) == 0
    params = str(tmp_path / "cal" / "params.toml")
    assert main(["predict", *args(nodes, edges, tmp_path / "p1"), "--params", params, "--replicates", "5"]) == 0
    assert (tmp_path / "p1" / "groups.csv").read_text().splitlines()[0] == "group,n,predicted"
    assert main(["predict", *args(nodes, edges, tmp_path / "p2", "--outcome-col", "loan"), "--params", params,
                 "--replicates", "5"]) == 0
    lines = (tmp_path / "p2" / "groups.csv").read_text().splitlines()
    assert lines[0] == "group,n,predicted,observed" and len(lines) == 5


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


def test_set_of_a_fitted_parameter_is_refused(data, tmp_path, capsys):
    nodes, edges = data
    assert main(["calibrate", *args(nodes, edges, tmp_path / "o", "--outcome-col", "loan"),
                 "--set", "project.enrol_rate=0.5", *SMALL]) == 2
    assert "is estimated by calibrate" in capsys.readouterr().err


def test_groups_keep_file_order(data):
    nodes, edges = data
    groups = read_groups(nodes, edges, "hh", "village", "leader", "loan")
    assert groups.labels == ["v0", "v1", "v2", "v3"]
    assert isinstance(groups.adjacency, sp.csr_matrix)
