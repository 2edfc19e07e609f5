"""Files calaudit writes: reports written atomically, private SQLite files (history, cache)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import OutputError


@contextlib.contextmanager
def connect(path: Path, schema: Sequence[str], readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """Open ``path`` (folder 0700, file 0600, tables from ``schema``); commit on success.

    ``readonly`` opens an existing file without creating or changing anything.
    """
    if readonly:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    else:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        connection = sqlite3.connect(path, timeout=30)
        connection.execute("PRAGMA secure_delete = ON")  # a deleted row (a secret URL) is overwritten
    try:
        for statement in () if readonly else schema:
            connection.execute(statement)
        with connection:
            yield connection
    finally:
        connection.close()


def atomic_write(path: Path, data: bytes, mode: int = 0o644, exclusive: bool = False) -> None:
    """Write to a temporary file beside ``path``, then rename it into place.

    With ``exclusive`` an existing file is never replaced.
    """
    directory = path.parent if str(path.parent) else Path()
    if exclusive and path.exists():
        raise OutputError(f"{path}: already exists; not overwriting it (remove it or choose another path)")
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        if exclusive:
            os.link(temp, path)
            os.unlink(temp)
        else:
            os.replace(temp, path)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(f"{path}: already exists; not overwriting it") from None
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None


def write_output(path: Path, data: bytes) -> None:
    """Write a report where the user asked: through a symlink to its target, straight
    into a FIFO or device, atomically into a regular file (never half-written)."""
    target = Path(os.path.realpath(path))
    try:
        special = target.exists() and not target.is_file()
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    if not special:
        atomic_write(target, data)
        return
    if target.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    try:
        with target.open("wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
