"""The command line: outputs, byte-identical reruns, one-line refusals that write nothing."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from villagesim.cli import main
from villagesim.metrics import COLUMNS

REQUIRED = ["step", "participation_rate", "project_uptake", "trust_mean", "active_members", "youth_present_share",
            "members_mean_age", "appeals_resolved_rate", "relapse_count", "cost_cumulative"]


def run(tmp_path, name, *args):
    out = tmp_path / name
    return main(["run", "--seed", "9", "--steps", "24", "--out", str(out), *args]), out


def test_run_writes_timeseries_summary_and_chart(tmp_path, capsys):
    code, out = run(tmp_path, "a", "--set", "interventions.training.intensity=0.6", "--scenario", "hollowed")
    assert code == 0
    frame = pd.read_csv(out / "timeseries.csv")
    assert set(REQUIRED) <= set(frame.columns) and list(frame.columns) == list(COLUMNS)
    assert frame["step"].tolist() == list(range(25))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 9 and summary["scenario"] == "hollowed"
    assert summary["params"]["interventions.training.intensity"] == 0.6
    assert summary["params"]["village.population"] == 900
    assert set(summary["final"]) == set(COLUMNS[1:]) and "version" in summary
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "participation_rate" in capsys.readouterr().out


def test_same_seed_byte_identical_different_seed_differs(tmp_path):
    _, a = run(tmp_path, "a")
    _, b = run(tmp_path, "b")
    for name in ("timeseries.csv", "summary.json", "chart.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    main(["run", "--seed", "10", "--steps", "24", "--out", str(tmp_path / "c")])
    assert (a / "timeseries.csv").read_bytes() != (tmp_path / "c" / "timeseries.csv").read_bytes()


@pytest.mark.parametrize("args, named", [
    (["--set", "village.population=-3"], "village.population"),
    (["--set", "village.popluation=3"], "village.population"),  # suggests the right key
    (["--set", "interventions.training.intensity=1.5"], "interventions.training.intensity"),
    (["--set", "interventions.training.intensity=nan"], "interventions.training.intensity"),
    (["--set", "noequals"], "KEY=VALUE"),
    (["--scenario", "atlantis"], "atlantis"),
    (["--steps", "-1"], "--steps"),
    (["--seed", "x"], "--seed"),
    (["--months", "3"], "villagesim: error: unrecognized arguments: --months"),  # the prefix said once
    (["--set", "network.nodes=/nonexistent.csv", "--set", "network.edges=/nonexistent.csv"], "/nonexistent.csv"),
    (["--set", "network.nodes=/nonexistent.csv"], "network.edges"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, args, named):
    out = tmp_path / "out"
    code = main(["run", "--out", str(out), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and named in err and "Traceback" not in err
    assert not out.exists()


def test_malformed_scenario_file_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[village\npopulation = 3\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 1" in err and not (tmp_path / "o").exists()


def test_scenario_file_with_unknown_key_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[village]\npopulaton = 3\n")
    assert main(["run", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "village.populaton" in capsys.readouterr().err


def test_scenarios_lists_every_preset(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines][:5] == sorted(line.split()[0] for line in lines)[:5]
    assert {"default", "hollowed", "suburban", "tourism", "post_poverty"} <= {line.split()[0] for line in lines}


def test_demo_compares_with_confidence_intervals(tmp_path, capsys):
    assert main(["demo", "--seeds", "3", "--steps", "24", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert "participation_rate" in out and "[" in out and "difference" in out
    assert (tmp_path / "d" / "demo.png").exists()


def test_console_script_exit_status_and_single_line():
    result = subprocess.run([sys.executable, "-m", "villagesim.cli", "run", "--set", "x.y=1"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("villagesim: error: x.y") and len(result.stderr.strip().splitlines()) == 1
