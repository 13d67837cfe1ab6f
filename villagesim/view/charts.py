"""Charts drawn on the server with matplotlib (no browser or network needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

MAIN_METRICS = ("participation_rate", "project_uptake", "trust_mean", "active_members",
                "youth_present_share", "appeals_resolved_rate")
PNG_METADATA = {"Software": None}  # keep the file identical across matplotlib builds


def timeseries_figure(runs: dict[str, list[pd.DataFrame]], metrics=MAIN_METRICS, title: str = ""):
    """One panel per metric; each label's runs drawn as a mean line and a 5-95% band."""
    cols = 3
    rows = -(-len(metrics) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
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
    """Write ``fig`` as a PNG at ``path`` (creating its folder) and close it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata=PNG_METADATA)
    plt.close(fig)
