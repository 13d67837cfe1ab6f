"""How long ``villagesim compare`` takes for one village at one budget (the goal: under 5 minutes on 2 cores).

Runs the command's own code path (``villagesim.compare`` with a process pool
of ``--workers``, the command's defaults) and prints its wall time, runs and
the machine's load average before and after. On a shared machine the wall
time also counts waits for a CPU, so the CPU time of one run is measured in
this process too (the median of ``--sample`` runs of the scenario's
arms), and the wall time on an idle machine is projected as runs x CPU
seconds per run / workers, plus the time spent outside the runs here (the
design, the random forest and PRIM).

    .venv/bin/python -m villagesim.benchmark.compare_time                       # default village, 15 万元, 2 workers
    .venv/bin/python -m villagesim.benchmark.compare_time --scenario hollowed --budget 30
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def cpu_per_run(scenario: str, budget: float, months: int, sample: int) -> float:
    """Median CPU seconds of one run of the scenario's arms (all arms in turn), in this process."""
    from villagesim.best_buy import arms_at
    from villagesim.params import resolve
    from villagesim import scenarios
    from villagesim.sweep import Task, run_task

    base = scenarios.load(scenario).overrides
    arms = list(arms_at(resolve(base), months, budget).values())
    times = []
    for k in range(sample):
        overrides, _ = arms[k % len(arms)]
        start = time.process_time()
        run_task(Task(k, k, {**base, **overrides}, months, ("participation_rate", "cost_cumulative"), ()))
        times.append(time.process_time() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="default")
    parser.add_argument("--budget", type=float, default=15.0)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=24, help="runs timed in this process for the CPU time")
    args = parser.parse_args()
    from villagesim import compare
    from villagesim.sweep import local_pool

    load = os.getloadavg()
    start = time.perf_counter()
    with local_pool(args.workers) as executor:
        result = compare(args.scenario, args.budget, args.months, seed=args.seed, executor=executor)
    wall = time.perf_counter() - start
    cpu = cpu_per_run(args.scenario, args.budget, args.months, args.sample)
    outside = time.process_time()  # this process: the design, the forest and PRIM (and the sample above)
    idle = result.runs * cpu / args.workers + outside - cpu * args.sample
    table = result.points
    print(f"{args.scenario}, {args.budget:g} 万元, {args.months} months, {args.workers} workers: {wall:.0f} s wall "
          f"({'under' if wall < 300 else 'OVER'} 5 minutes), {result.runs} runs on {len(table)} points "
          f"({table['seeds'].min()}-{table['seeds'].max()} seeds a point, {table['resolved'].mean():.0%} resolved); "
          f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"CPU time of one run {cpu:.3f} s; projected on an idle machine: {idle:.0f} s "
          f"({'under' if idle < 300 else 'OVER'} 5 minutes)")
    print("P(best buy): " + ", ".join(f"{p.name} {p.p_best:.2f}" for p in result.paths))


if __name__ == "__main__":
    main()
