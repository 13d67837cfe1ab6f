"""The people: one numpy array per attribute, and their initial values.

:class:`Population` is the single source of truth for every person. The
monthly submodels are functions over these arrays; the Mesa agent objects
in :mod:`villagesim.agents` are views that read and write the same arrays.
A dead person keeps their slot (``alive`` is false) so that indices, ties
and agent objects stay stable; a newcomer coming of age may take it.

Villages are numbered ``0..V-1``; per-village quantities (branch, project)
are arrays of length ``V`` indexed by ``population.village``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from villagesim.grouping import first_k_per_group
from villagesim.network import Layout

RESIDENT, YOUTH, MEMBER = 0, 1, 2
NEVER = -1  # month stamp meaning "not yet"


@dataclass
class Population:
    """Per-person state; every array has one entry per person slot."""

    village: np.ndarray  # intp (indices are native width: numpy gathers faster with them), village index
    hamlet: np.ndarray  # intp, global hamlet index
    household: np.ndarray  # intp, global household index
    alive: np.ndarray  # bool
    role: np.ndarray  # int8: RESIDENT, YOUTH or MEMBER
    age: np.ndarray  # float64, years
    away: np.ndarray  # bool, away from the village this month
    works_away: np.ndarray  # bool, a migrant worker (away except at the festival)
    trust: np.ndarray  # float64 in [0, 1], trust in the branch
    digital: np.ndarray  # bool, can use the digital platform
    threshold: np.ndarray  # float64 in [0, 1], individual participation threshold
    participating: np.ndarray  # bool, took part in village affairs this month
    aware: np.ndarray  # bool, knows about the project
    enrolled: np.ndarray  # bool, enrolled in the project this month
    decided: np.ndarray  # bool, has made their one decision on the project
    capability: np.ndarray  # float64 in [0, 1]; a member's skill, latent for others
    activity: np.ndarray  # float64 in [0, 1]; a member's engagement
    activist_since: np.ndarray  # int32 month picked as activist, or NEVER
    member_since: np.ndarray  # int32 month admitted, 0 for founding members, or NEVER

    @property
    def size(self) -> int:
        return self.alive.size

    @property
    def present(self) -> np.ndarray:
        return self.alive & ~self.away

    def is_member(self) -> np.ndarray:
        return self.alive & (self.role == MEMBER)

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def clip01(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` limited to [0, 1] (into ``out`` if given): two ufuncs, without the Python layer of ``np.clip``."""
    return np.minimum(np.maximum(x, 0.0, out=out), 1.0, out=out)


def draw_ages(rng: np.random.Generator, n: int, youth_share: float, elderly_share: float) -> np.ndarray:
    """Adult ages: 18-40 uniform, 41-59 uniform, 60-95 with density falling linearly."""
    u = rng.random(n)
    group = np.where(u < youth_share, 0, np.where(u < youth_share + elderly_share, 2, 1))
    v = rng.random(n)
    return np.select(
        [group == 0, group == 1],
        [18.0 + 23.0 * v, 41.0 + 19.0 * v],
        60.0 + 36.0 * (1.0 - np.sqrt(1.0 - v)),
    )


def draw_digital(rng: np.random.Generator, age: np.ndarray, params: dict) -> np.ndarray:
    share = np.where(age < 60.0, params["village.digital_young"], params["village.digital_elderly"])
    return rng.random(age.size) < share


def draw_thresholds(rng: np.random.Generator, n: int, params: dict) -> np.ndarray:
    return clip01(rng.normal(params["participation.threshold_mean"], params["participation.threshold_sd"], n))


def draw_trust(rng: np.random.Generator, n: int, params: dict) -> np.ndarray:
    return clip01(rng.normal(params["village.trust_mean"], params["village.trust_sd"], n))


def attainable_activity(age: np.ndarray, params: dict) -> np.ndarray:
    """Highest activity a member of this age can sustain (ageing lowers it)."""
    over = np.maximum(age - params["branch.decline_age"], 0.0)
    return clip01(1.0 - params["branch.decline_rate"] * over)


def pick_members(rng: np.random.Generator, age: np.ndarray, village: np.ndarray, params: dict) -> np.ndarray:
    """Boolean mask of founding members: per village, the given age mix where people allow."""
    youth_max = params["demography.youth_max_age"]
    band = np.where(age <= youth_max, 0, np.where(age >= 60.0, 2, 1))
    shares = (
        params["branch.member_young_share"],
        1.0 - params["branch.member_young_share"] - params["branch.member_elderly_share"],
        params["branch.member_elderly_share"],
    )
    villages = int(village.max(initial=0)) + 1
    per_village = np.bincount(village, minlength=villages)
    in_band = np.bincount(village.astype(np.int64) * 3 + band, minlength=3 * villages).reshape(villages, 3)
    # Weighted sampling without replacement (Efraimidis-Spirakis): each band's
    # expected share of members is its target share, whatever the band sizes.
    weight = np.take(shares, band) / np.maximum(in_band[village, band], 1)
    key = np.log(rng.random(age.size)) / np.maximum(weight, 1e-300)
    wanted = np.rint(params["branch.member_share"] * per_village).astype(np.int64)
    return first_k_per_group(village, key, wanted)


def generate(layout: Layout, params: dict, rng: np.random.Generator, given: dict | None = None) -> Population:
    """Initial people for ``layout``; ``given`` holds imported columns (missing = NaN or -1)."""
    given = given or {}
    n = layout.village.size
    age = draw_ages(rng, n, params["village.youth_share"], params["village.elderly_share"])
    if "age" in given:
        age = np.where(np.isnan(given["age"]), age, given["age"])
    youth_max = params["demography.youth_max_age"]

    role = np.where(age <= youth_max, YOUTH, RESIDENT).astype(np.int8)
    member = pick_members(rng, age, layout.village, params)
    if "role" in given and (given["role"] >= 0).any():
        # A role column decides membership where given; blanks are not members.
        member = given["role"] == MEMBER
        role = np.where((given["role"] >= 0) & (given["role"] != MEMBER), given["role"], role).astype(np.int8)
    role[member] = MEMBER

    away_share = np.where(age <= youth_max, params["migration.initial_away_youth"],
                          np.where(age < 60.0, params["migration.initial_away_middle"], 0.0))
    away_share = np.where(member, away_share * params["migration.member_leave_factor"], away_share)
    away = rng.random(n) < np.minimum(away_share, 1.0)
    if "away" in given:
        away = np.where(given["away"] >= 0, given["away"] == 1, away)

    capability = clip01(rng.normal(params["branch.capability_mean"], params["branch.capability_sd"], n))
    activity = np.where(member, attainable_activity(age, params) * rng.uniform(0.5, 1.0, n), 0.0)
    return Population(
        village=layout.village,
        hamlet=layout.hamlet,
        household=layout.household,
        alive=np.ones(n, bool),
        role=role,
        age=age,
        away=away,
        works_away=away.copy(),
        trust=draw_trust(rng, n, params),
        digital=draw_digital(rng, age, params),
        threshold=draw_thresholds(rng, n, params),
        participating=np.zeros(n, bool),
        aware=np.zeros(n, bool),
        enrolled=np.zeros(n, bool),
        decided=np.zeros(n, bool),
        capability=capability,
        activity=activity,
        activist_since=np.full(n, NEVER, np.int32),
        member_since=np.where(member, 0, NEVER).astype(np.int32),
    )
