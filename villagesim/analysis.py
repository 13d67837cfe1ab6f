"""Analysis of a sweep folder: means with confidence intervals, sensitivity indices, charts, CSV tables.

``villagesim analyze DIR`` reads ``DIR/sweep.json`` and ``DIR/runs`` (and
``DIR/timeseries`` when kept) and writes to ``DIR/analysis``:

- ``points.csv``: per design point, its factor values, runs ok and failed,
  and for each metric the mean over replicates with a 95% Student-t
  confidence interval (``METRIC``, ``METRIC_ci_low``, ``METRIC_ci_high``);
- ``effects.csv`` and ``effects_METRIC.png``: each metric against each factor
  (mean and 95% CI over all runs at that level, other factors pooled; sampled
  designs are cut into 10 quantile bins);
- ``sobol.csv`` and ``sobol.png`` (design ``sobol``): first-order ``S1`` and
  total ``ST`` indices with bootstrap 95% CIs;
  ``morris.csv`` and ``morris.png`` (design ``morris``): ``mu``, ``mu_star``
  (with its 95% CI) and ``sigma``. Both are computed on the mean of each
  point over its replicates, so replicate noise still shows up as a share of
  the variance; more replicates shrink it;
- ``timeseries.png``: fans (mean and 5-95% band) of the kept time series;
- ``best.csv`` (``--best METRIC [--by FACTOR] [--lowest]``): the point with the
  best mean, per level of a factor, and how many others it cannot be told
  apart from: overlapping 95% CIs, or, when the sweep has ``common_seeds``,
  a paired 95% CI of the difference (runs matched by replicate) that
  includes 0.

Failed runs are left out of every mean and counted in ``points.csv``.

Example, on the folder of a finished sweep (so not run as a doctest)::

    tables = analyze("sweep-out", echo=lambda *a: None)
    tables["points"].filter(like="participation_rate").head()
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from villagesim.metrics import unit
from villagesim.outputs import Output
from villagesim.stats import mean_ci
from villagesim.sweep import MORRIS_LEVELS, Spec, problem, read_manifest, sample

BINS = 10
MAX_LEVELS = 12
FAN_POINTS = 6
FAN_RUNS = 300


def load(out: str | os.PathLike) -> tuple[Spec, dict[str, Any], pd.DataFrame]:
    """The spec, manifest and runs table (sorted by run_id) of a sweep folder."""
    spec, manifest = read_manifest(out)
    runs = pd.read_parquet(out / "runs").sort_values("run_id", ignore_index=True)
    return spec, manifest, runs


def point_means(spec: Spec, runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per design point: factors, ``runs_ok``, ``runs_failed``, and each metric's mean and CI."""
    by_point = runs.groupby("point_id", sort=True)
    table = by_point[spec.factor_keys].first().reset_index() if spec.factors else by_point.size().reset_index()[
        ["point_id"]]
    ok = runs[runs["status"] == "ok"].groupby("point_id")
    table["runs_ok"] = ok.size().reindex(table["point_id"], fill_value=0).to_numpy()
    table["runs_failed"] = by_point.size().to_numpy() - table["runs_ok"]
    nan = (float("nan"),) * 3
    for metric in spec.metrics:
        cells = ok[metric].apply(lambda x: mean_ci(x, level)).reindex(table["point_id"])
        table[metric], table[f"{metric}_ci_low"], table[f"{metric}_ci_high"] = zip(
            *(c if isinstance(c, tuple) else nan for c in cells))
    return table


def _levels(values: pd.Series) -> pd.Series:
    """Each run's level of a factor: the value itself, or its quantile bin's mean for many values."""
    if values.nunique() <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values
    bins = pd.qcut(values, BINS, duplicates="drop")
    return values.groupby(bins, observed=True).transform("mean")


def effects(spec: Spec, runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Long table: factor, level, metric, n, mean, ci_low, ci_high (other factors pooled)."""
    ok = runs[runs["status"] == "ok"]
    rows = []
    for factor in spec.factor_keys:
        levels = _levels(ok[factor])
        for value, group in ok.groupby(levels, sort=True):
            for metric in spec.metrics:
                mean, low, high = mean_ci(group[metric], level)
                rows.append({"factor": factor, "level": value, "metric": metric, "n": len(group),
                             "mean": mean, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["factor", "level", "metric", "n", "mean", "ci_low", "ci_high"])


def best_points(spec: Spec, means: pd.DataFrame, metric: str, by: str | None = None,
                lowest: bool = False, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The point with the highest (or lowest) mean of ``metric``, for each level of factor ``by``.

    ``tied_count`` counts the other points the best one cannot be told apart from, ``tied_point_ids``
    lists them (space-separated).
    With ``runs`` of a sweep with ``common_seeds``, a tie is a paired 95% CI of
    the difference (runs matched by ``replicate``) that includes 0; otherwise
    it is a 95% CI that overlaps the best one's, a conservative sign that the
    data do not single out the best point. ``comparison`` says which.
    """
    low, high = f"{metric}_ci_low", f"{metric}_ci_high"
    paired = spec.common_seeds and runs is not None
    if paired:
        ok = runs[runs["status"] == "ok"]
        by_replicate = ok.pivot(index="replicate", columns="point_id", values=metric)
    rows = []
    for level, group in (means.groupby(by, sort=False) if by else [(None, means)]):
        group = group.dropna(subset=[metric]).sort_values(metric, ascending=lowest, kind="stable")
        if group.empty:
            continue
        best = group.iloc[0]
        if paired:
            gaps = by_replicate[group["point_id"].iloc[1:]].rsub(by_replicate[best["point_id"]], axis=0)
            tied = [p for p in gaps.columns if _includes_zero(gaps[p])]
        else:
            others = group.iloc[1:]
            tied = others["point_id"][others[low] <= best[high] if lowest else others[high] >= best[low]].tolist()
        rows.append({**({by: level} if by else {}), "point_id": best["point_id"],
                     **{k: best[k] for k in spec.factor_keys if k != by},
                     metric: best[metric], low: best[low], high: best[high], "tied_count": len(tied),
                     "tied_point_ids": " ".join(str(int(p)) for p in tied),
                     "comparison": "paired by replicate" if paired else "CI overlap"})
    return pd.DataFrame(rows)


def _includes_zero(gap: pd.Series) -> bool:
    """Whether the paired 95% CI of a difference includes 0 (with fewer than 2 pairs nothing is told apart)."""
    gap = gap.dropna()
    if gap.size < 2:
        return True
    _, low, high = mean_ci(gap)
    return low <= 0.0 <= high


def _outputs(spec: Spec, means: pd.DataFrame, expected: int) -> dict[str, np.ndarray] | str:
    """Each metric's point means in design order, or why indices cannot be computed."""
    if len(means) < expected:
        return f"{expected - len(means)} of {expected} design points have no runs yet; resume the sweep first"
    outputs = {m: means[m].to_numpy(float) for m in spec.metrics}
    missing = sorted({int(p) for m in outputs for p in means["point_id"][np.isnan(outputs[m])]})
    if missing:
        return f"{len(missing)} design points have no successful run (e.g. point {missing[0]})"
    return outputs


def sobol_indices(spec: Spec, means: pd.DataFrame, expected: int) -> pd.DataFrame | str:
    """First-order and total Sobol' indices with 95% bootstrap CIs, per metric and factor."""
    from SALib.analyze import sobol

    outputs = _outputs(spec, means, expected)
    if isinstance(outputs, str):
        return outputs
    rows = []
    for metric, y in outputs.items():
        result = sobol.analyze(problem(spec), y, calc_second_order=False, seed=spec.seed)
        for i, factor in enumerate(spec.factor_keys):
            s1, s1_conf, st, st_conf = (float(result[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
            rows.append({"metric": metric, "factor": factor, "S1": s1, "S1_ci_low": s1 - s1_conf,
                         "S1_ci_high": s1 + s1_conf, "ST": st, "ST_ci_low": st - st_conf, "ST_ci_high": st + st_conf})
    return pd.DataFrame(rows)


def morris_indices(spec: Spec, means: pd.DataFrame, expected: int) -> pd.DataFrame | str:
    """Morris elementary-effect statistics per metric and factor (effects per unit of the factor's range)."""
    from SALib.analyze import morris

    outputs = _outputs(spec, means, expected)
    if isinstance(outputs, str):
        return outputs
    x = sample(spec)  # the unrounded design, so integer factors keep exact steps
    rows = []
    for metric, y in outputs.items():
        result = morris.analyze(problem(spec), x, y, num_levels=MORRIS_LEVELS, seed=spec.seed)
        for i, factor in enumerate(spec.factor_keys):
            mu_star, conf = float(result["mu_star"][i]), float(result["mu_star_conf"][i])
            rows.append({"metric": metric, "factor": factor, "mu": float(result["mu"][i]), "mu_star": mu_star,
                         "mu_star_ci_low": mu_star - conf, "mu_star_ci_high": mu_star + conf,
                         "sigma": float(result["sigma"][i])})
    return pd.DataFrame(rows)


# --- charts -------------------------------------------------------------------------------


def sweep_settings(spec: Spec) -> str:
    """What every run of a sweep shares beyond its preset, for a chart's subtitle: the spec's ``[set]``."""
    changes = ", ".join(f"{key}={value}" for key, value in spec.set.items())
    preset = spec.scenario or "preset per point"
    return f"{preset}; set: {changes}" if changes else preset


def effects_figure(table: pd.DataFrame, metric: str, factors: list[str], subtitle: str = ""):
    """Forest plot: one panel per factor, one row per level (a category), the mean and its 95% CI.

    All panels share the metric's axis, so effects of different factors
    compare at a glance; levels are never joined by lines (a village type is
    not a number).
    """
    from villagesim import pictures

    rows_per = [len(table[(table["factor"] == f) & (table["metric"] == metric)]) for f in factors]
    fig = pictures.new_figure((6.4, 0.9 + 0.28 * sum(rows_per) + 0.45 * len(factors)))
    axes = fig.subplots(len(factors), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [max(n, 1) for n in rows_per]})
    for ax, factor in zip(axes.flat, factors):
        rows = table[(table["factor"] == factor) & (table["metric"] == metric)]
        y = np.arange(len(rows))[::-1]
        labels = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in rows["level"]]
        ax.errorbar(rows["mean"], y, xerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]],
                    fmt="o", ms=4, capsize=3, lw=1.2)
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_title(factor, fontsize=8, loc="left")
        ax.grid(alpha=0.3, axis="x")
    unit = f" [{pictures.axis_unit(metric)}]" if pictures.axis_unit(metric) else ""
    axes.flat[-1].set_xlabel(f"{metric.replace('_', ' ')}{unit}: mean and 95% CI over the runs (other factors pooled)")
    if subtitle:
        fig.suptitle(subtitle, fontsize=8)
    fig.tight_layout()
    return fig


def index_figure(table: pd.DataFrame, columns: list[str], title: str, subtitle: str = ""):
    """Bar chart of sensitivity indices with their CIs, one panel per metric; ``subtitle`` (the sweep's
    settings) goes under the title."""
    from villagesim import pictures

    metrics = list(dict.fromkeys(table["metric"]))
    fig = pictures.new_figure((4.2 * len(metrics), 3.6))
    axes = fig.subplots(1, len(metrics), squeeze=False)
    width = 0.8 / len(columns)
    for ax, metric in zip(axes.flat, metrics):
        rows = table[table["metric"] == metric]
        x = np.arange(len(rows))
        for k, column in enumerate(columns):
            values = rows[column].to_numpy(float)
            error = np.abs(np.vstack([values - rows[f"{column}_ci_low"], rows[f"{column}_ci_high"] - values]))
            ax.bar(x + k * width, values, width, yerr=error, capsize=2, label=column)
        ax.set_xticks(x + width * (len(columns) - 1) / 2, [f.split(".", 1)[-1] for f in rows["factor"]],
                      rotation=40, ha="right", fontsize=7)
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.set_ylabel("share of variance" if "S1" in columns else f"effect [{pictures.axis_unit(metric)}]")
        ax.grid(alpha=0.3, axis="y")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{title}\n{subtitle}" if subtitle else title, fontsize=10)
    fig.tight_layout()
    return fig


def fan_runs(spec: Spec, runs: pd.DataFrame) -> dict[str, list[int]]:
    """Run ids to draw in the time-series fans: per point when there are few points, else a sample of all."""
    ok = runs[runs["status"] == "ok"]
    if ok["point_id"].nunique() <= FAN_POINTS:
        groups = {}
        for point_id, group in ok.groupby("point_id"):
            values = ", ".join(f"{_short(k)}={v:g}" if isinstance(v, float) else f"{_short(k)}={v}"
                               for k, v in group.iloc[0][spec.factor_keys].items())
            groups[f"point {point_id}" + (f": {values}" if values else "")] = group["run_id"].tolist()[:FAN_RUNS]
        return groups
    ids = ok["run_id"].tolist()
    return {f"all points ({min(len(ids), FAN_RUNS)} runs)": ids[:FAN_RUNS]}


def _short(key: str) -> str:
    """``interventions.training.intensity`` -> ``training``; ``village.digital_elderly`` -> ``digital_elderly``."""
    parts = key.split(".")
    return parts[-2] if parts[-1] == "intensity" and len(parts) > 1 else parts[-1]


def timeseries_fans(out: Path, spec: Spec, runs: pd.DataFrame):
    from villagesim import pictures

    groups = fan_runs(spec, runs)
    wanted = [i for ids in groups.values() for i in ids]
    series = pd.read_parquet(out / "timeseries", filters=[("run_id", "in", wanted)])
    by_run = {run_id: frame.sort_values("step") for run_id, frame in series.groupby("run_id")}
    frames = {label: [by_run[i] for i in ids if i in by_run] for label, ids in groups.items()}
    return pictures.timeseries_figure({k: v for k, v in frames.items() if v}, metrics=spec.metrics,
                                      title="time series", subtitle=sweep_settings(spec), what="runs")


# --- the command -------------------------------------------------------------------------------


SHOWN_METRICS = 3


def compact(table: pd.DataFrame, spec: Spec, first: str | None = None) -> pd.DataFrame:
    """A narrow view of the point means for the terminal: short factor names, a few metrics as mean ± half-width."""
    keys = [k for k in spec.factor_keys]
    shown = table[["point_id", *keys]].rename(columns={k: _short(k) for k in keys})
    metrics = list(dict.fromkeys([m for m in (first, *spec.metrics) if m]))[:SHOWN_METRICS]
    for metric in metrics:
        half = (table[f"{metric}_ci_high"] - table[f"{metric}_ci_low"]) / 2
        shown[with_unit(metric)] = [f"{m:.3g} ± {h:.2g}" for m, h in zip(table[metric], half)]
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: f"{v:.3g}")
    return shown


def with_unit(metric: str) -> str:
    """A metric's short name and its unit, for a terminal table's header: ``participation_rate [share]``."""
    return f"{_short(metric)} [{unit(metric)}]" if unit(metric) else _short(metric)


def best_shown(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """:func:`best_points`'s table for the terminal: short names, the metric with its unit, the CI in one column."""
    table = table.copy()
    low, high = table.pop(f"{metric}_ci_low"), table.pop(f"{metric}_ci_high")
    shown = table.rename(columns=_short).rename(columns={_short(metric): with_unit(metric)})
    shown.insert(shown.columns.get_loc(with_unit(metric)) + 1, "95% CI",
                 [f"[{a:.4g}, {b:.4g}]" for a, b in zip(low, high)])
    return shown


def equal_cost(spec: Spec, means: pd.DataFrame, metric: str, by: str | None, lowest: bool) -> pd.DataFrame | None:
    """Points ranked by their gain over the cheapest point of the group per 万元 spent, when costs differ."""
    if "cost_cumulative" not in spec.metrics or means["cost_cumulative"].nunique() < 2:
        return None
    rows = []
    sign = -1.0 if lowest else 1.0
    for level, group in (means.groupby(by, sort=False) if by else [(None, means)]):
        cheapest = group.loc[group["cost_cumulative"].idxmin()]
        extra = group["cost_cumulative"] - cheapest["cost_cumulative"]
        gain = sign * (group[metric] - cheapest[metric])
        per = np.divide(gain, extra, out=np.full(len(group), np.nan), where=extra.to_numpy() > 0)
        order = np.argsort(-np.nan_to_num(per, nan=-np.inf), kind="stable")
        best = group.iloc[order[0]]
        rows.append({**({by: level} if by else {}), "point_id": best["point_id"],
                     **{k: best[k] for k in spec.factor_keys if k != by}, metric: best[metric],
                     "cost_cumulative": best["cost_cumulative"], "baseline_point": cheapest["point_id"],
                     "gain": gain.iloc[order[0]], "gain_per_10k": per[order[0]]})
    return pd.DataFrame(rows)


def analyze(out: str | os.PathLike, dest: str | os.PathLike | Output | None = None, echo: Callable[..., None] = print,
            max_rows: int = 40, best: str | None = None, by: str | None = None,
            lowest: bool = False) -> dict[str, pd.DataFrame]:
    """Analyse the sweep in ``out``, write tables and charts to ``dest`` (default ``out/analysis``).

    ``dest`` is written whole or not at all (:class:`~villagesim.outputs.Output`).

    With ``best`` (by default the first metric when the sweep's points share seeds, ``common_seeds``: the
    paired comparison is then shown unasked), also the best design point for that metric (per level of
    factor ``by``), written to ``best.csv``.
    """
    out = Path(out)
    spec, manifest, runs = load(out)
    if best is None and spec.common_seeds:
        best = spec.metrics[0]  # runs paired by seed: the paired comparison is the one to read, so shown unasked
    spec.check_best(best, by)
    dest = dest if isinstance(dest, Output) else Output(out / "analysis" if dest is None else dest)
    written: list[str] = []
    # Units such as 万元 take two columns in a terminal: pandas pads them so when told.
    with dest.writing() as folder, pd.option_context("display.unicode.east_asian_width", True):
        tables = _write(out, folder, spec, manifest, runs, written, echo, max_rows, best, by, lowest)
    echo(f"\nwrote {', '.join(written)} in {dest.path}")
    return tables


def _write(out: Path, dest, spec: Spec, manifest: dict, runs: pd.DataFrame, written: list[str], echo, max_rows: int,
           best: str | None, by: str | None, lowest: bool) -> dict[str, pd.DataFrame]:
    """The tables and charts of :func:`analyze`, written in ``dest`` (a staging folder) and listed in ``written``."""
    folder = _Staging(dest, written)
    _say_what_ran(out, spec, manifest, runs, echo)
    means = point_means(spec, runs)
    _write_points(folder, spec, means, echo, max_rows, best)
    if best is not None:
        _write_best(folder, spec, means, runs, echo, best, by, lowest)
    if spec.factors:
        _write_effects(folder, spec, runs)
    if spec.design in INDICES:
        _write_indices(folder, spec, means, manifest["points"], echo)
    if spec.every and (out / "timeseries").is_dir() and (runs["status"] == "ok").any():
        folder.draw("timeseries", timeseries_fans(out, spec, runs))
    return folder.tables


class _Staging:
    """The staging folder of :func:`analyze`: each table (CSV) and chart (PNG) written there is listed in
    ``written``; the tables are kept by name."""

    def __init__(self, dest: Path, written: list[str]):
        self.dest, self.written = dest, written
        self.tables: dict[str, pd.DataFrame] = {}

    def write(self, name: str, table: pd.DataFrame) -> None:
        table.to_csv(self.dest / f"{name}.csv", index=False, float_format="%.10g", lineterminator="\n")
        self.tables[name] = table
        self.written.append(f"{name}.csv")

    def draw(self, name: str, fig) -> None:
        from villagesim import pictures

        pictures.save(fig, self.dest / f"{name}.png")
        self.written.append(f"{name}.png")


INDICES = {"sobol": (sobol_indices, ["S1", "ST"], "Sobol' indices (95% CI)"),
           "morris": (morris_indices, ["mu_star"], "Morris mu* (95% CI)")}
"""The sensitivity indices of each design that has them: how to compute them, their columns, their title."""


def _say_what_ran(out: Path, spec: Spec, manifest: dict, runs: pd.DataFrame, echo) -> None:
    failed = int((runs["status"] == "error").sum())
    echo(f"{out}: design {spec.design}, {manifest['points']} points x {spec.replicates} replicates; "
         f"{len(runs)} of {manifest['runs']} runs finished, {failed} failed")
    if len(runs) < manifest["runs"]:
        echo("  the sweep is incomplete: run the same sweep command again to finish it")


def _write_points(folder: _Staging, spec: Spec, means: pd.DataFrame, echo, max_rows: int, best: str | None) -> None:
    folder.write("points", means)
    echo("\nMean over replicates [95% CI] per design point (mean ± half the CI; every metric in points.csv):")
    echo(compact(means, spec, best).head(max_rows).to_string(index=False))
    if len(means) > max_rows:
        echo(f"... {len(means) - max_rows} more points in points.csv")


def _write_best(folder: _Staging, spec: Spec, means: pd.DataFrame, runs: pd.DataFrame, echo, best: str,
                by: str | None, lowest: bool) -> None:
    """The best point (for each value of ``by``) with its ties, and the best buy at equal cost."""
    table = best_points(spec, means, best, by, lowest, runs)
    folder.write("best", table)
    where = f" for each {by}" if by else ""
    ties = ("other points whose paired 95% CI of the difference (by replicate, common seeds) includes 0"
            if spec.common_seeds else "other points whose CI overlaps")
    echo(f"\n{'Lowest' if lowest else 'Highest'} mean {best}{where} [95% CI];\n"
         f"tied_count, tied_point_ids: how many and which {ties}:")
    echo(best_shown(table, best).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    buys = equal_cost(spec, means, best, by, lowest)
    if buys is not None:
        folder.write("best_per_10k", buys)
        echo(f"\nAt equal cost: the best buy{where}, the largest gain in {best} over the cheapest point "
             "per 万元 more spent:")
        echo(buys.rename(columns=_short).to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def _write_effects(folder: _Staging, spec: Spec, runs: pd.DataFrame) -> None:
    table = effects(spec, runs)
    folder.write("effects", table)
    for metric in spec.metrics:
        folder.draw(f"effects_{metric}", effects_figure(table, metric, spec.factor_keys, sweep_settings(spec)))


def _write_indices(folder: _Staging, spec: Spec, means: pd.DataFrame, points: int, echo) -> None:
    compute, columns, title = INDICES[spec.design]
    result = compute(spec, means, points)
    if isinstance(result, str):
        echo(f"\n{spec.design} indices not computed: {result}")
    else:
        folder.write(spec.design, result)
        settings = f"{sweep_settings(spec)}; indices over the mean of {spec.replicates} replicate(s) a point"
        folder.draw(spec.design, index_figure(result, columns, title, settings))
        echo(f"\n{title}:")
        echo(result.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
