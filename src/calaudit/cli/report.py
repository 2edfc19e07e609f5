"""``report``, ``cron``, ``history`` and ``schedule``: the monthly report and its delivery."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from ..storage import write_output
from .app import Finite, emit, env, main, output_option, reading, source_options, stdout, warn


@main.command()
@source_options
@click.option("--format", "fmt", type=click.Choice(["html", "md", "text"]), default="html", show_default=True)
@output_option("the report (or with --email --dry-run the .eml)")
@click.option(
    "--email",
    "send_email",
    is_flag=True,
    help="Mail the report to email.to of rules.yaml and record the period as delivered (cron will not resend it).",
)
@click.option("--dry-run", is_flag=True, help="With --email: write the message as an .eml file, send nothing.")
def report(inputs: pipeline.Inputs, fmt: str, output: Path | None, send_email: bool, dry_run: bool) -> None:
    """The monthly report: actual vs target, what to move, costly series, trends."""
    from .. import cron as cron_run
    from ..history import History
    from ..report import mail
    from ..report import text as text_report

    if dry_run and not send_email:
        raise click.UsageError("--dry-run goes with --email")
    run_env = env()
    setup = pipeline.prepare(inputs, run_env)
    pipeline.refuse_overwriting_inputs(output, inputs, setup.loaded)
    email = cron_run.require_email(setup.loaded) if send_email else None
    with reading(True) as progress:
        monthly = pipeline.monthly_report(setup, run_env.now(), progress)
    warn(monthly.warnings)
    label = setup.period.label
    if email is not None:
        cron_run.require_data(monthly)  # a dry run says what the real one would do
    if email is not None and dry_run:
        target = output or Path(f"calaudit-{label}.eml")
        write_output(target, mail.as_sent(mail.message(email, monthly.report, mail.render(monthly.report))))
        click.echo(f"wrote {target} (not sent)")
    elif email is not None:
        warn([note] if (note := cron_run.send(monthly, email, run_env, History(run_env.data_dir))) else [])
        click.echo(f"sent the {label} report to {', '.join(email.to)}")
    elif fmt == "html":
        emit(mail.render(monthly.report).html_inline, output)
    else:
        emit(text_report.markdown(monthly.report) if fmt == "md" else text_report.render(monthly.report), output)


@main.command()
@source_options
@click.option("--force", is_flag=True, help="Send even if this period was already delivered.")
@click.option("--verbose", "-v", is_flag=True, help="Say what was done (by default a success prints nothing).")
@click.option(
    "--fail-under",
    type=Finite(0, 100),
    metavar="PCT",
    help="After delivering, exit 5 if classified coverage is below PCT percent.",
)
def cron(inputs: pipeline.Inputs, force: bool, verbose: bool, fail_under: float | None) -> None:
    """Scheduled run: audit, render, email and record, once per period (default: last month)."""
    from .. import cron as cron_run

    outcome = cron_run.run(inputs, env(), force)
    recipients = ", ".join(outcome.recipients)
    warn(outcome.warnings)
    if outcome.status == "already_sent":
        assert outcome.earlier is not None
        click.echo(
            f"{outcome.period} was already delivered to {recipients} on "
            f"{outcome.earlier.finished_at:%Y-%m-%d %H:%M}; nothing sent (--force sends it again)"
        )
        return
    if outcome.status == "failed":
        assert outcome.error is not None
        if outcome.alert_error is not None:
            warn([f"the failure notice was not sent either: {outcome.alert_error}"])
        raise outcome.error
    if verbose:
        click.echo(f"sent the {outcome.period} report to {recipients}")
    if fail_under is not None and outcome.result is not None:
        pipeline.check_coverage(outcome.result, fail_under)


@main.command()
def history() -> None:
    """Past scheduled runs: period, when, status, recipients and hours per group."""
    from ..history import History
    from ..report import listings

    runs = History(env().data_dir).runs()
    if not runs:
        click.echo("no runs recorded yet")
        return
    stdout().print(listings.runs(runs))


@main.command()
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The rules file the scheduled run should use (default: the one found now).",
)
@click.option("--weekly", is_flag=True, help="A run every Monday that mails last week's report instead.")
def schedule(rules: Path | None, weekly: bool) -> None:
    """Print a crontab line and systemd units for the monthly (or weekly) run."""
    from .. import cron as cron_run

    run_env = env()
    rules_path = pipeline.find_rules(rules, run_env.cwd, run_env.config_dir).resolve()
    cadence = cron_run.WEEKLY if weekly else cron_run.MONTHLY
    click.echo(cron_run.schedule_text(cron_run.executable(), rules_path, run_env.config_dir, cadence), nl=False)
