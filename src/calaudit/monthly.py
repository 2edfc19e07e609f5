"""The numbers of the monthly report beyond one audit: what to move, what costs the most,
and how the split changed over the previous periods. Plain data for every renderer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .audit import AuditResult, CategoryResult
from .period import is_week

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
        amount = f"{self.hours:.0f}" if self.hours >= 10 else f"{self.hours:.1f}"
        return f"To reach target, move ~{amount} h/{unit} from {self.source.label} to {self.destination.label}"


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
    series: tuple[SeriesCost, ...]
    rules_digest: str
    generated_at: datetime

    @property
    def timeline(self) -> tuple[AuditResult, ...]:
        """The previous periods and this one, oldest first."""
        return (*self.previous, self.result)

    @property
    def unit(self) -> str:
        """What one period is called in sentences: week, month, quarter, year or period."""
        label = self.result.period.label
        if is_week(self.result.period):
            return "week"
        if "Q" in label:
            return "quarter"
        if len(label) == 7:
            return "month"
        return "year" if len(label) == 4 else "period"

    def shares(self, category: str) -> list[float]:
        """The category's share in each period of the timeline, oldest first."""
        return [next(c for c in result.categories if c.id == category).share for result in self.timeline]

    def change(self, category: str) -> float | None:
        """Change of the category's share since the period before, in points."""
        if not self.previous:
            return None
        before = next(c for c in self.previous[-1].categories if c.id == category)
        now = next(c for c in self.result.categories if c.id == category)
        return now.share - before.share


def moves(result: AuditResult) -> tuple[Move, ...]:
    """Pair categories over target with categories under it, largest gaps first.

    A gap is (share - target) of the classified hours; each move takes the smaller of the
    two gaps it pairs, so neither category overshoots its target.
    """
    classified = result.classified_hours
    over = sorted(((c.delta / 100 * classified, c) for c in result.categories if c.status == "over"),
                  key=lambda gap: -gap[0])  # fmt: skip
    under = sorted(((-c.delta / 100 * classified, c) for c in result.categories if c.status == "under"),
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
    result: AuditResult, previous: Sequence[AuditResult], rules_digest: str, generated_at: datetime
) -> MonthlyReport:
    return MonthlyReport(
        result=result,
        previous=tuple(previous),
        moves=moves(result),
        series=costly_series(result),
        rules_digest=rules_digest,
        generated_at=generated_at,
    )
