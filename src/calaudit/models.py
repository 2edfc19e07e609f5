"""Plain data passed between the stages of the pipeline."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""Bidi embeddings, overrides and isolates, as a regex character range (see ``printable``)."""
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """How text is compared: NFC (macOS writes 'café' decomposed) and case-folded, in
    rules.yaml and in calendars alike ('Straße' is 'strasse' on both sides).

    Cached: every rule folds the same few titles again."""
    return unicodedata.normalize("NFC", text).casefold()


def printable(text: str) -> str:
    """Text from a calendar or a server without control characters (C0 but tab and line
    feed, DEL, C1), each replaced by U+FFFD: an invitation's title must not reach a terminal
    as escape codes (a clipboard write, a cleared screen, a fake line). The bidi embeddings,
    overrides and isolates (U+202A-U+202E, U+2066-U+2069) go too: left open in a title,
    they reorder the rest of its line (a warning's UID, a table's hours). Right-to-left
    text itself is untouched, and so are the marks (U+200E, U+200F), which open nothing
    that could run on."""
    return text if _CONTROL.search(text) is None else _CONTROL.sub("\ufffd", text)


NO_TITLE = "(no title)"
"""What an event without a title is called, in every output."""


def one_line(text: object) -> str:
    """Text printable and on one line, as event titles and every error and warning are
    shown: line breaks and tabs (a SUMMARY may hold escaped ones, a server or library may
    put them in a message) and runs of blanks become one space, so no title adds a row of
    its own to a table or a line of its own to a report."""
    return " ".join(printable(str(text)).split())


class Response(StrEnum):
    """The calendar owner's own answer to an invitation."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    NEEDS_ACTION = "needs-action"


@dataclass(frozen=True)
class Attendee:
    email: str
    """Lower-cased address without ``mailto:``."""
    is_resource: bool = False
    """Rooms and equipment: never people, so they take no part in ``audience``."""


@dataclass(frozen=True)
class Event:
    """One occurrence of a calendar event, as every source reports it.

    Timed events carry tz-aware ``start``/``end``. All-day events carry the first day
    and the day after the last day in ``start_date``/``end_date`` and have ``start``
    and ``end`` at local midnight of those days in the reporting zone.
    """

    uid: str
    title: str
    start: datetime
    end: datetime
    calendar: str
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    description: str = ""
    location: str = ""
    organizer: str | None = None
    attendees: tuple[Attendee, ...] = ()
    cancelled: bool = False
    tentative: bool = False
    """The event itself is marked tentative (``STATUS:TENTATIVE``)."""
    transparent: bool = False
    """Shown as free (``TRANSP:TRANSPARENT``)."""
    response: Response | None = None
    """The owner's own answer; None when the owner is not among the attendees."""
    recurring: bool = False
    event_type: str = "default"
    """Google's eventType; ``.ics`` events are always ``default``."""
    recurrence_id: datetime | None = None
    """For an occurrence of a recurring series, its original start (RECURRENCE-ID, Google's
    ``originalStartTime``), which identifies it with the UID even when it was moved."""


@dataclass(frozen=True)
class InvalidEvent:
    """An event that could not be read; it is skipped and named in a warning."""

    calendar: str
    title: str
    uid: str
    reason: str

    @property
    def name(self) -> str:
        """The event as warnings name it: its title, and its UID when it has one."""
        uid = f" (UID {self.uid})" if self.uid else ""
        return f"'{self.title}'{uid}"

    def warning(self) -> str:
        return f"{self.calendar}: skipped unreadable event {self.name}: {self.reason}"


@dataclass
class Fetched:
    """What a source returns: the occurrences it could read and what it could not."""

    events: list[Event] = field(default_factory=list)
    invalid: list[InvalidEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Problems with the calendar as a whole that did not stop it being read."""
    newest: datetime | None = None
    """When the newest event of the whole calendar starts, not only the period's; None when
    the source cannot tell cheaply. It tells an empty period from a stale export."""

    def extend(self, other: Fetched) -> None:
        self.events.extend(other.events)
        self.invalid.extend(other.invalid)
        self.warnings.extend(other.warnings)
        known = [moment for moment in (self.newest, other.newest) if moment is not None]
        self.newest = max(known, default=None)
