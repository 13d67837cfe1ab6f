"""Scratch prototype: the information model of uptake, its moments and the fit (to become villagesim.calibration)."""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.sparse.csgraph import shortest_path
from scipy.special import expit, log_expit

from villagesim.calibration import read_groups
from villagesim.grouping import first_k_per_group
from villagesim.network import row_sums

D = "/work/shared/data/microfinance"
G = read_groups(f"{D}/households.csv", f"{D}/edges.csv", "hh", "village", "leader", "loan")
V = len(G.labels)
Z = np.linspace(-4, 4, 81)
LOGPRIOR = -0.5 * Z**2


def distances(groups):
    dist = np.full(groups.group.size, np.inf)
    for g in range(len(groups.labels)):
        nodes = np.flatnonzero(groups.group == g)
        sub = groups.adjacency[nodes][:, nodes]
        seeds = np.flatnonzero(groups.seed[nodes])
        dist[nodes] = shortest_path(sub, unweighted=True, indices=seeds).min(axis=0)
    return dist


DIST = distances(G)


def simulate(groups, th, R, seed, given):
    """Returns enrolled (R, n) bool."""
    n = groups.group.size
    adj = sp.kron(sp.identity(R, format="csr"), groups.adjacency, format="csr")
    rng = np.random.default_rng(seed)
    u_dec = rng.random(R * n)
    u_news = rng.random((48, R * n))
    u_z = rng.random(R * V)
    prio = rng.random(R * n)
    seed_ = np.tile(groups.seed, R)
    gid = (np.repeat(np.arange(R), n) * V + np.tile(groups.group, R))
    # village propensity
    if given:
        y = np.tile(groups.outcome, R) & seed_
        a = th["mu"] + th["member"] + th["tau"] * Z  # leaders' logit on the grid
        ny = np.bincount(gid, weights=y & seed_, minlength=R * V)
        nn_ = np.bincount(gid, weights=~y & seed_, minlength=R * V)
        ll = ny[:, None] * log_expit(a)[None, :] + nn_[:, None] * log_expit(-a)[None, :] + LOGPRIOR
        w = np.exp(ll - ll.max(axis=1, keepdims=True))
        cdf = np.cumsum(w, axis=1)
        cdf /= cdf[:, -1:]
        z = Z[(cdf < u_z[:, None]).sum(axis=1)]
    else:
        from scipy.stats import norm
        z = norm.ppf(u_z)
    logit = th["mu"] + th["tau"] * z
    p = expit(logit[gid] + th["member"] * seed_)
    informed = seed_.copy()
    enrolled = (y if given else (seed_ & (u_dec < p)))
    places = np.full(R * V, th["K"], np.int64)
    lq_n, lq_p = np.log1p(-th["qn"]), np.log1p(-th["qp"])
    ld = np.log1p(-th["direct"])
    for t in range(th["T"]):
        x = np.where(enrolled, lq_p, np.where(informed, lq_n, 0.0))
        miss = adj @ x + ld
        new = ~informed & (u_news[t] < -np.expm1(miss))
        informed |= new
        idx = np.flatnonzero(new)
        chosen = idx[first_k_per_group(gid[idx], prio[idx], places)]
        if th["lam"]:
            share = row_sums(adj, chosen, enrolled) / np.maximum(row_sums(adj, chosen, informed), 1)
            enrolled[chosen] = u_dec[chosen] < expit(logit[gid[chosen]] + th["lam"] * share)
        else:
            enrolled[chosen] = u_dec[chosen] < p[chosen]
        places -= np.bincount(gid[chosen], minlength=R * V)
    return enrolled.reshape(R, n)


def moments(groups, enrolled):
    """Village shares among non-seeds (R, V) and pooled moments (R, k)."""
    nonseed = ~groups.seed
    e = enrolled
    share = np.stack([np.bincount(groups.group, weights=r & nonseed, minlength=V) for r in e]) / groups.non_seeds
    lead = np.stack([np.bincount(groups.group, weights=r & groups.seed, minlength=V) for r in e]) / (
        groups.size - groups.non_seeds)
    adj = groups.adjacency
    near_e = np.stack([(adj @ (r & groups.seed).astype(float)) > 0 for r in e]) & nonseed
    near_n = np.stack([(adj @ (~r & groups.seed).astype(float)) > 0 for r in e]) & nonseed
    only_e, only_n = near_e & ~near_n, near_n & ~near_e
    d1, d2, d3 = nonseed & (DIST == 1), nonseed & (DIST == 2), nonseed & (DIST >= 3)
    pooled = np.column_stack([
        (e & only_e).sum(1) / np.maximum(only_e.sum(1), 1),
        (e & only_n).sum(1) / np.maximum(only_n.sum(1), 1),
        (e & d1).sum(1) / d1.sum(), (e & d2).sum(1) / d2.sum(), (e & d3).sum(1) / d3.sum(),
        lead.mean(1), lead.std(1)])
    return share, pooled


def summary(y, p):
    return 1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum(), np.corrcoef(y, p)[0, 1]


if __name__ == "__main__":
    obs_share, obs_pooled = moments(G, G.outcome[None, :])
    print("observed pooled", obs_pooled.round(3))
    th = dict(mu=-2.0, tau=0.6, member=0.3, qn=0.03, qp=0.2, direct=0.01, K=40, T=12)
    for given in (True, False):
        t0 = time.time()
        e = simulate(G, th, 32, 1, given)
        s, pm = moments(G, e)
        print(given, time.time() - t0, pm.mean(0).round(3), summary(obs_share[0], s.mean(0)))


# --- fit -------------------------------------------------------------------------------------
from scipy.stats import qmc

KEYS = ("mu", "member", "tau", "qn", "qp", "direct", "K", "T", "lam")
LO = np.array([-5.0, -2.0, 0.05, 0.002, 0.01, 0.0005, 5.0, 1.0, -3.0])
HI = np.array([1.0, 3.0, 2.0, 0.5, 0.9, 0.1, 400.0, 36.0, 6.0])
LOG = np.array([False, False, True, True, True, True, True, True, False])


def to_theta(u, T=12):
    u = np.clip(u, 0, 1)
    x = np.where(LOG, np.exp(np.log(LO) + u * np.log(HI / LO)), LO + u * (HI - LO))
    th = dict(zip(KEYS, x))
    th["K"] = int(round(th["K"]))
    th["T"] = int(round(th["T"]))
    return th


def village_sizes(groups):
    return groups.size.astype(float)


def data_moments(groups, keep):
    """Observed moments on villages `keep` (bool V) and their scales."""
    share, pooled = moments(groups, groups.outcome[None, :])
    return share[0], pooled[0]


def sim_moments(groups, th, keep, R, seed):
    e = simulate(groups, th, R, seed, True)
    share, pooled = moments(groups, e)
    e0 = simulate(groups, th, R // 2, seed + 1, False)
    share0, pooled0 = moments(groups, e0)
    return share.mean(0), pooled.mean(0)[:5], pooled0.mean(0)[5:], share0.mean(0)


def vector(groups, share, pooled5, lead2, keep):
    size = groups.size[keep].astype(float)
    s = share[keep]
    w = groups.non_seeds[keep]
    X = np.column_stack([np.ones(size.size), size / 100])
    slope = np.linalg.lstsq(X * np.sqrt(w)[:, None], s * np.sqrt(w), rcond=None)[0][1]
    var = np.sqrt(np.average((s - np.average(s, weights=w)) ** 2, weights=w))
    return np.concatenate([s, pooled5, lead2, [slope, var]])


def scales(groups, keep):
    """Standard errors of the observed moments: binomial for shares and pooled rates, village bootstrap for the rest."""
    share, pooled = moments(groups, groups.outcome[None, :])
    s, p = share[0], pooled[0]
    n = groups.non_seeds
    se_share = np.sqrt(np.maximum(s * (1 - s), 0.01) / n)[keep]
    counts = np.array([0, 0, 0, 0, 0])
    nonseed = ~groups.seed
    adj = groups.adjacency
    r = groups.outcome
    ne = ((adj @ (r & groups.seed).astype(float)) > 0) & nonseed
    nn_ = ((adj @ (~r & groups.seed).astype(float)) > 0) & nonseed
    inv = np.isin(groups.group, np.flatnonzero(keep))
    counts = np.array([(ne & ~nn_ & inv).sum(), (nn_ & ~ne & inv).sum(), (nonseed & (DIST == 1) & inv).sum(),
                       (nonseed & (DIST == 2) & inv).sum(), (nonseed & (DIST >= 3) & inv).sum()])
    se_pooled = np.sqrt(np.maximum(p[:5] * (1 - p[:5]), 0.01) / counts)
    rng = np.random.default_rng(0)
    idx = np.flatnonzero(keep)
    boot = []
    for _ in range(200):
        b = rng.choice(idx, idx.size)
        kk = np.zeros(V, bool)
        # resampled villages with multiplicity through weights
        cnt = np.bincount(b, minlength=V)
        size = groups.size[b].astype(float); sb = s[b]; w = groups.non_seeds[b]
        X = np.column_stack([np.ones(size.size), size / 100])
        slope = np.linalg.lstsq(X * np.sqrt(w)[:, None], sb * np.sqrt(w), rcond=None)[0][1]
        var = np.sqrt(np.average((sb - np.average(sb, weights=w)) ** 2, weights=w))
        lead = (np.bincount(groups.group, weights=groups.outcome & groups.seed, minlength=V) /
                (groups.size - groups.non_seeds))[b]
        boot.append([lead.mean(), lead.std(), slope, var])
    bs = np.array(boot).std(0)
    return np.concatenate([se_share, se_pooled, bs])


def observed_vector(groups, keep):
    share, pooled = moments(groups, groups.outcome[None, :])
    lead = (np.bincount(groups.group, weights=groups.outcome & groups.seed, minlength=V) /
            (groups.size - groups.non_seeds))[keep]
    pooled_keep = pooled_on(groups, groups.outcome, keep)
    return vector(groups, share[0], pooled_keep, [lead.mean(), lead.std()], keep)


def pooled_on(groups, e, keep):
    inv = np.isin(groups.group, np.flatnonzero(keep))
    nonseed = ~groups.seed & inv
    adj = groups.adjacency
    ne = ((adj @ (e & groups.seed).astype(float)) > 0) & nonseed
    nn_ = ((adj @ (~e & groups.seed).astype(float)) > 0) & nonseed
    oe, on = ne & ~nn_, nn_ & ~ne
    d1, d2, d3 = nonseed & (DIST == 1), nonseed & (DIST == 2), nonseed & (DIST >= 3)
    return np.array([(e & oe).sum() / max(oe.sum(), 1), (e & on).sum() / max(on.sum(), 1),
                     (e & d1).sum() / d1.sum(), (e & d2).sum() / d2.sum(), (e & d3).sum() / d3.sum()])


def simulated_vector(groups, th, keep, R, seed):
    e = simulate(groups, th, R, seed, True)
    share = np.stack([np.bincount(groups.group, weights=r & ~groups.seed, minlength=V) for r in e]) / groups.non_seeds
    pooled = np.mean([pooled_on(groups, r, keep) for r in e], axis=0)
    e0 = simulate(groups, th, R // 2, seed + 1, False)
    lead = np.stack([np.bincount(groups.group, weights=r & groups.seed, minlength=V) for r in e0]) / (
        groups.size - groups.non_seeds)
    lead = lead[:, keep]
    return vector(groups, share.mean(0), pooled, [lead.mean(), lead.std(1).mean()], keep), share.mean(0)


def fit(groups, keep, R=24, seed=7, scan=64, verbose=False):
    obs = observed_vector(groups, keep)
    se = scales(groups, keep)

    def loss(u):
        sim, _ = simulated_vector(groups, to_theta(u), keep, R, seed)
        return float((((sim - obs) / se) ** 2).sum())

    pts = qmc.Sobol(len(KEYS), scramble=True, seed=seed).random(scan)
    vals = np.array([loss(u) for u in pts])
    start = pts[np.argmin(vals)]
    res = minimize(loss, start, method="Nelder-Mead",
                   options=dict(maxfev=400, xatol=1e-3, fatol=1e-2, initial_simplex=None))
    if verbose:
        print("scan best", vals.min(), "nm", res.fun, res.nfev)
    return res.x, res.fun


def predict(groups, u, R=100, seed=99, given=True):
    e = simulate(groups, to_theta(u), R, seed, given)
    return (np.stack([np.bincount(groups.group, weights=r & ~groups.seed, minlength=V) for r in e])
            / groups.non_seeds).mean(0)
