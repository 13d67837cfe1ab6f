"""The participation rule against Granovetter's riot example (Watts's cascade window: tests/test_published.py)."""

import numpy as np
import scipy.sparse as sp

from villagesim.submodels.participation import cascade, needed


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


def test_needed_counts_are_exactly_those_of_the_rule():
    """The precomputed count each person needs agrees with the rule as written, rounding included."""
    rng = np.random.default_rng(5)
    n = 20_000
    denominator = rng.integers(1, 60, n)
    # Gaps on and next to the shares c / denominator, where rounding decides.
    gap = rng.integers(-5, 60, n) / denominator + rng.choice([0.0, 1e-17, -1e-17, 1e-16, -1e-16], n)
    for weight in (1.0, 0.5, 0.3, 1e-3):
        need = np.maximum(needed(gap * weight, weight, denominator), 0.0)  # counts are never negative
        counts = np.arange(200)[:, None]
        reaches = weight * (counts / denominator) >= gap * weight
        first = np.where(reaches.any(axis=0), reaches.argmax(axis=0), np.inf)
        assert np.array_equal(need, first)
