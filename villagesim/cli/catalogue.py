"""``villagesim scenarios`` and ``villagesim params``: what there is to choose from."""

from __future__ import annotations

import argparse

from villagesim.cli.arguments import add_extension_argument
from villagesim import scenarios


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name in scenarios.names():
        scenario = scenarios.load(name)
        text = scenario.description_zh if args.lang == "zh" else scenario.description
        print(f"{name:<14} {text}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from villagesim.errors import InputError
    from villagesim.extensions import load_all, registry
    from villagesim.params.registry import STATUSES

    if args.only_extensions and not args.extensions:
        raise InputError("--only-extensions: needs --extension FILE")
    view = registry(load_all(args.extensions))
    params = view.extra if args.only_extensions else view.params
    if args.markdown:
        print("| key | default | unit | range | plausible | status | source | meaning |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for p in params:
            rng = "" if p.lo is None else f"[{p.lo}, {p.hi}]"
            plausible = "" if p.plausible is None else f"{p.plausible[0]:g}-{p.plausible[1]:g}"
            print(f"| `{p.key}` | {p.default!r} | {p.unit} | {rng} | {plausible} | {STATUSES[p.status]} | {p.source} "
                  f"| {p.doc} |")
    else:
        for p in params:
            print(f"{p.key:<48} {p.default!r:<10} {p.unit}")
    return 0


def add_command(sub) -> None:
    listing = sub.add_parser("scenarios", help="list the presets")
    listing.add_argument("--lang", choices=("en", "zh"), default="en")
    listing.set_defaults(handler=cmd_scenarios)

    params = sub.add_parser("params", help="list every parameter with its default and unit")
    params.add_argument("--markdown", action="store_true", help="the full table as Markdown (as in docs/ODD.md)")
    add_extension_argument(params)
    params.add_argument("--only-extensions", action="store_true", help="only the extensions' parameters")
    params.set_defaults(handler=cmd_params)
