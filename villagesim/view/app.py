"""The browser view for trainers: ``villagesim serve`` runs this Solara app.

One page per browser tab, each with its own model (Solara keeps component
state per tab). The sidebar holds the run controls, the preset, the seed,
the interventions, their cost against a budget with a "best plan for this
village" button (a bounded :func:`villagesim.plan`), and the main village
parameters, all addressed by the dotted keys of :mod:`villagesim.params` and
validated there, and the parameters of the extensions the server was started
with (``villagesim serve --extension FILE``; a visitor cannot name a file). The main area
has two tabs: the live run (month, headline numbers, the village network,
live charts, the event log) and a comparison of two configurations on the
same seeds.

Mesa's SolaraViz is not used as a whole: its controls and panels are
English-only, it rebuilds models from keyword arguments rather than from a
preset plus overrides, and its plot components read a DataCollector, while
this model keeps its own time series. The layout follows SolaraViz's
(controls in a sidebar, views in the main area); pictures are drawn on the
server by :mod:`villagesim.view`, so the page needs nothing from the internet.
"""

from __future__ import annotations

import functools
import os
import secrets
import threading
import time
from concurrent.futures import Executor, Future

import solara
import solara.lab

from villagesim import scenarios
from villagesim.view import render
from villagesim.params import INTERVENTIONS, Param, Registry
from villagesim.errors import InputError
from villagesim.config import Config, configure
from villagesim.extensions import Extension, load_all, registry
from villagesim.i18n import LANGUAGE_NAMES, LANGUAGES, describe, preset_label, text
from villagesim.model import VillageModel
from villagesim.seeds import replicate_seeds

DEFAULT_PRESET, DEFAULT_SEED = "default", 2024
LANGUAGE_ENV = "VILLAGESIM_LANG"
"""Start language, set by ``villagesim serve --lang``."""
EXTENSIONS_ENV = "VILLAGESIM_EXTENSIONS"
"""Extension files of every tab's models (os.pathsep between them), set by ``villagesim serve --extension``."""
PLAN_SEARCH_ENV = "VILLAGESIM_PLAN_SEARCH"
"""Bounds of the budget card's search (``trials=N,seeds=N,...``), set by ``villagesim serve --plan-search``."""
INT_SLIDER_STEPS = 240  # an integer slider without a demo range spans at most this many values

VILLAGE_KEYS = ("village.population", "village.hamlets", "village.youth_share", "village.elderly_share",
                "village.opportunity", "village.trust_mean", "branch.member_share",
                "migration.initial_away_youth", "project.potential", "project.start")
# Slider ranges for a room demonstration, inside the registry's ranges (which go up to regions of millions).
SLIDER_RANGES = {"village.population": (100, 3000, 50), "village.hamlets": (1, 12, 1), "project.start": (0, 120, 1),
                 "start": (0, 120, 1)}
FLOAT_STEP = 0.01
HEADLINE = ("participation_rate", "project_uptake", "trust_mean", "active_members", "youth_present_share",
            "members", "cost_cumulative")
PERCENT = {"participation_rate", "project_uptake", "youth_present_share"}
COLOUR_MODES = ("role", "participation", "trust")
EVENTS_SHOWN = 12
COMPARISON_DEFAULT = {"interventions.venue.intensity": 1.0, "interventions.venue.start": 12}
DEFAULT_BUDGET = 30.0


def intervention_keys() -> list[str]:
    return [f"interventions.{name}.{field}" for name in INTERVENTIONS for field in ("intensity", "start")]


_SERVED: dict[str, tuple[Extension, ...]] = {}


def served_extensions() -> tuple[Extension, ...]:
    """The extensions the server operator named: each file is executed and hashed once per process."""
    paths = os.environ.get(EXTENSIONS_ENV, "")
    if paths not in _SERVED:
        _SERVED[paths] = load_all([path for path in paths.split(os.pathsep) if path])
    return _SERVED[paths]


@functools.cache
def _registry(extensions: tuple[Extension, ...]) -> Registry:
    return registry(extensions)


def served_registry() -> Registry:
    """The parameters the controls know: the model's and the served extensions', built once."""
    return _registry(served_extensions())


@functools.cache
def read_preset(name: str) -> scenarios.Scenario:
    """A shipped preset, read once per process (not on every redraw)."""
    return scenarios.load(name)


def extension_keys() -> list[str]:
    return [p.key for ext in served_extensions() for p in ext.params]


def plan_search() -> dict[str, int]:
    """Bounds of the budget card's search: :data:`villagesim.planner.QUICK_SEARCH` unless the operator chose others."""
    from villagesim.planner import parse_search

    return parse_search(os.environ.get(PLAN_SEARCH_ENV, ""))


def start_language() -> str:
    lang = os.environ.get(LANGUAGE_ENV, "zh")
    return lang if lang in LANGUAGES else "zh"


def headline_value(metric: str, value: float) -> str:
    if metric in PERCENT:
        return f"{100 * value:.0f}%"
    if metric == "trust_mean":
        return f"{value:.2f}"
    if metric == "cost_cumulative":
        return f"{value:.1f}"
    return f"{value:.0f}"


class Run:
    """One tab's model and its pictures.

    The lock keeps Play's thread and the buttons from touching the model at once.
    """

    def __init__(self, preset: str, overrides: dict, seed: int):
        self.lock = threading.Lock()
        self.reset(preset, overrides, seed)

    def reset(self, preset: str, overrides: dict, seed: int) -> None:
        model = VillageModel(configured(preset, overrides), seed=seed)
        network = render.NetworkPicture(model)
        with self.lock:
            self.model, self.network = model, network

    def step(self) -> None:
        with self.lock:
            self.model.step()

    def change(self, key: str, value) -> None:
        with self.lock:
            self.model.set(key, value)


def prepare() -> None:
    """Draw the village every new tab starts with, in each language, so the first visitor finds
    the fonts loaded (over a second) and the network and chart axes drawn."""
    run = Run(DEFAULT_PRESET, {}, DEFAULT_SEED)
    run.network.frame()
    for lang in LANGUAGES:
        render.live_charts(run.model.timeseries(), run.model.events, lang)


@functools.cache
def _preset_config(name: str, extensions: tuple[Extension, ...]) -> Config:
    return configure(read_preset(name), extensions=extensions)


def configured(name: str, overrides: dict) -> Config:
    """The configuration the controls show: defaults, then preset ``name``, then the user's changes, with the
    served extensions; what a run of the view is built from. Only the user's changes are resolved on a redraw."""
    return _preset_config(name, served_extensions()).updated(overrides)


# --- small components -------------------------------------------------------------


@solara.component
def ParameterSlider(key: str, value, label: str, on_value, range_key: str | None = None):
    """A slider for one dotted key, bounded by the registry (or a narrower demo range that still holds ``value``)."""
    param = served_registry().lookup(key)
    if param.kind is int:
        lo, hi, step = SLIDER_RANGES.get(range_key or key, (param.lo, min(param.hi, param.lo + INT_SLIDER_STEPS), 1))
        lo, hi = min(lo, value), max(hi, value)
    else:
        lo, hi, step = param.lo, param.hi, FLOAT_STEP

    def moved(new) -> None:
        # The slider reports its value snapped to the step when it appears; only a real move is a change.
        if abs(new - value) >= step / 2:
            on_value(new)

    slider = solara.SliderInt if param.kind is int else solara.SliderFloat
    slider(f"{label}: {value:g}", value=value, min=lo, max=hi, step=step, on_value=moved)


@solara.component
def InterventionControls(values: dict, on_change, lang: str):
    """Intensity and start month of each intervention."""
    for name in INTERVENTIONS:
        with solara.Column(gap="0px", classes=[f"vs-intervention-{name}"]):
            solara.Text(text(f"intervention.{name}", lang), style={"font-weight": "bold", "font-size": "0.9em"})
            for field in ("intensity", "start"):
                key = f"interventions.{name}.{field}"
                ParameterSlider(key, values[key], text(field, lang), lambda v, k=key: on_change(k, v),
                                range_key=field)


@solara.component
def ExtensionControls(values: dict, on_change):
    """Each served extension's name, what it does, and a control for each of its parameters."""
    for ext in served_extensions():
        with solara.Column(gap="0px", classes=[f"vs-extension-{ext.name}"]):
            solara.Text(ext.name, style={"font-weight": "bold", "font-size": "0.9em"})
            solara.Text(ext.doc, style={"font-size": "0.8em"})
            for param in ext.params:
                ExtensionControl(param, values[param.key], lambda v, k=param.key: on_change(k, v))


@solara.component
def ExtensionControl(param: Param, value, on_value):
    if param.kind is bool:
        solara.Checkbox(label=param.key, value=value, on_value=on_value)
    elif param.kind is str:
        solara.Text(f"{param.key}: {value}", style={"font-size": "0.85em"})  # file paths are set in the scenario
    else:
        ParameterSlider(param.key, value, param.key, on_value)


@solara.component
def NetworkLegend(colour_by: str, lang: str):
    def swatch(colour: str, label: str):
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Div(style={"width": "12px", "height": "12px", "background": colour, "border-radius": "2px"})
            solara.Text(label, style={"font-size": "0.85em"})

    with solara.Row(gap="14px", style={"flex-wrap": "wrap"}, classes=["vs-legend"]):
        if colour_by == "role":
            for role, colour in render.ROLE_COLOURS.items():
                swatch(colour, text(f"role.{role}", lang))
        elif colour_by == "participation":
            swatch(render.PARTICIPATING, text("participating", lang))
            swatch(render.NOT_PARTICIPATING, text("not_participating", lang))
        else:
            swatch("linear-gradient(90deg, #440154, #21918c, #fde725)", text("trust_scale", lang))
        solara.Text(text("shape", lang), style={"font-size": "0.85em"})
        solara.Text(text("away", lang), style={"font-size": "0.85em"})


@solara.component
def LiveView(run: Run, tick: solara.Reactive[int], lang: str, colour_by: str, show_network: bool):
    """Month, headline numbers, network, charts and event log; redrawn on every step."""
    tick.value  # noqa: B018  (subscribe: redraw after each step)
    with run.lock:  # a consistent month even if Play's thread is stepping
        model = run.model
        frame = model.timeseries()
        network = run.network.frame(colour_by) if show_network else None
        charts = render.live_charts(frame, model.events, lang)
        events = [describe(e, lang, model.villages) for e in model.events[-EVENTS_SHOWN:]][::-1]
    latest = frame.iloc[-1]
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.Text(text("month", lang, m=model.steps), classes=["vs-month"],
                    style={"font-size": "1.8em", "font-weight": "bold", "margin-right": "18px"})
        for metric in HEADLINE:
            with solara.Column(gap="0px", classes=["vs-headline"]):
                solara.Text(headline_value(metric, latest[metric]), style={"font-size": "1.3em"})
                solara.Text(text(f"metric.{metric}", lang), style={"font-size": "0.8em", "color": "#555"})
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        if show_network:
            with solara.Column(style={"width": "480px", "flex": "none"}):
                solara.Text(text("network", lang), style={"font-weight": "bold"})
                solara.Image(network, format="jpeg", width="480px", classes=["vs-network"])
                NetworkLegend(colour_by, lang)
        with solara.Column(style={"flex": "1", "min-width": "480px", "max-width": "720px"}):
            solara.Text(text("charts", lang), style={"font-weight": "bold"})
            solara.Image(charts, format="jpeg", width="100%", classes=["vs-charts"])
    with solara.Card(text("events", lang), classes=["vs-events"]):
        for line in events or [text("no_events", lang)]:
            solara.Text(line, style={"display": "block"})


@solara.component
def Comparison(preset: str, overrides: dict, seed: int, lang: str):
    """Two configurations on the same village and seeds, and their difference."""
    def starting_arms() -> dict:
        live = {key: value for key, value in configured(preset, overrides).params.items()
                if key in intervention_keys()}
        return {"a": live, "b": {**live, **COMPARISON_DEFAULT}}

    arms = solara.use_reactive(solara.use_memo(starting_arms, []))
    seeds = solara.use_reactive(5)
    months = solara.use_reactive(120)
    request = solara.use_reactive(0)
    progress = solara.use_reactive(0)
    result = solara.use_reactive(None)
    error = solara.use_reactive("")

    def set_arm(arm: str, key: str, value) -> None:
        arms.value = {**arms.value, arm: {**arms.value[arm], key: value}}

    def compare(cancel: threading.Event) -> None:
        if request.value == 0:
            return
        try:
            configs = {arm: configured(preset, {**overrides, **values}) for arm, values in arms.value.items()}
        except InputError as err:
            error.value = str(err)
            return
        error.value = ""
        seed_list = replicate_seeds(seed, seeds.value)
        runs = {"a": [], "b": []}
        progress.value = 0
        for s in seed_list:
            for arm in runs:
                if cancel.is_set():
                    return
                runs[arm].append(VillageModel(configs[arm], seed=s).run(months.value).timeseries())
                progress.value += 1
        starts = {arm: sorted({c.params[f"interventions.{n}.start"] for n in INTERVENTIONS
                               if c.params[f"interventions.{n}.intensity"] > 0}) for arm, c in configs.items()}
        result.value = (runs, starts)

    job = solara.use_thread(compare, dependencies=[request.value], intrusive_cancel=False)
    busy = job.state == solara.ResultState.RUNNING and request.value > 0

    solara.Info(text("same_village", lang), dense=True)
    with solara.Row(style={"flex-wrap": "wrap"}):
        for arm in ("a", "b"):
            with solara.Card(text(f"config_{arm}", lang), classes=[f"vs-arm-{arm}"], style={"min-width": "300px"}):
                InterventionControls(arms.value[arm], lambda k, v, a=arm: set_arm(a, k, v), lang)
        with solara.Card(text("run", lang), style={"min-width": "260px"}):
            with solara.Column(classes=["vs-compare-seeds"]):
                solara.SliderInt(f"{text('seeds', lang)}: {seeds.value}", value=seeds, min=1, max=20)
            with solara.Column(classes=["vs-compare-months"]):
                solara.SliderInt(f"{text('months', lang)}: {months.value}", value=months, min=12, max=240, step=12)
            solara.Button(text("run_compare", lang), color="primary", disabled=busy, classes=["vs-run-compare"],
                          on_click=lambda: request.set(request.value + 1))
            if busy:
                total = 2 * seeds.value
                solara.ProgressLinear(100 * progress.value / total)
                solara.Text(text("running", lang, done=progress.value, total=total))
    if error.value:
        solara.Error(f"{text('not_applied', lang)}: {error.value}")
    if result.value is None:
        solara.Text(text("compare_hint", lang))
    else:
        ComparisonResult(*result.value, lang)


@solara.component
def ComparisonResult(runs: dict, starts: dict, lang: str):
    """The comparison's charts, their export and the table of final values."""
    label = {arm: text(f"config_{arm}", lang) for arm in runs}
    picture = solara.use_memo(lambda: render.comparison_png({label[a]: f for a, f in runs.items()},
                                                          {label[a]: s for a, s in starts.items()}, lang),
                              [runs, lang])
    solara.Image(picture, width="100%", classes=["vs-compare-chart"])
    solara.FileDownload(picture, filename="villagesim-comparison.png", label=text("compare_png", lang),
                        mime_type="image/png")
    header = [text("metric", lang), text("config_a", lang), text("config_b", lang), text("diff_ci", lang)]
    rows = render.comparison_table(runs)
    with solara.v.SimpleTable(dense=True, class_="vs-compare-table"):
        with solara.v.Html(tag="thead"):
            with solara.v.Html(tag="tr"):
                for cell in header:
                    solara.v.Html(tag="th", children=[cell])
        with solara.v.Html(tag="tbody"):
            for metric, a, b, (diff, lo, hi) in rows:
                cells = [text(f"metric.{metric}", lang), f"{a:.3f}", f"{b:.3f}", f"{diff:+.3f} [{lo:+.3f}, {hi:+.3f}]"]
                with solara.v.Html(tag="tr"):
                    for cell in cells:
                        solara.v.Html(tag="td", children=[cell])


def plan_name(name: str, lang: str) -> str:
    """A planner's candidate name ("nothing", "venue only", "plan 2") in the page's language."""
    if name == "nothing":
        return text("plan_nothing", lang)
    if name.endswith(" only"):
        return text("plan_only", lang, path=text(f"intervention.{name[:-5]}", lang))
    return text("plan_numbered", lang, k=name.split()[-1])


def plan_found(best, lang: str) -> str:
    """The budget card's line for the best plan (a :class:`villagesim.planner.Candidate`): its paths, the
    objective with its 95% CI, its cost."""
    described = ", ".join(f"{text(f'intervention.{n}', lang)} {x:.2f} ({text('start', lang)} {s})"
                          for n, (x, s) in best.plan.items()) or text("plan_nothing", lang)
    return text("plan_found", lang, plan=described, mean=best.mean, low=best.ci[0], high=best.ci[1], cost=best.cost)


class PlanCancelled(Exception):
    """The tab that asked for a plan is gone: its search stops at the next run."""


class CountedRuns(Executor):
    """Hands a plan's runs to ``inner``, calling ``on_run`` as each finishes, and stops once ``cancel`` is set."""

    def __init__(self, inner: Executor, on_run, cancel: threading.Event):
        self.inner, self.on_run, self.cancel = inner, on_run, cancel

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self.cancel.is_set():
            raise PlanCancelled
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: self.on_run())
        return future


@solara.component
def BudgetCard(preset: str, overrides: dict, seed: int, lang: str, on_plan):
    """The current plan's cost against a budget, and a bounded search for the best plan within it.

    The search runs in a thread of its own (Solara's ``use_thread``), one run after another as
    :func:`villagesim.plan` called with the same bounds and seed would, so it finds the same plan; the
    page counts the runs meanwhile. A plan is shown only while the village, seed and budget it was
    searched for are the sidebar's.
    """
    from villagesim.submodels.interventions import plan_cost

    budget = solara.use_reactive(DEFAULT_BUDGET)
    request = solara.use_reactive(0)
    runs = solara.use_reactive(0)
    found = solara.use_reactive(None)  # (what was searched for, the planner's result)
    error = solara.use_reactive("")
    params = configured(preset, overrides).params
    months = params["time.months"]
    village = {k: v for k, v in overrides.items() if k not in intervention_keys()}
    asked = {"preset": preset, "village": village, "seed": seed, "budget": budget.value, "months": months}

    def search(cancel: threading.Event) -> None:
        if request.value == 0:
            return
        from villagesim.planner import plan
        from villagesim.sweep import SerialExecutor

        error.value, found.value, runs.value = "", None, 0
        executor = CountedRuns(SerialExecutor(), lambda: runs.set(runs.value + 1), cancel)
        try:
            result = plan(preset, asked["budget"], months, overrides=village, seed=seed, executor=executor,
                          **plan_search())
        except InputError as err:
            error.value = str(err)
        except PlanCancelled:
            pass
        else:
            found.value = (asked, result)

    job = solara.use_thread(search, dependencies=[request.value], intrusive_cancel=False)
    busy = job.state == solara.ResultState.RUNNING and request.value > 0
    cost = plan_cost(params, months) * params["region.villages"]
    with solara.Card(text("budget", lang), classes=["vs-budget"]):
        solara.SliderFloat(text("budget_amount", lang, months=months), value=budget, min=1.0, max=100.0, step=1.0)
        solara.Text(text("plan_cost", lang, cost=cost, months=months), classes=["vs-plan-cost"])
        if cost > budget.value:
            solara.Warning(text("over_budget", lang, over=cost - budget.value), dense=True, classes=["vs-over-budget"])
        else:
            solara.Success(text("within_budget", lang, left=budget.value - cost), dense=True)
        solara.Button(text("best_plan", lang), color="primary", disabled=busy, classes=["vs-best-plan"],
                      on_click=lambda: request.set(request.value + 1))
        if busy:
            solara.ProgressLinear(True)
            solara.Text(text("planning", lang, runs=runs.value), classes=["vs-planning"])
        if error.value:
            solara.Error(error.value)
        elif job.state == solara.ResultState.ERROR:
            solara.Error(str(job.error))
        if found.value is not None and found.value[0] == asked and not busy:
            result = found.value[1]
            best = result.best
            solara.Text(plan_found(best, lang), classes=["vs-plan-found"])
            if result.tied:
                names = ", ".join(plan_name(name, lang) for name in result.tied)
                solara.Text(text("plan_tied", lang, names=names), style={"font-size": "0.8em"})
            solara.Text(text("plan_bounded", lang, seeds=len(result.seeds)), style={"font-size": "0.8em"})
            solara.Button(text("apply_plan", lang), classes=["vs-apply-plan"],
                          on_click=lambda: on_plan(best.overrides))


# --- the page ---------------------------------------------------------------------------


@solara.component
def Page():
    lang = solara.use_reactive(start_language())
    preset = solara.use_reactive(DEFAULT_PRESET)
    overrides = solara.use_reactive({})
    seed = solara.use_reactive(DEFAULT_SEED)
    run = solara.use_memo(lambda: Run(DEFAULT_PRESET, {}, DEFAULT_SEED), [])
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    colour_by = solara.use_reactive("participation")
    show_network = solara.use_reactive(True)
    village_open = solara.use_reactive(False)
    error = solara.use_reactive("")
    L = lang.value

    def reset() -> None:
        playing.value = False
        try:
            run.reset(preset.value, overrides.value, seed.value)
        except InputError as err:
            error.value = str(err)
            return
        error.value = ""
        tick.value += 1

    def step() -> None:
        run.step()
        tick.value += 1

    def play(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set():
            began = time.perf_counter()
            step()
            cancel.wait(max(0.0, 1.0 / speed.value - (time.perf_counter() - began)))

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)

    def change(key: str, value) -> None:
        """A control moved: check it, then restart (before month 1) or change the running model."""
        new = {**overrides.value, key: value}
        try:
            configured(preset.value, new)
            if run.model.steps > 0 and (key.startswith("interventions.") or key in extension_keys()):
                run.change(key, value)
        except InputError as err:
            error.value = str(err)
            return
        overrides.value = new
        error.value = ""
        if run.model.steps == 0:
            reset()
        else:
            tick.value += 1

    def choose_preset(name: str) -> None:
        preset.value, overrides.value = name, {}
        reset()

    def choose_seed(value: int | None) -> None:
        if value is None or value < 0:
            error.value = f"{text('seed', L)}: {value}"
            return
        seed.value = value
        if run.model.steps == 0:
            reset()

    def use_plan(plan: dict) -> None:
        overrides.value = {**{k: v for k, v in overrides.value.items() if k not in intervention_keys()}, **plan}
        reset()

    def new_seed() -> None:
        seed.value = secrets.randbelow(1_000_000)
        reset()

    params = configured(preset.value, overrides.value).params
    solara.Title(text("title", L))
    with solara.AppBar():
        solara.AppBarTitle(text("title", L))
        with solara.ToggleButtonsSingle(value=lang, classes=["vs-lang"]):
            for code in LANGUAGES:
                solara.Button(LANGUAGE_NAMES[code], value=code, text=True)

    with solara.Sidebar():
        with solara.Card(text("run", L)):
            with solara.Row():
                solara.Button(text("step", L), on_click=step, disabled=playing.value, color="primary",
                              classes=["vs-step"])
                solara.Button(text("pause" if playing.value else "play", L), color="primary", classes=["vs-play"],
                              on_click=lambda: playing.set(not playing.value))
                solara.Button(text("reset", L), on_click=reset, classes=["vs-reset"])
            solara.SliderInt(f"{text('speed', L)}: {speed.value}", value=speed, min=1, max=20)
            solara.v.Select(label=text("preset", L), v_model=preset.value, on_v_model=choose_preset, class_="vs-preset",
                            items=[{"text": preset_label(n, L), "value": n} for n in scenarios.names()])
            scenario = read_preset(preset.value)
            solara.Text(scenario.description_zh if L == "zh" else scenario.description, style={"font-size": "0.85em"})
            with solara.Row(style={"align-items": "center"}):
                solara.InputInt(text("seed", L), value=seed.value, on_value=choose_seed, classes=["vs-seed"])
                solara.Button(text("new_seed", L), text=True, on_click=new_seed)
            if error.value:
                solara.Error(f"{text('not_applied', L)}: {error.value}", classes=["vs-error"])
        with solara.Card(text("interventions", L)):
            solara.Text(text("mid_run", L), style={"font-size": "0.8em"})
            InterventionControls({k: params[k] for k in intervention_keys()}, change, L)
        BudgetCard(preset.value, overrides.value, seed.value, L, use_plan)
        if served_extensions():
            with solara.Card(text("extensions", L), classes=["vs-extensions"]):
                solara.Text(text("mid_run", L), style={"font-size": "0.8em"})
                ExtensionControls({k: params[k] for k in extension_keys()}, change)
        with solara.Card(text("village", L)):
            # Shown on request: fewer widgets to build makes the first page appear sooner.
            solara.Button(text("hide" if village_open.value else "show", L), text=True, classes=["vs-village-toggle"],
                          on_click=lambda: village_open.set(not village_open.value))
            if village_open.value:
                solara.Text(text("reset_needed", L), style={"font-size": "0.8em"})
                for key in VILLAGE_KEYS:
                    ParameterSlider(key, params[key], text(f"param.{key}", L), lambda v, k=key: change(k, v))
        with solara.Card(text("network", L)):
            solara.Checkbox(label=text("show_network", L), value=show_network)
            solara.Text(text("colour_by", L))
            with solara.ToggleButtonsSingle(value=colour_by, classes=["vs-colour"]):
                for mode in COLOUR_MODES:
                    solara.Button(text(f"colour.{mode}", L), value=mode, text=True)
        with solara.Card(text("export", L)):
            name = f"villagesim-{preset.value}-seed{seed.value}"
            solara.FileDownload(lambda: run.model.timeseries().to_csv(index=False, lineterminator="\n"),
                                filename=f"{name}.csv", label=text("csv", L), mime_type="text/csv")
            solara.FileDownload(lambda: render.charts_png(run.model.timeseries(), run.model.events, L,
                                                        f"{preset.value}, {text('seed', L)} {seed.value}"),
                                filename=f"{name}.png", label=text("png", L), mime_type="image/png")

    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(text("tab_live", L), classes=["vs-tab-live"]):
            LiveView(run, tick, L, colour_by.value, show_network.value)
        with solara.lab.Tab(text("tab_compare", L), classes=["vs-tab-compare"]):
            Comparison(preset.value, overrides.value, seed.value, L)
