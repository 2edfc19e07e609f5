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
from .config import LoadedConfig
from .errors import ConfigError, UsageError
from .period import Period, date_range, month_period, parse_period
from .sources import Fetched, Source
from .sources.cache import EventCache
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


def build_sources(
    loaded: LoadedConfig, ics: Sequence[str], prefilter: bool = True, cache: EventCache | None = None
) -> list[Source]:
    """Sources from --ics, or else from the ``sources:`` list of rules.yaml."""
    owner, zone = loaded.config.owner, loaded.zone
    if ics:
        return [IcsSource(location, owner, zone, prefilter=prefilter, cache=cache) for location in ics]
    sources: list[Source] = []
    for index, entry in enumerate(loaded.config.sources):
        if entry.ics is None:
            raise ConfigError(
                f"sources[{index}].google: this version of calaudit reads .ics files and iCal "
                "URLs only; use Google Calendar's secret iCal address with 'ics:' instead"
            )
        sources.append(IcsSource(loaded.resolve(entry.ics), owner, zone, prefilter=prefilter, cache=cache))
    if not sources:
        raise UsageError(
            "no calendar given: pass --ics FILE_OR_URL, add 'sources:' to rules.yaml, or try 'calaudit audit --demo'"
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
        if progress is None:
            merged.extend(source.fetch(period))
        else:
            merged.extend(source.fetch(period, partial(progress, source.name)))
    return merged


def run_audit(loaded: LoadedConfig, fetched: Fetched, period: Period) -> AuditResult:
    return audit(fetched.events, loaded.config, period, fetched.invalid)
