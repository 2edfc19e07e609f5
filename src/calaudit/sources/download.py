"""Downloading iCal URLs: retries of transient failures only, a bounded wait, secrets redacted."""

from __future__ import annotations

import base64
import email.utils
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import HTTPMessage
from time import monotonic, sleep
from typing import IO

from .. import __version__
from ..errors import SourceError
from .cache import Validators

TIMEOUT_SECONDS = 60.0
"""The default deadline for one download, retries included."""
MAX_BYTES = 200_000_000
"""The default cap on a calendar's size: an endless body must not fill memory."""
RETRY_DELAYS = (2.0, 8.0)
"""Seconds to wait before the second and third attempt of a download."""
MAX_RETRY_AFTER = 30.0
CHUNK = 1 << 16


def redact_url(url: str) -> str:
    """An iCal URL without the secret parts (private path segments, query)."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return f"{url.partition(':')[0]}://(malformed URL)"
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{parts.scheme}://{host}/…/{last}" if last else f"{parts.scheme}://{host}/"


def _without_credentials(url: str) -> tuple[str, str | None]:
    """``https://user:password@host/…`` (a Nextcloud or Radicale export, say) as the URL
    without them and an HTTP Basic ``Authorization`` value: urllib took ``user:password@host``
    for the host name, and failed as "Name or service not known"."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), f"Basic {token}"


class _SameOriginCredentials(urllib.request.HTTPRedirectHandler):
    """Credentials from the URL follow a redirect on the same scheme, host and port (as
    curl and requests do), never one elsewhere: urllib passed them on nowhere."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        authorization = req.unredirected_hdrs.get("Authorization")
        if new is not None and authorization and _origin(new.full_url) == _origin(req.full_url):
            new.add_unredirected_header("Authorization", authorization)
        return new


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80)


_OPENER = urllib.request.build_opener(_SameOriginCredentials)


def retry_after(value: str | None, now: datetime | None = None) -> float:
    """Seconds a ``Retry-After`` header asks to wait (a number of seconds or an HTTP date);
    0 when there is none or it cannot be read."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():  # not "²", which isdigit() takes for a digit
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if when.tzinfo is None:  # "-0000": UTC, said without a zone
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


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


def download(
    url: str,
    known: Validators | None,
    delays: Sequence[float] = RETRY_DELAYS,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> Body | None:
    """GET the calendar, retrying transient failures; with ``known`` validators a
    304 Not Modified returns None.

    Everything, retries and waits included, ends by ``timeout`` seconds (checked between
    reads; a server that goes silent is given up when its socket wait, at most the time
    left, runs out), so a scheduled run never hangs on a struggling server. A body over
    ``max_bytes`` is refused. Only transient failures (429, 5xx, a dropped connection)
    are retried; a malformed URL or a redirect loop fails at once.
    """
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    shown = redact_url(url)
    headers = {"User-Agent": f"calaudit/{__version__}"}
    if known is not None:
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
    try:
        url, authorization = _without_credentials(url)
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
    except ValueError as exc:
        raise SourceError(f"{shown}: malformed URL ({exc}); check the address") from None
    if authorization:
        # Not passed on to wherever a redirect leads (urllib would, with other headers).
        request.add_unredirected_header("Authorization", authorization)
    limits = _Limits(shown, monotonic() + timeout, timeout, max_bytes)
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return _get(request, known, limits)
        except _Transient as exc:
            wait = 0.0 if delay is None else max(delay, min(exc.retry_after, MAX_RETRY_AFTER))
            tried = f"after {attempt} attempt{'s' if attempt > 1 else ''}"
            if delay is None:
                raise SourceError(f"{shown}: {exc} ({tried}); try again later") from None
            if wait >= limits.left():
                raise SourceError(
                    f"{shown}: {exc} ({tried}; the next would wait {wait:g} s, past the {limits.timeout:g} s "
                    "deadline); try again later or raise --timeout"
                ) from None
            sleep(wait)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Limits:
    shown: str
    deadline: float
    timeout: float
    max_bytes: int

    def left(self) -> float:
        return self.deadline - monotonic()

    def timed_out(self) -> SourceError:
        return SourceError(
            f"{self.shown}: no complete answer within {self.timeout:g} s; try again later or raise --timeout"
        )

    def too_big(self) -> SourceError:
        return SourceError(
            f"{self.shown}: the calendar is larger than {self.max_bytes:,} bytes; not read (raise --max-download-mb)"
        )


_REDIRECTS = {301, 302, 303, 307, 308}


def _get(request: urllib.request.Request, known: Validators | None, limits: _Limits) -> Body | None:
    shown = limits.shown
    if limits.left() <= 0:
        raise limits.timed_out()
    try:
        with _OPENER.open(request, timeout=limits.left()) as response:
            length = response.headers.get("Content-Length", "")
            expected = int(length) if length.isdigit() else None
            if expected is not None and expected > limits.max_bytes:
                raise limits.too_big()
            data = _read_body(response, limits)
            if expected is not None and len(data) < expected:
                raise _Transient("download interrupted (IncompleteRead)")
            return Body(data, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == HTTPStatus.NOT_MODIFIED and known is not None:
            return None
        reason = " ".join(str(exc.reason).split())
        if exc.code in _REDIRECTS:
            raise SourceError(
                f"{shown}: HTTP {exc.code}: the redirects cannot be followed (a loop, or no new address); check the URL"
            ) from None
        if exc.code in _RETRYABLE:
            wait = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            raise _Transient(f"HTTP {exc.code} {reason}", wait) from None
        if exc.code == HTTPStatus.UNAUTHORIZED and request.get_header("Authorization"):
            elsewhere = _origin(exc.url) != _origin(request.full_url)
            hint = (
                "a redirect led to another host, which is not sent the URL's user name and password"
                if elsewhere
                else "the user name or password in the URL was refused"
            )
        elif exc.code in (401, 403, 404):
            hint = "the secret address may have been reset; copy it again from the calendar's settings"
        else:
            hint = "check the URL"
        raise SourceError(f"{shown}: HTTP {exc.code} {reason}; {hint}") from None
    except http.client.InvalidURL as exc:
        raise SourceError(f"{shown}: malformed URL ({exc}); check the address") from None
    except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
        if limits.left() <= 0:
            raise limits.timed_out() from None
        raise _Transient(f"download interrupted ({type(exc).__name__})") from None
    except (urllib.error.URLError, OSError) as exc:
        cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(cause, TimeoutError) and limits.left() <= 0:
            raise limits.timed_out() from None
        raise SourceError(f"{shown}: cannot download calendar ({cause}); check the URL and your network") from None


def _read_body(response: http.client.HTTPResponse, limits: _Limits) -> bytes:
    """Read in pieces as they arrive, so a trickling server meets the deadline and an
    endless one the size cap."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(CHUNK):
        size += len(chunk)
        if size > limits.max_bytes:
            raise limits.too_big()
        if limits.left() <= 0:
            raise limits.timed_out()
        chunks.append(chunk)
    return b"".join(chunks)
