"""villagesim: an agent-based model of how a village Party branch mobilises its village.

>>> from villagesim import VillageModel
>>> frame = VillageModel.from_scenario("default", seed=1).run(12).timeseries()
>>> list(frame.columns[:4])
['step', 'participation_rate', 'project_uptake', 'trust_mean']

The best use of a budget (:func:`villagesim.plan`, :mod:`villagesim.planner`)::

    result = villagesim.plan("hollowed", budget=30)   # 万元 over 120 months
    result.best.overrides, result.best.mean, result.best.ci

Which path alone is the best buy at a budget, over the plausible ranges of the
uncertain parameters (:func:`villagesim.compare`, :mod:`villagesim.best_buy`)::

    result = villagesim.compare("hollowed", budget=15)
    result.to_json()["paths"]       # gain, gain per 万元 (95% CIs) and P(best buy) of each path

``import villagesim`` is light: the model (and with it Mesa, pandas and
scipy) is imported when ``VillageModel``, ``plan`` or ``compare`` is first used, so that
the command line can answer ``--help`` or refuse bad input without that cost.
"""

from villagesim.errors import InputError

__version__ = "0.1.0"
__all__ = ["InputError", "VillageModel", "__version__", "compare", "plan"]


def __getattr__(name: str):
    if name == "VillageModel":
        from villagesim.model import VillageModel

        return VillageModel
    if name == "plan":
        from villagesim.planner import plan

        return plan
    if name == "compare":
        from villagesim.best_buy import compare

        return compare
    raise AttributeError(f"module 'villagesim' has no attribute {name!r}")
