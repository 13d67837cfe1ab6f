"""Mesa's own tools on the model: the constructor's keywords, batch_run, the DataCollector, the network space,
and the agents' verbs, each against the vectorised rules they must agree with."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario

from villagesim import InputError, VillageModel
from villagesim.agents import AGENT_REPORTERS, Member, Youth
from villagesim.metrics import COLUMNS, METRICS
from villagesim.sweep import load_spec, run_sweep

DIGITAL = "interventions.digital.intensity"


def test_batch_run_as_a_mesa_user_writes_it():
    results = mesa.batch_run(VillageModel, parameters={DIGITAL: [0.0, 1.0]}, rng=[1, 2, 3], max_steps=24,
                             display_progress=False)
    assert len(results) == 6 and {r["Step"] for r in results} == {24}
    for row in results:
        alone = VillageModel(seed=row["seed"], **{DIGITAL: row[DIGITAL]}).run(24).final()
        assert {m: row[m] for m in METRICS} == alone
    digital = {(r["seed"], r[DIGITAL]): r["trust_mean"] for r in results}
    assert digital[(1, 0.0)] != digital[(1, 1.0)]


def test_batch_run_gives_the_numbers_of_villagesim_sweep(tmp_path):
    """A sweep run's seed (``runs.seed``, :func:`villagesim.seeds.run_seed`) given to batch_run as ``rng``,
    with the point's parameters and the preset as ``scenario``, reproduces that run."""
    (tmp_path / "spec.toml").write_text("""
months = 12
replicates = 2
seed = 5
[set]
"village.population" = 250
[factors]
scenario = ["default", "hollowed"]
"interventions.digital.intensity" = [0.0, 1.0]
""", encoding="utf-8")
    run_sweep(load_spec(tmp_path / "spec.toml"), tmp_path / "out")
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    results = mesa.batch_run(VillageModel, parameters={"scenario": ["default", "hollowed"], DIGITAL: [0.0, 1.0],
                                                       "village.population": 250},
                             rng=runs["seed"].tolist(), max_steps=12, display_progress=False)
    batch = {(r["scenario"], r[DIGITAL], r["seed"]): r for r in results}
    assert len(runs) == 8
    for run in runs.to_dict("records"):
        row = batch[(run["scenario"], run[DIGITAL], run["seed"])]
        assert {m: row[m] for m in METRICS} == {m: run[m] for m in METRICS}


def counted_from_the_people(pop) -> dict[str, float]:
    """A few of the metrics recomputed straight from the population's arrays, not from the month's tallies."""
    alive = pop.alive
    members = alive & pop.is_member()
    return {"population": alive.sum(), "members": members.sum(), "trust_mean": pop.trust[alive].mean(),
            "members_mean_age": pop.age[members].mean()}


def test_datacollector_holds_the_time_series():
    model = VillageModel({"village.population": 300, DIGITAL: 1.0}, seed=4)
    observed = [counted_from_the_people(model.population)]
    for _ in range(15):
        model.step()
        observed.append(counted_from_the_people(model.population))
    collected = model.datacollector.get_model_vars_dataframe()
    frame = model.timeseries()
    assert list(collected.columns) == list(METRICS) == list(COLUMNS[1:])
    # Both hold, month by month, what the people's own arrays say.
    observed = pd.DataFrame(observed)
    pd.testing.assert_frame_equal(collected[observed.columns], observed, check_dtype=False)
    pd.testing.assert_frame_equal(frame[observed.columns], observed, check_dtype=False)
    assert frame["step"].tolist() == list(range(16))
    # The reporters compute from the month's tallies, the same as each village's rows summed up.
    villages = VillageModel({"region.villages": 3, "village.population": 200}, seed=2).run(4)
    per_village = villages.village_timeseries().groupby("step")["population"].sum()
    assert per_village.tolist() == villages.datacollector.model_vars["population"]
    assert model.datacollector.agent_reporters == {}
    # A reporter a user adds is collected alongside, by Mesa.
    model.datacollector._new_model_reporter("members_home", lambda m: int((m.population.is_member() & ~m.population.away).sum()))
    model.datacollector.model_vars["members_home"] = [None] * len(frame)
    model.step()
    extended = model.datacollector.get_model_vars_dataframe()
    assert extended["members_home"].iloc[-1] == (model.population.is_member() & ~model.population.away).sum()
    assert len(model.timeseries()) == 17 and model.timeseries()["step"].iloc[-1] == 16


def test_agent_reporters_on_request():
    model = VillageModel({"village.population": 120}, seed=1, agent_reporters=True).run(2)
    agents = model.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == list(AGENT_REPORTERS)
    last = agents.xs(2.0, level="Step")
    assert len(last) == model.population.alive.sum()
    one = model.person(int(np.flatnonzero(model.population.alive)[0]))
    assert last.loc[one.unique_id, "trust"] == one.trust and last.loc[one.unique_id, "role"] == one.role
    custom = VillageModel({"village.population": 120}, seed=1, agent_reporters={"old": lambda a: a.age > 60})
    assert list(custom.datacollector.get_agent_vars_dataframe().columns) == ["old"]


def test_constructor_keywords():
    base = VillageModel.from_scenario("hollowed", seed=9, overrides={DIGITAL: 0.5}).run(6).timeseries()
    same = VillageModel(scenario="hollowed", rng=9, **{DIGITAL: 0.5}).run(6).timeseries()
    pd.testing.assert_frame_equal(base, same)
    assert VillageModel(scenario="hollowed", rng=9).preset == "hollowed"
    # Dotted keywords come last; a Mesa Scenario gives its rng and its dotted entries.
    assert VillageModel({"village.population": 100}, **{"village.population": 120}).population.size == 120
    mesa_scenario = VillageModel(scenario=Scenario(rng=9, **{"village.population": 110}))
    assert mesa_scenario.seed == 9 and mesa_scenario.population.size == 110 and mesa_scenario.scenario.rng == 9
    drawn = VillageModel({"village.population": 50}, rng=np.random.default_rng(3))
    assert drawn.seed == VillageModel({"village.population": 50}, rng=np.random.default_rng(3)).seed


@pytest.mark.parametrize("kwargs, message", [
    ({"seed": 1, "rng": 1}, "seed and rng: give one or the other"),
    ({"rng": "abc"}, "rng: must be a non-negative integer"),
    ({"seed": -1}, "seed: must be a non-negative integer"),
    ({"village.populaton": 10}, "village.populaton: unknown parameter; did you mean village.population"),
    ({"interventions.digital.intensity": 2.0}, "interventions.digital.intensity: must be a number in [0, 1]"),
    ({"scenario": "atlantis"}, "scenario 'atlantis': no such preset or file"),
])
def test_constructor_refuses_bad_keywords_in_one_line(kwargs, message):
    with pytest.raises(InputError) as caught:
        VillageModel(**kwargs)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_running_stops_at_time_months():
    model = VillageModel({"village.population": 80, "time.months": 5}, seed=1)
    model.run_model()
    assert model.steps == 5 and not model.running and len(model.timeseries()) == 6


def test_grid_is_mesa_network_of_the_ties_with_the_living_placed():
    model = VillageModel({"village.population": 300}, seed=6)
    grid = model.grid
    assert isinstance(grid, mesa.space.NetworkGrid)
    assert grid.G.number_of_nodes() == model.population.size
    assert grid.G.number_of_edges() * 2 == model.adjacency.nnz
    model.run(36)
    placed = list(model.grid.agents)
    assert sorted(a.index for a in placed) == np.flatnonzero(model.population.alive).tolist()
    person = placed[0]
    assert model.grid.G.nodes[person.pos]["agent"] == [person]
    assert {a.index for a in model.grid.get_neighbors(person.pos)} == {n.index for n in person.neighbors}


# --- the agents' verbs -----------------------------------------------------------------------------------


def test_visit_gives_the_outreach_rule_gain_to_the_household_at_home():
    model = VillageModel({"village.population": 400}, seed=3)
    pop, p = model.population, model.params
    member = next(m for m in model.members() if not m.away)
    household = next(h for h in np.unique(pop.household)
                     if (pop.household == h).sum() > 1 and pop.away[pop.household == h].any()
                     and not pop.away[pop.household == h].all())
    people = np.flatnonzero(pop.household == household)
    pop.trust[people] = 0.2
    gained = member.visit(int(household))
    home = people[~pop.away[people]]
    expected = p["outreach.visit_trust_gain"] * member.capability
    assert pop.trust[home] == pytest.approx(0.2 + expected)
    assert (pop.trust[people[pop.away[people]]] == 0.2).all()
    assert gained == pytest.approx(expected * home.size)
    assert model.last_month.heard[home].all() and not model.last_month.heard[people[pop.away[people]]].any()
    away = next(m for m in model.members() if m.away)
    with pytest.raises(ValueError, match="is away"):
        away.visit(member)


def test_attend_renews_activity_and_trains_as_the_branch_rule_gives():
    model = VillageModel({"village.population": 600, "interventions.training.intensity": 1.0}, seed=8)
    pop, p, branch = model.population, model.params, model.branch
    while not (branch.meeting > 0).any():  # a month whose organisational life was held
        model.step()
    member = next(m for m in model.members() if not m.away and branch.meeting[m.village] > 0)
    pop.activity[member.index] = 0.1
    before_capability = member.capability
    ceiling = min(1.0, max(0.0, 1.0 - p["branch.decline_rate"] * max(member.age - p["branch.decline_age"], 0.0)))
    member.attend()
    renewal = p["branch.activity_renewal"] * branch.meeting[member.village]
    assert member.activity == pytest.approx(min(0.1 + renewal * (ceiling - 0.1), ceiling))
    gain = p["interventions.training.capability_gain"]
    assert member.capability == pytest.approx(before_capability + gain * (1 - before_capability))


def test_leave_and_come_home_follow_migration_and_the_festival():
    festival = {"migration.festival_month": 2, "migration.festival_length": 1, "time.start_month": 1}
    model = VillageModel({"village.population": 300, **festival}, seed=5).run(2)  # month 2: the festival
    youths = [a for a in model.agents_by_type[Youth] if not a.works_away]
    youths[0].leave()
    assert youths[0].works_away and not youths[0].away  # goes when the festival ends
    model.run(1)
    assert youths[0].away
    youths[1].leave()
    assert youths[1].away and youths[1].location == "away"
    youths[1].come_home()
    assert not youths[1].works_away and youths[1].location == "home"
    with pytest.raises(ValueError, match="does not work away"):
        youths[1].come_home()


def test_raise_appeal_is_heard_resolved_and_moves_trust_as_the_service_rule_gives():
    # Nobody brings an appeal in person here, so an unheard one never reaches the branch.
    model = VillageModel({"village.population": 500, "appeals.brought": 0.0}, seed=2).run(2)
    pop, p, month = model.population, model.params, model.last_month
    heard = np.flatnonzero(month.heard & pop.alive & ~pop.away)
    unheard = np.flatnonzero(~month.heard & pop.alive & ~pop.away)
    raised = month.appeals.raised.sum()
    # Unheard: never resolved, trust falls by appeals.neglected_loss.
    person = model.person(unheard[0])
    pop.trust[person.index] = 0.5
    assert person.raise_appeal() is False
    assert person.trust == pytest.approx(0.5 - p["appeals.neglected_loss"])
    assert month.appeals.raised.sum() == raised + 1
    # Heard with capacity to spare: resolved, trust rises with the branch's quality.
    model.branch.capacity[:] = month.appeals.resolved + 10
    person = model.person(heard[0])
    pop.trust[person.index] = 0.5
    assert person.raise_appeal() is True
    quality = model.branch.quality[person.village]
    assert person.trust == pytest.approx(0.5 + p["appeals.resolved_gain"] * (0.5 + 0.5 * quality))
    # No capacity left: not resolved.
    model.branch.capacity[:] = month.appeals.resolved
    assert model.person(heard[1]).raise_appeal() is False


def test_a_story_scripted_agent_by_agent_runs_between_months():
    model = VillageModel({"village.population": 300}, seed=11).run(1)
    member = next(m for m in model.members() if not m.away)
    neighbour = next(n for n in member.neighbors if not n.away)
    member.visit(neighbour)
    assert model.last_month.heard[neighbour.index]
    neighbour.raise_appeal()
    model.run(2)
    assert model.steps == 3 and isinstance(model.person(member.index), Member)
