"""The monthly report as plain text (the email's text part) and as Markdown."""

from __future__ import annotations

from ..monthly import MonthlyReport
from . import (
    STATUS_MARK,
    TOP_UNCLASSIFIED,
    allocation_rows,
    count,
    heading,
    hours,
    percent,
    points,
    share_or_no_data,
    skipped_lines,
)
from . import markdown as markdown_report
from .plan import section_lines


def _change(report: MonthlyReport, item: str, group: bool) -> str:
    change = report.change(item, group)
    return "" if change is None else points(change)


def render(report: MonthlyReport) -> str:
    r = report.result
    lines = [heading(r), f"{hours(r.total_hours)} h counted, {percent(r.coverage)} classified.", ""]
    lines += _advice(report)
    since = f"vs {report.previous[-1].period.label}" if report.previous else ""
    lines.append(f"{'Category':<46}{'Hours':>7}{'Share':>8}{'Target':>8}{'Delta':>10}  {'Status':<8}{since:>12}")
    for row in allocation_rows(r):
        hours_, share, target, delta = row.cells
        line = f"{row.label:<46}" if row.is_group else f"  {row.label:<44}"
        line += f"{hours_:>7}{share:>8}{target:>8}{delta:>10}"
        line += f"  {STATUS_MARK[row.status]:<8}{_change(report, row.id, row.is_group):>12}"
        lines.append(line.rstrip())
    if report.previous:
        lines += ["", "Trend (share of classified time)"]
        lines.append(f"{'':<46}" + "".join(f"{p.period.label:>10}" for p in report.timeline))
        for c in r.categories:
            lines.append(f"  {c.label:<44}" + "".join(f"{share_or_no_data(s):>10}" for s in report.shares(c.id)))
    if report.series:
        lines += ["", "Recurring meetings that cost the most"]
        lines += [
            f"  {s.title:<44}{hours(s.hours):>7} h  {count(s.events, 'meeting'):>12}  {s.category}"
            for s in report.series
        ]
    if r.unclassified:
        lines += ["", "Top unclassified"]
        lines += [
            f"  {t.title:<44}{hours(t.hours):>7} h  {count(t.events, 'event'):>10}"
            for t in r.unclassified[:TOP_UNCLASSIFIED]
        ]
    skipped = skipped_lines(r)
    if skipped:
        lines += ["", "Not counted"]
        lines += [f"  {key.replace('_', ' '):<44}{hours(h):>7} h  {count(n, 'event'):>10}" for key, n, h in skipped]
    lines += _next(report)
    lines += ["", _footer(report)]
    return "\n".join(lines) + "\n"


def _next(report: MonthlyReport) -> list[str]:
    """The coming period as the calendar stands: what to book, what to protect."""
    if report.next_plan is None:
        return []
    return ["", *section_lines(report.next_plan, report.unit)]


def _advice(report: MonthlyReport) -> list[str]:
    if not report.advice:
        return [report.on_target_sentence, ""]
    return ["What to change:", *(f"- {sentence}." for sentence in report.advice), ""]


def _footer(report: MonthlyReport) -> str:
    return f"rules version {report.rules_digest[:12]} · generated {report.generated_at:%Y-%m-%d %H:%M %Z}"


def markdown(report: MonthlyReport) -> str:
    lines = [markdown_report.render(report.result).rstrip("\n"), "", "## What to change", ""]
    if report.advice:
        lines += [f"- {markdown_report.text(sentence)}." for sentence in report.advice]
    else:
        lines.append(report.on_target_sentence)
    if report.previous:
        labels = [p.period.label for p in report.timeline]
        lines += ["", "## Trend", "", "| Category | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
        for c in report.result.categories:
            lines.append(
                f"| {markdown_report.text(c.label)} | "
                + " | ".join(share_or_no_data(s) for s in report.shares(c.id))
                + " |"
            )
    if report.series:
        lines += [
            "",
            "## Recurring meetings that cost the most",
            "",
            "| Series | Hours | Meetings |",
            "|---|---:|---:|",
        ]
        lines += [f"| {markdown_report.text(s.title)} | {hours(s.hours)} | {s.events} |" for s in report.series]
    if report.next_plan is not None:
        first, *items = section_lines(report.next_plan, report.unit)
        lines += ["", f"## Next {report.unit}", "", markdown_report.text(first)]
        lines += [f"- {markdown_report.text(item[2:])}" for item in items]
    lines += ["", _footer(report)]
    return "\n".join(lines) + "\n"
