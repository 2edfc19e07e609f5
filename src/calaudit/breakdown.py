"""An audit seen across periods: its weeks, another period, the periods before it.

Every number here comes from the one accounting (``audit.audit``) run on other periods,
never from a second one. A week's hours are the audit of the same events clipped to that
week (and to the period), so an occurrence that crosses Monday 00:00 counts on each side
exactly the time the audit counts there: elapsed time on that side, shared by the overlap
split instant by instant, all-day events by their days. Clipping at week boundaries cuts
no instant and no day in two, so the weeks add up to the period's total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from .audit import AuditResult, CategoryResult, GroupResult, audit
from .config import Config
from .period import Period, week_period


def weeks(result: AuditResult, config: Config) -> tuple[AuditResult, ...]:
    """The audit of each ISO week that meets the period, clipped to the period."""
    period, zone = result.period, result.period.zone
    events = [o.event for o in result.occurrences]
    monday = period.first_day - timedelta(days=period.first_day.weekday())
    found = []
    while monday < period.end_day:
        week = week_period(monday, zone)
        clipped = Period(week.label, max(monday, period.first_day), min(week.end_day, period.end_day), zone)
        found.append(audit(events, config, clipped))
        monday = week.end_day
    return tuple(found)


def has_data(result: AuditResult) -> bool:
    """A period without a single occurrence has no data: its shares are unknown, not 0%."""
    return bool(result.occurrences)


@dataclass(frozen=True)
class Change:
    """A category or group in the other period, and how its share moved since."""

    id: str
    hours: float | None
    """Hours in the other period; None when that period has no data."""
    share: float | None
    change: float | None
    """Share now minus share then, in percentage points."""


@dataclass(frozen=True)
class Comparison:
    other: AuditResult
    categories: tuple[Change, ...]
    groups: tuple[Change, ...]


def compare_with(result: AuditResult, other: AuditResult) -> Comparison:
    """``result`` against ``other`` (any period, usually the one before)."""
    known = has_data(other)

    def changes(
        now: Sequence[CategoryResult | GroupResult], then: Sequence[CategoryResult | GroupResult]
    ) -> tuple[Change, ...]:
        return tuple(
            Change(n.id, t.hours, t.share, n.share - t.share) if known else Change(n.id, None, None, None)
            for n, t in zip(now, then, strict=True)
        )

    return Comparison(other, changes(result.categories, other.categories), changes(result.groups, other.groups))


@dataclass(frozen=True)
class Views:
    """What ``audit --by week``, ``--compare`` and ``--trend`` add to an audit."""

    weeks: tuple[AuditResult, ...] = ()
    comparison: Comparison | None = None
    trend: tuple[AuditResult, ...] = ()
    """The periods before the audited one, oldest first."""
