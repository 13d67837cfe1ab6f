"""``villagesim serve``'s one server: the browser view (:mod:`villagesim.view`) and the classroom
(:mod:`villagesim.classroom`), two apps that know nothing of each other, mounted side by side.

The classroom's routes (``/classroom...``, ``/join...``) come first, the view takes every other
address. The server binds to 127.0.0.1 unless ``--host`` says otherwise. It stops cleanly on
SIGINT (Ctrl+C) or SIGTERM: the classroom's long polls are answered at once, the view's
connections close, the classroom's sessions are saved, and it says so in one line.
"""

from __future__ import annotations

import signal
import socket

import uvicorn

from villagesim.errors import InputError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 3  # the longest a stop waits for requests still running (a round or a plan being computed)


def check_bindable(host: str, port: int) -> None:
    """Refuse in one line a host that does not resolve or a port already in use."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        raise InputError(f"--host {host}: cannot resolve this address") from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise InputError(f"--port {port}: cannot listen on {host}:{port} ({err.strerror})") from None


def lan_address() -> str | None:
    """This machine's address on the local network, found without sending anything: connecting a UDP
    socket only picks the interface a packet to a private address would leave by."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            address = None
    if address and not address.startswith("127."):
        return address
    import psutil

    for addresses in psutil.net_if_addrs().values():
        for entry in addresses:
            if entry.family == socket.AF_INET and not entry.address.startswith(("127.", "169.254.")):
                return entry.address
    return None


class _Server(uvicorn.Server):
    """uvicorn's server, which calls ``stopping`` (to answer the long polls) first when it shuts down, so its
    wait for the open requests ends at once rather than at the grace time."""

    def __init__(self, config: uvicorn.Config, stopping):
        super().__init__(config)
        self._stopping = stopping

    async def shutdown(self, sockets=None) -> None:
        self._stopping()
        await super().shutdown(sockets)


def combined(view, classroom):
    """One Starlette app: the ``classroom``'s routes (a :class:`~villagesim.classroom.web.ClassroomServer`),
    then the ``view`` (a Starlette app) for every other address; the view's start-up and shutdown run as
    the app's."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Mount

    return Starlette(routes=[*classroom.routes(), Mount("/", app=view)],
                     lifespan=lambda _app: view.router.lifespan_context(view),
                     middleware=[Middleware(GZipMiddleware, minimum_size=1000)])


def serve(host: str, port: int, lang: str, extensions=(), classroom_dir: str | None = None,
          public_url: str | None = None, plan_search: str = "") -> None:
    """Serve the browser view and the classroom on ``host:port`` until SIGINT or SIGTERM; pages start in
    ``lang``, every tab's models load ``extensions`` (files the operator chose; checked here, before
    listening), classroom sessions are kept in ``classroom_dir`` (default: the user's data folder),
    phones join at ``public_url`` and the budget card's search has the bounds ``plan_search``
    (:func:`villagesim.planner.parse_search`; checked before listening too)."""
    from villagesim.extensions import load_all
    from villagesim.planner import parse_search

    paths = [ext.path for ext in load_all(extensions)]
    parse_search(plan_search)
    check_bindable(host, port)
    from villagesim.classroom import default_folder
    from villagesim.classroom.web import ClassroomServer
    from villagesim.view.serve import app as view_app

    view = view_app(lang, paths, plan_search)
    folder = classroom_dir or default_folder()
    classroom = ClassroomServer(folder, public_url, lang)
    config = uvicorn.Config(combined(view, classroom), host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=GRACE_SECONDS)
    print(f"villagesim: browser view at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    stopped_by = _run(_Server(config, classroom.stop))
    saved = classroom.close()  # here rather than in the app's shutdown, which a second Ctrl+C skips
    print(f"villagesim: stopped{f' by {stopped_by}' if stopped_by else ''}; "
          f"{saved} classroom session{'' if saved == 1 else 's'} saved in {folder}", flush=True)


def _run(server) -> str | None:
    """Run ``server`` until it stops; returns the name of the signal that stopped it, if one did.

    uvicorn handles SIGINT and SIGTERM while it runs, then raises the signal again for the handler that
    was there before: this one notes it, so the command ends normally (exit 0) rather than by the signal.
    """
    received: list[str] = []

    def note(signum, _frame) -> None:
        received.append(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, note) for sig in STOP_SIGNALS}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return received[0] if received else None

