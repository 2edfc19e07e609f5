"""Google Calendar through the Calendar API v3 (google-api-python-client).

``events.list`` with ``singleEvents=True`` lets Google expand recurrences, moved and
cancelled instances; each page is fetched with ``execute(num_retries=...)`` so 429 and
5xx answers are retried with backoff (and after the wait a ``Retry-After`` asks for,
bounded), and any failure fails the whole fetch: a partial calendar is never audited.
Credentials come from an authorized-user token file written by ``calaudit auth google``
(refreshed and saved atomically, mode 0600) or from a service account with domain-wide
delegation; a fetch never starts an interactive sign-in.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import google.auth.exceptions
import googleapiclient.discovery
import googleapiclient.errors
import googleapiclient.http
import httplib2
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp

from ..errors import SourceError
from ..models import NO_TITLE, Attendee, Event, Fetched, InvalidEvent, Response, fold, one_line, printable
from ..period import Period, midnight
from ..storage import atomic_write
from . import Progress, no_progress
from .download import MAX_RETRY_AFTER, retry_after

SCOPES = ["https://www.googleapis.com/auth/calendar.readonly"]
NUM_RETRIES = 5
MAX_THROTTLED_WAIT = 2 * MAX_RETRY_AFTER
"""The longest one fetch waits in all for ``Retry-After`` (each wait at most MAX_RETRY_AFTER):
a scheduled run is not kept for the day a server may ask for."""
PAGE_SIZE = 2500
EVENT_FIELDS = (
    "nextPageToken,summary,items(id,iCalUID,status,summary,description,location,start,end,"
    "transparency,eventType,recurringEventId,originalStartTime,organizer(email,self),"
    "attendees(email,self,responseStatus,resource))"
)
"""The fields mask: only what the audit reads, and nextPageToken so pagination works."""
CALENDAR_FIELDS = "nextPageToken,items(id,summary,accessRole,primary)"
FIX_COMMAND = "calaudit auth google --client-secrets client_secret.json"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
_RESPONSES = {
    "accepted": Response.ACCEPTED,
    "declined": Response.DECLINED,
    "tentative": Response.TENTATIVE,
    "needsAction": Response.NEEDS_ACTION,
}


@dataclass(frozen=True)
class GoogleSettings:
    """Where credentials and the API are; from a ``google:`` entry of rules.yaml."""

    token_file: Path
    service_account_file: Path | None = None
    subject: str | None = None
    api_endpoint: str | None = None
    token_uri: str | None = None


class _Credentials:
    """Loads credentials, and saves a user token again if the library refreshed it."""

    def __init__(self, settings: GoogleSettings) -> None:
        self.settings = settings
        self.loaded_token: str | None = None
        self.kept: dict[str, Any] = {}
        """calaudit's own fields of the token file (when you signed in), kept on save."""
        self.value = self._load()

    def _load(self) -> Any:
        settings = self.settings
        if settings.service_account_file is not None:
            try:
                found = service_account.Credentials.from_service_account_file(
                    str(settings.service_account_file), scopes=SCOPES
                )
            except (OSError, ValueError) as exc:
                raise SourceError(
                    f"{settings.service_account_file}: cannot read the service account key: {exc}"
                ) from None
            if settings.subject:
                found = found.with_subject(settings.subject)
            return found.with_token_uri(settings.token_uri) if settings.token_uri else found
        try:
            info = json.loads(settings.token_file.read_text())
        except FileNotFoundError:
            raise SourceError(f"no Google sign-in at {settings.token_file}; run: {FIX_COMMAND}") from None
        except (OSError, ValueError) as exc:
            raise SourceError(
                f"{settings.token_file}: unreadable Google token ({type(exc).__name__}); run: {FIX_COMMAND}"
            ) from None
        if not isinstance(info, dict) or not (info.get("refresh_token") or info.get("token")):
            raise SourceError(f"{settings.token_file}: the Google token holds no refresh token; run: {FIX_COMMAND}")
        # Built field by field rather than with from_authorized_user_info, which ignores the
        # file's token_uri and refuses a file that holds only a refresh token (a token
        # endpoint of a Google-compatible server may not need the OAuth client).
        found = user_credentials.Credentials(
            token=info.get("token"),
            refresh_token=info.get("refresh_token"),
            token_uri=settings.token_uri or info.get("token_uri") or GOOGLE_TOKEN_URI,
            client_id=info.get("client_id") or "",
            client_secret=info.get("client_secret") or "",
            scopes=SCOPES,
            expiry=_expiry(info.get("expiry")),
        )
        self.loaded_token = found.token
        self.kept = {key: value for key, value in info.items() if key.startswith("calaudit_")}
        return found

    def save_if_refreshed(self) -> None:
        """Write a refreshed user token back atomically; never after a failed refresh."""
        value = self.value
        if isinstance(value, user_credentials.Credentials) and value.token and value.token != self.loaded_token:
            saved = json.loads(value.to_json()) | self.kept
            atomic_write(self.settings.token_file, json.dumps(saved).encode(), mode=0o600)
            self.loaded_token = value.token


SIGNED_IN_KEY = "calaudit_signed_in"
TESTING_MODE_DAYS = 7


def signed_in_at(settings: GoogleSettings) -> datetime | None:
    """When ``calaudit auth google`` wrote the token file, if it says."""
    try:
        stamp = json.loads(settings.token_file.read_text()).get(SIGNED_IN_KEY)
        return datetime.fromisoformat(stamp) if stamp else None
    except (OSError, ValueError):
        return None


def _expiry(value: object) -> datetime | None:
    """google-auth keeps expiry as naive UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.upper())  # RFC 3339 allows a lowercase z, fromisoformat does not
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class _Throttled:
    """The authorized http object googleapiclient calls, waiting as long as a throttling
    answer's ``Retry-After`` asks before handing it back: the library retries 429 and 5xx
    answers after a backoff of its own (rand() * 2**n seconds) and reads no header. The
    last of NUM_RETRIES + 1 throttled answers in a row is not waited for: no retry follows."""

    def __init__(self, http: AuthorizedHttp) -> None:
        self.http = http
        self.waited = 0.0
        self.in_a_row = 0

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> tuple[Any, bytes]:
        response, content = self.http.request(uri, method, *args, **kwargs)
        if response.status != 429 and response.status < 500:
            self.in_a_row = 0
            return response, content
        self.in_a_row += 1
        wait = min(retry_after(response.get("retry-after")), MAX_RETRY_AFTER, MAX_THROTTLED_WAIT - self.waited)
        if wait > 0 and self.in_a_row <= NUM_RETRIES:
            self.waited += wait
            time.sleep(wait)
        return response, content

    def __getattr__(self, name: str) -> Any:
        return getattr(self.http, name)


def _service(credentials: _Credentials) -> Any:
    endpoint = credentials.settings.api_endpoint
    # The endpoint replaces root URL and service path, and paths are appended to it.
    options = {"api_endpoint": endpoint.rstrip("/") + "/"} if endpoint else None
    http = _Throttled(AuthorizedHttp(credentials.value, http=googleapiclient.http.build_http()))
    return googleapiclient.discovery.build(
        "calendar", "v3", http=http, client_options=options, cache_discovery=False, static_discovery=True
    )


def _pages(request: Any, collection: Any, progress: Progress) -> Iterator[dict[str, Any]]:
    pages = 0
    while request is not None:
        response = request.execute(num_retries=NUM_RETRIES)
        pages += 1
        progress(pages, 0)
        yield response
        request = collection.list_next(request, response)


@contextmanager
def _api(settings: GoogleSettings, where: str) -> Iterator[Any]:
    """The Calendar service; the library's many failures become one clear SourceError,
    and a user token the library refreshed is saved only when everything succeeded."""
    credentials = _Credentials(settings)
    try:
        yield _service(credentials)
    except google.auth.exceptions.RefreshError as error:
        raise SourceError(_refresh_failure(settings, error)) from None
    except googleapiclient.errors.HttpError as error:
        status, reason = f"{where}: Google Calendar API error {error.status_code}", _reason(error)
        raise SourceError(f"{status}: {reason}" if reason else status) from None
    except (httplib2.HttpLib2Error, http.client.HTTPException, OSError) as error:
        raise SourceError(f"{where}: cannot reach the Google Calendar API ({error}); try again later") from None
    credentials.save_if_refreshed()


def _reason(error: googleapiclient.errors.HttpError) -> str:
    try:
        return str(error.reason or error.error_details or "").strip()[:200]
    except Exception:  # noqa: BLE001 - a reason is a courtesy
        return ""


def _refresh_failure(settings: GoogleSettings, error: Exception) -> str:
    # google-auth's RefreshError carries (message, response): str() of it is that tuple.
    text = str(error.args[0]) if error.args else str(error)
    if "invalid_grant" in text:
        return (
            f"Google sign-in in {settings.token_file} has expired or been revoked (invalid_grant); "
            "an OAuth app in 'Testing' mode expires sign-ins after 7 days (publish it, see README), "
            f"or access was revoked. Sign in again: {FIX_COMMAND}"
        )
    return f"Google sign-in could not be refreshed ({text.split(',')[0][:120]}); sign in again: {FIX_COMMAND}"


@dataclass(frozen=True)
class CalendarInfo:
    id: str
    summary: str
    access_role: str
    primary: bool


def list_calendars(settings: GoogleSettings) -> list[CalendarInfo]:
    """The calendars the signed-in account (or delegated subject) can read."""
    with _api(settings, "calendarList") as service:
        return _calendars(service)


def _calendars(service: Any) -> list[CalendarInfo]:
    collection = service.calendarList()
    request = collection.list(fields=CALENDAR_FIELDS, maxResults=250)
    return [
        CalendarInfo(
            item["id"],
            printable(item.get("summary", item["id"])),
            item.get("accessRole", ""),
            bool(item.get("primary")),
        )
        for page in _pages(request, collection, no_progress)
        for item in page.get("items", [])
    ]


class GoogleSource:
    """One Google calendar by id (``primary`` is the signed-in user's), or ``all``."""

    def __init__(
        self, calendar: str, settings: GoogleSettings, owner: frozenset[str] | set[str], zone: ZoneInfo
    ) -> None:
        self.calendar = calendar
        self.settings = settings
        self.owner = frozenset(fold(address) for address in owner)
        self.zone = zone

    @property
    def name(self) -> str:
        return f"google:{self.calendar}"

    def fetch(self, period: Period, progress: Progress = no_progress) -> Fetched:
        """Occurrences from timeMin to timeMax; pages are reported as progress."""
        with _api(self.settings, self.name) as service:
            ids = [c.id for c in _calendars(service)] if self.calendar == "all" else [self.calendar]
            fetched = Fetched()
            for calendar_id in ids:
                name, items = self._items(service, calendar_id, period, progress)
                for item in items:
                    self._read(item, name, fetched)
            return fetched

    def _items(self, service: Any, calendar_id: str, period: Period, progress: Progress) -> tuple[str, list[Any]]:
        """The calendar's name and its events.list items, every page fetched before any is read."""
        collection = service.events()
        request = collection.list(
            calendarId=calendar_id, singleEvents=True, orderBy="startTime",
            timeMin=period.start.isoformat(), timeMax=period.end.isoformat(),
            maxResults=PAGE_SIZE, fields=EVENT_FIELDS,
        )  # fmt: skip
        pages = list(_pages(request, collection, progress))
        name = printable(next((p["summary"] for p in pages if p.get("summary")), calendar_id))
        return name, [item for page in pages for item in page.get("items", [])]

    def _read(self, item: Any, calendar: str, fetched: Fetched) -> None:
        """Add the item's Event to ``fetched``; an item that cannot be read becomes an
        InvalidEvent saying why instead, so that it does not sink the calendar."""
        try:
            fetched.events.append(self._event(item, calendar))
        except _Unreadable as problem:
            title, uid = _names(item)
            fetched.invalid.append(InvalidEvent(calendar=calendar, title=title, uid=uid, reason=str(problem)))

    def _event(self, item: Any, calendar: str) -> Event:
        """The Event an events.list item describes; raises _Unreadable when it cannot be read."""
        if not isinstance(item, dict):
            raise _Unreadable(f"it is not an event but {_shown(item)}")
        start_at, end_at, first_day, after_day = self._times(item)
        organizer = _person(item.get("organizer") or {}, "organizer")
        attendees = _attendees(item)
        return Event(
            uid=_text(item, "iCalUID") or _text(item, "id"),
            title=one_line(_text(item, "summary")) or NO_TITLE,
            start=start_at,
            end=end_at,
            calendar=calendar,
            all_day=first_day is not None,
            start_date=first_day,
            end_date=after_day,
            description=_text(item, "description"),
            location=_text(item, "location"),
            organizer=fold(printable(organizer.get("email") or "")) or None,
            attendees=tuple(
                Attendee(fold(printable(a["email"])), bool(a.get("resource"))) for a in attendees if a.get("email")
            ),
            cancelled=item.get("status") == "cancelled",
            tentative=item.get("status") == "tentative",
            transparent=item.get("transparency") == "transparent",
            response=self._response(organizer, attendees),
            recurring="recurringEventId" in item,
            event_type=_text(item, "eventType") or "default",
            recurrence_id=self._original_start(item),
        )

    def _times(self, item: dict[str, Any]) -> tuple[datetime, datetime, date | None, date | None]:
        """Start and end, and for an all-day item its first day and the day after its last.

        As in .ics: without an end an all-day item lasts one day (and never less) and a
        timed one ends when it starts; an end of another kind than the start, or before
        it, is unreadable."""
        start, end = _when(item, "start", "start"), _when(item, "end", "end")
        if start is None:
            raise _Unreadable("it has no start time")
        if end is not None and _kind(end) != _kind(start):
            raise _Unreadable(f"its start is {_kind(start)} but its end {_kind(end)}")
        if "date" in start:
            first_day = _day(start, "start")
            after_day = _day(end, "end") if end else first_day
            _check_order(first_day, after_day)
            after_day = max(after_day, first_day + timedelta(days=1))
            return midnight(first_day, self.zone), midnight(after_day, self.zone), first_day, after_day
        start_at = _instant(start, self.zone, "start")
        end_at = _instant(end, self.zone, "end") if end else start_at
        _check_order(start_at, end_at)
        return start_at, end_at, None, None

    def _original_start(self, item: dict[str, Any]) -> datetime | None:
        """An instance of a recurring event is identified by its original start, as RECURRENCE-ID in .ics."""
        original = _when(item, "originalStartTime", "original start") if "recurringEventId" in item else None
        if original is None:
            return None
        if "date" in original:
            return midnight(_day(original, "original start"), self.zone)
        return _instant(original, self.zone, "original start")

    def _response(self, organizer: dict[str, Any], attendees: list[dict[str, Any]]) -> Response | None:
        """Google marks the signed-in user's own entry with self: true, whatever alias it uses."""
        for attendee in attendees:
            if attendee.get("self") or fold(attendee.get("email") or "") in self.owner:
                return _RESPONSES.get(attendee.get("responseStatus") or "", Response.NEEDS_ACTION)
        if organizer.get("self") or fold(organizer.get("email") or "") in self.owner:
            return Response.ACCEPTED
        return None


class _Unreadable(ValueError):
    """An events.list item the audit cannot read; the message says why, for the warning."""


def _when(item: dict[str, Any], key: str, what: str) -> dict[str, Any] | None:
    """``start``, ``end`` or ``originalStartTime``: a mapping holding ``date`` or
    ``dateTime``, or None when the item gives neither."""
    value = item.get(key)
    if value is not None and not isinstance(value, dict):
        raise _Unreadable(f"unreadable {what} time {_shown(value)}")
    return value if value and ("date" in value or "dateTime" in value) else None


def _kind(when: dict[str, Any]) -> str:
    return "a date" if "date" in when else "a time"


def _check_order(start: date, end: date) -> None:
    """An end before its start makes an item unreadable, as DTEND before DTSTART does in .ics."""
    if end < start:
        raise _Unreadable("its end is before its start")


def _day(when: dict[str, Any], what: str) -> date:
    try:
        return date.fromisoformat(when["date"])
    except (TypeError, ValueError):
        raise _Unreadable(f"unreadable {what} date {_shown(when['date'])}") from None


def _instant(when: dict[str, Any], zone: ZoneInfo, what: str) -> datetime:
    """A ``dateTime``; one without an offset is in its ``timeZone``, or else in ``zone``."""
    try:
        moment = datetime.fromisoformat(when["dateTime"])
    except (TypeError, ValueError):
        raise _Unreadable(f"unreadable {what} time {_shown(when['dateTime'])}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(when.get("timeZone"), what) or zone)
    return moment


def _zone(name: object, what: str) -> ZoneInfo | None:
    """The ``timeZone`` of a start or end, when it gives one."""
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except (KeyError, ValueError, OSError):  # not found, not a key ('../x'), a folder ('America')
        raise _Unreadable(f"unknown time zone {_shown(name)} in its {what} time") from None


def _person(entry: object, what: str) -> dict[str, Any]:
    """An organizer or attendee entry: a mapping whose email and responseStatus, if given, are text."""
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key) or "", str) for key in ("email", "responseStatus")
    ):
        raise _Unreadable(f"unreadable {what} {_shown(entry)}")
    return entry


def _attendees(item: dict[str, Any]) -> list[dict[str, Any]]:
    attendees = item.get("attendees") or []
    if not isinstance(attendees, list):
        raise _Unreadable(f"unreadable attendee list {_shown(attendees)}")
    return [_person(entry, "attendee") for entry in attendees]


def _text(item: dict[str, Any], key: str) -> str:
    """A text field; "" when absent or null."""
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise _Unreadable(f"its {key} is not text but {_shown(value)}")
    return printable(value or "")


def _names(item: Any) -> tuple[str, str]:
    """The title and UID a warning names an unreadable item by, as far as they are text."""
    if not isinstance(item, dict):
        return NO_TITLE, ""
    texts = {
        key: printable(value.strip()) for key in ("summary", "iCalUID", "id") if isinstance(value := item.get(key), str)
    }
    return one_line(texts.get("summary", "")) or NO_TITLE, texts.get("iCalUID") or texts.get("id", "")


def _shown(value: object) -> str:
    """A JSON value quoted for a warning, at most 60 characters of it."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
