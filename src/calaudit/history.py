"""Run history in SQLite: what was delivered, so a scheduled run sends one email per period.

The database lives in the user data directory, created 0700, the file 0600. A run is
recorded as ``sent`` only after the SMTP server accepted the message; failures are kept
for ``calaudit history`` but never count as delivered, so the next run retries.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import storage

FILE_NAME = "history.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS runs (period TEXT, finished_at TEXT, status TEXT, recipients TEXT, "
    "rules_digest TEXT, hours TEXT, message TEXT)"
)


@dataclass(frozen=True)
class Run:
    period: str
    finished_at: datetime
    status: str
    """``sent``, ``failed`` or ``skipped`` (already delivered)."""
    recipients: tuple[str, ...]
    rules_digest: str
    hours: dict[str, float]
    """Counted hours: total, external, internal, unclassified."""
    message: str = ""


class History:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return storage.connect(self.path, [_SCHEMA])

    def record(self, run: Run) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run.period, run.finished_at.isoformat(), run.status, json.dumps(sorted(run.recipients)),
                 run.rules_digest, json.dumps(run.hours), run.message),
            )  # fmt: skip

    def delivered(self, period: str, recipients: Sequence[str]) -> Run | None:
        """The run that already mailed this period to these recipients, if any."""
        wanted = json.dumps(sorted(recipients))
        return next((r for r in self.runs() if r.status == "sent" and r.period == period
                     and json.dumps(sorted(r.recipients)) == wanted), None)  # fmt: skip

    def runs(self) -> list[Run]:
        """Every recorded run, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM runs ORDER BY finished_at").fetchall()
        return [
            Run(
                period,
                datetime.fromisoformat(finished),
                status,
                tuple(json.loads(recipients)),
                digest,
                json.loads(hours),
                message,
            )
            for period, finished, status, recipients, digest, hours, message in rows
        ]
