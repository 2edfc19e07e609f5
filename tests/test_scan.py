"""The period pre-filter: it must never change a result, only the time taken."""

from datetime import date
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from calaudit import pipeline
from calaudit.audit import audit
from calaudit.period import parse_period
from calaudit.report.json import to_dict
from calaudit.sources import scan
from calaudit.sources.ics import parse_calendar
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


@pytest.mark.parametrize("period", ["2017-01", "2019-06", "2024-Q4", "2026-03"])
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
    kept, count, total, _ = scan.prefilter(iter(raw.splitlines(keepends=True)), date(2026, 3, 1), date(2026, 3, 31))
    assert (count, total) == (1, 2)
    assert b"X-WR-TIMEZONE" in kept and b"TZID:X" in kept and b"UID:now" in kept and b"TRIGGER" in kept
    assert b"VTODO" not in kept and b"UID:old" not in kept
    assert kept.endswith(b"END:VCALENDAR\r\n")


def info(**kw):
    defaults = dict(uid=b"u", start=None, end=None, rrule_until=None, recurring=False, unbounded=False, override=False)
    return scan.Info(**{**defaults, **kw})


MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        # A series that ended last year is dropped with its overrides.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, rrule_until=date(2025, 6, 1)),
                info(start=date(2024, 2, 1), override=True),
            ],
            [False, False],
        ),
        # ... but an override moved into the window is kept, as an orphan.
        (
            [
                info(start=date(2024, 1, 1), recurring=True, rrule_until=date(2025, 6, 1)),
                info(start=date(2026, 3, 10), override=True),
            ],
            [False, True],
        ),
        # A running series keeps every override, wherever it was moved.
        (
            [info(start=date(2024, 1, 1), recurring=True, unbounded=True), info(start=date(2024, 2, 1), override=True)],
            [True, True],
        ),
        # A series ending on the first day of the window still counts.
        ([info(start=date(2025, 1, 1), end=date(2025, 1, 1), recurring=True, rrule_until=date(2026, 2, 28))], [True]),
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
