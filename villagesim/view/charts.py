"""Charts drawn on the server with matplotlib (no browser or network needed).

Figures are matplotlib ``Figure`` objects drawn by the Agg canvas, without
pyplot: importing this module or drawing a chart changes none of
matplotlib's settings (backend, rcParams) and keeps no figure open.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAIN_METRICS = ("participation_rate", "project_uptake", "trust_mean", "active_members",
                "youth_present_share", "appeals_resolved_rate")
PNG_METADATA = {"Software": None}  # keep the file identical across matplotlib builds


def new_figure(figsize: tuple[float, float]) -> Figure:
    """An empty figure on the Agg canvas (no pyplot, so no GUI backend and nothing left open)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def timeseries_figure(runs: dict[str, list[pd.DataFrame]], metrics=MAIN_METRICS, title: str = ""):
    """One panel per metric; each label's runs drawn as a mean line and a 5-95% band."""
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
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    # Fixed margins in inches, whatever the number of rows: tight_layout would cost a whole extra draw.
    width, height = fig.get_size_inches()
    if title:
        fig.suptitle(title, y=1 - 0.12 / height)
    fig.subplots_adjust(left=0.65 / width, right=1 - 0.15 / width, bottom=0.55 / height,
                        top=1 - (0.7 if title else 0.35) / height, wspace=0.22, hspace=0.45)
    return fig


def save(fig, path) -> None:
    """Write ``fig`` as a PNG at ``path`` (creating its folder); a pyplot figure is closed after."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata=PNG_METADATA)
    if getattr(fig.canvas, "manager", None) is not None:  # made by pyplot (the experiments' scripts)
        import matplotlib.pyplot as plt

        plt.close(fig)
