"""``doctor``, ``auth google``, ``calendars`` and ``cache clear``: setting up and checking."""

from __future__ import annotations

from pathlib import Path

import click

from .. import pipeline
from ..errors import CalauditError, ConfigError
from ..models import one_line
from .app import env, main, stdout

DOCTOR_MARK = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}


class DoctorFailed(CalauditError):
    """Carries the exit status of the first failed check."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.exit_status = status  # type: ignore[assignment]


@main.command()
@click.option("--rules", type=click.Path(path_type=Path, dir_okay=False))
def doctor(rules: Path | None) -> None:
    """Check configuration, calendars (last month, as cron reads them), email login and folders."""
    from .. import doctor as doctor_checks
    from ..report import count

    checks = doctor_checks.check(rules, env())
    for check in checks:
        click.echo(f"{DOCTOR_MARK[check.status]}  {one_line(check.name)}: {one_line(check.detail)}")
    failed = [c.error for c in checks if c.error is not None]
    if failed:
        raise DoctorFailed(f"{count(len(failed), 'check')} failed", failed[0].exit_status)


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
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Local port for Google's redirect (default: 8765 with --no-browser, else any free one).",
)
@click.option(
    "--rules",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use token_file/token_uri/api_endpoint of this rules file's google source.",
)
def auth_google(client_secrets: Path, no_browser: bool, port: int | None, rules: Path | None) -> None:
    """Sign in once with Google (read-only calendar access) and store the token, mode 0600."""
    from ..config import load
    from ..report import listings
    from ..sources import google, google_auth

    run_env = env()
    try:
        found = pipeline.find_rules(rules, run_env.cwd, run_env.config_dir)
    except ConfigError:
        found = None  # no rules file yet: the default token location
    loaded = load(found) if found else None
    settings = pipeline.google_settings(loaded, run_env.config_dir)
    port = port if port is not None else (google_auth.NO_BROWSER_PORT if no_browser else 0)
    if no_browser:
        click.echo(google_auth.headless_help(port))
    google_auth.sign_in(client_secrets, settings.token_file, open_browser=not no_browser, port=port, now=run_env.now())
    click.echo(f"signed in; token saved to {settings.token_file} (mode 0600)")
    readable = google.list_calendars(settings)
    primary = next((c.id for c in readable if c.primary), None)
    if primary:
        click.echo(f"account: {primary}; these calendars are now readable:")
    stdout().print(listings.calendars(readable))


@main.command()
@click.option("--rules", type=click.Path(path_type=Path, dir_okay=False))
def calendars(rules: Path | None) -> None:
    """List the Google calendars you can read, with ids and access roles."""
    from ..report import listings
    from ..sources import google

    run_env = env()
    loaded = pipeline.load_rules(rules, run_env)
    stdout().print(listings.calendars(google.list_calendars(pipeline.google_settings(loaded, run_env.config_dir))))


@main.group()
def cache() -> None:
    """The cache of events read from calendars."""


@cache.command("clear")
def cache_clear() -> None:
    """Delete the cache; the next audit parses every calendar again."""
    from ..sources.cache import EventCache

    store = EventCache(env().cache_dir)
    if store.clear():
        click.echo(f"removed {store.path}")
    else:
        click.echo(f"no cache at {store.path}")
