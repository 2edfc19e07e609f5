"""Properties of the auditor on generated event sets (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaudit.audit import AuditResult, audit
from calaudit.models import Event, Response
from calaudit.period import midnight, month_period, parse_period
from tests.helpers import NOW, fixture_rules

NY = ZoneInfo("America/New_York")
ZONES = [UTC, NY, ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Chatham"), ZoneInfo("Europe/London")]
TITLES = ["Interview", "Customer call", "1:1 Ana", "Standup", "Incident", "Lunch", "Coffee"]
ORIGIN = datetime(2025, 12, 25, tzinfo=UTC)
QUARTER = parse_period("2026-Q1", NY, NOW)


@st.composite
def events(draw: st.DrawFn, longest_hours: int = 8) -> Event:
    start = ORIGIN + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 105)))
    length = timedelta(minutes=15 * draw(st.integers(0, 4 * longest_hours)))
    zone = draw(st.sampled_from(ZONES))
    return Event(
        uid=f"e{draw(st.integers(0, 10**9))}",
        title=draw(st.sampled_from(TITLES)),
        start=start.astimezone(zone),
        end=(start + length).astimezone(zone),
        calendar="generated",
        cancelled=draw(st.booleans()) and draw(st.booleans()),
        transparent=draw(st.booleans()) and draw(st.booleans()),
        response=draw(st.sampled_from([None, Response.ACCEPTED, Response.DECLINED])),
    )


event_sets = st.lists(events(), max_size=40, unique_by=lambda e: e.uid)
multi_day_sets = st.lists(events(longest_hours=4 * 24), max_size=15, unique_by=lambda e: e.uid)
"""Events up to four days long: the multi_day cap bites."""


def run(evs: list[Event], overlap: str = "split", period=QUARTER, multi_day: str = "workday") -> AuditResult:
    return audit(evs, fixture_rules(overlap=overlap, multi_day=multi_day).config, period)


def union_hours(intervals: list[tuple[datetime, datetime]]) -> float:
    total, reach = 0.0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += (end - start).total_seconds()
            reach = end
        elif end > reach:
            total += (end - reach).total_seconds()
            reach = end
    return total / 3600


def counted_spans(result: AuditResult) -> list[tuple[datetime, datetime]]:
    return [(o.start.astimezone(UTC), o.end.astimezone(UTC)) for o in result.occurrences if o.skipped is None]


@settings(max_examples=150, deadline=None)
@given(event_sets)
def test_category_hours_sum_to_the_classified_total(evs):
    result = run(evs)
    assert sum(c.hours for c in result.categories) == pytest.approx(result.classified_hours, abs=1e-9)
    assert sum(g.hours for g in result.groups) == pytest.approx(result.classified_hours, abs=1e-9)
    assert result.classified_hours + result.unclassified_hours == pytest.approx(result.total_hours, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(event_sets)
def test_split_total_is_the_union_of_counted_time(evs):
    result = run(evs, "split")
    assert result.total_hours == pytest.approx(union_hours(counted_spans(result)), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(event_sets)
def test_full_total_is_the_sum_of_clipped_durations(evs):
    result = run(evs, "full")
    expected = sum((end - start).total_seconds() for start, end in counted_spans(result)) / 3600
    assert result.total_hours == pytest.approx(expected, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(event_sets)
def test_nothing_counts_outside_the_period(evs):
    result = run(evs)
    for o in result.occurrences:
        assert QUARTER.start <= o.start <= o.end <= QUARTER.end
        assert 0 <= o.hours <= o.span_hours + 1e-9
    inside = [e for e in evs if (e.end > QUARTER.start and e.start < QUARTER.end) or e.start == e.end]
    assert len(result.occurrences) <= len(inside)


@settings(max_examples=100, deadline=None)
@given(event_sets, st.randoms(use_true_random=False))
def test_event_order_does_not_matter(evs, rnd):
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    assert summary(run(shuffled)) == summary(run(evs))


@settings(max_examples=100, deadline=None)
@given(event_sets, st.sampled_from(ZONES))
def test_the_zone_events_are_written_in_does_not_matter(evs, zone):
    moved = [Event(**{**e.__dict__, "start": e.start.astimezone(zone), "end": e.end.astimezone(zone)}) for e in evs]
    assert summary(run(moved)) == summary(run(evs))


@settings(max_examples=100, deadline=None)
@given(st.one_of(event_sets, multi_day_sets), st.sampled_from(["split", "full"]))
def test_the_months_of_a_quarter_add_up_to_the_quarter(evs, overlap):
    quarter = run(evs, overlap)
    months = [run(evs, overlap, month_period(QUARTER.first_day.replace(month=m), NY)) for m in (1, 2, 3)]
    assert sum(m.total_hours for m in months) == pytest.approx(quarter.total_hours, abs=1e-9)
    for index, category in enumerate(quarter.categories):
        assert sum(m.categories[index].hours for m in months) == pytest.approx(category.hours, abs=1e-9)
    for key, entry in quarter.skipped.items():
        assert sum(m.skipped[key].hours for m in months) == pytest.approx(entry.hours, abs=1e-9)


def summary(result: AuditResult) -> tuple:
    return (
        round(result.total_hours, 9),
        tuple(round(c.hours, 9) for c in result.categories),
        tuple((k, v.events, round(v.hours, 9)) for k, v in result.skipped.items()),
        tuple((t.title, round(t.hours, 9), t.events) for t in result.unclassified),
    )


@settings(max_examples=100, deadline=None)
@given(multi_day_sets, st.sampled_from(["split", "full"]))
def test_the_multi_day_cap_only_takes_off_what_it_reports(evs, overlap):
    capped, elapsed = run(evs, overlap), run(evs, overlap, multi_day="full")
    uncapped = {(o.event.uid, o.start): o.hours for o in elapsed.occurrences}
    for o in capped.occurrences:
        assert o.hours + o.capped_hours == pytest.approx(uncapped[o.event.uid, o.start], abs=1e-9)
        if o.event.end > midnight(o.event.start.astimezone(NY).date() + timedelta(days=1), NY):
            days = ((o.end - timedelta(microseconds=1)).date() - o.start.date()).days + 1
            assert o.hours <= 8 * days + 1e-9
    assert capped.total_hours + capped.capped.hours == pytest.approx(elapsed.total_hours, abs=1e-9)
