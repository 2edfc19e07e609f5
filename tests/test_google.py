"""The Google source: the real googleapiclient against a Google-compatible loopback server."""

from __future__ import annotations

import email.utils
import json
import os
import stat
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import googleapiclient.http
import httplib2
import pytest
from click.testing import CliRunner

from calaudit.cli import main
from calaudit.errors import SourceError
from calaudit.models import Attendee, Event, InvalidEvent, Response
from calaudit.period import parse_period
from calaudit.sources import google as google_module
from calaudit.sources.google import PAGE_SIZE, CalendarInfo, GoogleSettings, GoogleSource, list_calendars
from tests.google_server import GOOD_REFRESH, REVOKED_REFRESH, FakeGoogle, google_events
from tests.helpers import ICS, NOW, RULES

FILES = [ICS / "recurrence.ics", ICS / "skips.ics", ICS / "out-of-office.ics"]
CLIENT_SECRET = "client-s3cret-value"
# The March hours of FILES, by hand (no two counted events overlap):
#   recurrence.ics: Standup 2 Mar 0.5 + moved 17 Mar 1.0 + 30 Mar 0.5 = ops 2.0 (23 Mar cancelled);
#                   1:1 Ana 30 and 31 Mar = culture 1.0; Customer call 6 Mar 11-12 = sales 1.0
#   skips.ics:      1:1 Chen (tentative, counted) 0.5 + 1:1 Bo 1.0 = culture 1.5; Coffee 1.0 unclassified
#   out-of-office.ics: the dentist is out_of_office, not counted
FILES_HOURS = {"total": 6.5, "classified": 5.5, "unclassified": 1.0}
FILES_CATEGORIES = {"sales": 1.0, "recruiting": 0.0, "culture": 2.5, "ops": 2.0}


def token_file(
    tmp_path: Path, refresh: str = GOOD_REFRESH, token: str | None = None, token_uri: str | None = None
) -> Path:
    info = {
        "refresh_token": refresh,
        "client_id": "calaudit.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
    }
    if token:
        info |= {"token": token, "expiry": "2099-01-01T00:00:00Z"}
    if token_uri:
        info["token_uri"] = token_uri
    path = tmp_path / "google-token.json"
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


def rules(tmp_path: Path, server: FakeGoogle, token: Path, calendar: str = "primary", token_uri: bool = True) -> Path:
    path = tmp_path / "rules.yaml"
    uri = f", token_uri: {server.token_uri}" if token_uri else ""
    path.write_text(
        RULES.read_text()
        + f"sources:\n  - google: {{calendar: {calendar}, token_file: {token}, "
        + f"api_endpoint: {server.api_endpoint}{uri}}}\n"
    )
    return path


def audit_json(*args: str):
    result = CliRunner().invoke(main, ["audit", "--period", "2026-03", "--format", "json", "--no-cache", *args])
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


def comparable(data: dict) -> dict:
    """What must agree between .ics and Google: Google leaves cancelled instances out."""
    return {
        "hours": data["hours"],
        "categories": [(c["id"], c["hours"], c["events"]) for c in data["categories"]],
        "unclassified": data["unclassified"],
        "skipped": {k: v for k, v in data["skipped"].items() if k != "cancelled"},
    }


def test_google_gives_the_same_hours_as_the_ics_export(tmp_path):
    # Recurring, moved and cancelled instances; declined under an alias (Google marks the
    # user's own entry self: true, the address is not in owner); free, all-day, tentative,
    # ignored and out-of-office events. The token file holds only a refresh token; the
    # token endpoint and API endpoint come from rules.yaml.
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}, page_size=3) as server:
        google, google_data = audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path))))
    _, ics_data = audit_json("--rules", str(RULES), *(x for f in FILES for x in ("--ics", str(f))))
    assert google.exit_code == 0, google.output
    assert comparable(google_data) == comparable(ics_data)
    assert google_data["hours"] == FILES_HOURS
    assert {c["id"]: c["hours"] for c in google_data["categories"]} == FILES_CATEGORIES
    assert google_data["skipped"]["declined"]["events"] == 1
    assert google_data["skipped"]["out_of_office"] == {"events": 1, "hours": 8.0}
    assert ("POST", "/token") in server.log
    assert sum(1 for method, path in server.log if path.endswith("/events")) >= 4  # paginated


def test_a_refreshed_token_is_saved_atomically_with_mode_0600(tmp_path):
    token = token_file(tmp_path, token_uri=None)
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        result, _ = audit_json("--rules", str(rules(tmp_path, server, token)))
    assert result.exit_code == 0, result.output
    saved = json.loads(token.read_text())
    assert saved["token"].startswith("access-") and saved["refresh_token"] == GOOD_REFRESH
    assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_token_file_with_nothing_but_a_refresh_token(tmp_path):
    token = tmp_path / "bare-token.json"
    token.write_text(json.dumps({"refresh_token": GOOD_REFRESH}))
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        result, data = audit_json("--rules", str(rules(tmp_path, server, token)))
    assert result.exit_code == 0, result.output
    assert data["hours"] == FILES_HOURS
    assert json.loads(token.read_text())["token"].startswith("access-")


def test_token_uri_from_the_token_file_is_honoured(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        token = token_file(tmp_path, token_uri=server.token_uri)
        result, data = audit_json("--rules", str(rules(tmp_path, server, token, token_uri=False)))
    assert result.exit_code == 0, result.output
    assert data["hours"] == FILES_HOURS
    assert ("POST", "/token") in server.log


def test_a_stale_access_token_gets_401_then_is_refreshed(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        token = token_file(tmp_path, token="stale-access-token")
        result, _ = audit_json("--rules", str(rules(tmp_path, server, token)))
    assert result.exit_code == 0, result.output
    assert server.log.count(("POST", "/token")) == 1


def test_rate_limiting_is_retried(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}, page_size=50) as server:
        server.access_tokens.add("fresh")
        server.throttle_next = 1
        token = token_file(tmp_path, token="fresh")
        result, _ = audit_json("--rules", str(rules(tmp_path, server, token)))
    assert result.exit_code == 0, result.output
    assert [path for _, path in server.log].count("/calendar/v3/calendars/primary/events") == 2


def test_a_revoked_sign_in_exits_3_explains_and_keeps_the_token_file(tmp_path):
    token = token_file(tmp_path, refresh=REVOKED_REFRESH)
    before = token.read_bytes()
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        result, _ = audit_json("--rules", str(rules(tmp_path, server, token)))
    assert result.exit_code == 3
    assert "expired or been revoked (invalid_grant)" in result.stderr
    assert "7 days" in result.stderr and "calaudit auth google --client-secrets" in result.stderr
    assert result.stderr.count("\n") == 1
    assert token.read_bytes() == before


def test_no_token_or_secret_appears_in_any_output(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        path = rules(tmp_path, server, token_file(tmp_path))
        outputs = [
            CliRunner().invoke(main, ["--debug", "audit", "--rules", str(path), "--period", "2026-03"]).output,
            CliRunner().invoke(main, ["explain", "--rules", str(path), "--period", "2026-03"]).output,
            CliRunner().invoke(main, ["calendars", "--rules", str(path)]).output,
        ]
        revoked = rules(tmp_path, server, token_file(tmp_path, refresh=REVOKED_REFRESH))
        outputs.append(CliRunner().invoke(main, ["--debug", "audit", "--rules", str(revoked)]).output)
    for output in outputs:
        for secret in (GOOD_REFRESH, REVOKED_REFRESH, CLIENT_SECRET, "access-1"):
            assert secret not in output


def test_calendars_lists_ids_and_roles(tmp_path):
    with FakeGoogle({"primary": ("CTO", []), "team@group.example": ("Team", [])}) as server:
        result = CliRunner().invoke(main, ["calendars", "--rules", str(rules(tmp_path, server, token_file(tmp_path)))])
    assert result.exit_code == 0, result.output
    assert "primary (primary)" in result.stdout and "team@group.example" in result.stdout and "owner" in result.stdout


def test_all_calendars_merge_and_an_event_in_two_counts_once(tmp_path):
    events = google_events(*FILES)
    shared = [e for e in events if e["summary"].startswith("1:1")]
    calendars = {"primary": ("CTO", events), "team@group.example": ("Team", shared)}
    with FakeGoogle(calendars) as server_all:
        _, both = audit_json("--rules", str(rules(tmp_path, server_all, token_file(tmp_path), calendar="all")))
    with FakeGoogle({"primary": ("CTO", events)}) as server:
        _, one = audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path))))
    assert both["hours"] == one["hours"] == FILES_HOURS
    calendars_read = {path.split("/")[-2] for _, path in server_all.log if path.endswith("/events")}
    assert calendars_read == {"primary", "team%40group.example"}


def test_google_flag_on_the_command_line(tmp_path):
    with FakeGoogle({"team@group.example": ("Team", google_events(ICS / "overlap.ics"))}) as server:
        server.api_endpoint = server.api_endpoint.rstrip("/")  # a forgotten trailing slash still works
        path = rules(tmp_path, server, token_file(tmp_path))
        result, data = audit_json("--rules", str(path), "--google", "team@group.example")
    assert result.exit_code == 0, result.output
    assert data["hours"]["total"] == pytest.approx(3.0)


def test_unattended_service_account(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        account = tmp_path / "service-account.json"
        account.write_text(json.dumps({
            "type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": pem.decode(),
            "client_email": "calaudit@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": server.token_uri,
        }))  # fmt: skip
        path = tmp_path / "rules.yaml"
        path.write_text(
            RULES.read_text()
            + f"sources:\n  - google: {{calendar: primary, service_account_file: {account}, "
            + f"subject: cto@weave.example, api_endpoint: {server.api_endpoint}}}\n"
        )
        result, data = audit_json("--rules", str(path))
    assert result.exit_code == 0, result.output
    assert data["hours"]["total"] > 0
    assert ("POST", "/token") in server.log


@pytest.mark.slow
def test_sign_in_with_the_loopback_flow_saves_a_0600_token(tmp_path):
    """`calaudit auth google --no-browser`: we play the browser and follow the redirect."""
    import re
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.smtp import free_port

    with FakeGoogle({"primary": ("CTO", [])}) as server:
        secrets = tmp_path / "client_secret.json"
        secrets.write_text(json.dumps({"installed": {
            "client_id": "calaudit.apps.googleusercontent.com", "client_secret": CLIENT_SECRET,
            "auth_uri": f"{server.url}/auth", "token_uri": server.token_uri, "redirect_uris": ["http://localhost"],
        }}))  # fmt: skip
        token = tmp_path / "signed-in.json"
        path = tmp_path / "rules.yaml"
        path.write_text(
            RULES.read_text() + f"sources:\n  - google: {{token_file: {token}, api_endpoint: {server.api_endpoint}}}\n"
        )
        port = free_port()
        env = os.environ | {"OAUTHLIB_INSECURE_TRANSPORT": "1"}  # the fake token endpoint is plain http
        process = subprocess.Popen(
            [sys.executable, "-m", "calaudit", "auth", "google", "--client-secrets", str(secrets), "--no-browser",
             "--port", str(port), "--rules", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        shown = []
        assert process.stdout is not None
        for line in process.stdout:
            shown.append(line)
            if "Sign in at:" in line:
                break
        state = re.search(r"state=([^&\s]+)", shown[-1])[1]
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://localhost:{port}/?state={state}&code=the-code", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        rest, _ = process.communicate(timeout=30)
    output = "".join(shown) + rest
    assert process.returncode == 0, output
    assert f"ssh -L {port}:localhost:{port}" in output
    assert "signed in; token saved to" in output and "primary (primary)" in output
    assert "account: primary; these calendars are now readable:" in output
    assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
    saved = json.loads(token.read_text())
    assert saved["refresh_token"] == GOOD_REFRESH and "calaudit_signed_in" in saved
    assert GOOD_REFRESH not in output and CLIENT_SECRET not in output


def test_doctor_checks_the_google_sign_in(tmp_path):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        good = CliRunner().invoke(main, ["doctor", "--rules", str(rules(tmp_path, server, token_file(tmp_path)))])
        revoked = rules(tmp_path, server, token_file(tmp_path, refresh=REVOKED_REFRESH))
        bad = CliRunner().invoke(main, ["doctor", "--rules", str(revoked)])
    assert "ok    google sign-in" in good.output and "token refreshes" in good.output
    assert bad.exit_code == 3
    assert "FAIL  google sign-in" in bad.output and "invalid_grant" in bad.output


def test_a_network_failure_mid_pagination_fails_the_run_instead_of_reporting_part(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}, page_size=3) as server:
        server.break_page = 3
        result, _ = audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path))))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "google:primary" in result.stderr and result.stderr.count("\n") == 1


def test_rules_check_counts_hits_on_a_google_calendar(tmp_path):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}) as server:
        path = rules(tmp_path, server, token_file(tmp_path))
        result = CliRunner().invoke(main, ["rules", "check", str(path), "--google", "--period", "2026-03"])
    assert result.exit_code == 0, result.output
    assert "rule hits in 2026-03" in result.stdout


def test_events_list_asks_for_2500_events_a_request(tmp_path):
    # 5,001 events in March need three events.list requests (2,500 + 2,500 + 1) when the
    # server allows the API's largest page; a smaller maxResults would need more.
    items = [
        {
            "id": f"e{n}",
            "iCalUID": f"e{n}@x",
            "status": "confirmed",
            "summary": "Standup",
            "start": {"dateTime": f"2026-03-{1 + n % 28:02d}T09:00:00-05:00"},
            "end": {"dateTime": f"2026-03-{1 + n % 28:02d}T09:15:00-05:00"},
        }
        for n in range(5001)
    ]
    zone = ZoneInfo("America/New_York")
    with FakeGoogle({"primary": ("CTO", items)}, page_size=PAGE_SIZE) as server:
        settings = GoogleSettings(token_file(tmp_path), api_endpoint=server.api_endpoint, token_uri=server.token_uri)
        fetched = GoogleSource("primary", settings, {"cto@weave.example"}, zone).fetch(
            parse_period("2026-03", zone, NOW)
        )
    assert len(fetched.events) == 5001
    assert sum(1 for method, path in server.log if path.endswith("/events")) == 3


def signed_in_token(tmp_path: Path, days_ago: float, mode: int = 0o600) -> tuple[Path, datetime]:
    path = token_file(tmp_path)
    signed_in = datetime.now(UTC) - timedelta(days=days_ago)
    path.write_text(json.dumps(json.loads(path.read_text()) | {"calaudit_signed_in": signed_in.isoformat()}))
    path.chmod(mode)
    return path, signed_in


def doctor(path: Path):
    return CliRunner().invoke(main, ["doctor", "--rules", str(path)])


def test_doctor_refuses_a_token_file_others_can_read(tmp_path):
    token, _ = signed_in_token(tmp_path, 1, mode=0o644)
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        result = doctor(rules(tmp_path, server, token))
    assert result.exit_code == 3
    assert f"FAIL  google sign-in {token}: {token} is readable by others (mode 644); run: chmod 600 {token}" in (
        result.output
    )


def test_doctor_without_a_token_file_says_how_to_sign_in(tmp_path):
    missing = tmp_path / "never-signed-in.json"
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        result = doctor(rules(tmp_path, server, missing))
    assert result.exit_code == 3
    assert f"FAIL  google sign-in {missing}: no Google sign-in at {missing}; run: calaudit auth google" in result.output


def test_doctor_warns_when_a_testing_mode_sign_in_will_expire(tmp_path):
    # Signed in 2 days (and an hour) ago: a Testing-mode sign-in lasts 7 days.
    token, signed_in = signed_in_token(tmp_path, 2.05)
    expires = (signed_in + timedelta(days=7)).strftime("%Y-%m-%d")
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        result = doctor(rules(tmp_path, server, token))
    assert result.exit_code == 0, result.output
    assert "token refreshes; signed in 2 days ago: if the OAuth app is still in Testing mode this sign-in " in (
        result.output
    )
    assert f"stops working on {expires} (publish the app, see README)" in result.output


def test_doctor_knows_a_sign_in_older_than_7_days_is_not_in_testing_mode(tmp_path):
    token, _ = signed_in_token(tmp_path, 10.05)
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        result = doctor(rules(tmp_path, server, token))
    assert result.exit_code == 0, result.output
    assert "token refreshes 10 days after sign-in, so the OAuth app is not in Testing mode" in result.output


def test_a_retry_after_answer_is_waited_for(tmp_path):
    # Really waited: the retry reaches the server at least 2 s after the throttling answer.
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}, page_size=50) as server:
        server.access_tokens.add("fresh")
        server.throttle_next, server.retry_after = 1, "2"
        result, data = audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path, token="fresh"))))
    assert result.exit_code == 0, result.output
    assert data["hours"] == FILES_HOURS
    throttled, retried = server.get_times[:2]
    assert retried - throttled >= 2.0


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The Retry-After waits of the Google source, recorded instead of slept; googleapiclient's
    own backoff (rand() * 2**n seconds) is made 0 so that throttled tests stay fast."""
    recorded: list[float] = []
    monkeypatch.setattr(google_module, "time", SimpleNamespace(sleep=recorded.append))
    monkeypatch.setattr(googleapiclient.http, "random", SimpleNamespace(random=lambda: 0.0))
    return recorded


def throttled_audit(tmp_path: Path, times: int, retry_after: str | None, status: int = 429):
    with FakeGoogle({"primary": ("CTO", google_events(*FILES))}, page_size=50) as server:
        server.access_tokens.add("fresh")
        server.throttle_next, server.retry_after, server.throttle_status = times, retry_after, status
        return audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path, token="fresh"))))


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("7", [7.0]), ("86400", [30.0]), (None, []), ("soon", []), ("Thu, 01 Jan 2026 00:00:00 GMT", [])],
    ids=["seconds", "a-day-capped-at-30-s", "no-header", "unreadable", "a-date-gone-by"],
)
def test_one_throttling_answer_waits_what_retry_after_asks_at_most_30_s(tmp_path, waits, retry_after, expected):
    result, data = throttled_audit(tmp_path, 1, retry_after)
    assert result.exit_code == 0, result.output
    assert data["hours"] == FILES_HOURS
    assert waits == expected


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_s_retry_after_is_waited_for_too(tmp_path, waits, status):
    result, data = throttled_audit(tmp_path, 1, "3", status)
    assert result.exit_code == 0, result.output
    assert data["hours"] == FILES_HOURS
    assert waits == [3.0]


def test_an_answer_googleapiclient_does_not_retry_is_not_waited_for(tmp_path, waits):
    # A 403 without a rate-limit reason fails the fetch at once, Retry-After or not.
    result, _ = throttled_audit(tmp_path, 1, "3", 403)
    assert result.exit_code == 3
    assert waits == []
    assert "Google Calendar API error 403" in result.output


def test_a_retry_after_date_waits_until_that_moment(tmp_path, waits):
    # An HTTP date 20 s ahead (to the second: the wait is 19-20 s).
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    result, _ = throttled_audit(tmp_path, 1, when)
    assert result.exit_code == 0, result.output
    assert len(waits) == 1
    assert 18.0 <= waits[0] <= 20.0


def test_the_last_throttled_answer_is_not_waited_for_as_no_retry_follows(tmp_path, waits):
    # 1 + 5 attempts, each asking for 2 s: five waits, then the error at once.
    result, _ = throttled_audit(tmp_path, 6, "2")
    assert result.exit_code == 3
    assert waits == [2.0] * 5


def test_throttled_answers_are_counted_in_a_row_so_each_request_gets_its_waits(waits):
    # Two requests each throttled 5 times (googleapiclient retries 5 times) before an answer:
    # all 10 are waited for. Counting throttled answers over the whole fetch would stop at 5.
    class Planned:
        def __init__(self, statuses: list[int]) -> None:
            self.statuses = statuses

        def request(self, uri: str, method: str = "GET", *args, **kwargs):
            return httplib2.Response({"status": self.statuses.pop(0), "retry-after": "1"}), b""

    http = google_module._Throttled(Planned(([429] * 5 + [200]) * 2))
    statuses = [http.request("https://example.test/")[0].status for _ in range(12)]
    assert statuses == ([429] * 5 + [200]) * 2
    assert waits == [1.0] * 10


def test_throttled_waits_add_up_to_at_most_a_minute_and_then_the_fetch_fails(tmp_path, waits):
    # Every attempt (1 + 5 retries) is throttled for a day: 30 s + 30 s, then no more waiting,
    # and the calendar is not audited at all.
    result, _ = throttled_audit(tmp_path, 6, "86400")
    assert result.exit_code == 3
    assert waits == [30.0, 30.0]
    assert "Google Calendar API error 429: Rate Limit Exceeded" in result.output


def test_an_instance_moved_onto_another_is_its_own_occurrence_and_counts_once_across_sources(tmp_path):
    # moved-onto-slot.ics: weekly "Customer review" Mar 2, 9, 16 (1 h); Mar 9 moved onto Mar 2 10:00.
    # Google identifies instances by recurringEventId + originalStartTime: three occurrences.
    moved = ICS / "moved-onto-slot.ics"
    with FakeGoogle({"primary": ("CTO", google_events(moved))}) as server:
        path = rules(tmp_path, server, token_file(tmp_path))
        _, google = audit_json("--rules", str(path))
        _, both = audit_json("--rules", str(path), "--google", "primary", "--ics", str(moved))
    sales = [(c["hours"], c["events"]) for c in google["categories"] if c["id"] == "sales"]
    # Overlap split: the two Mar 2 occurrences share 10:00-11:00 (0.5 h each), Mar 16 is 1 h.
    assert sales == [(2.0, 3)]
    assert both["categories"] == google["categories"]


NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def settings_for(tmp_path: Path, server: FakeGoogle) -> GoogleSettings:
    return GoogleSettings(token_file(tmp_path), api_endpoint=server.api_endpoint, token_uri=server.token_uri)


def fetch_march(tmp_path: Path, server: FakeGoogle) -> list[Event]:
    source = GoogleSource("primary", settings_for(tmp_path, server), {"CTO@weave.example"}, NY)
    return source.fetch(parse_period("2026-03", NY, NOW)).events


# events.list items with every field the audit reads, and items with none of the optional ones.
SERIES_INSTANCE = {
    "id": "series1_20260304T140000Z",
    "iCalUID": "series1@acme.example",
    "status": "tentative",
    "summary": "  Pipeline review  ",
    "description": "Q2 deals",
    "location": "Room 4",
    "start": {"dateTime": "2026-03-05T09:00:00-05:00"},
    "end": {"dateTime": "2026-03-05T10:30:00-05:00"},
    "transparency": "transparent",
    "eventType": "focusTime",
    "recurringEventId": "series1",
    "originalStartTime": {"dateTime": "2026-03-04T14:00:00Z"},
    "organizer": {"email": "Ana@Acme.Example"},
    "attendees": [
        {"email": "Ana@Acme.Example", "responseStatus": "accepted"},
        {"email": "Room-4@Resource.Example", "resource": True, "responseStatus": "accepted"},
        {"displayName": "Dial-in"},
        {"email": "chief@weave.example", "self": True, "responseStatus": "declined"},
    ],
}
BARE = {"id": "bare-1", "start": {"dateTime": "2026-03-10T09:00:00"}, "end": {"dateTime": "2026-03-10T10:00:00"}}
IN_ITS_OWN_ZONE = {
    "id": "berlin-1",
    "iCalUID": "berlin@weave.example",
    "status": "cancelled",
    "summary": "Offsite call",
    "start": {"dateTime": "2026-03-11T15:00:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2026-03-11T16:00:00", "timeZone": "Europe/Berlin"},
    "organizer": {"email": "chief@weave.example", "self": True},
    "originalStartTime": {"dateTime": "2026-03-11T15:00:00+01:00"},
}
ALL_DAY_INSTANCE = {
    "id": "ooo_20260316",
    "iCalUID": "ooo@weave.example",
    "summary": "Offsite",
    "start": {"date": "2026-03-16"},
    "end": {"date": "2026-03-18"},
    "eventType": "outOfOffice",
    "recurringEventId": "ooo",
    "originalStartTime": {"date": "2026-03-16"},
    "attendees": [{"email": "CTO@Weave.Example", "responseStatus": "tentative"}],
}
MOVED_INSTANCE = {
    "id": "standup_20260324",
    "summary": "Standup",
    "start": {"dateTime": "2026-03-25T09:00:00-04:00"},
    "end": {"dateTime": "2026-03-25T09:15:00-04:00"},
    "recurringEventId": "standup",
    "originalStartTime": {"dateTime": "2026-03-24T09:00:00"},
    "organizer": {"email": "CTO@Weave.Example"},
}
NO_IDS = {
    "summary": "Lunch",
    "start": {"dateTime": "2026-03-20T12:00:00-04:00"},
    "end": {"dateTime": "2026-03-20T13:00:00-04:00"},
    "organizer": {"displayName": "Team"},
    "attendees": [{"email": "cto@weave.example"}],
    "recurringEventId": "lunch",
}


def test_each_field_of_a_google_event_becomes_the_event_field_rules_and_audit_read(tmp_path):
    items = [SERIES_INSTANCE, BARE, IN_ITS_OWN_ZONE, ALL_DAY_INSTANCE, NO_IDS, MOVED_INSTANCE]
    with FakeGoogle({"primary": ("CTO", items)}) as server:
        events = fetch_march(tmp_path, server)
    assert events == [
        Event(
            uid="series1@acme.example",
            title="Pipeline review",
            start=datetime(2026, 3, 5, 9, tzinfo=NY),
            end=datetime(2026, 3, 5, 10, 30, tzinfo=NY),
            calendar="CTO",
            description="Q2 deals",
            location="Room 4",
            organizer="ana@acme.example",
            # The dial-in has no address; the signed-in user is "self" under an alias.
            attendees=(
                Attendee("ana@acme.example"),
                Attendee("room-4@resource.example", is_resource=True),
                Attendee("chief@weave.example"),
            ),
            tentative=True,
            transparent=True,
            response=Response.DECLINED,
            recurring=True,
            event_type="focusTime",
            recurrence_id=datetime(2026, 3, 4, 14, tzinfo=UTC),
        ),
        # Only an id: "(no title)", and times without offset or zone are in the reporting zone.
        Event(
            uid="bare-1",
            title="(no title)",
            start=datetime(2026, 3, 10, 9, tzinfo=NY),
            end=datetime(2026, 3, 10, 10, tzinfo=NY),
            calendar="CTO",
        ),
        # The owner organizes it (self: true): accepted. An original start without a series is no instance.
        Event(
            uid="berlin@weave.example",
            title="Offsite call",
            start=datetime(2026, 3, 11, 15, tzinfo=BERLIN),
            end=datetime(2026, 3, 11, 16, tzinfo=BERLIN),
            calendar="CTO",
            organizer="chief@weave.example",
            cancelled=True,
            response=Response.ACCEPTED,
        ),
        # The owner's address (any case) answered tentative; days 16 and 17 March.
        Event(
            uid="ooo@weave.example",
            title="Offsite",
            start=datetime(2026, 3, 16, tzinfo=NY),
            end=datetime(2026, 3, 18, tzinfo=NY),
            calendar="CTO",
            all_day=True,
            start_date=date(2026, 3, 16),
            end_date=date(2026, 3, 18),
            attendees=(Attendee("cto@weave.example"),),
            response=Response.TENTATIVE,
            recurring=True,
            event_type="outOfOffice",
            recurrence_id=datetime(2026, 3, 16, tzinfo=NY),
        ),
        # No ids at all, an organizer without address, an answer not given, an instance without original start.
        Event(
            uid="",
            title="Lunch",
            start=datetime(2026, 3, 20, 12, tzinfo=NY),
            end=datetime(2026, 3, 20, 13, tzinfo=NY),
            calendar="CTO",
            attendees=(Attendee("cto@weave.example"),),
            response=Response.NEEDS_ACTION,
            recurring=True,
        ),
        # Moved from the 24th; the owner's address (not self: true) organizes it: accepted.
        Event(
            uid="standup_20260324",
            title="Standup",
            start=datetime(2026, 3, 25, 9, tzinfo=NY),
            end=datetime(2026, 3, 25, 9, 15, tzinfo=NY),
            calendar="CTO",
            organizer="cto@weave.example",
            response=Response.ACCEPTED,
            recurring=True,
            recurrence_id=datetime(2026, 3, 24, 9, tzinfo=NY),
        ),
    ]


PERMISSION = b'{"error": {"code": 403, "message": "The caller does not have permission"}}'
LONG_MESSAGE = "Invalid timeMin: " + "9" * 300


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ((403, "Forbidden", PERMISSION), "The caller does not have permission"),
        ((404, "Not Found", b""), "Not Found"),  # no body: the status line's reason
        ((404, "", b"calendar gone"), "calendar gone"),  # no reason phrase: the body
        # The first 200 characters: 17 of "Invalid timeMin: " and 183 nines.
        (
            (400, "Bad Request", json.dumps({"error": {"message": LONG_MESSAGE}}).encode()),
            "Invalid timeMin: " + "9" * 183,
        ),
    ],
    ids=["json-message", "reason-phrase", "text-body", "long-message"],
)
def test_an_api_error_is_one_line_naming_the_calendar_the_status_and_the_reason(tmp_path, answer, reason):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.fail = answer
        with pytest.raises(SourceError) as info:
            fetch_march(tmp_path, server)
    assert str(info.value) == f"google:primary: Google Calendar API error {answer[0]}: {reason}"


def test_an_api_error_while_listing_calendars_names_the_calendar_list(tmp_path):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.fail = (403, "Forbidden", PERMISSION)
        with pytest.raises(SourceError) as info:
            list_calendars(settings_for(tmp_path, server))
    assert str(info.value) == "calendarList: Google Calendar API error 403: The caller does not have permission"


FIX = "calaudit auth google --client-secrets client_secret.json"


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ((400, b"Proxy error, upstream unreachable"), "Proxy error"),  # up to the first comma
        # At most 120 characters: 20 of "Service unavailable " and 100 z.
        ((400, b"Service unavailable " + b"z" * 110), "Service unavailable " + "z" * 100),
    ],
    ids=["first-part", "at-most-120"],
)
def test_a_failed_refresh_names_the_token_endpoint_s_answer_and_the_fix(tmp_path, answer, shown):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.token_failure = answer
        with pytest.raises(SourceError) as info:
            fetch_march(tmp_path, server)
    assert str(info.value) == f"Google sign-in could not be refreshed ({shown}); sign in again: {FIX}"


def test_a_revoked_sign_in_names_the_token_file_testing_mode_and_the_fix(tmp_path):
    token = token_file(tmp_path, refresh=REVOKED_REFRESH)
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        settings = GoogleSettings(token, api_endpoint=server.api_endpoint, token_uri=server.token_uri)
        with pytest.raises(SourceError) as info:
            list_calendars(settings)
    assert str(info.value) == (
        f"Google sign-in in {token} has expired or been revoked (invalid_grant); an OAuth app in 'Testing' mode "
        f"expires sign-ins after 7 days (publish it, see README), or access was revoked. Sign in again: {FIX}"
    )


def test_the_calendar_list_asks_for_250_calendars_a_request(tmp_path):
    # 260 calendars: two requests (250 + 10) at the API's largest page; the default page (100) needs three.
    with FakeGoogle({}) as server:
        server.calendar_list = [
            {"id": f"team{n}@group.example", "summary": f"Team {n}", "accessRole": "reader"} for n in range(260)
        ]
        calendars = list_calendars(settings_for(tmp_path, server))
    assert len(calendars) == 260
    assert calendars[259] == CalendarInfo("team259@group.example", "Team 259", "reader", False)
    assert [path for _, path in server.log].count("/calendar/v3/users/me/calendarList") == 2


def test_a_calendar_without_a_name_or_role_is_listed_by_its_id(tmp_path):
    with FakeGoogle({}) as server:
        server.calendar_list = [
            {"id": "cto@weave.example", "summary": "CTO", "accessRole": "owner", "primary": True},
            {"id": "bare@group.example"},
        ]
        calendars = list_calendars(settings_for(tmp_path, server))
    assert calendars == [
        CalendarInfo("cto@weave.example", "CTO", "owner", True),
        CalendarInfo("bare@group.example", "bare@group.example", "", False),
    ]


def test_a_calendar_list_page_without_items_lists_no_calendars(tmp_path):
    with FakeGoogle({}) as server:
        server.calendar_list = []
        assert list_calendars(settings_for(tmp_path, server)) == []


def test_a_refresh_refused_with_a_json_error_names_the_error_and_its_description(tmp_path):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.token_failure = (
            401,
            b'{"error": "invalid_client", "error_description": "The OAuth client was not found."}',
        )
        with pytest.raises(SourceError) as info:
            fetch_march(tmp_path, server)
    assert str(info.value) == (
        f"Google sign-in could not be refreshed (invalid_client: The OAuth client was not found.); sign in again: {FIX}"
    )


@pytest.fixture
def tokyo_machine(monkeypatch):
    """The machine's local zone is Asia/Tokyo (UTC+9), for code that must not depend on it."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("expiry", "first_request"),
    [
        ((datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), ("POST", "/token")),
        # Without an offset the expiry is UTC (as google-auth writes it), not the machine's time: 3 hours left.
        (
            (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S"),
            ("GET", "/calendar/v3/users/me/calendarList"),
        ),
    ],
    ids=["expired-2h-ago", "naive-utc-3h-left"],
)
def test_the_token_expiry_is_read_as_utc_whatever_the_machine_zone(tmp_path, tokyo_machine, expiry, first_request):
    token = tmp_path / "google-token.json"
    token.write_text(json.dumps({"refresh_token": GOOD_REFRESH, "token": "fresh", "expiry": expiry}))
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.access_tokens.add("fresh")
        list_calendars(GoogleSettings(token, api_endpoint=server.api_endpoint, token_uri=server.token_uri))
    assert server.log[0] == first_request


def service_account_key(path: Path, token_uri: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": pem.decode(),
        "client_email": "calaudit@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": token_uri,
    }))  # fmt: skip
    return path


def jwt_claims(assertion: str) -> dict:
    import base64

    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_service_account_asks_for_read_only_access_as_the_subject_at_the_configured_token_endpoint(tmp_path):
    from tests.smtp import free_port

    # The key file names a token endpoint where nothing listens: the one in rules.yaml wins.
    key = service_account_key(tmp_path / "service-account.json", f"http://127.0.0.1:{free_port()}/token")
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        settings = GoogleSettings(
            tmp_path / "unused-token.json", service_account_file=key, subject="cto@weave.example",
            api_endpoint=server.api_endpoint, token_uri=server.token_uri,
        )  # fmt: skip
        assert [c.id for c in list_calendars(settings)] == ["primary"]
    [form] = server.token_forms
    claims = jwt_claims(form["assertion"])
    assert claims["scope"] == "https://www.googleapis.com/auth/calendar.readonly"
    assert claims["sub"] == "cto@weave.example"


def test_an_unreadable_service_account_key_is_one_line_naming_the_file(tmp_path):
    missing = tmp_path / "service-account.json"
    with pytest.raises(SourceError) as info:
        list_calendars(GoogleSettings(tmp_path / "token.json", service_account_file=missing))
    assert str(info.value) == (
        f"{missing}: cannot read the service account key: [Errno 2] No such file or directory: '{missing}'"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no Google sign-in at {path}"),
        ("not json", "{path}: unreadable Google token (JSONDecodeError)"),
        ('{"client_id": "calaudit.apps.googleusercontent.com"}', "{path}: the Google token holds no refresh token"),
        ('["good-refresh-token"]', "{path}: the Google token holds no refresh token"),
    ],
    ids=["missing", "not-json", "no-token", "not-a-mapping"],
)
def test_a_token_file_that_cannot_sign_in_says_so_and_how_to_sign_in(tmp_path, content, problem):
    path = tmp_path / "google-token.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SourceError) as info:
        list_calendars(GoogleSettings(path))
    assert str(info.value) == f"{problem.format(path=path)}; run: {FIX}"


def test_an_access_token_alone_is_used_while_it_is_valid_and_the_file_left_alone(tmp_path):
    path = tmp_path / "google-token.json"
    path.write_text(json.dumps({"token": "fresh", "expiry": "2099-01-01T00:00:00Z"}))
    before = path.read_bytes()
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        server.access_tokens.add("fresh")
        settings = GoogleSettings(path, api_endpoint=server.api_endpoint, token_uri=server.token_uri)
        assert [c.id for c in list_calendars(settings)] == ["primary"]
    assert server.log == [("GET", "/calendar/v3/users/me/calendarList")]
    assert path.read_bytes() == before


READ_ONLY = "https://www.googleapis.com/auth/calendar.readonly"


def test_a_refresh_sends_the_oauth_client_and_asks_for_read_only_access(tmp_path):
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        list_calendars(settings_for(tmp_path, server))
    [form] = server.token_forms
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": GOOD_REFRESH,
        "client_id": "calaudit.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "scope": READ_ONLY,
    }


def test_a_refresh_token_without_an_oauth_client_sends_none(tmp_path):
    # A Google-compatible token endpoint may not need the client: empty values, which the form leaves out.
    path = tmp_path / "bare-token.json"
    path.write_text(json.dumps({"refresh_token": GOOD_REFRESH}))
    with FakeGoogle({"primary": ("CTO", [])}) as server:
        list_calendars(GoogleSettings(path, api_endpoint=server.api_endpoint, token_uri=server.token_uri))
    assert server.token_forms == [{"grant_type": "refresh_token", "refresh_token": GOOD_REFRESH, "scope": READ_ONLY}]


def test_each_page_of_events_is_reported_as_progress(tmp_path):
    # Five events, three a page: two pages, and no total known in advance.
    items = [{**BARE, "id": f"e{n}"} for n in range(5)]
    calls = []
    with FakeGoogle({"primary": ("CTO", items)}, page_size=3) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        source.fetch(parse_period("2026-03", NY, NOW), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 0), (2, 0)]


def test_a_calendar_without_a_name_is_named_by_its_id_and_one_without_events_has_none(tmp_path):
    calendars = {"team@group.example": ("", [BARE]), "primary": ("CTO", [])}
    with FakeGoogle(calendars) as server:
        settings = settings_for(tmp_path, server)
        period = parse_period("2026-03", NY, NOW)
        unnamed = GoogleSource("team@group.example", settings, set(), NY).fetch(period).events
        empty = GoogleSource("primary", settings, set(), NY).fetch(period).events
    assert [e.calendar for e in unnamed] == ["team@group.example"]
    assert empty == []


@pytest.mark.parametrize(
    ("endpoint", "base"),
    [
        (None, "https://www.googleapis.com/calendar/v3/"),
        ("http://127.0.0.1:9/proxyX", "http://127.0.0.1:9/proxyX/"),
        ("http://127.0.0.1:9/proxyX/", "http://127.0.0.1:9/proxyX/"),
    ],
    ids=["google", "without-slash", "with-slash"],
)
def test_requests_go_to_google_or_to_the_api_endpoint_as_given(tmp_path, endpoint, base):
    from calaudit.sources import google

    service = google._service(google._Credentials(GoogleSettings(token_file(tmp_path), api_endpoint=endpoint)))
    assert service._baseUrl == base


# One unreadable item must not sink its calendar: it is skipped, named in a warning and
# counted under skipped.invalid, and the calendar's other items are audited.
STANDUP = {
    "id": "standup-1",
    "iCalUID": "standup@weave.example",
    "summary": "Standup",
    "start": {"dateTime": "2026-03-10T09:00:00-04:00"},
    "end": {"dateTime": "2026-03-10T10:00:00-04:00"},
}
STANDUP_EVENT = Event(
    uid="standup@weave.example",
    title="Standup",
    start=datetime(2026, 3, 10, 9, tzinfo=NY),
    end=datetime(2026, 3, 10, 10, tzinfo=NY),
    calendar="CTO",
)


def test_unreadable_google_items_are_skipped_named_and_counted_and_the_rest_audited(tmp_path):
    without_start = {
        "id": "review-1",
        "iCalUID": "review@weave.example",
        "summary": "Design review",
        "end": {"dateTime": "2026-03-12T10:00:00-04:00"},
    }
    on_40_march = {
        "id": "prep-1",
        "summary": "Board prep",
        "start": {"dateTime": "2026-03-40T10:00:00Z"},
        "end": {"dateTime": "2026-03-40T11:00:00Z"},
    }
    with FakeGoogle({"primary": ("CTO", [STANDUP, without_start, on_40_march])}) as server:
        result, data = audit_json("--rules", str(rules(tmp_path, server, token_file(tmp_path))))
    assert result.exit_code == 0, result.output
    # Only the standup counts: 09:00-10:00, one hour of ops.
    assert data["hours"] == {"total": 1.0, "classified": 1.0, "unclassified": 0.0}
    assert [(c["id"], c["hours"], c["events"]) for c in data["categories"] if c["hours"]] == [("ops", 1.0, 1)]
    assert data["skipped"]["invalid"] == {"events": 2, "hours": 0.0}
    # Without an iCalUID an item is named by its id.
    assert result.stderr == (
        "calaudit: warning: CTO: skipped unreadable event 'Design review' (UID review@weave.example): "
        "it has no start time\n"
        "calaudit: warning: CTO: skipped unreadable event 'Board prep' (UID prep-1): "
        "unreadable start time '2026-03-40T10:00:00Z'\n"
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"start": None}, "it has no start time"),
        ({"start": {}}, "it has no start time"),
        ({"start": {"timeZone": "America/New_York"}}, "it has no start time"),
        ({"start": "2026-03-12T09:00:00"}, "unreadable start time '2026-03-12T09:00:00'"),
        ({"start": {"dateTime": "2026-13-01T10:00:00"}}, "unreadable start time '2026-13-01T10:00:00'"),
        ({"start": {"dateTime": 1773320400}}, "unreadable start time 1773320400"),
        ({"start": {"date": "2026-02-30"}, "end": {"date": "2026-03-01"}}, "unreadable start date '2026-02-30'"),
        ({"end": {"dateTime": "soon"}}, "unreadable end time 'soon'"),
        ({"start": {"date": "2026-03-12"}, "end": {"date": "13 March"}}, "unreadable end date '13 March'"),
        (
            {"start": {"dateTime": "2026-03-12T09:00:00", "timeZone": "Mars/Olympus_Mons"}},
            "unknown time zone 'Mars/Olympus_Mons' in its start time",
        ),
        (
            {"end": {"dateTime": "2026-03-12T10:00:00", "timeZone": "America"}},
            "unknown time zone 'America' in its end time",
        ),
        ({"end": {"date": "2026-03-13"}}, "its start is a time but its end a date"),
        ({"end": {"dateTime": "2026-03-12T08:59:00"}}, "its end is before its start"),
        ({"start": {"date": "2026-03-12"}, "end": {"date": "2026-03-11"}}, "its end is before its start"),
        ({"start": {"date": "2026-03-12"}}, "its start is a date but its end a time"),
        (
            {"recurringEventId": "review", "originalStartTime": {"dateTime": "last Thursday"}},
            "unreadable original start time 'last Thursday'",
        ),
        ({"organizer": "ana@acme.example"}, "unreadable organizer 'ana@acme.example'"),
        ({"attendees": "ana@acme.example"}, "unreadable attendee list 'ana@acme.example'"),
        ({"attendees": [{"email": "ana@acme.example"}, "bo@weave.example"]}, "unreadable attendee 'bo@weave.example'"),
        ({"attendees": [{"email": ["ana@acme.example"]}]}, "unreadable attendee {'email': ['ana@acme.example']}"),
        (
            {"attendees": [{"email": "ana@acme.example", "responseStatus": ["yes"]}]},
            "unreadable attendee {'email': 'ana@acme.example', 'responseStatus': ['yes']}",
        ),
        ({"description": {"text": "agenda"}}, "its description is not text but {'text': 'agenda'}"),
        ({"attendees": ["x" * 80]}, "unreadable attendee '" + "x" * 56 + "..."),  # at most 60 characters shown
    ],
)
def test_an_unreadable_google_item_is_invalid_and_says_what_is_wrong(tmp_path, change, reason):
    review = {
        "id": "review-1",
        "iCalUID": "review@weave.example",
        "summary": " Design review ",
        "start": {"dateTime": "2026-03-12T09:00:00"},
        "end": {"dateTime": "2026-03-12T10:00:00"},
    }
    with FakeGoogle({"primary": ("CTO", [STANDUP, review | change])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        fetched = source.fetch(parse_period("2026-03", NY, NOW))
    assert fetched.events == [STANDUP_EVENT]
    assert fetched.invalid == [InvalidEvent("CTO", "Design review", "review@weave.example", reason)]


@pytest.mark.parametrize(
    ("item", "title", "uid", "reason"),
    [
        ("Design review", "(no title)", "", "it is not an event but 'Design review'"),
        ({"summary": 42, "id": "review-1", "start": {}}, "(no title)", "review-1", "it has no start time"),
        (
            {"summary": "Design review", "id": "review-1", "iCalUID": 7, "start": {"date": "2026-03-12"}},
            "Design review",
            "review-1",
            "its iCalUID is not text but 7",
        ),
    ],
    ids=["not-an-object", "title-not-text", "uid-not-text"],
)
def test_an_unreadable_google_item_is_named_by_what_of_its_title_and_uid_is_text(tmp_path, item, title, uid, reason):
    with FakeGoogle({"primary": ("CTO", [STANDUP, item])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        fetched = source.fetch(parse_period("2026-03", NY, NOW))
    assert fetched.events == [STANDUP_EVENT]
    assert fetched.invalid == [InvalidEvent("CTO", title, uid, reason)]


def test_control_characters_of_a_google_item_never_reach_the_event(tmp_path):
    # Anyone who invites you writes the title: ESC ] 52 would write to the clipboard of
    # many terminals. Every control character becomes U+FFFD, in events and in warnings.
    sneaky = STANDUP | {
        "summary": "Standup \x1b]52;c;cm0gLXJmIH4K\x07",
        "location": "Room\x9b2J",
        "organizer": {"email": "ana\x1b[2J@acme.example"},
        "attendees": [{"email": "bo\x00b@acme.example"}],
    }
    broken = {"id": "x\x1b[31m", "summary": "Bad\x1b[2J", "start": {}}
    with FakeGoogle({"primary": ("CTO\x1b]0;pwned\x07", [sneaky, broken])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        fetched = source.fetch(parse_period("2026-03", NY, NOW))
    [event] = fetched.events
    assert (event.title, event.location, event.calendar) == (
        "Standup \ufffd]52;c;cm0gLXJmIH4K\ufffd",
        "Room\ufffd2J",
        "CTO\ufffd]0;pwned\ufffd",
    )
    assert (event.organizer, event.attendees) == ("ana\ufffd[2j@acme.example", (Attendee("bo\ufffdb@acme.example"),))
    assert fetched.invalid == [
        InvalidEvent("CTO\ufffd]0;pwned\ufffd", "Bad\ufffd[2J", "x\ufffd[31m", "it has no start time")
    ]


def test_a_google_title_with_line_breaks_is_one_line(tmp_path):
    # A title cannot add a row to a table or a line to a report: breaks, tabs and runs of
    # blanks become one space, in events and in warnings.
    multi = STANDUP | {"summary": " Standup\nFAKE: calaudit: error\r\n\tok  now "}
    broken = {"id": "x", "summary": "Bad\u2028line", "start": {}}
    with FakeGoogle({"primary": ("CTO", [multi, broken])}) as server:
        source = GoogleSource("primary", settings_for(tmp_path, server), set(), NY)
        fetched = source.fetch(parse_period("2026-03", NY, NOW))
    assert [e.title for e in fetched.events] == ["Standup FAKE: calaudit: error\ufffd ok now"]
    assert [i.title for i in fetched.invalid] == ["Bad line"]


@pytest.mark.parametrize(
    "end",
    [{}, {"end": None}, {"end": {}}, {"end": {"date": "2026-03-16"}}],
    ids=["no-end", "null-end", "empty-end", "end-on-its-start-day"],
)
def test_an_all_day_google_item_without_a_later_end_lasts_one_day_as_in_ics(tmp_path, end):
    # DTSTART;VALUE=DATE:20260316 without DTEND, or with DTEND:20260316, is 16 March in .ics:
    # one day, to midnight of the 17th.
    offsite = {
        "id": "offsite-1",
        "iCalUID": "offsite@weave.example",
        "summary": "Offsite",
        "start": {"date": "2026-03-16"},
    }
    with FakeGoogle({"primary": ("CTO", [offsite | end])}) as server:
        events = fetch_march(tmp_path, server)
    assert events == [
        Event(
            uid="offsite@weave.example",
            title="Offsite",
            start=datetime(2026, 3, 16, tzinfo=NY),
            end=datetime(2026, 3, 17, tzinfo=NY),
            calendar="CTO",
            all_day=True,
            start_date=date(2026, 3, 16),
            end_date=date(2026, 3, 17),
        )
    ]
