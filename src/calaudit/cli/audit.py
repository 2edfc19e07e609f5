"""``audit`` and ``explain``: the period's numbers, and every occurrence behind them."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import RenderableType
from rich.text import Text

from .. import pipeline
from .app import Finite, emit, env, is_stdout, main, output_option, plain_text, reading, source_options, stdout, warn

FORMATS = ("table", "json", "csv", "md")


def _audit(inputs: pipeline.Inputs, interactive: bool) -> pipeline.Audited:
    with reading(interactive) as progress:
        audited = pipeline.audit(inputs, env(), progress)
    warn(audited.warnings)
    return audited


@main.command()
@source_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@output_option()
@click.option(
    "--by",
    type=click.Choice(["audience", "week"]),
    multiple=True,
    help="audience: also hours by category x audience (external/internal/solo); "
    "week: also each ISO week of the period (table and json). Repeatable.",
)
@click.option(
    "--compare",
    metavar="PERIOD|previous",
    help="Also each share against another period (table and json), e.g. --compare previous.",
)
@click.option(
    "--trend",
    type=click.IntRange(1, 24),
    metavar="N",
    help="Also the shares of the N previous periods of the same kind (table and json).",
)
@click.option(
    "--fail-under",
    type=Finite(0, 100),
    metavar="PCT",
    help="Exit with status 5 when classified coverage is below PCT percent.",
)
def audit(
    inputs: pipeline.Inputs,
    fmt: str,
    output: Path | None,
    by: tuple[str, ...],
    compare: str | None,
    trend: int | None,
    fail_under: float | None,
) -> None:
    """Hours per category against the target allocation."""
    by_week = "week" in by
    if (by_week or compare or trend) and fmt not in ("table", "json"):
        raise click.UsageError("--by week, --compare and --trend show in --format table or json")
    with reading(fmt == "table" and is_stdout(output)) as progress:
        audited, views = pipeline.audit_views(inputs, env(), by_week, compare, trend or 0, progress)
    warn(audited.warnings)
    pipeline.refuse_overwriting_inputs(output, inputs, audited.loaded)
    result = audited.result
    by_audience = "audience" in by
    if fmt == "table":
        from rich.console import Group

        from ..report import breakdown, table

        renderable = Group(table.render(result, by_audience), *spaced(breakdown.render(result, views)))
        if is_stdout(output):
            stdout().print(renderable)
        else:
            emit(plain_text(renderable), output)
    else:
        from ..report import csv, json, markdown

        if fmt == "json":
            emit(json.render(result, by_audience, views), output)
        else:
            emit({"csv": csv.render, "md": markdown.render}[fmt](result, by_audience), output)
    if fail_under is not None:
        pipeline.check_coverage(result, fail_under)


def spaced(parts: list[RenderableType]) -> list[RenderableType]:
    """A blank line before each part."""
    return [item for part in parts for item in (Text(""), part)]


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
