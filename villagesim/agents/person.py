"""The common base of all people: a Mesa agent that is a view on the population arrays.

An agent holds only its slot ``index``; every attribute reads and writes
the model's :class:`~villagesim.population.Population` arrays, so agent-level
code, the vectorised submodels, data collection and the browser view all
see one state.

Examples
--------
>>> from villagesim import VillageModel
>>> model = VillageModel({"village.population": 50}, seed=1)
>>> person = model.person(0)
>>> person.trust = 0.9
>>> float(model.population.trust[0])
0.9
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from villagesim.model import VillageModel


class State:
    """A descriptor that maps an agent attribute to its population array."""

    def __init__(self, doc: str, array: str | None = None):
        self.__doc__ = doc
        self.array = array

    def __set_name__(self, owner: type, name: str) -> None:
        self.array = self.array or name

    def __get__(self, agent: "Person | None", owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.model.population, self.array)[agent.index].item()

    def __set__(self, agent: "Person", value: Any) -> None:
        getattr(agent.model.population, self.array)[agent.index] = value


class Person(mesa.Agent):
    """An adult of the village; the base of :class:`Member`, :class:`Youth` and :class:`Resident`."""

    role = "person"

    age = State("age in years")
    household = State("household id")
    hamlet = State("hamlet (自然村) id")
    village = State("village id within the region")
    away = State("away from the village this month")
    works_away = State("a migrant worker, away except at the festival")
    trust = State("trust in the branch, 0-1")
    digital = State("has digital access (can use the platform)")
    threshold = State("participation threshold, 0-1")
    participating = State("took part in village affairs this month")
    aware = State("knows about the project")
    enrolled = State("enrolled in the project")
    decided = State("has made their one decision on the project")
    activist_since = State("month picked as an activist, or -1")

    def __init__(self, model: "VillageModel", index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    @property
    def location(self) -> str:
        """``"home"`` or ``"away"``."""
        return "away" if self.away else "home"

    @property
    def neighbors(self) -> list["Person"]:
        """Living network neighbours, as agents."""
        adj = self.model.adjacency
        ids = adj.indices[adj.indptr[self.index]:adj.indptr[self.index + 1]]
        return [self.model.person(j) for j in ids[self.model.population.alive[ids]]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, age={self.age:.0f}, {self.location})"



