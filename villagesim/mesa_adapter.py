"""Mesa's private internals that villagesim relies on, in one place.

The model keeps Mesa's public face (``model.agents``, ``agents_by_type``,
``DataCollector``, ``Scenario``) but reaches under it twice, for speed: an
agent whose role changes keeps its object (and ``unique_id``) and only moves
between Mesa's per-class agent sets, and the metrics are appended to the
DataCollector's columns in one pass. Everything private is named here and
nowhere else, and ``tests/test_mesa_adapter.py`` checks each name against the
installed Mesa, so an upgrade that changes one fails in one place.

Examples
--------
>>> import mesa
>>> class Old(mesa.Agent): pass
>>> class New(mesa.Agent): pass
>>> model = mesa.Model(rng=1)
>>> agent = Old(model)
>>> recast(model, agent, New)
>>> type(agent).__name__, len(model.agents_by_type[New]), len(model.agents_by_type[Old]), len(model.agents)
('New', 1, 0, 1)
"""

from __future__ import annotations

import mesa
from mesa.agentset import _HardKeyAgentSet
from mesa.experimental.scenarios import Scenario

__all__ = ["Scenario", "collection_steps", "recast"]


def recast(model: mesa.Model, agent: mesa.Agent, cls: type[mesa.Agent]) -> None:
    """Give ``agent`` the class ``cls`` in place: the same object and ``unique_id``, no removal signal.

    Mesa files each agent under its class in ``model.agents_by_type`` (a private dict of private
    ``_HardKeyAgentSet`` objects); the agent moves from its old class's set to its new one's, and stays
    where it is in ``model.agents``.
    """
    by_type = model._agents_by_type
    by_type[type(agent)].remove(agent)
    agent.__class__ = cls
    if cls in by_type:
        by_type[cls].add(agent)
    else:
        by_type[cls] = _HardKeyAgentSet([agent], random=model.random)


def collection_steps(collector: mesa.DataCollector) -> list:
    """The DataCollector's own list of the model time of each collection (appended to by ``collect``)."""
    return collector._collection_steps
