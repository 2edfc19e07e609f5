"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

USER, PASSWORD = "calaudit", "s3cret-pa55"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []  # as received, for comparing with a dry run's .eml
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        self.raw.append(envelope.original_content)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """``security``: none (AUTH allowed without TLS), starttls or ssl; ``smtputf8``: whether
    it accepts addresses beyond ASCII."""

    def __init__(self, security: str = "none", tls: ssl.SSLContext | None = None, smtputf8: bool = False) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS (ssl) must allow it.
        options = {
            "authenticator": self.inbox.authenticate,
            "auth_require_tls": security == "starttls",
            "enable_SMTPUTF8": smtputf8,
        }
        if security == "starttls":
            options |= {"tls_context": tls, "require_starttls": True}
        elif security == "ssl":
            options |= {"ssl_context": tls}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@contextmanager
def serving(handler: object, **options: object) -> Iterator[int]:
    """A loopback aiosmtpd server with a test's own handler (one that hangs up, answers
    late, refuses...); yields its port and stops it afterwards."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
