"""Reading TOML input files: the one place every reader (scenarios, sweep specs, calibration) parses them.

A missing, unreadable or malformed file is one :class:`~villagesim.errors.InputError` line
naming what the file was for, the path and the problem.

Examples
--------
>>> read("no/such/file.toml", "scenario")
Traceback (most recent call last):
...
villagesim.errors.InputError: scenario no/such/file.toml: no such file
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from villagesim.errors import InputError


def read(path: str | os.PathLike, what: str) -> dict[str, Any]:
    """Parse the TOML file ``path`` (``what`` names it in errors, e.g. ``"sweep spec"``); a UTF-8 BOM is allowed."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{what} {path}: no such file") from None
    except (OSError, ValueError) as err:  # a folder, no permission, not UTF-8, a NUL in the path
        raise InputError(f"{what} {path}: cannot read it as UTF-8 text ({type(err).__name__})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{what} {path}: malformed TOML: {err}") from None
