"""Seeds of replicate runs, derived so that results never depend on order or executor.

Every replicated run (a sweep's, the demo's, the browser's comparison) takes
its seed from the user's seed through ``numpy.random.SeedSequence`` keyed by
the run's indices: the same seed gives the same runs wherever they execute,
and the arms of a comparison share them (common random numbers).
"""

from __future__ import annotations

import numpy as np


def run_seed(seed: int, point_id: int, replicate: int) -> int:
    """The model seed of one run: 63 bits of ``SeedSequence(seed, spawn_key=(point_id, replicate))``.

    >>> run_seed(42, 0, 0) == run_seed(42, 0, 0) != run_seed(42, 0, 1)
    True
    """
    state = np.random.SeedSequence(seed, spawn_key=(point_id, replicate)).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of ``replicates`` runs of one configuration (a sweep's design point 0).

    >>> replicate_seeds(7, 3)[1] == run_seed(7, 0, 1)
    True
    """
    return [run_seed(seed, 0, r) for r in range(replicates)]
