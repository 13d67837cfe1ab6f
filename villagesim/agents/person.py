"""The common base of all people: a Mesa agent that is a view on the population arrays.

An agent holds only its slot ``index``; every attribute reads and writes
the model's :class:`~villagesim.population.Population` arrays, so agent-level
code, the vectorised submodels, data collection and the browser view all
see one state. The agents' verbs (:meth:`Person.raise_appeal`,
:meth:`Person.come_home`, :meth:`~villagesim.agents.Youth.leave`,
:meth:`~villagesim.agents.Member.visit`, :meth:`~villagesim.agents.Member.attend`)
apply the submodels' own rules to one person, so that a story can be
scripted agent by agent between months; the month itself never loops over
agents. A verb acts on the month just simulated (``model.last_month``) and
changes the state, not that month's recorded tallies. It refuses, with a
``ValueError``, what the rules do not allow (a member away visiting).

Examples
--------
>>> from villagesim import VillageModel
>>> model = VillageModel({"village.population": 50}, seed=1)
>>> person = model.person(0)
>>> person.trust = 0.9
>>> float(model.population.trust[0])
0.9
>>> person.role in ("resident", "youth", "member")
True
>>> person.role = "member"
Traceback (most recent call last):
...
AttributeError: role: read from the population; roles change only by the model's rules (admission, ageing)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from villagesim.submodels import migration, service

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
    """An adult of the village; the base of :class:`Member`, :class:`Youth` and :class:`Resident`.

    ``pos`` is the person's node in :attr:`VillageModel.grid` (their slot), as Mesa's network spaces expect.
    """

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
        self.pos = self.index

    @property
    def role(self) -> str:
        """``"resident"``, ``"youth"`` or ``"member"``, read from the population's role array (the agent's
        class follows it). Read-only: a role changes only by the model's rules."""
        from villagesim.agents import AGENT_CLASSES

        return AGENT_CLASSES[self.model.population.role[self.index]].__name__.lower()

    @role.setter
    def role(self, value: Any) -> None:
        raise AttributeError("role: read from the population; roles change only by the model's rules "
                             "(admission, ageing)")

    @property
    def location(self) -> str:
        """``"home"`` or ``"away"``."""
        return "away" if self.away else "home"

    @property
    def neighbors(self) -> list["Person"]:
        """Living network neighbours, as agents.

        >>> from villagesim import VillageModel
        >>> model = VillageModel({"village.population": 60}, seed=2)
        >>> person = model.person(3)
        >>> all(n.alive for n in person.neighbors) and {n.index for n in person.neighbors} <= set(
        ...     model.adjacency[3].indices.tolist())
        True
        """
        adj = self.model.adjacency
        ids = adj.indices[adj.indptr[self.index]:adj.indptr[self.index + 1]]
        return [self.model.person(j) for j in ids[self.model.population.alive[ids]]]

    @property
    def alive(self) -> bool:
        return bool(self.model.population.alive[self.index])

    def _slot(self) -> np.ndarray:
        return np.array([self.index])

    def raise_appeal(self) -> bool:
        """Raise an appeal (诉求) this month; returns whether it was resolved.

        As in the service rule (:func:`~villagesim.submodels.service.resolve_appeals`): only someone at
        home or on the platform can raise one; it reaches the branch if the branch heard the person this
        month (visited, at the service centre or online) or, from home, with chance ``appeals.brought``
        (brought in person); the members resolve it if their capacity left after this month's appeals
        allows; trust rises if resolved and falls if not. It counts in the month's appeals.

        >>> from villagesim import VillageModel
        >>> model = VillageModel({"village.population": 300}, seed=4).run(2)
        >>> person = next(p for p in model.agents if not p.away)
        >>> was = person.trust
        >>> resolved = person.raise_appeal()
        >>> person.trust > was if resolved else person.trust <= was
        True
        """
        model, month = self.model, self.model.last_month
        pop = model.population
        online = month.online is not None and bool(month.online[self.index])
        if self.away and not online:
            raise ValueError(f"{self!r} is away and not on the platform: the branch cannot receive an appeal")
        if month.appeals is None:  # month 0: none raised yet
            month.appeals = service.Appeals(*np.zeros((3, model.villages)))
        heard = month.heard is not None and bool(month.heard[self.index])
        brought = not self.away and model.rng.random() < model.params["appeals.brought"]
        spare = np.maximum(model.branch.capacity - month.appeals.handled, 0.0)
        appeal = service.resolve_appeals(pop, model.params, model.rng, self._slot(), np.array([heard or brought]),
                                         spare, model.branch.quality)
        month.appeals.raised = month.appeals.raised + appeal.raised
        month.appeals.resolved = month.appeals.resolved + appeal.resolved
        month.appeals.handled = month.appeals.handled + appeal.handled
        return bool(appeal.resolved.sum())

    def come_home(self) -> None:
        """Come back from working away for good (:func:`~villagesim.submodels.migration.come_home`)."""
        if not self.works_away:
            raise ValueError(f"{self!r} does not work away")
        migration.come_home(self.model.population, self._slot())

    def _heard(self, who: np.ndarray) -> None:
        """The branch has heard ``who`` this month (for appeals raised afterwards)."""
        month = self.model.last_month
        for name in ("visited", "heard"):
            if getattr(month, name) is None:
                setattr(month, name, np.zeros(self.model.population.size, bool))
            getattr(month, name)[who] = True

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, age={self.age:.0f}, {self.location})"
