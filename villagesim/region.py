"""Regions: many villages in one model, and a view of one village picked from it.

A region (``region.villages`` > 1, a township or a county) holds every
village's people in one set of arrays, numbered village by village, so
village ``v`` is one contiguous block of slots. Each village has its own
branch, project and network; a few ties join each village to the next one
along the road (``region.village_ties``). The towns are outside the model:
whoever works away is in a town, keeps their village, household and ties,
and comes back for the festival or for good (:mod:`villagesim.submodels.migration`).
Nobody moves from one village to another.

:meth:`VillageModel.village_timeseries` gives the metrics of every village
month by month (``timeseries()`` stays the region's aggregate), and
:meth:`VillageModel.village` a :class:`VillageView` of one village: it reads
like a single-village model (``population``, ``adjacency``, ``timeseries()``,
``final()``, ``events``, ``person()``, ``agents``), its arrays are views on
the region's so it stays current as the region model steps, and its agents
are the region's Mesa agents (created on demand beyond ``EAGER_AGENTS``).
Stepping and setting parameters stay with the region model.

Examples
--------
>>> from villagesim import VillageModel
>>> model = VillageModel({"region.villages": 3, "village.population": 200}, seed=2).run(6)
>>> table = model.village_timeseries()
>>> sorted(table["village"].unique().tolist()), len(table)
([0, 1, 2], 21)
>>> one = model.village(1)
>>> one.population.size, int(one.population.village.min()), int(one.timeseries()["step"].iloc[-1])
(200, 1, 6)
>>> agent = one.person(0)
>>> agent.village, agent.index
(1, 200)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from villagesim.events import Event
from villagesim.population import Population

if TYPE_CHECKING:
    from villagesim.agents import Person
    from villagesim.model import VillageModel


def village_slots(village: np.ndarray, v: int) -> slice:
    """The block of slots of village ``v`` (people are numbered village by village)."""
    lo, hi = np.searchsorted(village, [v, v + 1])
    return slice(int(lo), int(hi))


class VillageView:
    """One village of a region model, read like a model of its own."""

    villages = 1

    def __init__(self, model: "VillageModel", v: int):
        if not 0 <= v < model.villages:
            raise LookupError(f"village {v}: the region has villages 0..{model.villages - 1}")
        self.model, self.index = model, int(v)
        self.slots = village_slots(model.population.village, self.index)
        self.population = Population(**{name: array[self.slots] for name, array in model.population.arrays().items()})
        # Ties inside the village; the few to the next village are left out of its picture.
        self.adjacency = model.adjacency[self.slots, self.slots].tocsr()

    @property
    def params(self) -> dict:
        return self.model.params

    @property
    def steps(self) -> int:
        return self.model.steps

    @property
    def events(self) -> list[Event]:
        """The region's events, project events only for this village."""
        return [e for e in self.model.events if not e.code.startswith("project_") or e.subject == self.index]

    def timeseries(self) -> pd.DataFrame:
        return self.model.village_timeseries(self.index)

    def final(self) -> dict[str, float]:
        return self.timeseries().iloc[-1].drop("step").to_dict()

    def person(self, local: int) -> "Person":
        """The agent of the village's ``local``-th slot."""
        if not 0 <= local < self.population.size:
            raise LookupError(f"person {local}: village {self.index} has slots 0..{self.population.size - 1}")
        return self.model.person(self.slots.start + int(local))

    @property
    def agents(self) -> list["Person"]:
        """The village's living people as the region's Mesa agents."""
        return [self.model.person(self.slots.start + i) for i in np.flatnonzero(self.population.alive)]
