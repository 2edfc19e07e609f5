"""``calaudit doctor``: every check a scheduled run depends on, as data.

Each check either passes with a short detail, fails with the error a real run would
raise (and so its exit status), or is skipped with the reason.
"""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Literal

from . import deliver, pipeline
from .config import Email, LoadedConfig
from .env import Env
from .errors import CalauditError, OutputError, SourceError
from .period import Period
from .report import count
from .sources import Source, google
from .sources.cache import EventCache
from .sources.google import GoogleSettings, GoogleSource

SCHEDULED_PERIOD = "last-month"
"""The period ``calaudit cron`` audits by default, so the one worth checking."""


@dataclass(frozen=True)
class Check:
    name: str
    status: Literal["ok", "fail", "skip"]
    detail: str
    error: CalauditError | None = None


def _run(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, "ok", probe())
    except CalauditError as exc:
        return Check(name, "fail", str(exc), exc)


def check(rules: Path | None, env: Env) -> list[Check]:
    """Rules, calendars (the scheduled period), Google sign-in, email login, folders."""
    found: list[LoadedConfig] = []

    def load() -> str:
        found.append(pipeline.load_rules(rules, env))
        return f"{found[0].path} is valid ({count(len(found[0].config.rules), 'rule')})"

    checks = [_run("rules", load)]
    if found:
        checks += _sources(found[0], env)
        checks.append(_email(found[0].config.email, env))
    for name, directory in (("data folder", env.data_dir), ("cache folder", env.cache_dir)):
        checks.append(_run(name, partial(_writable, directory)))
    return checks


def _sources(loaded: LoadedConfig, env: Env) -> list[Check]:
    if not loaded.config.sources:
        return [Check("calendars", "skip", "no 'sources:' in rules.yaml (audits then need --ics)")]
    now = env.now()
    period = pipeline.resolve_period(loaded, SCHEDULED_PERIOD, None, None, now)
    sources = pipeline.build_sources(loaded, (), cache=EventCache(env.cache_dir), config_dir=env.config_dir)
    checks = []
    for source in sources:
        if isinstance(source, GoogleSource):
            token = source.settings.token_file
            checks.append(_run(f"google sign-in {token}", partial(_google_sign_in, source.settings, now)))
        checks.append(_run(f"calendar {source.name}", partial(_occurrences, source, period)))
    return checks


def _email(email: Email | None, env: Env) -> Check:
    if email is None:
        return Check("email", "skip", "no 'email:' section in rules.yaml")
    return _run(f"email {email.smtp.host}:{email.smtp.port}", partial(_smtp_login, email, env.smtp_password))


def _google_sign_in(settings: GoogleSettings, now: datetime) -> str:
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
    return f"readable, {count(len(source.fetch(period).events), 'occurrence')} in {period.label}"


def _smtp_login(email: Email, password: str | None) -> str:
    deliver.check_login(email.smtp, password)
    return "connected" + (f" and logged in as {email.smtp.user}" if email.smtp.user else "") + " (no mail sent)"


def _writable(directory: Path) -> str:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise OutputError(f"{directory} is not writable: {exc.strerror}") from None
    return f"{directory} is writable"
