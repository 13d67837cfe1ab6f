"""The browser view under load and attack: memory over a long demonstration, ten sessions at once,
localhost by default, no evaluation of input as code, no pickles, no uploads."""

from __future__ import annotations

import ast
import gc
import os
import re
from pathlib import Path

import psutil
import pytest

import villagesim
from villagesim import cli, extensions
from villagesim.view import app
from villagesim.view import render as view
from villagesim.i18n import describe

PACKAGE = Path(villagesim.__file__).parent
SOAK_MONTHS = 2_000
# Draw the pictures every k-th month (every month in the long profile): drawing takes ~30x a model step.
DRAW_EVERY = 1 if os.environ.get("VILLAGESIM_HYPOTHESIS") == "long" else 10
WARM_MONTH = 1_000  # by then the pictures' figures are built and memory has settled
GROWTH_LIMIT_MB = 8.0  # allowed RSS growth over the last 1,000 months: the time series' rows need < 2 MB


def test_soak_2000_months_memory_stays_flat():
    """A tab's loop as the view runs it: step, then draw network, charts and event log.

    Criterion: after month 1,000 the process's resident memory grows by less than 8 MB over the
    next 1,000 months (the new time-series rows take under 2 MB; a leak of one picture per drawing
    would add about 10 MB even when drawing every 10th month).
    """
    run = app.Run("default", {}, 1)
    model, process = run.model, psutil.Process()
    rss = {}
    for month in range(1, SOAK_MONTHS + 1):
        run.step()
        if month % DRAW_EVERY == 0:
            frame = model.timeseries()
            run.network.frame("participation")
            view.live_charts(frame, model.events, "zh")
            [describe(e, "zh", model.villages) for e in model.events[-8:]]
        if month in (WARM_MONTH, SOAK_MONTHS):
            gc.collect()
            rss[month] = process.memory_info().rss / 2**20
    assert model.steps == SOAK_MONTHS
    growth = rss[SOAK_MONTHS] - rss[WARM_MONTH]
    print(f"RSS {rss[WARM_MONTH]:.1f} MB at month {WARM_MONTH}, {rss[SOAK_MONTHS]:.1f} MB at {SOAK_MONTHS}: {growth:+.1f}")
    assert growth < GROWTH_LIMIT_MB, f"RSS grew {growth:.1f} MB from month {WARM_MONTH} to {SOAK_MONTHS}"


# --- no evaluation of input, no pickles, no uploads ------------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "read_pickle", "to_pickle",
                   "exec_module", "spec_from_file_location", "run_path", "run_module", "SourceFileLoader"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib"}
UPLOAD_WIDGETS = {"FileDrop", "FileDropMultiple", "FileUpload", "FileChooser"}
TRUST_BOUNDARY = {"extensions.py": ["spec_from_file_location()", "exec_module()"]}
"""The one place allowed to execute a file: the extension loader runs the files the user named
(``--extension``, a scenario's or sweep's ``extensions``), on purpose; see villagesim.extensions."""


def risky_code(source: str) -> list[str]:
    """Lines of ``source`` that evaluate text as code, load pickles or take uploads."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in FORBIDDEN_CALLS or name in UPLOAD_WIDGETS:
                found.append(f"line {node.lineno}: {name}()")
            if name in ("load", "loads") and any(k.arg == "allow_pickle" for k in node.keywords):
                found.append(f"line {node.lineno}: {name}(allow_pickle=...)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"line {node.lineno}: import {m}" for m in modules if m.split(".")[0] in FORBIDDEN_MODULES]
    return found


def test_the_checker_finds_what_it_looks_for():
    bad = "import pickle\nfrom joblib import load\nx = eval(s)\nnp.load(f, allow_pickle=True)\nsolara.FileDrop()\n" \
          "spec.loader.exec_module(m)\nrunpy.run_path(p)\n"
    assert len(risky_code(bad)) == 7
    assert risky_code("import json\nvalue = json.loads(s)\nmodel.evaluate()\n") == []


def test_package_never_evaluates_input_as_code_loads_pickles_or_takes_uploads():
    files = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "view" / "app.py" in files and PACKAGE / "sweep" / "run.py" in files
    problems = {str(f.relative_to(PACKAGE)): risky_code(f.read_text(encoding="utf-8")) for f in files}
    problems = {f: [p.partition(": ")[2] for p in found] if f in TRUST_BOUNDARY else found
                for f, found in problems.items() if found}
    assert problems == TRUST_BOUNDARY


def test_the_browser_runs_only_the_extensions_its_operator_named():
    """The view loads extensions in one function, from the environment ``villagesim serve --extension`` sets."""
    tree = ast.parse((PACKAGE / "view" / "app.py").read_text(encoding="utf-8"))
    loaders = {"load", "load_all"}  # the extension loader's entry points
    assert all(callable(getattr(extensions, name, None)) for name in loaders)
    callers = {fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
               for node in ast.walk(fn) if isinstance(node, ast.Call) and getattr(node.func, "id", "") in loaders}
    assert callers == {"served_extensions"}
    source = ast.get_source_segment((PACKAGE / "view" / "app.py").read_text(encoding="utf-8"),
                                    next(fn for fn in ast.walk(tree) if getattr(fn, "name", "") == "served_extensions"))
    assert "os.environ.get(EXTENSIONS_ENV" in source


def test_serve_listens_on_localhost_by_default():
    args = cli.build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


# --- a real server: where it listens, ten sessions ---------------------------------------------------

browser_tests = pytest.importorskip("test_app_browser", reason="the browser test module provides the server")
server = browser_tests.server  # that module's pytest fixture (``browser`` is tests/conftest.py's)
Tab, step, text = browser_tests.Tab, browser_tests.step, browser_tests.text


@pytest.mark.browser
def test_server_listens_only_on_127_0_0_1(server):
    port = int(re.search(r":(\d+)/", server).group(1))
    listening = [c for c in psutil.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN
                 and c.laddr.port == port]
    assert listening and {c.laddr.ip for c in listening} == {"127.0.0.1"}


@pytest.mark.browser
def test_ten_concurrent_sessions_are_isolated(browser, server, tmp_path):
    """Ten browser contexts (ten users), stepped in turn to different months; one switches to Chinese."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(10)]
    try:
        tabs = []
        for k, context in enumerate(contexts):
            (tmp_path / f"tab{k}").mkdir()
            tabs.append(Tab(context, server, tmp_path / f"tab{k}"))
        wanted = [k % 4 for k in range(10)]
        for round_ in range(max(wanted)):
            for tab, months in zip(tabs, wanted):
                if round_ < months:
                    step(tab)
        tabs[3].page.get_by_role("button", name="中文").click()
        tabs[3].wait_for_month(text("month", "zh", m=wanted[3]))
        for k, (tab, months) in enumerate(zip(tabs, wanted)):
            tab.shot("final")
            assert tab.month() == text("month", "zh" if k == 3 else "en", m=months)
            assert not tab.problems, tab.problems
    finally:
        for context in contexts:
            context.close()
