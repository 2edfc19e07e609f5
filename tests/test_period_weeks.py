"""ISO weeks and the periods around a period: next-month, last-week, following()."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from calaudit.errors import UsageError
from calaudit.period import date_range, following, month_period, parse_period, week_period

NY = ZoneInfo("America/New_York")
THURSDAY = datetime(2026, 3, 12, 15, tzinfo=UTC)  # ISO week 2026-W11 (Mon 9 March to Sun 15 March)


def test_iso_week_runs_from_monday_midnight_to_the_next_monday():
    period = parse_period("2026-W11", NY, THURSDAY)
    assert (period.label, period.first_day, period.last_day) == ("2026-W11", date(2026, 3, 9), date(2026, 3, 15))
    assert period.start.isoformat() == "2026-03-09T00:00:00-04:00"
    # Clocks go forward on Sunday 8 March, the last day of W10: that week lasts 167 h.
    w10 = parse_period("2026-w10", NY, THURSDAY)
    assert w10.end.timestamp() - w10.start.timestamp() == 167 * 3600


@pytest.mark.parametrize(
    ("text", "label", "monday"),
    [
        ("this-week", "2026-W11", date(2026, 3, 9)),
        ("last-week", "2026-W10", date(2026, 3, 2)),
        ("next-week", "2026-W12", date(2026, 3, 16)),
        ("2026-W01", "2026-W01", date(2025, 12, 29)),  # ISO week 1 starts in the previous year
        ("2026-W53", "2026-W53", date(2026, 12, 28)),  # 2026 has 53 ISO weeks
    ],
)
def test_week_names(text, label, monday):
    period = parse_period(text, NY, THURSDAY)
    assert (period.label, period.first_day, period.end_day) == (label, monday, date.fromordinal(monday.toordinal() + 7))


def test_this_week_uses_the_reporting_zone_for_today():
    # 02:00 UTC on Monday 16 March is still Sunday 15 March (W11) in New York.
    now = datetime(2026, 3, 16, 2, tzinfo=UTC)
    assert parse_period("this-week", NY, now).label == "2026-W11"
    assert parse_period("this-week", ZoneInfo("UTC"), now).label == "2026-W12"


def test_a_week_that_does_not_exist_is_a_usage_error():
    with pytest.raises(UsageError, match="2027 has no ISO week 53"):
        parse_period("2027-W53", NY, THURSDAY)


def test_previous_week_crosses_the_year():
    assert parse_period("2026-W01", NY, THURSDAY).previous().label == "2025-W52"


def test_next_month():
    assert parse_period("next-month", NY, THURSDAY).label == "2026-04"
    assert parse_period("next-month", NY, datetime(2026, 12, 5, tzinfo=UTC)).label == "2027-01"


@pytest.mark.parametrize(
    ("period", "after"),
    [
        (month_period(date(2026, 12, 1), NY), "2027-01"),
        (week_period(date(2026, 12, 28), NY), "2027-W01"),
        (parse_period("2026-Q4", NY, THURSDAY), "2027-Q1"),
        (parse_period("2026", NY, THURSDAY), "2027"),
    ],
)
def test_following_period_of_the_same_kind(period, after):
    assert following(period).label == after
    assert following(period).previous() == period


@pytest.mark.parametrize(
    ("first", "last", "after_first", "after_last"),
    [
        (date(2026, 3, 1), date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 28)),
        # 9 days of February 2026 and 5 of March: the next 14 days start on 6 March.
        (date(2026, 2, 20), date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 19)),
        (date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 1)),
    ],
    ids=["two-weeks", "across-a-month-end", "one-day-across-the-year"],
)
def test_following_a_custom_range_is_as_many_days_just_after_it(first, last, after_first, after_last):
    # What `plan --from/--to` looks ahead to.
    assert following(date_range(first, last, NY)) == date_range(after_first, after_last, NY)
