"""``villagesim bench``: speed and memory, measured in one run so that the ratios hold on a noisy machine.

Three parts, as docs/performance.md reports them:

(a) the default village (about 1,500 people, 120 months): agent-steps per
    second of villagesim and of the plain Mesa twin in
    ``villagesim/benchmark/plain_mesa.py`` (same rules, one object per person), and
    their ratio; also the wall time of a whole default run, network and all;
(b) regions of 10,000, 100,000 and 1,000,000 people (villages of 1,500):
    agent-steps per second, set-up time and peak memory, each size in a
    fresh subprocess so that its peak resident memory is its own;
(c) sweep throughput: runs per second of :func:`villagesim.sweep.run_sweep`
    on default runs, serial and with the process pool of ``villagesim sweep``.

An agent-step is one person for one month. Times are the best of
``--repeats`` (noise on a shared machine only ever slows a run down); the
twin (some 20,000 agent-steps per CPU second) is timed ``--pairs`` times,
each paired with villagesim's runs, and the speed-up is the median ratio. Every time is
taken both as wall time and as the process's CPU time: on a shared machine
wall time also counts the waits for a CPU, CPU time is the work done on one
core; both are reported, and each target is judged on each.

``--json`` prints one JSON object: ``village`` (``agent_steps_per_s``,
``mesa_agent_steps_per_s``, ``speedup_vs_mesa``, ``run_s``...), ``scale``
(a list of objects with ``agents``, ``agent_steps_per_s``, ``setup_s``,
``peak_rss_mb``...), ``sweep`` (``serial_runs_per_s``,
``processes_runs_per_s``, ``workers``) and ``targets`` (each performance
target with its figure and whether it is met).

The twin ships in the package (:mod:`villagesim.benchmark.plain_mesa`), so
the command works from an installed wheel.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np



VILLAGE = 1500


def load_twin():
    """The plain Mesa twin module, :mod:`villagesim.benchmark.plain_mesa`."""
    from villagesim.benchmark import plain_mesa

    return plain_mesa


def _clock(fn) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _best(repeats: int, fn) -> tuple[float, float]:
    """Best wall and best CPU seconds over ``repeats`` calls."""
    times = [_clock(fn) for _ in range(repeats)]
    return min(t[0] for t in times), min(t[1] for t in times)


def _steps(build, months: int) -> tuple[float, float]:
    model = build()
    return _clock(lambda: model.run(months))


def village(months: int, repeats: int, pairs: int) -> dict:
    """Part (a): the default village in villagesim and in the plain Mesa twin.

    The twin is timed ``pairs`` times, each right after ``repeats`` villagesim
    runs, and the speed-up is the median of the pairs' ratios, so that a
    change of load during the command hits both sides of a ratio alike.
    """
    from villagesim.model import VillageModel

    twin = load_twin()
    agents = VillageModel(seed=1).population.size
    setup = _best(repeats, lambda: VillageModel(seed=1))
    whole = _best(repeats, lambda: VillageModel(seed=1).run(months))
    ours, theirs = [], []
    for _ in range(pairs):
        ours.append([min(x) for x in zip(*(_steps(lambda: VillageModel(seed=1), months) for _ in range(repeats)))])
        theirs.append(_steps(lambda: twin.PlainVillage(seed=1), months))
    work = agents * months
    return {
        "agents": agents,
        "months": months,
        "agent_steps_per_s": work / min(t[0] for t in ours),
        "agent_steps_per_cpu_s": work / min(t[1] for t in ours),
        "mesa_agent_steps_per_s": work / min(t[0] for t in theirs),
        "mesa_agent_steps_per_cpu_s": work / min(t[1] for t in theirs),
        "speedup_vs_mesa": float(np.median([m[0] / o[0] for o, m in zip(ours, theirs)])),
        "speedup_vs_mesa_cpu": float(np.median([m[1] / o[1] for o, m in zip(ours, theirs)])),
        "pairs": pairs,
        "run_s": whole[0],
        "run_cpu_s": whole[1],
        "setup_s": setup[0],
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def region(agents: int, months: int) -> dict:
    """One region of about ``agents`` people (villages of 1,500), measured in this process."""
    from villagesim.model import VillageModel

    params = {"village.population": VILLAGE, "region.villages": max(1, round(agents / VILLAGE))}
    holder = []
    setup = _clock(lambda: holder.append(VillageModel(params, seed=1)))
    model = holder.pop()
    run = _clock(lambda: model.run(months))
    people = model.population.size
    adj = model.adjacency
    state = sum(a.nbytes for a in model.population.arrays().values()) + adj.indices.nbytes + adj.indptr.nbytes
    return {
        "agents": people,
        "villages": model.villages,
        "months": months,
        "agent_steps_per_s": people * months / run[0],
        "agent_steps_per_cpu_s": people * months / run[1],
        "ns_per_agent_step": 1e9 * run[0] / (people * months),
        "cpu_ns_per_agent_step": 1e9 * run[1] / (people * months),
        "setup_s": setup[0],
        "setup_cpu_s": setup[1],
        "peak_rss_mb": peak_rss_mb(),
        "state_bytes_per_agent": state / people,
    }


def scale(sizes, months: int, repeats: int) -> list[dict]:
    """Part (b): each size in fresh subprocesses; best time, highest peak memory."""
    rows = []
    for agents in sizes:
        runs = []
        for _ in range(repeats):
            done = subprocess.run([sys.executable, "-m", "villagesim.benchmark.bench", "--region", str(agents), str(months)],
                                  capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout))
        best = max(runs, key=lambda r: r["agent_steps_per_s"])
        for key in ("agent_steps_per_cpu_s",):
            best[key] = max(r[key] for r in runs)
        for key in ("cpu_ns_per_agent_step", "setup_s", "setup_cpu_s"):
            best[key] = min(r[key] for r in runs)
        best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        rows.append(best)
    return rows


def sweep(runs: int, months: int, workers: int) -> dict:
    """Part (c): runs per second of ``run_sweep`` on default runs, serial and with a process pool."""
    from villagesim.sweep import make_executor, parse_spec, run_sweep

    spec = parse_spec({"scenario": "default", "months": months, "replicates": runs, "seed": 1,
                       "output": {"metrics": ["participation_rate", "project_uptake", "trust_mean"]}})
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_sweep(spec, Path(tmp) / "serial")
        serial = time.perf_counter() - start
        # The pool of ``villagesim sweep --executor processes``, its start-up included.
        start = time.perf_counter()
        pool, release, _ = make_executor("processes", workers, None)
        try:
            run_sweep(spec, Path(tmp) / "processes", pool)
        finally:
            release()
        parallel = time.perf_counter() - start
    return {"runs": runs, "months": months, "workers": workers,
            "serial_runs_per_s": runs / serial, "processes_runs_per_s": runs / parallel}


LIMITS = {
    "speed-up over plain Mesa >= 50": (lambda x: x >= 50, "speedup_vs_mesa", "speedup_vs_mesa_cpu"),
    "default run < 0.25 s": (lambda x: x < 0.25, "run_s", "run_cpu_s"),
    "1M agent-steps/s >= 5e6": (lambda x: x >= 5e6, "agent_steps_per_s", "agent_steps_per_cpu_s"),
    "1M set-up < 20 s": (lambda x: x < 20, "setup_s", "setup_cpu_s"),
    "1M peak memory < 2048 MB": (lambda x: x < 2048, "peak_rss_mb", "peak_rss_mb"),
    "cost per agent-step 1M / 10k <= 2": (lambda x: x <= 2, "ns_per_agent_step", "cpu_ns_per_agent_step"),
}


def targets(result: dict) -> dict:
    """Each performance target with its figure in wall time and in CPU time, and whether each meets it.

    On a loaded machine wall time counts the waits for the CPU too; CPU time
    is the work done on one core.
    """
    out = {}
    for name, (ok, wall, cpu) in LIMITS.items():
        if name.startswith(("speed-up", "default")):
            values = result["village"][wall], result["village"][cpu]
        else:
            rows = {r["agents"]: r for r in result["scale"]}
            if not rows or max(rows) < 900_000:
                continue
            big, small = rows[max(rows)], rows[min(rows)]
            values = ((big[wall] / small[wall], big[cpu] / small[cpu]) if name.startswith("cost")
                      else (big[wall], big[cpu]))
        out[name] = {"wall": values[0], "cpu": values[1], "met_wall": bool(ok(values[0])), "met_cpu": bool(ok(values[1]))}
    return out


def copy_bandwidth(megabytes: int = 512, repeats: int = 5) -> float:
    """Memory bandwidth of one core in GB/s: best numpy copy of a large array (bytes read + bytes written)."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    return 2 * source.nbytes / _best(repeats, lambda: np.copyto(target, source))[0] / 1e9


def machine() -> dict:
    return {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "load_average": os.getloadavg(),
            "copy_gb_per_s": copy_bandwidth()}


if __name__ == "__main__" and sys.argv[1:2] == ["--region"]:
    print(json.dumps(region(int(sys.argv[2]), int(sys.argv[3]))))
