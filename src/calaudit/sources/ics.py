"""iCalendar (.ics) files and iCal URLs.

icalendar parses, recurring-ical-events expands recurrences and x-wr-timezone applies
X-WR-TIMEZONE. recurring-ical-events fails a whole calendar on one bad event, so each
series (the components sharing a UID) is checked and expanded on its own: a bad one is
skipped and reported as ``InvalidEvent`` while the rest of the calendar is audited.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import hashlib
import io
import math
import re
import stat
import warnings
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dateutil.rrule
import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.cal import Component

from ..errors import SourceError
from ..models import NO_TITLE, Attendee, Event, Fetched, InvalidEvent, Response, fold, one_line, printable
from ..period import Period, midnight
from . import Progress, no_progress, repair, scan
from .cache import EventCache, Validators, cache_key
from .download import MAX_BYTES, RETRY_DELAYS, TIMEOUT_SECONDS, download, is_url, redact_url

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


class IcsSource:
    """A local .ics file or an http(s)/webcal URL.

    With ``prefilter`` (the default) only the parts of the file that can touch the period
    are parsed (see ``scan``); with a ``cache`` the events read for a period are kept,
    keyed by the file's content, and an unchanged calendar is not parsed again. The Event
    fields in ``unread`` (of ``UNREAD_FIELDS``: fields no rule reads) are left empty, and
    their properties are not parsed: a long description is most of a realistic event.
    """

    def __init__(
        self,
        location: str,
        owner: Iterable[str],
        zone: ZoneInfo,
        *,
        prefilter: bool = True,
        cache: EventCache | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_BYTES,
        unread: Iterable[str] = (),
    ) -> None:
        self.location = location
        self.unread = _unread_properties(unread)
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.owner = frozenset(fold(address) for address in owner)
        self.zone = zone
        self.prefilter = prefilter
        self.cache = cache

    @property
    def name(self) -> str:
        return redact_url(self.location) if is_url(self.location) else self.location

    def fetch(self, period: Period, progress: Progress = no_progress) -> Fetched:
        """Progress is reported in bytes of the file scanned."""
        fetched = self._fetch_url(period) if is_url(self.location) else self._fetch_file(period, progress)
        if self.cache is not None and (warning := self.cache.take_warning()) is not None:
            fetched.warnings.append(warning)
        return fetched

    def _fetch_file(self, period: Period, progress: Progress) -> Fetched:
        path = Path(self.location).expanduser()
        digest, head = _inspect_file(path, self.location)
        key = self._key(digest, period)
        if self.cache is not None and (cached := self.cache.get(key)) is not None:
            return cached
        try:
            if head.startswith(ZIP_MAGIC):
                fetched = self._read_zip(path, period)
            elif _bom_encoding(head) is not None:
                fetched = self._parse(path.read_bytes(), self.name, period)
            else:
                # Passed on unnamed, the file's bytes are freed once scanned, before parsing.
                scanned = _scan(_read_whole(path, progress), period, self.prefilter, self.unread)
                fetched = _read(scanned, self.name, period, self.owner, self.zone)
        except OSError as exc:
            raise SourceError(f"{self.location}: cannot read calendar file: {exc.strerror}") from None
        if self.cache is not None:
            self.cache.put(key, fetched)
        return fetched

    def _read_zip(self, path: Path, period: Period) -> Fetched:
        """Every .ics in a .zip (Google Calendar's Export), each named ``export.zip:work.ics``.

        The same occurrence in two members counts once, as for two files (the auditor
        identifies occurrences by UID and original start).
        """
        fetched = Fetched()
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".ics")]
                if not members:
                    raise SourceError(f"{self.location}: the .zip holds no .ics file; export the calendar again")
                for member in members:
                    name = f"{self.name}:{member.filename}"
                    if member.file_size > MAX_MEMBER_BYTES:
                        raise SourceError(f"{name}: larger than {MAX_MEMBER_BYTES // 1_000_000} MB unpacked; not read")
                    with archive.open(member) as handle:
                        raw = handle.read(MAX_MEMBER_BYTES + 1)
                    if len(raw) > MAX_MEMBER_BYTES:
                        raise SourceError(f"{name}: larger than {MAX_MEMBER_BYTES // 1_000_000} MB unpacked; not read")
                    fetched.extend(self._parse(raw, name, period))
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise SourceError(f"{self.location}: corrupt or unsupported .zip file ({exc}); download it again") from None
        return fetched

    def _fetch_url(self, period: Period) -> Fetched:
        known = self.cache.validators(self.location) if self.cache is not None else None
        cached = self.cache.get(self._key(known.digest, period)) if self.cache and known else None
        validators = known if cached is not None else None
        body = download(self.location, validators, self.retry_delays, self.timeout, self.max_bytes)
        if body is None:
            assert cached is not None
            return cached
        digest = hashlib.sha256(body.data).hexdigest()
        key = self._key(digest, period)
        fetched = self.cache.get(key) if self.cache is not None else None
        if fetched is None:
            fetched = self._parse(body.data, self.name, period)
            if self.cache is not None:
                self.cache.put(key, fetched)
        if self.cache is not None:
            # Only a body that was read is remembered for the next conditional GET.
            self.cache.set_validators(self.location, Validators(body.etag, body.last_modified, digest))
        return fetched

    def _parse(self, raw: bytes, name: str, period: Period) -> Fetched:
        return parse_calendar(raw, name, period, self.owner, self.zone, self.prefilter, self.unread)

    def _key(self, digest: str, period: Period) -> str:
        """The path read is part of the key: ``--no-prefilter`` is how a user checks the
        pre-filter, so it must never be answered from what the pre-filter produced. So are
        the fields left unread: events read without descriptions must not answer rules
        that read them."""
        first, last = _window_days(period)
        reading = [self.prefilter, sorted(field.decode() for field in self.unread)]
        return cache_key(digest, self.name, first, last, self.owner, self.zone.key, reading)


HEAD_BYTES = 65536
PROGRESS_BYTES = 1 << 22
"""Bytes read between progress reports."""


def _read_whole(path: Path, progress: Progress) -> bytes:
    """The whole file, read in chunks to report progress.

    The chunks go into a BytesIO, whose ``getvalue`` hands over its own buffer: the file is
    held once, not once in chunks and again joined.
    """
    total = path.stat().st_size
    buffer = io.BytesIO()
    with path.open("rb") as handle:
        while chunk := handle.read(PROGRESS_BYTES):
            buffer.write(chunk)
            progress(buffer.tell(), total)
    progress(total, total)
    return buffer.getvalue()


TAIL_BYTES = 4096


def _window(period: Period) -> tuple[datetime, datetime]:
    return period.start - QUERY_MARGIN, period.end + QUERY_MARGIN


def _window_days(period: Period) -> tuple[date, date]:
    start, end = _window(period)
    return start.date(), end.date()


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a first member, or the end of an empty archive
MAX_MEMBER_BYTES = 200_000_000
"""A member of a .zip larger than this unpacked is refused (a zip bomb must not fill memory)."""


def _inspect_file(path: Path, location: str) -> tuple[str, bytes]:
    """Check that the file looks like a whole calendar (or a .zip, checked when read);
    return the sha256 of its content and its first bytes.

    Only regular files are read: a FIFO or a device such as /dev/zero would never end.
    """
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            raise SourceError(f"{location}: not a regular file (a pipe or device); save the calendar to a file first")
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            digest.update(head)
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            size = handle.tell()
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except FileNotFoundError:
        raise SourceError(f"{location}: calendar file not found; check the path") from None
    except IsADirectoryError:
        raise SourceError(f"{location}: is a directory, not an .ics file") from None
    except OSError as exc:
        raise SourceError(f"{location}: cannot read calendar file: {exc.strerror}") from None
    if not head.startswith(ZIP_MAGIC) and _bom_encoding(head) is None:
        _check_calendar(head, tail, location)
    return digest.hexdigest(), head


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 when the data starts with that byte-order mark (Windows tools write them)."""
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def _as_utf8(raw: bytes, name: str) -> bytes:
    encoding = _bom_encoding(raw[:4])
    if encoding is None:
        return raw
    try:
        return raw.decode(encoding).encode()
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name}: not valid {encoding.upper()} (bad data at offset {exc.start}); export it again as UTF-8"
        ) from None


_LEADING = b"\xef\xbb\xbf \t\r\n"
"""What may come before BEGIN:VCALENDAR: a UTF-8 byte order mark, blanks, blank lines."""


def _without_leading_blanks(raw: bytes) -> bytes:
    """``raw`` without the byte order mark and blanks before BEGIN:VCALENDAR, keeping the
    line ends there, so that messages count lines as an editor does. A line of blanks
    first would be read as the continuation of nothing, which icalendar rejects."""
    before = _BEFORE_CALENDAR.match(raw).end()  # type: ignore[union-attr]
    return raw[:before].translate(None, b"\xef\xbb\xbf \t") + raw[before:] if before else raw


_BEFORE_CALENDAR = re.compile(b"[%s]*" % re.escape(_LEADING))


_MARKER_LINES = re.compile(rb"(?:\A|(?<=[\r\n]))(?:BEGIN|END):[^\r\n]*", re.IGNORECASE)
"""BEGIN and END lines, whatever the line ends (CR alone too)."""


def _check_calendar(head: bytes, tail: bytes, name: str) -> None:
    if not head.strip():
        raise SourceError(f"{name}: the file is empty; export the calendar again")
    if not repair.unfold(head.lstrip(_LEADING)[:64]).upper().startswith(b"BEGIN:VCALENDAR"):
        if b"\x00" in head:
            raise SourceError(f"{name}: binary data, not an iCalendar (.ics) file")
        raise SourceError(f"{name}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    markers = _MARKER_LINES.findall(repair.unfold(tail))
    if not markers or not markers[-1].upper().startswith(b"END:VCALENDAR"):
        # Also when an earlier calendar of the file ends well: `cat a.ics cut.ics` would
        # otherwise lose the second calendar's events without a word.
        raise SourceError(f"{name}: truncated iCalendar file (no END:VCALENDAR at the end); export it again")


def _decode(data: bytes, name: str, warnings: list[str]) -> str:
    """The text of ``data``; unreadable characters and NUL bytes (which icalendar keeps in
    a title, and which end a C string) are replaced by U+FFFD, with a warning."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(
            f"{name}: not valid UTF-8 (first bad byte at offset {exc.start} of what was read); "
            "unreadable characters were replaced"
        )
        text = data.decode("utf-8-sig", errors="replace")
    if "\x00" in text:
        warnings.append(f"{name}: {text.count(chr(0))} NUL byte(s) in the calendar's text were replaced")
        text = text.replace("\x00", "\ufffd")
    return text


def parse_calendar(
    raw: bytes,
    name: str,
    period: Period,
    owner: frozenset[str],
    zone: ZoneInfo,
    prefilter: bool = True,
    unread: frozenset[bytes] = frozenset(),
) -> Fetched:
    """All occurrences in the calendar ``raw`` that may touch ``period``; ``name`` labels
    messages. ``unread``: properties not parsed (``_unread_properties``)."""
    raw = _as_utf8(raw, name)
    _check_calendar(raw[:HEAD_BYTES], raw[-TAIL_BYTES:], name)
    return _read(_scan(raw, period, prefilter, unread), name, period, owner, zone)


UNREAD_FIELDS = {"description": b"DESCRIPTION", "location": b"LOCATION"}
"""Event fields that only rules read, by the property each comes from."""


def _unread_properties(fields: Iterable[str]) -> frozenset[bytes]:
    unknown = set(fields) - UNREAD_FIELDS.keys()
    if unknown:
        raise ValueError(f"only {', '.join(UNREAD_FIELDS)} can be left unread, not {', '.join(sorted(unknown))}")
    return frozenset(UNREAD_FIELDS[field] for field in fields)


@dataclass(frozen=True)
class _Scanned:
    """A calendar mended and, with the pre-filter, cut down; ready to parse."""

    data: bytes
    newest: date | None
    broken: list[repair.Broken]


_FOLDED_NAME = re.compile(rb"(?:(?i:BEGIN|END):[A-Za-z0-9-]*+|[A-Za-z0-9-]++)\r?\n[ \t]")
"""A line folded inside its property name or inside a BEGIN or END line's component name
(RFC 5545 allows a fold anywhere; the scan pairs BEGIN and END lines whole), matched at
the start of the file or searched after an LF: a search for "start or LF, then a name"
cannot skip ahead to the next LF, and took a fifth of a cold month's audit. The name is
matched possessively (``++``, the same matches: a name is followed by a line end or by
nothing this pattern takes); giving back its characters one by one, on every line of the
file, doubled the search's time."""


def _folded_name(raw: bytes) -> bool:
    return _FOLDED_NAME.match(raw) is not None or _FOLDED_NAME_AFTER_LF.search(raw) is not None


_FOLDED_NAME_AFTER_LF = re.compile(rb"\n" + _FOLDED_NAME.pattern)


def _scan(raw: bytes, period: Period, prefilter: bool, unread: frozenset[bytes] = frozenset()) -> _Scanned:
    """Mend a checked calendar and keep only what can touch the period if ``prefilter``.

    Unfinished components are cut out first, and the alarms and unread properties of
    events (both paths alike: ``scan.slimmed``). The scan also dates the calendar's newest
    event (``Fetched.newest``, to the day); without the pre-filter it runs for that alone,
    so that both paths agree.
    """
    broken: list[repair.Broken] = []
    raw = _without_leading_blanks(raw)
    if _folded_name(raw):
        raw = repair.unfold(raw)  # rare: the scan reads names whole (icalendar unfolds anyway)
    data, found = repair.mended(raw, broken)
    if found is None and _folded_name(data):
        data = repair.unfold(data)  # lines ending in CR alone end in CRLF only once mended
    filtered, _, _, newest = scan.prefilter(data, *_window_days(period), found, unread)
    return _Scanned(filtered if prefilter else scan.slimmed(data, found, unread), newest, broken)


def _read(scanned: _Scanned, name: str, period: Period, owner: frozenset[str], zone: ZoneInfo) -> Fetched:
    """Parse a scanned calendar. The unfinished parts cut out of it are reported: one
    that may touch the period is invalid, anything else a warning."""
    result = _parse(scanned.data, name, period, owner, zone)
    result.newest = midnight(scanned.newest, zone) if scanned.newest else None
    for part in scanned.broken:
        _report_broken(part, name, period, result)
    return result


def _report_broken(part: repair.Broken, name: str, period: Period, result: Fetched) -> None:
    """An unfinished part counts under ``invalid`` unless its own dates put it far from the
    period (read by icalendar, or by the scan when icalendar cannot read it)."""
    component = _readable_part(part)
    if component is not None:
        info: scan.Info | None = _info(component)
    else:  # a run of empty unfinished components (count > 1) is one BEGIN line: no dates, kept
        info = scan.info_of(b"".join(part.lines))
    if info is not None and not scan.relevant([info], *_window_days(period))[0]:
        return
    if component is not None:
        title, uid = _text(component, "SUMMARY"), _text(component, "UID")
    else:
        lines = _lines(repair.unfold(b"".join(part.lines)).decode("utf-8", errors="replace"))
        title, uid = _line_value(lines, "SUMMARY"), _line_value(lines, "UID")
    result.invalid.append(
        InvalidEvent(calendar=name, title=one_line(title) or NO_TITLE, uid=uid, reason=part.describe())
    )


def _may_be_audited(part: list[str], window: tuple[date, date]) -> bool:
    """Whether a component that cannot be read could have been an event of the window
    (or a time zone, which the pre-filter keeps too)."""
    kind = part[0][6:].strip().upper()
    if kind == "VTIMEZONE":
        return True
    if kind != "VEVENT":
        return False
    return scan.relevant([scan.info_of("\n".join(part).encode())], *window)[0]


def _line_value(lines: Iterable[str], name: str) -> str:
    """The text of the first ``name`` property among unfolded ``lines`` of a component
    icalendar cannot read as a whole, to name it in a warning; "" when there is none."""
    line = next((line for line in lines if line[: len(name) + 1].upper() in (f"{name}:", f"{name};")), None)
    if line is None:
        return ""
    try:
        value = icalendar.parser.Contentline(line).parts()[2]  # type: ignore[no-untyped-call]
    except Exception:  # noqa: BLE001 - a line icalendar cannot split names nothing
        return ""
    return printable(str(value).strip())


def _readable_part(part: repair.Broken) -> Component | None:
    """The unfinished component as far as it goes, or None when even that cannot be read."""
    if part.count > 1 or part.lines[0][:6].upper() != b"BEGIN:":
        return None
    text = repair.unfold(b"".join(part.lines)).decode("utf-8", errors="replace")
    try:
        component: Component = Component.from_ical(f"{text.rstrip()}\r\nEND:{part.kind}\r\n")
    except Exception:  # noqa: BLE001 - too broken to read: reported without its name
        return None
    return component


def _lines(text: str) -> list[str]:
    """``text`` split at CR, LF and CRLF only. str.splitlines splits at U+2028, NEL, form
    feed and more too, which anyone's invitation title may hold: its next words became a
    property of their own (``SUMMARY:Standup<U+2028>RRULE:FREQ=DAILY`` a daily series).
    A break at the end leaves an empty last line, which every reader here passes over."""
    return _LINE_BREAK.split(text)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTENT_LINE = re.compile(r"^([A-Za-z0-9-]+[;:]|[ \t]|$)")


def _parse_leniently(
    text: str, name: str, error: Exception, window: tuple[date, date], result: Fetched
) -> list[icalendar.Calendar]:
    """icalendar rejects a whole file for one bad line (a stray 'X' between events, a
    calendar property whose parameters cannot be read). Drop the lines that are not
    content lines, then every calendar-level line or component that cannot be read on
    its own, say so, and read the rest. An event that may touch ``window`` (by its dates,
    read as the pre-filter reads them) becomes invalid; tasks, journals and events far
    from the window are dropped unreported, as the pre-filter drops them unread."""
    lines = _lines(text)
    bad = [number for number, line in enumerate(lines, 1) if not _CONTENT_LINE.match(line)]
    if bad:
        # No line number: what is parsed here may be the pre-filter's pick of the file.
        first = lines[bad[0] - 1][:40]
        result.warnings.append(f"{name}: ignored {len(bad)} malformed line(s), the first {first!r}")
    dropped = set(bad)
    kept: list[str] = []
    unreadable: list[tuple[str, str]] = []
    for part in _top_level_parts(line for number, line in enumerate(lines, 1) if number not in dropped):
        problem = _unreadable(part)
        if problem is None:
            kept.extend(part)
        elif part[0][:6].upper() == "BEGIN:":
            if not _may_be_audited(part, window):
                continue
            title, uid = _line_value(part, "SUMMARY") or NO_TITLE, _line_value(part, "UID")
            result.invalid.append(InvalidEvent(calendar=name, title=title, uid=uid, reason=problem))
        else:
            unreadable.append((part[0], problem))
    if unreadable:
        line, problem = unreadable[0]
        result.warnings.append(
            f"{name}: ignored {len(unreadable)} unreadable calendar line(s), the first {line[:40]!r}: {problem}"
        )
    try:
        calendars: list[icalendar.Calendar] = icalendar.Calendar.from_ical("\n".join(kept), multiple=True)
    except Exception:  # noqa: BLE001 - still unreadable: report the original problem
        raise SourceError(f"{name}: not a valid iCalendar file: {_reason(error)}") from None
    return calendars


def _top_level_parts(lines: Iterable[str]) -> Iterator[list[str]]:
    """Each calendar-level line on its own, and each component inside a calendar whole."""
    depth = 0
    part: list[str] = []
    for line in lines:
        head = line[:6].upper()
        if head.startswith("BEGIN:"):
            depth += 1
        if depth >= 2:
            part.append(line)
        else:
            yield [line]
        if head.startswith("END:"):
            depth -= 1
            if depth == 1 and part:
                yield part
                part = []
    if part:
        yield part


def _unreadable(part: list[str]) -> str | None:
    """Why one line or component cannot be parsed on its own, or None when it can."""
    head = part[0][:16].upper()
    if head.startswith(("BEGIN:VCALENDAR", "END:VCALENDAR")):
        return None
    text = "\n".join(part) if head.startswith("BEGIN:") else f"BEGIN:VCALENDAR\n{part[0]}\nEND:VCALENDAR"
    try:
        icalendar.Calendar.from_ical(text)
    except Exception as exc:  # noqa: BLE001 - icalendar signals unparsable text in many ways
        return _reason(exc)
    return None


def _parse(data: bytes, name: str, period: Period, owner: frozenset[str], zone: ZoneInfo) -> Fetched:
    result = Fetched()
    text = _fewer_parameters(_decode(repair.join_quoted_breaks(repair.unfold(data)), name, result.warnings))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", "Using both 'count' and 'until'")  # named per event instead
        for block in _calendars_apart(text):
            # icalendar keeps, for the whole process, the first VTIMEZONE it met under each
            # TZID name and every zone it guessed (warning once): a fresh cache reads each
            # calendar by its own definitions ("Customized Time Zone" differs between
            # Outlook exports, and files joined with cat hold several) and repeats the
            # guess warnings.
            icalendar.use_zoneinfo()  # type: ignore[no-untyped-call]
            _read_calendars(block, name, period, owner, zone, result)
    for message in dict.fromkeys(str(w.message) for w in caught):
        result.warnings.append(f"{name}: {message}")
    return result


_CALENDAR_BEGINS = re.compile(r"^BEGIN:VCALENDAR[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def _calendars_apart(text: str) -> Iterator[str]:
    """The text of each VCALENDAR of an unfolded file (nearly always one: the whole text)."""
    starts = [found.start() for found in _CALENDAR_BEGINS.finditer(text)][1:]
    for begin, end in zip([0, *starts], [*starts, len(text)], strict=True):
        yield text[begin:end]


_PEOPLE = re.compile(
    r"^((?:ATTENDEE|ORGANIZER)(?=;))((?:;[A-Za-z0-9-]+=[^\";:^\\\r\n]*)+)(?=:)", re.IGNORECASE | re.MULTILINE
)
"""An unfolded ATTENDEE or ORGANIZER line whose parameters are plain: no quotes, no ^
escapes, no backslash (icalendar reads ``\\:`` in a parameter as an escaped colon)."""
_PARAMETER = re.compile(r";([A-Za-z0-9-]+)=[^;]*")
_READ_PARAMETERS = frozenset({"PARTSTAT", "CUTYPE", "EMAIL"})
"""The parameters of people calaudit reads: the owner's response, rooms, an address given apart."""


def _fewer_parameters(data: str) -> str:
    """Unfolded ``data`` with only the ``_READ_PARAMETERS`` of each plain ATTENDEE and
    ORGANIZER line. icalendar spends a third of a realistic month parsing the parameters
    of people (CN, ROLE, RSVP...), which nothing reads; a line with quoted or escaped
    parameters is left as it is."""
    return _PEOPLE.sub(_read_parameters_only, data)


def _read_parameters_only(line: re.Match[str]) -> str:
    read = (p[0] for p in _PARAMETER.finditer(line[2]) if p[1].upper() in _READ_PARAMETERS)
    return line[1] + "".join(read)


def _read_calendars(
    text: str, name: str, period: Period, owner: frozenset[str], zone: ZoneInfo, result: Fetched
) -> None:
    """Library warnings (a guessed time zone, say) are collected by the caller."""
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # noqa: BLE001 - icalendar signals unparsable text in many ways
        calendars = _parse_leniently(text, name, exc, _window_days(period), result)
    for calendar in calendars:
        calendar = _to_standard(calendar, name, zone, result)
        calendar_name = _text(calendar, "X-WR-CALNAME") or printable(name)  # a file or .zip member name
        reader = _Reader(calendar_name, owner, zone, period)
        for group, components in _series(calendar, *_window_days(period)):
            reader.read_series(components, group, result)


def _to_standard(calendar: icalendar.Calendar, name: str, zone: ZoneInfo, result: Fetched) -> icalendar.Calendar:
    """The calendar as the expansion must be given it: floating times in the zone
    X-WR-TIMEZONE names (as Google shows them), a floating start or end beside a zoned
    one (x-wr-timezone leaves one with an empty TZID) in that zone too, or else in
    ``zone``, and RANGE in capitals."""
    written = _text(calendar, "X-WR-TIMEZONE")
    named = _named_zone(written)
    try:
        standard: icalendar.Calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # noqa: BLE001 - a bad X-WR-TIMEZONE must not lose the calendar
        reason = _reason(exc) if named else "no such time zone"
        shown = printable(written)[:60]
        result.warnings.append(
            f"{name}: X-WR-TIMEZONE {shown!r} ignored ({reason}); floating times are read in {zone.key}"
        )
        standard = calendar
    floating = named if named and standard is not calendar else zone
    for before, after in zip(calendar.subcomponents, standard.subcomponents, strict=True):
        if after is not before:
            _mend_rewritten_times(before, after)
        _zone_floating_beside_zoned(after, floating)
        # recurring-ical-events reads RANGE=THISANDFUTURE in capitals only (RFC 5545: any case).
        rid = after.get("RECURRENCE-ID")
        if isinstance(rid, icalendar.prop.vDDDTypes) and "RANGE" in rid.params:
            rid.params["RANGE"] = str(rid.params["RANGE"]).upper()
    return standard


def _named_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except Exception:  # noqa: BLE001 - ZoneInfo refuses a bad name in several ways (one quotes a file path)
        return None


def _zone_floating_beside_zoned(component: Component, zone: ZoneInfo) -> None:
    """A floating DTSTART beside a zoned DTEND, or the other way round (RFC 5545 forbids
    it, some generators write it): the floating one in ``zone``, as a floating time is
    read everywhere else. recurring-ical-events took the other's zone for it, so
    10:00 floating to 16:00Z was six hours, not the one it is in New York."""
    times = [(key, component.get(key)) for key in ("DTSTART", "DTEND")]
    if not all(isinstance(value, icalendar.prop.vDDDTypes) and isinstance(value.dt, datetime) for _, value in times):
        return
    if sum(value.dt.tzinfo is None for _, value in times) != 1:
        return
    for key, value in times:
        if value.dt.tzinfo is None and not str(value.params.get("TZID", "")).strip():  # an unknown zone: _problem's
            zoned = icalendar.prop.vDDDTypes(value.dt.replace(tzinfo=zone))
            zoned.params.update((k, v) for k, v in value.params.items() if k != "TZID")
            component[key] = zoned


def _mend_rewritten_times(before: Component, after: Component) -> None:
    """x-wr-timezone (2.0) writes a time back without its parameters, and reads one in a
    zone icalendar does not know (it was left floating) in X-WR-TIMEZONE's: give the
    parameters back, and the written time, which _problem reports as an unknown zone."""
    for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        written = before.get(key)
        if not isinstance(written, icalendar.prop.vDDDTypes) or after.get(key) is written:
            continue
        if "TZID" in written.params and isinstance(written.dt, datetime) and written.dt.tzinfo is None:
            after[key] = written
        else:
            after[key].params.update((k, v) for k, v in written.params.items() if k != "TZID")


class _Group:
    """The VEVENTs of one UID. Which of them may touch [first, last] is worked out only
    when asked, to report one that cannot be read: nearly every group reads cleanly."""

    def __init__(self, components: list[Component], first: date, last: date) -> None:
        self.components = components
        self.first = first
        self.last = last

    @functools.cached_property
    def _flags(self) -> dict[int, bool]:
        flags = scan.relevant([_info(c) for c in self.components], self.first, self.last)
        return {id(component): flag for component, flag in zip(self.components, flags, strict=True)}

    def relevant(self, components: Iterable[Component]) -> bool:
        """Whether any of ``components`` (of this group) may touch the window."""
        return any(self._flags[id(component)] for component in components)


def _series(calendar: Component, first: date, last: date) -> Iterator[tuple[_Group, list[Component]]]:
    """VEVENTs grouped by UID: each series with the group of its UID.

    A series is a recurring master with its overrides, or a single event. Some exports
    reuse one UID for unrelated events; recurring-ical-events would keep only one of
    them, so every further master becomes a series of its own (exact repeats are then
    counted once by the auditor: same UID and start).
    """
    by_uid: dict[str | int, list[Component]] = defaultdict(list)
    for index, component in enumerate(calendar.walk("VEVENT")):
        by_uid[_text(component, "UID") or index].append(component)  # no UID: alone, whatever UIDs others have
    for components in by_uid.values():
        group = _Group(components, first, last)
        masters = [c for c in components if "RECURRENCE-ID" not in c]
        overrides = [c for c in components if "RECURRENCE-ID" in c]
        yield group, masters[:1] + overrides
        for master in masters[1:]:
            yield group, [master]


def _info(component: Component) -> scan.Info:
    """The scan's view of a parsed component, so both paths decide alike."""
    values: dict[bytes, list[bytes]] = {}
    for key in scan.KEYS:
        if key.decode() in component:
            found = component[key.decode()]
            items = found if isinstance(found, list) else [found]
            values[key] = [_raw(item) for item in items]
    rid = component.get("RECURRENCE-ID")
    if rid is not None and str(_first(rid).params.get("RANGE", "")).upper() == "THISANDFUTURE":
        values[scan.RANGE] = [b"THISANDFUTURE"]
    if any(name in _TIME_PROPERTIES for name, _, _ in _dropped_lines(component)):
        # Read without the line (an RRULE, a DTEND), a series begun in 2020 looked like a
        # day in 2020, and was skipped unreported: where it lies is unknown.
        values.pop(b"DTSTART", None)
    return scan.Info.from_values(values)


def _raw(value: object) -> bytes:
    try:
        raw = value.to_ical()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a broken value simply has no readable date
        return b""
    return raw if isinstance(raw, bytes) else str(raw).encode()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""A template event's times, always replaced."""


class _Reader:
    def __init__(self, calendar: str, owner: frozenset[str], zone: ZoneInfo, period: Period) -> None:
        self.calendar = calendar
        self.owner = owner
        self.zone = zone
        self.window = _window(period)

    def read_series(self, components: list[Component], group: _Group, result: Fetched) -> None:
        """Expand one series; an unreadable part is reported if it may touch the period."""
        try:
            self._read_series(components, group, result)
        except Exception as exc:  # noqa: BLE001 - whatever breaks, it breaks this series only
            if group.relevant(components):
                result.invalid.append(self._invalid(components[0], _reason(exc)))

    def _read_series(self, components: list[Component], group: _Group, result: Fetched) -> None:
        good = []
        for component in components:
            problem = _problem(component, self.window[1], self.owner)
            if problem is None:
                good.append(component)
            elif group.relevant([component]):
                result.invalid.append(self._invalid(component, problem))
        for override in _mistyped_overrides(good):
            good.remove(override)
            if group.relevant([override]):
                result.invalid.append(self._invalid(override, _MISTYPED_OVERRIDE))
        if not good:
            return
        for component in good:
            rules = [*_all(component.get("RRULE")), *_all(component.get("EXRULE"))]
            if any("COUNT" in rule and "UNTIL" in rule for rule in rules) and group.relevant([component]):
                result.warnings.append(self._both_count_and_until(component))
        recurring = any(key in c for c in good for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
        try:
            for component in good:
                _exclude_exrule(component, self.window)
            adapters = [recurring_ical_events.EventAdapter(c) for c in good]
            series = recurring_ical_events.Series(adapters)
            shifts = self._future_shifts(good)
            events = list(self._events(good, adapters, series.between(*self.window), recurring, shifts))
        except Exception as exc:  # noqa: BLE001 - any library failure is confined to this series
            if group.relevant(good):
                result.invalid.append(self._invalid(good[0], _reason(exc)))
            return
        result.events.extend(events)

    def _events(
        self,
        components: list[Component],
        adapters: list[recurring_ical_events.EventAdapter],
        occurrences: Iterable[recurring_ical_events.Occurrence],
        recurring: bool,
        shifts: dict[datetime, timedelta],
    ) -> Iterator[Event]:
        """An Event per occurrence, each read from the component it comes from (the master or
        an override, known by its recurrence ids) without a copy of it per occurrence: a
        weekly series' month reads its master's attendees once, not four times. Should two
        components claim the same recurrence ids, recurring-ical-events' own copy is read."""
        by_ids = {adapter.recurrence_ids: c for adapter, c in zip(adapters, components, strict=True)}
        unambiguous = len(by_ids) == len(components)
        read: dict[int, tuple[Event, timedelta | None]] = {}
        for occurrence in occurrences:
            if not unambiguous:
                copy = occurrence.as_component(False)
                template, duration = self._template(copy, recurring), None  # the copy's DURATION is a DTEND
                start, end, rid = copy.decoded("DTSTART"), copy.decoded("DTEND"), copy.decoded("RECURRENCE-ID")
            else:
                component = by_ids[occurrence.recurrence_ids]
                if id(component) not in read:
                    read[id(component)] = (self._template(component, recurring), _duration(component))
                template, duration = read[id(component)]
                start, end = occurrence.start, occurrence.end
                rid = component.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in component else start
            yield self._event(template, start, end, rid, shifts, duration)

    def _template(self, component: Component, recurring: bool) -> Event:
        """What every occurrence of ``component`` shares; times are filled in by ``_event``."""
        organizer = _address(_first(component.get("ORGANIZER")))
        status = _text(component, "STATUS").upper()
        return Event(
            uid=_text(component, "UID"),
            title=one_line(_text(component, "SUMMARY")) or NO_TITLE,
            start=_EPOCH,
            end=_EPOCH,
            calendar=self.calendar,
            description=_text(component, "DESCRIPTION"),
            location=_text(component, "LOCATION"),
            organizer=organizer,
            attendees=tuple(_attendees(component)),
            cancelled=status == "CANCELLED",
            tentative=status == "TENTATIVE",
            transparent=_is_free(component),
            response=self._response(component, organizer),
            recurring=recurring,
            event_type=_event_type(component),
        )

    def _event(
        self,
        template: Event,
        start: date,
        end: date,
        rid: date,
        shifts: dict[datetime, timedelta],
        duration: timedelta | None = None,
    ) -> Event:
        """The occurrence of ``template`` from ``start`` to ``end``, first planned at ``rid``;
        ``duration`` is its DURATION, which recurring-ical-events added as wall-clock time."""
        all_day = not isinstance(start, datetime)
        first_day = after_day = None
        if all_day:
            first_day, after_day = _as_date(start), _as_date(end)
            after_day = max(after_day, first_day + timedelta(days=1))
            start, end = first_day, after_day
        else:
            start, end = self._aware(start), self._aware(end)
            if _skipped_by_dst(start):
                # RFC 5545: a start in the hour clocks skip is read with the offset before
                # the change (02:30 EST is 03:30 EDT), and the meeting keeps its length as
                # written, in elapsed time: 02:30-03:30 is 03:30-04:30, however long it runs.
                length = end.replace(tzinfo=None) - start.replace(tzinfo=None)
                zone, start = start.tzinfo, start.astimezone(UTC)
                start, end = start.astimezone(zone), (start + length).astimezone(zone)
            elif duration is not None:
                # Elapsed time, as the README says: PT3H over the night clocks go back is
                # 3 h, not 4. (RFC 5545 makes P1D a calendar day, but icalendar reads P1D and
                # PT24H alike, and a 24-hour on-call shift is the likelier of the two.)
                end = (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
        return dataclasses.replace(
            template,
            start=self._aware(start),
            end=self._aware(end),
            all_day=all_day,
            start_date=first_day,
            end_date=after_day,
            recurrence_id=self._original_start(rid, self._aware(start), shifts) if template.recurring else None,
        )

    def _invalid(self, component: Component, reason: str) -> InvalidEvent:
        return InvalidEvent(
            calendar=self.calendar,
            title=one_line(_text(component, "SUMMARY")) or NO_TITLE,
            uid=_text(component, "UID"),
            reason=reason,
        )

    def _both_count_and_until(self, component: Component) -> str:
        """dateutil warns of this without naming the event (and of its own deprecation)."""
        return (
            f"{self.calendar}: {self._invalid(component, '').name}: a rule gives both COUNT and UNTIL, "
            "which RFC 5545 forbids; it was read as ending at whichever comes first"
        )

    def _future_shifts(self, components: list[Component]) -> dict[datetime, timedelta]:
        """How far each RANGE=THISANDFUTURE override moves the instances from it on.

        recurring-ical-events gives every such instance the override's RECURRENCE-ID, so
        an instance's original start, its identity, is its start less that shift.
        """
        shifts = {}
        for component in components:
            rid = component.get("RECURRENCE-ID")
            if rid is not None and str(rid.params.get("RANGE", "")).upper() == "THISANDFUTURE":
                original = self._aware(component.decoded("RECURRENCE-ID"))
                shifts[original.astimezone(UTC)] = self._aware(component.decoded("DTSTART")) - original
        return shifts

    def _original_start(self, planned: date, start: datetime, shifts: dict[datetime, timedelta]) -> datetime:
        rid = self._aware(planned)
        shift = shifts.get(rid.astimezone(UTC))
        return rid if shift is None else start - shift

    def _aware(self, value: date) -> datetime:
        if not isinstance(value, datetime):
            return midnight(value, self.zone)
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


MAX_RULE_STEPS = 200_000
"""Recurrences are expanded from DTSTART; a rule needing more steps than this to reach the
period (FREQ=SECONDLY since 2001, say) would take minutes, so it is skipped instead."""
_STEP_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400}
_BY_RANGES = {"BYMONTH": 12, "BYMONTHDAY": 31, "BYYEARDAY": 366, "BYWEEKNO": 53}
"""The most RFC 5545 allows of each; negative values count back from the end (not months)."""
_FINER = {"BYHOUR": 3600, "BYMINUTE": 60, "BYSECOND": 1}
"""BYxxx parts that multiply the instances of every period of a coarser frequency: a daily
rule with 24 hours, 60 minutes and 60 seconds has 86,400 instances a day."""


_UNPARSED_LINE = re.compile(r"Content line could not be parsed into parts: '([A-Za-z0-9-]+)[;:']")
"""How icalendar records a line it dropped (a parameter without '=', an unclosed quote):
the line in quotes (an apostrophe in it, O'Brien, is not its end), then ': ' and why."""


def _dropped_lines(component: Component) -> Iterator[tuple[str, str, str]]:
    """The property of each line icalendar dropped from ``component``, the line, and why."""
    for _, text in component.errors:
        if found := _UNPARSED_LINE.match(text):
            line, _, reason = text[found.start(1) :].rpartition("': ")
            yield found[1].upper(), line, reason


_TIME_PROPERTIES = frozenset({"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"})
_AUDITED_PROPERTIES = _TIME_PROPERTIES | {
    "UID",
    "SUMMARY",
    "ORGANIZER",
    "ATTENDEE",
    "STATUS",
    "TRANSP",
    "X-MICROSOFT-CDO-BUSYSTATUS",
}
"""The properties whose loss changes how an event is audited: a dropped SUMMARY left it
untitled, a dropped ATTENDEE counted a meeting the owner declined. (DESCRIPTION and
LOCATION, which the pre-filter does not parse unless a rule reads them, are not here:
both read paths must give the same result.)"""


_MISTYPED_OVERRIDE = "RECURRENCE-ID and the series' DTSTART differ in kind (one a date, the other a date-time)"


def _mistyped_overrides(components: list[Component]) -> list[Component]:
    """Overrides whose RECURRENCE-ID is a date in a timed series, or a time in an all-day
    one (RFC 5545 gives both one value type): such an override named no instance, so the
    instance it moved was counted as well, and with RANGE=THISANDFUTURE
    recurring-ical-events added instances at midnight UTC."""
    master = next((c for c in components if "RECURRENCE-ID" not in c), None)
    if master is None:
        return []
    timed = isinstance(master.decoded("DTSTART"), datetime)
    return [
        c
        for c in components
        if "RECURRENCE-ID" in c and isinstance(_first(c.get("RECURRENCE-ID")).dt, datetime) != timed
    ]


def _problem(component: Component, until: datetime, owner: frozenset[str]) -> str | None:
    """Why a VEVENT cannot be audited up to ``until``, or None when it can. An ATTENDEE or
    ORGANIZER line icalendar dropped matters only when it is the owner's, whose answer it
    holds: ical-generator wrote ``CN="John "JD" Doe"``, and the meeting, less that person,
    is still read (its audience may come out internal for want of him)."""
    for name, line, reason in _dropped_lines(component):  # read without it, it would be audited wrongly
        people = name in ("ATTENDEE", "ORGANIZER")
        if name in _AUDITED_PROPERTIES and (not people or any(a in fold(line) for a in owner)):
            return f"unreadable {name} line ({reason[:150]})"
    if "DTSTART" not in component:
        return "it has no DTSTART"
    for key in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
        if isinstance(component.get(key), list):  # RFC 5545: each at most once
            return f"{key} is given more than once"
    start, end, duration, rid = (_decoded(component, key) for key in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"))
    times = (("DTSTART", start), ("DTEND", end), ("RECURRENCE-ID", rid))
    for key, value in times:
        if value is not None and not isinstance(value, date):
            return f"{key} is not a date or time: {_as_written(component[key])}"
    for key in ("RDATE", "EXDATE"):  # else the expansion fails on them, in icalendar's or Python's words
        for dates in _all(component.get(key)):
            moments = dates.dts if isinstance(dates, icalendar.prop.vDDDLists) else [None]
            if not all(isinstance(m, icalendar.prop.vDDDTypes) and _is_moment(m.dt, key) for m in moments):
                return f"{key} is not a date or time: {_as_written(dates)}"
    if duration is not None and not isinstance(duration, timedelta):  # a date-time, a period, or text
        return f"DURATION is not a length of time such as PT1H: {_as_written(component['DURATION'])}"
    try:
        steps = _rule_steps(component, start, until)
    except Exception as exc:  # noqa: BLE001 - as above, for the recurrence rule
        return f"invalid RRULE ({_reason(exc).rpartition('): ')[2]})"
    if duration is not None and duration < timedelta(0):
        return "DURATION is negative"
    if duration is not None and not isinstance(start, datetime) and duration % timedelta(days=1):
        return "DURATION is not whole days, but DTSTART is a date (an all-day event)"
    if steps > MAX_RULE_STEPS:
        return f"RRULE would need {steps:,} steps from DTSTART to the end of the period"
    for key, value in times:
        tzid = component[key].params.get("TZID") if key in component else None
        if tzid and isinstance(value, datetime) and value.tzinfo is None:
            return f"unknown time zone '{tzid}' in {key}"
    if end is not None and isinstance(end, datetime) != isinstance(start, datetime):
        kinds = ("a date-time", "a date") if isinstance(start, datetime) else ("a date", "a date-time")
        return f"DTSTART is {kinds[0]} but DTEND is {kinds[1]}"
    if end is not None and _comparable(end, start) < _comparable(start, start):
        return "DTEND is before DTSTART"
    return None


def _rule_steps(component: Component, start: date, until: datetime) -> int:
    """Roughly how many steps a daily or finer RRULE or EXRULE takes from DTSTART to
    ``until`` (or its own UNTIL, if sooner): its periods times the instances BYHOUR,
    BYMINUTE and BYSECOND make of each, and at most its COUNT when it has no BYxxx part.
    (Coarser rules take few steps however old they are, unless made finer this way.)

    Raises ValueError for an INTERVAL below 1, which dateutil would expand forever, a
    COUNT below 1, which it refuses with a message about UNTIL, no FREQ, for which it
    names a Python argument, and a BYMONTH, BYMONTHDAY, BYYEARDAY or BYWEEKNO outside
    RFC 5545's range: dateutil takes 0 as no restriction at all (a monthly meeting on day
    0 came out daily) and BYMONTH=13 as never (only DTSTART's instance was left)."""
    rules = [(key, rule) for key in ("RRULE", "EXRULE") for rule in _all(component.get(key))]
    seconds = (until.replace(tzinfo=None) - datetime.combine(_as_date(start), time(0))).total_seconds()
    steps = 0
    for key, rule in rules:
        if not isinstance(rule, icalendar.vRecur):  # icalendar could not read it, and says why
            raise ValueError(next((text for name, text in component.errors if name == key), str(rule)))
        if "FREQ" not in rule:
            raise ValueError("FREQ is missing")
        frequency = str(rule["FREQ"][0]).upper()
        interval = int(rule.get("INTERVAL", [1])[0])
        if interval < 1:
            raise ValueError(f"INTERVAL must be a positive integer, not {interval}")
        if "COUNT" in rule and (count := int(rule["COUNT"][0])) < 1:
            raise ValueError(f"COUNT must be a positive integer, not {count}")
        for part, most in _BY_RANGES.items():  # dateutil reads BYMONTHDAY=0 as every day, BYMONTH=13 as never
            if any(not 1 <= abs(int(n)) <= most for n in rule.get(part, [])):  # icalendar refuses a month below 0
                allowed = f"1 to {most}" + ("" if part == "BYMONTH" else f" or -{most} to -1")
                raise ValueError(f"{part}={','.join(str(n) for n in rule[part])}: RFC 5545 allows {allowed}")
        period = _STEP_SECONDS.get(frequency, 86400)
        each = math.prod(len(rule.get(part, [])) or 1 for part, size in _FINER.items() if size < period)
        span = seconds
        if "UNTIL" in rule:  # the rule ends before the period does
            span = min(span, (_naive(rule["UNTIL"][0]) - _naive(start)).total_seconds())
        if frequency in _STEP_SECONDS:
            rule_steps = int(span / (period * interval)) * each
        elif each > 1:  # weekly or coarser, made finer: at most every day has that many
            rule_steps = int(span / 86400) * each
        else:
            rule_steps = 0
        if "COUNT" in rule and not any(part.startswith("BY") for part in rule):
            rule_steps = min(rule_steps, int(rule["COUNT"][0]))  # one instance a step, COUNT of them
        steps = max(steps, rule_steps)
    return steps


def _as_written(value: Any) -> str:
    """A property's value as written, quoted, and the VALUE type it was given as, which is
    why icalendar read it so ('PT1H' as text, '100000' as a time of day)."""
    written = repr(_raw(value).decode(errors="replace"))
    kind = getattr(value, "params", {}).get("VALUE")
    return f"{written} (VALUE={printable(str(kind))})" if kind else written


def _is_moment(value: object, key: str) -> bool:
    """A date or date-time, or for RDATE also a period (RFC 5545); not a time of day."""
    return isinstance(value, date) or (key == "RDATE" and isinstance(value, tuple))


def _decoded(component: Component, key: str) -> Any:
    """A time property's value, None when absent, or as written when icalendar cannot
    decode it (``DTEND;VALUE=TIME:100000`` raised "'vTime' object has no attribute
    'upper'"), so that _problem names the property and what it says instead."""
    if key not in component:
        return None
    try:
        return component.decoded(key)
    except Exception:  # noqa: BLE001 - icalendar reports broken values in many ways
        return component[key]


def _naive(moment: date) -> datetime:
    """A DTSTART or UNTIL as a naive datetime, for counting steps (hours off change nothing)."""
    moment = moment if isinstance(moment, datetime) else datetime.combine(moment, time(0))
    return moment.replace(tzinfo=None)


def _exclude_exrule(component: Component, window: tuple[datetime, datetime]) -> None:
    """Turn EXRULE (RFC 2445, still written by some servers) into the EXDATEs it means for
    the instances that touch ``window``: recurring-ical-events ignores EXRULE ("EXRULE is
    not supported by this module", its own tests say), which would count excluded ones."""
    rules = _all(component.get("EXRULE"))
    if not rules:
        return
    start = component.decoded("DTSTART")
    first, last = window
    first -= recurring_ical_events.EventAdapter(component).duration  # a long one begun before it
    if not isinstance(start, datetime):
        start = datetime.combine(start, time(0))
    if start.tzinfo is None:
        first, last = first.replace(tzinfo=None), last.replace(tzinfo=None)
    excluded: list[date] = []
    for rule in rules:
        text = rule.to_ical().decode()
        excluded.extend(dateutil.rrule.rrulestr(text, dtstart=start).between(first, last, inc=True))
    if not isinstance(component.decoded("DTSTART"), datetime):
        excluded = [moment.date() for moment in excluded]  # type: ignore[attr-defined]
    if excluded:
        component.add("EXDATE", excluded)
    del component["EXRULE"]


def _all(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


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
        if isinstance(exc.__context__, ValueError) and str(exc.__context__):
            # recurring-ical-events says "UNTIL parameter is missing" of any rule dateutil
            # refuses without an UNTIL; dateutil's own words say what is wrong.
            text = f"{exc.__context__}: {exc.rule}"
        text = f"invalid RRULE ({text})"
    return text[:200]


def _first(value: Any) -> Any:
    """A property given more than once is read as its first value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(component: Component, key: str) -> str:
    value = _first(component.get(key))
    return "" if value is None else printable(str(value))


def _duration(component: Component) -> timedelta | None:
    """The DURATION that gives a timed event its end (DTEND wins when both are given);
    ``_problem`` has made sure it is a timedelta."""
    if "DURATION" not in component or "DTEND" in component:
        return None
    value: timedelta = component.decoded("DURATION")
    return value


def _skipped_by_dst(value: datetime) -> bool:
    """A wall time that does not exist in its zone (02:30 on the night clocks spring forward)."""
    round_trip = value.astimezone(UTC).astimezone(value.tzinfo)
    return round_trip.replace(tzinfo=None) != value.replace(tzinfo=None)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _raw_attendees(component: Component) -> list[icalendar.vCalAddress]:
    value = component.get("ATTENDEE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _address(value: icalendar.vCalAddress | None) -> str | None:
    if value is None:
        return None
    text = printable(str(value).strip())
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "@" not in text and "EMAIL" in value.params:
        text = printable(str(value.params["EMAIL"]))
    return fold(text) or None


def _attendees(component: Component) -> Iterator[Attendee]:
    for raw in _raw_attendees(component):
        email = _address(raw)
        if email:
            cutype = str(raw.params.get("CUTYPE", "INDIVIDUAL")).upper()
            is_resource = cutype in _RESOURCE_CUTYPES or email.endswith("resource.calendar.google.com")
            yield Attendee(email=email, is_resource=is_resource)


def _is_free(component: Component) -> bool:
    if _text(component, "TRANSP").upper() == "TRANSPARENT":
        return True
    return _text(component, "X-MICROSOFT-CDO-BUSYSTATUS").upper() == "FREE"


def _event_type(component: Component) -> str:
    """Outlook marks out-of-office time with a busy status of OOF."""
    if _text(component, "X-MICROSOFT-CDO-BUSYSTATUS").upper() == "OOF":
        return "outOfOffice"
    return "default"
