"""Extensions: a user's file adds parameters and steps to one model, refused in one line when wrong."""

import json
from pathlib import Path

import numpy as np
import pytest

from villagesim import cli
from villagesim.errors import InputError
from villagesim.extensions import Extension, Step, load, points, schedule
from villagesim.model import VillageModel
from villagesim import scenarios
from villagesim.params import REGISTRY, Param, resolve
from villagesim.seeds import replicate_seeds
from villagesim.stats import mean_ci
from villagesim.population import attainable_activity

EXAMPLE = Path(__file__).parents[1] / "examples" / "first_secretary.py"
SMALL = {"village.population": 300}


def secretary(**params):
    return VillageModel({**SMALL, **params}, seed=5, extensions=[EXAMPLE])


def test_the_example_joins_one_model_and_leaks_nowhere():
    model = secretary()
    assert model.registry.lookup("first_secretary.term").default == 24
    assert [name for name, _ in model.schedule].index("first_secretary") == points().index("organisational_life") + 1
    assert "first_secretary.term" not in REGISTRY and "first_secretary.term" not in VillageModel(SMALL, seed=5).params
    with pytest.raises(InputError, match="first_secretary.term: unknown parameter"):
        resolve({"first_secretary.term": 12})
    with pytest.raises(InputError, match=r"first_secretary.term: must be an integer in \[0, 120\], got 500"):
        secretary(**{"first_secretary.term": 500})


def test_during_the_term_the_secretary_raises_activity_capacity_and_quality_exactly():
    params = {"first_secretary.start": 1, "first_secretary.activity_gain": 0.2, "first_secretary.quality_gain": 0.25}
    alone, helped = VillageModel(SMALL, seed=5), secretary(**params)
    alone.step()
    helped.step()  # the step draws no random numbers: both models saw the same month
    pop = alone.population
    led = pop.is_member() & ~pop.away
    ceiling = attainable_activity(pop.age[led], alone.params)
    np.testing.assert_allclose(helped.population.activity[led],
                               pop.activity[led] + 0.2 * (ceiling - pop.activity[led]))
    np.testing.assert_array_equal(helped.population.activity[~led], pop.activity[~led])
    np.testing.assert_allclose(helped.branch.capacity - alone.branch.capacity,
                               alone.params["branch.appeals_per_member"] * (helped.branch.effort - alone.branch.effort))
    assert (helped.branch.effort > alone.branch.effort).all()
    activity = helped.population.activity[led]
    own_quality = (activity * helped.population.capability[led]).sum() / activity.sum()
    np.testing.assert_allclose(helped.branch.quality, own_quality + 0.25 * (1 - own_quality))


def test_before_the_term_and_with_no_term_nothing_changes():
    later = secretary(**{"first_secretary.start": 3}).run(2).timeseries()
    none = secretary(**{"first_secretary.start": 1, "first_secretary.term": 0}).run(4).timeseries()
    assert later.equals(VillageModel(SMALL, seed=5).run(2).timeseries())
    assert none.equals(VillageModel(SMALL, seed=5).run(4).timeseries())
    assert not secretary(**{"first_secretary.start": 1}).run(4).timeseries().equals(none)


def test_the_term_raises_the_branch_strength_over_seeds():
    # Strength, not the share of appeals resolved: hearing, not capacity, limits that share in most villages.
    gains = []
    for seed in replicate_seeds(3, 12):
        params = {**SMALL, "first_secretary.start": 1}
        runs = [VillageModel(SMALL, seed=seed).run(9).timeseries(),
                VillageModel(params, seed=seed, extensions=[EXAMPLE]).run(9).timeseries()]
        gains.append(runs[1]["branch_strength"].iloc[1:].mean() - runs[0]["branch_strength"].iloc[1:].mean())
    _, low, _ = mean_ci(np.array(gains))
    assert low > 0, gains


def test_an_extension_keeps_its_state_per_model_in_month_store():
    def count(month):
        served = month.store.setdefault("counter", {"months": np.zeros(month.villages)})
        served["months"] += 1

    ext = Extension("counter", steps=(Step("count", count, before="interventions"),))
    model = VillageModel(SMALL, seed=1, extensions=[ext]).run(3)
    assert model.extension_state["counter"]["months"].tolist() == [3.0]
    assert VillageModel(SMALL, seed=1, extensions=[ext]).extension_state == {}
    assert [n for n, _ in model.schedule][0] == "count"


def test_steps_at_one_point_run_in_the_order_given():
    first = Extension("a", steps=(Step("a1", print, after="shocks"), Step("a0", print, before="shocks")))
    second = Extension("b", steps=(Step("b1", print, after="shocks"),))
    names = [name for name, _ in schedule([first, second])]
    at = names.index("shocks")
    assert names[at - 1:at + 3] == ["a0", "shocks", "a1", "b1"]


def test_a_scenario_names_extensions_relative_to_itself(tmp_path):
    folder = tmp_path / "village"
    folder.mkdir()
    (folder / "rules.py").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    toml = folder / "with_secretary.toml"
    toml.write_text('extensions = ["rules.py"]\n[village]\npopulation = 300\n[first_secretary]\nterm = 36\n',
                    encoding="utf-8")
    model = VillageModel.from_scenario(toml, seed=2)
    assert model.params["first_secretary.term"] == 36 and model.extensions[0].path == str(folder / "rules.py")
    toml.write_text('[village]\npopulation = 300\n[first_secretary]\nterm = 36\n', encoding="utf-8")
    with pytest.raises(InputError, match="first_secretary.term: unknown parameter"):
        scenarios.load(toml)
    assert VillageModel.from_scenario("default", seed=2, extensions=[EXAMPLE]).params["first_secretary.term"] == 24


def test_run_takes_extension_and_set(tmp_path, capsys):
    out = tmp_path / "out"
    status = cli.main(["run", "--extension", str(EXAMPLE), "--set", "first_secretary.term=6", "--set",
                       "village.population=200", "--steps", "2", "--seed", "1", "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["params"]["first_secretary.term"] == 6
    assert summary["extensions"][0]["name"] == "first_secretary" and len(summary["extensions"][0]["sha256"]) == 64


GOOD_PARAM = 'Param("mine.level", 0.5, 0.0, 1.0, "index", "assumption", "A level.")'
HEADER = "from villagesim.extensions import Extension, Step\nfrom villagesim.params import Param\n" \
         "def go(month):\n    pass\n"
BAD = {
    "syntax": ("def broken(:\n", "cannot import it (SyntaxError"),
    "raises": ("import no_such_module_anywhere\n", "cannot import it (ModuleNotFoundError"),
    "undeclared": ("X = 1\n", "must define EXTENSION"),
    "wrong_type": (HEADER + "EXTENSION = {'name': 'x'}\n", "must define EXTENSION = villagesim.extensions.Extension"),
    "no_steps": (HEADER + f"EXTENSION = Extension('x', params=({GOOD_PARAM},))\n", "declares no step"),
    "unknown_point": (HEADER + "EXTENSION = Extension('x', steps=(Step('go', go, after='harvest'),))\n",
                      "unknown schedule point after='harvest'"),
    "both_points": (HEADER + "EXTENSION = Extension('x', steps=(Step('go', go, before='shocks', after='shocks'),))\n",
                    "exactly one of before= or after="),
    "step_name_taken": (HEADER + "EXTENSION = Extension('x', steps=(Step('uptake', go, after='shocks'),))\n",
                        "a step of the month already has this name"),
    "key_taken": (HEADER + "EXTENSION = Extension('x', params=(Param('branch.regularity', 0.5, 0.0, 1.0, 'p', "
                  "'assumption', 'd'),), steps=(Step('go', go, after='shocks'),))\n",
                  "branch.regularity: a model parameter already has this key"),
    "duplicate": (HEADER + f"EXTENSION = Extension('x', params=({GOOD_PARAM}, {GOOD_PARAM}), "
                  "steps=(Step('go', go, after='shocks'),))\n", "mine.level: declared twice"),
    "out_of_range": (HEADER + "EXTENSION = Extension('x', params=(Param('mine.level', 2.0, 0.0, 1.0, 'index', "
                     "'assumption', 'd'),), steps=(Step('go', go, after='shocks'),))\n",
                     "mine.level: default 2.0 is outside its range [0.0, 1.0]"),
    "bad_type": (HEADER + "EXTENSION = Extension('x', params=(Param('mine.levels', [1, 2], None, None, 'index', "
                 "'assumption', 'd'),), steps=(Step('go', go, after='shocks'),))\n",
                 "mine.levels: default must be a bool, int, float or str"),
    "no_source": (HEADER + "EXTENSION = Extension('x', params=(Param('mine.level', 0.5, 0.0, 1.0, 'index', "
                  "'', 'd'),), steps=(Step('go', go, after='shocks'),))\n", "mine.level: source must be a non-empty"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_extension_is_refused_in_one_line(case, tmp_path, capsys):
    source, message = BAD[case]
    path = tmp_path / f"{case}.py"
    path.write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    status = cli.main(["run", "--extension", str(path), "--steps", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"villagesim: error: extension {path}: ") and message in err, err
    assert not out.exists()


def test_a_missing_or_non_python_extension_is_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "absent.py")
    (tmp_path / "rules.txt").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"must be a Python file \(\.py\)"):
        load(tmp_path / "rules.txt")


def test_a_file_changed_since_the_sweep_recorded_it_is_refused(tmp_path):
    path = tmp_path / "rules.py"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    recorded = load(path).sha256
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    with pytest.raises(InputError, match="changed since the sweep started"):
        load(path, recorded)


def test_params_lists_the_extensions_parameters(capsys):
    assert cli.main(["params", "--markdown", "--extension", str(EXAMPLE)]) == 0
    table = capsys.readouterr().out
    assert "| `first_secretary.term` | 24 | months | [0, 120] |" in table
    assert cli.main(["params"]) == 0
    assert "first_secretary" not in capsys.readouterr().out


def test_param_check_messages_are_the_registrys():
    param = Param("mine.count", 2, 0, 5, "people", "assumption", "Count.")
    assert param.check("3") == 3
    with pytest.raises(InputError, match=r"mine.count: must be an integer in \[0, 5\], got 7"):
        param.check(7)


def write_sweep(folder: Path) -> Path:
    (folder / "rules.py").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    spec = folder / "spec.toml"
    spec.write_text('extensions = ["rules.py"]\nmonths = 4\nreplicates = 2\nseed = 1\n'
                    '[set]\n"village.population" = 150\n"first_secretary.start" = 1\n'
                    '[factors]\n"first_secretary.term" = [0, 12]\n', encoding="utf-8")
    return spec


def test_a_sweep_loads_the_extension_in_its_workers_by_path(tmp_path):
    import pandas as pd

    from villagesim.sweep import load_spec, make_executor, run_sweep

    spec = load_spec(write_sweep(tmp_path))
    assert spec.extensions == [{"path": str(tmp_path / "rules.py"), "sha256": load(tmp_path / "rules.py").sha256}]
    serial = run_sweep(spec, tmp_path / "serial")
    executor, release, _ = make_executor("processes", 1, None)
    try:
        pooled = run_sweep(spec, tmp_path / "pooled", executor)
    finally:
        release()
    assert serial.failed == pooled.failed == 0
    runs = {name: pd.read_parquet(tmp_path / name / "runs").sort_values("run_id").drop(columns="duration_s")
            .reset_index(drop=True) for name in ("serial", "pooled")}
    pd.testing.assert_frame_equal(runs["serial"], runs["pooled"])
    by_term = runs["serial"].groupby("first_secretary.term")["branch_strength"].mean()
    assert by_term[12] > by_term[0]


def test_a_sweep_refuses_to_resume_with_a_changed_extension(tmp_path, capsys):
    spec = write_sweep(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    capsys.readouterr()
    rules = tmp_path / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8").replace("0.15, 0.0, 1.0", "0.25, 0.0, 1.0"), encoding="utf-8")
    assert cli.main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    err = capsys.readouterr().err
    assert "holds a different sweep (differs in extensions)" in err and err.count("\n") == 1


def test_the_browser_view_shows_and_applies_the_served_extensions_parameters(monkeypatch):
    import ipyvuetify as v
    import solara

    from villagesim.view import app

    @solara.component
    def Served():
        with solara.AppLayout():  # the sidebar shows only inside the app layout, as on the server
            app.Page()

    monkeypatch.setenv(app.EXTENSIONS_ENV, "")
    _, plain = solara.render(Served(), handle_error=False)
    assert plain.find(v.Slider).widgets and not plain.find(v.Slider, label="first_secretary.term: 24").widgets
    monkeypatch.setenv(app.EXTENSIONS_ENV, str(EXAMPLE))  # what `villagesim serve --extension` sets
    _, page = solara.render(Served(), handle_error=False)
    term = page.find(v.Slider, label="first_secretary.term: 24").widget
    assert (term.min, term.max) == (0, 120)
    term.v_model = 6
    page.find(v.Slider, label="first_secretary.term: 6").assert_single()
    assert not page.find(classes=["vs-error"]).widgets


def test_serve_refuses_a_bad_extension_before_listening(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("X = 1\n", encoding="utf-8")
    assert cli.main(["serve", "--port", "1", "--extension", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"extension {bad}: must define EXTENSION" in err


def test_the_odd_table_of_the_example_is_generated_from_it(capsys):
    import re

    odd = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- first_secretary:start -->\n(.*?)<!-- first_secretary:end -->", odd, re.S).group(1)
    assert cli.main(["params", "--markdown", "--extension", str(EXAMPLE), "--only-extensions"]) == 0
    assert table == capsys.readouterr().out, "regenerate it with villagesim params --markdown --extension ... " \
                                             "--only-extensions"


def test_two_extensions_may_not_declare_one_key_or_share_a_name(tmp_path):
    param = Param("mine.level", 0.5, 0.0, 1.0, "index", "assumption", "A level.")
    first = Extension("first", params=(param,), steps=(Step("one", print, after="shocks"),))
    second = Extension("second", params=(param,), steps=(Step("two", print, after="shocks"),))
    with pytest.raises(InputError, match="extension second: mine.level: declared twice"):
        VillageModel(SMALL, seed=1, extensions=[first, second])
    with pytest.raises(InputError, match="another extension is also named 'first'"):
        VillageModel(SMALL, seed=1, extensions=[first, Extension("first", steps=(Step("three", print, after="shocks"),))])
