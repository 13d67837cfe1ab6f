"""The parameters: one typed registry of dotted keys (:mod:`~villagesim.params.registry`);
the village presets that set them are :mod:`villagesim.scenarios`.

>>> from villagesim.params import resolve
>>> resolve({"interventions.training.intensity": 0.6})["interventions.training.intensity"]
0.6
"""

from villagesim.params.registry import (BASE, DEFAULTS, INTERVENTIONS, MAX_PEOPLE, PARAMS, REGISTRY, Param, Registry,
                                        flatten, lookup, parse_assignment, resolve)

__all__ = ["BASE", "DEFAULTS", "INTERVENTIONS", "MAX_PEOPLE", "PARAMS", "REGISTRY", "Param", "Registry", "flatten",
           "lookup", "parse_assignment", "resolve"]
