"""The village social network: generated hamlets and households, or a real one.

Ties are undirected and unweighted, held as a symmetric ``scipy.sparse``
CSR matrix with no self-loops: row ``i`` lists the people ``i`` talks to.

Generated villages (:func:`generate_layout` then :func:`generate_ties`)
follow the ODD's "social network" section: households clustered in hamlets
(自然村), everyone tied to their own household, to people in neighbouring
households of the hamlet (a ring lattice, so ties are clustered), to a few
random kin in the hamlet, and through rare bridges to other hamlets and to
the next village of a region.

Examples
--------
>>> import numpy as np
>>> adj = from_edges(3, np.array([0, 1, 1]), np.array([1, 2, 1]))
>>> adj.toarray().astype(int).tolist()
[[0, 1, 0], [1, 0, 1], [0, 1, 0]]
"""

from __future__ import annotations

import array
import csv
import functools
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

from villagesim.params import MAX_PEOPLE
from villagesim.errors import InputError, did_you_mean

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest node or edge file accepted (256 MiB), far above any village survey."""

MAX_NODES = MAX_PEOPLE

RELATION = "relation"
"""Column of an edge CSV naming the kind of tie (``--relations`` keeps some kinds)."""


def from_edges(n: int, src: np.ndarray, dst: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 CSR adjacency of ``n`` nodes; self-loops and repeats dropped."""
    import scipy.sparse as sp  # here, so that reading (checking) network files needs numpy only

    keep = src != dst
    src, dst = src[keep], dst[keep]
    rows = np.concatenate([src, dst]).astype(np.int32)
    cols = np.concatenate([dst, src]).astype(np.int32)
    adj = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    # numpy gathers with native-width indices at about half the cost of int32 ones.
    adj.indices, adj.indptr = adj.indices.astype(np.intp), adj.indptr.astype(np.intp)
    return adj


def thin_member_ties(adj: sp.csr_matrix, household: np.ndarray, member: np.ndarray, keep: float,
                     rng: np.random.Generator) -> sp.csr_matrix:
    """``adj`` with each tie between a member and someone outside the member's household kept with chance
    ``keep`` (a branch whose members have few ties among the villagers); ``adj`` itself if ``keep`` is 1.

    >>> adj = from_edges(4, np.array([0, 0, 1]), np.array([1, 2, 3]))
    >>> thinned = thin_member_ties(adj, np.array([0, 0, 1, 2]), np.array([True, False, False, False]), 0.0,
    ...                            np.random.default_rng(0))
    >>> [(int(i), int(j)) for i, j in zip(*thinned.nonzero())]  # the member keeps its household tie, not 0-2
    [(0, 1), (1, 0), (1, 3), (3, 1)]
    """
    if keep >= 1.0:
        return adj
    upper = adj.tocoo()
    one_way = upper.row < upper.col
    src, dst = upper.row[one_way], upper.col[one_way]
    drop = ((member[src] | member[dst]) & (household[src] != household[dst])
            & (rng.random(src.size) >= keep))
    return from_edges(adj.shape[0], src[~drop], dst[~drop])


BULK_ROWS = 2048
"""From this many rows, :func:`neighbours` lets scipy's row selection copy their ties: compiled, about twice as
fast per tie as gathering them with numpy, but some 80 µs a call, which a village's few rows do not repay."""


def neighbours(adj: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """The neighbours of ``rows``, row after row, each row's in the order of ``adj.indices`` (native-width indices)."""
    if rows.size >= BULK_ROWS:
        return adj[rows].indices.astype(np.intp, copy=False)
    stop = adj.indptr[rows + 1]
    length = stop - adj.indptr[rows]
    ends = length.cumsum()
    ties = (stop - ends).repeat(length) + np.arange(ends[-1] if ends.size else 0)
    return adj.indices[ties]


def degrees(adj: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """The number of ties of each of ``rows``."""
    return adj.indptr[rows + 1] - adj.indptr[rows]


def row_sums(adj: sp.csr_matrix, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``(adj @ x)[rows]`` for unweighted ties, walking only the ties of ``rows``."""
    values = x[neighbours(adj, rows)]
    length = degrees(adj, rows)
    sums = np.zeros(rows.size)
    tied = length > 0
    if tied.any():
        sums[tied] = np.add.reduceat(values, (length.cumsum() - length)[tied], dtype=np.float64)
    return sums


def column_sums(adj: sp.csr_matrix, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """``adj @ v`` for unweighted ties, ``v`` being ``weights`` on ``rows`` (1 if omitted: integer counts) and 0 elsewhere.

    The adjacency is symmetric, so this walks only the ties of ``rows``.
    """
    w = None if weights is None else np.repeat(weights, degrees(adj, rows))
    return np.bincount(neighbours(adj, rows), weights=w, minlength=adj.shape[0])


@dataclass
class Layout:
    """Who lives where: village, hamlet and household of each person (global ids)."""

    village: np.ndarray
    hamlet: np.ndarray
    household: np.ndarray
    venue_hamlet: np.ndarray  # per village: the hamlet that hosts the venue


def generate_layout(params: dict, rng: np.random.Generator) -> Layout:
    """Households of geometric size grouped in contiguous hamlets, village by village."""
    villages = params["region.villages"]
    per_village = params["village.population"]
    n_hamlets = params["village.hamlets"]
    n = villages * per_village
    # Household sizes: 1 + geometric, mean = household_size; drawn for the whole region.
    mean_extra = params["village.household_size"] - 1.0
    sizes = np.ones(n, np.int64)
    if mean_extra > 0:
        sizes += rng.geometric(1.0 / (1.0 + mean_extra), size=n) - 1
    starts = np.concatenate([[0], np.cumsum(sizes)])
    person = np.arange(n)
    household = np.searchsorted(starts, person, side="right") - 1
    village = person // per_village
    # A household never straddles villages: start a new one at each boundary.
    household = household + village  # distinct from the last household of the previous village
    _, household = np.unique(household, return_inverse=True)
    local_rank = _rank_within(household, village)
    hh_count = np.bincount(village[np.r_[0, (np.diff(household)).nonzero()[0] + 1]], minlength=villages)
    hamlet_local = np.minimum(local_rank * n_hamlets // hh_count[village], n_hamlets - 1)
    hamlet = village * n_hamlets + hamlet_local
    return Layout(
        village=village.astype(np.intp),
        hamlet=hamlet.astype(np.intp),
        household=household.astype(np.intp),
        venue_hamlet=np.arange(villages) * n_hamlets,
    )


def _rank_within(household: np.ndarray, village: np.ndarray) -> np.ndarray:
    """Index of each person's household among the households of its village."""
    new_household = np.r_[True, household[1:] != household[:-1]]
    household_number = np.cumsum(new_household) - 1
    first_of_village = np.searchsorted(village, village, side="left")
    return household_number - household_number[first_of_village]


def _group_bounds(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted integer labels: first index and size of each person's group."""
    first = np.searchsorted(groups, groups, side="left")
    last = np.searchsorted(groups, groups, side="right")
    return first, last - first


def generate_ties(layout: Layout, params: dict, rng: np.random.Generator) -> sp.csr_matrix:
    """Household, neighbour, kin, bridge and inter-village ties as a CSR matrix."""
    household, hamlet, village = layout.household, layout.hamlet, layout.village
    n = household.size
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    person = np.arange(n)

    # Everyone in a household knows everyone else in it.
    _, hh_size = _group_bounds(household)
    for offset in range(1, int(hh_size.max(initial=1))):
        pair = person[: n - offset][household[: n - offset] == household[offset:]]
        src.append(pair)
        dst.append(pair + offset)

    # Neighbour ties: each person to one random person in each of the next k/2
    # households along the hamlet's ring, so the lattice stays clustered.
    _, hh_start = np.unique(household, return_index=True)
    hh_sizes = np.diff(np.r_[hh_start, n])
    hh_hamlet = hamlet[hh_start]
    hh_in_hamlet_first, hh_in_hamlet_count = _group_bounds(hh_hamlet)
    own_hh = household  # households are numbered 0..H-1 in person order
    rank_in_hamlet = own_hh - hh_in_hamlet_first[own_hh]
    for step in range(1, params["network.neighbour_households"] // 2 + 1):
        count = hh_in_hamlet_count[own_hh]
        ok = count > step
        target_hh = hh_in_hamlet_first[own_hh] + (rank_in_hamlet + step) % count
        target = hh_start[target_hh] + (rng.random(n) * hh_sizes[target_hh]).astype(np.int64)
        src.append(person[ok])
        dst.append(target[ok])

    ham_first, ham_size = _group_bounds(hamlet)
    vil_first, vil_size = _group_bounds(village)
    _random_ties(src, dst, rng, params["network.kin_ties"], ham_first, ham_size)
    _random_ties(src, dst, rng, params["network.bridge_ties"], vil_first, vil_size)
    villages = params["region.villages"]
    if villages > 1:
        # Ties to the next village along the road (a ring of villages).
        nxt = (village + 1) % villages
        nxt_first = np.searchsorted(village, nxt, side="left")
        nxt_size = np.searchsorted(village, nxt, side="right") - nxt_first
        _random_ties(src, dst, rng, params["region.village_ties"], nxt_first, nxt_size)
    return from_edges(n, np.concatenate(src), np.concatenate(dst))


def _random_ties(src, dst, rng, mean_degree, first, size) -> None:
    """Each person draws Poisson(mean/2) partners uniformly from [first, first+size)."""
    if mean_degree <= 0:
        return
    n = first.size
    counts = rng.poisson(mean_degree / 2.0, size=n)
    who = np.repeat(np.arange(n), counts)
    partner = first[who] + (rng.random(who.size) * size[who]).astype(np.int64)
    src.append(who)
    dst.append(partner)


# --- real networks ---------------------------------------------------------

NODE_COLUMNS = ("role", "age", "household", "hamlet", "away")
ROLES = {"resident": 0, "youth": 1, "member": 2}


@dataclass
class ImportedNetwork:
    """A network read from files: the ids, both ends of each tie and whatever attributes were given."""

    ids: np.ndarray
    ends: tuple[np.ndarray, np.ndarray]
    columns: dict[str, np.ndarray]

    @functools.cached_property
    def adjacency(self) -> sp.csr_matrix:
        return from_edges(self.ids.size, *self.ends)


def _read_table(path: str, what: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and a lazy iterator of (line number, row) of a CSV file, with clear one-line errors.

    Rows are streamed, not loaded at once, so a file under the size limit is
    refused by the row limits below rather than by running out of memory.
    """
    if not os.path.isfile(path):
        raise InputError(f"{what} {path}: no such file")
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise InputError(f"{what} {path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit for network files")
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InputError(f"{what} {path}: cannot read it ({err.strerror})") from None
    rows = _rows(handle, path, what)
    first = next(rows, None)
    if first is None:
        raise InputError(f"{what} {path}: empty file; a header line is required")
    return [cell.strip() for cell in first[1]], rows


def _rows(handle, path: str, what: str) -> Iterator[tuple[int, list[str]]]:
    with handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except UnicodeDecodeError:
            # Decoding runs a block ahead of the parser, so only a lower bound on the line is known.
            where = f" (after line {reader.line_num})" if reader.line_num else ""
            raise InputError(f"{what} {path}: not UTF-8 text{where}") from None
        except csv.Error as err:
            raise InputError(f"{what} {path} line {reader.line_num}: {err}") from None


@dataclass
class NodeTable:
    """A node CSV checked for shape and unique ids: its header, rows and id index."""

    path: str
    header: list[str]
    rows: list[list[str]]
    ids: np.ndarray
    index: dict[str, int]
    lines: list[int]  # line of each row in the file (blank lines are skipped)

    def column(self, name: str) -> list[str]:
        k = self.header.index(name)
        return [row[k].strip() for row in self.rows]


def read_node_table(path: str, what: str, id_col: str = "id", required: tuple[str, ...] = ()) -> NodeTable:
    """Read a node CSV: the id column and ``required`` columns must exist, ids be non-empty and unique."""
    header, lines = _read_table(path, what)
    for name in (id_col, *required):
        if name not in header:
            raise InputError(f"{what} {path}: no {name!r} column; {did_you_mean(name, header)}"
                             f"columns: {', '.join(header)}")
    k = header.index(id_col)
    rows: list[list[str]] = []
    numbers: list[int] = []
    index: dict[str, int] = {}
    for line, row in lines:
        if len(row) != len(header):
            raise InputError(f"{what} {path} line {line}: {len(row)} fields, header has {len(header)}")
        ident = row[k].strip()
        if ident == "":
            raise InputError(f"{what} {path} line {line}: empty {id_col}")
        if ident in index:
            raise InputError(f"{what} {path} line {line}: duplicate {id_col} {ident!r}")
        if len(rows) == MAX_NODES:
            raise InputError(f"{what} {path} line {line}: more than the limit of {MAX_NODES} nodes")
        index[ident] = len(rows)
        rows.append(row)
        numbers.append(line)
    if not rows:
        raise InputError(f"{what} {path}: no nodes")
    return NodeTable(path, header, rows, np.array(list(index), dtype=object), index, numbers)


def read_edge_list(path: str, what: str, nodes: NodeTable,
                   relations: tuple[str, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Node indices of both ends of every tie in an edge CSV (its first two columns are ids).

    With ``relations``, only the rows whose ``relation`` column holds one of them are kept; a name that no
    row holds is refused, with the closest one the file has.
    """
    header, lines = _read_table(path, what)
    if len(header) < 2:
        raise InputError(f"{what} {path}: needs two id columns, found {len(header)}")
    if header[0] in nodes.index and header[1] in nodes.index:
        # Without this, a file with no header line would silently lose its first tie.
        raise InputError(f"{what} {path} line 1: {header[0]!r} and {header[1]!r} are node ids; "
                         "the first line must be a header, e.g. source,target")
    if relations is not None and RELATION not in header:
        raise InputError(f"{what} {path}: --relations needs a {RELATION!r} column (columns: {', '.join(header)})")
    k = header.index(RELATION) if relations is not None else -1
    seen: set[str] = set()
    ends = array.array("q")
    for line, row in lines:
        if len(row) < max(2, k + 1):
            raise InputError(f"{what} {path} line {line}: needs two ids" + (f" and a {RELATION}" if k >= 0 else ""))
        if k >= 0:
            seen.add(row[k].strip())
            if row[k].strip() not in relations:
                continue
        for end in (row[0].strip(), row[1].strip()):
            if end not in nodes.index:
                raise InputError(f"{what} {path} line {line}: id {end!r} is not in {nodes.path}")
            ends.append(nodes.index[end])
    unknown = [name for name in relations or () if name not in seen]
    if unknown:
        raise InputError(f"{what} {path}: no tie has {RELATION} {unknown[0]!r}; {did_you_mean(unknown[0], seen)}"
                         f"relations: {', '.join(sorted(seen))}")
    pairs = np.array(ends, np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]



def read_network(nodes_path: str, edges_path: str) -> ImportedNetwork:
    """Read a node CSV (``id`` and optional attributes) and an edge CSV (two id columns)."""
    nodes = read_node_table(nodes_path, "network.nodes")
    columns = {name: _parse_column(nodes_path, name, nodes.column(name), nodes.lines) for name in NODE_COLUMNS
               if name in nodes.header}
    src, dst = read_edge_list(edges_path, "network.edges", nodes)
    return ImportedNetwork(ids=nodes.ids, ends=(src, dst), columns=columns)


def parse_flag(where: str, name: str, values: list[str], required: bool = False,
               lines: list[int] | None = None) -> np.ndarray:
    """A 0/1 column (also true/false, yes/no); blank cells are -1, or an error if ``required``."""
    truthy, falsy = {"1", "true", "yes"}, {"0", "false", "no"}
    for line, v in zip(lines or itertools.count(2), values):
        if (v or required) and v.lower() not in truthy | falsy:
            raise InputError(f"{where} line {line}: {name} {v!r} must be 0/1 or true/false")
    return np.array([-1 if not v else int(v.lower() in truthy) for v in values], np.int8)


def _parse_column(path: str, name: str, values: list[str], lines: list[int]) -> np.ndarray:
    """Typed column; blank cells become missing (NaN or -1) and are filled later."""
    if name == "role":
        for line, v in zip(lines, values):
            if v and v.lower() not in ROLES:
                raise InputError(f"network.nodes {path} line {line}: role {v!r} is not one of member, youth, resident")
        return np.array([ROLES[v.lower()] if v else -1 for v in values], np.int8)
    if name == "away":
        return parse_flag(f"network.nodes {path}", name, values, lines=lines)
    if name == "age":
        out = np.full(len(values), np.nan)
        for k, (line, v) in enumerate(zip(lines, values)):
            if v:
                try:
                    out[k] = float(v)
                except ValueError:
                    out[k] = np.nan
                if not 18 <= out[k] <= 120:
                    raise InputError(f"network.nodes {path} line {line}: age {v!r} must be a number in [18, 120]")
        return out
    # household, hamlet: any label; blank means unknown
    labels = {}
    return np.array([labels.setdefault(v, len(labels)) if v else -1 for v in values], np.int64)


def imported_layout(net: ImportedNetwork, seed: int) -> Layout:
    """Households and hamlets of an imported network; missing ones are inferred.

    A node without a household lives alone. Without a hamlet column, hamlets
    are the network's Louvain communities (seeded, so the same files give
    the same hamlets). The venue stands in the largest hamlet.
    """
    import networkx as nx

    n = net.ids.size
    household = net.columns.get("household", np.full(n, -1))
    household = np.where(household >= 0, household, household.max(initial=-1) + 1 + np.arange(n))
    if "hamlet" in net.columns and (net.columns["hamlet"] >= 0).all():
        hamlet = net.columns["hamlet"]
    else:
        graph = nx.from_scipy_sparse_array(net.adjacency)
        hamlet = np.empty(n, np.int64)
        for label, community in enumerate(nx.community.louvain_communities(graph, seed=seed)):
            hamlet[list(community)] = label
    _, household = np.unique(household, return_inverse=True)
    _, hamlet = np.unique(hamlet, return_inverse=True)
    return Layout(
        village=np.zeros(n, np.intp),
        hamlet=hamlet.astype(np.intp),
        household=household.astype(np.intp),
        venue_hamlet=np.array([np.bincount(hamlet).argmax()]),
    )
