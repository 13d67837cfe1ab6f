"""The event log: what happened in a run, in plain words, in English and Chinese.

Examples
--------
>>> describe(Event(12, "intervention_started", "venue"), "en")
'Month 12: service centre opened'
>>> describe(Event(30, "project_viable", 0), "zh")
'第 30 月：项目达到规模，落地生根'
>>> describe(Event(7, "intervention_changed", "interventions.training.intensity", 0.6), "en")
'Month 7: Member training: intensity set to 0.6'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from villagesim.i18n import EVENTS, text


@dataclass(frozen=True)
class Event:
    """Something that happened in ``month``: a code, what it concerns, and a value."""

    month: int
    code: str
    subject: Any = None
    value: Any = None


def describe(event: Event, lang: str = "en", villages: int = 1) -> str:
    """One line of the event log in ``lang`` (``en`` or ``zh``)."""
    words = EVENTS[lang]
    if event.code == "intervention_started":
        line = words[f"started.{event.subject}"]
    elif event.code == "intervention_changed":
        _, name, field = str(event.subject).split(".", 2)
        pattern = words.get(f"changed.{field}", words["changed"])
        line = pattern.format(name=text(f"intervention.{name}", lang), subject=event.subject, value=event.value)
    else:
        line = words[event.code].format(subject=event.subject, value=event.value)
    if event.code.startswith("project_") and villages > 1:
        line += words["village"].format(v=event.subject)
    return text("month", lang, m=event.month) + text("separator", lang) + line
