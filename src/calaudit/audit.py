"""The accounting: which time counts, how much of it, and where it went.

Semantics (DESIGN.md, "Accounting semantics"):

* occurrences are clipped to the period; durations are elapsed time, computed in UTC;
* the same event from two sources (same UID and start instant) counts once;
* skipped time is never silent: it lands in the ledger under the first reason that
  applies, in this order: cancelled, out_of_office, declined, tentative, free, all_day,
  ignored (an ``ignore: true`` rule); unreadable events are ``invalid``;
* ``overlap: split`` gives each of k concurrent counted events 1/k of every instant;
  counted all-day events (``workday_hours`` per day) take no part in the split;
* shares and targets are percentages of classified hours, delta = share - target in
  percentage points, and coverage = classified / total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from .config import GROUPS, Config
from .models import Event, InvalidEvent, Response
from .period import Period
from .rules import IGNORE, UNCLASSIFIED, Audience, Match, RuleSet

SKIP_REASONS = (
    "cancelled",
    "declined",
    "tentative",
    "free",
    "all_day",
    "ignored",
    "out_of_office",
    "invalid",
)
_OUT_OF_OFFICE_TYPES = {"outOfOffice", "workingLocation", "birthday"}
"""Google's entries that are not meetings; the ledger counts them as out_of_office."""

FRAME_COLUMNS = {
    "title": "event title",
    "category": "category id, or 'unclassified'",
    "group": "'external', 'internal', or '' for unclassified time",
    "hours": "counted hours after overlap handling",
    "recurring": "whether the occurrence belongs to a recurring series",
    "audience": "'external', 'internal' or 'solo' (see RuleSet.audience)",
}
"""Columns of the frame of counted occurrences that the aggregation reads."""


@dataclass(frozen=True)
class Occurrence:
    """One event occurrence inside the period and what the audit made of it."""

    event: Event
    start: datetime
    """Clipped to the period, in the reporting zone."""
    end: datetime
    span_hours: float
    """Length inside the period (all-day: counted workday hours, else 0)."""
    hours: float
    """Counted hours: after overlap splitting; 0 when skipped."""
    category: str | None
    """Category id or ``unclassified``; None when skipped."""
    skipped: str | None
    """The ledger key when the occurrence does not count."""
    match: Match | None
    """The rule that decided it (a category or ``ignore``), if any."""
    audience: Audience
    """Who else was there: ``external``, ``internal`` or ``solo``."""

    @property
    def rule(self) -> str | None:
        """The deciding rule, e.g. ``rules[3]: title ~ 'interview'``."""
        return self.match.describe() if self.match else None


@dataclass(frozen=True)
class CategoryResult:
    id: str
    group: str
    label: str
    hours: float
    share: float
    target: float
    delta: float
    status: str
    """``under``, ``on`` or ``over``: outside or inside the tolerance band."""
    events: int


@dataclass(frozen=True)
class GroupResult:
    id: str
    label: str
    hours: float
    share: float
    target: float
    delta: float


@dataclass(frozen=True)
class TitleHours:
    title: str
    hours: float
    events: int


@dataclass(frozen=True)
class AudienceHours:
    """Counted hours of one category (or unclassified time) by who else was there."""

    category: str
    external: float
    internal: float
    solo: float

    @property
    def total(self) -> float:
        return self.external + self.internal + self.solo


@dataclass(frozen=True)
class Ledger:
    events: int
    hours: float


@dataclass(frozen=True)
class AuditResult:
    period: Period
    total_hours: float
    classified_hours: float
    unclassified_hours: float
    coverage: float
    """Percentage of counted hours that a rule classified."""
    groups: tuple[GroupResult, ...]
    categories: tuple[CategoryResult, ...]
    unclassified: tuple[TitleHours, ...]
    """Unclassified time by title, most hours first."""
    skipped: dict[str, Ledger]
    """Every key of SKIP_REASONS, in that order."""
    occurrences: tuple[Occurrence, ...]
    """Every occurrence that touches the period, in start order."""
    invalid: tuple[InvalidEvent, ...]
    tolerance: float
    by_audience: tuple[AudienceHours, ...]
    """Every category in allocation order, then unclassified time."""


def audit(
    events: Iterable[Event],
    config: Config,
    period: Period,
    invalid: Sequence[InvalidEvent] = (),
) -> AuditResult:
    rules = RuleSet(config)
    decided = [_decide(event, config, rules, period) for event in _unique(events) if _touches(event, period)]
    decided.sort(key=lambda o: (o.start, o.event.title))
    occurrences = _count_hours(decided, config.accounting.overlap == "split")
    return _aggregate(occurrences, config, period, tuple(invalid))


def _unique(events: Iterable[Event]) -> Iterable[Event]:
    """Drop repeats of the same occurrence from other sources: same UID and original start
    (RECURRENCE-ID), or start for an event that is not part of a series."""
    seen: set[tuple[str, datetime]] = set()
    for event in events:
        if event.uid:
            key = (event.uid, (event.recurrence_id or event.start).astimezone(UTC))
            if key in seen:
                continue
            seen.add(key)
        yield event


def _touches(event: Event, period: Period) -> bool:
    if event.all_day:
        assert event.start_date is not None and event.end_date is not None
        return event.start_date < period.end_day and event.end_date > period.first_day
    if event.start == event.end:
        return period.start <= event.start < period.end
    return event.start < period.end and event.end > period.start


def _all_day_days(event: Event, period: Period) -> int:
    assert event.start_date is not None and event.end_date is not None
    first = max(event.start_date, period.first_day)
    after = min(event.end_date, period.end_day)
    return (after - first).days


def _skip_reason(event: Event, config: Config) -> str | None:
    accounting = config.accounting
    if event.cancelled:
        return "cancelled"
    if event.event_type in _OUT_OF_OFFICE_TYPES:
        return "out_of_office"
    if event.response is Response.DECLINED and accounting.declined == "skip":
        return "declined"
    tentative = event.tentative or event.response is Response.TENTATIVE
    if tentative and accounting.tentative == "skip":
        return "tentative"
    if event.transparent and accounting.free == "skip":
        return "free"
    if event.all_day and accounting.all_day == "skip":
        return "all_day"
    return None


def _decide(event: Event, config: Config, rules: RuleSet, period: Period) -> Occurrence:
    zone = period.zone
    start = max(event.start, period.start).astimezone(zone)
    end = max(min(event.end, period.end), start).astimezone(zone)  # a backwards event counts nothing
    if event.all_day:
        counts_all_day = config.accounting.all_day == "count"
        span = _all_day_days(event, period) * config.accounting.workday_hours if counts_all_day else 0.0
    else:
        span = (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)
    reason = _skip_reason(event, config)
    category, match = None, None
    if reason is None:
        match = rules.classify(event)
        if match is None:
            category = UNCLASSIFIED
        elif match.outcome == IGNORE:
            reason = "ignored"
        else:
            category = match.outcome
    return Occurrence(event, start, end, span, 0.0, category, reason, match, rules.audience(event))


def _count_hours(occurrences: list[Occurrence], split: bool) -> tuple[Occurrence, ...]:
    """Fill in counted hours: the clipped span, shared among concurrent events if split."""
    timed = [i for i, o in enumerate(occurrences) if o.skipped is None and not o.event.all_day]
    hours = {i: o.span_hours for i, o in enumerate(occurrences) if o.skipped is None}
    if split and timed:
        spans = [(occurrences[i].start, occurrences[i].end) for i in timed]
        hours.update(zip(timed, split_overlaps(spans), strict=True))
    return tuple(replace(o, hours=hours[i]) if i in hours else o for i, o in enumerate(occurrences))


def split_overlaps(spans: Sequence[tuple[datetime, datetime]]) -> list[float]:
    """Hours each interval gets when every instant is shared equally by all covering it.

    Instants are POSIX timestamps: subtracting two datetimes of the same zone would
    measure wall-clock time and get DST nights wrong. The instants where any interval
    starts or ends cut time into segments; a segment
    covered by k intervals gives each of them length/k. Summing per-segment shares
    with a prefix sum makes this O(n log n).
    """
    origin = min(start.timestamp() for start, _ in spans)
    starts = np.array([s.timestamp() - origin for s, _ in spans])
    ends = np.array([e.timestamp() - origin for _, e in spans])
    bounds = np.unique(np.concatenate([starts, ends]))
    first = np.searchsorted(bounds, starts)
    last = np.searchsorted(bounds, ends)
    change = np.zeros(len(bounds))
    np.add.at(change, first, 1)
    np.add.at(change, last, -1)
    covering = np.cumsum(change)[:-1]
    per_interval = np.where(covering > 0, np.diff(bounds) / np.maximum(covering, 1), 0.0)
    prefix = np.concatenate([[0.0], np.cumsum(per_interval)])
    return [float(seconds) / 3600 for seconds in prefix[last] - prefix[first]]


def _frame(occurrences: Iterable[Occurrence], config: Config) -> pd.DataFrame:
    """Counted occurrences as a frame with the columns of FRAME_COLUMNS."""
    groups = {cid: gid for cid, (gid, _) in config.categories().items()}
    rows = [
        (o.event.title, o.category, groups.get(o.category or "", ""), o.hours, o.event.recurring, o.audience)
        for o in occurrences
        if o.skipped is None
    ]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def status_of(delta: float, tolerance: float) -> str:
    """Compared at the 0.1 pp that reports show, so a shown 5.0 with tolerance 5 is on."""
    shown = round(delta, 1)
    if shown > tolerance:
        return "over"
    if shown < -tolerance:
        return "under"
    return "on"


def _aggregate(
    occurrences: tuple[Occurrence, ...],
    config: Config,
    period: Period,
    invalid: tuple[InvalidEvent, ...],
) -> AuditResult:
    frame = _frame(occurrences, config)
    by_category = frame.groupby("category")["hours"]
    category_hours = {str(k): float(v) for k, v in by_category.sum().items()}
    category_events = {str(k): int(v) for k, v in by_category.size().items()}
    total = float(frame["hours"].sum())
    unclassified_hours = category_hours.get(UNCLASSIFIED, 0.0)
    classified = total - unclassified_hours
    tolerance = config.accounting.tolerance

    categories = []
    for cid, (gid, category) in config.categories().items():
        hours = category_hours.get(cid, 0.0)
        events = category_events.get(cid, 0)
        share = _percent(hours, classified)
        delta = share - category.target
        categories.append(
            CategoryResult(
                cid,
                gid,
                category.label,
                hours,
                share,
                category.target,
                delta,
                status_of(delta, tolerance),
                events,
            )
        )
    groups = []
    for gid in GROUPS:
        members = [c for c in categories if c.group == gid]
        hours = sum(c.hours for c in members)
        target = sum(c.target for c in members)
        share = _percent(hours, classified)
        groups.append(GroupResult(gid, config.group(gid).label, hours, share, target, share - target))

    return AuditResult(
        period=period,
        total_hours=total,
        classified_hours=classified,
        unclassified_hours=unclassified_hours,
        coverage=_percent(classified, total),
        groups=tuple(groups),
        categories=tuple(categories),
        unclassified=_unclassified_titles(frame),
        skipped=_ledger(occurrences, invalid),
        occurrences=occurrences,
        invalid=invalid,
        tolerance=tolerance,
        by_audience=_by_audience(frame, [*config.categories(), UNCLASSIFIED]),
    )


AUDIENCES: tuple[Audience, ...] = ("external", "internal", "solo")


def _by_audience(frame: pd.DataFrame, categories: list[str]) -> tuple[AudienceHours, ...]:
    table = frame.pivot_table(index="category", columns="audience", values="hours", aggfunc="sum", fill_value=0.0)
    rows = table.reindex(index=categories, columns=list(AUDIENCES), fill_value=0.0).to_dict("index")
    return tuple(AudienceHours(category, *(float(rows[category][a]) for a in AUDIENCES)) for category in categories)


def _unclassified_titles(frame: pd.DataFrame) -> tuple[TitleHours, ...]:
    rows = frame[frame["category"] == UNCLASSIFIED]
    by_title = rows.groupby("title").agg(hours=("hours", "sum"), events=("hours", "size"))
    by_title = by_title.reset_index().sort_values(["hours", "title"], ascending=[False, True])
    return tuple(
        TitleHours(str(title), float(hours), int(events)) for title, hours, events in by_title.itertuples(index=False)
    )


def _ledger(occurrences: Iterable[Occurrence], invalid: Sequence[InvalidEvent]) -> dict[str, Ledger]:
    events = dict.fromkeys(SKIP_REASONS, 0)
    hours = dict.fromkeys(SKIP_REASONS, 0.0)
    for o in occurrences:
        if o.skipped is not None:
            events[o.skipped] += 1
            hours[o.skipped] += o.span_hours
    events["invalid"] = len(invalid)
    return {key: Ledger(events[key], hours[key]) for key in SKIP_REASONS}
