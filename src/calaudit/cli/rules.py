"""``rules check|test|suggest`` and ``init``: write, check and improve rules.yaml."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from ..errors import ThresholdError
from .app import env, main, reading, source_options, stdout, warn


@main.group()
def rules() -> None:
    """Check, test and improve rules.yaml."""


@rules.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
def rules_check(inputs: pipeline.Inputs, file: Path | None) -> None:
    """Validate rules.yaml, summarise it and point out rules that cannot work.

    With --ics, --google or --demo it also audits the period and reports how often each
    rule decided and which keywords matched nothing.
    """
    from ..report import rules as rules_report
    from ..rules_lint import lint, usage

    if file is not None and inputs.rules is not None:
        raise click.UsageError("give the rules file either as FILE or as --rules, not both")
    inputs.rules = file or inputs.rules
    if inputs.names_source:
        with reading(True) as progress:
            audited = pipeline.audit(inputs, env(), progress)
        warn(audited.warnings)
        loaded, result = audited.loaded, audited.result
    else:
        loaded, result = pipeline.load_rules(inputs.rules, env()), None
    findings = lint(loaded.config, own_file=loaded.path is not None)
    used = usage(loaded.config, result.occurrences) if result is not None else None
    stdout().print(rules_report.check(loaded, findings, result, used))


@rules.command("suggest")
@source_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "yaml"]),
    default="table",
    show_default=True,
    help="yaml: rule snippets ready to paste into rules.yaml.",
)
def rules_suggest(inputs: pipeline.Inputs, fmt: str) -> None:
    """Group unclassified time by title and propose keywords for new rules."""
    from ..report import rules as rules_report
    from ..rules_suggest import suggest

    with reading(fmt == "table") as progress:
        audited = pipeline.audit(inputs, env(), progress)
    warn(audited.warnings)
    found = suggest(audited.result)
    if fmt == "yaml":
        click.echo(rules_report.yaml(audited.result, found), nl=False)
    else:
        stdout().print(rules_report.table(audited.result, found))


@rules.command("test")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
def rules_test(file: Path | None) -> None:
    """Check every entry of 'examples:' against the rules (exit 5 on a mismatch)."""
    from ..report import count
    from ..rules import check_examples

    loaded = pipeline.load_rules(file, env())
    checks = check_examples(loaded.config)
    failed = [c for c in checks if not c.passed]
    for check in failed:
        got = f"{check.actual} ({check.rule})" if check.rule else check.actual
        click.echo(f"examples[{check.index}] {check.title!r}: expected {check.expected}, got {got}")
    if failed:
        raise ThresholdError(f"{len(failed)} of {count(len(checks), 'example')} failed in {loaded.path}")
    click.echo(f"{count(len(checks), 'example')} passed")


@main.command()
@click.argument("path", required=False, default=pipeline.RULES_FILE, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--profile",
    type=click.Choice(pipeline.PROFILES),
    default="startup",
    show_default=True,
    help="startup: 30% external / 70% internal; enterprise: 70 / 30.",
)
def init(path: Path, profile: str) -> None:
    """Write a commented rules.yaml template (never overwrites a file; creates missing folders)."""
    pipeline.write_template(path, profile)
    click.echo(
        f"wrote {path} ({profile} profile); set owner and internal_domains, then run 'calaudit rules check {path}'"
    )
