"""Outcome measures, one row per month.

``METRICS`` names each column of ``timeseries.csv`` and says what it
measures; :func:`measure` computes a row from the state. Shares are of the
living adults of the region (people away included) unless said otherwise.
A rate whose denominator is empty is reported as 0, never NaN.
"""

from __future__ import annotations

import numpy as np

from villagesim.branch import Branch
from villagesim.population import MEMBER, NEVER, YOUTH, Population
from villagesim.uptake import VIABLE, Project

METRICS: dict[str, str] = {
    "participation_rate": "share of living adults who took part in village affairs this month",
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
}
COLUMNS = ("step", *METRICS)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else 0.0


def measure(month: int, pop: Population, branch: Branch, project: Project, raised: float, resolved: float,
            relapses: float, cost: float, params: dict) -> list[float]:
    """One row of ``COLUMNS`` for the current state."""
    alive = pop.alive
    living = int(alive.sum())
    member = alive & (pop.role == MEMBER)
    youth = alive & (pop.role == YOUTH)
    n_members = int(member.sum())
    enrolled = int((pop.enrolled & alive).sum())
    viable = project.status == VIABLE
    enrolled_share = _ratio(enrolled, living)
    return [
        month,
        _ratio((pop.participating & alive).sum(), living),
        enrolled_share,
        _ratio(pop.trust[alive].sum(), living),
        float(branch.active.sum()),
        _ratio((youth & ~pop.away).sum(), youth.sum()),
        _ratio(pop.age[member].sum(), n_members),
        _ratio(resolved, raised),
        float(relapses),
        float(cost),
        float(living),
        _ratio((alive & ~pop.away).sum(), living),
        float(n_members),
        float((alive & ~member & (pop.activist_since != NEVER)).sum()),
        float(branch.strength.mean()),
        float(viable.mean()),
        float(project.opportunity.mean()),
        1.0 + params["project.potential"] * enrolled_share * float(viable.mean()),
    ]
