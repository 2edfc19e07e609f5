"""The numbers of the monthly report beyond one audit: what to change, what costs the most,
and how the split changed over the previous periods. Plain data for every renderer.

The advice follows from the statuses alone: every group or category that is over or under
target is named in it, and the report says that all is on target only when it is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .audit import AuditResult, CategoryResult, GroupResult
from .period import Period, is_week

if TYPE_CHECKING:
    from .plan import Plan

TREND_PERIODS = 3
"""Previous periods re-audited for trends."""
TOP_SERIES = 5


@dataclass(frozen=True)
class Move:
    """Moving ``hours`` per period from one category to another brings both nearer target."""

    hours: float
    source: CategoryResult
    destination: CategoryResult

    def sentence(self, unit: str) -> str:
        """``unit``: what the period is called, e.g. month."""
        return (
            f"To reach target, move ~{_amount(self.hours)} h/{unit} "
            f"from {self.source.label} to {self.destination.label}"
        )


@dataclass(frozen=True)
class Gap:
    """What is left of a category's distance to target once the moves are made."""

    hours: float
    category: CategoryResult
    moved: bool
    """Whether a move already named the category."""

    def sentence(self, unit: str) -> str:
        c, amount = self.category, _amount(self.hours)
        if self.moved:
            still = f"{c.label} would still be {c.status} target after the moves above"
        else:
            still = f"{c.label} is {_unsigned(c.delta)} {c.status} target"
        if c.status == "over":
            return f"{still}: about {amount} h/{unit} could go elsewhere"
        return f"{still}: it could take about {amount} h/{unit} more"


@dataclass(frozen=True)
class Split:
    """The external/internal split when a group is off target: ``group`` is the one named."""

    hours: float
    group: GroupResult
    other: GroupResult

    def sentence(self, unit: str) -> str:
        g, other = self.group, self.other
        direction = "could move to" if g.status == "over" else "could come from"
        other_text = other.label
        if other.status != "on":
            other_text += f" ({_unsigned(other.delta)} {other.status} its {other.target:g}%)"
        return (
            f"{g.label} is {_unsigned(g.delta)} {g.status} its {g.target:g}%: "
            f"about {_amount(self.hours)} h/{unit} {direction} {other_text}"
        )


def _amount(hours: float) -> str:
    if hours < 0.05:
        return "less than 0.1"
    return f"{hours:.0f}" if hours >= 10 else f"{hours:.1f}"


def _unsigned(delta: float) -> str:
    return f"{abs(round(delta, 1)):.1f} pp"


@dataclass(frozen=True)
class SeriesCost:
    """A recurring series and the counted hours it took in the period."""

    title: str
    hours: float
    events: int
    category: str


@dataclass(frozen=True)
class MonthlyReport:
    result: AuditResult
    previous: tuple[AuditResult, ...]
    """The periods before ``result``, oldest first."""
    moves: tuple[Move, ...]
    advice: tuple[str, ...]
    """What to change, group split first; empty exactly when everything is on target."""
    series: tuple[SeriesCost, ...]
    rules_digest: str
    generated_at: datetime
    next_plan: Plan | None = None
    """The period after this one as the calendar stands; None without a basis."""

    @property
    def timeline(self) -> tuple[AuditResult, ...]:
        """The previous periods and this one, oldest first."""
        return (*self.previous, self.result)

    @property
    def unit(self) -> str:
        return unit_of(self.result.period)

    @property
    def on_target_sentence(self) -> str:
        """What the report says when ``advice`` is empty."""
        tolerance = self.result.tolerance
        return (
            f"Every group and category is on target: within ±{tolerance:g} points "
            f"(half the target for targets under {2 * tolerance:g}%)."
        )

    def shares(self, item: str, group: bool = False) -> list[float | None]:
        """A category's (or with ``group`` a group's) share in each period of the timeline,
        oldest first; None for a period without data."""
        return [_share(result, item, group) for result in self.timeline]

    def change(self, item: str, group: bool = False) -> float | None:
        """Change of the share since the period before, in points; None without data."""
        if not self.previous:
            return None
        before, now = _share(self.previous[-1], item, group), _share(self.result, item, group)
        return None if before is None or now is None else now - before


def unit_of(period: Period) -> str:
    """What one period is called in sentences: week, month, quarter, year or period."""
    label = period.label
    if is_week(period):
        return "week"
    if "Q" in label:
        return "quarter"
    if len(label) == 7:
        return "month"
    return "year" if len(label) == 4 else "period"


def _share(result: AuditResult, item: str, group: bool) -> float | None:
    if not result.has_data:
        return None
    items: tuple[CategoryResult | GroupResult, ...] = result.groups if group else result.categories
    return next(i for i in items if i.id == item).share


def moves(result: AuditResult) -> tuple[Move, ...]:
    """Pair categories over target with categories under it, largest gaps first.

    A gap is (share - target) of the classified hours; each move takes the smaller of the
    two gaps it pairs, so neither category overshoots its target.
    """
    over = sorted(((_gap_hours(c, result), c) for c in result.categories if c.status == "over"),
                  key=lambda gap: -gap[0])  # fmt: skip
    under = sorted(((_gap_hours(c, result), c) for c in result.categories if c.status == "under"),
                   key=lambda gap: -gap[0])  # fmt: skip
    left_over, left_under = [gap for gap, _ in over], [gap for gap, _ in under]
    found, i, j = [], 0, 0
    while i < len(over) and j < len(under):
        hours = min(left_over[i], left_under[j])
        found.append(Move(hours, over[i][1], under[j][1]))
        left_over[i] -= hours
        left_under[j] -= hours
        i += left_over[i] <= 1e-9
        j += left_under[j] <= 1e-9
    return tuple(found)


def advice(result: AuditResult, made: Sequence[Move], unit: str) -> tuple[str, ...]:
    """Sentences that follow from the statuses: the group split, the moves ``made``, then
    what is left of each category's gap."""
    if not result.has_data:
        return (f"No events in {result.period.label}: there is nothing to compare with the targets",)
    if result.classified_hours <= 0:
        return (
            f"No time in {result.period.label} was classified, so every group and category is under "
            "its target: add rules for the unclassified time (calaudit rules suggest)",
        )
    off_split = split(result)
    found = [off_split.sentence(unit)] if off_split else []
    found += [m.sentence(unit) for m in made]
    found += [g.sentence(unit) for g in gaps(result, made)]
    return tuple(found)


def split(result: AuditResult) -> Split | None:
    """The group split, when off target: named from the group over target if there is one.

    Shares and targets of the two groups both sum to 100, so what one group is over the
    other is under; either may be outside its band alone when their bands differ.
    """
    off = sorted((g for g in result.groups if g.status != "on"), key=lambda g: g.status != "over")
    if not off:
        return None
    group = off[0]
    other = next(g for g in result.groups if g.id != group.id)
    return Split(abs(group.delta) / 100 * result.classified_hours, group, other)


def gaps(result: AuditResult, made: Sequence[Move]) -> tuple[Gap, ...]:
    """Categories off target that the moves do not bring to target, with the hours left.

    A category that no move names is always listed; one that a move names only when at
    least 0.05 h (0.1 as shown) is left.
    """
    left: dict[str, float] = {}
    for m in made:
        left[m.source.id] = left.get(m.source.id, _gap_hours(m.source, result)) - m.hours
        left[m.destination.id] = left.get(m.destination.id, _gap_hours(m.destination, result)) - m.hours
    found = []
    for c in result.categories:
        if c.status == "on":
            continue
        if c.id not in left:
            found.append(Gap(_gap_hours(c, result), c, moved=False))
        elif left[c.id] >= 0.05:
            found.append(Gap(left[c.id], c, moved=True))
    return tuple(found)


def _gap_hours(c: CategoryResult, result: AuditResult) -> float:
    return abs(c.delta) / 100 * result.classified_hours


def costly_series(result: AuditResult, top: int = TOP_SERIES) -> tuple[SeriesCost, ...]:
    """Recurring series by counted hours in the period, most first."""
    hours: dict[str, float] = defaultdict(float)
    events: dict[str, int] = defaultdict(int)
    first: dict[str, tuple[str, str]] = {}
    for o in result.occurrences:
        if o.skipped is None and o.event.recurring and o.event.uid:
            hours[o.event.uid] += o.hours
            events[o.event.uid] += 1
            first.setdefault(o.event.uid, (o.event.title, str(o.category)))
    ranked = sorted(hours, key=lambda uid: (-hours[uid], first[uid][0]))[:top]
    return tuple(SeriesCost(first[uid][0], hours[uid], events[uid], first[uid][1]) for uid in ranked)


def build(
    result: AuditResult,
    previous: Sequence[AuditResult],
    rules_digest: str,
    generated_at: datetime,
    next_plan: Plan | None = None,
) -> MonthlyReport:
    made = moves(result)
    return MonthlyReport(
        result=result,
        previous=tuple(previous),
        moves=made,
        advice=advice(result, made, unit_of(result.period)),
        series=costly_series(result),
        rules_digest=rules_digest,
        generated_at=generated_at,
        next_plan=next_plan,
    )
