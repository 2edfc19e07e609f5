"""The emailed report as a MIME message, built whole before anything is sent.

The message is multipart/mixed: a multipart/alternative of plain text and HTML (the HTML
with its charts as related inline images referenced by Content-ID), then the CSV. The
SMTP password never comes near a message; sending is ``deliver.py``'s job.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..config import Email
from ..monthly import MonthlyReport
from ..period import Period
from . import csv as csv_report
from . import html as html_report
from . import text as text_report


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime_type: str
    data: bytes


def content_ids(names: Sequence[str], domain: str) -> dict[str, str]:
    """A Content-ID per inline image name, without the angle brackets."""
    return {name: make_msgid(idstring=name, domain=domain)[1:-1] for name in names}


def build_message(
    *,
    subject: str,
    sender: str,
    recipients: Sequence[str],
    text: str,
    html: str,
    images: dict[str, bytes],
    cids: dict[str, str],
    attachments: Sequence[Attachment] = (),
    message_id: str | None = None,
) -> EmailMessage:
    """``html`` refers to each image as ``cid:<cids[name]>``; ``message_id`` without brackets."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain=_domain(sender))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for name, png in images.items():
        html_part.add_related(png, "image", "png", cid=f"<{cids[name]}>", filename=f"{name}.png", disposition="inline")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


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
    from . import charts  # matplotlib: only when a report is really drawn

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


def as_sent(message: EmailMessage) -> bytes:
    """The message as smtplib's ``send_message`` transmits it, for a dry run's .eml: when
    an address is not all ASCII, with headers in UTF-8 (SMTPUTF8), as nothing else can
    carry the address (the default policy cannot write a domain such as bücher.de)."""
    addresses = f"{message['From']}{message['To']}"
    return message.as_bytes(policy=policy.default.clone(utf8=not addresses.isascii()))


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "calaudit.invalid"


def message_id(email: Email, report: MonthlyReport, rules_digest: str) -> str:
    """The same report of the same period to the same people always gets the same
    Message-ID, so that mail systems drop a copy sent again after an unknown outcome."""
    from .json import to_dict

    content = json.dumps(
        [report.result.period.label, sorted(email.to), rules_digest, to_dict(report.result)], sort_keys=True
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return f"calaudit.{report.result.period.label}.{digest}@{_domain(email.sender)}"


def message(email: Email, report: MonthlyReport, rendered: Rendered, message_id: str | None = None) -> EmailMessage:
    return build_message(
        message_id=message_id,
        subject=rendered.subject,
        sender=email.sender,
        recipients=email.to,
        text=rendered.text,
        html=rendered.html_mail,
        images=rendered.images,
        cids=rendered.cids,
        attachments=[Attachment(f"calaudit-{report.result.period.label}.csv", "text/csv", rendered.csv.encode())],
    )


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
