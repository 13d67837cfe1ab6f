"""Each submodel on its own: does it do what the ODD says it does?"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from villagesim.submodels import branch, demography, migration, service
from villagesim.params import resolve
from villagesim.submodels.interventions import intensities
from villagesim.network import generate_layout, generate_ties
from villagesim.population import MEMBER, YOUTH, generate
from villagesim.submodels.uptake import hear

NONE = intensities(resolve(), 0)


def village(overrides=None, seed=0):
    params = resolve(overrides or {})
    rng = np.random.default_rng(seed)
    layout = generate_layout(params, rng)
    return params, rng, layout, generate_ties(layout, params, rng), generate(layout, params, rng)


def binomial_ok(successes, trials, p, level=0.999):
    """Two-sided exact binomial test does not reject p at 1 - level."""
    return stats.binomtest(int(successes), int(trials), p).pvalue > 1 - level


def test_mortality_matches_its_hazard():
    params, rng, _, _, pop = village({"village.population": 50_000})
    pop.age[:] = 80.0
    expected = demography.monthly_mortality(np.array([80.0 + 1 / 12]), params)[0]
    params = resolve({"demography.renewal": 0.0}, base=params)
    changes = demography.turn_over(pop, params, rng)
    assert binomial_ok(changes.died.size, pop.size, expected)
    assert (~pop.alive).sum() == changes.died.size


def test_renewal_replaces_the_dead_with_young_people_of_the_same_household():
    params, rng, _, _, pop = village({"village.population": 20_000, "demography.renewal": 0.5})
    pop.age[:] = 95.0
    household = pop.household.copy()
    changes = demography.turn_over(pop, params, rng)
    died = changes.died.size + changes.reborn.size
    assert binomial_ok(changes.reborn.size, died, 0.5)
    assert (pop.age[changes.reborn] == 18.0).all() and (pop.role[changes.reborn] == YOUTH).all()
    assert (pop.household == household).all()


def test_youth_past_the_age_limit_become_residents():
    params, rng, _, _, pop = village()
    pop.age[:] = np.where(pop.role == YOUTH, 40.99, pop.age)
    changes = demography.turn_over(pop, resolve({"demography.mortality_60": 0.0}), rng)
    assert changes.aged_out.size > 0
    assert not ((pop.role == YOUTH) & (pop.age > 40)).any()


def test_leave_hazard_gives_its_expected_share():
    params, rng, _, _, pop = village({"village.population": 40_000, "migration.initial_away_youth": 0.0,
                                      "migration.initial_away_middle": 0.0, "migration.return_hazard": 0.0,
                                      "village.opportunity": 0.5})
    young = pop.alive & (pop.age <= 40) & (pop.role != MEMBER)
    migration.move(pop, params, rng, calendar_month=6, opportunity=np.array([0.5]))
    expected = params["migration.leave_hazard"] * (1 - params["migration.opportunity_effect"] * 0.5)
    assert binomial_ok((pop.away & young).sum(), young.sum(), expected)
    assert not (pop.away & ~young & (pop.role != MEMBER)).any()


def test_spring_festival_brings_people_home_and_they_leave_after():
    params, rng, _, _, pop = village({"village.population": 20_000, "migration.leave_hazard": 0.0,
                                      "migration.return_hazard": 0.0})
    opportunity = np.array([0.0])
    migrants = pop.works_away.copy()
    migration.move(pop, params, rng, 1, opportunity)  # January: festival starts
    assert binomial_ok((migrants & ~pop.away).sum(), migrants.sum(), params["migration.festival_return"])
    home_in_january = migrants & ~pop.away
    migration.move(pop, params, rng, 2, opportunity)  # still festival
    assert (home_in_january == (migrants & ~pop.away)).all()
    migration.move(pop, params, rng, 3, opportunity)  # festival over
    assert (pop.away[migrants]).all()


def test_opportunity_lowers_leaving_and_raises_returns():
    params = resolve()
    low, high = np.array([0.0]), np.array([1.0])
    assert (migration.leave_hazard(params, high) < migration.leave_hazard(params, low)).all()
    assert (migration.return_hazard(params, high) > migration.return_hazard(params, low)).all()
    member_factor = params["migration.member_leave_factor"]
    assert migration.leave_hazard(params, low)[0, 1] == params["migration.leave_hazard"] * member_factor


def test_meeting_without_quorum_is_a_formality():
    params, rng, _, _, pop = village({"branch.regularity": 1.0, "branch.quorum": 0.5})
    state = branch.Branch.start(1, params)
    nobody_online = np.zeros(pop.size, bool)
    pop.away[pop.role == MEMBER] = True
    branch.hold_meetings(pop, state, params, rng, NONE, nobody_online)
    assert state.meeting[0] == pytest.approx(params["branch.formality_effect"])
    pop.away[:] = False
    branch.hold_meetings(pop, state, params, rng, NONE, nobody_online)
    assert state.meeting[0] == 1.0


def test_ageing_caps_member_activity():
    params, rng, _, _, pop = village()
    state = branch.Branch.start(1, params)
    pop.age[pop.role == MEMBER] = 90.0
    for _ in range(24):
        branch.hold_meetings(pop, state, params, rng, NONE, np.zeros(pop.size, bool))
    ceiling = 1 - params["branch.decline_rate"] * (90 - params["branch.decline_age"])
    assert pop.activity[pop.role == MEMBER].max() <= ceiling + 1e-12


def test_appeals_resolved_never_exceed_capacity():
    params, rng, _, _, pop = village({"appeals.rate": 1.0})
    heard = np.ones(pop.size, bool)
    result = service.appeals(pop, params, rng, heard, np.zeros(pop.size, bool), np.array([50.0]), np.array([1.0]))
    assert result.raised[0] == pop.present.sum()
    assert binomial_ok(result.resolved[0], result.raised[0], 50.0 / result.raised[0])


def test_visits_reach_only_neighbours_at_home():
    params, rng, _, adj, pop = village()
    gain = service.visits(pop, adj, params, rng, NONE)
    assert (gain[pop.away] == 0).all()
    members = pop.is_member() & ~pop.away
    reachable = (adj @ members.astype(float)) > 0
    assert (gain[~reachable] == 0).all()
    assert gain.sum() > 0


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
    params = {"project.news_prob": 0.1, "project.news_prob_enrolled": 0.3, "project.outreach": 0.05}
    heard = hear(adj, aware, enrolled, params, np.random.default_rng(5).random(aware.size))
    expected = 1 - (1 - 0.3) * (1 - 0.1) ** 2 * (1 - 0.05)
    assert not heard[tellers].any()
    assert binomial_ok(heard.sum(), n_listen, expected)


def test_generated_network_is_clustered_in_hamlets():
    params, _, layout, adj, _ = village()
    coo = adj.tocoo()
    same_hamlet = layout.hamlet[coo.row] == layout.hamlet[coo.col]
    assert same_hamlet.mean() > 0.9  # a few bridges only
    assert (adj != adj.T).nnz == 0 and adj.diagonal().sum() == 0
    degree = np.diff(adj.indptr)
    assert 5 < degree.mean() < 15


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
