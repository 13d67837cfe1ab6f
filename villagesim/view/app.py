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
from villagesim.i18n import LANGUAGE_NAMES, LANGUAGES, describe, preset_label, surety_lines, text
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
EVENTS_PROJECTED = 5  # the latest, in view below the network without scrolling
PROJECTED_HEADLINE = ("participation_rate", "project_uptake", "trust_mean", "active_members", "cost_cumulative")
PROJECTION_QUERY = "projection=1"
PROJECTED_NETWORK_PIXELS = 640
# Projection mode is laid out by the screen's height (both projector sizes are 16:9): no text under 1/40 of it.
PROJECTION_TEXT = "2.7vh"
PROJECTED_NETWORK_WIDTH = "min(30vw, 40vh)"
# The charts fill the height left under the app bar (64 px) and the headline numbers (about 15vh).
PROJECTED_CHARTS_WIDTH = "min(66vw, calc((100vh - 64px - 17vh) * {:.3f}))".format(
    render.PROJECTION.size[0] / render.PROJECTION.size[1])
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
            self.model, self.network, self.projected = model, network, None

    def network_frame(self, colour_by: str, projection: bool) -> bytes:
        """The network now, drawn for a screen or, with ``projection``, for a projector (called under the lock)."""
        if not projection:
            return self.network.frame(colour_by)
        if self.projected is None:
            self.projected = render.NetworkPicture(self.model, PROJECTED_NETWORK_PIXELS, projection=True)
        return self.projected.frame(colour_by)

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
def NetworkLegend(colour_by: str, lang: str, size: str = ""):
    """What the colours and shapes mean; ``size`` (a CSS font size) for projection mode, which shows the
    colours only."""
    def swatch(colour: str, label: str):
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Div(style={"width": size or "12px", "height": size or "12px", "background": colour,
                              "border-radius": "2px"})
            solara.Text(label, style={"font-size": size or "0.85em"})

    with solara.Row(gap="14px", style={"flex-wrap": "wrap"}, classes=["vs-legend"]):
        if colour_by == "role":
            for role, colour in render.ROLE_COLOURS.items():
                swatch(colour, text(f"role.{role}", lang))
        elif colour_by == "participation":
            swatch(render.PARTICIPATING, text("participating", lang))
            others = render.PROJECTED_NOT_PARTICIPATING if size else render.NOT_PARTICIPATING
            swatch(others, text("not_participating", lang))
        else:
            swatch("linear-gradient(90deg, #440154, #21918c, #fde725)", text("trust_scale", lang))
        if not size:
            solara.Text(text("shape", lang), style={"font-size": "0.85em"})
            solara.Text(text("away", lang), style={"font-size": "0.85em"})


@solara.component
def Events(lines: list[str], lang: str, projection: bool):
    """The latest events, newest first."""
    size = {"font-size": PROJECTION_TEXT, "line-height": "1.3", "margin-bottom": "0.6vh"} if projection else {}
    with solara.Card(None if projection else text("events", lang), classes=["vs-events"]):
        if projection:  # a card's title has a fixed size: this one grows with the screen
            solara.Text(text("events", lang), style={"display": "block", "font-size": "3vh", "font-weight": "bold",
                                                     "line-height": "1.3", "margin-bottom": "1vh"})
        for line in lines or [text("no_events", lang)]:
            solara.Text(line, style={"display": "block", **size}, classes=["vs-event"])


@solara.component
def Headlines(month: int, latest, lang: str, projection: bool):
    """The month and the headline numbers (fewer and larger in projection mode)."""
    big, value, label = ("5vh", "4.2vh", PROJECTION_TEXT) if projection else ("1.8em", "1.3em", "0.8em")
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap", "gap": "2vw" if projection else "12px"}):
        solara.Text(text("month", lang, m=month), classes=["vs-month"],
                    style={"font-size": big, "font-weight": "bold", "margin-right": "18px"})
        for metric in PROJECTED_HEADLINE if projection else HEADLINE:
            with solara.Column(gap="0px", classes=["vs-headline"]):
                solara.Text(headline_value(metric, latest[metric]), style={"font-size": value})
                solara.Text(text(f"metric.{metric}", lang), style={"font-size": label, "color": "#555"})


@solara.component
def LiveView(run: Run, tick: solara.Reactive[int], lang: str, colour_by: str, show_network: bool,
             projection: "Controls | None" = None):
    """Month, headline numbers, network, charts and event log; redrawn on every step.

    In projection mode (``projection``: the tab's controls, whose run buttons it shows, the sidebar being
    hidden) the pictures are drawn for a projector (:data:`render.PROJECTION`) and laid out by
    :func:`ProjectedLayout`; otherwise by :func:`ScreenLayout`.
    """
    tick.value  # noqa: B018  (subscribe: redraw after each step)
    with run.lock:  # a consistent month even if Play's thread is stepping
        model = run.model
        frame = model.timeseries()
        network = run.network_frame(colour_by, projection is not None) if show_network else None
        charts = render.live_charts(frame, model.events, lang, render.PROJECTION if projection else render.SCREEN)
        shown = EVENTS_PROJECTED if projection else EVENTS_SHOWN
        events = [describe(e, lang, model.villages) for e in model.events[-shown:]][::-1]
    latest = frame.iloc[-1]
    if projection:
        ProjectedLayout(model.steps, latest, network, charts, events, lang, colour_by, projection)
    else:
        ScreenLayout(model.steps, latest, network, charts, events, lang, colour_by)


@solara.component
def ProjectedLayout(month: int, latest, network: bytes | None, charts: bytes, events: list[str], lang: str,
                    colour_by: str, controls: "Controls"):
    """The live run on a projector: the numbers and the run buttons, then the network over the latest events on
    the left and the charts on the right, sized by the screen's height."""
    with solara.Column():
        with solara.Row(style={"align-items": "center", "flex-wrap": "nowrap"}):
            Headlines(month, latest, lang, True)
            solara.v.Spacer()
            RunButtons(controls)
        with solara.Row(style={"flex-wrap": "nowrap", "align-items": "flex-start", "gap": "1.5vw"}):
            with solara.Column(style={"width": PROJECTED_NETWORK_WIDTH, "flex": "none"}, classes=["vs-left"]):
                if network is not None:
                    solara.Image(network, format="jpeg", width="100%", classes=["vs-network"])
                    NetworkLegend(colour_by, lang, PROJECTION_TEXT)
                Events(events, lang, True)
            with solara.Div(style={"width": PROJECTED_CHARTS_WIDTH, "flex": "none"}):
                solara.Image(charts, format="jpeg", width="100%", classes=["vs-charts"])


@solara.component
def ScreenLayout(month: int, latest, network: bytes | None, charts: bytes, events: list[str], lang: str,
                 colour_by: str):
    """The live run beside the sidebar: the numbers, the network and the charts, the event log under them."""
    with solara.Column():
        Headlines(month, latest, lang, False)
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
            if network is not None:
                with solara.Column(style={"width": "480px", "flex": "none"}):
                    solara.Text(text("network", lang), style={"font-weight": "bold"})
                    solara.Image(network, format="jpeg", width="480px", classes=["vs-network"])
                    NetworkLegend(colour_by, lang)
            with solara.Column(style={"flex": "1", "min-width": "480px", "max-width": "720px"}):
                solara.Text(text("charts", lang), style={"font-weight": "bold"})
                solara.Image(charts, format="jpeg", width="100%", classes=["vs-charts"])
        Events(events, lang, False)


def use_comparison(preset: str, overrides: dict, seed: int):
    """The comparison's state and its runs, in a thread of the tab's own: (arms, seeds, months, request,
    progress, result, error, busy)."""
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

    def compare(cancel: threading.Event) -> None:
        if request.value == 0:
            return
        try:
            configs = {arm: configured(preset, {**overrides, **values}) for arm, values in arms.value.items()}
        except InputError as err:
            error.value = str(err)
            return
        error.value = ""
        runs = {"a": [], "b": []}
        progress.value = 0
        for s in replicate_seeds(seed, seeds.value):
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
    return arms, seeds, months, request, progress, result, error, busy


@solara.component
def ComparisonControls(arms, seeds, months, request, progress, busy: bool, lang: str):
    """Each arm's interventions, the seeds and months, and the button that runs both."""
    def set_arm(arm: str, key: str, value) -> None:
        arms.value = {**arms.value, arm: {**arms.value[arm], key: value}}

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


@solara.component
def Comparison(preset: str, overrides: dict, seed: int, lang: str):
    """Two configurations on the same village and seeds, and their difference."""
    arms, seeds, months, request, progress, result, error, busy = use_comparison(preset, overrides, seed)
    solara.Info(text("same_village", lang), dense=True)
    ComparisonControls(arms, seeds, months, request, progress, busy, lang)
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


def plan_lines(best, lang: str) -> list[str]:
    """The budget card's lines for the best plan (a :class:`villagesim.planner.Candidate`): one per path it
    uses, then the objective with its 95% CI, then its cost."""
    paths = [text("plan_path", lang, path=text(f"intervention.{n}", lang), x=x, s=s) for n, (x, s) in best.plan.items()]
    return [*(paths or [text("plan_nothing", lang)]),
            text("plan_outcome", lang, mean=best.mean, low=best.ci[0], high=best.ci[1]),
            text("plan_spend", lang, cost=best.cost)]


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


def use_plan_search(asked: dict):
    """A bounded :func:`villagesim.plan` for ``asked`` (preset, village, seed, budget, months), run in a thread
    of the tab's own, one run after another as the same call would, so it finds the same plan: (request,
    runs done, (what was searched for, the result) or None, error, busy)."""
    request = solara.use_reactive(0)
    runs = solara.use_reactive(0)
    found = solara.use_reactive(None)
    error = solara.use_reactive("")

    def search(cancel: threading.Event) -> None:
        if request.value == 0:
            return
        from villagesim.planner import plan
        from villagesim.sweep import SerialExecutor

        error.value, found.value, runs.value = "", None, 0
        executor = CountedRuns(SerialExecutor(), lambda: runs.set(runs.value + 1), cancel)
        try:
            result = plan(asked["preset"], asked["budget"], asked["months"], overrides=asked["village"],
                          seed=asked["seed"], executor=executor, **plan_search())
        except InputError as err:
            error.value = str(err)
        except PlanCancelled:
            pass
        else:
            found.value = (asked, result)

    job = solara.use_thread(search, dependencies=[request.value], intrusive_cancel=False)
    busy = job.state == solara.ResultState.RUNNING and request.value > 0
    if job.state == solara.ResultState.ERROR and not error.value:
        error.value = str(job.error)
    return request, runs, found, error, busy


def use_surety(found):
    """:func:`villagesim.best_buy.plan_surety` of a plan found (``found``: what was searched for and the
    result, or None), in a thread of the tab's own once the plan is shown: (runs done, the surety as JSON or
    an error line, or None while it is computed)."""
    runs = solara.use_reactive(0)
    surety = solara.use_reactive(None)

    def check(cancel: threading.Event) -> None:
        surety.value, runs.value = None, 0
        if found is None:
            return
        from villagesim.best_buy import plan_surety
        from villagesim.sweep import SerialExecutor

        asked, result = found
        executor = CountedRuns(SerialExecutor(), lambda: runs.set(runs.value + 1), cancel)
        try:
            surety.value = plan_surety(asked["preset"], result.best.overrides, asked["budget"], asked["months"],
                                       overrides=asked["village"], seed=asked["seed"], executor=executor).to_json()
        except InputError as err:
            surety.value = str(err)
        except PlanCancelled:
            pass

    solara.use_thread(check, dependencies=[id(found)], intrusive_cancel=False)
    return runs, surety


@solara.component
def Surety(found, lang: str):
    """How sure the model is of the plan found: the share of plausible worlds where it is the best buy and
    what would change it, or the progress of that check."""
    from villagesim.best_buy import ARMS, SURETY

    runs, surety = use_surety(found)
    if found is None:
        return
    with solara.Column(gap="2px", classes=["vs-surety"], style={"font-size": "0.85em"}):
        if surety.value is None:
            total = SURETY["points"] * SURETY["seeds"] * (len(ARMS) + 1)
            solara.ProgressLinear(100 * runs.value / total)
            solara.Text(text("surety_checking", lang, runs=runs.value, total=total), classes=["vs-surety-checking"])
        elif isinstance(surety.value, str):
            solara.Error(surety.value)
        else:
            for line in surety_lines(surety.value, lang):
                solara.Text(line, style={"display": "block"}, classes=["vs-surety-line"])


@solara.component
def PlanFound(result, lang: str, on_plan):
    """The best plan as a short laid-out result: its paths, outcome and cost, the plans tied with it, and a
    button that applies it."""
    best = result.best
    with solara.Column(gap="2px", classes=["vs-plan-found"],
                       style={"border-left": "3px solid #1976d2", "padding-left": "8px", "margin-top": "6px"}):
        solara.Text(text("plan_heading", lang), style={"font-weight": "bold"})
        for line in plan_lines(best, lang):
            solara.Text(line, style={"display": "block"})
    if result.tied:
        names = ", ".join(plan_name(name, lang) for name in result.tied)
        solara.Text(text("plan_tied", lang, names=names), style={"font-size": "0.85em"})
    solara.Text(text("plan_bounded", lang, seeds=len(result.seeds)), style={"font-size": "0.85em", "color": "#555"})
    solara.Button(text("apply_plan", lang), color="primary", classes=["vs-apply-plan"], style={"width": "100%"},
                  on_click=lambda: on_plan(best.overrides))


@solara.component
def BudgetCard(preset: str, overrides: dict, seed: int, lang: str, on_plan):
    """The current plan's cost against a budget, and a bounded search for the best plan within it.

    A plan is shown only while the village, seed and budget it was searched for are the sidebar's.
    """
    from villagesim.submodels.interventions import plan_cost

    budget = solara.use_reactive(DEFAULT_BUDGET)
    params = configured(preset, overrides).params
    months = params["time.months"]
    village = {k: v for k, v in overrides.items() if k not in intervention_keys()}
    asked = {"preset": preset, "village": village, "seed": seed, "budget": budget.value, "months": months}
    request, runs, found, error, busy = use_plan_search(asked)
    cost = plan_cost(params, months) * params["region.villages"]
    with solara.Card(text("budget", lang), classes=["vs-budget"]):
        with solara.Column(classes=["vs-budget-amount"]):
            solara.SliderFloat(text("budget_amount", lang, amount=budget.value, months=months), value=budget,
                               min=1.0, max=100.0, step=1.0)
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
        shown = found.value is not None and found.value[0] == asked and not busy
        if shown:
            PlanFound(found.value[1], lang, on_plan)
        Surety(found.value if shown else None, lang)


# --- the page ---------------------------------------------------------------------------


class Controls:
    """A tab's run and what the sidebar sets (preset, changes, seed), with the actions on them.

    Built by :func:`use_controls` from the tab's reactive state; the components get it instead of a dozen
    values and callbacks.
    """

    def __init__(self, run: Run, preset, overrides, seed, tick, playing, speed, error, lang: str):
        self.run, self.preset, self.overrides, self.seed = run, preset, overrides, seed
        self.tick, self.playing, self.speed, self.error, self.lang = tick, playing, speed, error, lang

    def reset(self) -> None:
        self.playing.value = False
        try:
            self.run.reset(self.preset.value, self.overrides.value, self.seed.value)
        except InputError as err:
            self.error.value = str(err)
            return
        self.error.value = ""
        self.tick.value += 1

    def step(self) -> None:
        self.run.step()
        self.tick.value += 1

    def play(self, cancel: threading.Event) -> None:
        while self.playing.value and not cancel.is_set():
            began = time.perf_counter()
            self.step()
            cancel.wait(max(0.0, 1.0 / self.speed.value - (time.perf_counter() - began)))

    def change(self, key: str, value) -> None:
        """A control moved: check it, then restart (before month 1) or change the running model."""
        new = {**self.overrides.value, key: value}
        try:
            configured(self.preset.value, new)
            if self.run.model.steps > 0 and (key.startswith("interventions.") or key in extension_keys()):
                self.run.change(key, value)
        except InputError as err:
            self.error.value = str(err)
            return
        self.overrides.value = new
        self.error.value = ""
        if self.run.model.steps == 0:
            self.reset()
        else:
            self.tick.value += 1

    def choose_preset(self, name: str) -> None:
        self.preset.value, self.overrides.value = name, {}
        self.reset()

    def choose_seed(self, value: int | None) -> None:
        if value is None or value < 0:
            self.error.value = f"{text('seed', self.lang)}: {value}"
            return
        self.seed.value = value
        if self.run.model.steps == 0:
            self.reset()

    def use_plan(self, plan: dict) -> None:
        kept = {k: v for k, v in self.overrides.value.items() if k not in intervention_keys()}
        self.overrides.value = {**kept, **plan}
        self.reset()

    def new_seed(self) -> None:
        self.seed.value = secrets.randbelow(1_000_000)
        self.reset()


def use_controls(lang: str) -> Controls:
    """The tab's :class:`Controls`, and Play's thread."""
    controls = Controls(solara.use_memo(lambda: Run(DEFAULT_PRESET, {}, DEFAULT_SEED), []),
                        solara.use_reactive(DEFAULT_PRESET), solara.use_reactive({}), solara.use_reactive(DEFAULT_SEED),
                        solara.use_reactive(0), solara.use_reactive(False), solara.use_reactive(4),
                        solara.use_reactive(""), lang)
    solara.use_thread(controls.play, dependencies=[controls.playing.value], intrusive_cancel=False)
    return controls


def use_projection() -> tuple[bool, callable]:
    """Projection mode, kept in the page's address (``?projection=1``), so a reload or a bookmark keeps it,
    and the function that turns it on or off."""
    router = solara.use_router()
    on = PROJECTION_QUERY in (router.search or "").split("&")

    def turn(value: bool) -> None:
        router.push(f"{router.path}?{PROJECTION_QUERY}" if value else router.path)

    return on, turn


@solara.component
def RunButtons(controls: Controls):
    """Step, Play / Pause and Reset."""
    playing = controls.playing.value
    # One element: Solara stacks a component's several top-level elements in a column.
    with solara.Row(style={"flex": "none", "background": "transparent"}):
        solara.Button(text("step", controls.lang), on_click=controls.step, disabled=playing, color="primary",
                      classes=["vs-step"])
        solara.Button(text("pause" if playing else "play", controls.lang), color="primary", classes=["vs-play"],
                      on_click=lambda: controls.playing.set(not playing))
        solara.Button(text("reset", controls.lang), on_click=controls.reset, classes=["vs-reset"])


@solara.component
def TopBar(lang: solara.Reactive[str], controls: Controls, projection: bool, set_projection):
    """The title, the projection switch and the language switch, the language in use highlighted."""
    L = lang.value
    with solara.AppBar():
        solara.AppBarTitle(text("title", L))
        solara.Button(text("projection_off" if projection else "projection_on", L), classes=["vs-projection"],
                      outlined=True, color="white", on_click=lambda: set_projection(not projection))
        with solara.Row(gap="4px", classes=["vs-lang"], style={"margin-left": "12px", "background": "transparent"}):
            for code in LANGUAGES:
                active = code == L
                solara.Button(LANGUAGE_NAMES[code], on_click=lambda code=code: lang.set(code), depressed=active,
                              text=not active, color="white" if active else None,
                              classes=["vs-lang-active" if active else "vs-lang-other"],
                              style={"color": "#1976d2", "font-weight": "bold"} if active else {"color": "white"})


@solara.component
def RunCard(controls: Controls):
    """Step, Play, Reset, the speed, the village type and the seed, and the last refusal."""
    L = controls.lang
    with solara.Card(text("run", L)):
        RunButtons(controls)
        solara.SliderInt(f"{text('speed', L)}: {controls.speed.value}", value=controls.speed, min=1, max=20)
        solara.v.Select(label=text("preset", L), v_model=controls.preset.value, on_v_model=controls.choose_preset,
                        class_="vs-preset", items=[{"text": preset_label(n, L), "value": n} for n in scenarios.names()])
        scenario = read_preset(controls.preset.value)
        solara.Text(scenario.description_zh if L == "zh" else scenario.description, style={"font-size": "0.85em"})
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt(text("seed", L), value=controls.seed.value, on_value=controls.choose_seed,
                            classes=["vs-seed"])
            solara.Button(text("new_seed", L), text=True, on_click=controls.new_seed)
        if controls.error.value:
            solara.Error(f"{text('not_applied', L)}: {controls.error.value}", classes=["vs-error"])


@solara.component
def VillageCard(params: dict, controls: Controls):
    """The village's own parameters, shown on request: fewer widgets to build makes the first page appear sooner."""
    L = controls.lang
    opened = solara.use_reactive(False)
    with solara.Card(text("village", L)):
        solara.Button(text("hide" if opened.value else "show", L), text=True, classes=["vs-village-toggle"],
                      on_click=lambda: opened.set(not opened.value))
        if opened.value:
            solara.Text(text("reset_needed", L), style={"font-size": "0.8em"})
            for key in VILLAGE_KEYS:
                ParameterSlider(key, params[key], text(f"param.{key}", L), lambda v, k=key: controls.change(k, v))


@solara.component
def NetworkCard(show_network: solara.Reactive[bool], colour_by: solara.Reactive[str], lang: str):
    with solara.Card(text("network", lang)):
        solara.Checkbox(label=text("show_network", lang), value=show_network)
        solara.Text(text("colour_by", lang))
        with solara.ToggleButtonsSingle(value=colour_by, classes=["vs-colour"]):
            for mode in COLOUR_MODES:
                solara.Button(text(f"colour.{mode}", lang), value=mode, text=True)


@solara.component
def ExportCard(controls: Controls):
    """The run's time series as CSV and its charts as PNG."""
    L, run = controls.lang, controls.run
    with solara.Card(text("export", L)):
        name = f"villagesim-{controls.preset.value}-seed{controls.seed.value}"
        solara.FileDownload(lambda: run.model.timeseries().to_csv(index=False, lineterminator="\n"),
                            filename=f"{name}.csv", label=text("csv", L), mime_type="text/csv")
        title = f"{controls.preset.value}, {text('seed', L)} {controls.seed.value}"
        solara.FileDownload(lambda: render.charts_png(run.model.timeseries(), run.model.events, L, title),
                            filename=f"{name}.png", label=text("png", L), mime_type="image/png")


@solara.component
def SidebarCards(controls: Controls, show_network, colour_by):
    """The sidebar: run, interventions, budget, extensions, village, network and export."""
    L = controls.lang
    params = configured(controls.preset.value, controls.overrides.value).params
    with solara.Sidebar():
        RunCard(controls)
        with solara.Card(text("interventions", L)):
            solara.Text(text("mid_run", L), style={"font-size": "0.8em"})
            InterventionControls({k: params[k] for k in intervention_keys()}, controls.change, L)
        BudgetCard(controls.preset.value, controls.overrides.value, controls.seed.value, L, controls.use_plan)
        if served_extensions():
            with solara.Card(text("extensions", L), classes=["vs-extensions"]):
                solara.Text(text("mid_run", L), style={"font-size": "0.8em"})
                ExtensionControls({k: params[k] for k in extension_keys()}, controls.change)
        VillageCard(params, controls)
        NetworkCard(show_network, colour_by, L)
        ExportCard(controls)


@solara.component
def Page():
    lang = solara.use_reactive(start_language())
    controls = use_controls(lang.value)
    colour_by = solara.use_reactive("participation")
    show_network = solara.use_reactive(True)
    projection, set_projection = use_projection()
    L = lang.value
    solara.Title(text("title", L))
    TopBar(lang, controls, projection, set_projection)
    if projection:  # the room sees the live run; the controls are one click away
        LiveView(controls.run, controls.tick, L, colour_by.value, show_network.value, projection=controls)
        return
    SidebarCards(controls, show_network, colour_by)
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(text("tab_live", L), classes=["vs-tab-live"]):
            LiveView(controls.run, controls.tick, L, colour_by.value, show_network.value)
        with solara.lab.Tab(text("tab_compare", L), classes=["vs-tab-compare"]):
            Comparison(controls.preset.value, controls.overrides.value, controls.seed.value, L)
