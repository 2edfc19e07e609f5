"""The core entry points of the commands: inputs -> rules, sources, period -> fetch -> audit.

A command names its inputs (``Inputs``) and calls ``prepare``, ``audit`` or
``monthly_report``; nothing here prints: warnings come back with the results.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .env import Env
from .errors import ConfigError, OutputError, ThresholdError, UsageError
from .models import Fetched
from .period import Period, date_range, following, month_period, parse_period
from .sources import Source, no_progress
from .storage import atomic_write

if TYPE_CHECKING:
    from .audit import AuditResult
    from .breakdown import Views
    from .config import GoogleEntry, LoadedConfig
    from .monthly import MonthlyReport
    from .plan import Plan
    from .sources.cache import EventCache
    from .sources.google import GoogleSettings

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
    from .config import parse

    return parse(template("startup").encode(), "(bundled demo rules)")


def demo_source(loaded: LoadedConfig) -> Source:
    """The bundled calendar; it is small, so it is never cached."""
    from .sources.ics import IcsSource

    path = resources.files("calaudit").joinpath("data", DEMO_CALENDAR)
    return IcsSource(str(path), loaded.config.owner, loaded.zone, unread=unread_fields(loaded))


def unread_fields(loaded: LoadedConfig) -> frozenset[str]:
    """The event fields an .ics calendar need not read: those only rules read, when no rule does."""
    from .rules import fields_read
    from .sources.ics import UNREAD_FIELDS

    return frozenset(UNREAD_FIELDS.keys() - set(fields_read(loaded.config.rules)))


def demo_period(loaded: LoadedConfig) -> Period:
    return month_period(DEMO_MONTH, loaded.zone)


GOOGLE_TOKEN_FILE = "google-token.json"  # noqa: S105 - a file name


def google_settings(loaded: LoadedConfig | None, config_dir: Path, entry: GoogleEntry | None = None) -> GoogleSettings:
    """Credentials and endpoint for Google: from ``entry``, else the first google source
    of the rules, else the defaults (the token file in ``config_dir``)."""
    from .config import GoogleEntry
    from .sources.google import GoogleSettings  # the Google client libraries: only for Google calendars

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
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> list[Source]:
    """Sources from --ics and --google, or else from the ``sources:`` list of rules.yaml.

    ``config_dir`` holds the default Google token file; ``timeout`` and ``max_bytes``
    bound each download of an iCal URL (None: the source's defaults).
    """
    from .sources.ics import IcsSource  # icalendar: only when calendars are read

    owner, zone = frozenset(loaded.config.owner), loaded.zone
    config_dir = config_dir or Path.cwd()
    limits: dict[str, Any] = {"prefilter": prefilter, "cache": cache, "unread": unread_fields(loaded)}
    limits |= {"timeout": timeout} if timeout is not None else {}
    limits |= {"max_bytes": max_bytes} if max_bytes is not None else {}
    sources: list[Source] = [IcsSource(location, owner, zone, **limits) for location in ics]
    if google is not None:
        sources.append(_google_source(google, google_settings(loaded, config_dir), owner, zone))
    if sources:
        return sources
    for entry in loaded.config.sources:
        if entry.google is not None:
            settings = google_settings(loaded, config_dir, entry.google)
            sources.append(_google_source(entry.google.calendar, settings, owner, zone))
        elif entry.ics is not None:
            sources.append(IcsSource(loaded.resolve(entry.ics), owner, zone, **limits))
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
    return parse_period(default if name is None else name, loaded.zone, now)  # "": an unset $PERIOD is an error


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
    from .audit import audit  # pandas: only when something is audited

    return audit(fetched.events, loaded.config, period, fetched.invalid, fetched.newest)


def _google_source(calendar: str, settings: GoogleSettings, owner: frozenset[str], zone: ZoneInfo) -> Source:
    from .sources.google import GoogleSource  # the Google client libraries: only for Google calendars

    return GoogleSource(calendar, settings, owner, zone)


ReadProgress = Callable[[str, int, int], None]
"""Hears (source name, done, total) while calendars are read."""


@dataclass
class Inputs:
    """What a command names: which calendars, which rules, which period."""

    ics: tuple[str, ...] = ()
    rules: Path | None = None
    period: str | None = None
    first: date | None = None
    last: date | None = None
    demo: bool = False
    prefilter: bool = True
    cache: bool = True
    google: str | None = None
    timeout: float | None = None
    """Seconds for each download of an iCal URL, retries included (None: 60)."""
    max_download_mb: float | None = None
    """Size cap of each download, in MB (None: 200)."""

    @property
    def names_source(self) -> bool:
        return bool(self.ics or self.google or self.demo)


@dataclass(frozen=True)
class Setup:
    loaded: LoadedConfig
    sources: list[Source]
    period: Period


def load_rules(explicit: Path | None, env: Env) -> LoadedConfig:
    from .config import load  # pydantic and YAML: not for --help

    return load(find_rules(explicit, env.cwd, env.config_dir))


def prepare(inputs: Inputs, env: Env, default_period: str = "last-month") -> Setup:
    """The rules, the calendars and the period that the inputs name."""
    if inputs.demo:
        if inputs.ics or inputs.google:
            raise UsageError("--demo uses the bundled calendar; leave out --ics and --google")
        loaded = demo_config() if inputs.rules is None else load_rules(inputs.rules, env)
        if inputs.period is not None or inputs.first:
            period = resolve_period(loaded, inputs.period, inputs.first, inputs.last, env.now(), default_period)
        else:
            period = demo_period(loaded)
        return Setup(loaded, [demo_source(loaded)], period)
    loaded = load_rules(inputs.rules, env)
    from .sources.cache import EventCache

    cache = EventCache(env.cache_dir) if inputs.cache else None
    max_bytes = int(inputs.max_download_mb * 1_000_000) if inputs.max_download_mb is not None else None
    sources = build_sources(
        loaded, inputs.ics, inputs.prefilter, cache, inputs.google, env.config_dir, inputs.timeout, max_bytes
    )
    period = resolve_period(loaded, inputs.period, inputs.first, inputs.last, env.now(), default_period)
    return Setup(loaded, sources, period)


@dataclass(frozen=True)
class Audited:
    """An audit and what the user should hear about the reading behind it."""

    loaded: LoadedConfig
    result: AuditResult
    warnings: list[str] = field(default_factory=list)


def warnings_of(fetched: Fetched, result: AuditResult | None = None) -> list[str]:
    """What the reading and (given ``result``) the audit of a period must tell the user."""
    audit_warnings = result.warnings if result is not None else ()
    return [*fetched.warnings, *(invalid.warning() for invalid in fetched.invalid), *audit_warnings]


def audit_setup(setup: Setup, progress: ReadProgress | None = None) -> Audited:
    fetched = fetch_all(setup.sources, setup.period, progress)
    result = run_audit(setup.loaded, fetched, setup.period)
    return Audited(setup.loaded, result, warnings_of(fetched, result))


def audit(inputs: Inputs, env: Env, progress: ReadProgress | None = None) -> Audited:
    """``calaudit audit``: the period's hours per category against the targets."""
    return audit_setup(prepare(inputs, env), progress)


@dataclass(frozen=True)
class Monthly:
    loaded: LoadedConfig
    report: MonthlyReport
    warnings: list[str] = field(default_factory=list)
    """About the reported period only; the trend periods are read quietly."""


def monthly_report(setup: Setup, now: datetime, progress: ReadProgress | None = None) -> Monthly:
    """Audit the period, re-audit the ones before it from the source for trends, and plan
    the one after it exactly as ``calaudit plan`` would (reusing the audits made here)."""
    from . import monthly

    periods = [*previous_periods(setup.period, monthly.TREND_PERIODS), setup.period]
    fetched = [fetch_all(setup.sources, p, progress) for p in periods]
    results = [run_audit(setup.loaded, f, p) for f, p in zip(fetched, periods, strict=True)]
    committed = audit_period(setup, following(setup.period), progress)
    try:
        next_plan: Plan | None = plan_of(setup, committed, now, None, progress, results)
    except UsageError:
        next_plan = None  # no earlier period with events to base targets on
    report = monthly.build(results[-1], results[:-1], setup.loaded.digest, now, next_plan)
    return Monthly(setup.loaded, report, warnings_of(fetched[-1], results[-1]))


def check_coverage(result: AuditResult, minimum: float) -> None:
    """The --fail-under gate: name what is unclassified so the fix is obvious."""
    if round(result.coverage, 1) >= minimum:
        return
    top = ", ".join(f"{t.title!r} ({t.hours:.1f} h)" for t in result.unclassified[:3])
    raise ThresholdError(
        f"coverage {result.coverage:.1f}% is below --fail-under {minimum:g}% in {result.period.label}; "
        f"top unclassified: {top}; add rules for them (see 'calaudit rules suggest')"
    )


def write_template(path: Path, profile: str) -> None:
    """``calaudit init``: the template at ``path``, never over an existing file."""
    text = template(profile)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    atomic_write(path, text.encode(), exclusive=True)


def audit_period(setup: Setup, period: Period, progress: ReadProgress | None = None) -> AuditResult:
    """Another period from the same calendars and rules; its reading warnings are not repeated."""
    return run_audit(setup.loaded, fetch_all(setup.sources, period, progress), period)


def previous_periods(period: Period, count: int) -> list[Period]:
    """The ``count`` periods of the same kind before ``period``, oldest first."""
    found: list[Period] = []
    for _ in range(count):
        found.insert(0, (found[0] if found else period).previous())
    return found


def audit_views(
    inputs: Inputs,
    env: Env,
    by_week: bool = False,
    compare: str | None = None,
    trend: int = 0,
    progress: ReadProgress | None = None,
) -> tuple[Audited, Views]:
    """``calaudit audit`` with ``--by week``, ``--compare PERIOD|previous`` and ``--trend N``."""
    from .breakdown import Views, compare_with, weeks

    setup = prepare(inputs, env)
    audited = audit_setup(setup, progress)
    result = audited.result
    comparison = None
    if compare is not None:
        other = (
            setup.period.previous() if compare == "previous" else parse_period(compare, setup.loaded.zone, env.now())
        )
        comparison = compare_with(result, audit_period(setup, other, progress))
    views = Views(
        weeks=weeks(result, setup.loaded.config) if by_week else (),
        comparison=comparison,
        trend=tuple(audit_period(setup, p, progress) for p in previous_periods(setup.period, trend)),
    )
    return audited, views


@dataclass(frozen=True)
class Planned:
    loaded: LoadedConfig
    plan: Plan
    warnings: list[str] = field(default_factory=list)


def plan(inputs: Inputs, env: Env, basis_hours: float | None = None, progress: ReadProgress | None = None) -> Planned:
    """``calaudit plan``: the coming period (default next month; with --demo the month after the demo)."""
    setup = prepare(inputs, env, default_period="next-month")
    if inputs.demo and inputs.period is None and not inputs.first:
        setup = Setup(setup.loaded, setup.sources, following(setup.period))
    fetched = fetch_all(setup.sources, setup.period, progress)
    committed = run_audit(setup.loaded, fetched, setup.period)
    return Planned(setup.loaded, plan_of(setup, committed, env.now(), basis_hours, progress), warnings_of(fetched))


def plan_of(
    setup: Setup,
    committed: AuditResult,
    now: datetime,
    basis_hours: float | None = None,
    progress: ReadProgress | None = None,
    audited: Sequence[AuditResult] = (),
) -> Plan:
    """The plan for ``committed``'s period; the basis comes from earlier periods that ended by
    ``now`` (those in ``audited`` are not audited again)."""
    from . import plan as plan_module

    known = {result.period.label: result for result in audited}
    earlier: list[AuditResult] = []
    if basis_hours is None:
        for period in reversed(previous_periods(committed.period, plan_module.LOOK_BACK)):
            if period.end > now:
                continue
            earlier.append(known.get(period.label) or audit_period(setup, period, progress))
            if plan_module.enough(earlier):
                break
    return plan_module.build(committed, earlier, basis_hours)


def refuse_overwriting_inputs(output: Path | None, inputs: Inputs, loaded: LoadedConfig) -> None:
    """A report written over the calendar or the rules it was made from loses them: refuse."""
    from .sources.download import is_url

    if output is None or str(output) == "-":
        return
    calendars = [*inputs.ics, *(loaded.resolve(s.ics) for s in loaded.config.sources if s.ics is not None)]
    local = [Path(c).expanduser() for c in calendars if not is_url(c)]
    if loaded.path is not None:
        local.append(Path(loaded.path))
    target = Path(os.path.realpath(output))
    for path in local:
        if Path(os.path.realpath(path)) == target:
            raise OutputError(f"{output}: is an input of this run ({path}); write the report to another file")
