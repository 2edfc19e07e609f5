"""SMTP: send a message that was built whole beforehand (``report/mail.py``).

The SMTP password comes from the caller (the environment), is used for login only and
never appears in a message or an error.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from .config import Smtp
from .env import PASSWORD_VARIABLE
from .errors import DeliveryError

SMTP_TIMEOUT_SECONDS = 30


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
