"""Mail through a real SMTP server on loopback: plain, STARTTLS and SSL, with login."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from calaudit.config import Smtp
from calaudit.deliver import send
from calaudit.errors import DeliveryError
from calaudit.pipeline import Setup, monthly_report
from calaudit.report import mail
from calaudit.sources.ics import IcsSource
from tests.helpers import ICS, NOW, fixture_rules
from tests.smtp import PASSWORD, USER, SmtpServer, free_port, serving


def demo_message(to=("cto@weave.example", "chief@weave.example")):
    loaded = fixture_rules()
    config = loaded.config.model_copy(update={"email": None})
    from calaudit.config import Email, LoadedConfig

    email = Email.model_validate({"to": list(to), "from": "calaudit@weave.example", "smtp": {"host": "127.0.0.1"}})
    loaded = LoadedConfig(config.model_copy(update={"email": email}), loaded.path, loaded.digest)
    source = IcsSource(str(ICS / "recurrence.ics"), loaded.config.owner, loaded.zone)
    period = __import__("calaudit.period", fromlist=["x"]).parse_period("2026-03", loaded.zone, NOW)
    report = monthly_report(Setup(loaded, [source], period), datetime(2026, 4, 1, tzinfo=UTC)).report
    return mail.message(email, report, mail.render(report))


def test_the_message_has_text_html_inline_charts_and_the_csv():
    with SmtpServer() as server:
        send(demo_message(), Smtp(host="127.0.0.1", port=server.port, security="none"), None)
    [(recipients, message)] = server.inbox.messages
    assert recipients == ["cto@weave.example", "chief@weave.example"]
    assert str(message["Subject"]).strip().startswith("calaudit 2026-03: ")
    assert message["To"] == "cto@weave.example, chief@weave.example"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Recurring meetings that cost the most" in text and "Standup" in text
    assert "Actual vs target" in html
    related = message.get_body(("related",))
    images = [part for part in related.iter_parts() if part.get_content_type() == "image/png"]
    assert {part["Content-ID"].strip().strip("<>") for part in images} == set(
        cid.split(":", 1)[1] for cid in __import__("re").findall(r'src="(cid:[^"]+)"', html)
    )
    assert all(part.get_content().startswith(b"\x89PNG") for part in images)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "calaudit-2026-03.csv"
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    assert {r["category"]: r["hours"] for r in rows}["ops"] == "2.00"


def test_starttls_and_login(tls):
    server_context, client_context = tls
    with SmtpServer("starttls", server_context) as server:
        smtp = Smtp(host="127.0.0.1", port=server.port, security="starttls", user=USER)
        send(demo_message(), smtp, PASSWORD, ssl_context=client_context)
    assert server.inbox.logins == [USER]
    assert len(server.inbox.messages) == 1


def test_ssl_and_login(tls):
    server_context, client_context = tls
    with SmtpServer("ssl", server_context) as server:
        smtp = Smtp(host="127.0.0.1", port=server.port, security="ssl", user=USER)
        send(demo_message(), smtp, PASSWORD, ssl_context=client_context)
    assert server.inbox.logins == [USER]
    assert len(server.inbox.messages) == 1


def test_a_refused_login_sends_nothing_and_never_shows_the_password(tls):
    server_context, client_context = tls
    with SmtpServer("starttls", server_context) as server:
        smtp = Smtp(host="127.0.0.1", port=server.port, security="starttls", user=USER)
        with pytest.raises(DeliveryError, match="was refused") as info:
            send(demo_message(), smtp, "wrong-password", ssl_context=client_context)
    assert server.inbox.messages == []
    assert "wrong-password" not in str(info.value)
    assert info.value.exit_status == 4


def test_an_untrusted_certificate_is_refused(tls):
    server_context, _ = tls
    with SmtpServer("starttls", server_context) as server:
        smtp = Smtp(host="127.0.0.1", port=server.port, security="starttls")
        with pytest.raises(DeliveryError, match="nothing was sent"):
            send(demo_message(), smtp, None)
    assert server.inbox.messages == []


def test_no_server_and_no_password():
    with pytest.raises(DeliveryError, match=r"cannot send mail via 127\.0\.0\.1"):
        send(demo_message(), Smtp(host="127.0.0.1", port=free_port(), security="none"), None)
    with pytest.raises(DeliveryError, match="set CALAUDIT_SMTP_PASSWORD"):
        send(demo_message(), Smtp(host="127.0.0.1", port=free_port(), security="none", user=USER), None)


def test_over_ssl_a_server_that_hangs_up_after_the_message_is_an_unknown_outcome(tls):
    # The whole message went out over implicit TLS, then the server closed the connection
    # without a reply: it may have been delivered, so it is not "nothing was sent".
    from calaudit.errors import UnconfirmedDelivery

    class Hangup:
        async def handle_DATA(self, server, session, envelope):
            server.transport.close()
            return "421 closing"

    server_context, client_context = tls
    with serving(Hangup(), ssl_context=server_context) as port:
        smtp = Smtp(host="127.0.0.1", port=port, security="ssl")
        with pytest.raises(UnconfirmedDelivery, match="never confirmed it"):
            send(demo_message(), smtp, None, ssl_context=client_context)


def test_check_login_over_starttls_trusts_the_given_context_and_sends_nothing(tls):
    from calaudit.deliver import check_login

    server_context, client_context = tls
    with SmtpServer("starttls", server_context) as server:
        smtp = Smtp(host="127.0.0.1", port=server.port, security="starttls", user=USER)
        check_login(smtp, PASSWORD, ssl_context=client_context)
        with pytest.raises(DeliveryError, match=r"^cannot connect to 127\.0\.0\.1:\d+: "):
            check_login(smtp, PASSWORD)  # the machine's CAs do not trust the test CA
    assert server.inbox.logins == [USER]
    assert server.inbox.messages == []
