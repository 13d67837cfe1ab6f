"""One test per Mesa internal that villagesim.mesa_adapter relies on, each against plain Mesa.

If Mesa renames or changes one of them, the test named after it fails here, before any model test."""

import mesa
import pytest

from villagesim import mesa_adapter


class Old(mesa.Agent):
    pass


class New(mesa.Agent):
    pass


@pytest.fixture
def model():
    model = mesa.Model(rng=3)
    for _ in range(3):
        Old(model)
    return model


def test_agents_by_type_is_the_dict_behind_agents_by_type(model):
    assert model._agents_by_type is model.agents_by_type
    assert set(model._agents_by_type) == {Old}


def test_hard_key_agent_set_is_what_mesa_files_agents_in(model):
    from mesa.agentset import _HardKeyAgentSet

    assert type(model._agents_by_type[Old]) is _HardKeyAgentSet
    made = _HardKeyAgentSet([model.agents[0]], random=model.random)
    assert list(made) == [model.agents[0]] and made.random is model.random


def test_reassigning_an_agents_class_keeps_it_registered(model):
    agent = model.agents[1]
    unique_id = agent.unique_id
    mesa_adapter.recast(model, agent, New)
    assert type(agent) is New and agent.unique_id == unique_id
    assert list(model.agents_by_type[New]) == [agent] and agent not in model.agents_by_type[Old]
    assert list(model.agents).index(agent) == 1  # its place among all agents is unchanged
    mesa_adapter.recast(model, model.agents[2], New)  # a class that already has its set
    assert len(model.agents_by_type[New]) == 2 and len(model.agents_by_type[Old]) == 1


def test_collection_steps_record_the_model_time_of_each_collect(model):
    collector = mesa.DataCollector(model_reporters={"agents": lambda m: len(m.agents)})
    collector.collect(model)
    model.step()
    model.step()
    collector.collect(model)
    assert mesa_adapter.collection_steps(collector) == [0, 2]


def test_scenario_is_mesas_experimental_scenario():
    scenario = mesa_adapter.Scenario(rng=5, **{"village.population": 300})
    assert scenario.rng == 5 and dict(scenario)["village.population"] == 300
