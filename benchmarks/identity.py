"""Fingerprints of reference runs, to show that a change to the code leaves every output bit-identical.

Each run hashes its whole time series (the metrics frame), its per-village tallies, its events and its
final population arrays. Run it before and after a change and compare:

    .venv/bin/python benchmarks/identity.py > before.txt
    ... change the code ...
    .venv/bin/python benchmarks/identity.py | diff before.txt -
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from villagesim.model import VillageModel

ALL_PATHS = {f"interventions.{path}.intensity": 0.5
             for path in ("digital", "training", "venue", "standardization", "recruitment")}
EXTENSION = Path(__file__).resolve().parent.parent / "examples" / "first_secretary.py"

RUNS = [  # (label, scenario, overrides, months, seeds, extensions)
    ("default", "default", {}, 120, (1, 2, 3), ()),
    ("region-20", "default", {"region.villages": 20}, 36, (1, 5), ()),
    ("hollowed", "hollowed", {}, 120, (1, 4), ()),
    ("tourism", "tourism", {}, 120, (1, 4), ()),
    ("post_poverty", "post_poverty", {}, 60, (2,), ()),
    ("suburban", "suburban", {}, 60, (2,), ()),
    ("all-paths", "default", ALL_PATHS, 96, (1, 2), ()),
    ("all-paths-region-7", "default", {**ALL_PATHS, "region.villages": 7}, 48, (3,), ()),
    ("two-rounds-endorsement", "default", {"participation.max_rounds": 2, "project.endorsement": 1.5,
                                           "project.places": 200}, 60, (1,), ()),
    ("region-100", "default", {"region.villages": 100}, 20, (1,), ()),
    ("first-secretary", "default", {}, 72, (1, 2), (str(EXTENSION),)),
]


def fingerprint(model: VillageModel, months: int) -> str:
    digest = hashlib.sha256()
    frame = model.run(months).timeseries()
    digest.update(",".join(frame.columns).encode())
    digest.update(np.ascontiguousarray(frame.to_numpy(np.float64)).tobytes())
    for table in model._tallies:
        digest.update(np.ascontiguousarray(table).tobytes())
    digest.update(repr(model.events).encode())
    for name, values in model.population.arrays().items():
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(values).tobytes())
    digest.update(np.ascontiguousarray(model.last_month.living_neighbours).tobytes())
    return digest.hexdigest()[:16]


def main() -> None:
    only = set(sys.argv[1:])
    for label, scenario, overrides, months, seeds, extensions in RUNS:
        if only and label not in only:
            continue
        for seed in seeds:
            model = VillageModel(overrides, seed=seed, scenario=scenario, extensions=extensions)
            print(f"{label} seed={seed} months={months} {fingerprint(model, months)}", flush=True)


if __name__ == "__main__":
    main()
