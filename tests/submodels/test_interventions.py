"""The paths (ODD 7.1): what each costs, when it starts, and that each moves the mechanism it acts on.

Most checks are exact: settings where the ODD's formula gives one answer (parameters at 0 or 1 where chance would
blur the rule), fast and deterministic so that mutation testing (docs/testing.md) can run them for every mutant.
Those with chance left in them count over many draws (large villages or many seeds).
"""

import numpy as np
import pytest

from villagesim import VillageModel
from villagesim.events import Event
from villagesim.extensions import Extension, Step
from villagesim.params import resolve
from villagesim.population import MEMBER
from villagesim.stats import mean_ci
from villagesim.submodels import interventions, service
from villagesim.submodels.interventions import intensities

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


SEEDS = range(12)


MONTHS = 36


def mechanism(name, params, seed):
    """Run and return the quantity the path should act on."""
    model = VillageModel({"village.population": 800, **params}, seed=seed)
    pop = model.population
    meetings, away_participating = [], []
    for _ in range(MONTHS):
        model.step()
        meetings.append(model.branch.meeting.mean())
        away_participating.append((pop.participating & pop.away).sum() / max(pop.away.sum(), 1))
    frame = model.timeseries()
    member = pop.alive & (pop.role == MEMBER)
    return {
        "standardization": np.mean(meetings),
        "training": pop.capability[member].mean(),
        "venue": frame["appeals_resolved_rate"].iloc[1:].mean(),
        "digital": np.mean(away_participating),
        "recruitment": frame["members"].iloc[-1],
    }[name]


@pytest.mark.statistical
@pytest.mark.parametrize("name", ["standardization", "training", "venue", "digital", "recruitment"])
def test_path_moves_its_mechanism_up(name):
    diffs = [mechanism(name, {f"interventions.{name}.intensity": 1.0}, s) - mechanism(name, {}, s) for s in SEEDS]
    mean, low, high = mean_ci(diffs, level=0.99)
    assert low > 0, (name, mean, low, high)


@pytest.mark.statistical
def test_standardization_prevents_relapse():
    def relapses(params, seed):
        return VillageModel({"shocks.rate": 0.03, **params}, seed=seed).run(MONTHS).final()["relapse_count"]

    diffs = [relapses({"interventions.standardization.intensity": 1.0}, s) - relapses({}, s) for s in SEEDS]
    assert mean_ci(diffs, level=0.99)[2] < 0


@pytest.mark.statistical
def test_digital_platform_takes_time_from_visits():
    def visits(params, seed):
        model = VillageModel(params, seed=seed)
        return (service.visits(model.population, model.adjacency, model.params, model.rng,
                               intensities(model.params, 1)) > 0).sum()

    diffs = [visits({"interventions.digital.intensity": 1.0}, s) - visits({}, s) for s in SEEDS]
    assert mean_ci(diffs, level=0.99)[2] < 0


@pytest.mark.statistical
def test_a_path_does_nothing_before_its_start():
    early = VillageModel({"interventions.training.intensity": 1.0, "interventions.training.start": 100}, seed=3)
    plain = VillageModel(seed=3)
    early.run(24)
    plain.run(24)
    assert early.timeseries().equals(plain.timeseries())

