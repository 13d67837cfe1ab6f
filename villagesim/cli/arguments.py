"""Argument types and the options shared by the commands: models, output folders.

Everything here is light (no numpy, Mesa or pandas), so that ``--help`` and
refusals of bad input answer at once; commands import the model after it.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
from typing import Any

from villagesim.config import Config, configure
from villagesim.errors import InputError
from villagesim.outputs import Output
from villagesim import scenarios


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


def model_config(args: argparse.Namespace) -> Config:
    """The one configuration of ``--scenario``, ``--set`` and ``--extension`` (with the scenario's own extensions),
    resolved and checked together, with any network files read and checked."""
    config = configure(args.scenario, assignments=args.assignments, extensions=getattr(args, "extensions", ()))
    if config.params["network.nodes"]:
        from villagesim.network import read_network  # numpy only: the model is not imported yet

        read_network(config.params["network.nodes"], config.params["network.edges"])
    return config


def changed_settings(args: argparse.Namespace) -> str:
    """What a run changes from its preset, for a chart's subtitle: each ``--set`` and ``--extension`` as given."""
    changes = [text.strip() for text in args.assignments]
    changes += [f"extension {path}" for path in getattr(args, "extensions", ())]
    return "settings changed from the preset: " + ", ".join(changes) if changes else "the preset's settings"


def drawn_seed(seed: int | None) -> int:
    """``seed``, or one drawn as the model would draw it, so that the output folder can record it first."""
    return secrets.randbits(63) if seed is None else seed


def file_digest(path: str, flag: str) -> str:
    """sha256 of an input file, so that an output folder records the data it was made from."""
    import hashlib
    import os

    if not os.path.isfile(path):
        raise InputError(f"{flag} {path}: no such file")
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as err:
        raise InputError(f"{flag} {path}: cannot read it ({err.strerror})") from None


def add_output_arguments(parser: argparse.ArgumentParser, default: str | None = None, **kwargs) -> None:
    """``--out DIR`` and ``--overwrite`` (:mod:`villagesim.outputs`)."""
    where = f" (default: {default})" if default else ""
    parser.add_argument("--out", default=default, metavar="DIR", help=kwargs.pop("help", "output folder") + where,
                        **kwargs)
    parser.add_argument("--overwrite", action="store_true",
                        help="write into a folder that holds other results (they are replaced)")


def claim_output(args: argparse.Namespace, command: str, inputs: dict[str, Any],
                 options: dict[str, Any] | None = None) -> Output:
    """The checked ``--out`` folder, claimed for ``command`` and its ``inputs``: call before any computation."""
    out = Output(args.out)
    out.claim(command, inputs, args.overwrite, options)
    return out


def shown_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Rows of cells as aligned text: the first ``left`` columns to the left, the others to the right, each as
    wide as its widest cell."""
    lines = [[str(cell) for cell in line] for line in (header, *rows)]
    widths = [max(shown_width(cell) for cell in column) for column in zip(*lines)]

    def pad(i: int, cell: str) -> str:
        space = " " * (widths[i] - shown_width(cell))
        return cell + space if i < left else space + cell

    return "\n".join(("  " + "  ".join(pad(i, cell) for i, cell in enumerate(line))).rstrip() for line in lines)


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workers``, ``--executor`` and ``--scheduler``: where a command's runs happen."""
    parser.add_argument("--workers", type=positive, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                        help="where runs happen (default: processes)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="existing Dask scheduler (with --executor dask)")


def check_executor(args: argparse.Namespace) -> None:
    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler: only with --executor dask")


@contextlib.contextmanager
def executor_of(args: argparse.Namespace):
    """The executor that ``--executor``, ``--workers`` and ``--scheduler`` name, released on leaving."""
    from villagesim.sweep import default_workers, make_executor

    executor, release, _ = make_executor(args.executor, min(args.workers or default_workers(), 64), args.scheduler)
    try:
        yield executor
    finally:
        release()


def progress_printer(args: argparse.Namespace, command: str):
    """A function printing progress lines to stderr, or None with ``--quiet``."""
    if args.quiet:
        return None
    return lambda message: print(f"villagesim {command}: {message}", file=sys.stderr, flush=True)
