"""The ``villagesim`` command line: one module per command, over the library.

Every command validates all of its input, then checks its output folder,
before it imports the model or computes anything: bad input ends with one
line naming the key, file or value and exit status 2, at once. Results are
written whole or not at all (:mod:`villagesim.outputs`); a failed write ends
with one line naming the file and the cause and exit status 1. Each module of :data:`COMMANDS` has ``add_command(subparsers)``, which
registers a parser whose ``handler`` default takes the parsed arguments and
returns an exit status. The library never imports this package.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from villagesim import __version__
from villagesim.errors import InputError, WriteError

COMMANDS: tuple[str, ...] = ("run", "catalogue", "demo", "plan", "compare", "calibrate", "sweep", "analyze", "serve", "bench")
"""Command modules of this package, in the order of ``villagesim --help``."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str):  # noqa: D102
        # main prints "villagesim: error:" first: a command's parser adds only its own name ("run: ...").
        raise InputError(message if self.prog == "villagesim" else f"{self.prog.removeprefix('villagesim ')}: {message}")


def build_parser() -> Parser:
    parser = Parser(prog="villagesim", description="How a village Party branch mobilises its village.")
    parser.add_argument("--version", action="version", version=f"villagesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"villagesim.cli.{name}").add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except InputError as err:
        print(f"villagesim: error: {err}", file=sys.stderr)
        return 2
    except WriteError as err:
        print(f"villagesim: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("villagesim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `villagesim params | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:  # reading or writing outside an output folder, e.g. a file vanished
        where = f"{os.fsdecode(err.filename)}: " if err.filename else ""
        print(f"villagesim: error: {where}{err.strerror or err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
