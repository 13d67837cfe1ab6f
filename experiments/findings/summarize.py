"""Tables and figures of docs/findings.md from the sweeps of experiments/findings/run.sh.

    .venv/bin/python experiments/findings/summarize.py OUT

Reads OUT/*/runs, OUT/arm_none/sweep.json and OUT/morris_default/analysis/morris.csv.
Arms share seeds (same spec seed and point layout), so each path's effect is
the paired difference with the no-intervention arm, replicate by replicate.
Prints Markdown; writes docs/img/findings_paths.png and docs/img/findings_morris.png.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from villagesim.stats import mean_ci

ROOT = Path(__file__).resolve().parents[2]
PATHS = ("standardization", "training", "venue", "digital", "recruitment")
ARMS = ("none", *PATHS)
SCENARIOS = ("default", "hollowed", "suburban", "tourism", "post_poverty")
METRICS = ("participation_rate", "project_uptake", "trust_mean", "project_viable")
BOOT = 2000


def runs(folder: Path) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "runs")
    assert (frame["status"] == "ok").all(), f"{folder}: failed runs"
    return frame.sort_values("run_id", ignore_index=True)


def paired_effects(out: Path, prefix: str, key: str) -> dict[str, pd.DataFrame]:
    """Per path: a frame of (key, replicate, metric effect = path - none), matched on the run seed.
    Also the assumed cost (万元 over the run) where the sweep records it."""
    base = runs(out / f"{prefix}_none")
    columns = [m for m in (*METRICS, "cost_cumulative") if m in base]
    effects = {}
    for path in PATHS:
        both = runs(out / f"{prefix}_{path}").merge(base, on=[key, "replicate"], suffixes=("", "_none"))
        assert (both["seed"] == both["seed_none"]).all(), "arms must share seeds"
        frame = both[[key, "replicate"]].copy()
        for m in columns:
            frame[m] = both[m] - both[f"{m}_none"]
        effects[path] = frame
    return effects


def ranking(effects: dict[str, np.ndarray]) -> str:
    """Paths by mean effect; '>' where the paired 95% CI of the gap to the next excludes 0, else '≈'."""
    order = sorted(effects, key=lambda p: -effects[p].mean())
    text = order[0]
    for a, b in zip(order, order[1:]):
        _, lo, hi = mean_ci(effects[a] - effects[b])
        text += (" > " if lo > 0 else " ≈ ") + b
    return text


def first_share(effects: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, float]:
    """Share of bootstrap resamples of replicates in which each path has the largest mean effect."""
    matrix = np.column_stack([effects[p] for p in PATHS])
    picks = rng.integers(0, matrix.shape[0], (BOOT, matrix.shape[0]))
    top = matrix[picks].mean(axis=1).argmax(axis=1)
    return {p: float((top == i).mean()) for i, p in enumerate(PATHS)}


def print_table(frame: pd.DataFrame, cell) -> None:
    """A frame as a Markdown table: index in the first column, `cell` formats every value."""
    print(f"| {frame.index.name or ''} | " + " | ".join(map(str, frame.columns)) + " |")
    print("| --- " * (len(frame.columns) + 1) + "|")
    for name, row in frame.iterrows():
        print(f"| {name} | " + " | ".join(cell(v) for v in row) + " |")


def run_counts(out: Path) -> None:
    print("\n### Runs per sweep\n")
    counts = pd.DataFrame({"runs": {f.name: len(runs(f)) for f in sorted(out.iterdir()) if (f / "runs").exists()}})
    print_table(counts.rename_axis("sweep"), str)
    total = counts["runs"].groupby(counts.index.str.split("_").str[0]).sum()
    print("\nTotal: " + ", ".join(f"{k}_* {n}" for k, n in total.items()))


def by_village(arms: dict[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """Mean paired effect on `column`: one row per village type, one column per path."""
    return pd.DataFrame({p: arms[p].groupby("scenario")[column].mean() for p in PATHS}).reindex(list(SCENARIOS))


def viable_runs(out: Path, prefix: str, key: str) -> pd.DataFrame:
    """Runs in which the project is viable at the end: one row per `key` value, one column per arm."""
    return pd.DataFrame({a: runs(out / f"{prefix}_{a}").groupby(key)["project_viable"].sum() for a in ARMS})


def viability(out: Path) -> None:
    arm = viable_runs(out, "arm", "scenario").reindex(list(SCENARIOS))
    seeds = runs(out / "arm_none")["replicate"].nunique()
    print(f"\n### Project viable at the end: seeds of {seeds}, by village type and arm\n")
    print_table(arm.rename_axis("village"), lambda v: f"{v:.0f}")
    lhs = viable_runs(out, "lhs", "point_id")
    print("\n### Project viable at the end, default village: runs per Latin-hypercube setting (of 2 seeds)\n")
    print_table(lhs.T.rename_axis("arm \\ setting"), lambda v: f"{v:.0f}")
    print(f"\nSettings where the project fails in every arm: {(lhs.sum(axis=1) == 0).sum()} of {len(lhs)}")


def costs(out: Path, arms: dict[str, pd.DataFrame]) -> None:
    """Assumed cost of each path at full intensity, and participation effect per 万元 spent."""
    months = json.loads((out / "arm_none/sweep.json").read_text())["spec"]["months"]
    spent = pd.DataFrame({"万元/month": {p: arms[p]["cost_cumulative"].mean() / months for p in PATHS},
                          f"万元 over {months} months": {p: arms[p]["cost_cumulative"].mean() for p in PATHS}})
    print("\n### Assumed cost at full intensity (paired difference with no intervention, mean over runs)\n")
    print_table(spent.rename_axis("path"), lambda v: f"{v:.2f}")
    per = by_village(arms, "participation_rate") / by_village(arms, "cost_cumulative")
    print(f"\n### participation_rate: mean effect per 万元 spent over the {months} months\n")
    print_table(per.rename_axis("village"), lambda v: f"{v:+.4f}")


def relative_effects(arms: dict[str, pd.DataFrame]) -> None:
    effect = by_village(arms, "participation_rate")
    print("\n### participation_rate: mean effect of each path relative to its effect in the default village\n")
    print_table((effect / effect.loc["default"]).rename_axis("village"), lambda v: f"{v:.1f}")


def morris_table(morris: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Prints the Morris indices of `metric`, largest mu* first, and returns them in that order."""
    table = morris[morris["metric"] == metric].sort_values("mu_star", ascending=False)
    print(f"\n### Morris screening, {metric} (default village, 8 trajectories, 20 factors, 1 seed per point)\n")
    print("| factor | mu* [95% CI] | mu | sigma |\n| --- | --- | --- | --- |")
    for row in table.itertuples():
        print(f"| {row.factor} | {row.mu_star:.3f} [{row.mu_star_ci_low:.3f}, {row.mu_star_ci_high:.3f}] | "
              f"{row.mu:+.3f} | {row.sigma:.3f} |")
    return table


def main() -> None:
    out = Path(sys.argv[1])
    rng = np.random.default_rng(0)
    run_counts(out)
    arms = paired_effects(out, "arm", "scenario")
    base = runs(out / "arm_none")
    base = base[base["replicate"] < arms[PATHS[0]]["replicate"].max() + 1]  # the seeds the arms share

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for metric, ax in zip(("participation_rate", "project_uptake"), axes):
        print(f"\n### {metric}: effect of each path at full intensity, month 120 (paired difference with no "
              f"intervention, mean [95% CI], 20 paired seeds; P(first) over {BOOT} bootstrap resamples)\n")
        print("| village | no intervention | " + " | ".join(PATHS) + " | ranking | P(first) |")
        print("| --- " * (len(PATHS) + 4) + "|")
        width = 0.16
        for s, scen in enumerate(SCENARIOS):
            level = mean_ci(base.loc[base["scenario"] == scen, metric])
            eff = {p: arms[p].loc[arms[p]["scenario"] == scen, metric].to_numpy() for p in PATHS}
            cells = [mean_ci(eff[p]) for p in PATHS]
            if np.ptp(np.concatenate(list(eff.values()))) == 0:  # no path changes anything (e.g. always 0)
                order, first = "all equal", "none"
            else:
                share = first_share(eff, rng)
                top = max(share, key=share.get)
                order, first = ranking(eff), f"{top} {share[top]:.2f}"
            print(f"| {scen} | {level[0]:.3f} [{level[1]:.3f}, {level[2]:.3f}] | "
                  + " | ".join(f"{m:+.3f} [{lo:+.3f}, {hi:+.3f}]" for m, lo, hi in cells)
                  + f" | {order} | {first} |")
            for i, (m, lo, hi) in enumerate(cells):
                ax.errorbar(s + (i - 2) * width, m, yerr=[[m - lo], [hi - m]], fmt="o", ms=4,
                            color=f"C{i}", label=PATHS[i] if s == 0 else None)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_xticks(range(len(SCENARIOS)), SCENARIOS, fontsize=8)
        ax.set_title(f"{metric}: effect at month 120 (95% CI, 20 paired seeds)", fontsize=9)
    axes[0].set_ylabel("path minus no intervention")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(ROOT / "docs/img/findings_paths.png", dpi=110)
    viability(out)
    costs(out, arms)
    relative_effects(arms)

    lhs = paired_effects(out, "lhs", "point_id")
    lhs_base = runs(out / "lhs_none")
    factors = [c for c in lhs_base.columns if "." in c and lhs_base[c].nunique() > 1]
    settings = lhs_base.groupby("point_id")[factors].first()
    for metric in ("participation_rate", "project_uptake"):
        means = pd.DataFrame({p: lhs[p].groupby("point_id")[metric].mean() for p in PATHS})
        ordered = np.sort(means.to_numpy(), axis=1)
        top = means.idxmax(axis=1).where(ordered[:, -1] > ordered[:, -2], "tie")  # e.g. all paths leave 0
        print(f"\n### {metric}: default village over 16 Latin-hypercube settings of 25 assumed parameters "
              "(2 paired seeds each)\n")
        print("| path | mean effect over settings [min, max] | settings where it is first | settings with effect > 0 |")
        print("| --- | --- | --- | --- |")
        for p in PATHS:
            e = means[p]
            print(f"| {p} | {e.mean():+.3f} [{e.min():+.3f}, {e.max():+.3f}] | {(top == p).sum()} of {len(e)} | "
                  f"{(e > 0).sum()} of {len(e)} |")
        # Which assumed parameter moves the gap between the path most often first and the runner-up?
        print(f"\nSettings where no path is strictly first (ties, e.g. the project fails in every arm): "
              f"{(top == 'tie').sum()} of {len(top)}")
        first = top[top != "tie"].value_counts().idxmax()
        second = means.drop(columns=first).mean().idxmax()
        gap = means[first] - means[second]
        rho = {f: stats.spearmanr(settings[f], gap).statistic for f in factors}
        strongest = sorted(rho, key=lambda f: -abs(rho[f]))[:4]
        print(f"\nGap {first} − {second}: Spearman correlation with the parameters, strongest: "
              + ", ".join(f"{f} {rho[f]:+.2f}" for f in strongest))
        for p in PATHS:
            r = {f: stats.spearmanr(settings[f], means[p]).statistic for f in factors}
            f = max(r, key=lambda k: abs(r[k]))
            print(f"- effect of {p}: most correlated with {f} ({r[f]:+.2f})")

    morris = pd.read_csv(out / "morris_default/analysis/morris.csv")
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    tables = {metric: morris_table(morris, metric) for metric in METRICS}
    for metric, ax in zip(("participation_rate", "project_uptake"), axes):
        top = tables[metric].head(12)[::-1]
        ax.barh(range(len(top)), top["mu_star"], xerr=[top["mu_star"] - top["mu_star_ci_low"],
                                                         top["mu_star_ci_high"] - top["mu_star"]],
                color=["tab:red" if f.startswith("interventions.") else "tab:gray" for f in top["factor"]])
        ax.set_yticks(range(len(top)), [f.replace("interventions.", "").replace(".intensity", " (path)")
                                        for f in top["factor"]], fontsize=7)
        ax.set_title(f"Morris mu* for {metric} (red: paths)", fontsize=9)
    fig.tight_layout()
    fig.savefig(ROOT / "docs/img/findings_morris.png", dpi=110)
    print("\nwrote docs/img/findings_paths.png, docs/img/findings_morris.png")


if __name__ == "__main__":
    main()
