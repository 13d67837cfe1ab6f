"""villagesim: an agent-based model of how a village Party branch mobilises its village.

>>> from villagesim import VillageModel
>>> frame = VillageModel.from_scenario("default", seed=1).run(12).timeseries()
>>> list(frame.columns[:4])
['step', 'participation_rate', 'project_uptake', 'trust_mean']

The best use of a budget (:func:`villagesim.plan`, :mod:`villagesim.planner`)::

    result = villagesim.plan("hollowed", budget=30)   # 万元 over 120 months
    result.best.overrides, result.best.mean, result.best.ci

``import villagesim`` is light: the model (and with it Mesa, pandas and
scipy) is imported when ``VillageModel`` or ``plan`` is first used, so that
the command line can answer ``--help`` or refuse bad input without that cost.
"""

from villagesim.errors import InputError

__version__ = "0.1.0"
__all__ = ["InputError", "VillageModel", "__version__", "plan"]


def __getattr__(name: str):
    if name == "VillageModel":
        from villagesim.model import VillageModel

        return VillageModel
    if name == "plan":
        from villagesim.planner import plan

        return plan
    raise AttributeError(f"module 'villagesim' has no attribute {name!r}")
