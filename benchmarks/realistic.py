"""Deterministic calendars shaped like a real two-year export, about 1.1 KB per VEVENT.

Unlike ``synthetic`` (ten sparse years, series mostly ended by UNTIL), this mix is the one
of issue 16: two years of history (2025-2026), 10% of the VEVENTs recurring series
(weekly, bi-weekly, every weekday, daily; ending by COUNT or UNTIL, a few still running)
with EXDATEs and moved or cancelled instances, 30% of the single events in UTC form,
folded long descriptions and attendees on most events.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import icalendar

from benchmarks.synthetic import TITLES, _fold, _stamp

FIRST_DAY = date(2025, 1, 1)
DAYS = 730
ZONES = ["America/New_York"] * 6 + ["Europe/Berlin"] * 2 + ["America/Los_Angeles"]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
INVITATION = (
    "Hi all, this is the regular slot to go through where we are, what is blocked and what we "
    "decide next. Please add your topics to the agenda document before the meeting. "
    "________________________________________________________________________________ "
    "Microsoft Teams meeting. Join on your computer, mobile app or room device: "
    "https://teams.example.com/l/meetup-join/19%3ameeting_NjQ2ZDk0YzAtZjM1Ny00YjE2LWE0ZjAtNTY3 "
    "Meeting ID: 245 879 163 412 Passcode: Xk7bQ2 Download Teams | Join on the web. "
    "Or call in (audio only) +1 323-555-0142,,837465123# United States, Los Angeles. "
    "Phone Conference ID: 837 465 123# Find a local number | Reset PIN. "
    "Learn More | Meeting options ______________________________________________________"
)


def _weekly_days(start: datetime, kind: str) -> list[str]:
    if kind == "weekday":
        return WEEKDAYS[:5]
    return [WEEKDAYS[start.weekday()]]


def _instances(start: datetime, rule: dict[str, object], horizon: date) -> list[datetime]:
    """The rule's instances up to ``horizon`` (the generator's own simple rules only)."""
    step = timedelta(days=1)
    days = rule.get("BYDAY")
    interval = int(rule.get("INTERVAL", 1))  # type: ignore[call-overload]
    count = rule.get("COUNT")
    until = rule.get("UNTIL")
    found: list[datetime] = []
    current = start
    while current.date() <= horizon and (count is None or len(found) < count):  # type: ignore[operator]
        if until is not None and current > until:  # type: ignore[operator]
            break
        weeks = (current.date() - start.date()).days // 7
        if rule["FREQ"] == "DAILY":
            fits = days is None or WEEKDAYS[current.weekday()] in days  # type: ignore[operator]
            fits = fits and (current.date() - start.date()).days % interval == 0
        else:
            fits = WEEKDAYS[current.weekday()] in days and weeks % interval == 0  # type: ignore[operator]
        if fits:
            found.append(current)
        current += step
    return found


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.parts: list[str] = []

    def event(self, uid: str, start: datetime, minutes: int, zone: str, extra: list[str]) -> None:
        rng = self.rng
        lines = [
            "BEGIN:VEVENT",
            _stamp(start, zone, "DTSTART"),
            _stamp(start + timedelta(minutes=minutes), zone, "DTEND"),
        ]
        lines += [*extra, "DTSTAMP:20261101T120000Z", f"UID:{uid}", f"SUMMARY:{rng.choice(TITLES)}"]
        lines.append(f"DESCRIPTION:{INVITATION[: rng.randrange(150, len(INVITATION))]}")
        lines.append("LOCATION:Microsoft Teams Meeting")
        if rng.random() < 0.85:
            lines.append("ORGANIZER;CN=Dana Organizer:mailto:dana@weave.example")
            partstat = "DECLINED" if rng.random() < 0.08 else rng.choice(["ACCEPTED", "ACCEPTED", "TENTATIVE"])
            lines.append(f"ATTENDEE;CN=CTO;PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:cto@weave.example")
            for _ in range(rng.randrange(1, 5)):
                who = rng.randrange(300)
                lines.append(
                    f"ATTENDEE;CN=Person {who};CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:"
                    f"mailto:person{who}@weave.example"
                )
        lines += ["SEQUENCE:1", "STATUS:CONFIRMED", "TRANSP:OPAQUE"]
        if rng.random() < 0.3:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM"]
        lines.append("END:VEVENT")
        self.parts.extend(_fold(line) for line in lines)


def _series(w: _Writer, index: int, zone: str) -> tuple[str, str, list[datetime], int]:
    """One recurring master; returns its UID, zone, instances and length in minutes."""
    rng = w.rng
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 14))
    start = datetime.combine(day, datetime.min.time()).replace(hour=rng.randrange(8, 18), minute=rng.choice([0, 30]))
    kind = rng.choice(["weekly"] * 5 + ["biweekly"] * 2 + ["weekday"] * 2 + ["daily"])
    if kind in ("weekday", "daily") or start.weekday() >= 5:
        start += timedelta(days=(7 - start.weekday()) % 7 if start.weekday() >= 5 else 0)
    rule: dict[str, object] = {"FREQ": "DAILY" if kind == "daily" else "WEEKLY"}
    if kind == "biweekly":
        rule["INTERVAL"] = 2
    if kind != "daily":
        rule["BYDAY"] = _weekly_days(start, kind)
    ending = rng.random()
    if ending < 0.5:
        rule["COUNT"] = rng.choice([5, 10, 12, 20, 26, 52, 100]) if kind != "daily" else rng.randrange(3, 30)
    elif ending < 0.95:
        rule["UNTIL"] = start + timedelta(days=rng.randrange(14, 400 if kind != "daily" else 60))
    text = ";".join(
        f"{key}={','.join(value) if isinstance(value, list) else f'{value:%Y%m%dT%H%M%S}Z' if isinstance(value, datetime) else value}"  # noqa: E501
        for key, value in rule.items()
    )
    instances = _instances(start, rule, FIRST_DAY + timedelta(days=DAYS))
    extra = [f"RRULE:{text}"]
    if len(instances) > 4 and rng.random() < 0.4:
        skipped = sorted(rng.sample(instances[1:], min(3, len(instances) // 4)))
        extra.append(_stamp(skipped[0], zone, "EXDATE") if len(skipped) == 1 else _exdates(skipped, zone))
        instances = [i for i in instances if i not in skipped]
    minutes = rng.choice([15, 30, 30, 60])
    uid = f"{rng.getrandbits(64):016x}-series-{index}@realistic"
    w.event(uid, start, minutes, zone, extra)
    return uid, zone, instances, minutes


def _exdates(values: list[datetime], zone: str) -> str:
    head = _stamp(values[0], zone, "EXDATE")
    return head + "".join(f",{v:%Y%m%dT%H%M%S}" + ("Z" if zone == "UTC" else "") for v in values[1:])


def generate(vevents: int, seed: int = 2026) -> bytes:
    """A calendar with ``vevents`` VEVENTs: 10% masters, 5% overrides, the rest single events."""
    w = _Writer(seed)
    rng = w.rng
    masters = max(1, vevents // 10)
    overrides = vevents // 20
    series = [_series(w, i, rng.choice(ZONES)) for i in range(masters)]
    with_instances = [s for s in series if len(s[2]) > 1]
    for i in range(overrides):
        uid, zone, instances, minutes = with_instances[i % len(with_instances)]
        original = rng.choice(instances[1:])
        moved = original + timedelta(hours=rng.choice([1, 2, 24, -24]))
        status = ["STATUS:CANCELLED"] if rng.random() < 0.3 else []
        w.event(uid, moved, minutes, zone, [_stamp(original, zone, "RECURRENCE-ID"), *status])
    for i in range(vevents - masters - overrides):
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        if rng.random() < 0.04:
            after = day + timedelta(days=1)
            lines = [
                "BEGIN:VEVENT", f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{after:%Y%m%d}",
                f"UID:allday-{i}@realistic", "SUMMARY:Offsite", f"DESCRIPTION:{INVITATION}",
                "DTSTAMP:20261101T120000Z", "TRANSP:TRANSPARENT", "END:VEVENT",
            ]  # fmt: skip
            w.parts.extend(_fold(line) for line in lines)
            continue
        start = datetime.combine(day, datetime.min.time()).replace(
            hour=rng.randrange(7, 19), minute=rng.choice([0, 30])
        )
        zone = "UTC" if rng.random() < 0.3 else rng.choice(ZONES)
        w.event(f"{rng.getrandbits(64):016x}-{i}@realistic", start, rng.choice([30, 45, 60, 90]), zone, [])
    zones = "".join(
        icalendar.Timezone.from_tzid(z, first_date=date(2024, 1, 1), last_date=date(2028, 1, 1)).to_ical().decode()
        for z in sorted(set(ZONES))
    )
    header = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calaudit//realistic//EN\r\nX-WR-CALNAME:Realistic CTO\r\n"
    return (header + zones + "".join(w.parts) + "END:VCALENDAR\r\n").encode()
