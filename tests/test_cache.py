"""The event cache: used when the calendar is unchanged, rebuilt when it cannot be trusted."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from calaudit import pipeline
from calaudit.cli import main
from calaudit.config import parse
from calaudit.models import Event, Fetched
from calaudit.period import parse_period
from calaudit.sources.cache import FILE_NAME, EventCache, Validators
from calaudit.sources.ics import IcsSource
from tests.helpers import ICS, NOW

NY = ZoneInfo("America/New_York")
MARCH = parse_period("2026-03", NY, NOW)
OWNER = ["cto@weave.example"]


@pytest.fixture
def calendar(tmp_path):
    path = tmp_path / "work.ics"
    path.write_bytes((ICS / "skips.ics").read_bytes())
    return path


def titles(fetched: Fetched) -> list[str]:
    return sorted(e.title for e in fetched.events)


def test_a_second_read_of_an_unchanged_file_comes_from_the_cache(tmp_path, calendar):
    cache = EventCache(tmp_path / "cache")
    source = IcsSource(str(calendar), OWNER, NY, cache=cache)
    first = source.fetch(MARCH)
    key = source._key(__import__("hashlib").sha256(calendar.read_bytes()).hexdigest(), MARCH)
    planted = Fetched(events=[Event(uid="p", title="Planted", start=MARCH.start, end=MARCH.start, calendar="c")])
    cache.put(key, planted)
    assert titles(source.fetch(MARCH)) == ["Planted"]  # proves the cache is read
    calendar.write_bytes(calendar.read_bytes().replace(b"Coffee with Sam", b"Coffee with Bo"))
    assert "Coffee with Bo" in titles(source.fetch(MARCH))  # a changed file is parsed again
    assert len(first.events) == 8


def test_cached_events_audit_exactly_like_parsed_ones(tmp_path, calendar):
    cache = EventCache(tmp_path / "cache")
    parsed = IcsSource(str(calendar), OWNER, NY, cache=cache).fetch(MARCH)
    cached = IcsSource(str(calendar), OWNER, NY, cache=cache).fetch(MARCH)
    assert cached.events == parsed.events
    assert [e.start.timestamp() for e in cached.events] == [e.start.timestamp() for e in parsed.events]
    assert parsed.newest is not None and cached.newest == parsed.newest


def test_a_corrupt_cache_file_is_ignored_and_rebuilt(tmp_path, calendar):
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / FILE_NAME).write_bytes(b"this is not a database" * 100)
    source = IcsSource(str(calendar), OWNER, NY, cache=EventCache(directory))
    assert len(source.fetch(MARCH).events) == 8
    assert len(source.fetch(MARCH).events) == 8
    with sqlite3.connect(directory / FILE_NAME) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (1,)


def test_entries_of_another_format_or_malformed_are_never_trusted(tmp_path, calendar):
    cache = EventCache(tmp_path / "cache")
    source = IcsSource(str(calendar), OWNER, NY, cache=cache)
    source.fetch(MARCH)
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE events SET format = 0")
    assert len(source.fetch(MARCH).events) == 8
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE events SET payload = '{\"events\": [[1, 2]]}'")
    assert len(source.fetch(MARCH).events) == 8


def test_the_cache_key_includes_the_period_window(tmp_path, calendar):
    source = IcsSource(str(calendar), OWNER, NY, cache=EventCache(tmp_path / "cache"))
    assert len(source.fetch(MARCH).events) == 8
    assert source.fetch(parse_period("2026-05", NY, NOW)).events == []


def test_the_cache_key_includes_the_reading_path(tmp_path, calendar):
    # --no-prefilter checks the pre-filter: what the pre-filter put in the cache must not answer it.
    cache = EventCache(tmp_path / "cache")
    filtered = IcsSource(str(calendar), OWNER, NY, cache=cache)
    digest = __import__("hashlib").sha256(calendar.read_bytes()).hexdigest()
    planted = Fetched(events=[Event(uid="p", title="Planted", start=MARCH.start, end=MARCH.start, calendar="c")])
    cache.put(filtered._key(digest, MARCH), planted)
    assert titles(filtered.fetch(MARCH)) == ["Planted"]
    full = IcsSource(str(calendar), OWNER, NY, prefilter=False, cache=cache)
    assert len(full.fetch(MARCH).events) == 8


class _ConditionalServer:
    """Serves one calendar with an ETag and answers If-None-Match with 304."""

    def __init__(self, body: bytes) -> None:
        self.body, self.requests = body, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.headers.get("If-None-Match"))
                etag = f'"v{len(server.body)}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/secret/basic.ics"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def test_urls_are_fetched_with_a_conditional_get(tmp_path):
    server = _ConditionalServer((ICS / "skips.ics").read_bytes())
    try:
        source = IcsSource(server.url, OWNER, NY, cache=EventCache(tmp_path / "cache"))
        first = source.fetch(MARCH)
        second = source.fetch(MARCH)
        assert second.events == first.events
        assert server.requests == [None, f'"v{len(server.body)}"']
        server.body = (ICS / "overlap.ics").read_bytes()
        assert titles(source.fetch(MARCH)) == ["Customer call", "Interview", "Standup"]
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_the_cache_never_holds_a_urls_secrets(tmp_path):
    server = _ConditionalServer((ICS / "skips.ics").read_bytes())
    url = server.url.replace("http://", "http://cto:hunter2@")
    cache = EventCache(tmp_path / "cache")
    legacy = Validators('"old"', None, "0" * 64)
    try:
        cache.set_validators(url, legacy)  # as if stored under the URL itself...
        with sqlite3.connect(cache.path) as db:
            db.execute("UPDATE urls SET url = ?", (url,))
        IcsSource(url, OWNER, NY, cache=cache).fetch(MARCH)
        IcsSource(url, OWNER, NY, cache=cache).fetch(MARCH)
        assert server.requests == [None, f'"v{len(server.body)}"']  # the validators are still found
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    data = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())
    assert b"hunter2" not in data and b"/secret/" not in data  # ...which the next download removed


def test_cli_no_cache_and_cache_clear(tmp_path, calendar):
    runner = CliRunner()
    args = [
        "audit",
        "--ics",
        str(calendar),
        "--rules",
        str(ICS.parent / "rules.yaml"),
        "--period",
        "2026-03",
        "--format",
        "json",
    ]
    assert runner.invoke(main, [*args, "--no-cache"]).exit_code == 0
    assert "no cache at" in runner.invoke(main, ["cache", "clear"]).stdout
    assert runner.invoke(main, args).exit_code == 0
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed" in cleared.stdout


def test_an_entry_with_a_null_title_is_a_miss(tmp_path, calendar):
    cache = EventCache(tmp_path / "cache")
    source = IcsSource(str(calendar), OWNER, NY, cache=cache)
    expected = titles(source.fetch(MARCH))
    with sqlite3.connect(cache.path) as db:
        payload = json.loads(db.execute("SELECT payload FROM events").fetchone()[0])
        payload["events"][0][1] = None
        db.execute("UPDATE events SET payload = ?", (json.dumps(payload),))
    assert titles(source.fetch(MARCH)) == expected


@pytest.mark.parametrize("blocker", ["folder is a file", "file is a folder"])
def test_a_cache_that_cannot_be_used_is_one_warning_and_the_calendar_is_still_read(tmp_path, calendar, blocker):
    # Running as root, a read-only folder would still be writable; these two fail for root too.
    directory = tmp_path / "cache"
    if blocker == "folder is a file":
        directory.write_text("not a folder")
    else:
        (directory / FILE_NAME).mkdir(parents=True)
    source = IcsSource(str(calendar), OWNER, NY, cache=EventCache(directory))
    first, second = source.fetch(MARCH), source.fetch(MARCH)
    assert len(first.events) == len(second.events) == 8
    assert [w for w in first.warnings if "calendar cache not used" in w] == [
        f"{directory / FILE_NAME}: calendar cache not used "
        + (
            "(a part of its folder path is a file)"
            if blocker == "folder is a file"
            else "(unable to open database file)"
        )
        + "; calendars are read without it"
    ]
    assert not [w for w in second.warnings if "cache" in w]


DESCRIBED = b"""BEGIN:VCALENDAR\r
BEGIN:VEVENT\r
UID:review\r
SUMMARY:Quarterly review\r
DESCRIPTION:With Acme\\, about the\r
  renewal\r
LOCATION:Room 1\r
DTSTART:20260302T150000Z\r
DTEND:20260302T160000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_events_read_without_descriptions_never_answer_a_read_that_needs_them(tmp_path):
    path = tmp_path / "described.ics"
    path.write_bytes(DESCRIBED)
    cache = EventCache(tmp_path / "cache")

    def texts(**options):
        source = IcsSource(str(path), OWNER, NY, cache=cache, **options)
        return [(e.title, e.description, e.location) for e in source.fetch(MARCH).events]

    terse = [("Quarterly review", "", "")]
    assert texts(unread={"description", "location"}) == terse
    assert texts() == [("Quarterly review", "With Acme, about the renewal", "Room 1")]
    assert texts(unread={"location"}) == [("Quarterly review", "With Acme, about the renewal", "")]
    assert texts(unread={"location", "description"}) == terse  # its own entry, still there
    assert texts(unread={"description"}, prefilter=False) == [("Quarterly review", "", "Room 1")]
    with pytest.raises(ValueError, match="only description, location can be left unread, not title"):
        IcsSource(str(path), OWNER, NY, unread={"title"})


def test_a_rule_on_descriptions_is_answered_after_runs_whose_rules_read_none(tmp_path):
    # The first run's rules read titles only, so its cached events have no descriptions;
    # the second run's rules read them, and must see them.
    path = tmp_path / "described.ics"
    path.write_bytes(DESCRIBED)
    plain = (ICS.parent / "rules.yaml").read_text()
    by_description = tmp_path / "rules.yaml"
    by_description.write_text(plain.replace("rules:\n", "rules:\n  - category: sales\n    description: [acme]\n", 1))
    args = ["audit", "--ics", str(path), "--period", "2026-03", "--format", "json"]

    def sales_hours(rules):
        result = CliRunner().invoke(main, [*args, "--rules", str(rules)])
        assert result.exit_code == 0, result.output
        return next(c["hours"] for c in json.loads(result.stdout)["categories"] if c["id"] == "sales")

    assert sales_hours(ICS.parent / "rules.yaml") == 0
    assert sales_hours(by_description) == 1.0


@pytest.mark.parametrize(
    ("rule", "unread"),
    [
        ("{category: sales, title: [acme]}", {"description", "location"}),
        ("{category: sales, location: [hq]}", {"description"}),
        ("{category: sales, description: [acme], location: [hq]}", set()),
    ],
)
def test_the_sources_leave_unread_only_the_fields_no_rule_reads(rule, unread):
    text = (ICS.parent / "rules.yaml").read_text().replace("rules:\n", f"rules:\n  - {rule}\n", 1)
    loaded = parse(text.encode(), "rules.yaml")
    assert pipeline.unread_fields(loaded) == unread
    [source] = pipeline.build_sources(loaded, ["work.ics"])
    assert source.unread == {field.upper().encode() for field in unread}
