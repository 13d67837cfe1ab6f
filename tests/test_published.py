"""Published results reproduced with the participation rule in pure-threshold mode, at test-suite size.

Each claim is checked over many independent runs with a 99% Clopper-Pearson
or Student-t interval, never on one run. The full-size figures come from
experiments/watts_cascades.py and experiments/centola_macy.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


watts = _load("watts_cascades")
centola = _load("centola_macy")


def clopper_pearson(hits: int, n: int, level: float = 0.99) -> tuple[float, float]:
    ci = stats.binomtest(hits, n).proportion_ci(level, method="exact")
    return ci.low, ci.high


def t_interval(x: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return x.mean() - half, x.mean() + half


# --- Watts (2002) ----------------------------------------------------------------------

PHI = 0.18


def test_analytic_cascade_window_matches_watts_figure_1():
    """For threshold 0.18 Watts's window runs from z = 1 to about z = 6 (his Fig. 1)."""
    low, high = watts.window(PHI, np.linspace(0.3, 10.5, 400))
    assert 0.95 < low < 1.2
    assert 5.5 < high < 6.5
    assert watts.analytic_frequency(0.8, PHI) == 0.0 and watts.analytic_frequency(7.0, PHI) == 0.0
    assert watts.analytic_frequency(3.0, PHI) > 0.8


@pytest.mark.parametrize("z, inside", [(0.6, False), (2.0, True), (4.0, True), (8.0, False)])
def test_global_cascades_occur_inside_the_window_only(z, inside):
    rng = np.random.default_rng(int(z * 100))
    runs = 200
    shares = watts.cascade_shares(2000, z, PHI, runs, rng)
    low, high = clopper_pearson(int((shares > 0.1).sum()), runs)
    if inside:
        expected = watts.analytic_frequency(z, PHI)
        assert low - 0.08 < expected < high + 0.08  # finite-size graphs, n = 2,000
        assert low > 0.5
    else:
        assert high < 0.05


def test_no_global_cascades_just_outside_the_window_at_10000_nodes():
    """Not only far away: 0.3 below and 1.0 above the analytic window, Watts's graph size."""
    low, high = watts.window(PHI, np.linspace(0.3, 10.5, 400))
    for z in (low - 0.3, high + 1.0):
        shares = watts.cascade_shares(10_000, z, PHI, 100, np.random.default_rng(7))
        assert clopper_pearson(int((shares > 0.1).sum()), 100)[1] < 0.1, z


def test_cascades_are_bimodal_inside_the_window():
    """Global cascades take nearly everyone; the rest stay tiny (Watts's 'robust yet fragile')."""
    shares = watts.cascade_shares(2000, 3.0, PHI, 150, np.random.default_rng(7))
    assert ((shares < 0.02) | (shares > 0.8)).all()


# --- Centola and Macy (2007) ------------------------------------------------------------

N, DEGREE, RUNS = 400, 6, 30


def test_complex_contagion_travels_on_the_lattice_and_dies_on_the_rewired_graph():
    lattice_share, lattice_rounds = centola.experiment(N, DEGREE, 0.0, 2, RUNS, np.random.default_rng(1))
    random_share, random_rounds = centola.experiment(N, DEGREE, 1.0, 2, RUNS, np.random.default_rng(2))
    assert t_interval(lattice_share)[0] > 0.9
    assert t_interval(random_share)[1] < 0.2
    # Faster too: half the lattice is reached in every run, the rewired graph rarely gets there.
    assert np.isfinite(lattice_rounds).all()
    assert clopper_pearson(int(np.isfinite(random_rounds).sum()), RUNS)[1] < 0.2


def test_simple_contagion_is_faster_on_the_rewired_graph():
    lattice_share, lattice_rounds = centola.experiment(N, DEGREE, 0.0, 1, RUNS, np.random.default_rng(3))
    random_share, random_rounds = centola.experiment(N, DEGREE, 1.0, 1, RUNS, np.random.default_rng(4))
    assert lattice_share.min() == 1.0 and clopper_pearson(int((random_share == 1.0).sum()), RUNS)[0] > 0.8
    assert np.isfinite(random_rounds).all()
    assert t_interval(random_rounds)[1] < t_interval(lattice_rounds)[0]
