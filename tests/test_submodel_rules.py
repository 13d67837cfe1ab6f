"""Each submodel's rule, exactly: settings where the ODD's formula gives one answer, checked against it.

Fast and deterministic (parameters at 0 or 1 where chance would blur the
rule), so that mutation testing (docs/testing.md) can run them for every mutant.
"""

import copy

import numpy as np
import pytest
import scipy.sparse as sp

from villagesim import VillageModel
from villagesim.events import Event
from villagesim.extensions import Extension, Step
from villagesim.network import generate_layout, generate_ties
from villagesim.params import resolve
from villagesim.population import MEMBER, NEVER, RESIDENT, attainable_activity, generate
from villagesim.submodels import (branch, demography, interventions, migration, participation, recruitment, service,
                                  shocks, uptake)

NONE = interventions.intensities(resolve(), 0)
ALL = {name: 1.0 for name in NONE}


def village(overrides=None, seed=0):
    params = resolve({"village.population": 1200, **(overrides or {})})
    rng = np.random.default_rng(seed)
    layout = generate_layout(params, rng)
    return params, rng, layout, generate_ties(layout, params, rng), generate(layout, params, rng)


# --- the project (ODD 7.8) ------------------------------------------------------------------------------

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


@pytest.mark.parametrize("per_slot", [100.0, 0.0])
def test_the_pool_takes_every_eligible_person_when_it_wants_more_and_nobody_when_it_is_full(per_slot):
    params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1, "recruitment.activists_per_slot": per_slot,
                                              "recruitment.min_trust": 0.6, "recruitment.max_age": 40})
    pop.participating[:] = True
    pop.trust[:] = np.where(np.arange(pop.size) % 2 == 0, 0.7, 0.3)
    fresh = (pop.present & (pop.role != MEMBER) & (pop.activist_since == NEVER)).nonzero()[0]
    pop.trust[fresh[:5]], pop.age[fresh[5:10]], pop.trust[fresh[5:10]] = 0.6, 40, 0.7  # exactly on the limits
    before = pop.activist_since.copy()
    eligible = (pop.present & (pop.role != MEMBER) & (before == NEVER) & (pop.trust >= 0.6) & (pop.age <= 40))
    recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    picked = (before == NEVER) & (pop.activist_since == 100)
    wanted = np.ceil(per_slot * 0.1 * int(village()[4].is_member().sum()))
    assert wanted == 0 or wanted > eligible.sum() + 60  # the pool wants more than there are
    assert (picked == (eligible if per_slot else False)).all()


def test_recruits_bring_at_least_the_recruits_capability():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 1.0, "recruitment.capability_mean": 0.9,
                                                   "branch.capability_sd": 0.0})
    pop.capability[others[:40]] = np.linspace(0.5, 1.0, 40)
    old = pop.capability.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    assert admitted.size == 40
    np.testing.assert_allclose(pop.capability[admitted], np.maximum(old[admitted], 0.9))


def test_the_admission_is_logged_and_the_new_members_count_in_the_branch_that_month():
    model = VillageModel({"village.population": 600, "recruitment.quota": 1.0}, seed=1).run(1)
    month = model.last_month
    month.params["recruitment.admission_month"] = month.calendar
    pop = month.population
    ready = (pop.alive & ~pop.is_member()).nonzero()[0][:10]
    pop.activist_since[ready] = month.number - month.params["recruitment.probation_months"]
    members = month.branch.members.copy()
    recruitment.step(month)
    assert month.admitted.size >= 10
    assert month.events[-1] == Event(month.number, "members_admitted", value=month.admitted.size)
    assert month.branch.members.tolist() == [members[0] + month.admitted.size] == [pop.is_member().sum()]


# --- participation (ODD 7.7) ---------------------------------------------------------------------------------

def threshold_rule(adj, pop, params, own, living_neighbours, max_rounds):
    """The month's participants by the rule as the ODD writes it, on dense matrices, one synchronous round at a time."""
    w = params["participation.trust_weight"]
    member = pop.is_member()
    seeds = (member & ~pop.away & (pop.activity >= params["branch.active_threshold"])) | pop.participating
    active = pop.present & seeds
    dense = adj.toarray().astype(float)
    rounds = 0
    while True:
        share = dense @ active / np.maximum(living_neighbours, 1)
        joined = pop.present & ~active & ((1.0 - w) * share >= pop.threshold - own)
        rounds += 1
        if not joined.any():
            return active
        active = active | joined
        if max_rounds and rounds >= max_rounds:
            return active


@pytest.mark.parametrize("w, max_rounds, active_threshold", [(0.4, 0, 0.4), (0.4, 2, 0.4), (0.4, 0, 0.0),
                                                              (1.0, 0, 0.4)])
def test_take_part_seeds_the_leaders_and_habitual_runs_the_threshold_rule_at_home_and_the_online_follow_turnout(
        w, max_rounds, active_threshold):
    # Habit 1: every participant of last month seeds; some people have died (fewer living neighbours than ties).
    params, rng, _, adj, pop = village({"participation.trust_weight": w, "participation.habit": 1.0,
                                        "participation.max_rounds": max_rounds,
                                        "branch.active_threshold": active_threshold})
    pop.alive[::23] = False
    member = pop.is_member()
    pop.trust[:] = rng.random(pop.size)
    pop.activity[:] = np.where(member, rng.random(pop.size), 0.0)
    pop.threshold[:] = rng.uniform(0.3, 1.0, pop.size)
    pop.participating[:] = rng.random(pop.size) < 0.05
    at_home = (member & ~pop.away).nonzero()[0]
    leaders, keen = at_home[:5], at_home[5]
    pop.activity[leaders] = active_threshold  # active exactly at the threshold: leaders
    pop.threshold[leaders] = 2.0  # whom only seeding brings in
    pop.activity[keen], pop.trust[keen], pop.threshold[keen] = active_threshold / 2, 1.0, 0.9 * w  # own trust
    # One living neighbour, who seeds: a full share, which carries a threshold of three quarters of 1 - w.
    lone = next(i for i in (pop.present & ~member & ~pop.participating).nonzero()[0] if adj[i].nnz >= 2)
    friend, *others = adj[lone].indices
    pop.alive[others], pop.alive[friend], pop.away[friend], pop.participating[friend] = False, True, False, True
    pop.trust[lone], pop.threshold[lone] = 0.0, 0.75 * (1.0 - w)
    online = rng.random(pop.size) < 0.5
    living_neighbours = adj @ pop.alive.astype(float)
    own = w * np.where(member, np.maximum(pop.trust, pop.activity), pop.trust)
    even = (pop.present & ~member & ~pop.participating).nonzero()[0][-1]
    pop.threshold[even] = own[even]  # own trust exactly at the threshold: takes part
    home = threshold_rule(adj, pop, params, own, living_neighbours, max_rounds)
    far = pop.alive & pop.away & online
    turnout = home.sum() / pop.present.sum()
    pop.threshold[far.nonzero()[0][0]] = own[far][0] + (1.0 - w) * turnout  # exactly at the threshold too
    expected = home | (far & (own + (1.0 - w) * turnout >= pop.threshold))
    word_of_mouth = home & ~pop.participating & ~member & (own < pop.threshold)
    assert word_of_mouth.any() == (w < 1.0) and word_of_mouth[lone] == (w < 1.0)
    assert home[leaders].all() and home[keen] and home[even]
    assert (expected & far).any() and (far & ~expected).any()
    participation.take_part(pop, adj, params, rng, online, living_neighbours)
    assert (pop.participating == expected).all()


@pytest.mark.parametrize("at_home", [0, 1])
def test_those_online_from_away_follow_their_own_villages_turnout_and_none_where_nobody_is_at_home(at_home):
    params, rng, _, adj, pop = village({"region.villages": 2, "participation.trust_weight": 0.5,
                                        "participation.habit": 0.0, "branch.active_threshold": 1.0})
    second = pop.alive & (pop.village == 1)
    pop.away[second] = True
    pop.away[second.nonzero()[0][:at_home]] = False
    pop.trust[second], pop.threshold[second] = 1.0, 0.0  # the one at home takes part: turnout 1
    far = (second & pop.away).nonzero()[0]
    own = 0.5 * np.where(pop.is_member(), np.maximum(pop.trust, pop.activity), pop.trust)
    pop.threshold[far[::2]] = own[far[::2]]  # joins whatever the turnout
    pop.threshold[far[1::2]] = own[far[1::2]] + 0.25  # joins at a turnout of one half or more
    online = np.zeros(pop.size, bool)
    online[far] = True
    participation.take_part(pop, adj, params, rng, online, adj @ pop.alive.astype(float))
    assert pop.participating[far[::2]].all()
    assert (pop.participating[far[1::2]] == bool(at_home)).all()


def test_the_months_participation_counts_shares_over_the_living_neighbours(monkeypatch):
    model = VillageModel({"village.population": 300}, seed=1).run(1)
    month = model.last_month
    seen = {}
    monkeypatch.setattr(participation, "take_part", lambda *args: seen.setdefault("args", args))
    participation.step(month)
    assert seen["args"][-1] is month.living_neighbours  # not every tie: the dead do not take part


# --- recruitment (ODD 7.9) ----------------------------------------------------------------------------------

def recruiting_village(overrides=None):
    params, rng, _, _, pop = village({"recruitment.admission_month": 7, "recruitment.probation_months": 12,
                                      **(overrides or {})})
    others = (pop.alive & (pop.role != MEMBER)).nonzero()[0]
    pop.activist_since[others[:40]] = 100 - 12  # observed long enough by month 100
    pop.activist_since[others[40:60]] = 100 - 11  # not yet
    pop.trust[others[:60]] = np.linspace(0.2, 0.9, 60)
    return params, rng, pop, others


def test_no_admission_outside_the_admission_month():
    params, rng, pop, _ = recruiting_village()
    before = pop.role.copy()
    assert recruitment.admit(pop, params, rng, 100, 6, NONE, 1).size == 0
    assert (pop.role == before).all()


def test_admission_takes_the_most_trusted_activists_past_probation_within_the_quota():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 0.2})
    members = int(pop.is_member().sum())
    old_capability = pop.capability.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    slots = 0.2 * members
    assert np.floor(slots) <= admitted.size <= np.ceil(slots) < 40
    ready = others[:40]
    assert set(admitted) <= set(ready)
    assert pop.trust[admitted].min() > pop.trust[np.setdiff1d(ready, admitted)].max()
    assert (pop.role[admitted] == MEMBER).all() and (pop.member_since[admitted] == 100).all()
    np.testing.assert_allclose(pop.activity[admitted], 0.9 * attainable_activity(pop.age[admitted], params))
    assert (pop.capability[admitted] >= old_capability[admitted]).all()


def test_a_large_quota_admits_every_ready_activist_and_no_one_else():
    params, rng, pop, others = recruiting_village({"recruitment.quota": 1.0})
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    assert sorted(admitted) == sorted(others[:40])


def test_the_recruitment_path_multiplies_the_quota():
    sizes = []
    for intensity in (NONE, ALL):
        params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1,
                                                  "interventions.recruitment.quota_gain": 1.0})
        sizes.append(recruitment.admit(pop, params, rng, 100, 7, intensity, 1).size)
    members = int(village()[4].is_member().sum())
    assert abs(sizes[0] - 0.1 * members) < 1 and abs(sizes[1] - 0.2 * members) < 1


def test_the_activist_pool_is_topped_up_from_eligible_people_only():
    params, rng, pop, _ = recruiting_village({"recruitment.quota": 0.1, "recruitment.activists_per_slot": 30.0,
                                              "recruitment.min_trust": 0.6, "recruitment.max_age": 40})
    pop.participating[:] = True
    pop.trust[:] = np.where(np.arange(pop.size) % 2 == 0, 0.7, 0.3)
    before = pop.activist_since.copy()
    admitted = recruitment.admit(pop, params, rng, 100, 7, NONE, 1)
    picked = (before == NEVER) & (pop.activist_since == 100)
    slots = 0.1 * (int(pop.is_member().sum()) - admitted.size)
    activists = int(((before != NEVER) & pop.alive).sum()) - admitted.size
    wanted = int(np.ceil(30.0 * slots))
    assert picked.sum() == max(wanted - activists, 0) > 0
    assert (pop.trust[picked] >= 0.6).all() and (pop.age[picked] <= 40).all()
    assert (pop.present[picked]).all() and not (pop.role[picked] == MEMBER).any()


# --- the paths and their costs (ODD 7.1) -----------------------------------------------------------------

PLAN = {"interventions.standardization.intensity": 0.3, "interventions.standardization.start": 200,  # after the run
        "interventions.training.intensity": 0.0, "interventions.training.start": 5,  # off: no set-up either
        "interventions.venue.intensity": 1.0, "interventions.venue.start": 12,
        "interventions.digital.intensity": 0.5, "interventions.digital.start": 0,  # from the first month
        "interventions.recruitment.intensity": 0.2, "interventions.recruitment.start": 24}  # the run's last month


def test_a_plan_costs_each_path_its_set_up_and_its_intensity_times_the_months_it_runs():
    p = resolve(PLAN)
    venue = p["interventions.venue.setup_cost"] + 1.0 * p["interventions.venue.cost"] * 13  # months 12..24
    digital = p["interventions.digital.setup_cost"] + 0.5 * p["interventions.digital.cost"] * 24
    recruitment = p["interventions.recruitment.setup_cost"] + 0.2 * p["interventions.recruitment.cost"] * 1
    assert interventions.path_cost(p, "venue", 1.0, 12, 24) == pytest.approx(venue)
    assert interventions.path_cost(p, "venue", 1.0, 12, 24, set_up=True) == pytest.approx(
        venue - p["interventions.venue.setup_cost"])
    assert interventions.path_cost(p, "venue", 1.0, 25, 24) == interventions.path_cost(p, "training", 0.0, 5, 24) == 0
    assert interventions.plan_cost(p, 24) == pytest.approx(venue + digital + recruitment)
    assert interventions.plan_cost(p, 24, {"venue", "digital"}) == pytest.approx(
        venue + digital + recruitment - p["interventions.venue.setup_cost"] - p["interventions.digital.setup_cost"])


def test_the_model_spends_what_the_plan_costs_in_every_village_and_logs_each_path_at_its_start():
    model = VillageModel({"village.population": 200, "region.villages": 2, **PLAN}, seed=1)
    spent = []
    for months in (11, 12, 24):
        model.run(months - model.steps)
        spent.append(model.cost)
    p = model.params
    assert spent == pytest.approx([2 * interventions.plan_cost(p, months) for months in (11, 12, 24)])
    started = [(event.month, event.subject) for event in model.events if event.code == "intervention_started"]
    assert started == [(1, "digital"), (12, "venue"), (24, "recruitment")]


def test_events_logged_before_the_interventions_stay_in_the_months_log():
    def note(month):
        month.events.append(Event(month.number, "note"))

    extension = Extension("note", steps=(Step("note", note, before="interventions"),))
    model = VillageModel({"village.population": 200, **PLAN}, seed=1, extensions=[extension]).run(1)
    assert [(event.month, event.code) for event in model.events] == [(1, "note"), (1, "intervention_started")]


# --- organisational life and the branch (ODD 7.4) -------------------------------------------------------------

def test_assess_gives_effort_quality_strength_and_head_counts_by_their_formulas():
    params, rng, _, _, pop = village()
    pop.activity[:] = rng.random(pop.size)
    state = branch.Branch.start(1, params)
    branch.assess(pop, state, params)
    member = pop.is_member()
    working = member & ~pop.away
    effort = (pop.activity * pop.capability)[working].sum()
    np.testing.assert_allclose(state.effort, effort)
    np.testing.assert_allclose(state.quality, effort / pop.activity[working].sum())
    assert state.members[0] == member.sum()
    np.testing.assert_allclose(state.strength, effort / member.sum() * (0.5 + 0.5 * params["branch.regularity"]))
    assert state.active[0] == (working & (pop.activity >= params["branch.active_threshold"])).sum()


def test_a_branch_without_members_has_no_strength_or_quality():
    params, _, _, _, pop = village()
    pop.role[pop.role == MEMBER] = RESIDENT
    state = branch.Branch.start(1, params)
    branch.assess(pop, state, params)
    assert state.effort[0] == state.quality[0] == state.strength[0] == state.members[0] == state.active[0] == 0


@pytest.mark.parametrize("regularity, quorum, meeting", [(1.0, 0.0, 1.0), (0.0, 0.0, 0.0), (1.0, 1.0, 0.3)])
def test_a_meeting_renews_activity_trains_members_and_sets_capacity(regularity, quorum, meeting):
    params, rng, _, _, pop = village({"branch.regularity": regularity, "branch.quorum": quorum,
                                      "branch.formality_effect": 0.3, "interventions.training.capability_gain": 0.1})
    pop.activity[:] = 0.3
    member = pop.is_member()
    assert (member & pop.away).any()  # some away and offline: quorum 1 cannot be met
    state = branch.Branch.start(1, params)
    old_capability = pop.capability.copy()
    online = np.zeros(pop.size, bool)
    unregulated = {**ALL, "standardization": 0.0}  # which would make every meeting happen
    branch.hold_meetings(pop, state, params, rng, unregulated, online)
    assert state.meeting[0] == meeting
    np.testing.assert_allclose(state.regularity, 0.8 * regularity + 0.2 * meeting)
    attend = member & ~pop.away
    ceiling = attainable_activity(pop.age, params)
    renewed = 0.3 + params["branch.activity_renewal"] * meeting * attend * (ceiling - 0.3) \
        - params["branch.activity_decay"] * 0.3
    np.testing.assert_allclose(pop.activity[member], np.minimum(np.maximum(renewed, 0), ceiling)[member])
    np.testing.assert_allclose(pop.capability[member],
                               (old_capability + 0.1 * attend * (meeting > 0) * (1 - old_capability))[member])
    np.testing.assert_array_equal(pop.capability[~member], old_capability[~member])
    # The members' own capacity: the venue and the platform resolve their users' appeals themselves (7.5).
    assert state.effort[0] > 0
    np.testing.assert_allclose(state.capacity, params["branch.appeals_per_member"] * state.effort)


def test_a_branch_of_one_meets_in_full_a_quorum_met_exactly_counts_and_no_members_means_a_formality():
    # Three villages: 0 with all its members at home (a quorum of one met exactly), 1 with one member, 2 with none.
    params, rng, _, _, pop = village({"region.villages": 3, "branch.regularity": 1.0, "branch.quorum": 1.0,
                                      "branch.formality_effect": 0.3})
    member = pop.is_member()
    pop.away[member & (pop.village == 0)] = False
    lone = (member & (pop.village == 1)).nonzero()[0]
    pop.role[lone[1:]], pop.away[lone[0]] = RESIDENT, False
    pop.role[member & (pop.village == 2)] = RESIDENT
    pop.activity[lone[0]], pop.capability[lone[0]] = 0.5, 0.8
    state = branch.Branch.start(3, params)
    branch.hold_meetings(pop, state, params, rng, NONE, np.zeros(pop.size, bool))
    np.testing.assert_allclose(state.meeting, [1.0, 1.0, 0.3])
    assert state.members.tolist()[1:] == [1, 0]
    np.testing.assert_allclose(state.quality[1:], [0.8, 0.0])
    np.testing.assert_allclose(state.strength[1:], [pop.activity[lone[0]] * 0.8 * (0.5 + 0.5 * state.regularity[1]),
                                                    0.0])
    pop.activity[lone[0]] = params["branch.active_threshold"]  # active exactly at the threshold
    branch.assess(pop, state, params)
    assert state.active.tolist()[1:] == [1, 0]


def test_regularity_is_closed_towards_one_by_standardisation():
    params = resolve({"branch.regularity": 0.4, "interventions.standardization.regularity_gain": 0.5})
    assert branch.regularity(params, NONE) == 0.4
    assert branch.regularity(params, ALL) == pytest.approx(0.7)


# --- demography (ODD 7.2) ---------------------------------------------------------------------------------

def test_monthly_chances_compound_to_the_annual_and_mortality_is_gompertz_from_age_60_up_to_one():
    annual = np.array([0.0, 0.04, 0.5, 1.0])
    np.testing.assert_allclose(1 - (1 - demography.monthly(annual)) ** 12, annual)
    np.testing.assert_allclose(demography.monthly(0.5), 1 - 0.5 ** (1 / 12))
    params = resolve({"demography.mortality_60": 0.01, "demography.mortality_slope": 0.1})
    age = np.array([40.0, 60.0, 70.0, 120.0])
    np.testing.assert_allclose(demography.monthly_mortality(age, params),
                               demography.monthly(np.minimum(0.01 * np.exp(0.1 * (age - 60.0)), 1.0)))
    assert demography.monthly_mortality(np.array([120.0]), params)[0] == 1.0


@pytest.mark.parametrize("renewal", [0.0, 1.0])
def test_at_a_mortality_of_one_everyone_alive_past_60_dies_and_the_reborn_start_afresh(renewal):
    # At a Gompertz level of one at 60 (slope 0.5) the 60+ die for sure and 18-year-olds almost never (1e-9).
    params, rng, _, _, pop = village({"demography.mortality_60": 1.0, "demography.mortality_slope": 0.5,
                                      "demography.renewal": renewal, "branch.capability_mean": 0.6,
                                      "branch.capability_sd": 0.1, "village.digital_young": 1.0})
    pop.age[pop.age < 60] = 18.0
    old = (pop.age >= 60).nonzero()[0]
    pop.alive[old[:5]] = False  # already dead: they stay out of this month's deaths
    pop.activity[:], pop.activist_since[:], pop.member_since[:] = 0.5, 3, 3
    alive, age = pop.alive.copy(), pop.age.copy()
    changes = demography.turn_over(pop, params, rng)
    died = np.sort(np.r_[changes.died, changes.reborn])
    np.testing.assert_array_equal(died, old[5:])
    np.testing.assert_allclose(pop.age[~alive], age[~alive])
    survivors = alive & (age < 60)
    np.testing.assert_allclose(pop.age[survivors], age[survivors] + 1 / 12)
    reborn = changes.reborn
    assert reborn.size == (old.size - 5 if renewal else 0) and pop.alive.sum() == survivors.sum() + reborn.size
    assert (pop.age[reborn] == 18.0).all() and (pop.role[reborn] == demography.YOUTH).all()
    assert (pop.activity[reborn] == 0).all() and (pop.activist_since[reborn] == NEVER).all()
    assert (pop.member_since[reborn] == NEVER).all() and pop.digital[reborn].all()
    if renewal:
        for fresh in (pop.trust, pop.threshold, pop.capability):  # each draws their own
            assert np.isfinite(fresh[reborn]).all() and np.unique(fresh[reborn]).size > 1
        assert 0.55 < pop.capability[reborn].mean() < 0.65  # 0.6, standard error 0.005


def test_everyone_60_plus_loses_digital_access_at_a_loss_of_one_and_youth_ends_past_its_age_limit():
    params, rng, _, _, pop = village({"demography.mortality_60": 0.0, "demography.digital_loss": 1.0,
                                      "demography.youth_max_age": 40})
    people = pop.alive.nonzero()[0]
    pop.digital[people] = True
    pop.age[people[:10]] = 60.0 - 1 / 12  # 60 exactly after this month's ageing
    pop.age[people[10:20]] = 59.5
    pop.role[people[20:40]] = demography.YOUTH
    pop.age[people[20:30]] = 40.0 - 1 / 12  # 40 exactly: still youth
    pop.age[people[30:40]] = 40.0
    demography.turn_over(pop, params, rng)
    assert (pop.digital[people] == (pop.age[people] < 60.0)).all() and not pop.digital[people[:10]].any()
    assert (pop.role[people[20:30]] == demography.YOUTH).all() and (pop.role[people[30:40]] == RESIDENT).all()


def test_the_living_neighbours_and_villagers_follow_the_deaths():
    model = VillageModel({"village.population": 300}, seed=1).run(1)
    month = model.last_month
    month.params["demography.mortality_60"] = 1.0  # the month's deaths: everyone 60+
    demography.step(month)
    pop = month.population
    assert month.changes.died.size + month.changes.reborn.size > 0
    np.testing.assert_allclose(month.living_neighbours, month.adjacency @ pop.alive.astype(float))
    assert month.villagers.tolist() == [pop.alive.sum()]


# --- migration (ODD 7.3) -----------------------------------------------------------------------------------

def migrating_village(overrides=None):
    params, rng, _, _, pop = village({"migration.festival_month": 1, "migration.festival_length": 2,
                                      "migration.return_hazard": 0.0, "migration.leave_hazard": 0.0,
                                      **(overrides or {})})
    return params, rng, pop


def test_the_festival_brings_migrants_home_and_they_leave_again_when_it_ends():
    params, rng, pop = migrating_village({"migration.festival_return": 1.0})
    workers = pop.alive & pop.works_away
    assert workers.any() and (pop.away[workers]).all()
    migration.move(pop, params, rng, 1, np.zeros(1))
    assert not pop.away[workers].any() and (pop.works_away == workers).all()
    migration.move(pop, params, rng, 2, np.zeros(1))
    assert not pop.away[workers].any()
    migration.move(pop, params, rng, 3, np.zeros(1))
    assert pop.away[workers].all()


def test_everyone_away_returns_for_good_at_a_hazard_of_one():
    params, rng, pop = migrating_village({"migration.return_hazard": 1.0})
    workers = pop.alive & pop.works_away
    migration.move(pop, params, rng, 6, np.zeros(1))
    assert not pop.works_away[workers].any() and not pop.away[workers].any()


def test_young_people_leave_at_a_hazard_of_one_but_members_need_their_factor():
    params, rng, pop = migrating_village({"migration.leave_hazard": 1.0, "migration.member_leave_factor": 0.0})
    pop.age[(pop.alive & ~pop.works_away).nonzero()[0][:5]] = params["demography.youth_max_age"]  # still young
    young = pop.alive & ~pop.works_away & (pop.age <= params["demography.youth_max_age"])
    members = young & (pop.role == MEMBER)
    migration.move(pop, params, rng, 6, np.zeros(1))
    assert (pop.works_away[young & ~members]).all() and (pop.away[young & ~members]).all()
    assert not pop.works_away[members].any()
    assert not pop.works_away[pop.alive & (pop.age > params["demography.youth_max_age"]) & ~pop.away].any()


@pytest.mark.parametrize("length", [1, 2])
def test_who_decides_to_leave_during_the_festival_goes_when_it_ends(length):
    params, rng, pop = migrating_village({"migration.leave_hazard": 1.0, "migration.festival_length": length})
    young = pop.alive & ~pop.works_away & (pop.age <= params["demography.youth_max_age"]) & (pop.role != MEMBER)
    migration.move(pop, params, rng, length, np.zeros(1))  # the festival's last month
    assert pop.works_away[young].all() and not pop.away[young].any()
    migration.move(pop, params, rng, length + 1, np.zeros(1))
    assert pop.away[young].all()


@pytest.mark.parametrize("start, length", [(1, 0), (1, 1), (12, 2), (3, 11), (5, 12)])
def test_those_working_away_are_home_for_the_festivals_months_of_each_year(start, length):
    params, rng, pop = migrating_village({"migration.festival_month": start, "migration.festival_length": length,
                                          "migration.festival_return": 1.0})
    workers = pop.alive & pop.works_away
    assert workers.any() and pop.away[workers].all()
    for t in range(25):  # two years from the festival's first month, across the new year
        migration.move(pop, params, rng, (start - 1 + t) % 12 + 1, np.zeros(1))
        assert (pop.away[workers] == (t % 12 >= length)).all(), t


def test_full_opportunity_cuts_leaving_and_raises_returns_by_their_effects():
    params = resolve({"migration.leave_hazard": 0.1, "migration.opportunity_effect": 0.5,
                      "migration.member_leave_factor": 2.0, "migration.return_hazard": 0.1,
                      "migration.return_effect": 3.0})
    np.testing.assert_allclose(migration.leave_hazard(params, np.array([0.0, 1.0])), [[0.1, 0.2], [0.05, 0.1]])
    np.testing.assert_allclose(migration.return_hazard(params, np.array([0.0, 1.0])), [0.1, 0.4])
    assert migration.in_festival(2, 1, 2) and not migration.in_festival(3, 1, 2) and migration.in_festival(1, 12, 2)


# --- shocks (ODD 7.6) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("caught", [False, True])
def test_every_household_struck_either_relapses_or_is_helped(caught):
    params, rng, layout, _, pop = village({"shocks.rate": 1.0, "shocks.relapse_prob": 1.0,
                                           "shocks.monitoring": 1.0, "shocks.relapse_loss": 0.1,
                                           "shocks.caught_gain": 0.05})
    household_village = np.zeros(int(layout.household.max()) + 1, np.intp)
    pop.trust[:] = 0.5
    pop.alive[pop.household == pop.household[0]] = False  # a household of the dead: nobody to strike
    pop.alive[1::11] = False
    strength = np.array([1.0 if caught else 0.0])
    relapses = shocks.strike(pop, params, rng, NONE, strength, household_village, np.zeros(pop.size, bool))
    homes = np.unique(pop.household[pop.alive])
    assert relapses.tolist() == [0 if caught else homes.size]
    np.testing.assert_allclose(pop.trust[pop.alive], 0.55 if caught else 0.4)
    np.testing.assert_allclose(pop.trust[~pop.alive], 0.5)


def test_the_platform_catches_every_shock_of_a_household_with_a_living_member_online():
    params, rng, layout, _, pop = village({"shocks.rate": 1.0, "shocks.relapse_prob": 1.0, "shocks.monitoring": 0.0,
                                           "interventions.digital.monitoring_gain": 1.0, "shocks.relapse_loss": 0.1,
                                           "shocks.caught_gain": 0.05})
    household_village = np.zeros(int(layout.household.max()) + 1, np.intp)
    pop.trust[:] = 0.5
    pop.alive[(pop.digital & (np.arange(pop.size) % 4 == 0)).nonzero()[0]] = False  # some online members died
    online = np.isin(pop.household, pop.household[pop.alive & pop.digital])
    assert (pop.alive & online).any() and (pop.alive & ~online).any()
    relapses = shocks.strike(pop, params, rng, {**NONE, "digital": 1.0}, np.zeros(1), household_village, pop.digital)
    assert relapses.tolist() == [np.unique(pop.household[pop.alive & ~online]).size]
    np.testing.assert_allclose(pop.trust[pop.alive], np.where(online, 0.55, 0.4)[pop.alive])


def test_the_chance_to_catch_a_shock_adds_its_sources_up_to_one():
    params = resolve({"shocks.monitoring": 0.3, "interventions.standardization.monitoring_gain": 0.2,
                      "interventions.digital.monitoring_gain": 0.4})
    strength, online = np.array([0.5, 0.5, 1.0]), np.array([False, True, True])
    np.testing.assert_allclose(shocks.catch_chance(params, NONE, strength, online), [0.15, 0.15, 0.3])
    np.testing.assert_allclose(shocks.catch_chance(params, ALL, strength, online), [0.35, 0.75, 0.9])
    params = resolve({"shocks.monitoring": 1.0, "interventions.digital.monitoring_gain": 1.0}, base=params)
    assert shocks.catch_chance(params, ALL, strength, online).max() == 1.0


# --- service (ODD 7.5) --------------------------------------------------------------------------------------

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


def channel_village():
    params, rng, _, _, pop = village({"appeals.rate": 1.0, "appeals.resolved_gain": 0.1,
                                      "appeals.neglected_loss": 0.05, "appeals.brought": 0.0})
    pop.trust[:] = 0.5
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


def test_take_in_gives_everyone_a_place_where_there_is_exactly_room_ranks_where_places_bind_and_none_where_gone():
    # Village 0: 3 want, 3 places; village 1: 5 want, 2 places; village 2: 2 want, none left.
    group = np.array([0, 0, 0, 1, 1, 1, 1, 1, 2, 2])
    who = np.arange(group.size) + 100
    first = np.zeros(200)
    first[who[[4, 7]]] = 1.0  # two members in village 1: taken in first
    order = np.linspace(0.9, 0.0, 200)  # then by this draw, highest first
    taken = uptake.take_in(who, group, np.bincount(group), np.array([3, 2, 0]), first, order)
    assert taken.tolist() == [True, True, True, False, True, False, False, True, False, False]
