"""The village model: a Mesa model whose monthly step runs the submodels over arrays.

Examples
--------
>>> model = VillageModel.from_scenario("hollowed", seed=7, overrides={"interventions.training.intensity": 0.6})
>>> frame = model.run(24).timeseries()
>>> len(frame), int(frame["step"].iloc[-1])
(25, 24)
>>> sorted({type(a).__name__ for a in model.agents})
['Member', 'Resident', 'Youth']

Mesa's conventions hold: ``rng`` is the seed, dotted keys are keyword
arguments (so :func:`mesa.batch_run` sweeps them by name), ``scenario``
names a preset, and ``model.datacollector`` holds the time series.

>>> model = VillageModel(scenario="hollowed", rng=7, **{"interventions.training.intensity": 0.6}).run(24)
>>> model.timeseries().equals(frame)
True
>>> model.datacollector.get_model_vars_dataframe()["trust_mean"].tolist() == frame["trust_mean"].tolist()
True
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

from villagesim import metrics
from villagesim.agents import AGENT_CLASSES, AGENT_REPORTERS, Member, Person
from villagesim.errors import InputError
from villagesim.events import Event
from villagesim.config import Config, configure
from villagesim.extensions import schedule
from villagesim.grouping import per_village
from villagesim.mesa_adapter import Scenario as MesaScenario, collection_steps, recast
from villagesim.metrics import COLUMNS, METRICS
from villagesim.submodels import Month, branch, uptake
from villagesim.network import generate_layout, generate_ties, imported_layout, read_network, thin_member_ties
from villagesim.population import MEMBER, Population, generate
from villagesim.region import VillageView

EAGER_AGENTS = 200_000
"""Regions larger than this create agent objects on demand (see :meth:`VillageModel.person`)."""

FIXED_DURING_RUN = ("village.", "network.", "region.", "time.")


def _check_seed(seed: Any, name: str = "seed") -> int:
    """The integer seed of a run from ``seed`` (or Mesa's ``rng``): an integer, None (drawn at random),
    or, for ``rng``, a numpy Generator or SeedSequence (63 bits drawn from it)."""
    if seed is None:
        return secrets.randbits(63)
    if name == "rng" and isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if name == "rng" and isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        allowed = "a non-negative integer, a numpy Generator or SeedSequence, or None" if name == "rng" else \
            "a non-negative integer"
        raise InputError(f"{name}: must be {allowed}, got {seed!r}")
    return int(seed)


def _report(name: str, model: "VillageModel") -> float:
    """A DataCollector model reporter: metric ``name`` of the region's tally of this month."""
    return METRICS[name].compute(model._tally, model.params)


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector whose model reporters are the metrics (:func:`_report`), collected in one pass.

    Mesa calls each reporter and deep-copies its value, which costs about as much as the rest of a month's
    observation; the metrics are floats computed together from one tally, so :meth:`collect` appends them
    itself. Model reporters a user adds, agent reporters and tables are collected by Mesa as usual.
    """

    def __init__(self, agent_reporters: Mapping[str, Any] | None = None):
        super().__init__(model_reporters={name: functools.partial(_report, name) for name in METRICS},
                         agent_reporters=agent_reporters or None)
        self._metrics = dict(self.model_reporters)
        self._columns = [self.model_vars[name] for name in METRICS]

    def collect(self, model: "VillageModel") -> None:
        reporters = self.model_reporters
        others = {name: r for name, r in reporters.items() if self._metrics.get(name) is not r} \
            if len(reporters) != len(self._metrics) else {}
        steps = collection_steps(self)
        steps.append(model.time)
        for column, value in zip(self._columns, metrics.values(model._tally, model.params)):
            column.append(value)
        if others or self.agent_reporters or self.agenttype_reporters:
            self.model_reporters = others
            try:
                super().collect(model)
            finally:
                self.model_reporters = reporters
            if others:  # Mesa has recorded the step too
                steps.pop()


class VillageModel(mesa.Model):
    """A village (or a region of villages) and its Party branch, one step per month.

    Parameters
    ----------
    config : Config or mapping of dotted keys to values, optional
        A resolved :class:`~villagesim.config.Config` (then given alone, without
        ``scenario``, ``extensions`` or dotted keys), or overrides of the defaults
        in :mod:`villagesim.params`, from which the model builds its Config with
        :func:`~villagesim.config.configure`, as every other route does.
    seed : int, optional
        Seed of the random number generator; drawn at random if omitted
        (and then reported in :attr:`seed`).
    rng : optional
        Mesa's name for the seed (give one or the other): an integer, or a
        numpy ``Generator`` or ``SeedSequence`` from which the integer
        :attr:`seed` is drawn.
    scenario : str or path, optional
        A preset name or scenario TOML whose overrides come first (what
        :meth:`from_scenario` loads); a Mesa ``Scenario`` is taken as its
        ``rng`` and dotted-key entries.
    agent_reporters : bool or mapping, optional
        Agent-level reporters of :attr:`datacollector`: True for
        :data:`~villagesim.agents.AGENT_REPORTERS`, or a mapping of Mesa
        reporters. Off by default: one record per person per month is slow.
    extensions : extension files or :class:`~villagesim.extensions.Extension` objects, optional
        Their parameters join this model's registry (:attr:`registry`) and
        their steps its month (:attr:`schedule`); see :mod:`villagesim.extensions`.
        A scenario's own extensions come first.
    **settings
        Dotted-key overrides as keyword arguments, applied last:
        ``VillageModel(**{"interventions.digital.intensity": 1.0})``.

    Every value is validated by the model's :attr:`registry` (:mod:`villagesim.params`).
    """

    def __init__(self, config: Config | Mapping[str, Any] | None = None, seed: int | None = None, *, rng: Any = None,
                 scenario: str | os.PathLike | MesaScenario | None = None,
                 agent_reporters: bool | Mapping[str, Any] = False, extensions: Iterable = (), **settings: Any):
        mesa_scenario = scenario if isinstance(scenario, MesaScenario) else None
        if mesa_scenario is not None:
            rng = scenario.rng if seed is None and rng is None else rng
            settings = {**{key: value for key, value in mesa_scenario if key != "rng"}, **settings}
            scenario = None
        if seed is not None and rng is not None:
            raise InputError("seed and rng: give one or the other (rng is Mesa's name for the seed)")
        if not isinstance(config, Config):
            config = configure(scenario, {**(config or {}), **settings}, extensions=extensions)
        elif scenario is not None or extensions or settings:
            raise InputError("config: a Config already holds the scenario, extensions and parameters; "
                             "give it alone, or give those to build one")
        self.config = config
        """The configuration this model was built from (:class:`~villagesim.config.Config`)."""
        self.preset, self.extensions, self.registry = config.preset, config.extensions, config.registry
        self.schedule = schedule(config.extensions)
        self.extension_state: dict[str, Any] = {}  # what extensions keep between months (Month.store)
        self.params = dict(config.params)
        self.seed = _check_seed(seed) if rng is None else _check_seed(rng, "rng")
        if mesa_scenario is not None:
            mesa_scenario.rng = self.seed
        super().__init__(rng=self.seed, scenario=mesa_scenario)
        p = self.params
        if p["network.nodes"]:
            imported = read_network(p["network.nodes"], p["network.edges"])
            layout = imported_layout(imported, self.seed)
            self.adjacency, given = imported.adjacency, imported.columns
        else:
            layout = generate_layout(p, self.rng)
            self.adjacency, given = generate_ties(layout, p, self.rng), None
        self.population: Population = generate(layout, p, self.rng, given)
        self.adjacency = thin_member_ties(self.adjacency, layout.household, self.population.is_member(),
                                          p["network.member_ties"], self.rng)
        self.villages = int(layout.venue_hamlet.size)
        self.venue_hamlet = layout.venue_hamlet
        self.household_village = np.zeros(int(layout.household.max(initial=-1)) + 1, np.intp)
        self.household_village[layout.household] = layout.village
        self.branch = branch.Branch.start(self.villages, p)
        self.project = uptake.Project.start(self.villages, p, self.rng)
        self.events: list[Event] = []
        self.relapses = np.zeros(self.villages)  # per village, since the start
        self.cost = 0.0
        self._people: dict[int, Person] = {}
        if self.population.size <= EAGER_AGENTS:
            for index in self.population.alive.nonzero()[0]:
                self.person(index)
        self.last_month = self._month(0, living_neighbours=self.adjacency @ self.population.alive.astype(np.float64),
                                      villagers=per_village(self.population.village, self.population.alive,
                                                            self.villages))
        """The context of the month just simulated (month 0 before the first step): what its submodels
        found (``visited``, ``heard``, ``appeals``...), for agent-level scripts (:mod:`villagesim.agents`)."""
        branch.assess(self.population, self.branch, p)
        self.datacollector = MetricsCollector(AGENT_REPORTERS if agent_reporters is True else agent_reporters)
        """Mesa's DataCollector; its model variables are the time series columns (:data:`~villagesim.metrics.METRICS`)."""
        self._grid: mesa.space.NetworkGrid | None = None
        self._tallies: list[np.ndarray] = []
        self._record(np.zeros(self.villages), np.zeros(self.villages))

    @classmethod
    def from_scenario(cls, name_or_path: str = "default", seed: int | None = None,
                      overrides: Mapping[str, Any] | None = None, extensions: Iterable = ()) -> "VillageModel":
        """A model from a preset name or scenario TOML, with optional dotted-key overrides and
        extensions besides the scenario's own."""
        return cls(configure(name_or_path, overrides, extensions=extensions), seed=seed)

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
        """Give existing agents the class of their new role (:func:`~villagesim.mesa_adapter.recast`)."""
        for index in indices:
            agent = self._people.get(int(index))
            cls = AGENT_CLASSES[self.population.role[index]]
            if agent is not None and type(agent) is not cls:
                recast(self, agent, cls)

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

    def calendar_month(self, month: int) -> int:
        return (self.params["time.start_month"] - 1 + month - 1) % 12 + 1

    def _month(self, number: int, living_neighbours: np.ndarray, villagers: np.ndarray) -> Month:
        return Month(number=number, calendar=self.calendar_month(number), params=self.params, rng=self.rng,
                     population=self.population, adjacency=self.adjacency, branch=self.branch, project=self.project,
                     venue_hamlet=self.venue_hamlet, household_village=self.household_village,
                     living_neighbours=living_neighbours, villagers=villagers, store=self.extension_state)

    def step(self) -> None:
        """One month: the steps of :attr:`schedule` (:data:`~villagesim.submodels.SCHEDULE` and the extensions'),
        in order, then observation."""
        last = self.last_month
        month = self._month(self.steps, last.living_neighbours, last.villagers)
        for _, submodel in self.schedule:
            submodel(month)
        self.last_month = month
        self._sync_agents(month)
        self.events += month.events
        self.relapses += month.relapses
        self.cost += month.spent
        self._record(month.appeals.raised, month.appeals.resolved)

    def _record(self, raised: np.ndarray, resolved: np.ndarray) -> None:
        cost = np.full(self.villages, self.cost / self.villages)
        table = metrics.tally(self.population, self.branch, self.project, raised, resolved, self.relapses, cost)
        self._tallies.append(table)
        self._tally = metrics.named(metrics.region(table))
        self.datacollector.collect(self)
        self.running = self.steps < self.params["time.months"]

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
        """One row per month (step 0 is the initial state), the columns of ``timeseries.csv``: the
        :attr:`datacollector`'s model variables, with the step of each collection."""
        collected = self.datacollector
        # The DataCollector records the model time of each collection; a month is one unit of it.
        frame = pd.DataFrame({name: collected.model_vars[name] for name in METRICS})
        frame.insert(0, "step", np.asarray(collection_steps(collected), dtype=np.int64))
        return frame

    def village_timeseries(self, village: int | None = None) -> pd.DataFrame:
        """Per-village metrics, one row per village and month: ``step``, ``village``, then the columns of
        :meth:`timeseries`; or, for one ``village``, that village's rows with exactly those columns.
        Region-wide columns (``cost_cumulative``) are shared out equally among the villages."""
        tallies = np.stack(self._tallies)  # months x villages x tally
        p = self.params
        if village is not None:
            rows = [[month, *metrics.values(metrics.named(t[village]), p)] for month, t in enumerate(tallies)]
            frame = pd.DataFrame(rows, columns=list(COLUMNS))
        else:
            rows = [[month, *metrics.values(metrics.named(t[v]), p)] for month, t in enumerate(tallies)
                    for v in range(self.villages)]
            frame = pd.DataFrame(rows, columns=list(COLUMNS))
            frame.insert(1, "village", np.tile(np.arange(self.villages), len(tallies)))
        frame["step"] = frame["step"].astype(int)
        return frame

    def village(self, v: int) -> VillageView:
        """A live, read-only view of village ``v`` of the region (see :mod:`villagesim.region`)."""
        return VillageView(self, v)

    def final(self) -> dict[str, float]:
        """The last row of the time series as a dict (without ``step``)."""
        return {name: self.datacollector.model_vars[name][-1] for name in METRICS}

    @property
    def grid(self) -> mesa.space.NetworkGrid:
        """The ties as Mesa's ``NetworkGrid``, for Mesa's space components: node ``i`` is slot ``i`` and
        holds that person's agent (``agent.pos``); the graph keeps the slots' ``hamlet`` and ``household``
        arrays (``G.graph``) for a layout. Built from :attr:`adjacency` on first use, not by the month's
        steps; the agents are placed again whenever they have changed since."""
        if self._grid is None:
            import networkx as nx

            graph = nx.from_scipy_sparse_array(self.adjacency)
            graph.graph.update(hamlet=self.population.hamlet, household=self.population.household)
            self._grid = mesa.space.NetworkGrid(graph)
            self._grid_placed = None
        placed = (self.steps, len(self._people))
        if self._grid_placed != placed:
            nodes = self._grid.G.nodes
            for node in nodes:
                nodes[node]["agent"] = []
            for agent in self._people.values():
                nodes[agent.pos]["agent"].append(agent)
            self._grid_placed = placed
        return self._grid

    def members(self) -> list[Member]:
        """Living members as agents."""
        return [self.person(i) for i in (self.population.alive & (self.population.role == MEMBER)).nonzero()[0]]
