"""``villagesim serve --extension FILE`` end to end: the example extension ``examples/first_secretary.py``
served on a free port of 127.0.0.1 and driven in headless Chromium, against a server started without it.

The page must show the extensions card with the extension's name and a slider for each of its parameters,
labelled and bounded as the registry declares them, and a move of one of those sliders must change what the
tab's model runs: the exported time series is compared, byte for byte, with the run of
:class:`villagesim.model.VillageModel` with and without the move. A missing extension file is refused by the
command itself, before any server starts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import free_port, local_only, start_server, stop_server
from test_app_browser import Tab, step
from villagesim.extensions import load, registry
from villagesim.i18n import text
from villagesim.model import VillageModel
from villagesim.view.app import DEFAULT_PRESET, DEFAULT_SEED, INT_SLIDER_STEPS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "first_secretary.py"
EXTENSION = load(EXAMPLE)
WAIT = 60_000  # ms


def serve(extensions: list[Path], classroom: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "villagesim.cli", "serve", "--lang", "en", "--classroom-dir", str(classroom)]
    for path in extensions:
        command += ["--extension", str(path)]
    return start_server(command)


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    process, url = serve([EXAMPLE], tmp_path_factory.mktemp("extended"))
    yield f"{url}/"
    stop_server(process)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    process, url = serve([], tmp_path_factory.mktemp("plain"))
    yield f"{url}/"
    stop_server(process)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.blocked = local_only(context)
    yield context
    context.close()


def checked(context, tab: Tab) -> None:
    assert not context.blocked, f"the page asked the internet for {context.blocked}"
    assert not tab.problems, tab.problems


def slider(tab: Tab, key: str):
    """The extensions card's slider of the dotted ``key`` (its label is ``key: value``)."""
    card = tab.page.locator(f".vs-extensions .vs-extension-{EXTENSION.name}")
    return card.locator(".v-input").filter(has_text=f"{key}: ").locator("[role=slider]")


def move_to_minimum(tab: Tab, key: str) -> None:
    handle = slider(tab, key)
    handle.focus()
    handle.press("Home")
    lowest = registry([EXTENSION]).lookup(key).lo
    tab.page.wait_for_function(  # the label shows the value the page took
        "label => [...document.querySelectorAll('.vs-extensions .v-label')].some(l => l.innerText.trim() === label)",
        arg=f"{key}: {lowest:g}", timeout=WAIT)


def exported_csv(tab: Tab) -> str:
    with tab.page.expect_download() as download:
        tab.page.get_by_text(text("csv", "en")).click()
    return Path(download.value.path()).read_text(encoding="utf-8")


def csv_of(model: VillageModel) -> str:
    return model.timeseries().to_csv(index=False, lineterminator="\n")  # as the page's export writes it


def village(**overrides) -> VillageModel:
    """The model a new tab of the extended server starts with, and ``overrides``."""
    return VillageModel.from_scenario(DEFAULT_PRESET, seed=DEFAULT_SEED, overrides=overrides, extensions=[EXAMPLE])


@pytest.mark.browser
def test_the_extensions_card_shows_the_extension_and_a_slider_per_parameter(context, extended, tmp_path):
    tab = Tab(context, extended, tmp_path)
    tab.page.locator(".v-navigation-drawer .vs-village-toggle").wait_for(timeout=WAIT)  # the card after it is drawn
    card = tab.page.locator(".vs-extensions")
    assert card.count() == 1
    tab.shot("extended")
    shown = card.inner_text().splitlines()
    assert text("extensions", "en") in shown
    assert EXTENSION.name in shown  # a line of its own, not only the start of the keys
    assert EXTENSION.doc in shown
    # A slider per parameter, labelled with the registry's dotted key and default, in the registry's order.
    labels = card.locator(".v-label").all_inner_texts()
    assert labels == [f"{param.key}: {param.default:g}" for param in EXTENSION.params]
    for param in EXTENSION.params:
        handle = slider(tab, param.key)
        # Bounded by the registry (an integer slider spans at most INT_SLIDER_STEPS values of it).
        highest = param.hi if param.kind is float else min(param.hi, param.lo + INT_SLIDER_STEPS)
        assert float(handle.get_attribute("aria-valuemin")) == param.lo, param.key
        assert float(handle.get_attribute("aria-valuemax")) == highest, param.key
        assert float(handle.get_attribute("aria-valuenow")) == param.default, param.key
    checked(context, tab)


@pytest.mark.browser
def test_the_extensions_sliders_change_what_the_model_runs(context, extended, tmp_path):
    tab = Tab(context, extended, tmp_path)
    # Untouched, the secretary arrives in month 12: the first months are the model's with the defaults.
    step(tab, 2)
    assert exported_csv(tab) == csv_of(village().run(2))
    # Before month 1 a move restarts the village: the secretary now arrives at once.
    tab.click(".vs-reset")
    tab.wait_for_month(text("month", "en", m=0))
    move_to_minimum(tab, "first_secretary.start")
    step(tab, 2)
    started = exported_csv(tab)
    assert started == csv_of(village(**{"first_secretary.start": 0}).run(2))
    assert started != csv_of(village().run(2))
    # During a run a move changes the running model from the next month: a term of 0 ends the posting.
    move_to_minimum(tab, "first_secretary.term")
    step(tab, 2)
    tab.shot("term_ended")
    expected = village(**{"first_secretary.start": 0}).run(2)
    expected.set("first_secretary.term", 0)
    ended = exported_csv(tab)
    assert ended == csv_of(expected.run(2))
    assert ended != csv_of(village(**{"first_secretary.start": 0}).run(4))
    checked(context, tab)


@pytest.mark.browser
def test_without_extension_the_card_is_absent(context, plain, tmp_path):
    tab = Tab(context, plain, tmp_path)
    tab.page.locator(".v-navigation-drawer .vs-village-toggle").wait_for(timeout=WAIT)  # the card after it is drawn
    tab.shot("plain")
    assert tab.page.locator(".vs-extensions").count() == 0
    body = tab.page.inner_text("body")
    assert text("extensions", "en") not in body
    assert EXTENSION.name not in body
    checked(context, tab)


def test_serve_refuses_a_missing_extension_file_in_one_line(tmp_path):
    port = free_port()
    result = subprocess.run([sys.executable, "-m", "villagesim.cli", "serve", "--port", str(port),
                             "--classroom-dir", str(tmp_path / "sessions"), "--extension", "missing.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr == f"villagesim: error: extension {(tmp_path / 'missing.py').resolve()}: no such file\n"
    assert "browser view at" not in result.stdout
