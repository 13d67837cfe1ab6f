"""The month context: what the submodels of one month share.

Every submodel has the same contract, ``step(month: Month) -> None``: it
reads the state, the parameters, the random stream and what earlier
submodels of the month found (``online``, ``visited``, ``heard``...), changes
the state in place and leaves its own findings on ``month`` for the ones
after it. The long-lived state (population, network, branch, project,
living neighbours) belongs to the model; ``month`` only points to it, so a
submodel never copies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from villagesim.events import Event
from villagesim.population import Population

if TYPE_CHECKING:
    import scipy.sparse as sp

    from villagesim.submodels.branch import Branch
    from villagesim.submodels.demography import Changes
    from villagesim.submodels.service import Appeals
    from villagesim.submodels.uptake import Project


@dataclass(kw_only=True)
class Month:
    """One month of the schedule: the model's state and this month's intermediate results."""

    number: int
    """This month's number: 1 for the first month (``model.steps`` during the step)."""
    calendar: int
    """Calendar month, 1-12."""
    params: dict[str, Any]
    rng: np.random.Generator
    population: Population
    adjacency: sp.csr_matrix
    branch: "Branch"
    project: "Project"
    venue_hamlet: np.ndarray
    """Hamlet of each village's service centre."""
    household_village: np.ndarray
    living_neighbours: np.ndarray
    """Living network neighbours per person; demography keeps it up to date."""
    villagers: np.ndarray
    """Living adults per village (at home or away)."""

    intensity: dict[str, float] = field(default_factory=dict)
    """Each path's intensity this month (set by the interventions)."""
    spent: float = 0.0
    """What the interventions cost this month, in 万元, all villages together."""
    changes: "Changes | None" = None
    """Who died, was reborn or aged out (set by demography)."""
    online: np.ndarray | None = None
    """On the platform this month (set by the service submodel)."""
    visited: np.ndarray | None = None
    """Visited by a member this month."""
    heard: np.ndarray | None = None
    """Heard by the branch this month: visited, online or at the service centre."""
    appeals: "Appeals | None" = None
    relapses: np.ndarray | None = None
    """Households fallen back into poverty this month, per village."""
    admitted: np.ndarray | None = None
    """New members this month."""
    events: list[Event] = field(default_factory=list)
    store: dict[str, Any] = field(default_factory=dict)
    """What extensions keep from month to month, one entry per extension name; the model owns it."""

    @property
    def villages(self) -> int:
        return int(self.villagers.size)
