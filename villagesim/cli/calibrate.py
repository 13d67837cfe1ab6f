"""``villagesim calibrate`` and ``villagesim predict``: the uptake rule on real networks."""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

from villagesim.calibration.settings import DEFAULT_SEED, FITTED, FIXED
from villagesim.cli.arguments import (add_model_arguments, add_output_arguments, claim_output, file_digest,
                                      model_config, non_negative, positive)
from villagesim.errors import InputError
from villagesim.params import resolve

if TYPE_CHECKING:
    import numpy as np

    from villagesim.calibration import Groups


def _data_inputs(args: argparse.Namespace) -> dict:
    """The data files (by content) and columns, as an output folder records them."""
    return {"nodes_sha256": file_digest(args.nodes, "--nodes"), "edges_sha256": file_digest(args.edges, "--edges"),
            **{col: getattr(args, col) for col in ("id_col", "group_col", "seed_col", "outcome_col")}}


def _print_groups(groups: Groups, observed: np.ndarray | None, predicted: np.ndarray) -> None:
    print(f"  {'group':<12}{'n':>6}{'observed':>10}{'predicted':>11}")
    for g, label in enumerate(groups.labels):
        obs = f"{observed[g]:10.3f}" if observed is not None else f"{'':10}"
        print(f"  {label:<12}{groups.size[g]:>6}{obs}{predicted[g]:11.3f}")


def _shape(groups: Groups, predicted: np.ndarray) -> str:
    import numpy as np

    from villagesim.calibration import shape

    slope, spread = shape(groups.size, predicted)
    slope_text = f"{slope:+.4f} per 100 nodes" if np.ptp(groups.size) > 0 else "n/a (one size)"
    return f"slope on size {slope_text}, spread (SD) {spread:.4f}"


def _print_scores(groups: Groups, observed: np.ndarray, predicted: np.ndarray, baselines: dict) -> None:
    from villagesim.calibration import summary

    print(f"  {'predictor':<40}{'R2':>8}{'corr':>8}{'RMSE':>8}")
    for name, values in {"uptake rule": predicted, **baselines}.items():
        s = summary(observed, values)
        print(f"  {name:<40}{s['r2']:8.3f}{s['correlation']:8.3f}{s['rmse']:8.4f}")
    print(f"  observed: {_shape(groups, observed)}; rule: {_shape(groups, predicted)}")


def _base_params(args: argparse.Namespace) -> dict:
    fitted = next((a.partition("=")[0].strip() for a in args.assignments if a.partition("=")[0].strip() in FITTED),
                  None)
    if fitted:
        raise InputError(f"--set {fitted}: is estimated by calibrate; fixed parameters are {', '.join(FIXED)}")
    return resolve({**model_config(args).overrides, "project.campaign": args.months})


def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.starts > args.candidates:
        raise InputError(f"--starts {args.starts}: at most --candidates ({args.candidates}), the Sobol points it "
                         "starts from")
    base = _base_params(args)
    out = claim_output(args, "calibrate", {
        **_data_inputs(args), "params": base, "seed": args.seed,
        **{k: getattr(args, k) for k in ("months", "replicates", "candidates", "starts", "max_evaluations",
                                         "profiles", "bootstrap", "final_replicates")}})
    from villagesim.calibration import read_groups

    groups = read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col)
    from villagesim.calibration import (BASELINES, MOMENT_NAMES, REFIT_TOLERANCE, baseline_fit, baseline_predict,
                                        calibrate, covariates, predict, summary, write_csv, write_params)

    seed = args.seed
    observed = groups.observed()
    print(f"villagesim calibrate: {len(groups.labels)} groups, {groups.group.size} nodes, "
          f"{groups.adjacency.nnz // 2} ties; campaign {args.months} months, {args.replicates} replicates per "
          f"evaluation, {args.candidates} Sobol candidates then Nelder-Mead from the best {args.starts}, seed {seed}")
    if groups.dropped_ties:
        print(f"  note: {groups.dropped_ties} ties between different groups ignored")
    cal = calibrate(groups, base, args.replicates, seed, args.candidates, args.max_evaluations, args.bootstrap,
                    args.starts, bool(args.profiles))
    result = cal.fit
    reported_from = time.perf_counter()
    params = {**base, **result.estimate}
    predicted = predict(groups, params, args.final_replicates, seed, True)
    simulated_seeds = predict(groups, params, args.final_replicates, seed, False)
    x = covariates(groups)
    coefficients = {name: baseline_fit(x[name], observed, groups.non_seeds) for name in BASELINES}
    baselines = {name: baseline_predict(x[name], beta) for name, beta in coefficients.items()}

    print("  parameter                       estimate   95% profile interval   identified")
    for key in FITTED:
        lo, hi, closed = cal.intervals.get(key, (math.nan, math.nan, None))
        verdict = "not profiled" if closed is None else "yes" if closed else "no"
        print(f"  {key:<30}{result.estimate[key]:>10.4g}   [{lo:.4g}, {hi:.4g}]   {verdict}")
    starts = ", ".join(f"{v:.1f}" for v in result.starts)
    print(f"  objective {result.objective:.1f} (Nelder-Mead starts ended at {starts}); "
          f"{cal.refits} refit(s) from a lower profile point; {cal.evaluations} evaluations "
          f"({result.evaluations} to reach the estimate)")
    if cal.below > REFIT_TOLERANCE:
        print(f"  note: a profile point still lies {cal.below:.2f} below the estimate after {cal.refits} refits; "
              "an interval may exclude the estimate")
    print("  moments (observed, simulated, standard error)")
    tail = len(observed)
    for name, o, s, e in zip(MOMENT_NAMES, result.observed[tail:], result.simulated[tail:], result.errors[tail:]):
        print(f"    {name:<38}{o:9.4f}{s:9.4f}{e:9.4f}")
    _print_groups(groups, observed, predicted)
    print("  in-sample, seeds' decisions given:")
    _print_scores(groups, observed, predicted, baselines)
    print("  in-sample, seeds' decisions simulated:")
    _print_scores(groups, observed, simulated_seeds, baselines)
    print(f"  time: fit {cal.seconds['fit']:.0f} s, profiles and refits {cal.seconds.get('profiles', 0.0):.0f} s, "
          f"reported runs {time.perf_counter() - reported_from:.0f} s")

    info = {"method": "simulated method of moments: Sobol design, multi-start Nelder-Mead, refit from lower profile "
                      "points, common random numbers",
            "seed": seed, "replicates": args.replicates, "candidates": args.candidates, "starts": args.starts,
            "refits": cal.refits, "evaluations": cal.evaluations, "objective": result.objective,
            "r2_given_seeds": summary(observed, predicted)["r2"],
            "r2_simulated_seeds": summary(observed, simulated_seeds)["r2"],
            "identified": {key: closed for key, (_, _, closed) in cal.intervals.items()},
            "baselines": {name: [float(b) for b in beta] for name, beta in coefficients.items()}}
    intervals = {key: (lo, hi) for key, (lo, hi, _) in cal.intervals.items()}
    with out.writing() as folder:
        write_params(folder / "params.toml", params, (*FITTED, *FIXED), intervals, info)
        write_csv(folder / "fit.csv", ("group", "n", "observed", "predicted"),
                  [(lab, int(groups.size[g]), float(observed[g]), float(predicted[g]))
                   for g, lab in enumerate(groups.labels)])
        write_csv(folder / "profiles.csv", ("parameter", "value", "objective"),
                  [(key, float(v), float(j)) for key, p in cal.profiles.items()
                   for v, j in zip((_value(key, u) for u in p.grid), p.values)])
    print(f"wrote {out.path / 'params.toml'}, {out.path / 'fit.csv'}, {out.path / 'profiles.csv'}")
    return 0


def _value(key: str, unit: float) -> float:
    import numpy as np

    from villagesim.calibration import to_params

    return float(to_params(np.full(len(FITTED), unit))[key])


def cmd_predict(args: argparse.Namespace) -> int:
    if args.given_seeds and not args.outcome_col:
        raise InputError("--given-seeds: needs --outcome-col, the column holding the seeds' observed decisions")
    from villagesim.calibration import read_params

    params = read_params(args.params, (*FITTED, *FIXED))
    coefficients = _baselines(args.params)
    out = claim_output(args, "predict", {**_data_inputs(args), "params_sha256": file_digest(args.params, "--params"),
                                         "given_seeds": args.given_seeds, "replicates": args.replicates,
                                         "seed": args.seed})
    from villagesim.calibration import read_groups

    groups = read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col)
    import numpy as np

    from villagesim.calibration import baseline_predict, covariates, predict, write_csv

    seed = args.seed
    predicted = predict(groups, params, args.replicates, seed, args.given_seeds)
    observed = groups.observed() if args.outcome_col else None
    mode = "seeds' decisions given" if args.given_seeds else "seeds' decisions simulated"
    print(f"villagesim predict: {len(groups.labels)} groups, campaign {params['project.campaign']} months, "
          f"{args.replicates} replicates, {mode}, seed {seed}")
    _print_groups(groups, observed, predicted)
    if observed is not None:
        x = covariates(groups)
        baselines = {name: baseline_predict(x[name], np.asarray(beta, dtype=float))
                     for name, beta in coefficients.items()}
        _print_scores(groups, observed, predicted, baselines)
    else:
        print(f"  rule: {_shape(groups, predicted)}")
    header = ("group", "n", "predicted") + (("observed",) if observed is not None else ())
    rows = [(lab, int(groups.size[g]), float(predicted[g])) + ((float(observed[g]),) if observed is not None else ())
            for g, lab in enumerate(groups.labels)]
    with out.writing() as folder:
        write_csv(folder / "groups.csv", header, rows)
    print(f"wrote {out.path / 'groups.csv'}")
    return 0


def _baselines(path: str) -> dict:
    """The baselines' coefficients fitted by calibrate (on the calibration groups only)."""
    from villagesim.calibration import BASELINES
    from villagesim import tomlfile

    table = tomlfile.read(path, "--params").get("calibration", {}).get("baselines", {})
    ok = isinstance(table, dict) and all(name in table and isinstance(table[name], list) for name in BASELINES)
    if not ok:
        raise InputError(f"--params {path}: calibration.baselines is missing or incomplete; rerun villagesim calibrate")
    return {name: table[name] for name in BASELINES}


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
    cal.add_argument("--months", type=positive, default=6, help="campaign months (project.campaign; default: 6)")
    cal.add_argument("--replicates", type=positive, default=16, help="replicates per evaluation (default: 16)")
    cal.add_argument("--candidates", type=positive, default=64,
                     help="Sobol candidates before Nelder-Mead (default: 64)")
    cal.add_argument("--starts", type=positive, default=3,
                     help="Nelder-Mead runs, from the best Sobol candidates; the lowest wins (default: 3)")
    cal.add_argument("--max-evaluations", type=positive, default=200,
                     help="Nelder-Mead evaluations at most, per run (default: 200)")
    cal.add_argument("--profiles", type=non_negative, choices=(0, 1), default=1,
                     help="1: profile each parameter for its interval (6 refits each) and refit from a profile point "
                          "below the estimate (2 rounds at most), 0: skip (default: 1)")
    cal.add_argument("--bootstrap", type=positive, default=400,
                     help="bootstrap draws over groups for the moments' standard errors (default: 400)")
    cal.add_argument("--final-replicates", type=positive, default=200,
                     help="replicates for the reported fit (default: 200)")
    cal.set_defaults(handler=cmd_calibrate)

    pred = subparsers.add_parser("predict", help="predict uptake on real networks with calibrated parameters")
    _data_arguments(pred, outcome_required=False)
    pred.add_argument("--params", required=True, help="params.toml written by villagesim calibrate")
    pred.add_argument("--given-seeds", action="store_true",
                      help="take the seeds' observed decisions (--outcome-col) as inputs; the others' outcomes are "
                           "read only to score the prediction")
    pred.add_argument("--replicates", type=positive, default=200, help="replicates (default: 200)")
    pred.add_argument("--seed", type=non_negative, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    pred.set_defaults(handler=cmd_predict)
