"""Means with confidence intervals over replicates.

>>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
>>> round(m, 3), round(lo, 3), round(hi, 3)
(2.0, -0.484, 4.484)
"""

from __future__ import annotations

import numpy as np


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval; the interval is the mean itself for fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (float("nan"),) * 3
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    from scipy import stats  # here: importing this module (the planner, the view) needs no scipy

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half
