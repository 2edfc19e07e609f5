"""``audit`` and ``explain``: the period's numbers, and every occurrence behind them."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from .app import emit, env, is_stdout, main, plain_text, reading, source_options, stdout, warn

FORMATS = ("table", "json", "csv", "md")


def _audit(inputs: pipeline.Inputs, interactive: bool) -> pipeline.Audited:
    with reading(interactive) as progress:
        audited = pipeline.audit(inputs, env(), progress)
    warn(audited.warnings)
    return audited


@main.command()
@source_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Write the report to this file (atomically) instead of standard output; '-' is standard output.",
)
@click.option(
    "--by",
    type=click.Choice(["audience"]),
    help="Also cross-tabulate hours by category x audience (external/internal/solo).",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Exit with status 5 when classified coverage is below PCT percent.",
)
def audit(inputs: pipeline.Inputs, fmt: str, output: Path | None, by: str | None, fail_under: float | None) -> None:
    """Hours per category against the target allocation."""
    result = _audit(inputs, interactive=fmt == "table" and is_stdout(output)).result
    by_audience = by == "audience"
    if fmt == "table":
        from ..report import table

        renderable = table.render(result, by_audience)
        if is_stdout(output):
            stdout().print(renderable)
        else:
            emit(plain_text(renderable), output)
    else:
        from ..report import csv, json, markdown

        renderer = {"json": json.render, "csv": csv.render, "md": markdown.render}[fmt]
        emit(renderer(result, by_audience), output)
    if fail_under is not None:
        pipeline.check_coverage(result, fail_under)


@main.command()
@source_options
@click.option("--category", help="Only occurrences counted in this category id.")
@click.option("--unclassified", is_flag=True, help="Only occurrences no rule matched.")
@click.option("--search", metavar="TEXT", help="Only occurrences whose title contains TEXT.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="json and csv: one record per occurrence, for scripts and spreadsheets.",
)
def explain(inputs: pipeline.Inputs, category: str | None, unclassified: bool, search: str | None, fmt: str) -> None:
    """Every occurrence: start, counted hours, category, calendar and the rule that decided it."""
    from ..report import explain as explain_report

    result = _audit(inputs, interactive=fmt == "table").result
    if category is not None and category not in {c.id for c in result.categories}:
        known = ", ".join(c.id for c in result.categories)
        raise click.BadParameter(f"unknown category '{category}'; known: {known}", param_hint="--category")
    rows = explain_report.select(result, category, unclassified, search)
    if fmt != "table":
        emit(explain_report.to_json(result, rows) if fmt == "json" else explain_report.to_csv(rows), None)
        return
    console = stdout()
    console.print(explain_report.render(result, rows))
    total = sum(o.hours for o in rows)
    noun = "occurrence" if len(rows) == 1 else "occurrences"
    console.print(f"{len(rows)} {noun}, {total:.2f} counted hours in {result.period.label}")
