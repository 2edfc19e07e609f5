"""Calendar sources: each turns one calendar into ``Event`` occurrences for a period."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..models import Fetched
from ..period import Period

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
