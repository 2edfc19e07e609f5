"""The monthly report as HTML for browsers and mail clients: tables and inline CSS."""

from __future__ import annotations

from importlib import resources

import jinja2

from .. import __version__
from ..monthly import MonthlyReport
from . import hours, share_or_no_data, skipped_lines
from .plan import section_lines

TEMPLATE = "report.html.j2"


def _environment() -> jinja2.Environment:
    source = resources.files("calaudit").joinpath("data", "templates", TEMPLATE).read_text()
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters["hours"] = hours
    environment.filters["pct"] = lambda value: f"{value:.1f}%"
    environment.filters["share"] = share_or_no_data
    environment.filters["pp"] = lambda value: "" if value is None else f"{value:+.1f} pp"
    environment.globals["version"] = __version__
    environment.loader = jinja2.DictLoader({TEMPLATE: source})
    return environment


def title(report: MonthlyReport) -> str:
    return f"Where your time went: {report.result.period.label}"


def render(report: MonthlyReport, images: dict[str, str]) -> str:
    """``images`` maps allocation and trend to an img src: a data: URI or a cid: reference."""
    result = report.result
    trend_rows = [(c.label, report.shares(c.id)) for c in result.categories]
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=title(report),
            report=report,
            r=result,
            images=images,
            trend_rows=trend_rows,
            skipped=skipped_lines(result),
            next_lines=section_lines(report.next_plan, report.unit) if report.next_plan else [],
        )
    )
