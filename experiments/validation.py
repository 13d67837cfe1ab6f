"""Leave-one-village-out prediction of the uptake rule and baselines on the microfinance villages (docs/validation.md).

    .venv/bin/python experiments/validation.py [--data DIR] [--seed 2024] [--out DIR] [--workers 2]
    .venv/bin/python experiments/validation.py --profiles calibration/  # the profile figure only

For each village: refit everything on the other 18 (the moments, their
standard errors, the Sobol design, the multi-start Nelder-Mead, the profiles
and their refits, as ``villagesim calibrate`` does; the baselines' lines),
then predict the held-out village with its seeds' decisions given and with
them simulated. Same budget as ``villagesim calibrate``'s defaults. Prints
Markdown tables, writes loo.csv and docs/img/validation_fit.png.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from villagesim.calibration import BASELINES, leave_one_out, read_groups, shape, summary
from villagesim.params import resolve
from villagesim.sweep import local_pool
from villagesim import pictures

ROOT = Path(__file__).resolve().parents[1]


def draw_profiles(folder: Path, figure: Path) -> None:
    """One panel per fitted parameter: the profile objective minus its minimum, the 3.84 line, the estimate."""
    import tomllib

    table = tomllib.loads((folder / "params.toml").read_text())
    with open(folder / "profiles.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keys = list(table["calibration"]["interval95"])
    fig, axes = plt.subplots(2, 4, figsize=(13, 5.6))
    floor = min(float(r["objective"]) for r in rows + [{"objective": table["calibration"]["objective"]}])
    for ax, key in zip(axes.flat, keys):
        pts = sorted((float(r["value"]), float(r["objective"])) for r in rows if r["parameter"] == key)
        est = table["params"][key]
        pts = sorted(pts + [(est, table["calibration"]["objective"])])
        ax.plot([p[0] for p in pts], [p[1] - floor for p in pts], "o-", ms=3)
        ax.axhline(3.84, color="0.5", lw=0.8, ls="--")
        ax.axvline(est, color="tab:red", lw=0.8)
        lo, hi = table["calibration"]["interval95"][key]
        ax.axvspan(lo, hi, color="tab:red", alpha=0.1)
        verdict = "identified" if table["calibration"]["identified"].get(key) else "not identified"
        ax.set_title(f"{key.removeprefix('project.')}: {verdict}", fontsize=9)
        ax.set_ylim(0, max(20, min(200, max(p[1] - floor for p in pts))))
    axes.flat[-1].axis("off")
    axes[0, 0].set_ylabel("objective − minimum")
    fig.suptitle("Profiles of the uptake rule's objective (19 villages); dashed: 3.84 (95%), shaded: interval",
                 fontsize=10)
    fig.tight_layout()
    pictures.save(fig, figure)
    print(f"wrote {figure}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "microfinance"))
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--replicates", type=int, default=16)
    ap.add_argument("--candidates", type=int, default=64)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--max-evaluations", type=int, default=200)
    ap.add_argument("--final-replicates", type=int, default=200)
    ap.add_argument("--workers", type=int, default=1, help="folds run at once, in a process pool")
    ap.add_argument("--search-only", action="store_true",
                    help="folds run the search alone, without calibrate's profiles and refits (five times quicker)")
    ap.add_argument("--out", default="loo")
    ap.add_argument("--figure", default=str(ROOT / "docs/img/validation_fit.png"))
    ap.add_argument("--profiles",
                    help="a calibrate output folder: draw its profiles (docs/img/validation_profiles.png)")
    args = ap.parse_args()
    if args.profiles:
        draw_profiles(Path(args.profiles), ROOT / "docs/img/validation_profiles.png")
        return

    groups = read_groups(f"{args.data}/households.csv", f"{args.data}/edges.csv", "hh", "village", "leader", "loan")
    base = resolve({"project.campaign": args.months})
    y = groups.observed()
    started = time.perf_counter()
    with local_pool(args.workers) as executor:
        loo = leave_one_out(groups, base, args.replicates, args.final_replicates, args.seed, args.candidates,
                            args.max_evaluations, starts=args.starts, executor=executor,
                            profiles=not args.search_only)
    print(f"leave one out: {time.perf_counter() - started:.0f} s")
    rows = {"uptake rule, seeds' decisions given": loo["given"],
            "uptake rule, seeds' decisions simulated": loo["simulated"],
            **{name: loo[name] for name in BASELINES}}
    size = groups.size.astype(float)
    obs_slope, obs_sd = shape(size, y)
    print(f"\nobserved: slope {obs_slope:+.4f} per 100 households, SD {obs_sd:.4f}\n")
    print("| predictor, leave one village out | R² | correlation | RMSE | slope on size (per 100) "
          "| SD across villages |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, pred in rows.items():
        s = summary(y, pred)
        slope, sd = shape(size, pred)
        print(f"| {name} | {s['r2']:.3f} | {s['correlation']:.3f} | {s['rmse']:.4f} | {slope:+.4f} | {sd:.4f} |")
    keys = list(loo["estimates"][0])
    print("\nrefit range over folds:")
    for k in keys:
        vals = [e[k] for e in loo["estimates"]]
        print(f"  {k}: {min(vals):.4g} to {max(vals):.4g}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "loo.csv", "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["village", "n", "observed", *rows, *keys])
        for g, lab in enumerate(groups.labels):
            w.writerow([lab, int(size[g]), f"{y[g]:.4f}", *(f"{p[g]:.4f}" for p in rows.values()),
                        *(f"{loo['estimates'][g][k]:.4g}" for k in keys)])

    fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), sharex=True, sharey=True)
    lim = (0, max(y.max(), *(p.max() for p in rows.values())) * 1.1)
    panels = [("uptake rule, seeds' decisions given", "tab:blue"),
              ("uptake rule, seeds' decisions simulated", "tab:green"), ("size + seeds' take-up", "tab:orange")]
    for ax, (title, colour) in zip(axes, panels):
        pred = rows[title]
        ax.scatter(pred, y, s=size / 6, color=colour, zorder=3)
        for g, lab in enumerate(groups.labels):
            ax.annotate(lab, (pred[g], y[g]), fontsize=7, xytext=(3, 2), textcoords="offset points")
        ax.plot(lim, lim, color="0.4", lw=0.8, ls="--")
        s = summary(y, pred)
        ax.set_title(f"{title}\nleave one out: R² {s['r2']:.2f}, r {s['correlation']:.2f}", fontsize=9)
        ax.set_xlabel("predicted take-up among non-leaders")
        ax.set_xlim(lim)
        ax.set_ylim(lim)
    axes[0].set_ylabel("observed take-up among non-leaders")
    fig.suptitle("19 Karnataka villages (Banerjee et al. 2013); marker area ∝ households", fontsize=10)
    fig.tight_layout()
    pictures.save(fig, args.figure)
    print(f"wrote {out / 'loo.csv'}, {args.figure}")


if __name__ == "__main__":
    main()
