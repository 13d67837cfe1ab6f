"""Each summary for scripts gives exactly the fields docs/json.md lists for it."""

import csv
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from villagesim.cli import main

DOC = Path(__file__).parents[1] / "docs" / "json.md"


def documented(heading: str) -> list[list[str]]:
    """The field names of each table under the section whose heading starts with ``heading``."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    tables, current = [], None
    for line in section.splitlines():
        match = re.match(r"\| `([^`]+)` \|", line)
        if match:
            if current is None:
                current = []
                tables.append(current)
            current.append(match.group(1))
        elif not line.startswith("|"):
            current = None
    return tables


def listed(row: str, field: str) -> set[str]:
    """The backticked names in the row of ``field`` (its meaning lists the nested fields)."""
    text = DOC.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(f"| `{field}` |") and "`" in line[5 + len(field):])
    return {name for name in re.findall(r"`([^`]+)`", line.split("|")[2]) if name.isidentifier()}


def test_plan_json_gives_the_documented_fields_and_its_ties_marginals_and_command(capsys):
    top, plan_fields, marginal_fields = documented("`villagesim plan --json`")
    assert main(["plan", "--scenario", "hollowed", "--budget", "6", "--months", "12", "--set", "village.population=200",
                 "--trials", "0", "--search-seeds", "2", "--seeds", "2", "--max-seeds", "2", "--executor", "serial",
                 "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert sorted(out) == sorted(top)
    assert sorted(out["best"]) == sorted(f for f in plan_fields if f != "name")
    assert all(sorted(a) == sorted(plan_fields) for a in out["alternatives"])
    assert [m["path"] for m in out["marginal_per_10k"]] == ["standardization", "training", "venue", "digital",
                                                           "recruitment"]
    assert all(sorted(m) == sorted(marginal_fields) and m["ci"][0] <= m["per_10k"] <= m["ci"][1]
               for m in out["marginal_per_10k"])
    names = {a["name"] for a in out["alternatives"]}
    assert set(out["tied"]) <= names
    assert out["reproduce"].startswith("villagesim run --scenario hollowed --set village.population=200 --steps 12 "
                                       f"--seed {out['seeds'][0]} ")
    for key, value in out["best"]["overrides"].items():
        assert f"--set {key}={value:g}" in out["reproduce"]
    # progress: the search's figures name the search's seeds, the final ones are on fresh seeds
    search = [line for line in captured.err.splitlines() if "search:" in line]
    assert search and all("mean over the search's 2 seeds" in line for line in search)
    assert "final: 2 fresh seeds" in captured.err


def test_the_reproduce_command_runs_the_best_plan_on_the_first_final_seed(tmp_path, capsys):
    from villagesim.cli.plan import reproduce
    from villagesim.planner import plan

    result = plan("hollowed", budget=6, months=12, overrides={"village.population": 200}, seed=0, trials=0,
                  search_seeds=2, seeds=2, max_seeds=2)
    command = reproduce(result, "hollowed", ["village.population=200"])
    assert main([*command.split()[1:], "--out", str(tmp_path / "r")]) == 0
    final = json.loads((tmp_path / "r" / "summary.json").read_text())["final"]["participation_rate"]
    assert final == pytest.approx(result.best.values[0], abs=1e-12)


def test_bench_json_gives_the_documented_fields(capsys):
    (top,) = documented("`villagesim bench --json`")
    assert main(["bench", "--json", "--months", "1", "--region-months", "1", "--repeats", "1", "--pairs", "1",
                 "--scale", "1500", "--sweep-runs", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out) == sorted(top)
    for field in ("machine", "village", "sweep"):
        assert set(out[field]) == listed("bench", field), field
    assert set(out["scale"][0]) == listed("bench", "scale")
    assert all(set(t) == listed("bench", "targets") for t in out["targets"].values())


def test_compare_json_gives_the_documented_fields(capsys):
    top, path_fields = documented("`villagesim compare --json`")
    assert main(["compare", "--scenario", "hollowed", "--budget", "6", "--months", "12", "--points", "4", "--seeds", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out) == sorted(top)
    assert all(sorted(p) == sorted(path_fields) for p in out["paths"])


def test_calibrate_and_predict_files_give_the_documented_fields(tmp_path):
    from test_calibration import SMALL, args, village_network, write_data

    (calibration,) = documented("`villagesim calibrate`")
    (groups,) = documented("`villagesim predict`")
    rng = np.random.default_rng(5)
    group, seed, src, dst = village_network([60, 80, 70], [6, 8, 5], 4.0, rng)
    nodes, edges = write_data(tmp_path, group, seed, rng.random(group.size) < 0.15, src, dst)
    assert main(["calibrate", *args(nodes, edges, tmp_path / "cal", "--outcome-col", "loan"), *SMALL]) == 0
    table = tomllib.loads((tmp_path / "cal" / "params.toml").read_text())["calibration"]
    assert sorted(table) == sorted(calibration)
    params = str(tmp_path / "cal" / "params.toml")
    assert main(["predict", *args(nodes, edges, tmp_path / "p", "--outcome-col", "loan"), "--params", params,
                 "--replicates", "3"]) == 0
    with open(tmp_path / "p" / "groups.csv", newline="") as handle:
        assert sorted(next(csv.reader(handle))) == sorted(groups)
