"""rules.yaml: loading, validation and the models the rest of the program trusts.

Every problem is reported as one ``ConfigError`` line naming the file, the line and the
key path (``rules.yaml:14: rules[3].title[0]: ...``).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import regex
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .models import BIDI_CONTROLS, fold

TARGET_SUM = 100.0
GROUPS = ("external", "internal")
MAX_RULES_BYTES = 1024 * 1024
"""A rules file is a few kilobytes; anything over 1 MB is a mistake and slow to parse."""
MAX_YAML_VALUES = 20_000
"""A rules file holds a few hundred values; aliases (``*name``) let a few kilobytes stand
for millions, which would take minutes to check."""
MAX_YAML_DEPTH = 100
"""Deeper nesting than this is reported with its line (the YAML parser itself would recurse
until Python's stack runs out)."""


def compile_regex(keyword: str) -> regex.Pattern[str]:
    """The pattern of a ``/.../`` keyword. The ``regex`` engine, unlike ``re``, can stop a
    search after a timeout, so no title can make a rule run away."""
    return regex.compile(unicodedata.normalize("NFC", keyword[1:-1]), regex.IGNORECASE | regex.V0)


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-element list (``title: interview``), and let
    numbers YAML read from unquoted keywords (``title: [2026, 1:1]``) stay the text they
    were written as (see ``_WrittenInt``)."""
    if isinstance(value, str | int | float | date):
        value = [value]
    if isinstance(value, list):
        return [
            _number_text(item) if isinstance(item, int | float) and not isinstance(item, bool) else item
            for item in value
        ]
    return value


def _number_text(number: float) -> str:
    return number.text if isinstance(number, _WrittenInt | _WrittenFloat) else str(number)


def is_regex(keyword: str) -> bool:
    return len(keyword) >= 2 and keyword.startswith("/") and keyword.endswith("/")


def _has_control(text: str) -> bool:
    """C0, DEL or C1, a character a terminal may take for the start of a command, or a bidi
    embedding, override or isolate, which reorders the rest of the line it is printed on
    (as ``models.printable`` replaces them in calendar text)."""
    return _UNPRINTABLE.search(text) is not None


_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")  # and lone surrogates


def _check_label(label: str) -> str:
    if _has_control(label):
        raise ValueError(f"label {label!r} contains a control character; remove it (labels are printed as they are)")
    return label


def _check_keyword(keyword: str) -> str:
    if not keyword.strip():
        raise ValueError("empty keyword")
    if _has_control(keyword):
        fix = "remove it"
        if "\b" in keyword:  # a word boundary \b written inside YAML double quotes
            fix = "in YAML double quotes \\b is a backspace: write the regular expression in single quotes"
        raise ValueError(f"keyword {keyword!r} contains a control character; {fix}")
    if is_regex(keyword):
        shown = _short(keyword)
        counts = [int(count) for match in _REPEAT_COUNT.finditer(keyword) for count in match.groups() if count]
        if any(count > MAX_REPEAT_COUNT for count in counts):
            # Checked before compiling: the regex engine expands counted repeats in memory.
            raise ValueError(f"regular expression {shown} repeats more than {MAX_REPEAT_COUNT} times; count less")
        nested, size = _shape(keyword[1:-1], math.prod(counts))
        if size > MAX_REGEX_SIZE:
            raise ValueError(
                f"regular expression {shown} expands to over {MAX_REGEX_SIZE:,} steps (nested counts "
                "multiply); use smaller counts"
            )
        try:
            compile_regex(keyword)
        except regex.error as exc:
            raise ValueError(f"regular expression {shown} does not compile: {exc}") from None
        except RecursionError:
            raise ValueError(f"regular expression {shown} nests groups too deeply; simplify it") from None
        if nested:
            raise ValueError(
                f"regular expression {shown} repeats a repetition (like '(a+)+'), which can take "
                "exponential time on some texts; simplify it"
            )
    return keyword


_REPEAT_COUNT = re.compile(r"(?<!\\)\{(\d+)(?:,(\d*))?\}")
MAX_REPEAT_COUNT = 1000
MAX_REGEX_SIZE = 100_000


def _shape(pattern: str, unparsed_size: int) -> tuple[bool, int]:
    """(whether a repeat contains an unbounded repeat, size once counted repeats are expanded).

    ``(a+)+`` and ``(.*a){20}`` are the shape of catastrophic backtracking, refused before
    any title meets it (matching has a timeout too, for the shapes this does not see);
    ``((a{1000}){1000}){1000}`` would expand to a billion steps. Syntax only the ``regex``
    engine knows cannot be walked: (False, ``unparsed_size``), a bound the caller gives.
    """
    from re import _parser  # type: ignore[attr-defined]

    def walk(items: Any, inside_repeat: bool) -> tuple[bool, int]:
        nested, size = False, 0
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = arg
                unbounded = high is _parser.MAXREPEAT
                inner_nested, inner = walk(body, inside_repeat or high > 1)
                nested |= inner_nested or (unbounded and inside_repeat and name != "POSSESSIVE_REPEAT")
                size += max(1, low if unbounded else high) * inner
            elif name == "SUBPATTERN":
                inner_nested, inner = walk(arg[-1], inside_repeat)
                nested, size = nested or inner_nested, size + inner
            elif name == "BRANCH":
                for branch in arg[1]:
                    inner_nested, inner = walk(branch, inside_repeat)
                    nested, size = nested or inner_nested, size + inner
            else:
                size += 1
        return nested, size

    try:
        result: tuple[bool, int] = walk(_parser.parse(pattern), False)
    except (re.error, RecursionError):
        return False, unparsed_size
    return result


_HOST = re.compile(r"[^\s@.]+(?:\.[^\s@.]+)*")


def _is_host(domain: str) -> bool:
    """Dot-separated labels without blanks, ``@`` or control characters."""
    return _HOST.fullmatch(domain) is not None and not _has_control(domain)


def _check_address(value: str) -> str:
    """An address (``me@localhost`` included) or a bare domain with a dot, case-folded."""
    if _has_control(value):  # printed by rules check and in the owner warning
        raise ValueError(f"address {value.strip()!r} contains a control character; remove it")
    _check_visible(value, "address")
    value = fold(value.strip()).removeprefix("mailto:")
    local, at, domain = value.rpartition("@")
    has_space = any(char.isspace() for char in value)
    if has_space or "@" in local or (at and not local) or not _is_host(domain) or not (at or "." in domain):
        raise ValueError(f"'{value}' is neither an email address nor a domain such as acme.com")
    return value


_INVISIBLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
"""Characters shown as nothing: zero-width spaces and joiners, soft hyphens, variation
selectors, Hangul fillers, tags (bidi controls among them are refused as control characters)."""


def _check_visible(value: str, what: str) -> None:
    """Pasted with an address or domain, such a character looked right in every output but
    matched no attendee: declined meetings counted, colleagues' meetings were external."""
    if invisible := _INVISIBLE.search(value):
        shown = _INVISIBLE.sub(lambda char: char[0].encode("unicode_escape").decode(), repr(value.strip()))
        code = ord(invisible[0])
        raise ValueError(f"{what} {shown} contains an invisible character (U+{code:04X}); remove it")


def _check_domain(value: str) -> str:
    """A bare domain; a single label (``localhost``) is one too."""
    _check_visible(value, "domain")
    domain = fold(value.strip()).removeprefix("@")
    if not _is_host(domain):
        raise ValueError(f"{domain!r} is not a domain such as acme.com")
    return domain


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'; use an IANA name such as America/New_York") from None
    return name


Keyword = Annotated[str, AfterValidator(_check_keyword)]
Label = Annotated[str, AfterValidator(_check_label)]
Keywords = Annotated[list[Keyword], BeforeValidator(_as_list), Field(min_length=1)]
Address = Annotated[str, AfterValidator(_check_address)]
Addresses = Annotated[list[Address], BeforeValidator(_as_list)]
Domain = Annotated[str, AfterValidator(_check_domain)]
Domains = Annotated[list[Domain], BeforeValidator(_as_list)]
SkipOrCount = Literal["skip", "count"]


def _kinds(annotation: Any) -> frozenset[Any]:
    """The plain types a field's annotation admits (``Annotated[str, ...] | None``: str, None)."""
    if get_origin(annotation) is Annotated:
        return _kinds(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        return frozenset().union(*(_kinds(arg) for arg in get_args(annotation)))
    return frozenset([annotation])


_TEXT_KINDS = (frozenset([str]), frozenset([str, type(None)]))
_NUMBER_KINDS = frozenset([int, float, type(None)])
_DECIMAL = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
"""A number as people write it; YAML 1.1 also reads 010 (octal 8), 0x1F, 1_000 and 7:30 (base 60)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # "nan" quoted, too

    @field_validator("*", mode="before")
    @classmethod
    def _as_written(cls, value: Any, info: ValidationInfo) -> Any:
        """Unquoted scalars as the user meant them, not as YAML 1.1 reads them: a text
        field keeps a number's written text (``user: 1:1`` is "1:1", not 61); a number
        field refuses true/false (``yes``) and numbers not written in decimal (``010`` is
        8, ``7:30`` is 450)."""
        kinds = _kinds(cls.model_fields[info.field_name or ""].annotation)
        if kinds in _TEXT_KINDS and isinstance(value, _WrittenInt | _WrittenFloat):
            return value.text
        if kinds <= _NUMBER_KINDS:
            if isinstance(value, bool):
                raise ValueError(f"YAML reads this as {str(value).lower()} (yes, no, on, off...); give a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError("give a finite number")
            if value is None and type(None) not in kinds:
                raise ValueError("YAML reads ~, null or nothing as null; give a number")
            if isinstance(value, date):
                raise ValueError(f"YAML reads {value.isoformat()} as a date; give a number")
            if isinstance(value, _WrittenInt | _WrittenFloat) and not _DECIMAL.fullmatch(value.text):
                try:
                    read_as = f"{value:g}"
                except OverflowError:  # 1:59:59:... of thousands of parts
                    read_as = "a number too large for a float"
                raise ValueError(
                    f"YAML reads {_short(value.text)} as {read_as}; "
                    "write a plain decimal number (no leading 0, _, : or 0x)"
                )
        return value


class Accounting(Strict):
    declined: SkipOrCount = "skip"
    tentative: SkipOrCount = "count"
    free: SkipOrCount = "skip"
    all_day: SkipOrCount = "skip"
    workday_hours: float = Field(default=8.0, gt=0, le=24)
    multi_day: Literal["workday", "full"] = "workday"
    """workday: a timed event touching several days counts at most workday_hours on each."""
    overlap: Literal["split", "full"] = "split"
    tolerance: float = Field(default=5.0, ge=0, le=100)


class Category(Strict):
    label: Label
    target: float = Field(ge=0, le=100)


class Group(Strict):
    label: Label
    categories: dict[str, Category]

    @field_validator("categories", mode="after")
    @classmethod
    def _printable_ids(cls, categories: dict[str, Category]) -> dict[str, Category]:
        for cid in categories:
            if _has_control(cid):
                raise ValueError(f"category id {cid!r} contains a control character; remove it")
        return categories


class Allocation(Strict):
    external: Group
    internal: Group

    @model_validator(mode="before")
    @classmethod
    def _default_labels(cls, data: Any) -> Any:
        """Labels are optional: a group is called External/Internal, a category by its id."""
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for gid in GROUPS:
            group = filled.get(gid)
            if isinstance(group, dict):
                group = {"label": gid.title(), **group}
                categories = group.get("categories")
                if isinstance(categories, dict):
                    group["categories"] = {
                        cid: {"label": cid, **value} if isinstance(value, dict) else value
                        for cid, value in categories.items()
                    }
                filled[gid] = group
        return filled


MATCH_FIELDS = ("title", "description", "location", "calendar", "organizer", "attendees")
"""Rule fields that test an event, in the order explanations list them."""


_WANTED = {
    "organizer": "addresses or domains in [brackets]",
    "attendees": "addresses or domains in [brackets]",
    "audience": "external, internal or solo",
}
"""What a rule's condition takes, for the message when it is left empty (keywords otherwise)."""


class Rule(Strict):
    category: str | None = None
    ignore: bool = False
    title: Keywords | None = None
    description: Keywords | None = None
    location: Keywords | None = None
    calendar: Keywords | None = None
    organizer: Addresses | None = None
    attendees: Addresses | None = None
    audience: Literal["external", "internal", "solo"] | None = None
    _written_as_text: frozenset[str] = PrivateAttr(default=frozenset())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_text_values(cls, data: Any, handler: ModelWrapValidatorHandler[Rule]) -> Rule:
        rule = handler(data)
        if isinstance(data, dict):
            rule._written_as_text = frozenset(f for f in MATCH_FIELDS if isinstance(data.get(f), str))
        return rule

    def written_as_text(self, field: str) -> bool:
        """``title: acme, initech`` (one text, so one keyword) rather than a list."""
        return field in self._written_as_text

    @field_validator(*MATCH_FIELDS, "audience", mode="before")
    @classmethod
    def _not_left_empty(cls, value: object, info: ValidationInfo) -> object:
        """``description:`` with nothing after it is YAML's null, which would read as no
        condition at all: the rule would silently match every event."""
        if value is None:
            wanted = _WANTED.get(str(info.field_name), "keywords in [brackets]")
            raise ValueError(f"has no value: give {wanted}, or remove the key")
        return value

    @model_validator(mode="after")
    def _one_outcome_some_condition(self) -> Rule:
        if self.ignore == (self.category is not None):
            raise ValueError("a rule needs either 'category: <id>' or 'ignore: true' (not both)")
        return self

    @property
    def catch_all(self) -> bool:
        """A rule without conditions matches every event that reaches it."""
        return self.audience is None and all(getattr(self, f) is None for f in MATCH_FIELDS)


class Example(Strict):
    """A rule test: this event must land in this category (or be ignored/unclassified)."""

    title: str
    category: str
    description: str = ""
    location: str = ""
    calendar: str = ""
    organizer: Address | None = None
    attendees: Addresses = []


class GoogleEntry(Strict):
    calendar: str = "primary"
    token_file: str | None = None
    service_account_file: str | None = None
    subject: str | None = None
    api_endpoint: str | None = None
    token_uri: str | None = None


class SourceEntry(Strict):
    ics: str | None = None
    google: GoogleEntry | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> SourceEntry:
        if (self.ics is None) == (self.google is None):
            raise ValueError("each source is either 'ics: <path or URL>' or 'google: {...}'")
        return self


def _check_smtp_host(value: str) -> str:
    """What the socket library can look up: it encodes names with the idna codec, which
    refuses an empty label or one over 63 characters with a UnicodeError."""
    host = value.strip()
    try:
        if not host or _has_control(host):
            raise UnicodeError("empty or a control character")
        host.encode("idna")
    except UnicodeError as exc:
        raise ValueError(f"{host!r} is not a host name ({exc}); give the mail server's name or address") from None
    return host


class Smtp(Strict):
    host: Annotated[str, AfterValidator(_check_smtp_host)]
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    timeout: float = Field(default=30, gt=0, le=600)
    """Seconds to wait for each answer of the server."""

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "never put the SMTP password in rules.yaml: remove it and set CALAUDIT_SMTP_PASSWORD in the environment"
            )
        return data


class Email(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    to: Addresses = Field(min_length=1)
    sender: Address = Field(alias="from")
    smtp: Smtp
    alert_on_failure: bool = False


class Config(Strict):
    version: Literal[1]
    timezone: Annotated[str, AfterValidator(_check_zone)] | None = None
    owner: Addresses = []
    internal_domains: Domains = []
    accounting: Accounting = Accounting()
    allocation: Allocation
    rules: list[Rule] = []
    examples: list[Example] = []
    sources: list[SourceEntry] = []
    email: Email | None = None

    @field_validator("owner", "internal_domains", mode="after")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))

    def categories(self) -> dict[str, tuple[str, Category]]:
        """Category id -> (group id, category), in allocation order."""
        return {cid: (gid, cat) for gid in GROUPS for cid, cat in getattr(self.allocation, gid).categories.items()}

    def group(self, gid: str) -> Group:
        group: Group = getattr(self.allocation, gid)
        return group


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration together with where it came from."""

    config: Config
    path: Path | None
    """None for the bundled demo rules."""
    digest: str
    """sha256 of the file's bytes: identifies the rules version in reports."""

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, location: str) -> str:
        """Resolve a relative path against the rules file's directory; URLs pass through."""
        if "://" in location:
            return location
        path = Path(location).expanduser()
        return str(path if path.is_absolute() else self.base_dir / path)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone or local_zone_name())


def local_zone_name() -> str:
    """The machine's IANA zone, used when rules.yaml names none."""
    import tzlocal

    try:
        return tzlocal.get_localzone_name() or "UTC"
    except (ZoneInfoNotFoundError, ValueError, LookupError):
        return "UTC"


class _WrittenInt(int):
    """A number YAML read from an unquoted scalar, with the text it was written as: YAML 1.1
    reads ``1:1`` as the base-60 number 61, ``010`` as 8 and ``0x1F`` as 31, which as
    keywords would silently match nothing the user meant."""

    text: str


class _WrittenFloat(float):
    """As ``_WrittenInt``: ``1.10`` is the keyword "1.10", not "1.1"."""

    text: str


class _UniqueKeys(yaml.constructor.SafeConstructor):
    """A safe constructor that rejects duplicate keys instead of silently keeping the last,
    and reads a key written as a number as the name it was written as.

    Merge keys (``<<: *base``) are not duplicates: the mapping's own keys override merged ones.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):  # [a]: or ? {a: 1}, unhashable in Python
                raise yaml.MarkedYAMLError(
                    problem="a key must be a plain name, not a list or mapping", problem_mark=key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, _WrittenInt | _WrittenFloat):  # a key is a name: 010 and 8 are two
                key = self.constructed_objects[key_node] = key.text
            if key in seen:
                raise yaml.MarkedYAMLError(problem=f"duplicate key '{key}'", problem_mark=key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _PyLoader(_UniqueKeys, yaml.SafeLoader):
    """PyYAML's own parser: its messages name the offending character."""


class _CLoader(_UniqueKeys, yaml.CSafeLoader):
    """libyaml's parser: many times faster on large files."""


def _written_int(loader: _PyLoader | _CLoader, node: yaml.ScalarNode) -> float | str:
    return _written(node, loader.construct_yaml_int, _WrittenInt)


def _written_float(loader: _PyLoader | _CLoader, node: yaml.ScalarNode) -> float | str:
    return _written(node, loader.construct_yaml_float, _WrittenFloat)


def _written(
    node: yaml.ScalarNode, read: Callable[[yaml.ScalarNode], Any], kind: type[_WrittenInt] | type[_WrittenFloat]
) -> float | str:
    """The number YAML reads ``node`` as, keeping its text; only the text when Python cannot
    hold it (past 4,300 digits, or 1:59:59:... of thousands of parts, too large for a float)."""
    try:
        number = kind(read(node))
    except (ValueError, OverflowError):
        return str(node.value)
    number.text = node.value
    return number


for _loader in (_PyLoader, _CLoader):  # numbers keep the text they were written as
    _loader.add_constructor("tag:yaml.org,2002:int", _written_int)
    _loader.add_constructor("tag:yaml.org,2002:float", _written_float)


def _read_yaml(text: str, loader_class: type[_PyLoader | _CLoader]) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree (for line numbers) from one composition."""
    loader = loader_class(text)
    try:
        tree = loader.get_single_node()
        return (loader.construct_document(tree) if tree is not None else None), tree
    finally:
        loader.dispose()


def load(path: Path) -> LoadedConfig:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_RULES_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found; create one with 'calaudit init {path}'") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rules file: {exc.strerror}") from None
    return parse(raw, str(path), path)


def parse(raw: bytes, name: str, path: Path | None = None) -> LoadedConfig:
    """Validate rules.yaml bytes; ``name`` is how errors refer to the file."""
    if len(raw) > MAX_RULES_BYTES:
        raise ConfigError(
            f"{name}: larger than the 1 MB limit for a rules file ({MAX_RULES_BYTES:,} bytes); is this the right file?"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        try:
            data, tree = _read_yaml(text, _CLoader)
        except yaml.YAMLError:
            data, tree = _read_yaml(text, _PyLoader)  # raises again, with PyYAML's clearer message
    except yaml.reader.ReaderError as exc:  # PyYAML's message took two lines and gave an offset
        row = text.count("\n", 0, exc.position) + 1
        raise ConfigError(  # a text stream gives the character's code point
            f"{name}:{row}: invalid YAML: character U+{exc.character:04X} is not allowed in YAML; remove it"
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        context = ""
        if exc.context and exc.context_mark:
            context = f"{exc.context} started on line {exc.context_mark.line + 1}: "
        hint = "; indent with spaces, not tabs" if "'\\t'" in str(exc.problem) else ""
        raise ConfigError(f"{name}:{line}: invalid YAML: {context}{exc.problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(
            f"{_too_deep(name, text)}: invalid YAML: nested more than {MAX_YAML_DEPTH} levels deep; "
            "a rules file needs a few"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping with 'version: 1', 'allocation' and 'rules'")
    if _more_values_than(data, MAX_YAML_VALUES):
        raise ConfigError(
            f"{name}: more than {MAX_YAML_VALUES:,} values, counting each use of an alias (*name) in full; "
            "a rules file needs a few hundred"
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise ConfigError(f"{_where(name, tree, loc)}: {key_path(loc)}: {_describe(first)}") from None
    for loc, problem in _cross_checks(config, lambda loc: _where(name, tree, loc)):
        raise ConfigError(f"{_where(name, tree, loc)}: {key_path(loc)}: {problem}")
    return LoadedConfig(config, path, hashlib.sha256(raw).hexdigest())


def _more_values_than(data: Any, limit: int) -> bool:
    """Whether ``data`` holds more than ``limit`` values (keys, scalars, lists, mappings), an
    alias's each time it is used; the walk stops at the limit, however far aliases expand."""
    count, stack = 0, [data]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        if count > limit:
            return True
    return False


def _too_deep(name: str, text: str) -> str:
    """'file:line' where nesting first goes deeper than MAX_YAML_DEPTH (the event parser
    keeps its own stack, so it does not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH and event.start_mark:
                    return f"{name}:{event.start_mark.line + 1}"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return name


def key_path(loc: Iterable[str | int]) -> str:
    """('rules', 3, 'title', 0) -> 'rules[3].title[0]'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}' (check its spelling and indentation)"
    if kind == "missing":
        return "required key is missing"
    message: str = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    if kind == "value_error":
        return message
    if isinstance(given, bool):
        return f"{message}; YAML reads an unquoted yes, no, on or off as {str(given).lower()}: quote it"
    if given is None:
        return f"{message}; YAML reads ~, null or nothing as null: quote it, or remove it"
    if isinstance(given, date):
        return f"{message}; YAML reads {given.isoformat()} as a date: quote it"
    if isinstance(given, _WrittenInt | _WrittenFloat):
        return f"{message} (got {_short(given.text)})"
    if isinstance(given, str):
        return f"{message} (got {_short(given)!r})"
    if isinstance(given, int | float):
        return f"{message} (got {given!r})"
    return message


def _short(text: str) -> str:
    """A value as an error line shows it: a long one cut, as a long regular expression is."""
    return text if len(text) <= 60 else text[:57] + "..."


def _cross_checks(
    config: Config, where: Callable[[tuple[str | int, ...]], str]
) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Checks that need more than one key: unique category ids, category references and
    the target sum. ``where`` gives 'file:line' of a key path."""
    first_group = {cid: gid for gid in reversed(GROUPS) for cid in config.group(gid).categories}
    for gid in GROUPS:
        for cid in config.group(gid).categories:
            if first_group[cid] != gid:
                first = ("allocation", first_group[cid], "categories", cid)
                yield (
                    ("allocation", gid, "categories", cid),
                    f"category id '{cid}' is also {key_path(first)} ({where(first)}); "
                    "each id may appear in one group only: rename one",
                )
    categories = config.categories()
    known = ", ".join(categories)
    for gid in GROUPS:
        for cid in getattr(config.allocation, gid).categories:
            if cid == "unclassified":
                yield (
                    ("allocation", gid, "categories", cid),
                    "'unclassified' is reserved for time no rule matched; pick another id",
                )
    for i, rule in enumerate(config.rules):
        if rule.category is not None and rule.category not in categories:
            yield ("rules", i, "category"), f"unknown category '{rule.category}'; known: {known}"
    outcomes = {*categories, "unclassified", "ignore"}
    for i, example in enumerate(config.examples):
        if example.category not in outcomes:
            yield (
                ("examples", i, "category"),
                f"unknown category '{example.category}'; use one of {known}, ignore, unclassified",
            )
    total = sum(cat.target for _, cat in categories.values())
    if abs(total - TARGET_SUM) > 1e-6:
        yield ("allocation",), f"category targets add up to {total:g}, they must add up to 100"


def _where(name: str, tree: yaml.Node | None, loc: tuple[str | int, ...]) -> str:
    """'file:line' of the deepest key or list item along ``loc`` that exists."""
    node, line = tree, None
    for part in loc:
        found = _child(node, part) if node is not None else None
        if found is None:
            break
        marker, node = found
        line = marker.start_mark.line + 1
    return f"{name}:{line}" if line else name


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(node whose line names ``part``, node holding its value)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item, item
    return None
