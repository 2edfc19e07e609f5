"""The .ics source: files, URLs, what is an error and what is only a warning."""

from __future__ import annotations

import base64
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from calaudit.audit import audit
from calaudit.errors import SourceError
from calaudit.models import Response
from calaudit.period import parse_period
from calaudit.sources import download, ics
from calaudit.sources.download import retry_after
from calaudit.sources.ics import IcsSource, parse_calendar, redact_url
from tests.helpers import DATA, ICS, NOW, audit_fixture, fetch, fixture_rules

NY = ZoneInfo("America/New_York")
MARCH = parse_period("2026-03", NY, NOW)
OWNER = frozenset({"cto@weave.example"})


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{header}{body}END:VCALENDAR\n".encode()


def events_of(raw: bytes):
    return parse_calendar(raw, "test.ics", MARCH, OWNER, NY)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.ics", "truncated iCalendar file"),
        ("binary.ics", "binary data"),
        ("not-a-calendar.ics", "does not start with BEGIN:VCALENDAR"),
    ],
)
def test_files_that_are_not_calendars_are_errors(name, message):
    path = DATA / "bad" / name
    with pytest.raises(SourceError, match=message) as info:
        IcsSource(str(path), OWNER, NY).fetch(MARCH)
    assert str(path) in str(info.value)


def test_missing_file_and_directory():
    with pytest.raises(SourceError, match="calendar file not found"):
        IcsSource(str(ICS / "nope.ics"), OWNER, NY).fetch(MARCH)
    with pytest.raises(SourceError, match="is a directory"):
        IcsSource(str(ICS), OWNER, NY).fetch(MARCH)


def test_reading_a_file_reports_the_bytes_read_up_to_the_whole_file(tmp_path):
    todo = "BEGIN:VTODO\nX-PAD:" + "x" * 5_000_000 + "\nEND:VTODO\n"  # more than one chunk, never parsed
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z", header=todo))
    size, reports = path.stat().st_size, []
    fetched = IcsSource(str(path), OWNER, NY).fetch(MARCH, lambda done, total: reports.append((done, total)))
    assert len(fetched.events) == 1
    assert len(reports) > 2 and reports[-1] == (size, size)
    assert all(total == size for _, total in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_invalid_utf8_is_a_warning_and_the_calendar_is_still_read():
    raw = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Caf\xe9".replace("\xe9", "?"))
    raw = raw.replace(b"Caf?", b"Caf\xe9")
    fetched = events_of(raw)
    assert [e.title for e in fetched.events] == ["Caf\ufffd"]
    assert "not valid UTF-8" in fetched.warnings[0]


def test_owner_response_organizer_and_resources():
    raw = calendar(
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Review\n"
        "ORGANIZER:mailto:Ana@Weave.Example\n"
        "ATTENDEE;CUTYPE=ROOM:mailto:room-4@weave.example\n"
        "ATTENDEE;PARTSTAT=TENTATIVE;EMAIL=cto@weave.example:urn:uuid:1234\n",
        "UID:b\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:Mine\n"
        "ORGANIZER:mailto:cto@weave.example\nATTENDEE:mailto:bo@weave.example\n",
    )
    review, mine = events_of(raw).events
    assert review.organizer == "ana@weave.example"
    assert review.response is Response.TENTATIVE
    assert [(a.email, a.is_resource) for a in review.attendees] == [
        ("room-4@weave.example", True),
        ("cto@weave.example", False),
    ]
    assert mine.response is Response.ACCEPTED


def test_outlook_busy_status_free_and_out_of_office():
    raw = calendar(
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Maybe\nX-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "UID:b\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:Away\nX-MICROSOFT-CDO-BUSYSTATUS:OOF",
    )
    free, away = events_of(raw).events
    assert free.transparent and not away.transparent
    assert away.event_type == "outOfOffice"


def test_cancelled_series_marks_every_instance():
    raw = calendar(
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "STATUS:CANCELLED\nSUMMARY:Old sync"
    )
    assert [e.cancelled for e in events_of(raw).events] == [True, True, True]


def test_unbounded_rule_expands_only_around_the_period():
    raw = calendar("UID:a\nDTSTART:20200101T150000Z\nDTEND:20200101T151500Z\nRRULE:FREQ=DAILY\nSUMMARY:Daily")
    events = events_of(raw).events
    assert 31 <= len(events) <= 31 + 4  # the query window has a margin; the auditor clips


def test_broken_events_far_outside_the_period_are_not_reported():
    raw = calendar(
        "UID:old\nDTSTART:20190302T150000Z\nDTEND:20190302T140000Z\nSUMMARY:Old and backwards",
        "UID:new\nDTSTART:20260302T150000Z\nDTEND:20260302T140000Z\nSUMMARY:New and backwards",
    )
    assert [i.title for i in events_of(raw).invalid] == ["New and backwards"]


def test_several_vcalendars_in_one_file_and_the_calendar_name():
    one = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:A", header="X-WR-CALNAME:Team\n")
    two = calendar("UID:b\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:B")
    events = events_of(one + two).events
    assert [(e.title, e.calendar) for e in events] == [("A", "Team"), ("B", "test.ics")]


def test_multi_day_all_day_event_and_missing_dtend():
    raw = calendar(
        "UID:a\nDTSTART;VALUE=DATE:20260330\nDTEND;VALUE=DATE:20260403\nSUMMARY:Conference",
        "UID:b\nDTSTART;VALUE=DATE:20260305\nSUMMARY:Holiday",
        "UID:c\nDTSTART;VALUE=DATE:20260310\nDTEND;VALUE=DATE:20260310\nSUMMARY:Offsite",  # ends as it starts
        "UID:d\nDTSTART;VALUE=DATE:20260318\nDURATION:PT1H\nSUMMARY:Odd",  # was an hour's meeting at midnight
    )
    fetched = events_of(raw)
    assert [(i.title, i.reason) for i in fetched.invalid] == [
        ("Odd", "DURATION is not whole days, but DTSTART is a date (an all-day event)")
    ]
    conference, holiday, offsite = fetched.events
    assert conference.all_day and (conference.start_date.day, conference.end_date.day) == (30, 3)
    assert (holiday.start_date.day, holiday.end_date.day) == (5, 6)
    assert (offsite.start_date.day, offsite.end_date.day) == (10, 11)  # a whole day, like no DTEND
    assert conference.start.isoformat() == "2026-03-30T00:00:00-04:00"


class _Server:
    def __init__(self, routes: dict[str, tuple[int, bytes]]) -> None:
        routes_ = routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = routes_.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", "text/calendar")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def server() -> Iterator[_Server]:
    body = (ICS / "overlap.ics").read_bytes()
    s = _Server({"/calendar/ical/cto%40weave.example/private-s3cr3t/basic.ics": (200, body)})
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_url_source_reads_the_calendar(server):
    url = f"{server.url}/calendar/ical/cto%40weave.example/private-s3cr3t/basic.ics"
    source = IcsSource(url, OWNER, NY)
    assert [e.title for e in source.fetch(MARCH).events] == ["Customer call", "Interview", "Standup"]
    assert "s3cr3t" not in source.name


@pytest.fixture
def guarded() -> Iterator[tuple[str, list[str | None]]]:
    """A loopback server that serves a calendar to user cto with password p@ss:w/rd only."""
    seen: list[str | None] = []
    body = (ICS / "overlap.ics").read_bytes()
    expected = "Basic " + base64.b64encode(b"cto:p@ss:w/rd").decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/moved?to="):  # a redirect, relative or absolute
                self.send_response(302)
                self.send_header("Location", self.path.removeprefix("/moved?to="))
                self.end_headers()
                return
            seen.append(self.headers.get("Authorization"))
            ok = self.headers.get("Authorization") == expected
            self.send_response(200 if ok else 401)
            self.end_headers()
            self.wfile.write(body if ok else b"who are you?")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()
    httpd.server_close()


def test_a_url_with_a_user_and_password_is_read_with_basic_authentication(guarded):
    # Nextcloud and Radicale exports are such URLs; urllib took "cto:p%40ss...@127.0.0.1"
    # for the host name and failed as "Name or service not known".
    host, seen = guarded
    source = IcsSource(f"http://cto:p%40ss%3Aw%2Frd@{host}/remote.php/dav/calendars/cto/work?export", OWNER, NY)
    assert [e.title for e in source.fetch(MARCH).events] == ["Customer call", "Interview", "Standup"]
    assert seen == ["Basic " + base64.b64encode(b"cto:p@ss:w/rd").decode()]
    assert "p%40ss" not in source.name and "cto:" not in source.name


def test_a_redirect_on_the_same_host_keeps_the_urls_credentials_and_one_elsewhere_does_not(guarded):
    host, seen = guarded
    same = IcsSource(f"http://cto:p%40ss%3Aw%2Frd@{host}/moved?to=/work.ics", OWNER, NY)
    assert len(same.fetch(MARCH).events) == 3
    # "localhost" is another host name for the same server: the credentials stay behind.
    port = host.rpartition(":")[2]
    away = IcsSource(f"http://cto:p%40ss%3Aw%2Frd@{host}/moved?to=http://localhost:{port}/work.ics", OWNER, NY)
    with pytest.raises(SourceError) as info:
        away.fetch(MARCH)
    assert seen == ["Basic " + base64.b64encode(b"cto:p@ss:w/rd").decode(), None]
    assert str(info.value) == (
        "http://127.0.0.1/…/moved: HTTP 401 Unauthorized; a redirect led to another host, which is not sent the "
        "URL's user name and password"
    )


def test_a_refused_password_in_a_url_is_said_so_and_never_shown(guarded):
    host, _ = guarded
    with pytest.raises(SourceError) as info:
        IcsSource(f"http://cto:wrong-s3cr3t@{host}/remote.php/dav/calendars/cto/work?export", OWNER, NY).fetch(MARCH)
    assert str(info.value) == (
        "http://127.0.0.1/…/work: HTTP 401 Unauthorized; the user name or password in the URL was refused"
    )


def test_url_errors_name_the_host_but_never_the_secret(server):
    url = f"{server.url}/calendar/ical/cto%40weave.example/private-0ld-s3cr3t/basic.ics"
    with pytest.raises(SourceError, match="HTTP 404") as info:
        IcsSource(url, OWNER, NY).fetch(MARCH)
    assert "s3cr3t" not in str(info.value)
    assert "secret address may have been reset" in str(info.value)


def test_unreachable_url_is_a_source_error():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="cannot download calendar"):
        IcsSource(f"http://127.0.0.1:{port}/cal.ics", OWNER, NY).fetch(MARCH)


def test_redact_url():
    assert redact_url("https://calendar.google.com/calendar/ical/a%40b/private-xyz/basic.ics?k=1") == (
        "https://calendar.google.com/…/basic.ics"
    )


def test_sub_daily_rules_that_would_take_minutes_are_skipped_not_expanded():
    raw = calendar(
        "UID:s\nDTSTART:20010101T000000Z\nDTEND:20010101T000001Z\nRRULE:FREQ=SECONDLY\nSUMMARY:Every second",
        "UID:h\nDTSTART:20260301T000000Z\nDTEND:20260301T001000Z\nRRULE:FREQ=HOURLY;COUNT=3\nSUMMARY:Hourly",
    )
    fetched = events_of(raw)
    assert [e.title for e in fetched.events] == ["Hourly"] * 3
    assert [i.title for i in fetched.invalid] == ["Every second"]
    assert "steps from DTSTART" in fetched.invalid[0].reason


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("DTSTART:20260302T100000Z", "DTEND;VALUE=DATE:20260303", "DTSTART is a date-time but DTEND is a date"),
        ("DTSTART;VALUE=DATE:20260302", "DTEND:20260303T100000Z", "DTSTART is a date but DTEND is a date-time"),
    ],
    ids=["time-then-date", "date-then-time"],
)
def test_a_start_and_end_of_different_kinds_are_invalid_saying_which_is_which(start, end, reason):
    fetched = events_of(calendar(f"UID:k\n{start}\n{end}\nSUMMARY:Mixed"))
    assert (fetched.events, [i.reason for i in fetched.invalid]) == ([], [reason])


def test_negative_duration_is_invalid():
    raw = calendar("UID:n\nDTSTART:20260302T100000Z\nDURATION:-PT1H\nSUMMARY:Backwards")
    assert [i.reason for i in events_of(raw).invalid] == ["DURATION is negative"]


@pytest.mark.parametrize(
    "written",
    ["pt2h", "20260302T120000Z", "P2H", "20260302T120000Z/PT2H"],
    ids=["lower-case", "a-date-time", "hours-without-T", "a-period"],
)
def test_a_duration_that_is_no_length_of_time_is_invalid_saying_so(written):
    # Each was skipped with a Python error from deep in the expansion ("'datetime.datetime'
    # object has no attribute 'seconds'", "Cannot access 'dt' on broken property ...").
    value = f"DURATION;VALUE=PERIOD:{written}" if "/" in written else f"DURATION:{written}"
    raw = calendar(
        f"UID:n\nDTSTART:20260302T100000Z\n{value}\nSUMMARY:Odd",
        "UID:k\nDTSTART:20260303T100000Z\nDURATION:PT2H\nSUMMARY:Kept",
    )
    fetched = events_of(raw)
    assert [(e.title, e.end - e.start) for e in fetched.events] == [("Kept", timedelta(hours=2))]
    given = " (VALUE=PERIOD)" if "/" in written else ""
    assert [i.reason for i in fetched.invalid] == [f"DURATION is not a length of time such as PT1H: {written!r}{given}"]


def test_dtend_wins_over_a_duration_given_with_it():
    # RFC 5545 allows one of the two; given both, the end is DTEND's (as recurring-ical-events
    # and Google read it): 10:00-11:00, not the three hours DURATION says.
    raw = calendar("UID:b\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nDURATION:PT3H\nSUMMARY:Both")
    assert [e.end - e.start for e in events_of(raw).events] == [timedelta(hours=1)]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c"])
def test_a_title_holding_a_unicode_line_separator_stays_one_title_when_a_stray_line_is_dropped(separator):
    # A stray line sends the file down the lenient path, which split lines with
    # str.splitlines: the title's "RRULE:FREQ=DAILY;COUNT=20" became the event's rule, 20
    # instances for one 1-h meeting. One instance, 1 h, its title kept whole.
    raw = calendar(
        f"UID:a\nDTSTART:20260302T140000Z\nDTEND:20260302T150000Z\nSUMMARY:Standup{separator}RRULE:FREQ=DAILY;COUNT=20",
        "UID:b\nDTSTART:20260303T140000Z\nDTEND:20260303T160000Z\nSUMMARY:Review",
    ).replace(b"END:VEVENT\n", b"END:VEVENT\njunk\n", 1)
    fetched = events_of(raw)
    assert fetched.warnings == ["test.ics: ignored 1 malformed line(s), the first 'junk'"]
    assert [(e.title.startswith("Standup"), e.title.endswith("COUNT=20"), e.end - e.start) for e in fetched.events] == [
        (True, True, timedelta(hours=1)),
        (False, False, timedelta(hours=2)),
    ]


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"], ids=["crlf", "cr", "lf"])
def test_the_lenient_path_reads_every_line_ending_and_a_last_line_without_one(ending):
    raw = calendar("UID:a\nDTSTART:20260302T140000Z\nDTEND:20260302T150000Z\nSUMMARY:Kept")
    raw = raw.replace(b"END:VEVENT\n", b"END:VEVENT\njunk\n").rstrip(b"\n").replace(b"\n", ending.encode())
    fetched = events_of(raw)
    assert fetched.warnings == ["test.ics: ignored 1 malformed line(s), the first 'junk'"]
    assert [(e.title, e.end - e.start) for e in fetched.events] == [("Kept", timedelta(hours=1))]


def test_a_stray_line_between_events_is_dropped_with_a_warning():
    raw = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Kept").replace(
        b"END:VEVENT\n", b"END:VEVENT\nX\n"
    )
    fetched = events_of(raw)
    assert [e.title for e in fetched.events] == ["Kept"]
    assert "ignored 1 malformed line(s)" in fetched.warnings[0] and "'X'" in fetched.warnings[0]


def test_values_that_are_not_dates_make_the_event_unreadable():
    raw = calendar("UID:t\nDTSTART:INVALID-DATE\nDTEND:ALSO-INVALID\nSUMMARY:Test")
    assert [i.reason for i in events_of(raw).invalid] == ["DTSTART is not a date or time: 'INVALID-DATE'"]


def test_library_warnings_become_calaudit_warnings_naming_the_calendar(recwarn):
    raw = calendar(
        "UID:g\nDTSTART;TZID=/mozilla.org/20070129_1/America/New_York:20260302T100000\n"
        "DTEND;TZID=/mozilla.org/20070129_1/America/New_York:20260302T110000\nSUMMARY:Guessed zone"
    )
    fetched = events_of(raw)
    assert fetched.events[0].start.utcoffset().total_seconds() == -5 * 3600
    assert any(w.startswith("test.ics: ") and "America/New_York" in w for w in fetched.warnings)
    assert len(recwarn) == 0


class _FlakyServer:
    """Answers each GET with the next planned (status, headers, body, cut) in turn."""

    def __init__(self, plan):
        self.plan, self.hits = list(plan), 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body, cut = server.plan[min(server.hits, len(server.plan) - 1)]
                server.hits += 1
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if cut else body)
                if cut:
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/private-t0ken/basic.ics"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


GOOD = (ICS / "overlap.ics").read_bytes()


@pytest.mark.parametrize(
    "first",
    [
        (503, {}, b"busy", False),
        (429, {"Retry-After": "0"}, b"slow down", False),
        (200, {}, GOOD, True),  # the connection drops half-way through the body
    ],
    ids=["503", "429", "cut"],
)
def test_transient_failures_are_retried(first):
    server = _FlakyServer([first, (200, {}, GOOD, False)])
    try:
        events = IcsSource(server.url, OWNER, NY, retry_delays=(0, 0)).fetch(MARCH).events
    finally:
        server.close()
    assert len(events) == 3
    assert server.hits == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        ("Sun, 29 Nov 2026 10:00:20 GMT", 20.0),
        ("Sun, 29 Nov 2026 09:59:00 GMT", 0.0),
        ("later", 0.0),
        ("²", 0.0),
        ("1.5", 0.0),
        ("-5", 0.0),
        ("Fri, 31 Dec 99999999999999999999 23:59:59 GMT", 0.0),
    ],
    ids=[
        "seconds",
        "http-date",
        "a-date-gone-by",
        "unreadable",
        "superscript-two",
        "fraction",
        "negative",
        "year-overflow",
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header, expected):
    assert retry_after(header, now=datetime(2026, 11, 29, 10, 0, tzinfo=UTC)) == expected


def test_an_ical_url_s_retry_after_is_waited_for_up_to_30_seconds(monkeypatch):
    # Retry delays of 0 s: the waits are what the server asked for, the second one capped.
    waits: list[float] = []
    monkeypatch.setattr(download, "sleep", waits.append)
    server = _FlakyServer(
        [(429, {"Retry-After": "5"}, b"", False), (503, {"Retry-After": "86400"}, b"", False), (200, {}, GOOD, False)]
    )
    try:
        events = IcsSource(server.url, OWNER, NY, retry_delays=(0, 0)).fetch(MARCH).events
    finally:
        server.close()
    assert len(events) == 3
    assert waits == [5.0, 30.0]


def test_a_retry_after_past_the_deadline_gives_up_at_once_saying_so(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(download, "sleep", waits.append)
    server = _FlakyServer([(503, {"Retry-After": "20"}, b"", False), (200, {}, GOOD, False)])
    try:
        with pytest.raises(SourceError) as info:
            IcsSource(server.url, OWNER, NY, retry_delays=(0, 0), timeout=10).fetch(MARCH)
    finally:
        server.close()
    assert waits == []
    assert server.hits == 1
    assert str(info.value) == (
        "http://127.0.0.1/…/basic.ics: HTTP 503 Service Unavailable (after 1 attempt; the next would wait 20 s, "
        "past the 10 s deadline); try again later or raise --timeout"
    )


def test_retries_are_bounded_and_never_report_partial_data():
    server = _FlakyServer([(200, {}, GOOD, True)])
    try:
        with pytest.raises(SourceError, match=r"download interrupted .* \(after 3 attempts\)") as info:
            IcsSource(server.url, OWNER, NY, retry_delays=(0, 0)).fetch(MARCH)
    finally:
        server.close()
    assert server.hits == 3
    assert "t0ken" not in str(info.value)


def test_debug_output_never_shows_the_secret_address():
    from click.testing import CliRunner

    from calaudit.cli import main

    server = _FlakyServer([(404, {}, b"gone", False)])
    try:
        result = CliRunner().invoke(
            main, ["--debug", "audit", "--ics", server.url, "--rules", str(DATA / "rules.yaml"), "--no-cache"]
        )
    finally:
        server.close()
    assert result.exit_code == 3
    assert "Traceback" in result.output
    assert "t0ken" not in result.output


def test_a_guessed_zone_warns_on_every_read():
    # icalendar warns the first time it guesses a zone and caches the guess for the process:
    # a report re-reading the calendar for its trend, or a second calendar, would lose it.
    raw = calendar(
        "UID:g\nDTSTART;TZID=/mozilla.org/20070129_1/America/Chicago:20260302T100000\n"
        "DTEND;TZID=/mozilla.org/20070129_1/America/Chicago:20260302T110000\nSUMMARY:Guessed zone"
    )
    first, second = events_of(raw), events_of(raw)
    assert any("America/Chicago" in w for w in first.warnings)
    assert any("America/Chicago" in w for w in second.warnings)


def test_calendars_joined_in_one_file_are_each_read_by_their_own_zone_definition():
    # cat a.ics b.ics: the same two calendars as above, in one file.
    event = (
        "UID:{uid}\nDTSTART;TZID=Customized Time Zone:20260302T100000\n"
        "DTEND;TZID=Customized Time Zone:20260302T110000\nSUMMARY:Office hour"
    )
    plus_two = calendar(event.format(uid="p"), header=_office_zone("+0200"))
    minus_five = calendar(event.format(uid="m"), header=_office_zone("-0500"))
    for joined, expected in ((plus_two + minus_five, [8, 15]), (minus_five + plus_two, [15, 8])):
        assert [e.start.astimezone(UTC).hour for e in events_of(joined).events] == expected
        # Old Mac line ends, CR alone.
        assert [e.start.astimezone(UTC).hour for e in events_of(joined.replace(b"\n", b"\r")).events] == expected


def test_control_characters_from_a_calendar_never_reach_the_terminal(tmp_path):
    # An invitation's title with ESC ] 52 (a clipboard write in many terminals) and ESC [ 2J
    # (clear the screen), in an event that counts, one that cannot be read and the calendar's
    # name: every command prints U+FFFD where each control character was.
    from click.testing import CliRunner

    from calaudit.cli import main

    path = tmp_path / "sneaky.ics"
    path.write_bytes(
        calendar(
            "UID:s1\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Coffee \x1b]52;c;cm0K\x07 chat",
            "UID:s2\nDTSTART:20260303T150000Z\nDTEND:20260303T140000Z\nSUMMARY:Backwards \x1b[2J",
            header="X-WR-CALNAME:Team\x1b]0;pwned\x07\n",
        )
    )
    rules = str(DATA / "rules.yaml")
    for command in (["audit"], ["explain"], ["rules", "suggest"], ["audit", "--format", "md"]):
        result = CliRunner().invoke(main, [*command, "--ics", str(path), "--rules", rules, "--period", "2026-03"])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        if command != ["rules", "suggest"]:  # (markdown writes "]" as "\]")
            assert "Coffee \ufffd" in result.output and "cm0K\ufffd chat" in result.output
        assert "skipped unreadable event 'Backwards \ufffd[2J' (UID s2)" in result.output


def test_a_cut_calendar_joined_after_a_whole_one_is_truncated_not_lost():
    # cat whole.ics cut.ics: the file's last calendar has no END:VCALENDAR. The first one's
    # END:VCALENDAR must not hide that (its 2.5 h event was dropped without a word).
    whole = calendar("UID:w\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Whole")
    cut = calendar("UID:c\nDTSTART:20260303T150000Z\nDTEND:20260303T173000Z\nSUMMARY:Cut")
    cut = cut[: cut.rindex(b"END:VCALENDAR")]
    with pytest.raises(SourceError) as info:
        events_of(whole + cut)
    assert str(info.value) == "test.ics: truncated iCalendar file (no END:VCALENDAR at the end); export it again"


def test_a_title_with_line_breaks_is_one_line_in_every_output(tmp_path):
    # SUMMARY may hold escaped line breaks; shown as written, one would add a row of its own
    # to the markdown and terminal tables ("FAKE: ..." at the start of a line).
    from click.testing import CliRunner

    from calaudit.cli import main

    raw = calendar(
        "UID:n1\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Foo\\nFAKE: calaudit: error\\n\\n  x",
        "UID:n2\nDTSTART:20260303T150000Z\nDTEND:20260303T140000Z\nSUMMARY:Back\\Nwards",
    )
    read = parse_calendar(raw, "test.ics", MARCH, OWNER, NY)
    assert [e.title for e in read.events] == ["Foo FAKE: calaudit: error x"]
    assert [i.title for i in read.invalid] == ["Back wards"]
    path = tmp_path / "multi.ics"
    path.write_bytes(raw)
    rules = str(DATA / "rules.yaml")
    for command in (["audit"], ["audit", "--format", "md"], ["explain"], ["report", "--format", "text"]):
        args = [*command, "--ics", str(path), "--rules", rules, "--period", "2026-03"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "Foo FAKE: calaudit: error x" in result.output
        assert not any(line.lstrip(" |│").startswith("FAKE") for line in result.output.splitlines())


def test_bidi_overrides_and_isolates_in_a_title_cannot_reorder_the_rest_of_a_line():
    # An unclosed RIGHT-TO-LEFT OVERRIDE in an unreadable event's title would show the
    # warning's "(UID ...)" reversed. Hebrew itself and the marks (U+200F) stay as written.
    raw = calendar(
        "UID:b1\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\n"
        "SUMMARY:\u05e9\u05dc\u05d5\u05dd\u200f sync \u2067a\u2069 \u202aemb\u202c",
        "UID:b2\nDTSTART:20260303T150000Z\nDTEND:20260303T140000Z\nSUMMARY:Review \u202eweiver",
    )
    read = parse_calendar(raw, "test.ics", MARCH, OWNER, NY)
    assert [e.title for e in read.events] == ["\u05e9\u05dc\u05d5\u05dd\u200f sync \ufffda\ufffd \ufffdemb\ufffd"]
    assert [(i.title, i.uid) for i in read.invalid] == [("Review \ufffdweiver", "b2")]


def test_a_file_name_holding_control_characters_names_its_events_without_them():
    # No X-WR-CALNAME: events are named by their file (or .zip member), which anyone can name.
    raw = calendar("UID:f\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Plain")
    events = parse_calendar(raw, "cal\x1b]0;x\x07.ics", MARCH, OWNER, NY).events
    assert [e.calendar for e in events] == ["cal\ufffd]0;x\ufffd.ics"]


def test_an_event_without_a_title_is_audited_as_no_title():
    # No SUMMARY, or one of blanks only: 1 h each, shown as "(no title)" among the unclassified.
    raw = calendar(
        "UID:n1\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z",
        "UID:n2\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:   ",
    )
    events = events_of(raw).events
    assert [e.title for e in events] == ["(no title)", "(no title)"]
    result = audit(events, fixture_rules().config, MARCH)
    assert [(u.title, u.hours, u.events) for u in result.unclassified] == [("(no title)", 2.0, 2)]


def _office_zone(offset: str) -> str:
    return (
        "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:STANDARD\nEND:VTIMEZONE\n"
    )


def test_each_calendar_is_read_by_its_own_definition_of_a_shared_tzid_name():
    # Outlook names any zone it defines "Customized Time Zone". 10:00 there is 08:00Z in the
    # first calendar (+02:00) and 15:00Z in the second (-05:00), whichever is read first.
    event = (
        "UID:o\nDTSTART;TZID=Customized Time Zone:20260302T100000\n"
        "DTEND;TZID=Customized Time Zone:20260302T110000\nSUMMARY:Office hour"
    )
    plus_two = calendar(event, header=_office_zone("+0200"))
    minus_five = calendar(event, header=_office_zone("-0500"))
    for first, second in ((plus_two, minus_five), (minus_five, plus_two)):
        starts = [events_of(raw).events[0].start.astimezone(UTC).hour for raw in (first, second)]
        assert starts == ([8, 15] if first is plus_two else [15, 8])


def test_exrule_removes_the_instances_it_matches():
    # Daily 1 h for two weeks from Monday 2 March; EXRULE takes out the two weekends: 10 weekdays.
    raw = calendar(
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=DAILY;COUNT=14\n"
        "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU\nSUMMARY:Standup"
    )
    starts = [e.start.day for e in events_of(raw).events]
    assert starts == [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]


def test_exrule_on_an_all_day_series():
    raw = calendar(
        "UID:a\nDTSTART;VALUE=DATE:20260302\nRRULE:FREQ=DAILY;COUNT=7\nEXRULE:FREQ=DAILY;BYDAY=TU,TH\nSUMMARY:Focus"
    )
    assert [e.start_date.day for e in events_of(raw).events] == [2, 4, 6, 7, 8]


def test_exrule_takes_out_only_the_times_it_matches():
    # 09:00 and 10:00 UTC each day of 2-4 March; EXRULE takes the 10:00 ones only.
    raw = calendar(
        "UID:a\nDTSTART:20260302T090000Z\nDTEND:20260302T093000Z\nRRULE:FREQ=DAILY;BYHOUR=9,10;COUNT=6\n"
        "EXRULE:FREQ=DAILY;BYHOUR=10\nSUMMARY:Check-in"
    )
    assert [(e.start.day, e.start.astimezone(UTC).hour) for e in events_of(raw).events] == [(2, 9), (3, 9), (4, 9)]


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_exrule_takes_out_a_long_instance_that_began_before_the_window(prefilter):
    # Four-day offsites every Thursday noon (New York) from 5 February; EXRULE takes out
    # every third from the first: 5 and 26 February. The 26 February one runs into March
    # (to 2 March noon) though it starts before the read window (27 February, two days
    # before March): it stayed, 36 h in March, because EXRULE was expanded in the window only.
    raw = calendar(
        "UID:a\nDTSTART;TZID=America/New_York:20260205T120000\nDTEND;TZID=America/New_York:20260209T120000\n"
        "RRULE:FREQ=WEEKLY;COUNT=5\nEXRULE:FREQ=WEEKLY;INTERVAL=3;COUNT=2\nSUMMARY:Offsite"
    )
    events = parse_calendar(raw, "test.ics", MARCH, OWNER, NY, prefilter=prefilter).events
    assert [(e.start.month, e.start.day) for e in events] == [(3, 5)]


def test_a_line_folded_inside_a_multibyte_character_keeps_the_character():
    raw = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Réunion")
    folded = raw.replace("Ré".encode(), b"R\xc3\r\n \xa9")  # the fold splits \xc3\xa9 (é) in two
    assert [e.title for e in events_of(folded).events] == ["Réunion"]


def test_a_property_given_twice_is_read_as_its_first_value():
    raw = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Customer call\nSUMMARY:Other")
    assert [e.title for e in events_of(raw).events] == ["Customer call"]


def _fetch_in_thread(location: str) -> tuple[threading.Thread, list[BaseException]]:
    """Fetch in a daemon thread, so that a read that never ends fails the test instead of hanging it."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            IcsSource(location, OWNER, NY).fetch(MARCH)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    return thread, errors


def test_a_fifo_is_refused_not_read_forever(tmp_path):
    fifo = tmp_path / "calendar.ics"
    os.mkfifo(fifo)
    thread, errors = _fetch_in_thread(str(fifo))
    if thread.is_alive():
        with open(fifo, "wb"):  # let the blocked open return before failing
            pass
        pytest.fail("reading a FIFO did not end")
    assert [type(e) for e in errors] == [SourceError]
    assert "not a regular file" in str(errors[0]) and str(fifo) in str(errors[0])


def test_dev_zero_is_refused_not_read_forever():
    thread, errors = _fetch_in_thread("/dev/zero")
    assert not thread.is_alive(), "reading /dev/zero did not end"
    assert [str(e) for e in errors] == [
        "/dev/zero: not a regular file (a pipe or device); save the calendar to a file first"
    ]


def test_occurrences_are_identified_by_their_original_start():
    # Weekly review Mar 2, 9, 16 (1 h each); the Mar 9 instance was moved onto Mar 2 10:00.
    # Three occurrences, 3 h with overlap: full; the same file read twice still counts 3 h.
    events = fetch("moved-onto-slot.ics").events
    assert sorted((e.start.day, e.recurrence_id.day) for e in events) == [(2, 2), (2, 9), (16, 16)]
    assert audit_fixture("moved-onto-slot.ics", overlap="full").total_hours == 3.0
    assert audit_fixture("moved-onto-slot.ics", "moved-onto-slot.ics", overlap="full").total_hours == 3.0


def test_a_single_event_has_no_recurrence_id():
    raw = calendar("UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Call")
    assert events_of(raw).events[0].recurrence_id is None


def _zip(path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def test_a_zip_export_reads_every_calendar_inside(tmp_path):
    review = (ICS / "moved-onto-slot.ics").read_bytes()
    call = calendar("UID:c\nDTSTART:20260303T150000Z\nDTEND:20260303T170000Z\nSUMMARY:Customer call")
    location = _zip(tmp_path / "export.zip", {"work.ics": review, "copy.ics": review, "sales.ics": call, "x.txt": b""})
    fetched = IcsSource(location, OWNER, NY).fetch(MARCH)
    assert sorted({e.calendar for e in fetched.events}) == [
        f"{location}:copy.ics",
        f"{location}:sales.ics",
        f"{location}:work.ics",
    ]
    loaded = fixture_rules(overlap="full")
    result = audit(fetched.events, loaded.config, MARCH, fetched.invalid)
    assert result.total_hours == 5.0  # the review's three 1 h occurrences once, despite the copy; the 2 h call


def test_a_zip_member_is_named_in_its_errors(tmp_path):
    location = _zip(tmp_path / "export.zip", {"work.ics": b"BEGIN:VCALENDAR\nVERSION:2.0\n"})
    with pytest.raises(SourceError, match=r"export\.zip:work\.ics: truncated iCalendar file"):
        IcsSource(location, OWNER, NY).fetch(MARCH)


def test_a_zip_without_calendars_or_a_corrupt_zip_is_a_source_error(tmp_path):
    empty = _zip(tmp_path / "empty.zip", {"notes.txt": b"hello"})
    with pytest.raises(SourceError, match=r"empty\.zip: the \.zip holds no \.ics file"):
        IcsSource(empty, OWNER, NY).fetch(MARCH)
    nothing = _zip(tmp_path / "nothing.zip", {})  # 22 bytes, starting PK\x05\x06, not PK\x03\x04
    with pytest.raises(SourceError) as info:
        IcsSource(nothing, OWNER, NY).fetch(MARCH)
    assert str(info.value) == f"{nothing}: the .zip holds no .ics file; export the calendar again"
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes((tmp_path / "empty.zip").read_bytes()[:30])
    with pytest.raises(SourceError, match=r"corrupt\.zip: corrupt or unsupported \.zip file"):
        IcsSource(str(corrupt), OWNER, NY).fetch(MARCH)


class _SlowServer:
    """Loopback server for the deadline and size tests; every loop it runs is bounded.

    ``mode``: "trickle" sends one byte every 0.1 s, "silent" sends nothing, "endless"
    streams 64 KiB chunks without a Content-Length, "huge" announces a 10 GB body,
    "loop" redirects to itself.
    """

    def __init__(self, mode: str) -> None:
        self.stop = threading.Event()
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                if mode == "silent":
                    server.stop.wait(10)
                    return
                if mode == "loop":
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.end_headers()
                    return
                self.send_response(200)
                if mode == "trickle":
                    self.send_header("Content-Length", "1000")
                elif mode == "huge":
                    self.send_header("Content-Length", str(10**10))
                self.end_headers()
                try:
                    for _ in range(200):
                        if server.stop.is_set():
                            return
                        if mode == "trickle":
                            self.wfile.write(b"B")
                            self.wfile.flush()
                            server.stop.wait(0.1)
                        else:
                            self.wfile.write(b"X" * 65536)
                except OSError:
                    return

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/private-t0ken/basic.ics"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("mode", ["trickle", "silent"])
def test_a_download_ends_at_its_deadline_naming_the_redacted_url(mode):
    server = _SlowServer(mode)
    began = time.monotonic()
    try:
        with pytest.raises(SourceError) as info:
            IcsSource(server.url, OWNER, NY, retry_delays=(0, 0), timeout=1).fetch(MARCH)
    finally:
        server.close()
    assert time.monotonic() - began < 5
    assert (
        str(info.value)
        == "http://127.0.0.1/…/basic.ics: no complete answer within 1 s; try again later or raise --timeout"
    )


@pytest.mark.parametrize("mode", ["endless", "huge"])
def test_a_download_larger_than_the_cap_is_refused(mode):
    server = _SlowServer(mode)
    try:
        with pytest.raises(SourceError, match=r"larger than 1,000,000 bytes; not read") as info:
            IcsSource(server.url, OWNER, NY, retry_delays=(0, 0), max_bytes=1_000_000).fetch(MARCH)
    finally:
        server.close()
    assert "t0ken" not in str(info.value)
    assert server.hits == 1


def test_a_redirect_loop_is_one_line_and_not_retried():
    server = _SlowServer("loop")
    try:
        with pytest.raises(SourceError, match="the redirects cannot be followed") as info:
            IcsSource(server.url, OWNER, NY, retry_delays=(0, 0)).fetch(MARCH)
    finally:
        server.close()
    assert "\n" not in str(info.value)
    assert "t0ken" not in str(info.value)


@pytest.mark.parametrize("url", ["https://[::1/x", "http://127.0.0.1:port/cal.ics"])
def test_a_malformed_url_is_a_source_error_at_once(url):
    began = time.monotonic()
    with pytest.raises(SourceError, match=r"malformed URL") as info:
        IcsSource(url, OWNER, NY, retry_delays=(30, 30)).fetch(MARCH)
    assert time.monotonic() - began < 5  # no retry waits
    assert "\n" not in str(info.value)


def test_floating_times_are_read_in_x_wr_timezone_when_the_calendar_names_one():
    floating = "UID:a\nDTSTART:20260302T100000\nDTEND:20260302T110000\nSUMMARY:Floating"
    berlin = events_of(calendar(floating, header="X-WR-TIMEZONE:Europe/Berlin\n"))
    assert berlin.events[0].start.astimezone(UTC).hour == 9  # 10:00 in Berlin (UTC+1)
    plain = events_of(calendar(floating))
    assert plain.events[0].start.astimezone(UTC).hour == 15  # 10:00 in the reporting zone, New York (UTC-5)
    unknown = events_of(calendar(floating, header="X-WR-TIMEZONE:Mars/Olympus_Mons\n"))
    assert unknown.events[0].start.astimezone(UTC).hour == 15
    assert unknown.warnings == [
        "test.ics: X-WR-TIMEZONE 'Mars/Olympus_Mons' ignored (no such time zone); floating times are read in "
        "America/New_York"
    ]


@pytest.mark.parametrize(("written", "shown"), [("", ""), ("Europe/" + "x" * 300, "Europe/" + "x" * 53)])
def test_an_x_wr_timezone_no_zone_can_have_is_named_short_without_zoneinfos_words(written, shown):
    # Empty, it was "ZoneInfo keys must be normalized relative paths, got: "; 300 letters
    # gave a 400-character line quoting the path of the tzdata package.
    floating = "UID:a\nDTSTART:20260302T100000\nDTEND:20260302T110000\nSUMMARY:Floating"
    fetched = events_of(calendar(floating, header=f"X-WR-TIMEZONE:{written}\n"))
    assert fetched.warnings == [
        f"test.ics: X-WR-TIMEZONE '{shown}' ignored (no such time zone); floating times are read in America/New_York"
    ]


def test_x_wr_timezone_failing_for_another_reason_is_warned_of_in_its_words(monkeypatch):
    # A zone that exists, and a failure of x-wr-timezone itself (made up here): its reason.
    def failing(calendar):
        raise RuntimeError("made-up failure")

    monkeypatch.setattr(ics.x_wr_timezone, "to_standard", failing)
    floating = "UID:a\nDTSTART:20260302T100000\nDTEND:20260302T110000\nSUMMARY:Floating"
    mixed = "UID:b\nDTSTART:20260303T100000\nDTEND:20260303T160000Z\nSUMMARY:Mixed"  # floating beside UTC
    fetched = events_of(calendar(floating, mixed, header="X-WR-TIMEZONE:Europe/Berlin\n"))
    assert fetched.warnings == [
        "test.ics: X-WR-TIMEZONE 'Europe/Berlin' ignored (made-up failure); floating times are read in America/New_York"
    ]
    # 10:00 New York (15:00Z) both, as the warning says; the mixed one ends at 16:00Z: 1 h, not Berlin's 7.
    assert [(e.start.astimezone(UTC).hour, e.end - e.start) for e in fetched.events] == [
        (15, timedelta(hours=1)),
        (15, timedelta(hours=1)),
    ]


def test_an_override_whose_recurrence_id_is_in_an_unknown_zone_is_unreadable():
    # It matched no instance and vanished, without a word: the 2 h it moved were lost.
    raw = calendar(
        "UID:s\nDTSTART:20260302T140000Z\nDTEND:20260302T150000Z\nRRULE:FREQ=WEEKLY;COUNT=3\nSUMMARY:Sync",
        "UID:s\nRECURRENCE-ID;TZID=Mars/Olympus:20260309T100000\nDTSTART;TZID=America/New_York:20260309T100000\n"
        "DTEND;TZID=America/New_York:20260309T120000\nSUMMARY:Moved",
    )
    fetched = events_of(raw)
    assert [(e.title, e.start.day) for e in fetched.events] == [("Sync", 2), ("Sync", 9), ("Sync", 16)]
    assert [(i.title, i.reason) for i in fetched.invalid] == [
        ("Moved", "unknown time zone 'Mars/Olympus' in RECURRENCE-ID")
    ]


def test_an_unknown_tzid_is_unreadable_under_x_wr_timezone_too():
    # icalendar leaves a time in an unknown zone floating, and x-wr-timezone then read it
    # in Berlin, silently; without X-WR-TIMEZONE it is refused, as the README says.
    nowhere = (
        "UID:n\nDTSTART;TZID=Europe/Nowhere:20260303T100000\nDTEND;TZID=Europe/Nowhere:20260303T110000\nSUMMARY:Nowhere"
    )
    floating = "UID:a\nDTSTART:20260302T100000\nDTEND:20260302T110000\nSUMMARY:Floating"
    # Its end alone in an unknown zone, after an event x-wr-timezone leaves as it is (in a
    # zone of its own): 9:00 Berlin to an hour nobody knows.
    berlin = "UID:b\nDTSTART;TZID=Europe/Berlin:20260304T090000\nDTEND;TZID=Europe/Nowhere:20260304T100000\nSUMMARY:End"
    kept = "UID:k\nDTSTART;TZID=America/New_York:20260305T090000\nDURATION:PT1H\nSUMMARY:Kept"
    fetched = events_of(calendar(kept, floating, nowhere, berlin, header="X-WR-TIMEZONE:Europe/Berlin\n"))
    assert [(e.title, str(e.start.tzinfo)) for e in fetched.events] == [
        ("Kept", "America/New_York"),
        ("Floating", "Europe/Berlin"),
    ]
    assert [i.reason for i in fetched.invalid] == [
        "unknown time zone 'Europe/Nowhere' in DTSTART",
        "unknown time zone 'Europe/Nowhere' in DTEND",
    ]


@pytest.mark.parametrize(
    "rid", ["RECURRENCE-ID;VALUE=DATE:20260303", "RECURRENCE-ID;VALUE=DATE;RANGE=THISANDFUTURE:20260303"]
)
def test_an_override_naming_a_timed_instance_by_its_date_is_unreadable(rid):
    # RFC 5545 gives RECURRENCE-ID the value type of the series' DTSTART. Named by a date,
    # the override matched no instance: the 3 March 10:00 one was counted besides it (4 h
    # for 3 planned), and with RANGE=THISANDFUTURE instances appeared at midnight UTC.
    # Skipped, saying why: the series as planned, 3 instances at 10:00.
    raw = calendar(
        "UID:s\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FREQ=DAILY;COUNT=3\nSUMMARY:Sync",
        f"UID:s\n{rid}\nDTSTART:20260303T120000Z\nDTEND:20260303T140000Z\nSUMMARY:Moved",
    )
    fetched = events_of(raw)
    assert [(e.title, e.start.day, e.start.hour) for e in fetched.events] == [("Sync", d, 10) for d in (2, 3, 4)]
    assert [(i.title, i.reason) for i in fetched.invalid] == [
        ("Moved", "RECURRENCE-ID and the series' DTSTART differ in kind (one a date, the other a date-time)")
    ]


def test_the_kind_of_recurrence_id_is_the_masters_even_when_an_override_comes_first():
    # The override, listed first, is all-day itself, but the series it belongs to is timed:
    # its date RECURRENCE-ID still names no instance.
    raw = calendar(
        "UID:s\nRECURRENCE-ID;VALUE=DATE:20260303\nDTSTART;VALUE=DATE:20260303\nSUMMARY:Day off instead",
        "UID:s\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FREQ=DAILY;COUNT=3\nSUMMARY:Sync",
    )
    fetched = events_of(raw)
    assert [(e.title, e.start.day) for e in fetched.events] == [("Sync", 2), ("Sync", 3), ("Sync", 4)]
    assert [i.title for i in fetched.invalid] == ["Day off instead"]


@pytest.mark.parametrize(
    ("rid", "reason"),
    [
        # It sank the whole series as "Cannot access 'dt' on broken property".
        ("RECURRENCE-ID:garbage", "RECURRENCE-ID is not a date or time: 'garbage'"),
        # It sank the whole series as "'list' object has no attribute 'dt'".
        ("RECURRENCE-ID:20260303T100000Z\nRECURRENCE-ID:20260304T100000Z", "RECURRENCE-ID is given more than once"),
    ],
    ids=["no-time", "twice"],
)
def test_an_override_with_an_unreadable_recurrence_id_is_skipped_alone(rid, reason):
    # The override alone is skipped, and the series is read as planned: 3 instances at 10:00.
    raw = calendar(
        "UID:s\nDTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FREQ=DAILY;COUNT=3\nSUMMARY:Sync",
        f"UID:s\n{rid}\nDTSTART:20260303T120000Z\nDTEND:20260303T130000Z\nSUMMARY:Moved",
    )
    fetched = events_of(raw)
    assert [(e.title, e.start.day, e.start.hour) for e in fetched.events] == [("Sync", d, 10) for d in (2, 3, 4)]
    assert [(i.title, i.reason) for i in fetched.invalid] == [("Moved", reason)]


def test_a_utc_series_keeps_its_wall_clock_time_in_x_wr_timezone():
    # Weekly from Mon 2 March 10:00 EST (15:00Z); New York moves to EDT on 8 March, so the
    # 9 March instance is 10:00 EDT = 14:00Z, as Google shows it.
    raw = calendar(
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nRRULE:FREQ=WEEKLY;COUNT=2\nSUMMARY:Weekly",
        header="X-WR-TIMEZONE:America/New_York\n",
    )
    assert [e.start.astimezone(UTC).hour for e in events_of(raw).events] == [15, 14]


THIS_AND_FUTURE = calendar(
    # Daily 10:00-11:00 New York, Monday 2 to Friday 6 March; from Wednesday on the series
    # moves to 14:00-16:00 (RANGE=THISANDFUTURE): 1 + 1 + 2 + 2 + 2 = 8 h in five occurrences.
    "UID:daily@t\nDTSTART;TZID=America/New_York:20260302T100000\nDTEND;TZID=America/New_York:20260302T110000\n"
    "RRULE:FREQ=DAILY;COUNT=5\nSUMMARY:Standup",
    "UID:daily@t\nRECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York:20260304T100000\n"
    "DTSTART;TZID=America/New_York:20260304T140000\nDTEND;TZID=America/New_York:20260304T160000\n"
    "SUMMARY:Standup (afternoons)",
)


def test_this_and_future_instances_keep_their_own_original_starts():
    # recurring-ical-events gives the three moved instances the override's RECURRENCE-ID;
    # identity must still tell them apart (their original starts: 4, 5 and 6 March, 10:00).
    events = events_of(THIS_AND_FUTURE).events
    assert sorted((e.recurrence_id.day, e.recurrence_id.hour) for e in events) == [(d, 10) for d in range(2, 7)]
    loaded = fixture_rules()
    result = audit(events + events_of(THIS_AND_FUTURE).events, loaded.config, MARCH)  # one calendar read twice
    assert result.total_hours == pytest.approx(8.0)
    assert len(result.occurrences) == 5


def test_this_and_future_in_floating_time_moves_the_rest_of_the_series_under_x_wr_timezone():
    # The series above in floating time, in a calendar whose X-WR-TIMEZONE is Berlin (the
    # reader's zone is New York): 8 h as before, at Berlin's 10:00 and 14:00. x-wr-timezone
    # dropped RANGE from the override's RECURRENCE-ID, so only Wednesday moved: 6 h.
    # A holiday first, which x-wr-timezone leaves as it is (a date has no zone).
    floating = THIS_AND_FUTURE.replace(b";TZID=America/New_York", b"")
    header = b"VERSION:2.0\nX-WR-TIMEZONE:Europe/Berlin\nBEGIN:VEVENT\nUID:h\nDTSTART;VALUE=DATE:20260309\nEND:VEVENT\n"
    raw = floating.replace(b"VERSION:2.0\n", header, 1)
    assert raw.count(b"X-WR-TIMEZONE") == 1 and b"TZID" not in raw
    events = [e for e in events_of(raw).events if not e.all_day]
    moved = [(day, 14, 16) for day in (4, 5, 6)]
    assert sorted((e.start.day, e.start.hour, e.end.hour) for e in events) == [(2, 10, 11), (3, 10, 11), *moved]
    assert {str(e.start.tzinfo) for e in events} == {"Europe/Berlin"}


def test_this_and_future_keeps_its_range_when_only_its_recurrence_id_is_floating():
    # The override moves to 14:00 Berlin, written with a zone, while its RECURRENCE-ID is
    # floating like the series: x-wr-timezone rewrites that line alone, and its RANGE must
    # come back all the same (8 h).
    moved = THIS_AND_FUTURE.replace(b";TZID=America/New_York", b"").replace(
        b"DTSTART:20260304T140000\nDTEND:20260304T160000",
        b"DTSTART;TZID=Europe/Berlin:20260304T140000\nDTEND;TZID=Europe/Berlin:20260304T160000",
    )
    raw = moved.replace(b"VERSION:2.0\n", b"VERSION:2.0\nX-WR-TIMEZONE:Europe/Berlin\n", 1)
    assert b"DTSTART;TZID=Europe/Berlin:20260304T140000" in raw
    events = events_of(raw).events
    moved_days = [(day, 14, 16) for day in (4, 5, 6)]
    assert sorted((e.start.day, e.start.hour, e.end.hour) for e in events) == [(2, 10, 11), (3, 10, 11), *moved_days]


def test_a_start_given_twice_under_x_wr_timezone_is_that_events_problem_only():
    raw = calendar(
        "UID:t\nDTSTART:20260302T100000\nDTSTART:20260302T120000\nDTEND:20260302T130000\nSUMMARY:Twice",
        "UID:k\nDTSTART:20260303T100000\nDTEND:20260303T110000\nSUMMARY:Kept",
        header="X-WR-TIMEZONE:Europe/Berlin\n",
    )
    fetched = events_of(raw)
    assert [(e.title, str(e.start.tzinfo), e.start.hour) for e in fetched.events] == [("Kept", "Europe/Berlin", 10)]
    assert [(i.title, i.reason) for i in fetched.invalid] == [("Twice", "DTSTART is given more than once")]


@pytest.mark.parametrize("written", ["range=thisandfuture", "Range=ThisAndFuture", 'RANGE="thisandfuture"'])
def test_range_is_read_in_any_letter_case(written):
    # RFC 5545 parameter values are case-insensitive; recurring-ical-events compares with
    # "THISANDFUTURE" as written, so only Wednesday moved (6 h). 8 h, as above.
    raw = THIS_AND_FUTURE.replace(b"RANGE=THISANDFUTURE", written.encode())
    assert written.encode() in raw
    events = events_of(raw).events
    assert sorted((e.start.day, e.start.hour, e.end.hour) for e in events) == [
        (2, 10, 11),
        (3, 10, 11),
        *[(day, 14, 16) for day in (4, 5, 6)],
    ]


def test_a_start_in_the_hour_clocks_skip_keeps_the_meeting_length():
    # Daily 02:30-03:30 New York from 7 March; on 8 March 02:30 does not exist: RFC 5545
    # reads it with the offset before the change, 03:30 EDT, and the meeting lasts 1 h.
    # 7, 8 and 9 March: 3 h (the wall-clock reading gave 0 h on the 8th).
    raw = calendar(
        "UID:gap@t\nDTSTART;TZID=America/New_York:20260307T023000\nDTEND;TZID=America/New_York:20260307T033000\n"
        "RRULE:FREQ=DAILY;COUNT=3\nSUMMARY:APAC sync"
    )
    loaded = fixture_rules()
    result = audit(events_of(raw).events, loaded.config, MARCH)
    assert [o.hours for o in result.occurrences] == [1.0, 1.0, 1.0]
    assert result.occurrences[1].start.isoformat() == "2026-03-08T03:30:00-04:00"


def test_a_start_in_the_hour_clocks_skip_keeps_the_elapsed_length_as_written():
    # 02:30 on 8 March to 02:30 on 2 November New York is 239 days as written. Read from
    # 03:30 EDT (07:30Z), it lasts 239 x 24 elapsed hours, to 07:30Z on 2 November: 02:30
    # EST, its DTEND, since the clocks went back on 1 November (adding 239 days of wall
    # clock in New York would end it at 03:30 EST, an hour past what the calendar says).
    raw = calendar(
        "UID:leave@t\nDTSTART;TZID=America/New_York:20260308T023000\nDTEND;TZID=America/New_York:20261102T023000\n"
        "SUMMARY:Parental leave"
    )
    [event] = events_of(raw).events
    assert (event.start.astimezone(UTC), event.end.astimezone(UTC)) == (
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 7, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_a_duration_is_elapsed_time(prefilter):
    # New York, 2026: clocks go forward at 02:00 on 8 March and back at 02:00 on 1 November.
    # icalendar reads P1D and PT24H alike (RFC 5545 would make P1D a calendar day): both
    # are 24 elapsed hours, right for the on-call shift written PT24H.
    tz = "TZID=America/New_York"
    raw = calendar(
        f"UID:a@t\nDTSTART;{tz}:20260307T230000\nDURATION:PT4H\nSUMMARY:Spring",  # to 04:00 EDT
        f"UID:b@t\nDTSTART;{tz}:20261031T200000\nDURATION:PT12H\nSUMMARY:On call",  # to 07:00 EST
        f"UID:c@t\nDTSTART;{tz}:20261101T003000\nDURATION:PT3H\nRRULE:FREQ=DAILY;COUNT=2\nSUMMARY:Fall",
        f"UID:d@t\nDTSTART;{tz}:20260307T120000\nDURATION:P1D\nSUMMARY:Day",  # to 13:00 EDT
        f"UID:e@t\nDTSTART;{tz}:20261031T090000\nDURATION:PT24H\nSUMMARY:Shift",  # to 08:00 EST
        f"UID:f@t\nDTSTART;{tz}:20260307T090000\nDURATION:PT36H\nSUMMARY:Long",  # to 22:00 EDT
    )
    period = parse_period("2026", NY, NOW)
    events = parse_calendar(raw, "test.ics", period, OWNER, NY, prefilter=prefilter).events
    elapsed = [(e.end.astimezone(UTC) - e.start.astimezone(UTC)) / timedelta(hours=1) for e in events]
    assert [(e.title, e.end.astimezone(NY).isoformat(), hours) for e, hours in zip(events, elapsed, strict=True)] == [
        ("Spring", "2026-03-08T04:00:00-04:00", 4.0),
        ("On call", "2026-11-01T07:00:00-05:00", 12.0),
        ("Fall", "2026-11-01T02:30:00-05:00", 3.0),  # 00:30 EDT + 3 h; wall clock said 03:30, 4 h
        ("Fall", "2026-11-02T03:30:00-05:00", 3.0),
        ("Day", "2026-03-08T13:00:00-04:00", 24.0),
        ("Shift", "2026-11-01T08:00:00-05:00", 24.0),
        ("Long", "2026-03-08T22:00:00-04:00", 36.0),
    ]


def test_an_hourly_series_over_the_spring_forward_night_counts_the_23_hour_day():
    # 24 one-hour instances from 8 March 00:00 New York: the 02:00 one becomes 03:00 EDT,
    # the same instant and original start as the 03:00 one, so it counts once: 23 h.
    raw = calendar(
        "UID:hourly@t\nDTSTART;TZID=America/New_York:20260308T000000\nDTEND;TZID=America/New_York:20260308T010000\n"
        "RRULE:FREQ=HOURLY;COUNT=24\nSUMMARY:Watch"
    )
    loaded = fixture_rules()
    result = audit(events_of(raw).events, loaded.config, MARCH)
    assert result.total_hours == pytest.approx(23.0)


TWO_OVERRIDES_OF_ONE_INSTANCE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//calaudit tests//EN\r
BEGIN:VEVENT\r
UID:dup\r
DTSTART:20260302T100000Z\r
DTEND:20260302T110000Z\r
RRULE:FREQ=WEEKLY;COUNT=3\r
SUMMARY:Weekly\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:dup\r
RECURRENCE-ID:20260309T100000Z\r
DTSTART:20260309T120000Z\r
DTEND:20260309T140000Z\r
SUMMARY:First copy\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:dup\r
RECURRENCE-ID:20260309T100000Z\r
DTSTART:20260310T120000Z\r
DTEND:20260310T150000Z\r
SUMMARY:Second copy\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize("prefilter", [True, False])
def test_each_occurrence_is_read_from_the_component_it_comes_from(prefilter):
    # Occurrences are read from their master or override without a copy each, unless two
    # overrides claim one instance: then recurring-ical-events' choice (the first) is read.
    loaded = fixture_rules()
    period = parse_period("2026-03", loaded.zone, NOW)
    second = b"RECURRENCE-ID:20260309T100000Z\r\nDTSTART:20260310"
    distinct = TWO_OVERRIDES_OF_ONE_INSTANCE.replace(second, second.replace(b"0309", b"0316"))
    for raw, moved in [(distinct, 2), (TWO_OVERRIDES_OF_ONE_INSTANCE, 1)]:
        fetched = parse_calendar(raw, "c.ics", period, frozenset(loaded.config.owner), loaded.zone, prefilter)
        seen = [
            (e.title, e.start.day, e.start.hour, e.end.day, e.end.hour, e.recurrence_id.day) for e in fetched.events
        ]
        expected = [("Weekly", 2, 10, 2, 11, 2), ("First copy", 9, 12, 9, 14, 9), ("Weekly", 16, 10, 16, 11, 16)]
        if moved == 2:
            expected[2] = ("Second copy", 10, 12, 10, 15, 16)
        assert sorted(seen, key=lambda row: row[-1]) == expected
