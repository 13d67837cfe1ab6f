"""Valid but extreme villages run, and the model's bookkeeping holds under random valid parameters."""

from __future__ import annotations

import math
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from villagesim import VillageModel
from villagesim.submodels import demography
from villagesim.agents import Member, Resident, Youth
from villagesim.params import MAX_PEOPLE, PARAMS
from villagesim.metrics import COLUMNS
from villagesim.population import MEMBER, RESIDENT, YOUTH

RATES = ["participation_rate", "project_uptake", "trust_mean", "youth_present_share", "appeals_resolved_rate",
         "present_share", "branch_strength", "project_viable", "opportunity"]


def run_checked(model: VillageModel, months: int):
    """Run ``months`` months checking, after each, that every person is accounted for; return the time series."""
    pop = model.population
    changes = []
    real_turn_over = demography.turn_over
    with mock.patch.object(demography, "turn_over", lambda *a: changes.append(real_turn_over(*a)) or changes[-1]):
        for month in range(1, months + 1):
            alive_before = pop.alive.copy()
            model.step()
            died = changes[-1].died
            # Slots: the dead of this month were alive and are not now; no one else appeared or vanished.
            assert alive_before[died].all() and not pop.alive[died].any()
            assert pop.alive.sum() == alive_before.sum() - died.size
            # Every living person is exactly one Mesa agent of the class of their role.
            by_class = {cls: sum(1 for _ in model.agents_by_type.get(cls, [])) for cls in (Resident, Youth, Member)}
            assert by_class == {Resident: (pop.alive & (pop.role == RESIDENT)).sum(),
                                Youth: (pop.alive & (pop.role == YOUTH)).sum(),
                                Member: (pop.alive & (pop.role == MEMBER)).sum()}
            assert sorted(a.index for a in model.agents) == np.flatnonzero(pop.alive).tolist()
            # The dead are nowhere: not away, not taking part, not enrolled.
            assert not (~pop.alive & (pop.away | pop.participating | pop.enrolled)).any()
            assert ((pop.trust >= 0) & (pop.trust <= 1)).all() and not np.isnan(pop.trust).any()
            row = model.final()
            assert model.steps == month and row["population"] == pop.alive.sum()
            present = (pop.alive & ~pop.away).sum()
            # Only the living work away, and only migrant workers are away (home for the festival or not).
            assert not (pop.works_away & ~pop.alive).any() and not (pop.away & ~pop.works_away).any()
            assert math.isclose(row["present_share"] * max(row["population"], 1), present, abs_tol=1e-6)
    frame = model.timeseries()
    assert list(frame.columns) == list(COLUMNS) and len(frame) == months + 1
    assert not frame.isna().any().any()
    assert ((frame[RATES] >= 0) & (frame[RATES] <= 1)).all().all()
    assert (frame["cost_cumulative"] >= 0).all() and (frame["cost_cumulative"].diff().dropna() >= 0).all()
    assert (frame["relapse_count"].diff().dropna() >= 0).all()
    assert (frame["active_members"] <= frame["members"]).all()
    return frame


# --- valid extremes --------------------------------------------------------------------------------


def test_village_with_no_young_people():
    model = VillageModel({"village.population": 300, "village.youth_share": 0.0, "branch.member_young_share": 0.0,
                          "demography.renewal": 0.0}, seed=1)
    assert not (model.population.age <= 40).any()
    frame = run_checked(model, 60)
    assert (frame["youth_present_share"] == 0).all()  # a rate with no one to count is 0, not NaN


def test_everyone_away():
    model = VillageModel({"village.population": 200, "village.youth_share": 1.0, "village.elderly_share": 0.0,
                          "migration.initial_away_youth": 1.0, "migration.member_leave_factor": 2.0,
                          "migration.festival_return": 0.0, "migration.return_hazard": 0.0,
                          "interventions.digital.intensity": 1.0,
                          # A newcomer comes of age at home; without newcomers everyone stays away.
                          "demography.renewal": 0.0}, seed=2)
    assert model.population.away.all()
    frame = run_checked(model, 24)
    assert (frame["present_share"] == 0).all() and (frame["active_members"] == 0).all()


def write_network(folder: Path, roles: list[str], edges: list[tuple[int, int]], away: list[int] | None = None):
    nodes, ties = folder / "nodes.csv", folder / "edges.csv"
    header = "id,role" + (",away" if away else "")
    rows = [f"p{k},{role}" + (f",{away[k]}" if away else "") for k, role in enumerate(roles)]
    nodes.write_text("\n".join([header, *rows]) + "\n")
    ties.write_text("\n".join(["a,b", *(f"p{a},p{b}" for a, b in edges)]) + "\n")
    return {"network.nodes": str(nodes), "network.edges": str(ties)}


def test_everyone_away_in_an_imported_network(tmp_path):
    files = write_network(tmp_path, ["member", "youth", "resident"] * 5, [(k, k + 1) for k in range(14)],
                          away=[1] * 15)
    model = VillageModel({**files, "migration.festival_return": 0.0, "migration.return_hazard": 0.0}, seed=3)
    assert model.population.away.all()
    run_checked(model, 12)


def test_branch_with_one_member(tmp_path):
    roles = ["member"] + ["youth", "resident"] * 20
    files = write_network(tmp_path, roles, [(0, k) for k in range(1, 41, 3)] + [(k, k + 1) for k in range(1, 40)])
    model = VillageModel({**files, "interventions.training.intensity": 1.0, "interventions.venue.intensity": 1.0},
                         seed=4)
    assert model.timeseries()["members"].iloc[0] == 1
    run_checked(model, 36)


def test_network_with_isolated_people(tmp_path):
    # Ten people, ties among the first four only; the other six have no one.
    files = write_network(tmp_path, ["member", "youth", "resident", "resident"] + ["resident"] * 6,
                          [(0, 1), (1, 2), (2, 3)])
    model = VillageModel(files, seed=5)
    degree = np.asarray(model.adjacency.sum(axis=1)).ravel()
    assert (degree[4:] == 0).all()
    run_checked(model, 24)


def test_network_with_no_ties_at_all(tmp_path):
    model = VillageModel(write_network(tmp_path, ["member", "youth", "resident"], []), seed=6)
    assert model.adjacency.nnz == 0
    run_checked(model, 24)


@pytest.mark.parametrize("role", ["member", "youth", "resident"])
def test_a_village_of_one_person(tmp_path, role):
    run_checked(VillageModel(write_network(tmp_path, [role], []), seed=7), 24)


def test_generated_village_of_one_person():
    run_checked(VillageModel({"village.population": 1, "village.hamlets": 3}, seed=8), 36)


def test_thousand_months():
    model = VillageModel({"village.population": 300, "interventions.recruitment.intensity": 1.0,
                          "interventions.digital.intensity": 0.5}, seed=9)
    frame = run_checked(model, 1000)
    assert frame["step"].iloc[-1] == 1000


# --- invariants under random valid parameters --------------------------------------------------------

NUMERIC = [p for p in PARAMS if p.kind in (int, float)]
SIZES = {"village.population": (1, 250), "region.villages": (1, 3), "village.hamlets": (1, 30),
         "time.months": (0, 0)}  # kept small so each example takes well under a second


def valid_value(param):
    lo, hi = SIZES.get(param.key, (param.lo, param.hi))
    return st.integers(int(lo), int(hi)) if param.kind is int else st.floats(lo, hi)


@st.composite
def valid_params(draw):
    chosen = draw(st.lists(st.sampled_from(NUMERIC), min_size=1, max_size=12, unique_by=lambda p: p.key))
    params = {p.key: draw(valid_value(p)) for p in chosen}
    params.setdefault("village.population", draw(st.integers(1, 250)))
    defaults = {p.key: p.default for p in PARAMS} | params
    # The documented cross-parameter rules (anything else in range is valid).
    assume(defaults["village.youth_share"] + defaults["village.elderly_share"] <= 1)
    assume(defaults["branch.member_young_share"] + defaults["branch.member_elderly_share"] <= 1)
    assert defaults["region.villages"] * defaults["village.population"] <= MAX_PEOPLE
    return params


@given(valid_params(), st.integers(0, 2**32), st.integers(1, 30))
def test_invariants_under_random_valid_parameters(params, seed, months):
    run_checked(VillageModel(params, seed=seed), months)
