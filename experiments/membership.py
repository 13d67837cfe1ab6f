"""Membership of the village's organisation as participation: the participation rule, simple contagion and
independent choice, fitted the same way, in sample and leaving one village out (docs/validation.md).

    .venv/bin/python experiments/membership.py --study kfamily [--data ../shared/data]
    .venv/bin/python experiments/membership.py --study brfarmers

In sample: each rule's objective (the same moments and weights) at its
fit. Leave one village out: each rule refitted on the other villages, then
the held-out village's members scored by the rule's chance of membership per
person (log-likelihood per person; mean over replicates, kept inside
[0.005, 0.995]) and its membership rate by the rule's 90% range.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.stats import bootstrap

from villagesim.calibration import read_groups, subset
from villagesim.calibration.membership import RULES, MembershipObjective, fit_membership, moment_names

ROOT = Path(__file__).resolve().parents[1]
STUDIES = {"kfamily": "club", "brfarmers": "coop"}
CLIP = 0.005


def fit(groups, rule, args):
    return fit_membership(groups, rule, args.replicates, args.seed, args.candidates, args.max_evaluations, args.starts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", choices=tuple(STUDIES), required=True)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--replicates", type=int, default=16)
    ap.add_argument("--candidates", type=int, default=64)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--max-evaluations", type=int, default=200)
    args = ap.parse_args()
    folder = Path(args.data) / "diffusion" / args.study
    column = STUDIES[args.study]
    groups = read_groups(f"{folder}/nodes.csv", f"{folder}/edges.csv", "id", "village", column,
                         participation_col=column, age_col="age")
    started = time.perf_counter()
    print(f"\n{args.study}: {len(groups.labels)} villages, {groups.group.size} people, "
          f"{groups.participation.mean():.0%} members\n")
    print("| rule | parameters at the fit (all villages) | objective | leave one out: log-likelihood per person | "
          "villages inside the 90% range of their membership rate |\n| --- | --- | --- | --- | --- |")
    per_person = {}
    for rule in RULES:
        cal = fit(groups, rule, args)
        names = np.array(moment_names(groups))[cal.objective.kept]
        total, inside = [], 0
        for g in range(len(groups.labels)):
            keep = np.arange(len(groups.labels)) != g
            train, test = subset(groups, keep), subset(groups, ~keep)
            fold = fit(train, rule, args)
            tested = MembershipObjective(test, rule, 200, args.seed)
            states = tested.states({**fold.objective.base, **fold.fit.estimate}, 200)
            chance = np.clip(states.mean(axis=0), CLIP, 1 - CLIP)
            total.append(np.where(test.participation, np.log(chance), np.log1p(-chance)))
            rates = states.mean(axis=1) if states.shape[0] > 1 else None
            observed = test.participation.mean()
            if rates is None:  # independent choice: the rate's spread is the binomial one
                rates = (np.random.default_rng(g).random((2000, chance.size)) < chance).mean(axis=1)
            inside += int(np.quantile(rates, 0.05) <= observed <= np.quantile(rates, 0.95))
        per_person[rule] = total
        estimate = ", ".join(f"{k.split('.')[-1]} {v:.3g}" for k, v in cal.fit.estimate.items())
        print(f"| {rule} | {estimate} | {cal.fit.objective:.1f} | {np.concatenate(total).mean():.4f} | "
              f"{inside} of {len(groups.labels)} |")
        gaps = [(n, o, s) for n, o, s in zip(names, cal.fit.observed, cal.fit.simulated) if not n.startswith("village")]
        print("|  | " + "; ".join(f"{n}: {o:.3f} / {s:.3f}" for n, o, s in gaps) + " | | | |")
    # The logit fitted to the moments has no moment on age; the same logit by maximum likelihood, for reference.
    from sklearn.linear_model import LogisticRegression

    degree = np.diff(groups.adjacency.indptr)
    x = np.column_stack([degree, groups.age])
    total = []
    for g in range(len(groups.labels)):
        train = groups.group != g
        model = LogisticRegression(C=np.inf, max_iter=1000).fit(x[train], groups.participation[train])
        chance = np.clip(model.predict_proba(x[~train])[:, 1], CLIP, 1 - CLIP)
        total.append(np.where(groups.participation[~train], np.log(chance), np.log1p(-chance)))
    per_person["logit by maximum likelihood"] = total
    print(f"| logit on degree and age, by maximum likelihood | | | {np.concatenate(total).mean():.4f} | |")
    rule = "participation rule"
    for other in [*list(RULES)[1:], "logit by maximum likelihood"]:
        diff = np.array([a.sum() - b.sum() for a, b in zip(per_person[rule], per_person[other])])
        count = np.array([a.size for a in per_person[rule]], float)
        ci = bootstrap((diff, count), lambda d, n: d.sum() / n.sum(), paired=True, vectorized=False,
                       n_resamples=2000, random_state=np.random.default_rng(0), method="percentile").confidence_interval
        print(f"\n{rule} minus {other}: {diff.sum() / count.sum():+.4f} per person, 95% CI "
              f"[{ci.low:+.4f}, {ci.high:+.4f}] (bootstrap over villages)")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
