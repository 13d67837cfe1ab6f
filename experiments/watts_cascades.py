"""Watts (2002), "A simple model of global cascades on random networks", Fig. 1 reproduced.

    .venv/bin/python experiments/watts_cascades.py [--nodes 10000] [--runs 400] [--seed 2002]

Erdős-Rényi graphs of mean degree z; every node has threshold 0.18; one
random node is switched on; the participation rule in pure-threshold mode
(:func:`villagesim.submodels.participation.cascade`, trust weight 0, no habit) runs to
its end. A cascade is global when it reaches more than ``--global-share`` of
the nodes. Beside the simulated frequency the script draws the analytic
answer for an infinite graph: the chance that the seed touches the giant
cluster of vulnerable nodes (those with degree k <= 1/0.18), from Watts's
generating functions, and the cascade window where that cluster exists.
Writes docs/img/watts_cascades.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from villagesim.network import from_edges
from villagesim.submodels.participation import cascade

ROOT = Path(__file__).resolve().parents[1]
KMAX = 200  # degrees beyond this have negligible Poisson mass for z <= 20


def er_graph(n: int, z: float, rng: np.random.Generator):
    """G(n, m) with m = z n / 2 random pairs (self-loops and repeats dropped)."""
    m = rng.poisson(z * n / 2)
    return from_edges(n, rng.integers(0, n, m), rng.integers(0, n, m))


def cascade_shares(n: int, z: float, phi: float, runs: int, rng: np.random.Generator) -> np.ndarray:
    """Final active share after one random seed, each run on a fresh graph."""
    out = np.empty(runs)
    everyone = np.ones(n, bool)
    threshold = np.full(n, phi)
    for r in range(runs):
        adj = er_graph(n, z, rng)
        seed = np.zeros(n, bool)
        seed[rng.integers(n)] = True
        out[r] = cascade(adj, seed, everyone, threshold).mean()
    return out


def _vulnerable_moments(z: float, phi: float) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(KMAX + 1)
    pk = stats.poisson.pmf(k, z)
    vulnerable = (k >= 1) & (1.0 / np.maximum(k, 1) >= phi)
    return k, pk * vulnerable


def in_window(z: float, phi: float) -> bool:
    """Watts's cascade condition: sum_k k (k - 1) rho_k p_k > z."""
    k, vk = _vulnerable_moments(z, phi)
    return float((k * (k - 1) * vk).sum()) > z


def analytic_frequency(z: float, phi: float) -> float:
    """Chance that one seed starts a global cascade on an infinite Poisson graph.

    ``u``: chance that an edge does not lead into the giant vulnerable
    cluster, ``u = 1 - G1v(1) + G1v(u)`` with ``G1v(x) = sum k rho_k p_k
    x^(k-1) / z``; the seed triggers a global cascade unless none of its
    edges does, so the frequency is ``1 - G0(u) = 1 - exp(z (u - 1))``.
    """
    if z <= 0 or not in_window(z, phi):
        return 0.0
    k, vk = _vulnerable_moments(z, phi)

    def g1v(x: float) -> float:
        return float((k * vk * x ** np.maximum(k - 1, 0)).sum() / z)

    gap = lambda u: 1.0 - g1v(1.0) + g1v(u) - u  # noqa: E731
    if gap(0.0) <= 0:
        return 1.0
    u = optimize.brentq(gap, 0.0, 1.0 - 1e-9)  # the smallest root below the trivial one at u = 1
    return float(1.0 - np.exp(z * (u - 1.0)))


def window(phi: float, zs: np.ndarray) -> tuple[float, float]:
    """Smallest and largest z of ``zs`` inside the cascade window."""
    inside = [z for z in zs if in_window(z, phi)]
    return min(inside), max(inside)


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from villagesim import pictures
    from villagesim.stats import mean_ci

    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--phi", type=float, default=0.18)
    ap.add_argument("--global-share", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=2002)
    ap.add_argument("--figure", default=str(ROOT / "docs/img/watts_cascades.png"))
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    zs = np.arange(0.5, 10.01, 0.25)
    freq, lo, hi, size = [], [], [], []
    for z in zs:
        shares = cascade_shares(args.nodes, z, args.phi, args.runs, rng)
        glob = shares > args.global_share
        m, a, b = mean_ci(glob.astype(float))
        freq.append(m), lo.append(max(a, 0)), hi.append(min(b, 1))
        size.append(shares[glob].mean() if glob.any() else np.nan)
        print(f"z {z:5.2f}: global cascades {m:.3f} [{a:.3f}, {b:.3f}], mean size of global ones {size[-1]:.3f}, "
              f"analytic {analytic_frequency(z, args.phi):.3f}")
    fine = np.linspace(0.3, 10.5, 400)
    analytic = [analytic_frequency(z, args.phi) for z in fine]
    low, high = window(args.phi, fine)
    print(f"analytic cascade window for phi={args.phi}: z in [{low:.2f}, {high:.2f}]")

    fig, ax = plt.subplots(figsize=(7, 4.3))
    ax.axvspan(low, high, color="0.92", label=f"analytic cascade window [{low:.2f}, {high:.2f}]")
    ax.plot(fine, analytic, color="k", lw=1, label="analytic frequency (infinite graph)")
    ax.errorbar(zs, freq, yerr=[np.array(freq) - lo, np.array(hi) - freq], fmt="o", ms=4, color="tab:red",
                label=f"simulated frequency, 95% CI ({args.runs} runs)")
    ax.plot(zs, size, "s", ms=3, color="tab:blue", mfc="none", label="mean size of global cascades")
    ax.set_xlabel("mean degree z")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"Global cascades (> {args.global_share:.0%} of nodes), threshold {args.phi}, "
                 f"Erdős-Rényi n = {args.nodes:,}", fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    pictures.save(fig, args.figure)
    print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
