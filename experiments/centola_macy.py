"""Centola and Macy (2007) / Centola (2010): complex contagion needs clustered ties.

    .venv/bin/python experiments/centola_macy.py [--nodes 2000] [--degree 6] [--runs 40] [--seed 2007]

A ring lattice (each node tied to its ``degree / 2`` nearest neighbours on
either side, so ties are clustered) is rewired by degree-preserving double
edge swaps: a share ``p`` of the ties is swapped away (p = 1: a random
graph of the same degree sequence). A focal node and its neighbours are
switched on; the participation rule in pure-threshold mode
(:func:`villagesim.submodels.participation.cascade`, with the denominator 1 so that
the threshold counts neighbours) then runs: a simple contagion needs one
active neighbour, a complex contagion two. We record how far it travels
(final share) and how fast (rounds of word of mouth until half the nodes
are active; infinite if never). Writes docs/img/centola_macy.png.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from villagesim.submodels.participation import cascade

ROOT = Path(__file__).resolve().parents[1]


def ring_lattice(n: int, degree: int) -> nx.Graph:
    return nx.watts_strogatz_graph(n, degree, 0.0)


def rewired(n: int, degree: int, p: float, rng: np.random.Generator) -> sp.csr_matrix:
    """The ring lattice after ``p`` x (number of ties) degree-preserving double edge swaps."""
    graph = ring_lattice(n, degree)
    swaps = int(round(p * graph.number_of_edges()))
    if swaps:
        nx.double_edge_swap(graph, nswap=swaps, max_tries=100 * swaps + 1000, seed=int(rng.integers(2**31)))
    return nx.to_scipy_sparse_array(graph, nodelist=range(n), format="csr").astype(np.float64)


def spread(adj: sp.csr_matrix, needed: int, focal: int) -> tuple[float, float]:
    """Final share and rounds until half the nodes are active (inf if never), from a focal neighbourhood."""
    n = adj.shape[0]
    seeds = np.zeros(n, bool)
    seeds[focal] = True
    seeds[adj.indices[adj.indptr[focal]:adj.indptr[focal + 1]]] = True
    everyone, ones = np.ones(n, bool), np.ones(n)
    threshold = np.full(n, float(needed))

    def active(rounds: int) -> np.ndarray:
        return cascade(adj, seeds, everyone, threshold, denominator=ones, max_rounds=rounds)

    final = active(0)
    if final.sum() < n / 2:
        return float(final.mean()), math.inf
    lo, hi = 0, 1
    while active(hi).sum() < n / 2:  # rounds needed lie in (lo, hi]
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if active(mid).sum() >= n / 2 else (mid, hi)
    return float(final.mean()), float(hi)


def experiment(n: int, degree: int, p: float, needed: int, runs: int, rng: np.random.Generator):
    """Final shares and rounds to half, one fresh network and focal node per run."""
    out = np.array([spread(rewired(n, degree, p, rng), needed, int(rng.integers(n))) for _ in range(runs)])
    return out[:, 0], out[:, 1]


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from villagesim import pictures
    from villagesim.stats import mean_ci

    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--degree", type=int, default=6)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2007)
    ap.add_argument("--figure", default=str(ROOT / "docs/img/centola_macy.png"))
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    ps = np.array([0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0])
    fig, (reach_ax, speed_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for needed, label, color in ((1, "simple (1 neighbour)", "tab:blue"), (2, "complex (2 neighbours)", "tab:red")):
        reach, speed, reached = [], [], []
        for p in ps:
            share, rounds = experiment(args.nodes, args.degree, p, needed, args.runs, rng)
            reach.append(mean_ci(share))
            ok = np.isfinite(rounds)
            speed.append(mean_ci(rounds[ok]) if ok.any() else (np.nan,) * 3)
            reached.append(ok.mean())
            print(f"{label:<24} p {p:<6}: final share {reach[-1][0]:.3f} [{reach[-1][1]:.3f}, {reach[-1][2]:.3f}]; "
                  f"half reached in {ok.mean():.0%} of runs, rounds {speed[-1][0]:.1f}")
        x = np.where(ps == 0, 3e-4, ps)
        r = np.array(reach)
        reach_ax.errorbar(x, r[:, 0], yerr=[r[:, 0] - r[:, 1], r[:, 2] - r[:, 0]], fmt="o-", color=color, label=label)
        s = np.array(speed)
        speed_ax.errorbar(x, s[:, 0], yerr=[s[:, 0] - s[:, 1], s[:, 2] - s[:, 0]], fmt="o-", color=color, label=label)
    for ax in (reach_ax, speed_ax):
        ax.set_xscale("log")
        ax.set_xlabel("share of ties rewired (0 drawn at 3e-4)")
        ax.legend(fontsize=8)
    reach_ax.set_ylabel("final share active (95% CI)")
    speed_ax.set_ylabel("rounds until half are active (runs that get there)")
    speed_ax.set_yscale("log")
    fig.suptitle(f"Ring lattice of {args.nodes:,} nodes, degree {args.degree}, degree-preserving rewiring; "
                 f"{args.runs} runs per point", fontsize=10)
    fig.tight_layout()
    pictures.save(fig, args.figure)
    print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
