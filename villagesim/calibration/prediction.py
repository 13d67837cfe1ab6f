"""Predicted take-up of groups, and the files ``calibrate`` and ``predict`` read and write."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import tomli_w

from villagesim.calibration.data import Groups
from villagesim.errors import InputError


def shares(groups: Groups, enrolled: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Take-up among the ``among`` nodes of each group, one row per replicate."""
    v = len(groups.labels)
    rows = np.repeat(np.arange(enrolled.shape[0]), groups.group.size)
    cells = rows * v + np.tile(groups.group, enrolled.shape[0])
    hits = np.bincount(cells, weights=(enrolled & among).ravel(), minlength=enrolled.shape[0] * v)
    return hits.reshape(-1, v) / np.maximum(np.bincount(groups.group, weights=among, minlength=v), 1)


def predict(groups: Groups, params: dict, replicates: int, seed: int, given_seeds: bool) -> np.ndarray:
    """Mean simulated take-up among each group's non-seeds.

    With ``given_seeds`` the seeds' observed decisions are inputs; no other
    outcome is read, so the non-seeds' outcomes cannot change the prediction.
    """
    from villagesim.calibration.rule import simulate  # scipy and the model's rule: not for reading params.toml

    seed_outcome = groups.outcome & groups.seed if given_seeds else None
    return shares(groups, simulate(groups, params, replicates, seed, seed_outcome), ~groups.seed).mean(axis=0)


def write_params(path: Path, params: dict, keys: tuple[str, ...], intervals: dict, info: dict) -> None:
    """params.toml: [params] is what ``predict --params`` runs; [calibration] says how it was fitted."""
    table = {"params": {k: params[k] for k in keys},
             "calibration": {**info, "interval95": {k: list(v) for k, v in intervals.items()}}}
    header = "# villagesim calibrate: project-uptake parameters fitted by simulated method of moments.\n"
    path.write_text(header + tomli_w.dumps(table), encoding="utf-8")


def read_params(path: str, keys: tuple[str, ...]) -> dict:
    """The parameters of a params.toml written by ``calibrate`` (every key of ``keys`` required)."""
    from villagesim.params import resolve
    from villagesim import tomlfile

    table = tomlfile.read(path, "--params")
    values, cal = table.get("params"), table.get("calibration")
    if not isinstance(values, dict) or not isinstance(cal, dict):
        raise InputError(f"--params {path}: needs [params] and [calibration] tables, as written by villagesim calibrate")
    missing = [k for k in keys if k not in values]
    if missing:
        raise InputError(f"--params {path}: [params] lacks {missing[0]!r}; rerun villagesim calibrate")
    try:
        return resolve(values)
    except InputError as err:
        raise InputError(f"--params {path}: {err}") from None


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    """A CSV file through the csv module (labels with commas or quotes stay in their column)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows([f"{v:.6f}" if isinstance(v, float) else v for v in row] for row in rows)
