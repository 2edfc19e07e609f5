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
from calaudit.models import Attendee, Event, InvalidEvent, Response
from calaudit.period import parse_period
from calaudit.sources.google import CalendarInfo, GoogleSettings, GoogleSource, list_calendars
from tests.google_server import GOOD_REFRESH, FakeGoogle
from tests.helpers import NOW
from tests.test_google import NY, STANDUP, STANDUP_EVENT, fetch_march, settings_for

REVIEW = {
    "id": "review-1",
    "iCalUID": "review@weave.example",
    "summary": "Design review",
    "start": {"dateTime": "2026-03-12T09:00:00"},
    "end": {"dateTime": "2026-03-12T10:00:00"},
}


def fetch_with_standup(tmp_path, item):
    """What fetch() makes of STANDUP and ``item`` on one calendar, CTO."""
    with FakeGoogle({"primary": ("CTO", [STANDUP, item])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        return source.fetch(parse_period("2026-03", NY, NOW))


# --- what the warning says is wrong ------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # Kills _times mutants 14, 20, 21 (the end's name in _when's message).
        ({"end": "2026-03-12T10:00:00"}, "unreadable end time '2026-03-12T10:00:00'"),
        # Kills _original_start mutants 6, 13, 14.
        (
            {"recurringEventId": "review", "originalStartTime": "2026-03-12T09:00:00"},
            "unreadable original start time '2026-03-12T09:00:00'",
        ),
        # Kills _original_start mutants 28, 31, 32.
        (
            {"recurringEventId": "review", "originalStartTime": {"date": "12 March"}},
            "unreadable original start date '12 March'",
        ),
    ],
    ids=["end-not-an-object", "original-start-not-an-object", "original-start-date"],
)
def test_the_warning_names_the_end_or_original_start_that_cannot_be_read(tmp_path, change, reason):
    fetched = fetch_with_standup(tmp_path, REVIEW | change)
    assert fetched.events == [STANDUP_EVENT]
    assert fetched.invalid == [InvalidEvent("CTO", "Design review", "review@weave.example", reason)]


@pytest.mark.parametrize(
    ("attendee", "shown"),
    [
        # A 58-letter string is 60 characters quoted: shown whole (kills _shown mutant 5).
        ("x" * 58, "'" + "x" * 58 + "'"),
        # 59 letters are 61 characters quoted: the first 57 ("'" and 56 letters) and "..." (kills _shown mutant 6).
        ("x" * 59, "'" + "x" * 56 + "..."),
    ],
    ids=["60-characters", "61-characters"],
)
def test_a_value_in_a_warning_is_shown_whole_up_to_60_characters(tmp_path, attendee, shown):
    fetched = fetch_with_standup(tmp_path, REVIEW | {"attendees": [attendee]})
    assert fetched.invalid == [
        InvalidEvent("CTO", "Design review", "review@weave.example", f"unreadable attendee {shown}")
    ]


def test_an_unreadable_item_without_ids_is_named_by_its_title_alone(tmp_path):
    # Neither iCalUID nor id: the UID is "", and the warning names no UID (kills _names mutants 25, 27, 30).
    fetched = fetch_with_standup(tmp_path, {"summary": "Design review", "start": {}})
    assert fetched.invalid == [InvalidEvent("CTO", "Design review", "", "it has no start time")]
    assert fetched.invalid[0].warning() == "CTO: skipped unreadable event 'Design review': it has no start time"


# --- times -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "end", [{}, {"end": None}, {"end": {}}, {"end": {"timeZone": "America/New_York"}}],
    ids=["no-end", "null-end", "empty-end", "end-without-time"],
)  # fmt: skip
def test_a_timed_google_item_without_an_end_ends_when_it_starts_as_in_ics(tmp_path, end):
    # DTSTART:20260312T090000 without DTEND is an event of no length in .ics (kills _times mutant 84,
    # which reads the missing end and fails the whole fetch).
    review = {key: value for key, value in REVIEW.items() if key != "end"} | end
    fetched = fetch_with_standup(tmp_path, review)
    assert fetched.invalid == []
    assert fetched.events == [
        STANDUP_EVENT,
        Event(
            uid="review@weave.example",
            title="Design review",
            start=datetime(2026, 3, 12, 9, tzinfo=NY),
            end=datetime(2026, 3, 12, 9, tzinfo=NY),
            calendar="CTO",
        ),
    ]


# --- what is asked of Google -------------------------------------------------------------

DEAL_REVIEW = {
    "kind": "calendar#event",
    "etag": '"3541234567890000"',
    "id": "deal-1",
    "iCalUID": "deal@acme.example",
    "status": "confirmed",
    "htmlLink": "https://www.google.com/calendar/event?eid=ZGVhbC0x",
    "summary": "Deal review",
    "description": "Terms for Acme",
    "location": "Room 4",
    "creator": {"email": "ana@acme.example", "displayName": "Ana Ruiz"},
    "organizer": {"email": "ana@acme.example", "displayName": "Ana Ruiz"},
    "start": {"dateTime": "2026-03-12T09:00:00-04:00", "timeZone": "America/New_York"},
    "end": {"dateTime": "2026-03-12T10:00:00-04:00", "timeZone": "America/New_York"},
    "hangoutLink": "https://meet.google.com/abc-defg-hij",
    "conferenceData": {"entryPoints": [{"entryPointType": "phone", "uri": "tel:+1-555-0100", "pin": "123456"}]},
    "attachments": [{"fileUrl": "https://drive.google.com/file/d/1", "title": "Acme terms.pdf"}],
    "attendees": [
        {"email": "ana@acme.example", "displayName": "Ana Ruiz", "organizer": True, "responseStatus": "accepted"},
        {"email": "chief@weave.example", "self": True, "comment": "5 minutes late", "responseStatus": "tentative"},
    ],
    "reminders": {"useDefault": True},
}


def test_events_list_downloads_only_the_fields_the_audit_reads(tmp_path):
    # The meeting link, dial-in PIN, attachments, creator, names and comments never leave
    # Google; everything the audit reads does (kills _items mutants 9 and 16: no fields mask).
    with FakeGoogle({"primary": ("CTO", [DEAL_REVIEW])}) as server:
        events = fetch_march(tmp_path, server)
    sent = {
        "id": "deal-1",
        "iCalUID": "deal@acme.example",
        "status": "confirmed",
        "summary": "Deal review",
        "description": "Terms for Acme",
        "location": "Room 4",
        "organizer": {"email": "ana@acme.example"},
        "start": {"dateTime": "2026-03-12T09:00:00-04:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-03-12T10:00:00-04:00", "timeZone": "America/New_York"},
        "attendees": [
            {"email": "ana@acme.example", "responseStatus": "accepted"},
            {"email": "chief@weave.example", "self": True, "responseStatus": "tentative"},
        ],
    }
    assert server.answers == [{"summary": "CTO", "items": [sent]}]
    assert events == [
        Event(
            uid="deal@acme.example",
            title="Deal review",
            start=datetime(2026, 3, 12, 9, tzinfo=NY),
            end=datetime(2026, 3, 12, 10, tzinfo=NY),
            calendar="CTO",
            description="Terms for Acme",
            location="Room 4",
            organizer="ana@acme.example",
            attendees=(Attendee("ana@acme.example"), Attendee("chief@weave.example")),
            response=Response.TENTATIVE,
        )
    ]


def test_the_calendar_list_downloads_only_id_name_role_and_primary(tmp_path):
    # A calendar's description, colours and reminders never leave Google (kills _calendars
    # mutants 3 and 5: no fields mask).
    with FakeGoogle({}) as server:
        server.calendar_list = [
            {
                "kind": "calendar#calendarListEntry",
                "etag": '"1712345678901000"',
                "id": "hiring@group.example",
                "summary": "Hiring",
                "description": "Offers and salary bands",
                "timeZone": "America/New_York",
                "colorId": "7",
                "backgroundColor": "#42d692",
                "selected": True,
                "accessRole": "reader",
                "defaultReminders": [{"method": "popup", "minutes": 10}],
            }
        ]
        calendars = list_calendars(settings_for(tmp_path, server))
    assert calendars == [CalendarInfo("hiring@group.example", "Hiring", "reader", False)]
    assert server.answers == [{"items": [{"id": "hiring@group.example", "summary": "Hiring", "accessRole": "reader"}]}]


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


def test_addresses_are_compared_as_rules_yaml_compares_them(tmp_path):
    # rules.yaml folds "Straße@Weave.Example" to "strasse@weave.example" (NFC, case-folded);
    # Google's addresses were only lower-cased, so the owner's "declined" went unseen and
    # the meeting counted.
    declined = REVIEW | {"attendees": [{"email": "Straße@weave.example", "responseStatus": "declined"}]}
    with FakeGoogle({"primary": ("CTO", [declined])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), {"strasse@weave.example"}, NY)
        [event] = source.fetch(parse_period("2026-03", NY, NOW)).events
    assert (event.response, event.attendees) == (Response.DECLINED, (Attendee("strasse@weave.example"),))
