"""Why no path moves project uptake (docs/findings.md, section 1): with no path, on the equal-cost seeds of
experiments/plans/run.py, how the village's own propensity draw (``project.standing``, standard normal, the same
for every arm of a seed) lines up with whether its project takes root.

    .venv/bin/python experiments/plans/uptake_draw.py [--workers 2]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

from villagesim import VillageModel
from villagesim import scenarios
from villagesim.seeds import replicate_seeds
from villagesim.sweep import local_pool

PRESETS = ("default", "hollowed", "suburban", "tourism", "post_poverty")
SEED, SEEDS, MONTHS = 2025, 20, 120  # experiments/plans/run.py's equal-cost seeds


def one_run(preset: str, seed: int) -> tuple[float, float, float]:
    model = VillageModel(scenarios.load(preset).overrides, seed=seed)
    draw = float(model.project.standing[0])
    final = model.run(MONTHS).final()
    return draw, final["project_uptake"], final["project_viable"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = replicate_seeds(SEED, SEEDS)
    with local_pool(args.workers) as executor:
        futures = {p: [executor.submit(one_run, p, s) for s in seeds] for p in PRESETS}
        print("| village | viable (of 20) | uptake where viable | uptake where not | draw where viable | draw where not "
              "| Spearman (draw, uptake) |\n| --- | --- | --- | --- | --- | --- | --- |")
        for preset, row in futures.items():
            draw, uptake, viable = np.array([f.result() for f in row]).T
            ok = viable == 1
            rho = stats.spearmanr(draw, uptake).statistic

            def span(x: np.ndarray) -> str:
                return f"{x.min():.3f}-{x.max():.3f}" if len(x) else "—"

            def mean(x: np.ndarray) -> str:
                return f"{x.mean():+.2f}" if len(x) else "—"

            print(f"| {preset} | {ok.sum()} | {span(uptake[ok])} | {span(uptake[~ok])} | {mean(draw[ok])} | "
                  f"{mean(draw[~ok])} | {rho:+.2f} |", flush=True)


if __name__ == "__main__":
    main()
