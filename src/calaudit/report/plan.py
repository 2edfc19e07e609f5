"""``calaudit plan``: the coming period as a table with advice in words, as JSON, and as
the short "next month" section of the monthly report (``section_lines``)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..plan import Plan, PlanLine
from . import hours, percent

ON_PLAN_HOURS = 0.5
"""Room smaller than this either way needs no action."""


def amount(value: float) -> str:
    """Hours as people plan them: whole hours from 10 h, half hours below."""
    value = abs(value)
    return f"{value:.0f}" if value >= 10 else f"{round(value * 2) / 2:g}"


def advice(line: PlanLine) -> str:
    """E.g. "Recruiting: 6 h committed of ~16 h; book ~10 h"."""
    head = f"{line.label}: {amount(line.committed)} h committed of ~{amount(line.target_hours)} h"
    if line.room >= ON_PLAN_HOURS:
        return f"{head}; book ~{amount(line.room)} h"
    if line.room <= -ON_PLAN_HOURS:
        return f"{head}; already ~{amount(line.room)} h over: book no more, move what you can"
    return f"{head}; on plan"


def basis_text(plan: Plan) -> str:
    if not plan.basis_periods:
        return f"basis {hours(plan.basis_hours)} h (given)"
    return f"basis {hours(plan.basis_hours)} h: mean classified hours of {', '.join(plan.basis_periods)}"


def render(plan: Plan) -> RenderableType:
    period = plan.period
    title = (
        f"Plan for {period.label} ({period.first_day.isoformat()} to {period.last_day.isoformat()}), {basis_text(plan)}"
    )
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Category")
    for name in ("Target", "Committed", "Target h", "Room"):
        table.add_column(name, justify="right")
    for group in plan.groups:
        table.add_row(*_cells(group, group.label), style="bold")
        members = [c for c, g in zip(plan.categories, plan.committed.categories, strict=True) if g.group == group.id]
        for index, line in enumerate(members):
            table.add_row(*_cells(line, f"  {line.label}"), end_section=index == len(members) - 1)
    lines = [Text(f"- {advice(line)}") for line in plan.categories]
    return Group(Text(title, style="bold"), table, Text(""), *lines)


def _cells(line: PlanLine, label: str) -> tuple[str, ...]:
    return label, percent(line.target), hours(line.committed), hours(line.target_hours), f"{line.room:+.1f}"


def to_dict(plan: Plan) -> dict[str, Any]:
    """Hours unrounded, as in every JSON calaudit writes."""
    period = plan.period
    return {
        "period": {
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "timezone": period.zone.key,
        },
        "basis_hours": plan.basis_hours,
        "basis_periods": list(plan.basis_periods),
        "categories": [_line(c) for c in plan.categories],
        "groups": [_line(g) for g in plan.groups],
    }


def _line(line: PlanLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "label": line.label,
        "target": line.target,
        "committed": line.committed,
        "target_hours": line.target_hours,
        "room": line.room,
    }


def render_json(plan: Plan) -> str:
    return json.dumps(to_dict(plan), indent=2, ensure_ascii=False) + "\n"


def section_lines(plan: Plan, unit: str = "month") -> list[str]:
    """The monthly report's "next month" section as plain lines (text, Markdown list items)."""
    return [
        f"Next {unit} ({plan.period.label}) as the calendar stands, {basis_text(plan)}:",
        *(f"- {advice(line)}." for line in plan.categories),
    ]
