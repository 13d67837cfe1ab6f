"""Scenario discovery: for which villages and assumptions is each path the best buy (PRIM boxes).

Input: a folder of *arm* sweeps (``DIR/*/sweep.json``) that share one design
(the same factors, design, samples, replicates and seed, so run ``i`` of
every arm has the same village, assumptions and seed) and differ only in
``[set]``: one arm with no path and one per path. An arm's intensity is
fixed in its spec, so keep costs out of the factors, or the arm may spend
more than its budget; ``villagesim compare --vary-village``
(:mod:`villagesim.best_buy`) fits each arm to the budget at every point and
runs the same analysis with costs varied. For every run the gain of each path over the
no-path arm, divided by what the path spent (``cost_cumulative``), is its
value per 万元; averaged over replicates, the path with the highest value is
the point's ``best_path``. The Patient Rule Induction Method (Friedman and
Fisher 1999), as implemented in the EMA Workbench (``ema_workbench.analysis.prim``),
then finds for each path a box of factor values where it is mostly the best
buy. Each box is reported with its *coverage* (share of the points where the
path is best that fall in the box) and *density* (share of the points in
the box where it is best).

``villagesim analyze DIR --discover best_path`` writes ``best_path.csv`` (one
row per design point) and ``discovery.csv`` (one row per path and box
limit), and prints a short summary.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from villagesim.errors import InputError, did_you_mean
from villagesim.params import INTERVENTIONS

MIN_DENSITY = 0.7
"""The chosen box is the one of largest coverage whose density is at least this (or the densest there is)."""
DESIGN_FIELDS = ("design", "samples", "replicates", "seed", "months", "factors")


def arm_name(spec: dict) -> str:
    """``nothing`` or the one path an arm's ``[set]`` switches on."""
    on = [name for name in INTERVENTIONS if spec["set"].get(f"interventions.{name}.intensity", 0) > 0]
    if len(on) > 1:
        raise InputError(f"arm with {' and '.join(on)}: a discovery arm switches on one path at most")
    return on[0] if on else "nothing"


def load_arms(folder: str | os.PathLike) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """The factor keys and each arm's runs (sorted by run_id), checked to share one design."""
    folder = Path(folder)
    specs = {}
    for manifest in sorted(folder.glob("*/sweep.json")):
        try:
            spec = json.loads(manifest.read_text(encoding="utf-8"))["spec"]
        except (OSError, ValueError, KeyError):
            raise InputError(f"{manifest}: not a readable sweep manifest") from None
        name = arm_name(spec)
        if name in specs:
            raise InputError(f"{manifest.parent}: a second '{name}' arm")
        specs[name] = (manifest.parent, spec)
    if "nothing" not in specs or len(specs) < 2:
        raise InputError(f"{folder}: --discover needs arm sweeps in its subfolders, one with no path and one per path "
                         "(or use villagesim compare --vary-village); found: " + (", ".join(specs) or "none"))
    reference = specs["nothing"][1]
    for name, (where, spec) in specs.items():
        for key in DESIGN_FIELDS:
            if spec[key] != reference[key]:
                raise InputError(f"{where}: its {key} differs from the no-path arm's; the arms must share one design")
        if "cost_cumulative" not in spec["metrics"]:
            raise InputError(f"{where}: keep cost_cumulative among its metrics (the value per 万元 needs it)")
    runs = {}
    for name, (where, _) in specs.items():
        if not any((where / "runs").glob("part-*.parquet")):
            raise InputError(f"{where}: the sweep has no finished runs yet")
        frame = pd.read_parquet(where / "runs").sort_values("run_id", ignore_index=True)
        runs[name] = frame[frame["status"] == "ok"].set_index("run_id")
    keys = [f["key"] for f in reference["factors"]]
    return keys, runs


def best_path(keys: list[str], runs: dict[str, pd.DataFrame], metric: str) -> pd.DataFrame:
    """Per design point: its factors, each path's mean gain per 万元, and the best path ("nothing" if none gains)."""
    base = runs["nothing"]
    if metric not in base.columns:
        raise InputError(f"--discover-metric {metric}: not a metric of these sweeps; "
                         f"{did_you_mean(metric, base.columns)}".rstrip("; "))
    paths = [name for name in runs if name != "nothing"]
    common = base.index
    for name in paths:
        common = common.intersection(runs[name].index)
    table = base.loc[common, ["point_id", *keys]].copy()
    for name in paths:
        arm = runs[name].loc[common]
        cost = arm["cost_cumulative"].to_numpy()
        table[name] = np.divide(arm[metric].to_numpy() - base.loc[common, metric].to_numpy(), cost,
                                out=np.zeros(len(common)), where=cost > 0)
    points = table.groupby("point_id").mean()
    values = points[paths].to_numpy()
    best = np.asarray(paths, dtype=object)[values.argmax(axis=1)]
    points["best_path"] = np.where(values.max(axis=1) > 0, best, "nothing")
    return points.reset_index()


def prim_boxes(points: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One PRIM box per path that is best somewhere: coverage, density, mass and the restricted limits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional parallel back ends
        from ema_workbench.analysis import prim

    x = points[keys].astype(float)
    rows = []
    for path in sorted(set(points["best_path"])):
        y = (points["best_path"] == path).to_numpy()
        share = float(y.mean())
        if y.sum() < 2 or y.all():
            rows.append({"path": path, "points": int(y.sum()), "share": share, "coverage": float(y.all()),
                         "density": share, "mass": 1.0, "factor": "", "low": np.nan, "high": np.nan})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = prim.Prim(x, y).find_box()
        trajectory = found.peeling_trajectory
        dense = trajectory[trajectory["density"] >= min(MIN_DENSITY, trajectory["density"].max())]
        chosen = int(dense.sort_values(["coverage", "density"], ascending=False).iloc[0]["id"])
        found.select(chosen)
        limits = found.box_lims[chosen]
        stats = trajectory.loc[chosen]
        restricted = [k for k in keys if limits[k][0] > x[k].min() or limits[k][1] < x[k].max()]
        for factor in restricted or [""]:
            rows.append({"path": path, "points": int(y.sum()), "share": share, "coverage": float(stats["coverage"]),
                         "density": float(stats["density"]), "mass": float(stats["mass"]), "factor": factor,
                         "low": float(limits[factor][0]) if factor else np.nan,
                         "high": float(limits[factor][1]) if factor else np.nan})
    return pd.DataFrame(rows)


def discover(folder: str | os.PathLike, dest: str | os.PathLike | None = None, metric: str = "participation_rate",
             echo: Callable[..., None] = print) -> dict[str, pd.DataFrame]:
    """Best path per design point and PRIM boxes for a folder of arm sweeps; writes CSVs to ``dest``."""
    keys, runs = load_arms(folder)
    dest = Path(dest) if dest is not None else Path(folder) / "analysis"
    points = best_path(keys, runs, metric)
    boxes = prim_boxes(points, keys)
    dest.mkdir(parents=True, exist_ok=True)
    points.to_csv(dest / "best_path.csv", index=False, float_format="%.6g", lineterminator="\n")
    boxes.to_csv(dest / "discovery.csv", index=False, float_format="%.6g", lineterminator="\n")
    echo(f"{folder}: {len(points)} design points, arms {', '.join(runs)}; best buy = highest gain in {metric} per 万元")
    for path, group in boxes.groupby("path", sort=False):
        first = group.iloc[0]
        echo(f"  {path:<16} best at {first.points:>3} points ({first.share:.0%}); box coverage {first.coverage:.2f}, "
             f"density {first.density:.2f}")
        for r in group.itertuples():
            if r.factor:
                echo(f"      {_short(r.factor):<28} {r.low:.3g} to {r.high:.3g}")
    echo(f"wrote best_path.csv, discovery.csv in {dest}")
    return {"best_path": points, "discovery": boxes}


def _short(key: str) -> str:
    return key.split(".", 1)[-1]
