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
    """Count (or sum ``weights``) of the ``mask`` entries of each village."""
    if villages == 1:  # a single village: one sum, without the segment bookkeeping
        return np.array([np.count_nonzero(mask) if weights is None else weights[mask].sum()])
    values = mask if weights is None else np.where(mask, weights, 0.0)
    return segment_sums(village, values, villages, np.int64 if weights is None else np.float64)


def segment_sums(village: np.ndarray, values: np.ndarray, villages: int, dtype=np.float64) -> np.ndarray:
    """Sums of ``values`` over each village's people, along the last axis.

    People are numbered village by village (``village`` is sorted, as is any
    subset of it taken in order), so each village is one contiguous segment
    and a segmented sum does it in one pass. Stacked rows of ``values``
    (shape ``(k, n)``) give ``(k, villages)``.

    >>> segment_sums(np.array([0, 0, 1]), np.array([[1, 2, 3], [4, 5, 6]]), 2, np.int64).tolist()
    [[3, 3], [9, 6]]
    """
    if villages == 1:
        return values.sum(axis=-1, dtype=dtype, keepdims=True)
    bounds = village.searchsorted(np.arange(villages + 1, dtype=village.dtype))
    filled = bounds[1:] > bounds[:-1]
    sums = np.zeros((*values.shape[:-1], villages), dtype)
    # Empty villages share their start with the next one, so leaving them out keeps every segment whole.
    sums[..., filled] = np.add.reduceat(values, bounds[:-1][filled], axis=-1, dtype=dtype)
    return sums
