"""``villagesim serve`` as a whole in headless Chromium: no page of the view or the classroom logs a console
error or warning, and the server stops cleanly on SIGINT or SIGTERM with pages open.

Servers listen on a free port of 127.0.0.1 with a temporary classroom folder; the browser refuses every
request that would leave this machine.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from conftest import SERVER_START_LIMIT, free_port, local_only, start_server, stop_server
from villagesim.classroom.store import SessionStore

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms for a page to be ready
SETTLE = 1_000  # ms a ready page is watched for late messages
STOP_LIMIT = 5.0  # seconds from the signal to the server's exit
LOCAL = re.compile(r"^((https?|wss?)://127\.0\.0\.1[:/]|data:|blob:)")


def call(url: str, method: str, path: str, body=None, token: str | None = None) -> dict:
    request = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                     method=method, headers={"Content-Type": "application/json"})
    if token:
        request.add_header("X-Token", token)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def classroom_pages(url: str) -> dict[str, tuple[str, str]]:
    """A session with one team, and each classroom page with what shows it is ready."""
    started = call(url, "POST", "/classroom/api/start", {"rounds": 2})
    code, trainer = started["code"], started["trainer"]
    joined = call(url, "POST", f"/classroom/api/{code}/join", {"name": "Team one"})
    console_ready = "document.querySelector('[data-testid=join-code]').textContent.length === 5"
    return {
        "start": ("/classroom", "document.querySelector('[data-testid=start-session]') !== null"),
        "console": (f"/classroom/{code}#k={trainer}", console_ready),
        "projector": (f"/classroom/{code}?view=projector#k={trainer}", console_ready),
        "join": (f"/join?code={code}", "document.querySelector('[data-testid=join-input]') !== null"),
        "team": (f"/join/{code}#team={joined['team']}&token={joined['token']}",
                 "document.querySelector('[data-testid=team-title]').textContent.includes('Team one')"),
    }


def in_language(path: str, lang: str) -> str:
    """``path`` with ``lang=LANG`` added to its query (before any ``#``)."""
    address, _, fragment = path.partition("#")
    address += ("&" if "?" in address else "?") + f"lang={lang}"
    return f"{address}#{fragment}" if fragment else address


VIEW_READY = ("document.querySelector('.vs-month') && [...document.querySelectorAll('.vs-network, .vs-charts')]"
              ".every(i => i.complete && i.naturalWidth > 0)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, url = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--classroom-dir",
                                 str(tmp_path_factory.mktemp("classroom"))], path="/classroom")
    yield url
    stop_server(process)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_logs_a_console_error_or_warning(browser, server, lang):
    pages = {"view": ("/", VIEW_READY), **classroom_pages(server)}
    problems = {}
    for name, (path, ready) in pages.items():
        # Requests are watched, not routed: a context that routes them asks for no icon, and so cannot show
        # the 404 of a missing one.
        context = browser.new_context()
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda r: not LOCAL.match(r.url) and seen.append(f"asked the internet for {r.url}"))
        page.on("console", lambda m: m.type in ("error", "warning") and seen.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: seen.append(f"exception: {e}"))
        page.on("response", lambda r: r.status >= 400 and seen.append(f"{r.status}: {r.url}"))
        page.goto(server + (path if name == "view" else in_language(path, lang)))
        page.wait_for_function(ready, timeout=WAIT)
        page.wait_for_timeout(SETTLE)
        problems[name] = list(seen)
        context.close()
    assert problems == {name: [] for name in pages}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_server_stops_cleanly_with_pages_open(browser, tmp_path, stop):
    folder, port = tmp_path / "classroom", free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen([sys.executable, "-m", "villagesim.cli", "serve", "--classroom-dir", str(folder),
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(process, url + "/classroom", log)
        pages = classroom_pages(url)
        context = browser.new_context()
        local_only(context)
        for name in ("view", "console", "projector", "team"):
            path, ready = ("/", VIEW_READY) if name == "view" else pages[name]
            page = context.new_page()
            page.goto(url + path)
            page.wait_for_function(ready, timeout=WAIT)
        page.wait_for_timeout(SETTLE)  # the pages' long polls are open now
        code = SessionStore(folder).codes()[0]
        saved_before = (folder / f"{code}.json").stat().st_mtime_ns
        log.seek(0, 2)
        before = log.tell()
        began = time.monotonic()
        process.send_signal(stop)
        returncode = process.wait(timeout=30)
        took = time.monotonic() - began
        context.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log.seek(before)
    said = log.read()
    assert returncode == 0 and took < STOP_LIMIT and "Traceback" not in said, (returncode, took, said)
    assert said.splitlines() == [f"villagesim: stopped by {stop.name}; 1 classroom session saved in {folder}"]
    assert (folder / f"{code}.json").stat().st_mtime_ns > saved_before
    assert [team["name"] for team in SessionStore(folder).load(code)["teams"]] == ["Team one"]


def wait_until_up(process: subprocess.Popen, address: str, log) -> None:
    deadline = time.monotonic() + SERVER_START_LIMIT
    while True:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server exited with {process.returncode}: {log.read()[-4000:]}")
        try:
            urllib.request.urlopen(address, timeout=5)
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {SERVER_START_LIMIT} s")
            time.sleep(0.05)
