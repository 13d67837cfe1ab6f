"""``villagesim demo``: the village without and with all five paths, on the same seeds."""

from __future__ import annotations

import argparse

from villagesim.cli.arguments import (add_extension_argument, add_model_arguments, add_output_arguments,
                                      changed_settings, claim_output, model_config, non_negative, positive, table)
from villagesim.errors import InputError
from villagesim.params import INTERVENTIONS

DEMO_SEED = 2024  # the seeds of both arms derive from it: a fixed default makes the demo the same on every machine
METRICS = ("participation_rate", "project_uptake", "trust_mean", "active_members",
           "appeals_resolved_rate", "relapse_count", "cost_cumulative")


def cmd_demo(args: argparse.Namespace) -> int:
    config = model_config(args)
    if not 0.0 <= args.intensity <= 1.0:  # before any run; NaN fails this too
        raise InputError(f"--intensity: must be a number in [0, 1], got {args.intensity}")
    out = claim_output(args, "demo", {"scenario": config.preset, "params": dict(config.params), "seed": args.seed,
                                      "seeds": args.seeds, "steps": args.steps, "intensity": args.intensity})

    import numpy as np

    from villagesim import pictures
    from villagesim.metrics import unit
    from villagesim.model import VillageModel
    from villagesim.seeds import replicate_seeds
    from villagesim.stats import mean_ci

    package = {f"interventions.{name}.intensity": args.intensity for name in INTERVENTIONS}
    arms = {"no interventions": config, "all five paths": config.updated(package)}
    seeds = replicate_seeds(args.seed, args.seeds)
    frames = {arm: [VillageModel(arm_config, seed=s).run(args.steps).timeseries() for s in seeds]
              for arm, arm_config in arms.items()}

    print(f"villagesim demo: {config.preset}, {args.steps} months, {args.seeds} seeds from --seed {args.seed} "
          f"(same seeds in both arms), all paths at intensity {args.intensity}")
    rows = []
    for metric in METRICS:
        a, b = (np.array([f[metric].iloc[-1] for f in frames[arm]]) for arm in arms)
        cells = [mean_ci(a), mean_ci(b), mean_ci(b - a)]
        rows.append([metric, unit(metric), *(f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in cells)])
    print(table(["metric", "unit", "no interventions", "all five paths", "difference"], rows, left=2))
    print("(means over seeds at the final month, 95% confidence intervals; the difference is paired by seed)")
    with out.writing() as folder:
        figure = pictures.timeseries_figure(
            frames, title=f"{config.preset}: none vs all paths at intensity {args.intensity:g}, seeds from {args.seed}",
            subtitle=changed_settings(args))
        pictures.save(figure, folder / "demo.png")
    print(f"wrote {out.path / 'demo.png'}")
    return 0


def add_command(sub) -> None:
    demo = sub.add_parser("demo", help="the default village without and with all interventions, over several seeds")
    add_model_arguments(demo, seed_default=DEMO_SEED)
    add_extension_argument(demo)
    demo.add_argument("--seeds", type=positive, default=10, help="replicates per arm (default: 10)")
    demo.add_argument("--steps", type=non_negative, default=120, help="months (default: 120)")
    demo.add_argument("--intensity", type=float, default=1.0, help="intensity of every path (default: 1)")
    add_output_arguments(demo, default="villagesim-demo")
    demo.set_defaults(handler=cmd_demo)
