"""Servers and a browser for tests and measurements: start ``villagesim serve`` (or any server) on a free port of
127.0.0.1, wait for it, stop it; Debian's headless Chromium and the flags every measurement and browser test uses.

The tests (``tests/conftest.py``), the view's measurement (``experiments/measure_view.py``), the classroom
benchmark (:mod:`villagesim.benchmark.classroom`) and the classroom screenshots all start their servers here,
so a page is measured the way it is tested.

>>> port = free_port()
>>> 1024 <= port < 65536
True
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerError(RuntimeError):
    """A server that exited or did not answer; the message ends with its output."""


def start_server(command: list[str] | None = None, port: int | None = None, path: str = "/",
                 env: dict[str, str] | None = None, limit: float = 180.0) -> tuple[subprocess.Popen, str]:
    """Run ``command --port PORT`` (default: ``villagesim serve --lang en``) on 127.0.0.1, PORT a free port
    unless ``port`` is given, and wait until ``http://127.0.0.1:PORT`` + ``path`` answers. Returns the
    process and ``http://127.0.0.1:PORT``; stop it with :func:`stop`. Raises :class:`ServerError`, with the
    server's output, if it exits first or does not answer within ``limit`` seconds."""
    command = command or [sys.executable, "-m", "villagesim.cli", "serve", "--lang", "en"]
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile("w+")  # not a pipe: a server that writes much would block on a full one
    process = subprocess.Popen([*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, text=True,
                               env=env)
    deadline = time.monotonic() + limit
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise ServerError(f"{' '.join(map(str, command))} exited with {process.returncode}: {log.read()[-4000:]}")
        try:
            urllib.request.urlopen(url + path, timeout=5)
            return process, url
        except OSError:
            if time.monotonic() > deadline:
                stop(process)
                raise ServerError(f"{' '.join(map(str, command))} did not answer within {limit:g} s") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    """Ask ``process`` to stop (SIGTERM); kill it if it has not within 15 seconds."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
