"""A model's configuration, resolved once where input comes in: :class:`Config` and :func:`configure`.

Every route to a model builds the same immutable object the same way: the
command line (``--scenario``, ``--set``, ``--extension``), the browser view
and the classroom, sweeps and plans, the Python API and Mesa's conventions
(``VillageModel(scenario="hollowed", rng=1, **{"a.b": 1.0})``,
:func:`mesa.batch_run`, Mesa's ``Scenario``). The model takes it as it is and
resolves nothing again. Light on purpose (no numpy, Mesa or pandas), so the
command line can check its input before importing the model.

Examples
--------
>>> config = configure("hollowed", {"interventions.training.intensity": 0.6}, assignments=["village.population=400"])
>>> config.preset, config.params["village.population"], config.params["interventions.training.intensity"]
('hollowed', 400, 0.6)
>>> config == configure("hollowed", {"village.population": 400, "interventions.training.intensity": 0.6})
True
>>> config.params["village.population"] = 1
Traceback (most recent call last):
...
TypeError: 'mappingproxy' object does not support item assignment
>>> configure(overrides={"village.populaton": 400})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
villagesim.errors.InputError: village.populaton: unknown parameter...
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from villagesim import scenarios
from villagesim.extensions import Extension, load_all, registry
from villagesim.params import Registry

CUSTOM = "custom"
"""The preset name of a configuration given without a scenario."""


@dataclass(frozen=True)
class Config:
    """One model's configuration: where it came from and what it resolved to (use :func:`configure`)."""

    preset: str
    """The scenario's name (a preset's, or a TOML file's stem), or ``"custom"``."""
    description: str
    description_zh: str
    overrides: Mapping[str, Any]
    """What differs from the defaults: the scenario's, then ``--set``'s, then the caller's, in that order."""
    params: Mapping[str, Any]
    """Every parameter, checked: the defaults with :attr:`overrides` over them."""
    extensions: tuple[Extension, ...]
    """The scenario's extensions, then those given besides, each loaded once."""
    registry: Registry = field(repr=False, compare=False)
    """The registry these extensions make (derived from :attr:`extensions`)."""

    def updated(self, overrides: Mapping[str, Any]) -> Config:
        """The same scenario and extensions with more ``overrides`` (e.g. an arm of a comparison), resolved."""
        merged = {**self.overrides, **overrides}
        return Config(self.preset, self.description, self.description_zh, MappingProxyType(merged),
                      MappingProxyType(self.registry.resolve(merged)), self.extensions, self.registry)


def configure(scenario: str | os.PathLike | scenarios.Scenario | None = None,
              overrides: Mapping[str, Any] | None = None, *, assignments: Iterable[str] = (),
              extensions: Iterable = ()) -> Config:
    """Resolve a configuration once: a scenario (a preset name, a TOML path, or one already loaded), then
    ``KEY=VALUE`` ``assignments``, then dotted-key ``overrides``, checked together with the parameters of
    the scenario's extensions and of ``extensions`` (files or :class:`~villagesim.extensions.Extension`)."""
    if scenario is None:
        scenario = scenarios.Scenario(CUSTOM)
    elif not isinstance(scenario, scenarios.Scenario):
        scenario, extensions = scenarios.load(scenario, extensions), ()
    loaded = load_all([*scenario.extensions, *extensions])
    params = registry(loaded)
    merged = dict(scenario.overrides)
    merged.update(params.parse_assignment(text) for text in assignments)
    merged.update(overrides or {})
    return Config(scenario.name, scenario.description, scenario.description_zh, MappingProxyType(merged),
                  MappingProxyType(params.resolve(merged)), loaded, params)
