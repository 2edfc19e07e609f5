"""The command line. The only module that uses click, prints, or exits."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import click
import platformdirs
from rich.console import Console, RenderableType
from rich.progress import Progress, TaskID
from rich.table import Table

from . import __version__, deliver, pipeline, scheduled, schedules
from . import config as config_module
from .audit import AuditResult
from .config import Email, LoadedConfig
from .errors import CalauditError, ConfigError, DeliveryError, ExitStatus, SourceError, ThresholdError
from .history import History, Run
from .models import Fetched
from .period import PERIOD_HELP, Period
from .report import csv as csv_report
from .report import explain as explain_report
from .report import json as json_report
from .report import markdown as markdown_report
from .report import rules as rules_report
from .report import table as table_report
from .report import text as text_report
from .rules import check_examples
from .rules_lint import lint, usage
from .rules_suggest import suggest
from .sources import Source, google, google_auth
from .sources.cache import EventCache
from .storage import atomic_write

APP_NAME = "calaudit"
FORMATS = ("table", "json", "csv", "md")


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


PIPE_WIDTH = 160
"""Output that goes to a file or a pipe is not cut to 80 columns."""


def _stdout() -> Console:
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=PIPE_WIDTH)


class CalauditGroup(click.Group):
    """Turns every error into one line on stderr and a documented exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CalauditError as exc:
            self._fail(ctx, str(exc), exc.exit_status)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            self._fail(ctx, "interrupted; nothing was written", ExitStatus.UNEXPECTED)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            message = f"unexpected error: {type(exc).__name__}: {exc}; rerun with --debug and report it"
            self._fail(ctx, message, ExitStatus.UNEXPECTED)

    @staticmethod
    def _fail(ctx: click.Context, message: str, status: ExitStatus) -> None:
        if ctx.find_root().params.get("debug"):
            traceback.print_exc()
        click.echo(f"calaudit: error: {message}", err=True)
        ctx.exit(int(status))


@click.group(cls=CalauditGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=APP_NAME)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def main(debug: bool) -> None:
    """Where did your time go, compared with where you meant it to go?

    Try 'calaudit audit --demo'. Exit statuses: 0 ok, 1 unexpected error, 2 usage or
    configuration error, 3 calendar error, 4 email error, 5 a check failed.
    """


@dataclass
class SourceOptions:
    ics: tuple[str, ...]
    rules: Path | None
    period: str | None
    first: date | None
    last: date | None
    demo: bool
    prefilter: bool
    cache: bool
    google: str | None


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by audit and explain: which calendars, which rules, which period."""
    options = [
        click.option(
            "--ics",
            multiple=True,
            metavar="PATH_OR_URL",
            help="An .ics file or iCal URL; repeat for several calendars.",
        ),
        click.option(
            "--rules",
            type=click.Path(path_type=Path, dir_okay=False),
            help="rules.yaml to use (default: ./rules.yaml, then the user config dir).",
        ),
        click.option("--period", help=f"{PERIOD_HELP} (default: last-month)."),
        click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD."),
        click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day (included)."),
        click.option(
            "--google",
            is_flag=False,
            flag_value="primary",
            default=None,
            metavar="[CALENDAR_ID]",
            help="A Google calendar (default: primary; 'all' for every readable one).",
        ),
        click.option("--demo", is_flag=True, help="Use the bundled demo calendar and rules."),
        click.option(
            "--no-prefilter",
            "prefilter",
            flag_value=False,
            default=True,
            help="Parse whole .ics files instead of only the parts that can touch the period.",
        ),
        click.option(
            "--no-cache",
            "cache",
            flag_value=False,
            default=True,
            help="Neither use nor fill the cache of events read from calendars.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _source_options(kwargs: dict[str, Any]) -> SourceOptions:
    first, last = kwargs.pop("first"), kwargs.pop("last")
    return SourceOptions(
        ics=kwargs.pop("ics"),
        rules=kwargs.pop("rules"),
        period=kwargs.pop("period"),
        first=first.date() if first else None,
        last=last.date() if last else None,
        demo=kwargs.pop("demo"),
        prefilter=kwargs.pop("prefilter"),
        cache=kwargs.pop("cache"),
        google=kwargs.pop("google"),
    )


def _config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def _cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def _load_rules(explicit: Path | None) -> LoadedConfig:
    return config_module.load(pipeline.find_rules(explicit, Path.cwd(), _config_dir()))


PROGRESS_AFTER_SECONDS = 1.0


class _ProgressBar:
    """A transient bar on stderr, shown only on a terminal and only once reading is slow."""

    def __init__(self) -> None:
        self.console = _stderr()
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER_SECONDS:
                return
            self.bar = Progress(*Progress.get_default_columns(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(name)
        assert self.task is not None
        # A total of 0 means unknown (Google pages): the bar then just pulses.
        self.bar.update(self.task, description=f"Reading {name}", completed=done, total=total or None)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def _reading(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    if not (enabled and _stderr().is_terminal):
        yield None
        return
    bar = _ProgressBar()
    try:
        yield bar
    finally:
        bar.close()


def _setup(options: SourceOptions, now: datetime) -> tuple[LoadedConfig, list[Source], Period]:
    """The rules, the calendars and the period that the options name."""
    if options.demo:
        if options.ics or options.google:
            raise click.UsageError("--demo uses the bundled calendar; leave out --ics and --google")
        loaded = pipeline.demo_config() if options.rules is None else _load_rules(options.rules)
        if options.period or options.first:
            period = pipeline.resolve_period(loaded, options.period, options.first, options.last, now)
        else:
            period = pipeline.demo_period(loaded)
        return loaded, [pipeline.demo_source(loaded)], period
    loaded = _load_rules(options.rules)
    cache = EventCache(_cache_dir()) if options.cache else None
    sources = pipeline.build_sources(loaded, options.ics, options.prefilter, cache, options.google, _config_dir())
    return loaded, sources, pipeline.resolve_period(loaded, options.period, options.first, options.last, now)


def _fetcher(sources: list[Source], interactive: bool, warn_for: Period | None) -> Callable[[Period], Fetched]:
    """Read the calendars for a period; warnings are printed for ``warn_for`` only."""

    def fetch(period: Period) -> Fetched:
        with _reading(interactive) as progress:
            fetched = pipeline.fetch_all(sources, period, progress)
        if period == warn_for:
            _warn(fetched)
        return fetched

    return fetch


def _run(options: SourceOptions, interactive: bool) -> tuple[LoadedConfig, AuditResult]:
    loaded, sources, period = _setup(options, datetime.now(UTC))
    fetched = _fetcher(sources, interactive, period)(period)
    return loaded, pipeline.run_audit(loaded, fetched, period)


def _warn(fetched: Fetched) -> None:
    for message in fetched.warnings:
        click.echo(f"calaudit: warning: {message}", err=True)
    for invalid in fetched.invalid:
        click.echo(f"calaudit: warning: {invalid.warning()}", err=True)


def _plain_text(renderable: RenderableType, width: int = 100) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False).print(renderable)
    return buffer.getvalue()


@main.command()
@source_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file (atomically) instead of standard output.",
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
def audit(fmt: str, output: Path | None, by: str | None, fail_under: float | None, **kwargs: Any) -> None:
    """Hours per category against the target allocation."""
    options = _source_options(kwargs)
    _, result = _run(options, interactive=fmt == "table" and output is None)
    by_audience = by == "audience"
    if fmt == "table":
        renderable = table_report.render(result, by_audience)
        if output is None:
            _stdout().print(renderable)
        else:
            atomic_write(output, _plain_text(renderable).encode())
    else:
        renderer = {"json": json_report.render, "csv": csv_report.render, "md": markdown_report.render}[fmt]
        text = renderer(result, by_audience)
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write(output, text.encode())
    if fail_under is not None:
        check_coverage(result, fail_under)


def check_coverage(result: AuditResult, minimum: float) -> None:
    """The --fail-under gate: name what is unclassified so the fix is obvious."""
    if round(result.coverage, 1) >= minimum:
        return
    top = ", ".join(f"{t.title!r} ({t.hours:.1f} h)" for t in result.unclassified[:3])
    raise ThresholdError(
        f"coverage {result.coverage:.1f}% is below --fail-under {minimum:g}% in {result.period.label}; "
        f"top unclassified: {top}; add rules for them (see 'calaudit rules suggest')"
    )


@main.command()
@source_options
@click.option("--category", help="Only occurrences counted in this category id.")
@click.option("--unclassified", is_flag=True, help="Only occurrences no rule matched.")
@click.option("--search", metavar="TEXT", help="Only occurrences whose title contains TEXT.")
def explain(category: str | None, unclassified: bool, search: str | None, **kwargs: Any) -> None:
    """Every occurrence: start, counted hours, category and the rule that decided it."""
    options = _source_options(kwargs)
    _, result = _run(options, interactive=True)
    if category is not None and category not in {c.id for c in result.categories}:
        known = ", ".join(c.id for c in result.categories)
        raise click.BadParameter(f"unknown category '{category}'; known: {known}", param_hint="--category")
    rows = explain_report.select(result, category, unclassified, search)
    console = _stdout()
    console.print(explain_report.render(result, rows))
    total = sum(o.hours for o in rows)
    console.print(f"{len(rows)} occurrences, {total:.2f} counted hours in {result.period.label}")


@main.group()
def rules() -> None:
    """Check and test rules.yaml."""


@rules.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@source_options
def rules_check(file: Path | None, **kwargs: Any) -> None:
    """Validate rules.yaml, summarise it and point out rules that cannot work.

    With --ics, --google or --demo it also audits the period and reports how often each
    rule decided and which keywords matched nothing.
    """
    options = _source_options(kwargs)
    if file is not None and options.rules is not None:
        raise click.UsageError("give the rules file either as FILE or as --rules, not both")
    options.rules = file or options.rules
    with_source = bool(options.ics or options.google or options.demo)
    if with_source:
        loaded, sources, period = _setup(options, datetime.now(UTC))
    else:
        loaded = _load_rules(options.rules)
    config = loaded.config
    out = _stdout()
    out.print(f"{loaded.path or 'bundled demo rules'}: valid (rules version {loaded.digest[:12]})")
    out.print(f"time zone: {loaded.zone.key}" + ("" if config.timezone else " (this machine's)"))
    out.print(f"owner: {', '.join(config.owner) or '(not set: declined meetings cannot be recognised)'}")
    out.print(f"internal domains: {', '.join(config.internal_domains) or '(not set: everyone is external)'}")
    rule_counts: dict[str, int] = {}
    for rule in config.rules:
        key = "ignore" if rule.ignore else str(rule.category)
        rule_counts[key] = rule_counts.get(key, 0) + 1
    for cid, (_, category) in config.categories().items():
        out.print(f"  {cid:<14} {category.target:>5g}%  {rule_counts.get(cid, 0)} rule(s)  {category.label}")
    out.print(
        f"{len(config.rules)} rules ({rule_counts.get('ignore', 0)} ignore), "
        f"{len(config.examples)} examples, {len(config.sources)} sources"
    )
    findings = lint(config)
    if with_source:
        result = pipeline.run_audit(loaded, _fetcher(sources, True, period)(period), period)
        used = usage(config, result.occurrences)
        out.print(f"rule hits in {result.period.label} ({len(result.occurrences)} occurrences):")
        for index, hits in enumerate(used.hits):
            out.print(f"  rules[{index}] {hits:>5}  {config.rules[index].category or 'ignore'}")
        findings += used.unmatched
    for finding in findings:
        out.print(f"warning: {finding}")
    out.print(f"{len(findings)} warnings" if findings else "no warnings")


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
def rules_suggest(fmt: str, **kwargs: Any) -> None:
    """Group unclassified time by title and propose keywords for new rules."""
    _, result = _run(_source_options(kwargs), interactive=fmt == "table")
    found = suggest(result)
    if fmt == "yaml":
        click.echo(rules_report.yaml(result, found), nl=False)
    else:
        _stdout().print(rules_report.table(result, found))


@rules.command("test")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
def rules_test(file: Path | None) -> None:
    """Check every entry of 'examples:' against the rules (exit 5 on a mismatch)."""
    loaded = _load_rules(file)
    checks = check_examples(loaded.config)
    failed = [c for c in checks if not c.passed]
    for check in failed:
        got = f"{check.actual} ({check.rule})" if check.rule else check.actual
        click.echo(f"examples[{check.index}] {check.title!r}: expected {check.expected}, got {got}")
    if failed:
        raise ThresholdError(f"{len(failed)} of {len(checks)} examples failed in {loaded.path}")
    click.echo(f"{len(checks)} examples passed")


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def _smtp_password() -> str | None:
    return os.environ.get(deliver.PASSWORD_VARIABLE) or None


def _require_email(loaded: LoadedConfig) -> Email:
    if loaded.config.email is None:
        raise ConfigError(
            f"{loaded.path or 'rules'}: no 'email:' section; add to, from and smtp (see README, Email reports)"
        )
    return loaded.config.email


@main.command()
@source_options
@click.option("--format", "fmt", type=click.Choice(["html", "md", "text"]), default="html", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report (or with --email --dry-run the .eml) to this file.",
)
@click.option("--email", "send_email", is_flag=True, help="Mail the report to email.to of rules.yaml.")
@click.option("--dry-run", is_flag=True, help="With --email: write the message as an .eml file, send nothing.")
def report(fmt: str, output: Path | None, send_email: bool, dry_run: bool, **kwargs: Any) -> None:
    """The monthly report: actual vs target, what to move, costly series, trends."""
    if dry_run and not send_email:
        raise click.UsageError("--dry-run goes with --email")
    now = datetime.now(UTC)
    loaded, sources, period = _setup(_source_options(kwargs), now)
    monthly_report = scheduled.build_report(loaded, _fetcher(sources, True, period), period, now)
    if send_email:
        email = _require_email(loaded)
        message = scheduled.message(email, monthly_report, scheduled.render(monthly_report))
        if dry_run:
            target = output or Path(f"calaudit-{period.label}.eml")
            atomic_write(target, bytes(message))
            click.echo(f"wrote {target} (not sent)")
        else:
            deliver.send(message, email.smtp, _smtp_password())
            click.echo(f"sent the {period.label} report to {', '.join(email.to)}")
        return
    if fmt == "html":
        text = scheduled.render(monthly_report).html_inline
    else:
        text = text_report.markdown(monthly_report) if fmt == "md" else text_report.render(monthly_report)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text.encode())


@main.command()
@source_options
@click.option("--force", is_flag=True, help="Send even if this period was already delivered.")
@click.option("--verbose", "-v", is_flag=True, help="Say what was done (by default a success prints nothing).")
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="After delivering, exit 5 if classified coverage is below PCT percent.",
)
def cron(force: bool, verbose: bool, fail_under: float | None, **kwargs: Any) -> None:
    """Scheduled run: audit, render, email and record, once per period (default: last month)."""
    options = _source_options(kwargs)
    now = datetime.now(UTC)
    history = History(_data_dir())
    with scheduled.exclusive(_data_dir()):
        loaded, sources, period = _setup(options, now)
        email = _require_email(loaded)
        done = history.delivered(period.label, email.to)
        if done is not None and not force:
            click.echo(
                f"{period.label} was already delivered to {', '.join(email.to)} on "
                f"{done.finished_at:%Y-%m-%d %H:%M}; nothing sent (--force sends it again)"
            )
            return
        try:
            monthly_report = scheduled.build_report(loaded, _fetcher(sources, False, period), period, now)
            message = scheduled.message(email, monthly_report, scheduled.render(monthly_report))
            deliver.send(message, email.smtp, _smtp_password())
        except CalauditError as exc:
            history.record(Run(period.label, datetime.now(UTC), "failed", tuple(email.to), loaded.digest, {}, str(exc)))
            _alert(loaded, email, period, exc)
            raise
        history.record(scheduled.run_record(monthly_report.result, "sent", email.to, loaded.digest, datetime.now(UTC)))
    if verbose:
        click.echo(f"sent the {period.label} report to {', '.join(email.to)}")
    if fail_under is not None:
        check_coverage(monthly_report.result, fail_under)


def _alert(loaded: LoadedConfig, email: Email, period: Period, error: CalauditError) -> None:
    """Mail a short failure notice when asked to, unless mail itself is what failed."""
    if not email.alert_on_failure or isinstance(error, DeliveryError):
        return
    notice = scheduled.failure_notice(email, period, error)
    try:
        deliver.send(notice, email.smtp, _smtp_password())
    except CalauditError as alert_error:
        click.echo(f"calaudit: warning: the failure notice was not sent either: {alert_error}", err=True)


@main.command()
def history() -> None:
    """Past scheduled runs: period, when, status, recipients and hours per group."""
    runs = History(_data_dir()).runs()
    if not runs:
        click.echo("no runs recorded yet")
        return
    table = Table(show_edge=False, pad_edge=False)
    for name in ("Period", "Finished", "Status", "Recipients", "External h", "Internal h", "Total h", "Note"):
        table.add_column(name, justify="right" if name.endswith(" h") else "left")
    for run in runs:
        hours = [f"{run.hours[k]:.1f}" if k in run.hours else "" for k in ("external", "internal", "total")]
        table.add_row(
            run.period,
            f"{run.finished_at:%Y-%m-%d %H:%M}",
            run.status,
            ", ".join(run.recipients),
            *hours,
            run.message[:60],
        )
    _stdout().print(table)


@main.command()
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The rules file the scheduled run should use (default: the one found now).",
)
def schedule(rules: Path | None) -> None:
    """Print a crontab line and systemd units for the monthly run."""
    rules_path = pipeline.find_rules(rules, Path.cwd(), _config_dir()).resolve()
    click.echo(schedules.render(schedules.executable(), rules_path, _config_dir()), nl=False)


class DoctorFailed(CalauditError):
    """Carries the exit status of the first failed check."""

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.exit_status = status


class _Doctor:
    """One line per check; remembers the failures."""

    def __init__(self) -> None:
        self.failed: list[CalauditError] = []

    def check(self, name: str, probe: Callable[[], str]) -> None:
        try:
            click.echo(f"ok    {name}: {probe()}")
        except CalauditError as exc:
            self.failed.append(exc)
            click.echo(f"FAIL  {name}: {exc}")

    @staticmethod
    def skip(name: str, why: str) -> None:
        click.echo(f"skip  {name}: {why}")


@main.command()
@click.option("--rules", type=click.Path(path_type=Path, dir_okay=False))
def doctor(rules: Path | None) -> None:
    """Check configuration, calendars, email login and folders; exit 0 only if all pass."""
    doctor = _Doctor()
    found: list[LoadedConfig] = []

    def load() -> str:
        found.append(_load_rules(rules))
        return f"{found[0].path} is valid ({len(found[0].config.rules)} rules)"

    doctor.check("rules", load)
    if found:
        _doctor_sources(doctor, found[0])
        email = found[0].config.email
        if email is None:
            doctor.skip("email", "no 'email:' section in rules.yaml")
        else:
            doctor.check(f"email {email.smtp.host}:{email.smtp.port}", lambda: _smtp_login(email))
    for name, directory in (("data folder", _data_dir()), ("cache folder", _cache_dir())):
        doctor.check(name, partial(_writable, directory))
    if doctor.failed:
        raise DoctorFailed(f"{len(doctor.failed)} check(s) failed", doctor.failed[0].exit_status)


def _doctor_sources(doctor: _Doctor, loaded: LoadedConfig) -> None:
    if not loaded.config.sources:
        doctor.skip("calendars", "no 'sources:' in rules.yaml (audits then need --ics)")
        return
    now = datetime.now(UTC)
    period = pipeline.resolve_period(loaded, "this-month", None, None, now)
    sources = pipeline.build_sources(loaded, (), cache=EventCache(_cache_dir()), config_dir=_config_dir())
    for source in sources:
        if isinstance(source, google.GoogleSource):
            doctor.check(f"google sign-in {source.settings.token_file}", partial(_google_sign_in, source.settings, now))
        doctor.check(f"calendar {source.name}", partial(_occurrences, source, period))


def _google_sign_in(settings: google.GoogleSettings, now: datetime) -> str:
    """Token present, 0600, refreshable; and how long a Testing-mode sign-in has left."""
    if settings.service_account_file is not None:
        google.list_calendars(settings)
        return f"service account {settings.service_account_file} works (no browser sign-in needed)"
    if not settings.token_file.exists():
        raise SourceError(f"no Google sign-in at {settings.token_file}; run: {google.FIX_COMMAND}")
    mode = stat.S_IMODE(settings.token_file.stat().st_mode)
    if mode & 0o077:
        raise SourceError(
            f"{settings.token_file} is readable by others (mode {mode:o}); run: chmod 600 {settings.token_file}"
        )
    google.list_calendars(settings)
    signed_in = google.signed_in_at(settings)
    if signed_in is None:
        return "token refreshes"
    age = (now - signed_in).days
    if age >= google.TESTING_MODE_DAYS:
        return f"token refreshes {age} days after sign-in, so the OAuth app is not in Testing mode"
    expires = signed_in + timedelta(days=google.TESTING_MODE_DAYS)
    return (
        f"token refreshes; signed in {age} days ago: if the OAuth app is still in Testing mode this sign-in "
        f"stops working on {expires:%Y-%m-%d} (publish the app, see README)"
    )


def _occurrences(source: Source, period: Period) -> str:
    return f"readable, {len(source.fetch(period).events)} occurrences in {period.label}"


def _smtp_login(email: Email) -> str:
    deliver.check_login(email.smtp, _smtp_password())
    return "connected" + (f" and logged in as {email.smtp.user}" if email.smtp.user else "") + " (no mail sent)"


def _writable(directory: Path) -> str:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise CalauditError(f"{directory} is not writable: {exc.strerror}") from None
    return f"{directory} is writable"


@main.group()
def auth() -> None:
    """Sign in to calendar services."""


@auth.command("google")
@click.option(
    "--client-secrets",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="The OAuth client (type Desktop app) downloaded from Google Cloud.",
)
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser.")
@click.option(
    "--port", type=int, default=None, help="Local port for Google's redirect (default: 8765 with --no-browser)."
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use token_file/token_uri/api_endpoint of this rules file's google source.",
)
def auth_google(client_secrets: Path, no_browser: bool, port: int | None, rules: Path | None) -> None:
    """Sign in once with Google (read-only calendar access) and store the token, mode 0600."""
    try:
        found = pipeline.find_rules(rules, Path.cwd(), _config_dir())
    except ConfigError:
        found = None  # no rules file yet: the default token location
    loaded = config_module.load(found) if found else None
    settings = pipeline.google_settings(loaded, _config_dir())
    port = port if port is not None else (google_auth.NO_BROWSER_PORT if no_browser else 0)
    if no_browser:
        click.echo(google_auth.headless_help(port))
    google_auth.sign_in(
        client_secrets, settings.token_file, open_browser=not no_browser, port=port, now=datetime.now(UTC)
    )
    click.echo(f"signed in; token saved to {settings.token_file} (mode 0600)")
    readable = google.list_calendars(settings)
    primary = next((c.id for c in readable if c.primary), None)
    if primary:
        click.echo(f"account: {primary}; these calendars are now readable:")
    _print_calendars(readable)


@main.command()
@click.option("--rules", type=click.Path(path_type=Path, dir_okay=False))
def calendars(rules: Path | None) -> None:
    """List the Google calendars you can read, with ids and access roles."""
    loaded = _load_rules(rules)
    _print_calendars(google.list_calendars(pipeline.google_settings(loaded, _config_dir())))


def _print_calendars(found: list[google.CalendarInfo]) -> None:
    table = Table(show_edge=False, pad_edge=False)
    for name in ("Id", "Name", "Access"):
        table.add_column(name)
    for item in found:
        table.add_row(item.id + (" (primary)" if item.primary else ""), item.summary, item.access_role)
    _stdout().print(table)


@main.group()
def cache() -> None:
    """The cache of events read from calendars."""


@cache.command("clear")
def cache_clear() -> None:
    """Delete the cache; the next audit parses every calendar again."""
    store = EventCache(_cache_dir())
    if store.clear():
        click.echo(f"removed {store.path}")
    else:
        click.echo(f"no cache at {store.path}")


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
    """Write a commented rules.yaml template (never overwrites a file)."""
    atomic_write(path, pipeline.template(profile).encode(), exclusive=True)
    click.echo(
        f"wrote {path} ({profile} profile); set owner and internal_domains, then run 'calaudit rules check {path}'"
    )
