"""Findings at equal cost: the paths ranked by village type, the best plan per preset at two budgets, and
whether the best plan of one village type is also the best in the others (docs/findings.md, section 1-3).

    .venv/bin/python experiments/plans/run.py OUT [--workers 2]

Writes OUT/equal_cost.csv, OUT/plans.json, OUT/cross.csv and prints the tables of docs/findings.md.
Every run goes through the sweep executors (a process pool); all seeds derive from SEED.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from villagesim import plan
from villagesim import scenarios
from villagesim.params import INTERVENTIONS, resolve
from villagesim.planner import Candidate, cost_of, single_path
from villagesim.seeds import replicate_seeds
from villagesim.stats import mean_ci
from villagesim.sweep import Task, local_pool, run_task

PRESETS = ("default", "hollowed", "suburban", "tourism", "post_poverty")
METRICS = ("participation_rate", "project_uptake", "online_participation_rate", "project_viable")
SEED = 2025
MONTHS = 120
EQUAL_BUDGET = 30.0
BUDGETS = (15.0, 40.0)
PLAN_SEARCH = {"trials": 28}
"""Half the command's 56 proposed plans (its other defaults kept), so that ten plans run in about half an hour."""


def run_all(executor, jobs: list[tuple[dict, int]]) -> np.ndarray:
    futures = [executor.submit(run_task, Task(i, seed, overrides, MONTHS, METRICS, ()))
               for i, (overrides, seed) in enumerate(jobs)]
    rows = []
    for future in futures:
        outcome = future.result()
        if outcome.error:
            raise RuntimeError(outcome.error)
        rows.append(outcome.final)
    return np.array(rows)


def equal_cost(executor, seeds: list[int]) -> pd.DataFrame:
    """Each path alone, from month 0, spending up to EQUAL_BUDGET; paired with 'nothing' by seed."""
    rows = []
    for preset in PRESETS:
        base = scenarios.load(preset).overrides
        params = resolve(base)
        arms = {"nothing": Candidate("nothing", {}, 0.0)}
        for name in INTERVENTIONS:
            fitted = single_path(params, name, 0, MONTHS, EQUAL_BUDGET)
            arms[name] = Candidate(name, fitted, cost_of(params, fitted, MONTHS))
        jobs = [({**base, **arm.overrides}, s) for arm in arms.values() for s in seeds]
        values = run_all(executor, jobs).reshape(len(arms), len(seeds), len(METRICS))
        for k, (name, arm) in enumerate(arms.items()):
            intensity = arm.plan.get(name, (0.0, 0))[0] if name != "nothing" else 0.0
            for m, metric in enumerate(METRICS):
                level = mean_ci(values[k, :, m])
                gain = mean_ci(values[k, :, m] - values[0, :, m])
                rows.append({"village": preset, "path": name, "intensity": intensity, "cost": arm.cost,
                             "metric": metric, "mean": level[0], "ci_low": level[1], "ci_high": level[2],
                             "gain": gain[0], "gain_low": gain[1], "gain_high": gain[2],
                             "per_10k": gain[0] / arm.cost if arm.cost else 0.0,
                             "p_first": np.nan})
        # Bootstrap over seeds: how often each path has the largest mean gain.
        picks = np.random.default_rng(SEED).integers(0, len(seeds), (2000, len(seeds)))
        for m, metric in enumerate(METRICS):
            gains = values[1:, :, m] - values[0, :, m]
            first = np.bincount(gains[:, picks].mean(axis=2).argmax(axis=0), minlength=len(INTERVENTIONS)) / 2000
            for name, share in zip(INTERVENTIONS, first):
                rows.append({"village": preset, "path": name, "metric": f"p_first_{metric}", "mean": share})
    return pd.DataFrame(rows)


def plans(executor) -> dict:
    found = {}
    for preset in PRESETS:
        for budget in BUDGETS:
            result = plan(preset, budget, MONTHS, seed=SEED, executor=executor, **PLAN_SEARCH)
            found[f"{preset}@{budget:g}"] = {**result.to_json(), "tied": result.tied, "resolved": result.resolved,
                                            "seeds": len(result.seeds), "describe": result.best.describe(),
                                            "marginal": [m.__dict__ for m in result.marginal]}
            print(f"{preset} {budget:g}: {result.best.describe()} {result.best.mean:.4f} "
                  f"[{result.best.ci[0]:.4f}, {result.best.ci[1]:.4f}] ties {result.tied}", flush=True)
    return found


def cross(executor, found: dict, budget: float, seeds: list[int], presets=PRESETS) -> pd.DataFrame:
    """Each preset's best plan at ``budget`` run in every village: is the village's own best plan better?"""
    bests = {p: found[f"{p}@{budget:g}"]["best"]["overrides"] for p in presets}
    rows = []
    for village in presets:
        base = scenarios.load(village).overrides
        jobs = [({**base, **bests[p]}, s) for p in presets for s in seeds]
        values = run_all(executor, jobs).reshape(len(presets), len(seeds), len(METRICS))[:, :, 0]
        own = values[presets.index(village)]
        for k, source in enumerate(presets):
            gap = mean_ci(own - values[k])
            rows.append({"village": village, "plan_of": source, "mean": values[k].mean(), "own_minus_this": gap[0],
                         "low": gap[1], "high": gap[2]})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="equal,plans,cross", help="phases to run (comma-separated)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    phases = args.only.split(",")
    with local_pool(args.workers) as executor:
        if "equal" in phases:
            equal_cost(executor, replicate_seeds(SEED, 20)).to_csv(out / "equal_cost.csv", index=False)
            print("equal cost done", flush=True)
        if "plans" in phases:
            found = plans(executor)
            (out / "plans.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
        if "cross" in phases:
            found = json.loads((out / "plans.json").read_text())
            cross(executor, found, BUDGETS[1], replicate_seeds(SEED + 1, 16)).to_csv(out / "cross.csv", index=False)


if __name__ == "__main__":
    main()
