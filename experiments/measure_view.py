"""Measure the browser view in headless Chromium: time to a usable page, and time per step.

    .venv/bin/python experiments/measure_view.py [--starts 3] [--steps 40] [--population 1000]

For each of ``--starts`` fresh servers (``villagesim serve`` on a free port of
127.0.0.1): the time from the server answering HTTP to the page being usable
(Step button shown, network and charts drawn), first with an empty browser
cache, then on a second visit. Chromium is started before the server, so its
own start-up is not counted. Then, on the last server, the
village is set to ``--population`` adults through the page's own slider, the
network view left on, and ``--steps`` steps are timed inside the page: from
the click on Step to the month, the charts and the network picture showing the
new month (the next animation frame after the last of them has changed and
been drawn). The month and the charts change every step; the network picture
only if someone's colour or fading did, which in a small village some months
no one's does (the server then sends nothing), so a step ends once no picture
has changed for half a second after the month and the charts (that wait is not
counted); the steps whose network picture stayed the same are counted. A step
whose month and charts have not changed within a minute stops the script with
an error.
The CPU time the page and the server spent is printed too: unlike the wall
times it hardly depends on other work on the machine. Figures, the machine
and its load average are printed; docs/view.md records them.
Other work on the machine slows every figure; ``nice -n -10`` before the
command gives the measured processes the CPU first, as on a trainer's laptop.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time

import psutil

from villagesim.benchmark.servers import CHROMIUM, CHROMIUM_ARGS, start_server, stop

USABLE = """() => {
    const step = document.querySelector('.vs-step');
    const pictures = [...document.querySelectorAll('.vs-network, .vs-charts')];
    return step !== null && !step.disabled && pictures.length === 2
        && pictures.every(i => i.complete && i.naturalWidth > 0);
}"""

SETTLED_MS = 500
"""A step is over once no picture has changed for this long after the month and the charts (not counted)."""
STEP_LIMIT_MS = 60_000
"""A step whose month and charts have not changed by then is an error, not a wait for ever."""

TIMED_STEP = """async ([settledMs, limitMs]) => {
    const q = selector => document.querySelector(selector);
    const state = () => [q('.vs-month').innerText, q('.vs-charts').src, q('.vs-network').src];
    const drawn = () => [q('.vs-network'), q('.vs-charts')].every(i => i.complete && i.naturalWidth > 0);
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const before = state();
    const began = performance.now();
    q('.vs-step').click();
    // Every step changes the month and the charts.
    while (true) {
        const now = state();
        if (now[0] !== before[0] && now[1] !== before[1] && drawn()) break;
        if (performance.now() - began > limitMs)
            throw new Error(`month and charts unchanged ${limitMs} ms after Step: ${now[0]}`);
        await frame();
    }
    await frame();
    let shownAt = performance.now();
    // The network picture changes too unless no one's colour or fading did (some months in a small
    // village): the server then sends nothing. Wait, without polling, until no picture has changed
    // for settledMs; a picture that does change ends the step once it is drawn.
    const changed = () => new Promise(resolve => {
        const observer = new MutationObserver(() => { observer.disconnect(); clearTimeout(timer); resolve(true); });
        const timer = setTimeout(() => { observer.disconnect(); resolve(false); }, settledMs);
        observer.observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
    });
    while (await changed()) {
        while (!drawn()) await frame();
        await frame();
        shownAt = performance.now();
    }
    return {ms: shownAt - began, network: state()[2] === before[2] ? 'same' : 'changed'};
}"""


def busy_seconds(cdp) -> float:
    """CPU time the page's main thread has spent so far (Chromium's TaskDuration)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def time_to_usable(context, url: str, server) -> tuple[float, float, float]:
    """Seconds from asking for the page to the page being usable in a new tab of ``context``,
    and the CPU seconds the page's main thread and the server spent meanwhile."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    server_cpu = sum(server.cpu_times()[:2])
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_function(USABLE, polling="raf", timeout=120_000)
    return time.perf_counter() - began, busy_seconds(cdp), sum(server.cpu_times()[:2]) - server_cpu


def set_population(page, adults: int) -> None:
    """Move the page's population slider (steps of 50) until the village has ``adults`` adults."""
    from villagesim.i18n import text

    label = text("param.village.population", "en")
    page.locator(".vs-village-toggle").click()
    slider = page.get_by_role("slider", name=re.compile(f"^{re.escape(label)}: "))
    for _ in range(200):
        current = int(slider.get_attribute("aria-valuenow"))
        if current == adults:
            break
        slider.press("ArrowLeft" if current > adults else "ArrowRight")
        moved_to = f"{label}: {current - 50 if current > adults else current + 50}"
        page.wait_for_function(f"[...document.querySelectorAll('[role=slider]')]"
                               f".some(s => s.getAttribute('aria-label') === {moved_to!r})", timeout=60_000)
    page.wait_for_function(USABLE, timeout=60_000)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=3, help="fresh servers to time the first page on (default 3)")
    parser.add_argument("--steps", type=int, default=40, help="steps to time (default 40)")
    parser.add_argument("--population", type=int, default=1000, help="adults in the village (default 1000)")
    args = parser.parse_args()
    from playwright.sync_api import Error as PageError
    from playwright.sync_api import sync_playwright

    from villagesim.view.app import SLIDER_RANGES

    lo, hi, step = SLIDER_RANGES["village.population"]
    if args.starts < 1 or args.steps < 1:
        parser.error(f"--starts {args.starts} --steps {args.steps}: both must be at least 1")
    if not lo <= args.population <= hi or args.population % step:
        parser.error(f"--population {args.population}: the page's slider allows {lo} to {hi} in steps of {step}")

    print(f"machine: {machine()}")
    print(f"load average before: {os.getloadavg()}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"chromium {browser.version}")
        cold, warm = [], []
        for attempt in range(args.starts):
            began = time.perf_counter()
            process, url = start_server()
            ready = time.perf_counter() - began
            server = psutil.Process(process.pid)
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            cold.append(time_to_usable(context, url, server))
            warm.append(time_to_usable(context, url, server))
            print(f"start {attempt + 1}: server answered after {ready:.1f} s; page usable {cold[-1][0]:.2f} s later "
                  f"(empty browser cache; CPU: page {cold[-1][1]:.2f} s, server {cold[-1][2]:.2f} s), "
                  f"{warm[-1][0]:.2f} s on a second visit", flush=True)
            if attempt < args.starts - 1:
                context.close()
                stop(process)
        page = context.pages[-1]
        try:
            set_population(page, args.population)
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page_cpu, server_cpu = busy_seconds(cdp), sum(server.cpu_times()[:2])
            steps = [page.evaluate(TIMED_STEP, [SETTLED_MS, STEP_LIMIT_MS]) for _ in range(args.steps)]
            page_cpu = (busy_seconds(cdp) - page_cpu) / args.steps
            server_cpu = (sum(server.cpu_times()[:2]) - server_cpu) / args.steps
        except PageError as error:
            print(f"measure_view: a step did not show: {error.message.splitlines()[0]}", file=sys.stderr)
            return 1
        finally:
            stop(process)
        browser.close()
    times = sorted(s["ms"] for s in steps)
    unchanged = sum(s["network"] == "same" for s in steps)
    first, second = [c[0] for c in cold], [w[0] for w in warm]
    print(f"page usable after server ready: median {statistics.median(first):.2f} s, max {max(first):.2f} s "
          f"(first visit, {args.starts} fresh servers); second visit: median {statistics.median(second):.2f} s, "
          f"max {max(second):.2f} s")
    print(f"one step with the network view, {args.population} adults: median {statistics.median(times):.0f} ms, "
          f"90th percentile {times[int(0.9 * (len(times) - 1))]:.0f} ms, max {times[-1]:.0f} ms ({args.steps} steps); "
          f"CPU per step: page {1000 * page_cpu:.0f} ms, server {1000 * server_cpu:.0f} ms; "
          f"network picture unchanged in {unchanged} of the {args.steps} steps")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
