"""A cache of the events read from a calendar, so an unchanged calendar is not parsed again.

Entries are keyed by the calaudit version, the calendar's content (sha256), its name, the
query window, the owner addresses, the reporting zone and how the calendar is read:
everything that shapes the events read. URLs also remember their ETag/Last-Modified for
a conditional GET. The cache is one SQLite file holding JSON; anything unreadable in it
(corrupt file, other format version, malformed entry) counts as a miss and is rebuilt,
never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .. import __version__, storage
from ..models import Attendee, Event, Fetched, InvalidEvent, Response

FORMAT = 6
"""Bump when the stored shape of an Event changes, or entries may hold events read wrongly:
older entries are then ignored. 3: a calendar could be read with the VTIMEZONE another
calendar of the same process gave its TZID. 4: titles are kept on one line (``one_line``).
5: an RRULE with both COUNT and UNTIL is warned of by event, not by dateutil's anonymous text,
an event starting in the hour clocks skip keeps its written length in elapsed time, and a
DURATION's hours are elapsed time. 6: a RANGE=THISANDFUTURE override moves the rest of its
series when its time is floating under X-WR-TIMEZONE, or RANGE is not in capitals; an
unknown TZID is unreadable under X-WR-TIMEZONE too; a line of SUMMARY, ATTENDEE and other
audited properties that icalendar dropped makes its event unreadable, and so does an
override whose RECURRENCE-ID is no time or not of its series' kind; addresses are folded
(NFC, case-folded) as rules.yaml's are."""
FILE_NAME = "events.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (key TEXT PRIMARY KEY, format INTEGER, payload TEXT)",
    "CREATE TABLE IF NOT EXISTS urls (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, digest TEXT)",
)


def _url_key(url: str) -> str:
    """An iCal URL is a secret (a private token in its path, a password before its host):
    the cache keeps its SHA-256, not the URL."""
    return "sha256:" + hashlib.sha256(url.encode()).hexdigest()


@dataclass(frozen=True)
class Validators:
    etag: str | None
    last_modified: str | None
    digest: str
    """sha256 of the body these validators belong to."""


def cache_key(digest: str, name: str, first: date, last: date, owner: Iterable[str], zone: str, reading: object) -> str:
    """``reading``: how the calendar is read (with the pre-filter or not, which fields are
    left unread), anything JSON can write."""
    parts = [FORMAT, __version__, digest, name, first.isoformat(), last.isoformat(), sorted(owner), zone, reading]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class EventCache:
    """An optimisation only: when the cache cannot be used (a read-only folder, a folder
    path that is a file), every call is a miss and ``take_warning`` says so once."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self._problem: str | None = None
        self._warned = False

    def _query(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        """One statement's first row; a file SQLite cannot read is thrown away (a miss)."""
        if self._problem is not None:
            return None
        try:
            with storage.connect(self.path, _SCHEMA) as db:
                return db.execute(sql, parameters).fetchone()
        except (OSError, sqlite3.OperationalError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if isinstance(exc, (FileExistsError, NotADirectoryError)):
                reason = "a part of its folder path is a file"
            self._problem = f"{self.path}: calendar cache not used ({reason}); calendars are read without it"
            return None
        except sqlite3.DatabaseError:
            with contextlib.suppress(OSError):
                self.path.unlink()
            return None

    def take_warning(self) -> str | None:
        """Why the cache could not be used, the first time it is asked; None otherwise."""
        if self._problem is None or self._warned:
            return None
        self._warned = True
        return self._problem

    def get(self, key: str) -> Fetched | None:
        row = self._query("SELECT format, payload FROM events WHERE key = ?", (key,))
        if row is None or row[0] != FORMAT:
            return None
        try:
            return _load(json.loads(row[1]))
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, fetched: Fetched) -> None:
        self._query("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", (key, FORMAT, json.dumps(_dump(fetched))))

    def validators(self, url: str) -> Validators | None:
        row = self._query("SELECT etag, last_modified, digest FROM urls WHERE url = ?", (_url_key(url),))
        return Validators(*row) if row else None

    def set_validators(self, url: str, validators: Validators) -> None:
        values = (_url_key(url), validators.etag, validators.last_modified, validators.digest)
        self._query("INSERT OR REPLACE INTO urls VALUES (?, ?, ?, ?)", values)
        self._query("DELETE FROM urls WHERE url = ?", (url,))  # as written by calaudit before 0.2

    def clear(self) -> bool:
        """Remove the cache file; True when there was one."""
        existed = self.path.exists()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        return existed


def _dump(fetched: Fetched) -> dict[str, Any]:
    return {
        "events": [_dump_event(e) for e in fetched.events],
        "invalid": [[i.calendar, i.title, i.uid, i.reason] for i in fetched.invalid],
        "warnings": fetched.warnings,
        "newest": fetched.newest.isoformat() if fetched.newest else None,
    }


def _dump_event(e: Event) -> list[Any]:
    return [
        e.uid, e.title, e.start.astimezone(UTC).isoformat(), e.end.astimezone(UTC).isoformat(), e.calendar,
        e.all_day, e.start_date.isoformat() if e.start_date else None, e.end_date.isoformat() if e.end_date else None,
        e.description, e.location, e.organizer, [[a.email, a.is_resource] for a in e.attendees],
        e.cancelled, e.tentative, e.transparent, e.response.value if e.response else None, e.recurring, e.event_type,
        e.recurrence_id.astimezone(UTC).isoformat() if e.recurrence_id else None,
    ]  # fmt: skip


def _load(data: dict[str, Any]) -> Fetched:
    return Fetched(
        events=[_load_event(row) for row in data["events"]],
        invalid=[InvalidEvent(*row) for row in data["invalid"]],
        warnings=[str(w) for w in data["warnings"]],
        newest=datetime.fromisoformat(data["newest"]) if data["newest"] else None,
    )


def _load_event(row: list[Any]) -> Event:
    """An entry of the wrong shape raises (ValueError, TypeError): the caller treats it as a miss."""
    (uid, title, start, end, calendar, all_day, start_date, end_date, description, location, organizer,
     attendees, cancelled, tentative, transparent, response, recurring, event_type, recurrence_id) = row  # fmt: skip
    if not all(isinstance(text, str) for text in (uid, title, calendar, description, location, event_type)):
        raise TypeError("a text field of a cached event is not text")
    if organizer is not None and not isinstance(organizer, str):
        raise TypeError("a cached organizer is not text")
    return Event(
        uid=uid,
        title=title,
        start=datetime.fromisoformat(start),
        end=datetime.fromisoformat(end),
        calendar=calendar,
        all_day=bool(all_day),
        start_date=date.fromisoformat(start_date) if start_date else None,
        end_date=date.fromisoformat(end_date) if end_date else None,
        description=description,
        location=location,
        organizer=organizer,
        attendees=tuple(Attendee(email, bool(resource)) for email, resource in attendees),
        cancelled=bool(cancelled),
        tentative=bool(tentative),
        transparent=bool(transparent),
        response=Response(response) if response else None,
        recurring=bool(recurring),
        event_type=event_type,
        recurrence_id=datetime.fromisoformat(recurrence_id) if recurrence_id else None,
    )
