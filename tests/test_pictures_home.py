"""Pictures for files live in :mod:`villagesim.pictures`: the library, the command line and the classroom
draw without the browser view, so none of their modules imports :mod:`villagesim.view`."""

import ast
from pathlib import Path

import villagesim

PACKAGE = Path(villagesim.__file__).parent
# The server mounts the view: the only module outside it that may name it.
SERVER = PACKAGE / "server.py"


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_outside_the_view_imports_it():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if PACKAGE / "view" in path.parents or path == SERVER:
            continue
        views = sorted(n for n in imported(path) if n == "villagesim.view" or n.startswith("villagesim.view."))
        if views:
            offenders[str(path.relative_to(PACKAGE))] = views
    assert offenders == {}


def test_the_check_sees_an_import_of_the_view(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from villagesim.view import render\n")
    assert "villagesim.view.render" in imported(probe)
