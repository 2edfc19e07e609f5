"""A Google-Calendar-compatible HTTP server on loopback, for googleapiclient in tests.

It serves calendarList.list and events.list (time-range filtering that lets items with
unreadable times through, the fields mask applied as Google applies it (so pagination
needs nextPageToken in it), optional throttling answers first (429 unless told, with
Retry-After if set), 401 for unknown access tokens, or any error answer it is given; a
page leaves out an empty 'items' and a calendar without a name leaves out 'summary', as
both are optional) and an OAuth token endpoint (refresh_token and jwt-bearer grants;
invalid_grant for a revoked refresh token, or any error answer it is given). Its events
are made from .ics fixtures by an independent conversion, the way Google presents them:
singleEvents expanded, cancelled instances left out, the signed-in user's own attendee
entry marked self: true under an alias.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

NY = ZoneInfo("America/New_York")
OWNER = "cto@weave.example"
ALIAS = "chief@weave.example"
"""How Google names the signed-in user in attendee lists: not an address of rules.yaml."""
GOOD_REFRESH, REVOKED_REFRESH = "good-refresh-token", "revoked-refresh-token"
_PARTSTAT = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


def google_events(*paths: Path) -> list[dict]:
    """Occurrences of the .ics files as events.list items, cancelled ones left out.

    Instances of a recurring event carry ``recurringEventId`` and ``originalStartTime``
    (their RECURRENCE-ID), as Google's do.
    """
    items = []
    for path in paths:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        series = {str(c["UID"]) for c in calendar.walk("VEVENT") if {"RRULE", "RDATE", "RECURRENCE-ID"} & set(c.keys())}
        for component in recurring_ical_events.of(calendar).between(datetime(2025, 1, 1), datetime(2027, 1, 1)):
            if str(component.get("STATUS", "")).upper() == "CANCELLED":
                continue
            items.append(_item(component, str(component["UID"]) in series))
    return items


def _moment(value) -> dict:
    if not isinstance(value, datetime):
        return {"date": value.isoformat()}
    if value.tzinfo is None:
        value = value.replace(tzinfo=NY)
    return {"dateTime": value.isoformat()}


def _address(value) -> str:
    return str(value).lower().removeprefix("mailto:")


def _item(component, recurring: bool) -> dict:
    uid = str(component["UID"])
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    busy = str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    item = {
        "id": f"{uid}_{start}",
        "iCalUID": uid,
        "status": str(component.get("STATUS", "confirmed")).lower(),
        "summary": str(component.get("SUMMARY", "")),
        "start": _moment(start),
        "end": _moment(end),
        "eventType": "outOfOffice" if busy == "OOF" else "default",
    }
    if str(component.get("TRANSP", "")).upper() == "TRANSPARENT" or busy == "FREE":
        item["transparency"] = "transparent"
    if recurring:
        item["recurringEventId"] = uid
        item["originalStartTime"] = _moment(component.decoded("RECURRENCE-ID"))
    if "ORGANIZER" in component:
        email = _address(component["ORGANIZER"])
        item["organizer"] = {"email": ALIAS if email == OWNER else email, **({"self": True} if email == OWNER else {})}
    attendees = component.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    if attendees:
        item["attendees"] = []
        for attendee in attendees:
            email = _address(attendee)
            entry = {
                "email": email,
                "responseStatus": _PARTSTAT.get(str(attendee.params.get("PARTSTAT", "")), "needsAction"),
            }
            if email == OWNER:
                entry |= {"email": ALIAS, "self": True}
            if str(attendee.params.get("CUTYPE", "")).upper() == "ROOM":
                entry["resource"] = True
            item["attendees"].append(entry)
    return item


def _start_of(item: dict, which: str) -> datetime:
    value = item[which]
    if "date" in value:
        return datetime.combine(date.fromisoformat(value["date"]), datetime.min.time(), tzinfo=NY)
    moment = datetime.fromisoformat(value["dateTime"])
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(value.get("timeZone", "America/New_York")))


_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, OSError)
"""What _start_of raises for a malformed time (OSError: a time zone that is a folder, 'America')."""


def _in_range(item: dict, low: datetime, high: datetime) -> bool:
    """Whether events.list returns the item: one whose start or end the fake cannot read is
    always returned, so that tests can hand the source malformed items."""
    try:
        start, end = _start_of(item, "start"), _start_of(item, "end")
    except _MALFORMED:
        return True
    return end > low and start < high


def _order(item: dict, low: datetime) -> datetime:
    """orderBy=startTime; an item without a readable start sorts as if it started at timeMin."""
    try:
        return _start_of(item, "start")
    except _MALFORMED:
        return low


def fields_mask(text: str) -> dict[str, dict | None]:
    """Google's partial-response mask, ``a,b(c,d(e))``, as {field: mask of its parts, or None for all of it}."""

    def parse(pos: int) -> tuple[dict[str, dict | None], int]:
        mask: dict[str, dict | None] = {}
        name = ""
        while pos < len(text) and text[pos] != ")":
            if text[pos] == "(":
                mask[name.strip()], pos = parse(pos + 1)
                name = ""
            elif text[pos] == ",":
                if name.strip():
                    mask[name.strip()] = None
                name = ""
            else:
                name += text[pos]
            pos += 1
        if name.strip():
            mask[name.strip()] = None
        return mask, pos

    return parse(0)[0]


def masked(value: object, mask: dict[str, dict | None] | None) -> object:
    """What Google sends of ``value`` under ``mask``: only the named fields, of every element of
    a list; a value that is no mapping (a malformed test item) is sent as it is."""
    if mask is None:
        return value
    if isinstance(value, list):
        return [masked(element, mask) for element in value]
    if isinstance(value, dict):
        return {key: masked(part, mask[key]) for key, part in value.items() if key in mask}
    return value


class FakeGoogle:
    def __init__(self, calendars: dict[str, tuple[str, list[dict]]], page_size: int = 3) -> None:
        self.calendars = calendars
        self.page_size = page_size
        self.access_tokens: set[str] = set()
        self.throttle_next = 0
        self.throttle_status = 429
        self.retry_after: str | None = None
        """The Retry-After header of the throttled answers, if any."""
        self.get_times: list[float] = []
        """time.monotonic() of every GET, in arrival order."""
        self.break_page: int | None = None
        """Drop the connection instead of answering the page at this offset."""
        self.log: list[tuple[str, str]] = []
        self.calendar_list: list[dict] | None = None
        """calendarList items as given, instead of those made from ``calendars``."""
        self.calendar_page_size = 250
        """The most calendarList items a page holds (maxResults, by default 100, asks for fewer)."""
        self.queries: list[dict[str, str]] = []
        """The query of every GET, in arrival order."""
        self.fail: tuple[int, str, bytes] | None = None
        """Answer every authorized API GET with this status, reason phrase and body."""
        self.token_failure: tuple[int, bytes] | None = None
        """Answer every token request with this status and body."""
        self.token_forms: list[dict[str, str]] = []
        """The form of every token request, in arrival order."""
        self.answers: list[dict] = []
        """The body of every calendarList and events.list answer, as sent (after the fields mask)."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, body: dict, query: dict) -> None:
                """A list answer, cut down to the fields mask of the request if it has one."""
                if "fields" in query:
                    body = masked(body, fields_mask(query["fields"]))  # type: ignore[assignment]
                server.answers.append(body)
                self._json(200, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                server.log.append(("POST", self.path))
                server.token_forms.append(form)
                if server.token_failure:
                    status, text = server.token_failure
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                    return
                grant = form.get("grant_type", "")
                if grant == "refresh_token" and form.get("refresh_token") != GOOD_REFRESH:
                    self._json(
                        400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                    )
                    return
                token = f"access-{len(server.access_tokens) + 1}"
                server.access_tokens.add(token)
                body = {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
                if grant == "authorization_code":
                    body |= {
                        "refresh_token": GOOD_REFRESH,
                        "scope": "https://www.googleapis.com/auth/calendar.readonly",
                    }
                self._json(200, body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                server.log.append(("GET", url.path))
                server.get_times.append(time.monotonic())
                server.queries.append(query)
                if self.headers.get("Authorization", "").removeprefix("Bearer ") not in server.access_tokens:
                    self._json(
                        401, {"error": {"code": 401, "message": "Request had invalid authentication credentials."}}
                    )
                    return
                if server.throttle_next:
                    server.throttle_next -= 1
                    retry = {"Retry-After": server.retry_after} if server.retry_after else {}
                    code = server.throttle_status
                    self._json(code, {"error": {"code": code, "message": "Rate Limit Exceeded"}}, retry)
                    return
                if server.fail:
                    status, phrase, body = server.fail
                    self.send_response(status, phrase)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                parts = url.path.split("/")
                if url.path.endswith("/users/me/calendarList"):
                    self._calendar_list(query)
                    return
                if len(parts) >= 2 and parts[-1] == "events" and parts[-3] == "calendars":
                    self._events(unquote(parts[-2]), query)
                    return
                self._json(404, {"error": {"code": 404, "message": "Not Found"}})

            def _calendar_list(self, query: dict) -> None:
                items = server.calendar_list
                if items is None:
                    items = [
                        {
                            "id": cid,
                            "summary": name,
                            "accessRole": "owner",
                            **({"primary": True} if cid == "primary" else {}),
                        }
                        for cid, (name, _) in server.calendars.items()
                    ]
                offset = int(query.get("pageToken", 0))
                size = min(int(query.get("maxResults", 100)), server.calendar_page_size)
                page = items[offset : offset + size]
                body: dict = {"items": page} if page else {}
                if offset + size < len(items):
                    body["nextPageToken"] = str(offset + size)
                self._answer(body, query)

            def _events(self, calendar_id: str, query: dict) -> None:
                if calendar_id not in server.calendars:
                    self._json(404, {"error": {"code": 404, "message": "Not Found"}})
                    return
                assert query.get("singleEvents") == "true" and query.get("orderBy") == "startTime"
                low, high = datetime.fromisoformat(query["timeMin"]), datetime.fromisoformat(query["timeMax"])
                name, items = server.calendars[calendar_id]
                chosen = sorted((i for i in items if _in_range(i, low, high)), key=lambda i: _order(i, low))
                offset = int(query.get("pageToken", 0))
                if offset and offset == server.break_page:
                    self.close_connection = True
                    self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"items": [')
                    return
                size = min(int(query.get("maxResults", 250)), server.page_size)
                page = chosen[offset : offset + size]
                body: dict = ({"summary": name} if name else {}) | ({"items": page} if page else {})
                if offset + size < len(chosen):
                    body["nextPageToken"] = str(offset + size)
                self._answer(body, query)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.api_endpoint = f"{self.url}/calendar/v3/"
        self.token_uri = f"{self.url}/token"

    def __enter__(self) -> FakeGoogle:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
