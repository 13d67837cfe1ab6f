"""The project and its uptake (ODD 7.8): who hears, who is taken in, who enrols, and when a project is viable.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import binomial_ok, village

from villagesim import VillageModel
from villagesim.params import resolve
from villagesim.submodels import (
    uptake,
)
from villagesim.submodels.uptake import hear

NEVER_ENROL = -20.0  # project.propensity (log-odds) at which nobody taken in enrols


SURE_ENROL = 20.0  # ... and at which everyone does


def project_village(overrides=None):
    quiet = {"project.news_prob": 0.0, "project.news_prob_enrolled": 0.0, "project.outreach": 0.0,
             "project.propensity": NEVER_ENROL, "project.propensity_sd": 0.0, "project.trust_effect": 0.0,
             "project.member_shift": 0.0, "project.places": 100_000, "project.start": 3, **(overrides or {})}
    params, rng, layout, adj, pop = village(quiet)
    project = uptake.Project.start(1, params, rng)
    nobody = np.zeros(pop.size, bool)
    villagers = np.array([float(pop.alive.sum())])

    def advance(month, visited=nobody, online=nobody, villagers=villagers):
        return uptake.advance(pop, project, adj, params, rng, month, visited, online, villagers)

    return params, pop, project, advance


def test_the_village_propensity_is_drawn_once_at_set_up_around_its_mean():
    params = resolve({"project.propensity": -1.5, "project.propensity_sd": 2.0})
    project = uptake.Project.start(5, params, np.random.default_rng(4))
    np.testing.assert_array_equal(project.standing, np.random.default_rng(4).standard_normal(5))
    np.testing.assert_allclose(project.propensity(params), -1.5 + 2.0 * project.standing)


@pytest.mark.parametrize("potential, shift", [(0.5, 0.0), (0.9, 1.2), (0.2, -0.9)])
def test_a_more_promising_project_raises_the_village_propensity(potential, shift):
    params = resolve({"project.propensity": -1.5, "project.propensity_sd": 2.0, "project.potential": potential,
                      "project.potential_effect": 3.0})
    project = uptake.Project.start(5, params, np.random.default_rng(4))
    np.testing.assert_allclose(project.propensity(params), -1.5 + shift + 2.0 * project.standing)


def test_the_project_launches_at_its_start_month_and_present_members_and_participants_hear_of_it():
    params, pop, project, advance = project_village()
    pop.participating[:] = False
    pop.participating[::7] = True
    assert advance(2)["launched"].size == 0 and project.status[0] == uptake.WAITING and not pop.aware.any()
    assert advance(3)["launched"].tolist() == [0]
    assert project.status[0] == uptake.RUNNING and project.launched[0] == 3
    expected = pop.alive & ((pop.is_member() & ~pop.away) | pop.participating)
    assert expected.any() and (pop.aware == expected).all()
    # Every place used is one decision taken (nobody enrols at this propensity).
    assert project.places[0] == params["project.places"] - pop.decided.sum() and not pop.enrolled.any()
    assert advance(4)["launched"].size == 0 and project.launched[0] == 3


def test_visited_people_learn_of_the_project_during_its_campaign_only():
    params, pop, project, advance = project_village({"project.campaign": 2})
    visited = np.zeros(pop.size, bool)
    visited[::5] = True
    pop.participating[:] = False
    advance(1, visited)
    assert not pop.aware.any()
    advance(3, visited)
    assert (pop.aware[visited & pop.alive]).all()
    late = np.zeros(pop.size, bool)
    late[1::5] = True
    before = pop.aware.copy()
    assert (late & ~before & pop.alive).any()
    advance(5, late)  # month 5: two months after launch, the campaign is over
    assert (pop.aware == before).all()


def test_the_informed_at_home_or_online_decide_once():
    params, pop, project, advance = project_village()
    pop.participating[:] = True  # all aware at launch
    online = np.zeros(pop.size, bool)
    online[::2] = True
    advance(3, online=online)
    reachable = pop.aware & pop.alive & (~pop.away | online)
    assert (pop.decided == reachable).all() and not pop.enrolled.any()
    assert (pop.away & ~online & pop.aware).any() and (pop.away & online).any()
    later = pop.alive & pop.aware & ~pop.decided
    params["project.propensity"] = SURE_ENROL  # would enrol anyone who decided again
    advance(4, online=np.ones(pop.size, bool))
    assert (pop.enrolled == later).all()  # only those away and offline last month decide now
    assert (pop.decided == (pop.aware & pop.alive)).all()


def test_everyone_taken_in_at_a_sure_propensity_enrols_when_at_home_or_online():
    _, pop, project, advance = project_village({"project.propensity": SURE_ENROL, "project.min_enrolment": 1.0})
    pop.participating[:] = True
    online = np.zeros(pop.size, bool)
    online[::2] = True
    advance(3, online=online)
    assert (pop.enrolled == (pop.aware & pop.alive & (~pop.away | online))).all()
    assert (pop.enrolled == pop.decided).all()


def test_trust_above_one_half_raises_the_odds_of_enrolling_by_the_trust_effect():
    # Log-odds 0 + 20 x (trust - 0.5): +10 at trust 1, -10 at trust 0.
    _, pop, project, advance = project_village({"project.propensity": 0.0, "project.trust_effect": 20.0,
                                                "project.min_enrolment": 1.0})
    pop.participating[:] = True
    pop.trust[:] = np.arange(pop.size) % 2
    advance(3)
    assert pop.decided.any() and (pop.enrolled == (pop.decided & (pop.trust == 1))).all()


@pytest.mark.parametrize("propensity", [NEVER_ENROL, SURE_ENROL])
@pytest.mark.parametrize("extra", [-30, 50])  # places: fewer than the members at home, or 50 more
def test_limited_places_take_in_members_first_and_a_place_is_used_whether_one_enrols_or_not(propensity, extra):
    pop = village()[4]
    members = int((pop.alive & pop.is_member() & ~pop.away).sum())
    assert members > 30
    params, pop, project, advance = project_village({"project.places": members + extra,
                                                     "project.propensity": propensity,
                                                     "project.min_enrolment": 1.0})
    pop.participating[:] = True  # everyone at home is informed and would decide
    advance(3)
    assert pop.decided.sum() == members + extra and project.places[0] == 0
    taken_members = (pop.decided & pop.is_member()).sum()
    assert taken_members == min(members, members + extra)
    assert (pop.enrolled == (pop.decided if propensity == SURE_ENROL else False)).all()
    decided = pop.decided.copy()
    advance(4, online=np.ones(pop.size, bool))  # the places are gone: nobody else decides
    assert (pop.decided == decided).all()


def test_decide_takes_in_the_first_then_the_highest_order_and_enrols_where_the_draw_is_below_the_chance():
    rng = np.random.default_rng(3)
    who = np.arange(0, 40, 2)
    village_of = np.repeat([0, 1], 20)
    first = (np.arange(40) % 3 == 0).astype(float)
    order, draw = rng.random((2, 40))
    logit = rng.normal(size=40)
    places = np.array([4, 100])
    taken, joined = uptake.decide(who, village_of, places, first, lambda t: logit[t], draw, order)
    in_0 = who[village_of[who] == 0]
    score = order[in_0] + first[in_0]
    assert sorted(taken[village_of[taken] == 0]) == sorted(in_0[np.argsort(-score)[:4]])
    assert sorted(taken[village_of[taken] == 1]) == sorted(who[village_of[who] == 1])
    assert places.tolist() == [0, 100 - 10]
    np.testing.assert_array_equal(joined, taken[draw[taken] < 1 / (1 + np.exp(-logit[taken]))])


@pytest.mark.parametrize("endorsement", [0.0, 1.5])
def test_the_log_odds_add_propensity_member_shift_trust_and_endorsement(endorsement):
    params, rng, _, adj, pop = village({"project.member_shift": 0.7, "project.trust_effect": 2.0,
                                        "project.endorsement": endorsement})
    assert (adj.data == 1).all()  # unweighted ties: counts of neighbours
    who = np.arange(pop.size)
    propensity = rng.normal(size=pop.size)
    informed = rng.random(pop.size) < 0.5
    enrolled = informed & (rng.random(pop.size) < 0.5)
    member = pop.is_member()
    dense = adj.toarray().astype(float)
    share = dense @ enrolled / np.maximum(dense @ informed, 1)
    base = propensity + 0.7 * member + 2.0 * (pop.trust - 0.5)
    np.testing.assert_allclose(uptake.decision_logit(who, propensity, member, pop.trust, params, adj, informed,
                                                     enrolled), base + endorsement * share)
    np.testing.assert_allclose(uptake.decision_logit(who, propensity, member, pop.trust, params), base)


@pytest.mark.parametrize("informed_share", [0.0, 0.1, 0.5, 0.9])  # nobody informed yet; each of hear's three sums
def test_each_informed_neighbour_and_the_campaign_tell_independently(informed_share):
    params, rng, _, adj, pop = village({"project.news_prob": 0.3, "project.news_prob_enrolled": 0.6,
                                        "project.outreach": 0.1})
    informed = rng.random(pop.size) < informed_share
    enrolled = informed & (rng.random(pop.size) < 0.5)
    draw = rng.random(pop.size)
    dense = adj.toarray().astype(float)
    miss = 0.7 ** (dense @ (informed & ~enrolled)) * 0.4 ** (dense @ enrolled) * 0.9
    heard = uptake.hear(adj, informed, enrolled, params, draw)
    assert heard.any() and (heard == (~informed & (draw < 1 - miss))).all()


def test_a_ramped_campaign_reaches_nobody_at_launch_rises_monotonely_and_is_at_full_strength_after_its_ramp():
    params = {"project.outreach": 0.3, "project.outreach_ramp": 24.0}
    reach = uptake.campaign_reach(params, np.arange(60))
    assert reach[0] == 0.0 and (np.diff(reach) >= 0).all() and (np.diff(reach[:25]) > 0).all()
    assert (reach[24:] == 0.3).all() and reach[12] == pytest.approx(0.15)


@pytest.mark.parametrize("since", [0, 5, 11, 40])
def test_hear_takes_the_campaigns_reach_of_each_persons_month(since):
    # With nobody informed, only the campaign tells: hearing is draw < reach at that month, person by person.
    params, rng, _, adj, pop = village({"project.outreach": 0.5, "project.outreach_ramp": 12.0})
    nobody = np.zeros(pop.size, bool)
    draw = rng.random(pop.size)
    months = np.full(pop.size, since)
    months[::2] = 12  # others already at full strength
    heard = uptake.hear(adj, nobody, nobody, params, draw, months)
    assert (heard == (draw < uptake.campaign_reach(params, months))).all()
    assert heard[::2].any() and (since > 0 or not heard[1::2].any())


def test_without_a_ramp_the_campaign_is_at_full_strength_every_month():
    params, rng, _, adj, pop = village({"project.news_prob": 0.3, "project.news_prob_enrolled": 0.6,
                                        "project.outreach": 0.1})
    assert params["project.outreach_ramp"] == 0
    informed = rng.random(pop.size) < 0.2
    draw = rng.random(pop.size)
    once = uptake.hear(adj, informed, informed, params, draw)
    for months in (0, 7, rng.integers(0, 100, pop.size)):
        assert (uptake.hear(adj, informed, informed, params, draw, months) == once).all()


@pytest.mark.parametrize("ramp, told_at_launch", [(0.0, True), (12.0, False)])
def test_the_model_ramps_the_campaign_from_each_villages_launch(ramp, told_at_launch):
    params, pop, project, advance = project_village({"project.outreach": 1.0, "project.outreach_ramp": ramp,
                                                     "project.campaign": 24})
    pop.participating[:] = False
    advance(3)  # launch
    others = pop.alive & ~pop.is_member()
    assert pop.aware[others].all() == told_at_launch and (told_at_launch or not pop.aware[others].any())
    for month in range(4, 16):
        advance(month)
    assert pop.aware[others].all()  # full strength (1.0) once the ramp is over


@pytest.mark.parametrize("ramp", [-1.0, 1e6])
def test_a_ramp_outside_its_range_is_refused(ramp):
    from villagesim.errors import InputError

    with pytest.raises(InputError, match="project.outreach_ramp"):
        resolve({"project.outreach_ramp": ramp})


def test_the_informed_decide_before_they_tell_and_the_told_decide_the_month_after():
    # The launch-informed members all enrol, and the enrolled tell every neighbour.
    params, pop, project, advance = project_village({"project.news_prob_enrolled": 1.0,
                                                     "project.propensity": SURE_ENROL, "project.min_enrolment": 1.0})
    pop.participating[:] = False
    advance(3)
    launched = pop.alive & pop.is_member() & ~pop.away
    assert (pop.decided == launched).all() and (pop.enrolled == launched).all()
    told = pop.aware & ~launched
    assert told.any()
    advance(4)
    assert (pop.decided[told & ~pop.away]).all() and (pop.enrolled[told & ~pop.away]).all()


def test_the_campaign_runs_its_months_from_the_launch_whether_or_not_the_project_is_already_viable():
    params, pop, project, advance = project_village({"project.news_prob_enrolled": 1.0, "project.campaign": 6,
                                                     "project.propensity": SURE_ENROL, "project.min_enrolment": 0.01})
    pop.participating[:] = False
    everyone = np.ones(pop.size, bool)
    advance(1, everyone)
    advance(2, everyone)
    assert not pop.aware.any()  # no campaign before the launch, however many are visited
    assert advance(3)["viable"].tolist() == [0]
    told = pop.aware & ~pop.decided & ~pop.away
    assert told.any()
    advance(4)
    assert project.status[0] == uptake.VIABLE and (pop.decided[told]).all() and (pop.enrolled[told]).all()


def test_in_a_month_of_the_campaign_the_told_enrol_by_the_enrolled_share_of_their_informed_neighbours():
    # Month 3: the launch-informed all enrol and tell about half their neighbours; month 4: those told decide
    # at log-odds -5 + 10 x (enrolled / informed neighbours), on the month's first uniform draw.
    params, rng, _, adj, pop = village({"project.start": 3, "project.propensity": SURE_ENROL,
                                        "project.propensity_sd": 0.0, "project.member_shift": 0.0,
                                        "project.trust_effect": 0.0, "project.endorsement": 10.0,
                                        "project.news_prob": 0.5, "project.news_prob_enrolled": 0.5,
                                        "project.outreach": 0.0, "project.places": 100_000,
                                        "project.min_enrolment": 1.0})
    project = uptake.Project.start(1, params, rng)
    nobody = np.zeros(pop.size, bool)
    villagers = np.array([float(pop.alive.sum())])
    pop.participating[:] = False
    pop.participating[::4] = True
    uptake.advance(pop, project, adj, params, rng, 3, nobody, nobody, villagers)
    params["project.propensity"] = -5.0
    who = pop.alive & pop.aware & ~pop.decided & ~pop.away
    dense = adj.toarray().astype(float)
    share = dense @ pop.enrolled / np.maximum(dense @ (pop.aware & pop.alive), 1)
    chance = 1 / (1 + np.exp(5.0 - 10.0 * share))
    decide_draw = copy.deepcopy(rng).random((3, pop.size))[0]  # the month's draws, taken in advance
    joined = who & (decide_draw < chance)
    enrolled = pop.enrolled.copy()
    assert (who & (share > 0) & (share < 1)).any() and joined.any() and (who & ~joined).any()
    uptake.advance(pop, project, adj, params, rng, 4, nobody, nobody, villagers)
    assert (pop.enrolled == (enrolled | joined)).all()


@pytest.mark.parametrize("places, villagers, viable", [(10, 20.0, True), (10, 21.0, False), (1, 1.0, True),
                                                       (10, 0.0, False)])
def test_the_project_is_viable_once_its_enrolled_reach_the_minimum_share_of_the_villagers(places, villagers,
                                                                                        viable):
    # Ten (or one) members enrol: exactly half of 20 villagers, short of half of 21, all of one; no share of none.
    params, pop, project, advance = project_village({"project.propensity": SURE_ENROL, "project.places": places,
                                                     "project.min_enrolment": 0.5})
    pop.participating[:] = False
    happened = advance(3, villagers=np.array([villagers]))
    assert pop.enrolled.sum() == places
    assert happened["viable"].tolist() == ([0] if viable else [])
    assert project.status[0] == (uptake.VIABLE if viable else uptake.RUNNING)


def test_a_failed_project_ends_enrolment_in_its_own_village_only():
    params, rng, _, adj, pop = village({"region.villages": 2, "project.start": 3, "project.deadline": 2,
                                        "project.propensity": 0.0, "project.propensity_sd": 1.0,
                                        "project.member_shift": 0.0, "project.trust_effect": 0.0,
                                        "project.news_prob": 0.0, "project.news_prob_enrolled": 0.0,
                                        "project.outreach": 0.0, "project.places": 100_000,
                                        "project.min_enrolment": 0.05})
    project = uptake.Project.start(2, params, rng)
    project.standing[:] = [25.0, -25.0]  # village 0: everyone taken in enrols; village 1: nobody
    nobody = np.zeros(pop.size, bool)
    villagers = np.bincount(pop.village[pop.alive], minlength=2).astype(float)
    pop.participating[:] = True
    for month in (3, 4):
        uptake.advance(pop, project, adj, params, rng, month, nobody, nobody, villagers)
    enrolled = pop.enrolled.copy()
    assert enrolled[pop.village == 0].any() and not enrolled[pop.village == 1].any()
    assert (pop.alive & (pop.village == 0) & ~enrolled).any()
    assert uptake.advance(pop, project, adj, params, rng, 5, nobody, nobody, villagers)["failed"].tolist() == [1]
    assert project.status.tolist() == [uptake.VIABLE, uptake.FAILED]
    assert (pop.enrolled == enrolled).all()


def test_the_project_events_name_their_village():
    model = VillageModel({"village.population": 300, "region.villages": 2, "project.start": 2}, seed=1).run(3)
    launched = [event for event in model.events if event.code == "project_launched"]
    assert [(event.month, event.subject) for event in launched] == [(2, 0), (2, 1)]


def test_a_viable_project_rewards_the_enrolled_and_raises_opportunity():
    params, pop, project, advance = project_village({"project.propensity": SURE_ENROL,
                                                     "project.min_enrolment": 0.05, "project.viable_gain": 0.02})
    pop.participating[:] = True
    pop.trust[:] = 0.5
    assert advance(3)["viable"].tolist() == [0]
    assert project.status[0] == uptake.VIABLE
    np.testing.assert_allclose(pop.trust[pop.enrolled], 0.52)
    np.testing.assert_allclose(pop.trust[~pop.enrolled], 0.5)
    gain = params["project.opportunity_gain"] * params["project.potential"]
    np.testing.assert_allclose(project.opportunity, min(params["village.opportunity"] + gain, 1.0))
    assert advance(4)["viable"].size == 0 and project.status[0] == uptake.VIABLE


def test_the_enrolled_stay_enrolled_and_opportunity_is_capped_at_one():
    params, pop, project, advance = project_village({"project.propensity": SURE_ENROL,
                                                     "project.min_enrolment": 0.05, "village.opportunity": 0.9,
                                                     "project.opportunity_gain": 1.0, "project.potential": 1.0})
    pop.participating[:] = True
    advance(3)
    enrolled = pop.enrolled.copy()
    assert enrolled.any()
    params["project.propensity"] = NEVER_ENROL
    advance(4)
    assert (pop.enrolled == enrolled).all()
    np.testing.assert_allclose(project.opportunity, 1.0)


def test_a_project_short_of_its_enrolment_by_the_deadline_fails_and_costs_the_aware_trust():
    params, pop, project, advance = project_village({"project.propensity": SURE_ENROL,
                                                     "project.min_enrolment": 1.0, "project.deadline": 2,
                                                     "project.failure_loss": 0.2})
    pop.participating[:] = False
    pop.participating[::3] = True
    pop.trust[:] = 0.5
    advance(3)
    assert pop.enrolled.any()
    assert advance(4)["failed"].size == 0 and project.status[0] == uptake.RUNNING
    aware = pop.aware.copy()
    assert advance(5)["failed"].tolist() == [0] and project.status[0] == uptake.FAILED
    np.testing.assert_allclose(pop.trust[aware], 0.3)
    np.testing.assert_allclose(pop.trust[~aware], 0.5)
    assert not pop.enrolled.any()
    np.testing.assert_allclose(project.opportunity, params["village.opportunity"])


def test_take_in_gives_everyone_a_place_where_there_is_exactly_room_ranks_where_places_bind_and_none_where_gone():
    # Village 0: 3 want, 3 places; village 1: 5 want, 2 places; village 2: 2 want, none left.
    group = np.array([0, 0, 0, 1, 1, 1, 1, 1, 2, 2])
    who = np.arange(group.size) + 100
    first = np.zeros(200)
    first[who[[4, 7]]] = 1.0  # two members in village 1: taken in first
    order = np.linspace(0.9, 0.0, 200)  # then by this draw, highest first
    taken = uptake.take_in(who, group, np.bincount(group), np.array([3, 2, 0]), first, order)
    assert taken.tolist() == [True, True, True, False, True, False, False, True, False, False]


def test_news_reaches_each_listener_with_the_combined_chance():
    # 3 aware tellers all tied to each of 20,000 listeners.
    n_listen = 20_000
    tellers = np.arange(3)
    src = np.repeat(tellers, n_listen)
    dst = np.tile(np.arange(3, 3 + n_listen), 3)
    adj = sp.csr_matrix((np.ones(src.size), (src, dst)), shape=(n_listen + 3,) * 2)
    adj = (adj + adj.T).tocsr()
    aware = np.zeros(n_listen + 3, bool)
    aware[tellers] = True
    enrolled = np.zeros_like(aware)
    enrolled[0] = True
    params = {"project.news_prob": 0.1, "project.news_prob_enrolled": 0.3, "project.outreach": 0.05,
              "project.outreach_ramp": 0.0}
    heard = hear(adj, aware, enrolled, params, np.random.default_rng(5).random(aware.size))
    expected = 1 - (1 - 0.3) * (1 - 0.1) ** 2 * (1 - 0.05)
    assert not heard[tellers].any()
    assert binomial_ok(heard.sum(), n_listen, expected)


def test_the_village_model_takes_in_at_most_its_places_members_first():
    from villagesim import VillageModel

    model = VillageModel({"village.population": 400, "region.villages": 2, "project.start": 0, "project.places": 25,
                          "project.propensity": 20.0, "project.outreach": 1.0}, seed=3)
    model.run(6)
    pop = model.population
    assert (model.project.places == 0).all()  # everyone hears at once and wants in: every place is used
    assert (np.bincount(pop.village, weights=pop.decided, minlength=2) <= 25).all()  # (the dead no longer count)
    assert (np.bincount(pop.village, weights=pop.enrolled, minlength=2) <= 25).all()
    members_home = pop.is_member() & ~pop.away
    assert pop.decided[members_home].mean() > pop.decided[~pop.is_member() & pop.alive].mean()

