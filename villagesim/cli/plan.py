"""``villagesim plan``: the best use of a budget over the five paths, for one village."""

from __future__ import annotations

import argparse
import json
import sys

from villagesim.cli.arguments import non_negative, positive
from villagesim.errors import InputError


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
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(planner.report(result, args.scenario, args.assignments, args.seed))
    return 0


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
