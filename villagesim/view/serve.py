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


def serve(host: str, port: int, lang: str, extensions=()) -> None:
    """Serve the browser view on ``host:port`` until interrupted; the page starts in ``lang``, and every
    tab's models load ``extensions`` (files the operator chose; checked here, before listening)."""
    from villagesim.extensions import load_all

    paths = [ext.path for ext in load_all(extensions)]
    check_bindable(host, port)
    os.environ.update(SOLARA_ENVIRONMENT)
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn

    from villagesim.view.app import EXTENSIONS_ENV, LANGUAGE_ENV, prepare
    from villagesim.view.render import cjk_font

    os.environ[LANGUAGE_ENV] = lang
    os.environ[EXTENSIONS_ENV] = os.pathsep.join(paths)

    if cjk_font() is None:
        print("villagesim: warning: Noto Sans CJK not found, Chinese chart labels will show as boxes "
              "(install it with: apt-get install fonts-noto-cjk)", file=sys.stderr)
    prepare()
    # Solara warns on the first visit that plain http means lax cookies: right for a local server.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    print(f"villagesim: browser view at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
