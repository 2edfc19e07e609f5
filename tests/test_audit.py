"""Every accounting rule of DESIGN.md against a small fixture computed by hand.

Fixture calendars are in tests/data/ics; the rules (tests/data/rules.yaml) map
interview -> recruiting, customer -> sales, 1:1 -> culture, standup/incident -> ops,
and ignore lunch. Reporting zone: America/New_York.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calaudit.audit import AuditResult, audit, split_overlaps, status_of
from calaudit.config import LoadedConfig
from calaudit.models import Attendee, Event, Response
from calaudit.period import parse_period
from calaudit.report import skipped_lines
from calaudit.report.json import to_dict
from calaudit.sources.ics import parse_calendar
from tests.helpers import ICS, NOW, audit_fixture, category_hours, fetch, fixture_rules

NY = ZoneInfo("America/New_York")


def test_dst_start_night_counts_elapsed_time():
    # 01:00-04:00 on 8 March 2026: clocks jump from 02:00 to 03:00, so 2 real hours.
    result = audit_fixture("dst.ics", period="2026-03")
    assert result.total_hours == 2.0
    assert category_hours(result) == {"ops": 2.0}


def test_dst_end_night_counts_elapsed_time():
    # 00:30-02:30 on 1 November 2026: 01:00-02:00 happens twice, so 3 real hours.
    result = audit_fixture("dst.ics", period="2026-11")
    assert result.total_hours == 3.0


def test_recurrence_with_exdate_moved_and_cancelled_instances_count_and_until():
    # Standup, Mondays 09:00-09:30 until 30 March: 2, 9, 16, 23, 30 March.
    #   9 March is an EXDATE (gone), 16 March moved to 17 March 15:00-16:00 (1 h),
    #   23 March cancelled (ledger), 30 March is the last (UNTIL is inclusive).
    #   ops = 0.5 + 1 + 0.5 = 2.0
    # 1:1 Ana, daily from 30 March, COUNT=5: 30 and 31 March in the period = 1.0
    # Customer call, weekly from 20 February, COUNT=3: only 6 March = 1.0
    result = audit_fixture("recurrence.ics")
    assert category_hours(result) == {"ops": 2.0, "culture": 1.0, "sales": 1.0}
    assert result.skipped["cancelled"].events == 1
    assert result.skipped["cancelled"].hours == 0.5
    starts = [o.start.strftime("%m-%d %H:%M") for o in result.occurrences if o.event.title.startswith("Standup")]
    assert starts == ["03-02 09:00", "03-17 15:00", "03-23 09:00", "03-30 09:00"]


def test_instances_moved_across_the_boundary_rdate_orphans_and_reused_uids():
    # Standup, Thursdays 10-11 from 26 Feb, COUNT=6 (26 Feb, 5, 12, 19, 26 Mar, 2 Apr)
    # plus RDATE 10 Mar 15:00. 26 Feb moved to 2 Mar (in), 26 Mar moved to 2 Apr (out):
    #   2, 5, 10, 12, 19 March = 5 h.
    # An override whose master is not in the file (a single invited instance): 0.5 h.
    # Two unrelated events sharing one UID both count: 2 h.
    result = audit_fixture("recurrence-edges.ics")
    assert category_hours(result) == {"ops": 7.0, "culture": 0.5}
    days = [o.start.day for o in result.occurrences if o.event.title.startswith("Standup")]
    assert days == [2, 5, 10, 12, 19]


def test_events_are_clipped_to_the_period_at_both_ends():
    # Incident 28 Feb 22:00 - 1 Mar 02:00: 2 h inside March.
    # Interview 1 Apr 02:30Z-05:00Z = 31 Mar 22:30 - 1 Apr 01:00 EDT: 1.5 h inside.
    # Calls on 28 Feb and 1 Apr 00:00 are outside and not listed at all.
    result = audit_fixture("boundary.ics")
    assert category_hours(result) == {"ops": 2.0, "recruiting": 1.5}
    assert len(result.occurrences) == 2
    assert result.occurrences[0].start.isoformat() == "2026-03-01T00:00:00-05:00"


def test_overlap_split_shares_each_instant_equally():
    # Customer call 10-12, interview 11-13, standup 11:30-11:45 on 3 March.
    #   10:00-11:00 call alone           call 1
    #   11:00-11:30 call + interview     0.25 each
    #   11:30-11:45 all three            1/12 each
    #   11:45-12:00 call + interview     0.125 each
    #   12:00-13:00 interview alone      interview 1
    # call = interview = 1 + 0.25 + 1/12 + 0.125 = 35/24; standup = 1/12; total = 3
    result = audit_fixture("overlap.ics")
    hours = category_hours(result)
    assert hours["sales"] == pytest.approx(35 / 24)
    assert hours["recruiting"] == pytest.approx(35 / 24)
    assert hours["ops"] == pytest.approx(1 / 12)
    assert result.total_hours == pytest.approx(3.0)


def test_overlap_full_counts_every_event_fully():
    result = audit_fixture("overlap.ics", overlap="full")
    assert category_hours(result) == {"sales": 2.0, "recruiting": 2.0, "ops": 0.25}
    assert result.total_hours == 4.25


def test_skipped_time_is_ledgered_never_silent():
    # declined (owner written CTO@Weave.Example) 1 h, free 2 h, all-day 0 h,
    # ignored lunch 1 h, cancelled 2 h; tentative 1:1 counts by default.
    result = audit_fixture("skips.ics")
    ledger = {k: (v.events, v.hours) for k, v in result.skipped.items() if v.events}
    assert ledger == {
        "declined": (1, 1.0),
        "free": (1, 2.0),
        "all_day": (1, 0.0),
        "ignored": (1, 1.0),
        "cancelled": (1, 2.0),
    }
    assert category_hours(result) == {"culture": 1.5}
    assert result.unclassified_hours == 1.0
    assert result.total_hours == 2.5


def test_each_skip_can_be_switched_to_count():
    # declined customer sync 1 h -> sales; free interview prep 2 h -> recruiting;
    # tentative 1:1 Chen 0.5 h moves to the ledger when tentative: skip.
    result = audit_fixture("skips.ics", declined="count", free="count", tentative="skip")
    assert category_hours(result) == {"sales": 1.0, "recruiting": 2.0, "culture": 1.0}
    assert result.skipped["tentative"].events == 1
    assert result.skipped["tentative"].hours == 0.5


def test_counted_all_day_events_take_workday_hours_and_no_part_in_the_split():
    # The all-day "Offsite" on 10 March counts 6 h; it matches no rule.
    result = audit_fixture("skips.ics", all_day="count", workday_hours=6)
    assert result.unclassified_hours == 1.0 + 6.0
    assert result.skipped["all_day"].events == 0


def test_multi_day_all_day_event_counts_only_days_inside_the_period():
    loaded = fixture_rules(all_day="count")
    period = parse_period("2026-03", NY, NOW)
    conference = Event(
        uid="conf",
        title="Conference",
        calendar="t",
        all_day=True,
        start=datetime(2026, 3, 30, tzinfo=NY),
        end=datetime(2026, 4, 3, tzinfo=NY),
        start_date=datetime(2026, 3, 30).date(),
        end_date=datetime(2026, 4, 3).date(),
    )
    result = audit([conference], loaded.config, period)
    assert result.unclassified_hours == 2 * 8.0  # 30 and 31 March


def test_floating_times_and_duration_are_read_in_the_reporting_zone():
    # Interview 5 March 10:00 floating + PT90M = 1.5 h.
    # Incident 31 March 23:00 floating + PT2H: 1 h before midnight in New York
    # (it would be wholly inside March if read as UTC).
    result = audit_fixture("floating.ics")
    assert category_hours(result) == {"recruiting": 1.5, "ops": 1.0}


def test_windows_time_zone_names_from_outlook():
    # Eastern Standard Time 09:00 is 09:00 in New York; W. Europe Standard Time
    # 16:00 (CET, UTC+1) is 15:00 UTC = 11:00 EDT on 10 March.
    result = audit_fixture("windows-tz.ics")
    starts = {o.event.title: o.start.strftime("%H:%M") for o in result.occurrences}
    assert starts == {"Customer call": "09:00", "Interview with Berlin candidate": "11:00"}
    assert category_hours(result) == {"sales": 1.0, "recruiting": 1.0}


def test_x_wr_timezone_places_utc_recurrences_in_the_calendar_zone():
    # 09:00Z on 2 March is 10:00 in Berlin, and the series repeats at 10:00 Berlin time:
    # after Berlin's DST start (29 March) the 30 March instance is at 08:00Z = 04:00 EDT.
    result = audit_fixture("x-wr-timezone.ics")
    starts = [o.start.astimezone(UTC).strftime("%d %H:%M") for o in result.occurrences]
    assert starts == ["02 09:00", "09 09:00", "16 09:00", "23 09:00", "30 08:00"]
    assert result.occurrences[0].event.calendar == "Berlin office"


def test_the_same_event_from_two_sources_counts_once():
    # copy-b holds the 14:00 EDT customer call again, written as 18:00Z.
    result = audit_fixture("copy-a.ics", "copy-b.ics")
    assert category_hours(result) == {"sales": 1.0, "culture": 0.5}


def test_of_two_copies_of_one_occurrence_the_first_source_s_copy_is_classified():
    # The shared 1 h call retitled "Standup" (ops) in copy-b: whichever copy comes first
    # decides, and the hours are counted once either way.
    loaded = fixture_rules()
    period = parse_period("2026-03", loaded.zone, NOW)
    a = fetch("copy-a.ics").events
    b = [replace(e, title="Standup") for e in fetch("copy-b.ics").events]
    assert category_hours(audit([*a, *b], loaded.config, period)) == {"sales": 1.0, "culture": 0.5}
    assert category_hours(audit([*b, *a], loaded.config, period)) == {"ops": 1.0, "culture": 0.5}


def test_unreadable_events_are_skipped_and_the_rest_audited():
    result = audit_fixture("invalid-events.ics")
    assert category_hours(result) == {"sales": 1.0}
    assert result.skipped["invalid"].events == 5
    reasons = {i.title: i.reason for i in result.invalid}
    assert reasons["Backwards meeting"] == "DTEND is before DTSTART"
    assert reasons["Meeting without a start"] == "it has no DTSTART"
    assert "Mars/Olympus_Mons" in reasons["Meeting on Mars"]
    assert reasons["Badly repeating meeting"].startswith("invalid RRULE")
    assert "Garbage start" in reasons


def test_shares_are_of_classified_hours_and_delta_is_in_points():
    # skips.ics: culture 1.5 h classified, 1 h unclassified.
    result = audit_fixture("skips.ics")
    culture = next(c for c in result.categories if c.id == "culture")
    assert culture.share == 100.0
    assert culture.delta == 100.0 - 30.0
    assert culture.status == "over"
    assert result.coverage == pytest.approx(100 * 1.5 / 2.5)
    sales = next(c for c in result.categories if c.id == "sales")
    assert (sales.hours, sales.share, sales.delta, sales.status) == (0.0, 0.0, -30.0, "under")
    external, internal = result.groups
    assert (external.hours, external.target, internal.share) == (0.0, 50.0, 100.0)


def test_every_category_appears_even_unused():
    result = audit_fixture("dst.ics")
    assert [c.id for c in result.categories] == ["sales", "recruiting", "culture", "ops"]
    unused = [c for c in result.categories if c.hours == 0.0]
    assert unused and all(c.events == 0 for c in unused)  # 0 events, not null in the JSON
    assert all(c["events"] == 0 for c in to_dict(result)["categories"] if c["hours"] == 0.0)


def test_no_counted_time_gives_zero_shares_not_an_error():
    result = audit_fixture("dst.ics", period="2026-05")
    assert result.total_hours == 0.0
    assert result.coverage == 0.0
    assert all(c.share == 0.0 for c in result.categories)


@pytest.mark.parametrize(
    ("delta", "status"),
    [(5.0, "on"), (5.04, "on"), (5.06, "over"), (-5.0, "on"), (-5.1, "under"), (0.0, "on")],
)
def test_status_uses_the_tolerance_band_at_the_precision_shown(delta, status):
    assert status_of(delta, 20.0, 5.0) == status


@pytest.mark.parametrize(
    ("target", "delta", "status"),
    [
        (5.0, -5.0, "under"),  # no time at all in a 5% category: the band is ±2.5, not ±5
        (5.0, -2.5, "on"),
        (5.0, -2.54, "on"),  # shown as -2.5
        (5.0, -2.6, "under"),
        (5.0, 2.6, "over"),
        (10.0, -5.0, "on"),  # half of 10 is the tolerance itself
        (0.0, 0.1, "over"),
        (0.0, 0.04, "on"),
    ],
)
def test_the_band_is_never_wider_than_half_the_target(target, delta, status):
    assert status_of(delta, target, 5.0) == status


def test_groups_have_a_status_like_categories():
    # recurrence.ics: sales 1 h, culture 1 h, ops 2 h of 4 h classified. External 25% of a
    # 50% target (-25 pp, under), internal 75% (+25 pp, over).
    external, internal = audit_fixture("recurrence.ics").groups
    assert (external.delta, external.status) == (-25.0, "under")
    assert (internal.delta, internal.status) == (25.0, "over")
    on_target = audit_fixture("recurrence.ics", tolerance=25.0).groups
    assert [g.status for g in on_target] == ["on", "on"]


def test_a_period_without_any_occurrence_has_no_data():
    assert not audit_fixture("dst.ics", period="2026-05").has_data
    assert audit_fixture("dst.ics").has_data
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    declined = Event(uid="d", title="Customer call", calendar="t", start=start, end=start + timedelta(hours=1),
                     response=Response.DECLINED)  # fmt: skip
    skipped_only = audit([declined], fixture_rules().config, parse_period("2026-03", NY, NOW))
    assert skipped_only.total_hours == 0.0 and skipped_only.has_data  # the calendar was there


def test_declined_by_an_owner_alias_is_skipped():
    loaded = fixture_rules()
    period = parse_period("2026-03", NY, NOW)
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    declined = Event(
        uid="x",
        title="Customer call",
        calendar="t",
        start=start,
        end=start + timedelta(hours=1),
        response=Response.DECLINED,
    )
    result = audit([declined], loaded.config, period)
    assert result.skipped["declined"].events == 1
    assert result.total_hours == 0.0


def test_split_overlaps_of_identical_and_touching_intervals():
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    h = timedelta(hours=1)
    assert split_overlaps([(t, t + h), (t, t + h)]) == [0.5, 0.5]
    assert split_overlaps([(t, t + h), (t + h, t + 2 * h)]) == [1.0, 1.0]
    assert split_overlaps([(t, t), (t, t + h)]) == [0.0, 1.0]
    # a two-hour gap before a pair sharing 1 h: 3-4 alone, 4-5 halved, 5-6 alone
    assert split_overlaps([(t, t + h), (t + 3 * h, t + 5 * h), (t + 4 * h, t + 6 * h)]) == [1.0, 1.5, 1.5]


def test_multi_day_events_count_at_most_a_workday_on_each_day_they_touch():
    # multi-day.ics, workday_hours 8, all New York times:
    #   Customer offsite Tue 10 09:00 -> Thu 12 17:00: 15 + 24 + 17 h -> 8 + 8 + 8 = 24 (56 elapsed)
    #   Incident Sat 7 09:00 -> Sun 8 12:00 across the DST start: 15 + 11 h -> 8 + 8 = 16
    #   Interview marathon Fri 20 09:00 -> Sat 21 00:00 ends at midnight: one day, 15 h uncapped
    #   Trade show (free) Mon 23 09:00 -> Tue 24 17:00: ledger 8 + 8 = 16 (32 elapsed)
    #   Conference Tue 31 09:00 -> Thu 2 April 17:00: inside March only 31 March, 15 h -> 8;
    #     it is multi-day as a whole, so the cap applies though its March part is one day.
    # capped: 32 + 10 + 7 = 49 h of 3 events
    result = audit_fixture("multi-day.ics")
    assert category_hours(result) == {"sales": 24.0, "recruiting": 15.0, "ops": 16.0}
    assert result.unclassified_hours == 8.0
    assert result.total_hours == 63.0
    assert (result.capped.events, result.capped.hours) == (3, 49.0)
    assert (result.skipped["free"].events, result.skipped["free"].hours) == (1, 16.0)
    capped = {o.event.title: o.capped_hours for o in result.occurrences if o.capped_hours}
    assert capped == {"Customer offsite": 32.0, "Incident over the spring-forward night": 10.0, "Conference": 7.0}
    assert skipped_lines(result) == [("free", 1, 16.0), ("multi_day_cap", 3, 49.0)]


@pytest.mark.parametrize("overlap", ["split", "full"])
def test_the_multi_day_cap_cuts_days_at_the_reporting_zone_s_midnights(overlap):
    # Mon 2 March 22:00 -> Wed 4 March 02:00 New York, 03:00 UTC on the Tuesday: the days
    # are Mon 22-24 (2 h), Tue (24 h -> 8), Wed 0-2 (2 h) = 12 h, 16 capped. Days cut at
    # UTC's midnights would join Monday's evening to Tuesday: 8 + 2 = 10 h.
    start = datetime(2026, 3, 2, 22, tzinfo=NY)
    incident = Event(uid="n", title="Standup incident", calendar="t", start=start, end=start + timedelta(hours=28))
    result = audit([incident], fixture_rules(overlap=overlap).config, parse_period("2026-03", NY, NOW))
    assert category_hours(result) == {"ops": 12.0}
    assert (result.capped.events, result.capped.hours) == (1, 16.0)


def test_two_identical_overnight_incidents_split_count_what_one_counts():
    # Both Mon 2 March 22:00 -> Wed 4 March 02:00 New York. Split: Mon 2 h -> 1 + 1;
    # Tue 24 h -> 12 + 12, capped together to 8 -> 4 + 4; Wed 2 h -> 1 + 1. Each 6 h, 12 in
    # all as one incident alone; the Monday piece belongs to Monday in New York (Tuesday
    # in UTC), where the two share 2 h, under the cap.
    start = datetime(2026, 3, 2, 22, tzinfo=NY)
    incidents = [
        Event(uid=uid, title="Standup incident", calendar="t", start=start, end=start + timedelta(hours=28))
        for uid in ("a", "b")
    ]
    result = audit(incidents, fixture_rules().config, parse_period("2026-03", NY, NOW))
    assert [o.hours for o in result.occurrences] == [6.0, 6.0]
    assert (result.capped.events, result.capped.hours) == (2, 16.0)


def test_an_event_capped_by_less_than_an_hour_is_in_the_capped_ledger():
    # Mon 2 March 15:30 -> Tue 01:00 New York: Monday 8.5 h -> 8 (0.5 capped), Tuesday 1 h.
    start = datetime(2026, 3, 2, 15, 30, tzinfo=NY)
    late = Event(uid="l", title="Standup marathon", calendar="t", start=start, end=start + timedelta(hours=9.5))
    result = audit([late], fixture_rules().config, parse_period("2026-03", NY, NOW))
    assert category_hours(result) == {"ops": 9.0}
    assert (result.capped.events, result.capped.hours) == (1, 0.5)


def test_the_multi_day_cap_counts_elapsed_time_on_a_dst_day():
    # workday_hours 12: the incident's Sunday part 00:00 EST -> 12:00 EDT is 11 real hours,
    # under the cap (a wall-clock count would give 12); Saturday's 15 h are capped to 12.
    # Offsite 12 + 12 + 12 = 36; Conference 12 of 15; marathon 15.
    result = audit_fixture("multi-day.ics", workday_hours=12)
    assert category_hours(result) == {"sales": 36.0, "recruiting": 15.0, "ops": 23.0}
    assert result.unclassified_hours == 12.0
    assert (result.capped.events, result.capped.hours) == (3, 20.0 + 3.0 + 3.0)


def test_multi_day_full_counts_the_elapsed_time():
    # Offsite 56 h, incident 15 + 11 = 26 h, conference 15 h in March, trade show 32 h free.
    result = audit_fixture("multi-day.ics", multi_day="full")
    assert category_hours(result) == {"sales": 56.0, "recruiting": 15.0, "ops": 26.0}
    assert result.unclassified_hours == 15.0
    assert result.skipped["free"].hours == 32.0
    assert (result.capped.events, result.capped.hours) == (0, 0.0)
    assert "capped" not in to_dict(result)


def test_multi_day_cap_clips_to_the_period_on_each_day_inside_it():
    # The conference in April: 1 April 24 h -> 8, 2 April 17 h -> 8; capped 16 + 9 = 25.
    result = audit_fixture("multi-day.ics", period="2026-04")
    assert result.unclassified_hours == 16.0
    assert (result.capped.events, result.capped.hours) == (1, 25.0)
    assert to_dict(result)["capped"] == {"events": 1, "hours": 25.0}


def test_overlap_split_comes_first_and_the_cap_takes_the_smaller_of_share_and_workday():
    # multi-day-overlap.ics, Monday 16 March (New York):
    #   Customer workshop Mon 08:00 -> Tue 12:00 (multi-day), Interview loop Mon 08-18,
    #   Incident Mon 12-24 (ends at midnight: one day, never capped).
    #   08-12 workshop + interviews      2 h each
    #   12-18 all three                  2 h each
    #   18-24 workshop + incident        3 h each
    # Workshop: Monday share 2 + 2 + 3 = 7 < 8, kept whole; Tuesday 00-12 alone 12 -> 8.
    # workshop 15 (capped 4), interviews 4, incident 5; total 24.
    # The time the cap takes off is not handed to the other events.
    result = audit_fixture("multi-day-overlap.ics")
    assert category_hours(result) == {"sales": 15.0, "recruiting": 4.0, "ops": 5.0}
    assert (result.capped.events, result.capped.hours) == (1, 4.0)


def test_overlap_full_with_the_cap_caps_each_day_of_the_elapsed_time():
    # Workshop Monday 16 h -> 8, Tuesday 12 h -> 8 (capped 12); the others count fully.
    result = audit_fixture("multi-day-overlap.ics", overlap="full")
    assert category_hours(result) == {"sales": 16.0, "recruiting": 10.0, "ops": 12.0}
    assert (result.capped.events, result.capped.hours) == (1, 12.0)


def test_split_without_the_cap_is_unchanged():
    # Workshop 7 + 12 = 19; interviews 4; incident 5.
    result = audit_fixture("multi-day-overlap.ics", multi_day="full")
    assert category_hours(result) == {"sales": 19.0, "recruiting": 4.0, "ops": 5.0}


def rules_with_owner(*owner: str) -> LoadedConfig:
    loaded = fixture_rules()
    return LoadedConfig(loaded.config.model_copy(update={"owner": list(owner)}), loaded.path, loaded.digest)


def audit_with(loaded: LoadedConfig, name: str, period: str = "2026-03") -> AuditResult:
    fetched = fetch(name, period=period, loaded=loaded)
    return audit(fetched.events, loaded.config, parse_period(period, NY, NOW), fetched.invalid, fetched.newest)


def test_an_owner_on_none_of_the_meetings_is_named_with_the_likely_address():
    # owner.ics: the user is cto@weave.io, on all 3 meetings with attendees (the room-only
    # standup and the solo design doc do not count); the rules say cto@weave.example,
    # so the declined customer call counts (sales 1 h).
    result = audit_with(fixture_rules(), "owner.ics")
    assert result.warnings == (
        "owner cto@weave.example appears in none of the 3 events with attendees in 2026-03; "
        "set owner: in rules.yaml to your calendar address (cto@weave.io is on 3 of them)",
    )
    assert category_hours(result)["sales"] == 1.0


def test_the_right_owner_silences_the_warning_and_skips_the_decline():
    result = audit_with(rules_with_owner("cto@weave.example", "CTO@weave.io"), "owner.ics")
    assert result.warnings == ()
    assert result.skipped["declined"].events == 1
    assert "sales" not in category_hours(result)


def test_no_owner_at_all_is_said_too():
    result = audit_with(rules_with_owner(), "owner.ics")
    assert result.warnings == (
        "no owner is set, so declined meetings count as attended (3 events with attendees in 2026-03); "
        "set owner: in rules.yaml to your calendar address (cto@weave.io is on 3 of them)",
    )


@pytest.mark.parametrize(
    ("meetings", "owner", "said"),
    [
        (1, ("cto@weave.example",), "owner cto@weave.example appears in none of the 1 event with attendees"),
        (2, ("cto@weave.example",), "owner cto@weave.example appears in none of the 2 events with attendees"),
        (1, ("cto@weave.example", "me@weave.example"), "owner cto@weave.example, me@weave.example appears in none"),
    ],
)
def test_the_owner_warning_counts_its_meetings_and_lists_every_owner_address(meetings, owner, said):
    # cto@weave.io and pat@acme.example are on every meeting: of the tie, the first address
    # is named, in every run (the set they come from has no stable order).
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    people = (Attendee("cto@weave.io"), Attendee("pat@acme.example"))
    events = [
        Event(uid=f"m{d}", title="Customer call", calendar="t", start=start + timedelta(days=d),
              end=start + timedelta(days=d, hours=1), attendees=people)
        for d in range(meetings)
    ]  # fmt: skip
    [warning] = audit(events, rules_with_owner(*owner).config, parse_period("2026-03", NY, NOW)).warnings
    assert warning.startswith(said)
    assert warning.endswith(f"(cto@weave.io is on {meetings} of them)")


def test_hours_by_audience_add_up_the_events_of_a_cell():
    # Two solo customer preps, 1 h and 2 h: the solo cell of sales is 3 h (not their mean).
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    later = start + timedelta(days=1)
    preps = [
        Event(uid="p1", title="Customer prep", calendar="t", start=start, end=start + timedelta(hours=1)),
        Event(uid="p2", title="Customer prep", calendar="t", start=later, end=later + timedelta(hours=2)),
    ]
    rows = {
        a.category: (a.external, a.internal, a.solo)
        for a in audit(preps, fixture_rules().config, parse_period("2026-03", NY, NOW)).by_audience
    }
    assert rows["sales"] == (0.0, 0.0, 3.0)


def test_an_owner_the_source_recognised_by_itself_needs_no_warning():
    # Google marks the signed-in user's entry with self: true, whatever address the
    # rules name; the source then sets the response, and that is what counts.
    start = datetime(2026, 3, 2, 10, tzinfo=NY)
    meeting = Event(
        uid="g",
        title="Customer call",
        calendar="google:primary",
        start=start,
        end=start + timedelta(hours=1),
        attendees=(Attendee("me@gmail.example"), Attendee("pat@acme.example")),
        response=Response.ACCEPTED,
    )
    result = audit([meeting], fixture_rules().config, parse_period("2026-03", NY, NOW))
    assert result.warnings == ()


def test_an_empty_period_says_when_the_stale_calendar_ends():
    # stale.ics: a call on 14 Nov 2025, an interview in June 2025 and a weekly standup
    # until 15 Dec 2025 (a Monday): the newest event starts 15 December, not 14 November.
    result = audit_with(fixture_rules(), "stale.ics")
    assert not result.has_data
    assert result.total_hours == 0.0
    assert result.warnings == (
        "no events in 2026-03; the newest event or series in the calendars starts 2025-12-15: is the export stale?",
    )


def test_an_empty_period_names_the_newest_day_in_the_reporting_zone():
    # 27 February 22:00 New York is already the 28th in UTC.
    newest = datetime(2026, 2, 27, 22, tzinfo=NY)
    result = audit([], fixture_rules().config, parse_period("2026-03", NY, NOW), (), newest)
    assert result.warnings == (
        "no events in 2026-03; the newest event or series in the calendars starts 2026-02-27: is the export stale?",
    )


def test_an_empty_period_before_the_calendar_points_at_the_period():
    result = audit_with(fixture_rules(), "dst.ics", period="2026-05")
    assert result.warnings == (
        "no events in 2026-05, though the calendars have later ones (the newest starts 2026-11-01); check the period",
    )


def test_an_empty_period_without_a_known_newest_event_still_warns():
    result = audit([], fixture_rules().config, parse_period("2026-03", NY, NOW))
    assert not result.has_data
    assert result.warnings == (
        "no events in 2026-03: check that the calendar export is recent and the period is the one you meant",
    )


def test_a_period_with_only_skipped_or_unreadable_events_has_data():
    assert audit_fixture("skips.ics", period="2026-03").has_data
    unreadable = audit_fixture("invalid-events.ics")
    assert unreadable.has_data and not any(w.startswith("no events") for w in unreadable.warnings)


@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_the_ics_reader_dates_the_newest_event_of_the_whole_calendar(prefilter):
    loaded = fixture_rules()
    raw = (ICS / "stale.ics").read_bytes()
    period = parse_period("2026-03", NY, NOW)
    fetched = parse_calendar(raw, "stale.ics", period, frozenset(loaded.config.owner), NY, prefilter)
    assert fetched.events == []
    assert fetched.newest == datetime(2025, 12, 15, tzinfo=NY)


def test_merged_sources_keep_the_newest_event_of_any():
    merged = fetch("stale.ics", "dst.ics")
    assert merged.newest == datetime(2026, 11, 1, tzinfo=NY)


def ledger_of(result) -> dict[str, tuple[int, float]]:
    return {k: (v.events, v.hours) for k, v in result.skipped.items() if v.events}


def test_an_event_whose_own_status_is_tentative_is_skipped_under_tentative_skip():
    # The "Customer demo" on 3 March 10-12 has STATUS:TENTATIVE and no owner PARTSTAT:
    # 2 h of sales by default, 2 h in the tentative ledger under tentative: skip.
    counted = audit_fixture("precedence.ics")
    assert category_hours(counted)["sales"] == 2.0
    skipped = audit_fixture("precedence.ics", tentative="skip")
    assert "sales" not in category_hours(skipped)
    assert skipped.skipped["tentative"].hours == 2.0 + 0.75


def test_the_first_skip_reason_in_the_documented_order_wins():
    # precedence.ics, each event carrying two reasons (DESIGN.md order: cancelled,
    # out_of_office, declined, tentative, free, all_day, ignored):
    #   cancelled + declined        2 Mar 10:00-11:00  1 h    -> cancelled
    #   declined + free             4 Mar 09:00-09:30  0.5 h  -> declined
    #   STATUS:TENTATIVE + declined 9 Mar 10:00-11:30  1.5 h  -> declined
    #   tentative + free            5 Mar 14:00-14:45  0.75 h -> tentative (if skipped), else free
    #   free + ignore rule (lunch)  6 Mar 12:00-13:00  1 h    -> free
    #   free + all-day              10 Mar             0 h    -> free
    #   STATUS:TENTATIVE alone      3 Mar 10:00-12:00  2 h    -> tentative (if skipped), else sales
    result = audit_fixture("precedence.ics", tentative="skip")
    assert ledger_of(result) == {
        "cancelled": (1, 1.0),
        "declined": (2, 2.0),
        "tentative": (2, 2.75),
        "free": (2, 1.0),
    }
    assert result.total_hours == 0.0
    default = audit_fixture("precedence.ics")
    assert ledger_of(default) == {"cancelled": (1, 1.0), "declined": (2, 2.0), "free": (3, 1.75)}
    assert default.total_hours == 2.0


def test_free_comes_before_all_day_and_all_day_before_ignored():
    # With free: count the free all-day "Offsite" is all_day and the free lunch is ignored.
    result = audit_fixture("precedence.ics", free="count", tentative="skip")
    assert ledger_of(result) == {
        "cancelled": (1, 1.0),
        "declined": (2, 2.0),
        "tentative": (2, 2.75),
        "all_day": (1, 0.0),
        "ignored": (1, 1.0),
    }


def test_overlap_full_counts_elapsed_time_on_the_dst_start_night():
    # 8 March 2026, clocks jump 02:00 -> 03:00 EDT:
    #   Incident 01:00-04:00 = 06:00Z-08:00Z: 2 h (3 h on the wall clock)
    #   Interview 01:00-03:30 = 06:00Z-07:30Z: 1.5 h (2.5 h on the wall clock)
    result = audit_fixture("dst-overlap.ics", overlap="full")
    assert category_hours(result) == {"ops": 2.0, "recruiting": 1.5}
    assert result.total_hours == 3.5


def test_overlap_split_on_the_dst_start_night():
    # 06:00Z-07:30Z shared by both (0.75 h each), 07:30Z-08:00Z incident alone (0.5 h).
    result = audit_fixture("dst-overlap.ics")
    assert category_hours(result) == {"ops": 1.25, "recruiting": 0.75}
    assert result.total_hours == 2.0


@pytest.mark.parametrize("overlap", ["split", "full"])
def test_skipped_hours_on_dst_nights_are_elapsed_time(overlap):
    # Declined call 8 March 00:30 EST (05:30Z) - 03:30 EDT (07:30Z): 2 h, not 3.
    march = audit_fixture("dst-overlap.ics", overlap=overlap)
    assert ledger_of(march) == {"declined": (1, 2.0)}
    # Cancelled drill 1 November 00:30 EDT (04:30Z) - 02:30 EST (07:30Z): 3 h, not 2.
    november = audit_fixture("dst-overlap.ics", period="2026-11", overlap=overlap)
    assert ledger_of(november) == {"cancelled": (1, 3.0)}


def timed(title: str, day: int, hour: float, hours: float, uid: str = "", **kw) -> Event:
    start = datetime(2026, 3, day, tzinfo=NY) + timedelta(hours=hour)
    return Event(uid=uid, title=title, calendar="t", start=start, end=start + timedelta(hours=hours), **kw)


def march(events, invalid=(), **accounting):
    loaded = fixture_rules(**accounting)
    return audit(events, loaded.config, parse_period("2026-03", NY, NOW), invalid)


def test_a_repeat_from_another_source_is_dropped_and_what_follows_it_still_counts():
    # The 14:00 EDT customer call again as 18:00Z from a second calendar, then an interview.
    call = timed("Customer call", 10, 14, 1, uid="c@x")
    again = Event(
        uid="c@x",
        title="Customer call",
        calendar="other",
        start=datetime(2026, 3, 10, 18, tzinfo=UTC),
        end=datetime(2026, 3, 10, 19, tzinfo=UTC),
    )
    interview = timed("Interview", 11, 9, 1.5, uid="i@x")
    result = march([call, again, interview])
    assert category_hours(result) == {"sales": 1.0, "recruiting": 1.5}
    assert len(result.occurrences) == 2


def test_events_without_a_uid_are_never_taken_for_repeats():
    result = march([timed("Customer call", 10, 14, 1), timed("Customer call", 10, 14, 1)], overlap="full")
    assert category_hours(result) == {"sales": 2.0}


def test_what_touches_the_period_at_its_edges():
    # Zero-length events count as touching only inside [start, end); timed ones need an
    # instant inside; all-day ones a day inside. None of these edge cases adds hours.
    start, end = datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY)
    hour = timedelta(hours=1)
    events = [
        Event(uid="a", title="Customer reminder at the start", calendar="t", start=start, end=start),
        Event(uid="b", title="Customer reminder at the end", calendar="t", start=end, end=end),
        Event(uid="c", title="Incident before", calendar="t", start=start - hour, end=start),
        Event(uid="d", title="Incident after", calendar="t", start=end, end=end + hour),
        Event(
            uid="e",
            title="Offsite 28 Feb",
            calendar="t",
            all_day=True,
            start=start - 24 * hour,
            end=start,
            start_date=datetime(2026, 2, 28).date(),
            end_date=datetime(2026, 3, 1).date(),
        ),
        Event(
            uid="f",
            title="Offsite 1 Apr",
            calendar="t",
            all_day=True,
            start=end,
            end=end + 24 * hour,
            start_date=datetime(2026, 4, 1).date(),
            end_date=datetime(2026, 4, 2).date(),
        ),
    ]
    result = march(events)
    assert [o.event.uid for o in result.occurrences] == ["a"]
    assert result.total_hours == 0.0
    assert result.skipped["all_day"].events == 0


def test_a_backwards_event_counts_nothing():
    backwards = Event(
        uid="b",
        title="Incident",
        calendar="t",
        start=datetime(2026, 3, 10, 12, tzinfo=NY),
        end=datetime(2026, 3, 10, 11, tzinfo=NY),
    )
    result = march([backwards, timed("Incident", 11, 9, 1)], overlap="full")
    assert category_hours(result) == {"ops": 1.0}


@pytest.mark.parametrize("event_type", ["outOfOffice", "workingLocation", "birthday"])
def test_google_entries_that_are_not_meetings_are_out_of_office(event_type):
    result = march([timed("Customer call", 10, 9, 8, event_type=event_type)])
    assert ledger_of(result) == {"out_of_office": (1, 8.0)}


def test_out_of_office_comes_after_cancelled_and_before_declined():
    cancelled = timed("Customer call", 10, 9, 1, uid="1", event_type="outOfOffice", cancelled=True)
    declined = timed("Customer call", 11, 9, 2, uid="2", event_type="outOfOffice", response=Response.DECLINED)
    assert ledger_of(march([cancelled, declined])) == {"cancelled": (1, 1.0), "out_of_office": (1, 2.0)}


def test_unclassified_titles_most_hours_first_then_by_title():
    events = [timed("Coffee", 2, 9, 1), timed("Board prep", 3, 9, 2), timed("Admin", 4, 9, 1), timed("Coffee", 5, 9, 1)]
    result = march(events)
    assert [(t.title, t.hours, t.events) for t in result.unclassified] == [
        ("Board prep", 2.0, 1),
        ("Coffee", 2.0, 2),
        ("Admin", 1.0, 1),
    ]
    assert result.coverage == 0.0 and result.unclassified_hours == 5.0


def test_invalid_events_are_counted_in_the_ledger_with_no_hours():
    from calaudit.models import InvalidEvent

    bad = [
        InvalidEvent(calendar="t", title="x", uid="x", reason="r"),
        InvalidEvent(calendar="t", title="y", uid="y", reason="r"),
    ]
    result = march([timed("Incident", 2, 9, 1)], invalid=bad)
    assert ledger_of(result) == {"invalid": (2, 0.0)}
    assert result.invalid == tuple(bad)


def test_two_offsites_at_once_count_one_workday_a_day_between_them():
    # double-offsite.ics: two offsites Tue 10 March 09:00 -> Thu 12 March 17:00 (different
    # UIDs) and an architecture review Wed 10:00-12:00. Split: Tue 15 h shared by two
    # (7.5 each); Wed 24 h, of which the review's 2 h are shared by three (2/3 each) and 22 h
    # by two (11 each): each offsite 11 2/3, the review 2/3; Thu 17 h (8.5 each).
    # Capped together at 8 h a day: Tue 8 (4 each), Wed 8 (4 each), Thu 8 (4 each): the two
    # offsites count 24 h between them, as one offsite alone does. The review keeps 2/3 h.
    result = audit_fixture("double-offsite.ics")
    by_title = {o.event.title: o.hours for o in result.occurrences}
    assert by_title["Customer offsite"] == pytest.approx(12.0)
    assert by_title["Customer offsite (team calendar copy)"] == pytest.approx(12.0)
    assert by_title["Architecture review"] == pytest.approx(2 / 3)
    assert result.total_hours == pytest.approx(24 + 2 / 3)
    # What the cap took off: (15 + 23 1/3 + 17) - 24 = 31 1/3 h.
    assert result.capped.hours == pytest.approx(15 + 70 / 3 + 17 - 24)


def test_with_overlap_full_each_offsite_is_capped_on_its_own():
    # overlap: full counts every event whole: each offsite 8 + 8 + 8 = 24 h, the review 2 h.
    result = audit_fixture("double-offsite.ics", overlap="full")
    assert result.total_hours == pytest.approx(24 + 24 + 2)


def test_the_likely_owner_is_an_attendee_even_when_no_meeting_has_an_organizer():
    # Three meetings without an organizer; ana@weave.io is on two of them, bo and cy on one.
    loaded = fixture_rules()
    day = datetime(2026, 3, 2, 10, tzinfo=NY)
    people = [("ana@weave.io", "bo@weave.io"), ("ana@weave.io",), ("cy@weave.io",)]
    events = [
        Event(uid=f"m{i}", title="Sync", start=day + timedelta(days=i), end=day + timedelta(days=i, hours=1),
              calendar="work", attendees=tuple(Attendee(a) for a in group))
        for i, group in enumerate(people)
    ]  # fmt: skip
    result = audit(events, loaded.config, parse_period("2026-03", NY, NOW))
    assert result.warnings == (
        "owner cto@weave.example appears in none of the 3 events with attendees in 2026-03; "
        "set owner: in rules.yaml to your calendar address (ana@weave.io is on 2 of them)",
    )
