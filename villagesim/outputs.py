"""Output folders: checked before any work, so a bad ``--out`` costs nothing.

Examples
--------
>>> import tempfile, pathlib
>>> output_dir(pathlib.Path(tempfile.mkdtemp()) / "new" / "run").name
'run'
"""

from __future__ import annotations

import os
from pathlib import Path

from villagesim.errors import InputError


def output_dir(path: str | os.PathLike, flag: str = "--out") -> Path:
    """Check that ``path`` can be used as an output folder, without creating it."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"{flag} {path}: exists and is not a folder")
    parent = out.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise InputError(f"{flag} {path}: cannot write in {parent}")
    return out
