"""SMTP delivery: behaviour that mutation testing found unpinned (issue 14)."""

from __future__ import annotations

import asyncio
import re
import smtplib

import pytest

from calaudit import deliver
from calaudit.config import Smtp
from calaudit.deliver import send
from calaudit.errors import DeliveryError, UnconfirmedDelivery
from tests.smtp import serving
from tests.test_deliver import demo_message

UNKNOWN_OUTCOME = (
    "127.0.0.1:{port} received the message but never confirmed it ({reason}); it may have been delivered: "
    "a rerun sends it again with the same Message-ID, which mail systems drop as a duplicate"
)


class Hangup:
    async def handle_DATA(self, server, session, envelope):
        server.transport.close()
        return "421 closing"


class Slow:
    """Stores the message, answers after 3 s."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        await asyncio.sleep(3)
        return "250 OK"


def test_a_server_that_hangs_up_after_the_message_says_where_why_and_what_a_rerun_does():
    with serving(Hangup()) as port, pytest.raises(UnconfirmedDelivery) as raised:
        send(demo_message(), Smtp(host="127.0.0.1", port=port, security="none"), None)
    assert str(raised.value) == UNKNOWN_OUTCOME.format(port=port, reason="Connection unexpectedly closed")


def test_over_ssl_a_server_slower_than_the_timeout_is_an_unknown_outcome(tls):
    server_context, client_context = tls
    slow = Slow()
    with serving(slow, ssl_context=server_context) as port:
        smtp = Smtp(host="127.0.0.1", port=port, security="ssl", timeout=1)
        with pytest.raises(UnconfirmedDelivery) as raised:
            send(demo_message(), smtp, None, ssl_context=client_context)
    assert slow.received == 1
    assert str(raised.value) == UNKNOWN_OUTCOME.format(
        port=port, reason="Connection unexpectedly closed: The read operation timed out"
    )


def test_over_ssl_a_certificate_from_an_untrusted_authority_is_refused_and_nothing_is_sent(tls):
    server_context, _ = tls  # the machine's CAs do not trust the test CA
    slow = Slow()
    with serving(slow, ssl_context=server_context) as port, pytest.raises(DeliveryError) as raised:
        send(demo_message(), Smtp(host="127.0.0.1", port=port, security="ssl"), None)
    assert slow.received == 0
    # The last part names OpenSSL's source line, which differs between Python builds.
    assert re.fullmatch(
        rf"cannot send mail via 127\.0\.0\.1:{port}: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: "
        r"unable to get local issuer certificate \(_ssl\.c:\d+\); nothing was sent",
        str(raised.value),
    )


def test_every_refused_recipient_is_named_in_the_order_given():
    class RefuseTwo:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("gone"):
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    to = ("gone-b@weave.example", "cto@weave.example", "gone-a@weave.example")
    with serving(RefuseTwo()) as port, pytest.raises(DeliveryError) as raised:
        send(demo_message(to), Smtp(host="127.0.0.1", port=port, security="none"), None)
    assert str(raised.value) == f"127.0.0.1:{port} refused recipients: gone-b@weave.example, gone-a@weave.example"


def test_an_error_without_text_is_named_by_its_type():
    # An exception is always true, so "exc or its type name" never fell back: an error
    # raised without text would have left "(...: )" empty in the message.
    assert deliver._reason(smtplib.SMTPServerDisconnected()) == "SMTPServerDisconnected"
    assert deliver._reason(OSError("Connection reset")) == "Connection reset"
