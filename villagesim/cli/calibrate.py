"""``villagesim calibrate`` and ``villagesim predict``: the uptake rule on real networks."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from villagesim.calibration import (DEFAULT_SEED, FITTED, FIXED, Groups, bootstrap, fit, objective, read_groups,
                                    read_params, run_design, simulate, summary, to_params, write_params)
from villagesim.cli.arguments import (add_model_arguments, add_output_arguments, claim_output, file_digest,
                                      model_overrides, non_negative, positive)
from villagesim.errors import InputError
from villagesim.params import resolve


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    text = ",".join(header) + "\n" + "".join(
        ",".join(f"{v:.6f}" if isinstance(v, float) else str(v) for v in row) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")


def _data_inputs(args: argparse.Namespace) -> dict:
    """The data files (by content) and columns, as an output folder records them."""
    return {"nodes_sha256": file_digest(args.nodes, "--nodes"), "edges_sha256": file_digest(args.edges, "--edges"),
            **{col: getattr(args, col) for col in ("id_col", "group_col", "seed_col", "outcome_col")}}


def _print_groups(groups: Groups, observed: np.ndarray | None, predicted: np.ndarray) -> None:
    print(f"  {'group':<12}{'n':>6}{'observed':>10}{'predicted':>11}")
    for g, label in enumerate(groups.labels):
        obs = f"{observed[g]:10.3f}" if observed is not None else f"{'':10}"
        print(f"  {label:<12}{groups.size[g]:>6}{obs}{predicted[g]:11.3f}")


def _base_params(args: argparse.Namespace) -> dict:
    fitted = next((a.partition("=")[0].strip() for a in args.assignments if a.partition("=")[0].strip() in FITTED),
                  None)
    if fitted:
        raise InputError(f"--set {fitted}: is estimated by calibrate; fixed parameters are {', '.join(FIXED)}")
    _, overrides = model_overrides(args)
    return resolve(overrides)


def cmd_calibrate(args: argparse.Namespace) -> int:
    base = _base_params(args)
    out = claim_output(args, "calibrate", {
        **_data_inputs(args), "params": base, "seed": args.seed,
        **{k: getattr(args, k) for k in ("months", "replicates", "candidates", "bootstrap", "final_replicates")}})
    groups = read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col)
    seed = args.seed
    observed, weight = groups.observed(), groups.non_seeds
    print(f"villagesim calibrate: {len(groups.labels)} groups, {groups.group.size} nodes, "
          f"{groups.adjacency.nnz // 2} ties; {args.months} months, {args.replicates} replicates per candidate, "
          f"2 x {args.candidates} candidates, seed {seed}")
    if groups.dropped_ties:
        print(f"  note: {groups.dropped_ties} ties between different groups ignored")
    design = run_design(groups, base, args.months, args.replicates, seed, args.candidates)
    best = fit(design, observed, weight)
    boot = np.array(to_params(bootstrap(design, observed, weight, args.bootstrap, seed + 1)))
    estimate = to_params(design.unit[best])[0]
    intervals = {k: (float(np.quantile([b[k] for b in boot], 0.025)), float(np.quantile([b[k] for b in boot], 0.975)))
                 for k in FITTED} if args.bootstrap else {}
    params = {**base, **estimate}
    predicted = simulate(groups, params, args.months, args.final_replicates, seed).mean(axis=0)
    stats = summary(observed, predicted)

    print("  parameter                       estimate   95% bootstrap interval over groups")
    for key in FITTED:
        lo, hi = intervals.get(key, (math.nan, math.nan))
        print(f"  {key:<30}{estimate[key]:>9.4f}   [{lo:.4f}, {hi:.4f}]")
    _print_groups(groups, observed, predicted)
    print(f"  fit: R2 {stats['r2']:.3f}, correlation {stats['correlation']:.3f}, RMSE {stats['rmse']:.4f}")

    info = {"method": "simulated method of moments, two-stage Sobol design, common random numbers",
            "seed": seed, "replicates": args.replicates, "candidates": 2 * args.candidates,
            "bootstrap": args.bootstrap, "objective": float(objective(predicted, observed, weight)),
            "r2": stats["r2"], "correlation": stats["correlation"]}
    with out.writing() as folder:
        write_params(folder / "params.toml", params, intervals, args.months, info)
        _write_csv(folder / "fit.csv", ("group", "n", "observed", "predicted"),
                   [(lab, int(groups.size[g]), float(observed[g]), float(predicted[g]))
                    for g, lab in enumerate(groups.labels)])
    print(f"wrote {out.path / 'params.toml'}, {out.path / 'fit.csv'}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    params, months = read_params(args.params)
    out = claim_output(args, "predict", {**_data_inputs(args), "params_sha256": file_digest(args.params, "--params"),
                                         "replicates": args.replicates, "seed": args.seed})
    groups = read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col)
    seed = args.seed
    predicted = simulate(groups, params, months, args.replicates, seed).mean(axis=0)
    observed = groups.observed() if args.outcome_col else None
    print(f"villagesim predict: {len(groups.labels)} groups, {months} months, {args.replicates} replicates, seed {seed}")
    _print_groups(groups, observed, predicted)
    header = ("group", "n", "predicted") + (("observed",) if observed is not None else ())
    rows = [(lab, int(groups.size[g]), float(predicted[g])) + ((float(observed[g]),) if observed is not None else ())
            for g, lab in enumerate(groups.labels)]
    if observed is not None:
        stats = summary(observed, predicted)
        print(f"  R2 {stats['r2']:.3f}, correlation {stats['correlation']:.3f}, RMSE {stats['rmse']:.4f}")
    with out.writing() as folder:
        _write_csv(folder / "groups.csv", header, rows)
    print(f"wrote {out.path / 'groups.csv'}")
    return 0


def _data_arguments(parser: argparse.ArgumentParser, outcome_required: bool) -> None:
    parser.add_argument("--nodes", required=True, help="node CSV: one row per node")
    parser.add_argument("--edges", required=True, help="edge CSV: first two columns are node ids")
    parser.add_argument("--id-col", default="id", help="node id column (default: id)")
    parser.add_argument("--group-col", required=True, help="column naming each node's group (village)")
    parser.add_argument("--seed-col", required=True, help="0/1 column: nodes informed first (the seeds)")
    parser.add_argument("--outcome-col", required=outcome_required, default=None,
                        help="0/1 column: the observed uptake" + ("" if outcome_required else " (optional)"))
    add_output_arguments(parser, required=True)


def add_command(subparsers) -> None:
    cal = subparsers.add_parser("calibrate", help="fit the project-uptake parameters to observed uptake on real networks")
    _data_arguments(cal, outcome_required=True)
    # A fixed default seed, so that the documented calibration is reproduced by the bare command.
    add_model_arguments(cal, seed_default=DEFAULT_SEED)
    cal.add_argument("--months", type=positive, default=24, help="months the news runs (default: 24)")
    cal.add_argument("--replicates", type=positive, default=32, help="replicates per candidate (default: 32)")
    cal.add_argument("--candidates", type=positive, default=256, help="Sobol candidates per stage (default: 256)")
    cal.add_argument("--bootstrap", type=non_negative, default=1000, help="bootstrap draws over groups (default: 1000)")
    cal.add_argument("--final-replicates", type=positive, default=200,
                     help="replicates for the reported fit (default: 200)")
    cal.set_defaults(handler=cmd_calibrate)

    pred = subparsers.add_parser("predict", help="predict uptake on real networks with calibrated parameters")
    _data_arguments(pred, outcome_required=False)
    pred.add_argument("--params", required=True, help="params.toml written by villagesim calibrate")
    pred.add_argument("--replicates", type=positive, default=200, help="replicates (default: 200)")
    pred.add_argument("--seed", type=non_negative, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    pred.set_defaults(handler=cmd_predict)
