"""``villagesim serve``: the browser view for demonstrations and the classroom (:mod:`villagesim.server`)."""

from __future__ import annotations

import argparse

from villagesim.classroom import default_folder
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
    from villagesim.classroom.store import SessionStore

    SessionStore(args.classroom_dir)  # a folder that cannot hold sessions is refused before the server starts
    from villagesim.server import lan_address, serve

    public_url = None
    if args.host in ("0.0.0.0", "::"):
        address = lan_address()
        if address is None:
            print("villagesim: no local network address found; phones cannot reach this machine yet", flush=True)
        else:
            public_url = f"http://{address}:{args.port}/"
            print(f"villagesim: on this room's network use {public_url} (teams join at {public_url}join)", flush=True)
    serve(args.host, args.port, args.lang, args.extensions, classroom_dir=args.classroom_dir,
          public_url=public_url, plan_search=args.plan_search)
    return 0


def add_command(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="the browser view for demonstrations and the classroom (works offline)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for a classroom)")
    serve.add_argument("--port", type=port_number, default=8765, help="port (default: 8765)")
    serve.add_argument("--lang", choices=LANGUAGES, default="zh", help="start language of the page (default: zh)")
    serve.add_argument("--classroom-dir", default=str(default_folder()),
                       help="folder of the classroom sessions, kept across restarts (default: %(default)s)")
    serve.add_argument("--plan-search", default="", metavar="KEY=N,...",
                       help="bounds of the page's quick search for the best plan, KEY=N,... over trials, "
                            "search_seeds, seeds and max_seeds as in `villagesim plan` (a bound left out keeps "
                            "the quick default; smaller is faster)")
    add_extension_argument(serve)
    serve.set_defaults(handler=cmd_serve)
