"""Leave one village out on adoption over time (Korean villages, Brazilian communities), and the coverage of the
take-up intervals on the microfinance villages (docs/validation.md).

    .venv/bin/python experiments/adoption_time.py --study kfamily [--objective likelihood|moments] [--workers 2]
        [--data ../shared/data]
    .venv/bin/python experiments/adoption_time.py --study brfarmers
    .venv/bin/python experiments/adoption_time.py --study microfinance

Each fold refits everything on the other villages (the rule's parameters,
their posterior draws, the baselines) before it reads the held-out village.
Prints Markdown tables; writes OUT/STUDY.csv and, for the adoption studies,
docs/img/adoption_STUDY_curves.png and docs/img/adoption_STUDY_hazard.png.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import bootstrap

from villagesim.calibration import read_groups
from villagesim.calibration.folds import Settings, leave_one_out_time, leave_one_out_uptake
from villagesim.calibration.hazard import scores
from villagesim.params import resolve
from villagesim.sweep import local_pool
from villagesim import pictures

ROOT = Path(__file__).resolve().parents[1]
STUDIES = {"kfamily": ("club", 11), "brfarmers": ("coop", 20)}
PREDICTORS = ("uptake rule", "period only", "logit on exposure")


def loglik_difference(folds: list[dict], other: str) -> tuple[float, float, float]:
    """Mean log-likelihood per person-period, rule minus ``other``, with a 95% bootstrap interval over villages."""
    def total(f, name):
        return scores(f["adopted"], f["hazards"][name])["loglik"] * f["adopted"].size

    diff = np.array([total(f, "uptake rule") - total(f, other) for f in folds])
    count = np.array([f["adopted"].size for f in folds], float)
    ratio = float(diff.sum() / count.sum())
    ci = bootstrap((diff, count), lambda d, n: d.sum() / n.sum(), paired=True, vectorized=False, n_resamples=2000,
                   random_state=np.random.default_rng(0), method="percentile").confidence_interval
    return ratio, float(ci.low), float(ci.high)


def report_uptake(groups, folds: list[dict], seconds: float, out: Path) -> None:
    inside = [f["lower"] <= f["observed"] <= f["upper"] for f in folds]
    print(f"microfinance, leaders' decisions given: {sum(inside)} of {len(folds)} villages inside their 90% interval, "
          f"mean width {np.mean([f['upper'] - f['lower'] for f in folds]):.3f}; Metropolis acceptance "
          f"{np.mean([f['acceptance'] for f in folds]):.0%}; {seconds:.0f} s")
    with open(out / "microfinance.csv", "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["village", "observed", "predicted", "lower", "upper"])
        w.writerows([lab, *(f"{f[k]:.4f}" for k in ("observed", "predicted", "lower", "upper"))]
                    for lab, f in zip(groups.labels, folds))


def report_time(groups, folds: list[dict], study: str, seconds: float, out: Path) -> None:
    adopted = np.concatenate([f["adopted"] for f in folds])
    print(f"\n{study}: {len(folds)} villages, {adopted.size} person-periods, {seconds:.0f} s\n")
    print("| predictor, leave one village out | log-likelihood per person-period | AUC |")
    print("| --- | --- | --- |")
    for name in PREDICTORS:
        s = scores(adopted, np.concatenate([f["hazards"][name] for f in folds]))
        print(f"| {name} | {s['loglik']:.4f} | {s['auc']:.3f} |")
    for other in PREDICTORS[1:]:
        d, lo, hi = loglik_difference(folds, other)
        print(f"\nrule minus {other}: {d:+.4f} per person-period, 95% CI [{lo:+.4f}, {hi:+.4f}] (bootstrap over "
              "villages)")
    last = np.array([(f["lower"][-1] <= f["observed"][-1] <= f["upper"][-1]) for f in folds])
    every = np.concatenate([(f["lower"] <= f["observed"]) & (f["observed"] <= f["upper"]) for f in folds])
    width = np.mean([f["upper"][-1] - f["lower"][-1] for f in folds])
    print(f"\n90% intervals of the share adopted by the survey: {last.sum()} of {last.size} villages inside, mean "
          f"width {width:.3f}; every period of every curve: {every.mean():.0%} inside")
    keys = list(folds[0]["estimate"])
    print("\n| parameter | folds' median | folds' range |\n| --- | --- | --- |")
    for key in keys:
        values = [f["estimate"][key] for f in folds]
        print(f"| `{key}` | {np.median(values):.4g} | {min(values):.4g} to {max(values):.4g} |")
    print(f"\nMetropolis acceptance {np.mean([f['acceptance'] for f in folds]):.0%} (mean over folds)")
    with open(out / f"{study}.csv", "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["village", "period", "observed", "predicted", "lower", "upper"])
        for lab, f in zip(groups.labels, folds):
            w.writerows([lab, p + 1, *(f"{f[k][p]:.4f}" for k in ("observed", "curve", "lower", "upper"))]
                        for p in range(f["curve"].size))
    draw_curves(groups, folds, study)
    draw_hazard(folds, study)


def draw_curves(groups, folds: list[dict], study: str) -> None:
    cols = 5 if len(folds) > 6 else 3
    rows = -(-len(folds) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.2 * rows), sharex=True, sharey=True)
    for ax, lab, f in zip(axes.flat, groups.labels, folds):
        periods = np.arange(1, f["curve"].size + 1)
        ax.fill_between(periods, f["lower"], f["upper"], color="tab:blue", alpha=0.2, lw=0)
        ax.plot(periods, f["curve"], color="tab:blue", lw=1.2)
        ax.plot(periods, f["observed"], "k.", ms=4)
        ax.set_title(f"village {lab}", fontsize=8)
    for ax in list(axes.flat)[len(folds):]:
        ax.axis("off")
    fig.suptitle(f"{study}: share adopted by period, observed (dots) and predicted leaving the village out "
                 "(line, 90% interval)", fontsize=9)
    fig.tight_layout()
    pictures.save(fig, ROOT / f"docs/img/adoption_{study}_curves.png")


def draw_hazard(folds: list[dict], study: str) -> None:
    exposure = np.minimum(np.concatenate([f["exposure"] for f in folds]), 4).astype(int)
    adopted = np.concatenate([f["adopted"] for f in folds])
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    classes = np.arange(5)
    ax.plot(classes, [adopted[exposure == c].mean() for c in classes], "ko", label="observed")
    for name, style in zip(PREDICTORS, ("-", "--", ":")):
        h = np.concatenate([f["hazards"][name] for f in folds])
        ax.plot(classes, [h[exposure == c].mean() for c in classes], style, label=name)
    ax.set_xticks(classes, ["0", "1", "2", "3", "4+"])
    ax.set_xlabel("ties to earlier adopters")
    ax.set_ylabel("hazard of adopting in the period")
    ax.set_title(f"{study}: hazard by exposure, leave one village out", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    pictures.save(fig, ROOT / f"docs/img/adoption_{study}_hazard.png")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", choices=(*STUDIES, "microfinance"), required=True)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                    help="folder holding microfinance/ and diffusion/ (default: ../shared/data)")
    ap.add_argument("--objective", choices=("likelihood", "moments"), default="likelihood")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--replicates", type=int, default=16)
    ap.add_argument("--candidates", type=int, default=64)
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--max-evaluations", type=int, default=200)
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", default="loo")
    args = ap.parse_args()
    settings = Settings(args.replicates, args.candidates, args.max_evaluations, args.starts, False, args.draws,
                        args.steps)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with local_pool(args.workers) as pool:
        if args.study == "microfinance":
            folder = Path(args.data) / "microfinance"
            groups = read_groups(f"{folder}/households.csv", f"{folder}/edges.csv", "hh", "village", "leader",
                                 "loan")
            folds = leave_one_out_uptake(groups, resolve({"project.campaign": 6}), settings, args.seed, pool)
            report_uptake(groups, folds, time.perf_counter() - started, out)
            return
        column, last = STUDIES[args.study]
        folder = Path(args.data) / "diffusion" / args.study
        groups = read_groups(f"{folder}/nodes.csv", f"{folder}/edges.csv", "id", "village", column, time_col="toa",
                             last_period=last)
        folds = leave_one_out_time(groups, resolve({}), args.objective, settings, args.seed, executor=pool)
    report_time(groups, folds, f"{args.study}" + ("" if args.objective == "likelihood" else "_moments"),
                time.perf_counter() - started, out)


if __name__ == "__main__":
    main()
