"""The bad-input corpus (tests/data/bad/README.md): one clear line, the right status."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from calaudit.audit import AuditResult, audit
from calaudit.cli import main
from calaudit.period import parse_period
from calaudit.sources.ics import IcsSource
from tests.helpers import DATA, ICS, NOW, RULES, fixture_rules

BAD = DATA / "bad"


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def calaudit(*args: str) -> Done:
    """The whole command line, in this process (a subprocess per case cost ~1 s of imports
    each); an exception escaping the command line's own error handling fails the test."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Done(result.exit_code, result.stdout, result.stderr)


def audit_ics(path, *extra: str) -> Done:
    return calaudit("audit", "--ics", str(path), "--rules", str(RULES), "--period", "2026-03", "--format", "json",
                    "--no-cache", *extra)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "status", "message", "invalid"),
    [
        ("truncated.ics", 3, "truncated iCalendar file", None),
        ("binary.ics", 3, "binary data", None),
        ("not-a-calendar.ics", 3, "does not start with BEGIN:VCALENDAR", None),
        ("empty.ics", 3, "the file is empty", None),
        ("no-events.ics", 0, "", 0),
        ("no-dtstart.ics", 0, "'Meeting without a start' (UID nostart@test): it has no DTSTART", 1),
        ("dtend-before-dtstart.ics", 0, "'Backwards meeting' (UID backwards@test): DTEND is before DTSTART", 1),
        ("unknown-tzid.ics", 0, "unknown time zone 'Mars/Olympus_Mons'", 1),
        ("absurd-rrule.ics", 0, "'Every second since 2001' (UID secondly@test): RRULE would need", 2),
        ("invalid-utf8.ics", 0, "not valid UTF-8", 0),
        (
            "unfinished-event-in-middle.ics",
            0,
            "'Half-written meeting' (UID unfinished@test): unfinished VEVENT: BEGIN:VEVENT at line 10 has no END",
            1,
        ),
        ("unfinished-event-at-end.ics", 0, "BEGIN:VEVENT at line 16 has no END:VEVENT", 1),
        ("bad-calendar-dtstamp.ics", 0, "ignored 1 unreadable calendar line(s), the first 'DTSTAMP:2026-03-01T00", 0),
        ("date-and-date-time.ics", 0, "(UID date-start@test): DTSTART is a date but DTEND is a date-time", 2),
        ("quoted-line-break.ics", 0, "", 0),
    ],
)
@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_bad_calendars(name, status, message, invalid, prefilter):
    done = audit_ics(BAD / name, *([] if prefilter else ["--no-prefilter"]))
    assert done.returncode == status, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    if status:
        assert done.stdout == "" and done.stderr.count("\n") == 1
    else:
        assert json.loads(done.stdout)["skipped"]["invalid"]["events"] == invalid


def test_the_good_event_beside_bad_ones_is_counted():
    done = audit_ics(BAD / "absurd-rrule.ics")
    data = json.loads(done.stdout)
    # Customer call 1 h; "Daily standup forever" (COUNT=999999999) is 15 min a day, 31 days.
    assert data["hours"]["total"] == pytest.approx(1 + 31 * 0.25)


def audit_file(path: Path, prefilter: bool) -> AuditResult:
    """The audit of one file in this process: quicker than the command for checking hours."""
    loaded = fixture_rules()
    period = parse_period("2026-03", loaded.zone, NOW)
    fetched = IcsSource(str(path), loaded.config.owner, loaded.zone, prefilter=prefilter).fetch(period)
    return audit(fetched.events, loaded.config, period, fetched.invalid)


@pytest.mark.parametrize(
    ("name", "hours", "declined"),
    [
        # Customer call 1 h + Standup 0.5 h; the unfinished or unreadable part costs only itself.
        ("unfinished-event-in-middle.ics", 1.5, 0),
        ("unfinished-event-at-end.ics", 1.5, 0),
        ("bad-calendar-dtstamp.ics", 1.5, 0),
        # Only the Customer call: the two events mixing DATE and DATE-TIME are invalid, not 12 h + 38 h.
        ("date-and-date-time.ics", 1.0, 0),
        # The owner's DECLINED survives a line break inside the quoted CN (1 h declined, 1 h call).
        ("quoted-line-break.ics", 1.0, 1),
    ],
)
@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_good_events_beside_broken_parts_count(name, hours, declined, prefilter):
    result = audit_file(BAD / name, prefilter)
    assert result.total_hours == pytest.approx(hours)
    assert result.skipped["declined"].events == declined


GOOD_PAIR = (
    "BEGIN:VEVENT\r\nUID:a@test\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\nSUMMARY:Customer call\r\n"
    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:b@test\r\nDTSTART:20260304T150000Z\r\nDTEND:20260304T153000Z\r\n"
    "SUMMARY:Standup\r\nEND:VEVENT\r\n"
)


def _calendar(body: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{body}END:VCALENDAR\r\n"


@pytest.mark.parametrize(
    ("case", "content", "message"),
    [
        ("cr-only", _calendar(GOOD_PAIR).replace("\r\n", "\r").encode(), ""),
        (
            "3000 BEGIN lines",
            _calendar(
                GOOD_PAIR.replace("END:VEVENT\r\nBEGIN", "END:VEVENT\r\n" + "BEGIN:VEVENT\r\n" * 3000 + "BEGIN")
            ).encode(),
            "3000 unfinished VEVENT components (lines 10-3009 are BEGIN:VEVENT without END:VEVENT)",
        ),
        ("utf-16", _calendar(GOOD_PAIR).encode("utf-16"), ""),
    ],
)
@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_made_up_broken_files_keep_their_good_events(tmp_path, case, content, message, prefilter):
    path = tmp_path / "calendar.ics"
    path.write_bytes(content)
    result = audit_file(path, prefilter)
    assert result.total_hours == pytest.approx(1.5)  # Customer call 1 h + Standup 0.5 h
    assert [i.reason for i in result.invalid] == ([message] if message else [])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid-yaml.yaml", "invalid-yaml.yaml:4: invalid YAML: while parsing a flow sequence started on line 3"),
        ("tabs.yaml", "tabs.yaml:19: invalid YAML: found character '\\t' that cannot start any token; indent"),
        ("duplicate-keys.yaml", "duplicate-keys.yaml:4: invalid YAML: duplicate key 'timezone'"),
        ("unknown-key.yaml", "unknown-key.yaml:21: rules[1].titel: unknown key 'titel'"),
        ("wrong-type.yaml", "wrong-type.yaml:5: accounting.tolerance: Input should be a valid number"),
        ("targets-99.yaml", "targets-99.yaml:6: allocation: category targets add up to 99"),
        ("bad-regex.yaml", "bad-regex.yaml:25: rules[3].title[1]: regular expression /(incident/ does not compile"),
        ("slow-regex.yaml", "slow-regex.yaml:25: rules[3].title[1]: regular expression /^(a+)+$/ repeats"),
    ],
)
def test_bad_rules_files(name, message):
    done = calaudit("audit", "--ics", str(ICS / "dst.ics"), "--rules", str(BAD / name))
    assert done.returncode == 2
    assert done.stderr.startswith("calaudit: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_50_mb_calendar_is_scanned_not_parsed_whole(tmp_path):
    filler = "".join(f" {'x' * 73}\r\n" for _ in range(700_000))  # folded DESCRIPTION lines
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:old@test\r\nDTSTART:20190101T100000Z\r\nDTEND:20190101T110000Z\r\n"
        f"SUMMARY:Old\r\nDESCRIPTION:{filler}END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:now@test\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\n"
        "SUMMARY:Customer call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path = tmp_path / "big.ics"
    path.write_text(body)
    assert path.stat().st_size > 50_000_000
    done = audit_ics(path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hours"]["total"] == 1.0


STANDUP = (
    b"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\nEND:VEVENT\r\n"
)
"""A one-hour standup on 2 March, in the fixture rules' ops category."""


def audit_bytes(tmp_path, content: bytes, path: str) -> tuple[dict, str]:
    """The JSON report and stderr of a month's audit of ``content``, on the pre-filter or
    the full path, which must succeed."""
    file = tmp_path / "calendar.ics"
    file.write_bytes(content)
    done = audit_ics(file, *(["--no-prefilter"] if path == "full" else []))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.mark.parametrize(
    "before",
    [b" \r\n", b"\t\r\n  \r\n", b"\xef\xbb\xbf \n", b"  ", b"\r\n\r\n", b"\xef\xbb\xbf\r\n \t"],
    ids=["a line of blanks", "two", "a BOM and blanks", "blanks on the BEGIN line", "blank lines", "all of them"],
)
@pytest.mark.parametrize("path", ["pre-filter", "full"])
def test_blanks_before_the_calendar_are_ignored_and_lines_still_count_from_the_file_s_first(tmp_path, before, path):
    # A one-hour standup, and an unfinished event on line 9 of the calendar itself.
    calendar = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + STANDUP + b"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Half\r\nEND:VCALENDAR\r\n"
    )
    report, stderr = audit_bytes(tmp_path, before + calendar, path)
    assert report["hours"]["total"] == 1.0
    line = 9 + before.count(b"\n")
    assert f"BEGIN:VEVENT at line {line} has no END:VEVENT" in stderr


@pytest.mark.parametrize("path", ["pre-filter", "full"])
def test_an_event_too_broken_to_read_is_still_named_by_its_title_and_uid(tmp_path, path):
    # The stray END:VALARM leaves the event unreadable even as far as it goes; its
    # SUMMARY has a parameter and an escaped comma, which the warning shows unescaped.
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@test\r\nSUMMARY;LANGUAGE=en:Design\\, review\r\n"
        b"DTSTART:20260303T150000Z\r\nDTEND:20260303T160000Z\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    )
    report, stderr = audit_bytes(tmp_path, content + STANDUP + b"END:VCALENDAR\r\n", path)
    assert (report["hours"]["total"], report["skipped"]["invalid"]["events"]) == (1.0, 1)
    assert "skipped unreadable event 'Design, review' (UID x@test): unbalanced BEGIN/END lines" in stderr


@pytest.mark.parametrize("path", ["pre-filter", "full"])
@pytest.mark.parametrize(
    ("day", "invalid"),
    [("20190303", 0), ("20260225", 0), ("20260226", 1), ("20260303", 1), ("20260404", 1), ("20260405", 0)],
)
def test_an_event_too_broken_to_read_counts_as_invalid_only_when_its_dates_may_touch_the_period(
    tmp_path, path, day, invalid
):
    # Read by the scan, by dates alone: the query window is two days either side of March
    # (27 February to 3 April) and the scan adds a day on each side for any UTC offset.
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x@test\r\nSUMMARY:Design review\r\n"
        b"DTSTART:" + day.encode() + b"T150000Z\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    )
    report, stderr = audit_bytes(tmp_path, content + STANDUP + b"END:VCALENDAR\r\n", path)
    assert (report["hours"]["total"], report["skipped"]["invalid"]["events"]) == (1.0, invalid)
    assert ("skipped unreadable event 'Design review'" in stderr) == bool(invalid)


@pytest.mark.parametrize("path", ["pre-filter", "full"])
def test_a_nul_byte_inside_a_calendar_is_replaced_with_a_warning_and_the_calendar_audited(tmp_path, path):
    # One NUL in a title used to refuse the whole file as binary data.
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:n\r\nSUMMARY:Standup\x00 notes\r\n"
        b"DTSTART:20260303T150000Z\r\nDTEND:20260303T163000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    report, stderr = audit_bytes(tmp_path, content, path)
    hours = {c["id"]: c["hours"] for c in report["categories"]}
    assert hours["ops"] == 1.5  # "Standup\ufffd notes" still matches the standup rule
    assert "calendar.ics: 1 NUL byte(s) in the calendar's text were replaced" in stderr


def test_nul_bytes_in_a_file_that_does_not_start_like_a_calendar_are_binary_data(tmp_path):
    file = tmp_path / "utf16.ics"
    file.write_bytes("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".encode("utf-16-le"))  # no byte order mark
    done = audit_ics(file)
    assert (done.returncode, done.stderr.strip()) == (
        3,
        f"calaudit: error: {file}: binary data, not an iCalendar (.ics) file",
    )


FOLDED_MARKERS = {
    # RFC 5545 allows a fold anywhere, also inside a BEGIN or END line: each file holds a
    # one-hour standup on 2 March, the first also one on 3 March.
    "inside component names": (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\n"
        b"DTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M\r\nEND:VAL\r\n ARM\r\n"
        b"END:VEVENT\r\nBEGIN:VEV\r\n ENT\r\nUID:b\r\nSUMMARY:Standup\r\nDTSTART:20260303T150000Z\r\n"
        b"DTEND:20260303T160000Z\r\nend:\r\n\tVEVENT\r\nEND:VCALENDAR\r\n",
        2.0,
    ),
    "on the first and last lines": (
        b"BEGIN:VCAL\r\n ENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\n"
        b"DTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\nEND:VEVENT\r\nEND:VCALEN\r\n DAR\r\n",
        1.0,
    ),
}


@pytest.mark.parametrize("path", ["pre-filter", "full"])
@pytest.mark.parametrize(("content", "hours"), FOLDED_MARKERS.values(), ids=FOLDED_MARKERS.keys())
def test_begin_and_end_lines_folded_anywhere_are_read_whole(tmp_path, path, content, hours):
    report, stderr = audit_bytes(tmp_path, content, path)
    assert (report["hours"]["total"], stderr) == (hours, "")
