"""``villagesim bench``: speed against plain Mesa, regions up to a million people, sweep throughput."""

from __future__ import annotations

import argparse
import json
import os

from villagesim.benchmark import SCALES
from villagesim.cli.arguments import add_output_arguments, claim_output, non_negative, positive
from villagesim.errors import InputError


def cmd_bench(args: argparse.Namespace) -> int:
    cells = [s.strip() for s in args.scale.split(",") if s.strip()] if args.scale else []
    if not all(s.isdigit() and int(s) > 0 for s in cells):
        raise InputError(f"--scale {args.scale}: must be positive people counts separated by commas")
    sizes = [int(s) for s in cells]
    settings = ("months", "region_months", "repeats", "pairs", "scale", "sweep_runs")
    out = claim_output(args, "bench", {k: getattr(args, k) for k in settings}) if args.out else None

    from villagesim.benchmark.bench import load_twin, machine, scale, sweep, targets, village

    load_twin()
    result = {"machine": machine()}
    result["village"] = village(args.months, args.repeats, args.pairs)
    result["scale"] = scale(sizes, args.region_months, max(1, args.repeats - 1))
    result["sweep"] = sweep(args.sweep_runs, args.months, os.cpu_count() or 1) if args.sweep_runs else None
    result["targets"] = targets(result)
    result["machine"]["load_average_after"] = os.getloadavg()
    if out:
        with out.writing() as folder:
            (folder / "bench.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    v, m = result["village"], result["machine"]
    print(f"villagesim bench on {m['cpus']} CPUs, load average {m['load_average'][0]:.1f} before, "
          f"{m['load_average_after'][0]:.1f} after; numpy copy {m['copy_gb_per_s']:.1f} GB/s")
    print("(wall: elapsed time; cpu: CPU time of the process, i.e. the work on one core)")
    print(f"(a) default village, {v['agents']} people x {v['months']} months")
    print(f"    villagesim  {v['agent_steps_per_s']:>12,.0f} agent-steps/s wall {v['agent_steps_per_cpu_s']:>12,.0f} cpu"
          f"   whole run {v['run_s']:.3f} s wall {v['run_cpu_s']:.3f} s cpu")
    print(f"    plain Mesa  {v['mesa_agent_steps_per_s']:>12,.0f} agent-steps/s wall "
          f"{v['mesa_agent_steps_per_cpu_s']:>12,.0f} cpu   speed-up {v['speedup_vs_mesa']:.0f}x wall "
          f"{v['speedup_vs_mesa_cpu']:.0f}x cpu")
    print(f"(b) regions, {args.region_months} months each, one fresh process per size")
    print(f"    {'agents':>10} {'villages':>9} {'agent-steps/s':>14} {'(cpu)':>12} {'ns/agent-step':>14} {'(cpu)':>6}"
          f" {'set-up s':>9} {'peak MB':>8}")
    for r in result["scale"]:
        print(f"    {r['agents']:>10,} {r['villages']:>9} {r['agent_steps_per_s']:>14,.0f} {r['agent_steps_per_cpu_s']:>12,.0f}"
              f" {r['ns_per_agent_step']:>14.0f} {r['cpu_ns_per_agent_step']:>6.0f} {r['setup_s']:>9.2f}"
              f" {r['peak_rss_mb']:>8.0f}")
    if result["sweep"]:
        s = result["sweep"]
        print(f"(c) sweep of {s['runs']} default runs: {s['serial_runs_per_s']:.2f} runs/s serial, "
              f"{s['processes_runs_per_s']:.2f} runs/s with {s['workers']} processes (wall)")
    print("targets (wall / cpu):")
    for name, t in result["targets"].items():
        print(f"    {'met ' if t['met_wall'] else 'MISS'} / {'met ' if t['met_cpu'] else 'MISS'}  "
              f"{name}: {t['wall']:.4g} / {t['cpu']:.4g}")
    return 0


def add_command(sub) -> None:
    bench = sub.add_parser("bench", help="measure speed against plain Mesa, scaling to a million people, sweep throughput")
    bench.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    bench.add_argument("--months", type=positive, default=120, help="months of the default-village runs (default: 120)")
    bench.add_argument("--region-months", type=positive, default=24,
                       help="months of each region run; 24 take in the project launch and its news (default: 24)")
    bench.add_argument("--repeats", type=positive, default=3, help="repeats; the best time is kept (default: 3)")
    bench.add_argument("--pairs", type=positive, default=3,
                       help="timings of the plain Mesa twin, each paired with villagesim's (default: 3)")
    bench.add_argument("--scale", default=",".join(str(s) for s in SCALES),
                       help="region sizes in people, comma-separated; empty to skip (default: 10000,100000,1000000)")
    bench.add_argument("--sweep-runs", type=non_negative, default=60,
                       help="runs in the sweep timing, enough to amortise the pool's start-up; 0 skips it (default: 60)")
    add_output_arguments(bench, help="also write the result as bench.json in this folder")
    bench.set_defaults(handler=cmd_bench)
