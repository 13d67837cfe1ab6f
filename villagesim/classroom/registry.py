"""The sessions of one server: starting them, finding them by code, saving every change.

Bounded in count and memory: at most :data:`MAX_OPEN` unfinished sessions at
once (each holds up to 31 live villages); finished sessions are read from the
store when asked for and at most :data:`MAX_FINISHED_LOADED` of them stay in
memory.

Examples
--------
>>> import tempfile
>>> from villagesim.classroom.session import Settings
>>> room = Classroom(tempfile.mkdtemp())
>>> session, trainer = room.start(Settings(rounds=1))
>>> room.get(session.code) is session
True
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from contextlib import contextmanager

from villagesim.classroom.session import CODE_ALPHABET, CODE_LENGTH, DOCUMENT_VERSION, Refusal, Session, Settings, \
    check_code
from villagesim.classroom.store import SessionStore

MAX_OPEN = 10
MAX_FINISHED_LOADED = 8


class Classroom:
    """Sessions kept in a :class:`SessionStore`; unfinished ones are loaded when the server starts."""

    def __init__(self, folder):
        self.store = SessionStore(folder)
        self.open: dict[str, Session] = {}
        self.finished: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()  # the two tables above, used by the event loop and worker threads
        for code in self.store.codes():
            document = self.store.load(code)
            if document is not None and document.get("version") == DOCUMENT_VERSION:
                session = Session(document)
                if not session.finished:
                    self.open[code] = session

    def start(self, settings: Settings, seed: int | None = None) -> tuple[Session, str]:
        """A new session, saved; returns it and its trainer token."""
        with self._lock:
            if len(self.open) >= MAX_OPEN:
                raise Refusal("sessions", status=429, most=MAX_OPEN)
            session, trainer = Session.create(settings, self._new_code(), seed=seed)
            self.store.save(session.doc)
            self.open[session.code] = session
            return session, trainer

    def _new_code(self) -> str:
        taken = set(self.store.codes()) | set(self.open)
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in taken:
                return code

    def get(self, raw_code) -> Session:
        """The session of a join code (any case), loading a finished one from the store if needed."""
        code = check_code(raw_code)
        with self._lock:
            session = self.open.get(code)
            if session is not None:
                return session
            session = self.finished.get(code)
            if session is None:
                document = self.store.load(code)
                if document is None or document.get("version") != DOCUMENT_VERSION:
                    raise Refusal("wrong_code", status=404, code=code)
                session = Session(document)
                self.finished[code] = session
            self.finished.move_to_end(code)
            while len(self.finished) > MAX_FINISHED_LOADED:
                self.finished.popitem(last=False)
            return session

    @contextmanager
    def change(self, session: Session):
        """Change ``session`` under its lock, then save it; a finished session leaves the open ones."""
        with session.lock:
            yield session
            self.store.save(session.doc)
            with self._lock:
                if session.finished and self.open.get(session.code) is session:
                    del self.open[session.code]
                    session.release()
                    self.finished[session.code] = session
