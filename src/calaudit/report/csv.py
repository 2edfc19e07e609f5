"""``--format csv``: the category table, one row per category plus unclassified time."""

from __future__ import annotations

import csv
import io

from ..audit import AuditResult
from ..rules import UNCLASSIFIED

COLUMNS = ["group", "category", "label", "hours", "share", "target", "delta", "status", "events"]


def render(result: AuditResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
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
