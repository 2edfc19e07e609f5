"""The accounting: which time counts, how much of it, and where it went.

Semantics (DESIGN.md, "Accounting semantics"):

* occurrences are clipped to the period; durations are elapsed time, computed in UTC;
* the same event from two sources (same UID and start instant) counts once;
* skipped time is never silent: it lands in the ledger under the first reason that
  applies, in this order: cancelled, out_of_office, declined, tentative, free, all_day,
  ignored (an ``ignore: true`` rule); unreadable events are ``invalid``;
* ``overlap: split`` gives each of k concurrent counted events 1/k of every instant;
  counted all-day events (``workday_hours`` per day) take no part in the split;
* ``multi_day: workday``: a timed event that touches several calendar days of the
  reporting zone counts at most ``workday_hours`` of each day it touches. Whether it
  does is judged on the whole event, so where the period boundary falls changes nothing
  but which days are inside. The split comes first, the cap second: every event is cut
  at the zone's midnights, the split shares each instant among all events covering it
  (the cut pieces of one event never overlap one another, so cutting changes no share),
  and the capped events of a day then count together at most ``workday_hours`` of it,
  each in proportion to its share (one offsite: the smaller of its share and the cap;
  two offsites at once: one workday between them, not two). With ``overlap: full`` each
  capped event counts at most ``workday_hours`` a day on its own. The split works on
  real intervals and a capped event is no longer one, so capping first would leave
  "which 8 hours?" unanswered; capping the shares keeps every number an
  instant-by-instant quantity and never counts more than either rule alone would. Time
  the cap takes off is not given to the other events: it is reported under ``capped``;
* shares and targets are percentages of classified hours, delta = share - target in
  percentage points, and coverage = classified / total;
* groups and categories are on target within ±tolerance points, but never more than half
  their target (see status_of).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .config import GROUPS, Accounting, Config
from .models import Event, InvalidEvent, Response
from .period import Period, midnight
from .rules import IGNORE, UNCLASSIFIED, Audience, Match, RuleSet

if TYPE_CHECKING:
    import pandas as pd

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
    """Length inside the period (all-day: counted workday hours, else 0), after the
    multi_day cap: what the occurrence would count with nothing beside it."""
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
    shared_with: int = 0
    """How many other counted events the overlap split shared its time with."""
    capped_hours: float = 0.0
    """Counted time that the multi_day cap took off (after the overlap split)."""

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
    """``under``, ``on`` or ``over``: outside or inside the tolerance band (see status_of)."""
    events: int


@dataclass(frozen=True)
class GroupResult:
    id: str
    label: str
    hours: float
    share: float
    target: float
    delta: float
    status: str
    """``under``, ``on`` or ``over``, by the same band as categories (see status_of)."""


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
    capped: Ledger = Ledger(0, 0.0)
    """Counted occurrences that the multi_day cap shortened, and the hours it took off."""
    warnings: tuple[str, ...] = ()
    """What the user must hear about the numbers: an empty period, an owner in no event."""

    @property
    def has_data(self) -> bool:
        """Whether any occurrence touched the period, counted, skipped or unreadable.

        A period without any is "no data" (e.g. before a calendar's first event), not 0%.
        """
        return bool(self.occurrences or self.invalid)


def audit(
    events: Iterable[Event],
    config: Config,
    period: Period,
    invalid: Sequence[InvalidEvent] = (),
    newest: datetime | None = None,
) -> AuditResult:
    """``newest``: when the sources' newest event starts (``Fetched.newest``), to say in
    the warning about an empty period whether the calendar looks stale."""
    rules = RuleSet(config)
    decided = [_decide(event, config, rules, period) for event in _unique(events) if _touches(event, period)]
    decided.sort(key=lambda o: (o.start, o.event.title))
    occurrences = _count_hours(decided, config.accounting, period)
    result = _aggregate(occurrences, config, period, tuple(invalid))
    warnings = (_empty_warning(result, newest), _owner_warning(occurrences, config, period))
    return replace(result, warnings=tuple(w for w in warnings if w))


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
        cap = _day_cap(event, config.accounting, zone)
        span = sum(min(_hours(piece), cap) for piece in _day_pieces(start, end, zone))
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


def _hours(piece: tuple[datetime, datetime]) -> float:
    """Elapsed hours, in UTC: a DST day in the reporting zone has 23 or 25 of them."""
    start, end = piece
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)


def _day_cap(event: Event, accounting: Accounting, zone: ZoneInfo) -> float:
    """How much of one day a timed event may count: workday_hours if multi_day caps it.

    Judged on the whole event, not its part inside the period: a three-day offsite is
    capped on the period's last day too.
    """
    after_first_day = midnight(event.start.astimezone(zone).date() + timedelta(days=1), zone)
    if accounting.multi_day == "workday" and event.end > after_first_day:
        return accounting.workday_hours
    return math.inf


def _day_pieces(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at the midnights of ``zone``; one piece if it stays in one day."""
    pieces = []
    day = start.astimezone(zone).date()
    while (cut := midnight(day + timedelta(days=1), zone)) < end:
        pieces.append((start, cut))
        start, day = cut, day + timedelta(days=1)
    pieces.append((start, end))
    return pieces


def _capped_shares(
    pieces: list[tuple[int, tuple[datetime, datetime]]],
    shares: list[float],
    caps: dict[int, float],
    split: bool,
    zone: ZoneInfo,
) -> list[float]:
    """What each day-piece counts after the multi_day cap.

    With ``full`` each capped event counts at most its cap on each day. With ``split`` the
    capped events of one day together count at most the cap, in proportion to their
    shares: two identical offsites count one workday between them, as one offsite does.
    """
    if not split:
        return [min(share, caps[i]) for (i, _), share in zip(pieces, shares, strict=True)]
    by_day: dict[date, float] = defaultdict(float)
    cap_of_day: dict[date, float] = {}
    for (i, (start, _)), share in zip(pieces, shares, strict=True):
        if math.isfinite(caps[i]):
            day = start.astimezone(zone).date()
            by_day[day] += share
            cap_of_day[day] = caps[i]
    kept = []
    for (i, (start, _)), share in zip(pieces, shares, strict=True):
        if math.isfinite(caps[i]):
            # by_day holds this day, and more than 0: a piece of a multi-day event is never empty
            day = start.astimezone(zone).date()
            share *= min(1.0, cap_of_day[day] / by_day[day])
        kept.append(share)
    return kept


def _count_hours(occurrences: list[Occurrence], accounting: Accounting, period: Period) -> tuple[Occurrence, ...]:
    """Fill in counted hours: the clipped time, shared among concurrent events if split,
    then capped per day for multi-day events (see the module docstring for the order)."""
    counted = [i for i, o in enumerate(occurrences) if o.skipped is None]
    hours = {i: occurrences[i].span_hours for i in counted}
    capped = dict.fromkeys(counted, 0.0)
    timed = [i for i in counted if not occurrences[i].event.all_day]
    pieces = [(i, piece) for i in timed for piece in _day_pieces(occurrences[i].start, occurrences[i].end, period.zone)]
    if accounting.overlap == "split" and pieces:
        shares = split_overlaps([piece for _, piece in pieces])
    else:
        shares = [_hours(piece) for _, piece in pieces]
    shared: dict[int, int] = {}
    if accounting.overlap == "split" and timed:
        spans = [(occurrences[i].start, occurrences[i].end) for i in timed]
        shared.update(zip(timed, overlapping_others(spans), strict=True))
    caps = {i: _day_cap(occurrences[i].event, accounting, period.zone) for i in timed}
    kept = _capped_shares(pieces, shares, caps, accounting.overlap == "split", period.zone)
    hours.update(dict.fromkeys(timed, 0.0))
    for (i, _), share, piece_hours in zip(pieces, shares, kept, strict=True):
        hours[i] += piece_hours
        capped[i] += share - piece_hours
    return tuple(
        replace(o, hours=hours[i], capped_hours=capped[i], shared_with=shared.get(i, 0)) if i in hours else o
        for i, o in enumerate(occurrences)
    )


def split_overlaps(spans: Sequence[tuple[datetime, datetime]]) -> list[float]:
    """Hours each interval gets when every instant is shared equally by all covering it.

    Instants are POSIX timestamps: subtracting two datetimes of the same zone would
    measure wall-clock time and get DST nights wrong. The instants where any interval
    starts or ends cut time into segments; a segment
    covered by k intervals gives each of them length/k. Summing per-segment shares
    with a prefix sum makes this O(n log n).
    """
    import numpy as np  # loaded by the first audit, not by every command's start

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
    # A segment no interval covers (a gap) lies outside every interval's [first, last), so
    # whatever it adds to the prefix sum cancels out: max(.., 1) only avoids dividing by 0.
    per_interval = np.diff(bounds) / np.maximum(covering, 1)
    prefix = np.concatenate([[0.0], np.cumsum(per_interval)])
    return [float(seconds) / 3600 for seconds in prefix[last] - prefix[first]]


def overlapping_others(spans: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """For each interval, how many other intervals share some of its time.

    Interval j shares time with i when j starts before i ends and ends after i starts;
    counting the starts before each end and the ends up to each start (two sorted
    searches) gives that number plus i itself. Empty intervals share no time with anyone.
    """
    import numpy as np  # loaded by the first audit, not by every command's start

    starts = np.array([s.timestamp() for s, _ in spans])
    ends = np.array([e.timestamp() for _, e in spans])
    timed = ends > starts
    began = np.searchsorted(np.sort(starts[timed]), ends, side="left")
    over = np.searchsorted(np.sort(ends[timed]), starts, side="right")
    return [int(count) if has_time else 0 for count, has_time in zip(began - over - 1, timed, strict=True)]


def _frame(occurrences: Iterable[Occurrence]) -> pd.DataFrame:
    """Counted occurrences as a frame with the columns of FRAME_COLUMNS."""
    import pandas as pd  # loaded by the first audit, not by every command's start

    rows = [
        (o.event.title, o.category, o.hours, o.event.recurring, o.audience) for o in occurrences if o.skipped is None
    ]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def band(target: float, tolerance: float) -> float:
    """Points either side of ``target`` that count as on target: the tolerance, but never
    more than half the target, so that a 5% category with no time at all is under."""
    return min(tolerance, target / 2)


def status_of(delta: float, target: float, tolerance: float) -> str:
    """Compared at the 0.1 pp that reports show, so a shown 5.0 with tolerance 5 is on."""
    shown = round(delta, 1)
    allowed = band(target, tolerance)
    if shown > allowed:
        return "over"
    if shown < -allowed:
        return "under"
    return "on"


def _aggregate(
    occurrences: tuple[Occurrence, ...],
    config: Config,
    period: Period,
    invalid: tuple[InvalidEvent, ...],
) -> AuditResult:
    frame = _frame(occurrences)
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
                status_of(delta, category.target, tolerance),
                events,
            )
        )
    groups = []
    for gid in GROUPS:
        members = [c for c in categories if c.group == gid]
        hours = sum(c.hours for c in members)
        target = sum(c.target for c in members)
        share = _percent(hours, classified)
        delta = share - target
        groups.append(
            GroupResult(gid, config.group(gid).label, hours, share, target, delta, status_of(delta, target, tolerance))
        )

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
        capped=_capped(occurrences),
    )


def _capped(occurrences: Iterable[Occurrence]) -> Ledger:
    shortened = [o.capped_hours for o in occurrences if o.capped_hours > 0]
    return Ledger(len(shortened), math.fsum(shortened))


def _empty_warning(result: AuditResult, newest: datetime | None) -> str | None:
    """An empty period must not pass for a month of 0%; say when the calendar last has events."""
    if result.has_data:
        return None
    label = result.period.label
    if newest is None:
        return f"no events in {label}: check that the calendar export is recent and the period is the one you meant"
    day = newest.astimezone(result.period.zone).date().isoformat()
    if newest < result.period.start:
        return f"no events in {label}; the newest event or series in the calendars starts {day}: is the export stale?"
    return f"no events in {label}, though the calendars have later ones (the newest starts {day}); check the period"


def _owner_warning(occurrences: Sequence[Occurrence], config: Config, period: Period) -> str | None:
    """A mistyped or unedited ``owner`` silently counts declined meetings: say so when the
    owner is on none of the period's meetings, and name the address that is on most.

    A source sets ``Event.response`` exactly when it found the owner among the attendees
    or as organizer (Google also by its ``self`` flag), so that is the test.
    """
    meetings = [o.event for o in occurrences if any(not a.is_resource for a in o.event.attendees)]
    if not meetings or any(event.response is not None for event in meetings):
        return None
    on = Counter(address for event in meetings for address in _people(event))
    # the most meetings, and of a tie the first address: _people is a set, whose order varies by run
    likely, count = min(on.items(), key=lambda item: (-item[1], item[0]))
    events = f"{len(meetings)} event{'s' if len(meetings) != 1 else ''} with attendees in {period.label}"
    fix = f"set owner: in rules.yaml to your calendar address ({likely} is on {count} of them)"
    if not config.owner:
        return f"no owner is set, so declined meetings count as attended ({events}); {fix}"
    return f"owner {', '.join(config.owner)} appears in none of the {events}; {fix}"


def _people(event: Event) -> set[str]:
    people = {a.email for a in event.attendees if not a.is_resource}
    return people | {event.organizer} if event.organizer else people


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
