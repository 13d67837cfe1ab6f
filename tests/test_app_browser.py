"""End-to-end tests of the browser view in headless Chromium (Debian's ``chromium``, driven by Playwright).

One server for the module (``villagesim serve`` on a free port of 127.0.0.1),
one fresh browser context per test with every request outside 127.0.0.1
refused, so the page is shown to work with no internet. Each test saves a
screenshot of each state it checks under its ``tmp_path``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import local_only, start_server, stop_server
from villagesim import scenarios
from villagesim.events import Event
from villagesim.i18n import TEXT, describe, preset_label, text
from villagesim.metrics import COLUMNS
from villagesim.params import INTERVENTIONS

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms for anything the page does
PLAN_SEARCH = "trials=0,search_seeds=2,seeds=2,max_seeds=2"  # the budget card's smallest search: 46 runs
PLAN_WAIT = 240_000  # ms; some 10 s on a quiet machine, several times that under a loaded CI


@pytest.fixture(scope="module")
def server():
    process, url = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--lang", "en",
                                 "--plan-search", PLAN_SEARCH])
    yield f"{url}/"
    stop_server(process)


class Tab:
    """A page of the view, with the problems it reported: console errors and warnings, uncaught exceptions,
    failed requests and requests that tried to leave this machine."""

    def __init__(self, context, url: str, shots: Path):
        self.page = context.new_page()
        self.shots = shots
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.goto(url)
        self.page.wait_for_selector(".vs-month", timeout=WAIT)
        self.wait_for_pictures()

    def wait_for_pictures(self) -> None:
        self.page.wait_for_function(
            "[...document.querySelectorAll('.vs-network, .vs-charts')].every(i => i.complete && i.naturalWidth > 0)",
            timeout=WAIT)

    def month(self) -> str:
        return self.page.inner_text(".vs-month")

    def wait_for_month(self, label: str) -> None:
        self.page.wait_for_function(f"document.querySelector('.vs-month').innerText === {label!r}", timeout=WAIT)

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def context(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.blocked = local_only(context)
    yield context
    context.close()


@pytest.fixture
def tab(context, server, tmp_path):
    page = Tab(context, server, tmp_path)
    yield page
    assert not context.blocked, f"the page asked the internet for {context.blocked}"
    assert not page.problems, page.problems


def step(tab: Tab, times: int = 1) -> None:
    for _ in range(times):
        now = int(re.search(r"\d+", tab.month()).group())
        tab.click(".vs-step")
        tab.wait_for_month(text("month", "en", m=now + 1))


def test_page_loads_without_console_errors(tab):
    tab.shot("loaded")
    assert tab.month() == text("month", "en", m=0)
    assert tab.page.locator(".vs-headline").count() >= 5
    assert text("no_events", "en") in tab.page.inner_text(".vs-events")


def test_step_advances_the_month_and_the_charts(tab):
    charts_before = tab.page.locator(".vs-charts").screenshot()
    step(tab)
    tab.wait_for_pictures()
    tab.shot("month1")
    assert tab.month() == text("month", "en", m=1)
    assert tab.page.locator(".vs-charts").screenshot() != charts_before


def test_mid_run_change_is_logged_in_plain_words(tab):
    step(tab, 2)
    slider = tab.page.locator(".v-navigation-drawer .vs-intervention-venue [role=slider]").first
    slider.focus()
    slider.press("End")
    logged = describe(Event(3, "intervention_changed", "interventions.venue.intensity", 1.0), "en")
    tab.page.wait_for_function(f"document.querySelector('.vs-events').innerText.includes({logged!r})",
                               timeout=WAIT)
    tab.shot("changed")
    assert tab.month() == text("month", "en", m=2)  # a change does not step the model


def test_play_and_pause(tab):
    tab.click(".vs-play")
    tab.page.wait_for_function("parseInt(document.querySelector('.vs-month').innerText.match(/\\d+/)[0]) >= 3",
                               timeout=WAIT)
    tab.shot("playing")
    assert tab.page.inner_text(".vs-play").lower() == text("pause", "en").lower()
    tab.click(".vs-play")
    tab.page.wait_for_function(f"document.querySelector('.vs-play').innerText.toLowerCase() === "
                               f"{text('play', 'en').lower()!r}", timeout=WAIT)
    tab.page.wait_for_timeout(700)  # a month already being computed when the pause came is still shown
    paused_at = tab.month()
    tab.page.wait_for_timeout(1500)  # four months' worth at the default speed
    tab.shot("paused")
    assert tab.month() == paused_at


def english_left(page) -> list[str]:
    """Phrases of the English table still on the page once it has had time to redraw."""
    english = sorted(phrase for key, phrase in TEXT["en"].items()
                     if "{" not in phrase and phrase != TEXT["zh"][key] and len(phrase) > 2)
    try:  # the page redraws part by part: wait until no English phrase is left
        page.wait_for_function("phrases => !phrases.some(p => document.body.innerText.includes(p))", arg=english,
                               timeout=WAIT)
    except PlaywrightTimeout:
        pass
    page_text = page.inner_text("body")
    return [phrase for phrase in english if phrase in page_text]


def test_language_switch_turns_the_page_chinese(tab):
    step(tab)
    tab.click(".vs-village-toggle")
    tab.page.get_by_role("button", name="中文").click()
    tab.wait_for_month(text("month", "zh", m=1))
    tab.wait_for_pictures()
    assert not english_left(tab.page)
    tab.shot("chinese")
    assert text("title", "zh") in tab.page.inner_text("body")
    assert text("param.village.population", "zh") in tab.page.inner_text("body")
    tab.page.get_by_role("tab", name=text("tab_compare", "zh")).click()
    tab.page.wait_for_selector(".vs-run-compare", timeout=WAIT)
    tab.page.wait_for_timeout(600)  # let the tab's slide-in finish before the screenshot
    tab.shot("chinese_comparison")
    assert not english_left(tab.page)


def test_comparison_mode_shows_two_runs(tab):
    tab.page.get_by_role("tab", name=text("tab_compare", "en")).click()
    seeds = tab.page.locator(".vs-compare-seeds [role=slider]")
    months = tab.page.locator(".vs-compare-months [role=slider]")
    seeds.focus()
    seeds.press("Home")
    seeds.press("ArrowRight")  # 2 seeds: the smallest band
    months.focus()
    months.press("Home")  # 12 months
    tab.click(".vs-run-compare")
    tab.page.wait_for_selector(".vs-compare-table tbody tr", timeout=WAIT)
    tab.page.wait_for_function("document.querySelector('.vs-compare-chart').naturalWidth > 0", timeout=WAIT)
    tab.shot("comparison")
    header = tab.page.locator(".vs-compare-table th").all_inner_texts()
    assert text("config_a", "en") in header and text("config_b", "en") in header
    rows = [row.locator("td").all_inner_texts() for row in tab.page.locator(".vs-compare-table tbody tr").all()]
    assert len(rows) == 6
    for _, a, b, difference in rows:
        # The difference is paired by seed, so its mean is the difference of the means.
        assert float(difference.split()[0]) == pytest.approx(float(b) - float(a), abs=0.002)


def test_two_tabs_are_independent(context, server, tmp_path):
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = Tab(context, server, tmp_path / "first")
    second = Tab(context, server, tmp_path / "second")
    step(first, 3)
    first.shot("stepped")
    second.shot("untouched")
    assert second.month() == text("month", "en", m=0)
    step(second)
    second.page.get_by_role("button", name="中文").click()
    second.wait_for_month(text("month", "zh", m=1))
    first.page.wait_for_timeout(500)
    first.shot("after_second")
    assert first.month() == text("month", "en", m=3)
    assert not context.blocked and not first.problems and not second.problems


def test_preset_picker_and_reset(tab):
    step(tab, 2)
    tab.click(".vs-preset")
    tab.page.get_by_role("option", name=preset_label("hollowed", "en")).click()
    hollowed = scenarios.load("hollowed").description
    tab.page.wait_for_function(f"document.body.innerText.includes({hollowed!r})", timeout=WAIT)
    tab.wait_for_month(text("month", "en", m=0))  # a new village starts at month 0
    tab.wait_for_pictures()
    tab.shot("hollowed")
    step(tab)
    tab.click(".vs-reset")
    tab.wait_for_month(text("month", "en", m=0))


def test_export_csv_and_png(tab, tmp_path):
    step(tab, 2)
    with tab.page.expect_download() as csv_download:
        tab.page.get_by_text(text("csv", "en")).click()
    frame = pd.read_csv(csv_download.value.path())
    assert list(frame.columns) == list(COLUMNS) and frame["step"].tolist() == [0, 1, 2]
    with tab.page.expect_download() as png_download:
        tab.page.get_by_text(text("png", "en")).click()
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "charts.png").write_bytes(png)


def test_best_plan_for_this_village_keeps_the_budget(tab):
    from villagesim.planner import parse_search, plan
    from villagesim.view.app import DEFAULT_BUDGET, DEFAULT_PRESET, DEFAULT_SEED, configured, plan_lines

    assert "万元" in tab.page.inner_text(".vs-plan-cost")
    tab.click(".vs-best-plan")
    tab.page.wait_for_selector(".vs-planning", timeout=WAIT)  # the page says it is searching
    tab.page.wait_for_selector(".vs-plan-found", timeout=PLAN_WAIT)
    tab.shot("best_plan")
    shown = tab.page.inner_text(".vs-plan-found")
    assert float(re.search(r"([0-9.]+) 万元", shown).group(1)) <= DEFAULT_BUDGET
    assert "villagesim" not in tab.page.inner_text(".vs-budget")  # nothing for the room to type
    # The page's plan is the one villagesim.plan finds for the same village, seed and bounds.
    months = configured(DEFAULT_PRESET, {}).params["time.months"]
    best = plan(DEFAULT_PRESET, DEFAULT_BUDGET, months, seed=DEFAULT_SEED, **parse_search(PLAN_SEARCH)).best
    assert shown.splitlines() == [text("plan_heading", "en"), *plan_lines(best, "en")]
    assert f"{DEFAULT_BUDGET:g} 万元" in tab.page.inner_text(".vs-budget-amount")  # the slider shows its number
    tab.click(".vs-apply-plan")
    applied = f"{best.cost:.1f} 万元"
    tab.page.wait_for_function(f"document.querySelector('.vs-plan-cost').innerText.includes({applied!r})",
                               timeout=WAIT)
    cost = float(re.search(r"([0-9.]+) 万元", tab.page.inner_text(".vs-plan-cost")).group(1))
    assert cost <= DEFAULT_BUDGET
    tab.shot("plan_applied")
    for name in INTERVENTIONS:  # the sliders show the plan
        intensity = tab.page.locator(f".v-navigation-drawer .vs-intervention-{name} [role=slider]").first
        assert float(intensity.get_attribute("aria-valuenow")) == best.overrides[f"interventions.{name}.intensity"]
