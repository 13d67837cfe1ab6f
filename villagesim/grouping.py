"""Small array helpers for per-village choices without Python loops.

Examples
--------
>>> import numpy as np
>>> first_k_per_group(np.array([0, 0, 0, 1, 1]), np.array([3., 1., 2., 5., 4.]), np.array([2, 1])).tolist()
[True, False, True, True, False]
"""

from __future__ import annotations

import numpy as np


def first_k_per_group(group: np.ndarray, score: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mask of the ``k[g]`` highest-scoring entries of each group ``g``.

    Ties are broken by position, so callers pass a random score (or add
    random jitter) when the choice must be random.
    """
    order = np.lexsort((-score, group))
    sorted_group = group[order]
    first = np.searchsorted(sorted_group, sorted_group, side="left")
    rank = np.arange(group.size) - first
    chosen = np.zeros(group.size, bool)
    chosen[order[rank < k[sorted_group]]] = True
    return chosen


def stochastic_round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round down or up at random so that the expectation equals ``x``."""
    base = np.floor(x)
    return (base + (rng.random(np.shape(x)) < x - base)).astype(np.int64)


def per_village(village: np.ndarray, mask: np.ndarray, villages: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Count (or sum ``weights``) of the ``mask`` entries of each village.

    People are numbered village by village (``village`` is sorted, as is any
    subset of it taken in order), so each village is one contiguous segment
    and a segmented sum does it in one pass.
    """
    if villages == 1:  # a single village: one sum, without the segment bookkeeping
        return np.array([np.count_nonzero(mask) if weights is None else weights[mask].sum()])
    values = mask if weights is None else np.where(mask, weights, 0.0)
    dtype = np.int64 if weights is None else np.float64
    bounds = village.searchsorted(np.arange(villages + 1, dtype=village.dtype))
    filled = bounds[1:] > bounds[:-1]
    sums = np.zeros(villages, dtype)
    # Empty villages share their start with the next one, so leaving them out keeps every segment whole.
    sums[filled] = np.add.reduceat(values, bounds[:-1][filled], dtype=dtype)
    return sums
