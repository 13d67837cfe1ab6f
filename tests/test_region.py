"""Regions: many villages in one model, metrics per village that add up to the region, and one village viewed on its own."""

import numpy as np
import pytest
from scipy import stats

from villagesim import model as model_module
from villagesim.metrics import COLUMNS
from villagesim.model import VillageModel

REGION = {"region.villages": 5, "village.population": 400}
COUNTS = ("population", "members", "activists", "active_members", "relapse_count", "cost_cumulative")


@pytest.fixture(scope="module")
def region():
    return VillageModel({**REGION, "interventions.venue.intensity": 1.0}, seed=4).run(30)


def test_village_rows_add_up_to_the_region(region):
    villages, whole = region.village_timeseries(), region.timeseries()
    assert list(villages.columns) == ["step", "village", *COLUMNS[1:]]
    assert len(villages) == len(whole) * 5
    grouped = villages.groupby("step")
    for column in COUNTS:
        assert np.allclose(grouped[column].sum(), whole[column])
    weight = villages["population"]
    for share in ("project_uptake", "trust_mean", "present_share"):
        weighted = (villages[share] * weight).groupby(villages["step"]).sum() / grouped["population"].sum()
        assert np.allclose(weighted, whole[share])
    # Participation is a share of the adults at home, online participation of those away.
    for share, of in (("participation_rate", villages["present_share"]),
                      ("online_participation_rate", 1.0 - villages["present_share"])):
        people = weight * of
        weighted = (villages[share] * people).groupby(villages["step"]).sum() / people.groupby(villages["step"]).sum()
        assert np.allclose(weighted.fillna(0.0), whole[share])
    for mean in ("branch_strength", "project_viable", "opportunity"):
        assert np.allclose(grouped[mean].mean(), whole[mean])


def test_each_village_has_its_own_branch_and_project(region):
    last = region.village_timeseries().query("step == 30")
    assert last["branch_strength"].nunique() == 5
    assert set(last["project_viable"]) <= {0.0, 1.0}


def test_one_village_alone_matches_its_region_rows(region):
    view = region.village(2)
    frame = view.timeseries()
    assert list(frame.columns) == list(COLUMNS)
    table = region.village_timeseries().query("village == 2").drop(columns="village").reset_index(drop=True)
    assert frame.equals(table)
    assert view.population.size == 400 and (view.population.village == 2).all()
    # The village's last month, recomputed from its own people.
    pop, final = view.population, view.final()
    alive = pop.alive
    members = alive & pop.is_member()
    assert final["population"] == frame["population"].iloc[-1] == alive.sum()
    assert final["members"] == members.sum()
    assert final["trust_mean"] == pytest.approx(pop.trust[alive].mean())
    assert final["members_mean_age"] == pytest.approx(pop.age[members].mean())


def test_the_view_is_live_and_its_agents_are_the_regions():
    model = VillageModel(REGION, seed=5)
    view = model.village(3)
    agent = view.person(10)
    assert agent is model.person(1210) and agent.village == 3
    before = view.population.age.copy()
    model.run(12)
    alive = view.population.alive
    aged = np.isclose(view.population.age - before, 1.0)
    # Everyone living is a year older, or a newcomer of 18 who took a dead person's slot.
    assert aged[alive].mean() > 0.9 and (view.population.age[alive & ~aged] < 19).all()
    agent.trust = 0.123
    assert model.population.trust[1210] == 0.123 and view.population.trust[10] == 0.123
    living = np.flatnonzero(view.population.alive)
    assert [a.index for a in view.agents] == (living + 1200).tolist()


def test_agents_on_demand_beyond_the_eager_limit(monkeypatch):
    monkeypatch.setattr(model_module, "EAGER_AGENTS", 1000)
    model = VillageModel(REGION, seed=6)
    assert len(model.agents) == 0
    model.run(13)  # through deaths, newcomers and an admission month
    view = model.village(1)
    agents = view.agents
    assert len(model.agents) == len(agents) == view.population.alive.sum()
    roles = {type(a).__name__ for a in agents}
    assert roles == {"Member", "Resident", "Youth"}
    member = next(a for a in agents if type(a).__name__ == "Member")
    assert member.activity == model.population.activity[member.index]
    assert all(n.village in (0, 1, 2) for n in member.neighbors)
    model.run(12)  # agents created on demand follow deaths and role changes too
    assert all(model.population.alive[a.index] for a in model.agents)
    assert model.village_timeseries(1)["step"].iloc[-1] == 25


def test_the_browser_pictures_draw_a_village_of_the_region(region):
    from villagesim.view.render import NetworkPicture, live_charts

    view = region.village(4)
    images = (b"\xff\xd8\xff", b"\x89PNG")  # JPEG or PNG
    assert NetworkPicture(view).frame("trust").startswith(images)
    assert live_charts(view.timeseries(), view.events, "en").startswith(images)


def test_villages_are_tied_only_to_the_next_along_the_road():
    model = VillageModel({"region.villages": 6, "village.population": 2000, "region.village_ties": 0.1}, seed=7)
    ties = model.adjacency.tocoo()
    village = model.population.village
    a, b = village[ties.row], village[ties.col]
    across = a != b
    assert set(((b[across] - a[across]) % 6).tolist()) == {1, 5}
    # The road closes into a ring: every village is tied to both the next and the previous one.
    pairs = set(zip(a[across].tolist(), b[across].tolist()))
    assert all((v, (v + 1) % 6) in pairs and (v, (v - 1) % 6) in pairs for v in range(6))
    # Each person draws Poisson(ties / 2) partners in the next village: about ties x people / 2 in all.
    n_across = across.sum() // 2
    expected = 0.1 * 12_000 / 2
    assert stats.poisson(expected).cdf(n_across) > 0.0005 and stats.poisson(expected).sf(n_across) > 0.0005


def test_nobody_moves_between_villages_and_the_region_is_deterministic():
    first = VillageModel(REGION, seed=8)
    village = first.population.village.copy()
    first.run(24)
    assert (first.population.village == village).all()
    second = VillageModel(REGION, seed=8).run(24)
    assert first.village_timeseries().equals(second.village_timeseries())
    assert first.timeseries().equals(second.timeseries())
