"""The design: the points a spec stands for (grid, or sampled with SALib), and their overrides."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from villagesim.errors import InputError

if TYPE_CHECKING:  # the spec module imports this one to check a spec's points: no import back at run time
    from villagesim.sweep.spec import Spec

MORRIS_LEVELS = 4
SCENARIO_FACTOR = "scenario"
"""The factor whose values are presets or scenario files rather than a parameter's values."""


def problem(spec: Spec) -> dict[str, Any]:
    """The SALib problem of a sampled design."""
    return {"num_vars": len(spec.factors), "names": spec.factor_keys,
            "bounds": [[f.low, f.high] for f in spec.factors]}


def sample(spec: Spec) -> np.ndarray:
    """The raw SALib sample of a sampled design, one row per point (before integer rounding).

    Sobol' uses Saltelli's scheme without second-order terms: ``samples *
    (factors + 2)`` points. Morris draws ``samples`` trajectories of
    ``factors + 1`` points on a 4-level grid. LHS draws ``samples`` points.
    """
    from SALib.sample import latin, morris, sobol

    if spec.design == "lhs":
        return latin.sample(problem(spec), spec.samples, seed=spec.seed)
    if spec.design == "sobol":
        return sobol.sample(problem(spec), spec.samples, calc_second_order=False, seed=spec.seed)
    return morris.sample(problem(spec), spec.samples, num_levels=MORRIS_LEVELS, seed=spec.seed)


def points(spec: Spec) -> list[tuple]:
    """The design points in order, each a tuple of factor values (integers rounded for integer keys).

    >>> from villagesim.sweep import parse_spec
    >>> spec = parse_spec({"factors": {"village.hamlets": [3, 6], "interventions.venue.intensity": [0.0, 1.0]}})
    >>> points(spec)
    [(3, 0.0), (3, 1.0), (6, 0.0), (6, 1.0)]
    """
    if spec.design == "grid":
        return list(itertools.product(*(f.values for f in spec.factors)))
    params = spec.registry()
    kinds = [params.lookup(key).kind for key in spec.factor_keys]
    return [tuple(int(round(x)) if kind is int else float(x) for x, kind in zip(row, kinds))
            for row in sample(spec)]


def check_points(spec: Spec) -> None:
    """Refuse the spec if any design point is an invalid parameter combination or names unreadable networks."""
    from villagesim.network import read_network

    networks = set()
    registry = spec.registry()
    for point_id, point in enumerate(points(spec)):
        try:
            params = registry.resolve(point_overrides(spec, point))
            files = (params["network.nodes"], params["network.edges"])
            if files[0] and files not in networks:
                read_network(*files)  # once per pair, so no run fails on a missing or bad file
                networks.add(files)
        except InputError as err:
            where = ", ".join(f"{k} = {v!r}" for k, v in zip(spec.factor_keys, point))
            raise InputError(f"design point {point_id} ({where}): {err}") from None


def point_overrides(spec: Spec, point: tuple) -> dict[str, Any]:
    """Scenario, then ``[set]``, then the point's factor values."""
    values = dict(zip(spec.factor_keys, point))
    preset = spec.scenarios[values.pop(SCENARIO_FACTOR, spec.scenario)]
    return {**preset, **spec.set, **values}


def series_steps(months: int, every: int) -> list[int]:
    """Months kept in the time series: 0, every, 2*every, ... and the last month (none if every is 0).

    >>> series_steps(10, 4)
    [0, 4, 8, 10]
    """
    if every == 0:
        return []
    return sorted({*range(0, months + 1, every), months})
