"""The branch (组织力): organisational life, members' activity and capability, strength and capacity.

Each month the branch tries to hold its organisational life ("三会一课",
the monthly theme day). It happens with probability ``branch.regularity``
(raised by standardisation). A meeting attended by fewer than
``branch.quorum`` of the members is a formality ("凑人数、走过场") with only
``branch.formality_effect`` of the effect of a proper one. Effective
meetings renew members' activity towards what their age allows; training,
given at the meeting, raises the capability of those who attend one that is
held. Strength and service capacity follow from the members who are
present, active and capable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from villagesim.grouping import per_village
from villagesim.params import INTERVENTIONS
from villagesim.population import Population, attainable_activity
from villagesim.submodels.month import Month

MEETING_MEMORY = 0.8  # weight of past months in the regularity a branch is known for


@dataclass
class Branch:
    """Per-village branch state (arrays of length V)."""

    regularity: np.ndarray  # moving average of meeting effect, in [0, 1]
    meeting: np.ndarray  # this month's meeting effect, in [0, 1]
    strength: np.ndarray  # 组织力 index in [0, 1]
    capacity: np.ndarray  # appeals the members can resolve this month
    handled: np.ndarray  # appeals the members resolved this month (service)
    effort: np.ndarray  # sum of activity x capability of members at home
    quality: np.ndarray  # mean capability of the members doing the work, in [0, 1]
    members: np.ndarray  # living members
    active: np.ndarray  # present members with activity >= branch.active_threshold
    installed: np.ndarray  # (V, paths) bool: the path's set-up is paid (interventions)

    @classmethod
    def start(cls, villages: int, params: dict) -> "Branch":
        zeros = np.zeros(villages)
        return cls(np.full(villages, params["branch.regularity"]), *(zeros.copy() for _ in range(8)),
                   np.zeros((villages, len(INTERVENTIONS)), bool))


def regularity(params: dict, intensity: dict[str, float]) -> float:
    """Chance organisational life is held this month; standardisation closes the gap to 1."""
    base = params["branch.regularity"]
    gain = params["interventions.standardization.regularity_gain"] * intensity["standardization"]
    return base + gain * (1.0 - base)


def hold_meetings(pop: Population, branch: Branch, params: dict, rng: np.random.Generator,
                  intensity: dict[str, float], online: np.ndarray) -> None:
    """One month of organisational life; updates ``pop`` members and ``branch`` in place.

    ``online`` marks people on the platform this month (members away join
    meetings that way).
    """
    villages = branch.strength.size
    # Only members take part, so the work is over their slots alone.
    member = pop.is_member().nonzero()[0]
    village = pop.village[member]
    attend = ~pop.away[member] | online[member]
    n_members = np.bincount(village, minlength=villages)
    quorate = per_village(village, attend, villages) >= params["branch.quorum"] * n_members
    held = rng.random(villages) < regularity(params, intensity)
    branch.meeting = held * np.where(quorate & (n_members > 0), 1.0, params["branch.formality_effect"])
    branch.regularity = MEETING_MEMORY * branch.regularity + (1.0 - MEETING_MEMORY) * branch.meeting

    ceiling = attainable_activity(pop.age[member], params)
    activity = pop.activity[member]
    renewed = renew_activity(activity, ceiling, params["branch.activity_renewal"] * branch.meeting[village] * attend)
    pop.activity[member] = np.minimum(np.maximum(renewed - params["branch.activity_decay"] * activity, 0.0), ceiling)
    # Training is given at the meeting: those who miss it, or whose branch held none, learn nothing.
    train(pop, member, attend & held[village], params, intensity)

    assess(pop, branch, params, member)
    branch.capacity = params["branch.appeals_per_member"] * branch.effort


def renew_activity(activity: np.ndarray, ceiling: np.ndarray, renewal: np.ndarray) -> np.ndarray:
    """Activity after a meeting: ``renewal`` (the renewal rate x the meeting's effect, 0 for those absent)
    closes that share of the gap to the ceiling age allows."""
    return activity + renewal * (ceiling - activity)


def train(pop: Population, member: np.ndarray, attend: np.ndarray, params: dict, intensity: dict[str, float]) -> None:
    """Training at organisational life: those of ``member`` who ``attend`` a meeting held this month gain capability."""
    trained = attend * (params["interventions.training.capability_gain"] * intensity["training"])
    pop.capability[member] += trained * (1.0 - pop.capability[member])


def assess(pop: Population, branch: Branch, params: dict, member: np.ndarray | None = None) -> None:
    """Strength, effort, quality and head counts from the members' current state.

    ``member`` is the members' slots, if the caller has just found them (organisational life changes no one's
    membership).
    """
    villages = branch.strength.size
    if member is None:
        member = pop.is_member().nonzero()[0]
    village = pop.village[member]
    working = ~pop.away[member]
    activity = pop.activity[member]
    branch.effort = per_village(village, working, villages, activity * pop.capability[member])
    activity_sum = per_village(village, working, villages, activity)
    branch.members = np.bincount(village, minlength=villages)
    branch.quality = np.divide(branch.effort, activity_sum, out=np.zeros(villages), where=activity_sum > 0)
    branch.strength = (np.divide(branch.effort, branch.members, out=np.zeros(villages), where=branch.members > 0)
                       * (0.5 + 0.5 * branch.regularity))
    branch.active = per_village(village, working & (activity >= params["branch.active_threshold"]), villages)


def step(month: Month) -> None:
    """Organisational life for the month (members away join online)."""
    hold_meetings(month.population, month.branch, month.params, month.rng, month.intensity, month.online)


def reassess(month: Month) -> None:
    """New members count from the month they are admitted: the only change to what :func:`step` assessed."""
    if month.admitted is not None and month.admitted.size:
        assess(month.population, month.branch, month.params)
