"""Calibrate the project-uptake submodel on real networks, and predict uptake on others.

``villagesim calibrate`` reads a node CSV (id, group, seed flag, outcome
flag) and an edge CSV, and fits the uptake parameters in :data:`FITTED` so
that the simulated uptake among non-seed nodes matches the observed one,
group by group. The simulator is the model's own two rules,
:func:`villagesim.submodels.uptake.spread_news` and :func:`villagesim.submodels.uptake.enrol`,
run for ``months`` months on each group's real network: seeds are aware
at month 0, every node can enrol, nobody leaves. Trust and thresholds are
not observed: each replicate draws them from the scenario's distributions
(``village.trust_*``, ``participation.threshold_*``), as the model does.

Method: simulated method of moments. The moments are the groups' uptake
shares; the objective weights each group by its number of non-seed nodes.
Candidates come from a scrambled Sobol design over :data:`BOUNDS` (stage 1)
and a second design in the box around the best stage-1 points (stage 2);
all candidates share common random numbers (the same seeds, hence the same
trust, thresholds and uniform draws), so differences between candidates are
due to the parameters only. The estimate is the candidate that minimises
the objective; its uncertainty is a bootstrap over groups (resample groups,
re-minimise over the same simulated candidates), reported as percentile
intervals. ``predict`` runs the fitted rules on any network of this shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported where used, so that the command line refuses bad input without it
    import scipy.sparse as sp

from villagesim.errors import InputError
from villagesim.network import from_edges, parse_flag, read_edge_list, read_node_table
from villagesim.population import draw_thresholds, draw_trust
from villagesim.submodels.uptake import enrol, spread_news

FITTED = ("project.news_prob", "project.news_prob_enrolled", "project.enrol_rate", "project.threshold_shift")
"""The free parameters of the calibration."""

BOUNDS = {
    "project.news_prob": (0.002, 0.5, True),
    "project.news_prob_enrolled": (0.002, 0.8, True),
    "project.enrol_rate": (0.005, 1.0, True),
    "project.threshold_shift": (-0.5, 0.5, False),
}
"""Search box per fitted parameter: low, high, searched on a log scale."""

FIXED = ("project.trust_weight", "village.trust_mean", "village.trust_sd", "participation.threshold_mean",
         "participation.threshold_sd")
"""Parameters the rules use that stay at the scenario's values (trust and thresholds are unobserved)."""

BATCH = 50  # replicates simulated together as one block-diagonal network ...
BLOCK_NODES = 500_000  # ... of at most this many nodes (but at least one replicate), to bound memory
DEFAULT_SEED = 2024


@dataclass
class Groups:
    """Nodes split into groups (villages), with the seeds and, if given, the observed outcome."""

    labels: list[str]
    group: np.ndarray  # group index of each node
    adjacency: sp.csr_matrix  # within-group ties only
    seed: np.ndarray  # bool
    outcome: np.ndarray | None  # bool, or None without an outcome column
    dropped_ties: int  # ties between different groups, ignored

    @property
    def size(self) -> np.ndarray:
        return np.bincount(self.group, minlength=len(self.labels))

    @property
    def non_seeds(self) -> np.ndarray:
        return np.bincount(self.group, weights=~self.seed, minlength=len(self.labels))

    def observed(self) -> np.ndarray:
        """Outcome share among the non-seed nodes of each group."""
        hits = np.bincount(self.group, weights=self.outcome & ~self.seed, minlength=len(self.labels))
        return hits / self.non_seeds


def read_groups(nodes: str, edges: str, id_col: str, group_col: str, seed_col: str,
                outcome_col: str | None = None) -> Groups:
    """Read and check the node and edge files; every group needs a seed and a non-seed node."""
    wanted = (group_col, seed_col) + ((outcome_col,) if outcome_col else ())
    table = read_node_table(nodes, "--nodes", id_col, wanted)
    where = f"--nodes {nodes}"
    labels_raw = table.column(group_col)
    line = next((k for k, v in zip(table.lines, labels_raw) if not v), None)
    if line is not None:
        raise InputError(f"{where} line {line}: empty {group_col}; every node needs a group")
    first: dict[str, int] = {}
    group = np.array([first.setdefault(v, len(first)) for v in labels_raw], np.int64)
    labels = list(first)  # in order of first appearance
    seed = parse_flag(where, seed_col, table.column(seed_col), True, table.lines).astype(bool)
    outcome = None
    if outcome_col:
        outcome = parse_flag(where, outcome_col, table.column(outcome_col), True, table.lines).astype(bool)
    seeds = np.bincount(group, weights=seed, minlength=len(labels))
    n = np.bincount(group, minlength=len(labels))
    for g, label in enumerate(labels):
        if seeds[g] == 0:
            raise InputError(f"{where}: group {label!r} ({group_col}) has no seed: {seed_col} is 0 for all its "
                             f"{n[g]} nodes; every group needs at least one")
        if seeds[g] == n[g]:
            raise InputError(f"{where}: group {label!r} ({group_col}) has only seeds; uptake is measured on "
                             "non-seed nodes")
    src, dst = read_edge_list(edges, "--edges", table)
    across = group[src] != group[dst]
    adjacency = from_edges(group.size, src[~across], dst[~across])
    return Groups(labels, group.astype(np.int64), adjacency, seed, outcome, int(across.sum()))


def simulate(groups: Groups, params: dict, months: int, replicates: int, seed: int) -> np.ndarray:
    """Uptake among non-seed nodes, shape (replicates, groups), from the model's rules.

    The same ``seed`` gives the same trust, thresholds and uniform draws for
    any parameter values (common random numbers).
    """
    import scipy.sparse as sp

    n = groups.group.size
    out = np.empty((replicates, len(groups.labels)))
    batch = max(1, min(BATCH, BLOCK_NODES // n))
    streams = np.random.SeedSequence(seed).spawn(math.ceil(replicates / batch))
    for b, stream in enumerate(streams):
        k = min(batch, replicates - b * batch)
        adj = sp.kron(sp.identity(k, format="csr"), groups.adjacency, format="csr")
        degree = np.diff(adj.indptr)
        draw, dynamics = (np.random.default_rng(s) for s in stream.spawn(2))
        trust, threshold = draw_trust(draw, n * k, params), draw_thresholds(draw, n * k, params)
        seeds = np.tile(groups.seed, k)
        aware, enrolled = seeds.copy(), np.zeros(n * k, bool)
        everyone = np.ones(n * k, bool)
        for _ in range(months):
            aware |= spread_news(adj, aware, enrolled, params["project.news_prob"],
                                 params["project.news_prob_enrolled"], dynamics)
            enrolled |= enrol(adj, aware, enrolled, everyone, trust, threshold, params, dynamics, degree)
        taken = (enrolled & ~seeds).reshape(k, n)
        for r in range(k):
            out[b * batch + r] = np.bincount(groups.group, weights=taken[r], minlength=len(groups.labels))
    return out / groups.non_seeds


def to_params(unit: np.ndarray) -> list[dict[str, float]]:
    """Points of the unit cube to values of the fitted parameters (log scale where marked)."""
    rows = []
    for u in np.atleast_2d(unit):
        row = {}
        for x, key in zip(u, FITTED):
            lo, hi, log = BOUNDS[key]
            row[key] = float(np.exp(np.log(lo) + x * np.log(hi / lo))) if log else float(lo + x * (hi - lo))
        rows.append(row)
    return rows


@dataclass
class Design:
    """Simulated mean uptake per group for every candidate (common random numbers)."""

    unit: np.ndarray  # (candidates, len(FITTED)) in the unit cube
    predicted: np.ndarray  # (candidates, groups)


def objective(predicted: np.ndarray, observed: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted mean squared gap between simulated and observed uptake, per candidate."""
    return ((predicted - observed) ** 2 * weight).sum(axis=-1) / weight.sum()


def run_design(groups: Groups, base: dict, months: int, replicates: int, seed: int, points: int,
               keep: float = 0.06) -> Design:
    """Two Sobol stages: the whole box, then the box around the best ``keep`` share of stage 1."""
    from scipy.stats import qmc

    ss = np.random.SeedSequence(seed)
    design_seed, sim_seed = (int(s.generate_state(1)[0]) for s in ss.spawn(2))
    observed, weight = groups.observed(), groups.non_seeds

    def evaluate(unit):
        return np.array([simulate(groups, {**base, **p}, months, replicates, sim_seed).mean(axis=0)
                         for p in to_params(unit)])

    sobol = qmc.Sobol(len(FITTED), scramble=True, seed=design_seed)
    first = sobol.random(points)
    pred1 = evaluate(first)
    best = first[np.argsort(objective(pred1, observed, weight))[: max(4, int(keep * points))]]
    lo, hi = best.min(axis=0), best.max(axis=0)
    margin = 0.1 * (hi - lo) + 0.02
    lo, hi = np.maximum(lo - margin, 0.0), np.minimum(hi + margin, 1.0)
    second = lo + qmc.Sobol(len(FITTED), scramble=True, seed=design_seed + 1).random(points) * (hi - lo)
    return Design(np.vstack([first, second]), np.vstack([pred1, evaluate(second)]))


def fit(design: Design, observed: np.ndarray, weight: np.ndarray) -> int:
    """Index of the candidate with the smallest objective."""
    return int(np.argmin(objective(design.predicted, observed, weight)))


def bootstrap(design: Design, observed: np.ndarray, weight: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Estimates (unit cube) refitted on groups resampled with replacement, shape (draws, len(FITTED))."""
    rng = np.random.default_rng(seed)
    g = observed.size
    out = np.empty((draws, len(FITTED)))
    for b in range(draws):
        counts = np.bincount(rng.integers(0, g, g), minlength=g)
        out[b] = design.unit[fit(design, observed, weight * counts)]
    return out


def summary(observed: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """R-squared (1 - SSE/SST), Pearson correlation and root mean squared error."""
    sse = float(((observed - predicted) ** 2).sum())
    sst = float(((observed - observed.mean()) ** 2).sum())
    return {"r2": 1.0 - sse / sst if sst > 0 else float("nan"),
            "correlation": float(np.corrcoef(observed, predicted)[0, 1]),
            "rmse": math.sqrt(sse / observed.size)}


# --- params.toml -------------------------------------------------------------------


def write_params(path: Path, values: dict, intervals: dict, months: int, info: dict) -> None:
    lines = [
        "# villagesim calibrate: project-uptake parameters fitted by simulated method of moments.",
        "# [params] is what `villagesim predict --params` runs; intervals are bootstrap over groups.",
        "",
        "[params]",
        *(f'"{k}" = {values[k]!r}' for k in (*FITTED, *FIXED)),
        "",
        "[calibration]",
        f"months = {months}",
        *(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in info.items()),
        "",
        "[calibration.interval95]",
        *(f'"{k}" = [{lo!r}, {hi!r}]' for k, (lo, hi) in intervals.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_params(path: str) -> tuple[dict, int]:
    """The parameters and months of a params.toml written by ``calibrate``."""
    from villagesim.params import resolve
    from villagesim.params.scenarios import read_toml

    table = read_toml(path, "--params")
    values, cal = table.get("params"), table.get("calibration")
    if not isinstance(values, dict) or not isinstance(cal, dict):
        raise InputError(f"--params {path}: needs [params] and [calibration] tables, as written by villagesim calibrate")
    missing = [k for k in (*FITTED, *FIXED) if k not in values]
    if missing:
        raise InputError(f"--params {path}: [params] lacks {missing[0]!r}")
    try:
        params = resolve(values)
    except InputError as err:
        raise InputError(f"--params {path}: {err}") from None
    months = cal.get("months")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 10_000:
        raise InputError(f"--params {path}: calibration.months must be an integer in [1, 10000], got {months!r}")
    return params, months
