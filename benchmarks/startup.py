"""Start-up time of each command as a user sees it: whole processes, medians of several, against ``import mesa``.

    uv run --frozen python benchmarks/startup.py [--repeats 7] [--tree PATH] [--json]

Each round runs every command once, in turn, so that a change in the machine's load touches all of them
alike. Targets: ``--help``, ``params``, ``scenarios`` and refusals of bad input answer in under a quarter of
``python -c "import mesa"``; ``run --steps 1`` costs no more than the imports it needs plus 0.5 s. ``--tree``
times another checkout of villagesim (e.g. the main branch, for a before/after table) with this environment.
Which modules each command imports is checked, deterministically, by tests/test_startup.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK = {
    "villagesim --help": ["--help"],
    "villagesim params": ["params"],
    "villagesim scenarios": ["scenarios"],
    "villagesim run --set village.population=abc (refused)": ["run", "--set", "village.population=abc"],
    "villagesim run with a bad network CSV (refused)": ["run", "--set", "network.nodes=nodes.csv",
                                                        "--set", "network.edges=edges.csv"],
    "villagesim run --out under a file (refused)": ["run", "--out", "notes.txt/run"],
    "villagesim sweep with a bad spec (refused)": ["sweep", "bad.toml", "--out", "sweep"],
}
RUN = ["run", "--steps", "1", "--seed", "1", "--out", "run"]
RUN_IMPORTS = "import villagesim.model, villagesim.view.charts, villagesim.events"


def timed(argv: list[str], cwd: str, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repeats: int, tree: str | None) -> dict:
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(tree).resolve()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    python = sys.executable
    commands = {"python -c 'import mesa'": [python, "-c", "import mesa"],
                **{name: [python, "-m", "villagesim.cli", *argv] for name, argv in QUICK.items()},
                "villagesim run --steps 1": [python, "-m", "villagesim.cli", *RUN],
                "python -c 'import <what run needs>'": [python, "-c", RUN_IMPORTS]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as cwd:
        Path(cwd, "notes.txt").write_text("a file")
        Path(cwd, "nodes.csv").write_text("id\na\na\n")
        Path(cwd, "edges.csv").write_text("a,b\n")
        Path(cwd, "bad.toml").write_text('months = 2\n[factors]\n"village.popluation" = [1, 2]\n')
        for argv in commands.values():  # once first, so that bytecode is compiled and files cached
            timed(argv, cwd, env)
        for _ in range(repeats):
            for name, argv in commands.items():
                times[name].append(timed(argv, cwd, env))
    medians = {name: statistics.median(t) for name, t in times.items()}
    mesa = medians["python -c 'import mesa'"]
    quick = [medians[name] for name in QUICK]
    overhead = medians["villagesim run --steps 1"] - medians["python -c 'import <what run needs>'"]
    return {"repeats": repeats, "tree": tree, "load_average": os.getloadavg(), "median_s": medians,
            "targets": {"quick answers < mesa / 4": all(t < mesa / 4 for t in quick),
                        "run - its imports <= 0.5 s": overhead <= 0.5},
            "run_overhead_s": overhead}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="rounds; medians are reported (default: 7)")
    parser.add_argument("--tree", default=None, help="time the villagesim package of this checkout instead")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    result = measure(args.repeats, args.tree)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    medians = result["median_s"]
    mesa = medians["python -c 'import mesa'"]
    print(f"start-up, medians of {args.repeats} whole processes, load average {result['load_average'][0]:.1f}"
          + (f", tree {args.tree}" if args.tree else ""))
    print("| command | median s | / import mesa |")
    print("| --- | ---: | ---: |")
    for name, value in medians.items():
        print(f"| `{name}` | {value:.2f} | {value / mesa:.2f} |")
    print(f"run minus the imports it needs: {result['run_overhead_s']:+.2f} s")
    for name, met in result["targets"].items():
        print(f"{'met ' if met else 'MISS'}  {name}")


if __name__ == "__main__":
    main()
