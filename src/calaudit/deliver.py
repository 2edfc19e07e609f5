"""Email: a multipart message built with the stdlib email package, sent with smtplib.

The message is multipart/mixed: a multipart/alternative of plain text and HTML (the HTML
with its charts as related inline images referenced by Content-ID), then attachments.
Nothing is sent until the whole message is built; the SMTP password comes from the
caller (the environment), is used for login only and never appears in a message.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import Smtp
from .errors import DeliveryError

SMTP_TIMEOUT_SECONDS = 30
PASSWORD_VARIABLE = "CALAUDIT_SMTP_PASSWORD"  # noqa: S105 - the name of a variable, not a password


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
) -> EmailMessage:
    """``html`` refers to each image as ``cid:<cids[name]>``."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for name, png in images.items():
        html_part.add_related(png, "image", "png", cid=f"<{cids[name]}>", filename=f"{name}.png")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def send(
    message: EmailMessage,
    smtp: Smtp,
    password: str | None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send ``message`` or raise DeliveryError; ``ssl_context`` lets tests trust their CA."""
    with _session(smtp, password, ssl_context, "cannot send mail via {where}: {reason}; nothing was sent") as server:
        refused = server.send_message(message)
    if refused:
        raise DeliveryError(f"{smtp.host}:{smtp.port} refused recipients: {', '.join(refused)}")


def check_login(smtp: Smtp, password: str | None, ssl_context: ssl.SSLContext | None = None) -> None:
    """Connect and log in without sending anything (``calaudit doctor``)."""
    with _session(smtp, password, ssl_context, "cannot connect to {where}: {reason}") as server:
        server.noop()


@contextmanager
def _session(
    smtp: Smtp, password: str | None, ssl_context: ssl.SSLContext | None, failure: str
) -> Iterator[smtplib.SMTP]:
    """A connected, logged-in SMTP session; every failure becomes one DeliveryError.

    ``failure`` words the error for a connection or protocol failure ({where}, {reason}).
    """
    where = f"{smtp.host}:{smtp.port}"
    if smtp.user and not password:
        raise DeliveryError(f"SMTP login as {smtp.user} at {where} needs a password: set {PASSWORD_VARIABLE}")
    try:
        with _open(smtp, ssl_context or ssl.create_default_context()) as server:
            if smtp.user and password:
                server.login(smtp.user, password)
            yield server
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"SMTP login as {smtp.user} at {where} was refused ({exc.smtp_code}); check {PASSWORD_VARIABLE}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{where} does not support what email.smtp asks for ({exc}); check security") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(failure.format(where=where, reason=exc or type(exc).__name__)) from None


def _open(smtp: Smtp, context: ssl.SSLContext) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    server = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    if smtp.security == "starttls":
        try:
            server.starttls(context=context)
        except BaseException:
            server.close()
            raise
    return server
