"""``--format md``: the report as Markdown tables, for wikis and pull requests."""

from __future__ import annotations

import re

from ..audit import AuditResult
from . import STATUS_MARK, TOP_UNCLASSIFIED, allocation_rows, audience_rows, heading, hours, percent, skipped_lines

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def text(value: str) -> str:
    """Calendar or rules text as literal Markdown: no emphasis, links, table cells or HTML."""
    escaped = _SPECIAL.sub(r"\\\1", value)
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def render(result: AuditResult, by_audience: bool = False) -> str:
    lines = [f"# {heading(result)}", ""]
    lines += ["| Category | Hours | Share | Target | Delta | Status |", "|---|---:|---:|---:|---:|---|"]
    for row in allocation_rows(result):
        cells = [text(row.label), *row.cells]
        if row.is_group:
            lines.append("| " + " | ".join(f"**{cell}**" for cell in [*cells, STATUS_MARK[row.status]]) + " |")
        else:
            lines.append("| " + " | ".join(cells) + f" | {STATUS_MARK[row.status]} |")
    lines += [
        "",
        f"Coverage: **{percent(result.coverage)}** of {hours(result.total_hours)} h classified "
        f"({hours(result.unclassified_hours)} h unclassified); on target = within ±{result.tolerance:g} pp "
        f"(half the target for targets under {2 * result.tolerance:g}%).",
    ]
    if by_audience:
        lines += ["", "## Hours by audience", "", "| Category | External | Internal | Solo | Total |"]
        lines.append("|---|---:|---:|---:|---:|")
        for label, values, total in audience_rows(result):
            lines.append(f"| {text(label)} | " + " | ".join(hours(v) for v in values) + f" | {hours(total)} |")
    if result.unclassified:
        lines += ["", "## Top unclassified", "", "| Title | Hours | Events |", "|---|---:|---:|"]
        for t in result.unclassified[:TOP_UNCLASSIFIED]:
            lines.append(f"| {text(t.title)} | {hours(t.hours)} | {t.events} |")
    skipped = skipped_lines(result)
    if skipped:
        lines += ["", "## Skipped", "", "| Reason | Events | Hours |", "|---|---:|---:|"]
        lines += [f"| {key.replace('_', ' ')} | {events} | {hours(h)} |" for key, events, h in skipped]
    return "\n".join(lines) + "\n"
