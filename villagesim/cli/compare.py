"""``villagesim compare``: each path alone at a budget, and nothing, over the plausible ranges of the assumptions."""

from __future__ import annotations

import argparse
import json

from villagesim.cli.arguments import (add_executor_arguments, check_executor, executor_of, non_negative, positive,
                                      progress_printer)


def cmd_compare(args: argparse.Namespace) -> int:
    from villagesim import best_buy
    from villagesim.params import parse_assignment

    check_executor(args)
    overrides = dict(parse_assignment(text) for text in args.assignments)
    max_seeds = args.max_seeds if args.max_seeds is not None else max(args.seeds, MAX_SEEDS)
    best_buy.check(args.scenario, args.budget, args.months, args.objective, overrides, args.points, args.seeds,
                  max_seeds)
    with executor_of(args) as executor:
        result = best_buy.compare(args.scenario, args.budget, args.months, args.objective, overrides, args.seed,
                                 args.points, args.seeds, max_seeds, args.vary_village, executor,
                                 progress=progress_printer(args, "compare"))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(best_buy.report(result))
    return 0


POINTS, SEEDS, MAX_SEEDS = 40, 6, 24
"""The defaults of :func:`villagesim.best_buy.compare` (kept here so that ``--help`` imports no numpy)."""


def add_command(subparsers) -> None:
    parser = subparsers.add_parser("compare", help="each path alone at a budget, over the plausible ranges "
                                                   "of the uncertain parameters: which is the best buy")
    parser.add_argument("--scenario", default="default", help="preset name or scenario TOML file (default: default)")
    parser.add_argument("--budget", required=True, metavar="万元",
                        help="what each path may spend over the months, all villages together (万元)")
    parser.add_argument("--months", type=positive, default=120, help="months to the outcome (default: 120)")
    parser.add_argument("--objective", default="participation_rate", metavar="METRIC|KEY=WEIGHT,...",
                        help="participation_rate (default), project_uptake, or weights over metrics")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter of the village (it is then not varied)")
    parser.add_argument("--seed", type=non_negative, default=0, help="seed all runs derive from (default: 0)")
    parser.add_argument("--points", type=positive, default=POINTS,
                        help=f"points of the Latin hypercube (default: {POINTS})")
    parser.add_argument("--seeds", type=positive, default=SEEDS,
                        help=f"seeds per point at first (default: {SEEDS})")
    parser.add_argument("--max-seeds", type=positive, default=None,
                        help="most seeds per point, doubled while the best buy's lead is within its 95%% CI "
                             f"(default: {MAX_SEEDS})")
    parser.add_argument("--vary-village", action="store_true",
                        help="vary the village's characteristics too, over the span of the presets "
                             "(scenario discovery on the ranking)")
    add_executor_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(handler=cmd_compare)
