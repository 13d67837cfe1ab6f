"""The participation rule against known results: Granovetter's riot and Watts's cascade window."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from villagesim.network import from_edges
from villagesim.participation import cascade


def complete(n):
    return sp.csr_matrix(np.ones((n, n)) - np.eye(n))


def test_granovetter_uniform_thresholds_cascade_fully():
    n = 100
    counts = np.arange(n)  # person k riots once k others riot
    everyone = np.ones(n, bool)
    assert cascade(complete(n), counts == 0, everyone, counts / (n - 1)).all()


def test_granovetter_without_the_threshold_one_person_stops_at_one():
    n = 100
    counts = np.arange(n)
    counts[1] = 2
    active = cascade(complete(n), counts == 0, np.ones(n, bool), counts / (n - 1))
    assert active.sum() == 1 and active[0]


def test_max_rounds_limits_word_of_mouth():
    n = 100
    counts = np.arange(n)
    active = cascade(complete(n), counts == 0, np.ones(n, bool), counts / (n - 1), max_rounds=5)
    assert active.sum() == 6


def test_ineligible_people_never_join():
    n = 100
    counts = np.arange(n)
    eligible = np.ones(n, bool)
    eligible[50] = False
    active = cascade(complete(n), counts == 0, eligible, counts / (n - 1))
    assert active.sum() == 50 and not active[50:].any()


def watts_window(phi):
    """Analytic cascade window in mean degree z for ER graphs (Watts 2002, eq. for Poisson degrees)."""
    k = np.arange(300)
    zs = np.linspace(0.2, 15, 3000)
    vulnerable = (k > 0) & (k * phi <= 1)
    condition = np.array([(k * (k - 1) * stats.poisson.pmf(k, z) * vulnerable).sum() - z for z in zs])
    inside = zs[condition > 0]
    return inside.min(), inside.max()


def cascade_frequency(z, n=10_000, trials=100, phi=0.18, seed=0):
    """Share of single random seeds that activate over 10% of an ER graph with mean degree z."""
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        edges = rng.poisson(z * n / 2)
        adj = from_edges(n, rng.integers(0, n, edges), rng.integers(0, n, edges))
        seeds = np.zeros(n, bool)
        seeds[rng.integers(n)] = True
        hits += cascade(adj, seeds, np.ones(n, bool), np.full(n, phi)).mean() > 0.1
    return hits, trials


def test_watts_window_for_threshold_018():
    low, high = watts_window(0.18)
    assert low == pytest.approx(1.02, abs=0.05) and high == pytest.approx(5.76, abs=0.05)
    for z in (2.0, 3.0, 4.0):  # well inside: global cascades are common
        hits, trials = cascade_frequency(z)
        assert stats.binomtest(hits, trials).proportion_ci(0.99).low > 0.3, z
    for z in (low - 0.3, high + 1.0):  # just outside: none
        hits, trials = cascade_frequency(z)
        assert stats.binomtest(hits, trials).proportion_ci(0.99).high < 0.1, z
