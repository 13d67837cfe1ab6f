"""A session for the course record: CSV (every village, every month), PNG (the curves) and JSON (everything).

None of them holds a token: the document keeps only their hashes, and the
export leaves those out too.
"""

from __future__ import annotations

import csv
import io
import json

from villagesim.i18n import text
from villagesim.params import INTERVENTIONS
from villagesim import pictures

from villagesim.classroom.session import OBJECTIVES, RECORDED, Session
from villagesim.classroom.words import word

CHART_METRICS = (*OBJECTIVES, "cost_cumulative")


def _round_of(session: Session, month: int) -> int:
    return 0 if month == 0 else (month - 1) // session.settings.round_months + 1


def to_csv(session: Session) -> str:
    """One row per village and month: the team (or the baseline), the round, the measures and that round's plan."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    plan_columns = [f"{path}.{field}" for path in INTERVENTIONS for field in ("intensity", "start")]
    writer.writerow(["team", "round", "month", *RECORDED, *plan_columns])
    villages = [(team["name"], team["series"], team["plans"]) for team in session.teams]
    villages.append(("", session.doc["baseline"], []))  # the baseline: no team, no plan
    for name, series, plans in villages:
        for month in range(len(series[RECORDED[0]])):
            index = _round_of(session, month)
            plan = plans[index - 1] if 0 < index <= len(plans) else None
            choices = [plan[path][field] if plan else "" for path in INTERVENTIONS for field in ("intensity", "start")]
            writer.writerow([name, index, month, *(series[metric][month] for metric in RECORDED), *choices])
    return out.getvalue()


def to_json(session: Session) -> str:
    """The session document without token hashes, with the ranking and the debrief's per-path figures."""
    document = {key: value for key, value in session.doc.items() if key != "trainer"}
    document["teams"] = [{key: value for key, value in team.items() if key != "token"} for team in session.teams]
    document["ranking"] = {objective: session.ranking(objective) for objective in OBJECTIVES}
    if session.doc["debrief"] is not None:
        document["per_path"] = {objective: session.per_path(objective) for objective in OBJECTIVES}
    return json.dumps(document, ensure_ascii=False, indent=1)


def to_png(session: Session) -> bytes:
    """Every team's curves and the baseline's (grey, dashed), one panel per measure."""
    with pictures.drawing():  # the CJK font for Chinese labels, and matplotlib's lock
        return _png(session)


def _png(session: Session) -> bytes:
    import matplotlib

    lang = session.settings.lang
    figure = pictures.new_figure((11, 7.5))
    axes = figure.subplots(2, 2, squeeze=False)
    colours = matplotlib.colormaps["turbo"]
    count = max(len(session.teams), 1)
    for ax, metric in zip(axes.flat, CHART_METRICS):
        for team in session.teams:
            values = team["series"][metric]
            ax.plot(range(len(values)), values, lw=1.3, color=colours((team["id"] + 0.5) / count), label=team["name"])
        baseline = session.doc["baseline"][metric]
        ax.plot(range(len(baseline)), baseline, lw=1.6, color="0.45", ls="--", label=word("baseline", lang))
        for month in range(0, len(baseline), session.settings.round_months):
            ax.axvline(month, color="0.85", lw=0.8, zorder=0)
        ax.set_title(text(f"metric.{metric}", lang), fontsize=10)
        ax.set_xlabel(text("axis_month", lang), fontsize=8)
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(8, len(labels)), fontsize=8, frameon=False)
    figure.suptitle(f"{word('classroom', lang)} {session.code}", fontsize=11)
    rows = -(-len(labels) // 8)
    figure.tight_layout(rect=(0, 0.035 * rows + 0.02, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata=pictures.PNG_METADATA)
    return buffer.getvalue()
