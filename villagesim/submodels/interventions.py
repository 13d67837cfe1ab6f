"""The branch's interventions: the four paths of the seed paper's section 4, and recruitment.

Each path has an intensity in [0, 1] and a start month
(``interventions.<name>.intensity``, ``interventions.<name>.start``). It acts
only through the mechanisms of the submodels (see docs/ODD.md):

- ``standardization`` (§4.1): regular organisational life and written
  monitoring procedures (:mod:`villagesim.submodels.branch`, :mod:`villagesim.submodels.shocks`);
- ``training`` (§4.2): members' capability (:mod:`villagesim.submodels.branch`);
- ``venue`` (§4.3): a service centre people can reach (:mod:`villagesim.submodels.service`);
- ``digital`` (§4.4, 智慧党建): a platform for those with digital access, at
  home or away, which also takes time from door-to-door visits
  (:mod:`villagesim.submodels.service`, :mod:`villagesim.submodels.branch`, :mod:`villagesim.submodels.shocks`);
- ``recruitment`` (§3.1, 凝聚年轻优秀党员): a larger admission quota and
  activist pool (:mod:`villagesim.submodels.recruitment`).

Examples
--------
>>> from villagesim.params import resolve
>>> p = resolve({"interventions.venue.intensity": 1.0, "interventions.venue.start": 12})
>>> intensities(p, 11)["venue"], intensities(p, 12)["venue"]
(0.0, 1.0)
>>> monthly_cost(intensities(p, 12), p)
0.8
"""

from __future__ import annotations

from villagesim.events import Event
from villagesim.params import INTERVENTIONS
from villagesim.submodels.month import Month

_KEYS = {name: tuple(f"interventions.{name}.{field}" for field in ("intensity", "start", "cost")) for name in INTERVENTIONS}


def intensities(params: dict, month: int) -> dict[str, float]:
    """Intensity of each path in ``month`` (zero before its start)."""
    return {name: params[intensity] if month >= params[start] else 0.0
            for name, (intensity, start, _) in _KEYS.items()}


def monthly_cost(intensity: dict[str, float], params: dict) -> float:
    """Cost of one village's interventions for one month, in 万元."""
    return sum(intensity[name] * params[cost] for name, (_, _, cost) in _KEYS.items())


def started(params: dict, month: int) -> list[str]:
    """Paths with a positive intensity whose start is ``month``."""
    return [name for name, (intensity, start, _) in _KEYS.items() if params[intensity] > 0 and max(params[start], 1) == month]


def step(month: Month) -> None:
    """This month's intensities, the paths that start, and what all villages spend on them."""
    p = month.params
    month.intensity = intensities(p, month.number)
    month.events += [Event(month.number, "intervention_started", name) for name in started(p, month.number)]
    month.spent = monthly_cost(month.intensity, p) * month.villages
