"""The first-secretary table of experiments/README.md from the sweep's output folder.

    villagesim sweep experiments/first_secretary.toml --out OUT
    .venv/bin/python experiments/first_secretary_table.py OUT

Difference with minus without (``first_secretary.term`` 24 against 0), mean over the replicates with a 95% CI.
When the two arms' runs share seeds (the spec's ``common_seeds = true``: replicate r of each arm has the same seed,
checked in the runs table) the difference is paired: runs matched by ``replicate``, a paired t CI on the
per-replicate differences. Otherwise (a folder of the spec with ``common_seeds = false``) the arms are independent
and the CI is Welch's. The last line gives each column's mean CI width over the villages.
"""

from __future__ import annotations

import sys

import pandas as pd
from scipy import stats

COLUMNS = [("branch_strength", 30, "branch strength, month 30 (in term)"), ("trust_mean", 30, "trust, month 30"),
           ("appeals_resolved_rate", 30, "appeals resolved, month 30"),
           ("trust_mean", 60, "trust, month 60 (2 years after)"), ("project_uptake", 60, "project uptake, month 60"),
           ("participation_rate", 60, "participation, month 60")]
TERM = "first_secretary.term"


def arms(at: pd.DataFrame, metric: str) -> tuple[pd.Series, pd.Series]:
    """The metric with and without the secretary, each indexed by replicate."""
    with_, without = (at[at[TERM] == term].set_index("replicate")[metric] for term in (24, 0))
    return with_, without.reindex(with_.index)


def difference(with_: pd.Series, without: pd.Series, paired: bool) -> tuple[float, float, float]:
    """Mean difference and its 95% CI: paired t over replicates, or Welch for independent arms."""
    test = stats.ttest_rel(with_, without) if paired else stats.ttest_ind(with_, without, equal_var=False)
    low, high = test.confidence_interval(0.95)
    return with_.mean() - without.mean(), low, high


def shared_seeds(runs: pd.DataFrame) -> bool:
    """Whether replicate r has one seed in both arms of every village."""
    return bool((runs.groupby(["scenario", "replicate"])["seed"].nunique() == 1).all())


def main(folder: str) -> None:
    runs = pd.read_parquet(f"{folder}/runs")[["run_id", "scenario", "replicate", "seed", TERM]]
    paired = shared_seeds(runs)
    series = pd.read_parquet(f"{folder}/timeseries", columns=["run_id", "step", *{m for m, _, _ in COLUMNS}])
    series = series.merge(runs, on="run_id")
    print("| village | " + " | ".join(title for _, _, title in COLUMNS) + " |")
    print("| --- " * (len(COLUMNS) + 1) + "|")
    widths = {title: [] for _, _, title in COLUMNS}
    for village, group in series.groupby("scenario"):
        cells = []
        for metric, month, title in COLUMNS:
            mean, low, high = difference(*arms(group[group["step"] == month], metric), paired)
            cells.append(f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]")
            widths[title].append(high - low)
        print(f"| {village} | " + " | ".join(cells) + " |")
    design = "paired t (shared seeds)" if paired else "Welch (independent seeds)"
    print(f"\n{design}; mean CI width: " + ", ".join(f"{title} {sum(w) / len(w):.3f}" for title, w in widths.items()))


if __name__ == "__main__":
    main(sys.argv[1])
