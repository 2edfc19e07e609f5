"""Test helpers: the fixture rules, and auditing fixture calendars by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from calaudit import config as config_module
from calaudit.audit import AuditResult, audit
from calaudit.config import LoadedConfig
from calaudit.models import Event, Fetched
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


TITLE_OF = {"sales": "Customer call", "recruiting": "Interview", "culture": "1:1", "ops": "Standup", "other": "Coffee"}
"""A title that the fixture rules put in each category (``other``: no rule matches)."""
CHUNK_HOURS = 4.0


def audit_hours(
    period: str = "2026-03", tolerance: float = 5.0, loaded: LoadedConfig | None = None, **hours: float
) -> AuditResult:
    """An audit (by default of the fixture rules) over events giving each category exactly ``hours``.

    Events are at most 4 h, two a day (09:00 and 14:00 New York), so that no overlap,
    day boundary or cap changes what they count; they fill the month from its 1st.
    """
    loaded = loaded or fixture_rules(tolerance=tolerance)
    zone = ZoneInfo("America/New_York")
    first = parse_period(period, loaded.zone, NOW).first_day
    slots = (datetime(first.year, first.month, first.day, h, tzinfo=zone) + timedelta(days=d)
             for d in range(31) for h in (9, 14))  # fmt: skip
    events = []
    for category, total in hours.items():
        left = round(total * 60)
        while left > 0:
            minutes = min(left, round(CHUNK_HOURS * 60))
            start = next(slots)
            uid = f"{category}-{len(events)}"
            events.append(Event(uid=uid, title=TITLE_OF[category], calendar="t", start=start,
                                end=start + timedelta(minutes=minutes)))  # fmt: skip
            left -= minutes
    return audit(events, loaded.config, parse_period(period, loaded.zone, NOW))
