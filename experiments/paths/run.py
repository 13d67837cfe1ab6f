"""Which path for which village, over the plausible ranges of every uncertain parameter (docs/findings.md).

Four phases, each writing its CSV/JSON to OUT, then the Markdown tables (OUT/summary.md, also printed):

1. ``best_buy``: for every preset (``villagesim scenarios``) at 10, 15 and 30 万元, ``villagesim.compare``:
   each path alone and nothing over a Latin hypercube of the uncertain parameters; each path's gain, gain per
   万元 (95% CIs) and probability of being the best buy; the parameters that decide it (``best_buy.csv``,
   ``drivers.csv``).
2. ``discovery``: the same at 15 万元 with the village's characteristics varied too, over the span of the
   presets (branch regularity and capability, digital access of young and old, ...): PRIM boxes where each
   path is the best buy (``discovery_points.csv``, ``discovery_boxes.csv``, ``discovery_drivers.csv``).
3. ``cross``: each preset's best plan at 15 万元 (``villagesim.plan``, a shortened search), run in every
   village on more seeds, paired: is a village's own plan better there than the others' (``plans.json``,
   ``cross.csv``)?
4. ``verdict``: does one size fit all? From 1 (does the most likely best buy differ between villages?) and
   3 (pairs of villages whose own plans each win at home beyond the CI).

    .venv/bin/python experiments/paths/run.py OUT [--size full|medium|small] [--budgets 10,15,30] [--only best_buy,discovery,cross]

Run time on the 2 cores of the development machine (``--size small`` at 120 months, current rules, six
presets, the machine shared with other jobs): see experiments/README.md. All seeds derive from SEED, so a
rerun on the same commit gives the same tables whatever the number of workers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

import pandas as pd

from villagesim import compare, plan
from villagesim.best_buy import ARMS
from villagesim import scenarios
from villagesim.seeds import replicate_seeds
from villagesim.sweep import local_pool

SEED = 2026
BUDGETS = (10.0, 15.0, 30.0)
CROSS_BUDGET = 15.0
DISCOVERY = ("default", CROSS_BUDGET)
SIZES = {
    # compare's points, first and most seeds a point; discovery's; the plan search; the cross test's seeds
    "full": {"compare": dict(points=32, seeds=6, max_seeds=24), "discovery": dict(points=96, seeds=6, max_seeds=24),
             "plan": dict(trials=16, search_seeds=4, seeds=16, max_seeds=32), "cross_seeds": 48},
    "medium": {"compare": dict(points=16, seeds=4, max_seeds=8), "discovery": dict(points=48, seeds=4, max_seeds=8),
               "plan": dict(trials=8, search_seeds=2, seeds=12, max_seeds=16), "cross_seeds": 32},
    "small": {"compare": dict(points=8, seeds=2, max_seeds=4), "discovery": dict(points=24, seeds=2, max_seeds=4),
              "plan": dict(trials=4, search_seeds=2, seeds=8, max_seeds=8), "cross_seeds": 16},
}


def plans_module():
    """experiments/plans/run.py, whose cross test this reuses."""
    spec = importlib.util.spec_from_file_location("plans_run", Path(__file__).resolve().parents[1] / "plans" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_buy(executor, presets: list[str], budgets: list[float], months: int,
             size: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, drivers = [], []
    for preset in presets:
        for budget in budgets:
            started = time.monotonic()
            result = compare(preset, budget, months, seed=SEED, executor=executor, **size)
            resolved = float(result.points["resolved"].mean())
            for p in result.paths:
                rows.append({"village": preset, "budget": budget, "path": p.name, "cost": p.cost, "gain": p.gain,
                             "gain_low": p.gain_ci[0], "gain_high": p.gain_ci[1], "per_wan": p.per_wan,
                             "per_wan_low": p.per_wan_ci[0], "per_wan_high": p.per_wan_ci[1], "p_best": p.p_best,
                             "points": len(result.points), "resolved": resolved, "runs": result.runs})
            for rank, d in enumerate(result.drivers, 1):
                drivers.append({"village": preset, "budget": budget, "rank": rank, **d})
            top = max(result.paths, key=lambda p: p.p_best)
            print(f"{preset} {budget:g}: {top.name} best at {top.p_best:.0%} of {len(result.points)} points "
                  f"({resolved:.0%} resolved), {result.runs} runs in {time.monotonic() - started:.0f} s", flush=True)
    return pd.DataFrame(rows), pd.DataFrame(drivers)


def discovery(executor, months: int, size: dict, out: Path) -> None:
    village, budget = DISCOVERY
    result = compare(village, budget, months, seed=SEED + 1, vary_village=True, executor=executor, **size)
    result.points.to_csv(out / "discovery_points.csv", index=False)
    result.boxes.to_csv(out / "discovery_boxes.csv", index=False)
    pd.DataFrame(result.drivers).to_csv(out / "discovery_drivers.csv", index=False)
    print(f"discovery: {len(result.points)} points, {len(result.factors)} factors, {result.runs} runs", flush=True)


def cross(executor, presets: list[str], months: int, size: dict, out: Path) -> None:
    module = plans_module()
    module.MONTHS = months  # its runner reads the months from here
    found = {}
    for preset in presets:
        result = plan(preset, CROSS_BUDGET, months, seed=SEED, executor=executor, **size["plan"])
        found[f"{preset}@{CROSS_BUDGET:g}"] = {**result.to_json(), "describe": result.best.describe(),
                                              "tied": result.tied}
        print(f"plan {preset} {CROSS_BUDGET:g}: {result.best.describe()}", flush=True)
    (out / "plans.json").write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    table = module.cross(executor, found, CROSS_BUDGET, replicate_seeds(SEED + 2, size["cross_seeds"]), presets)
    table.to_csv(out / "cross.csv", index=False)


# --- the tables -------------------------------------------------------------------------------------------


def summary(out: Path) -> str:
    lines = []
    if (out / "best_buy.csv").exists():
        table = pd.read_csv(out / "best_buy.csv")
        lines += ["## Probability of being the best buy (share of the points of the Latin hypercube)", "",
                  "| village | 万元 | " + " | ".join(ARMS) + " | points resolved |", "| --- " * (len(ARMS) + 3) + "|"]
        for (village, budget), group in table.groupby(["village", "budget"], sort=False):
            shares = group.set_index("path")["p_best"]
            lines.append(f"| {village} | {budget:g} | " + " | ".join(f"{shares[a]:.2f}" for a in ARMS)
                         + f" | {group['resolved'].iloc[0]:.0%} of {group['points'].iloc[0]} |")
        lines += ["", "## Gain per 万元 [95% CI] (participation at home)", "",
                  "| village | 万元 | " + " | ".join(ARMS[1:]) + " |", "| --- " * (len(ARMS) + 1) + "|"]
        for (village, budget), group in table.groupby(["village", "budget"], sort=False):
            g = group.set_index("path")
            cells = [f"{g.loc[a, 'per_wan']:+.4f} [{g.loc[a, 'per_wan_low']:+.4f}, {g.loc[a, 'per_wan_high']:+.4f}]"
                     if pd.notna(g.loc[a, "per_wan"]) else "not affordable" for a in ARMS[1:]]
            lines.append(f"| {village} | {budget:g} | " + " | ".join(cells) + " |")
    if (out / "drivers.csv").exists() and (out / "drivers.csv").stat().st_size > 1:
        drivers = pd.read_csv(out / "drivers.csv")
        lines += ["", "## What decides the best buy (first three drivers; low end / high end favours)", ""]
        for (village, budget), group in drivers.groupby(["village", "budget"], sort=False):
            top = "; ".join(f"`{r.key}` {r.importance:.2f} ({r.low_favours} / {r.high_favours})"
                            for r in group.head(3).itertuples())
            lines.append(f"- {village} at {budget:g} 万元: {top}")
    if (out / "discovery_boxes.csv").exists():
        boxes = pd.read_csv(out / "discovery_boxes.csv")
        lines += ["", f"## Scenario discovery on the ranking ({DISCOVERY[0]} village varied, {DISCOVERY[1]:g} 万元)", "",
                  "| best buy | points | coverage | density | box |", "| --- | --- | --- | --- | --- |"]
        for path, group in boxes.groupby("path", sort=False):
            first = group.iloc[0]
            box = "; ".join(f"`{r.factor}` {r.low:.3g} to {r.high:.3g}" for r in group.itertuples()
                            if isinstance(r.factor, str) and r.factor)
            lines.append(f"| {path} | {first.points} ({first.share:.0%}) | {first.coverage:.2f} | {first.density:.2f} | "
                         f"{box or 'the whole space'} |")
    if (out / "discovery_drivers.csv").exists() and (out / "discovery_drivers.csv").stat().st_size > 1:
        drivers = pd.read_csv(out / "discovery_drivers.csv")
        lines += ["", "What decides it there (first five): " + "; ".join(
            f"`{r.key}` {r.importance:.2f} ({r.low_favours} / {r.high_favours})" for r in drivers.head(5).itertuples())]
    if (out / "cross.csv").exists():
        table = pd.read_csv(out / "cross.csv")
        villages = list(dict.fromkeys(table["village"]))
        lines += ["", f"## Cross test at {CROSS_BUDGET:g} 万元: own best plan minus the other village's, in the row's village", "",
                  "| village \\ plan of | " + " | ".join(villages) + " |", "| --- " * (len(villages) + 1) + "|"]
        for village, group in table.groupby("village", sort=False):
            g = group.set_index("plan_of")
            cells = ["own" if v == village else f"{g.loc[v, 'own_minus_this']:+.3f} [{g.loc[v, 'low']:+.3f}, "
                     f"{g.loc[v, 'high']:+.3f}]" for v in villages]
            lines.append(f"| {village} | " + " | ".join(cells) + " |")
    lines += ["", "## Does one size fit all?", "", *verdict(out)]
    return "\n".join(lines)


def single_path_verdict(kinds: list[str], firm: int, villages: int) -> str:
    """Whether the best single path differs between villages, told only where a path holds a majority."""
    if len(kinds) > 1:
        return "differs between villages"
    if not kinds:
        return "no village has a firm best path, so whether it differs between villages is not decided"
    if firm == villages:
        return "the same in every village"
    return f"firm in {firm} of {villages} villages only; elsewhere not decided"


def verdict(out: Path) -> list[str]:
    lines = []
    if (out / "best_buy.csv").exists():
        table = pd.read_csv(out / "best_buy.csv")
        for budget, group in table.groupby("budget"):
            modal = group.loc[group.groupby("village")["p_best"].idxmax()]
            firm = modal[modal["p_best"] > 0.5]
            kinds = sorted(set(firm["path"]))
            lines.append(f"- {budget:g} 万元: the most likely best buy is "
                         + ", ".join(f"{r.path} in {r.village} ({r.p_best:.0%})" for r in modal.itertuples())
                         + "; best in more than half of the plausible worlds: "
                         + (", ".join(f"{r.path} in {r.village}" for r in firm.itertuples()) or "none")
                         + " -> " + single_path_verdict(kinds, len(firm), len(modal)))
    if (out / "cross.csv").exists():
        table = pd.read_csv(out / "cross.csv")
        other = table[table["village"] != table["plan_of"]]
        wins = other[other["low"] > 0]
        losses = other[other["high"] < 0]
        beaten = {(r.village, r.plan_of) for r in wins.itertuples()}
        mutual = sorted({tuple(sorted(pair)) for pair in beaten if pair[::-1] in beaten})
        lines.append(f"- cross test at {CROSS_BUDGET:g} 万元: of {len(other)} comparisons the village's own plan is "
                     f"better beyond the CI in {len(wins)}, worse in {len(losses)}; pairs of villages whose own plans "
                     f"each win at home beyond the CI: {', '.join(' and '.join(p) for p in mutual) or 'none'}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--presets", default=",".join(scenarios.names()), help="comma-separated (default: all)")
    parser.add_argument("--budgets", default=",".join(f"{b:g}" for b in BUDGETS),
                        help="万元, comma-separated, for best_buy (default: %(default)s)")
    parser.add_argument("--only", default="best_buy,discovery,cross", help="phases to run (comma-separated)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    size, presets, phases = SIZES[args.size], args.presets.split(","), args.only.split(",")
    started = time.monotonic()
    with local_pool(args.workers) as executor:
        if "best_buy" in phases:
            budgets = [float(b) for b in args.budgets.split(",")]
            table, drivers = best_buy(executor, presets, budgets, args.months, size["compare"])
            table.to_csv(out / "best_buy.csv", index=False)
            drivers.to_csv(out / "drivers.csv", index=False)
        if "discovery" in phases:
            discovery(executor, args.months, size["discovery"], out)
        if "cross" in phases:
            cross(executor, presets, args.months, size, out)
    text = summary(out)
    (out / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\n{time.monotonic() - started:.0f} s on {args.workers} workers ({args.size}, {args.months} months)")


if __name__ == "__main__":
    main()
