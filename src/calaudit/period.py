"""Reporting periods: half-open intervals between midnights in the reporting zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import UsageError

PERIOD_HELP = (
    "YYYY-MM, YYYY-Qn, YYYY, YYYY-Www (ISO week), last-month, this-month, next-month, last-week, this-week or next-week"
)
FIRST_YEAR, LAST_YEAR = 1900, 9998
"""Years a period may fall in: calendars hold nothing older, and the years before and after
stay inside what dates, time zones and reports (previous months, trends) can represent."""


@dataclass(frozen=True)
class Period:
    label: str
    first_day: date
    end_day: date
    """The day after the last day: the period is [first_day, end_day)."""
    zone: ZoneInfo

    def previous(self) -> Period:
        """The period of the same length just before this one (a month before a month)."""
        if is_week(self):
            return week_period(self.first_day - timedelta(weeks=1), self.zone)
        months = _months_between(self.first_day, self.end_day)
        if months:
            first = _add_months(self.first_day, -months)
            return Period(_label_for(first, months), first, self.first_day, self.zone)
        first = self.first_day - (self.end_day - self.first_day)
        return date_range(first, self.first_day - timedelta(days=1), self.zone)

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return midnight(self.first_day, self.zone)

    @property
    def end(self) -> datetime:
        return midnight(self.end_day, self.zone)


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of ``day`` in ``zone``: period boundaries and all-day events."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, end: date) -> int:
    """Whole months from first to end when both are month starts, else 0."""
    if first.day != 1 or end.day != 1:
        return 0
    return (end.year - first.year) * 12 + end.month - first.month


def _label_for(first: date, months: int) -> str:
    if months == 1:
        return f"{first:%Y-%m}"
    if months == 3 and first.month % 3 == 1:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if months == 12 and first.month == 1:
        return f"{first.year}"
    return f"{first.isoformat()}..{_add_months(first, months) - timedelta(days=1)}"


def parse_period(text: str, zone: ZoneInfo, now: datetime) -> Period:
    """Parse a period name; ``now`` decides what last-month and this-month mean."""
    value = text.strip().lower()
    today = now.astimezone(zone).date()
    if week := _relative_week(value, today, zone):
        return week
    this_month = today.replace(day=1)
    if value in ("this-month", "last-month", "next-month"):
        return month_period(_add_months(this_month, _RELATIVE[value.split("-")[0]]), zone)
    if m := re.fullmatch(r"([0-9]{4})-([0-9]{2})", value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            _check_years(text, year)
            return month_period(date(year, month, 1), zone)
    elif m := re.fullmatch(r"([0-9]{4})-q([1-4])", value):
        _check_years(text, int(m[1]))
        first = date(int(m[1]), 3 * int(m[2]) - 2, 1)
        return Period(_label_for(first, 3), first, _add_months(first, 3), zone)
    elif m := re.fullmatch(r"([0-9]{4})-w([0-9]{2})", value):
        _check_years(text, int(m[1]))
        try:
            return week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1), zone)
        except ValueError:
            raise UsageError(f"period '{text}': {m[1]} has no ISO week {m[2]}") from None
    elif m := re.fullmatch(r"[0-9]{4}", value):
        _check_years(text, int(value))
        first = date(int(value), 1, 1)
        return Period(value, first, _add_months(first, 12), zone)
    raise UsageError(f"period '{text}' not understood; use {PERIOD_HELP}, or --from/--to")


def _check_years(text: str, *years: int) -> None:
    if any(not FIRST_YEAR <= year <= LAST_YEAR for year in years):
        raise UsageError(f"period '{text}' is out of range: use a year from {FIRST_YEAR} to {LAST_YEAR}")


def month_period(first: date, zone: ZoneInfo) -> Period:
    return Period(_label_for(first, 1), first, _add_months(first, 1), zone)


def date_range(first: date, last: date, zone: ZoneInfo) -> Period:
    """The period from ``first`` to ``last``, both days included."""
    _check_years(f"{first}..{last}", first.year, last.year)
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    end = last + timedelta(days=1)
    months = _months_between(first, end)
    label = _label_for(first, months) if months else f"{first.isoformat()}..{last.isoformat()}"
    return Period(label, first, end, zone)


_RELATIVE = {"last": -1, "this": 0, "next": 1}
_WEEK_LABEL = re.compile(r"\d{4}-W\d{2}")


def week_period(monday: date, zone: ZoneInfo) -> Period:
    """The ISO week that starts on ``monday``: Monday 00:00 to the next Monday 00:00."""
    year, week, _ = monday.isocalendar()
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(weeks=1), zone)


def is_week(period: Period) -> bool:
    return bool(_WEEK_LABEL.fullmatch(period.label))


def _relative_week(value: str, today: date, zone: ZoneInfo) -> Period | None:
    """last-week, this-week and next-week around the ISO week of ``today``."""
    when, _, unit = value.partition("-")
    if unit != "week" or when not in _RELATIVE:
        return None
    monday = today - timedelta(days=today.weekday())
    return week_period(monday + timedelta(weeks=_RELATIVE[when]), zone)


def following(period: Period) -> Period:
    """The period of the same kind just after this one (the month after a month)."""
    if is_week(period):
        return week_period(period.end_day, period.zone)
    first = period.end_day
    months = _months_between(period.first_day, first)
    if months:
        return Period(_label_for(first, months), first, _add_months(first, months), period.zone)
    return date_range(first, first + (first - period.first_day) - timedelta(days=1), period.zone)
