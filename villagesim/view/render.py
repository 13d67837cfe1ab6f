"""Pictures for the browser view, drawn on the server with matplotlib.

Drawing a whole figure each month is too slow for a live view (about half a
second for the network alone), so the static parts are drawn once and only
what changes is drawn per frame (matplotlib "blitting"):

- :class:`NetworkPicture` places people by hamlet and household and draws
  the ties once per village (shared by the tabs showing the same village),
  and per frame only recolours the people;
- :func:`live_charts` draws axes and labels once per language and axis
  range (shared by all tabs), and per frame only the lines and markers.

Text is set in Noto Sans CJK when installed so Chinese labels are not boxes:
the font is looked for on first drawing (:func:`~villagesim.pictures.cjk_font`)
and set only inside :func:`drawing`, so importing this module changes none
of matplotlib's settings.

Examples
--------
>>> from villagesim.model import VillageModel
>>> model = VillageModel({"village.population": 200}, seed=1).run(3)
>>> NetworkPicture(model).frame("trust")[:3] == b"\\xff\\xd8\\xff"  # JPEG
True
>>> live_charts(model.timeseries(), model.events, "zh")[:3] == b"\\xff\\xd8\\xff"  # JPEG
True
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import io
import math

import matplotlib
import matplotlib.text
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from villagesim.events import Event
from villagesim.i18n import text
from villagesim.population import MEMBER, RESIDENT, YOUTH
from villagesim.stats import mean_ci
from villagesim.pictures import DRAW_LOCK, cjk_font, drawing  # noqa: F401 (cjk_font: serve's check)

LIVE_METRICS = ("participation_rate", "project_uptake", "trust_mean", "active_members", "youth_present_share",
                "branch_strength")
# Count panels and the column that bounds them (active members are never more than members).
COUNT_METRICS = {"active_members": "members"}
ROLE_MARKERS = {RESIDENT: "o", YOUTH: "^", MEMBER: "s"}
ROLE_COLOURS = {RESIDENT: "#7b8a99", YOUTH: "#2a9d8f", MEMBER: "#c0392b"}
PARTICIPATING, NOT_PARTICIPATING = "#e76f51", "#9aabbc"
PROJECTED_NOT_PARTICIPATING = "#dfe5eb"  # on a projector the participants stand out against pale others
TRUST_COLOURMAP = "viridis"
ARM_COLOURS = ("#1f77b4", "#d62728")
LIVE_CHART_SIZE = (6.4, 6.2)  # inches at 100 dpi
PROJECTION_CHART_SIZE = (11.4, 6.0)
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _jpeg(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as JPEG: a tenth of the time PNG takes, which matters at every step.

    The canvas is opaque, so its RGBA pixels are read as RGBX, without a copy. ``optimize`` makes
    Pillow encode into one buffer the size of the picture: in 64 KB pieces (its default) the freed
    pieces, split by the model's small allocations between frames, were never reused, and resident
    memory grew by about 10 KB per frame.
    """
    out = io.BytesIO()
    pixels = Image.frombuffer("RGBX", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBX", 0, 1)
    pixels.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()


# --- the network ------------------------------------------------------------


def network_positions(hamlet: np.ndarray, household: np.ndarray) -> np.ndarray:
    """Positions that depend only on who lives where: hamlets side by side, households
    on a sunflower spiral inside each hamlet, people in a small ring round their household."""
    n = hamlet.size
    positions = np.zeros((n, 2))
    households, person_household = np.unique(household, return_inverse=True)
    household_hamlet = np.zeros(households.size, hamlet.dtype)
    household_hamlet[person_household] = hamlet
    hamlets, household_hamlet_index = np.unique(household_hamlet, return_inverse=True)
    per_hamlet = np.bincount(household_hamlet_index, minlength=hamlets.size)
    radius = np.sqrt(per_hamlet + 1.0)
    # Hamlet centres on a circle whose circumference fits every hamlet's disc.
    if hamlets.size == 1:
        centres = np.zeros((1, 2))
    else:
        ring = 1.15 * (2 * radius).sum() / (2 * math.pi)
        angle = 2 * math.pi * (np.cumsum(2 * radius) - radius) / (2 * radius).sum()
        centres = ring * np.column_stack([np.cos(angle), np.sin(angle)])
    rank = np.zeros(households.size)
    order = np.argsort(household_hamlet_index, kind="stable")
    starts = np.concatenate([[0], np.cumsum(per_hamlet)[:-1]])
    rank[order] = np.arange(households.size) - np.repeat(starts, per_hamlet)
    household_xy = centres[household_hamlet_index] + np.column_stack(
        [np.sqrt(rank + 0.5) * np.cos(rank * GOLDEN_ANGLE), np.sqrt(rank + 0.5) * np.sin(rank * GOLDEN_ANGLE)])
    size = np.bincount(person_household)
    order = np.argsort(person_household, kind="stable")
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    seat = np.zeros(n)
    seat[order] = np.arange(n) - np.repeat(first, size)
    turn = 2 * math.pi * seat / size[person_household]
    spread = np.where(size[person_household] > 1, 0.3, 0.0)
    positions[:] = household_xy[person_household] + spread[:, None] * np.column_stack([np.cos(turn), np.sin(turn)])
    return positions


class _NetworkCanvas:
    """A village's layout and ties drawn once, with empty people artists to draw each frame into.

    Shared by every tab showing the same village (same people and ties); used only under DRAW_LOCK.
    """

    def __init__(self, model, pixels: int, projection: bool = False):
        pop = model.population
        self.positions = network_positions(pop.hamlet, pop.household)
        self.figure = Figure(figsize=(pixels / 100, pixels / 100), dpi=100)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.figure.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_aspect("equal")
        ties = model.adjacency.tocoo()
        upper = ties.row < ties.col
        segments = np.stack([self.positions[ties.row[upper]], self.positions[ties.col[upper]]], axis=1)
        # For a projector the ties recede (a faint web, not a grey tangle) so that the people can be seen.
        web = LineCollection(segments, linewidths=0.3, colors="#8a94a0", alpha=0.08 if projection else 0.25)
        ax.add_collection(web)
        lo, hi = self.positions.min(axis=0), self.positions.max(axis=0)
        pad = 0.03 * (hi - lo).max() + 1
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(lo[1] - pad, hi[1] + pad)
        size = float(np.clip(12_000 / max(pop.size, 1), 3, 40)) * (2.2 if projection else 1.0)
        # Only members get an outline: stroking every marker doubles the drawing time.
        self.people = {role: ax.scatter([], [], s=size * (1.6 if role == MEMBER else 1.0), marker=marker,
                                        linewidths=0.5 if role == MEMBER else 0.0, animated=True)
                       for role, marker in ROLE_MARKERS.items()}
        self.axes = ax
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)


_network_canvases: collections.OrderedDict[bytes, _NetworkCanvas] = collections.OrderedDict()
NETWORK_CANVASES_KEPT = 8


def _village_digest(model) -> bytes:
    pop, ties = model.population, model.adjacency
    digest = hashlib.blake2b(digest_size=16)
    for array in (pop.hamlet, pop.household, ties.indptr, ties.indices):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.digest()


class NetworkPicture:
    """The village network of one model: people recoloured per frame over ties drawn once."""

    def __init__(self, model, pixels: int = 560, projection: bool = False):
        self.population = model.population
        self.projection = projection
        key = (_village_digest(model), pixels, projection)
        with DRAW_LOCK:
            canvas = _network_canvases.pop(key, None) or _NetworkCanvas(model, pixels, projection)
            _network_canvases[key] = canvas
            while len(_network_canvases) > NETWORK_CANVASES_KEPT:
                _network_canvases.popitem(last=False)
        self.drawing = canvas
        self.positions = canvas.positions
        self.trust_colours = matplotlib.colormaps[TRUST_COLOURMAP]

    def colours(self, colour_by: str, who: np.ndarray, role: int) -> np.ndarray:
        """RGBA of the people ``who`` (all of ``role``); those away are faded."""
        pop = self.population
        if colour_by == "trust":
            rgba = self.trust_colours(pop.trust[who])
        elif colour_by == "participation":
            others = PROJECTED_NOT_PARTICIPATING if self.projection else NOT_PARTICIPATING
            rgba = np.where(pop.participating[who][:, None], matplotlib.colors.to_rgba_array(PARTICIPATING),
                            matplotlib.colors.to_rgba_array(others))
        else:
            rgba = np.repeat(matplotlib.colors.to_rgba_array(ROLE_COLOURS[role]), who.size, axis=0)
        rgba[:, 3] = np.where(pop.away[who], 0.18, 1.0)
        return rgba

    def frame(self, colour_by: str = "role") -> bytes:
        """The network now, as JPEG bytes."""
        pop, drawing = self.population, self.drawing
        with DRAW_LOCK:
            drawing.canvas.restore_region(drawing.background)
            for role, artist in drawing.people.items():
                who = np.flatnonzero(pop.alive & (pop.role == role))
                fill = self.colours(colour_by, who, role)
                edge = np.zeros_like(fill)
                edge[:, 3] = np.where(pop.away[who], 0.0, 0.6)
                artist.set_offsets(self.positions[who])
                artist.set_facecolors(fill)
                artist.set_edgecolors(edge)
                drawing.axes.draw_artist(artist)
            return _jpeg(drawing.canvas)


# --- the live charts -----------------------------------------------------------


def markers(events: list[Event]) -> tuple[tuple[int, str], ...]:
    """Months to mark on the charts: when an intervention began or was changed mid-run."""
    kinds = {"intervention_started": "started", "intervention_changed": "changed"}
    return tuple(sorted({(e.month, kinds[e.code]) for e in events if e.code in kinds}))


def month_axis_end(month: int) -> int:
    """The month axis runs to the next multiple of 60, so it rarely rescales."""
    return 60 * max(1, math.ceil(month / 60))


def count_axis_top(values: np.ndarray) -> float:
    """Top of a count axis: 25% headroom, in steps of 10, so it rarely rescales."""
    return 10.0 * max(1, math.ceil(1.25 * float(values.max(initial=0.0)) / 10.0))


@dataclasses.dataclass(frozen=True)
class ChartStyle:
    """Size and type of the live charts: a panel grid, type sizes in points (at 100 dpi) and fixed margins."""

    size: tuple[float, float]  # inches at 100 dpi
    grid: tuple[int, int]
    title: float
    ticks: float
    margins: tuple  # (name, value) pairs of Figure.subplots_adjust
    month_on_each: bool  # the month label under every panel, or once under the figure


SCREEN = ChartStyle(LIVE_CHART_SIZE, (3, 2), 10, 8,
                    tuple(dict(left=0.07, right=0.98, top=0.95, bottom=0.1, wspace=0.2, hspace=0.55).items()), True)
# For a projector: three panels a row, few ticks, and type at least 1/28 of the picture's height, so that shown
# at the height projection mode gives it (about 60% of the screen's) no text is smaller than 1/40 of the screen.
PROJECTION = ChartStyle(PROJECTION_CHART_SIZE, (2, 3), 20, 20,
                        tuple(dict(left=0.07, right=0.97, top=0.92, bottom=0.2, wspace=0.32, hspace=0.5).items()), False)


def smallest_text_px(figure: Figure) -> float:
    """The size in pixels of the smallest piece of text drawn on ``figure`` (its type size at its dpi)."""
    sizes = [t.get_fontsize() for t in figure.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    return min(sizes) * figure.dpi / 72


def live_chart_text_px(lang: str, style: ChartStyle) -> tuple[float, int]:
    """The smallest text of the live charts in ``lang`` and ``style``, in pixels of the picture, and the picture's
    height in pixels: shown ``h`` pixels high, that text is ``px * h / height`` pixels (the browser tests
    measure it so)."""
    with drawing():
        charts = _chart_canvases.get((lang, style)) or _ChartCanvas(lang, style)
        charts.canvas.draw()  # tick labels exist once drawn
        return smallest_text_px(charts.figure), charts.canvas.get_width_height()[1]


def _decorate(figure: Figure, lang: str, xmax: int, tops: dict[str, float], style: ChartStyle = SCREEN) -> dict:
    axes = figure.subplots(*style.grid).flat
    panels = {}
    for ax, metric in zip(axes, LIVE_METRICS):
        ax.set_title(text(f"metric.{metric}", lang), fontsize=style.title)
        ax.set_xlim(0, xmax)
        ax.set_ylim(0, tops.get(metric, 1.0))
        if style.month_on_each:
            ax.set_xlabel(text("axis_month", lang), fontsize=style.ticks)
        else:
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3, integer=True))
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
        ax.tick_params(labelsize=style.ticks)
        ax.grid(alpha=0.3)
        panels[metric] = ax
    note = text("marker_started", lang) + "    " + text("marker_changed", lang)
    if not style.month_on_each:
        note = f"{text('axis_month', lang)} →    " + note
    figure.text(0.01, 0.01, note, fontsize=style.ticks, color="#444")
    # Fixed margins: tight_layout would cost a full extra draw on every rebuild.
    figure.subplots_adjust(**dict(style.margins))
    return panels


def _marker_lines(ax, animated: bool = False) -> LineCollection:
    """An empty collection for the vertical marker lines of ``ax`` (see :func:`_mark`)."""
    lines = LineCollection([], colors="#555", linewidths=0.9, animated=animated)
    ax.add_collection(lines, autolim=False)
    return lines


def _mark(lines: LineCollection, marks) -> None:
    """Dotted lines where an intervention began, dashed where it was changed."""
    top = lines.axes.get_ylim()[1]
    lines.set_segments([[(month, 0), (month, top)] for month, _ in marks])
    lines.set_linestyles([(0, (4, 3)) if kind == "changed" else (0, (1, 2)) for _, kind in marks] or "solid")


class _ChartCanvas:
    """One language's six panels, with empty line artists to draw each frame into; the axes and
    labels of each axis range are drawn once and kept as pixels to restore under each frame.

    One figure per language, refitted in place: a new figure per axis range (75 ranges in a 2,000-month
    run) made resident memory creep by 20-25 MB per 1,000 months, as each dropped figure (about
    10 MB, in reference cycles) waited for a full garbage collection and the allocator kept its memory
    afterwards. Shared by every tab; used only under DRAW_LOCK.
    """

    def __init__(self, lang: str, style: ChartStyle = SCREEN):
        self.figure = Figure(figsize=style.size, dpi=100)
        self.canvas = FigureCanvasAgg(self.figure)
        self.panels = _decorate(self.figure, lang, month_axis_end(0), {}, style)
        self.lines = {m: ax.plot([], [], color=ARM_COLOURS[0], lw=1.6, animated=True)[0]
                      for m, ax in self.panels.items()}
        self.marks = {m: _marker_lines(ax, animated=True) for m, ax in self.panels.items()}
        self.axes_range = None
        self.backgrounds = collections.OrderedDict()  # axis range -> pixels, least recently used first

    def fit(self, xmax: int, tops: tuple) -> None:
        """Set the axis ranges and restore their axes and labels, drawing them if not kept."""
        key = (xmax, tops)
        if key != self.axes_range:
            for metric, ax in self.panels.items():
                ax.set_xlim(0, xmax)
                ax.set_ylim(0, dict(tops).get(metric, 1.0))
            self.axes_range = key
        if key in self.backgrounds:
            self.backgrounds.move_to_end(key)
        else:
            self.canvas.draw()
            self.backgrounds[key] = self.canvas.copy_from_bbox(self.figure.bbox)
            if len(self.backgrounds) > CHART_BACKGROUNDS_KEPT:
                self.backgrounds.popitem(last=False)
        self.canvas.restore_region(self.backgrounds[key])


_chart_canvases: dict[tuple[str, ChartStyle], _ChartCanvas] = {}
CHART_BACKGROUNDS_KEPT = 8  # per language (1.6 MB each): tabs at as many axis ranges draw without a full redraw


def live_charts(frame: pd.DataFrame, events: list[Event], lang: str, style: ChartStyle = SCREEN) -> bytes:
    """The six live panels for the time series ``frame`` so far, as JPEG bytes (``style``: on a screen or
    for a projector)."""
    steps = frame["step"].to_numpy()
    tops = tuple((m, count_axis_top(frame[bound].to_numpy())) for m, bound in COUNT_METRICS.items())
    marks = markers(events)
    with drawing():
        charts = _chart_canvases.get((lang, style))
        if charts is None:
            charts = _chart_canvases[(lang, style)] = _ChartCanvas(lang, style)
        charts.fit(month_axis_end(int(steps[-1])), tops)
        for metric, line in charts.lines.items():
            ax = charts.panels[metric]
            if marks:
                _mark(charts.marks[metric], marks)
                ax.draw_artist(charts.marks[metric])
            line.set_data(steps, frame[metric].to_numpy())
            ax.draw_artist(line)
        return _jpeg(charts.canvas)


def _png(figure: Figure, dpi: int = 130) -> bytes:
    """``figure`` as PNG bytes (called inside :func:`drawing`)."""
    out = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def charts_png(frame: pd.DataFrame, events: list[Event], lang: str, title: str) -> bytes:
    """The live charts as a PNG file for export (full redraw at print resolution)."""
    steps = frame["step"].to_numpy()
    tops = {m: count_axis_top(frame[bound].to_numpy()) for m, bound in COUNT_METRICS.items()}
    with drawing():
        figure = Figure(figsize=(7, 7.4))
        panels = _decorate(figure, lang, month_axis_end(int(steps[-1])), tops)
        for metric, ax in panels.items():
            _mark(_marker_lines(ax), markers(events))
            ax.plot(steps, frame[metric].to_numpy(), color=ARM_COLOURS[0], lw=1.6)
        figure.suptitle(title, fontsize=11)
        figure.subplots_adjust(top=0.9)
        return _png(figure)


# --- comparison ------------------------------------------------------------------


def comparison_png(runs: dict[str, list[pd.DataFrame]], starts: dict[str, list[int]], lang: str) -> bytes:
    """Two configurations run on the same seeds: each metric's mean and 5-95% band per
    configuration (upper panel) and the paired difference B - A (lower panel)."""
    (label_a, frames_a), (label_b, frames_b) = runs.items()
    steps = frames_a[0]["step"].to_numpy()
    with drawing():
        figure = Figure(figsize=(11, 8.6))
        grid = figure.subplots(4, 3, sharex=True)
        for index, metric in enumerate(LIVE_METRICS):
            top, bottom = grid[2 * (index // 3), index % 3], grid[2 * (index // 3) + 1, index % 3]
            values = {label: np.stack([f[metric].to_numpy() for f in frames]) for label, frames in runs.items()}
            for colour, (label, stack) in zip(ARM_COLOURS, values.items()):
                top.plot(steps, stack.mean(axis=0), color=colour, lw=1.5, label=label)
                top.fill_between(steps, *np.percentile(stack, [5, 95], axis=0), color=colour, alpha=0.18, lw=0)
                for month in starts[label]:
                    top.axvline(month, color=colour, lw=0.8, ls=":")
            difference = values[label_b] - values[label_a]
            bottom.plot(steps, difference.mean(axis=0), color="#333", lw=1.5)
            bottom.fill_between(steps, *np.percentile(difference, [5, 95], axis=0), color="#333", alpha=0.18, lw=0)
            bottom.axhline(0, color="#999", lw=0.8)
            top.set_title(text(f"metric.{metric}", lang), fontsize=10)
            bottom.set_title(f"{text('difference', lang)}", fontsize=9)
            for ax in (top, bottom):
                ax.tick_params(labelsize=8)
                ax.grid(alpha=0.3)
            if index // 3 == 1:
                bottom.set_xlabel(text("axis_month", lang), fontsize=8)
        grid[0, 0].legend(fontsize=8)
        figure.suptitle(text("band", lang, n=len(frames_a)), fontsize=10)
        figure.tight_layout()
        return _png(figure, dpi=90)


def comparison_table(runs: dict[str, list[pd.DataFrame]]) -> list[tuple[str, float, float, tuple]]:
    """Per metric: mean final value of A and of B, and the paired difference with its 95% CI."""
    (_, frames_a), (_, frames_b) = runs.items()
    rows = []
    for metric in LIVE_METRICS:
        a = np.array([f[metric].iloc[-1] for f in frames_a])
        b = np.array([f[metric].iloc[-1] for f in frames_b])
        rows.append((metric, float(a.mean()), float(b.mean()), mean_ci(b - a)))
    return rows

