"""Glue shared by every command: find the rules, build the sources, fetch, audit."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial
from importlib import resources
from pathlib import Path

from . import config as config_module
from .audit import AuditResult, audit
from .config import GoogleEntry, LoadedConfig
from .errors import ConfigError, UsageError
from .models import Fetched
from .period import Period, date_range, month_period, parse_period
from .sources import Source, no_progress
from .sources.cache import EventCache
from .sources.google import GoogleSettings, GoogleSource
from .sources.ics import IcsSource

RULES_FILE = "rules.yaml"
PROFILES = ("startup", "enterprise")
DEMO_MONTH = date(2026, 3, 1)
DEMO_CALENDAR = "demo.ics"


def find_rules(explicit: Path | None, cwd: Path, config_dir: Path) -> Path:
    """--rules, else ./rules.yaml, else rules.yaml in the user config dir."""
    if explicit is not None:
        return explicit
    for candidate in (cwd / RULES_FILE, config_dir / RULES_FILE):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"no rules file: looked for ./{RULES_FILE} and {config_dir / RULES_FILE}; "
        "create one with 'calaudit init', pass --rules FILE, or try 'calaudit audit --demo'"
    )


def _data(*parts: str) -> bytes:
    return resources.files("calaudit").joinpath("data", *parts).read_bytes()


def template(profile: str) -> str:
    """The commented rules.yaml that ``calaudit init`` writes for a profile."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile '{profile}'; choose one of {', '.join(PROFILES)}")
    allocation = _data("templates", f"{profile}.yaml").decode()
    body = string.Template(_data("templates", "rules.yaml.tmpl").decode())
    return body.substitute(allocation=allocation)


def demo_config() -> LoadedConfig:
    return config_module.parse(template("startup").encode(), "(bundled demo rules)")


def demo_source(loaded: LoadedConfig) -> Source:
    """The bundled calendar; it is small, so it is never cached."""
    path = resources.files("calaudit").joinpath("data", DEMO_CALENDAR)
    return IcsSource(str(path), loaded.config.owner, loaded.zone)


def demo_period(loaded: LoadedConfig) -> Period:
    return month_period(DEMO_MONTH, loaded.zone)


GOOGLE_TOKEN_FILE = "google-token.json"  # noqa: S105 - a file name


def google_settings(loaded: LoadedConfig | None, config_dir: Path, entry: GoogleEntry | None = None) -> GoogleSettings:
    """Credentials and endpoint for Google: from ``entry``, else the first google source
    of the rules, else the defaults (the token file in ``config_dir``)."""
    if loaded is None:
        return GoogleSettings(token_file=config_dir / GOOGLE_TOKEN_FILE)
    if entry is None:
        entry = next((s.google for s in loaded.config.sources if s.google is not None), GoogleEntry())
    account = entry.service_account_file
    return GoogleSettings(
        token_file=Path(loaded.resolve(entry.token_file)) if entry.token_file else config_dir / GOOGLE_TOKEN_FILE,
        service_account_file=Path(loaded.resolve(account)) if account else None,
        subject=entry.subject,
        api_endpoint=entry.api_endpoint,
        token_uri=entry.token_uri,
    )


def build_sources(
    loaded: LoadedConfig,
    ics: Sequence[str],
    prefilter: bool = True,
    cache: EventCache | None = None,
    google: str | None = None,
    config_dir: Path | None = None,
) -> list[Source]:
    """Sources from --ics and --google, or else from the ``sources:`` list of rules.yaml.

    ``config_dir`` holds the default Google token file.
    """
    owner, zone = frozenset(loaded.config.owner), loaded.zone
    config_dir = config_dir or Path.cwd()
    sources: list[Source] = [IcsSource(location, owner, zone, prefilter=prefilter, cache=cache) for location in ics]
    if google is not None:
        sources.append(GoogleSource(google, google_settings(loaded, config_dir), owner, zone))
    if sources:
        return sources
    for entry in loaded.config.sources:
        if entry.google is not None:
            settings = google_settings(loaded, config_dir, entry.google)
            sources.append(GoogleSource(entry.google.calendar, settings, owner, zone))
        elif entry.ics is not None:
            sources.append(IcsSource(loaded.resolve(entry.ics), owner, zone, prefilter=prefilter, cache=cache))
    if not sources:
        raise UsageError(
            "no calendar given: pass --ics FILE_OR_URL or --google, add 'sources:' to rules.yaml, "
            "or try 'calaudit audit --demo'"
        )
    return sources


def resolve_period(
    loaded: LoadedConfig,
    name: str | None,
    first: date | None,
    last: date | None,
    now: datetime,
    default: str = "last-month",
) -> Period:
    if (first is None) != (last is None):
        raise UsageError("--from and --to go together; give both dates (YYYY-MM-DD)")
    if first is not None and last is not None:
        if name is not None:
            raise UsageError("give either --period or --from/--to, not both")
        return date_range(first, last, loaded.zone)
    return parse_period(name or default, loaded.zone, now)


def fetch_all(
    sources: Sequence[Source],
    period: Period,
    progress: Callable[[str, int, int], None] | None = None,
) -> Fetched:
    """Every source's events; ``progress`` hears (source name, done, total)."""
    merged = Fetched()
    for source in sources:
        merged.extend(source.fetch(period, partial(progress, source.name) if progress else no_progress))
    return merged


def run_audit(loaded: LoadedConfig, fetched: Fetched, period: Period) -> AuditResult:
    return audit(fetched.events, loaded.config, period, fetched.invalid)
