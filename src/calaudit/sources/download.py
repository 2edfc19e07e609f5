"""Downloading iCal URLs: retries of transient failures only, a bounded wait, secrets redacted."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from time import sleep

from .. import __version__
from ..errors import SourceError
from .cache import Validators

URL_TIMEOUT_SECONDS = 60
RETRY_DELAYS = (2.0, 8.0)
"""Seconds to wait before the second and third attempt of a download."""
MAX_RETRY_AFTER = 30.0


def redact_url(url: str) -> str:
    """An iCal URL without the secret parts (private path segments, query)."""
    parts = urllib.parse.urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.scheme}://{parts.hostname or ''}/…/{last}" if last else f"{parts.scheme}://{parts.hostname}/"


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://", "webcal://"))


@dataclass(frozen=True)
class Body:
    data: bytes
    etag: str | None
    last_modified: str | None


_RETRYABLE = {429, 500, 502, 503, 504}


class _Transient(Exception):
    """A failure worth another attempt: 429, a 5xx, a dropped connection."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def download(url: str, known: Validators | None, delays: Sequence[float] = RETRY_DELAYS) -> Body | None:
    """GET the calendar, retrying transient failures; with ``known`` validators a
    304 Not Modified returns None. The total wait is bounded by ``delays`` and
    MAX_RETRY_AFTER, so a scheduled run never hangs on a struggling server."""
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    headers = {"User-Agent": f"calaudit/{__version__}"}
    if known is not None:
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
    shown = redact_url(url)
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return _get(urllib.request.Request(url, headers=headers), known, shown)  # noqa: S310
        except _Transient as exc:
            if delay is None:
                raise SourceError(f"{shown}: {exc} (after {attempt} attempts); try again later") from None
            sleep(max(delay, min(exc.retry_after, MAX_RETRY_AFTER)))
    raise AssertionError("unreachable")


def _get(request: urllib.request.Request, known: Validators | None, shown: str) -> Body | None:
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310
            return Body(response.read(), response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == HTTPStatus.NOT_MODIFIED and known is not None:
            return None
        if exc.code in _RETRYABLE:
            retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
            wait = float(retry_after) if retry_after.isdigit() else 0.0
            raise _Transient(f"HTTP {exc.code} {exc.reason}", wait) from None
        hint = (
            "the secret address may have been reset; copy it again from the calendar's settings"
            if exc.code in (401, 403, 404)
            else "check the URL"
        )
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}; {hint}") from None
    except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
        raise _Transient(f"download interrupted ({type(exc).__name__})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"{shown}: cannot download calendar ({reason}); check the URL and your network") from None
