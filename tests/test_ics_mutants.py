"""The .ics source: behaviour that mutation testing found unpinned (issue 14).

Error and warning lines are part of the contract, so they are compared in full; the
expected values are written out by hand from the small calendars built here.
"""

from __future__ import annotations

import codecs
import hashlib
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from calaudit.errors import SourceError
from calaudit.models import Attendee, Event, Fetched, InvalidEvent, Response
from calaudit.period import parse_period
from calaudit.sources import ics
from calaudit.sources.cache import EventCache
from calaudit.sources.ics import IcsSource, parse_calendar
from tests.helpers import NOW

NY = ZoneInfo("America/New_York")
MARCH = parse_period("2026-03", NY, NOW)
MAY = parse_period("2026-05", NY, NOW)
OWNER = frozenset({"cto@weave.example"})

# A floating time (read in the reporting zone) that the owner declined.
DECLINED = (
    "UID:declined@test\nDTSTART:20260302T100000\nDTEND:20260302T110000\nSUMMARY:Board prep\n"
    "ATTENDEE;PARTSTAT=DECLINED:mailto:cto@weave.example"
)
MAY_CALL = "UID:may@test\nDTSTART:20260505T150000Z\nDTEND:20260505T160000Z\nSUMMARY:May call"


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{header}{body}END:VCALENDAR\n".encode()


def read(raw: bytes) -> Fetched:
    return parse_calendar(raw, "test.ics", MARCH, OWNER, NY)


def _zip(path: Path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


# --- .zip exports ---------------------------------------------------------------------

# No newline after END:VCALENDAR: a member read one byte short loses the R and is truncated.
ONE_CALL = calendar("UID:c@test\nDTSTART:20260303T150000Z\nDTEND:20260303T170000Z\nSUMMARY:Call").rstrip(b"\n")


def test_a_zip_member_of_exactly_the_size_limit_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(ics, "MAX_MEMBER_BYTES", len(ONE_CALL))
    location = _zip(tmp_path / "export.zip", {"work.ics": ONE_CALL})
    assert [e.title for e in IcsSource(location, OWNER, NY).fetch(MARCH).events] == ["Call"]


def test_a_zip_member_one_byte_over_the_size_limit_is_refused_naming_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(ics, "MAX_MEMBER_BYTES", 2_000_000)
    big = ONE_CALL.replace(b"SUMMARY:Call", b"SUMMARY:" + b"x" * (2_000_001 - len(ONE_CALL) + len(b"Call")))
    assert len(big) == 2_000_001
    location = _zip(tmp_path / "export.zip", {"big.ics": big})
    with pytest.raises(SourceError) as raised:
        IcsSource(location, OWNER, NY).fetch(MARCH)
    assert str(raised.value) == f"{location}:big.ics: larger than 2 MB unpacked; not read"


def test_a_zip_member_is_read_for_the_owner_in_the_reporting_zone(tmp_path):
    location = _zip(tmp_path / "export.zip", {"work.ics": calendar(DECLINED)})
    (event,) = IcsSource(location, OWNER, NY).fetch(MARCH).events
    assert event.response is Response.DECLINED
    assert event.start.isoformat() == "2026-03-02T10:00:00-05:00"  # floating 10:00, New York winter time


# --- URLs ----------------------------------------------------------------------------


class _Server:
    """Serves ``body``; answers a conditional GET with 304 when its validator matches.

    ``etag``/``last_modified``: the validators it sends (None: not sent). Each request's
    (If-None-Match, If-Modified-Since) is recorded.
    """

    def __init__(self, body: bytes, etag: str | None = None, last_modified: str | None = None) -> None:
        self.body, self.requests = body, list[tuple[str | None, str | None]]()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                sent = (self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
                server.requests.append(sent)
                if (etag and sent[0] == etag) or (last_modified and sent[1] == last_modified):
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                if etag:
                    self.send_header("ETag", etag)
                if last_modified:
                    self.send_header("Last-Modified", last_modified)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/private-s3cr3t/basic.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def serve() -> Iterator[list[_Server]]:
    started: list[_Server] = []
    yield started
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


def _start(started: list[_Server], server: _Server) -> _Server:
    server.thread.start()
    started.append(server)
    return server


def test_a_url_is_read_for_the_owner_in_the_reporting_zone(serve):
    server = _start(serve, _Server(calendar(DECLINED)))
    (event,) = IcsSource(server.url, OWNER, NY).fetch(MARCH).events
    assert event.response is Response.DECLINED
    assert event.start.isoformat() == "2026-03-02T10:00:00-05:00"


def test_a_downloaded_calendar_already_read_for_the_period_comes_from_the_cache(serve, tmp_path):
    # A server without validators sends the body every time; its content decides.
    body = calendar(DECLINED)
    server = _start(serve, _Server(body))
    cache = EventCache(tmp_path / "cache")
    source = IcsSource(server.url, OWNER, NY, cache=cache)
    planted = Fetched(events=[Event(uid="p", title="Planted", start=MARCH.start, end=MARCH.start, calendar="c")])
    cache.put(source._key(hashlib.sha256(body).hexdigest(), MARCH), planted)
    assert [e.title for e in source.fetch(MARCH).events] == ["Planted"]


def test_a_period_not_in_the_cache_is_downloaded_without_validators(serve, tmp_path):
    # A 304 would leave nothing to read for May: only March's events are cached.
    server = _start(serve, _Server(calendar(DECLINED, MAY_CALL), etag='"v1"'))
    source = IcsSource(server.url, OWNER, NY, cache=EventCache(tmp_path / "cache"))
    assert [e.title for e in source.fetch(MARCH).events] == ["Board prep"]
    assert [e.title for e in source.fetch(MAY).events] == ["May call"]
    assert [e.title for e in source.fetch(MARCH).events] == ["Board prep"]
    assert server.requests == [(None, None), (None, None), ('"v1"', None)]


def test_last_modified_alone_makes_the_next_download_conditional(serve, tmp_path):
    stamp = "Wed, 04 Mar 2026 10:00:00 GMT"
    server = _start(serve, _Server(calendar(DECLINED), last_modified=stamp))
    source = IcsSource(server.url, OWNER, NY, cache=EventCache(tmp_path / "cache"))
    first = source.fetch(MARCH)
    assert source.fetch(MARCH).events == first.events
    assert server.requests == [(None, None), (None, stamp)]


# --- unreadable text -----------------------------------------------------------------

KEPT = "UID:kept@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Kept"
# A valid alarm: a component three levels deep must stay inside its event.
REMINDED = (
    "UID:reminded@test\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:Reminded\n"
    "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM"
)
# icalendar refuses a whole calendar over a subcomponent it cannot read (a VLOCATION of
# RFC 9073 here; alarms are dropped unread, below).
ALARMED = (
    "UID:alarmed@test\nDTSTART:20260304T150000Z\nDTEND:20260304T160000Z\nSUMMARY:Alarmed\n"
    "BEGIN:VLOCATION\nDTSTART:soon\nEND:VLOCATION"
)
ANONYMOUS = "DTSTART:20260305T150000Z\nBEGIN:VLOCATION\nDTSTART:later\nEND:VLOCATION"


def test_unreadable_lines_and_events_are_dropped_and_named_and_the_rest_is_read():
    header = (
        "DTSTAMP:2026-03-01T00:00:00Z, not a date-time\n"  # line 4, a calendar line icalendar refuses
        "this stray line is longer than forty characters\n"  # line 5, not a content line
    )
    fetched = read(calendar(KEPT, REMINDED, ALARMED, ANONYMOUS, header=header))
    assert [e.title for e in fetched.events] == ["Kept", "Reminded"]
    assert fetched.warnings == [
        # The first 40 characters of each line.
        "test.ics: ignored 1 malformed line(s), the first 'this stray line is longer than forty cha'",
        "test.ics: ignored 1 unreadable calendar line(s), the first 'DTSTAMP:2026-03-01T00:00:00Z, not a date': "
        "Expected datetime, date, or time. Got: '2026-03-01T00:00:00Z, not a date-time'",
    ]
    assert fetched.invalid == [
        InvalidEvent("test.ics", "Alarmed", "alarmed@test", "Expected datetime, date, or time. Got: 'soon'"),
        InvalidEvent("test.ics", "(no title)", "", "Expected datetime, date, or time. Got: 'later'"),
    ]


def test_a_calendar_unreadable_even_after_dropping_bad_lines_is_an_error_naming_the_first_problem():
    raw = calendar(KEPT, header="DTSTAMP:yesterday\n") + b"X-AFTER:the end\nEND:VCALENDAR\n"
    with pytest.raises(SourceError) as raised:
        read(raw)
    assert (
        str(raised.value) == "test.ics: not a valid iCalendar file: Expected datetime, date, or time. Got: 'yesterday'"
    )


def test_a_reason_is_cut_at_200_characters():
    trigger = "x" * 300
    fetched = read(calendar(KEPT, ALARMED.replace("DTSTART:soon", f"DTSTART:{trigger}")))
    (invalid,) = fetched.invalid
    assert invalid.reason == ("Expected datetime, date, or time. Got: '" + trigger)[:200]
    assert len(invalid.reason) == 200


def test_a_rule_recurring_ical_events_cannot_expand_is_an_invalid_rrule():
    fetched = read(calendar("UID:r@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=DAILY;BYHOUR=25"))
    (invalid,) = fetched.invalid
    assert invalid.reason.startswith("invalid RRULE (") and "BYHOUR=25" in invalid.reason


def test_an_exception_without_a_message_is_named_by_its_type():
    # Nothing in today's libraries is known to raise one; the reason must still say something.
    assert ics._reason(ValueError()) == "ValueError"
    assert ics._reason(KeyError("DTSTART")) == "'DTSTART'"


def test_an_event_that_cannot_be_audited_is_named_with_its_calendar_uid_and_no_title():
    fetched = read(calendar(KEPT, "UID:nostart@test\nDTEND:20260302T160000Z", header="X-WR-CALNAME:Work\n"))
    assert fetched.invalid == [InvalidEvent("Work", "(no title)", "nostart@test", "it has no DTSTART")]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_an_event_whose_alarm_icalendar_cannot_read_is_audited_on_both_paths(prefilter):
    # icalendar refuses a whole calendar over such an alarm; nobody reads alarms, so both
    # paths drop them (and DTSTAMPs) before parsing, and the meeting counts.
    alarm = "BEGIN:VALARM\nTRIGGER:soon\nEND:VALARM"
    raw = calendar(KEPT, f"UID:a@test\nDTSTART:20260304T150000Z\nDTEND:20260304T163000Z\nSUMMARY:Alarmed\n{alarm}")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter)
    assert [(e.title, e.end - e.start) for e in fetched.events] == [
        ("Kept", timedelta(hours=1)),
        ("Alarmed", timedelta(hours=1.5)),
    ]
    assert fetched.invalid == [] and fetched.warnings == []


OLD_ALARMED = ALARMED.replace("20260304", "20190304").replace("alarmed@test", "old@test")
TASK = "BEGIN:VTODO\nUID:todo@test\nSUMMARY:A task\nDUE:soon\nEND:VTODO\n"


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
@pytest.mark.parametrize("far", ["event-in-2019", "task"])
def test_an_unreadable_component_that_is_no_event_of_the_period_is_not_reported_on_either_path(prefilter, far):
    # README: "both paths and the cache give identical results".
    raw = (
        calendar(KEPT, OLD_ALARMED)
        if far == "event-in-2019"
        else calendar(KEPT).replace(b"END:VCAL", f"{TASK}END:VCAL".encode())
    )
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == []


# --- unfinished components -----------------------------------------------------------


def test_a_stray_end_is_invalid_without_a_title_or_uid():
    fetched = read(calendar(KEPT).replace(b"BEGIN:VEVENT", b"END:VEVENT\nBEGIN:VEVENT"))
    assert fetched.invalid == [InvalidEvent("test.ics", "(no title)", "", "stray END:VEVENT at line 4")]
    assert [e.title for e in fetched.events] == ["Kept"]


def test_an_unfinished_event_without_a_summary_has_no_title():
    unfinished = b"BEGIN:VEVENT\nUID:half@test\nDTSTART:20260303T150000Z\n"
    fetched = read(calendar(KEPT).replace(b"END:VCALENDAR", unfinished + b"END:VCALENDAR"))
    # Lines 1-3 the calendar's, 4-9 the kept event, 10 the unfinished BEGIN:VEVENT.
    assert fetched.invalid == [
        InvalidEvent(
            "test.ics", "(no title)", "half@test", "unfinished VEVENT: BEGIN:VEVENT at line 10 has no END:VEVENT"
        )
    ]


def test_an_unfinished_event_with_invalid_utf8_is_still_named():
    unfinished = b"BEGIN:VEVENT\nUID:half@test\nDTSTART:20260303T150000Z\nSUMMARY:Caf\xe9 \n"
    fetched = read(calendar(KEPT).replace(b"END:VCALENDAR", unfinished + b"END:VCALENDAR"))
    # The bad byte becomes U+FFFD; the title ends where its line's text does.
    assert [(i.title, i.uid) for i in fetched.invalid] == [("Caf\ufffd", "half@test")]


# --- recurrence rules ----------------------------------------------------------------


@pytest.mark.parametrize("rule", ["RRULE:FREQ=DAILY;INTERVAL=0", "RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY;INTERVAL=0"])
def test_a_rule_with_interval_zero_is_invalid_not_expanded_forever(rule):
    fetched = read(calendar(KEPT, f"UID:zero@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\n{rule}"))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert [(i.uid, i.reason) for i in fetched.invalid] == [
        ("zero@test", "invalid RRULE (INTERVAL must be a positive integer, not 0)")
    ]


@pytest.mark.parametrize(("count", "read_as"), [("-1", "-1"), ("0", "0")])
def test_a_rule_with_a_count_below_one_says_so(count, read_as):
    # dateutil refused COUNT=-1 saying "UNTIL parameter is missing".
    fetched = read(
        calendar(KEPT, f"UID:c@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=DAILY;COUNT={count}")
    )
    assert [e.title for e in fetched.events] == ["Kept"]
    assert [(i.uid, i.reason) for i in fetched.invalid] == [
        ("c@test", f"invalid RRULE (COUNT must be a positive integer, not {read_as})")
    ]


def test_an_event_with_two_rrules_has_the_instances_of_both():
    # RFC 2445 allowed several RRULE lines (RFC 5545 advises one): Mondays and Wednesdays.
    rules = "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2\nRRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2"
    fetched = read(calendar(f"UID:t@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\n{rules}"))
    assert (fetched.invalid, sorted(e.start.day for e in fetched.events)) == ([], [2, 4, 9, 11])


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_whatever_breaks_reading_a_series_costs_that_series_only(monkeypatch, prefilter):
    # The last guard of read_series, for a failure no check foresaw (here made up).
    def broken(component, until, owner):
        if ics._text(component, "UID") == "b@test":
            raise RuntimeError("made-up failure")
        return None

    monkeypatch.setattr(ics, "_problem", broken)
    raw = calendar(KEPT, "UID:b@test\nSUMMARY:Broken\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent("test.ics", "Broken", "b@test", "made-up failure")]


def test_unrelated_events_sharing_one_uid_are_each_read_once():
    # Some exports reuse a UID: each further master is a series of its own, read once.
    same = "UID:same@test\nSUMMARY:{}\nDTSTART:202603{}T150000Z\nDTEND:202603{}T160000Z"
    daily = same.format("Standup", "02", "02") + "\nRRULE:FREQ=DAILY;COUNT=2"
    fetched = read(calendar(daily, same.format("Lunch", "05", "05"), same.format("Review", "06", "06")))
    assert [(e.title, e.start.day) for e in fetched.events] == [
        ("Standup", 2),
        ("Standup", 3),
        ("Lunch", 5),
        ("Review", 6),
    ]


def test_a_rule_with_a_count_of_one_is_one_instance():
    fetched = read(calendar("UID:c@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=DAILY;COUNT=1"))
    assert (fetched.invalid, [e.start.day for e in fetched.events]) == ([], [2])


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        # dateutil said "rrule.__init__() missing 1 required positional argument: 'freq'"
        ("COUNT=3", "FREQ is missing"),
        # the rule read as text: "string indices must be integers, not 'str'"
        ("FREQ=FORTNIGHTLY;COUNT=3", "Expected frequency, got: FORTNIGHTLY"),
        ("FREQ=DAILY;COUNT=x", "Expected int, got: x"),
    ],
)
def test_a_rule_icalendar_cannot_read_says_why(rule, reason):
    fetched = read(
        calendar(KEPT, f"UID:r@test\nSUMMARY:Odd\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nRRULE:{rule}")
    )
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent("test.ics", "Odd", "r@test", f"invalid RRULE ({reason})")]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # icalendar drops a line whose parameters it cannot split, and keeps the event:
        # without its DTEND it lasted 0 h, without RRULE it happened once, without EXDATE
        # the excluded day counted, and without DTSTART it was said to have none.
        (
            'DTEND;TZID="America/New_York:20260303T120000',
            "unreadable DTEND line ('TZID=\"America/New_York:20260303T120000' is not a valid parameter string: "
            '"America/New_York:20260303T120000)',
        ),
        (
            "RRULE;X:FREQ=DAILY;COUNT=3",
            "unreadable RRULE line ('X' is not a valid parameter string: not enough values to unpack "
            "(expected 2, got 1))",
        ),
        # Without its ATTENDEE line the owner's DECLINED was lost and the meeting counted.
        (
            "ATTENDEE;PARTSTAT=DECLINED;RSVP:mailto:cto@weave.example",
            "unreadable ATTENDEE line ('RSVP' is not a valid parameter string: not enough values to unpack "
            "(expected 2, got 1))",
        ),
        # An apostrophe in the line (a name such as O'Brien) hid the drop: counted, silently.
        (
            "ATTENDEE;CN=Pat O'Brien;PARTSTAT=DECLINED;RSVP:mailto:cto@weave.example",
            "unreadable ATTENDEE line ('RSVP' is not a valid parameter string: not enough values to unpack "
            "(expected 2, got 1))",
        ),
        # Without its SUMMARY it was "(no title)", unclassified, with no word why.
        (
            "SUMMARY;X-FOO:Standup",
            "unreadable SUMMARY line ('X-FOO' is not a valid parameter string: not enough values to unpack "
            "(expected 2, got 1))",
        ),
    ],
    ids=["dtend", "rrule", "attendee", "apostrophe", "summary"],
)
def test_an_event_whose_audited_line_icalendar_dropped_is_unreadable(line, reason, prefilter):
    summary = "" if line.startswith("SUMMARY") else "SUMMARY:Dropped\n"
    event = f"UID:d@test\n{summary}DTSTART;TZID=America/New_York:20260303T100000\nDURATION:PT1H\n{line}"
    fetched = parse_calendar(calendar(KEPT, event), "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    title = "(no title)" if line.startswith("SUMMARY") else "Dropped"
    assert fetched.invalid == [InvalidEvent("test.ics", title, "d@test", reason)]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        # recurring-ical-events called each of these "UNTIL parameter is missing"; dateutil's words.
        ("FREQ=DAILY;BYSETPOS=0", "bysetpos must be between 1 and 366, or between -366 and -1: FREQ=DAILY;BYSETPOS=0"),
        ("FREQ=DAILY;BYSECOND=61", "second must be in 0..59: FREQ=DAILY;BYSECOND=61"),
        ("RSCALE=HEBREW;FREQ=DAILY", "unknown parameter 'RSCALE': RSCALE=HEBREW;FREQ=DAILY"),  # RFC 7529
        # dateutil takes BYMONTHDAY=0 as no restriction: a monthly meeting came out 31
        # times in March. Beyond the range it means never: only DTSTART's instance was left.
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0: RFC 5545 allows 1 to 31 or -31 to -1"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,0", "BYMONTHDAY=1,0: RFC 5545 allows 1 to 31 or -31 to -1"),
        ("FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3", "BYMONTHDAY=32: RFC 5545 allows 1 to 31 or -31 to -1"),
        ("FREQ=YEARLY;BYYEARDAY=0", "BYYEARDAY=0: RFC 5545 allows 1 to 366 or -366 to -1"),
        ("FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367: RFC 5545 allows 1 to 366 or -366 to -1"),
        ("FREQ=YEARLY;BYWEEKNO=0", "BYWEEKNO=0: RFC 5545 allows 1 to 53 or -53 to -1"),
        ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54: RFC 5545 allows 1 to 53 or -53 to -1"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13: RFC 5545 allows 1 to 12"),
        ("FREQ=YEARLY;BYMONTH=0;COUNT=2", "BYMONTH=0: RFC 5545 allows 1 to 12"),
    ],
)
def test_a_rule_refused_says_why(rule, reason):
    event = f"UID:r@test\nSUMMARY:Odd\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nRRULE:{rule}"
    fetched = read(calendar(KEPT, event))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent("test.ics", "Odd", "r@test", f"invalid RRULE ({reason})")]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYMONTHDAY=-31",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=1",
        "FREQ=YEARLY;BYMONTH=12",
    ],
)
def test_the_ends_of_the_rfcs_ranges_are_read(rule):
    event = f"UID:r@test\nSUMMARY:Odd\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nRRULE:{rule}"
    assert read(calendar(KEPT, event)).invalid == []


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
@pytest.mark.parametrize(
    ("event", "dropped"),
    [
        # Weekly since 2020: five Mondays in March. Without its RRULE it was one day in 2020.
        ("DTSTART:20200302T150000Z\nDTEND:20200302T160000Z\nRRULE;X-A:FREQ=WEEKLY", "RRULE"),
        # 20 February to 5 March. Without its DTEND it was an instant on 20 February.
        ("DTSTART:20260220T150000Z\nDTEND;X-FOO:20260305T150000Z", "DTEND"),
    ],
    ids=["rrule", "dtend"],
)
def test_an_event_begun_before_the_period_whose_time_line_was_dropped_is_still_reported(event, dropped, prefilter):
    # Its dates, read without the dropped line, put it far from the month, so it was
    # skipped without a word: where it lies is unknown, so it is reported wherever it is.
    raw = calendar(KEPT, f"UID:early@test\nSUMMARY:Early\n{event}")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    [invalid] = fetched.invalid
    assert (invalid.title, invalid.reason.startswith(f"unreadable {dropped} line ('X-")) == ("Early", True)


def test_the_reason_of_a_dropped_line_is_cut_at_150_characters():
    # icalendar quotes the whole parameter: a 202-character one would fill the warning.
    raw = calendar(KEPT, f"UID:d@test\nSUMMARY;X-{'A' * 200}:Standup\nDTSTART:20260303T150000Z\nDURATION:PT1H")
    [invalid] = read(raw).invalid
    assert invalid.reason == f"unreadable SUMMARY line ('X-{'A' * 147})"  # the quote, X-, 147 of the A's


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_an_event_whose_dtstart_line_was_dropped_is_reported(prefilter):
    # No start at all once the line is gone: nothing to place it by, so it is reported.
    raw = calendar(KEPT, "UID:x@test\nSUMMARY:No start\nDTSTART;X-A:20260303T150000Z\nDTEND:20260303T160000Z")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    [invalid] = fetched.invalid
    assert (invalid.title, invalid.reason.startswith("unreadable DTSTART line ('X-A'")) == ("No start", True)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_dropped_attendee_line_of_someone_else_leaves_the_meeting_read(prefilter):
    # ical-generator wrote CN="John "JD" Doe" (nested quotes), which icalendar cannot split:
    # the meeting loses him, not its hour, as the owner's answer is not in that line.
    event = (
        "UID:g@test\nSUMMARY:Sync\nDTSTART:20260303T150000Z\nDURATION:PT1H\n"
        'ORGANIZER;CN="John "JD" Doe":mailto:jd@weave.example\n'
        'ATTENDEE;CN="John "JD" Doe";PARTSTAT=ACCEPTED:mailto:jd@weave.example\n'
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:CTO@weave.example"
    )
    fetched = parse_calendar(calendar(event), "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert fetched.invalid == []
    assert [(e.title, e.end - e.start, e.response, e.attendees) for e in fetched.events] == [
        ("Sync", timedelta(hours=1), Response.ACCEPTED, (Attendee("cto@weave.example"),))
    ]


@pytest.mark.parametrize(
    ("written", "owner"),
    [("Straße@weave.example", "strasse@weave.example"), ("ju\u0308rgen@weave.example", "j\u00fcrgen@weave.example")],
    ids=["sharp-s", "decomposed"],
)
def test_attendee_addresses_are_compared_as_rules_yaml_compares_them(written, owner):
    # rules.yaml folds addresses (NFC, case-folded); calendars' were only lower-cased, so
    # the owner's DECLINED in these went unseen and the meeting counted.
    event = f"UID:f@test\nSUMMARY:Sync\nDTSTART:20260303T150000Z\nDURATION:PT1H\nATTENDEE;PARTSTAT=DECLINED:{written}"
    [read] = parse_calendar(calendar(event), "test.ics", MARCH, frozenset({owner}), NY).events
    assert (read.response, read.attendees) == (Response.DECLINED, (Attendee(owner),))


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_dropped_line_of_a_property_the_audit_does_not_read_loses_nothing(prefilter):
    # An X- property (or a DESCRIPTION no rule reads, which the pre-filter never parses)
    # is no reason to skip the meeting: 1 h, as written.
    event = "UID:x@test\nSUMMARY:Kept too\nDTSTART:20260303T150000Z\nDURATION:PT1H\nX-APP;Y:whatever"
    fetched = parse_calendar(calendar(KEPT, event), "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert fetched.invalid == []
    assert [(e.title, e.end - e.start) for e in fetched.events] == [
        ("Kept", timedelta(hours=1)),
        ("Kept too", timedelta(hours=1)),
    ]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_fine_grained_rule_that_ends_early_is_read_not_refused_for_its_steps(prefilter):
    # The step limit counted steps to the end of the period, ignoring COUNT and UNTIL:
    # an hourly series of 8 begun in 2000 (227,000 hourly steps to 2026) and a secondly
    # one of 5 minutes in the period were both skipped as unreadable.
    old = "UID:h@test\nDTSTART:20000103T090000Z\nDTEND:20000103T093000Z\nRRULE:FREQ=HOURLY;COUNT=8"
    ticks = "UID:s@test\nDTSTART:20260303T100000Z\nDTEND:20260303T100001Z\nRRULE:FREQ=SECONDLY;UNTIL=20260303T100459Z"
    counted = "UID:c@test\nDTSTART:20260304T100000Z\nDTEND:20260304T100001Z\nRRULE:FREQ=SECONDLY;COUNT=300"
    fetched = parse_calendar(calendar(KEPT, old, ticks, counted), "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert fetched.invalid == []
    assert sorted(Counter(e.uid for e in fetched.events).items()) == [
        ("c@test", 300),
        ("kept@test", 1),
        ("s@test", 300),
    ]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=SECONDLY;COUNT=300000", "FREQ=SECONDLY;BYHOUR=9;COUNT=5", "FREQ=SECONDLY;UNTIL=20260401T000000Z"],
)
def test_a_rule_whose_steps_stay_many_is_still_refused(rule):
    # COUNT bounds the steps only without BYxxx parts (BYHOUR=9 skips the other hours step by step).
    fetched = read(calendar(KEPT, f"UID:r@test\nDTSTART:20010101T000000Z\nDTEND:20010101T000001Z\nRRULE:{rule}"))
    assert [(i.uid, i.reason.startswith("RRULE would need ")) for i in fetched.invalid] == [("r@test", True)]


@pytest.mark.parametrize(
    ("attendee", "response"),
    [
        ("ATTENDEE:mailto:cto@weave.example", Response.NEEDS_ACTION),  # RFC 5545's default PARTSTAT
        ("ATTENDEE;PARTSTAT=X-WAITING:mailto:cto@weave.example", Response.NEEDS_ACTION),  # unknown: not answered
        ("ATTENDEE;PARTSTAT=accepted:mailto:cto@weave.example", Response.ACCEPTED),
        ("ATTENDEE;PARTSTAT=DECLINED:mailto:ana@weave.example", None),  # not the owner's answer
        # EMAIL (RFC 7986) stands in only for an address that is not one (urn:uuid:...)
        ("ATTENDEE;PARTSTAT=DECLINED;EMAIL=cto@weave.example:mailto:ana@weave.example", None),
        ("ATTENDEE;PARTSTAT=DECLINED;EMAIL=ana@weave.example:mailto:cto@weave.example", Response.DECLINED),
    ],
)
def test_the_owners_answer_is_read_from_their_partstat(attendee, response):
    # None means the owner is not among the attendees, which the owner warning counts.
    [event] = read(calendar(f"UID:m@test\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\n{attendee}")).events
    assert event.response is response


# --- encodings -----------------------------------------------------------------------


def test_a_calendar_with_a_utf16_byte_order_mark_and_bad_data_names_the_encoding_and_offset():
    text = calendar(KEPT).decode()
    raw = codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"\x00"  # one byte left over: half a character
    with pytest.raises(SourceError) as raised:
        read(raw)
    offset = 2 + 2 * len(text)  # the mark, then two bytes a character
    assert str(raised.value) == f"test.ics: not valid UTF-16 (bad data at offset {offset}); export it again as UTF-8"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        (b"BEG\r\n IN:VCALENDAR\r\nEND:VCALENDAR\r\n", True),  # the first line
        (b"BEGIN:VCALENDAR\r\nRECURRENCE-\r\n ID:20260302\r\n", True),
        (b"BEGIN:VCALENDAR\nDTST\n\tART:20260302\n", True),  # LF alone, a tab
        (b"BEGIN:VCALENDAR\r\nSUMMARY:a\r\n b\r\nX-A;B=\r\n C:1\r\n", False),  # folds after the name
        (b"BEGIN:VCALENDAR\r\nSUMMARY\r\nEND:VCALENDAR\r\n", False),  # no continuation
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEV\r\n ENT\r\n", True),  # inside a component's name
        (b"BEGIN:VCALENDAR\r\nend:\r\n\tVEVENT\r\n", True),
        (b"BEGIN:VCALENDAR\r\nX-BEGIN:VEV\r\n ENT\r\n", False),  # a property's value
    ],
)
def test_a_fold_inside_a_property_name_is_found_anywhere_in_the_file(raw, folded):
    assert ics._folded_name(raw) is folded


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_slimming_changes_no_title_on_either_path(prefilter):
    # A DTSTAMP broken inside its quotes: the title is what it was before alarms and
    # unread properties were dropped. A continuation line after END:VALARM is part of that
    # line, as RFC 5545 unfolds it ("END:VALARMup"), which leaves the alarm unfinished:
    # the event is unreadable on both paths, named in a warning, not read as "Stand up".
    quoted = 'UID:q@test\nDTSTAMP;X-NAME="Ana\nSUMMARY:Interview":20260101T000000Z\nSUMMARY:Standup\n'
    quoted += "DTSTART:20260302T150000Z\nDTEND:20260302T160000Z"
    alarm = "UID:c@test\nSUMMARY:Stand\nBEGIN:VALARM\nTRIGGER:-PT5M\nEND:VALARM\n up\n"
    alarm += "DTSTART:20260303T150000Z\nDTEND:20260303T160000Z"
    fetched = parse_calendar(calendar(quoted, alarm), "test.ics", MARCH, OWNER, NY, prefilter)
    assert [e.title for e in fetched.events] == ["Standup"]
    assert [(i.title, i.uid) for i in fetched.invalid] == [("Stand", "c@test")]
    assert fetched.invalid[0].reason.startswith("unbalanced BEGIN/END lines inside the VEVENT")


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            "ATTENDEE;CN=Person 1;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:p@x.test",
            "ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED:mailto:p@x.test",
        ),
        # An unquoted colon ends the parameters, for icalendar as here: the value stays whole.
        ("ORGANIZER;CN=Dana;SENT-BY=mailto:e@x.example:mailto:d@x.example", "ORGANIZER:e@x.example:mailto:d@x.example"),
        ("ORGANIZER;CN=Dana:mailto:d@x.example", "ORGANIZER:mailto:d@x.example"),
        (
            "attendee;partstat=tentative;x-num-guests=0;email=a@b.example:urn:uuid:1",
            "attendee;partstat=tentative;email=a@b.example:urn:uuid:1",
        ),
        ('ATTENDEE;CN="Doe; J";PARTSTAT=DECLINED:mailto:j@x.example', None),  # quoted: untouched
        ("ATTENDEE;CN=Jos^'e;PARTSTAT=DECLINED:mailto:j@x.example", None),  # an escape: untouched
        # icalendar reads a backslash as an escape (CN is "Boss:x"): untouched.
        ("ATTENDEE;CN=Boss\\:x;PARTSTAT=DECLINED:mailto:j@x.example", None),
        ("ATTENDEE;CN=Room\\;1;CUTYPE=ROOM:mailto:r@x.example", None),
        ("ATTENDEE:mailto:a@b.example", None),
        ("X-ATTENDEE;CN=a:mailto:x.example", None),
        ("ATTENDEES;CN=a:mailto:x.example", None),
        ("DESCRIPTION;X=1:ATTENDEE;CN=a:mailto:x", None),
    ],
)
def test_people_keep_only_the_parameters_calaudit_reads(line, kept):
    assert ics._fewer_parameters(f"{line}\r\n") == f"{kept or line}\r\n"


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_what_is_read_of_people_survives_the_dropped_parameters(prefilter):
    people = (
        "ORGANIZER;CN=Dana;X-A=1:mailto:dana@acme.example\n"
        "ATTENDEE;CN=CTO;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;RSVP=TRUE:mailto:cto@weave.example\n"
        "ATTENDEE;CN=Board room;CUTYPE=ROOM;ROLE=NON-PARTICIPANT:mailto:board@weave.example\n"
        "ATTENDEE;CN=Ana;EMAIL=ana@acme.example;X-NUM-GUESTS=0:urn:uuid:1"
    )
    raw = calendar(f"UID:p@test\nSUMMARY:Board\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\n{people}")
    (event,) = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter).events
    assert event.organizer == "dana@acme.example"
    assert event.response is Response.DECLINED
    assert [(a.email, a.is_resource) for a in event.attendees] == [
        ("cto@weave.example", False),
        ("board@weave.example", True),
        ("ana@acme.example", False),
    ]


# --- values read as they are written -------------------------------------------------


def test_an_ordinary_event_is_read_whole_with_google_s_default_event_type():
    # Event.event_type speaks Google's vocabulary: without Outlook's OOF an event is "default".
    fetched = read(calendar("UID:plain@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Plain"))
    utc = ZoneInfo("UTC")
    assert fetched.events == [
        Event(
            uid="plain@test",
            title="Plain",
            start=datetime(2026, 3, 2, 15, tzinfo=utc),
            end=datetime(2026, 3, 2, 16, tzinfo=utc),
            calendar="test.ics",
            event_type="default",
        )
    ]


def test_a_floating_start_with_an_end_in_a_time_zone_is_read_in_that_zone():
    # 10:00 floating to 11:00 New York: one hour, not an event whose times cannot be compared.
    fetched = read(
        calendar("UID:mixed@test\nDTSTART:20260302T100000\nDTEND;TZID=America/New_York:20260302T110000\nSUMMARY:Mixed")
    )
    assert fetched.invalid == []
    assert [(e.start, e.end) for e in fetched.events] == [
        (datetime(2026, 3, 2, 10, tzinfo=NY), datetime(2026, 3, 2, 11, tzinfo=NY))
    ]


def test_a_start_that_is_a_place_not_a_time_is_quoted_in_the_reason():
    # VALUE=GEO makes icalendar read a latitude and longitude, which it writes back as text.
    fetched = read(calendar("UID:geo@test\nDTSTART;VALUE=GEO:40.7;-74.0\nSUMMARY:Somewhere", KEPT))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [
        InvalidEvent("test.ics", "Somewhere", "geo@test", "DTSTART is not a date or time: '40.7;-74.0' (VALUE=GEO)")
    ]


@pytest.mark.parametrize("key", ["DTSTART", "DTEND", "RECURRENCE-ID"])
def test_a_time_of_day_without_a_date_is_named_with_what_was_written(key):
    # icalendar raised "'vTime' object has no attribute 'upper'", which was the reason given.
    start = "" if key == "DTSTART" else "DTSTART:20260303T150000Z\n"
    fetched = read(calendar(KEPT, f"UID:t@test\nSUMMARY:Teatime\n{start}{key};VALUE=TIME:100000"))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [
        InvalidEvent("test.ics", "Teatime", "t@test", f"{key} is not a date or time: '100000' (VALUE=TIME)")
    ]


def test_a_duration_given_as_a_time_of_day_is_named_with_what_was_written():
    fetched = read(calendar(KEPT, "UID:t@test\nSUMMARY:Teatime\nDTSTART:20260303T150000Z\nDURATION;VALUE=TIME:010000"))
    reason = "DURATION is not a length of time such as PT1H: '010000' (VALUE=TIME)"
    assert fetched.invalid == [InvalidEvent("test.ics", "Teatime", "t@test", reason)]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
@pytest.mark.parametrize(
    ("times", "hours"),
    [
        # 10:00 floating is 10:00 in New York (EST until 8 March), 15:00Z; to 16:00Z: 1 h.
        # It was read as 10:00Z, the end's zone: 6 h.
        ("DTSTART:20260303T100000\nDTEND:20260303T160000Z", 1.0),
        ("DTSTART;TZID=:20260303T100000\nDTEND:20260303T160000Z", 1.0),  # an empty TZID is none
        # Weekly: 1 h (elapsed) on the five Tuesdays of March; it was 30 h.
        ("DTSTART:20260303T100000\nDTEND:20260303T160000Z\nRRULE:FREQ=WEEKLY", 5.0),
        # 15:00Z to 11:00 floating, 16:00Z: 1 h; it was "DTEND is before DTSTART".
        ("DTSTART:20260303T150000Z\nDTEND:20260303T110000", 1.0),
    ],
)
def test_a_floating_time_beside_a_zoned_one_is_read_in_the_calendars_zone(times, hours, prefilter):
    raw = calendar(KEPT, f"UID:f@test\nSUMMARY:Float\n{times}")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter=prefilter)
    assert fetched.invalid == []
    assert sum((e.end - e.start).total_seconds() / 3600 for e in fetched.events if e.title == "Float") == hours


def test_a_start_in_an_unknown_zone_beside_a_zoned_end_is_reported_not_taken_as_floating():
    raw = calendar(KEPT, "UID:m@test\nSUMMARY:Mars\nDTSTART;TZID=Mars/Olympus:20260303T100000\nDTEND:20260303T160000Z")
    fetched = read(raw)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [
        InvalidEvent("test.ics", "Mars", "m@test", "unknown time zone 'Mars/Olympus' in DTSTART")
    ]


@pytest.mark.parametrize("start", ["DTSTART:20260303T100000", "DTSTART;TZID=:20260303T100000"])
def test_a_floating_time_beside_a_zoned_one_is_read_in_x_wr_timezone_when_given(start):
    # 10:00 in Berlin is 09:00Z; to 16:00Z: 7 h. With an empty TZID (which x-wr-timezone
    # leaves as it is) it was read in New York: 1 h.
    raw = calendar(
        KEPT, f"UID:f@test\nSUMMARY:Float\n{start}\nDTEND:20260303T160000Z", header="X-WR-TIMEZONE:Europe/Berlin\n"
    )
    [event] = [e for e in read(raw).events if e.title == "Float"]
    assert (event.start.isoformat(), event.end - event.start) == ("2026-03-03T10:00:00+01:00", timedelta(hours=7))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # Python's "'<' not supported between instances of 'datetime.datetime' and 'datetime.time'"
        ("RDATE;VALUE=TIME:130000", "RDATE is not a date or time: '130000' (VALUE=TIME)"),
        ("EXDATE;VALUE=TIME:130000", "EXDATE is not a date or time: '130000' (VALUE=TIME)"),  # was ignored
        # icalendar's "Cannot access 'dts' on broken property 'EXDATE' (expected 'vDDDLists'): ..."
        ("EXDATE:banana", "EXDATE is not a date or time: 'banana'"),
        ("RDATE:banana", "RDATE is not a date or time: 'banana'"),
    ],
)
def test_an_rdate_or_exdate_that_is_no_date_is_named_with_what_was_written(line, reason):
    # The series cannot be counted without knowing which instances it adds or removes.
    event = f"UID:s@test\nSUMMARY:Weekly\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nRRULE:FREQ=WEEKLY\n{line}"
    fetched = read(calendar(KEPT, event))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent("test.ics", "Weekly", "s@test", reason)]


def test_a_series_of_rdates_alone_is_recurring():
    # No RRULE: DTSTART and RDATE make the series (costly series count it).
    event = "UID:r@test\nSUMMARY:Extra\nDTSTART:20260303T150000Z\nDURATION:PT1H\nRDATE:20260305T150000Z"
    fetched = read(calendar(KEPT, event))
    assert [(e.title, e.start.day, e.recurring) for e in fetched.events] == [
        ("Kept", 2, False),
        ("Extra", 3, True),
        ("Extra", 5, True),
    ]


def test_the_reason_of_a_dropped_line_holding_quote_colon_is_icalendars_not_the_lines_rest():
    # icalendar writes "…parts: '<line>': <reason>"; the line here holds "': " itself.
    raw = calendar(KEPT, "UID:d@test\nSUMMARY;X-FOO:Plan': review\nDTSTART:20260303T150000Z\nDURATION:PT1H")
    reason = (
        "unreadable SUMMARY line ('X-FOO' is not a valid parameter string: "
        "not enough values to unpack (expected 2, got 1))"
    )
    assert read(raw).invalid == [InvalidEvent("test.ics", "(no title)", "d@test", reason)]


def test_rdate_periods_and_exdate_lists_are_read():
    # Five Tuesdays at 15:00Z, 1 h; EXDATE removes 10, 17 and 24 March (two lines);
    # RDATE adds a period of 2 h on 5 March: 2 + 2 = 4 h.
    event = (
        "UID:s@test\nSUMMARY:Weekly\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nRRULE:FREQ=WEEKLY\n"
        "EXDATE:20260310T150000Z,20260317T150000Z\nEXDATE:20260324T150000Z\nRDATE;VALUE=PERIOD:20260305T130000Z/PT2H"
    )
    fetched = read(calendar(KEPT, event))
    assert fetched.invalid == []
    assert sum((e.end - e.start).total_seconds() / 3600 for e in fetched.events if e.title == "Weekly") == 4.0


def test_a_nul_byte_in_a_title_becomes_a_replacement_character():
    fetched = read(calendar(KEPT, "UID:n@test\nSUMMARY:Null\x00Title\nDTSTART:20260303T150000Z\nDURATION:PT1H"))
    assert [e.title for e in fetched.events] == ["Kept", "Null\ufffdTitle"]
    assert fetched.warnings == ["test.ics: 1 NUL byte(s) in the calendar's text were replaced"]


def test_a_byte_order_mark_is_dropped_from_a_file_that_is_not_valid_utf8():
    # Latin-1 "é" (0xE9) after a UTF-8 byte order mark: read with the mark left out.
    raw = b"\xef\xbb\xbf" + calendar(KEPT, "UID:b@test\nSUMMARY:Cafe\nDTSTART:20260303T150000Z\nDURATION:PT1H")
    fetched = read(raw.replace(b"Cafe", b"Caf\xe9"))
    assert [e.title for e in fetched.events] == ["Kept", "Caf\ufffd"]
    assert fetched.warnings[0].startswith("test.ics: not valid UTF-8 (first bad byte at offset ")


def test_a_byte_that_is_not_utf8_in_a_dropped_parameter_is_still_reported():
    raw = calendar(
        "UID:l@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nATTENDEE;CN=M\xfcller:mailto:a@x.example"
    )
    fetched = read(raw.replace("M\xfcller".encode(), b"M\xfcller"))
    assert len(fetched.events) == 1
    # Offset: the header 16 + 12 + 16, BEGIN:VEVENT 13, UID 11, DTSTART 25, DTEND 23, "ATTENDEE;CN=M" 13.
    assert fetched.warnings == [
        "test.ics: not valid UTF-8 (first bad byte at offset 129 of what was read); unreadable characters were replaced"
    ]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_an_unread_name_after_a_break_inside_quotes_is_not_dropped(prefilter):
    # The second half of ATTENDEE;CN="Ana<break>Created: by Bob";PARTSTAT=DECLINED:...
    # starts like a CREATED line; it is part of the attendee, whose decline counts.
    broken = 'ATTENDEE;CN="Ana\nCreated: by Bob";PARTSTAT=DECLINED:mailto:cto@weave.example'
    raw = calendar(f"UID:q@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\n{broken}")
    (event,) = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter).events
    assert event.response is Response.DECLINED


def test_a_fold_inside_a_name_in_a_file_of_cr_line_ends_is_read_alike_on_both_paths():
    # A weekly standup whose 12 March instance moved to June: RECURRENCE-ID is folded
    # inside its name, and every line ends in CR alone (old Mac exports). Mondays and
    # Thursdays from 2 March, 8 of them: the 12th moved to June leaves 7 in March.
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:s@test", "SUMMARY:Standup",
        "DTSTART:20260302T150000Z", "DTEND:20260302T160000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8", "END:VEVENT",
        "BEGIN:VEVENT", "UID:s@test", "SUMMARY:Standup", "RECURRENCE-", " ID:20260312T150000Z",
        "DTSTART:20260611T150000Z", "DTEND:20260611T160000Z", "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    raw = "\r".join(lines).encode() + b"\r"
    starts = {
        prefilter: [e.start.day for e in parse_calendar(raw, "t.ics", MARCH, OWNER, NY, prefilter).events]
        for prefilter in (True, False)
    }
    assert starts == {True: [2, 5, 9, 16, 19, 23, 26], False: [2, 5, 9, 16, 19, 23, 26]}


ZONE_BROKEN = (
    "BEGIN:VTIMEZONE\nTZID:Office\nBEGIN:STANDARD\nDTSTART:soon\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
    "END:STANDARD\nEND:VTIMEZONE\n"
)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_an_unreadable_time_zone_and_an_unreadable_event_of_the_period_are_reported_on_both_paths(prefilter):
    # The pre-filter keeps every VTIMEZONE and the events that may touch March, so both
    # paths report these two; the kept event is read.
    broken = ALARMED.replace("alarmed@test", "march@test")
    raw = calendar(KEPT, broken, header=ZONE_BROKEN)
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [
        InvalidEvent("test.ics", "(no title)", "", "Expected datetime, date, or time. Got: 'soon'"),
        InvalidEvent("test.ics", "Alarmed", "march@test", "Expected datetime, date, or time. Got: 'soon'"),
    ]


HOURS = ",".join(str(h) for h in range(24))
MINUTES = ",".join(str(m) for m in range(60))


@pytest.mark.parametrize(
    ("rule", "steps"),
    [
        # 2020-01-01 to the end of the query window, 3 April 2026: 2,284 days.
        (f"FREQ=DAILY;BYHOUR={HOURS};BYMINUTE={MINUTES};BYSECOND={MINUTES}", 2284 * 86400),
        (f"FREQ=WEEKLY;BYDAY=MO;BYHOUR={HOURS};BYMINUTE={MINUTES}", 2284 * 1440),  # at most every day
        (f"FREQ=HOURLY;INTERVAL=2;BYMINUTE={MINUTES}", 2284 * 12 * 60),
        # BYHOUR of an hourly rule picks among its hours; it does not multiply them.
        (f"FREQ=HOURLY;BYHOUR={HOURS};BYMINUTE={MINUTES}", 2284 * 24 * 60),
    ],
)
def test_a_rule_made_finer_by_byhour_byminute_or_bysecond_is_skipped_before_it_runs_for_hours(rule, steps):
    fetched = read(calendar(KEPT, f"UID:spam@test\nSUMMARY:Spam\nDTSTART:20200101T000000Z\nRRULE:{rule}"))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [
        InvalidEvent(
            "test.ics", "Spam", "spam@test", f"RRULE would need {steps:,} steps from DTSTART to the end of the period"
        )
    ]


def test_a_weekly_rule_takes_few_steps_however_old_it_is():
    # Begun in 1450, over 210,000 days before the period: read, as a weekly rule with no BYHOUR,
    # BYMINUTE or BYSECOND has one instance a week. Tuesdays in March 2026: 3, 10, 17, 24, 31.
    rule = "DTSTART:14500305T150000Z\nDTEND:14500305T160000Z\nRRULE:FREQ=WEEKLY"
    fetched = read(calendar(KEPT, f"UID:old@test\nSUMMARY:Old\n{rule}"))
    assert [e.start.day for e in fetched.events if e.title == "Old"] == [3, 10, 17, 24, 31]
    assert fetched.invalid == []


def test_a_weekly_rule_made_finer_by_two_hours_counts_two_steps_a_day():
    # 5 January 1750 to the end of the query window, 3 April 2026: 100,895 days, at most
    # two instances (BYHOUR=9,10) each: 201,790 steps, over the 200,000 allowed.
    rule = "DTSTART:17500105T150000Z\nDTEND:17500105T160000Z\nRRULE:FREQ=WEEKLY;BYHOUR=9,10"
    fetched = read(calendar(KEPT, f"UID:old@test\nSUMMARY:Old\n{rule}"))
    assert [e.title for e in fetched.events] == ["Kept"]
    reason = "RRULE would need 201,790 steps from DTSTART to the end of the period"
    assert fetched.invalid == [InvalidEvent("test.ics", "Old", "old@test", reason)]


@pytest.mark.parametrize(("count", "refused"), [(10, False), (11, True)])
def test_a_rule_of_exactly_the_most_steps_allowed_is_read(monkeypatch, count, refused):
    # The bound is inclusive: with 10 steps allowed, a minutely COUNT=10 (10 half-minutes
    # from 3 March 15:00) is read and COUNT=11 is not.
    monkeypatch.setattr(ics, "MAX_RULE_STEPS", 10)
    rule = f"DTSTART:20260303T150000Z\nDTEND:20260303T150030Z\nRRULE:FREQ=MINUTELY;COUNT={count}"
    fetched = read(calendar(KEPT, f"UID:m@test\nSUMMARY:Minutes\n{rule}"))
    reason = f"RRULE would need {count} steps from DTSTART to the end of the period"
    assert fetched.invalid == ([InvalidEvent("test.ics", "Minutes", "m@test", reason)] if refused else [])
    assert sum(e.title == "Minutes" for e in fetched.events) == (0 if refused else 10)


@pytest.mark.parametrize(
    ("times", "hours"),
    [
        ("DTSTART:20260303T150000Z\nDURATION:PT0S", 0.0),  # an instant: read, 0 h, not "negative"
        ("DTSTART;VALUE=DATE:20260303\nDURATION:P1D", 24.0),  # one whole day
        ("DTSTART;VALUE=DATE:20260303\nDURATION:P3D", 72.0),  # three whole days
    ],
)
def test_a_zero_or_whole_day_duration_is_read(times, hours):
    fetched = read(calendar(KEPT, f"UID:d@test\nSUMMARY:Span\n{times}"))
    assert fetched.invalid == []
    [span] = [e for e in fetched.events if e.title == "Span"]
    assert (span.end - span.start).total_seconds() / 3600 == hours


def test_an_until_given_as_a_date_bounds_the_steps_from_its_midnight():
    # RFC 5545 wants UNTIL of DTSTART's kind, but some files mix them: UNTIL=20260304 is
    # 4 March 00:00, so from 1 March 12:00 the secondly rule takes 2.5 days of steps.
    rule = "DTSTART:20260301T120000Z\nDTEND:20260301T120001Z\nRRULE:FREQ=SECONDLY;UNTIL=20260304"
    fetched = read(calendar(KEPT, f"UID:spam@test\nSUMMARY:Spam\n{rule}"))
    assert [e.title for e in fetched.events] == ["Kept"]
    steps = 2 * 86400 + 12 * 3600
    assert fetched.invalid == [
        InvalidEvent(
            "test.ics", "Spam", "spam@test", f"RRULE would need {steps:,} steps from DTSTART to the end of the period"
        )
    ]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_rule_with_both_count_and_until_is_named_and_ends_at_the_first(prefilter):
    # dateutil warned "Using both 'count' and 'until' is inconsistent with RFC 5545 and has
    # been deprecated in dateutil", naming no event. Daily from 2 March at 15:00 UTC:
    # COUNT=3 ends first (2-4 March); UNTIL 5 March ends first over COUNT=30 (2-4 March).
    times = "DTSTART:20260302T150000Z\nDTEND:20260302T153000Z"
    both = "UID:{uid}@test\nSUMMARY:{title}\n" + times + "\nRRULE:FREQ=DAILY;{rule}"
    early = both.replace("2026", "2019").format(uid="old", title="Old", rule="COUNT=2;UNTIL=20190310T000000Z")
    fetched = parse_calendar(
        calendar(
            both.format(uid="c", title="Counted", rule="COUNT=3;UNTIL=20260331T000000Z"),
            both.format(uid="u", title="Until", rule="COUNT=30;UNTIL=20260305T000000Z"),
            both.format(uid="x", title="Excluded", rule="COUNT=3\nEXRULE:FREQ=DAILY;COUNT=1;UNTIL=20260331T000000Z"),
            early,  # far from March: not read, not named
        ),
        "test.ics",
        MARCH,
        OWNER,
        NY,
        prefilter=prefilter,
    )
    assert sorted(Counter(e.uid for e in fetched.events).items()) == [("c@test", 3), ("u@test", 3), ("x@test", 2)]
    assert fetched.warnings == [
        f"test.ics: '{title}' (UID {uid}@test): a rule gives both COUNT and UNTIL, which RFC 5545 forbids; "
        "it was read as ending at whichever comes first"
        for title, uid in (("Counted", "c"), ("Until", "u"), ("Excluded", "x"))
    ]


def test_a_daily_rule_at_two_hours_since_2020_is_read():
    # 2,284 days x 2 = 4,568 steps: far below the limit. March has 31 x 2 instances.
    event = (
        "UID:twice@test\nSUMMARY:Twice\nDTSTART:20200101T150000Z\nDTEND:20200101T151500Z\nRRULE:FREQ=DAILY;BYHOUR=15,19"
    )
    fetched = read(calendar(event))
    assert len([e for e in fetched.events if e.start.month == 3]) == 62 and fetched.invalid == []


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_series_without_uid_is_not_joined_by_an_override_whose_uid_looks_like_its_key(prefilter):
    # Events without UID were grouped under "#<index>", which a real UID can be: the moved
    # instance of series "#1" replaced an instance of the second event, a series without UID.
    moved = "UID:#1\nRECURRENCE-ID:20260302T150000Z\nSUMMARY:Moved\nDTSTART:20260302T180000Z\nDTEND:20260302T190000Z"
    daily = "SUMMARY:Daily\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=DAILY;COUNT=2"
    fetched = parse_calendar(calendar(moved, daily), "test.ics", MARCH, OWNER, NY, prefilter)
    assert sorted((e.title, e.start.astimezone(UTC).hour, e.start.day) for e in fetched.events) == [
        ("Daily", 15, 2),
        ("Daily", 15, 3),
        ("Moved", 18, 2),
    ]


# Full run, batch 1


@pytest.mark.parametrize("key", ["DTSTART", "DTEND", "DURATION"])
def test_a_start_end_or_duration_given_twice_is_invalid_saying_so(key):
    # RFC 5545 allows each once. Two of them were reported as "DTSTART is not a date or
    # time: ''" (the pair has no single value to quote) or "'list' object has no attribute 'dt'".
    times = {"DTSTART": "20260303T150000Z", "DTEND": "20260303T160000Z", "DURATION": "PT1H"}
    lines = [
        f"{name}:{value}" for name, value in times.items() if name != ("DTEND" if key == "DURATION" else "DURATION")
    ]
    lines.append(f"{key}:{times[key].replace('03T', '04T')}")
    fetched = read(calendar(KEPT, "UID:twice@test\nSUMMARY:Twice\n" + "\n".join(lines)))
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent("test.ics", "Twice", "twice@test", f"{key} is given more than once")]


def test_a_calendar_with_a_utf16_byte_order_mark_is_reported_under_its_file_name(tmp_path):
    path = tmp_path / "outlook.ics"
    path.write_bytes(
        codecs.BOM_UTF16_LE + calendar(KEPT, "UID:nostart@test\nSUMMARY:Lost").decode().encode("utf-16-le")
    )
    fetched = IcsSource(str(path), OWNER, NY).fetch(MARCH)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == [InvalidEvent(str(path), "Lost", "nostart@test", "it has no DTSTART")]


def test_a_file_gone_between_its_check_and_its_read_is_an_error_naming_it(tmp_path, monkeypatch):
    # A sync tool replacing the file can remove it after calaudit has checked it.
    path = tmp_path / "work.ics"
    path.write_bytes(calendar(KEPT))
    inspect = ics._inspect_file

    def inspect_then_remove(checked: Path, location: str) -> tuple[str, bytes]:
        found = inspect(checked, location)
        checked.unlink()
        return found

    monkeypatch.setattr(ics, "_inspect_file", inspect_then_remove)
    with pytest.raises(SourceError) as raised:
        IcsSource(str(path), OWNER, NY).fetch(MARCH)
    assert str(raised.value) == f"{path}: cannot read calendar file: No such file or directory"


def test_a_path_that_cannot_be_resolved_is_an_error_naming_it(tmp_path):
    loop = tmp_path / "loop.ics"
    loop.symlink_to(loop)  # neither missing nor a directory: another OSError
    with pytest.raises(SourceError) as raised:
        IcsSource(str(loop), OWNER, NY).fetch(MARCH)
    assert str(raised.value) == f"{loop}: cannot read calendar file: Too many levels of symbolic links"


DESCRIBED = (
    "UID:d@test\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Review\nDESCRIPTION:Notes\nLOCATION:Room 1"
)


def test_a_zip_member_is_read_without_the_fields_left_unread(tmp_path):
    # The class's contract: fields in ``unread`` are left empty, whichever way the file comes.
    location = _zip(tmp_path / "export.zip", {"work.ics": calendar(DESCRIBED)})

    def texts(unread: set[str]) -> list[tuple[str, str, str]]:
        return [
            (e.title, e.description, e.location)
            for e in IcsSource(location, OWNER, NY, unread=unread).fetch(MARCH).events
        ]

    assert texts(set()) == [("Review", "Notes", "Room 1")]
    assert texts({"description"}) == [("Review", "", "Room 1")]
    assert texts({"description", "location"}) == [("Review", "", "")]


def test_fields_left_unread_are_named_in_order_when_refused():
    with pytest.raises(ValueError) as raised:
        IcsSource("work.ics", OWNER, NY, unread={"title", "attendees", "description"})
    assert str(raised.value) == "only description, location can be left unread, not attendees, title"


def test_two_files_with_the_same_content_keep_their_own_names_in_the_cache(tmp_path):
    # The file's name labels its events (no X-WR-CALNAME here): a copy is another calendar.
    cache = EventCache(tmp_path / "cache")
    first, second = tmp_path / "alice.ics", tmp_path / "bob.ics"
    for path in (first, second):
        path.write_bytes(calendar(KEPT))
    assert [e.calendar for e in IcsSource(str(first), OWNER, NY, cache=cache).fetch(MARCH).events] == [str(first)]
    assert [e.calendar for e in IcsSource(str(second), OWNER, NY, cache=cache).fetch(MARCH).events] == [str(second)]


def test_a_file_read_for_another_reporting_zone_is_not_answered_from_the_cache(tmp_path):
    # DECLINED starts at a floating 10:00, placed in the reporting zone.
    path = tmp_path / "work.ics"
    path.write_bytes(calendar(DECLINED))
    cache = EventCache(tmp_path / "cache")
    starts = [
        [e.start.isoformat() for e in IcsSource(str(path), OWNER, zone, cache=cache).fetch(MARCH).events]
        for zone in (NY, ZoneInfo("Europe/Berlin"))
    ]
    assert starts == [["2026-03-02T10:00:00-05:00"], ["2026-03-02T10:00:00+01:00"]]


def test_a_text_file_that_is_no_calendar_is_named_by_its_start_even_with_a_nul_deep_inside(tmp_path):
    # Only the first 64 KiB are looked at: a log with a NUL byte far in is not "binary data".
    path = tmp_path / "notes.ics"
    path.write_bytes(b"Meeting notes\n" * 5000 + b"\x00")  # 70,000 bytes of text first
    with pytest.raises(SourceError) as raised:
        IcsSource(str(path), OWNER, NY).fetch(MARCH)
    assert str(raised.value) == f"{path}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)"


@pytest.mark.parametrize(("folds", "read"), [(24, True), (25, False)])
def test_begin_vcalendar_is_looked_for_in_the_first_64_bytes_unfolded(tmp_path, folds, read):
    # BEGIN:VCALENDAR folded before its last letter by LF and a space, 24 times (ending at
    # byte 63) or 25 (at byte 65): the check reads no further than 64 bytes of a first line.
    head = b"BEGIN:VCALENDA" + b"\n " * folds + b"R\n"
    path = tmp_path / "folded.ics"
    path.write_bytes(head + calendar(KEPT).split(b"\n", 1)[1])
    if read:
        assert [e.title for e in IcsSource(str(path), OWNER, NY).fetch(MARCH).events] == ["Kept"]
    else:
        with pytest.raises(SourceError, match="not an iCalendar file"):
            IcsSource(str(path), OWNER, NY).fetch(MARCH)


def test_a_cached_file_changed_only_after_its_first_64_kib_is_read_again(tmp_path):
    # The cache is keyed by the whole content: an event renamed at the end must show.
    long = DESCRIBED.replace("DESCRIPTION:Notes", "DESCRIPTION:" + "n" * 70_000)
    path = tmp_path / "work.ics"
    path.write_bytes(calendar(long, KEPT))
    assert path.stat().st_size > 70_000
    source = IcsSource(str(path), OWNER, NY, cache=EventCache(tmp_path / "cache"))
    assert [e.title for e in source.fetch(MARCH).events] == ["Review", "Kept"]
    path.write_bytes(calendar(long, KEPT.replace("SUMMARY:Kept", "SUMMARY:Moved")))
    assert [e.title for e in source.fetch(MARCH).events] == ["Review", "Moved"]


def _unfinished(event: bytes) -> bytes:
    """The calendar of KEPT with ``event`` left without its END:VEVENT at the end (line 10)."""
    return calendar(KEPT).replace(b"END:VCALENDAR", event + b"END:VCALENDAR")


UNFINISHED = "unfinished VEVENT: BEGIN:VEVENT at line 10 has no END:VEVENT"


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_an_unfinished_event_far_from_the_period_is_not_reported(prefilter):
    # Its own dates (2019) put it far from March 2026, as for an event that was finished.
    raw = _unfinished(b"BEGIN:VEVENT\nUID:old@test\nDTSTART:20190303T150000Z\nSUMMARY:Old\n")
    fetched = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == []


def test_an_unfinished_event_is_named_by_its_own_summary_not_its_alarm_s():
    # An e-mail alarm has a SUMMARY of its own (the mail's subject), here before the event's.
    alarm = b"BEGIN:VALARM\nACTION:EMAIL\nSUMMARY:Reminder\nTRIGGER:-PT15M\nEND:VALARM\n"
    raw = _unfinished(b"BEGIN:VEVENT\nUID:half@test\nDTSTART:20260303T150000Z\n" + alarm + b"SUMMARY:Board\n")
    assert read(raw).invalid == [InvalidEvent("test.ics", "Board", "half@test", UNFINISHED)]


@pytest.mark.parametrize(
    ("summary", "title"),
    [
        (b"SUMMARY:Caf\xe9", "Caf\ufffd"),  # Latin-1: the bad byte is replaced
        (b"SUMMARY;LANGUAGE:Caf\xe9", "(no title)"),  # a parameter without a value: no title to read
    ],
)
def test_an_unfinished_event_icalendar_cannot_read_is_named_from_its_lines(summary, title):
    # Its alarm's TRIGGER is no duration or time, so even the event as far as it goes
    # cannot be read; its title and UID come from its lines.
    alarm = b"BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:soon\nEND:VALARM\n"
    raw = _unfinished(b"BEGIN:VEVENT\nUID:bad@test\nDTSTART:20260303T150000Z\n" + summary + b"\n" + alarm)
    assert read(raw).invalid == [InvalidEvent("test.ics", title, "bad@test", UNFINISHED)]


def test_dtend_before_dtstart_is_judged_by_the_instant_whatever_the_zones():
    # 10:00 New York is 15:00Z; 15:30 Berlin is 14:30Z: the end comes first, though its
    # wall clock reads later. A floating end takes the start's zone: 11:00 New York, 1 h.
    ny = "DTSTART;TZID=America/New_York:20260303T100000"
    fetched = read(
        calendar(
            f"UID:b@test\nSUMMARY:Berlin end\n{ny}\nDTEND;TZID=Europe/Berlin:20260303T153000",
            f"UID:f@test\nSUMMARY:Floating end\n{ny}\nDTEND:20260303T110000",
        )
    )
    assert fetched.invalid == [InvalidEvent("test.ics", "Berlin end", "b@test", "DTEND is before DTSTART")]
    [event] = fetched.events
    assert (event.title, event.start.astimezone(UTC).hour, event.end.astimezone(UTC).hour) == ("Floating end", 15, 16)


WEEKLY_SINCE_2019 = (
    "UID:w@test\nSUMMARY:Weekly\nDTSTART:20190107T150000Z\nDTEND:20190107T160000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO"
)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_broken_this_and_future_override_from_years_ago_is_reported(prefilter):
    # It moves every Monday from 14 January 2019 on, March 2026's too; its end is before
    # its start, so it is invalid and the Mondays keep their planned 15:00-16:00 (UTC).
    override = (
        "UID:w@test\nSUMMARY:Weekly, later\nRECURRENCE-ID;RANGE=THISANDFUTURE:20190114T150000Z\n"
        "DTSTART:20190114T170000Z\nDTEND:20190114T160000Z"
    )
    fetched = parse_calendar(calendar(WEEKLY_SINCE_2019, override), "test.ics", MARCH, OWNER, NY, prefilter)
    assert fetched.invalid == [InvalidEvent("test.ics", "Weekly, later", "w@test", "DTEND is before DTSTART")]
    march = [e for e in fetched.events if e.start.month == 3 and e.start.year == 2026]
    assert [(e.start.day, e.start.astimezone(UTC).hour) for e in march] == [
        (2, 15),
        (9, 15),
        (16, 15),
        (23, 15),
        (30, 15),
    ]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_broken_event_whose_two_rules_both_ended_years_ago_is_not_reported(prefilter):
    # RFC 2445 allowed several RRULEs; both end in 2019, far from March 2026.
    rules = "RRULE:FREQ=DAILY;UNTIL=20190110T000000Z\nRRULE:FREQ=WEEKLY;UNTIL=20190301T000000Z"
    broken = f"UID:old@test\nSUMMARY:Old\nDTSTART:20190107T150000Z\nDTEND:20190107T140000Z\n{rules}"
    fetched = parse_calendar(calendar(KEPT, broken), "test.ics", MARCH, OWNER, NY, prefilter)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert fetched.invalid == []
