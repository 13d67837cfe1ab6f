"""What Mesa's own browser view (``mesa.visualization.SolaraViz``) needs to show a village.

Mesa's ``make_space_component`` draws ``model.grid`` (:attr:`VillageModel.grid
<villagesim.model.VillageModel.grid>`, a ``NetworkGrid`` of the ties) with
:func:`portrayal` for each person and :func:`layout` for where people are:
hamlets side by side, households together, the same picture as
``villagesim serve`` (:func:`villagesim.view.render.network_positions`), and
fixed from frame to frame. Mesa's ``make_plot_component`` plots any
column of :data:`villagesim.metrics.METRICS` from ``model.datacollector``.
:func:`model_params` gives SolaraViz sliders for dotted keys, with the
registry's ranges. ``examples/solaraviz_app.py`` puts them together.

>>> from villagesim import VillageModel
>>> model = VillageModel({"village.population": 60}, seed=1)
>>> positions = layout(model.grid.G)
>>> len(positions) == model.population.size
True
>>> portrayal(model.person(0)).marker in ("o", "^", "s")
True
>>> model_params("interventions.digital.intensity")["interventions.digital.intensity"].max
1.0
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from mesa.visualization import Slider
from mesa.visualization.components import AgentPortrayalStyle

from villagesim.params import lookup
from villagesim.population import MEMBER, RESIDENT, YOUTH

# The browser view's colours and markers (villagesim.view.render), without importing its drawing code.
ROLE_STYLE = {RESIDENT: ("#7b8a99", "o"), YOUTH: ("#2a9d8f", "^"), MEMBER: ("#c0392b", "s")}
AWAY_ALPHA = 0.18


def portrayal(agent) -> AgentPortrayalStyle:
    """A person's marker: colour and shape by role, faded when away, larger for members."""
    role = agent.model.population.role[agent.index]
    colour, marker = ROLE_STYLE[role]
    return AgentPortrayalStyle(color=colour, marker=marker, size=90 if role == MEMBER else 40,
                               alpha=AWAY_ALPHA if agent.away else 1.0, zorder=2)


def layout(graph: nx.Graph, **_: Any) -> dict[int, Any]:
    """Positions of the nodes of ``model.grid.G`` by hamlet and household (a ``layout_alg`` for Mesa's
    network drawing); computed once per grid and kept in the graph."""
    if "positions" not in graph.graph:
        from villagesim.view.render import network_positions

        xy = network_positions(graph.graph["hamlet"], graph.graph["household"])
        graph.graph["positions"] = dict(enumerate(xy))
    return graph.graph["positions"]


def model_params(*keys: str, **fixed: Any) -> dict[str, Any]:
    """SolaraViz ``model_params``: a slider per dotted key (its registry default and range) and fixed values."""
    params: dict[str, Any] = {}
    for key in keys:
        param = lookup(key)
        step = 1 if param.kind is int else round((param.hi - param.lo) / 20, 6)
        params[key] = Slider(key, param.default, param.lo, param.hi, step, dtype=param.kind)
    return {**params, **fixed}
