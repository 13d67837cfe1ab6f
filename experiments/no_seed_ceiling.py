"""What could predict a village's take-up without its leaders' decisions (docs/validation.md)?

    .venv/bin/python experiments/no_seed_ceiling.py [--data DIR]

Leave one village out, as experiments/validation.py scores the rule: for each
village, a weighted least-squares line (the baselines' own ``baseline_fit``)
on the other villages, of non-leader take-up on size and one more village
feature that needs no outcome, scored by R² on the held-out villages. The
features are the network's (leaders' number, share, degree and eigenvector
centrality; the share of non-leaders one or two ties from a leader; mean
degree, isolated households, clustering) and the households' own
characteristics (the survey's religion, roof, rooms, beds, electricity and
ownership, summed up per village by a logistic regression of the loan on them,
fitted on the other villages' non-leaders). Also: the ideal count predictor
(the other villages' mean number of non-leader borrowers over a village's
non-leaders). A feature that does not lift the line on size above size alone
cannot help a rule whose prediction it drives either.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from villagesim.calibration import baseline_fit, baseline_predict, read_groups, summary
from villagesim.calibration.data import distance_from_seeds, seeds_centrality

ROOT = Path(__file__).resolve().parents[1]


def network_features(groups) -> dict[str, np.ndarray]:
    v = len(groups.labels)
    seed, group = groups.seed, groups.group
    degree = np.asarray(groups.adjacency.sum(axis=1)).ravel()
    distance = distance_from_seeds(groups)
    non_seed = ~seed

    def per_group(values: np.ndarray, among: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values * among, minlength=v) / np.bincount(group, weights=among,
                                                                                     minlength=v)

    clustering = np.array([nx.average_clustering(nx.from_scipy_sparse_array(
        groups.adjacency[np.flatnonzero(group == g)][:, np.flatnonzero(group == g)])) for g in range(v)])
    ones = np.ones(group.size)
    return {"leaders' number": np.bincount(group, weights=seed, minlength=v),
            "leaders' share": per_group(seed.astype(float), ones),
            "mean degree": per_group(degree, ones),
            "leaders' mean degree": per_group(degree, seed),
            "non-leaders one tie from a leader": per_group((distance == 1).astype(float), non_seed),
            "non-leaders within two ties": per_group((distance <= 2).astype(float), non_seed),
            "leaders' eigenvector centrality": seeds_centrality(groups),
            "isolated households": per_group((degree == 0).astype(float), ones),
            "clustering": clustering}


def characteristics(households: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The survey's household characteristics as regressors (one column per category but the commonest), named."""
    numbers = np.column_stack([np.log1p(households["rooms"]), np.log1p(households["beds"]),
                               households["electricity"]])
    columns, names = [numbers], ["log(1 + rooms)", "log(1 + beds)", "electricity"]
    for name in ("religion", "roof", "ownership"):
        values = households[name]
        others = sorted(set(values) - {values.mode()[0]})
        columns.append(np.column_stack([values == other for other in others]).astype(float))
        names += [f"{name} {other}" for other in others]
    return np.column_stack(columns), names


def loo_r2(groups, features: np.ndarray | None = None, fold_feature=None) -> float:
    """R² of the line on size (and a feature) fitted without each village in turn, on the held-out villages."""
    y, w, size = groups.observed(), groups.non_seeds, groups.size.astype(float)
    predicted = np.empty(y.size)
    for g in range(y.size):
        train = np.arange(y.size) != g
        extra = fold_feature(train) if fold_feature else features
        x = size[:, None] if extra is None else np.column_stack([size, extra])
        predicted[g] = baseline_predict(x[g:g + 1], baseline_fit(x[train], y[train], w[train]))[0]
    return summary(y, predicted)["r2"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "microfinance"))
    args = parser.parse_args()
    nodes, edges = f"{args.data}/households.csv", f"{args.data}/edges.csv"
    groups = read_groups(nodes, edges, "hh", "village", "leader", "loan")
    households = pd.read_csv(nodes)  # in the node file's order, as groups.group
    (x, names), loan, village, non_leader = characteristics(households), groups.outcome, groups.group, ~groups.seed

    def household_score(train: np.ndarray) -> np.ndarray:
        fit_on = non_leader & train[village]
        model = LogisticRegression(C=np.inf, max_iter=5000).fit(x[fit_on], loan[fit_on])
        chance = model.predict_proba(x)[:, 1]
        return np.bincount(village, weights=chance * non_leader) / np.bincount(village, weights=non_leader)

    y, w = groups.observed(), groups.non_seeds
    borrowers = y * w
    count = np.array([borrowers[np.arange(y.size) != g].mean() / w[g] for g in range(y.size)])
    print("| predictor, leave one village out | R² |\n| --- | --- |")
    print(f"| size | {loo_r2(groups):.3f} |")
    print(f"| the other villages' mean count of non-leader borrowers | {summary(y, count)['r2']:.3f} |")
    for name, feature in network_features(groups).items():
        print(f"| size + {name} | {loo_r2(groups, feature):.3f} |")
    print(f"| size + households' characteristics (logit, fitted in each fold) | "
          f"{loo_r2(groups, fold_feature=household_score):.3f} |")
    pooled = LogisticRegression(C=np.inf, max_iter=5000).fit(x[non_leader], loan[non_leader])
    print("\nthe logit on all villages' non-leaders, log-odds: "
          + ", ".join(f"{name} {beta:+.2f}" for name, beta in zip(names, pooled.coef_[0])))


if __name__ == "__main__":
    main()
