"""``calaudit rules suggest``: unclassified groups and proposed keywords."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..audit import AuditResult
from ..rules_suggest import Suggestions
from . import hours

TOP_KEYWORDS = 10


def table(result: AuditResult, found: Suggestions) -> RenderableType:
    if not found.groups:
        return Text(f"No unclassified time in {result.period.label}: nothing to suggest.")
    groups = Table(
        title=f"Unclassified time in {result.period.label}: {hours(result.unclassified_hours)} h "
        f"in {len(found.groups)} groups",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    for name, justify in (
        ("Group", "left"),
        ("Example", "left"),
        ("Hours", "right"),
        ("Events", "right"),
        ("Keywords", "left"),
        ("Hint", "left"),
    ):
        groups.add_column(name, justify=justify)  # type: ignore[arg-type]
    for g in found.groups:
        groups.add_row(g.key, g.example, hours(g.hours), str(g.events), ", ".join(g.keywords), g.hint or "")
    keywords = Table(title="Top keywords", title_justify="left", show_edge=False, pad_edge=False)
    for name in ("Keyword", "Unclassified h", "In classified titles"):
        keywords.add_column(name, justify="left" if name == "Keyword" else "right")
    for k in found.keywords[:TOP_KEYWORDS]:
        keywords.add_row(k.keyword, hours(k.unclassified_hours), f"{100 * k.classified_share:.0f}%")
    return Group(groups, Text(""), keywords)


def yaml(result: AuditResult, found: Suggestions) -> str:
    """Rule snippets; groups without a category hint are commented out."""
    lines = [
        f"# calaudit rules suggest: {result.period.label}, {hours(result.unclassified_hours)} h unclassified.",
        "# Paste under 'rules:' and check each category: it is a hint from similar meetings.",
    ]
    for g in found.groups:
        if not g.keywords:
            continue
        title = ", ".join(json.dumps(k) for k in g.keywords)
        note = f"{hours(g.hours)} h, {g.events} events, e.g. {json.dumps(g.example)}"
        prefix = "" if g.hint else "# "
        lines.append(f"{prefix}  - category: {g.hint or 'CHOOSE'}  # {note}")
        lines.append(f"{prefix}    title: [{title}]")
    return "\n".join(lines) + "\n"
