"""Output folders: checked before any work, written whole or not at all, never overwritten silently.

Every command that writes results goes through :class:`Output`, in three steps:

1. ``Output(path)`` checks at once, before any computation, that the folder
   can be created and written and is not a file; otherwise it raises
   :class:`~villagesim.errors.InputError` naming the folder and why (exit 2).
2. :meth:`Output.claim` names what the results are made from: the command
   and its resolved inputs (parameters, seed, months, data files...). A
   folder that holds the results of other inputs, or files villagesim did
   not write, is refused unless ``overwrite``. The same command again is
   allowed: it writes the same bytes.
3. :meth:`Output.writing` gives a staging folder beside the target; the
   command writes its files there. When the block ends without error each
   file is flushed to disk (fsync) and moved into place, the manifest
   :data:`MANIFEST` last. On any error, interrupt or kill the target is left
   as it was; an ``OSError`` becomes :class:`~villagesim.errors.WriteError`,
   one line naming the file and the cause (exit 1).

The manifest ``villagesim.json`` records what made the folder::

    {"command": "run", "inputs": {"params": {...}, "scenario": "default", "seed": 7, "steps": 120},
     "files": {"chart.png": "<sha256>", "summary.json": "<sha256>", "timeseries.csv": "<sha256>"},
     "villagesim": "0.1.0"}

Two folders hold the same results when ``command`` and ``inputs`` are equal;
``options`` (e.g. ``analyze --best``) choose what is reported and are only recorded.
Single files (a sweep's Parquet parts and manifest) use :func:`replacing`.

Examples
--------
>>> import json, tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "results" / "run"
>>> out = Output(target)
>>> out.claim("run", {"seed": 1})
>>> with out.writing() as folder:
...     (folder / "summary.json").write_text("{}\\n")
3
>>> sorted(p.name for p in target.iterdir())
['summary.json', 'villagesim.json']
>>> json.loads((target / MANIFEST).read_text())["inputs"]
{'seed': 1}
>>> Output(target).claim("run", {"seed": 2})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
villagesim.errors.InputError: --out ...run: holds the results of other inputs (seed differs); they were made with --seed 1; use another folder, or --overwrite
>>> Output(target).claim("run", {"seed": 2}, overwrite=True)
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from villagesim import __version__
from villagesim.errors import InputError, WriteError

MANIFEST = "villagesim.json"
"""The file in every output folder that records the command and inputs that made it."""

_STAGING = ".staging-"


def output_dir(path: str | os.PathLike, flag: str = "--out") -> Path:
    """Check that ``path`` can be used as an output folder, without creating it.

    It must be a folder or not exist yet, and the first existing folder on
    its way must be writable: a small file is created there and removed, so
    that a read-only or full disk is found now rather than after the work.

    >>> import tempfile, pathlib
    >>> output_dir(pathlib.Path(tempfile.mkdtemp()) / "new" / "run").name
    'run'
    """
    out = Path(path)
    existing = out.absolute()
    while not _exists(existing):
        existing = existing.parent
    if existing == out.absolute() and not existing.is_dir():
        raise InputError(f"{flag} {path}: exists and is not a folder")
    if not existing.is_dir():
        raise InputError(f"{flag} {path}: cannot be created, {existing} is a file")
    limit = os.pathconf(existing, "PC_NAME_MAX")
    if any(len(os.fsencode(name)) > limit for name in out.absolute().relative_to(existing).parts):
        raise InputError(f"{flag} {path}: cannot be created, a name in it is over the {limit} bytes {existing} allows")
    if existing != out.absolute() or not _probe(out.absolute().parent):
        problem = _probe(existing)
        if problem:
            raise InputError(f"{flag} {path}: cannot write in {existing} ({problem})")
    return out


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError:  # also a name too long, or a file on the way: then not as a folder to write in
        return False
    return True


def _probe(folder: Path) -> str | None:
    """Why nothing can be written in ``folder`` (None if a byte can).

    The probe is a file without a name (``O_TMPFILE``) where the file system
    allows, so that a kill leaves nothing; else a hidden name ignored as staging.
    """
    probe, fd = None, -1
    if hasattr(os, "O_TMPFILE"):
        try:
            fd = os.open(folder, os.O_WRONLY | os.O_TMPFILE, 0o600)
        except OSError as err:
            if err.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                return err.strerror
    if fd < 0:
        probe = folder / f"{_STAGING}probe-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as err:
            return err.strerror
    try:
        os.write(fd, b"\0")
        os.fsync(fd)
    except OSError as err:
        return err.strerror
    finally:
        os.close(fd)
        if probe is not None:
            probe.unlink()
    return None


class Output:
    """One output folder of a command: checked, claimed, then written whole (see the module)."""

    def __init__(self, path: str | os.PathLike, flag: str = "--out"):
        self.path = output_dir(path, flag)
        self.flag = flag
        self.record: dict[str, Any] | None = None

    def claim(self, command: str, inputs: dict[str, Any], overwrite: bool = False,
              options: dict[str, Any] | None = None) -> None:
        """Refuse a folder holding results of other ``inputs`` (or not written by villagesim) unless ``overwrite``.

        ``inputs`` are what the results are made from (parameters, seed, data);
        ``options`` only choose what is reported, so they are recorded but not compared.
        """
        self.record = {"command": command, "inputs": json.loads(json.dumps(inputs)),
                       **({"options": json.loads(json.dumps(options))} if options else {})}
        entries = _entries(self.path)
        if overwrite or not entries:
            return
        old = _manifest(self.path)
        if old is None:
            raise InputError(f"{self.flag} {self.path}: not empty and not written by villagesim (no readable "
                             f"{MANIFEST}); use another folder, or --overwrite to write into it")
        if old.get("command") != command:
            raise InputError(f"{self.flag} {self.path}: holds the results of villagesim {old.get('command')}; "
                             "use another folder, or --overwrite")
        differ = _differences(old.get("inputs"), self.record["inputs"])
        if differ:
            shown = ", ".join(differ[:4]) + (f" and {len(differ) - 4} more" if len(differ) > 4 else "")
            held = old.get("inputs")
            # A drawn seed is recorded: naming it lets the user rerun the folder's results rather than lose them.
            seed = f"; they were made with --seed {held['seed']}" if isinstance(held, dict) and "seed" in held else ""
            raise InputError(f"{self.flag} {self.path}: holds the results of other inputs ({shown} differ"
                             f"{'s' if len(differ) == 1 else ''}){seed}; use another folder, or --overwrite")

    @contextlib.contextmanager
    def writing(self) -> Iterator[Staging]:
        """A staging folder to write the outputs in; they are moved into place when the block ends."""
        created = _missing_parents(self.path)
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _remove_abandoned(self.path)
            # Beside the target (one rename) if its parent is writable, else inside it (one rename per file).
            home = parent if os.access(parent, os.W_OK | os.X_OK) or not self.path.is_dir() else self.path
            stage = _make_stage(home, self.path.name)
        except OSError as err:
            _remove_created(created)
            raise WriteError(f"cannot write {err.filename or self.path}: {err.strerror}") from None
        folder = Staging(stage)
        try:
            yield folder
            self._commit(folder)
        except OSError as err:
            raise WriteError(folder.explain(err, self.path)) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            _remove_created(created)

    def _commit(self, folder: Staging) -> None:
        stage = folder.root
        files = sorted(p.name for p in stage.iterdir() if p.name != MANIFEST)
        digests = {}
        for name in files:
            folder.current = name
            digests[name] = _sync(stage / name)
        if self.record is not None:
            folder.current = MANIFEST
            manifest = {**self.record, "files": digests, "villagesim": __version__}
            (stage / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
            _sync(stage / MANIFEST)
        _sync_dir(stage)
        folder.current = None
        old = _manifest(self.path) or {}
        ours = {*old.get("files", {}), MANIFEST}
        entries = _entries(self.path)
        if stage.parent == self.path.parent and not self.path.is_symlink() and (not entries or entries <= ours):
            if not self.path.exists() or not entries:
                os.replace(stage, self.path)  # onto nothing or an empty folder: one atomic rename
            elif not _exchange(stage, self.path):
                self._replace_each(stage, files, old)
        else:
            self._replace_each(stage, files, old)
        _sync_dir(self.path.parent)

    def _replace_each(self, stage: Path, files: list[str], old: dict) -> None:
        """Move files one by one into a folder that holds other files too; the manifest is moved last."""
        self.path.mkdir(exist_ok=True)
        for name in files:
            os.replace(stage / name, self.path / name)
        for name in set(old.get("files", {})) - set(files):
            if name == Path(name).name and name not in (".", "..", MANIFEST):  # never outside the folder
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    (self.path / name).unlink()
        if (stage / MANIFEST).exists():
            os.replace(stage / MANIFEST, self.path / MANIFEST)
        _sync_dir(self.path)


class Staging:
    """The staging folder of :meth:`Output.writing`: ``folder / "name"`` is the path to write ``name`` at.

    It remembers the last name asked for, so that an error the writer raises
    without a file name (pandas, matplotlib) still names the file.
    """

    def __init__(self, root: Path):
        self.root = root
        self.current: str | None = None

    def __truediv__(self, name: str) -> Path:
        self.current = name
        return self.root / name

    def __fspath__(self) -> str:
        return os.fspath(self.root)

    def explain(self, err: OSError, target: Path) -> str:
        """One line: the file ``err`` is about, under its target name, and the cause."""
        cause = err.strerror or str(err)
        if err.filename:
            name = Path(os.fsdecode(err.filename))
            if not name.is_relative_to(self.root):
                return f"{name}: {cause}"
            return f"cannot write {target / name.relative_to(self.root)}: {cause}"
        return f"cannot write {target / self.current if self.current else target}: {cause}"


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path``; when the block ends it is synced and renamed onto ``path``.

    On an error the temporary file is removed and ``path`` keeps its old
    content. Temporary names are ``.NAME.*.tmp``, for readers to ignore.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "sweep.json"
    >>> with replacing(target) as tmp:
    ...     tmp.write_text("{}")
    2
    >>> target.read_text()
    '{}'
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        _sync(tmp, digest=False)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _entries(folder: Path) -> set[str]:
    """Names in ``folder`` other than staging folders of a write under way."""
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.iterdir() if not p.name.startswith(_STAGING)}


def _manifest(folder: Path) -> dict | None:
    try:
        record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted names of the inputs that differ (a changed parameter is named, not just ``params``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for key in sorted({*old, *new}, key=str)
                for d in _differences(old.get(key), new.get(key), f"{prefix}{key}" if not prefix else f"{prefix}.{key}")]
    return [] if old == new else [prefix or "inputs"]


def _make_stage(home: Path, name: str) -> Path:
    stage = home / f"{_STAGING}{name}-{os.getpid()}-{secrets.token_hex(4)}"
    stage.mkdir()
    return stage


def _remove_abandoned(target: Path) -> None:
    """Staging folders of this target left by a killed process (whose pid is gone)."""
    for home in (target.parent, target):
        if not home.is_dir():
            continue
        for stage in home.glob(f"{_STAGING}{target.name}-*-*"):
            pid = stage.name.rsplit("-", 2)[-2]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _missing_parents(path: Path) -> list[Path]:
    """Folders above ``path`` that do not exist yet, deepest first (removed again if the write fails)."""
    missing = []
    parent = path.absolute().parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    return missing


def _remove_created(created: list[Path]) -> None:
    for folder in created:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if still empty: a successful write has filled it


def _sync(path: Path, digest: bool = True) -> str:
    """fsync ``path`` and return its sha256."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        if digest:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        os.fsync(handle.fileno())
    return sha.hexdigest()


def _sync_dir(folder: Path) -> None:
    """fsync a folder, so that the renames in it survive a machine crash."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(b))
