"""The browser view without a browser: its words, pictures, comparison and ``villagesim serve``'s refusals."""

from __future__ import annotations

import socket
import threading

import numpy as np
import pytest

from villagesim import cli
from villagesim import scenarios
from villagesim.view import app
from villagesim.view import render as view
from villagesim.params import INTERVENTIONS
from villagesim.i18n import EVENTS, LANGUAGES, TEXT, describe, preset_label, text
from villagesim.model import VillageModel


def test_both_languages_have_every_phrase():
    assert TEXT["en"].keys() == TEXT["zh"].keys()
    assert EVENTS["en"].keys() == EVENTS["zh"].keys()
    needed = ([f"intervention.{n}" for n in INTERVENTIONS] + [f"metric.{m}" for m in (*view.LIVE_METRICS, *app.HEADLINE)]
              + [f"param.{k}" for k in app.VILLAGE_KEYS] + [f"colour.{c}" for c in app.COLOUR_MODES]
              + [f"preset.{name}" for name in scenarios.names()])
    for lang in LANGUAGES:
        missing = [key for key in needed if key not in TEXT[lang]]
        assert not missing, (lang, missing)
    assert preset_label("my_own_file", "zh") == "my_own_file"


def test_every_event_of_a_run_reads_in_both_languages():
    everything = {f"interventions.{n}.intensity": 1.0 for n in INTERVENTIONS}
    everything.update({f"interventions.{n}.start": 2 for n in INTERVENTIONS})
    model = VillageModel.from_scenario("tourism", seed=3, overrides={**everything, "project.start": 1})
    model.run(3)
    model.set("interventions.digital.intensity", 0.25)
    model.set("interventions.venue.start", 9)
    model.run(30)
    codes = {e.code for e in model.events}
    assert {"intervention_started", "intervention_changed", "project_launched"} <= codes
    for event in model.events:
        english, chinese = describe(event, "en"), describe(event, "zh")
        assert english.startswith(f"Month {event.month}: ")
        assert chinese.startswith(f"第 {event.month} 月：")
        assert "interventions." not in english + chinese  # plain words, not dotted keys
    changed = [describe(e, "zh") for e in model.events if e.code == "intervention_changed"]
    assert changed == ["第 4 月：智慧党建平台力度调整为 0.25", "第 4 月：党群服务中心起始月调整为第 9 月"]


def test_network_layout_groups_hamlets_and_households():
    model = VillageModel({"village.population": 600, "village.hamlets": 4}, seed=5)
    pop = model.population
    xy = view.network_positions(pop.hamlet, pop.household)
    assert np.isfinite(xy).all()
    centre = {h: xy[pop.hamlet == h].mean(axis=0) for h in np.unique(pop.hamlet)}
    own = np.linalg.norm(xy - np.array([centre[h] for h in pop.hamlet]), axis=1)
    nearest_other = np.array([min(np.linalg.norm(p - c) for g, c in centre.items() if g != h)
                              for p, h in zip(xy, pop.hamlet)])
    assert (own < nearest_other).all()  # everyone sits nearest their own hamlet's centre
    first = pop.household == pop.household[0]
    assert np.linalg.norm(xy[first] - xy[first].mean(axis=0), axis=1).max() <= 0.3 + 1e-9


def test_network_picture_keeps_its_layout_and_changes_with_the_village():
    model = VillageModel({"village.population": 400}, seed=2)
    picture = view.NetworkPicture(model)
    positions = picture.positions.copy()
    before = picture.frame("participation")
    model.run(3)
    assert np.array_equal(picture.positions, positions)
    assert picture.frame("participation") != before
    assert picture.frame("trust") != picture.frame("role")


def test_live_charts_follow_the_run_and_its_changes():
    model = VillageModel({"village.population": 300}, seed=4).run(2)
    first = view.live_charts(model.timeseries(), model.events, "en")
    model.set("interventions.training.intensity", 0.5)
    assert view.markers(model.events) == ((3, "changed"),)
    model.step()
    assert view.live_charts(model.timeseries(), model.events, "en") != first
    assert view.live_charts(model.timeseries(), model.events, "zh") != view.live_charts(
        model.timeseries(), model.events, "en")


def test_comparison_of_a_configuration_with_itself_differs_by_nothing():
    # Common random numbers: the same parameters on the same seed give the same run.
    params = {"village.population": 300, "interventions.venue.intensity": 1.0}
    runs = {label: [VillageModel(params, seed=s).run(12).timeseries() for s in (1, 2, 3)] for label in "AB"}
    for metric, a, b, (difference, lo, hi) in view.comparison_table(runs):
        assert a == b and difference == lo == hi == 0.0, metric
    assert view.comparison_png(runs, {"A": [0], "B": [0]}, "zh")[:4] == b"\x89PNG"


def test_comparison_difference_is_paired_by_seed():
    seeds = (1, 2, 3, 4)
    runs = {"A": [VillageModel({"village.population": 300}, seed=s).run(12).timeseries() for s in seeds],
            "B": [VillageModel({"village.population": 300, "interventions.training.intensity": 1.0},
                               seed=s).run(12).timeseries() for s in seeds]}
    for metric, a, b, (difference, lo, hi) in view.comparison_table(runs):
        paired = [fb[metric].iloc[-1] - fa[metric].iloc[-1] for fa, fb in zip(runs["A"], runs["B"])]
        assert difference == pytest.approx(np.mean(paired)) == pytest.approx(b - a)
        assert lo <= difference <= hi


@pytest.mark.parametrize("args, named", [
    (["--port", "abc"], "--port"),
    (["--port", "0"], "--port"),
    (["--port", "70000"], "--port"),
    (["--lang", "fr"], "--lang"),
    (["--host", "no-such-host.invalid"], "--host"),
    (["--plan-search", "seeds=1"], "--plan-search"),
    (["--plan-search", "turns=3"], "--plan-search"),
])
def test_serve_refuses_bad_input_in_one_line(capsys, args, named):
    assert cli.main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err and "Traceback" not in err


def test_serve_refuses_a_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--port {port}" in err


def test_start_language_comes_from_serve(monkeypatch):
    monkeypatch.setenv(app.LANGUAGE_ENV, "en")
    assert app.start_language() == "en"
    monkeypatch.setenv(app.LANGUAGE_ENV, "fr")
    assert app.start_language() == "zh"
    assert text("month", "zh", m=12) == "第 12 月"


def test_plan_search_bounds_come_from_serve(monkeypatch):
    from villagesim.planner import QUICK_SEARCH

    monkeypatch.delenv(app.PLAN_SEARCH_ENV, raising=False)
    assert app.plan_search() == QUICK_SEARCH
    monkeypatch.setenv(app.PLAN_SEARCH_ENV, "trials=0,max_seeds=2")
    assert app.plan_search() == {**QUICK_SEARCH, "trials": 0, "max_seeds": 2}


def test_the_budget_card_counts_its_runs_and_stops_when_cancelled():
    from villagesim.sweep import SerialExecutor

    done, cancel = [], threading.Event()
    executor = app.CountedRuns(SerialExecutor(), lambda: done.append(1), cancel)
    assert executor.submit(pow, 2, 3).result() == 8 and len(done) == 1
    cancel.set()
    with pytest.raises(app.PlanCancelled):
        executor.submit(pow, 2, 3)
    assert len(done) == 1


def test_chinese_chart_text_has_every_glyph():
    import warnings

    assert view.cjk_font(), "Noto Sans CJK is not installed (apt-get install fonts-noto-cjk)"
    model = VillageModel({"village.population": 200}, seed=1).run(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view.charts_png(model.timeseries(), model.events, "zh", "空心化山区村，随机种子 1")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_projection_draws_the_participants_strongly_and_the_ties_faintly():
    """With 1,500 people, a projector's network picture shows who takes part: at the same size, more of it is
    the participants' colour, and less of it the ties' grey."""
    import io

    import numpy as np
    from matplotlib.colors import to_rgb
    from PIL import Image

    model = VillageModel({"village.population": 1500}, seed=1).run(3)

    def shares(jpeg: bytes) -> tuple[float, float]:
        pixels = np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"), dtype=float)
        orange = np.linalg.norm(pixels - 255 * np.array(to_rgb(view.PARTICIPATING)), axis=2) < 60
        grey = (pixels.max(axis=2) - pixels.min(axis=2) < 25) & (pixels.mean(axis=2) < 200)
        return orange.mean(), grey.mean()

    screen = shares(view.NetworkPicture(model, 560).frame("participation"))
    projected = shares(view.NetworkPicture(model, 560, projection=True).frame("participation"))
    assert projected[0] > 2 * screen[0]
    assert projected[1] < screen[1] / 2


def test_the_budget_card_says_how_sure_the_model_is_of_the_plan_it_found(monkeypatch):
    import time

    import solara

    from villagesim.best_buy import plan_surety
    from villagesim.i18n import surety_lines
    from villagesim.planner import plan

    monkeypatch.setenv(app.PLAN_SEARCH_ENV, "trials=0,search_seeds=2,seeds=2,max_seeds=2")
    village = {"time.months": 12, "village.population": 300}
    _, card = solara.render(app.BudgetCard("hollowed", village, 5, "en", lambda plan: None), handle_error=False)
    card.find(class_="vs-best-plan").widget.click()
    for _ in range(600):  # the search, then the check, in the card's own threads
        lines = card.find(class_="vs-surety-line")
        if lines.widgets:
            break
        time.sleep(0.5)
    found = plan("hollowed", app.DEFAULT_BUDGET, 12, overrides=village, seed=5, trials=0, search_seeds=2, seeds=2,
                 max_seeds=2)
    surety = plan_surety("hollowed", found.best.overrides, app.DEFAULT_BUDGET, 12, overrides=village, seed=5)
    shown = [widget.children[0] for widget in lines.widgets]
    assert shown == surety_lines(surety.to_json(), "en")
    assert f"of {surety.points} plausible worlds" in shown[0]
