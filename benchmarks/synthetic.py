"""Deterministic synthetic calendars: ten years of a busy CTO, about 1.1 KB per VEVENT.

Used by bench_audit.py and by the tests that compare the pre-filtered and the full
parse. The mix follows real exports: mostly single meetings, recurring series that
mostly ended (UNTIL) or ran out (COUNT), a few still running, moved and cancelled
instances, declined and all-day events, times in several zones and in UTC.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import icalendar

FIRST_DAY = date(2017, 1, 1)
DAYS = 3652
ZONES = ["America/New_York"] * 12 + ["Europe/Berlin"] * 3 + ["Asia/Tokyo"] + ["UTC"] * 4
TITLES = [
    "Interview: backend candidate", "Acme renewal call", "1:1 Ana", "1:1 Bo", "Engineering standup",
    "Incident review", "Architecture review", "Finance sync", "Coffee with Sam", "Podcast recording",
    "Partner sync", "Sprint planning", "All hands", "Lunch", "Design doc review", "Board prep",
]  # fmt: skip
DESCRIPTION = (
    "Agenda: status of the quarter, risks, hiring, open decisions and follow-ups from last time. "
    "Join with the video link in the location field; dial-in numbers are in the company directory. "
    "Please read the linked document beforehand and add comments inline so that the meeting can "
    "focus on the decisions rather than on reading. Notes are taken in the shared folder."
)


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets (ASCII here)."""
    parts = [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n".join(parts) + "\r\n"


def _stamp(value: datetime, zone: str, name: str) -> str:
    if zone == "UTC":
        return f"{name}:{value:%Y%m%dT%H%M%S}Z"
    return f"{name};TZID={zone}:{value:%Y%m%dT%H%M%S}"


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.parts: list[str] = []
        self.count = 0

    def event(self, uid: str, start: datetime, minutes: int, zone: str, extra: list[str]) -> None:
        rng = self.rng
        self.count += 1
        title = rng.choice(TITLES)
        people = [f"person{rng.randrange(400)}@{rng.choice(['weave.example', 'acme.example'])}" for _ in range(4)]
        owner_status = "DECLINED" if rng.random() < 0.1 else rng.choice(["ACCEPTED", "ACCEPTED", "TENTATIVE"])
        lines = [
            "BEGIN:VEVENT",
            _stamp(start, zone, "DTSTART"),
            _stamp(start + timedelta(minutes=minutes), zone, "DTEND"),
            *extra,
            "DTSTAMP:20261101T120000Z",
            "CREATED:20161201T120000Z",
            "LAST-MODIFIED:20261101T120000Z",
            f"UID:{uid}",
            f"SUMMARY:{title}",
            f"DESCRIPTION:{DESCRIPTION[: rng.randrange(200, len(DESCRIPTION))]}",
            "LOCATION:https://meet.example.com/abc-defg-hij",
            "ORGANIZER;CN=Organizer:mailto:organizer@weave.example",
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={owner_status};CN=CTO:mailto:cto@weave.example",
            *[f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{p}" for p in people],
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
        self.parts.extend(_fold(line) for line in lines)

    def all_day(self, uid: str, day: date) -> None:
        self.count += 1
        lines = [
            "BEGIN:VEVENT", f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"UID:{uid}", "SUMMARY:Conference", f"DESCRIPTION:{DESCRIPTION}", "DTSTAMP:20261101T120000Z",
            "TRANSP:TRANSPARENT", "END:VEVENT",
        ]  # fmt: skip
        self.parts.extend(_fold(line) for line in lines)


def generate(vevents: int, seed: int = 2026) -> bytes:
    """A calendar with ``vevents`` VEVENTs (masters, overrides and singles together)."""
    w = _Writer(seed)
    rng = w.rng
    masters = max(1, vevents * 8 // 100)
    overrides = vevents * 4 // 100
    running = max(1, masters // 300)
    series: list[tuple[str, datetime, str, int]] = []
    for i in range(masters):
        zone = rng.choice(ZONES)
        start = datetime.combine(FIRST_DAY + timedelta(days=rng.randrange(DAYS - 30)), datetime.min.time())
        start = start.replace(hour=rng.randrange(8, 18), minute=rng.choice([0, 30]))
        if i < running:
            rule = f"RRULE:FREQ=WEEKLY;BYDAY={start.strftime('%a')[:2].upper()}"
        elif rng.random() < 0.1:
            rule = f"RRULE:FREQ=DAILY;COUNT={rng.randrange(3, 20)}"
        else:
            until = start + timedelta(days=rng.randrange(30, 500))
            rule = f"RRULE:FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%S}Z"
        uid = f"series-{i}@synthetic"
        w.event(uid, start, rng.choice([30, 60]), zone, [rule])
        series.append((uid, start, zone, 1 if "DAILY" in rule else 7))
    for i in range(overrides):
        uid, start, zone, step = series[i % len(series)]
        original = start + timedelta(days=step * (1 + i // len(series)))
        moved = original + timedelta(hours=rng.choice([1, 2, 24]))
        status = ["STATUS:CANCELLED"] if rng.random() < 0.3 else []
        w.event(uid, moved, 60, zone, [_stamp(original, zone, "RECURRENCE-ID"), *status])
    singles = vevents - masters - overrides
    for i in range(singles):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        if rng.random() < 0.05:
            w.all_day(f"allday-{i}@synthetic", day)
            continue
        start = datetime.combine(day, datetime.min.time()).replace(
            hour=rng.randrange(7, 19), minute=rng.choice([0, 30])
        )
        w.event(f"single-{i}@synthetic", start, rng.choice([30, 45, 60, 90]), rng.choice(ZONES), [])
    zones = "".join(
        icalendar.Timezone.from_tzid(z, first_date=date(2016, 1, 1), last_date=date(2028, 1, 1)).to_ical().decode()
        for z in sorted(set(ZONES) - {"UTC"})
    )
    header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calaudit//synthetic//EN\r\nX-WR-CALNAME:Synthetic CTO\r\n"
    return (header + zones + "".join(w.parts) + "END:VCALENDAR\r\n").encode()
