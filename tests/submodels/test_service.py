"""Service (ODD 7.5): appeals and their channels, the members' capacity, visits, the platform's use and the month's
contacts.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import ALL, NONE, binomial_ok, village

from villagesim import VillageModel
from villagesim.params import resolve
from villagesim.submodels import service

PLATFORM = {"interventions.digital.intensity": 1.0, "interventions.digital.reach": 1.0,
            "interventions.digital.elderly_skill": 1.0}


@pytest.mark.parametrize("capacity", [0.0, 1e9])
def test_heard_appeals_are_resolved_while_capacity_lasts_and_move_trust(capacity):
    params, rng, _, _, pop = village({"appeals.rate": 1.0, "appeals.resolved_gain": 0.1,
                                      "appeals.neglected_loss": 0.05, "appeals.brought": 0.0})
    pop.trust[:] = 0.5
    heard = np.ones(pop.size, bool)
    online = np.zeros(pop.size, bool)
    result = service.appeals(pop, params, rng, heard, online, np.array([capacity]), np.array([0.6]))
    raised = pop.alive & ~pop.away
    assert result.raised.tolist() == [raised.sum()]
    assert result.resolved.tolist() == [raised.sum() if capacity else 0]
    np.testing.assert_allclose(pop.trust[raised], 0.5 + 0.1 * 0.8 if capacity else 0.45)
    np.testing.assert_allclose(pop.trust[~raised], 0.5)


def test_the_service_centre_serves_its_hamlet_and_not_the_elderly_at_zero_mobility():
    params, rng, layout, _, pop = village({"interventions.venue.reach": 1.0, "interventions.venue.remote_reach": 0.0,
                                           "interventions.venue.elderly_mobility": 0.0})
    venue_hamlet = np.array([pop.hamlet[0]])
    pop.age[(pop.present & (pop.hamlet == venue_hamlet[0])).nonzero()[0][:3]] = service.ELDERLY_MOBILITY_AGE  # 70+
    assert not service.venue_users(pop, params, rng, NONE, venue_hamlet).any()
    users = service.venue_users(pop, params, rng, ALL, venue_hamlet)
    expected = pop.present & (pop.hamlet == venue_hamlet[0]) & (pop.age < service.ELDERLY_MOBILITY_AGE)
    assert expected.any() and (users == expected).all()


@pytest.mark.parametrize("elderly_skill", [0.0, 1.0])
def test_the_platform_reaches_everyone_with_access_at_full_reach_and_those_60_plus_by_their_skill(elderly_skill):
    params, rng, _, _, pop = village({"interventions.digital.reach": 1.0,
                                      "interventions.digital.elderly_skill": elderly_skill})
    assert not service.platform_users(pop, params, rng, NONE).any()
    with_access = pop.alive & pop.digital
    pop.age[with_access.nonzero()[0][:3]] = service.ELDERLY_AGE  # 60 exactly counts as 60+
    elderly = pop.age >= service.ELDERLY_AGE
    assert (with_access & elderly).any() and (with_access & ~elderly).any()
    expected = with_access & (~elderly if elderly_skill == 0 else True)
    assert (service.platform_users(pop, params, rng, ALL) == expected).all()


def appeal_village(brought, seed=0):
    """``(params, rng, pop)``: everyone raises an appeal, everyone's trust 0.5 (0.6 once resolved, 0.45 if not)."""
    params, rng, _, _, pop = village({"appeals.rate": 1.0, "appeals.resolved_gain": 0.1,
                                      "appeals.neglected_loss": 0.05, "appeals.brought": brought}, seed=seed)
    pop.trust[:] = 0.5
    return params, rng, pop


def raise_all(params, rng, pop, capacity, heard=None, online=None, channels=()):
    nobody = np.zeros(pop.size, bool)
    heard = nobody if heard is None else heard
    online = nobody if online is None else online
    return service.appeals(pop, params, rng, heard, online, np.array([capacity]), np.array([1.0]), channels)


@pytest.mark.parametrize("brought", [0.0, 1.0])
def test_villagers_at_home_bring_their_appeals_themselves_and_people_away_cannot(brought):
    params, rng, pop = appeal_village(brought, seed=2)
    result = raise_all(params, rng, pop, capacity=1e9)
    home = pop.alive & ~pop.away
    assert (pop.alive & pop.away).any()
    assert result.raised.tolist() == [home.sum()]
    assert result.resolved.tolist() == result.handled.tolist() == [home.sum() if brought else 0]
    np.testing.assert_allclose(pop.trust[home], 0.6 if brought else 0.45)


def test_some_appeals_are_brought_at_the_rate_and_the_heard_always_reach_the_branch():
    params, rng, pop = appeal_village(0.3, seed=2)
    heard = pop.alive & (np.arange(pop.size) % 4 == 0)
    home = pop.alive & ~pop.away
    result = raise_all(params, rng, pop, capacity=1e9, heard=heard)
    assert (pop.trust[heard & home] > 0.5).all()
    brought = (pop.trust[home & ~heard] > 0.5).mean()
    assert 0.25 < brought < 0.35 and result.resolved[0] == (pop.trust > 0.5).sum()


@pytest.mark.parametrize("capacity", [0.0, 7.0, 150.0])
def test_the_members_resolve_exactly_their_capacity_when_the_appeals_exceed_it(capacity):
    params, rng, pop = appeal_village(1.0, seed=2)
    result = raise_all(params, rng, pop, capacity=capacity)
    assert result.raised[0] > capacity
    assert result.resolved.tolist() == result.handled.tolist() == [capacity]


def test_the_platform_is_a_channel_into_the_members_capacity_not_a_way_round_it():
    params, rng, pop = appeal_village(0.0, seed=2)
    online = pop.alive & pop.digital & (np.arange(pop.size) % 2 == 0)
    # The platform's own staff resolve 20; its users' other appeals wait for the members, who have room for 30.
    result = raise_all(params, rng, pop, capacity=30.0, heard=online, online=online,
                       channels=((online, np.array([20.0])),))
    assert (online & pop.alive).sum() > 100
    assert result.resolved.tolist() == [50] and result.handled.tolist() == [30]


def test_a_scripted_appeal_brought_in_person_reaches_the_members_while_they_have_room():
    model = VillageModel({"village.population": 500, "appeals.brought": 1.0}, seed=2).run(2)
    month, pop = model.last_month, model.population
    unheard = np.flatnonzero(~month.heard & pop.alive & ~pop.away)
    model.branch.capacity[:] = month.appeals.handled + 1
    assert model.person(unheard[0]).raise_appeal() is True
    assert model.person(unheard[1]).raise_appeal() is False  # the room for one is used


def channel_village():
    params, rng, pop = appeal_village(0.0)
    online = pop.alive & pop.digital & (np.arange(pop.size) % 3 == 0)
    at_venue = pop.present & ~online & (np.arange(pop.size) % 3 == 1)
    heard = online | at_venue | (np.arange(pop.size) % 2 == 0)
    raised = pop.alive & (~pop.away | online)
    return params, rng, pop, online, at_venue, heard, raised


@pytest.mark.parametrize("platform, venue, members, resolved", [
    (1e9, 0.0, 0.0, "online"), (0.0, 1e9, 0.0, "at_venue"), (0.0, 0.0, 1e9, "heard"), (1e9, 1e9, 0.0, "channels")])
def test_the_platform_and_the_centre_resolve_their_own_users_appeals_and_the_members_any_heard(platform, venue,
                                                                                               members, resolved):
    params, rng, pop, online, at_venue, heard, raised = channel_village()
    channels = ((online, np.array([platform])), (at_venue, np.array([venue])))
    result = service.appeals(pop, params, rng, heard, online, np.array([members]), np.array([0.6]), channels)
    done = raised & {"online": online, "at_venue": at_venue, "heard": heard, "channels": online | at_venue}[resolved]
    assert done.any() and (raised & ~done).any()
    assert result.raised.tolist() == [raised.sum()] and result.resolved.tolist() == [done.sum()]
    np.testing.assert_allclose(pop.trust[done], 0.5 + 0.1 * 0.8)
    np.testing.assert_allclose(pop.trust[raised & ~done], 0.45)
    np.testing.assert_allclose(pop.trust[~raised], 0.5)


def test_the_members_capacity_goes_to_the_heard_appeals_the_channels_left_open():
    params, rng, pop, online, at_venue, heard, raised = channel_village()
    # Room for exactly each channel's users and, at the members, exactly the rest: all resolved.
    channels = ((online, np.array([float((raised & online).sum())])),
                (at_venue, np.array([float((raised & at_venue).sum())])))
    rest = float((raised & heard & ~online & ~at_venue).sum())
    result = service.appeals(pop, params, rng, heard, online, np.array([rest]), np.array([0.6]), channels)
    assert result.resolved.tolist() == [(raised & heard).sum()]


def test_the_channels_capacities_scale_with_the_village_and_their_intensity(monkeypatch):
    model = VillageModel({"village.population": 300, "interventions.digital.intensity": 0.5,
                          "interventions.venue.intensity": 0.8}, seed=1).run(1)
    month, p = model.last_month, model.params
    seen = {}
    nothing = service.Appeals(*np.zeros((3, 1)))
    monkeypatch.setattr(service, "appeals", lambda *args: seen.setdefault("channels", args[-1]) and nothing)
    service.step(month)
    (online, platform), (at_venue, venue) = seen["channels"]
    scale = month.villagers / service.REFERENCE_POPULATION
    np.testing.assert_allclose(platform, scale * 0.5 * p["interventions.digital.capacity"])
    np.testing.assert_allclose(venue, scale * 0.8 * p["interventions.venue.capacity"])
    assert online is month.online and at_venue.any() and (month.heard >= at_venue).all()


def test_visits_bring_trust_to_neighbours_at_home_in_proportion_to_capability():
    params, rng, _, adj, pop = village({"outreach.visits_per_member": 30.0, "outreach.visit_trust_gain": 0.01})
    pop.activity[:] = np.where(pop.is_member(), 1.0, 0.0)
    pop.capability[:] = 0.5
    gain = service.visits(pop, adj, params, rng, NONE)
    visited = gain > 0
    assert visited.any() and (pop.present[visited]).all()
    np.testing.assert_allclose(gain[visited] / 0.005, np.round(gain[visited] / 0.005))  # whole visits
    member_ties = adj[(pop.is_member() & ~pop.away).nonzero()[0]].sum(axis=0).A1 > 0
    assert not (visited & ~member_ties).any()
    pop.activity[:] = 0.0
    assert not service.visits(pop, adj, params, rng, NONE).any()
    substituted = resolve({"interventions.digital.visit_substitution": 1.0}, base=params)
    pop.activity[:] = np.where(pop.is_member(), 1.0, 0.0)
    assert not service.visits(pop, adj, substituted, rng, ALL).any()


def test_a_visit_counts_if_the_visited_is_at_home_and_brings_the_gain_times_the_visitors_capability():
    params, _, _, _, pop = village({"outreach.visit_trust_gain": 0.01})
    a, b = pop.is_member().nonzero()[0][:2]
    x, y = (pop.present & ~pop.is_member()).nonzero()[0][:2]
    pop.capability[[a, b]] = 0.2, 0.7
    pop.away[y] = True
    gain = service.visit_gain(pop, params, np.array([a, a, b, a]), np.array([x, y, x, x]))
    expected = np.zeros(pop.size)
    expected[x] = 0.01 * (0.2 + 0.7 + 0.2)
    np.testing.assert_allclose(gain, expected)


def test_each_visit_goes_to_a_random_neighbour_and_a_member_without_ties_visits_nobody():
    # Own ties: member m1 to five people at home, m2 to one, m3 to none (the next row's tie must not leak).
    params, rng, _, _, pop = village({"outreach.visits_per_member": 200.0, "outreach.visit_trust_gain": 0.01})
    m1, m2, m3 = (pop.is_member() & ~pop.away).nonzero()[0][:3]
    others = (pop.present & ~pop.is_member()).nonzero()[0][:7]
    ties = [(m1, t) for t in others[:5]] + [(m2, others[5]), (m3 + 1, others[6])]
    rows, cols = np.array(ties).T
    adj = sp.csr_matrix((np.ones(2 * len(ties)), (np.r_[rows, cols], np.r_[cols, rows])), shape=(pop.size,) * 2)
    pop.activity[:] = 0.0
    pop.activity[[m1, m2, m3]] = 1.0
    pop.capability[[m1, m2, m3]] = 0.2, 0.4, 0.8
    gain = service.visits(pop, adj, params, rng, NONE)
    # 200 visits over five neighbours: each missed with chance 0.8^200 (1e-19).
    assert ((gain > 0) == np.isin(np.arange(pop.size), others[:6])).all()
    np.testing.assert_allclose(gain[others[5]] / 0.004, np.round(gain[others[5]] / 0.004))  # m2's whole visits


def test_the_months_contacts_raise_trust_up_to_one_and_make_the_heard(monkeypatch):
    model = VillageModel({"village.population": 300, "interventions.digital.contact_gain": 0.02,
                          "interventions.venue.contact_gain": 0.03}, seed=1).run(1)
    month = model.last_month
    pop, n = month.population, month.population.size
    visit = np.where(np.arange(n) % 5 == 0, 0.01, 0.0)
    at_venue = pop.present & (np.arange(n) % 3 == 0)
    month.online = pop.alive & (np.arange(n) % 2 == 0)
    pop.trust[:] = np.where(np.arange(n) % 7 == 0, 0.99, 0.5)
    before = pop.trust.copy()
    monkeypatch.setattr(service, "visits", lambda *args: visit)
    monkeypatch.setattr(service, "venue_users", lambda *args: at_venue)
    monkeypatch.setattr(service, "appeals", lambda *args: service.Appeals(*np.zeros((3, 1))))
    service.step(month)
    np.testing.assert_allclose(pop.trust, np.minimum(before + visit + 0.02 * month.online + 0.03 * at_venue, 1.0))
    assert (pop.trust == 1.0).any()
    assert (month.visited == (visit > 0)).all()
    assert (month.heard == ((visit > 0) | month.online | at_venue)).all()


def test_a_village_with_one_appeal_and_no_room_resolves_none_and_the_counts_cover_every_village():
    params, rng, _, _, pop = village({"region.villages": 2})
    raised = (pop.alive & (pop.village == 0)).nonzero()[0][:1]
    result = service.resolve_appeals(pop, params, rng, raised, np.ones(1, bool), np.array([0.0, 5.0]),
                                     np.array([0.6, 0.6]))
    assert result.raised.tolist() == [1, 0] and result.resolved.tolist() == [0, 0]


def test_appeals_resolved_never_exceed_capacity():
    params, rng, _, _, pop = village({"appeals.rate": 1.0}, population=None)
    heard = np.ones(pop.size, bool)
    result = service.appeals(pop, params, rng, heard, np.zeros(pop.size, bool), np.array([50.0]), np.array([1.0]))
    assert result.raised[0] == pop.present.sum()
    assert binomial_ok(result.resolved[0], result.raised[0], 50.0 / result.raised[0])


def test_visits_reach_only_neighbours_at_home():
    params, rng, _, adj, pop = village(population=None)
    gain = service.visits(pop, adj, params, rng, NONE)
    assert (gain[pop.away] == 0).all()
    members = pop.is_member() & ~pop.away
    reachable = (adj @ members.astype(float)) > 0
    assert (gain[~reachable] == 0).all()
    assert gain.sum() > 0


def platform_village(overrides):
    """``(params, rng, pop)``: a village of 3,000 with the platform at full reach for everyone with access."""
    params, rng, _, _, pop = village({**PLATFORM, **overrides}, seed=7, population=3000)
    return params, rng, pop


def test_the_share_online_of_each_age_group_is_the_ceiling_of_its_use():
    params, rng, pop = platform_village({"village.digital_young": 0.7, "village.digital_elderly": 0.3,
                                         "interventions.digital.fatigue": 0.0})
    users = service.platform_users(pop, params, rng, {**NONE, "digital": 1.0})
    assert (users <= pop.digital).all()
    old = pop.alive & (pop.age >= service.ELDERLY_AGE)
    young = pop.alive & ~old
    # At full reach everyone with access uses it: the age group's share online is exactly its ceiling.
    assert abs(users[old].mean() - 0.3) < 0.05 and abs(users[young].mean() - 0.7) < 0.04


def test_use_wanes_towards_the_share_that_lasts():
    params, rng, pop = platform_village({"interventions.digital.fatigue": 0.05, "interventions.digital.lasting": 0.4})
    assert service.freshness(params, 0) == 1.0
    assert service.freshness(params, 12) == pytest.approx(0.4 + 0.6 * 0.95 ** 12)
    assert service.freshness(params, 10_000) == pytest.approx(0.4)
    intensity = {**NONE, "digital": 1.0}
    first = service.platform_users(pop, params, rng, intensity, running=0).sum()
    late = service.platform_users(pop, params, rng, intensity, running=600).sum()
    assert late == pytest.approx(0.4 * first, rel=0.08)
    no_fatigue = resolve({"interventions.digital.fatigue": 0.0}, base=params)
    assert service.freshness(no_fatigue, 600) == 1.0


def test_the_months_of_use_count_from_the_platforms_start():
    model = VillageModel({"village.population": 600, **PLATFORM, "interventions.digital.start": 30,
                          "interventions.digital.fatigue": 1.0, "interventions.digital.lasting": 0.0}, seed=3)
    model.run(30)
    assert model.last_month.online.sum() > 100  # its first month: full use
    model.run(1)
    assert model.last_month.online.sum() == 0  # fatigue 1, nothing lasts: gone the month after


@pytest.mark.parametrize("gain", [-0.003, 0.0, 0.006])
def test_a_month_on_the_platform_moves_trust_by_its_contact_gain_of_either_sign(gain, monkeypatch):
    model = VillageModel({"village.population": 300, **PLATFORM, "interventions.digital.contact_gain": gain}, seed=1)
    model.run(1)
    month = model.last_month
    pop = month.population
    pop.trust[:] = 0.5
    monkeypatch.setattr(service, "visits", lambda *args: np.zeros(pop.size))
    monkeypatch.setattr(service, "venue_users", lambda *args: np.zeros(pop.size, bool))
    monkeypatch.setattr(service, "appeals", lambda *args: service.Appeals(*np.zeros((3, 1))))
    service.step(month)
    assert month.online.any()
    np.testing.assert_allclose(pop.trust[month.online], 0.5 + gain)
    np.testing.assert_allclose(pop.trust[~month.online], 0.5)
