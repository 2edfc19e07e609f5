"""``--format csv``: the category table, one row per category plus unclassified time.

Text from rules.yaml is data in a spreadsheet too: a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return would be run as a formula by Excel or LibreOffice, so it
gets a ``'`` in front (OWASP's advice against CSV injection). Numbers are left alone."""

from __future__ import annotations

import csv
import io

from ..audit import AUDIENCES, AuditResult
from ..rules import UNCLASSIFIED

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["group", "category", "label", "hours", "share", "target", "delta", "status", "events"]


def render(result: AuditResult, by_audience: bool = False) -> str:
    """The category table, or with ``by_audience`` the category x audience cross-tab."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if by_audience:
        writer.writerow(["category", *AUDIENCES, "total"])
        for row in result.by_audience:
            values = [getattr(row, a) for a in AUDIENCES]
            writer.writerow([cell_text(row.category), *(f"{v:.2f}" for v in values), f"{row.total:.2f}"])
        return out.getvalue()
    writer.writerow(COLUMNS)
    for c in result.categories:
        writer.writerow(
            [
                cell_text(c.group),
                cell_text(c.id),
                cell_text(c.label),
                f"{c.hours:.2f}",
                f"{c.share:.1f}",
                f"{c.target:.1f}",
                f"{c.delta:.1f}",
                c.status,
                c.events,
            ]
        )
    unclassified_events = sum(t.events for t in result.unclassified)
    writer.writerow(
        [
            "",
            UNCLASSIFIED,
            "Unclassified",
            f"{result.unclassified_hours:.2f}",
            "",
            "",
            "",
            "",
            unclassified_events,
        ]
    )
    return out.getvalue()


def cell_text(value: str) -> str:
    """Text a spreadsheet would run as a formula (``=HYPERLINK(...)``) gets a leading '."""
    return "'" + value if value.startswith(_FORMULA_START) else value
