"""The Google source: behaviour that mutation testing found unpinned (issue 14).

As in test_google.py, the real googleapiclient talks to the loopback FakeGoogle, which
applies the fields mask as Google does and records what it sent. Expected events, warning
reasons and answers are written out by hand from the items the tests hand the server.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from calaudit.errors import SourceError
from calaudit.sources.google import GoogleSettings, list_calendars
from tests.google_server import GOOD_REFRESH, FakeGoogle
from tests.test_google import fetch_march

# --- errors and sign-in ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"\r\n"], ids=["no-body", "blank-body"])
def test_an_api_error_without_a_reason_ends_at_its_status(tmp_path, body):
    # No reason phrase and nothing in the body: nothing to add after the status (kills
    # _reason mutant 4, which put "XXXX" there; the line used to end in ": ").
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.fail = (404, "", body)
        with pytest.raises(SourceError) as info:
            fetch_march(tmp_path, server)
    assert str(info.value) == "google:primary: Google Calendar API error 404"


def test_an_expiry_with_a_lowercase_t_and_z_is_read(tmp_path):
    # RFC 3339 (5.6) allows "t" and "z" for "T" and "Z". An access token that expired two
    # hours ago is refreshed before it is used, though the server would still take it.
    expired = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dt%H:%M:%Sz")
    token = tmp_path / "google-token.json"
    token.write_text(json.dumps({"refresh_token": GOOD_REFRESH, "token": "fresh", "expiry": expired}))
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.access_tokens.add("fresh")
        list_calendars(GoogleSettings(token, api_endpoint=server.api_endpoint, token_uri=server.token_uri))
    assert server.log == [("POST", "/token"), ("GET", "/calendar/v3/users/me/calendarList")]
