"""Mesa's SolaraViz drives the model: ``examples/solaraviz_app.py`` served by ``solara run`` on 127.0.0.1,
opened and stepped in headless Chromium with every request outside this machine refused."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import local_only, start_server, stop_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60_000  # ms


@pytest.fixture(scope="module")
def server():
    from villagesim.view.serve import SOLARA_ENVIRONMENT

    env = {**os.environ, **{k: v for k, v in SOLARA_ENVIRONMENT.items() if k != "SOLARA_APP"}}
    solara = Path(sys.executable).parent / "solara"
    process, url = start_server([solara, "run", str(ROOT / "examples" / "solaraviz_app.py"), "--host", "127.0.0.1",
                                 "--production", "--no-open"], env=env)
    yield f"{url}/"
    stop_server(process)


def test_solaraviz_page_steps_the_village(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        blocked, problems = local_only(context), []
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto(server)
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=WAIT)
        page.get_by_text("Time: 0.0").wait_for(timeout=WAIT)  # SolaraViz shows the model time: one unit a month
        images = page.locator("img")
        page.wait_for_function("document.querySelectorAll('img').length >= 3", timeout=WAIT)
        before = [images.nth(i).get_attribute("src") for i in range(images.count())]
        page.screenshot(path=tmp_path / "month0.png", full_page=True)
        for month in (1, 2):
            step.click()
            page.get_by_text(f"Time: {month:.1f}").wait_for(timeout=WAIT)
        # Both plots gain points each month; the network picture changes only when someone leaves or comes back.
        page.wait_for_function(
            "before => { const now = [...document.querySelectorAll('img')].map(i => i.src);"
            " return now.length >= 3 && now.filter(src => !before.includes(src)).length >= 2; }",
            arg=before, timeout=WAIT)
        page.screenshot(path=tmp_path / "month2.png", full_page=True)
        # Reset builds a new model from the sliders' dotted keys (and Mesa's own Scenario).
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Time: 0.0").wait_for(timeout=WAIT)
        step.click()
        page.get_by_text("Time: 1.0").wait_for(timeout=WAIT)
        assert "error" not in page.inner_text("body").lower()
        assert not blocked, f"the page asked the internet for {blocked}"
        assert not problems, problems
    finally:
        context.close()
