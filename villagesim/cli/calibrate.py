"""``villagesim calibrate`` and ``villagesim predict``: the uptake rule on real networks."""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

from villagesim.calibration.settings import (DEFAULT_SEED, FITTED, FIXED, PERIOD_MONTHS, TIME_FITTED,
                                             TIME_FIXED)
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
            **{col: getattr(args, col) for col in ("id_col", "group_col", "seed_col", "outcome_col", "time_col",
                                                   "last_period", "participation_col", "relations", "age_col")}}


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
    estimated, fixed = (TIME_FITTED, TIME_FIXED[2:]) if args.time_col else (FITTED, FIXED)
    fitted = next((a.partition("=")[0].strip() for a in args.assignments
                   if a.partition("=")[0].strip() in estimated), None)
    if fitted:
        raise InputError(f"--set {fitted}: is estimated by calibrate; fixed parameters are {', '.join(fixed)}")
    return resolve({**model_config(args).overrides, "project.campaign": args.months})


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the rule to take-up (``--outcome-col``) or to adoption over time (``--time-col``)."""
    _check_calibrate(args)
    base = _base_params(args)
    out = claim_output(args, "calibrate", {
        **_data_inputs(args), "params": base, "seed": args.seed,
        **{k: getattr(args, k) for k in ("months", "replicates", "candidates", "starts", "max_evaluations",
                                         "profiles", "bootstrap", "final_replicates", "period_months", "objective",
                                         "draws", "steps")}})
    groups = _read(args)
    cal = _fit(args, groups, base)
    started = time.perf_counter()
    fitted = (_describe_time_fit if args.time_col else _describe_uptake_fit)(args, groups, base, cal)
    fitted["calibration"] = cal
    fitted["seconds"] = {**cal.seconds, "reported runs": time.perf_counter() - started}
    _draw_posterior(args, cal, fitted)
    if args.participation_col:
        _fit_membership(args, groups, fitted)
    report(args, groups, cal, fitted)
    with out.writing() as folder:
        names = _write_calibration(folder, fitted)
    print("wrote " + ", ".join(str(out.path / name) for name in names))
    return 0


def _draw_posterior(args: argparse.Namespace, cal, fitted: dict) -> None:
    """The parameter draws that the predictions' intervals run (stored in params.toml)."""
    from villagesim.calibration.intervals import posterior_draws, posterior_table

    started = time.perf_counter()
    draws, fitted["acceptance"] = posterior_draws(cal, args.draws, args.steps, args.seed)
    fitted["info"]["posterior"] = posterior_table(draws)
    fitted["info"]["posterior_acceptance"] = fitted["acceptance"]
    fitted["seconds"]["posterior draws"] = time.perf_counter() - started


def _fit_membership(args: argparse.Namespace, groups: Groups, fitted: dict) -> None:
    """The participation rule and the independent-choice logit, each fitted to the moments of membership."""
    from villagesim.calibration.membership import LOGIT, RULE, fit_membership

    started = time.perf_counter()
    fits = {rule: fit_membership(groups, rule, args.replicates, args.seed, args.candidates, args.max_evaluations,
                                 args.starts) for rule in (RULE, LOGIT)}
    fitted["info"]["membership"] = {rule: {**f.fit.estimate, "objective": f.fit.objective}
                                    for rule, f in fits.items()}
    fitted["seconds"]["membership"] = time.perf_counter() - started


def _print_membership(table: dict) -> None:
    print("  membership (participation), fitted to the same moments:")
    for rule, values in table.items():
        estimate = ", ".join(f"{k} {v:.4g}" for k, v in values.items() if k != "objective")
        print(f"    {rule}: objective {values['objective']:.1f}; {estimate}")


def _check_calibrate(args: argparse.Namespace) -> None:
    if args.starts > args.candidates:
        raise InputError(f"--starts {args.starts}: at most --candidates ({args.candidates}), the Sobol points it "
                         "starts from")
    if not args.outcome_col and not args.time_col:
        raise InputError("calibrate: needs --outcome-col (take-up) or --time-col with --last-period (adoption over "
                         "time)")


def _read(args: argparse.Namespace) -> Groups:
    from villagesim.calibration import read_groups

    relations = tuple(r.strip() for r in args.relations.split(",")) if args.relations else None
    return read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col,
                       args.time_col, args.last_period, args.participation_col, relations, args.age_col)


def _fit(args: argparse.Namespace, groups: Groups, base: dict):
    """The calibration proper: the search, then the profiles and refits."""
    from villagesim.calibration import calibrate

    objective = None
    if args.time_col:
        from villagesim.calibration.timing import LikelihoodObjective, TimingObjective

        kind = LikelihoodObjective if args.objective == "likelihood" else TimingObjective
        objective = kind(groups, base, args.replicates, args.seed, args.period_months)
    return calibrate(groups, base, args.replicates, args.seed, args.candidates, args.max_evaluations, args.bootstrap,
                     args.starts, bool(args.profiles), objective=objective)


def _describe_uptake_fit(args: argparse.Namespace, groups: Groups, base: dict, cal) -> dict:
    """The take-up fit's reported runs, baselines and files' contents."""
    from villagesim.calibration import BASELINES, baseline_fit, baseline_predict, covariates, predict, summary

    seed, result = args.seed, cal.fit
    observed = groups.observed()
    params = {**base, **result.estimate}
    predicted = predict(groups, params, args.final_replicates, seed, True)
    simulated_seeds = predict(groups, params, args.final_replicates, seed, False)
    x = covariates(groups)
    coefficients = {name: baseline_fit(x[name], observed, groups.non_seeds) for name in BASELINES}
    baselines = {name: baseline_predict(x[name], beta) for name, beta in coefficients.items()}
    info = {"method": "simulated method of moments: Sobol design, multi-start Nelder-Mead, refit from lower profile "
                      "points, common random numbers",
            "seed": seed, "replicates": args.replicates, "candidates": args.candidates, "starts": args.starts,
            "refits": cal.refits, "evaluations": cal.evaluations, "objective": result.objective,
            "r2_given_seeds": summary(observed, predicted)["r2"],
            "r2_simulated_seeds": summary(observed, simulated_seeds)["r2"],
            "identified": {key: closed for key, (_, _, closed) in cal.intervals.items()},
            "baselines": {name: [float(b) for b in beta] for name, beta in coefficients.items()}}
    return {"params": params, "keys": (*FITTED, *FIXED), "info": info, "observed": observed, "predicted": predicted,
            "simulated_seeds": simulated_seeds, "baselines": baselines,
            "fit": (("group", "n", "observed", "predicted"),
                    [(lab, int(groups.size[g]), float(observed[g]), float(predicted[g]))
                     for g, lab in enumerate(groups.labels)])}


def _describe_time_fit(args: argparse.Namespace, groups: Groups, base: dict, cal) -> dict:
    """The timing fit's reported runs: adoption curves, the moments, hazards given the history and baselines."""
    import numpy as np

    from villagesim.calibration.hazard import baseline_hazards, fit_baselines, hazards, person_periods, scores
    from villagesim.calibration.timing import adoption_periods, curves, moment_names, timing_params

    result, objective = cal.fit, cal.objective
    params = timing_params({**base, **result.estimate}, groups.last_period, args.period_months)
    simulated = curves(groups, adoption_periods(groups, params, args.final_replicates, args.seed,
                                                args.period_months)).mean(axis=0)
    observed = curves(groups, groups.time[None, :])[0]
    rows = person_periods(groups)
    coefficients = fit_baselines(groups)
    predicted = {"uptake rule": hazards(groups, params, args.period_months)[rows.person, rows.period - 1],
                 **baseline_hazards(rows, coefficients)}
    names = np.array(moment_names(groups))[objective.kept]
    tail = len(names) - len(groups.labels) * (groups.last_period - 1)  # the moments after the curves
    method = ("maximum likelihood of the adoption periods under the hazards given the history"
              if args.objective == "likelihood" else "simulated method of moments on adoption over time")
    info = {"method": f"{method}: Sobol design, multi-start Nelder-Mead, refit from lower profile points",
            "seed": args.seed, "replicates": args.replicates, "candidates": args.candidates, "starts": args.starts,
            "refits": cal.refits, "evaluations": cal.evaluations, "objective": result.objective,
            "period_months": args.period_months, "last_period": groups.last_period,
            "identified": {key: closed for key, (_, _, closed) in cal.intervals.items()},
            "hazard_baselines": coefficients}
    return {"params": params, "keys": (*TIME_FITTED, *TIME_FIXED), "info": info,
            "moments": list(zip(names[-tail:], result.observed[-tail:], result.simulated[-tail:],
                                result.errors[-tail:])),
            "scores": {name: scores(rows.adopted, h) for name, h in predicted.items()},
            "fit": (("group", "period", "observed", "predicted"),
                    [(lab, p + 1, float(observed[g, p]), float(simulated[g, p]))
                     for g, lab in enumerate(groups.labels) for p in range(groups.last_period - 1)])}


def report(args: argparse.Namespace, groups: Groups, cal, fitted: dict) -> None:
    """Print the calibration: the data, the estimates with their profile intervals, the moments and the fit."""
    keys = cal.objective.keys
    result = cal.fit
    kind = (f"adoption over {groups.last_period - 1} periods of {args.period_months} months" if args.time_col
            else f"campaign {args.months} months")
    print(f"villagesim calibrate: {len(groups.labels)} groups, {groups.group.size} nodes, "
          f"{groups.adjacency.nnz // 2} ties; {kind}, {args.replicates} replicates per evaluation, "
          f"{args.candidates} Sobol candidates then Nelder-Mead from the best {args.starts}, seed {args.seed}")
    if groups.dropped_ties:
        print(f"  note: {groups.dropped_ties} ties between different groups ignored")
    print("  parameter                       estimate   95% profile interval   identified")
    for key in keys:
        lo, hi, closed = cal.intervals.get(key, (math.nan, math.nan, None))
        verdict = "not profiled" if closed is None else "yes" if closed else "no"
        print(f"  {key:<30}{result.estimate[key]:>10.4g}   [{lo:.4g}, {hi:.4g}]   {verdict}")
    starts = ", ".join(f"{v:.1f}" for v in result.starts)
    print(f"  objective {result.objective:.1f} (Nelder-Mead starts ended at {starts}); "
          f"{cal.refits} refit(s) from a lower profile point; {cal.evaluations} evaluations "
          f"({result.evaluations} to reach the estimate)")
    from villagesim.calibration import REFIT_TOLERANCE

    if cal.below > REFIT_TOLERANCE:
        print(f"  note: a profile point still lies {cal.below:.2f} below the estimate after {cal.refits} refits; "
              "an interval may exclude the estimate")
    print("  moments (observed, simulated, standard error)")
    for name, o, s, e in fitted["moments"] if "moments" in fitted else _uptake_moments(result):
        print(f"    {name:<38}{o:9.4f}{s:9.4f}{e:9.4f}")
    if args.time_col:
        _print_hazard_scores(fitted["scores"])
    else:
        _print_groups(groups, fitted["observed"], fitted["predicted"])
        print("  in-sample, seeds' decisions given:")
        _print_scores(groups, fitted["observed"], fitted["predicted"], fitted["baselines"])
        print("  in-sample, seeds' decisions simulated:")
        _print_scores(groups, fitted["observed"], fitted["simulated_seeds"], fitted["baselines"])
    if "membership" in fitted["info"]:
        _print_membership(fitted["info"]["membership"])
    print(f"  90% intervals: {args.draws} draws from the quasi-posterior ({args.steps} Metropolis steps, "
          f"{fitted['acceptance']:.0%} accepted)")
    seconds = fitted["seconds"]
    print(f"  time: fit {seconds['fit']:.0f} s, profiles and refits {seconds.get('profiles', 0.0):.0f} s, "
          f"reported runs {seconds['reported runs']:.0f} s, posterior draws {seconds['posterior draws']:.0f} s")


def _uptake_moments(result):
    from villagesim.calibration import MOMENT_NAMES

    tail = len(result.observed) - len(MOMENT_NAMES)
    return zip(MOMENT_NAMES, result.observed[tail:], result.simulated[tail:], result.errors[tail:])


def _print_hazard_scores(scores: dict, what: str = "hazard given the history", per: str = "person-period") -> None:
    print(f"  {what:<40}{'loglik/' + per:>22}{'AUC':>8}")
    for name, s in scores.items():
        print(f"  {name:<40}{s['loglik']:22.4f}{s['auc']:8.3f}")


def _write_calibration(folder, fitted: dict) -> tuple[str, ...]:
    from villagesim.calibration import write_csv, write_params

    cal = fitted["calibration"]
    intervals = {key: (lo, hi) for key, (lo, hi, _) in cal.intervals.items()}
    write_params(folder / "params.toml", fitted["params"], fitted["keys"], intervals, fitted["info"])
    write_csv(folder / "fit.csv", *fitted["fit"])
    write_csv(folder / "profiles.csv", ("parameter", "value", "objective"),
              [(key, float(v), float(j)) for key, p in cal.profiles.items()
               for v, j in zip((_value(key, u, cal.objective.keys) for u in p.grid), p.values)])
    return "params.toml", "fit.csv", "profiles.csv"


def _value(key: str, unit: float, keys: tuple[str, ...]) -> float:
    import numpy as np

    from villagesim.calibration import to_params

    return float(to_params(np.full(len(keys), unit), keys)[key])


def cmd_predict(args: argparse.Namespace) -> int:
    if args.time_col:
        return _predict_time(args)
    if args.given_seeds and not args.outcome_col:
        raise InputError("--given-seeds: needs --outcome-col, the column holding the seeds' observed decisions")
    from villagesim.calibration import read_params

    params = read_params(args.params, (*FITTED, *FIXED))
    coefficients = _baselines(args.params)
    draws = _draws(args, params)
    membership = _membership_params(args) if args.participation_col else None
    out = claim_output(args, "predict", {**_data_inputs(args), "params_sha256": file_digest(args.params, "--params"),
                                         "given_seeds": args.given_seeds, "replicates": args.replicates,
                                         "seed": args.seed})
    from villagesim.calibration import read_groups

    groups = read_groups(args.nodes, args.edges, args.id_col, args.group_col, args.seed_col, args.outcome_col)
    import numpy as np

    from villagesim.calibration import baseline_predict, covariates, predict, simulate, write_csv
    from villagesim.calibration.intervals import predictive_interval
    from villagesim.calibration.prediction import shares

    seed = args.seed
    predicted = predict(groups, params, args.replicates, seed, args.given_seeds)
    seed_outcome = groups.outcome & groups.seed if args.given_seeds else None
    lower, upper = predictive_interval(
        lambda p, k, s: shares(groups, simulate(groups, p, k, s, seed_outcome), ~groups.seed), draws, args.per_draw,
        seed)
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
    header = ("group", "n", "predicted", "lower", "upper") + (("observed",) if observed is not None else ())
    rows = [(lab, int(groups.size[g]), float(predicted[g]), float(lower[g]), float(upper[g]))
            + ((float(observed[g]),) if observed is not None else ()) for g, lab in enumerate(groups.labels)]
    with out.writing() as folder:
        write_csv(folder / "groups.csv", header, rows)
        if membership:
            _predict_membership(args, groups, membership, folder)
    print(f"wrote {out.path / 'groups.csv'}")
    return 0


def _membership_params(args: argparse.Namespace) -> dict:
    """The membership rules' parameters a calibration with --participation-col stored (checked up front)."""
    from villagesim.calibration.membership import LOGIT, RULE, RULES

    table = _calibration_table(args.params).get("membership", {})
    ok = isinstance(table, dict) and all(isinstance(table.get(r), dict) and set(RULES[r]) <= set(table[r])
                                         for r in (RULE, LOGIT))
    if not ok:
        raise InputError(f"--params {args.params}: no membership fit; --participation-col needs a calibration made "
                         "with --participation-col")
    return table


def _predict_membership(args: argparse.Namespace, groups: Groups, fits: dict, folder) -> None:
    """people.csv: each person's chance of membership under the participation rule and the logit, scored."""
    from villagesim.calibration import write_csv
    from villagesim.calibration.hazard import scores
    from villagesim.calibration.membership import LOGIT, RULE, MembershipObjective
    from villagesim.params import resolve

    chance = {rule: MembershipObjective(groups, rule, args.replicates, args.seed).chance(
        {**resolve({}), **fits[rule]}, args.replicates) for rule in (RULE, LOGIT)}
    _print_hazard_scores({rule: scores(groups.participation, c) for rule, c in chance.items()},
                         "membership, chance of each person", "person")
    write_csv(folder / "people.csv", ("id", "group", "predicted_participation", "logit"),
              [(groups.ids[i], groups.labels[groups.group[i]], float(chance[RULE][i]), float(chance[LOGIT][i]))
               for i in range(groups.group.size)])


def _draws(args: argparse.Namespace, params: dict) -> list[dict]:
    """The calibration's parameter draws (checked before anything is computed)."""
    from villagesim.calibration.intervals import read_posterior

    return read_posterior(args.params, _calibration_table(args.params), params)


def _predict_time(args: argparse.Namespace) -> int:
    """Each person's chance of adopting in each period given the history before it, beside the baselines'."""
    from villagesim.calibration import read_params

    params = read_params(args.params, (*TIME_FITTED, *TIME_FIXED))
    table = _calibration_table(args.params)
    if "period_months" not in table or "hazard_baselines" not in table:
        raise InputError(f"--params {args.params}: not a calibration on adoption over time; --time-col needs one made "
                         "by villagesim calibrate --time-col")
    draws = _draws(args, params)
    membership = _membership_params(args) if args.participation_col else None
    out = claim_output(args, "predict", {**_data_inputs(args), "params_sha256": file_digest(args.params, "--params")})
    groups = _read(args)
    from villagesim.calibration import write_csv
    from villagesim.calibration.hazard import baseline_hazards, hazards, person_periods, scores
    from villagesim.calibration.intervals import predictive_interval
    from villagesim.calibration.timing import adoption_periods, curves, timing_params

    months = int(table["period_months"])
    rows = person_periods(groups)
    predicted = {"uptake rule": hazards(groups, timing_params(params, groups.last_period, months),
                                        months)[rows.person, rows.period - 1],
                 **baseline_hazards(rows, table["hazard_baselines"])}
    print(f"villagesim predict: {len(groups.labels)} groups, {rows.person.size} person-periods at risk, "
          f"periods 1 to {groups.last_period - 1} of {months} months")
    _print_hazard_scores({name: scores(rows.adopted, h) for name, h in predicted.items()})
    columns = [name.replace(" ", "_") for name in predicted][1:]
    shape = (len(groups.labels), groups.last_period - 1)

    def run(p, k, s):
        return curves(groups, adoption_periods(groups, p, k, s, months)).reshape(k, -1)

    mean = run(params, args.replicates, args.seed).mean(axis=0).reshape(shape)
    lower, upper = (bound.reshape(shape) for bound in predictive_interval(run, draws, args.per_draw, args.seed))
    observed = curves(groups, groups.time[None, :])[0]
    with out.writing() as folder:
        write_csv(folder / "hazard.csv", ("id", "group", "period", "predicted", *columns),
                  [(groups.ids[i], groups.labels[groups.group[i]], int(p), *(float(h[k]) for h in predicted.values()))
                   for k, (i, p) in enumerate(zip(rows.person, rows.period))])
        write_csv(folder / "curves.csv", ("group", "period", "predicted", "lower", "upper", "observed"),
                  [(lab, p + 1, *(float(a[g, p]) for a in (mean, lower, upper, observed)))
                   for g, lab in enumerate(groups.labels) for p in range(shape[1])])
        if membership:
            _predict_membership(args, groups, membership, folder)
    print(f"wrote {out.path / 'hazard.csv'}, {out.path / 'curves.csv'} (cumulative adoption from the start, "
          "with 90% intervals)" + (f", {out.path / 'people.csv'}" if membership else ""))
    return 0


def _calibration_table(path: str) -> dict:
    from villagesim import tomlfile

    table = tomlfile.read(path, "--params").get("calibration", {})
    return table if isinstance(table, dict) else {}


def _baselines(path: str) -> dict:
    """The baselines' coefficients fitted by calibrate (on the calibration groups only)."""
    from villagesim.calibration import BASELINES

    table = _calibration_table(path).get("baselines", {})
    ok = isinstance(table, dict) and all(name in table and isinstance(table[name], list) for name in BASELINES)
    if not ok:
        raise InputError(f"--params {path}: calibration.baselines is missing or incomplete; rerun villagesim calibrate")
    return {name: table[name] for name in BASELINES}


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", required=True, help="node CSV: one row per node")
    parser.add_argument("--edges", required=True, help="edge CSV: first two columns are node ids")
    parser.add_argument("--id-col", default="id", help="node id column (default: id)")
    parser.add_argument("--group-col", required=True, help="column naming each node's group (village)")
    parser.add_argument("--seed-col", required=True, help="0/1 column: nodes informed first (the seeds)")
    parser.add_argument("--outcome-col", default=None, help="0/1 column: the observed uptake")
    parser.add_argument("--time-col", default=None,
                        help="column of adoption periods 1, 2, ..., --last-period (adoption over time)")
    parser.add_argument("--last-period", type=positive, default=None,
                        help="the survey's period: in --time-col it means not adopted by the survey (censored)")
    parser.add_argument("--period-months", type=positive, default=PERIOD_MONTHS,
                        help=f"model months per period of the data (default: {PERIOD_MONTHS}, periods of a year)")
    parser.add_argument("--participation-col", default=None,
                        help="0/1 column: membership of the village's own organisation (participation)")
    parser.add_argument("--age-col", default=None,
                        help="column of ages, for the membership logit on degree and age (default: degree alone)")
    parser.add_argument("--relations", default=None,
                        help="comma-separated values of the edges' relation column to keep (default: every tie)")
    add_output_arguments(parser, required=True)


def add_command(subparsers) -> None:
    cal = subparsers.add_parser("calibrate", help="fit the project-uptake parameters to observed uptake on real networks")
    _data_arguments(cal)
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
    cal.add_argument("--draws", type=positive, default=100,
                     help="parameter draws kept for the predictions' 90%% intervals (default: 100)")
    cal.add_argument("--steps", type=positive, default=400,
                     help="Metropolis steps (evaluations) to draw them (default: 400)")
    cal.add_argument("--objective", choices=("moments", "likelihood"), default="moments",
                     help="with --time-col: fit the moments of time (simulated method of moments), or maximise the "
                          "likelihood of the adoption periods under the hazards given the history (default: moments)")
    cal.add_argument("--final-replicates", type=positive, default=200,
                     help="replicates for the reported fit (default: 200)")
    cal.set_defaults(handler=cmd_calibrate)

    pred = subparsers.add_parser("predict", help="predict uptake on real networks with calibrated parameters")
    _data_arguments(pred)
    pred.add_argument("--params", required=True, help="params.toml written by villagesim calibrate")
    pred.add_argument("--given-seeds", action="store_true",
                      help="take the seeds' observed decisions (--outcome-col) as inputs; the others' outcomes are "
                           "read only to score the prediction")
    pred.add_argument("--replicates", type=positive, default=200, help="replicates (default: 200)")
    pred.add_argument("--per-draw", type=positive, default=4,
                      help="replicates at each of the calibration's parameter draws, for the 90%% intervals "
                           "(default: 4)")
    pred.add_argument("--seed", type=non_negative, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    pred.set_defaults(handler=cmd_predict)
