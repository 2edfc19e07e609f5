"""Calendars from the wild: the test calendars that icalendar and recurring-ical-events
ship in their own packages (exports of Google, Outlook, Apple, Thunderbird, Nextcloud,
khal and many broken ones). Nothing of theirs is copied here; the tests read them from
the installed packages and are skipped when a package ships none.

What the libraries can expand, calaudit must audit (exit 0), on both reading paths and
with the same result; anything else must end with one clear line, never a traceback.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import x_wr_timezone
from click.testing import CliRunner

from calaudit.cli import main

RULES = """\
version: 1
timezone: America/Chicago
allocation:
  external: {label: External, categories: {a: {label: A, target: 50}}}
  internal: {label: Internal, categories: {b: {label: B, target: 50}}}
rules:
  - {category: a, title: [event, meeting]}
"""
LIBRARIES = [Path(icalendar.__file__).parent / "tests" / "calendars",
             Path(recurring_ical_events.__file__).parent / "test" / "calendars"]  # fmt: skip
CALENDARS = sorted(path for folder in LIBRARIES if folder.is_dir() for path in folder.glob("*.ics"))
NOT_CALENDARS = {
    "issue_178_component_with_invalid_name_represented.ics",
    "issue_178_custom_component_contains_other.ics",
}
"""These start with a component other than VCALENDAR: an error by design (exit 3)."""


def month_of(raw: bytes) -> str:
    for match in re.finditer(rb"DTSTART[^:\n]*:(\d{4})(\d{2})", raw):
        if 1 <= int(match[2]) <= 12 and 1900 < int(match[1]) < 2100:
            return f"{match[1].decode()}-{match[2].decode()}"
    return "2026-03"


def libraries_can_expand(raw: bytes, period: str) -> bool:
    year, month = map(int, period.split("-"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            list(recurring_ical_events.of(icalendar.Calendar.from_ical(raw)).at((year, month)))
    except Exception:  # noqa: BLE001 - any failure means the libraries cannot read it
        return False
    return True


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("wild") / "rules.yaml"
    path.write_text(RULES)
    return path


@pytest.mark.slow
@pytest.mark.skipif(not CALENDARS, reason="the installed libraries ship no test calendars")
def test_calendars_from_the_wild(rules):
    runner = CliRunner()
    failures = []
    expandable = audited = 0
    for path in CALENDARS:
        raw = path.read_bytes()
        period = month_of(raw)
        outputs = []
        for extra in ([], ["--no-prefilter"]):
            args = ["audit", "--ics", str(path), "--rules", str(rules), "--period", period, "--format", "json"]
            result = runner.invoke(main, [*args, "--no-cache", *extra])
            outputs.append((result.exit_code, result.stdout))
            if result.exit_code == 1 or "Traceback" in result.output:
                failures.append(f"{path.name}: {result.output[-300:]}")
        if outputs[0] != outputs[1]:
            failures.append(f"{path.name}: the pre-filtered and the full parse differ")
        if libraries_can_expand(raw, period) and path.name not in NOT_CALENDARS:
            expandable += 1
            audited += outputs[0][0] == 0
    assert failures == []
    assert audited == expandable, f"{expandable - audited} calendars the libraries can expand were not audited"


FULL_RULES = RULES + "accounting: {overlap: full, free: count, multi_day: full}\n"
"""Every timed, not cancelled occurrence counts its whole elapsed time inside the period."""
CHICAGO = ZoneInfo("America/Chicago")
MARGIN = timedelta(days=2)


def independent_hours(raw: bytes, period: str) -> float | None:
    """Hours of the period by the libraries alone, over the whole file; None if they fail.

    The accounting of FULL_RULES, written out: timed occurrences (all-day ones are
    skipped), not STATUS:CANCELLED, not Outlook out-of-office, each counted once per UID
    and start instant, clipped to the month, elapsed time; floating times in Chicago.
    """
    year, month = map(int, period.split("-"))
    start = datetime(year, month, 1, tzinfo=CHICAGO)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=CHICAGO)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(raw))
            # A wider window, clipped below: the libraries can miss an occurrence that
            # starts just before an aware window start (an RDATE period in UTC, say).
            occurrences = list(recurring_ical_events.of(calendar).between(start - MARGIN, end + MARGIN))
    except Exception:  # noqa: BLE001 - any failure means the libraries cannot read it
        return None
    seen, total = set(), 0.0
    for component in occurrences:
        first, last = component.decoded("DTSTART"), component.decoded("DTEND")
        if not isinstance(first, datetime) or str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "OOF":
            continue
        first, last = (t if t.tzinfo else t.replace(tzinfo=CHICAGO) for t in (first, last))
        key = (str(component.get("UID", "")), first.astimezone(UTC))
        if key[0] and key in seen:
            continue
        seen.add(key)
        inside = (min(last, end).astimezone(UTC) - max(first, start).astimezone(UTC)).total_seconds()
        total += max(inside, 0.0) / 3600  # occurrences of the wider window outside the month add 0
    return total


@pytest.mark.slow
@pytest.mark.skipif(not CALENDARS, reason="the installed libraries ship no test calendars")
def test_hours_of_wild_calendars_agree_with_an_independent_expansion(tmp_path):
    rules = tmp_path / "full.yaml"
    rules.write_text(FULL_RULES)
    runner = CliRunner()
    compared, differences = 0, []
    for path in CALENDARS:
        if path.name in NOT_CALENDARS:
            continue
        raw = path.read_bytes()
        period = month_of(raw)
        expected = independent_hours(raw, period)
        if expected is None:
            continue
        args = ["audit", "--ics", str(path), "--rules", str(rules), "--period", period, "--format", "json"]
        result = runner.invoke(main, [*args, "--no-cache"])
        if result.exit_code != 0 or result.stderr:
            continue  # not a clean file: warnings and errors are checked above
        compared += 1
        total = json.loads(result.stdout)["hours"]["total"]
        if abs(total - expected) > 1e-6:
            differences.append(f"{path.name} {period}: calaudit {total:.4f} h, libraries {expected:.4f} h")
    assert differences == []
    assert compared >= 50, f"only {compared} calendars were compared"
