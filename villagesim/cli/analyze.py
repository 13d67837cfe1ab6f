"""``villagesim analyze``: means with CIs, sensitivity indices, charts and tables of a sweep."""

from __future__ import annotations

import hashlib
from pathlib import Path

from villagesim.cli.arguments import add_output_arguments, claim_output
from villagesim.errors import InputError


def cmd_analyze(args) -> int:
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
    parser.set_defaults(handler=cmd_analyze)
