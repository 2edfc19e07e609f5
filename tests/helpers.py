"""Test helpers: the fixture rules, and auditing fixture calendars by name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from calaudit import config as config_module
from calaudit.audit import AuditResult, audit
from calaudit.config import LoadedConfig
from calaudit.models import Fetched
from calaudit.period import parse_period
from calaudit.sources.ics import IcsSource

DATA = Path(__file__).parent / "data"
ICS = DATA / "ics"
RULES = DATA / "rules.yaml"
NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)


def fixture_rules(**accounting: Any) -> LoadedConfig:
    loaded = config_module.load(RULES)
    if not accounting:
        return loaded
    config = loaded.config.model_copy(update={"accounting": loaded.config.accounting.model_copy(update=accounting)})
    return LoadedConfig(config, loaded.path, loaded.digest)


def fetch(*names: str, period: str = "2026-03", loaded: LoadedConfig | None = None) -> Fetched:
    loaded = loaded or fixture_rules()
    fetched = Fetched()
    for name in names:
        source = IcsSource(str(ICS / name), loaded.config.owner, loaded.zone)
        fetched.extend(source.fetch(parse_period(period, loaded.zone, NOW)))
    return fetched


def audit_fixture(*names: str, period: str = "2026-03", **accounting: Any) -> AuditResult:
    loaded = fixture_rules(**accounting)
    fetched = fetch(*names, period=period, loaded=loaded)
    return audit(fetched.events, loaded.config, parse_period(period, loaded.zone, NOW), fetched.invalid)


def category_hours(result: AuditResult) -> dict[str, float]:
    """Hours per category, leaving out the categories with none."""
    return {c.id: c.hours for c in result.categories if c.hours or c.events}
