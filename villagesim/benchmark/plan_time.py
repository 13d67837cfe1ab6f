"""How long ``villagesim plan`` takes for one preset (the goal: under 3 minutes on 2 cores), as docs/performance.md reports it.

Runs the command's own code path (``villagesim.plan`` with a process pool of
``--workers``) with the command's default settings, and prints wall time,
runs, seconds per run and the machine's load average before and after (the
figure means something only on an otherwise idle machine).

    .venv/bin/python -m villagesim.benchmark.plan_time                          # default village, 30 万元, 2 workers
    .venv/bin/python -m villagesim.benchmark.plan_time --scenario hollowed --budget 60 --robust
"""

from __future__ import annotations

import argparse
import os
import time

from villagesim import plan
from villagesim.sweep import local_pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="default")
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--robust", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    load = os.getloadavg()
    start = time.perf_counter()
    with local_pool(args.workers) as executor:
        result = plan(args.scenario, args.budget, executor=executor, robust=args.robust, seed=args.seed)
    wall = time.perf_counter() - start
    print(f"{args.scenario}, budget {args.budget:g}, {args.workers} workers{', robust' if args.robust else ''}: "
          f"{wall:.1f} s wall ({'under' if wall < 180 else 'OVER'} 3 minutes), {result.evaluations} runs, "
          f"{wall * args.workers / result.evaluations:.3f} core-s per run, final seeds {len(result.seeds)}; "
          f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"best: {result.best.describe()}; {result.best.mean:.4f} [{result.best.ci[0]:.4f}, {result.best.ci[1]:.4f}]")


if __name__ == "__main__":
    main()
