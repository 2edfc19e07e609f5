"""The bad-input corpus (tests/data/bad/README.md): one clear line, the right status."""

import json
import subprocess
import sys

import pytest

from tests.helpers import DATA, ICS, RULES

BAD = DATA / "bad"

pytestmark = pytest.mark.slow  # every test here runs calaudit in a subprocess


def calaudit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calaudit", *args], capture_output=True, text=True, timeout=120, check=False
    )


def audit_ics(path, *extra: str) -> subprocess.CompletedProcess[str]:
    return calaudit("audit", "--ics", str(path), "--rules", str(RULES), "--period", "2026-03", "--format", "json",
                    "--no-cache", *extra)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "status", "message", "invalid"),
    [
        ("truncated.ics", 3, "truncated iCalendar file", None),
        ("binary.ics", 3, "binary data", None),
        ("not-a-calendar.ics", 3, "does not start with BEGIN:VCALENDAR", None),
        ("empty.ics", 3, "the file is empty", None),
        ("no-events.ics", 0, "", 0),
        ("no-dtstart.ics", 0, "'Meeting without a start' (UID nostart@test): it has no DTSTART", 1),
        ("dtend-before-dtstart.ics", 0, "'Backwards meeting' (UID backwards@test): DTEND is before DTSTART", 1),
        ("unknown-tzid.ics", 0, "unknown time zone 'Mars/Olympus_Mons'", 1),
        ("absurd-rrule.ics", 0, "'Every second since 2001' (UID secondly@test): RRULE would need", 2),
        ("invalid-utf8.ics", 0, "not valid UTF-8", 0),
    ],
)
@pytest.mark.parametrize("prefilter", [True, False], ids=["prefilter", "full"])
def test_bad_calendars(name, status, message, invalid, prefilter):
    done = audit_ics(BAD / name, *([] if prefilter else ["--no-prefilter"]))
    assert done.returncode == status, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    if status:
        assert done.stdout == "" and done.stderr.count("\n") == 1
    else:
        assert json.loads(done.stdout)["skipped"]["invalid"]["events"] == invalid


def test_the_good_event_beside_bad_ones_is_counted():
    done = audit_ics(BAD / "absurd-rrule.ics")
    data = json.loads(done.stdout)
    # Customer call 1 h; "Daily standup forever" (COUNT=999999999) is 15 min a day, 31 days.
    assert data["hours"]["total"] == pytest.approx(1 + 31 * 0.25)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid-yaml.yaml", "invalid-yaml.yaml:4: invalid YAML: while parsing a flow sequence started on line 3"),
        ("tabs.yaml", "tabs.yaml:19: invalid YAML: found character '\\t' that cannot start any token; indent"),
        ("duplicate-keys.yaml", "duplicate-keys.yaml:4: invalid YAML: duplicate key 'timezone'"),
        ("unknown-key.yaml", "unknown-key.yaml:21: rules[1].titel: unknown key 'titel'"),
        ("wrong-type.yaml", "wrong-type.yaml:5: accounting.tolerance: Input should be a valid number"),
        ("targets-99.yaml", "targets-99.yaml:6: allocation: category targets add up to 99"),
        ("bad-regex.yaml", "bad-regex.yaml:25: rules[3].title[1]: regular expression /(incident/ does not compile"),
        ("slow-regex.yaml", "slow-regex.yaml:25: rules[3].title[1]: regular expression /^(a+)+$/ repeats"),
    ],
)
def test_bad_rules_files(name, message):
    done = calaudit("audit", "--ics", str(ICS / "dst.ics"), "--rules", str(BAD / name))
    assert done.returncode == 2
    assert done.stderr.startswith("calaudit: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_50_mb_calendar_is_scanned_not_parsed_whole(tmp_path):
    filler = "".join(f" {'x' * 73}\r\n" for _ in range(700_000))  # folded DESCRIPTION lines
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:old@test\r\nDTSTART:20190101T100000Z\r\nDTEND:20190101T110000Z\r\n"
        f"SUMMARY:Old\r\nDESCRIPTION:{filler}END:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:now@test\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T160000Z\r\n"
        "SUMMARY:Customer call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path = tmp_path / "big.ics"
    path.write_text(body)
    assert path.stat().st_size > 50_000_000
    done = audit_ics(path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hours"]["total"] == 1.0
