"""Presentation of an ``AuditResult``. Renderers only format; they never recompute."""

from __future__ import annotations

from ..audit import AUDIENCES, AuditResult
from ..rules import UNCLASSIFIED

STATUS_MARK = {"under": "▼ under", "on": "✓ on", "over": "▲ over"}
TOP_UNCLASSIFIED = 10


def hours(value: float) -> str:
    return f"{value:.1f}"


def percent(value: float) -> str:
    return f"{value:.1f}%"


def points(value: float) -> str:
    """A delta in percentage points, always signed."""
    return f"{value:+.1f} pp"


def skipped_lines(result: AuditResult) -> list[tuple[str, int, float]]:
    """Ledger entries that have events, as (key, events, hours)."""
    return [(key, entry.events, entry.hours) for key, entry in result.skipped.items() if entry.events]


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
