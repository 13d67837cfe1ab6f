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

Costs (万元, per village): a path pays ``interventions.<name>.setup_cost``
once, in the first month its intensity is above zero, and
``interventions.<name>.cost`` times its intensity every month it runs.
:func:`plan_cost` is what a plan of fixed intensities and starts costs over a
run, before running it; the model charges the same sums month by month.

Examples
--------
>>> from villagesim.params import resolve
>>> p = resolve({"interventions.venue.intensity": 1.0, "interventions.venue.start": 12})
>>> intensities(p, 11)["venue"], intensities(p, 12)["venue"]
(0.0, 1.0)
>>> monthly_cost(intensities(p, 12), p)
0.3
>>> plan_cost(p, 120)  # set-up 20 + 0.3 a month for months 12 to 120
52.7
"""

from __future__ import annotations

import numpy as np

from villagesim.events import Event
from villagesim.params import INTERVENTIONS
from villagesim.submodels.month import Month

_KEYS = {name: tuple(f"interventions.{name}.{field}" for field in ("intensity", "start", "cost")) for name in INTERVENTIONS}
MIN_INTENSITY = 0.1
"""Least intensity of a path a plan switches on (below it a path is off)."""


def intensities(params: dict, month: int) -> dict[str, float]:
    """Intensity of each path in ``month`` (zero before its start)."""
    return {name: params[intensity] if month >= params[start] else 0.0
            for name, (intensity, start, _) in _KEYS.items()}


def monthly_cost(intensity: dict[str, float], params: dict) -> float:
    """Cost of one village's interventions for one month, in 万元."""
    return sum(intensity[name] * params[cost] for name, (_, _, cost) in _KEYS.items())


def path_cost(params: dict, name: str, intensity: float, start: int, months: int, set_up: bool = False) -> float:
    """What path ``name`` at ``intensity`` from month ``start`` costs one village over months 1..``months``
    (no set-up if ``set_up``: the village paid it earlier)."""
    first = max(start, 1)
    if intensity <= 0 or first > months:
        return 0.0
    setup = 0.0 if set_up else params[f"interventions.{name}.setup_cost"]
    return setup + intensity * params[f"interventions.{name}.cost"] * (months - first + 1)


def plan_cost(params: dict, months: int, set_up: frozenset[str] | set[str] = frozenset()) -> float:
    """What the intensities and starts in ``params`` cost one village over ``months`` months, set-ups included
    except those of the paths in ``set_up`` (already paid)."""
    return round(sum(path_cost(params, name, params[intensity], params[start], months, name in set_up)
                     for name, (intensity, start, _) in _KEYS.items()), 10)


def started(params: dict, month: int) -> list[str]:
    """Paths with a positive intensity whose start is ``month``."""
    return [name for name, (intensity, start, _) in _KEYS.items() if params[intensity] > 0 and max(params[start], 1) == month]


def step(month: Month) -> None:
    """This month's intensities, the paths that start, and what all villages spend on them."""
    p = month.params
    month.intensity = intensities(p, month.number)
    month.events += [Event(month.number, "intervention_started", name) for name in started(p, month.number)]
    on = np.array([month.intensity[name] > 0 for name in INTERVENTIONS])
    new = on & ~month.branch.installed
    month.branch.installed |= new
    setup = new @ [p[f"interventions.{name}.setup_cost"] for name in INTERVENTIONS]
    month.spent = float(monthly_cost(month.intensity, p) * month.villages + setup.sum())
