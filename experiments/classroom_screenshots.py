"""The screenshots of docs/classroom.md: a short classroom session in headless Chromium, in Chinese.

Starts ``villagesim serve`` on a free port of 127.0.0.1 with a temporary
session folder; a trainer (1280x800) starts a 2-round session, four phones
(375x667) join and play; the pictures go to docs/img/classroom-*.png.

    uv run --frozen python experiments/classroom_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from villagesim.benchmark.servers import CHROMIUM, CHROMIUM_ARGS, start_server, stop

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
PLANS = [{"training": "0.8"}, {"venue": "0.6", "digital": "0.3"}, {"digital": "1"}, {}]
WAIT = 60_000


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--classroom-dir", folder],
                                   path="/classroom")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                play(browser, url)
                browser.close()
        finally:
            stop(server)


def play(browser, url: str) -> None:
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    console.goto(f"{url}/classroom")
    console.fill("#rounds", "2")
    console.screenshot(path=OUT / "classroom-start.png")
    console.get_by_test_id("start-session").click()
    console.wait_for_url("**#k=*")
    console.wait_for_function("document.querySelector('#qr').complete && document.querySelector('#qr').naturalWidth")
    code = console.get_by_test_id("join-code").inner_text()
    phones = []
    for i, plan in enumerate(PLANS):
        page = browser.new_context(viewport={"width": 375, "height": 667}).new_page()
        page.goto(f"{url}/join?code={code}")
        page.get_by_test_id("team-name").fill(f"第{i + 1}组")
        if i == 0:
            page.screenshot(path=OUT / "classroom-join.png")
        page.get_by_test_id("join-button").click()
        page.wait_for_selector("[data-testid=intensity-training]", timeout=WAIT)
        phones.append((page, plan))
    console.wait_for_function("document.querySelectorAll('#teams [data-team]').length === 4", timeout=WAIT)
    console.screenshot(path=OUT / "classroom-console.png")
    for round_index in (1, 2):
        for page, plan in phones:
            for path, value in plan.items():
                page.get_by_test_id(f"intensity-{path}").fill(value)
            page.wait_for_timeout(400)
            if round_index == 1 and page is phones[1][0]:
                page.screenshot(path=OUT / "classroom-phone-plan.png", full_page=True)
            page.get_by_test_id("submit-plan").click()
        console.wait_for_function("document.querySelectorAll('#teams [data-submitted=true]').length === 4",
                                  timeout=WAIT)
        console.get_by_test_id("advance-round").click()
        console.wait_for_function(f"document.querySelector('#ranking-title').textContent.includes('{round_index}')",
                                  timeout=WAIT)
        if round_index == 1:
            console.screenshot(path=OUT / "classroom-ranking.png", full_page=True)
            phones[1][0].wait_for_timeout(1000)
            phones[1][0].screenshot(path=OUT / "classroom-phone-results.png", full_page=True)
    console.wait_for_function("document.querySelectorAll('[data-testid=per-path] tr[data-path]').length === 5",
                              timeout=WAIT)
    console.get_by_test_id("debrief").screenshot(path=OUT / "classroom-debrief.png")
    projector = console.get_by_test_id("projector-link").get_attribute("href")
    screen = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    screen.goto(url + projector)
    screen.wait_for_selector("[data-testid=ranking] tr[data-team]", timeout=WAIT)
    screen.screenshot(path=OUT / "classroom-projector.png")


if __name__ == "__main__":
    main()
