"""Argument types and the options shared by the commands that build models."""

from __future__ import annotations

import argparse

from villagesim.params import scenarios


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def positive(text: str) -> int:
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a positive integer, got 0")
    return value


def add_extension_argument(parser: argparse.ArgumentParser) -> None:
    """``--extension FILE``: an extension's parameters and steps (villagesim.extensions), repeatable."""
    parser.add_argument("--extension", dest="extensions", action="append", default=[], metavar="FILE.py",
                        help="add an extension (a Python file you trust: it runs as code); repeatable")


def add_model_arguments(parser: argparse.ArgumentParser, seed_default: int | None = None) -> None:
    """``--scenario``, ``--set`` and ``--seed``, shared by every command that builds models."""
    parser.add_argument("--scenario", default="default", help="preset name or scenario TOML file (default: default)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter by its dotted key, e.g. interventions.training.intensity=0.6")
    seed_help = "random seed (default: drawn and reported)" if seed_default is None else \
        f"random seed (default: {seed_default})"
    parser.add_argument("--seed", type=non_negative, default=seed_default, help=seed_help)


def model_overrides(args: argparse.Namespace) -> tuple[scenarios.Scenario, dict]:
    """The scenario (with its extensions and ``--extension``'s) and its overrides merged with ``--set``,
    validated together."""
    return scenarios.configure(args.scenario, args.assignments, getattr(args, "extensions", ()))


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
