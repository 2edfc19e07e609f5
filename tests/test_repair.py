"""Line-level repairs: what is cut out of a calendar, and what is kept."""

from __future__ import annotations

import pytest

from calaudit.sources import repair
from calaudit.sources.repair import Broken, balanced, join_quoted_breaks, split_lines, unfold


def lines(text: str) -> list[bytes]:
    return [f"{line}\r\n".encode() for line in text.strip().splitlines()]


def repaired(text: str) -> tuple[str, list[Broken]]:
    broken: list[Broken] = []
    kept = b"".join(balanced(split_lines(lines(text)), broken)).decode()
    return kept.replace("\r\n", "|"), broken


def test_an_event_with_an_unfinished_alarm_is_cut_out_whole():
    kept, broken = repaired("""
BEGIN:VCALENDAR
BEGIN:VEVENT
UID:a
BEGIN:VALARM
END:VEVENT
BEGIN:VEVENT
UID:b
END:VEVENT
END:VCALENDAR
""")
    assert kept == "BEGIN:VCALENDAR|BEGIN:VEVENT|UID:b|END:VEVENT|END:VCALENDAR|"
    assert [b.describe() for b in broken] == ["unbalanced BEGIN/END lines inside the VEVENT at lines 2-5"]


def test_a_stray_end_and_an_unfinished_timezone_are_cut_out():
    kept, broken = repaired("""
BEGIN:VCALENDAR
END:VEVENT
BEGIN:VTIMEZONE
TZID:X
BEGIN:VEVENT
UID:b
END:VEVENT
END:VCALENDAR
""")
    assert kept == "BEGIN:VCALENDAR|BEGIN:VEVENT|UID:b|END:VEVENT|END:VCALENDAR|"
    assert [b.describe() for b in broken] == [
        "stray END:VEVENT at line 2",
        "unfinished VTIMEZONE: BEGIN:VTIMEZONE at line 3 has no END:VTIMEZONE",
    ]


def test_nested_components_that_pair_up_are_kept_as_they_are():
    text = "BEGIN:VCALENDAR|BEGIN:VEVENT|BEGIN:VALARM|END:VALARM|END:VEVENT|END:VCALENDAR|"
    assert repaired(text.replace("|", "\n")) == (text, [])


def test_cr_only_endings_and_a_byte_order_mark():
    raw = [b"\xef\xbb\xbfBEGIN:VCALENDAR\rVERSION:2.0\rEND:VCALENDAR\r"]
    assert list(split_lines(raw)) == [b"BEGIN:VCALENDAR\r\n", b"VERSION:2.0\r\n", b"END:VCALENDAR\r\n"]


def test_unfolding_bytes_and_joining_a_break_inside_quotes():
    assert unfold(b"SUMMARY:R\xc3\r\n \xa9union\r\n").decode() == "SUMMARY:Réunion\r\n"
    broken = b'ATTENDEE;CN="Ana\nSmith";PARTSTAT=DECLINED:mailto:a@b\nDESCRIPTION:say "hi\nEND:VEVENT'
    assert join_quoted_breaks(broken) == (
        b'ATTENDEE;CN="Ana Smith";PARTSTAT=DECLINED:mailto:a@b\nDESCRIPTION:say "hi\nEND:VEVENT'
    )


def test_begin_and_end_lines_are_found_in_any_case_each_with_its_line_end():
    data = b"BEGIN:VCALENDAR\r\nX:1\nbegin:vevent\nBEGINNING:2\n END:X\nEnd:VEVENT"
    assert list(repair.markers(data)) == [(0, 17, True), (21, 34, True), (53, 63, False)]


def test_a_file_that_needs_no_repair_is_passed_on_without_a_copy():
    data = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    broken: list[Broken] = []
    assert repair.mended(data, broken)[0] is data and not broken
    assert repair.mended(b"\xef\xbb\xbf" + data, broken)[0] == data and not broken


def test_markers_of_a_stretch_are_those_of_the_whole_that_lie_in_it():
    data = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nbegin:valarm\r\nEND:VALARM\r\nEND:VEVENT\r\nX:1\r\nEND:VCALENDAR"
    whole = list(repair.markers(data))
    assert whole == [(0, 17, True), (17, 31, True), (31, 45, True), (45, 57, False), (57, 69, False), (74, 87, False)]
    event = (17, 69)  # BEGIN:VEVENT to its END line, LF included
    assert list(repair.markers(data, *event)) == whole[1:5]
    assert list(repair.markers(data, 31, 45)) == [whole[2]]
    assert list(repair.markers(data, 0, 17)) == [whole[0]]


STRUCTURES = {
    # name: (lines, plainly nested)
    "a calendar with an event and its alarm": (
        "BEGIN:VCALENDAR|BEGIN:VEVENT|BEGIN:VALARM|END:VALARM|END:VEVENT|END:VCALENDAR",
        True,
    ),
    "lower case, blanks after the name": ("begin:vcalendar|BEGIN:VEVENT |end:vevent|END:VCALENDAR", True),
    "a calendar left open": ("BEGIN:VCALENDAR|BEGIN:VEVENT|END:VEVENT", True),
    "two calendars": ("BEGIN:VCALENDAR|END:VCALENDAR|BEGIN:VCALENDAR|END:VCALENDAR", True),
    "an event left open": ("BEGIN:VCALENDAR|BEGIN:VEVENT|END:VCALENDAR", False),
    "a stray END": ("BEGIN:VCALENDAR|END:VEVENT|END:VCALENDAR", False),
    "an END closing the outer one": ("BEGIN:VCALENDAR|BEGIN:VEVENT|BEGIN:VALARM|END:VEVENT|END:VCALENDAR", False),
    "an event begun inside an event": (
        "BEGIN:VCALENDAR|BEGIN:VEVENT|BEGIN:VEVENT|END:VEVENT|END:VEVENT|END:VCALENDAR",
        False,
    ),
    "a calendar begun inside a calendar": ("BEGIN:VCALENDAR|BEGIN:VCALENDAR|END:VCALENDAR|END:VCALENDAR", False),
    "only an END": ("END:VCALENDAR", False),
}


@pytest.mark.parametrize(("text", "plain"), STRUCTURES.values(), ids=STRUCTURES.keys())
def test_the_quick_structure_test_says_intact_only_where_balanced_changes_nothing(text, plain):
    data = text.replace("|", "\r\n").encode() + b"\r\n"
    found = list(repair.markers(data))
    assert repair._plainly_nested(data, found) is plain
    if plain:  # sufficient: balanced agrees; where it says no, balanced decides alone
        assert repair._intact(data, found)
