"""``villagesim serve``: the browser view for demonstrations (:mod:`villagesim.view.serve`)."""

from __future__ import annotations

import argparse

from villagesim.cli.arguments import add_extension_argument
from villagesim.i18n import LANGUAGES


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number in [1, 65535], got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number in [1, 65535], got {port}")
    return port


def cmd_serve(args: argparse.Namespace) -> int:
    from villagesim.view.serve import serve

    serve(args.host, args.port, args.lang, args.extensions)
    return 0


def add_command(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="the browser view for demonstrations (Solara, works offline)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=port_number, default=8765, help="port (default: 8765)")
    serve.add_argument("--lang", choices=LANGUAGES, default="zh", help="start language of the page (default: zh)")
    add_extension_argument(serve)
    serve.set_defaults(handler=cmd_serve)
