"""Village presets: TOML files of dotted-key overrides, and their loader.

The shipped presets are the TOML files of this folder. A preset sets only
what differs from the parameter defaults (:mod:`villagesim.params`). Its
top-level ``description`` and ``description_zh`` say what village it is; a top-level ``extensions`` lists
extension files (:mod:`villagesim.extensions`) whose parameters it may then
set; every other key, as nested tables or quoted dotted keys, is a
parameter. Relative paths of a ``[network]`` table and of ``extensions``
are taken from the scenario file's folder.

Examples
--------
>>> scenario = load("hollowed")
>>> scenario.name, scenario.overrides["village.population"]
('hollowed', 900)
>>> load("atlantis")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
villagesim.errors.InputError: scenario 'atlantis': no such preset or file; presets: ageing, calibrated, ...
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from villagesim.errors import InputError, did_you_mean
from villagesim.extensions import load_all, registry
from villagesim.params.registry import flatten
from villagesim.tomlfile import read

PRESET_DIR = Path(__file__).parent
META_KEYS = ("description", "description_zh")
PATH_KEYS = ("network.nodes", "network.edges")


@dataclass
class Scenario:
    """A named set of overrides."""

    name: str
    description: str = ""
    description_zh: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    extensions: list = field(default_factory=list)
    """Its extensions, then those given besides (see :func:`load`), loaded
    (:class:`~villagesim.extensions.Extension`, each file hashed once)."""


def names() -> list[str]:
    """Names of the shipped presets, sorted."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load(name_or_path: str | os.PathLike, extensions=()) -> Scenario:
    """A preset by name, or a scenario TOML file by path; ``extensions`` (files, e.g. from
    ``--extension``) join the scenario's own, and its keys are checked with all their parameters."""

    text = str(name_or_path)
    path = PRESET_DIR / f"{text}.toml"
    if not path.is_file():
        path = Path(text)
        if not (path.suffix == ".toml" or path.is_file()):
            raise InputError(f"scenario {text!r}: no such preset or file; {did_you_mean(text, names())}"
                             f"presets: {', '.join(names())}")
    table = read(path, "scenario")
    meta = {key: table.pop(key) for key in META_KEYS if key in table}
    for key, value in meta.items():
        if not isinstance(value, str):
            raise InputError(f"scenario {path}: {key}: must be a string")
    own = table.pop("extensions", [])
    if not isinstance(own, list) or not all(isinstance(item, str) and item for item in own):
        raise InputError(f"scenario {path}: extensions: must be a list of Python file paths, got {own!r}")
    loaded = load_all([str((path.parent / item).resolve()) for item in own] + list(extensions))
    params = registry(loaded)
    overrides = {}
    for key, value in flatten(table).items():
        try:
            overrides[key] = params.lookup(key).check(value)
        except InputError as err:
            raise InputError(f"scenario {path}: {err}") from None
        if key in PATH_KEYS and value:
            overrides[key] = str((path.parent / value).resolve()) if not os.path.isabs(value) else value
    return Scenario(name=path.stem, overrides=overrides, extensions=list(loaded), **meta)

