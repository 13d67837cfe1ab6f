"""Scenario discovery: PRIM finds the region where a path is the best buy, on a synthetic model with a known answer."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from villagesim import cli
from villagesim.discovery import discover
from villagesim.sweep import Outcome, run_sweep
from villagesim.sweep import run as sweep_run

FACTORS = {"village.digital_elderly": (0.0, 1.0), "village.hamlets": (2, 12), "village.trust_mean": (0.3, 0.7)}


def synthetic(task):
    """Participation: the platform pays where many elderly are online, the centre where hamlets are few."""
    p = task.overrides
    digital = p.get("interventions.digital.intensity", 0.0)
    venue = p.get("interventions.venue.intensity", 0.0)
    gain = digital * p["village.digital_elderly"] + venue * (12 - p["village.hamlets"]) / 10 * 0.6
    cost = 10.0 * (digital + venue)
    values = {"participation_rate": 0.2 + gain, "cost_cumulative": cost}
    return Outcome(task.run_id, None, 0.0, tuple(values[m] for m in task.metrics), ())


def arms(folder, monkeypatch):
    monkeypatch.setattr(sweep_run, "run_task", synthetic)
    factors = "\n".join(f'"{k}" = {{min = {lo}, max = {hi}}}' for k, (lo, hi) in FACTORS.items())
    for arm, line in (("none", ""), ("digital", '"interventions.digital.intensity" = 1.0'),
                      ("venue", '"interventions.venue.intensity" = 1.0')):
        spec = folder / f"arm_{arm}.toml"
        spec.write_text(f'months = 1\nseed = 9\ndesign = "lhs"\nsamples = 300\n[set]\n{line}\n[factors]\n{factors}\n'
                        '[output]\nmetrics = ["participation_rate", "cost_cumulative"]\n', encoding="utf-8")
        run_sweep(spec, folder / "out" / f"arm_{arm}")
    return folder / "out"


def test_prim_finds_where_each_path_is_the_best_buy(tmp_path, monkeypatch):
    out = arms(tmp_path, monkeypatch)
    tables = discover(out, echo=lambda *a: None)
    points = tables["best_path"]
    # The platform is the better buy exactly where digital_elderly > 0.06 x (12 - hamlets).
    truth = points["village.digital_elderly"] > 0.06 * (12 - points["village.hamlets"])
    assert ((points["best_path"] == "digital") == truth).all()
    boxes = tables["discovery"].set_index(["path", "factor"])
    digital = boxes.loc["digital"]
    assert "village.digital_elderly" in digital.index and "village.trust_mean" not in digital.index
    assert digital["density"].iloc[0] >= 0.7 and digital["coverage"].iloc[0] >= 0.5
    assert (out / "analysis" / "discovery.csv").exists()


def test_discover_on_the_command_line_and_its_refusals(tmp_path, monkeypatch, capsys):
    out = arms(tmp_path, monkeypatch)
    assert cli.main(["analyze", str(out), "--discover", "best_path"]) == 0
    printed = capsys.readouterr().out
    assert "coverage" in printed and "density" in printed
    assert max(len(line) for line in printed.splitlines() if "coverage" in line or line.startswith("      ")) < 100
    assert cli.main(["analyze", str(out / "arm_digital"), "--discover", "best_path"]) == 2
    assert "arm sweeps" in capsys.readouterr().err
    table = pd.read_csv(out / "analysis" / "discovery.csv")
    assert set(table["path"]) == {"digital", "venue"} and not table["coverage"].map(math.isnan).any()


@pytest.mark.parametrize("argv", [["--discover", "best_path", "--best", "participation_rate"],
                                  ["--discover", "cheapest"]])
def test_discover_refuses_bad_options(tmp_path, capsys, argv):
    assert cli.main(["analyze", str(tmp_path), *argv]) == 2
    assert capsys.readouterr().err.count("\n") == 1
