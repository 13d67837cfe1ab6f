"""The first-secretary table of experiments/README.md from the sweep's output folder.

    villagesim sweep experiments/first_secretary.toml --out OUT
    .venv/bin/python experiments/first_secretary_table.py OUT

Difference with minus without (``first_secretary.term`` 24 against 0), mean over the replicates with a 95%
Welch CI (the two arms' replicates have different seeds, so the difference is not paired).
"""

from __future__ import annotations

import sys

import pandas as pd
from scipy import stats

COLUMNS = [("branch_strength", 30, "branch strength, month 30 (in term)"), ("trust_mean", 30, "trust, month 30"),
           ("appeals_resolved_rate", 30, "appeals resolved, month 30"),
           ("trust_mean", 60, "trust, month 60 (2 years after)"), ("project_uptake", 60, "project uptake, month 60"),
           ("participation_rate", 60, "participation, month 60")]


def welch(with_: pd.Series, without: pd.Series) -> str:
    test = stats.ttest_ind(with_, without, equal_var=False)
    low, high = test.confidence_interval(0.95)
    return f"{with_.mean() - without.mean():+.3f} [{low:+.3f}, {high:+.3f}]"


def main(folder: str) -> None:
    runs = pd.read_parquet(f"{folder}/runs")[["run_id", "scenario", "first_secretary.term"]]
    series = pd.read_parquet(f"{folder}/timeseries").merge(runs, on="run_id")
    print("| village | " + " | ".join(title for _, _, title in COLUMNS) + " |")
    print("| --- " * (len(COLUMNS) + 1) + "|")
    for village, group in series.groupby("scenario"):
        cells = []
        for metric, month, _ in COLUMNS:
            at = group[group["step"] == month]
            cells.append(welch(at.loc[at["first_secretary.term"] == 24, metric],
                               at.loc[at["first_secretary.term"] == 0, metric]))
        print(f"| {village} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
