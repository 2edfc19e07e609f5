"""Scheduled runs through the command line, against a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
import stat
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import platformdirs
import pytest
from click.testing import CliRunner

from calaudit import cron as scheduled_run
from calaudit.cli import main
from calaudit.env import Env
from calaudit.errors import BusyError, DeliveryError, OutputError, SourceError
from calaudit.history import History, Run
from calaudit.pipeline import Inputs
from tests.helpers import ICS, RULES
from tests.smtp import PASSWORD, USER, SmtpServer, free_port, serving


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


def _international(tmp_path: Path, port: int) -> Path:
    rules = rules_file(tmp_path, port)
    text = rules.read_text().replace("to: [cto@weave.example]", "to: [amélie@weave.example]")
    rules.write_text(text.replace("from: calaudit@weave.example", "from: jörg@bücher.example"), encoding="utf-8")
    return rules


def test_a_password_beyond_ascii_is_a_delivery_error_that_never_shows_it(tmp_path):
    # smtplib encodes AUTH in ASCII: "unexpected error: UnicodeEncodeError", exit 1.
    with SmtpServer() as server:
        result = cron(rules_file(tmp_path, server.port), password="pässwörd")
    assert result.exit_code == 4
    assert result.output == (
        f"calaudit: error: SMTP login as {USER} at 127.0.0.1:{server.port} cannot be sent: the password or user "
        "name holds characters beyond ASCII, which Python's smtplib does not send; use an app password in ASCII "
        "(CALAUDIT_SMTP_PASSWORD)\n"
    )
    assert server.inbox.messages == []


def test_a_dry_run_with_addresses_beyond_ascii_writes_the_headers_as_they_are_sent(tmp_path):
    # The .eml failed with "unexpected error: UnicodeEncodeError" (exit 1) for a sender at
    # bücher.example, and wrote To: as an encoded word inside the address, which no mail
    # system reads; smtplib sends both in UTF-8 (SMTPUTF8), and so the dry run writes them.
    with SmtpServer(smtputf8=True) as server:
        rules = _international(tmp_path, server.port)
        eml = tmp_path / "march.eml"
        dry = invoke("report", "--rules", str(rules), "--period", "2026-03", "--email", "--dry-run", "-o", str(eml))
        assert dry.exit_code == 0, dry.output
        sent = invoke("report", "--rules", str(rules), "--period", "2026-03", "--email")
        assert sent.exit_code == 0, sent.output
    [received] = server.inbox.raw
    for raw in (eml.read_bytes(), received):
        assert "From: jörg@bücher.example".encode() in raw and "To: amélie@weave.example".encode() in raw
    assert server.inbox.messages[0][0] == ["amélie@weave.example"]


def test_a_server_without_smtputf8_says_the_addresses_are_the_problem(tmp_path):
    with SmtpServer() as server:
        result = invoke(
            "report", "--rules", str(_international(tmp_path, server.port)), "--period", "2026-03", "--email"
        )
    assert result.exit_code == 4
    assert result.output == (
        f"calaudit: error: 127.0.0.1:{server.port} does not accept addresses beyond ASCII (no SMTPUTF8); give "
        "email.from and email.to in ASCII (a domain can be written in punycode, xn--...); nothing was sent\n"
    )
    assert server.inbox.messages == []


def test_schedule_prints_absolute_paths(tmp_path):
    rules = rules_file(tmp_path, 25)
    output = invoke("schedule", "--rules", str(rules)).output
    assert f"cron --rules {rules.resolve()}" in output
    assert "0 7 1 * * " in output and "OnCalendar=*-*-01 07:00:00" in output
    line = next(x for x in output.splitlines() if x.startswith("0 7 1"))
    command = line.split("; ")[-1].split(" cron ")[0]
    assert command.startswith("/")
    # The SMTP password comes from smtp.env in the config folder, sourced before the run.
    env_file = Path(platformdirs.user_config_dir("calaudit")) / "smtp.env"
    assert line.startswith(f"0 7 1 * * set -a; [ -f {env_file} ] && . {env_file}; set +a; ")
    assert f"EnvironmentFile=-{env_file}" in output


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

    with serving(Hangup()) as port:
        rules = rules_file(tmp_path, port)
        rules.write_text(rules.read_text().replace(f", user: {USER}", ""))
        failed = cron(rules)
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

    slow = Slow()
    with serving(slow) as port:
        rules = rules_file(tmp_path, port)
        rules.write_text(rules.read_text().replace(f", user: {USER}", ", timeout: 1"))
        first = cron(rules)
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

    assert len(server.inbox.messages) == 1


def recipients_of(server: SmtpServer) -> list[list[str]]:
    return [recipients for recipients, _ in server.inbox.messages]


def test_once_per_period_not_once_ever_after_march_april_is_sent(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        assert cron(rules).exit_code == 0
        april = invoke("cron", "--rules", str(rules), "--period", "2026-04")
        again = invoke("cron", "--rules", str(rules), "--period", "2026-04")
    assert april.exit_code == 0, april.output
    assert "already delivered" in again.output
    subjects = [str(message["Subject"]).strip() for _, message in server.inbox.messages]
    assert [s.split(":")[0] for s in subjects] == ["calaudit 2026-03", "calaudit 2026-04"]


def test_a_new_recipient_receives_a_month_already_sent_to_the_others(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        assert cron(rules).exit_code == 0
        one, two = "[cto@weave.example]", "[cto@weave.example, coo@weave.example]"
        swapped = "[coo@weave.example, cto@weave.example]"
        rules.write_text(rules.read_text().replace(one, two))
        widened = cron(rules)
        # The same set in another order is the same audience: nothing more is sent.
        rules.write_text(rules.read_text().replace(two, swapped))
        reordered = cron(rules)
    assert widened.exit_code == 0, widened.output
    assert "already delivered" in reordered.output
    assert recipients_of(server) == [["cto@weave.example"], ["cto@weave.example", "coo@weave.example"]]


def starttls_rules(tmp_path: Path, port: int) -> Path:
    rules = rules_file(tmp_path, port)
    rules.write_text(rules.read_text().replace("security: none", "security: starttls"))
    return rules


def test_starttls_never_falls_back_to_plaintext_when_the_server_offers_none(tmp_path):
    with SmtpServer("none") as server:  # would accept AUTH and mail in plaintext
        result = cron(starttls_rules(tmp_path, server.port))
    assert result.exit_code == 4
    assert "STARTTLS" in result.output and "check security" in result.output
    assert server.inbox.logins == [] and server.inbox.messages == []
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["failed"]


def test_a_failed_starttls_handshake_sends_nothing(tmp_path):
    import ssl

    import trustme

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)  # a CA the client does not trust
    with SmtpServer("starttls", context) as server:
        result = cron(starttls_rules(tmp_path, server.port))
    assert result.exit_code == 4
    assert "nothing was sent" in result.output
    assert server.inbox.logins == [] and server.inbox.messages == []


def test_report_email_really_sends(tmp_path):
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        result = invoke("report", "--rules", str(rules), "--period", "2026-03", "--email")
    assert result.exit_code == 0, result.output
    assert result.output == "sent the 2026-03 report to cto@weave.example\n"
    [(recipients, message)] = server.inbox.messages
    assert recipients == ["cto@weave.example"]
    assert str(message["Subject"]).strip().startswith("calaudit 2026-03: ")
    assert server.inbox.logins == [USER]
    # A report mailed by hand is a delivery: the scheduled run will not send it again.
    assert [(r.period, r.status) for r in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == [
        ("2026-03", "sent")
    ]


def test_a_failure_notice_that_fails_too_is_a_warning_and_the_first_error_decides(tmp_path):
    rules = rules_file(tmp_path, free_port(), calendar="missing.ics", extra="  alert_on_failure: true\n")
    failed = cron(rules)
    assert failed.exit_code == 3
    assert "calendar file not found" in failed.stderr
    assert "the failure notice was not sent either: cannot send mail via 127.0.0.1" in failed.stderr
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["failed"]


def test_no_notice_is_mailed_when_mail_itself_failed(tmp_path):
    class RefuseAll:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 no such user"

    with serving(RefuseAll()) as port:
        rules = rules_file(tmp_path, port, extra="  alert_on_failure: true\n")
        rules.write_text(rules.read_text().replace(f", user: {USER}", ""))
        failed = cron(rules)
    assert failed.exit_code == 4
    assert "failure notice" not in failed.output


def test_partially_refused_recipients_exit_4_and_name_the_refused_address(tmp_path):
    class RefuseOne:
        def __init__(self) -> None:
            self.delivered: list[list[str]] = []

        async def handle_RCPT(self, server, session, envelope, address, options):
            if address == "gone@weave.example":
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.delivered.append(list(envelope.rcpt_tos))
            return "250 OK"

    handler = RefuseOne()
    with serving(handler) as port:
        rules = rules_file(tmp_path, port)
        rules.write_text(
            rules.read_text()
            .replace(f", user: {USER}", "")
            .replace("to: [cto@weave.example]", "to: [cto@weave.example, gone@weave.example]")
        )
        result = cron(rules)
    assert result.exit_code == 4
    assert "refused recipients: gone@weave.example" in result.output
    assert handler.delivered == [["cto@weave.example"]]
    assert [run.status for run in History(Path(platformdirs.user_data_dir("calaudit"))).runs()] == ["failed"]


def test_cron_without_a_period_reports_last_month_in_the_rules_zone(tmp_path):
    # 1 April 02:00 UTC is still 31 March in New York (the rules' zone): last month is February.
    at = datetime(2026, 4, 1, 2, tzinfo=UTC)
    clock = Env(tmp_path / "c", tmp_path / "k", tmp_path / "d", tmp_path, lambda: at, smtp_password=PASSWORD)
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        result = CliRunner().invoke(main, ["cron", "--rules", str(rules), "--verbose"], obj=clock)
    assert result.exit_code == 0, result.output
    last_month = "2026-02"
    assert result.output.endswith(f"sent the {last_month} report to cto@weave.example\n")
    [(_, message)] = server.inbox.messages
    assert str(message["Subject"]).strip().startswith(f"calaudit {last_month}: ")


def scheduled_command(*argv: str, rules: Path) -> str:
    """The command of the crontab line that ``calaudit schedule`` prints when started as ``argv``."""
    import subprocess

    done = subprocess.run(
        [*argv, "schedule", "--rules", str(rules)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(rules.parent)},  # no calaudit on the PATH
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("0 7 1"))
    return line.split("; ")[-1].split(" cron ")[0]


@pytest.mark.slow
def test_schedule_names_the_installed_script_that_runs_it(tmp_path):
    import sys

    script = Path(sys.executable).parent / "calaudit"
    if not script.exists():
        pytest.skip("calaudit is not installed as a script beside this Python")
    assert scheduled_command(str(script), rules=rules_file(tmp_path, 25)) == str(script.resolve())


@pytest.mark.slow
def test_schedule_run_as_a_module_without_a_script_on_the_path_uses_python_dash_m(tmp_path):
    import sys

    command = scheduled_command(sys.executable, "-m", "calaudit", rules=rules_file(tmp_path, 25))
    assert command == f"{sys.executable} -m calaudit"


def script(path: Path) -> Path:
    """An executable file at ``path`` (what pip installs as the calaudit script)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_schedule_names_the_calaudit_script_it_was_started_as_with_links_resolved(tmp_path, monkeypatch):
    installed = script(tmp_path / "venv" / "bin" / "calaudit")
    started_as = tmp_path / "bin" / "calaudit"
    started_as.parent.mkdir()
    started_as.symlink_to(installed)
    script(tmp_path / "other" / "calaudit")  # another install on the PATH does not win
    monkeypatch.setenv("PATH", str(tmp_path / "other"))
    monkeypatch.setattr("sys.argv", [str(started_as), "schedule"])
    assert scheduled_run.executable() == str(installed.resolve())


@pytest.mark.parametrize("started_as", ["pytest", "gone/calaudit"], ids=["another-program", "a-calaudit-since-removed"])
def test_schedule_started_otherwise_names_the_calaudit_on_the_path(tmp_path, monkeypatch, started_as):
    installed = script(tmp_path / "venv" / "bin" / "calaudit")
    (tmp_path / "path").mkdir()
    (tmp_path / "path" / "calaudit").symlink_to(installed)
    script(tmp_path / "pytest")
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    monkeypatch.setattr("sys.argv", [str(tmp_path / started_as)])
    assert scheduled_run.executable() == str(installed.resolve())


def test_schedule_without_a_calaudit_script_runs_this_python_with_dash_m_quoted(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr("sys.argv", [str(script(tmp_path / "pytest"))])
    monkeypatch.setattr("sys.executable", "/opt/Python 3/bin/python3")
    assert scheduled_run.executable() == "'/opt/Python 3/bin/python3' -m calaudit"


RUN_AT = datetime(2026, 4, 1, 7, tzinfo=UTC)


def run_env(tmp_path: Path) -> Env:
    return Env(tmp_path / "config", tmp_path / "cache", tmp_path / "data", tmp_path, lambda: RUN_AT, PASSWORD)


def test_a_failed_run_returns_and_records_the_period_recipients_rules_version_and_error(tmp_path):
    rules = rules_file(tmp_path, free_port(), calendar="missing.ics")
    env = run_env(tmp_path)
    outcome = scheduled_run.run(Inputs(rules=rules, period="2026-03"), env)
    assert (outcome.period, outcome.recipients, outcome.status) == ("2026-03", ("cto@weave.example",), "failed")
    missing = f"{ICS / 'missing.ics'}: calendar file not found; check the path"
    assert isinstance(outcome.error, SourceError) and str(outcome.error) == missing
    assert outcome.alert_error is None
    digest = hashlib.sha256(rules.read_bytes()).hexdigest()
    assert History(env.data_dir).runs() == [
        Run("2026-03", RUN_AT, "failed", ("cto@weave.example",), digest, {}, missing)
    ]


def test_a_run_sends_a_period_once_unless_forced(tmp_path):
    env = run_env(tmp_path)
    with SmtpServer() as server:
        inputs = Inputs(rules=rules_file(tmp_path, server.port), period="2026-03")
        statuses = [scheduled_run.run(inputs, env).status for _ in range(2)]
        statuses.append(scheduled_run.run(inputs, env, force=True).status)
    assert statuses == ["sent", "already_sent", "sent"]
    assert len(server.inbox.messages) == 2


def test_a_run_whose_mail_fails_returns_the_period_and_the_delivery_error(tmp_path):
    port = free_port()
    outcome = scheduled_run.run(Inputs(rules=rules_file(tmp_path, port), period="2026-03"), run_env(tmp_path))
    assert (outcome.period, outcome.recipients, outcome.status) == ("2026-03", ("cto@weave.example",), "failed")
    assert isinstance(outcome.error, DeliveryError) and f"cannot send mail via 127.0.0.1:{port}" in str(outcome.error)


def test_a_history_that_refuses_the_attempt_sends_no_report_but_the_failure_notice(tmp_path):
    import sqlite3

    env = run_env(tmp_path)
    env.data_dir.mkdir()
    with sqlite3.connect(env.data_dir / "history.sqlite") as db:
        db.execute(
            "CREATE TABLE runs (period TEXT, finished_at TEXT, status TEXT, recipients TEXT, rules_digest TEXT, "
            "hours TEXT, message TEXT, message_id TEXT NOT NULL DEFAULT '')"
        )
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END")
    db.close()
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port, extra="  alert_on_failure: true\n")
        outcome = scheduled_run.run(Inputs(rules=rules, period="2026-03"), env)
    assert (outcome.period, outcome.status, outcome.alert_error) == ("2026-03", "failed", None)
    assert isinstance(outcome.error, OutputError) and "disk quota exceeded" in str(outcome.error)
    [(_, notice)] = server.inbox.messages
    assert str(notice["Subject"]) == "calaudit: the 2026-03 report was not sent"


def test_a_sent_run_records_its_hours_rules_version_and_message_id(tmp_path):
    # recurrence.ics in March (tests/test_audit.py): sales 1 h external; ops 2 h and
    # culture 1 h internal; nothing unclassified.
    env = run_env(tmp_path)
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        outcome = scheduled_run.run(Inputs(rules=rules, period="2026-03"), env)
    [run] = History(env.data_dir).runs()
    assert (run.period, run.finished_at, run.status, run.recipients) == (
        "2026-03",
        RUN_AT,
        "sent",
        ("cto@weave.example",),
    )
    assert run.rules_digest == hashlib.sha256(rules.read_bytes()).hexdigest()
    assert run.hours == {"total": 4.0, "external": 1.0, "internal": 3.0, "unclassified": 0.0}
    assert outcome.status == "sent" and f"<{run.message_id}>" == server.inbox.messages[0][1]["Message-ID"]


def test_a_run_whose_mail_fails_records_the_delivery_error(tmp_path):
    port = free_port()
    env = run_env(tmp_path)
    scheduled_run.run(Inputs(rules=rules_file(tmp_path, port), period="2026-03"), env)
    [run] = History(env.data_dir).runs()
    assert run.status == "failed" and f"cannot send mail via 127.0.0.1:{port}" in run.message
