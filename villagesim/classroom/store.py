"""Classroom sessions on disk: one JSON document per session, each change written atomically.

A document is written to a temporary file in the same folder, flushed to disk
(``fsync``) and renamed over the old one (:func:`villagesim.outputs.replacing`),
so a server killed at any moment leaves either the old document or the new
one, never a mixture. Temporary files left by a killed server are removed
when the store opens.

Examples
--------
>>> import tempfile
>>> store = SessionStore(tempfile.mkdtemp())
>>> store.save({"version": 1, "code": "ABCDE", "round": 2})
>>> store.load("ABCDE")["round"], store.codes()
(2, ['ABCDE'])
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from villagesim.errors import InputError
from villagesim.outputs import replacing

REQUIRED = ("version", "code")


class SessionStore:
    """Session documents as ``<code>.json`` in ``folder``."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        problem = _unusable(self.folder)
        if problem:
            raise InputError(f"classroom folder {self.folder}: {problem}")
        for leftover in self.folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)

    def path(self, code: str) -> Path:
        return self.folder / f"{code}.json"

    def save(self, document: dict[str, Any]) -> None:
        """Replace the session's file by ``document`` in one step."""
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:  # one writer at a time per folder
            self.folder.mkdir(parents=True, exist_ok=True)  # only once there is a session to keep
            with replacing(self.path(document["code"])) as tmp:
                tmp.write_bytes(data)

    def load(self, code: str) -> dict[str, Any] | None:
        """The document of session ``code``, or None if there is none or it cannot be read."""
        path = self.path(code)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            warnings.warn(f"classroom store: skipping {path}: {type(err).__name__}: {err}", stacklevel=2)
            return None
        if not isinstance(document, dict) or any(key not in document for key in REQUIRED) \
                or document["code"] != code:
            warnings.warn(f"classroom store: skipping {path}: not a session document", stacklevel=2)
            return None
        return document

    def codes(self) -> list[str]:
        """Codes of the stored sessions, oldest file first."""
        files = sorted(self.folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
        return [p.stem for p in files]


def _unusable(folder: Path) -> str | None:
    """Why ``folder`` cannot hold sessions, or None; nothing is created (``serve`` alone writes nothing)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot create it ({existing} is not a folder)"
    if not os.access(existing, os.W_OK | os.X_OK):
        return "cannot write there"
    return None

