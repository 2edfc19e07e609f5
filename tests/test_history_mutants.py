"""Run history: behaviour that mutation testing found unpinned (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from calaudit.history import FILE_NAME, History, Run
from tests.test_history import write_first_release_history

ATTEMPTED_AT = datetime(2026, 4, 1, 7, 0, 0, tzinfo=UTC)
SENT_AT = datetime(2026, 4, 1, 7, 0, 9, tzinfo=UTC)
HOURS = {"total": 4.0, "external": 1.0, "internal": 3.0, "unclassified": 0.0}


def test_a_run_finished_without_a_message_reads_back_with_an_empty_one_and_the_new_time(tmp_path):
    history = History(tmp_path)
    attempt = Run("2026-03", ATTEMPTED_AT, "attempted", ("cto@weave.example",), "9f86d081", HOURS, message_id="<m@x>")
    history.finish(history.record(attempt), "sent", SENT_AT)
    assert history.runs() == [Run("2026-03", SENT_AT, "sent", ("cto@weave.example",), "9f86d081", HOURS, "", "<m@x>")]


def test_reading_a_history_from_before_message_ids_leaves_the_file_as_it_was(tmp_path):
    # `calaudit history` only reads: an older file is brought up to date by the next run that writes.
    path = tmp_path / FILE_NAME
    write_first_release_history(path)
    before = path.read_bytes()
    assert History(tmp_path).runs() == [
        Run("2026-02", datetime(2026, 3, 1, 7, tzinfo=UTC), "sent", ("cto@weave.example",), "abc", {"total": 2.0})
    ]
    assert path.read_bytes() == before
