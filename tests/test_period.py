from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from calaudit.errors import UsageError
from calaudit.period import date_range, parse_period

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 1, 10, 3, tzinfo=UTC)  # still 2026-01-09 in New York


def test_month_boundaries_are_local_midnights_with_their_own_offsets():
    period = parse_period("2026-03", NY, NOW)
    assert period.start.isoformat() == "2026-03-01T00:00:00-05:00"
    assert period.end.isoformat() == "2026-04-01T00:00:00-04:00"
    assert period.label == "2026-03"


@pytest.mark.parametrize(
    ("text", "first", "end", "label"),
    [
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), "2026-Q1"),
        ("2026-q4", date(2026, 10, 1), date(2027, 1, 1), "2026-Q4"),
        ("2025", date(2025, 1, 1), date(2026, 1, 1), "2025"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "2026-12"),
        ("this-month", date(2026, 1, 1), date(2026, 2, 1), "2026-01"),
        ("last-month", date(2025, 12, 1), date(2026, 1, 1), "2025-12"),
    ],
)
def test_period_names(text, first, end, label):
    period = parse_period(text, NY, NOW)
    assert (period.first_day, period.end_day, period.label, period.zone) == (first, end, label, NY)


def test_relative_periods_use_the_reporting_zone_for_today():
    # 03:00 UTC on 1 February is still 31 January in New York.
    now = datetime(2026, 2, 1, 3, tzinfo=UTC)
    assert parse_period("this-month", NY, now).label == "2026-01"
    assert parse_period("this-month", ZoneInfo("UTC"), now).label == "2026-02"


@pytest.mark.parametrize(
    "text",
    # Full-width and Arabic-Indic digits are refused as --from refuses them: "２０２６" was
    # accepted and kept as the period's label, the key of the run history.
    ["2026-13", "march", "2026-Q5", "26-03", "", "２０２６-０３", "٢٠٢٦-٠٣", "２０２６", "２０２６-W１１"],
)
def test_bad_period_is_a_usage_error(text):
    with pytest.raises(UsageError, match="not understood"):
        parse_period(text, NY, NOW)


def test_from_to_includes_both_days():
    period = date_range(date(2026, 3, 8), date(2026, 3, 14), NY)
    assert period.end.isoformat() == "2026-03-15T00:00:00-04:00"
    assert period.label == "2026-03-08..2026-03-14"


def test_from_to_covering_a_whole_month_is_labelled_as_the_month():
    assert date_range(date(2026, 2, 1), date(2026, 2, 28), NY).label == "2026-02"


def test_to_before_from_is_refused():
    with pytest.raises(UsageError, match="before"):
        date_range(date(2026, 3, 2), date(2026, 3, 1), NY)


@pytest.mark.parametrize(
    ("text", "previous"),
    [("2026-03", "2026-02"), ("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026", "2025")],
)
def test_previous_period_of_the_same_kind(text, previous):
    assert parse_period(text, NY, NOW).previous().label == previous


def test_previous_of_a_date_range_has_the_same_length():
    period = date_range(date(2026, 3, 9), date(2026, 3, 15), NY).previous()
    assert (period.first_day, period.last_day) == (date(2026, 3, 2), date(2026, 3, 8))


@pytest.mark.parametrize(
    "text", ["0001-01", "9999-12", "9999", "0001-Q1", "0000", "1899-12", "9999-Q4", "1899-W10", "9999-W52"]
)
def test_periods_beyond_what_dates_can_hold_are_usage_errors(text):
    # 9999-12 ends on 10000-01-01 and 0001-01 has no month before it: both overflowed.
    with pytest.raises(UsageError, match=rf"period '{text}' is out of range: use a year from 1900 to 9998"):
        parse_period(text, NY, NOW)


@pytest.mark.parametrize("text", ["1900-01", "9998-12", "9998", "1900-Q1"])
def test_periods_at_the_edges_of_the_range_work_with_their_previous_period(text):
    period = parse_period(text, NY, NOW)
    assert period.previous().start < period.start < period.end


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(1, 1, 1), date(1, 1, 31)),
        (date(1899, 12, 1), date(1900, 1, 31)),  # only the first day is out of range
        (date(9998, 12, 1), date(9999, 1, 31)),  # only the last day is
    ],
    ids=["both", "first-day", "last-day"],
)
def test_a_date_range_beyond_the_years_is_a_usage_error(first, last):
    with pytest.raises(UsageError, match=rf"period '{first}\.\.{last}' is out of range: use a year from 1900 to 9998"):
        date_range(first, last, NY)


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        # History and idempotency are keyed by the label: a custom range must not take
        # the name of a month or quarter it only partly covers.
        (date(2026, 3, 1), date(2026, 4, 14), "2026-03-01..2026-04-14"),
        (date(2026, 3, 1), date(2026, 3, 30), "2026-03-01..2026-03-30"),
        (date(2026, 3, 2), date(2026, 3, 31), "2026-03-02..2026-03-31"),
        (date(2026, 2, 1), date(2026, 4, 30), "2026-02-01..2026-04-30"),  # three months, not a quarter
        (date(2026, 1, 1), date(2026, 2, 28), "2026-01-01..2026-02-28"),  # two months
        (date(2026, 2, 1), date(2027, 1, 31), "2026-02-01..2027-01-31"),  # twelve months, not a year
        (date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        (date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_labels_of_custom_ranges(first, last, label):
    assert date_range(first, last, NY).label == label


@pytest.mark.parametrize(
    ("text", "first", "end", "label"),
    [
        # The quarter before the first quarter is the last quarter of the year before.
        ("2026-Q1", date(2025, 10, 1), date(2026, 1, 1), "2025-Q4"),
        ("2026-Q3", date(2026, 4, 1), date(2026, 7, 1), "2026-Q2"),
    ],
)
def test_previous_quarter_boundaries(text, first, end, label):
    period = parse_period(text, NY, NOW).previous()
    assert (period.first_day, period.end_day, period.label) == (first, end, label)


def test_previous_of_a_two_month_range_is_the_two_months_before():
    period = date_range(date(2026, 3, 1), date(2026, 4, 30), NY).previous()
    assert (period.first_day, period.end_day, period.label) == (
        date(2026, 1, 1),
        date(2026, 3, 1),
        "2026-01-01..2026-02-28",
    )


def test_previous_of_a_range_not_on_month_starts_is_the_same_number_of_days():
    # 1 March - 14 April is 45 days; the 45 days before end on 28 February.
    period = date_range(date(2026, 3, 1), date(2026, 4, 14), NY).previous()
    assert (period.first_day, period.last_day) == (date(2026, 1, 15), date(2026, 2, 28))
    assert period.label == "2026-01-15..2026-02-28"
    assert period.start.isoformat() == "2026-01-15T00:00:00-05:00"  # still in the reporting zone


def test_a_year_is_in_the_reporting_zone():
    year = parse_period("2025", NY, NOW)
    assert (year.start.isoformat(), year.end.isoformat()) == ("2025-01-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00")


def test_period_name_is_read_case_and_space_insensitively():
    assert parse_period(" 2026-q2 ", NY, NOW).label == "2026-Q2"
    last_month = parse_period("LAST-MONTH", NY, NOW)
    assert last_month.label == "2025-12"
    assert last_month.start.isoformat() == "2025-12-01T00:00:00-05:00"


def test_last_day_is_the_day_before_the_end():
    assert parse_period("2026-02", NY, NOW).last_day == date(2026, 2, 28)


def test_errors_say_what_was_given_and_what_is_understood():
    with pytest.raises(UsageError) as info:
        parse_period("march", NY, NOW)
    assert str(info.value) == (
        "period 'march' not understood; use YYYY-MM, YYYY-Qn, YYYY, YYYY-Www (ISO week), last-month, this-month, "
        "next-month, last-week, this-week or next-week, or --from/--to"
    )
    with pytest.raises(UsageError) as info:
        date_range(date(2026, 3, 2), date(2026, 3, 1), NY)
    assert str(info.value) == "--to 2026-03-01 is before --from 2026-03-02"


def test_a_one_day_range_is_allowed():
    period = date_range(date(2026, 3, 8), date(2026, 3, 8), NY)
    assert (period.start.isoformat(), period.end.isoformat()) == (
        "2026-03-08T00:00:00-05:00",
        "2026-03-09T00:00:00-04:00",
    )
    assert period.label == "2026-03-08..2026-03-08"
