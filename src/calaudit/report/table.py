"""``--format table``: the terminal report, built from rich renderables."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..audit import AUDIENCES, AuditResult
from . import STATUS_MARK, TOP_UNCLASSIFIED, allocation_rows, audience_rows, heading, hours, percent, skipped_lines

_STATUS_STYLE = {"under": "yellow", "on": "green", "over": "red"}


def render(result: AuditResult, by_audience: bool = False) -> RenderableType:
    parts: list[RenderableType] = [Text(heading(result), style="bold"), _allocation(result)]
    if by_audience:
        parts.append(_audience(result))
    parts.append(
        Text.assemble(
            "Coverage ",
            (percent(result.coverage), "bold"),
            f": {hours(result.classified_hours)} of {hours(result.total_hours)} h classified, "
            f"{hours(result.unclassified_hours)} h unclassified; "
            f"on target = within ±{result.tolerance:g} pp (half the target for targets under "
            f"{2 * result.tolerance:g}%)",
        )
    )
    if result.unclassified:
        parts.append(_unclassified(result))
    skipped = skipped_lines(result)
    if skipped:
        parts.append(_skipped(skipped))
    spaced: list[RenderableType] = []
    for part in parts:
        spaced += [part, Text("")]
    return Group(*spaced[:-1])


def _allocation(result: AuditResult) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Category")
    for name in ("Hours", "Share", "Target", "Delta"):
        table.add_column(name, justify="right")
    table.add_column("Status")
    for row in allocation_rows(result):
        mark = Text(STATUS_MARK[row.status], style=_STATUS_STYLE[row.status])
        if row.is_group:
            table.add_row(Text(row.label), *row.cells, mark, style="bold")
        else:
            table.add_row(Text(f"  {row.label}"), *row.cells, mark, end_section=row.last_in_group)
    return table


def _unclassified(result: AuditResult) -> Table:
    shown = result.unclassified[:TOP_UNCLASSIFIED]
    more = len(result.unclassified) - len(shown)
    title = "Top unclassified" + (f" ({more} more titles)" if more else "")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Title")
    table.add_column("Hours", justify="right")
    table.add_column("Events", justify="right")
    for t in shown:
        table.add_row(Text(t.title), hours(t.hours), str(t.events))
    return table


def _skipped(lines: list[tuple[str, int, float]]) -> Table:
    table = Table(title="Skipped (not counted)", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Reason")
    table.add_column("Events", justify="right")
    table.add_column("Hours", justify="right")
    for key, events, h in lines:
        table.add_row(key.replace("_", " "), str(events), hours(h))
    return table


def _audience(result: AuditResult) -> Table:
    table = Table(title="Hours by audience", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Category")
    for audience in (*AUDIENCES, "total"):
        table.add_column(audience.title(), justify="right")
    for label, values, total in audience_rows(result):
        table.add_row(Text(label), *(hours(v) for v in values), hours(total))
    return table
