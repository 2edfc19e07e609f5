"""A fast scan of the raw bytes that keeps only the parts of an .ics file that can touch a period.

Parsing with icalendar costs about 90 times more than reading the lines, and a monthly
audit of a ten-year export needs a few hundred of its tens of thousands of events. The
scan keeps every VTIMEZONE and calendar property, every recurring series that may still
have instances in the window, and every single event whose dates touch it, judged on
dates alone with a day's margin on each side; everything else is dropped unparsed. Kept
events lose their alarms and some properties nothing reads (``slimmed`` does the same
for the full-parse path).

The same decision (``relevant``) also tells the full-parse path which unreadable events
to report, so both paths report the same ``skipped.invalid``.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from .repair import Marker, markers

MARGIN = timedelta(days=1)
"""Dates are compared without time zones: a day either way covers every UTC offset."""

_RULE_PART = re.compile(rb"(?:^|;)([A-Z-]+)=([^;]*)")
_PLAIN_WEEKDAYS = re.compile(rb"(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*")
_PERIOD_DAYS = {b"SECONDLY": 1, b"MINUTELY": 1, b"HOURLY": 1, b"DAILY": 1, b"WEEKLY": 7, b"MONTHLY": 31, b"YEARLY": 366}
"""The longest a period of each frequency can be, in days (a sub-daily one is shorter)."""
_DURATION_PARTS = re.compile(rb"(\d+)([WDHMS])", re.IGNORECASE)
_UNIT_SECONDS = {b"W": 7 * 86400, b"D": 86400, b"H": 3600, b"M": 60, b"S": 1}
"""An iCalendar DURATION has no months: M is minutes (PT30M)."""
KEYS = (b"UID", b"DTSTART", b"DTEND", b"DURATION", b"RRULE", b"RDATE", b"RECURRENCE-ID")
"""The properties the keep decision reads, here and in the full-parse path."""
RANGE = b"RANGE"
"""Not a property: ``values[RANGE]`` holds b"THISANDFUTURE" when the RECURRENCE-ID has that range."""


def _date(value: bytes | None) -> date | None:
    """The date of a DATE or DATE-TIME value: its first eight characters, if all digits."""
    return None if value is None else _day(value.strip()[:8])


@functools.lru_cache(maxsize=4096)
def _day(digits: bytes) -> date | None:
    """Remembered: the events of a calendar share a few hundred days, read three times each."""
    if len(digits) != 8 or not digits.isdigit():  # bytes.isdigit: ASCII digits only
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


@dataclass(slots=True)
class Info:
    """What the keep decision needs to know about one VEVENT, from its raw values. Not
    frozen, only because a frozen one takes three times as long to make (one per VEVENT of
    the file); nothing changes it."""

    uid: bytes
    start: date | None
    """None when DTSTART is missing or unreadable: such an event is always kept."""
    end: date | None
    rrule_until: date | None
    """No RRULE instance starts after this day: its UNTIL, or a bound from COUNT."""
    until: date | None
    """The RRULEs' own UNTIL (exact, unlike a COUNT bound): how far the series really runs."""
    recurring: bool
    """It has an RRULE or RDATE (a series master)."""
    unbounded: bool
    """An RRULE without a bound, or any RDATE: instances may fall anywhere later."""
    override: bool
    """It has a RECURRENCE-ID."""
    recurrence: date | None = None
    """The day of its RECURRENCE-ID: the instance of the series it replaces."""
    this_and_future: bool = False
    """Its RECURRENCE-ID has RANGE=THISANDFUTURE: it changes every later instance too."""

    @classmethod
    def from_values(cls, values: dict[bytes, list[bytes]]) -> Info:
        """``values``: upper-case property name -> raw values (after the last colon)."""
        start = _date(_first(values, b"DTSTART"))
        end = _date(_first(values, b"DTEND"))
        if end is None and start is not None and (duration := _first(values, b"DURATION")):
            seconds = sum(int(n) * _UNIT_SECONDS[unit.upper()] for n, unit in _DURATION_PARTS.findall(duration))
            days = -(-seconds // 86400)  # PT1000H is 42 days, not none
            end = start + timedelta(days=days + 1) if days < (date.max - start).days else date.max
        rrules = values.get(b"RRULE", [])
        ends = [_rule_end(rule, start) for rule in rrules]
        bounded = bool(rrules) and all(ends)
        return cls(
            uid=_first(values, b"UID") or b"",
            start=start,
            end=end,
            rrule_until=max(e for e in ends if e) if bounded else None,
            until=_until(rrules),
            recurring=bool(rrules) or b"RDATE" in values,
            unbounded=(bool(rrules) and not bounded) or b"RDATE" in values,
            override=b"RECURRENCE-ID" in values,
            recurrence=_date(_first(values, b"RECURRENCE-ID")),
            this_and_future=_first(values, RANGE) == b"THISANDFUTURE",
        )


def _until(rules: list[bytes]) -> date | None:
    """The last UNTIL day of ``rules`` when every one of them has an UNTIL."""
    untils = [_date(dict(_RULE_PART.findall(rule.strip().upper())).get(b"UNTIL")) for rule in rules]
    return max(u for u in untils if u) if untils and all(untils) else None


def _rule_end(rule: bytes, start: date | None) -> date | None:
    """A day no instance of the RRULE starts after, or None when there is no cheap bound.

    UNTIL is that day. A COUNT rule whose every period (FREQ x INTERVAL, from DTSTART's)
    yields at least n instances has had its COUNT instances within COUNT / n + 1 periods
    (one more for DTSTART's own period, which may yield nothing after DTSTART). That holds
    with n = 1 when there is no BYxxx part (for MONTHLY on days 1-28, for YEARLY not on 29
    February), and with n = the number of weekdays for a BYDAY of plain weekdays on WEEKLY,
    or on DAILY with INTERVAL 1 (every 7 days hold every weekday once). Any other part can
    leave periods empty (BYSETPOS=5, BYMONTHDAY=31, a 5MO): such series are kept.
    """
    pairs = _RULE_PART.findall(rule.strip().upper())
    parts = dict(pairs)
    if len(parts) != len(pairs):
        return None
    if b"UNTIL" in parts:
        return _date(parts[b"UNTIL"])
    count, interval = parts.get(b"COUNT", b""), parts.get(b"INTERVAL", b"1")
    frequency = parts.get(b"FREQ", b"")
    if start is None or not count.isdigit() or not interval.isdigit() or int(interval) < 1:
        return None
    if frequency not in _PERIOD_DAYS:
        return None
    limits = set(parts) - {b"FREQ", b"COUNT", b"INTERVAL", b"WKST"}
    days, per_period = _PERIOD_DAYS[frequency] * int(interval), 1
    if limits == {b"BYDAY"} and _PLAIN_WEEKDAYS.fullmatch(parts[b"BYDAY"]):
        if not (frequency == b"WEEKLY" or (frequency == b"DAILY" and int(interval) == 1)):
            return None
        days, per_period = 7 * int(interval), len(set(parts[b"BYDAY"].split(b",")))
    elif (
        limits
        or (frequency == b"MONTHLY" and start.day > 28)
        or (frequency == b"YEARLY" and start.strftime("%m%d") == "0229")
    ):
        return None
    days *= -(-int(count) // per_period) + 1
    return start + timedelta(days=days) if days < (date.max - start).days else date.max


def _first(values: dict[bytes, list[bytes]], key: bytes) -> bytes | None:
    found = values.get(key)
    return found[0] if found else None


def _touches(info: Info, first: date, last: date) -> bool:
    if info.start is None:
        return True
    end = max(info.start, info.end or info.start)
    return info.start <= last + MARGIN and end >= first - MARGIN


def _series_may_reach(info: Info, first: date, last: date) -> bool:
    if info.start is None:
        return True
    if info.start > last + MARGIN:
        return False
    if info.unbounded or info.rrule_until is None:
        return True
    return _length(info) >= (first - MARGIN) - info.rrule_until  # day + length could pass date.max


def _length(info: Info) -> timedelta:
    """How long the event (or each instance of a series) is, by its dates."""
    return (info.end - info.start) if info.start and info.end and info.end > info.start else timedelta(0)


def _may_replace(info: Info, length: timedelta, first: date, last: date) -> bool:
    """Whether an override may replace an instance (``length`` days long) that touches the window."""
    assert info.recurrence is not None
    return info.recurrence <= last + MARGIN and length >= (first - MARGIN) - info.recurrence


def relevant(group: Sequence[Info], first: date, last: date) -> list[bool]:
    """For the VEVENTs of one UID: which may have an occurrence between first and last.

    A recurring master is kept unless its RRULE ended (UNTIL) before the window or it
    starts after it. An override is kept when its own dates touch the window (an orphan,
    or an instance moved into it), or when its series is kept and the instance it
    replaces may touch the window (it cancels or moves that instance); overrides of the
    same day are kept or dropped together (the newest SEQUENCE of them wins). A group with
    a RANGE=THISANDFUTURE override, or an override whose RECURRENCE-ID cannot be read, is
    kept whole: it may move any later instance, into the window or out of it. Other events
    are kept when their dates touch it. Two years of a weekly series' moved instances are
    mostly far from the month audited.
    """
    overrides = [i for i in group if i.override]
    if any(i.this_and_future or i.recurrence is None for i in overrides):
        return [True] * len(group)
    masters = [i for i in group if i.recurring and not i.override]
    series_kept = any(_series_may_reach(i, first, last) for i in masters)
    length = max((_length(i) for i in masters), default=timedelta(0))
    replaced = {i.recurrence for i in overrides if series_kept and _may_replace(i, length, first, last)}
    replaced |= {i.recurrence for i in overrides if _touches(i, first, last)}
    decisions = []
    for info in group:
        if info.override:
            decisions.append(info.recurrence in replaced)
        elif info.recurring:
            decisions.append(_series_may_reach(info, first, last))
        else:
            decisions.append(_touches(info, first, last))
    return decisions


def _unfolded(line: bytes) -> bytes:
    """A property line with its continuation lines joined to it, each without its line end
    and leading blank."""
    first, *continuations = line.split(b"\n")
    return first.rstrip(b"\r") + b"".join(part[1:].rstrip(b"\r") for part in continuations)


def _name(line: bytes) -> bytes:
    end = len(line)
    for separator in (b";", b":"):
        position = line.find(separator)
        if position != -1:
            end = min(end, position)
    return line[:end].strip().upper()


_KEY_LINE = re.compile(rb"\n((%s)(?=[^\S\n]*(?:[;:]|\n|\Z))[^\n]*(?:\n[ \t][^\n]*)*)" % b"|".join(KEYS), re.IGNORECASE)
"""A line of one of the KEYS (its name, then only blanks before ``;``, ``:`` or the end of
the line) with the continuation lines folded from it (group 1; group 2 is the name), found
by the LF before it, which makes the search several times faster than ``^`` would."""


def _info(data: bytes, own: list[int]) -> Info:
    """Info from the event's own properties (not its VALARMs'), unfolding only those read.

    ``own`` bounds the event's own stretches of ``data`` (start, end, start, end...); each
    starts after the LF of a BEGIN or END line. Continuation lines of other properties are
    skipped, never joined: a 50 MB folded DESCRIPTION costs one regex pass, not a
    quadratic series of concatenations.
    """
    values: dict[bytes, list[bytes]] = defaultdict(list)
    for start, end in zip(own[::2], own[1::2], strict=True):
        for line, name in _KEY_LINE.findall(data, start - 1, end):
            # The value is after the last colon of the unfolded line; a RECURRENCE-ID's
            # range is among the parameters before it. (Inline: a call per line was a
            # fifth of the scan.)
            if b"\n" in line:
                line = _unfolded(line)
            name = name.upper()
            colon = line.rfind(b":")
            values[name].append(line[colon + 1 :].strip())
            if name == b"RECURRENCE-ID" and _THIS_AND_FUTURE.search(line, 0, colon + 1):
                values[RANGE].append(b"THISANDFUTURE")
    return Info.from_values(values)


def info_of(event: bytes) -> Info:
    """Info of one VEVENT's text, its BEGIN line first, every later line read as its own:
    for an event too broken for icalendar, whose dates may still say it is far away."""
    return _info(event, [event.find(b"\n") + 1, len(event)])


_THIS_AND_FUTURE = re.compile(rb';RANGE="?THISANDFUTURE"?[;:]', re.IGNORECASE)


def newest_start(infos: Iterable[Info]) -> date | None:
    """The last day any of these events starts on, as far as dates tell: a series bounded
    by UNTIL counts up to its UNTIL day, any other series from its DTSTART (a COUNT bound is
    only an upper bound, so it would name a day with no event). It dates the calendar as a
    whole, to tell an empty period from a stale export."""
    return max((max(i.start, i.until or i.start) for i in infos if i.start is not None), default=None)


def prefilter(
    data: bytes,
    first: date,
    last: date,
    found: Sequence[Marker] | None = None,
    unread: frozenset[bytes] = frozenset(),
) -> tuple[bytes, int, int, date | None]:
    """The calendar reduced to what may touch [first, last]: (text, kept, total VEVENTs,
    the ``newest_start`` of all of them). ``found``: the ``markers`` of ``data``, if known;
    ``unread``: names of properties no rule reads (DESCRIPTION, say), dropped from events.

    Calendar properties and VTIMEZONEs are kept as they are; VTODO, VJOURNAL and other
    components are dropped (only events are audited). The kept events of a calendar go
    just before the END line that closes it, without what no reader of an event looks at
    (``_slim``); events after the last such line are dropped and not counted. The text is
    cut from ``data`` in slices, never split into lines.
    """
    out: list[bytes] = []
    events: list[tuple[Info, int, int]] = []
    infos: list[Info] = []
    copied = kept = total = 0
    for component in _components(data, markers(data) if found is None else found):
        out.append(data[copied : component.start])
        if component.name is None:
            chosen = _choose(events, first, last)
            kept, total = kept + len(chosen), total + len(events)
            infos.extend(info for info, _, _ in events)
            for start, end in chosen:
                out.extend(_slim(data, start, end, unread))
            events, copied = [], component.start
            continue
        if component.name == b"VEVENT":
            events.append((_info(data, component.own), component.start, component.end))
        elif component.name == b"VTIMEZONE":
            out.append(data[component.start : component.end])
        copied = component.end
    out.append(data[copied:])
    return b"".join(out), kept, total, newest_start(infos)


def slimmed(data: bytes, found: Sequence[Marker] | None = None, unread: frozenset[bytes] = frozenset()) -> bytes:
    """``data`` with every event, task and journal ``_slim``, and an alarm found outside
    any (after a misplaced event) dropped, as ``prefilter`` drops it: what the full parse
    reads, so that an alarm icalendar cannot read (which fails the whole calendar) fails
    neither path."""
    out: list[bytes] = []
    copied = 0
    for component in _components(data, markers(data) if found is None else found):
        if component.name in (b"VEVENT", b"VTODO", b"VJOURNAL", b"VALARM"):
            out.append(data[copied : component.start])
            if component.name != b"VALARM":
                out.extend(_slim(data, component.start, component.end, unread))
            copied = component.end
    out.append(data[copied:])
    return b"".join(out)


_CONTINUATIONS = re.compile(rb"(?:[ \t][^\n]*\n)*")


@dataclass(frozen=True, slots=True)
class _Component:
    """A component directly inside a calendar (``name``), or the END line that closes a
    calendar (``name`` None), at ``data[start:end]``."""

    name: bytes | None
    start: int
    end: int
    own: list[int] = field(default_factory=list)
    """Where its own lines are, not its subcomponents': start, end, start, end... Each
    subcomponent lies between two stretches, from its BEGIN line."""


_UNREAD = (b"DTSTAMP", b"CREATED", b"LAST-MODIFIED", b"X-ALT-DESC", b"ATTACH")
"""Properties of an event that nothing reads. Outlook's X-ALT-DESC (the description again,
in HTML) and inline ATTACHments can be most of a file."""


@functools.cache
def _unread(also: frozenset[bytes]) -> re.Pattern[bytes]:
    """Lines of the ``_UNREAD`` properties and of ``also``, with their continuation lines.

    Used only where no line ends inside quotes (``_no_line_breaks_quotes``): a line may
    break inside quotes (``repair.join_quoted_breaks`` mends that later), and the half
    after the break, or the line broken, could look like one of these. A line whose
    parameters hold a quote is never dropped."""
    names = b"|".join(re.escape(name) for name in (*_UNREAD, *sorted(also)))
    return re.compile(
        rb"^(?:" + names + rb")(?:;[^\n\":]*)?:[^\n]*\n" + _CONTINUATIONS.pattern, re.IGNORECASE | re.MULTILINE
    )


def _no_line_breaks_quotes(stretch: bytes) -> bool:
    """Whether no line of ``stretch`` ends inside quotes: every line holds an even number.
    Outlook quotes every attendee's name (CN="Doe, Jane"), so a quote alone must not keep
    an event's unread lines."""
    return b'"' not in stretch or all(line.count(b'"') % 2 == 0 for line in stretch.split(b"\n"))


def _slim(data: bytes, start: int, end: int, unread: frozenset[bytes] = frozenset()) -> Iterator[bytes]:
    """The VEVENT ``data[start:end]`` without its VALARMs and the lines of ``_UNREAD`` and
    ``unread`` properties, which neither calaudit nor recurring-ical-events reads (icalendar
    parses them, and a tenth of a kept realistic event is there; half with its
    description). A line icalendar could not read there never fails an
    event: it is recorded in the component's ``errors``, which nothing reads either.

    Its parts are found again here, for the few events kept: remembering them for every
    event until the calendar's end was a fifth of the scan's memory."""
    event = next(_components(data, markers(data, start, end), depth=1))
    own, dropped = event.own, _unread(unread)
    # For each subcomponent, whether it is a VALARM, by its BEGIN line.
    alarms = [_name(data[at + 6 : data.find(b"\n", at)]) == b"VALARM" for at in own[1:-1:2]]
    yield data[event.start : own[0]]
    for index in range(0, len(own), 2):
        begin = own[index]
        if index and alarms[index // 2 - 1]:
            # Continuation lines right after a dropped alarm's END line go with it: they
            # must not become part of the property before the alarm.
            begin = _CONTINUATIONS.match(data, begin, own[index + 1]).end()  # type: ignore[union-attr]
        stretch = data[begin : own[index + 1]]
        yield dropped.sub(b"", stretch) if _no_line_breaks_quotes(stretch) else stretch
        if index + 2 < len(own) and not alarms[index // 2]:
            yield data[own[index + 1] : own[index + 2]]
    yield data[own[-1] : event.end]


def _components(data: bytes, found: Iterable[Marker], depth: int = 0) -> Iterator[_Component]:
    """The components directly inside a calendar and each END line that closes a calendar.

    Depth counts every BEGIN and END line, whatever it names (``repair.balanced`` pairs
    them up); ``depth`` 1 reads markers found inside a calendar. A component still open at
    the end of ``data`` comes with the name b"", which nothing keeps.
    """
    name, start = b"", 0
    own: list[int] = []
    for line_start, line_end, begins in found:
        if begins:
            depth += 1
            if depth == 2:
                name, start, own = _name(data[line_start + 6 : line_end]), line_start, [line_end]
            elif depth == 3:
                own.append(line_start)
            continue
        depth -= 1
        if depth == 2:
            own.append(line_end)
        elif depth == 1:
            own.append(line_start)
            yield _Component(name, start, line_end, own)
        elif depth == 0:
            yield _Component(None, line_start, line_end)
    if depth >= 2:
        yield _Component(b"", start, len(data))


def _choose(events: list[tuple[Info, int, int]], first: date, last: date) -> list[tuple[int, int]]:
    """Where the events that may touch [first, last] are, in their order."""
    by_uid: dict[bytes | int, list[int]] = defaultdict(list)
    for index, (info, _, _) in enumerate(events):
        by_uid[info.uid or index].append(index)  # no UID: alone, whatever UIDs others have
    keep = [False] * len(events)
    for indices in by_uid.values():
        if len(indices) == 1 and not events[indices[0]][0].recurring and not events[indices[0]][0].override:
            keep[indices[0]] = _touches(events[indices[0]][0], first, last)  # what ``relevant`` does, sooner
            continue
        for index, decision in zip(indices, relevant([events[i][0] for i in indices], first, last), strict=True):
            keep[index] = decision
    return [(start, end) for (_, start, end), chosen in zip(events, keep, strict=True) if chosen]
