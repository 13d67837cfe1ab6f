"""Start-up time of each command as a user sees it: whole processes, medians of several, against ``import mesa``.

    uv run --frozen python -m villagesim.benchmark.startup [--repeats 7] [--tree PATH] [--json]

Each round runs every command once, in turn, so that a change in the machine's load touches all of them
alike. Targets: ``--help``, ``params``, ``scenarios`` and refusals of bad input answer in under a quarter of
``python -c "import mesa"``; ``run --steps 1`` costs no more than the imports it needs plus 0.5 s. ``--tree``
times another checkout of villagesim (e.g. the main branch, for a before/after table) with this environment.
Which modules each command imports is checked, deterministically, by tests/test_startup.py.

Bytecode is cached as for any user (in a temporary ``PYTHONPYCACHEPREFIX``, and whatever
``PYTHONDONTWRITEBYTECODE`` says), after one warm-up round; ``--no-bytecode`` times compiling from source.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
# Everything `run` imports (its modules, pandas' CSV writer, the Agg canvas, PIL's PNG plugins), in one process.
RUN_IMPORTS = ("import villagesim.cli, villagesim.model, villagesim.events, villagesim.pictures, pandas.io.formats.csvs, "
               "scipy.special, "  # the uptake rule's expit, imported when the first villager decides
               "matplotlib.backends.backend_agg, PIL.Image; PIL.Image.preinit()")


def timed(argv: list[str], cwd: str, env: dict) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(repeats: int, tree: str | None, bytecode: bool, cache: str) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if tree:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(tree).resolve()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    python = sys.executable
    commands = {"python -c 'import mesa'": [python, "-c", "import mesa"],
                **{name: [python, "-m", "villagesim.cli", *argv] for name, argv in QUICK.items()},
                "villagesim run --steps 1": [python, "-m", "villagesim.cli", *RUN],
                "python -c 'import <what run needs>'": [python, "-c", RUN_IMPORTS]}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
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
    result = {"repeats": repeats, "tree": tree, "bytecode_cached": bytecode, "load_average": os.getloadavg(),
              "targets": {}}
    for k, kind in enumerate(("wall", "cpu")):
        medians = {name: statistics.median(t[k] for t in runs) for name, runs in times.items()}
        mesa = medians["python -c 'import mesa'"]
        overhead = medians["villagesim run --steps 1"] - medians["python -c 'import <what run needs>'"]
        result[f"{kind}_s"] = medians
        result[f"run_overhead_{kind}_s"] = overhead
        result["targets"][f"quick answers < mesa / 4 ({kind})"] = all(medians[name] < mesa / 4 for name in QUICK)
        result["targets"][f"run - its imports <= 0.5 s ({kind})"] = overhead <= 0.5
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="rounds; medians are reported (default: 7)")
    parser.add_argument("--tree", default=None, help="time the villagesim package of this checkout instead")
    parser.add_argument("--no-bytecode", action="store_true", help="compile every module from source each time")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        result = measure(args.repeats, args.tree, not args.no_bytecode, cache)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    wall, cpu = result["wall_s"], result["cpu_s"]
    mesa = "python -c 'import mesa'"
    print(f"start-up, medians of {args.repeats} whole processes, load average {result['load_average'][0]:.1f}, "
          f"bytecode {'cached' if result['bytecode_cached'] else 'compiled each time'}"
          + (f", tree {args.tree}" if args.tree else ""))
    print("| command | wall s | / import mesa | CPU s | / import mesa |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in wall:
        print(f"| `{name}` | {wall[name]:.2f} | {wall[name] / wall[mesa]:.2f} | {cpu[name]:.2f} | "
              f"{cpu[name] / cpu[mesa]:.2f} |")
    print(f"run minus the imports it needs: {result['run_overhead_wall_s']:+.2f} s wall, "
          f"{result['run_overhead_cpu_s']:+.2f} s CPU")
    for name, met in result["targets"].items():
        print(f"{'met ' if met else 'MISS'}  {name}")


if __name__ == "__main__":
    main()
