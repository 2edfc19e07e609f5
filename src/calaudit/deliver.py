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
from typing import TYPE_CHECKING, Any

from .env import PASSWORD_VARIABLE
from .errors import DeliveryError, UnconfirmedDelivery

if TYPE_CHECKING:
    from .config import Smtp


class _SMTP(smtplib.SMTP):
    """Remembers whether the message itself went out (DATA), which decides whether a
    failure means "not sent" or "maybe sent"."""

    data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


class _SMTP_SSL(smtplib.SMTP_SSL):
    data_started = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


def send(
    message: EmailMessage,
    smtp: Smtp,
    password: str | None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send ``message`` or raise DeliveryError; ``ssl_context`` lets tests trust their CA.

    When the connection fails after the message was transmitted but before the server
    confirmed it, the outcome is unknown: UnconfirmedDelivery says so.
    """
    where = f"{smtp.host}:{smtp.port}"
    with _session(smtp, password, ssl_context, "cannot send mail via {where}: {reason}; nothing was sent") as server:
        try:
            refused = server.send_message(message)
        except smtplib.SMTPDataError:
            raise  # the server answered DATA with an error: definitely not accepted
        except (smtplib.SMTPException, OSError) as exc:
            if not getattr(server, "data_started", False):
                raise
            server.close()  # no QUIT on a connection that stopped answering
            raise UnconfirmedDelivery(
                f"{where} received the message but never confirmed it ({_reason(exc)}); it may have "
                "been delivered: a rerun sends it again with the same Message-ID, which mail systems drop as a "
                "duplicate"
            ) from None
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
                _login(server, smtp.user, password, where)
            yield server
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"SMTP login as {smtp.user} at {where} was refused ({exc.smtp_code}); check {PASSWORD_VARIABLE}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        if "SMTPUTF8" in str(exc):  # smtplib asks for it when an address is not all ASCII
            raise DeliveryError(
                f"{where} does not accept addresses beyond ASCII (no SMTPUTF8); give email.from and email.to "
                "in ASCII (a domain can be written in punycode, xn--...); nothing was sent"
            ) from None
        raise DeliveryError(f"{where} does not support what email.smtp asks for ({exc}); check security") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(failure.format(where=where, reason=_reason(exc))) from None


def _login(server: smtplib.SMTP, user: str, password: str, where: str) -> None:
    try:
        server.login(user, password)
    except UnicodeEncodeError:  # smtplib sends AUTH in ASCII only (it crashed: "unexpected error")
        raise DeliveryError(
            f"SMTP login as {user} at {where} cannot be sent: the password or user name holds characters beyond "
            f"ASCII, which Python's smtplib does not send; use an app password in ASCII ({PASSWORD_VARIABLE})"
        ) from None


def _reason(exc: BaseException) -> str:
    """The error's text, or its type when it has none (``SMTPServerDisconnected()``)."""
    return str(exc) or type(exc).__name__


def _open(smtp: Smtp, context: ssl.SSLContext) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return _SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    server = _SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            server.starttls(context=context)
        except BaseException:
            server.close()
            raise
    return server
