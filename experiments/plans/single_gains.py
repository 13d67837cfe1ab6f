"""Each path alone at one budget against "nothing", paired by seed, in a few village types.

    python experiments/plans/single_gains.py [--budget 30] [--months 120] [--seeds 8] [--metric participation_rate]
        [--scenarios default,hollowed,...] [--set KEY=VALUE ...] [--json OUT]

Intensities from ``villagesim.planner.single_path`` at the scenario's costs (from month 0); seeds 1..N
shared by every arm (common random numbers); gains are the paired differences at the last month with
95% Student-t confidence intervals (``villagesim.stats.mean_ci``). ``--set`` overrides a parameter in
every arm and village, on top of the preset (e.g. the uptake rule's estimates from another study).
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from villagesim.errors import InputError
from villagesim.params import INTERVENTIONS, parse_assignment, resolve
from villagesim import scenarios
from villagesim.planner import single_path
from villagesim.stats import mean_ci
from villagesim.sweep import Task, run_task


def arms(overrides: dict, months: int, budget: float) -> dict[str, dict]:
    """Each path's overrides at the budget, and "nothing"."""
    params = resolve(overrides)
    plans = {"nothing": {}}
    for name in INTERVENTIONS:
        plan = single_path(params, name, 0, months, budget)
        plans[name] = {f"interventions.{path}.{field}": value
                       for path, (intensity, start) in plan.items()
                       for field, value in (("intensity", intensity), ("start", start))}
    return plans


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--metric", default="participation_rate")
    parser.add_argument("--scenarios", default="default,hollowed,suburban,tourism,post_poverty")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--json")
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    try:
        settings = dict(parse_assignment(text) for text in args.set)
    except InputError as err:
        print(f"single_gains.py: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    results = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for name in args.scenarios.split(","):
            overrides = {**scenarios.load(name).overrides, **settings}
            plans = arms(overrides, args.months, args.budget)
            futures = {arm: [pool.submit(run_task, Task(0, seed, {**overrides, **plan}, args.months,
                                                        (args.metric, "cost_cumulative"), ()))
                             for seed in seeds] for arm, plan in plans.items()}
            outcomes = {arm: [f.result() for f in fs] for arm, fs in futures.items()}
            errors = [o.error for os_ in outcomes.values() for o in os_ if o.error]
            if errors:
                raise SystemExit(f"{name}: {errors[0]}")
            value = {arm: np.array([o.final[0] for o in os_]) for arm, os_ in outcomes.items()}
            cost = {arm: float(np.mean([o.final[1] for o in os_])) for arm, os_ in outcomes.items()}
            base = mean_ci(value["nothing"])
            row = {"nothing": {"value": base}}
            for arm in INTERVENTIONS:
                gain = mean_ci(value[arm] - value["nothing"])
                row[arm] = {"gain": gain, "cost": cost[arm], "per_wan": gain[0] / cost[arm] if cost[arm] else 0.0}
            results[name] = row
            cells = "  ".join(f"{arm} {row[arm]['gain'][0]:+.3f} [{row[arm]['gain'][1]:+.3f}, {row[arm]['gain'][2]:+.3f}]"
                              f" ({row[arm]['cost']:.1f})" for arm in INTERVENTIONS)
            print(f"{name:<14} nothing {base[0]:.3f}  {cells}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"budget": args.budget, "months": args.months, "metric": args.metric, "seeds": args.seeds,
                       "settings": settings,
                       "results": results}, out, indent=1)


if __name__ == "__main__":
    main()
