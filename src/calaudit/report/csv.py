"""``--format csv``: the category table, one row per category plus unclassified time."""

from __future__ import annotations

import csv
import io

from ..audit import AUDIENCES, AuditResult
from ..rules import UNCLASSIFIED

COLUMNS = ["group", "category", "label", "hours", "share", "target", "delta", "status", "events"]


def render(result: AuditResult, by_audience: bool = False) -> str:
    """The category table, or with ``by_audience`` the category x audience cross-tab."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if by_audience:
        writer.writerow(["category", *AUDIENCES, "total"])
        for row in result.by_audience:
            values = [getattr(row, a) for a in AUDIENCES]
            writer.writerow([row.category, *(f"{v:.2f}" for v in values), f"{row.total:.2f}"])
        return out.getvalue()
    writer.writerow(COLUMNS)
    for c in result.categories:
        writer.writerow(
            [
                c.group,
                c.id,
                c.label,
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
