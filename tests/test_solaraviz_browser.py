"""Mesa's SolaraViz drives the model: ``examples/solaraviz_app.py`` served by ``solara run`` on 127.0.0.1,
opened and stepped in headless Chromium with every request outside this machine refused."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("measure_view", ROOT / "experiments" / "measure_view.py")
measure_view = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure_view)
START_LIMIT = 180  # seconds; importing the stack takes long on a busy 2-core machine
WAIT = 60_000  # ms


@pytest.fixture(scope="module")
def server():
    from villagesim.view.serve import SOLARA_ENVIRONMENT

    port = measure_view.free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, **{k: v for k, v in SOLARA_ENVIRONMENT.items() if k != "SOLARA_APP"}}
    solara = Path(sys.executable).parent / "solara"
    process = subprocess.Popen([solara, "run", str(ROOT / "examples" / "solaraviz_app.py"), "--host", "127.0.0.1",
                                "--port", str(port), "--production", "--no-open"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + START_LIMIT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"solara run exited with {process.returncode}: {process.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"solara run did not answer within {START_LIMIT} s")
                time.sleep(0.3)
        yield url
    finally:
        measure_view.stop(process)


def test_solaraviz_page_steps_the_village(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=measure_view.CHROMIUM, args=measure_view.CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            blocked, problems = [], []

            def local_only(route):
                if re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", route.request.url) or route.request.url.startswith(
                        ("data:", "blob:")):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", local_only)
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
            page.wait_for_function(
                "before => [...document.querySelectorAll('img')].filter(i => !before.includes(i.src)).length >= 3",
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
            browser.close()
