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
    # Kills _rule_end mutmut_55 (WKST counted among the limiting parts).
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


def test_slimmed_uses_the_markers_it_is_handed_instead_of_searching_the_whole_file_again(monkeypatch):
    # Kills slimmed mutmut_9 (found ignored). The markers handed on are those of the file, so
    # the text cannot tell; the work can: handing them on exists to save that search.
    raw = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "END:VEVENT", "END:VCALENDAR")
    expected = ics("BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:a", "END:VEVENT", "END:VCALENDAR")
    found = list(repair.markers(raw))
    whole_file_searches = []
    real_markers = scan.markers

    def counting_markers(data, start=0, end=None):
        if (start, end) == (0, None):
            whole_file_searches.append(data)
        return real_markers(data, start, end)

    monkeypatch.setattr(scan, "markers", counting_markers)
    assert scan.slimmed(raw, found) == expected
    assert whole_file_searches == []
    assert scan.slimmed(raw) == expected
    assert whole_file_searches == [raw]
