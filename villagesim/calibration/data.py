"""Real networks for calibration: nodes in groups (villages), their seeds, outcomes and ties."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

import numpy as np

from villagesim.errors import InputError
from villagesim.network import from_edges, parse_flag, read_edge_list, read_node_table

if TYPE_CHECKING:
    import scipy.sparse as sp


@dataclass
class Groups:
    """Nodes split into groups (villages), with the seeds and, if given, the observed outcome."""

    labels: list[str]
    group: np.ndarray  # group index of each node
    adjacency: sp.csr_matrix  # within-group ties only
    seed: np.ndarray  # bool
    outcome: np.ndarray | None  # bool, or None without an outcome column
    dropped_ties: int  # ties between different groups, ignored
    time: np.ndarray | None = None  # adoption period (1, 2, ...); last_period means not adopted by the survey
    last_period: int | None = None  # the survey's period: censored, not an adoption
    participation: np.ndarray | None = None  # bool: belongs to the village's own organisation
    ids: np.ndarray | None = None  # each node's id in the node file
    age: np.ndarray | None = None  # years, for the independent-choice baseline of membership
    _blocks: dict = field(default_factory=dict, repr=False, compare=False)

    def blocks(self, k: int) -> sp.csr_matrix:
        """``k`` copies of the network as one block-diagonal matrix (built once per ``k``)."""
        if k not in self._blocks:
            import scipy.sparse as sp

            self._blocks[k] = sp.kron(sp.identity(k, format="csr"), self.adjacency, format="csr")
        return self._blocks[k]

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

    def seeds_observed(self) -> np.ndarray:
        """Outcome share among the seeds of each group."""
        hits = np.bincount(self.group, weights=self.outcome & self.seed, minlength=len(self.labels))
        return hits / (self.size - self.non_seeds)


def read_groups(nodes: str, edges: str, id_col: str, group_col: str, seed_col: str,
                outcome_col: str | None = None, time_col: str | None = None, last_period: int | None = None,
                participation_col: str | None = None, relations: tuple[str, ...] | None = None,
                age_col: str | None = None) -> Groups:
    """Read and check the node and edge files; every group needs a seed and a non-seed node.

    ``time_col`` holds each node's adoption period, whole numbers from 1 to ``last_period``, which means
    not adopted by the survey (censored); the largest period in the file must be ``last_period``.
    ``relations`` keeps only the ties of those kinds (the edge file's ``relation`` column).
    """
    if (time_col is None) != (last_period is None):
        raise InputError("--time-col and --last-period: give both (the adoption period, and the period that means "
                         "not adopted by the survey) or neither")
    wanted = (group_col, seed_col) + tuple(c for c in (outcome_col, time_col, participation_col, age_col) if c)
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
    time = read_periods(where, time_col, table.column(time_col), last_period, table.lines) if time_col else None
    participation = None
    if participation_col:
        participation = parse_flag(where, participation_col, table.column(participation_col), True,
                                   table.lines).astype(bool)
    age = read_numbers(where, age_col, table.column(age_col), table.lines) if age_col else None
    src, dst = read_edge_list(edges, "--edges", table, relations)
    across = group[src] != group[dst]
    # Nominations are directed, but news and influence pass both ways along a tie that either side names
    # (and the surveys capped how many each could name): the network is the symmetric one.
    adjacency = from_edges(group.size, src[~across], dst[~across])
    return Groups(labels, group.astype(np.int64), adjacency, seed, outcome, int(across.sum()), time, last_period,
                  participation, table.ids, age)


def read_numbers(where: str, name: str, values: list[str], lines: list[int]) -> np.ndarray:
    """A column of finite numbers."""
    out = np.empty(len(values))
    for k, (line, v) in enumerate(zip(lines, values)):
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = math.nan
        if not math.isfinite(out[k]):
            raise InputError(f"{where} line {line}: {name} {v!r} must be a number")
    return out


def read_periods(where: str, name: str, values: list[str], last_period: int, lines: list[int]) -> np.ndarray:
    """Whole periods from 1 to ``last_period`` (which the data must reach: it holds the censored)."""
    out = np.empty(len(values), np.int64)
    for k, (line, v) in enumerate(zip(lines, values)):
        try:
            number = float(v)
        except ValueError:
            number = math.nan
        if not (number.is_integer() and 1 <= number <= last_period):
            raise InputError(f"{where} line {line}: {name} {v!r} must be a whole period from 1 to --last-period "
                             f"{last_period}")
        out[k] = int(number)
    if out.max() != last_period:
        raise InputError(f"{where}: --last-period {last_period} does not match the data: the largest {name} is "
                         f"{out.max()}, and the last period holds those not adopted by the survey")
    return out


def subset(groups: Groups, keep: np.ndarray) -> Groups:
    """The groups flagged in ``keep`` alone (their nodes, ties, seeds and outcomes), in the same order."""
    nodes = np.flatnonzero(keep[groups.group])
    number = np.cumsum(keep) - 1
    def pick(values):
        return None if values is None else values[nodes]

    return Groups([lab for lab, k in zip(groups.labels, keep) if k], number[groups.group[nodes]],
                  groups.adjacency[nodes][:, nodes].tocsr(), groups.seed[nodes], pick(groups.outcome), 0,
                  pick(groups.time), groups.last_period, pick(groups.participation), pick(groups.ids), pick(groups.age))


def distance_from_seeds(groups: Groups) -> np.ndarray:
    """Ties between each node and the nearest seed of its group (inf if no path)."""
    from scipy.sparse.csgraph import shortest_path

    out = np.full(groups.group.size, np.inf)
    for g in range(len(groups.labels)):
        nodes = np.flatnonzero(groups.group == g)
        seeds = np.flatnonzero(groups.seed[nodes])
        out[nodes] = shortest_path(groups.adjacency[nodes][:, nodes], unweighted=True, indices=seeds).min(axis=0)
    return out


def seeds_centrality(groups: Groups) -> np.ndarray:
    """Mean eigenvector centrality (unit norm, within the group's largest component) of each group's seeds."""
    from scipy.sparse.csgraph import connected_components

    out = np.empty(len(groups.labels))
    for g in range(len(groups.labels)):
        nodes = np.flatnonzero(groups.group == g)
        adj = groups.adjacency[nodes][:, nodes]
        _, label = connected_components(adj, directed=False)
        giant = label == np.bincount(label).argmax()
        centrality = np.zeros(nodes.size)
        if giant.sum() > 1:  # a village without ties has no centrality to speak of: its seeds score 0
            vector = np.linalg.eigh(adj[giant][:, giant].toarray())[1][:, -1]
            centrality[giant] = np.abs(vector)
        out[g] = centrality[groups.seed[nodes]].mean()
    return out
