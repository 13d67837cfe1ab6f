"""The browser view (:mod:`villagesim.view.app`) on a local Solara server (``villagesim serve``).

The server binds to 127.0.0.1 unless ``--host`` says otherwise, and needs no
internet connection: Solara's front end comes from the ``solara-assets``
package and every picture is drawn on the server.
"""

from __future__ import annotations

import os
import socket
import sys
import warnings

from villagesim.errors import InputError

# Solara reads these when first imported: no telemetry, no banner, production mode, and a
# closed tab's model freed after 10 minutes (a tab whose connection drops for less gets it back).
SOLARA_ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_KERNEL_CULL_TIMEOUT": "10m",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_MODE": "production",
    "SOLARA_APP": "villagesim.view.app",
}


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


def serve(host: str, port: int, lang: str, extensions=(), classroom_dir: str | None = None,
          public_url: str | None = None, plan_search: str = "") -> None:
    """Serve the browser view and the classroom on ``host:port`` until interrupted; pages start in
    ``lang``, every tab's models load ``extensions`` (files the operator chose; checked here, before
    listening), classroom sessions are kept in ``classroom_dir`` (default: the user's data folder),
    phones join at ``public_url`` and the budget card's search has the bounds ``plan_search``
    (:func:`villagesim.planner.parse_search`; checked before listening too)."""
    from villagesim.extensions import load_all
    from villagesim.planner import parse_search

    paths = [ext.path for ext in load_all(extensions)]
    parse_search(plan_search)
    check_bindable(host, port)
    os.environ.update(SOLARA_ENVIRONMENT)
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn

    from villagesim.view.app import EXTENSIONS_ENV, LANGUAGE_ENV, PLAN_SEARCH_ENV, prepare
    from villagesim.view.render import cjk_font

    os.environ[LANGUAGE_ENV] = lang
    os.environ[EXTENSIONS_ENV] = os.pathsep.join(paths)
    os.environ[PLAN_SEARCH_ENV] = plan_search

    if cjk_font() is None:
        print("villagesim: warning: Noto Sans CJK not found, Chinese chart labels will show as boxes "
              "(install it with: apt-get install fonts-noto-cjk)", file=sys.stderr)
    prepare()
    # Solara warns on the first visit that plain http means lax cookies: right for a local server.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    from solara.server.starlette import app

    from villagesim.classroom import default_folder
    from villagesim.classroom.web import mount

    mount(app, classroom_dir or default_folder(), public_url, lang)
    print(f"villagesim: browser view at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    # Phones hold long polls open: stopping waits for them at most a few seconds.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3)
