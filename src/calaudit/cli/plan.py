"""``plan``: the coming period's committed hours against the targets."""

from __future__ import annotations

import click

from .. import pipeline
from .app import Finite, emit, env, main, reading, source_options, stdout, warn


@main.command()
@source_options(default_period="next-month")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--basis-hours",
    type=Finite(min=0, min_open=True, max=1_000_000),
    metavar="H",
    help="Hours the targets divide (default: mean classified hours of the 3 previous periods with data).",
)
def plan(inputs: pipeline.Inputs, fmt: str, basis_hours: float | None) -> None:
    """What the coming period (default: next month) already commits, and what to book or protect."""
    from ..report import plan as plan_report

    with reading(fmt == "table") as progress:
        planned = pipeline.plan(inputs, env(), basis_hours, progress)
    warn(planned.warnings)
    if fmt == "json":
        emit(plan_report.render_json(planned.plan), None)
    else:
        stdout().print(plan_report.render(planned.plan))
