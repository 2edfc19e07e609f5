"""Tables of things calaudit keeps or can reach: past runs, Google calendars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from ..history import Run

if TYPE_CHECKING:
    from ..sources.google import CalendarInfo

RUN_HOURS = ("external", "internal", "total")


def runs(found: Sequence[Run]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for name in ("Period", "Finished", "Status", "Recipients", "External h", "Internal h", "Total h", "Note"):
        table.add_column(name, justify="right" if name.endswith(" h") else "left")
    for run in found:
        hours = [f"{run.hours[k]:.1f}" if k in run.hours else "" for k in RUN_HOURS]
        table.add_row(
            run.period,
            f"{run.finished_at:%Y-%m-%d %H:%M}",
            run.status,
            Text(", ".join(run.recipients)),
            *hours,
            Text(run.message[:60]),
        )
    return table


def calendars(found: Sequence[CalendarInfo]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for name in ("Id", "Name", "Access"):
        table.add_column(name)
    for item in found:
        table.add_row(Text(item.id + (" (primary)" if item.primary else "")), Text(item.summary), item.access_role)
    return table
