"""Fit, leave-one-village-out prediction and baselines on the microfinance villages (docs/validation.md).

    .venv/bin/python experiments/validation.py [--data DIR] [--seed 2024] [--months 24]

Runs the same design as ``villagesim calibrate`` (same seed, same defaults),
then for each village refits on the other 18 (the held-out village gets
weight 0) and predicts it from the simulated candidates. Baselines are
least-squares lines fitted on the same 18 villages: uptake on village size;
uptake on size and the leaders' mean eigenvector centrality. Prints Markdown
tables and writes docs/img/validation_fit.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from villagesim.view import charts
from villagesim.calibration import FITTED, Groups, fit, read_groups, run_design, simulate, summary, to_params
from villagesim.params import resolve

ROOT = Path(__file__).resolve().parents[1]


def leaders_centrality(groups: Groups) -> np.ndarray:
    """Mean eigenvector centrality (unit norm, within the village) of each village's seeds."""
    out = np.empty(len(groups.labels))
    for g in range(len(groups.labels)):
        nodes = np.flatnonzero(groups.group == g)
        graph = nx.from_scipy_sparse_array(groups.adjacency[nodes][:, nodes])
        ec = nx.eigenvector_centrality(graph, max_iter=10_000, tol=1e-10)
        out[g] = np.mean([ec[k] for k in np.flatnonzero(groups.seed[nodes])])
    return out


def loo_linear(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Leave-one-out predictions of a weighted least-squares line y ~ 1 + x."""
    design = np.column_stack([np.ones(y.size), x])
    pred = np.empty(y.size)
    for g in range(y.size):
        keep = np.arange(y.size) != g
        sw = np.sqrt(w[keep])
        beta = np.linalg.lstsq(design[keep] * sw[:, None], y[keep] * sw, rcond=None)[0]
        pred[g] = design[g] @ beta
    return pred


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data/microfinance")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--candidates", type=int, default=256)
    ap.add_argument("--replicates", type=int, default=32)
    ap.add_argument("--figure", default=str(ROOT / "docs/img/validation_fit.png"))
    args = ap.parse_args()

    groups = read_groups(f"{args.data}/households.csv", f"{args.data}/edges.csv", "hh", "village", "leader", "loan")
    base = resolve({})
    y, w = groups.observed(), groups.non_seeds
    design = run_design(groups, base, args.months, args.replicates, args.seed, args.candidates)
    best = fit(design, y, w)
    in_sample = design.predicted[best]

    loo = np.empty(y.size)
    loo_estimates = []
    for g in range(y.size):
        held = w.copy()
        held[g] = 0.0
        k = fit(design, y, held)
        loo[g] = design.predicted[k, g]
        loo_estimates.append(to_params(design.unit[k])[0])

    size = groups.size.astype(float)
    centrality = leaders_centrality(groups)
    rows = {
        "mechanistic model (4 parameters)": loo,
        "village size": loo_linear(size, y, w),
        "size + leaders' eigenvector centrality": loo_linear(np.column_stack([size, centrality]), y, w),
        "overall mean (no covariate)": np.array([np.average(np.delete(y, g), weights=np.delete(w, g))
                                                 for g in range(y.size)]),
    }

    with_centrality = rows["size + leaders' eigenvector centrality"]
    print(f"estimate: {to_params(design.unit[best])[0]}")
    print(f"in-sample (design replicates): {summary(y, in_sample)}")
    print("\n| model, leave one village out | R² | correlation | RMSE |\n| --- | --- | --- | --- |")
    for name, pred in rows.items():
        s = summary(y, pred)
        print(f"| {name} | {s['r2']:.3f} | {s['correlation']:.3f} | {s['rmse']:.4f} |")
    spread = {k: (min(e[k] for e in loo_estimates), max(e[k] for e in loo_estimates)) for k in FITTED}
    print("\nLOO refit range:", {k: (round(a, 4), round(b, 4)) for k, (a, b) in spread.items()})
    print("\n| village | n | leaders | eigenvector centrality | observed | fitted | LOO model | LOO size+centrality |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    leaders = np.bincount(groups.group, weights=groups.seed, minlength=y.size).astype(int)
    for g, lab in enumerate(groups.labels):
        print(f"| {lab} | {groups.size[g]} | {leaders[g]} | {centrality[g]:.3f} | {y[g]:.3f} | {in_sample[g]:.3f} | "
              f"{loo[g]:.3f} | {with_centrality[g]:.3f} |")

    # How much of the between-village spread could any candidate produce?
    sd_sim = design.predicted.std(axis=1)
    corr = np.array([np.corrcoef(p, y)[0, 1] for p in design.predicted])
    print(f"\nobserved between-village SD {y.std():.4f}; simulated SD across villages: max over candidates "
          f"{sd_sim.max():.4f}, at the estimate {sd_sim[best]:.4f}")
    print(f"correlation with observed over all {corr.size} candidates: median {np.median(corr):.3f}, "
          f"max {corr.max():.3f}")

    # Monte Carlo spread within one village at the estimate: is the observed spread just chance?
    sims = simulate(groups, {**base, **to_params(design.unit[best])[0]}, args.months, 200, args.seed)
    print(f"replicate SD of a village's uptake at the estimate: mean over villages {sims.std(axis=0).mean():.4f}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharex=True, sharey=True)
    lim = (0, max(y.max(), loo.max(), with_centrality.max()) * 1.1)
    for ax, (title, pred) in zip(axes, [("mechanistic model", loo),
                                        ("size + leaders' centrality", with_centrality)]):
        if title == "mechanistic model":
            lo, hi = np.quantile(sims, [0.05, 0.95], axis=0)
            ax.hlines(y, lo, hi, color="0.8", lw=1, label="5-95% of replicates at the full-sample estimate")
        ax.scatter(pred, y, s=size / 6, color="tab:blue" if title == "mechanistic model" else "tab:orange",
                   zorder=3)
        for g, lab in enumerate(groups.labels):
            ax.annotate(lab, (pred[g], y[g]), fontsize=7, xytext=(3, 2), textcoords="offset points")
        ax.plot(lim, lim, color="0.4", lw=0.8, ls="--")
        s = summary(y, pred)
        ax.set_title(f"{title}, leave one village out\nR² {s['r2']:.2f}, r {s['correlation']:.2f}", fontsize=10)
        ax.set_xlabel("predicted uptake among non-leaders")
        ax.set_xlim(lim)
        ax.set_ylim(lim)
    axes[0].set_ylabel("observed uptake among non-leaders")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("19 Karnataka villages (Banerjee et al. 2013); marker area ∝ households", fontsize=10)
    fig.tight_layout()
    charts.save(fig, args.figure)
    print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
