"""Run history in SQLite on a temporary file: what is recorded reads back whole."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from calaudit.history import FILE_NAME, History, Run

AT = datetime(2026, 4, 1, 7, 0, 12, tzinfo=UTC)


def test_a_run_reads_back_as_it_was_recorded_with_recipients_sorted(tmp_path):
    history = History(tmp_path)
    hours = {"total": 6.5, "external": 1.0, "internal": 4.5, "unclassified": 1.0}
    history.record(
        Run(
            "2026-03",
            AT,
            "sent",
            ("b@weave.example", "a@weave.example"),
            "9f86d081",
            hours,
            "note",
            "<m@weave.example>",
        )
    )
    assert history.runs() == [
        Run(
            "2026-03",
            AT,
            "sent",
            ("a@weave.example", "b@weave.example"),
            "9f86d081",
            hours,
            "note",
            "<m@weave.example>",
        )
    ]


def write_first_release_history(path: Path) -> None:
    """The first release's table: no message_id column; one run of February, sent."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE runs (period TEXT, finished_at TEXT, status TEXT, recipients TEXT, "
            "rules_digest TEXT, hours TEXT, message TEXT)"
        )
        db.execute(
            "INSERT INTO runs VALUES ('2026-02', '2026-03-01T07:00:00+00:00', 'sent', '[\"cto@weave.example\"]', "
            "'abc', '{\"total\": 2.0}', '')"
        )
    db.close()


def test_a_history_from_before_message_ids_reads_with_empty_ones_and_takes_new_runs(tmp_path):
    write_first_release_history(tmp_path / FILE_NAME)
    old = Run("2026-02", datetime(2026, 3, 1, 7, tzinfo=UTC), "sent", ("cto@weave.example",), "abc", {"total": 2.0})
    history = History(tmp_path)
    assert history.runs() == [old]
    history.record(Run("2026-03", AT, "attempted", ("cto@weave.example",), "def", {}, message_id="<m@weave.example>"))
    assert history.runs() == [
        old,
        Run("2026-03", AT, "attempted", ("cto@weave.example",), "def", {}, message_id="<m@weave.example>"),
    ]
