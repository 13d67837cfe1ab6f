"""The classroom on a real ``villagesim serve`` (127.0.0.1, a free port, a temporary session folder).

Over HTTP: a load check with 30 teams, tokens, bad input and rate limits. In
headless Chromium (marked ``browser``): a trainer and 8 phones play 3 rounds
in both languages, with the server killed and restarted mid-session.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port, local_only, start_server, stop_server
from villagesim.classroom.session import MAX_TEAMS
from villagesim.classroom.words import PAGE, REFUSALS

WAIT = 30_000  # ms for anything a page does
SURETY_WAIT = 300_000  # ms for the debrief's plan search and its check over plausible worlds, on a loaded machine


class Server:
    """``villagesim serve`` in a subprocess, which can be killed (SIGKILL) and started again on the same port."""

    def __init__(self, folder):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process, _ = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--classroom-dir",
                                        str(self.folder)], port=self.port, path="/classroom")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process)

    def call(self, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None,
             timeout: float = 60) -> tuple[int, dict]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("X-Token", token)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("classroom"))
    running.start()
    yield running
    running.stop()


def start_session(server: Server, **settings) -> tuple[str, str]:
    status, started = server.call("POST", "/classroom/api/start", settings)
    assert status == 200, started
    return started["code"], started["trainer"]


def join(server: Server, code: str, name: str) -> tuple[int, str]:
    status, joined = server.call("POST", f"/classroom/api/{code}/join", {"name": name})
    assert status == 200, joined
    return joined["team"], joined["token"]


# --- in the browser (first: it restarts the server, and later tests use up its rate limits) -------


class Page:
    """A browser page that refuses any request leaving 127.0.0.1 and records errors and uncaught exceptions."""

    def __init__(self, browser, width: int, height: int):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.left_the_machine = local_only(self.context)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda err: self.problems.append(f"exception: {err}"))

    def text(self, testid: str) -> str:
        return self.page.get_by_test_id(testid).inner_text()


def phone(browser) -> Page:
    return Page(browser, 375, 667)


def wait_for(page, script: str, arg=None) -> None:
    page.wait_for_function(script, arg=arg, timeout=WAIT)


def wait_text(page, testid: str, text: str, how: str = "===") -> None:
    """Wait until the element ``testid`` shows ``text`` (``how``: ``===``, ``startsWith`` or ``includes``)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    test = "shown === want" if how == "===" else f"shown.{how}(want)"
    try:
        page.wait_for_function(f"""([id, want]) => {{
            const node = document.querySelector(`[data-testid=${{id}}]`);
            const shown = node ? node.textContent : "";
            return {test};
        }}""", arg=[testid, text], timeout=WAIT)
    except PlaywrightTimeout:
        pytest.fail(f"{testid} never showed {text!r}; the page shows: {page.inner_text('body')[:1500]}")


@pytest.mark.browser
def test_a_trainer_and_eight_phones_play_three_rounds_in_both_languages_through_a_restart(browser, server, tmp_path):
    shots = tmp_path
    zh, en = PAGE["zh"], PAGE["en"]
    trainer = Page(browser, 1280, 900)
    console = trainer.page
    console.goto(f"{server.url}/classroom")
    assert console.get_by_test_id("start-session").inner_text() == zh["start_session"]
    console.fill("#rounds", "3")
    console.fill("#budget", "30")  # above every team's three rounds here (at most 28.6), below all five paths at full
    console.get_by_test_id("start-session").click()
    console.wait_for_url("**#k=*", timeout=WAIT)
    wait_for(console, "(document.querySelector('[data-testid=join-code]') || {textContent: ''}).textContent.length === 5")
    code = console.get_by_test_id("join-code").inner_text()
    assert console.get_by_test_id("join-url").inner_text() == f"{server.url}/join?code={code}"
    wait_for(console, "document.querySelector('#qr').complete && document.querySelector('#qr').naturalWidth > 0")

    # Eight phones: four in Chinese, four in English; each types the code into an empty join page.
    phones = [phone(browser) for _ in range(8)]
    names = [f"第{i + 1}组" if i < 4 else f"Team {i + 1}" for i in range(8)]
    for i, (each, name) in enumerate(zip(phones, names)):
        lang = "zh" if i < 4 else "en"
        each.page.goto(f"{server.url}/join?lang={lang}")
        if i == 0:  # a wrong code first, told so in the page's language
            each.page.get_by_test_id("join-input").fill("ZZZZZ")
            each.page.get_by_test_id("team-name").fill(name)
            each.page.get_by_test_id("join-button").click()
            wait_text(each.page, "join-error", REFUSALS["zh"]["wrong_code"].format(code="ZZZZZ"))
        each.page.get_by_test_id("join-input").fill(code.lower())
        each.page.get_by_test_id("team-name").fill(name)
        each.page.get_by_test_id("join-button").click()
        each.page.wait_for_selector("[data-testid=submit-plan]", timeout=WAIT)
        heading = (zh if lang == "zh" else en)["your_team"].format(name=name)
        wait_text(each.page, "team-title", heading)
    wait_for(console, "document.querySelectorAll('#teams [data-team]').length === 8")

    # Over budget: refused on the phone, in its language, before anything is sent.
    for each, lang in ((phones[0], "zh"), (phones[7], "en")):
        for path in ("standardization", "training", "venue", "digital", "recruitment"):
            each.page.get_by_test_id(f"intensity-{path}").fill("1")
        each.page.get_by_test_id("submit-plan").click()
        wait_text(each.page, "plan-error", REFUSALS[lang]["over_budget"].split("{")[0], "startsWith")
        for path in ("standardization", "training", "venue", "digital", "recruitment"):
            each.page.get_by_test_id(f"intensity-{path}").fill("0")

    # A team's own page cannot submit for another team with its token.
    forged = phones[1].page.evaluate("""async (code) => {
        const own = JSON.parse(localStorage.getItem(`vs-team-${code}`));
        const response = await fetch(`/classroom/api/${code}/teams/${own.id === 0 ? 1 : 0}/plan`, {method: "POST",
            headers: {"Content-Type": "application/json", "X-Token": own.token},
            body: JSON.stringify({plan: {venue: {intensity: 1, start: 1}}, lang: "zh"})});
        return [response.status, (await response.json()).error];
    }""", code)
    assert forged == [403, REFUSALS["zh"]["token"]]

    paths = ("training", "venue", "digital", "recruitment", "standardization")
    for round_index in (1, 2, 3):
        for i, each in enumerate(phones):
            path = paths[(i + round_index) % len(paths)]
            if round_index > 1:  # the form starts from the last plan: one path per round here
                each.page.get_by_test_id(f"intensity-{paths[(i + round_index - 1) % len(paths)]}").fill("0")
            each.page.get_by_test_id(f"intensity-{path}").fill(f"{0.25 + 0.05 * i:.2f}")
            if i % 3 == 0:
                each.page.get_by_test_id(f"start-{path}").select_option("3")
            each.page.get_by_test_id("submit-plan").click()
            sent = (zh if i < 4 else en)["sent"]
            wait_text(each.page, "plan-status", sent)
        wait_for(console, "document.querySelectorAll('#teams [data-submitted=true]').length === 8")
        console.get_by_test_id("advance-round").click()
        wait_for(console, "r => document.querySelector('[data-testid=ranking]') && "
                          "document.querySelector('#ranking-title').textContent.includes(String(r))", round_index)
        check_ranking(server, code, console, names)
        for i, each in enumerate(phones):
            words = zh if i < 4 else en
            shown = words["round_of"].format(r=round_index + 1, n=3) if round_index < 3 else words["the_end"]
            wait_text(each.page, "team-status", shown, "includes")
        if round_index == 1:
            console.screenshot(path=shots / "console-round1.png", full_page=True)
            phones[0].page.screenshot(path=shots / "phone-zh-round1.png", full_page=True)
            phones[7].page.screenshot(path=shots / "phone-en-round1.png", full_page=True)
        if round_index == 2:
            before = {i: each.text("budget-left") for i, each in enumerate(phones)}
            ranking = console.get_by_test_id("ranking").inner_text()
            phones[2].page.get_by_test_id("intensity-training").fill("0.5")
            phones[2].page.get_by_test_id("submit-plan").click()
            wait_text(phones[2].page, "plan-status", zh["sent"])
            server.kill()
            server.start()
            # Every page finds the server again by itself, with nothing lost.
            wait_for(console, "t => document.querySelector('#teams [data-submitted=true]') && "
                              "document.querySelectorAll('#teams [data-submitted=true]').length === 1", None)
            assert console.get_by_test_id("ranking").inner_text() == ranking
            assert console.get_by_test_id("join-code").inner_text() == code
            for i, each in enumerate(phones):
                wait_text(each.page, "budget-left", before[i])
            status, state = server.call("GET", f"/classroom/api/{code}/teams/0?since=",
                                        token=phones[0].page.evaluate(
                                            "c => JSON.parse(localStorage.getItem(`vs-team-${c}`)).token", code))
            assert status == 200 and state["round"] == 3 and len(state["plans"]) == 2
            status, state = server.call("GET", f"/classroom/api/{code}/teams/2?since=",
                                        token=phones[2].page.evaluate(
                                            "c => JSON.parse(localStorage.getItem(`vs-team-${c}`)).token", code))
            assert status == 200 and state["submitted"]["training"]["intensity"] == 0.5
            # Team 4's phone dies: the trainer hands a new phone a link; the old page is refused from then on.
            console.get_by_test_id("rejoin-3").click()
            wait_for(console, "document.querySelector('#rejoin b') !== null")
            link = console.locator("#rejoin b").inner_text()
            old, phones[3] = phones[3], phone(browser)
            phones[3].page.goto(link)
            wait_text(phones[3].page, "team-title", zh["your_team"].format(name=names[3]))
            wait_text(old.page, "team-status", REFUSALS["zh"]["token"])

    # The debrief: every team's plans for all three rounds, and what each path bought.
    wait_for(console, "document.querySelectorAll('[data-testid=per-path] tr[data-path]').length === 5")
    debrief = console.get_by_test_id("debrief")
    rows = debrief.locator("#plans tr[data-team]")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.team)")) == sorted(names)
    assert all(len(cells) == 4 for cells in rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => 0))"))
    used = [int(n) for n in debrief.locator("[data-path] td:nth-child(2)").all_inner_texts()]
    assert sum(used) == 8 * 3 and console.get_by_test_id("best-plan").inner_text()
    # Then how sure the model is of the best plan, in the session's language, once the server has checked it.
    console.wait_for_function("document.querySelector('[data-testid=surety]').innerText.includes('合理情形')",
                              timeout=SURETY_WAIT)
    console.screenshot(path=shots / "console-debrief.png", full_page=True)

    exported = export(server, console, code)
    assert len(exported["csv"]) == 9 * (3 * 12 + 1) and {row["team"] for row in exported["csv"]} == {*names, ""}
    assert exported["png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert "trainer" not in exported["json"] and not any("token" in team for team in exported["json"]["teams"])

    for each in (trainer, old, *phones):
        assert each.problems == [] and each.left_the_machine == []
        assert each.page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def check_ranking(server: Server, code: str, console, names: list[str]) -> None:
    """The console's ranking is the server's, team for team."""
    token = console.evaluate("c => localStorage.getItem(`vs-trainer-${c}`)", code)
    status, room = server.call("GET", f"/classroom/api/{code}/room?since=", token=token)
    assert status == 200
    expected = [row["name"] for row in room["ranking"]["participation_rate"]]
    shown = console.locator("#ranking tr[data-team]").evaluate_all("rows => rows.map(r => r.dataset.team)")
    assert shown == expected and sorted(shown) == sorted(names)
    values = [row["participation_rate"] for row in room["ranking"]["participation_rate"]]
    assert values == sorted(values, reverse=True)


def export(server: Server, console, code: str) -> dict:
    files = {}
    for kind in ("csv", "png", "json"):
        href = console.get_by_test_id(f"export-{kind}").get_attribute("href")
        with urllib.request.urlopen(server.url + href, timeout=60) as response:
            files[kind] = response.read()
    files["csv"] = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    files["json"] = json.loads(files["json"])
    return files


# --- over HTTP ---------------------------------------------------------------------------------------


def test_thirty_teams_join_submit_and_every_page_gets_the_round(server):
    code, trainer = start_session(server, rounds=2, round_months=12, budget=20)
    teams = [None] * MAX_TEAMS

    def join_one(i):
        teams[i] = join(server, code, f"第{i + 1}组")

    threads = [threading.Thread(target=join_one, args=(i,)) for i in range(MAX_TEAMS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(team for team, _ in teams) == list(range(MAX_TEAMS))
    status, refused = server.call("POST", f"/classroom/api/{code}/join", {"name": "第31组", "lang": "zh"})
    assert status == 409 and refused["error"] == REFUSALS["zh"]["full"].format(most=MAX_TEAMS)

    for i, (team, token) in enumerate(teams):
        plan = {"training": {"intensity": (i % 5) / 4, "start": 1 + i % 12}}
        assert server.call("POST", f"/classroom/api/{code}/teams/{team}/plan", {"plan": plan}, token)[0] == 200

    # Every phone and the console wait on a long poll; one advance must answer all of them.
    pages = [(f"/classroom/api/{code}/teams/{team}", token) for team, token in teams]
    pages.append((f"/classroom/api/{code}/room", trainer))
    versions = [server.call("GET", f"{path}?since=", token=token)[1]["version"] for path, token in pages]
    answers = [None] * len(pages)

    def wait(i):
        path, token = pages[i]
        answers[i] = server.call("GET", f"{path}?since={versions[i]}", token=token)

    waiting = [threading.Thread(target=wait, args=(i,)) for i in range(len(pages))]
    for thread in waiting:
        thread.start()
    time.sleep(0.5)
    status, advanced = server.call("POST", f"/classroom/api/{code}/advance", {}, trainer)
    assert status == 200 and advanced == {"round": 2, "finished": False}
    for thread in waiting:
        thread.join()
    assert all(status == 200 and state["round"] == 2 and state["version"] != old
               for (status, state), old in zip(answers, versions))
    room = answers[-1][1]
    assert len(room["ranking"]["participation_rate"]) == MAX_TEAMS
    spent = {state["name"]: state["spent"] for _, state in answers[:-1]}
    assert spent["第1组"] == 0 and spent["第5组"] > spent["第2组"] > 0  # intensity 1 from month 5 vs 0.25 from 2


def test_a_team_token_cannot_act_for_another_team_or_the_trainer(server):
    code, trainer = start_session(server, rounds=1, lang="en")
    a, token_a = join(server, code, "A")
    b, token_b = join(server, code, "B")
    plan = {"plan": {"venue": {"intensity": 1, "start": 1}}, "lang": "en"}
    status, refused = server.call("POST", f"/classroom/api/{code}/teams/{b}/plan", plan, token_a)
    assert status == 403 and refused["error"] == REFUSALS["en"]["token"]
    assert server.call("GET", f"/classroom/api/{code}/teams/{b}?since=", token=token_a)[0] == 403
    for token in (token_a, None, "x" * 24):
        status, refused = server.call("POST", f"/classroom/api/{code}/advance", {"force": True, "lang": "zh"}, token)
        assert status == 403 and refused["error"] == REFUSALS["zh"]["trainer_token"]
        assert server.call("GET", f"/classroom/api/{code}/room?since=", token=token)[0] == 403
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{server.url}/classroom/{code}/export.json?k={token_a}")
    status, state = server.call("GET", f"/classroom/api/{code}/teams/{b}?since=", token=token_b)
    assert status == 200 and state["submitted"] is None
    # A new phone for team B: only the trainer can hand one out, and B's old page stops working.
    assert server.call("POST", f"/classroom/api/{code}/teams/{b}/rejoin", {}, token_b)[0] == 403
    status, handed = server.call("POST", f"/classroom/api/{code}/teams/{b}/rejoin", {}, trainer)
    assert status == 200 and handed["url"].startswith(f"{server.url}/join/{code}#team={b}&token=")
    new = handed["url"].split("token=")[1]
    assert server.call("GET", f"/classroom/api/{code}/teams/{b}?since=", token=token_b)[0] == 403
    assert server.call("POST", f"/classroom/api/{code}/teams/{b}/plan", plan, new)[0] == 200


def test_bad_input_is_refused_in_the_page_language(server):
    code, trainer = start_session(server, rounds=1, budget=1)
    team, token = join(server, code, "A")
    for lang in ("zh", "en"):
        status, refused = server.call("POST", "/classroom/api/ZZZZZ/join", {"name": "X", "lang": lang})
        assert status == 404 and refused["error"] == REFUSALS[lang]["wrong_code"].format(code="ZZZZZ")
        status, refused = server.call("POST", f"/classroom/api/{code}/join", {"name": "a", "lang": lang})
        assert status == 409 and refused["error"] == REFUSALS[lang]["name_taken"].format(name="a")
        status, refused = server.call("POST", f"/classroom/api/{code}/teams/{team}/plan",
                                      {"plan": {"venue": {"intensity": 1}}, "lang": lang}, token)
        assert status == 400 and refused["key"] == "over_budget" and "23.6" in refused["error"]  # set-up 20, 0.3 x 12
        status, refused = server.call("POST", "/classroom/api/start", {"rounds": "many", "lang": lang})
        assert status == 400 and refused["error"].startswith("rounds")
    status, priced = server.call("POST", f"/classroom/api/{code}/teams/{team}/cost",
                                 {"plan": {"venue": {"intensity": 1}}, "lang": "zh"}, token)
    assert status == 200 and priced["cost"] == pytest.approx(23.6) and "23.6 万元" in priced["error"]
    assert server.call("POST", f"/classroom/api/{code}/join", raw=b"{not json")[0] == 400
    assert server.call("POST", f"/classroom/api/{code}/join", raw=b"[1]")[0] == 400
    assert server.call("POST", f"/classroom/api/{code}/join", raw=b" " * 20_000)[0] == 413


# --- last, as it uses up the limits ----------------------------------------------------------------


def test_join_attempts_with_wrong_codes_and_session_starts_are_rate_limited(server):
    # Earlier tests used some of the burst of 10 wrong codes: the refusals come after at most 10.
    statuses = [server.call("POST", "/classroom/api/QQQQQ/join", {"name": "X"})[0] for _ in range(12)]
    told = statuses.count(404)
    assert 0 < told <= 10 and statuses == [404] * told + [429] * (12 - told)
    status, refused = server.call("POST", "/classroom/api/QQQQQ/join", {"name": "X", "lang": "en"})
    assert status == 429 and refused["error"].startswith("Too many requests; wait")
    # A burst of 5 starts, less those of earlier tests since the server (re)started.
    statuses = [server.call("POST", "/classroom/api/start", {"rounds": 1})[0] for _ in range(6)]
    started = statuses.count(200)
    assert started <= 5 and statuses == [200] * started + [429] * (6 - started)


# --- the address phones use (no server: nothing listens beyond 127.0.0.1 in the tests) ------------------


def test_lan_address_is_a_local_ipv4_address_or_none():
    import ipaddress

    from villagesim.server import lan_address

    address = lan_address()
    assert address is None or (ipaddress.ip_address(address).version == 4
                               and not ipaddress.ip_address(address).is_loopback)


@pytest.mark.parametrize("host, printed", [("0.0.0.0", "on this room's network use http://192.168.7.7:8123/"),
                                           ("127.0.0.1", None)])
def test_serve_prints_the_address_to_use_when_listening_on_every_interface(monkeypatch, capsys, tmp_path, host,
                                                                           printed):
    from villagesim.cli import main
    from villagesim import server as serve

    served = {}
    monkeypatch.setattr(serve, "lan_address", lambda: "192.168.7.7")
    monkeypatch.setattr(serve, "serve", lambda *args, **options: served.update(args=args, **options))
    main(["serve", "--host", host, "--port", "8123", "--classroom-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert served["args"][:3] == (host, 8123, "zh") and served["classroom_dir"] == str(tmp_path)
    if printed:
        assert printed in out and "join" in out and served["public_url"] == "http://192.168.7.7:8123/"
    else:
        assert out == "" and served["public_url"] is None


def test_sessions_are_started_only_from_the_server_computer(tmp_path):
    import asyncio
    import concurrent.futures

    from starlette.requests import Request

    from villagesim.classroom.web import ClassroomServer

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    classroom = ClassroomServer(tmp_path)
    start = next(route for route in classroom.routes() if route.path == "/classroom/api/start")
    def post_from(client):
        scope = {"type": "http", "method": "POST", "path": "/classroom/api/start", "query_string": b"",
                 "headers": [(b"content-length", b"2")], "client": client, "server": ("192.168.1.2", 8765),
                 "scheme": "http", "root_path": ""}
        # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, start.endpoint(Request(scope, receive))).result()

    refused = post_from(("192.168.1.23", 5555))
    assert refused.status_code == 403 and json.loads(refused.body)["error"] == REFUSALS["zh"]["start_local"]
    assert not list(tmp_path.glob("*.json"))
    assert post_from(("127.0.0.1", 5555)).status_code == 200 and len(list(tmp_path.glob("*.json"))) == 1


def test_serve_refuses_a_classroom_folder_it_cannot_use_before_starting(monkeypatch, capsys, tmp_path):
    from villagesim.cli import main
    from villagesim import server as serve

    monkeypatch.setattr(serve, "serve", lambda *args, **options: pytest.fail("the server started"))
    (tmp_path / "file").write_text("x")
    assert main(["serve", "--classroom-dir", str(tmp_path / "file" / "sessions")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("villagesim: error: classroom folder ") and "cannot create it" in err[0]

