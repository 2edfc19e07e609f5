"""Tests that pin behaviours of the scan that mutation testing found unpinned (issue 14)."""

from datetime import date

import pytest

from calaudit.sources import repair, scan
from tests.test_scan import MARCH, ics, info, rule_info


@pytest.mark.parametrize(
    ("rule", "bound"),
    [
        # Weekly from Monday 6 January 2025, 4 instances: 5 weeks, 35 days.
        ("FREQ=WEEKLY;WKST=SU;COUNT=4", date(2025, 2, 10)),
        # Two a week: 4 instances in 2 weeks, and DTSTART's own: 3 weeks, 21 days.
        ("FREQ=WEEKLY;WKST=SU;BYDAY=SU,MO;COUNT=4", date(2025, 1, 27)),
    ],
)
def test_wkst_does_not_take_the_count_bound_away(rule, bound):
    # Kills _rule_end mutmut_55 and (batch 2) mutmut_56: WKST counted among the limiting parts.
    parsed = rule_info("20250106T090000", rule)
    assert (parsed.rrule_until, parsed.unbounded) == (bound, False)


def test_a_series_whose_start_cannot_be_read_is_kept_with_the_overrides_of_its_window_instances():
    # Kills _series_may_reach mutmut_2 (a series without a start date judged unable to reach).
    # The 9 March instance was moved to 7 April: only the series tells the override is needed.
    master = info(start=None, recurring=True, unbounded=True)
    moved_out = info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 3, 9))
    assert scan.relevant([master, moved_out], *MARCH) == [True, True]


def test_a_single_event_sharing_its_uid_with_an_orphan_override_is_no_series_that_keeps_it():
    # Kills relevant mutmut_8 (non-recurring events counted as series masters). Neither the
    # January 2025 event nor the override moved from 9 March to 7 April touches March.
    single = info(start=date(2025, 1, 6))
    orphan = info(start=date(2026, 4, 7), override=True, recurrence=date(2026, 3, 9))
    assert scan.relevant([single, orphan], *MARCH) == [False, False]


def test_a_blank_ending_the_first_line_of_a_folded_property_is_kept():
    # Kills _unfolded mutmut_5 (every trailing blank of the first line stripped).
    assert scan._unfolded(b"UID:ab \r\n c\r") == b"UID:ab c"
    # So "2019 0302T100000" is no date, as icalendar reads it too: the event is kept undated.
    dtstart = "DTSTART:2019 \r\n 0302T100000"
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old", dtstart, "END:VEVENT", "END:VCALENDAR")
    assert scan.prefilter(raw, *MARCH)[1:] == (1, 1, None)


def test_a_continuation_line_ending_in_x_keeps_its_x():
    # Kills _unfolded mutmut_13 (X stripped from the end of continuation lines with the CR).
    assert scan._unfolded(b"UID:sync\r\n X\r") == b"UID:syncX"


def test_the_full_path_slims_a_journal_as_it_slims_an_event():
    # Kills slimmed mutmut_17 and mutmut_18 (VJOURNAL misspelt: journals left whole).
    lines = [
        "BEGIN:VCALENDAR", "BEGIN:VJOURNAL", "UID:j", "DTSTAMP:20260101T000000Z", "BEGIN:VALARM",
        "TRIGGER:-PT15M", "END:VALARM", "LAST-MODIFIED:20260101T000000Z", "SUMMARY:Notes", "END:VJOURNAL",
        "END:VCALENDAR",
    ]  # fmt: skip
    expected = ics("BEGIN:VCALENDAR", "BEGIN:VJOURNAL", "UID:j", "SUMMARY:Notes", "END:VJOURNAL", "END:VCALENDAR")
    assert scan.slimmed(ics(*lines)) == expected


@pytest.fixture
def whole_file_searches(monkeypatch):
    """The files ``scan.markers`` is asked to search whole (no bounds), from here on."""
    searched = []
    real_markers = scan.markers

    def counting_markers(data, start=0, end=None):
        if (start, end) == (0, None):
            searched.append(data)
        return real_markers(data, start, end)

    monkeypatch.setattr(scan, "markers", counting_markers)
    return searched


def test_slimmed_uses_the_markers_it_is_handed_instead_of_searching_the_whole_file_again(whole_file_searches):
    # Kills slimmed mutmut_9 (found ignored). The markers handed on are those of the file, so
    # the text cannot tell; the work can: handing them on exists to save that search.
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "END:VEVENT", "END:VCALENDAR")
    expected = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a", "END:VEVENT", "END:VCALENDAR")
    found = list(repair.markers(raw))
    assert scan.slimmed(raw, found) == expected
    assert whole_file_searches == []
    assert scan.slimmed(raw) == expected
    assert whole_file_searches == [raw]


# Batch 2 (survivors-scan-2.diff).


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        (date(2026, 4, 1), None, True),  # starts on the last day + the day's margin
        (date(2026, 4, 2), None, False),
        (date(2026, 2, 27), date(2026, 2, 28), True),  # ends on the first day - the day's margin
        (date(2026, 2, 26), date(2026, 2, 27), False),
    ],
)
def test_a_single_event_is_kept_up_to_exactly_a_day_either_side_of_the_window(start, end, kept):
    # Kills _touches mutmut_10 and _11 (start < last + MARGIN, start <= last - MARGIN) and
    # mutmut_12 and _13 (end > first - MARGIN, end >= first + MARGIN).
    assert scan.relevant([info(start=start, end=end)], *MARCH) == [kept]


def test_the_scan_keeps_single_events_up_to_exactly_a_day_either_side_of_the_window():
    # The same boundaries through prefilter, which decides a lone event without ``relevant``.
    # Also kills (batch 3) Info.from_values mutmut_9, _10, _12, _15 and _16 (DTEND not read):
    # event c would end when it starts, on 27 February, and be dropped.
    raw = ics(
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT", "UID:a", "DTSTART:20260401T090000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:b", "DTSTART:20260402T090000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:c", "DTSTART:20260227T230000", "DTEND:20260228T010000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:d", "DTSTART:20260226T230000", "DTEND:20260227T010000", "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    text, kept, total, newest = scan.prefilter(raw, *MARCH)
    assert (kept, total, newest) == (2, 4, date(2026, 4, 2))
    assert b"UID:a\r\n" in text and b"UID:c\r\n" in text
    assert b"UID:b\r\n" not in text and b"UID:d\r\n" not in text


@pytest.mark.parametrize(
    ("start", "rule", "bound"),
    [
        # Ten instances at three a week: 4 weeks (ceil(10 / 3)) and DTSTART's own, 35 days.
        ("20250106T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10", date(2025, 2, 10)),
        # Every month has a 28th: 3 x 31 days.
        ("20250128T090000", "FREQ=MONTHLY;COUNT=2", date(2025, 5, 1)),
        # A yearly rule not on 29 February: 3 x 366 days.
        ("20250115T090000", "FREQ=YEARLY;COUNT=2", date(2028, 1, 18)),
        # So many instances that the bound passes the last date there is.
        ("20250106T090000", "FREQ=DAILY;COUNT=" + "9" * 400, date.max),
    ],
)
def test_more_count_rules_get_their_bound(start, rule, bound):
    # Kills _rule_end mutmut_105 (COUNT / n instead of ceil(COUNT / n): 7 x (10 / 3 + 1) days,
    # 2025-02-05; and an OverflowError on a 400-digit COUNT, which no float holds), mutmut_90
    # (a MONTHLY rule from the 28th unbounded) and mutmut_92 (every YEARLY rule unbounded).
    parsed = rule_info(start, rule)
    assert (parsed.rrule_until, parsed.unbounded) == (bound, False)


def test_a_colon_inside_a_quoted_parameter_is_not_where_the_value_starts():
    # Kills _info mutmut_29 (value after the first colon): Outlook's time zone names hold
    # one, and "00) Amsterdam...": is no date, which would keep the 2019 event.
    dtstart = 'DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin":20190302T100000'
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old", dtstart, "END:VEVENT", "END:VCALENDAR")
    assert scan.prefilter(raw, *MARCH)[1:] == (0, 1, date(2019, 3, 2))


def test_a_range_written_in_the_value_of_a_recurrence_id_is_no_range():
    # Kills _info mutmut_43 (RANGE searched in the whole line, value too). The series ended
    # in October 2025 and the override moved a September instance by two hours: nothing can
    # touch March, unless the override were THISANDFUTURE.
    master = (
        "BEGIN:VEVENT", "UID:tue", "DTSTART:20250902T090000Z", "RRULE:FREQ=WEEKLY;UNTIL=20251001T000000Z", "END:VEVENT",
    )  # fmt: skip
    override = (
        "BEGIN:VEVENT", "UID:tue", "DTSTART:20250909T110000Z", "RECURRENCE-ID:20250909T090000Z;RANGE=THISANDFUTURE;",
        "END:VEVENT",
    )  # fmt: skip
    assert scan.prefilter(ics("BEGIN:VCALENDAR", *master, *override, "END:VCALENDAR"), *MARCH)[1:3] == (0, 2)
    read = scan.info_of(ics(*override))
    assert (read.recurrence, read.this_and_future) == (date(2025, 9, 9), False)


def test_a_begin_line_s_name_ends_at_a_semicolon_or_colon():
    # Kills _name mutmut_1 (end = None: min(None, position) fails on such a line), and (batch 3)
    # mutmut_2 and _3 (a separator misspelt), _10 (end = None) and _11 to _14 (min of None or one int).
    assert scan._name(b"VEVENT;X-A=1\r\n") == b"VEVENT"
    assert scan._name(b" valarm:x") == b"VALARM"
    assert scan._name(b"VEVENT\r\n") == b"VEVENT"


def assert_slimmed_on_both_paths(lines: list[bytes], kept: list[bytes]) -> None:
    """The calendar of ``lines`` (CRLF) comes out of ``slimmed`` and of the pre-filter (for
    March 2026) as exactly the ``kept`` lines."""
    expected = b"".join(line + b"\r\n" for line in kept)
    raw = b"".join(line + b"\r\n" for line in lines)
    assert scan.slimmed(raw) == expected
    assert scan.prefilter(raw, *MARCH)[0] == expected


def test_continuation_lines_go_with_the_alarm_they_follow_not_with_a_later_subcomponent():
    # Kills _slim mutmut_47 and mutmut_48 (index // 3 - 1, index // 2 - 2: after the first
    # subcomponent, the last one is looked at). " up" continues END:VALARM and goes with it;
    # the VLOCATION after it stays, and it is no alarm.
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"SUMMARY:Stand", b"BEGIN:VALARM", b"TRIGGER:-PT15M", b"END:VALARM",
        b" up", b"DTSTART:20260302T100000Z", b"BEGIN:VLOCATION", b"NAME:Room 1", b"END:VLOCATION", b"END:VEVENT",
        b"END:VCALENDAR",
    ]  # fmt: skip
    assert_slimmed_on_both_paths(lines, lines[:3] + lines[7:])


def test_a_subcomponent_other_than_an_alarm_is_kept_once_with_the_lines_after_it():
    # Kills _slim mutmut_80 (the subcomponent's slice running on to the next one: the lines
    # between them would come twice).
    lines = [
        b"BEGIN:VCALENDAR", b"BEGIN:VEVENT", b"UID:now", b"BEGIN:VLOCATION", b"NAME:Room 1", b"END:VLOCATION",
        b"DTSTART:20260302T100000Z", b"BEGIN:VALARM", b"TRIGGER:-PT15M", b"END:VALARM", b"SUMMARY:Standup",
        b"END:VEVENT", b"END:VCALENDAR",
    ]  # fmt: skip
    assert_slimmed_on_both_paths(lines, lines[:7] + lines[10:])


# Batch 3 (survivors-scan-3.diff).


def test_a_lone_override_that_may_move_any_instance_is_kept_as_relevant_keeps_it():
    # Kills _choose mutmut_19 (a lone override judged by its own dates, not by ``relevant``).
    # All three moved an instance of 5 March 2019 by two hours. A THISANDFUTURE override, or
    # one whose RECURRENCE-ID cannot be read, may move instances into March 2026; a plain
    # orphan override of 2019 cannot.
    raw = ics(
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT", "UID:a", "DTSTART:20190305T110000", "RECURRENCE-ID;RANGE=THISANDFUTURE:20190305T090000",
        "END:VEVENT",
        "BEGIN:VEVENT", "UID:b", "DTSTART:20190305T110000", "RECURRENCE-ID:tomorrow", "END:VEVENT",
        "BEGIN:VEVENT", "UID:c", "DTSTART:20190305T110000", "RECURRENCE-ID:20190305T090000", "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    text, kept, total, newest = scan.prefilter(raw, *MARCH)
    assert (kept, total, newest) == (2, 3, date(2019, 3, 5))
    assert b"UID:a\r\n" in text and b"UID:b\r\n" in text and b"UID:c\r\n" not in text


@pytest.mark.parametrize("uid", ["XX#1XX", "#1", "1"])
def test_an_event_without_uid_is_judged_alone_even_beside_a_uid_like_its_key(uid):
    # Kills _choose mutmut_7 (b"XX#%dXX" as the key of an event without UID: the second event
    # would join the group of UID XX#1XX, kept whole for its unreadable RECURRENCE-ID). The
    # key was b"#1" until batch 3 found that an event whose UID is "#1" joined it too.
    raw = ics(
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTART:20190305T110000", "RECURRENCE-ID:tomorrow", "END:VEVENT",
        "BEGIN:VEVENT", "DTSTART:20190302T100000", "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    text, kept, total, newest = scan.prefilter(raw, *MARCH)
    assert (kept, total, newest) == (1, 2, date(2019, 3, 5))
    assert b"DTSTART:20190302T100000" not in text


def test_events_without_uid_are_each_judged_alone():
    # Kills Info.from_values mutmut_90 (a missing UID read as b"XXXX", which is true: every
    # event without UID would be one group, kept whole for the first's unreadable RECURRENCE-ID).
    raw = ics(
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT", "DTSTART:20190305T110000", "RECURRENCE-ID:tomorrow", "END:VEVENT",
        "BEGIN:VEVENT", "DTSTART:20190302T100000", "END:VEVENT",
        "END:VCALENDAR",
    )  # fmt: skip
    text, kept, total, newest = scan.prefilter(raw, *MARCH)
    assert (kept, total, newest) == (1, 2, date(2019, 3, 5))
    assert b"DTSTART:20190302T100000" not in text
    assert scan.info_of(ics("BEGIN:VEVENT", "DTSTART:20190302T100000", "END:VEVENT")).uid == b""


def test_a_date_is_eight_ascii_digits_and_nothing_else():
    # Kills _date mutmut_4 (`and` for `or` in ``_day``: seven digits, or eight characters that
    # int() reads, would make a date).
    assert scan._date(b"2019031") is None  # the mutant: 2019-03-01
    assert scan._date(b"2026+3+1") is None  # the mutant: 2026-03-01
    assert scan._date(b" 20190302T100000Z") == date(2019, 3, 2)
    # An event whose DTSTART has seven digits is kept undated (icalendar cannot read it either).
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:old", "DTSTART:2019031", "END:VEVENT", "END:VCALENDAR")
    assert scan.prefilter(raw, *MARCH)[1:] == (1, 1, None)


def test_a_begin_line_s_name_ends_at_its_first_semicolon_or_colon():
    # Kills _name mutmut_6 (rfind: the name would run to the last separator).
    assert scan._name(b"VEVENT;X-A=1;X-B=2\r\n") == b"VEVENT"
    assert scan._name(b"VALARM:X:Y\r\n") == b"VALARM"
    lines = ["BEGIN:VCALENDAR", "BEGIN:VEVENT;X-A=1;X-B=2", "UID:now", "DTSTART:20260302T100000", "END:VEVENT"]
    assert scan.prefilter(ics(*lines, "END:VCALENDAR"), *MARCH)[1:] == (1, 1, date(2026, 3, 2))


def test_prefilter_uses_the_markers_it_is_handed_instead_of_searching_the_whole_file_again(whole_file_searches):
    # Kills prefilter mutmut_11 (found ignored), as batch 1's slimmed test kills slimmed
    # mutmut_9: the text cannot tell, the work can. ``_slim``'s searches are bounded.
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a", "DTSTART:20260302T100000", "END:VEVENT", "END:VCALENDAR")
    found = list(repair.markers(raw))
    assert scan.prefilter(raw, *MARCH, found) == (raw, 1, 1, date(2026, 3, 2))
    assert whole_file_searches == []
    assert scan.prefilter(raw, *MARCH) == (raw, 1, 1, date(2026, 3, 2))
    assert whole_file_searches == [raw]


def test_an_event_with_rdate_and_no_rrule_is_a_series():
    # Kills Info.from_values mutmut_97 and _98 (RDATE misspelt: such an event not recurring).
    # It started in January 2025, but its RDATE puts an instance on 10 March 2026.
    event = ("BEGIN:VEVENT", "UID:r", "DTSTART:20250106T090000", "RDATE:20260310T090000", "END:VEVENT")
    read = scan.info_of(ics(*event))
    assert (read.recurring, read.unbounded) == (True, True)
    assert scan.prefilter(ics("BEGIN:VCALENDAR", *event, "END:VCALENDAR"), *MARCH)[1:] == (1, 1, date(2025, 1, 6))
