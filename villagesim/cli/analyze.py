"""``villagesim analyze``: means with CIs, sensitivity indices, charts and tables of a sweep."""

from __future__ import annotations

import hashlib
from pathlib import Path

from villagesim.cli.arguments import add_output_arguments, claim_output
from villagesim.errors import InputError


def cmd_analyze(args) -> int:
    if args.discover is not None:
        return _discover(args)
    from villagesim.sweep.spec import read_manifest

    if args.by and not args.best:
        raise InputError("--by: only with --best METRIC")
    spec, manifest = read_manifest(args.dir)
    spec.check_best(args.best, args.by)
    args.out = args.out or str(Path(args.dir) / "analysis")
    out = claim_output(args, "analyze", {"sweep": manifest["points_sha256"], "spec": manifest["spec"],
                                         "runs_sha256": _runs_digest(Path(args.dir))},
                       options={"best": args.best, "by": args.by, "lowest": args.lowest})

    from villagesim.analysis import analyze

    analyze(args.dir, out, best=args.best, by=args.by, lowest=args.lowest)
    return 0


def _discover(args) -> int:
    """``--discover best_path``: DIR holds one sweep per arm (each path, and none)."""
    if args.best or args.by:
        raise InputError("--discover: not with --best or --by")
    arms = sorted(manifest.parent for manifest in Path(args.dir).glob("*/sweep.json"))
    if not arms:
        raise InputError(f"analyze {args.dir}: --discover needs a folder of arm sweeps (DIR/ARM/sweep.json)")
    args.out = args.out or str(Path(args.dir) / "analysis")
    out = claim_output(args, "analyze", {"arms": {arm.name: _runs_digest(arm) for arm in arms}},
                       options={"discover": args.discover, "metric": args.discover_metric})
    from villagesim.discovery import discover

    with out.writing() as folder:
        discover(args.dir, folder, metric=args.discover_metric)
    return 0


def _runs_digest(sweep: Path) -> str:
    """sha256 of the sweep's finished runs (its Parquet parts), so that a resumed sweep is new input."""
    digest = hashlib.sha256()
    for part in sorted((sweep / "runs").glob("part-*.parquet")):
        with open(part, "rb") as handle:
            digest.update(part.name.encode() + b"\0" + hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def add_command(subparsers) -> None:
    parser = subparsers.add_parser("analyze", help="means with CIs, Sobol'/Morris indices, charts and CSV of a sweep")
    parser.add_argument("dir", metavar="DIR", help="a sweep's --out folder")
    add_output_arguments(parser, help="where to write (default: DIR/analysis)")
    parser.add_argument("--best", metavar="METRIC", default=None, help="also report the point with the best mean")
    parser.add_argument("--by", metavar="FACTOR", default=None, help="with --best: one best point per level")
    parser.add_argument("--lowest", action="store_true", help="with --best: lowest is best (e.g. relapse_count)")
    parser.add_argument("--discover", choices=("best_path",), default=None,
                        help="DIR holds arm sweeps (one per path and one without): PRIM boxes where each path is "
                             "the best buy per 万元, with coverage and density")
    parser.add_argument("--discover-metric", default="participation_rate", metavar="METRIC",
                        help="with --discover: the outcome whose gain per 万元 decides (default: participation_rate)")
    parser.set_defaults(handler=cmd_analyze)
