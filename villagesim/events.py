"""The event log: what happened in a run, in plain words, in English and Chinese.

Examples
--------
>>> describe(Event(12, "intervention_started", "venue"), "en")
'Month 12: service centre opened'
>>> describe(Event(30, "project_viable", 0), "zh")
'第 30 月：项目达到规模，落地生根'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "zh")

MONTH = {"en": "Month {m}", "zh": "第 {m} 月"}
SEPARATOR = {"en": ": ", "zh": "："}

STARTED = {
    "en": {
        "standardization": "standardised branch work began",
        "training": "member training began",
        "venue": "service centre opened",
        "digital": "digital platform launched",
        "recruitment": "recruitment drive began",
    },
    "zh": {
        "standardization": "支部标准化规范化建设启动",
        "training": "党员培训启动",
        "venue": "党群服务中心开放",
        "digital": "智慧党建平台上线",
        "recruitment": "发展年轻党员工作启动",
    },
}

MESSAGES = {
    "en": {
        "intervention_changed": "{subject} set to {value}",
        "project_launched": "project launched",
        "project_viable": "project became viable",
        "project_failed": "project failed to take root",
        "members_admitted": "{value} new members admitted",
    },
    "zh": {
        "intervention_changed": "{subject} 调整为 {value}",
        "project_launched": "集体项目启动",
        "project_viable": "项目达到规模，落地生根",
        "project_failed": "项目未能落地生根",
        "members_admitted": "发展新党员 {value} 名",
    },
}
VILLAGE = {"en": " (village {v})", "zh": "（第 {v} 村）"}


@dataclass(frozen=True)
class Event:
    """Something that happened in ``month``: a code, what it concerns, and a value."""

    month: int
    code: str
    subject: Any = None
    value: Any = None


def describe(event: Event, lang: str = "en", villages: int = 1) -> str:
    """One line of the event log in ``lang`` (``en`` or ``zh``)."""
    if event.code == "intervention_started":
        text = STARTED[lang][event.subject]
    else:
        text = MESSAGES[lang][event.code].format(subject=event.subject, value=event.value)
    if event.code.startswith("project_") and villages > 1:
        text += VILLAGE[lang].format(v=event.subject)
    return MONTH[lang].format(m=event.month) + SEPARATOR[lang] + text
