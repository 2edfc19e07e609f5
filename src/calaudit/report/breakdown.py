"""Terminal tables for ``audit --by week``, ``--compare`` and ``--trend``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table

from ..audit import AuditResult
from ..breakdown import Comparison, Views, has_data
from . import hours, percent, points

NO_DATA = "—"
SPARKS = "▁▂▃▄▅▆▇█"


def render(result: AuditResult, views: Views) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if views.weeks:
        parts += [weeks_table(result, views.weeks), sparklines(result, views.weeks)]
    if views.comparison is not None:
        parts.append(comparison_table(result, views.comparison))
    if views.trend:
        parts.append(trend_table(result, views.trend))
    return parts


def _share(result: AuditResult, share: float) -> str:
    return percent(share) if result.classified_hours > 0 else NO_DATA


def weeks_table(result: AuditResult, weeks: Sequence[AuditResult]) -> Table:
    """One row per week: its hours, and each group's and category's share of it."""
    table = Table(title="By week (shares of classified hours)", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Week")
    table.add_column("Hours", justify="right")
    for group in result.groups:
        table.add_column(group.label, justify="right", style="bold")
    for category in result.categories:
        table.add_column(category.id, justify="right")
    for week in weeks:
        cells = [_share(week, g.share) for g in week.groups] + [_share(week, c.share) for c in week.categories]
        table.add_row(f"{week.period.label} {week.period.first_day:%m-%d}..{week.period.last_day:%m-%d}",
                      hours(week.total_hours), *cells)  # fmt: skip
    return table


def sparkline(values: Sequence[float]) -> str:
    """One character per value, scaled to the largest; nothing at all is '·'."""
    top = max(values, default=0.0)
    if top <= 0:
        return "·" * len(values)
    return "".join(
        "·" if v <= 0 else SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1) + 0.5))] for v in values
    )


def sparklines(result: AuditResult, weeks: Sequence[AuditResult]) -> Table:
    table = Table(title="Hours per week", title_justify="left", show_edge=False, pad_edge=False, show_header=False)
    table.add_column("Category")
    table.add_column("Weeks")
    table.add_column("Hours", justify="right")
    for index, category in enumerate(result.categories):
        values = [week.categories[index].hours for week in weeks]
        table.add_row(category.label, sparkline(values), " ".join(hours(v) for v in values))
    return table


def comparison_table(result: AuditResult, comparison: Comparison) -> Table:
    then = comparison.other.period.label
    title = f"{result.period.label} vs {then}" + ("" if has_data(comparison.other) else f" ({then}: no data)")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Category")
    table.add_column("Share", justify="right")
    table.add_column(f"vs {then}", justify="right")
    table.add_column("Change", justify="right")
    rows = [(g.label, g.share, change, True) for g, change in zip(result.groups, comparison.groups, strict=True)]
    rows += [
        (c.label, c.share, change, False) for c, change in zip(result.categories, comparison.categories, strict=True)
    ]
    for label, share, change, is_group in rows:
        before = NO_DATA if change.share is None else percent(change.share)
        moved = NO_DATA if change.change is None else points(change.change)
        table.add_row(
            label if is_group else f"  {label}", percent(share), before, moved, style="bold" if is_group else None
        )
    return table


def trend_table(result: AuditResult, trend: Sequence[AuditResult]) -> Table:
    """Each category's share in the previous periods and this one; no data is '—', never 0%."""
    table = Table(title="Trend (share of classified hours)", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Category")
    timeline = [*trend, result]
    for past in timeline:
        table.add_column(past.period.label, justify="right")
    for index, category in enumerate(result.categories):
        cells = [percent(p.categories[index].share) if has_data(p) else NO_DATA for p in timeline]
        table.add_row(category.label, *cells)
    return table
