"""A weekly mail: cron --period last-week, once per week, and schedule --weekly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from click.testing import CliRunner

from calaudit import cron as scheduled_run
from calaudit.cli import main
from calaudit.env import Env
from calaudit.history import History
from tests.smtp import PASSWORD, SmtpServer
from tests.test_cron import rules_file

MONDAY = datetime(2026, 3, 23, 12, tzinfo=UTC)  # last week is 2026-W12 (16 to 22 March)


def test_cron_last_week_mails_the_week_once(tmp_path):
    env = Env.from_os()
    env = Env(env.config_dir, env.cache_dir, env.data_dir, clock=lambda: MONDAY, smtp_password=PASSWORD)
    with SmtpServer() as server:
        rules = rules_file(tmp_path, server.port)
        runs = [
            CliRunner().invoke(main, ["cron", "--rules", str(rules), "--period", "last-week"], obj=env)
            for _ in range(2)
        ]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert "already delivered" in runs[1].output
    [(_, message)] = server.inbox.messages
    assert message["Subject"].startswith("calaudit 2026-W12:")
    body = message.get_body(("plain",)).get_content()
    assert "2026-W09" in body  # the trend goes back three weeks
    history = History(Path(platformdirs.user_data_dir("calaudit"))).runs()
    assert [(run.period, run.status) for run in history] == [("2026-W12", "sent")]


def test_schedule_weekly_runs_every_monday_for_last_week(tmp_path):
    rules = rules_file(tmp_path, 25)
    output = CliRunner().invoke(main, ["schedule", "--weekly", "--rules", str(rules)]).output
    assert f"cron --rules {rules.resolve()} --period last-week" in output
    assert "\n0 7 * * 1 " in output
    assert "OnCalendar=Mon *-*-* 07:00:00" in output
    assert "enable --now calaudit-weekly.timer" in output


def test_the_monthly_schedule_is_unchanged():
    text = scheduled_run.schedule_text("calaudit", Path("/r.yaml"), Path("/c"))
    assert "\n0 7 1 * * " in text and "OnCalendar=*-*-01 07:00:00" in text
    assert "cron --rules /r.yaml\n" in text and "calaudit.timer" in text
