"""Outcome measures, one row per month, for the region and for each village.

Observation has two stages. :func:`tally` counts and sums, village by
village, everything a measure is made of (:data:`TALLIES`, by name). Each
measure of :data:`METRICS` is then defined once, by name, with its unit and
how it is computed from one tally: a village's own tally gives that
village's value, :func:`region`'s (sums over villages, means where a sum
means nothing) the region's. The time series columns, the model's Mesa
``DataCollector`` reporters, the metrics a sweep may keep and the ODD's
table of measures (:func:`markdown`) all come from :data:`METRICS`.
Shares are of the living adults (people away included) unless said
otherwise. A rate whose denominator is empty is reported as 0, never NaN.

Examples
--------
>>> list(METRICS)[:3]
['participation_rate', 'project_uptake', 'trust_mean']
>>> METRICS["cost_cumulative"].unit
'万元'
>>> COLUMNS[0]
'step'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from villagesim.grouping import per_village
from villagesim.population import MEMBER, NEVER, YOUTH, Population
from villagesim.submodels.branch import Branch
from villagesim.submodels.uptake import VIABLE, Project

TALLIES: dict[str, str] = {
    "living": "living adults",
    "participating": "living adults at home who took part in village affairs this month",
    "online": "living adults away who took part online this month",
    "enrolled": "living adults enrolled in the project",
    "trust": "sum of the trust of living adults",
    "active": "members at home with activity at least branch.active_threshold",
    "youth": "living youth",
    "youth_present": "living youth at home",
    "members": "living members",
    "member_age": "sum of the ages of living members",
    "raised": "appeals raised this month",
    "resolved": "appeals resolved this month",
    "capacity": "appeals the members could resolve this month (branch.appeals_per_member x effort)",
    "handled": "appeals the members resolved this month",
    "relapses": "households relapsed into poverty since the start",
    "cost": "interventions' cost since the start (the region's, shared out equally)",
    "present": "living adults at home",
    "activists": "activists in training",
    "strength": "branch strength (组织力) index",
    "viable": "1 if the project is viable",
    "opportunity": "local opportunity index",
}
"""What :func:`tally` counts per village, by name, in its column order."""
REGION_MEANS = ("strength", "viable", "opportunity")
"""Tallies that the region averages over villages instead of summing."""
_MEAN_COLUMNS = [list(TALLIES).index(name) for name in REGION_MEANS]


@dataclass(frozen=True)
class Metric:
    """One measure of the time series: its name, what it measures, its unit, and how it comes from a tally.

    ``compute(t, params)`` takes one tally as a mapping of :data:`TALLIES` names to numbers, and the parameters.
    """

    name: str
    description: str
    unit: str
    compute: Callable[[Mapping[str, float], Mapping], float]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else 0.0


def _metrics(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


METRICS: dict[str, Metric] = _metrics(
    Metric("participation_rate", "share of living adults at home who took part in village affairs this month",
           "share", lambda t, p: _ratio(t["participating"], t["present"])),
    Metric("project_uptake", "share of living adults enrolled in the project", "share",
           lambda t, p: _ratio(t["enrolled"], t["living"])),
    Metric("trust_mean", "mean trust in the branch of living adults", "0-1",
           lambda t, p: _ratio(t["trust"], t["living"])),
    Metric("active_members", "members at home with activity at least branch.active_threshold", "people",
           lambda t, p: t["active"]),
    Metric("youth_present_share", "share of living youth (18-40, not members) at home", "share",
           lambda t, p: _ratio(t["youth_present"], t["youth"])),
    Metric("members_mean_age", "mean age of living members (0 if none)", "years",
           lambda t, p: _ratio(t["member_age"], t["members"])),
    Metric("appeals_resolved_rate", "share of this month's appeals resolved (0 if none raised)", "share",
           lambda t, p: _ratio(t["resolved"], t["raised"])),
    Metric("relapse_count", "households relapsed into poverty since the start (cumulative)", "households",
           lambda t, p: t["relapses"]),
    Metric("cost_cumulative", "interventions' cost since the start", "万元", lambda t, p: t["cost"]),
    Metric("population", "living adults", "people", lambda t, p: t["living"]),
    Metric("present_share", "share of living adults at home", "share", lambda t, p: _ratio(t["present"], t["living"])),
    Metric("members", "living members", "people", lambda t, p: t["members"]),
    Metric("activists", "activists in training", "people", lambda t, p: t["activists"]),
    Metric("branch_strength", "branch strength (组织力) index, mean over villages", "0-1", lambda t, p: t["strength"]),
    Metric("project_viable", "share of villages whose project is viable", "share", lambda t, p: t["viable"]),
    Metric("opportunity", "local opportunity index, mean over villages", "0-1", lambda t, p: t["opportunity"]),
    Metric("income_index", "income relative to the start (1 + potential x enrolled share where viable)", "index",
           lambda t, p: 1.0 + p["project.potential"] * _ratio(t["enrolled"], t["living"]) * t["viable"]),
    Metric("online_participation_rate", "share of living adults away who took part online this month (0 if none away)",
           "share", lambda t, p: _ratio(t["online"], t["living"] - t["present"])),
    Metric("capacity_used", "share of the members' capacity to resolve appeals used this month (0 if none): "
           "about 1 when the appeals reaching them exceed it (capacity is a mean and appeals whole, so a month may "
           "show a little more)", "share", lambda t, p: _ratio(t["handled"], t["capacity"])),
)
"""The measures by name, in the order of the time series columns."""
COLUMNS = ("step", *METRICS)


def unit(name: str) -> str:
    """The unit of a time-series column, for tables and axes ("" for a name that is not a measure).

    >>> unit("cost_cumulative"), unit("participation_rate"), unit("step")
    ('万元', 'share', '')
    """
    return METRICS[name].unit if name in METRICS else ""
"""The columns of ``timeseries.csv``."""


FLAGS = ("alive", "away", "participating", "enrolled", "member", "youth", "activist")
"""The yes-or-no attributes of a person from which :func:`tally` counts, one bit each."""
COUNTED: dict[str, Callable[[Mapping[str, np.ndarray]], np.ndarray]] = {
    "living": lambda f: f["alive"],
    "participating": lambda f: f["alive"] & ~f["away"] & f["participating"],
    "online": lambda f: f["alive"] & f["away"] & f["participating"],
    "enrolled": lambda f: f["alive"] & f["enrolled"],
    "youth": lambda f: f["alive"] & f["youth"],
    "youth_present": lambda f: f["alive"] & ~f["away"] & f["youth"],
    "members": lambda f: f["alive"] & f["member"],
    "present": lambda f: f["alive"] & ~f["away"],
    "activists": lambda f: f["alive"] & ~f["member"] & f["activist"],
}
"""The tallies that count people, each as which combinations of :data:`FLAGS` it counts."""
_CODES = np.arange(2 ** len(FLAGS))
_COUNTED_CODES = np.array([rule({name: (_CODES >> bit & 1).astype(bool) for bit, name in enumerate(FLAGS)})
                           for rule in COUNTED.values()], np.int64).T


def flag_counts(pop: Population, villages: int) -> np.ndarray:
    """People of each village with each combination of :data:`FLAGS`, shape (villages, 2 ** len(FLAGS)).

    One bincount over everyone: at a million people it costs less than half the nine masked counts it replaces.
    """
    flags = (pop.alive, pop.away, pop.participating, pop.enrolled, pop.role == MEMBER, pop.role == YOUTH,
             pop.activist_since != NEVER)
    code = np.zeros(pop.size, np.uint8)  # one byte a person, widened once
    for bit, flag in enumerate(flags):
        code |= flag.view(np.uint8) * np.uint8(1 << bit)  # numpy multiplies bytes some ten times faster than it shifts them
    key = pop.village << len(FLAGS)
    key |= code
    return np.bincount(key, minlength=villages << len(FLAGS)).reshape(villages, -1)


def tally(pop: Population, branch: Branch, project: Project, raised: np.ndarray, resolved: np.ndarray,
          relapses: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per-village counts and sums, shape (villages, len(TALLIES)); the last four arguments are per village."""
    villages = branch.strength.size
    alive = pop.alive
    member = alive & (pop.role == MEMBER)
    village = pop.village
    columns = dict(zip(COUNTED, (flag_counts(pop, villages) @ _COUNTED_CODES).T))
    columns.update({
        "trust": per_village(village, alive, villages, pop.trust),
        "active": branch.active,
        "member_age": per_village(village, member, villages, pop.age),
        "raised": raised,
        "resolved": resolved,
        "capacity": branch.capacity,
        "handled": branch.handled,
        "relapses": relapses,
        "cost": cost,
        "strength": branch.strength,
        "viable": project.status == VIABLE,
        "opportunity": project.opportunity,
    })
    return np.array([columns[name] for name in TALLIES], np.float64).T


def region(table: np.ndarray) -> np.ndarray:
    """The region's tally: sums over villages, and means where a sum means nothing."""
    total = table.sum(axis=0)
    total[_MEAN_COLUMNS] = table[:, _MEAN_COLUMNS].mean(axis=0)
    return total


def named(t: np.ndarray) -> dict[str, float]:
    """One tally (a row of :func:`tally`, or :func:`region`'s) as a mapping of :data:`TALLIES` names to numbers."""
    return dict(zip(TALLIES, t.tolist()))


def values(t: Mapping[str, float], params: Mapping) -> list[float]:
    """Every metric of :data:`METRICS`, in order, from one named tally."""
    return [metric.compute(t, params) for metric in METRICS.values()]


def markdown() -> str:
    """The table of measures for docs/ODD.md (between its ``metrics`` markers)."""
    lines = ["| Column | Unit | Measures |", "|---|---|---|"]
    lines += [f"| `{m.name}` | {m.unit} | {m.description} |" for m in METRICS.values()]
    return "\n".join(lines) + "\n"
