"""Line-level repairs of .ics text before it is parsed, so that a broken part costs only itself.

Real exports end lines with CR alone, leave a ``BEGIN:VEVENT`` without its ``END:VEVENT``,
fold a line inside a multibyte character or break a line inside a quoted parameter value.
icalendar reads such a file as an empty calendar or rejects it whole; here each problem is
mended or cut out, and what was cut out is recorded as a ``Broken`` part.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

TOP_LEVEL = frozenset({b"VEVENT", b"VTODO", b"VJOURNAL", b"VFREEBUSY", b"VTIMEZONE"})
"""Components that live directly in a VCALENDAR: a BEGIN of one of them inside another
component means that the other one was never finished."""


@dataclass
class Broken:
    """A component cut out of the calendar because it was never finished (or is unbalanced)."""

    kind: str
    first_line: int
    last_line: int
    lines: list[bytes] = field(default_factory=list)
    problem: str = ""
    count: int = 1
    """Consecutive empty unfinished components of one kind are recorded once."""

    def describe(self) -> str:
        if self.count > 1:
            return (
                f"{self.count} unfinished {self.kind} components "
                f"(lines {self.first_line}-{self.last_line} are BEGIN:{self.kind} without END:{self.kind})"
            )
        return self.problem


def split_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of ``lines`` without a UTF-8 byte-order mark before the first; a line
    holding a CR that ends no CRLF (old Mac exports end every line so, and some files mix
    it with CRLF or LF lines) is split at every CR."""
    iterator = iter(lines)
    first = next(iterator, b"")
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    for line in itertools.chain((first,), iterator):
        if line.count(b"\r") > line.endswith(b"\r\n"):
            yield from (part + b"\r\n" for part in line.splitlines())
        else:
            yield line


_LONE_CR = re.compile(rb"\r(?!\n)")


_MARKER = re.compile(rb"\n(?:(BEGIN)|END):[^\n]*", re.IGNORECASE)
"""A BEGIN or END line with the LF before it: anchored on that byte, the regex runs several
times faster than with ``^`` (the first line, with no LF before it, is looked at alone)."""


def markers(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Marker]:
    """(start, end, whether it is a BEGIN) of each BEGIN or END line of ``data``, as
    ``balanced`` tells them; a line ends after its LF. ``start`` and ``end`` bound a
    stretch of whole lines to look in."""
    end = len(data) if end is None else end
    head = data[:6].upper()
    if start == 0 and head.startswith((b"BEGIN:", b"END:")):
        yield 0, data.find(b"\n") + 1 or len(data), head == b"BEGIN:"
    for mark in _MARKER.finditer(data, max(start - 1, 0), end):
        yield mark.start() + 1, min(mark.end() + 1, end), mark[1] is not None


Marker = tuple[int, int, bool]
"""(start, end, whether it is a BEGIN) of a BEGIN or END line, as ``markers`` gives it."""


def mended(data: bytes, broken: list[Broken]) -> tuple[bytes, list[Marker] | None]:
    """``data`` as ``balanced(split_lines(...))`` gives it, joined (what was cut out goes
    to ``broken``), with the ``markers`` of the result when it is ``data`` as it was.

    Nearly every file needs no repair, and for those the line-by-line pass would cost as
    much as all the rest of the pre-filter. What ``balanced`` does depends on the BEGIN and
    END lines alone (every other line is passed on or held with its component), so it is
    run on those, found by one regex pass. When it would change nothing, ``data`` comes
    back as it is (less a UTF-8 byte-order mark), never split into lines and joined again,
    with the markers found, which the scan then need not look for again.
    """
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if _LONE_CR.search(body) is None:
        found = list(markers(body))
        if _plainly_nested(body, found) or _intact(body, found):
            return body, found
    return b"".join(balanced(split_lines(io.BytesIO(data)), broken)), None


def _intact(data: bytes, found: list[Marker]) -> bool:
    """Whether ``balanced`` passes ``data`` (with these markers) on unchanged, cutting nothing out."""
    broken: list[Broken] = []
    passed = balanced((data[start:end] for start, end, _ in found), broken)
    marks = (data[start:end] for start, end, _ in found)
    return all(a == b for a, b in itertools.zip_longest(passed, marks)) and not broken


def _plainly_nested(data: bytes, found: list[Marker]) -> bool:
    """A quick sufficient test for ``_intact``: every END closes the innermost component, a
    calendar begins only outside any, a top-level component never inside another, and at
    most the calendar is left open. Then ``balanced`` has nothing to cut or add; when this
    says no, ``_intact`` decides (a stray END, an unfinished event: the rare case)."""
    stack: list[bytes] = []
    for start, end, begins in found:
        name = _component(data[start:end])
        if begins:
            if (name == b"VCALENDAR" and stack) or (len(stack) > 1 and name in TOP_LEVEL):
                return False
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return len(stack) <= 1


def _component(line: bytes) -> bytes:
    return line.split(b":", 1)[1].strip().upper()


def balanced(lines: Iterable[bytes], broken: list[Broken]) -> Iterator[bytes]:
    """``lines`` with every component that is never properly finished cut out into ``broken``.

    A component directly inside a VCALENDAR is held until its END. It is cut out whole
    when something interrupts it (the BEGIN of another top-level component, END:VCALENDAR,
    the end of the file) or when the BEGIN/END lines inside it do not pair up. An END
    outside any component is cut out too.
    """
    stack: list[bytes] = []
    held: list[bytes] = []
    first = number = 0
    damaged = False

    def cut(last: int, problem: str) -> None:
        nonlocal held, damaged
        kind = stack[1].decode(errors="replace")
        _record(broken, Broken(kind, first, last, held, problem))
        del stack[1:]
        held, damaged = [], False

    def unfinished() -> str:
        kind = stack[1].decode(errors="replace")
        return f"unfinished {kind}: BEGIN:{kind} at line {first} has no END:{kind}"

    for number, line in enumerate(lines, 1):
        if line[:1] not in _MARKS:
            if len(stack) > 1:
                held.append(line)
            else:
                yield line
            continue
        head = line[:6].upper()
        if head.startswith(b"BEGIN:"):
            name = _component(line)
            if len(stack) > 1 and (name in TOP_LEVEL or name == b"VCALENDAR"):
                cut(number - 1, unfinished())
            if name == b"VCALENDAR" and stack:
                stack.clear()
                yield b"END:VCALENDAR\r\n"
            stack.append(name)
            if len(stack) == 2:
                held, first = [line], number
            elif len(stack) > 2:
                held.append(line)
            else:
                yield line
        elif head.startswith(b"END:"):
            name = _component(line)
            if name not in stack:
                if len(stack) > 1:
                    held.append(line)
                    damaged = True
                else:
                    text = line.strip().decode(errors="replace")
                    _record(broken, Broken(text, number, number, [line], f"stray {text} at line {number}"))
                continue
            depth = len(stack) - 1 - stack[::-1].index(name)
            if depth == 0 and len(stack) > 1:
                cut(number - 1, unfinished())
            if depth <= 1:
                if len(stack) > 1:
                    held.append(line)
                    if len(stack) > 2 or damaged:
                        kind = stack[1].decode(errors="replace")
                        cut(number, f"unbalanced BEGIN/END lines inside the {kind} at lines {first}-{number}")
                    else:
                        yield from held
                        held = []
                        stack.pop()
                    continue
                stack.pop()
                yield line
            else:
                damaged = damaged or depth < len(stack) - 1
                del stack[depth:]
                held.append(line)
        elif len(stack) > 1:
            held.append(line)
        else:
            yield line
    if len(stack) > 1:
        cut(number, unfinished())


_MARKS = frozenset((b"B", b"E", b"b", b"e"))
"""First letters of BEGIN/END lines: every other line passes without a closer look."""


def _record(broken: list[Broken], part: Broken) -> None:
    """Add ``part``, merging a run of empty unfinished components of one kind into one record."""
    if broken and len(part.lines) == 1 and part.lines[0][:6].upper() == b"BEGIN:":
        last = broken[-1]
        if last.kind == part.kind and last.last_line == part.first_line - 1 and len(last.lines) == 1:
            last.count += 1
            last.last_line = part.last_line
            return
    broken.append(part)


_FOLD = re.compile(rb"\r?\n[ \t]")


def unfold(data: bytes) -> bytes:
    """Join folded lines as bytes, so a fold inside a multibyte character decodes whole."""
    return _FOLD.sub(b"", data)


def join_quoted_breaks(data: bytes) -> bytes:
    """Join a property line that ends inside a quoted parameter value with the next line.

    ``ATTENDEE;CN="Ana<newline>Smith";PARTSTAT=DECLINED:mailto:...`` would otherwise be
    two lines that are not content lines, and the owner's answer would be lost. Only a
    line break that the next line closes is joined, so nothing else is ever swallowed.
    """
    if b'";' not in data and b'":' not in data:
        return data
    lines = data.split(b"\n")
    out: list[bytes] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if (
            index + 1 < len(lines)
            and b'"' in line
            and _PROPERTY_WITH_PARAMETERS.match(line)
            and _open_quote(line.rstrip(b"\r"))
        ):
            joined = line.rstrip(b"\r") + b" " + lines[index + 1]
            if not _open_quote(joined):
                out.append(joined)
                index += 2
                continue
        out.append(line)
        index += 1
    return b"\n".join(out)


_PROPERTY_WITH_PARAMETERS = re.compile(rb"[A-Za-z0-9-]+;")


def _open_quote(line: bytes) -> bool:
    """Whether the line ends inside a quoted parameter value (no colon ended the parameters)."""
    quoted = False
    for byte in line:
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return False
    return quoted
