"""The default village under the information model of uptake: each path alone at full intensity against none.

    .venv/bin/python experiments/findings/uptake_default.py   # 120 runs of 120 months, seeds 1-20, paired

A stopgap re-run of the default village's uptake rows of docs/findings.md
section 1 (the full sweeps of run.sh have not been re-run on the new rule):
mean project uptake, viability and participation at month 120 per arm, and
each path's paired difference from no intervention with a 95% t interval.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from villagesim import VillageModel

ARMS = ("none", "standardization", "training", "venue", "digital", "recruitment")
OUTCOMES = ("project_uptake", "project_viable", "participation_rate")


def main() -> None:
    seeds = range(1, 21)
    runs = {}
    for arm in ARMS:
        params = {} if arm == "none" else {f"interventions.{arm}.intensity": 1.0}
        finals = [VillageModel(params, seed=s).run(120).final() for s in seeds]
        runs[arm] = np.array([[f[o] for o in OUTCOMES] for f in finals])
    print("| arm | " + " | ".join(OUTCOMES) + " |\n| --- |" + " --- |" * len(OUTCOMES))
    for arm in ARMS:
        cells = []
        for j in range(len(OUTCOMES)):
            if arm == "none":
                cells.append(f"{runs[arm][:, j].mean():.3f}")
                continue
            d = runs[arm][:, j] - runs["none"][:, j]
            lo, hi = stats.ttest_1samp(d, 0.0).confidence_interval(0.95) if np.ptp(d) > 0 else (d[0], d[0])
            cells.append(f"{d.mean():+.3f} [{lo:+.3f}, {hi:+.3f}]")
        print(f"| {arm} | " + " | ".join(cells) + " |")
    print("viable runs of 20:", {arm: int(runs[arm][:, 1].sum()) for arm in ARMS})


if __name__ == "__main__":
    main()
