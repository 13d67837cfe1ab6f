"""Participation (ODD 7.7): the threshold rule, also against Granovetter's riot example (Watts's cascade
window: tests/test_published.py).

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import village

from villagesim import VillageModel
from villagesim.submodels import participation
from villagesim.submodels.participation import cascade, needed


def threshold_rule(adj, pop, params, own, living_neighbours, max_rounds):
    """The month's participants by the rule as the ODD writes it, on dense matrices, one synchronous round at a time."""
    w = params["participation.trust_weight"]
    member = pop.is_member()
    seeds = (member & ~pop.away & (pop.activity >= params["branch.active_threshold"])) | pop.participating
    active = pop.present & seeds
    dense = adj.toarray().astype(float)
    rounds = 0
    while True:
        share = dense @ active / np.maximum(living_neighbours, 1)
        joined = pop.present & ~active & ((1.0 - w) * share >= pop.threshold - own)
        rounds += 1
        if not joined.any():
            return active
        active = active | joined
        if max_rounds and rounds >= max_rounds:
            return active


@pytest.mark.parametrize("w, max_rounds, active_threshold", [(0.4, 0, 0.4), (0.4, 2, 0.4), (0.4, 0, 0.0),
                                                              (1.0, 0, 0.4)])
def test_take_part_seeds_the_leaders_and_habitual_runs_the_threshold_rule_at_home_and_the_online_follow_turnout(
        w, max_rounds, active_threshold):
    # Habit 1: every participant of last month seeds; some people have died (fewer living neighbours than ties).
    params, rng, _, adj, pop = village({"participation.trust_weight": w, "participation.habit": 1.0,
                                        "participation.max_rounds": max_rounds,
                                        "branch.active_threshold": active_threshold})
    pop.alive[::23] = False
    member = pop.is_member()
    pop.trust[:] = rng.random(pop.size)
    pop.activity[:] = np.where(member, rng.random(pop.size), 0.0)
    pop.threshold[:] = rng.uniform(0.3, 1.0, pop.size)
    pop.participating[:] = rng.random(pop.size) < 0.05
    at_home = (member & ~pop.away).nonzero()[0]
    leaders, keen = at_home[:5], at_home[5]
    pop.activity[leaders] = active_threshold  # active exactly at the threshold: leaders
    pop.threshold[leaders] = 2.0  # whom only seeding brings in
    pop.activity[keen], pop.trust[keen], pop.threshold[keen] = active_threshold / 2, 1.0, 0.9 * w  # own trust
    # One living neighbour, who seeds: a full share, which carries a threshold of three quarters of 1 - w.
    lone = next(i for i in (pop.present & ~member & ~pop.participating).nonzero()[0] if adj[i].nnz >= 2)
    friend, *others = adj[lone].indices
    pop.alive[others], pop.alive[friend], pop.away[friend], pop.participating[friend] = False, True, False, True
    pop.trust[lone], pop.threshold[lone] = 0.0, 0.75 * (1.0 - w)
    online = rng.random(pop.size) < 0.5
    living_neighbours = adj @ pop.alive.astype(float)
    own = w * np.where(member, np.maximum(pop.trust, pop.activity), pop.trust)
    even = (pop.present & ~member & ~pop.participating).nonzero()[0][-1]
    pop.threshold[even] = own[even]  # own trust exactly at the threshold: takes part
    home = threshold_rule(adj, pop, params, own, living_neighbours, max_rounds)
    far = pop.alive & pop.away & online
    turnout = home.sum() / pop.present.sum()
    pop.threshold[far.nonzero()[0][0]] = own[far][0] + (1.0 - w) * turnout  # exactly at the threshold too
    expected = home | (far & (own + (1.0 - w) * turnout >= pop.threshold))
    word_of_mouth = home & ~pop.participating & ~member & (own < pop.threshold)
    assert word_of_mouth.any() == (w < 1.0) and word_of_mouth[lone] == (w < 1.0)
    assert home[leaders].all() and home[keen] and home[even]
    assert (expected & far).any() and (far & ~expected).any()
    participation.take_part(pop, adj, params, rng, online, living_neighbours)
    assert (pop.participating == expected).all()


@pytest.mark.parametrize("at_home", [0, 1])
def test_those_online_from_away_follow_their_own_villages_turnout_and_none_where_nobody_is_at_home(at_home):
    params, rng, _, adj, pop = village({"region.villages": 2, "participation.trust_weight": 0.5,
                                        "participation.habit": 0.0, "branch.active_threshold": 1.0})
    second = pop.alive & (pop.village == 1)
    pop.away[second] = True
    pop.away[second.nonzero()[0][:at_home]] = False
    pop.trust[second], pop.threshold[second] = 1.0, 0.0  # the one at home takes part: turnout 1
    far = (second & pop.away).nonzero()[0]
    own = 0.5 * np.where(pop.is_member(), np.maximum(pop.trust, pop.activity), pop.trust)
    pop.threshold[far[::2]] = own[far[::2]]  # joins whatever the turnout
    pop.threshold[far[1::2]] = own[far[1::2]] + 0.25  # joins at a turnout of one half or more
    online = np.zeros(pop.size, bool)
    online[far] = True
    participation.take_part(pop, adj, params, rng, online, adj @ pop.alive.astype(float))
    assert pop.participating[far[::2]].all()
    assert (pop.participating[far[1::2]] == bool(at_home)).all()


def test_the_months_participation_counts_shares_over_the_living_neighbours(monkeypatch):
    model = VillageModel({"village.population": 300}, seed=1).run(1)
    month = model.last_month
    seen = {}
    monkeypatch.setattr(participation, "take_part", lambda *args: seen.setdefault("args", args))
    participation.step(month)
    assert seen["args"][-1] is month.living_neighbours  # not every tie: the dead do not take part


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

