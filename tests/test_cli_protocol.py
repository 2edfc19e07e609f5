"""The command line's own protocol: one Env, one-line errors, --debug anywhere, Ctrl-C, -o.

(``test_cli.py`` covers what each command prints; this file covers how every command
behaves as a Unix tool.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from calaudit.cli import main
from calaudit.env import Env
from tests.helpers import ICS, RULES
from tests.smtp import SmtpServer


def env_at(tmp_path: Path, now: datetime, password: str | None = None) -> Env:
    return Env(tmp_path / "config", tmp_path / "cache", tmp_path / "data", tmp_path, lambda: now, password)


def run(*args: str, env: Env | None = None):
    return CliRunner().invoke(main, list(args), obj=env)


def audit_skips(*extra: str) -> list[str]:
    return ["audit", "--ics", str(ICS / "skips.ics"), "--rules", str(RULES), *extra]


def test_the_default_period_is_last_month_of_the_env_clock(tmp_path):
    done = run(*audit_skips("--format", "json"), env=env_at(tmp_path, datetime(2026, 4, 3, 12, tzinfo=UTC)))
    assert done.exit_code == 0, done.output
    assert '"label": "2026-03"' in done.stdout
    january = run(*audit_skips("--format", "json"), env=env_at(tmp_path, datetime(2026, 2, 10, tzinfo=UTC)))
    assert '"label": "2026-01"' in january.stdout


def mailing_rules(tmp_path: Path, port: int) -> Path:
    """The fixture rules reading recurrence.ics and mailing cto@ through a plain local server."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        RULES.read_text()
        + f"sources:\n  - ics: {ICS / 'recurrence.ics'}\n"
        + "email:\n  to: [cto@weave.example]\n  from: calaudit@weave.example\n"
        + f"  smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n"
    )
    return rules


def test_cron_defaults_to_last_month(tmp_path):
    with SmtpServer() as server:
        rules = mailing_rules(tmp_path, server.port)
        done = run("cron", "--rules", str(rules), "-v", env=env_at(tmp_path, datetime(2026, 4, 1, 7, tzinfo=UTC)))
    assert done.exit_code == 0, done.output
    assert done.stdout == "sent the 2026-03 report to cto@weave.example\n"
    ((_, message),) = server.inbox.messages
    assert message["Subject"].strip().startswith("calaudit 2026-03:")


def test_report_email_counts_as_delivered_for_cron(tmp_path):
    clock = env_at(tmp_path, datetime(2026, 4, 1, 7, tzinfo=UTC))
    with SmtpServer() as server:
        rules = mailing_rules(tmp_path, server.port)
        by_hand = run("report", "--rules", str(rules), "--email", env=clock)
        scheduled = run("cron", "--rules", str(rules), env=clock)
    assert by_hand.exit_code == 0 and scheduled.exit_code == 0, by_hand.output + scheduled.output
    assert "2026-03 was already delivered to cto@weave.example" in scheduled.stdout
    assert len(server.inbox.messages) == 1


def test_debug_works_before_and_after_the_subcommand(tmp_path):
    missing = str(tmp_path / "missing.ics")
    quiet = run("audit", "--ics", missing, "--rules", str(RULES))
    after = run("audit", "--ics", missing, "--rules", str(RULES), "--debug")
    before = run("--debug", "audit", "--ics", missing, "--rules", str(RULES))
    assert quiet.exit_code == after.exit_code == before.exit_code == 3
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in after.stderr and "Traceback" in before.stderr


def test_a_usage_error_is_one_line_with_the_help_to_read():
    done = run("audit", "--no-such-option")
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("calaudit: error: No such option")
    assert done.stderr.endswith("(see 'calaudit audit --help')\n")


def test_unknown_command_is_one_line():
    done = run("audits")
    assert done.exit_code == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("calaudit: error: No such command 'audits'")


@pytest.mark.slow  # a subprocess
def test_ctrl_c_exits_130_and_says_nothing_was_written(tmp_path):
    # A calendar server that accepts the connection and never answers: the audit waits,
    # and SIGINT (what Ctrl-C sends) must end it with the shell's status 130.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/cal.ics"
        out = tmp_path / "report.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "calaudit", "audit", "--ics", url, "--rules", str(RULES), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As from a terminal: a shell running the tests in the background (nohup, &)
            # makes its children ignore SIGINT, and Python then never installs its handler.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        connection, _ = listener.accept()
        connection.settimeout(30)
        connection.recv(65536)  # the request was sent: calaudit now waits for the answer
        for _ in range(30):  # a signal that lands before Python can act on it is sent again
            process.send_signal(signal.SIGINT)
            try:
                _, stderr = process.communicate(timeout=2)
                break
            except subprocess.TimeoutExpired:
                continue
        connection.close()
    assert process.returncode == 130
    assert stderr == "calaudit: error: interrupted; nothing was written\n"
    assert not out.exists()


def test_init_creates_missing_folders(tmp_path):
    target = tmp_path / "new" / "folder" / "rules.yaml"
    done = run("init", str(target))
    assert done.exit_code == 0, done.output
    assert target.read_text().startswith("# calaudit rules")
    assert run("init", str(target)).exit_code == 2  # never overwrites


def test_output_dash_is_standard_output():
    done = run(*audit_skips("--period", "2026-03", "--format", "json", "-o", "-"))
    assert done.exit_code == 0 and done.stdout.startswith("{")
    assert not Path("-").exists()


def test_output_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "reports" / "march.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    done = run(*audit_skips("--period", "2026-03", "--format", "json", "-o", str(link)))
    assert done.exit_code == 0, done.output
    assert link.is_symlink()
    assert target.read_text().startswith('{"period"') or target.read_text().startswith("{")
    assert '"2026-03"' in target.read_text()


def test_output_into_a_fifo_writes_into_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = run(*audit_skips("--period", "2026-03", "--format", "csv", "-o", str(fifo)))
    reader.join(timeout=30)
    assert done.exit_code == 0, done.output
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, not replaced by a file
    assert received and received[0].startswith(b"group,category")


def test_history_only_reads(tmp_path):
    clock = env_at(tmp_path, datetime(2026, 4, 1, tzinfo=UTC))
    done = run("history", env=clock)
    assert done.exit_code == 0 and done.stdout == "no runs recorded yet\n"
    assert not (tmp_path / "data").exists()


def test_doctor_checks_the_month_cron_will_audit(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text() + f"sources:\n  - ics: {ICS / 'skips.ics'}\n")
    done = run("doctor", "--rules", str(rules), env=env_at(tmp_path, datetime(2026, 4, 9, tzinfo=UTC)))
    assert f"ok    calendar {ICS / 'skips.ics'}: readable, " in done.stdout
    assert "occurrences in 2026-03" in done.stdout


@pytest.mark.slow  # a subprocess
def test_help_does_not_load_the_heavy_libraries():
    code = (
        "import sys\nfrom calaudit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = {'pandas', 'numpy', 'matplotlib', 'googleapiclient', 'icalendar', 'pydantic', 'jinja2'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", time.monotonic() - started


def test_an_empty_period_and_an_absent_owner_are_said_on_stderr(tmp_path):
    empty = run(*audit_skips("--period", "2025-01", "--format", "json"))
    assert empty.exit_code == 0
    assert "calaudit: warning: no events in 2025-01" in empty.stderr
    stranger = tmp_path / "rules.yaml"
    stranger.write_text(RULES.read_text().replace("owner: [cto@weave.example]", "owner: [nobody@weave.example]"))
    absent = run("audit", "--ics", str(ICS / "audience.ics"), "--rules", str(stranger), "--period", "2026-03")
    assert absent.exit_code == 0
    assert "owner nobody@weave.example appears in none of the" in absent.stderr


def test_timeout_bounds_a_silent_calendar_server():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/secret-token/cal.ics"
        started = time.monotonic()
        done = run("audit", "--ics", url, "--rules", str(RULES), "--timeout", "1.5")
        elapsed = time.monotonic() - started
    assert done.exit_code == 3
    assert done.stderr.count("\n") == 1 and "raise --timeout" in done.stderr
    assert "secret-token" not in done.stderr
    assert elapsed < 30  # the default deadline would be 60 s


def test_max_download_mb_caps_the_body():
    import http.server

    class Big(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"x" * 2_000_000 + b"\r\nEND:VCALENDAR\r\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # calaudit hangs up at the cap, as it should; the server must not print a traceback.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Big)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cal.ics"
        capped = run("audit", "--ics", url, "--rules", str(RULES), "--max-download-mb", "1", "--no-cache")
        allowed = run("audit", "--ics", url, "--rules", str(RULES), "--max-download-mb", "3", "--no-cache")
    finally:
        server.shutdown()
    assert capped.exit_code == 3 and capped.stderr.count("\n") == 1, capped.stderr
    assert allowed.exit_code == 0, allowed.stderr


def test_a_report_is_never_written_over_its_calendar_or_rules(tmp_path):
    calendar = tmp_path / "work.ics"
    calendar.write_bytes((ICS / "skips.ics").read_bytes())
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text())
    for target in (calendar, rules):
        before = target.read_bytes()
        done = run("report", "--ics", str(calendar), "--rules", str(rules), "--period", "2026-03", "-o", str(target))
        assert done.exit_code == 2 and "is an input of this run" in done.stderr
        assert target.read_bytes() == before
    audit_over = run("audit", "--ics", str(calendar), "--rules", str(rules), "--period", "2026-03", "-o", str(calendar))
    assert audit_over.exit_code == 2


@pytest.mark.slow  # a subprocess
def test_a_home_without_a_writable_config_folder_draws_charts_without_warnings(tmp_path):
    # HOME is a file: matplotlib cannot make ~/.config/matplotlib and used to print two
    # warnings on every report. A fresh process, since matplotlib reads this once.
    home = tmp_path / "home-is-a-file"
    home.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPL"))} | {"HOME": str(home)}
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "calaudit", "report", "--demo", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "data:image/png;base64," in out.read_text()
