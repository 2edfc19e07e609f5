"""The period pre-filter: it must never change a result, only the time taken."""

import io
import itertools
import sqlite3
from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from benchmarks.synthetic import generate
from calaudit import pipeline
from calaudit.audit import audit
from calaudit.models import InvalidEvent
from calaudit.period import parse_period
from calaudit.report.json import to_dict
from calaudit.sources import repair, scan
from calaudit.sources.cache import EventCache
from calaudit.sources.ics import IcsSource, parse_calendar
from tests.helpers import ICS, NOW, fixture_rules

DEMO = Path(pipeline.__file__).parent / "data" / "demo.ics"
FIXTURES = sorted(ICS.glob("*.ics"))


def outcome(raw: bytes, period_label: str, prefilter: bool, loaded=None):
    loaded = loaded or fixture_rules()
    period = parse_period(period_label, loaded.zone, NOW)
    fetched = parse_calendar(raw, "cal.ics", period, frozenset(loaded.config.owner), loaded.zone, prefilter)
    result = audit(fetched.events, loaded.config, period, fetched.invalid)
    rows = [(o.event.uid, o.start, o.end, o.hours, o.category, o.skipped) for o in result.occurrences]
    return to_dict(result), rows, [str(i) for i in fetched.invalid]


@pytest.mark.parametrize("path", [*FIXTURES, DEMO], ids=lambda p: p.name)
@pytest.mark.parametrize("period", ["2026-03", "2026-11"])
def test_prefilter_gives_the_full_parse_result_on_every_fixture(path, period):
    raw = path.read_bytes()
    assert outcome(raw, period, prefilter=True) == outcome(raw, period, prefilter=False)


def audit_json(path: Path, period_label: str, prefilter: bool, cache: EventCache | None) -> tuple[dict, list[str]]:
    loaded = fixture_rules()
    period = parse_period(period_label, loaded.zone, NOW)
    fetched = IcsSource(str(path), loaded.config.owner, loaded.zone, prefilter=prefilter, cache=cache).fetch(period)
    return to_dict(audit(fetched.events, loaded.config, period, fetched.invalid)), [str(i) for i in fetched.invalid]


@pytest.mark.parametrize("path", [*FIXTURES, DEMO], ids=lambda p: p.name)
@pytest.mark.parametrize("period", ["2026-03", "2026-11"])
def test_the_full_filtered_and_cached_paths_give_the_same_json_on_every_fixture(path, period, tmp_path):
    full = audit_json(path, period, prefilter=False, cache=None)
    filtered = audit_json(path, period, prefilter=True, cache=None)
    cache = EventCache(tmp_path)
    cold = audit_json(path, period, prefilter=True, cache=cache)
    warm = audit_json(path, period, prefilter=True, cache=cache)
    with sqlite3.connect(cache.path) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (1,)  # what the warm run read
    assert filtered == full and cold == full and warm == full


@pytest.mark.parametrize(
    "period",
    # About 25 s each: one stays in mutation runs, which leave out tests marked slow.
    [pytest.param(p, marks=pytest.mark.slow) for p in ("2017-01", "2019-06", "2024-Q4")] + ["2026-03"],
)
def test_prefilter_gives_the_full_parse_result_on_a_generated_calendar(period):
    raw = generate(1500, seed=7)
    loaded = pipeline.demo_config()
    filtered = outcome(raw, period, True, loaded)
    assert filtered == outcome(raw, period, False, loaded)
    assert filtered[0]["hours"]["total"] > 0


def test_prefilter_keeps_timezones_and_properties_and_drops_what_cannot_touch():
    raw = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        b"BEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\n"
        b"BEGIN:VTODO\r\nUID:todo\r\nEND:VTODO\r\n"
        b"BEGIN:VEVENT\r\nUID:old\r\nDTSTART;TZID=America/New_Yo\r\n rk:20190302T100000\r\nEND:VEVENT\r\n"
        b'BEGIN:VEVENT\r\nUID:now\r\nDTSTART;TZID="(UTC+01:00) Amsterdam":20260302T100000\r\n'
        b"BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    kept, count, total, _ = scan.prefilter(raw, date(2026, 3, 1), date(2026, 3, 31))
    assert (count, total) == (1, 2)
    assert b"X-WR-TIMEZONE" in kept and b"TZID:X" in kept and b"UID:now" in kept
    assert b"VTODO" not in kept and b"UID:old" not in kept
    assert kept.endswith(b"END:VCALENDAR\r\n")


def test_a_kept_event_loses_its_alarms_and_unread_properties_and_nothing_else():
    # Nobody reads them; icalendar would spend a tenth of a realistic month parsing them.
    unread = [
        b"CREATED:20260101T000000Z", b"Last-Modified:20260101T000000Z", b"X-ALT-DESC;FMTTYPE=text/html:<p>a",
        b" </p>", b"ATTACH;ENCODING=BASE64;VALUE=BINARY:AAAA", b"\tAAAA",
    ]  # fmt: skip
    event = [
        b"BEGIN:VEVENT", b"DTSTAMP:20260101T000000Z", b"UID:now", b"BEGIN:VALARM", b"TRIGGER:-PT15M",
        b"END:VALARM", b"dtstamp;X-A=1:2026", b" 0101T000000Z", b"DTSTART:20260302T100000Z",
        b"DTSTAMPED:kept", b"X-DTSTAMP:kept", b"DESCRIPTION:a", b" DTSTAMP:kept (a continuation)",
        b"BEGIN:VLOCATION", b"NAME:kept", b"BEGIN:VALARM", b"END:VALARM", b"END:VLOCATION",
        b"begin:valarm", b"BEGIN:VALARM", b"END:VALARM", b"end:valarm", b"SUMMARY:kept", *unread,
        b"X-ALT-DESCRIPTION:kept", b"ATTACHED:kept", b"END:VEVENT",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in [b"BEGIN:VCALENDAR", *event, b"END:VCALENDAR"])
    kept, count, total, _ = scan.prefilter(raw, date(2026, 3, 1), date(2026, 3, 31))
    assert (count, total) == (1, 1)
    expected = [*event[:1], event[2], *event[8:18], event[22], *event[-3:]]
    assert kept == b"".join(line + b"\r\n" for line in [b"BEGIN:VCALENDAR", *expected, b"END:VCALENDAR"])


def test_the_full_path_slims_every_event_task_and_journal_alike_and_keeps_everything_else():
    todo = [b"BEGIN:VTODO", b"DTSTAMP:20260101T000000Z", b"BEGIN:VALARM", b"END:VALARM", b"DUE:2026", b"END:VTODO"]
    old = [b"BEGIN:VEVENT", b"UID:old", b"DTSTAMP:2019", b"DTSTART:20190302T100000Z", b"END:VEVENT"]
    now = [b"BEGIN:VEVENT", b"UID:now", b"BEGIN:VALARM", b"END:VALARM", b"DTSTART:20260302T100000Z", b"END:VEVENT"]
    zone = [b"BEGIN:VTIMEZONE", b"TZID:X", b"DTSTAMP:kept", b"END:VTIMEZONE"]
    lines = [b"BEGIN:VCALENDAR", b"DTSTAMP:calendar", *zone, *todo, *old, *now, b"X-AFTER:1", b"END:VCALENDAR"]
    raw = b"".join(line + b"\r\n" for line in lines)
    expected = [
        b"BEGIN:VCALENDAR", b"DTSTAMP:calendar", *zone, todo[0], *todo[-2:], *old[:2], *old[3:], *now[:2], *now[4:],
        *lines[-2:],
    ]  # fmt: skip
    assert scan.slimmed(raw) == b"".join(line + b"\r\n" for line in expected)


def test_an_alarm_outside_any_event_is_dropped_by_both_paths_alike():
    # A misplaced event between two calendars: its alarm is a component of its own to the
    # scan, which keeps only events and time zones; the full path must drop it too.
    lines = [
        b"BEGIN:VCALENDAR", b"END:VCALENDAR", b"BEGIN:VEVENT", b"UID:a", b"BEGIN:VALARM", b"TRIGGER:bad",
        b"END:VALARM", b"END:VEVENT", b"BEGIN:VCALENDAR", b"END:VCALENDAR",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in lines)
    without_alarm = b"".join(line + b"\r\n" for line in lines[:4] + lines[7:])
    assert scan.slimmed(raw) == without_alarm
    assert b"VALARM" not in scan.prefilter(raw, *MARCH)[0]


def test_an_unread_property_broken_inside_quotes_is_left_for_the_repair_to_join():
    # DTSTAMP;X-NAME="Ana<line break>Smith":... is one line broken inside its quotes
    # (repair.join_quoted_breaks joins it); dropping the first half would make the second
    # a property of its own.
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b'DTSTAMP;X-NAME="Ana', b'SUMMARY:Interview":20260101T000000Z',
        b"SUMMARY:Standup", b"DTSTART:20260302T100000Z", b"END:VEVENT", b"END:VCALENDAR",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in lines)
    assert scan.slimmed(raw) == raw
    assert scan.prefilter(raw, *MARCH)[0] == raw


def test_continuation_lines_after_a_dropped_alarm_go_with_it():
    # " up" continues the END:VALARM line; without the alarm it must not join "SUMMARY:Stand".
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"SUMMARY:Stand", b"BEGIN:VALARM", b"END:VALARM", b" up",
        b"\tmore", b"DTSTART:20260302T100000Z", b"END:VEVENT", b"END:VCALENDAR",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in lines)
    expected = b"".join(line + b"\r\n" for line in lines[:3] + lines[7:])
    assert scan.slimmed(raw) == expected
    assert scan.prefilter(raw, *MARCH)[0] == expected


def info(**kw):
    defaults = dict(
        uid=b"u", start=None, end=None, rrule_until=None, until=None, recurring=False, unbounded=False, override=False
    )
    return scan.Info(**{**defaults, **kw})


MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        # A series that ended last year is dropped with its overrides.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, rrule_until=date(2025, 6, 1)),
                info(start=date(2024, 2, 1), override=True, recurrence=date(2024, 2, 1)),
            ],
            [False, False],
        ),
        # ... but an override moved into the window is kept, as an orphan.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, rrule_until=date(2025, 6, 1)),
                info(start=date(2026, 3, 10), override=True, recurrence=date(2024, 2, 1)),
            ],
            [False, True],
        ),
        # A running series keeps the overrides of instances that may touch the window only.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, unbounded=True),
                info(start=date(2024, 2, 1), override=True, recurrence=date(2024, 2, 1)),
                info(start=date(2024, 2, 1), override=True, recurrence=date(2026, 3, 2)),
            ],
            [True, False, True],
        ),
        # An override whose RECURRENCE-ID cannot be read keeps its whole group.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, rrule_until=date(2025, 6, 1)),
                info(start=date(2024, 2, 1), override=True),
            ],
            [True, True],
        ),
        # A series ending on the first day of the window still counts.
        ([info(start=date(2025, 1, 1), end=date(2025, 1, 1), recurring=True, rrule_until=date(2026, 2, 28))], [True]),
        # ... but one whose last instance starts two days before the window, and lasts no
        # day, cannot (no DTEND, or a DTEND on its start day).
        ([info(start=date(2025, 1, 1), recurring=True, rrule_until=date(2026, 2, 27))], [False]),
        ([info(start=date(2025, 1, 1), end=date(2025, 1, 1), recurring=True, rrule_until=date(2026, 2, 27))], [False]),
        # A series starting after the window cannot reach it.
        ([info(start=date(2026, 5, 1), recurring=True, unbounded=True)], [False]),
        # Single events: by their own dates, a multi-day one by its end.
        ([info(start=date(2026, 2, 20), end=date(2026, 3, 2))], [True]),
        ([info(start=date(2026, 2, 20), end=date(2026, 2, 25))], [False]),
        ([info(start=None)], [True]),
    ],
)
def test_relevance_decisions(group, expected):
    assert scan.relevant(group, *MARCH) == expected


def test_info_reads_raw_values():
    parsed = scan.Info.from_values(
        {
            b"DTSTART": [b"20260302T100000"],
            b"DURATION": [b"P1W2D"],
            b"RRULE": [b"FREQ=WEEKLY;UNTIL=20260401T000000Z"],
        }
    )
    assert (parsed.start, parsed.end, parsed.rrule_until, parsed.unbounded) == (
        date(2026, 3, 2),
        date(2026, 3, 12),
        date(2026, 4, 1),
        False,
    )
    assert scan.Info.from_values({b"DTSTART": [b"x"], b"RRULE": [b"FREQ=DAILY;COUNT=3"]}).unbounded


def rule_info(start: str, rule: str) -> scan.Info:
    return scan.Info.from_values({b"DTSTART": [start.encode()], b"RRULE": [rule.encode()]})


@pytest.mark.parametrize(
    ("start", "rule", "bound"),
    [
        # 30 instances at three a week end after 10 weeks (2025-03-14); the bound is 11 weeks: 77 days.
        ("20250106T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=30", date(2025, 3, 24)),
        ("20250106T090000", "FREQ=WEEKLY;BYDAY=MO,MO;COUNT=4", date(2025, 2, 10)),  # one a week: 5 weeks
        ("20250106T090000", "FREQ=WEEKLY;INTERVAL=2;COUNT=4", date(2025, 3, 17)),  # 5 x 14 days
        ("20260220T090000", "FREQ=DAILY;COUNT=10", date(2026, 3, 3)),  # 11 days
        ("20260220", "freq=daily;byday=mo,tu,we,th,fr;count=10", date(2026, 3, 13)),  # 2 + 1 weeks
        ("20250115T090000", "FREQ=MONTHLY;COUNT=2", date(2025, 4, 18)),  # 3 x 31 days
        ("20250106T090000", "FREQ=WEEKLY;UNTIL=20250301T000000Z", date(2025, 3, 1)),
        # Periods that may yield nothing: no cheap bound.
        ("20240229T090000", "FREQ=YEARLY;COUNT=2", None),  # the 2nd is 2028-02-29
        ("20250101T090000", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5;COUNT=2", None),  # 2025-03-31, 2025-06-30
        ("20260131T090000", "FREQ=MONTHLY;COUNT=3", None),  # no 31 February
        ("20250107T090000", "FREQ=DAILY;INTERVAL=7;BYDAY=MO;COUNT=3", None),  # never a Monday
        ("20250106T090000", "FREQ=WEEKLY;BYDAY=1MO;COUNT=3", None),
        ("20250106T090000", "FREQ=WEEKLY;COUNT=3;X-COUNT=1", None),
        ("20250106T090000", "FREQ=WEEKLY;COUNT=3;COUNT=1", None),
        ("20250106T090000", "FREQ=WEEKLY;INTERVAL=0;COUNT=3", None),
        ("20250106T090000", "FREQ=WEEKLY;COUNT=x", None),
    ],
)
def test_count_rules_get_a_bound_only_when_every_period_yields_an_instance(start, rule, bound):
    info = rule_info(start, rule)
    assert (info.rrule_until, info.unbounded) == (bound, bound is None)


def test_a_count_series_that_ran_out_before_the_window_is_dropped_with_its_overrides():
    master = rule_info("20250106T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=30")
    moved = info(start=date(2025, 2, 3), override=True, recurrence=date(2025, 2, 3))
    assert scan.relevant([master, moved], *MARCH) == [False, False]
    late = rule_info("20260220T090000", "FREQ=DAILY;COUNT=10")
    assert scan.relevant([late], *MARCH) == [True]


BY_PARTS = [
    "", ";BYDAY=MO", ";BYDAY=TU,SA", ";BYDAY=MO,TU,WE,TH,FR", ";BYDAY=1MO", ";BYDAY=-1FR", ";BYDAY=5MO",
    ";BYMONTHDAY=31", ";BYMONTHDAY=15", ";BYMONTH=2", ";BYDAY=MO,TU;BYSETPOS=3", ";BYDAY=MO,WE;BYSETPOS=-1",
    ";BYHOUR=9,15", ";WKST=SU;BYDAY=SU,MO",
]  # fmt: skip
# The last days of a month and 29 February are the ones that months and years skip.
STARTS = [datetime(2024, 1, 31, 9, 30), datetime(2024, 2, 29, 23), datetime(2025, 4, 30, 9), datetime(2025, 3, 6, 9)]


@pytest.mark.parametrize("frequency", ["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
def test_the_count_bound_is_never_before_the_last_instance(frequency):
    """The bound checked against recurring-ical-events itself, on rules with and without BYxxx."""
    for by, start, interval, count in itertools.product(BY_PARTS, STARTS, [1, 2], [1, 3, 13, 40]):
        rule = f"FREQ={frequency};INTERVAL={interval};COUNT={count}{by}"
        bound = rule_info(f"{start:%Y%m%dT%H%M%S}", rule).rrule_until
        if bound is None:
            continue
        event = icalendar.Event()
        event.add("UID", "u")
        event.add("DTSTART", start)
        event.add("RRULE", icalendar.vRecur.from_ical(rule))
        ical = icalendar.Calendar()
        ical.add_component(event)
        last = max(o.start for o in recurring_ical_events.of(ical).all())
        assert last.date() <= bound, (rule, start)


def test_the_newest_event_is_dated_by_until_never_by_a_count_bound():
    # A weekly COUNT=5 series from Monday 2 March 2026 ends on 30 March (the scan's bound
    # says "not after 13 April"); a single event on 2 April is the newest, an UNTIL series
    # to 20 April newer still.
    weekly_count = scan.Info.from_values({b"DTSTART": [b"20260302T090000"], b"RRULE": [b"FREQ=WEEKLY;COUNT=5"]})
    single = scan.Info.from_values({b"DTSTART": [b"20260402T100000"]})
    weekly_until = scan.Info.from_values(
        {b"DTSTART": [b"20260302T090000"], b"RRULE": [b"FREQ=WEEKLY;UNTIL=20260420T000000Z"]}
    )
    assert weekly_count.rrule_until is not None and weekly_count.rrule_until > date(2026, 4, 2)
    assert scan.newest_start([weekly_count, single]) == date(2026, 4, 2)
    assert scan.newest_start([weekly_count, single, weekly_until]) == date(2026, 4, 20)


def _vevent(uid: str, start: str, end: str, *extra: str) -> str:
    return "\r\n".join(
        ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", "SUMMARY:Sync", *extra, "END:VEVENT"]
    )


# Two weekly series with overrides near and far from March 2026 (times in UTC):
# - "mon", Mondays 10-11 since 2025-01-06: March has the 2nd, 9th, 16th, 23rd and 30th, but
#   the 9th was moved to April (-1 h) and the 16 February one into March, 3 h long (+3 h):
#   4 + 3 = 7 h. Its 2025-06-02 instance was moved to 2025-06-03: it cannot touch March.
# - "tue", Tuesdays 9-10 since 2025-01-07, from 2025-09-02 on 9-11 (RANGE=THISANDFUTURE, an
#   override far before March that changes every later instance): 5 Tuesdays x 2 h = 10 h.
OVERRIDES = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//calaudit tests//EN",
        _vevent("mon", "20250106T100000Z", "20250106T110000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO"),
        _vevent("mon", "20250603T090000Z", "20250603T120000Z", "RECURRENCE-ID:20250602T100000Z"),
        _vevent("mon", "20260407T100000Z", "20260407T110000Z", "RECURRENCE-ID:20260309T100000Z"),
        _vevent("mon", "20260304T100000Z", "20260304T130000Z", "RECURRENCE-ID:20260216T100000Z"),
        _vevent("tue", "20250107T090000Z", "20250107T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=TU"),
        _vevent("tue", "20250902T090000Z", "20250902T110000Z", "RECURRENCE-ID;RANGE=THISANDFUTURE:20250902T090000Z"),
        "END:VCALENDAR",
        "",
    ]
).encode()


def test_overrides_far_from_the_window_are_dropped_and_the_hours_stay_exact():
    kept, count, total, _ = scan.prefilter(OVERRIDES, *MARCH)
    assert (count, total) == (5, 6)
    assert b"20250603T090000Z" not in kept and b"RANGE=THISANDFUTURE" in kept
    for prefilter in (True, False):
        _, rows, invalid = outcome(OVERRIDES, "2026-03", prefilter)
        hours: dict[str, float] = {}
        for uid, *_, spent, _category, _skipped in rows:
            hours[uid] = hours.get(uid, 0) + spent
        assert (hours, invalid) == ({"mon": 7.0, "tue": 10.0}, [])


@pytest.mark.parametrize(
    ("override", "kept"),
    [
        (info(start=date(2025, 6, 3), override=True, recurrence=date(2025, 6, 2)), False),
        (info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 3, 9)), True),  # moved out of March
        (info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 3, 31)), True),  # the last day
        (info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 4, 1)), True),  # a day's margin
        (info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 4, 2)), False),
        # The series' instances last three days: one from 25 February reaches 28 February, the
        # day's margin before March; one from the 24th does not.
        (info(start=date(2026, 1, 7), override=True, recurrence=date(2026, 2, 25)), True),
        (info(start=date(2026, 1, 7), override=True, recurrence=date(2026, 2, 24)), False),
    ],
)
def test_an_override_of_a_kept_series_is_kept_when_the_instance_it_replaces_may_touch_the_window(override, kept):
    master = info(start=date(2025, 1, 5), end=date(2025, 1, 8), recurring=True, unbounded=True)
    assert scan.relevant([master, override], *MARCH) == [True, kept]


def test_a_group_with_a_this_and_future_override_is_kept_whole_even_when_its_series_ended():
    # The series ended in February, but an override of January moves every later instance
    # (by weeks, say): some may now fall in March, and any other override may cancel them.
    master = info(start=date(2025, 1, 6), end=date(2025, 1, 6), recurring=True, rrule_until=date(2026, 2, 25))
    shifted = info(start=date(2026, 2, 11), override=True, recurrence=date(2026, 1, 14), this_and_future=True)
    cancelled = info(start=date(2026, 1, 21), override=True, recurrence=date(2026, 1, 21))
    assert scan.relevant([master, shifted, cancelled], *MARCH) == [True, True, True]
    assert scan.relevant([master, cancelled], *MARCH) == [False, False]


def test_overrides_of_the_same_instance_are_kept_or_dropped_together():
    # Two versions of the 12 January instance (SEQUENCE 1 moved it into March, SEQUENCE 2
    # back to 13 January): recurring-ical-events picks between them, so it needs both.
    master = info(start=date(2025, 1, 6), recurring=True, unbounded=True)
    stale = info(start=date(2026, 3, 10), override=True, recurrence=date(2026, 1, 12))
    newer = info(start=date(2026, 1, 13), override=True, recurrence=date(2026, 1, 12))
    other = info(start=date(2026, 1, 20), override=True, recurrence=date(2026, 1, 19))
    assert scan.relevant([master, stale, newer, other], *MARCH) == [True, True, True, False]


@pytest.mark.parametrize(
    ("duration", "end"),
    [
        ("PT1000H", date(2026, 3, 25)),  # 41 days and 16 hours: 42 days, and the day's margin
        ("P1DT400H", date(2026, 3, 1)),  # 17 days and 16 hours: 18 days, and the margin
        ("PT90M", date(2026, 2, 12)),  # under a day: the next day
        ("P2W", date(2026, 2, 25)),
        ("PT86400S", date(2026, 2, 12)),  # exactly a day
    ],
)
def test_a_duration_in_hours_minutes_or_seconds_counts_toward_the_end(duration, end):
    parsed = scan.Info.from_values({b"DTSTART": [b"20260210T100000Z"], b"DURATION": [duration.encode()]})
    assert parsed.end == end


def ics(*lines: str, end: str = "\r\n") -> bytes:
    return "".join(line + end for line in lines).encode()


MARCH_EVENT = ("BEGIN:VEVENT", "UID:march", "DTSTART:20260302T100000", "END:VEVENT")
OLD_EVENT = ("BEGIN:VEVENT", "UID:old", "DTSTART:20190302T100000", "END:VEVENT")
CALENDAR = ("BEGIN:VCALENDAR", *MARCH_EVENT, *OLD_EVENT, "END:VCALENDAR")
BOM = b"\xef\xbb\xbf"
LOWER_CASE = [line.lower() if line.startswith(("BEGIN", "END")) else line for line in CALENDAR]
ODD_FILES = {
    "CRLF": ics(*CALENDAR),
    "LF": ics(*CALENDAR, end="\n"),
    "CR alone": ics(*CALENDAR, end="\r"),
    "CR alone after the first line": b"BEGIN:VCALENDAR\r\n" + ics(*CALENDAR[1:], end="\r"),
    "no line end at the end": ics(*CALENDAR)[:-2],
    "a byte-order mark": BOM + ics(*CALENDAR),
    "two byte-order marks": BOM + BOM + ics(*CALENDAR),
    "lower-case BEGIN and END": ics(*LOWER_CASE),
    "two calendars": ics(*CALENDAR, *CALENDAR),
    "a calendar begun inside a calendar": ics("BEGIN:VCALENDAR", *MARCH_EVENT, *CALENDAR),
    "an unfinished event": ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", *MARCH_EVENT, "END:VCALENDAR"),
    "an unfinished lower-case event": ics("BEGIN:VCALENDAR", "begin:vevent", "UID:x", *MARCH_EVENT, "END:VCALENDAR"),
    "an unfinished event at the end": ics(*CALENDAR[:-1], "BEGIN:VEVENT", "UID:x", "END:VCALENDAR"),
    "a stray END": ics("BEGIN:VCALENDAR", "END:VEVENT", *CALENDAR[1:]),
    "an unbalanced alarm": ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x", "BEGIN:VALARM", "END:VEVENT", *CALENDAR[1:]),
}


@pytest.mark.parametrize("raw", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_a_file_is_scanned_whole_as_it_would_be_line_by_line(raw):
    """The repair skips its line-by-line pass on a file it would not change; the result
    is what that pass gives, whatever the line ends and whatever had to be cut out."""
    whole: list[repair.Broken] = []
    by_line: list[repair.Broken] = []
    reference = b"".join(repair.balanced(repair.split_lines(io.BytesIO(raw)), by_line))
    assert scan.prefilter(repair.mended(raw, whole)[0], *MARCH) == scan.prefilter(reference, *MARCH)
    assert whole == by_line
    # The markers handed on for a file taken as it is are its own, and the scan gives
    # the same result with them as when it finds them itself.
    data, found = repair.mended(raw, [])
    assert data == reference
    if found is not None:
        assert found == list(repair.markers(data))
        assert scan.prefilter(data, *MARCH, found) == scan.prefilter(reference, *MARCH)


def test_markers_are_handed_on_only_for_a_file_taken_as_it_is():
    intact = ics(*CALENDAR)
    assert repair.mended(BOM + intact, []) == (intact, list(repair.markers(intact)))
    for raw in (ODD_FILES["an unfinished event"], ODD_FILES["CR alone after the first line"]):
        assert repair.mended(raw, [])[1] is None


def test_begin_and_end_lines_count_whatever_their_case():
    text, kept, total, newest = scan.prefilter(ics(*LOWER_CASE), *MARCH)
    assert (kept, total, newest) == (1, 2, date(2026, 3, 2))
    assert b"UID:march" in text and b"UID:old" not in text


def test_the_properties_of_an_alarm_are_not_the_event_s():
    raw = ics(
        "BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old",
        "BEGIN:VALARM", "BEGIN:X-NESTED", "END:X-NESTED", "DTSTART:20260302T100000", "RRULE:FREQ=DAILY", "END:VALARM",
        "DTSTART:20190302T100000", "END:VEVENT", "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:] == (0, 1, date(2019, 3, 2))


@pytest.mark.parametrize(
    "dtstart",
    [
        "DTSTART;TZID=America/New_Yo\r\n rk:20190302T100000",
        "DTSTART:2019\r\n\t0302T100000",
        "DTSTART\r\n :20190302T100000",
        "dtstart \r\n ;VALUE=DATE:20190302",
        "DTSTART:2019\n 0302\n \n 0302T100000",
    ],
    ids=["inside a parameter", "with a tab", "after the name", "lower-case name and blanks", "LF, twice"],
)
def test_a_folded_key_is_read_with_its_continuation_lines(dtstart):
    """Read wrongly, the date would be missing and the 2019 event kept."""
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old", dtstart, "END:VEVENT", "END:VCALENDAR")
    assert scan.prefilter(raw, *MARCH)[1:] == (0, 1, date(2019, 3, 2))


def test_a_continuation_line_belongs_only_to_the_line_just_before_it():
    """Joined to the DTSTART, either one would complete its date and drop the event."""
    raw = ics(
        "BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old", "DTSTART:2019", "BEGIN:VALARM", "END:VALARM", " 0302",
        "SUMMARY:x", " 0302", "END:VEVENT", "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:] == (1, 1, None)


@pytest.mark.parametrize("end", ["\r\n", "\n"], ids=["CRLF", "LF"])
def test_each_calendar_gets_its_kept_events_back_just_before_its_end(end):
    raw = ics(
        "BEGIN:VCALENDAR", "X-A:1", *OLD_EVENT, "BEGIN:VTODO", "UID:t", "END:VTODO", *MARCH_EVENT, "X-B:2",
        "END:VCALENDAR",
        "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:X", "BEGIN:STANDARD", "DTSTART:20260302", "END:STANDARD",
        "END:VTIMEZONE", "X-C:3", "END:VCALENDAR", end=end,
    )  # fmt: skip
    text, kept, total, newest = scan.prefilter(raw, *MARCH)
    assert text == ics(
        "BEGIN:VCALENDAR", "X-A:1", "X-B:2", *MARCH_EVENT, "END:VCALENDAR",
        "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:X", "BEGIN:STANDARD", "DTSTART:20260302", "END:STANDARD",
        "END:VTIMEZONE", "X-C:3", "END:VCALENDAR", end=end,
    )  # fmt: skip
    assert (kept, total, newest) == (1, 2, date(2026, 3, 2))


def test_a_component_still_open_at_the_end_is_dropped():
    raw = ics("BEGIN:VCALENDAR", *MARCH_EVENT, "X-A:1", "BEGIN:VTIMEZONE", "TZID:X")
    assert scan.prefilter(raw, *MARCH) == (ics("BEGIN:VCALENDAR", "X-A:1"), 0, 0, None)


@pytest.mark.parametrize(
    "line",
    [
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20250902T090000Z",
        "recurrence-id;range=thisandfuture:20250902T090000Z",
        'RECURRENCE-ID;TZID=UTC;RANGE="THISANDFUTURE":20250902T090000',
        "RECURRENCE-ID;RANGE=THISAND\r\n FUTURE:20250902T090000Z",  # folded inside the parameter
    ],
)
def test_a_this_and_future_override_far_before_the_window_is_kept_however_it_is_written(line):
    raw = OVERRIDES.replace(b"RECURRENCE-ID;RANGE=THISANDFUTURE:20250902T090000Z", line.encode())
    kept, count, total, _ = scan.prefilter(raw, *MARCH)
    assert (count, total) == (5, 6) and b"20250902T110000Z" in kept
    unknown = raw.replace(b"THISAND", b"THIS").replace(b"thisand", b"this")  # RANGE=THISFUTURE: not a range
    assert scan.prefilter(unknown, *MARCH)[1:3] == (4, 6)


def test_a_series_running_to_the_last_day_there_is_with_multi_day_instances_is_audited():
    # UNTIL 9999-12-31 and instances of a day and an hour: the end of the last one is past
    # date.max, which once stopped the audit with an OverflowError. March 2026 has the 30
    # instances starting on the 2nd to the 31st.
    raw = ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calaudit tests//EN",
        "BEGIN:VEVENT", "UID:forever", "DTSTART:20260302T100000Z", "DTEND:20260303T110000Z",
        "RRULE:FREQ=DAILY;UNTIL=99991231T000000Z", "SUMMARY:Sync",
        "END:VEVENT",
        "BEGIN:VEVENT", "UID:forever", "RECURRENCE-ID:99991230T100000Z", "DTSTART:99991230T100000Z",
        "DTEND:99991231T110000Z", "SUMMARY:Sync", "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:3] == (1, 2)
    filtered = outcome(raw, "2026-03", prefilter=True)
    assert filtered == outcome(raw, "2026-03", prefilter=False)
    assert len(filtered[1]) == 30 and filtered[2] == []


@pytest.mark.parametrize(
    ("name", "hours"),
    [
        # Wednesdays 10-11 until 25 February; from 14 January on every instance moved four
        # weeks later (RANGE=THISANDFUTURE), so 4, 11, 18 and 25 March; and a review, 1 h.
        ("prefilter-this-and-future-after-the-end.ics", {"taf1@x": 4.0, "anchor@x": 1.0}),
        # Mondays 10-11: 2, 9, 16, 23 and 30 March, the 9th moved to May by an override
        # whose RECURRENCE-ID line is folded inside its name.
        ("prefilter-folded-name.ics", {"s@x": 4.0}),
        # Two versions of the 12 January instance: SEQUENCE 2 (13 January) wins over
        # SEQUENCE 1 (10 March), so March has its five Mondays and no coffee.
        ("prefilter-two-versions-of-an-instance.ics", {"s@x": 5.0}),
        # LF lines, then an event and the calendar's end with CR alone: both events count.
        ("prefilter-mixed-line-endings.ics", {"a": 1.0, "b": 1.0}),
    ],
)
def test_what_the_pre_filter_once_dropped_counts_on_both_paths(name, hours):
    raw = (ICS / name).read_bytes()
    for prefilter in (True, False):
        _, rows, invalid = outcome(raw, "2026-03", prefilter)
        found: dict[str, float] = {}
        for uid, *_, spent, _category, _skipped in rows:
            found[uid] = found.get(uid, 0) + spent
        assert (found, invalid) == (hours, [])


def test_a_duration_in_hours_reaches_into_the_period():
    # 1000 hours from 20 February 09:00 run to 3 April: the offsite is in March on both paths.
    raw = (ICS / "prefilter-duration-in-hours.ics").read_bytes()
    assert scan.prefilter(raw, *MARCH)[1:3] == (2, 2)
    for prefilter in (True, False):
        uids = {uid for uid, *_ in outcome(raw, "2026-03", prefilter)[1]}
        assert uids == {"longdur@x", "anchor@x"}


# From DTSTART on 2 March 2026, date.max (9999-12-31) is 2,912,382 days away.
@pytest.mark.parametrize(
    ("duration", "end"),
    [
        ("P2912380D", date(9999, 12, 30)),  # 2,912,380 days, and the day's margin
        ("P2912381D", date(9999, 12, 31)),
        ("P2912382D", date(9999, 12, 31)),  # past the last date there is: cut there
        ("P2950000D", date(9999, 12, 31)),
        ("P999999999999999999W", date(9999, 12, 31)),
    ],
)
def test_a_duration_past_the_last_date_there_is_ends_on_it(duration, end):
    parsed = scan.Info.from_values({b"DTSTART": [b"20260302T100000Z"], b"DURATION": [duration.encode()]})
    assert parsed.end == end


def test_an_event_whose_duration_passes_the_last_date_is_unreadable_and_the_rest_is_audited():
    # 2,950,000 days from 2026 end in the year 10103: the scan once stopped the whole file
    # with an OverflowError; now only that event is unreadable, on both paths.
    raw = ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calaudit tests//EN",
        "BEGIN:VEVENT", "UID:long", "DTSTART:20260302T150000Z", "DURATION:P2950000D", "SUMMARY:Long", "END:VEVENT",
        "BEGIN:VEVENT", "UID:call", "DTSTART:20260303T150000Z", "DTEND:20260303T160000Z", "SUMMARY:Customer call",
        "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    for prefilter in (True, False):
        _, rows, invalid = outcome(raw, "2026-03", prefilter)
        assert [(uid, hours, category) for uid, _, _, hours, category, _ in rows] == [("call", 1.0, "sales")]
        assert invalid == [str(InvalidEvent("cal.ics", "Long", "long", "date value out of range"))]


def _sync(uid: str, start: str, end: str, *extra: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", f"UID:{uid}", f"DTSTART:{start}", f"DTEND:{end}", "SUMMARY:Sync", *extra, "END:VEVENT")


def hours_by_uid(raw: bytes, prefilter: bool) -> tuple[dict[str, float], list[str]]:
    _, rows, invalid = outcome(raw, "2026-03", prefilter)
    found: dict[str, float] = {}
    for uid, *_, spent, _category, _skipped in rows:
        found[uid] = found.get(uid, 0) + spent
    return found, invalid


def test_a_series_starting_on_the_day_after_the_window_in_utc_counts_its_first_instance():
    # 1 April 03:00 UTC is 31 March 23:00 in New York: an hour of March, though its date is April's.
    raw = ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calaudit tests//EN",
        *_sync("late", "20260401T030000Z", "20260401T040000Z", "RRULE:FREQ=WEEKLY"),
        "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:3] == (1, 1)
    for prefilter in (True, False):
        assert hours_by_uid(raw, prefilter) == ({"late": 1.0}, [])


def test_an_rdate_after_the_rrule_ended_keeps_its_series():
    # Mondays 10-11 UTC in January (the RRULE ends on the 26th), and one more on Tuesday 10 March.
    raw = ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calaudit tests//EN",
        *_sync("extra", "20260105T100000Z", "20260105T110000Z", "RRULE:FREQ=WEEKLY;UNTIL=20260126T235959Z",
               "RDATE:20260310T100000Z"),
        "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:3] == (1, 1)
    for prefilter in (True, False):
        assert hours_by_uid(raw, prefilter) == ({"extra": 1.0}, [])


def test_a_uid_folded_after_an_x_groups_the_override_with_its_series():
    # A fold drops only the line end and the continuation's blank. Mondays 10-11 UTC; the
    # 9 March one was moved to April by an override whose UID is folded: 4 h in March.
    raw = ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calaudit tests//EN",
        *_sync("syncXY", "20250106T100000Z", "20250106T110000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO"),
        *_sync("syncX\r\n Y", "20260407T100000Z", "20260407T110000Z", "RECURRENCE-ID:20260309T100000Z"),
        "END:VCALENDAR",
    )  # fmt: skip
    assert scan.prefilter(raw, *MARCH)[1:3] == (2, 2)
    for prefilter in (True, False):
        assert hours_by_uid(raw, prefilter) == ({"syncXY": 4.0}, [])


def test_a_blank_ending_a_continuation_line_is_kept_as_icalendar_keeps_it():
    # Only the line end goes, and the one blank that marks a continuation: "ab" + "c " + "d".
    assert scan._unfolded(b"UID:ab\r\n c \r\n d\r") == b"UID:abc d"


def test_properties_no_rule_reads_are_dropped_with_their_continuations_on_both_paths():
    # With no rule reading descriptions, icalendar need not parse them: they are half of a
    # kept realistic event. Only the property named goes, whatever its parameters or case.
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"UID:now", b"DTSTART:20260302T100000Z",
        b"DESCRIPTION;LANGUAGE=en:Hi all", b" and more", b"\tand more", b"LOCATION:Room 1", b"description:b",
        b"DESCRIPTIONS:kept", b"X-DESCRIPTION:kept", b"SUMMARY:kept", b"END:VEVENT", b"END:VCALENDAR",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in lines)
    expected = b"".join(line + b"\r\n" for line in lines[:4] + lines[7:8] + lines[9:])
    assert scan.prefilter(raw, *MARCH, unread=frozenset({b"DESCRIPTION"}))[0] == expected
    assert scan.slimmed(raw, unread=frozenset({b"DESCRIPTION"})) == expected
    assert scan.prefilter(raw, *MARCH)[0] == raw == scan.slimmed(raw)
    both = frozenset({b"DESCRIPTION", b"LOCATION"})
    assert scan.slimmed(raw, unread=both) == b"".join(line + b"\r\n" for line in lines[:4] + lines[9:])


def test_quotes_closed_on_their_own_line_do_not_keep_an_event_s_unread_lines():
    # Outlook quotes every attendee's name; only a line ending inside quotes (which the
    # repair joins to the next) keeps the event's lines as they are.
    attendee = b'ATTENDEE;CN="Doe, Jane";PARTSTAT=ACCEPTED:mailto:jane@x.example'
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"UID:now", b"DTSTAMP:20260101T000000Z", attendee,
        b'DESCRIPTION;ALTREP="cid:a":kept, its parameters are quoted', b'DESCRIPTION:say "hi"', b" more",
        b"DTSTART:20260302T100000Z", b"END:VEVENT", b"END:VCALENDAR",
    ]  # fmt: skip
    raw = b"".join(line + b"\r\n" for line in lines)
    expected = b"".join(line + b"\r\n" for line in lines[:3] + lines[4:6] + lines[8:])
    unread = frozenset({b"DESCRIPTION"})
    assert scan.prefilter(raw, *MARCH, unread=unread)[0] == expected == scan.slimmed(raw, unread=unread)
    broken = raw.replace(b'CN="Doe, Jane"', b'CN="Doe,\r\n Jane"')
    assert scan.prefilter(broken, *MARCH, unread=unread)[0] == broken == scan.slimmed(broken, unread=unread)
