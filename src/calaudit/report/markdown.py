"""``--format md``: the report as Markdown tables, for wikis and pull requests."""

from __future__ import annotations

from ..audit import AuditResult
from . import STATUS_MARK, TOP_UNCLASSIFIED, audience_rows, heading, hours, percent, points, skipped_lines


def render(result: AuditResult, by_audience: bool = False) -> str:
    lines = [f"# {heading(result)}", ""]
    lines += ["| Category | Hours | Share | Target | Delta | Status |", "|---|---:|---:|---:|---:|---|"]
    for group in result.groups:
        lines.append(
            f"| **{group.label}** | **{hours(group.hours)}** | **{percent(group.share)}** "
            f"| **{percent(group.target)}** | **{points(group.delta)}** | |"
        )
        for c in (c for c in result.categories if c.group == group.id):
            lines.append(
                f"| {c.label} | {hours(c.hours)} | {percent(c.share)} | {percent(c.target)} "
                f"| {points(c.delta)} | {STATUS_MARK[c.status]} |"
            )
    lines += [
        "",
        f"Coverage: **{percent(result.coverage)}** of {hours(result.total_hours)} h classified "
        f"({hours(result.unclassified_hours)} h unclassified); tolerance ±{result.tolerance:g} pp.",
    ]
    if by_audience:
        lines += ["", "## Hours by audience", "", "| Category | External | Internal | Solo | Total |"]
        lines.append("|---|---:|---:|---:|---:|")
        for label, values, total in audience_rows(result):
            lines.append(f"| {label} | " + " | ".join(hours(v) for v in values) + f" | {hours(total)} |")
    if result.unclassified:
        lines += ["", "## Top unclassified", "", "| Title | Hours | Events |", "|---|---:|---:|"]
        for t in result.unclassified[:TOP_UNCLASSIFIED]:
            lines.append(f"| {t.title.replace('|', '/')} | {hours(t.hours)} | {t.events} |")
    skipped = skipped_lines(result)
    if skipped:
        lines += ["", "## Skipped", "", "| Reason | Events | Hours |", "|---|---:|---:|"]
        lines += [f"| {key} | {events} | {hours(h)} |" for key, events, h in skipped]
    return "\n".join(lines) + "\n"
