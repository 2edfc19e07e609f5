"""SQLite files of our own (run history, event cache): private to the user."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path


@contextlib.contextmanager
def connect(path: Path, schema: Sequence[str]) -> Iterator[sqlite3.Connection]:
    """Open ``path`` (folder 0700, file 0600, tables from ``schema``); commit on success."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    connection = sqlite3.connect(path, timeout=30)
    try:
        for statement in schema:
            connection.execute(statement)
        with connection:
            yield connection
    finally:
        connection.close()
