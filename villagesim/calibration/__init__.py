"""Calibrate the project-uptake rule on real networks, and predict uptake on others.

``villagesim calibrate`` reads a node CSV (id, group, seed flag, outcome
flag) and an edge CSV and fits the parameters in :data:`FITTED` by
simulated method of moments (:mod:`villagesim.calibration.moments`). The
simulator (:mod:`villagesim.calibration.rule`) is the village model's own
uptake rule, :mod:`villagesim.submodels.uptake`, on each group's real
network. ``villagesim predict`` runs the fitted rule on other groups, with
the seeds' observed decisions as inputs (``--given-seeds``) or simulated.

With adoption periods (``--time-col``) the same fit runs on the moments of
time or the likelihood of the adoption periods
(:mod:`~villagesim.calibration.timing`), ``predict`` gives each person's
chance of adopting in each period given the history before it
(:mod:`~villagesim.calibration.hazard`); membership (``--participation-col``)
is fitted by the participation rule (:mod:`~villagesim.calibration.membership`);
every predicted share carries a 90% interval
(:mod:`~villagesim.calibration.intervals`); :mod:`~villagesim.calibration.folds`
leaves one village out with the whole procedure in each fold.
"""

import importlib

_HOMES = {
    "data": ("Groups", "read_groups", "subset"),
    "folds": ("leave_one_out_time", "leave_one_out_uptake"),
    "hazard": ("baseline_hazards", "fit_baselines", "hazards", "person_periods", "scores"),
    "intervals": ("posterior_draws", "predictive_interval"),
    "membership": ("MembershipObjective", "fit_membership"),
    "timing": ("LikelihoodObjective", "TimingObjective", "adoption_periods", "curves"),
    "moments": ("BASELINES", "BOUNDS", "MOMENT_NAMES", "REFIT_TOLERANCE", "Calibration", "Fit", "Objective", "Profile",
                "baseline_fit", "baseline_predict", "calibrate", "covariates", "fit", "interval", "leave_one_out",
                "profile", "search", "shape", "summary", "to_params"),
    "prediction": ("predict", "read_params", "write_csv", "write_params"),
    "rule": ("simulate",),
    "settings": ("DEFAULT_SEED", "FITTED", "FIXED", "PERIOD_MONTHS", "TIME_FITTED", "TIME_FIXED"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str):
    # Imported on first use, so that the light settings (and the command line's refusals) need no scipy.
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = sorted(_HOME)
