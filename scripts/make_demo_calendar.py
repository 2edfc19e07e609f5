"""Write src/calaudit/data/demo.ics: a realistic March 2026 of a startup CTO.

Deterministic (a fixed seed), so the committed file can be regenerated and reviewed:

    python scripts/make_demo_calendar.py

It has recurring 1:1s, standups and staff meetings (with an EXDATE, a moved and a
cancelled instance), interviews, customer and partner calls, a conference abroad,
declined, tentative, free and overlapping meetings, an incident on the DST night and one
that crosses the start of the month, and a few titles no default rule knows.

April 2026 holds what is already booked for the month ahead (the recurring meetings go on,
plus interviews, a customer QBR, a partner call and an offsite planning day), so that
``calaudit plan --demo`` has something to show. It is built after March, with its own
random generator, so March's events (and numbers) do not depend on it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

OUT = Path(__file__).resolve().parents[1] / "src" / "calaudit" / "data" / "demo.ics"
NY = ZoneInfo("America/New_York")
AMS = ZoneInfo("Europe/Amsterdam")
OWNER = "cto@weave.example"
TEAM = ["ana", "bo", "chen", "dev", "eli", "fay", "gus", "hana"]
CONFERENCE_DAYS = (date(2026, 3, 18), date(2026, 3, 19))
STAMP = datetime(2026, 2, 20, 12, 0, tzinfo=ZoneInfo("UTC"))


class Builder:
    def __init__(self) -> None:
        self.calendar = icalendar.Calendar()
        self.calendar.add("prodid", "-//calaudit//demo calendar//EN")
        self.calendar.add("version", "2.0")
        self.calendar.add("x-wr-calname", "CTO (demo)")
        self.count = 0

    def event(
        self,
        title: str,
        start: datetime | date,
        end: datetime | date,
        *,
        attendees: list[str] = (),  # type: ignore[assignment]
        organizer: str = OWNER,
        rrule: dict[str, object] | None = None,
        exdates: list[datetime] = (),  # type: ignore[assignment]
        partstat: str = "ACCEPTED",
        status: str | None = None,
        transp: str | None = None,
        uid: str | None = None,
        recurrence_id: datetime | None = None,
        location: str | None = None,
    ) -> str:
        self.count += 1
        event = icalendar.Event()
        event.add("uid", uid or f"demo-{self.count:04d}@calaudit.example")
        event.add("dtstamp", STAMP)
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", end)
        if recurrence_id is not None:
            event.add("recurrence-id", recurrence_id)
        if rrule:
            event.add("rrule", rrule)
        for exdate in exdates:
            event.add("exdate", exdate)
        if location:
            event.add("location", location)
        if status:
            event.add("status", status)
        if transp:
            event.add("transp", transp)
        if attendees:
            event.add("organizer", f"mailto:{organizer}")
            for address in [OWNER, *attendees]:
                attendee = icalendar.vCalAddress(f"mailto:{address}")
                attendee.params["PARTSTAT"] = partstat if address == OWNER else "ACCEPTED"
                event.add("attendee", attendee, encode=False)
        self.calendar.add_component(event)
        return str(event["uid"])

    def write(self) -> None:
        self.calendar.add_missing_timezones(date(2025, 1, 1), date(2027, 1, 1))
        OUT.write_bytes(self.calendar.to_ical())


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = NY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def workdays() -> list[date]:
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(31)]
    return [d for d in days if d.weekday() < 5]


def weekly(b: Builder, title: str, first: date, hour: int, minute: int, minutes: int, **kw: object) -> str:
    start = at(first, hour, minute)
    return b.event(
        title,
        start,
        start + timedelta(minutes=minutes),
        rrule={"freq": "weekly"},
        **kw,  # type: ignore[arg-type]
    )


def recurring(b: Builder) -> None:
    team = [f"{name}@weave.example" for name in TEAM]
    standup_start = at(date(2026, 1, 5), 9, 30)
    standup = b.event(
        "Engineering standup",
        standup_start,
        standup_start + timedelta(minutes=15),
        attendees=team,
        rrule={"freq": "weekly", "byday": ["MO", "TU", "WE", "TH", "FR"]},
        exdates=[at(day, 9, 30) for day in CONFERENCE_DAYS],
    )
    b.event(
        "Engineering standup",
        at(date(2026, 3, 27), 9, 30),
        at(date(2026, 3, 27), 9, 45),
        uid=standup,
        recurrence_id=at(date(2026, 3, 27), 9, 30),
        status="CANCELLED",
        attendees=team,
    )
    for index, name in enumerate(TEAM[:6]):
        first = date(2026, 1, 5) + timedelta(days=index % 5)
        uid = weekly(b, f"1:1 {name.title()}", first, 10 + index // 5, 30, 30, attendees=[f"{name}@weave.example"])
        if name == "bo":
            moved_from = at(date(2026, 3, 10), 10, 30)
            b.event(
                f"1:1 {name.title()}",
                at(date(2026, 3, 12), 16, 0),
                at(date(2026, 3, 12), 16, 30),
                uid=uid,
                recurrence_id=moved_from,
                attendees=[f"{name}@weave.example"],
            )
    weekly(b, "Eng managers sync", date(2026, 1, 6), 11, 0, 60, attendees=team[:4])
    weekly(
        b,
        "Staff meeting",
        date(2026, 1, 5),
        14,
        0,
        60,
        attendees=["ceo@weave.example", "cfo@weave.example", "vp-sales@weave.example"],
        organizer="ceo@weave.example",
    )
    weekly(
        b,
        "Product & engineering sync",
        date(2026, 1, 7),
        13,
        0,
        45,
        attendees=["pm-lead@weave.example", *team[:2]],
    )
    weekly(b, "Incident review", date(2026, 1, 9), 11, 0, 30, attendees=team[2:6])
    weekly(b, "Hiring sync with recruiter", date(2026, 1, 7), 16, 0, 30, attendees=["talent@weave.example"])
    weekly(b, "Platform team standup", date(2026, 1, 6), 9, 45, 15, attendees=team[4:])
    weekly(b, "Security standup", date(2026, 1, 8), 9, 45, 15, attendees=team[6:])
    b.event(
        "Architecture review",
        at(date(2026, 1, 8), 15),
        at(date(2026, 1, 8), 16),
        attendees=team,
        rrule={"freq": "weekly", "interval": 2},
    )
    b.event(
        "Sprint planning",
        at(date(2026, 1, 12), 10, 30),
        at(date(2026, 1, 12), 11, 30),
        attendees=team,
        rrule={"freq": "weekly", "interval": 2},
    )
    b.event(
        "All hands",
        at(date(2026, 1, 2), 16),
        at(date(2026, 1, 2), 17),
        attendees=["everyone@weave.example"],
        organizer="ceo@weave.example",
        rrule={"freq": "monthly", "byday": "1FR"},
    )
    b.event(
        "Focus time",
        at(date(2026, 1, 6), 13, 30),
        at(date(2026, 1, 6), 15, 30),
        rrule={"freq": "weekly", "byday": ["TU", "TH"]},
    )
    b.event(
        "Lunch",
        at(date(2026, 1, 5), 12),
        at(date(2026, 1, 5), 12, 45),
        transp="TRANSPARENT",
        rrule={"freq": "weekly", "byday": ["MO", "TU", "WE", "TH", "FR"]},
    )
    b.event(
        "Email and Slack triage",
        at(date(2026, 1, 5), 8, 30),
        at(date(2026, 1, 5), 9, 0),
        rrule={"freq": "weekly", "byday": ["MO", "WE", "FR"]},
    )
    b.event(
        "Plan the day",
        at(date(2026, 1, 5), 8, 15),
        at(date(2026, 1, 5), 8, 30),
        rrule={"freq": "weekly", "byday": ["MO", "TU", "WE", "TH", "FR"]},
    )
    b.event(
        "Recruiting: resume review",
        at(date(2026, 1, 5), 8, 45),
        at(date(2026, 1, 5), 9, 15),
        rrule={"freq": "weekly", "byday": ["MO", "WE", "FR"]},
    )
    b.event(
        "Support triage",
        at(date(2026, 1, 6), 10, 0),
        at(date(2026, 1, 6), 10, 30),
        attendees=["support-lead@weave.example"],
        rrule={"freq": "weekly", "byday": ["TU", "TH"]},
    )
    b.event(
        "Pairing session",
        at(date(2026, 1, 5), 16, 30),
        at(date(2026, 1, 5), 17, 0),
        attendees=team[5:6],
        rrule={"freq": "weekly", "byday": ["MO", "WE", "FR"]},
    )
    b.event(
        "Skip-level lunch and learn",
        at(date(2026, 3, 5), 12),
        at(date(2026, 3, 5), 13),
        attendees=team[3:],
        rrule={"freq": "weekly", "interval": 2, "count": 2},
    )


def singles(b: Builder, rng: random.Random) -> None:
    days = [d for d in workdays() if d not in CONFERENCE_DAYS]
    roles = ["Senior backend engineer", "Staff platform engineer", "Engineering manager", "SRE"]
    for i in range(14):
        day, hour = rng.choice(days), rng.choice([10, 11, 14, 15, 16])
        b.event(
            f"Interview: {roles[i % 4]} (candidate {i + 1})",
            at(day, hour),
            at(day, hour + 1),
            attendees=[f"candidate{i + 1}@mail.example", "talent@weave.example"],
            organizer="talent@weave.example",
        )
    for day in days[2::6]:
        b.event(
            "Candidate debrief: hiring committee",
            at(day, 17),
            at(day, 17, 30),
            attendees=["talent@weave.example", *[f"{n}@weave.example" for n in TEAM[:3]]],
        )
    customers = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
    for i in range(9):
        day, hour = rng.choice(days), rng.choice([11, 13, 15, 16])
        name = customers[i % 5]
        title = [f"{name} QBR", f"Call with {name}", f"{name} demo: platform roadmap"][i % 3]
        b.event(
            title,
            at(day, hour),
            at(day, hour, 45),
            attendees=[f"buyer@{name.lower()}.example", "vp-sales@weave.example"],
            organizer="vp-sales@weave.example",
        )
    for day in (date(2026, 3, 4), date(2026, 3, 25)):
        b.event("Cloud partnership sync", at(day, 14, 30), at(day, 15, 15), attendees=["alliances@cloud.example"])
    b.event(
        "Investor update call",
        at(date(2026, 3, 13), 9),
        at(date(2026, 3, 13), 9, 30),
        attendees=["partner@vc.example", "ceo@weave.example"],
        organizer="ceo@weave.example",
    )
    b.event(
        "Podcast recording: scaling eng teams",
        at(date(2026, 3, 11), 16),
        at(date(2026, 3, 11), 17),
        attendees=["host@devpod.example"],
        organizer="host@devpod.example",
    )
    b.event("Write blog post: our Postgres migration", at(date(2026, 3, 24), 9), at(date(2026, 3, 24), 11))
    b.event("Talk prep: KubeCon keynote", at(date(2026, 3, 16), 15), at(date(2026, 3, 16), 17))
    for day in CONFERENCE_DAYS:
        b.event("KubeCon Europe", day, day + timedelta(days=1), location="Amsterdam")
    b.event(
        "Keynote: platform teams that scale",
        at(CONFERENCE_DAYS[0], 10, 0, AMS),
        at(CONFERENCE_DAYS[0], 11, 0, AMS),
        location="RAI Amsterdam, Hall 1",
    )
    b.event(
        "Conference booth duty",
        at(CONFERENCE_DAYS[1], 13, 0, AMS),
        at(CONFERENCE_DAYS[1], 15, 0, AMS),
        location="RAI Amsterdam",
    )
    b.event(
        "Design doc review: multi-region storage",
        at(date(2026, 3, 10), 14),
        at(date(2026, 3, 10), 15, 30),
        attendees=[f"{n}@weave.example" for n in TEAM[2:5]],
    )
    b.event("Tech strategy: 2027 platform direction", at(date(2026, 3, 26), 13), at(date(2026, 3, 26), 16))
    b.event(
        "Finance: eng budget review",
        at(date(2026, 3, 17), 15),
        at(date(2026, 3, 17), 16),
        attendees=["cfo@weave.example"],
        organizer="cfo@weave.example",
    )
    b.event(
        "Legal: OSS licence review",
        at(date(2026, 3, 23), 11),
        at(date(2026, 3, 23), 11, 30),
        attendees=["counsel@weave.example"],
    )
    b.event(
        "Incident: payments outage",
        at(date(2026, 3, 8), 1),
        at(date(2026, 3, 8), 4),
        attendees=[f"{n}@weave.example" for n in TEAM[4:]],
    )
    b.event(
        "Incident: database failover",
        at(date(2026, 2, 28), 23),
        at(date(2026, 3, 1), 1, 30),
        attendees=[f"{n}@weave.example" for n in TEAM[4:]],
    )
    b.event(
        "Postmortem: payments outage",
        at(date(2026, 3, 9), 16),
        at(date(2026, 3, 9), 17),
        attendees=[f"{n}@weave.example" for n in TEAM],
    )
    declined = [
        "Marketing campaign review",
        "Sales kickoff rehearsal",
        "Office move planning",
        "Customer advisory board dry run",
    ]
    for title, day in zip(
        declined, [date(2026, 3, 3), date(2026, 3, 12), date(2026, 3, 20), date(2026, 3, 30)], strict=True
    ):
        b.event(
            title,
            at(day, 15),
            at(day, 16),
            attendees=["vp-marketing@weave.example"],
            organizer="vp-marketing@weave.example",
            partstat="DECLINED",
        )
    b.event(
        "Vendor demo: observability",
        at(date(2026, 3, 19), 15),
        at(date(2026, 3, 19), 16),
        status="CANCELLED",
        attendees=["ae@vendor.example"],
        organizer="ae@vendor.example",
    )
    b.event(
        "Team building: escape room",
        at(date(2026, 3, 27), 16),
        at(date(2026, 3, 27), 18),
        attendees=["everyone@weave.example"],
        partstat="TENTATIVE",
    )
    for day, title in [
        (date(2026, 3, 2), "Coffee with Sam"),
        (date(2026, 3, 16), "Coffee with Sam"),
        (date(2026, 3, 9), "Catch up with Priya"),
        (date(2026, 3, 23), "Board deck review"),
        (date(2026, 3, 30), "Quarterly goals draft"),
    ]:
        b.event(title, at(day, 8), at(day, 9))


def april(b: Builder, rng: random.Random) -> None:
    """What is already committed for the month after the demo month."""
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(30)]
    days = [d for d in days if d.weekday() < 5]
    for i in range(6):
        day, hour = rng.choice(days), rng.choice([10, 11, 14, 15])
        b.event(
            f"Interview: Staff platform engineer (candidate {15 + i})",
            at(day, hour),
            at(day, hour + 1),
            attendees=[f"candidate{15 + i}@mail.example", "talent@weave.example"],
            organizer="talent@weave.example",
        )
    b.event(
        "Acme QBR",
        at(date(2026, 4, 14), 11),
        at(date(2026, 4, 14), 12),
        attendees=["buyer@acme.example", "vp-sales@weave.example"],
        organizer="vp-sales@weave.example",
    )
    b.event(
        "Cloud partnership sync",
        at(date(2026, 4, 22), 14, 30),
        at(date(2026, 4, 22), 15, 15),
        attendees=["alliances@cloud.example"],
    )
    b.event(
        "Incident review: Q1 retro",
        at(date(2026, 4, 2), 15),
        at(date(2026, 4, 2), 17),
        attendees=[f"{n}@weave.example" for n in TEAM[4:]],
    )
    b.event(
        "Eng offsite planning",
        at(date(2026, 4, 28), 9),
        at(date(2026, 4, 28), 12),
        attendees=[f"{n}@weave.example" for n in TEAM],
    )


def main() -> None:
    builder = Builder()
    recurring(builder)
    singles(builder, random.Random(2026))
    april(builder, random.Random(2604))
    builder.write()


if __name__ == "__main__":
    main()
