"""Calendar sources: each turns one calendar into ``Event`` occurrences for a period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..models import Event
from ..period import Period


@dataclass(frozen=True)
class InvalidEvent:
    """An event that could not be read; it is skipped and named in a warning."""

    calendar: str
    title: str
    uid: str
    reason: str

    def warning(self) -> str:
        uid = f" (UID {self.uid})" if self.uid else ""
        return f"{self.calendar}: skipped unreadable event '{self.title}'{uid}: {self.reason}"


@dataclass
class Fetched:
    """What a source returns: the occurrences it could read and what it could not."""

    events: list[Event] = field(default_factory=list)
    invalid: list[InvalidEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Problems with the calendar as a whole that did not stop it being read."""

    def extend(self, other: Fetched) -> None:
        self.events.extend(other.events)
        self.invalid.extend(other.invalid)
        self.warnings.extend(other.warnings)


Progress = Callable[[int, int], None]
"""Called with (work done, total work) while a source reads; units are the source's."""


def no_progress(done: int, total: int) -> None:
    """The default: nobody is watching."""


class Source(Protocol):
    @property
    def name(self) -> str:
        """How messages refer to this calendar (a path, a redacted URL, a calendar id)."""
        ...

    def fetch(self, period: Period, progress: Progress = no_progress) -> Fetched:
        """Every occurrence that may touch the period; raises SourceError if unreadable."""
        ...
