"""``villagesim run``: one run, its time series, summary and chart."""

from __future__ import annotations

import argparse
import json

from villagesim import __version__
from villagesim.cli.arguments import (add_extension_argument, add_model_arguments, model_overrides, non_negative,
                                      print_table)
from villagesim.outputs import output_dir


def cmd_run(args: argparse.Namespace) -> int:
    from villagesim.events import describe
    from villagesim.extensions import describe as describe_extensions
    from villagesim.model import VillageModel
    from villagesim.view import charts

    scenario, overrides = model_overrides(args)
    out = output_dir(args.out)
    model = VillageModel(overrides, seed=args.seed, preset=scenario.name, extensions=scenario.extensions)
    model.run(args.steps)
    frame = model.timeseries()

    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "timeseries.csv", index=False, float_format="%.10g", lineterminator="\n")
    summary = {
        "version": __version__,
        "scenario": scenario.name,
        "seed": model.seed,
        "steps": model.steps,
        "final": model.final(),
        "params": model.params,
        "extensions": describe_extensions(model.extensions),
        "events": [describe(e, "en", model.villages) for e in model.events],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    charts.save(charts.timeseries_figure({scenario.name: [frame]}, title=f"{scenario.name}, seed {model.seed}"),
                out / "chart.png")

    print(f"villagesim {__version__}: {scenario.name}, seed {model.seed}, {model.steps} months")
    print_table([(k, f"{v:.4g}") for k, v in model.final().items()])
    print(f"wrote {out / 'timeseries.csv'}, {out / 'summary.json'}, {out / 'chart.png'}")
    return 0


def add_command(sub) -> None:
    run = sub.add_parser("run", help="run one scenario and write its time series, summary and chart")
    add_model_arguments(run)
    add_extension_argument(run)
    run.add_argument("--steps", type=non_negative, default=None, help="months to simulate (default: time.months)")
    run.add_argument("--out", default="villagesim-run", help="output folder (default: villagesim-run)")
    run.set_defaults(handler=cmd_run)
