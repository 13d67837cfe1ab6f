"""The browser view as an ASGI app (:func:`app`), ready for :mod:`villagesim.server` to mount.

The view needs no internet connection: Solara's front end comes from the
``solara-assets`` package and every picture is drawn on the server.
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
import warnings
from pathlib import Path

# Solara reads these when first imported: no telemetry, no banner, production mode, and a
# closed tab's model freed after 10 minutes (a tab whose connection drops for less gets it back).
SOLARA_ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_KERNEL_CULL_TIMEOUT": "10m",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_MODE": "production",
    "SOLARA_APP": "villagesim.view.app",
}
NAVIGATOR_TYPO = "modules.export ="


def app(lang: str, extension_paths=(), plan_search: str = ""):
    """Solara's Starlette app serving :mod:`villagesim.view.app`, whose pages start in ``lang``, whose models
    load the extension files ``extension_paths`` (already checked) and whose budget card searches within
    ``plan_search``. Call it once per process, before the server starts."""
    os.environ.update(SOLARA_ENVIRONMENT)
    from villagesim.view.app import EXTENSIONS_ENV, LANGUAGE_ENV, PLAN_SEARCH_ENV, prepare
    from villagesim.view.render import cjk_font

    os.environ[LANGUAGE_ENV] = lang
    os.environ[EXTENSIONS_ENV] = os.pathsep.join(map(str, extension_paths))
    os.environ[PLAN_SEARCH_ENV] = plan_search
    if cjk_font() is None:
        print("villagesim: warning: Noto Sans CJK not found, Chinese chart labels will show as boxes "
              "(install it with: apt-get install fonts-noto-cjk)", file=sys.stderr)
    prepare()
    # Solara warns on the first visit that plain http means lax cookies: right for a local server.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    fix_navigator()

    from solara.server.starlette import app as solara_app

    return solara_app


def fix_navigator() -> None:
    """Give Solara's page navigator a template whose script ipyvue can read.

    Solara's ``navigator.vue`` (every release up to 1.64.1 at least) assigns ``modules.export`` instead of
    ``module.exports``, so ipyvue's loader logs "Failed to evaluate Vue script and find module.exports" on
    every page load before it falls back to an older way of reading it. The navigator is then read from a
    corrected copy in a temporary file, removed when the server exits; once Solara fixes it, this does nothing.
    """
    from solara.widgets import Navigator

    source = Path(Navigator.template_file).read_text(encoding="utf-8")
    if NAVIGATOR_TYPO not in source:
        return
    folder = tempfile.TemporaryDirectory(prefix="villagesim-view-")
    atexit.register(folder.cleanup)
    fixed = Path(folder.name) / "navigator.vue"
    fixed.write_text(source.replace(NAVIGATOR_TYPO, "module.exports =", 1), encoding="utf-8")
    Navigator.template_file = str(fixed)
