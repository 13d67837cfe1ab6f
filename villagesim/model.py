"""The village model: a Mesa model whose monthly step runs the submodels over arrays.

Examples
--------
>>> model = VillageModel.from_scenario("hollowed", seed=7, overrides={"interventions.training.intensity": 0.6})
>>> frame = model.run(24).timeseries()
>>> len(frame), int(frame["step"].iloc[-1])
(25, 24)
>>> sorted({type(a).__name__ for a in model.agents})
['Member', 'Resident', 'Youth']
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

from villagesim.params import scenarios
from villagesim.submodels import Month, branch, uptake
from villagesim.agents import AGENT_CLASSES, Member, Person
from villagesim.errors import InputError
from villagesim.events import Event
from villagesim import metrics
from villagesim.extensions import plug_in
from villagesim.metrics import COLUMNS
from villagesim.grouping import per_village
from villagesim.network import generate_layout, generate_ties, imported_layout, read_network
from villagesim.population import MEMBER, Population, generate
from villagesim.region import VillageView

EAGER_AGENTS = 200_000
"""Regions larger than this create agent objects on demand (see :meth:`VillageModel.person`)."""

FIXED_DURING_RUN = ("village.", "network.", "region.", "time.")


def _check_seed(seed: Any) -> int:
    if seed is None:
        return secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: must be a non-negative integer, got {seed!r}")
    return int(seed)


class VillageModel(mesa.Model):
    """A village (or a region of villages) and its Party branch, one step per month.

    Parameters
    ----------
    params : mapping of dotted keys to values, optional
        Overrides of the defaults in :mod:`villagesim.params`; validated.
    seed : int, optional
        Seed of the random number generator; drawn at random if omitted
        (and then reported in :attr:`seed`).
    extensions : extension files or :class:`~villagesim.extensions.Extension` objects, optional
        Their parameters join this model's registry (:attr:`registry`) and
        their steps its month (:attr:`schedule`); see :mod:`villagesim.extensions`.
    """

    def __init__(self, params: Mapping[str, Any] | None = None, seed: int | None = None, *, preset: str = "custom",
                 extensions: Iterable = ()):
        self.extensions, self.registry, self.schedule = plug_in(extensions)
        self.extension_state: dict[str, Any] = {}  # what extensions keep between months (Month.store)
        self.params = self.registry.resolve(dict(params or {}))
        self.seed = _check_seed(seed)
        super().__init__(rng=self.seed)
        self.preset = preset
        p = self.params
        if p["network.nodes"]:
            imported = read_network(p["network.nodes"], p["network.edges"])
            layout = imported_layout(imported, self.seed)
            self.adjacency, given = imported.adjacency, imported.columns
            self.node_ids = imported.ids
        else:
            layout = generate_layout(p, self.rng)
            self.adjacency, given = generate_ties(layout, p, self.rng), None
            self.node_ids = None
        self.population: Population = generate(layout, p, self.rng, given)
        self.villages = int(layout.venue_hamlet.size)
        self.venue_hamlet = layout.venue_hamlet
        self.household_village = np.zeros(int(layout.household.max(initial=-1)) + 1, np.intp)
        self.household_village[layout.household] = layout.village
        self.branch = branch.Branch.start(self.villages, p)
        self.project = uptake.Project.start(self.villages, p)
        self.events: list[Event] = []
        self.relapses = np.zeros(self.villages)  # per village, since the start
        self.cost = 0.0
        self._people: dict[int, Person] = {}
        if self.population.size <= EAGER_AGENTS:
            for index in self.population.alive.nonzero()[0]:
                self.person(index)
        self._villagers = self._count_villagers()
        self._living_neighbours = self.adjacency @ self.population.alive.astype(np.float64)
        branch.assess(self.population, self.branch, p, self._villagers)
        self._tallies: list[np.ndarray] = []
        self._rows: list[list[float]] = []
        self._record(0, np.zeros(self.villages), np.zeros(self.villages))

    @classmethod
    def from_scenario(cls, name_or_path: str = "default", seed: int | None = None,
                      overrides: Mapping[str, Any] | None = None, extensions: Iterable = ()) -> "VillageModel":
        """A model from a preset name or scenario TOML, with optional dotted-key overrides and
        extensions besides the scenario's own."""
        scenario = scenarios.load(name_or_path, extensions)
        return cls({**scenario.overrides, **(overrides or {})}, seed=seed, preset=scenario.name,
                   extensions=scenario.extensions)

    # --- agents --------------------------------------------------------------

    def person(self, index: int) -> Person:
        """The agent of slot ``index``, created on first use if needed."""
        index = int(index)
        agent = self._people.get(index)
        if agent is None:
            if not self.population.alive[index]:
                raise LookupError(f"person {index} is not alive")
            agent = AGENT_CLASSES[self.population.role[index]](self, index)
            self._people[index] = agent
        return agent

    def _recast(self, indices: np.ndarray) -> None:
        """Give existing agents the class of their new role, keeping the same object and id."""
        for index in indices:
            agent = self._people.get(int(index))
            cls = AGENT_CLASSES[self.population.role[index]]
            if agent is None or type(agent) is cls:
                continue
            unique_id = agent.unique_id
            self.deregister_agent(agent)
            agent.__class__ = cls
            self.register_agent(agent)
            agent.unique_id = unique_id

    def _sync_agents(self, month: Month) -> None:
        """Agent objects follow the month's changes: the dead go, newcomers come, new roles show."""
        changes = month.changes
        for index in (*changes.died, *changes.reborn):
            agent = self._people.pop(int(index), None)
            if agent is not None:
                agent.remove()
        if self.population.size <= EAGER_AGENTS:
            for index in changes.reborn:
                self.person(index)
        self._recast(changes.aged_out)
        self._recast(month.admitted)

    # --- the month -------------------------------------------------------------

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.steps

    def calendar_month(self, month: int) -> int:
        return (self.params["time.start_month"] - 1 + month - 1) % 12 + 1

    def _count_villagers(self) -> np.ndarray:
        return per_village(self.population.village, self.population.alive, self.villages)

    def step(self) -> None:
        """One month: the steps of :attr:`schedule` (:data:`~villagesim.submodels.SCHEDULE` and the extensions'),
        in order, then observation."""
        month = Month(self.steps, self.calendar_month(self.steps), self.params, self.rng, self.population,
                      self.adjacency, self.branch, self.project, self.venue_hamlet, self.household_village,
                      self._living_neighbours, self._villagers, store=self.extension_state)
        for _, submodel in self.schedule:
            submodel(month)
        self._villagers = month.villagers
        self._sync_agents(month)
        self.events += month.events
        self.relapses += month.relapses
        self.cost += month.spent
        self._record(month.number, month.appeals.raised, month.appeals.resolved)

    def _record(self, month: int, raised: np.ndarray, resolved: np.ndarray) -> None:
        cost = np.full(self.villages, self.cost / self.villages)
        table = metrics.tally(self.population, self.branch, self.project, raised, resolved, self.relapses, cost)
        self._tallies.append(table)
        self._rows.append(metrics.row(month, metrics.region(table), self.params))

    def run(self, months: int | None = None) -> "VillageModel":
        """Advance ``months`` months (default ``time.months``); returns the model."""
        for _ in range(self.params["time.months"] if months is None else months):
            self.step()
        return self

    # --- control and results ------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        """Change a parameter mid-run; it takes effect from the next month and is logged."""
        if key.startswith(FIXED_DURING_RUN):
            raise InputError(f"{key}: cannot be changed during a run; start a new run instead")
        self.params = self.registry.resolve({key: value}, base=self.params)
        if key.startswith("interventions."):
            self.events.append(Event(self.steps + 1, "intervention_changed", key, self.params[key]))

    def timeseries(self) -> pd.DataFrame:
        """One row per month (step 0 is the initial state), the columns of ``timeseries.csv``."""
        frame = pd.DataFrame(self._rows, columns=list(COLUMNS))
        frame["step"] = frame["step"].astype(int)
        return frame

    def village_timeseries(self, village: int | None = None) -> pd.DataFrame:
        """Per-village metrics, one row per village and month: ``step``, ``village``, then the columns of
        :meth:`timeseries`; or, for one ``village``, that village's rows with exactly those columns.
        Region-wide columns (``cost_cumulative``) are shared out equally among the villages."""
        tallies = np.stack(self._tallies)  # months x villages x tally
        if village is not None:
            rows = [metrics.row(month, t[village], self.params) for month, t in enumerate(tallies)]
            frame = pd.DataFrame(rows, columns=list(COLUMNS))
        else:
            rows = [metrics.row(month, t[v], self.params) for month, t in enumerate(tallies) for v in range(self.villages)]
            frame = pd.DataFrame(rows, columns=list(COLUMNS))
            frame.insert(1, "village", np.tile(np.arange(self.villages), len(tallies)))
        frame["step"] = frame["step"].astype(int)
        return frame

    def village(self, v: int) -> VillageView:
        """A live, read-only view of village ``v`` of the region (see :mod:`villagesim.region`)."""
        return VillageView(self, v)

    def final(self) -> dict[str, float]:
        """The last row of the time series as a dict (without ``step``)."""
        return dict(zip(COLUMNS[1:], self._rows[-1][1:]))

    def members(self) -> list[Member]:
        """Living members as agents."""
        return [self.person(i) for i in (self.population.alive & (self.population.role == MEMBER)).nonzero()[0]]
