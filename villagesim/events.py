"""What happened in a run: each event is a month, a code, what it concerns and a value, with no words.

The rules record events; the words for them are looked up where they are shown
(:func:`villagesim.i18n.describe`).

Examples
--------
>>> Event(12, "intervention_started", "venue")
Event(month=12, code='intervention_started', subject='venue', value=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """Something that happened in ``month``: a code, what it concerns, and a value."""

    month: int
    code: str
    subject: Any = None
    value: Any = None
