"""``villagesim plan``: the best use of a budget over the five paths, for one village."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from villagesim.cli.arguments import non_negative, positive, shown_width, table
from villagesim.errors import InputError

if TYPE_CHECKING:
    from villagesim.planner import PlanResult


def cmd_plan(args: argparse.Namespace) -> int:
    from villagesim import planner
    from villagesim.params import parse_assignment

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler: only with --executor dask")
    overrides = dict(parse_assignment(text) for text in args.assignments)
    planner.check(args.scenario, args.budget, args.months, args.objective, overrides, args.trials,
                  args.search_seeds, args.seeds)
    from villagesim.sweep import default_workers, make_executor

    workers = min(args.workers or default_workers(), 64)
    executor, release, _ = make_executor(args.executor, workers, args.scheduler)

    def say(message: str) -> None:
        print(f"villagesim plan: {message}", file=sys.stderr, flush=True)

    try:
        result = planner.plan(args.scenario, args.budget, args.months, args.objective, overrides, args.seed,
                              args.robust, executor, args.trials, args.search_seeds, args.seeds, args.max_seeds,
                              progress=None if args.quiet else say)
    finally:
        release()
    if args.json:
        summary = {**result.to_json(), "reproduce": reproduce(result, args.scenario, args.assignments)}
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(report(result, args.scenario, args.assignments, args.seed))
    return 0


def report(result: PlanResult, scenario_arg: str, sets: list[str], seed: int) -> str:
    """The command's text report of a :class:`villagesim.planner.PlanResult`: best plan, ties, marginal values,
    nothing and single-path plans, how to reproduce."""
    objective = ", ".join(f"{w:g} x {k}" for k, w in result.objective.items())
    lines = [f"villagesim plan: {result.scenario}, budget {result.budget:g} 万元, {result.months} months, "
             f"objective {objective}{' (robust: mean over a Latin hypercube of the assumptions)' if result.robust else ''}",
             f"{result.evaluations} runs in {result.seconds:.0f} s; final comparison on {len(result.seeds)} seeds "
             "common to all plans", ""]
    best = result.best
    low, high = best.ci
    lines += [f"best plan: {best.describe()}",
              f"  cost {best.cost:.2f} 万元; objective {best.mean:.4f} [{low:.4f}, {high:.4f}] (95% CI)"]
    if result.tied:
        lines.append(f"  statistically tied with it (paired 95% CI of the gap includes 0): {', '.join(result.tied)}")
    elif result.resolved:
        lines.append("  its lead over the runner-up is beyond the paired 95% CI")
    lines += ["", "marginal value per 万元 (intensity moved by the step shown; paired, 95% CI):"]
    for m in result.marginal:
        lines.append(f"  {m.path:<16} {m.step:+.1f}  {m.per_10k:+.5f} [{m.ci[0]:+.5f}, {m.ci[1]:+.5f}]")
    # The plan's description goes last and unpadded: it is the only cell of any length.
    candidates = [best, *(c for c in result.alternatives if c is not best)]
    rows = [[c.name if c is not best else "best", f"{c.cost:.2f}", f"{c.mean:.4f} [{c.ci[0]:.4f}, {c.ci[1]:.4f}]"]
            for c in candidates]
    aligned = table(["plan", "cost 万元", "objective [95% CI]"], rows).splitlines()
    width = max(shown_width(line) for line in aligned)
    lines += ["", *(line + " " * (width - shown_width(line)) + "  " + plan for line, plan in
                    zip(aligned, ["paths", *(c.describe() for c in candidates)]))]
    lines += ["", "reproduce the best plan's first seed (its value above is the mean over the seeds "
              f"villagesim.seeds.replicate_seeds({seed}, {len(result.seeds)})):",
              f"  {reproduce(result, scenario_arg, sets)}"]
    if not result.robust:
        lines.append(f"  gives objective {best.values[0]:.4f}")
    return "\n".join(lines)


def add_command(subparsers) -> None:
    parser = subparsers.add_parser("plan", help="the best plan over the five paths for a budget in 万元")
    parser.add_argument("--scenario", default="default", help="preset name or scenario TOML file (default: default)")
    parser.add_argument("--budget", required=True, metavar="万元",
                        help="what the plan may spend over the months, all villages together (万元)")
    parser.add_argument("--months", type=positive, default=120, help="months to the outcome (default: 120)")
    parser.add_argument("--objective", default="participation_rate", metavar="METRIC|KEY=WEIGHT,...",
                        help="participation_rate (default), project_uptake, or weights over metrics, "
                             "e.g. participation_rate=1,project_uptake=0.5")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter of the village (not a path's intensity or start)")
    parser.add_argument("--seed", type=non_negative, default=0, help="seed all runs derive from (default: 0)")
    parser.add_argument("--robust", action="store_true",
                        help="optimise the mean over a Latin hypercube of the assumed parameters")
    parser.add_argument("--trials", type=non_negative, default=56, help="plans the optimiser proposes (default: 56)")
    parser.add_argument("--search-seeds", type=positive, default=6, help="seeds per plan in the search (default: 6)")
    parser.add_argument("--seeds", type=positive, default=16,
                        help="first number of seeds of the final comparison (default: 16)")
    parser.add_argument("--max-seeds", type=positive, default=64,
                        help="most seeds of the final comparison, doubled until the lead is clear (default: 64)")
    parser.add_argument("--workers", type=positive, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                        help="where runs happen (default: processes)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="existing Dask scheduler (with --executor dask)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(handler=cmd_plan)


def reproduce(result: PlanResult, scenario_arg: str, sets: list[str]) -> str:
    """The ``villagesim run`` command that runs the best plan on the final comparison's first seed."""
    sets_text = "".join(f" --set {s}" for s in sets)
    plan_text = " ".join(f"--set {k}={v:g}" for k, v in result.best.overrides.items())
    return (f"villagesim run --scenario {scenario_arg}{sets_text} --steps {result.months} --seed {result.seeds[0]} "
            f"{plan_text}")
