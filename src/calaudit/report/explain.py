"""``calaudit explain``: every occurrence, what it counted and which rule decided."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from ..audit import AuditResult, Occurrence
from ..rules import UNCLASSIFIED


def select(
    result: AuditResult,
    category: str | None = None,
    unclassified: bool = False,
    search: str | None = None,
) -> list[Occurrence]:
    rows: Iterable[Occurrence] = result.occurrences
    if category is not None:
        rows = (o for o in rows if o.category == category)
    if unclassified:
        rows = (o for o in rows if o.category == UNCLASSIFIED)
    if search:
        needle = search.casefold()
        rows = (o for o in rows if needle in o.event.title.casefold())
    return list(rows)


def outcome(o: Occurrence) -> str:
    if o.skipped is not None:
        return f"skipped: {o.skipped.replace('_', ' ')}"
    return str(o.category)


def why(o: Occurrence) -> str:
    if o.rule:
        return o.rule
    if o.category == UNCLASSIFIED:
        return "no rule matched"
    return _skip_reason_text.get(o.skipped or "", "")


_skip_reason_text = {
    "cancelled": "STATUS:CANCELLED",
    "declined": "you declined (accounting.declined: skip)",
    "tentative": "tentative (accounting.tentative: skip)",
    "free": "shown as free (accounting.free: skip)",
    "all_day": "all-day event (accounting.all_day: skip)",
    "out_of_office": "out of office",
}


def render(result: AuditResult, rows: list[Occurrence]) -> Table:
    zone = result.period.zone
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Start")
    table.add_column("Hours", justify="right")
    table.add_column("Title")
    table.add_column("Category")
    table.add_column("Why")
    for o in rows:
        start = o.start.astimezone(zone)
        when = f"{start:%Y-%m-%d}" if o.event.all_day else f"{start:%Y-%m-%d %H:%M}"
        counted = f"{o.hours:.2f}" if o.skipped is None else "-"
        table.add_row(when, counted, Text(o.event.title), Text(outcome(o)), Text(why(o)))
    return table
