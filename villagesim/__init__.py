"""villagesim: an agent-based model of how a village Party branch mobilises its village.

>>> from villagesim import VillageModel
>>> frame = VillageModel.from_scenario("default", seed=1).run(12).timeseries()
>>> list(frame.columns[:4])
['step', 'participation_rate', 'project_uptake', 'trust_mean']
"""

from villagesim.errors import InputError
from villagesim.model import VillageModel

__version__ = "0.1.0"
__all__ = ["InputError", "VillageModel", "__version__"]
