"""The scheduled run, end to end, and the crontab/systemd text that starts it.

A run holds a lock, audits the period (by default last month), renders the report,
sends it, and records the outcome, at most once per period and set of recipients:
every step before SMTP only computes; the message is built whole before the first byte
is sent, and the period counts as delivered only after the server accepted it. A
failure is recorded (never as delivered, so the next run retries) and, if asked,
announced by a short failure notice. ``calaudit report --email`` delivers through the
same path, so a period mailed by hand is not mailed again by the schedule.
"""

from __future__ import annotations

import contextlib
import fcntl
import shlex
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import deliver, pipeline
from .env import Env
from .errors import (
    BusyError,
    CalauditError,
    ConfigError,
    DeliveryError,
    OutputError,
    SourceError,
    UnconfirmedDelivery,
)
from .history import History, Run
from .period import Period

if TYPE_CHECKING:
    from .audit import AuditResult
    from .config import Email, LoadedConfig

LOCK_FILE = "cron.lock"
LOCK_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Outcome:
    """What a scheduled run did; the command line only reports it."""

    period: str
    recipients: tuple[str, ...]
    status: Literal["sent", "already_sent", "failed"]
    result: AuditResult | None = None
    """The audit that was sent (for --fail-under)."""
    warnings: tuple[str, ...] = ()
    """About the calendars read, and a resend after an unknown outcome."""
    earlier: Run | None = None
    """With ``already_sent``: the run that delivered the period."""
    error: CalauditError | None = None
    """With ``failed``: why."""
    alert_error: CalauditError | None = None
    """With ``failed``: why the failure notice could not be sent either."""


def run(inputs: pipeline.Inputs, env: Env, force: bool = False) -> Outcome:
    """``calaudit cron``: deliver the period's report unless it was delivered already."""
    history = History(env.data_dir)
    with exclusive(env.data_dir):
        setup = pipeline.prepare(inputs, env)
        email = require_email(setup.loaded)
        recipients = tuple(email.to)
        label = setup.period.label
        earlier = history.delivered(label, recipients)
        if earlier is not None and not force:
            return Outcome(label, recipients, "already_sent", earlier=earlier)
        try:
            monthly = pipeline.monthly_report(setup, env.now())
            require_data(monthly)
        except CalauditError as exc:
            history.record(Run(label, env.now(), "failed", recipients, setup.loaded.digest, {}, str(exc)))
            return _failed(label, email, setup.period, exc, env)
        try:
            note = send(monthly, email, env, history)
        except CalauditError as exc:
            return _failed(label, email, setup.period, exc, env)
    warnings = (*monthly.warnings, *([note] if note else []))
    return Outcome(label, recipients, "sent", monthly.report.result, warnings)


def require_data(monthly: pipeline.Monthly) -> None:
    """An empty period is a calendar problem (a stale export, a wrong calendar), not a 0% month."""
    result = monthly.report.result
    if not result.has_data:
        raise SourceError(
            f"no events in {result.period.label}: nothing was sent; check that the calendars are current "
            "(an export may be stale) and run 'calaudit audit' to see what they hold"
        )


def send(monthly: pipeline.Monthly, email: Email, env: Env, history: History) -> str | None:
    """Mail the report, recording it first as attempted, then as sent, failed or unconfirmed.

    Nothing is sent if the attempt cannot be recorded. After an unknown outcome the
    message goes out again with the first attempt's Message-ID; the note says so.
    """
    from .report import mail  # jinja2 and matplotlib: only when a report is sent

    report, digest = monthly.report, monthly.loaded.digest
    label, recipients = report.result.period.label, tuple(email.to)
    pending = history.uncertain(label, recipients)
    message_id = pending.message_id if pending else mail.message_id(email, report, digest)
    message = mail.message(email, report, mail.render(report), message_id)
    attempt = history.record(run_record(report.result, "attempted", recipients, digest, env, message_id))
    try:
        deliver.send(message, email.smtp, env.smtp_password)
    except UnconfirmedDelivery as exc:
        history.finish(attempt, "unconfirmed", env.now(), str(exc))
        raise
    except CalauditError as exc:
        history.finish(attempt, "failed", env.now(), str(exc))
        raise
    history.finish(attempt, "sent", env.now())
    if pending is None:
        return None
    return (
        f"the {label} report was sent again with the Message-ID of the unconfirmed attempt of "
        f"{pending.finished_at:%Y-%m-%d %H:%M}; a mail system that got that one drops this copy"
    )


def _failed(label: str, email: Email, period: Period, error: CalauditError, env: Env) -> Outcome:
    alert_error = _alert(email, period, error, env)
    return Outcome(label, tuple(email.to), "failed", error=error, alert_error=alert_error)


def require_email(loaded: LoadedConfig) -> Email:
    if loaded.config.email is None:
        raise ConfigError(
            f"{loaded.path or 'rules'}: no 'email:' section; add to, from and smtp (see README, Email reports)"
        )
    return loaded.config.email


def run_record(
    result: AuditResult, status: str, recipients: Sequence[str], digest: str, env: Env, message_id: str
) -> Run:
    external, internal = result.groups
    hours = {"total": result.total_hours, "external": external.hours, "internal": internal.hours,
             "unclassified": result.unclassified_hours}  # fmt: skip
    return Run(result.period.label, env.now(), status, tuple(recipients), digest, hours, message_id=message_id)


def _alert(email: Email, period: Period, error: CalauditError, env: Env) -> CalauditError | None:
    """Mail a short failure notice when asked to, unless mail itself is what failed."""
    if not email.alert_on_failure or isinstance(error, DeliveryError):
        return None
    from .report import mail

    try:
        deliver.send(mail.failure_notice(email, period, error), email.smtp, env.smtp_password)
    except CalauditError as alert_error:
        return alert_error
    return None


@contextlib.contextmanager
def exclusive(directory: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the scheduled-run lock; wait up to ``wait`` seconds for another run to finish."""
    path = directory / LOCK_FILE
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = path.open("a")
    except OSError as exc:
        raise OutputError(
            f"{directory}: cannot use the data folder ({exc.strerror}); make it a writable folder"
        ) from None
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"another calaudit cron is running (lock {path}); nothing was done, try again later"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


ENV_FILE = "smtp.env"


def executable() -> str:
    """The absolute command that runs this calaudit, wherever cron or systemd start it."""
    found = shutil.which("calaudit")
    script = Path(sys.argv[0])
    if script.name == "calaudit" and script.exists():
        return str(script.resolve())
    if found:
        return str(Path(found).resolve())
    return f"{shlex.quote(sys.executable)} -m calaudit"


@dataclass(frozen=True)
class Cadence:
    """When the scheduled run starts and which period it reports."""

    name: str
    unit: str
    """The systemd unit name: the weekly run's units sit beside the monthly ones."""
    period_option: str
    crontab: str
    on_calendar: str
    when: str


MONTHLY = Cadence("monthly", "calaudit", "", "0 7 1 * *", "*-*-01 07:00:00", "07:00 on the 1st of every month")
WEEKLY = Cadence(
    "weekly", "calaudit-weekly", " --period last-week", "0 7 * * 1", "Mon *-*-* 07:00:00", "07:00 every Monday"
)


def schedule_text(command: str, rules: Path, config_dir: Path, cadence: Cadence = MONTHLY) -> str:
    """A crontab line and systemd user units for the monthly (or weekly) run."""
    run = f"{command} cron --rules {shlex.quote(str(rules))}{cadence.period_option}"
    env_file = config_dir / ENV_FILE
    return f"""\
# The password for email.smtp.user goes in {env_file} (chmod 600), one line:
#   CALAUDIT_SMTP_PASSWORD=...
#
# cron: run 'crontab -e' and add this line ({cadence.when}; cron mails
# you whatever it prints, and a successful run prints nothing):
{cadence.crontab} set -a; [ -f {shlex.quote(str(env_file))} ] && . {shlex.quote(str(env_file))}; set +a; {run}

# systemd (user units): save as ~/.config/systemd/user/{cadence.unit}.service
[Unit]
Description=calaudit {cadence.name} time report

[Service]
Type=oneshot
EnvironmentFile=-{env_file}
ExecStart={run}

# ... and as ~/.config/systemd/user/{cadence.unit}.timer
[Unit]
Description=calaudit {cadence.name} time report

[Timer]
OnCalendar={cadence.on_calendar}
Persistent=true

[Install]
WantedBy=timers.target

# then: systemctl --user daemon-reload && systemctl --user enable --now {cadence.unit}.timer
# (and 'loginctl enable-linger' so it runs while you are logged out)
"""
