"""Pictures drawn with matplotlib for files and pages: the command line's charts, the sweep analysis's,
the classroom's export, and the fonts and lock the browser view draws with.

Figures are matplotlib ``Figure`` objects drawn by the Agg canvas, without
pyplot: importing this module or drawing a chart changes none of
matplotlib's settings (backend, rcParams) and keeps no figure open.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAIN_METRICS = ("participation_rate", "project_uptake", "trust_mean", "active_members",
                "youth_present_share", "appeals_resolved_rate")
PNG_METADATA = {"Software": None}  # keep the file identical across matplotlib builds
CJK_FONT_FILES = ("/usr/share/fonts/**/NotoSansCJK*-Regular.tt[cf]", "/usr/share/fonts/**/NotoSansCJKsc-Regular.otf")
_FONT_LOCK = threading.Lock()
# matplotlib is not thread-safe: the view's tabs and the classroom's export draw in threads of their own.
DRAW_LOCK = threading.Lock()


def cjk_font() -> str | None:
    """Register Noto Sans CJK with matplotlib (on first use) and return its family name (None if not installed)."""
    with _FONT_LOCK:
        return _register_cjk_font()


@functools.cache
def _register_cjk_font() -> str | None:
    from matplotlib import font_manager

    files = sorted({f for pattern in CJK_FONT_FILES for f in glob.glob(pattern, recursive=True)})
    for path in files:
        font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in ("Noto Sans CJK SC", "Noto Sans CJK JP") if name in names), None)


@contextlib.contextmanager
def fonts():
    """Text drawn inside is set in DejaVu Sans, falling back per glyph to the CJK font for Chinese; matplotlib's
    own settings are restored on leaving."""
    font = cjk_font()
    with matplotlib.rc_context({"font.family": ["DejaVu Sans", *([font] if font else [])]}):
        yield


@contextlib.contextmanager
def drawing():
    """Hold :data:`DRAW_LOCK` and set the text font for what is drawn inside (see :func:`fonts`)."""
    with DRAW_LOCK, fonts():
        yield


def new_figure(figsize: tuple[float, float]) -> Figure:
    """An empty figure on the Agg canvas (no pyplot, so no GUI backend and nothing left open)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def axis_unit(metric: str) -> str:
    """The y-axis label of a time-series column: its unit from :data:`villagesim.metrics.METRICS`."""
    from villagesim.metrics import unit

    return {"share": "share (0-1)", "0-1": "index (0-1)"}.get(unit(metric), unit(metric))


def band_note(runs: dict[str, list[pd.DataFrame]], what: str = "seeds") -> str:
    """What the lines and shaded bands of :func:`timeseries_figure` are, with the number of runs behind them."""
    counts = sorted({len(frames) for frames in runs.values()})
    if counts[-1] < 2:
        return ""
    n = counts[0] if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"line: mean over {n} {what}; shaded band: 5-95% range of the {what} (not a CI of the mean)"


def timeseries_figure(runs: dict[str, list[pd.DataFrame]], metrics=MAIN_METRICS, title: str = "",
                      subtitle: str = "", what: str = "seeds"):
    """One panel per metric, its unit on the y-axis; each label's runs drawn as a mean line and a 5-95% band.

    ``subtitle`` goes under the title (the settings a run differs from its preset by); the note under the
    panels says what the lines and bands are, over how many ``what`` (seeds, runs).
    """
    note = band_note(runs, what)
    with fonts():  # a title may be Chinese (a scenario's name); 万元 is
        cols = 3
        rows = -(-len(metrics) // cols)
        fig = new_figure((4.2 * cols, 3.0 * rows))
        axes = fig.subplots(rows, cols, squeeze=False)
        for ax, metric in zip(axes.flat, metrics):
            for label, frames in runs.items():
                values = np.stack([f[metric].to_numpy() for f in frames])
                steps = frames[0]["step"].to_numpy()
                line, = ax.plot(steps, values.mean(axis=0), label=label, lw=1.6)
                if len(frames) > 1:
                    lo, hi = np.percentile(values, [5, 95], axis=0)
                    ax.fill_between(steps, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
            ax.set_title(metric.replace("_", " "), fontsize=10)
            ax.set_xlabel("month")
            ax.set_ylabel(axis_unit(metric))
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=8)
        # Fixed margins in inches, whatever the number of rows: tight_layout would cost a whole extra draw.
        width, height = fig.get_size_inches()
        head = 0.35 + (0.35 if title else 0.0) + (0.25 if subtitle else 0.0)
        if title:
            fig.suptitle(title, y=1 - 0.12 / height)
        if subtitle:
            fig.text(0.5, 1 - 0.5 / height, subtitle, ha="center", va="top", fontsize=9, color="#333")
        if note:
            fig.text(0.5 / width, 0.08 / height, note, fontsize=8.5, color="#333")
        fig.subplots_adjust(left=0.8 / width, right=1 - 0.15 / width, bottom=(0.85 if note else 0.6) / height,
                            top=1 - head / height, wspace=0.3, hspace=0.5)
        return fig


def save(fig, path) -> None:
    """Write ``fig`` as a PNG at ``path`` (creating its folder); a pyplot figure is closed after."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata=PNG_METADATA)
    if getattr(fig.canvas, "manager", None) is not None:  # made by pyplot (the experiments' scripts)
        import matplotlib.pyplot as plt

        plt.close(fig)
