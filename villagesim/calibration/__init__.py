"""Calibrate the project-uptake rule on real networks, and predict uptake on others.

``villagesim calibrate`` reads a node CSV (id, group, seed flag, outcome
flag) and an edge CSV and fits the parameters in :data:`FITTED` by
simulated method of moments (:mod:`villagesim.calibration.moments`). The
simulator (:mod:`villagesim.calibration.rule`) is the village model's own
uptake rule, :mod:`villagesim.submodels.uptake`, on each group's real
network. ``villagesim predict`` runs the fitted rule on other groups, with
the seeds' observed decisions as inputs (``--given-seeds``) or simulated.
"""

import importlib

_HOMES = {
    "data": ("Groups", "read_groups", "subset"),
    "moments": ("BASELINES", "BOUNDS", "MOMENT_NAMES", "REFIT_TOLERANCE", "Calibration", "Fit", "Objective", "Profile",
                "baseline_fit", "baseline_predict", "calibrate", "covariates", "fit", "interval", "leave_one_out",
                "profile", "search", "shape", "summary", "to_params"),
    "prediction": ("predict", "read_params", "write_csv", "write_params"),
    "rule": ("simulate",),
    "settings": ("DEFAULT_SEED", "FITTED", "FIXED"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str):
    # Imported on first use, so that the light settings (and the command line's refusals) need no scipy.
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = ["BASELINES", "BOUNDS", "DEFAULT_SEED", "FITTED", "FIXED", "MOMENT_NAMES", "REFIT_TOLERANCE", "Calibration",
           "Fit", "Groups", "Objective", "Profile", "baseline_fit", "baseline_predict", "calibrate", "covariates",
           "fit", "interval", "leave_one_out", "predict", "profile", "read_groups", "read_params", "search",
           "shape", "simulate", "subset", "summary", "to_params", "write_csv", "write_params"]
