"""The monthly report as plain text (the email's text part) and as Markdown."""

from __future__ import annotations

from ..monthly import MonthlyReport
from . import STATUS_MARK, TOP_UNCLASSIFIED, allocation_rows, heading, hours, percent, points, skipped_lines
from . import markdown as markdown_report


def _change(report: MonthlyReport, category: str) -> str:
    change = report.change(category)
    return "" if change is None else points(change)


def render(report: MonthlyReport) -> str:
    r = report.result
    lines = [heading(r), f"{hours(r.total_hours)} h counted, {percent(r.coverage)} classified.", ""]
    lines += _moves(report)
    since = f"vs {report.previous[-1].period.label}" if report.previous else ""
    lines.append(f"{'Category':<46}{'Hours':>7}{'Share':>8}{'Target':>8}{'Delta':>10}  {'Status':<8}{since:>12}")
    for row in allocation_rows(r):
        hours_, share, target, delta = row.cells
        line = f"{row.label:<46}" if row.is_group else f"  {row.label:<44}"
        line += f"{hours_:>7}{share:>8}{target:>8}{delta:>10}"
        if row.status is not None:
            line += f"  {STATUS_MARK[row.status]:<8}{_change(report, row.id):>12}"
        lines.append(line)
    if report.previous:
        lines += ["", "Trend (share of classified time)"]
        lines.append(f"{'':<46}" + "".join(f"{p.period.label:>10}" for p in report.timeline))
        for c in r.categories:
            lines.append(f"  {c.label:<44}" + "".join(f"{percent(s):>10}" for s in report.shares(c.id)))
    if report.series:
        lines += ["", "Recurring meetings that cost the most"]
        lines += [f"  {s.title:<44}{hours(s.hours):>7} h  {s.events:>3} meetings  {s.category}" for s in report.series]
    if r.unclassified:
        lines += ["", "Top unclassified"]
        lines += [
            f"  {t.title:<44}{hours(t.hours):>7} h  {t.events:>3} events" for t in r.unclassified[:TOP_UNCLASSIFIED]
        ]
    skipped = skipped_lines(r)
    if skipped:
        lines += ["", "Not counted"]
        lines += [f"  {key.replace('_', ' '):<44}{hours(h):>7} h  {n:>3} events" for key, n, h in skipped]
    lines += ["", _footer(report)]
    return "\n".join(lines) + "\n"


def _moves(report: MonthlyReport) -> list[str]:
    if not report.moves:
        return [f"Every category is within ±{report.result.tolerance:g} points of its target.", ""]
    return ["What to change:", *(f"- {m.sentence(report.unit)}." for m in report.moves), ""]


def _footer(report: MonthlyReport) -> str:
    return f"rules version {report.rules_digest[:12]} · generated {report.generated_at:%Y-%m-%d %H:%M %Z}"


def markdown(report: MonthlyReport) -> str:
    lines = [markdown_report.render(report.result).rstrip("\n"), "", "## What to change", ""]
    lines += [line for line in _moves(report) if line and line != "What to change:"]
    if report.previous:
        labels = [p.period.label for p in report.timeline]
        lines += ["", "## Trend", "", "| Category | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
        for c in report.result.categories:
            lines.append(f"| {c.label} | " + " | ".join(percent(s) for s in report.shares(c.id)) + " |")
    if report.series:
        lines += [
            "",
            "## Recurring meetings that cost the most",
            "",
            "| Series | Hours | Meetings |",
            "|---|---:|---:|",
        ]
        lines += [f"| {s.title} | {hours(s.hours)} | {s.events} |" for s in report.series]
    lines += ["", _footer(report)]
    return "\n".join(lines) + "\n"
