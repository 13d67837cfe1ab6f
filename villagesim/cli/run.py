"""``villagesim run``: one run, its time series, summary and chart."""

from __future__ import annotations

import argparse
import json

from villagesim import __version__
from villagesim.cli.arguments import (add_extension_argument, add_model_arguments, add_output_arguments,
                                      changed_settings, claim_output, drawn_seed, model_config, non_negative, table)


def cmd_run(args: argparse.Namespace) -> int:
    config = model_config(args)
    seed = drawn_seed(args.seed)
    steps = config.params["time.months"] if args.steps is None else args.steps
    out = claim_output(args, "run", {"scenario": config.preset, "params": dict(config.params), "seed": seed,
                                     "steps": steps})

    from villagesim.i18n import describe
    from villagesim.extensions import describe as describe_extensions
    from villagesim.metrics import unit
    from villagesim.model import VillageModel
    from villagesim import pictures

    model = VillageModel(config, seed=seed)
    model.run(steps)
    frame = model.timeseries()
    summary = {
        "version": __version__,
        "scenario": config.preset,
        "seed": model.seed,
        "steps": model.steps,
        "final": model.final(),
        "params": model.params,
        "extensions": describe_extensions(model.extensions),
        "events": [describe(e, "en", model.villages) for e in model.events],
    }
    with out.writing() as folder:
        frame.to_csv(folder / "timeseries.csv", index=False, float_format="%.10g", lineterminator="\n")
        (folder / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        figure = pictures.timeseries_figure({config.preset: [frame]}, title=f"{config.preset}, seed {model.seed}",
                                            subtitle=changed_settings(args))
        pictures.save(figure, folder / "chart.png")

    print(f"villagesim {__version__}: {config.preset}, seed {model.seed}, {model.steps} months")
    print(table(["metric", "unit", "final month"], [[k, unit(k), f"{v:.4g}"] for k, v in model.final().items()],
                left=2))
    print(f"wrote {out.path / 'timeseries.csv'}, {out.path / 'summary.json'}, {out.path / 'chart.png'}")
    return 0


def add_command(sub) -> None:
    run = sub.add_parser("run", help="run one scenario and write its time series, summary and chart")
    add_model_arguments(run)
    add_extension_argument(run)
    run.add_argument("--steps", type=non_negative, default=None, help="months to simulate (default: time.months)")
    add_output_arguments(run, default="villagesim-run")
    run.set_defaults(handler=cmd_run)
