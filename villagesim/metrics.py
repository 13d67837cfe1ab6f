"""Outcome measures, one row per month, for the region and for each village.

``METRICS`` names each column of ``timeseries.csv`` and says what it
measures. :func:`tally` counts and sums, village by village, everything the
columns are made of; :func:`row` turns one tally into a row: a village's own
tally gives that village's row, the sum over villages gives the region's
(``branch_strength``, ``project_viable`` and ``opportunity`` are then means
over villages). Shares are of the living adults (people away included)
unless said otherwise. A rate whose denominator is empty is reported as 0,
never NaN.
"""

from __future__ import annotations

import numpy as np

from villagesim.submodels.branch import Branch
from villagesim.grouping import per_village
from villagesim.population import MEMBER, NEVER, YOUTH, Population
from villagesim.submodels.uptake import VIABLE, Project

METRICS: dict[str, str] = {
    "participation_rate": "share of living adults at home who took part in village affairs this month",
    "project_uptake": "share of living adults enrolled in the project",
    "trust_mean": "mean trust in the branch of living adults",
    "active_members": "members at home with activity at least branch.active_threshold",
    "youth_present_share": "share of living youth (18-40, not members) at home",
    "members_mean_age": "mean age of living members (0 if none)",
    "appeals_resolved_rate": "share of this month's appeals resolved (0 if none raised)",
    "relapse_count": "households relapsed into poverty since the start (cumulative)",
    "cost_cumulative": "interventions' cost since the start, 万元",
    "population": "living adults",
    "present_share": "share of living adults at home",
    "members": "living members",
    "activists": "activists in training",
    "branch_strength": "branch strength (组织力) index, mean over villages",
    "project_viable": "share of villages whose project is viable",
    "opportunity": "local opportunity index, mean over villages",
    "income_index": "income relative to the start (1 + potential x enrolled share where viable)",
    "online_participation_rate": "share of living adults away who took part online this month (0 if none away)",
}
COLUMNS = ("step", *METRICS)


TALLY = ("living", "participating", "online", "enrolled", "trust", "active", "youth", "youth_present", "members",
         "member_age", "raised", "resolved", "relapses", "cost", "present", "activists", "strength", "viable",
         "opportunity")
"""What :func:`tally` counts per village, in its column order."""
MEANS = [TALLY.index(name) for name in ("strength", "viable", "opportunity")]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else 0.0


def tally(pop: Population, branch: Branch, project: Project, raised: np.ndarray, resolved: np.ndarray,
          relapses: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Per-village counts and sums, shape (villages, len(TALLY)); the last four arguments are per village."""
    villages = branch.strength.size
    alive = pop.alive
    member = alive & (pop.role == MEMBER)
    youth = alive & (pop.role == YOUTH)
    present = alive & ~pop.away
    village = pop.village
    return np.array([
        per_village(village, alive, villages),
        per_village(village, pop.participating & present, villages),
        per_village(village, pop.participating & alive & pop.away, villages),
        per_village(village, pop.enrolled & alive, villages),
        per_village(village, alive, villages, pop.trust),
        branch.active,
        per_village(village, youth, villages),
        per_village(village, youth & present, villages),
        per_village(village, member, villages),
        per_village(village, member, villages, pop.age),
        raised,
        resolved,
        relapses,
        cost,
        per_village(village, present, villages),
        per_village(village, alive & ~member & (pop.activist_since != NEVER), villages),
        branch.strength,
        project.status == VIABLE,
        project.opportunity,
    ], np.float64).T


def region(table: np.ndarray) -> np.ndarray:
    """The region's tally: sums over villages, and means where a sum means nothing."""
    total = table.sum(axis=0)
    total[MEANS] = table[:, MEANS].mean(axis=0)
    return total


def row(month: int, t: np.ndarray, params: dict) -> list[float]:
    """One row of ``COLUMNS`` from one tally (a village's, or :func:`region`'s)."""
    (living, participating, online, enrolled, trust, active, youth, youth_present, members, member_age, raised, resolved,
     relapses, cost, present, activists, strength, viable, opportunity) = t.tolist()
    enrolled_share = _ratio(enrolled, living)
    return [
        month,
        _ratio(participating, present),
        enrolled_share,
        _ratio(trust, living),
        active,
        _ratio(youth_present, youth),
        _ratio(member_age, members),
        _ratio(resolved, raised),
        relapses,
        cost,
        living,
        _ratio(present, living),
        members,
        activists,
        strength,
        viable,
        opportunity,
        1.0 + params["project.potential"] * enrolled_share * viable,
        _ratio(online, living - present),
    ]
