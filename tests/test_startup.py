"""Quick answers: --help, params, scenarios and every refusal of bad input import none of the model's stack.

Each command runs in a fresh interpreter, which then lists the heavy packages in ``sys.modules``: a
deterministic check of what ``python -m villagesim.benchmark.startup`` times. numpy is allowed (a tenth of Mesa's import
time); reading a network CSV needs it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "solara", "dask", "distributed", "networkx", "pyarrow", "SALib",
         "PIL", "villagesim.model", "villagesim.view")

PROBE = """
import json, sys
from villagesim.cli import main
try:
    status = main(json.loads(sys.argv[1]))
except SystemExit as stop:
    status = stop.code
heavy = json.loads(sys.argv[2])
print(json.dumps({"status": status, "imported": sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)}))
"""


def imported(argv: list[str], cwd) -> tuple[int, list[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["status"], report["imported"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    (folder / "notes.txt").write_text("a file")
    (folder / "nodes.csv").write_text("id,village,seed\na,v,1\na,v,0\n")  # a duplicate id
    (folder / "edges.csv").write_text("a,b\n")
    (folder / "bad.toml").write_text("months = 2\n[factors]\n\"village.popluation\" = [1, 2]\n")
    (folder / "sobol.toml").write_text('design = "sobol"\nsamples = 3\n[factors]\n"village.hamlets" = [2, 8]\n')
    (folder / "params.toml").write_text("[params]\n")
    (folder / "sweep").mkdir()
    (folder / "sweep" / "sweep.json").write_text("{}")
    (folder / "claimed").mkdir()
    (folder / "claimed" / "villagesim.json").write_text('{"command": "run", "inputs": {"seed": -1}}')
    return folder


NETWORK = ["--set", "network.nodes=nodes.csv", "--set", "network.edges=edges.csv"]
DATA = ["--nodes", "nodes.csv", "--edges", "edges.csv", "--group-col", "village", "--seed-col", "seed"]

ANSWERS = [
    ["--help"], ["--version"], ["params"], ["params", "--markdown"], ["scenarios"], ["scenarios", "--lang", "zh"],
    *([name, "--help"] for name in ("run", "demo", "plan", "calibrate", "predict", "sweep", "analyze", "serve",
                                    "bench", "params", "scenarios")),
]
REFUSALS = [
    ["frobnicate"],
    ["run", "--set", "village.population=abc"],
    ["run", "--set", "village.popluation=3"],
    ["run", "--scenario", "atlantis"],
    ["run", "--steps", "-1"],
    ["run", "--scenario", "bad.toml"],
    ["run", "--out", "notes.txt/run"],
    ["run", "--out", "notes.txt"],
    ["run", "--seed", "3", "--out", "claimed"],
    ["demo", "--intensity", "2"],
    ["demo", "--out", "notes.txt"],
    ["sweep", "missing.toml", "--out", "o"],
    ["sweep", "bad.toml", "--out", "o"],
    ["sweep", "sobol.toml", "--out", "o"],
    ["sweep", "bad.toml", "--out", "o", "--scheduler", "tcp://x:1"],
    ["analyze", "."],
    ["analyze", "sweep"],
    ["analyze", "sweep", "--by", "village.hamlets"],
    ["calibrate", *DATA[:2]],
    ["calibrate", *DATA, "--outcome-col", "seed", "--set", "project.news_prob=0.1", "--out", "o"],
    ["calibrate", "--nodes", "missing.csv", *DATA[2:], "--outcome-col", "seed", "--out", "o"],
    ["calibrate", *DATA, "--outcome-col", "seed", "--out", "notes.txt/o"],
    ["predict", *DATA, "--params", "params.toml", "--out", "o"],
    ["bench", "--scale", "x"],
    ["bench", "--repeats", "0"],
    ["bench", "--out", "notes.txt"],
    ["serve", "--port", "0"],
    ["plan", "--budget", "-5"],
    ["plan", "--budget", "50", "--objective", "nonsense"],
    # Reading a CSV needs numpy only.
    ["run", *NETWORK],
    ["demo", *NETWORK],
    ["calibrate", *DATA, "--outcome-col", "seed", "--out", "o"],
]


@pytest.mark.parametrize("argv", ANSWERS, ids=" ".join)
def test_answers_import_none_of_the_stack(files, argv):
    status, heavy = imported(argv, files)
    assert status == 0 and heavy == []


@pytest.mark.parametrize("argv", REFUSALS, ids=" ".join)
def test_refusals_import_none_of_the_stack(files, argv):
    status, heavy = imported(argv, files)
    assert status == 2 and heavy == []
    assert not (files / "o").exists()
