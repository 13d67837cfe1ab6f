"""``villagesim sweep``: many runs from a TOML spec into a resumable Parquet dataset."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from villagesim.cli.arguments import add_extension_argument, add_output_arguments, positive
from villagesim.errors import InputError
from villagesim.outputs import output_dir


def cmd_sweep(args) -> int:
    from villagesim.sweep import ExecutorFailed, default_workers, load_spec, make_executor, prepare, run_sweep

    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler: only with --executor dask")
    if args.scheduler and args.workers:
        raise InputError("--workers: not with --scheduler (the cluster has its own workers)")
    spec = load_spec(args.spec, args.extensions)
    output_dir(args.out)
    manifest = prepare(spec, args.out, args.overwrite)
    workers = args.workers or default_workers()
    executor, release, slots = make_executor(args.executor, workers, args.scheduler)
    label = f"dask scheduler {args.scheduler}" if args.scheduler else (
        "serial" if args.executor == "serial" else f"{args.executor} ({workers} workers)")
    print(f"villagesim sweep: {manifest['points']} points x {spec.replicates} replicates = {manifest['runs']} runs, "
          f"{spec.months} months, {label}", file=sys.stderr)
    try:
        summary = run_sweep(spec, args.out, executor, progress=True, in_flight=max(4 * slots, 16),
                            overwrite=args.overwrite)
    except KeyboardInterrupt:
        print(f"villagesim sweep: interrupted; finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        raise
    except ExecutorFailed as err:
        print(f"villagesim sweep: the executor failed ({err}); finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        return 1
    except OSError as err:  # writing the results, e.g. a full disk
        print(f"villagesim sweep: stopped: {err}; finished runs are kept in {args.out}; "
              "run the same command again to resume", file=sys.stderr)
        return 1
    finally:
        release()
    resumed = f" ({summary.skipped} already done)" if summary.skipped else ""
    # Rates only where they are defined: a resume with nothing left to do has none.
    rates = [f"{summary.rate:.2f} runs/s"] if summary.new else []
    if not math.isnan(summary.steady_rate):
        rates.append(f"{summary.steady_rate:.2f} runs/s after the first result at {summary.first_result_s:.1f} s")
    print(f"{summary.done} runs{resumed}, {summary.failed} failed; {summary.new} runs in {summary.seconds:.1f} s"
          + (f" ({'; '.join(rates)})" if rates else ""))
    print(f"wrote {Path(args.out) / 'runs'}" + (f", {Path(args.out) / 'timeseries'}" if spec.every else ""))
    return 0


def add_command(subparsers) -> None:
    parser = subparsers.add_parser("sweep", help="run a parameter sweep from a TOML spec into a Parquet dataset")
    parser.add_argument("spec", metavar="SPEC.toml", help="sweep specification (see docs/sweeps.md)")
    add_output_arguments(parser, required=True, help="results folder; run again to resume")
    parser.add_argument("--workers", type=positive, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("serial", "processes", "dask"), default="processes",
                        help="where runs happen (default: processes)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)")
    add_extension_argument(parser)
    parser.set_defaults(handler=cmd_sweep)
