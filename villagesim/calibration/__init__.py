"""Calibrate the project-uptake rule on real networks, and predict uptake on others.

``villagesim calibrate`` reads a node CSV (id, group, seed flag, outcome
flag) and an edge CSV and fits the parameters in :data:`FITTED` by
simulated method of moments (:mod:`villagesim.calibration.fit`). The
simulator (:mod:`villagesim.calibration.rule`) is the village model's own
uptake rule, :mod:`villagesim.submodels.uptake`, on each group's real
network. ``villagesim predict`` runs the fitted rule on other groups, with
the seeds' observed decisions as inputs (``--given-seeds``) or simulated.
"""

from villagesim.calibration.data import Groups, read_groups, subset
from villagesim.calibration.fit import (BASELINES, BOUNDS, DEFAULT_SEED, FITTED, FIXED, MOMENT_NAMES, Fit,
                                        baseline_fit, baseline_predict, covariates, fit, interval, leave_one_out,
                                        profile, summary, to_params)
from villagesim.calibration.predict import predict, read_params, write_csv, write_params
from villagesim.calibration.rule import simulate

__all__ = ["BASELINES", "BOUNDS", "DEFAULT_SEED", "FITTED", "FIXED", "MOMENT_NAMES", "Fit", "Groups", "baseline_fit",
           "baseline_predict", "covariates", "fit", "interval", "leave_one_out", "predict", "profile", "read_groups",
           "read_params", "simulate", "subset", "summary", "to_params", "write_csv", "write_params"]
