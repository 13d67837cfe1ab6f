"""Projection mode of the view and of the classroom console, at a projector's two sizes, in both languages.

For each size and language the test measures what the back of a room sees: the smallest text drawn in a
chart, as rendered on the screen, is at least 1/40 of the screen's height, and the latest event is in view
without scrolling. It also checks that projection mode is one click away and remembered, and that the
language in use is the highlighted one. Screenshots go to the test's ``tmp_path``, or to the folder named
by ``VILLAGESIM_SCREENSHOTS`` (docs/img is made so).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import local_only, start_server, stop_server
from villagesim.i18n import LANGUAGE_NAMES, describe, text
from villagesim.model import VillageModel
from villagesim.view import render
from villagesim.view.app import DEFAULT_PRESET, DEFAULT_SEED

pytestmark = pytest.mark.browser

WAIT = 90_000
SIZES = [(1280, 720), (1920, 1080)]
SHARE_OF_HEIGHT = 1 / 40
STEPS = 14  # the default village's first events come at months 12 and 13


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, url = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--lang", "en",
                                 "--classroom-dir", str(tmp_path_factory.mktemp("classroom"))])
    yield url
    stop_server(process)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("VILLAGESIM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, size, url: str):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    refused = local_only(context)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    return context, page, refused, problems


def in_view(page, selector: str) -> bool:
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
    }""", selector)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_view_in_projection_mode_reads_from_the_back_of_the_room(browser, server, shots, size, lang):
    context, page, refused, problems = open_page(browser, size, f"{server}/?projection=1")
    page.wait_for_selector(".vs-month", timeout=WAIT)
    if lang == "zh":
        page.get_by_role("button", name=LANGUAGE_NAMES["zh"]).click()
        page.wait_for_function(f"document.querySelector('.vs-month').innerText === {text('month', 'zh', m=0)!r}",
                               timeout=WAIT)
    # the language in use is the highlighted button
    page.wait_for_function("(name) => (document.querySelector('.vs-lang-active') || {}).textContent.trim() === name",
                           arg=LANGUAGE_NAMES[lang], timeout=WAIT)
    colours = page.evaluate("""() => ['.vs-lang-active', '.vs-lang-other'].map(
        s => getComputedStyle(document.querySelector(s)).backgroundColor)""")
    assert colours[0] != colours[1]
    for month in range(1, STEPS + 1):
        page.locator(".vs-step").click()
        page.wait_for_function(f"document.querySelector('.vs-month').innerText === {text('month', lang, m=month)!r}",
                               timeout=WAIT)
    page.wait_for_function("""() => [...document.querySelectorAll('.vs-network, .vs-charts')]
        .every(i => i.complete && i.naturalWidth > 0)""", timeout=WAIT)
    page.wait_for_timeout(500)
    page.screenshot(path=shots / f"view-projection-{lang}-{size[0]}x{size[1]}.png")

    # chart text: the picture's smallest type, scaled as the page shows the picture
    smallest, height = render.live_chart_text_px(lang, render.PROJECTION)
    shown = page.evaluate("""() => { const i = document.querySelector('.vs-charts');
        return {shown: i.getBoundingClientRect().height, natural: i.naturalHeight}; }""")
    assert shown["natural"] == height
    rendered = smallest * shown["shown"] / height
    assert rendered >= SHARE_OF_HEIGHT * size[1], f"chart text {rendered:.1f} px on a {size[1]} px high screen"
    # the pictures and the latest events in view, without scrolling
    assert in_view(page, ".vs-charts") and in_view(page, ".vs-network")
    model = VillageModel.from_scenario(DEFAULT_PRESET, seed=DEFAULT_SEED).run(STEPS)
    assert model.events, "the test needs an event to look for"
    assert page.locator(".vs-event").first.inner_text() == describe(model.events[-1], lang, model.villages)
    assert in_view(page, ".vs-event")
    assert page.evaluate("window.scrollY") == 0
    assert not refused and not problems
    context.close()


def test_view_projection_mode_is_one_click_away_and_kept_on_reload(browser, server):
    context, page, refused, problems = open_page(browser, SIZES[0], f"{server}/")
    page.wait_for_selector(".vs-month", timeout=WAIT)
    assert page.locator(".v-navigation-drawer").count() == 1
    page.locator(".vs-projection").click()
    page.wait_for_function("location.search.includes('projection=1')", timeout=WAIT)
    page.wait_for_function("!document.querySelector('.v-navigation-drawer')", timeout=WAIT)
    page.reload()
    page.wait_for_selector(".vs-month", timeout=WAIT)
    assert page.locator(".v-navigation-drawer").count() == 0  # still projecting
    assert page.inner_text(".vs-projection").strip().lower() == text("projection_off", "en").lower()
    assert not refused and not problems
    context.close()


def api(server: str, path: str, body: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(server + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **({"X-Token": token} if token else {})})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def session(server):
    """A session after one round: three teams with different plans."""
    started = api(server, "/classroom/api/start", {"rounds": 2, "round_months": 12})
    code, trainer = started["code"], started["trainer"]
    for k in range(3):
        joined = api(server, f"/classroom/api/{code}/join", {"name": f"T{k + 1}"})
        plan = {path: {"intensity": 0.0, "start": 1}
                for path in ("standardization", "training", "venue", "digital", "recruitment")}
        plan["training"]["intensity"] = 0.4 * k
        api(server, f"/classroom/api/{code}/teams/{joined['team']}/plan", {"plan": plan}, joined["token"])
    api(server, f"/classroom/api/{code}/advance", {"force": True}, trainer)
    return code, trainer


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_classroom_console_in_projection_mode(browser, server, session, shots, size, lang):
    code, trainer = session
    context, page, refused, problems = open_page(browser, size, f"{server}/classroom/{code}?lang={lang}"
                                                                f"&projection=1#k={trainer}")
    page.wait_for_function("document.querySelectorAll('[data-testid=curves] svg text').length > 0", timeout=WAIT)
    page.wait_for_timeout(300)
    page.screenshot(path=shots / f"classroom-projection-{lang}-{size[0]}x{size[1]}.png")
    assert page.evaluate("document.body.classList.contains('projection')")
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('[data-testid=curves] svg')].flatMap(svg => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    }))""")
    assert smallest >= SHARE_OF_HEIGHT * size[1], f"chart text {smallest:.1f} px on a {size[1]} px high screen"
    body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#ranking')).fontSize)")
    assert body >= SHARE_OF_HEIGHT * size[1]
    assert in_view(page, "[data-testid=room-events] li")  # the latest event, without scrolling
    assert in_view(page, "[data-testid=curves] svg")  # the whole chart too
    assert not refused and not problems
    context.close()


def test_classroom_projection_is_one_click_away_and_remembered(browser, server, session):
    code, trainer = session
    context, page, refused, problems = open_page(browser, SIZES[0], f"{server}/classroom/{code}#k={trainer}")
    page.wait_for_selector("[data-testid=ranking] tr", timeout=WAIT)
    assert not page.evaluate("document.body.classList.contains('projection')")
    page.get_by_test_id("projection-toggle").click()
    assert page.evaluate("document.body.classList.contains('projection')")
    assert "projection=1" in page.url and f"#k={trainer}" in page.url
    page.goto(f"{server}/classroom/{code}#k={trainer}")  # no ?projection: this browser remembers
    page.wait_for_selector("[data-testid=ranking] tr", timeout=WAIT)
    assert page.evaluate("document.body.classList.contains('projection')")
    page.get_by_test_id("projection-toggle").click()
    assert not page.evaluate("document.body.classList.contains('projection')") and "projection" not in page.url
    assert not refused and not problems
    context.close()
