"""Extensions: a submodel or an intervention from the user's own Python file, without forking the package.

An extension is a Python file that defines ``EXTENSION``, an
:class:`Extension` naming its parameters (:class:`~villagesim.params.Param`,
checked like the model's own) and its steps, each placed before or after a
named step of :data:`villagesim.submodels.SCHEDULE`. A step has the
submodels' contract, ``step(month: Month) -> None``. State an extension keeps
from month to month lives in ``month.store`` (a dict the model keeps, one
per model): ``month.store.setdefault("my_rules", {...})``, with arrays of
length ``month.villages`` per village or ``month.population.size`` per
person (a slot keeps its index for life; ``month.changes`` says who died or
was reborn in it).

Name extensions in a scenario TOML (``extensions = ["my_rules.py"]``, paths
relative to the TOML), a sweep spec (the same key), on the command line
(``--extension my_rules.py``) or in the API
(``VillageModel(params, extensions=["my_rules.py"])``). Each model gets its
own :class:`~villagesim.params.Registry` view and schedule: nothing global
changes, so models with and without an extension live side by side.

Trust boundary: an extension is code the user chose to run, executed with
the user's rights. :func:`load` is the package's only place that executes a
file as code; the browser view runs only the extensions its operator named
on ``villagesim serve --extension``, never a file a visitor names.

Examples
--------
>>> from villagesim.params import Param
>>> def lift(month):
...     month.branch.capacity += month.params["lift.appeals"]
>>> ext = Extension("lift", params=(Param("lift.appeals", 5.0, 0.0, 100.0, "appeals/month", "assumption", "Extra."),),
...                 steps=(Step("lift", lift, after="organisational_life"),))
>>> [name for name, _ in schedule([ext])][4:7]
['organisational_life', 'lift', 'outreach']
>>> registry([ext]).lookup("lift.appeals").default
5.0
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagesim.errors import InputError, did_you_mean
from villagesim.params.registry import Param, Registry

if TYPE_CHECKING:
    from villagesim.submodels.month import Month


def points() -> tuple[str, ...]:
    """The named points of the month an extension's step can go before or after."""
    from villagesim.submodels import SCHEDULE  # numpy and scipy: imported only once an extension is used

    return tuple(name for name, _ in SCHEDULE)


@dataclass(frozen=True)
class Step:
    """One step of an extension: ``run(month)``, placed ``before`` or ``after`` a named step."""

    name: str
    run: Callable[[Month], None]
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Extension:
    """What an extension file declares as ``EXTENSION``: its name, parameters and steps."""

    name: str
    params: tuple[Param, ...] = ()
    steps: tuple[Step, ...] = ()
    doc: str = ""
    path: str = ""
    """The file it was loaded from (set by :func:`load`)."""
    sha256: str = ""
    """sha256 of that file's content (set by :func:`load`)."""


_LOADED: dict[tuple[str, str], Extension] = {}
"""Extensions already executed in this process, by (path, sha256): a file runs once per content."""


def digest(path: str | os.PathLike) -> str:
    """sha256 of a file's content, or an InputError if it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        raise InputError(f"extension {path}: no such file") from None
    except OSError as err:
        raise InputError(f"extension {path}: cannot read it ({err.strerror or type(err).__name__})") from None


def load(path: str | os.PathLike, sha256: str | None = None) -> Extension:
    """Execute the extension file ``path`` (once per content) and return its checked declaration.

    With ``sha256``, refuse the file if its content is no longer the one
    given (a sweep's workers load by path what the spec recorded).
    Every problem is one :class:`InputError` line naming the file.
    """
    path = str(Path(path).resolve())
    if not path.endswith(".py"):
        raise InputError(f"extension {path}: must be a Python file (.py)")
    found = digest(path)
    if sha256 is not None and found != sha256:
        raise InputError(f"extension {path}: changed since the sweep started (sha256 {found[:12]}, "
                         f"was {sha256[:12]}); use a new output folder")
    cached = _LOADED.get((path, found))
    if cached is not None:
        return cached
    module_name = f"villagesim_extension_{found[:16]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look classes up by module name
    try:
        spec.loader.exec_module(module)  # the trust boundary: see the module docstring
    except Exception as err:  # noqa: BLE001 - any failure of the user's file is one line, no traceback
        del sys.modules[module_name]
        message = f"{type(err).__name__}: {err}".splitlines()[0]
        line = getattr(err, "lineno", None)
        raise InputError(f"extension {path}: cannot import it ({message}"
                         f"{f', line {line}' if line and not isinstance(err, SyntaxError) else ''})") from None
    declared = getattr(module, "EXTENSION", None)
    if not isinstance(declared, Extension):
        raise InputError(f"extension {path}: must define EXTENSION = villagesim.extensions.Extension(...), "
                         f"got {type(declared).__name__ if declared is not None else 'nothing'}")
    try:
        _check(declared)
        Registry(declared.params)
    except InputError as err:
        raise InputError(f"extension {path}: {err}") from None
    loaded = Extension(declared.name, tuple(declared.params), tuple(declared.steps), declared.doc, path, found)
    _LOADED[(path, found)] = loaded
    return loaded


def _check(ext: Extension) -> None:
    if not (isinstance(ext.name, str) and ext.name.isidentifier()):
        raise InputError(f"name: must be a Python identifier, e.g. 'first_secretary', got {ext.name!r}")
    if not isinstance(ext.params, (tuple, list)) or not isinstance(ext.steps, (tuple, list)):
        raise InputError("params and steps: must be tuples (of Param and of Step)")
    if not ext.steps:
        raise InputError("steps: declares no step; an extension acts through at least one Step")
    names = set(points())
    for step in ext.steps:
        if not isinstance(step, Step):
            raise InputError(f"steps: {step!r} is not a villagesim.extensions.Step")
        if not (isinstance(step.name, str) and step.name.isidentifier()):
            raise InputError(f"step {step.name!r}: its name must be a Python identifier")
        if step.name in names:
            raise InputError(f"step {step.name!r}: a step of the month already has this name")
        if not callable(step.run):
            raise InputError(f"step {step.name!r}: run must be a function step(month)")
        if (step.before is None) == (step.after is None):
            raise InputError(f"step {step.name!r}: give exactly one of before= or after= (a point of the month)")
        point = step.before if step.before is not None else step.after
        if point not in names:
            where = "before" if step.before is not None else "after"
            raise InputError(f"step {step.name!r}: unknown schedule point {where}={point!r}; "
                             f"{did_you_mean(str(point), points())}points: {', '.join(points())}")
        names.add(step.name)


def load_all(extensions: Iterable[str | os.PathLike | Extension]) -> tuple[Extension, ...]:
    """Paths (loaded) and :class:`Extension` objects (checked) in order, each file once."""
    seen: dict[str | int, Extension] = {}
    for item in extensions or ():
        if isinstance(item, Extension):
            if not item.path:
                _check(item)
            ext = item
        else:
            ext = load(item)
        key = ext.path or id(ext)  # a file once; an object declared in code once
        if key in seen:
            continue
        if any(other.name == ext.name for other in seen.values()):
            raise InputError(f"extension {ext.path or ext.name}: another extension is also named {ext.name!r}")
        seen[key] = ext
    return tuple(seen.values())


def registry(extensions: Iterable[Extension]) -> Registry:
    """The base registry with these extensions' parameters layered over it (a new view)."""
    params: list[Param] = []
    for ext in extensions:
        try:
            Registry([*params, *ext.params])  # names the extension that brings a clash
        except InputError as err:
            raise InputError(f"extension {ext.path or ext.name}: {err}") from None
        params += ext.params
    return Registry(params)


def schedule(extensions: Iterable[Extension]) -> tuple[tuple[str, Callable[[Month], None]], ...]:
    """:data:`~villagesim.submodels.SCHEDULE` with the extensions' steps in their places.

    Steps go in the order the extensions are given: two steps ``after`` the
    same point run in that order, as do two ``before`` it.
    """
    from villagesim.submodels import SCHEDULE

    entries: list[tuple[str, Callable[[Month], None], str | None]] = [(n, f, None) for n, f in SCHEDULE]
    for ext in extensions:
        for step in ext.steps:
            names = [name for name, _, _ in entries]
            if step.before is not None:
                at = names.index(step.before)
            else:
                at = names.index(step.after) + 1
                while at < len(entries) and entries[at][2] == step.after:
                    at += 1
            entries.insert(at, (step.name, step.run, step.after))
    return tuple((name, run) for name, run, _ in entries)


def describe(extensions: Iterable[Extension]) -> list[dict[str, Any]]:
    """What a run's summary records of its extensions: name, file and content digest."""
    return [{"name": ext.name, "path": ext.path, "sha256": ext.sha256} for ext in extensions]
