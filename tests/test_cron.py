"""Scheduled runs through the command line, against a real SMTP server on loopback."""

from __future__ import annotations

import stat
import threading
from email import message_from_bytes, policy
from pathlib import Path

import platformdirs
import pytest
from click.testing import CliRunner

from calaudit import cron as scheduled_run
from calaudit.cli import main
from calaudit.errors import BusyError
from calaudit.history import History
from tests.helpers import ICS, RULES
from tests.smtp import PASSWORD, USER, SmtpServer, free_port


def rules_file(tmp_path: Path, port: int, calendar: str = "recurrence.ics", extra: str = "") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(
        RULES.read_text()
        + f"sources:\n  - ics: {ICS / calendar}\n"
        + "email:\n  to: [cto@weave.example]\n  from: calaudit@weave.example\n"
        + f"  smtp: {{host: 127.0.0.1, port: {port}, security: none, user: {USER}}}\n{extra}"
    )
    return path


def invoke(*args: str, password: str | None = PASSWORD):
    env = {"CALAUDIT_SMTP_PASSWORD": password} if password else {}
    return CliRunner().invoke(main, list(args), env=env)


def cron(rules: Path, *extra: str, password: str | None = PASSWORD):
    return invoke("cron", "--rules", str(rules), "--period", "2026-03", *extra, password=password)


def test_ten_runs_deliver_exactly_one_email(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        results = [cron(rules) for _ in range(10)]
    assert [r.exit_code for r in results] == [0] * 10
    assert results[0].output == ""  # quiet on success
    assert all("already delivered" in r.output for r in results[1:])
    assert len(server.inbox.messages) == 1
    history = invoke("history").output
    assert history.count(" sent ") == 1 and "2026-03" in history
    database = Path(platformdirs.user_data_dir("calaudit")) / "history.sqlite"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700


def test_smtp_down_exits_4_records_nothing_and_the_next_run_delivers(tmp_path):
    port = free_port()
    rules = rules_file(tmp_path, port)
    down = cron(rules)
    assert down.exit_code == 4
    assert f"cannot send mail via 127.0.0.1:{port}" in down.output
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["failed"]
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        assert cron(rules).exit_code == 0
    assert len(server.inbox.messages) == 1


def test_force_sends_again_and_verbose_says_so(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        assert cron(rules).exit_code == 0
        again = cron(rules, "--force", "--verbose")
    assert again.output.strip() == "sent the 2026-03 report to cto@weave.example"
    assert len(server.inbox.messages) == 2


def test_a_failed_source_mails_a_notice_and_is_retried_later(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port, calendar="missing.ics", extra="  alert_on_failure: true\n")
        failed = cron(rules)
    assert failed.exit_code == 3
    [(_, notice)] = server.inbox.messages
    assert "was not sent" in str(notice["Subject"])
    assert "calendar file not found" in notice.get_content()
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["failed"]


def test_the_password_never_reaches_output_or_history(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        refused = invoke("--debug", "cron", "--rules", str(rules), "--period", "2026-03", password="not-" + PASSWORD)
    assert refused.exit_code == 4
    assert "Traceback" in refused.output
    assert "not-" + PASSWORD not in refused.output
    assert "not-" + PASSWORD not in invoke("history").output


def test_fail_under_is_checked_after_delivery(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port, calendar="skips.ics")
        result = cron(rules, "--fail-under", "90")
    assert result.exit_code == 5
    assert len(server.inbox.messages) == 1


def test_a_second_concurrent_run_waits_then_gives_up(tmp_path):
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with scheduled_run.exclusive(tmp_path):
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    with (
        pytest.raises(BusyError, match="another calaudit cron is running"),
        scheduled_run.exclusive(tmp_path, wait=0.3),
    ):
        pass
    release.set()
    thread.join()
    with scheduled_run.exclusive(tmp_path, wait=0.3):
        pass


def test_report_files_and_a_dry_run_email(tmp_path):
    rules = rules_file(tmp_path, free_port())
    html = tmp_path / "march.html"
    assert invoke("report", "--rules", str(rules), "--period", "2026-03", "-o", str(html)).exit_code == 0
    assert "Where your time went: 2026-03" in html.read_text()
    eml = tmp_path / "march.eml"
    dry = invoke("report", "--rules", str(rules), "--period", "2026-03", "--email", "--dry-run", "-o", str(eml))
    assert dry.exit_code == 0 and "not sent" in dry.output
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    text = invoke("report", "--rules", str(rules), "--period", "2026-03", "--format", "text").output
    assert text.startswith("calaudit: 2026-03")


def test_schedule_prints_absolute_paths(tmp_path):
    rules = rules_file(tmp_path, 25)
    output = invoke("schedule", "--rules", str(rules)).output
    assert f"cron --rules {rules.resolve()}" in output
    assert "0 7 1 * * " in output and "OnCalendar=*-*-01 07:00:00" in output
    line = next(x for x in output.splitlines() if x.startswith("0 7 1"))
    command = line.split("; ")[-1].split(" cron ")[0]
    assert command.startswith("/")


def test_doctor(tmp_path):
    with SmtpServer() as server:
        good = invoke("doctor", "--rules", str(rules_file(tmp_path, server.port)))
    assert good.exit_code == 0, good.output
    assert "ok    email 127.0.0.1" in good.output and "logged in as calaudit" in good.output
    assert server.inbox.messages == []
    bad = invoke("doctor", "--rules", str(rules_file(tmp_path, free_port())))
    assert bad.exit_code == 4
    assert "FAIL  email" in bad.output


def test_an_smtp_disconnect_mid_send_leaves_the_period_unsent(tmp_path):
    class Hangup:
        async def handle_DATA(self, server, session, envelope):
            server.transport.close()
            return "421 closing"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Hangup(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = rules_file(tmp_path, port)
        rules.write_text(rules.read_text().replace(f", user: {USER}", ""))
        failed = cron(rules)
    finally:
        controller.stop()
    # The server had the whole message when it hung up: nobody knows whether it was delivered.
    assert failed.exit_code == 4
    assert "never confirmed it" in failed.stderr and "same Message-ID" in failed.stderr
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["unconfirmed"]
    with SmtpServer() as server:
        again = cron(rules_file(tmp_path, server.port))
    assert again.exit_code == 0
    assert "sent again with the Message-ID of the unconfirmed attempt" in again.stderr
    assert len(server.inbox.messages) == 1
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == [
        "unconfirmed",
        "sent",
    ]


def history_runs():
    return History(Path(platformdirs.user_data_dir("calaudit"))).runs()


def test_a_server_that_confirms_too_late_gets_the_same_message_id_again(tmp_path):
    class Slow:
        def __init__(self):
            self.ids = []

        async def handle_DATA(self, server, session, envelope):
            import asyncio

            self.ids.append(message_from_bytes(envelope.content, policy=policy.default)["Message-ID"])
            await asyncio.sleep(2.5)  # stores the message, answers after the client gave up
            return "250 OK"

    from aiosmtpd.controller import Controller

    slow, port = Slow(), free_port()
    controller = Controller(slow, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = rules_file(tmp_path, port)
        rules.write_text(rules.read_text().replace(f", user: {USER}", ", timeout: 1"))
        first = cron(rules)
    finally:
        controller.stop()
    assert first.exit_code == 4 and "may have been delivered" in first.stderr
    assert [run.status for run in history_runs()] == ["unconfirmed"]
    with SmtpServer() as server:
        assert cron(rules_file(tmp_path, server.port)).exit_code == 0
    ((_, resent),) = server.inbox.messages
    assert resent["Message-ID"] == slow.ids[0]
    assert slow.ids[0].startswith("<calaudit.2026-03.") and slow.ids[0].endswith("@weave.example>")


def test_a_run_killed_during_sending_is_resent_with_the_same_message_id(tmp_path):
    # What `kill -9` between DATA and the server's reply leaves behind: an attempt record.
    from datetime import UTC, datetime

    from calaudit.history import Run

    History(Path(platformdirs.user_data_dir("calaudit"))).record(
        Run("2026-03", datetime(2026, 4, 1, 7, tzinfo=UTC), "attempted", ("cto@weave.example",), "d", {},
            message_id="calaudit.2026-03.killed@weave.example")
    )  # fmt: skip
    with SmtpServer() as server:
        done = cron(rules_file(tmp_path, server.port))
    assert done.exit_code == 0, done.output
    ((_, message),) = server.inbox.messages
    assert message["Message-ID"] == "<calaudit.2026-03.killed@weave.example>"
    assert "sent again" in done.stderr


def test_the_same_report_always_has_the_same_message_id(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        assert cron(rules).exit_code == 0
        assert cron(rules, "--force").exit_code == 0
        other = (
            rules_file(tmp_path, server.port).read_text().replace("to: [cto@weave.example]", "to: [cfo@weave.example]")
        )
        rules.write_text(other)
        assert cron(rules).exit_code == 0
    first, forced, to_cfo = (m["Message-ID"] for _, m in server.inbox.messages)
    assert first == forced
    assert to_cfo != first


def test_nothing_is_sent_when_the_history_cannot_be_written(tmp_path):
    (Path(platformdirs.user_data_dir("calaudit")) / "history.sqlite").mkdir(parents=True)
    with SmtpServer() as server:
        done = cron(rules_file(tmp_path, server.port))
    assert done.exit_code == 2
    assert "cannot use the run history" in done.stderr and done.stderr.count("\n") == 1
    assert server.inbox.messages == []


def test_an_empty_period_is_not_mailed_as_a_zero_report(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port, extra="  alert_on_failure: true\n")
        done = invoke("cron", "--rules", str(rules), "--period", "2025-01")
    assert done.exit_code == 3
    assert "no events in 2025-01: nothing was sent" in done.stderr
    ((_, notice),) = server.inbox.messages
    assert notice["Subject"] == "calaudit: the 2025-01 report was not sent"
    assert [run.status for run in history_runs()] == ["failed"]
