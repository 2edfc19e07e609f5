"""Presentation of an ``AuditResult``. Renderers only format; they never recompute."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..audit import AUDIENCES, AuditResult, CategoryResult, GroupResult
from ..rules import UNCLASSIFIED

STATUS_MARK = {"under": "▼ under", "on": "✓ on", "over": "▲ over"}
TOP_UNCLASSIFIED = 10
NO_DATA = "—"
"""Shown for a period without any event (e.g. before a calendar's first one), never 0%."""


def hours(value: float) -> str:
    """One decimal, halves rounded up as people do (70.25 h is 70.3 h, not 70.2)."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def percent(value: float) -> str:
    return f"{value:.1f}%"


def share_or_no_data(value: float | None) -> str:
    return NO_DATA if value is None else percent(value)


def count(n: int, noun: str) -> str:
    """``1 event``, ``2 events``: every renderer counts things this way."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def points(value: float) -> str:
    """A delta in percentage points, always signed."""
    return f"{value:+.1f} pp"


@dataclass(frozen=True)
class AllocationRow:
    """One line of the actual-vs-target table, formatted: a group or one of its categories."""

    id: str
    label: str
    is_group: bool
    cells: tuple[str, str, str, str]
    """Hours, share, target and delta, formatted."""
    status: str
    """under, on or over."""
    last_in_group: bool


def allocation_rows(result: AuditResult) -> list[AllocationRow]:
    """Each group followed by its categories, in allocation order."""
    rows = []
    for group in result.groups:
        rows.append(AllocationRow(group.id, group.label, True, _cells(group), group.status, False))
        members = [c for c in result.categories if c.group == group.id]
        for index, c in enumerate(members):
            rows.append(AllocationRow(c.id, c.label, False, _cells(c), c.status, index == len(members) - 1))
    return rows


def _cells(item: CategoryResult | GroupResult) -> tuple[str, str, str, str]:
    return hours(item.hours), percent(item.share), percent(item.target), points(item.delta)


def skipped_lines(result: AuditResult) -> list[tuple[str, int, float]]:
    """Ledger entries that have events, as (key, events, hours), then the counted events
    that the multi_day cap shortened and the hours it took off (not counted either)."""
    lines = [(key, entry.events, entry.hours) for key, entry in result.skipped.items() if entry.events]
    if result.capped.events:
        lines.append(("multi_day_cap", result.capped.events, result.capped.hours))
    return lines


def heading(result: AuditResult) -> str:
    period = result.period
    return (
        f"calaudit: {period.label} ({period.first_day.isoformat()} to {period.last_day.isoformat()}, {period.zone.key})"
    )


def category_label(result: AuditResult, category: str) -> str:
    if category == UNCLASSIFIED:
        return "Unclassified"
    return next(c.label for c in result.categories if c.id == category)


def audience_rows(result: AuditResult) -> list[tuple[str, list[float], float]]:
    """(label, hours per audience in AUDIENCES order, total) for categories with time."""
    return [
        (category_label(result, row.category), [getattr(row, a) for a in AUDIENCES], row.total)
        for row in result.by_audience
        if row.total > 0
    ]
