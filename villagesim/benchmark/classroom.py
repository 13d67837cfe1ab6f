"""Benchmark: a classroom of 30 teams; how long from "run the round" until every page has the round's results.

Starts ``villagesim serve`` on a free port of 127.0.0.1 with a temporary
session folder, starts a session (12-month rounds), joins 30 teams and has
each submit a different plan. Then, round after round, 30 phones, the
console and the projector wait on their long polls while the trainer
advances the round; the time reported is from sending the advance to the
last of the 32 pages receiving its new state (the round's 30 villages run,
the session is written to disk, every page's state is built and sent).
Goal: under 2 s on a 2-core machine. The server's CPU time for the same
span is printed too: on a machine shared with other work the wall time
grows with the load, the CPU time much less, and on a quiet machine the
wall time is about the CPU time (the server runs the villages one after
another on one core).

    uv run --frozen python -m villagesim.benchmark.classroom [--teams 30] [--rounds 5] [--months 12]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import psutil

from villagesim.benchmark.servers import ServerError, start_server, stop

PATHS = ("standardization", "training", "venue", "digital", "recruitment")


def call(url: str, method: str = "GET", body=None, token: str | None = None) -> dict:
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Token", token)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def plan(team: int, round_index: int) -> dict:
    """A different, affordable plan for each team and round."""
    path = PATHS[(team + round_index) % len(PATHS)]
    return {path: {"intensity": 0.2 + 0.02 * team, "start": 1 + (team % 6)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        try:
            server, base = start_server([sys.executable, "-m", "villagesim.cli", "serve", "--classroom-dir", folder],
                                        path="/classroom", limit=300)
        except ServerError as error:
            sys.exit(str(error))
        try:
            run(base, args, psutil.Process(server.pid))
        finally:
            stop(server)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def run(base: str, args, server: psutil.Process) -> None:
    started = call(f"{base}/classroom/api/start", "POST", {"rounds": args.rounds, "round_months": args.months,
                                                            "budget": 1000})
    code, trainer = started["code"], started["trainer"]
    api = f"{base}/classroom/api/{code}"
    teams = [call(f"{api}/join", "POST", {"name": f"Team {i + 1}"}) for i in range(args.teams)]
    pages = [(f"{api}/teams/{t['team']}", t["token"]) for t in teams] + [(f"{api}/room", trainer)] * 2
    print(f"{args.teams} teams, rounds of {args.months} months; seconds from advance to the last of {len(pages)} pages")
    print(f"{'round':>5} {'advance':>9} {'all pages':>10} {'server CPU':>11}")
    times, cpu = [], []
    for round_index in range(1, args.rounds + 1):
        for i, team in enumerate(teams):
            call(f"{api}/teams/{team['team']}/plan", "POST", {"plan": plan(i, round_index)}, team["token"])
        versions = [call(f"{url}?since=", token=token)["version"] for url, token in pages]
        received = [0.0] * len(pages)

        def wait(i):
            url, token = pages[i]
            state = call(f"{url}?since={versions[i]}", token=token)
            assert state["round"] == round_index + 1
            received[i] = time.perf_counter()

        listeners = [threading.Thread(target=wait, args=(i,)) for i in range(len(pages))]
        for listener in listeners:
            listener.start()
        time.sleep(0.5)  # every listener is waiting on its long poll
        sent, cpu_before = time.perf_counter(), cpu_seconds(server)
        call(f"{api}/advance", "POST", {}, trainer)
        answered = time.perf_counter() - sent
        for listener in listeners:
            listener.join()
        last = max(received) - sent
        times.append(last)
        cpu.append(cpu_seconds(server) - cpu_before)
        print(f"{round_index:>5} {answered:>9.3f} {last:>10.3f} {cpu[-1]:>11.3f}")
    print(f"all pages: median {statistics.median(times):.3f} s, max {max(times):.3f} s (goal: under 2 s); "
          f"server CPU: median {statistics.median(cpu):.3f} s, max {max(cpu):.3f} s")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
