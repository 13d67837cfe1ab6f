"""Classroom mode: teams of cadres each run the branch of the same village, round by round (see docs/classroom.md).

This module stays light (the command line imports it for its default folder); the rules are in
:mod:`~villagesim.classroom.session`, the files in :mod:`~villagesim.classroom.store`, the server's
routes in :mod:`~villagesim.classroom.web`.
"""

from __future__ import annotations

import os
from pathlib import Path


def default_folder() -> Path:
    """Where ``villagesim serve`` keeps classroom sessions unless told otherwise (the user's data folder)."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "villagesim" / "classroom"
