"""Run history in SQLite: what was delivered, so a scheduled run sends one email per period.

The database lives in the user data directory, created 0700, the file 0600. A delivery
is recorded as ``attempted`` before the message goes out (so nothing is sent when the
history cannot be written) and then becomes ``sent``, ``failed`` or ``unconfirmed``
(the server took the message but never confirmed it). Only ``sent`` counts as
delivered; an ``attempted`` record left behind by a killed run, like an ``unconfirmed``
one, makes the next run send again with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import storage
from .errors import OutputError

FILE_NAME = "history.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS runs (period TEXT, finished_at TEXT, status TEXT, recipients TEXT, "
    "rules_digest TEXT, hours TEXT, message TEXT)"
)
_COLUMNS = {"message_id": "TEXT NOT NULL DEFAULT ''"}
"""Columns added after the first release, added to older files when they are opened."""
UNCERTAIN = ("attempted", "unconfirmed")
"""Statuses after which nobody knows whether the mail arrived."""


@dataclass(frozen=True)
class Run:
    period: str
    finished_at: datetime
    status: str
    """``sent``, ``failed``, ``attempted`` (under way, or killed) or ``unconfirmed``."""
    recipients: tuple[str, ...]
    rules_digest: str
    hours: dict[str, float]
    """Counted hours: total, external, internal, unclassified."""
    message: str = ""
    message_id: str = ""


class History:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    @contextlib.contextmanager
    def _connect(self, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        try:
            with storage.connect(self.path, [_SCHEMA], readonly=readonly) as db:
                if not readonly:
                    _add_columns(db)
                yield db
        except (sqlite3.Error, OSError) as exc:
            raise OutputError(
                f"{self.path}: cannot use the run history ({exc}); make the folder writable or remove the file"
            ) from None

    def record(self, run: Run) -> int:
        """Store ``run``; returns its id for ``finish``."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO runs (period, finished_at, status, recipients, rules_digest, hours, message, message_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run.period, run.finished_at.isoformat(), run.status, json.dumps(sorted(run.recipients)),
                 run.rules_digest, json.dumps(run.hours), run.message, run.message_id),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    def finish(self, run_id: int, status: str, when: datetime, message: str = "") -> None:
        """The outcome of a run recorded as ``attempted``."""
        with self._connect() as db:
            db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, message = ? WHERE rowid = ?",
                (status, when.isoformat(), message, run_id),
            )

    def delivered(self, period: str, recipients: Sequence[str]) -> Run | None:
        """The run that already mailed this period to these recipients, if any."""
        return next((r for r in self._deliveries(period, recipients) if r.status == "sent"), None)

    def uncertain(self, period: str, recipients: Sequence[str]) -> Run | None:
        """The latest delivery of this period to these recipients, if nobody knows whether it arrived."""
        attempts = [r for r in self._deliveries(period, recipients) if r.message_id]  # a message was built
        return attempts[-1] if attempts and attempts[-1].status in UNCERTAIN else None

    def _deliveries(self, period: str, recipients: Sequence[str]) -> list[Run]:
        wanted = sorted(recipients)
        return [r for r in self.runs() if r.period == period and sorted(r.recipients) == wanted]

    def runs(self) -> list[Run]:
        """Every recorded run, oldest first; reading never creates the file."""
        if not self.path.exists():
            return []
        with self._connect(readonly=True) as db:
            names = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
            rows = db.execute("SELECT * FROM runs ORDER BY finished_at, rowid").fetchall()
        return [_run(dict(zip(names, row, strict=True))) for row in rows]


def _add_columns(db: sqlite3.Connection) -> None:
    present = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
    for name, kind in _COLUMNS.items():
        if name not in present:
            db.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")


def _run(row: dict[str, str]) -> Run:
    return Run(
        row["period"],
        datetime.fromisoformat(row["finished_at"]),
        row["status"],
        tuple(json.loads(row["recipients"])),
        row["rules_digest"],
        json.loads(row["hours"]),
        row["message"],
        row.get("message_id", ""),
    )
