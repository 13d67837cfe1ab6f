"""One configuration, resolved once where input comes in, whatever the route to a model."""

import dataclasses

import pytest

from villagesim import cli, extensions, scenarios
from villagesim.cli.arguments import model_config
from villagesim.config import Config, configure
from villagesim.errors import InputError
from villagesim.mesa_adapter import Scenario
from villagesim.model import VillageModel
from villagesim.params.registry import Registry

from test_extensions import EXAMPLE

DIGITAL = {"interventions.digital.intensity": 1.0}


def test_every_route_gives_an_equal_config():
    expected = configure("hollowed", DIGITAL)
    assert expected.preset == "hollowed" and expected.params["village.population"] == 900
    args = cli.build_parser().parse_args(["run", "--scenario", "hollowed", "--set", "interventions.digital.intensity=1"])
    routes = {
        "cli": model_config(args),
        "mesa keywords": VillageModel(scenario="hollowed", rng=1, **DIGITAL).config,
        "from_scenario": VillageModel.from_scenario("hollowed", seed=1, overrides=DIGITAL).config,
        "mapping": VillageModel(DIGITAL, seed=1, scenario="hollowed").config,
        "config": VillageModel(expected, seed=1).config,
    }
    for route, config in routes.items():
        assert config == expected, route
    custom = configure(overrides={"village.population": 300, **DIGITAL})
    mesa_scenario = Scenario(rng=1, **{"village.population": 300, **DIGITAL})
    assert VillageModel(scenario=mesa_scenario).config == custom
    assert VillageModel(rng=1, **{"village.population": 300}, **DIGITAL).config == custom
    assert custom.preset == "custom" and custom != configure(overrides={"village.population": 300})


def test_mesa_batch_run_builds_the_same_config():
    import mesa

    class Recorded(VillageModel):
        configs = []

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            Recorded.configs.append(self.config)

    mesa.batch_run(Recorded, parameters={"scenario": "hollowed", **DIGITAL}, rng=[1, 2], max_steps=0,
                   number_processes=1, display_progress=False)
    assert Recorded.configs == [configure("hollowed", DIGITAL)] * 2


def test_the_view_builds_the_same_config():
    from villagesim.view import app

    assert app.configured("hollowed", DIGITAL) == configure("hollowed", DIGITAL)


def test_a_config_cannot_change_and_a_model_does_not_change_it():
    config = configure("default", {"village.population": 200})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.preset = "hollowed"
    with pytest.raises(TypeError):
        config.params["village.population"] = 1
    model = VillageModel(config, seed=2)
    model.set("interventions.training.intensity", 0.5)
    assert model.params["interventions.training.intensity"] == 0.5
    assert config.params["interventions.training.intensity"] == configure().params["interventions.training.intensity"]


def test_updated_adds_overrides_and_keeps_the_rest():
    config = configure("hollowed", {"village.population": 300})
    arm = config.updated(DIGITAL)
    assert arm == configure("hollowed", {"village.population": 300, **DIGITAL})
    assert config.params["interventions.digital.intensity"] != 1.0


@pytest.mark.parametrize("extra", [{"scenario": "hollowed"}, {"extensions": [EXAMPLE]}, DIGITAL])
def test_a_config_is_given_alone(extra):
    with pytest.raises(InputError, match="^config: a Config already holds"):
        VillageModel(configure(), seed=1, **extra)


def counting(counts, name, function):
    def wrapper(*args, **kwargs):
        counts[name] += 1
        return function(*args, **kwargs)
    return wrapper


@pytest.fixture
def counted(monkeypatch):
    """Counts of resolutions, scenario loads and extension file hashes during a test."""
    counts = {"resolve": 0, "load": 0, "digest": 0}
    monkeypatch.setattr(Registry, "resolve", counting(counts, "resolve", Registry.resolve))
    monkeypatch.setattr(scenarios, "load", counting(counts, "load", scenarios.load))
    monkeypatch.setattr(extensions, "digest", counting(counts, "digest", extensions.digest))
    return counts


def test_the_command_line_resolves_its_configuration_once(tmp_path, counted):
    argv = ["run", "--scenario", "hollowed", "--set", "village.population=200", "--extension", str(EXAMPLE),
            "--seed", "3", "--steps", "2", "--out", str(tmp_path / "run")]
    assert cli.main(argv) == 0
    assert counted == {"resolve": 1, "load": 1, "digest": 1}


def test_demo_resolves_once_per_arm_not_per_run(tmp_path, counted):
    argv = ["demo", "--scenario", "hollowed", "--set", "village.population=200", "--seeds", "3", "--steps", "1",
            "--out", str(tmp_path / "demo")]
    assert cli.main(argv) == 0
    assert counted["resolve"] == 2 and counted["load"] == 1


def test_the_view_reads_a_preset_once_and_hashes_served_extensions_once(monkeypatch, counted):
    import ipyvuetify as v
    import solara

    from villagesim.view import app

    @solara.component
    def Served():
        with solara.AppLayout():
            app.Page()

    monkeypatch.setattr(Registry, "__init__", counting(counted, "registry", Registry.__init__))
    monkeypatch.setattr(app, "_SERVED", {})
    monkeypatch.setenv(app.EXTENSIONS_ENV, str(EXAMPLE))
    for cache in (app.read_preset, app._preset_config):
        cache.cache_clear()
    counted["registry"] = 0
    _, page = solara.render(Served(), handle_error=False)
    assert counted["load"] == 1 and counted["digest"] == 1
    counted.update(load=0, digest=0, registry=0)
    for value in (6, 7, 8):  # each move redraws the page
        page.find(v.Slider, label=f"first_secretary.term: {24 if value == 6 else value - 1}").widget.v_model = value
    page.find(v.Slider, label="first_secretary.term: 8").assert_single()
    assert counted["load"] == counted["digest"] == counted["registry"] == 0  # only the user's changes are resolved
    for cache in (app.read_preset, app._preset_config):
        cache.cache_clear()
