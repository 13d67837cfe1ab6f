"""Importing the view changes none of matplotlib's settings and scans no fonts; drawing restores them."""

import json
import subprocess
import sys

PROBE = """
import json
import matplotlib
from matplotlib import font_manager

def settings():  # the raw values: reading rcParams["backend"] the usual way would pick a backend
    return dict(dict.items(matplotlib.rcParams))

before, fonts = settings(), len(font_manager.fontManager.ttflist)
import villagesim.view, villagesim.pictures, villagesim.view.render
report = {"import": sorted(k for k, v in settings().items() if before[k] != v),
          "fonts": len(font_manager.fontManager.ttflist) - fonts}
from villagesim import VillageModel
model = VillageModel({"village.population": 150}, seed=1).run(2)
villagesim.view.render.live_charts(model.timeseries(), model.events, "zh")
villagesim.pictures.timeseries_figure({"a": [model.timeseries()]})
report["drawing"] = sorted(k for k, v in settings().items() if before[k] != v)
print(json.dumps(report))
"""


def test_view_import_and_drawing_leave_matplotlib_settings_alone():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["import"] == [], f"importing the view changed matplotlib settings: {report['import']}"
    assert report["fonts"] == 0, "importing the view registered fonts"
    assert report["drawing"] == [], f"drawing left matplotlib settings changed: {report['drawing']}"
