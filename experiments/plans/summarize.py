"""The tables of docs/findings.md from the outputs of experiments/plans/run.py (and the discovery folder).

    .venv/bin/python experiments/plans/summarize.py OUT [DISCOVERY_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

PATHS = ("standardization", "training", "venue", "digital", "recruitment")


def cell(mean, low, high, signed=True) -> str:
    f = "{:+.3f}" if signed else "{:.3f}"
    return f"{f.format(mean)} [{f.format(low)}, {f.format(high)}]"


def equal_cost(out: Path) -> None:
    table = pd.read_csv(out / "equal_cost.csv")
    for metric in ("participation_rate", "project_uptake", "project_viable", "online_participation_rate"):
        rows = table[table["metric"] == metric]
        first = table[table["metric"] == f"p_first_{metric}"]
        print(f"\n{metric}\n")
        print("| village | nothing | " + " | ".join(PATHS) + " | ranking | P(first) |")
        print("| --- " * (len(PATHS) + 4) + "|")
        for village, group in rows.groupby("village", sort=False):
            g = group.set_index("path")
            base = g.loc["nothing"]
            gains = {p: (g.loc[p, "gain"], g.loc[p, "gain_low"], g.loc[p, "gain_high"]) for p in PATHS}
            order = sorted(PATHS, key=lambda p: -gains[p][0])
            ranking = order[0]
            for a, b in zip(order, order[1:]):
                # '>' only where the two CIs do not overlap (conservative: the arms' gains are paired with nothing).
                ranking += (" > " if gains[a][1] > gains[b][2] else " ≈ ") + b
            p_first = first[first["village"] == village].set_index("path")["mean"]
            top = p_first.idxmax()
            # Where no path moves the metric in any seed, the bootstrap's argmax is a tie, not a winner.
            moved = any(gains[p][1] != 0 or gains[p][2] != 0 for p in PATHS)
            print(f"| {village} | {base['mean']:.3f} [{base['ci_low']:.3f}, {base['ci_high']:.3f}] | "
                  + " | ".join(cell(*gains[p]) for p in PATHS)
                  + f" | {ranking if moved else 'no path moves it'} | {f'{top} {p_first[top]:.2f}' if moved else '—'} |")
    costs = table[(table["metric"] == "participation_rate") & (table["path"] != "nothing")].drop_duplicates("path")
    print("\nintensity and cost: " + ", ".join(f"{r.path} {r.intensity:.2f} ({r.cost:.1f} 万元)" for r in costs.itertuples()))
    per = table[table["metric"] == "participation_rate"]
    print("\nper 万元 (participation): " + "; ".join(
        f"{v}: " + ", ".join(f"{r.path} {r.per_10k:+.4f}" for r in g.itertuples() if r.path != "nothing")
        for v, g in per.groupby("village", sort=False)))


def plans(out: Path) -> None:
    found = json.loads((out / "plans.json").read_text())
    print("\n| village | budget | best plan | cost | participation [95% CI] | tied with | nothing | best single path |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, r in found.items():
        village, budget = key.split("@")
        best = r["best"]
        alts = {a["name"]: a for a in r["alternatives"]}
        singles = [a for a in r["alternatives"] if a["name"].endswith(" only")]
        top = max(singles, key=lambda a: a["mean"])
        print(f"| {village} | {budget} | {r['describe']} | {best['cost']:.1f} | "
              f"{best['mean']:.3f} [{best['ci'][0]:.3f}, {best['ci'][1]:.3f}] | {', '.join(r['tied']) or 'none'} "
              f"({r['seeds']} seeds) | {alts['nothing']['mean']:.3f} | {top['name']} {top['mean']:.3f} "
              f"[{top['ci'][0]:.3f}, {top['ci'][1]:.3f}] |")
    cross = pd.read_csv(out / "cross.csv")
    print("\nown best plan minus another village's best plan, in each village (participation, paired, 95% CI):\n")
    villages = list(dict.fromkeys(cross["village"]))
    print("| village \\ plan of | " + " | ".join(villages) + " |")
    print("| --- " * (len(villages) + 1) + "|")
    for village, group in cross.groupby("village", sort=False):
        g = group.set_index("plan_of")
        print(f"| {village} | " + " | ".join(
            "own" if v == village else cell(g.loc[v, "own_minus_this"], g.loc[v, "low"], g.loc[v, "high"])
            for v in villages) + " |")


def discovery(folder: Path) -> None:
    boxes = pd.read_csv(folder / "analysis" / "discovery.csv")
    print("\n| best buy | points | coverage | density | box |")
    print("| --- | --- | --- | --- | --- |")
    for path, group in boxes.groupby("path", sort=False):
        first = group.iloc[0]
        limits = "; ".join(f"`{r.factor}` {r.low:.3g} to {r.high:.3g}" for r in group.itertuples()
                           if isinstance(r.factor, str) and r.factor)
        print(f"| {path} | {first.points} ({first.share:.0%}) | {first.coverage:.2f} | {first.density:.2f} | "
              f"{limits or 'whole space'} |")
    drivers(pd.read_csv(folder / "analysis" / "best_path.csv"))


def drivers(points: pd.DataFrame) -> None:
    """Spearman correlation of each factor with the top path's lead over the next best buy (per 万元)."""
    paths = [p for p in PATHS if p in points.columns]
    factors = [c for c in points.columns if "." in c]
    top = points[paths].mean().idxmax()
    lead = points[top] - points[[p for p in paths if p != top]].max(axis=1)
    rho = {f: points[f].corr(lead, method="spearman") for f in factors}
    print(f"\n{top}'s lead over the next best buy per 万元 ({len(points)} points), Spearman rho:")
    print("; ".join(f"`{f}` {r:+.2f}" for f, r in sorted(rho.items(), key=lambda kv: -abs(kv[1]))))


if __name__ == "__main__":
    out = Path(sys.argv[1])
    equal_cost(out)
    if (out / "plans.json").exists():
        plans(out)
    if len(sys.argv) > 2:
        discovery(Path(sys.argv[2]))
