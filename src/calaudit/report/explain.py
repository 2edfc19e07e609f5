"""``calaudit explain``: every occurrence, what it counted and which rule decided.

As a table for people, or as one record per occurrence (``--format json|csv``) for
spreadsheets and scripts: the counted ``hours`` of the records add up to the audit's total.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from rich.table import Table
from rich.text import Text

from ..audit import AuditResult, Occurrence
from ..models import fold
from ..rules import UNCLASSIFIED
from .csv import cell_text


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
        needle = fold(search)
        rows = (o for o in rows if needle in fold(o.event.title))
    return list(rows)


def outcome(o: Occurrence) -> str:
    if o.skipped is not None:
        return f"skipped: {o.skipped.replace('_', ' ')}"
    return str(o.category)


def why(o: Occurrence) -> str:
    return f"{_decided_by(o)}; {shared(o)}" if o.shared_with else _decided_by(o)


def shared(o: Occurrence) -> str:
    """How the overlap split reduced the occurrence, e.g. shared with 2 others (1.5 of 2.0 h)."""
    others = "1 other" if o.shared_with == 1 else f"{o.shared_with} others"
    return f"shared with {others} ({o.hours:.2f} of {o.span_hours:.2f} h)"


def _decided_by(o: Occurrence) -> str:
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
    table.add_column("Calendar")
    table.add_column("Why")
    for o in rows:
        start = o.start.astimezone(zone)
        when = f"{start:%Y-%m-%d}" if o.event.all_day else f"{start:%Y-%m-%d %H:%M}"
        counted = f"{o.hours:.2f}" if o.skipped is None else "-"
        table.add_row(
            when, counted, Text(o.event.title), Text(outcome(o)), Text(short_calendar(o.event.calendar)), Text(why(o))
        )
    return table


def short_calendar(name: str) -> str:
    """A calendar file by its file name; URLs and Google calendars as they are."""
    return name if "://" in name else PurePath(name).name


RECORD_FIELDS = (
    "title",
    "start",
    "end",
    "hours",
    "span_hours",
    "category",
    "skipped",
    "rule",
    "source",
    "shared_with",
)


def record(o: Occurrence) -> dict[str, Any]:
    """One occurrence as data: times clipped to the period, hours unrounded."""
    return {
        "title": o.event.title,
        "start": o.start.isoformat(),
        "end": o.end.isoformat(),
        "hours": o.hours,
        "span_hours": o.span_hours,
        "category": o.category,
        "skipped": o.skipped,
        "rule": o.rule,
        "source": o.event.calendar,
        "shared_with": o.shared_with,
    }


def to_json(result: AuditResult, rows: list[Occurrence]) -> str:
    data = {"period": result.period.label, "occurrences": [record(o) for o in rows]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(rows: list[Occurrence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECORD_FIELDS)
    for o in rows:
        data = record(o)
        writer.writerow([_cell(data[key]) for key in RECORD_FIELDS])
    return out.getvalue()


def _cell(value: object) -> object:
    """None as an empty cell; text that a spreadsheet would run as a formula defused."""
    if value is None:
        return ""
    return cell_text(value) if isinstance(value, str) else value
