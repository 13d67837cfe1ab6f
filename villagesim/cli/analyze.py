"""``villagesim analyze``: means with CIs, sensitivity indices, charts and tables of a sweep."""

from __future__ import annotations

from villagesim.errors import InputError
from villagesim.outputs import output_dir


def cmd_analyze(args) -> int:
    if args.discover is not None:
        if args.best or args.by:
            raise InputError("--discover: not with --best or --by")
        from villagesim.discovery import discover

        discover(args.dir, output_dir(args.out) if args.out else None, metric=args.discover_metric)
        return 0
    from villagesim.analysis import analyze

    if args.by and not args.best:
        raise InputError("--by: only with --best METRIC")
    analyze(args.dir, output_dir(args.out) if args.out else None, best=args.best, by=args.by, lowest=args.lowest)
    return 0


def add_command(subparsers) -> None:
    parser = subparsers.add_parser("analyze", help="means with CIs, Sobol'/Morris indices, charts and CSV of a sweep")
    parser.add_argument("dir", metavar="DIR", help="a sweep's --out folder")
    parser.add_argument("--out", default=None, metavar="DIR", help="where to write (default: DIR/analysis)")
    parser.add_argument("--best", metavar="METRIC", default=None, help="also report the point with the best mean")
    parser.add_argument("--by", metavar="FACTOR", default=None, help="with --best: one best point per level")
    parser.add_argument("--lowest", action="store_true", help="with --best: lowest is best (e.g. relapse_count)")
    parser.add_argument("--discover", choices=("best_path",), default=None,
                        help="DIR holds arm sweeps (one per path and one without): PRIM boxes where each path is "
                             "the best buy per 万元, with coverage and density")
    parser.add_argument("--discover-metric", default="participation_rate", metavar="METRIC",
                        help="with --discover: the outcome whose gain per 万元 decides (default: participation_rate)")
    parser.set_defaults(handler=cmd_analyze)
