"""Dependencies point one way: rules (submodels) -> model -> sweeps, plans and calibration -> the command
line and the apps (the view, the classroom, and the server that mounts them).

Read from the source with :mod:`ast`, nothing imported. Every import counts, those inside functions too
(a lazy import is still a dependency), and so does what an imported module imports in turn: a rule that
takes an event type whose module reads the interface's words depends on the words. The loop checks take
what runs: the imports a module runs when it is imported (its top level, ``if TYPE_CHECKING:`` left out),
and, between modules that are not packages, those its functions run too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "villagesim"
APPS = ("villagesim.view", "villagesim.classroom", "villagesim.cli", "villagesim.server")
WORDS = ("villagesim.i18n", "villagesim.classroom.words")
PICTURES = ("matplotlib", "PIL", "solara", "starlette", "uvicorn")  # drawing and serving, whatever module does it


def package_modules(package: Path) -> dict[str, Path]:
    """Every module of ``package`` by its dotted name."""
    def name(path: Path) -> str:
        parts = path.relative_to(package.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    return {name(path): path for path in sorted(package.rglob("*.py"))}


MODULES = package_modules(PACKAGE)


def within(name: str, prefixes) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(module: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> list[str]:
    """The modules an import statement in ``module`` names: for ``from P import x``, ``P.x`` when that is a
    module of the package, else ``P``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module if modules[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]


def imports(module: str, modules: dict[str, Path] = MODULES, top_level_only: bool = False,
            run_only: bool = False) -> set[str]:
    """What ``module`` imports: everywhere in it, only what runs (``if TYPE_CHECKING:`` left out), or only
    what runs when it is imported."""
    found: set[str] = set()
    run_only = run_only or top_level_only

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.update(imported(module, child, modules))
            elif top_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            elif run_only and isinstance(child, ast.If) and is_type_checking(child):
                for other in child.orelse:
                    visit(other)
            else:
                visit(child)

    visit(ast.parse(modules[module].read_text(encoding="utf-8")))
    return found


def breaches(rule, modules: dict[str, Path] = MODULES) -> list[str]:
    """``module -> import`` for every import that ``rule(module, imported)`` refuses."""
    return sorted(f"{module} -> {name}" for module in modules for name in imports(module, modules) if rule(module, name))


def reached(module: str, modules: dict[str, Path] = MODULES) -> set[str]:
    """Everything ``module`` depends on, through the package's modules it imports and theirs in turn."""
    found, waiting = set(), [module]
    while waiting:
        for name in imports(waiting.pop(), modules) - found:
            found.add(name)
            if name in modules:
                waiting.append(name)
    return found


def rules_reach(forbidden, modules: dict[str, Path] = MODULES) -> list[str]:
    """``rule -> dependency`` for every forbidden module a submodel depends on, directly or not."""
    return sorted(f"{module} -> {name}" for module in modules if within(module, ("villagesim.submodels",))
                  for name in reached(module, modules) if within(name, forbidden))


def library_imports_app(module: str, name: str) -> bool:
    return not within(module, APPS) and within(name, APPS)


def test_the_library_imports_no_app():
    assert breaches(library_imports_app) == []


def test_the_rules_depend_on_no_words_pictures_or_apps():
    assert rules_reach((*WORDS, *PICTURES, *APPS)) == []


@pytest.mark.parametrize("app, other", [("villagesim.view", "villagesim.classroom"),
                                        ("villagesim.classroom", "villagesim.view")])
def test_the_view_and_the_classroom_do_not_import_each_other(app, other):
    assert breaches(lambda module, name: within(module, (app,)) and within(name, (other,))) == []


def loops(modules: dict[str, Path] = MODULES, when_functions_run: bool = False) -> list[list[str]]:
    """Every loop of imports within the package, each once, from its smallest module: the imports that run
    on import, or (``when_functions_run``) those that functions run too, between modules that are not
    packages (a module reading its package's re-exports, such as ``__version__``, is not a loop of design)."""
    def kept(name: str) -> bool:
        return not when_functions_run or modules[name].name != "__init__.py"

    graph = {module: sorted(name for name in imports(module, modules, top_level_only=not when_functions_run,
                                                     run_only=True)
                            if name in modules and name != module and kept(name)) if kept(module) else []
             for module in modules}
    found: set[tuple[str, ...]] = set()

    def walk(path: list[str]) -> None:
        for name in graph[path[-1]]:
            if name == path[0]:
                found.add(tuple(path))
            elif name > path[0] and name not in path:
                walk([*path, name])

    for start in sorted(graph):
        walk([start])
    return [list(loop) for loop in sorted(found)]


def test_no_import_loops():
    assert loops() == []


def test_no_import_loops_when_functions_run():
    assert loops(when_functions_run=True) == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """On a small package: the reader finds each kind of import the rules are about, so an empty list above
    means something."""
    source = {"submodels/rule.py": "from villagesim.i18n import text\ndef f():\n    import matplotlib\n",
              "a.py": "from typing import TYPE_CHECKING\nfrom . import b\nif TYPE_CHECKING:\n    from . import c\n",
              "b.py": "from villagesim import a\ndef g():\n    from villagesim.view import render\n",
              "c.py": "from .b import g\n", "view/render.py": "", "view/__init__.py": "", "__init__.py": "",
              "submodels/__init__.py": "", "submodels/other.py": "from villagesim.events import Event\n",
              "events.py": "def describe():\n    from villagesim.i18n import text\n", "i18n.py": "",
              "d.py": "def h():\n    from villagesim import e\n", "e.py": "from villagesim.d import h\n"}
    for name, text in source.items():
        path = tmp_path / "villagesim" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    modules = package_modules(tmp_path / "villagesim")
    assert imports("villagesim.submodels.rule", modules) == {"villagesim.i18n", "matplotlib"}
    assert imports("villagesim.a", modules, top_level_only=True) == {"typing", "villagesim.b"}
    assert imports("villagesim.c", modules) == {"villagesim.b"}
    assert breaches(library_imports_app, modules) == ["villagesim.b -> villagesim.view.render"]
    assert loops(modules) == [["villagesim.a", "villagesim.b"]]
    assert loops(modules, when_functions_run=True) == [["villagesim.a", "villagesim.b"], ["villagesim.d", "villagesim.e"]]
    assert rules_reach(("villagesim.i18n", "matplotlib"), modules) == [
        "villagesim.submodels.other -> villagesim.i18n", "villagesim.submodels.rule -> matplotlib",
        "villagesim.submodels.rule -> villagesim.i18n"]
