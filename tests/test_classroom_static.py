"""The classroom's style sheet and scripts are files of ``villagesim/classroom/static/``, served as such."""

import re
from pathlib import Path

from starlette.routing import Mount

from villagesim.classroom import pages
from villagesim.classroom.web import ClassroomServer

STATIC = Path(pages.__file__).parent / "static"


def test_pages_load_their_style_and_scripts_from_static_files():
    html = pages.page("t", "en", {}, "<p>body</p>", pages.CONSOLE_SCRIPT, "/other")
    assert "<style" not in html
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 1 and inline[0].startswith("const BOOT = ")  # only the page's words and settings
    loaded = re.findall(rf'(?:href|src)="{pages.STATIC}/([^"]+)"', html)
    assert loaded == ["classroom.css", "common.js", "console.js"]
    for script in (pages.START_SCRIPT, pages.JOIN_SCRIPT, pages.TEAM_SCRIPT, pages.CONSOLE_SCRIPT, *loaded):
        assert (STATIC / script).is_file(), script


def test_the_static_files_are_readable_not_minified():
    for path in STATIC.iterdir():
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) > 5 and max(map(len, lines)) <= 130, path.name


def test_the_classroom_app_serves_the_static_folder(tmp_path):
    mounts = [route for route in ClassroomServer(tmp_path).routes() if isinstance(route, Mount)]
    assert [m.path for m in mounts] == [pages.STATIC]
    assert Path(mounts[0].app.directory) == STATIC
