"""The scheduled run: behaviour that mutation testing found unpinned (issue 14)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from calaudit import cron as scheduled_run
from calaudit.cli import main
from calaudit.env import Env
from calaudit.errors import ConfigError, SourceError, UnconfirmedDelivery
from calaudit.history import History, Run
from calaudit.pipeline import Inputs
from tests.helpers import ICS, RULES
from tests.smtp import PASSWORD, SmtpServer, serving

RUN_AT = datetime(2026, 4, 1, 7, tzinfo=UTC)
TO = ("cto@weave.example",)
MARCH_HOURS = {"total": 4.0, "external": 1.0, "internal": 3.0, "unclassified": 0.0}
"""recurrence.ics in March (tests/test_audit.py): sales 1 h; ops 2 h and culture 1 h."""


def rules_file(tmp_path: Path, port: int, email: bool = True) -> Path:
    """The fixture rules reading recurrence.ics, mailing cto@ through 127.0.0.1:``port`` without login."""
    path = tmp_path / "rules.yaml"
    text = RULES.read_text() + f"sources:\n  - ics: {ICS / 'recurrence.ics'}\n"
    if email:
        text += (
            "email:\n  to: [cto@weave.example]\n  from: calaudit@weave.example\n"
            f"  smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n"
        )
    path.write_text(text)
    return path


def run_env(tmp_path: Path) -> Env:
    return Env(tmp_path / "config", tmp_path / "cache", tmp_path / "data", tmp_path, lambda: RUN_AT, PASSWORD)


def digest_of(rules: Path) -> str:
    return hashlib.sha256(rules.read_bytes()).hexdigest()


def test_an_empty_period_fails_with_advice_to_check_the_calendars_and_records_it(tmp_path):
    env = run_env(tmp_path)
    rules = rules_file(tmp_path, 25)  # nothing is sent: no server needed
    outcome = scheduled_run.run(Inputs(rules=rules, period="2025-01"), env)
    advice = (
        "no events in 2025-01: nothing was sent; check that the calendars are current "
        "(an export may be stale) and run 'calaudit audit' to see what they hold"
    )
    assert outcome.status == "failed"
    assert isinstance(outcome.error, SourceError) and str(outcome.error) == advice
    assert History(env.data_dir).runs() == [Run("2025-01", RUN_AT, "failed", TO, digest_of(rules), {}, advice)]


def test_while_the_message_is_sent_the_history_holds_it_as_attempted_with_its_message_id(tmp_path):
    # What a run killed between DATA and the server's reply leaves behind: the next run
    # must see it as uncertain (attempted) and reuse its Message-ID.
    env = run_env(tmp_path)

    class Watcher:
        def __init__(self) -> None:
            self.during: list[Run] = []
            self.message_ids: list[str] = []

        async def handle_DATA(self, server, session, envelope):
            self.during = History(env.data_dir).runs()
            self.message_ids.append(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
            return "250 OK"

    watcher = Watcher()
    with serving(watcher) as port:
        rules = rules_file(tmp_path, port)
        assert scheduled_run.run(Inputs(rules=rules, period="2026-03"), env).status == "sent"
    [during] = watcher.during
    assert f"<{during.message_id}>" == watcher.message_ids[0]
    assert during == Run("2026-03", RUN_AT, "attempted", TO, digest_of(rules), MARCH_HOURS, "", during.message_id)


def test_an_unconfirmed_delivery_is_recorded_with_the_reason_the_outcome_is_unknown(tmp_path):
    class Hangup:
        async def handle_DATA(self, server, session, envelope):
            server.transport.close()
            return "421 closing"

    env = run_env(tmp_path)
    with serving(Hangup()) as port:
        rules = rules_file(tmp_path, port)
        outcome = scheduled_run.run(Inputs(rules=rules, period="2026-03"), env)
    reason = (
        f"127.0.0.1:{port} received the message but never confirmed it (Connection unexpectedly closed); it may "
        "have been delivered: a rerun sends it again with the same Message-ID, which mail systems drop as a duplicate"
    )
    assert isinstance(outcome.error, UnconfirmedDelivery) and str(outcome.error) == reason
    [run] = History(env.data_dir).runs()
    assert run == Run("2026-03", RUN_AT, "unconfirmed", TO, digest_of(rules), MARCH_HOURS, reason, run.message_id)
    assert run.message_id.startswith("calaudit.2026-03.")


def test_another_version_of_the_rules_gets_another_message_id_even_with_the_same_numbers(tmp_path):
    # The report names its rules version, so it is another message: mail systems must not drop it.
    env = run_env(tmp_path)
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        scheduled_run.run(Inputs(rules=rules, period="2026-03"), env)
        before = digest_of(rules)
        rules.write_text(rules.read_text() + "# the same rules, another version\n")
        scheduled_run.run(Inputs(rules=rules, period="2026-03"), env, force=True)
    first, second = (message for _, message in server.inbox.messages)
    first_text, second_text = (m.get_body(("plain",)).get_content() for m in (first, second))
    assert first_text.replace(f"rules version {before[:12]}", f"rules version {digest_of(rules)[:12]}") == second_text
    assert first["Message-ID"] != second["Message-ID"]


def test_rules_without_an_email_section_name_the_file_and_what_to_add(tmp_path):
    rules = rules_file(tmp_path, 25, email=False)
    with pytest.raises(ConfigError) as raised:
        scheduled_run.run(Inputs(rules=rules, period="2026-03"), run_env(tmp_path))
    assert str(raised.value) == f"{rules}: no 'email:' section; add to, from and smtp (see README, Email reports)"


def test_the_bundled_demo_rules_have_no_email_section_and_cron_says_so():
    result = CliRunner().invoke(main, ["cron", "--demo", "--period", "2026-03"])
    assert result.exit_code == 2
    assert result.stderr == (
        "calaudit: error: rules: no 'email:' section; add to, from and smtp (see README, Email reports)\n"
    )
