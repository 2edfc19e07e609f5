"""The monthly report and the scheduled run: audit, render, email, record, exactly once.

``calaudit report`` and ``calaudit cron`` share this. Every step before SMTP only
computes; the message is built whole before the first byte is sent, and the run is
recorded as sent only after the server accepted it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from . import monthly
from .audit import AuditResult
from .config import Email, LoadedConfig
from .deliver import Attachment, build_message, content_ids
from .errors import BusyError
from .history import Run
from .models import Fetched
from .monthly import MonthlyReport
from .period import Period
from .pipeline import run_audit
from .report import charts
from .report import csv as csv_report
from .report import html as html_report
from .report import text as text_report

LOCK_FILE = "cron.lock"
LOCK_WAIT_SECONDS = 10.0


def build_report(
    loaded: LoadedConfig, fetch: Callable[[Period], Fetched], period: Period, now: datetime
) -> MonthlyReport:
    """Audit the period, and re-audit the ones before it from the source for trends."""
    periods = [period]
    for _ in range(monthly.TREND_PERIODS):
        periods.insert(0, periods[0].previous())
    results = [run_audit(loaded, fetch(p), p) for p in periods]
    return monthly.build(results[-1], results[:-1], loaded.digest, now)


@dataclass(frozen=True)
class Rendered:
    """Everything a report needs, rendered: built before anything is sent or written."""

    subject: str
    text: str
    html_inline: str
    """HTML with the charts as data: URIs, for a file."""
    html_mail: str
    """HTML with the charts as cid: references, for the email."""
    images: dict[str, bytes]
    cids: dict[str, str]
    csv: str


def subject(report: MonthlyReport) -> str:
    r = report.result
    external, internal = r.groups
    return (
        f"calaudit {r.period.label}: {external.share:.0f}% external / {internal.share:.0f}% internal "
        f"(target {external.target:.0f}/{internal.target:.0f}), {r.coverage:.0f}% classified"
    )


def render(report: MonthlyReport, domain: str = "calaudit.invalid") -> Rendered:
    images = {"allocation": charts.allocation(report)}
    if report.previous:
        images["trend"] = charts.trend(report)
    cids = content_ids(list(images), domain)
    inline = {name: "data:image/png;base64," + base64.b64encode(png).decode() for name, png in images.items()}
    return Rendered(
        subject=subject(report),
        text=text_report.render(report),
        html_inline=html_report.render(report, inline),
        html_mail=html_report.render(report, {name: f"cid:{cid}" for name, cid in cids.items()}),
        images=images,
        cids=cids,
        csv=csv_report.render(report.result),
    )


def message(email: Email, report: MonthlyReport, rendered: Rendered) -> EmailMessage:
    return build_message(
        subject=rendered.subject,
        sender=email.sender,
        recipients=email.to,
        text=rendered.text,
        html=rendered.html_mail,
        images=rendered.images,
        cids=rendered.cids,
        attachments=[Attachment(f"calaudit-{report.result.period.label}.csv", "text/csv", rendered.csv.encode())],
    )


def run_record(result: AuditResult, status: str, recipients: Sequence[str], digest: str, now: datetime) -> Run:
    external, internal = result.groups
    hours = {"total": result.total_hours, "external": external.hours, "internal": internal.hours,
             "unclassified": result.unclassified_hours}  # fmt: skip
    return Run(result.period.label, now, status, tuple(recipients), digest, hours)


@contextlib.contextmanager
def exclusive(directory: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the scheduled-run lock; wait up to ``wait`` seconds for another run to finish."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / LOCK_FILE
    with path.open("a") as handle:
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


def failure_notice(email: Email, period: Period, error: Exception) -> EmailMessage:
    """A short plain-text mail saying the scheduled run failed and what to do."""
    notice = EmailMessage()
    notice["Subject"] = f"calaudit: the {period.label} report was not sent"
    notice["From"] = email.sender
    notice["To"] = ", ".join(email.to)
    notice["Date"] = formatdate(localtime=True)
    notice.set_content(
        f"The scheduled calaudit run for {period.label} failed:\n\n  {error}\n\n"
        "Nothing was recorded as sent, so the next scheduled run tries again.\n"
        "Run 'calaudit doctor' to check the configuration, calendars and email.\n"
    )
    return notice
