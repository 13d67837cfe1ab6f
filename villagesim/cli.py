"""The ``villagesim`` command line.

Every command validates all of its input before it writes anything; bad
input ends with one line naming the key, file or value and exit status 2.
Other modules add their own commands through :data:`COMMAND_MODULES`: each
has ``add_command(subparsers)`` which registers a parser whose ``handler``
default takes the parsed arguments and returns an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from villagesim import __version__, scenarios
from villagesim.config import INTERVENTIONS, PARAMS, parse_assignment
from villagesim.errors import InputError
from villagesim.events import describe

COMMAND_MODULES: tuple[str, ...] = ("villagesim.calibration", "villagesim.sweep", "villagesim.analysis", "villagesim.serve",
                                    "villagesim.bench")
"""Modules that add commands (sweep, analyze, serve, calibrate, predict, bench)."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str):  # noqa: D102
        raise InputError(f"{self.prog}: {message}")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def _positive(text: str) -> int:
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a positive integer, got 0")
    return value


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scenario``, ``--set`` and ``--seed``, shared by every command that builds models."""
    parser.add_argument("--scenario", default="default", help="preset name or scenario TOML file (default: default)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter by its dotted key, e.g. interventions.training.intensity=0.6")
    parser.add_argument("--seed", type=_non_negative, default=None, help="random seed (default: drawn and reported)")


def model_overrides(args: argparse.Namespace) -> tuple[scenarios.Scenario, dict]:
    """The scenario and its overrides merged with ``--set``, validated together."""
    from villagesim.config import resolve

    scenario = scenarios.load(args.scenario)
    overrides = dict(scenario.overrides)
    overrides.update(parse_assignment(text) for text in args.assignments)
    resolve(overrides)
    return scenario, overrides


def output_dir(path: str) -> Path:
    """Check that ``path`` can be used as an output folder, without creating it."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {path}: exists and is not a folder")
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise InputError(f"--out {path}: cannot write in {parent}")
    return out


def _print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


# --- run ---------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from villagesim import charts
    from villagesim.model import VillageModel

    scenario, overrides = model_overrides(args)
    out = output_dir(args.out)
    model = VillageModel(overrides, seed=args.seed, preset=scenario.name)
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
        "events": [describe(e, "en", model.villages) for e in model.events],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    charts.save(charts.timeseries_figure({scenario.name: [frame]}, title=f"{scenario.name}, seed {model.seed}"),
                out / "chart.png")

    print(f"villagesim {__version__}: {scenario.name}, seed {model.seed}, {model.steps} months")
    _print_table([(k, f"{v:.4g}") for k, v in model.final().items()])
    print(f"wrote {out / 'timeseries.csv'}, {out / 'summary.json'}, {out / 'chart.png'}")
    return 0


# --- scenarios and params ----------------------------------------------------------------


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name in scenarios.names():
        scenario = scenarios.load(name)
        text = scenario.description_zh if args.lang == "zh" else scenario.description
        print(f"{name:<14} {text}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    if args.markdown:
        print("| key | default | unit | range | source | meaning |")
        print("| --- | --- | --- | --- | --- | --- |")
        for p in PARAMS:
            rng = "" if p.lo is None else f"[{p.lo}, {p.hi}]"
            print(f"| `{p.key}` | {p.default!r} | {p.unit} | {rng} | {p.source} | {p.doc} |")
    else:
        for p in PARAMS:
            print(f"{p.key:<48} {p.default!r:<10} {p.unit}")
    return 0


# --- demo ------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from villagesim import charts
    from villagesim.model import VillageModel
    from villagesim.seeds import replicate_seeds
    from villagesim.stats import mean_ci

    scenario, overrides = model_overrides(args)
    out = output_dir(args.out)
    if not 0.0 <= args.intensity <= 1.0:  # before any run; NaN fails this too
        raise InputError(f"--intensity: must be a number in [0, 1], got {args.intensity}")
    package = {f"interventions.{name}.intensity": args.intensity for name in INTERVENTIONS}
    arms = {"no interventions": overrides, "all five paths": {**overrides, **package}}
    base_seed = 2024 if args.seed is None else args.seed
    seeds = replicate_seeds(base_seed, args.seeds)
    frames = {arm: [VillageModel(params, seed=s).run(args.steps).timeseries() for s in seeds]
              for arm, params in arms.items()}

    metrics = ("participation_rate", "project_uptake", "trust_mean", "active_members",
               "appeals_resolved_rate", "relapse_count", "cost_cumulative")
    print(f"villagesim demo: {scenario.name}, {args.steps} months, {args.seeds} seeds (same seeds in both arms), "
          f"all paths at intensity {args.intensity}")
    print(f"{'metric':<24}{'no interventions':>26}{'all five paths':>26}{'difference':>26}")
    for metric in metrics:
        a, b = (np.array([f[metric].iloc[-1] for f in frames[arm]]) for arm in arms)
        cells = [mean_ci(a), mean_ci(b), mean_ci(b - a)]
        print(f"{metric:<24}" + "".join(f"{m:>10.3f} [{lo:.3f}, {hi:.3f}]".rjust(26) for m, lo, hi in cells))
    print("(means over seeds at the final month, 95% confidence intervals; the difference is paired by seed)")
    out.mkdir(parents=True, exist_ok=True)
    charts.save(charts.timeseries_figure(frames, title=f"{scenario.name}: none vs all paths ({args.seeds} seeds)"),
                out / "demo.png")
    print(f"wrote {out / 'demo.png'}")
    return 0


# --- entry point --------------------------------------------------------------------


def build_parser() -> Parser:
    parser = Parser(prog="villagesim", description="How a village Party branch mobilises its village.")
    parser.add_argument("--version", action="version", version=f"villagesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    run = sub.add_parser("run", help="run one scenario and write its time series, summary and chart")
    add_model_arguments(run)
    run.add_argument("--steps", type=_non_negative, default=None, help="months to simulate (default: time.months)")
    run.add_argument("--out", default="villagesim-run", help="output folder (default: villagesim-run)")
    run.set_defaults(handler=cmd_run)

    listing = sub.add_parser("scenarios", help="list the presets")
    listing.add_argument("--lang", choices=("en", "zh"), default="en")
    listing.set_defaults(handler=cmd_scenarios)

    params = sub.add_parser("params", help="list every parameter with its default and unit")
    params.add_argument("--markdown", action="store_true", help="the full table as Markdown (as in docs/ODD.md)")
    params.set_defaults(handler=cmd_params)

    demo = sub.add_parser("demo", help="the default village without and with all interventions, over several seeds")
    add_model_arguments(demo)
    demo.add_argument("--seeds", type=_positive, default=10, help="replicates per arm (default: 10)")
    demo.add_argument("--steps", type=_non_negative, default=120, help="months (default: 120)")
    demo.add_argument("--intensity", type=float, default=1.0, help="intensity of every path (default: 1)")
    demo.add_argument("--out", default="villagesim-demo", help="output folder (default: villagesim-demo)")
    demo.set_defaults(handler=cmd_demo)

    for name in COMMAND_MODULES:
        importlib.import_module(name).add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except InputError as err:
        print(f"villagesim: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("villagesim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `villagesim params | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
