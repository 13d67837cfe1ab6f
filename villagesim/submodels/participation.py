"""Participation in village affairs: a threshold rule on trust and neighbours (complex contagion).

A person takes part when ``w * trust + (1 - w) * s >= threshold``, where
``s`` is the share of their living neighbours taking part and ``w`` is
``participation.trust_weight`` (Granovetter 1978; Watts 2002; Centola 2010).
Each month the cascade starts afresh from its seeds: present active
members, last month's participants who keep the habit, and those whose
trust alone carries them; it then runs to its end (the least fixed point)
or for ``participation.max_rounds`` rounds of word of mouth. With
``trust_weight = 0`` and ``habit = 0`` it is the pure threshold rule.

The cascade is among the people at home. Those away who are on the platform
this month may take part online, by the same rule with ``s`` their village's
turnout at home (what the platform shows them); they are counted apart
(``online_participation_rate``) and do not move the cascade at home, so that
taking part from a city does not pass for taking part in the village.

Examples
--------
Granovetter's riot: thresholds 0, 1, ..., 99 people on a complete graph.

>>> import numpy as np, scipy.sparse as sp
>>> n = 100
>>> adj = sp.csr_matrix(np.ones((n, n)) - np.eye(n))
>>> counts = np.arange(n)
>>> everyone = np.ones(n, bool)
>>> int(cascade(adj, counts == 0, everyone, counts / (n - 1)).sum())
100
>>> counts[1] = 2  # the person with threshold 1 replaced by one with threshold 2
>>> int(cascade(adj, counts == 0, everyone, counts / (n - 1)).sum())
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from villagesim.grouping import per_village
from villagesim.network import column_sums, neighbours
from villagesim.population import Population
from villagesim.submodels.month import Month

if TYPE_CHECKING:
    import scipy.sparse as sp


def cascade(adj: sp.csr_matrix, seeds: np.ndarray, eligible: np.ndarray, threshold: np.ndarray,
            base: np.ndarray | float = 0.0, weight: float = 1.0, denominator: np.ndarray | None = None,
            max_rounds: int = 0) -> np.ndarray:
    """Monotone threshold cascade from ``seeds``; returns who is active at the end.

    An eligible person joins once ``base + weight * share >= threshold``,
    where ``share`` is the active share of their neighbours (``denominator``
    counts the neighbours, by default all of them). Rounds are synchronous;
    after the first, only the ties of those who joined in the last round
    are walked, so a round costs what the frontier touches, not the village.
    """
    if denominator is None:
        denominator = np.diff(adj.indptr)
    waiting = eligible & ~seeds
    # Active neighbours each still needs (whole numbers, so exact); infinite for those not waiting, so that
    # a round looks up one number per touched person and nobody joins twice.
    short = needed(threshold - base, weight, np.maximum(denominator, 1))
    short -= column_sums(adj, (eligible & seeds).nonzero()[0])
    short[(~waiting).nonzero()[0]] = np.inf  # by index: a masked write is several times slower
    joined = (short <= 0.0).nonzero()[0]
    slot = np.empty(eligible.size, np.int64)  # scratch for dropping repeats in O(frontier)
    rounds = 0
    while joined.size:
        waiting[joined] = False
        short[joined] = np.inf
        rounds += 1
        if max_rounds and rounds >= max_rounds:
            break
        touched = neighbours(adj, joined)
        np.subtract.at(short, touched, 1.0)  # ties are unweighted
        joined = touched[short[touched] <= 0.0]
        # Of repeated entries exactly one keeps its own position in ``slot``.
        order = np.arange(joined.size)
        slot[joined] = order
        joined = joined[slot[joined] == order]
    return eligible & ~waiting  # the seeds and all who joined


def needed(gap: np.ndarray, weight: float, denominator: np.ndarray) -> np.ndarray:
    """Fewest active neighbours ``c`` with ``weight * (c / denominator) >= gap``, per person (inf if none).

    Found once, so that each round of the cascade compares two numbers per
    person. The quotient's rounding puts the answer within one of its
    ceiling; trying the rule as written on both sides makes it exact. A
    count of 0 or less means no active neighbour is needed.

    >>> needed(np.array([0.0, 0.25, 0.3, 2.0]), 1.0, np.array([4, 4, 4, 4])).tolist()
    [0.0, 1.0, 2.0, 8.0]
    >>> needed(np.array([0.0, 0.3]), 0.0, np.array([4, 4])).tolist()
    [0.0, inf]
    """
    if weight <= 0.0:
        return np.where(gap <= 0.0, 0.0, np.inf)
    guess = gap * denominator
    guess /= weight
    np.ceil(guess, out=guess)
    # Monotone in c: one step down if the count below already reaches, one step up if the guess does not.
    # (In place, to spare full-length temporaries; the operations are those of the rule as written.)
    share = guess / denominator
    share *= weight
    up = share < gap
    np.subtract(guess, 1.0, out=share)
    share /= denominator
    share *= weight
    down = share >= gap
    guess += up
    guess -= down
    return guess


def take_part(pop: Population, adj: sp.csr_matrix, params: dict, rng: np.random.Generator,
              online: np.ndarray, living_neighbours: np.ndarray) -> None:
    """This month's participants: who is eligible, who seeds, the cascade at home, then those online from away."""
    eligible = pop.present
    w = params["participation.trust_weight"]
    member = pop.is_member().nonzero()[0]
    # Members' own commitment counts as their trust.
    own = w * pop.trust
    own[member] = w * np.maximum(pop.trust[member], pop.activity[member])
    seeds = np.zeros(pop.size, bool)
    seeds[member] = ~pop.away[member] & (pop.activity[member] >= params["branch.active_threshold"])  # leaders
    last = pop.participating.nonzero()[0]
    seeds[last[rng.random(last.size) < params["participation.habit"]]] = True  # habit
    # Those whose trust alone suffices join in the first round.
    home = cascade(adj, seeds, eligible, pop.threshold, own, 1.0 - w, living_neighbours,
                   params["participation.max_rounds"])
    far = (pop.alive & pop.away & online).nonzero()[0]
    if far.size:  # the turnout at home is shown only to those online from away
        villages = int(pop.village.max(initial=0)) + 1
        present = per_village(pop.village, eligible, villages)
        turnout = np.divide(per_village(pop.village, home, villages), present, out=np.zeros(villages),
                            where=present > 0)
        home[far] = own[far] + (1.0 - w) * turnout[pop.village[far]] >= pop.threshold[far]
    pop.participating[:] = home


def step(month: Month) -> None:
    """This month's participants in village affairs."""
    take_part(month.population, month.adjacency, month.params, month.rng, month.online, month.living_neighbours)
