"""iCalendar (.ics) files and iCal URLs.

icalendar parses, recurring-ical-events expands recurrences and x-wr-timezone applies
X-WR-TIMEZONE. recurring-ical-events fails a whole calendar on one bad event, so each
series (the components sharing a UID) is checked and expanded on its own: a bad one is
skipped and reported as ``InvalidEvent`` while the rest of the calendar is audited.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.cal import Component

from .. import __version__
from ..errors import SourceError
from ..models import Attendee, Event, Response
from ..period import Period
from . import Fetched, InvalidEvent

URL_TIMEOUT_SECONDS = 60
QUERY_MARGIN = timedelta(days=2)
"""Floating and all-day times are placed in the reporting zone only after expansion, so
the query window is widened by more than any UTC offset; the auditor clips exactly."""

_PARTSTAT = {
    "ACCEPTED": Response.ACCEPTED,
    "DECLINED": Response.DECLINED,
    "TENTATIVE": Response.TENTATIVE,
    "NEEDS-ACTION": Response.NEEDS_ACTION,
}
_RESOURCE_CUTYPES = {"ROOM", "RESOURCE"}


def redact_url(url: str) -> str:
    """An iCal URL without the secret parts (private path segments, query)."""
    parts = urllib.parse.urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.scheme}://{parts.hostname or ''}/…/{last}" if last else f"{parts.scheme}://{parts.hostname}/"


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://", "webcal://"))


class IcsSource:
    """A local .ics file or an http(s)/webcal URL."""

    def __init__(self, location: str, owner: Iterable[str], zone: ZoneInfo) -> None:
        self.location = location
        self.owner = frozenset(address.lower() for address in owner)
        self.zone = zone

    @property
    def name(self) -> str:
        return redact_url(self.location) if is_url(self.location) else self.location

    def fetch(self, period: Period) -> Fetched:
        raw = _download(self.location) if is_url(self.location) else _read_file(self.location)
        return parse_calendar(raw, self.name, period, self.owner, self.zone)


def _read_file(location: str) -> bytes:
    path = Path(location).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{location}: calendar file not found; check the path") from None
    except IsADirectoryError:
        raise SourceError(f"{location}: is a directory, not an .ics file") from None
    except OSError as exc:
        raise SourceError(f"{location}: cannot read calendar file: {exc.strerror}") from None


def _download(url: str) -> bytes:
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    request = urllib.request.Request(url, headers={"User-Agent": f"calaudit/{__version__}"})  # noqa: S310
    shown = redact_url(url)
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310
            data: bytes = response.read()
            return data
    except urllib.error.HTTPError as exc:
        hint = (
            "the secret address may have been reset; copy it again from the calendar's settings"
            if exc.code in (401, 403, 404)
            else "try again later"
        )
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}; {hint}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{shown}: cannot download calendar ({reason}); check the URL and your network") from None


def _decode(raw: bytes, name: str, warnings: list[str]) -> str:
    if b"\x00" in raw[:65536]:
        raise SourceError(f"{name}: binary data, not an iCalendar (.ics) file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(
            f"{name}: not valid UTF-8 (first bad byte at offset {exc.start}); unreadable characters were replaced"
        )
        text = raw.decode("utf-8-sig", errors="replace")
    head = text.lstrip()[:15].upper()
    if not head.startswith("BEGIN:VCALENDAR"):
        raise SourceError(f"{name}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    if "END:VCALENDAR" not in text[-4096:].upper():
        raise SourceError(f"{name}: truncated iCalendar file (no END:VCALENDAR at the end); export it again")
    return text


def parse_calendar(raw: bytes, name: str, period: Period, owner: frozenset[str], zone: ZoneInfo) -> Fetched:
    """All occurrences in ``raw`` that may touch ``period``; ``name`` labels messages."""
    result = Fetched()
    text = _decode(raw, name, result.warnings)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as exc:
        raise SourceError(f"{name}: not a valid iCalendar file: {exc}") from None
    window = (period.start - QUERY_MARGIN, period.end + QUERY_MARGIN)
    for calendar in calendars:
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as exc:  # noqa: BLE001 - a bad X-WR-TIMEZONE must not lose the calendar
            result.warnings.append(f"{name}: X-WR-TIMEZONE ignored: {exc}")
        calendar_name = str(calendar.get("X-WR-CALNAME") or name)
        reader = _Reader(calendar_name, owner, zone, window)
        for components in _series(calendar):
            reader.read_series(components, result)
    return result


def _series(calendar: Component) -> Iterator[list[Component]]:
    """VEVENTs grouped by UID: a recurring master with its overrides, or a single event.

    Some exports reuse one UID for unrelated events. recurring-ical-events would keep
    only one of them, so every further master becomes a series of its own; exact
    repeats are then counted once by the auditor (same UID and start).
    """
    by_uid: dict[str, list[Component]] = defaultdict(list)
    for index, component in enumerate(calendar.walk("VEVENT")):
        by_uid[str(component.get("UID") or f"#{index}")].append(component)
    for components in by_uid.values():
        masters = [c for c in components if "RECURRENCE-ID" not in c]
        overrides = [c for c in components if "RECURRENCE-ID" in c]
        yield masters[:1] + overrides
        for master in masters[1:]:
            yield [master]


class _Reader:
    def __init__(self, calendar: str, owner: frozenset[str], zone: ZoneInfo, window: tuple[datetime, datetime]) -> None:
        self.calendar = calendar
        self.owner = owner
        self.zone = zone
        self.window = window

    def read_series(self, components: list[Component], result: Fetched) -> None:
        good = []
        for component in components:
            problem = _problem(component)
            if problem is None:
                good.append(component)
            elif self._may_touch_window(component):
                result.invalid.append(self._invalid(component, problem))
        if not good:
            return
        try:
            series = recurring_ical_events.Series([recurring_ical_events.EventAdapter(c) for c in good])
            occurrences = [o.as_component(False) for o in series.between(*self.window)]
            events = [self._event(c, recurring=len(good) > 1 or "RRULE" in good[0]) for c in occurrences]
        except Exception as exc:  # noqa: BLE001 - any library failure is confined to this series
            if any(self._may_touch_window(c) for c in good):
                result.invalid.append(self._invalid(good[0], _reason(exc)))
            return
        result.events.extend(events)

    def _invalid(self, component: Component, reason: str) -> InvalidEvent:
        return InvalidEvent(
            calendar=self.calendar,
            title=str(component.get("SUMMARY") or "(no title)"),
            uid=str(component.get("UID") or ""),
            reason=reason,
        )

    def _may_touch_window(self, component: Component) -> bool:
        """False only when a broken single event clearly lies outside the period."""
        if any(key in component for key in ("RRULE", "RDATE", "RECURRENCE-ID")):
            return True
        try:
            start = component.decoded("DTSTART")
        except Exception:  # noqa: BLE001 - unreadable start: we cannot rule it out
            return True
        if not isinstance(start, date):
            return True
        start = _as_date(start)
        first, last = self.window[0].date(), self.window[1].date()
        return first - timedelta(days=366) <= start <= last

    def _event(self, component: Component, recurring: bool) -> Event:
        start, end = component.decoded("DTSTART"), component.decoded("DTEND")
        all_day = not isinstance(start, datetime)
        first_day = after_day = None
        if all_day:
            first_day, after_day = _as_date(start), _as_date(end)
            after_day = max(after_day, first_day + timedelta(days=1))
            start, end = first_day, after_day
        organizer = _address(component.get("ORGANIZER"))
        status = str(component.get("STATUS", "")).upper()
        return Event(
            uid=str(component.get("UID") or ""),
            title=str(component.get("SUMMARY") or "(no title)").strip(),
            start=self._aware(start),
            end=self._aware(end),
            calendar=self.calendar,
            all_day=all_day,
            start_date=first_day,
            end_date=after_day,
            description=str(component.get("DESCRIPTION") or ""),
            location=str(component.get("LOCATION") or ""),
            organizer=organizer,
            attendees=tuple(_attendees(component)),
            cancelled=status == "CANCELLED",
            tentative=status == "TENTATIVE",
            transparent=_is_free(component),
            response=self._response(component, organizer),
            recurring=recurring,
            event_type=_event_type(component),
        )

    def _aware(self, value: date) -> datetime:
        if not isinstance(value, datetime):
            return _local_midnight(value, self.zone)
        return value if value.tzinfo else value.replace(tzinfo=self.zone)

    def _response(self, component: Component, organizer: str | None) -> Response | None:
        if not self.owner:
            return None
        for attendee in _raw_attendees(component):
            if _address(attendee) in self.owner:
                partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
                return _PARTSTAT.get(partstat, Response.NEEDS_ACTION)
        if organizer in self.owner:
            return Response.ACCEPTED
        return None


def _problem(component: Component) -> str | None:
    """Why a VEVENT cannot be audited, or None when it can."""
    if "DTSTART" not in component:
        return "it has no DTSTART"
    try:
        start = component.decoded("DTSTART")
        end = component.decoded("DTEND") if "DTEND" in component else None
        if "DURATION" in component:
            component.decoded("DURATION")
    except Exception as exc:  # noqa: BLE001 - icalendar reports broken values in many ways
        return _reason(exc)
    for key in ("DTSTART", "DTEND"):
        tzid = component[key].params.get("TZID") if key in component else None
        value = start if key == "DTSTART" else end
        if tzid and isinstance(value, datetime) and value.tzinfo is None:
            return f"unknown time zone '{tzid}' in {key}"
    if (
        end is not None
        and isinstance(end, datetime) == isinstance(start, datetime)
        and _comparable(end, start) < _comparable(start, start)
    ):
        return "DTEND is before DTSTART"
    return None


def _comparable(value: date, like: date) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0))
    if value.tzinfo is None and isinstance(like, datetime) and like.tzinfo is not None:
        return value.replace(tzinfo=like.tzinfo)
    if value.tzinfo is not None and not (isinstance(like, datetime) and like.tzinfo):
        return value.replace(tzinfo=None)
    return value


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, recurring_ical_events.BadRuleStringFormat):
        text = f"invalid RRULE ({text})"
    return text[:200]


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _raw_attendees(component: Component) -> list[icalendar.vCalAddress]:
    value = component.get("ATTENDEE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _address(value: icalendar.vCalAddress | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "@" not in text and "EMAIL" in value.params:
        text = str(value.params["EMAIL"])
    return text.lower() or None


def _attendees(component: Component) -> Iterator[Attendee]:
    for raw in _raw_attendees(component):
        email = _address(raw)
        if email:
            cutype = str(raw.params.get("CUTYPE", "INDIVIDUAL")).upper()
            is_resource = cutype in _RESOURCE_CUTYPES or email.endswith("resource.calendar.google.com")
            yield Attendee(email=email, is_resource=is_resource)


def _is_free(component: Component) -> bool:
    if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
        return True
    return str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"


def _event_type(component: Component) -> str:
    """Outlook marks out-of-office time with a busy status of OOF."""
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "OOF":
        return "outOfOffice"
    return "default"
