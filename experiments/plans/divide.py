"""The digital divide: the platform's gain in participation at home with 5% and with 60% of the over-60s online
(docs/findings.md, section 2), paired by seed, 120 months.

    .venv/bin/python experiments/plans/divide.py [--workers 2]
"""

from __future__ import annotations

import argparse

import numpy as np

from villagesim import scenarios
from villagesim.seeds import replicate_seeds
from villagesim.stats import mean_ci
from villagesim.sweep import Task, local_pool, run_task

SEED = 2025
SEEDS = 40
MONTHS = 120
HOLLOWED = scenarios.load("hollowed").overrides
ELDERLY = {**HOLLOWED, "village.elderly_share": 0.6, "village.youth_share": 0.15}
VILLAGES = {"hollowed": HOLLOWED, "elderly village (hollowed, 60% aged 60+, youth 15%)": ELDERLY,
            "the same, no project": {**ELDERLY, "project.start": 1000}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = replicate_seeds(SEED, SEEDS)
    with local_pool(args.workers) as executor:
        print("| village | 5% online | 60% online | difference (60% − 5%) | seeds |\n| --- | --- | --- | --- | --- |")
        for name, village in VILLAGES.items():
            gains = {}
            for online in (0.05, 0.6):
                arms = [{**village, "village.digital_elderly": online, "interventions.digital.intensity": level}
                        for level in (0.0, 1.0)]
                futures = [[executor.submit(run_task, Task(0, s, arm, MONTHS, ("participation_rate",), ()))
                            for s in seeds] for arm in arms]
                values = np.array([[f.result().final[0] for f in row] for row in futures])
                gains[online] = values[1] - values[0]
            cells = [mean_ci(gains[0.05]), mean_ci(gains[0.6]), mean_ci(gains[0.6] - gains[0.05])]
            print(f"| {name} | " + " | ".join(f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}]" for m, lo, hi in cells)
                  + f" | {SEEDS} |", flush=True)


if __name__ == "__main__":
    main()
