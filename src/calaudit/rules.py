"""The ordered keyword rule engine: the first rule whose conditions all hold decides.

Keywords match case-insensitively as whole words or phrases (``1:1`` does not match
``11:15``; ``focus time`` matches ``Focus  Time``); ``/.../`` is a regular expression,
also case-insensitive, that may search one text for at most REGEX_TIMEOUT seconds. Text is
compared after Unicode normalisation (NFC), so a decomposed ``café`` from a macOS export
matches the keyword ``café``. Email patterns match an address exactly; a bare domain
matches every address at that domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from .config import Config, Rule, compile_regex, is_regex
from .errors import ConfigError
from .models import Attendee, Event, fold

IGNORE = "ignore"
UNCLASSIFIED = "unclassified"
Audience = Literal["external", "internal", "solo"]
REGEX_TIMEOUT = 0.25
"""Seconds a regular-expression keyword may search one text: sane patterns take
microseconds, and a runaway one must not hold an audit for minutes."""


@dataclass(frozen=True)
class Match:
    """Which rule decided an event, and why, for ``calaudit explain``."""

    index: int
    outcome: str
    """A category id, or ``ignore``."""
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return f"rules[{self.index}]: " + (", ".join(self.reasons) or "no condition (matches everything)")


class PlainKeyword:
    """Words found whole in the case-folded text, any whitespace between them."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        words = [re.escape(word) for word in fold(keyword).split()]
        self.pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")

    def search(self, text: str) -> bool:
        return self.pattern.search(fold(text)) is not None


class RegexKeyword:
    """A ``/.../`` regular expression searched in the NFC text, ignoring case."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self._pattern = compile_regex(keyword)

    def search(self, text: str) -> bool:
        """Raises TimeoutError when the search runs past REGEX_TIMEOUT."""
        return self._pattern.search(unicodedata.normalize("NFC", text), timeout=REGEX_TIMEOUT) is not None


def keyword_pattern(keyword: str) -> PlainKeyword | RegexKeyword:
    return RegexKeyword(keyword) if is_regex(keyword) else PlainKeyword(keyword)


def runaway(where: str, keyword: str, field: str, event: Event) -> ConfigError:
    """The error for a regular expression that ran past REGEX_TIMEOUT on an event."""
    title = event.title if len(event.title) <= 60 else event.title[:57] + "..."
    return ConfigError(
        f"{where}: regular expression {keyword[:60]} searched the {field} of {title!r} "
        f"({event.start:%Y-%m-%d %H:%M}) for over {REGEX_TIMEOUT:g} s and was stopped; simplify it "
        "(avoid repeating a repetition, such as '(.*)*' or '(a|aa)*')"
    )


class _TextCondition:
    def __init__(self, where: str, field: str, keywords: Sequence[str]) -> None:
        self.where = where
        self.field = field
        self.patterns = [keyword_pattern(keyword) for keyword in keywords]
        # When every keyword is plain, all of them in one pattern: most texts match none,
        # and one search tells so (a rule of 20 keywords took 20 searches).
        plain = [p.pattern for p in self.patterns if isinstance(p, PlainKeyword)]
        self._any: re.Pattern[str] | None = None
        if plain and len(plain) == len(self.patterns):
            self._any = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in plain))
        # By text: events that differ in other fields (their attendees) share titles.
        self._reasons: dict[str, str | None] = {}

    def check(self, event: Event) -> str | None:
        text = getattr(event, self.field)
        if text not in self._reasons:
            self._reasons[text] = self._check(text, event)
        return self._reasons[text]

    def _check(self, text: str, event: Event) -> str | None:
        if self._any is not None and self._any.search(fold(text)) is None:
            return None
        for position, pattern in enumerate(self.patterns):
            try:
                found = pattern.search(text)
            except TimeoutError:
                raise runaway(f"{self.where}[{position}]", pattern.keyword, self.field, event) from None
            if found:
                return f"{self.field} ~ {pattern.keyword!r}"
        return None


def address_matches(address: str, pattern: str) -> bool:
    """``pattern`` is an exact address or a bare domain; both are folded already."""
    if "@" in pattern:
        return address == pattern
    return address.rpartition("@")[2] == pattern


class _AddressCondition:
    def __init__(self, field: Literal["organizer", "attendees"], patterns: Sequence[str]) -> None:
        self.field = field
        self.patterns = patterns

    def check(self, event: Event) -> str | None:
        if self.field == "organizer":
            addresses = [fold(event.organizer)] if event.organizer else []
        else:
            addresses = [fold(a.email) for a in event.attendees]
        for address in addresses:
            for pattern in self.patterns:
                if address_matches(address, pattern):
                    return f"{self.field} ~ {pattern!r}"
        return None


class _AudienceCondition:
    def __init__(self, audience: Audience, classifier: RuleSet) -> None:
        self.audience = audience
        self.classifier = classifier

    def check(self, event: Event) -> str | None:
        found = self.classifier.audience(event)
        return f"audience = {found}" if found == self.audience else None


_TEXT_FIELDS = ("title", "description", "location", "calendar")
_Condition = _TextCondition | _AddressCondition | _AudienceCondition


class RuleSet:
    """Compiled rules of one configuration."""

    def __init__(self, config: Config) -> None:
        self.owner = frozenset(config.owner)
        self.internal_domains = frozenset(config.internal_domains)
        self.rules = [self._compile(index, rule) for index, rule in enumerate(config.rules)]
        self.outcomes = [IGNORE if rule.ignore else str(rule.category) for rule in config.rules]
        self._read = fields_read(config.rules)
        self._matches: dict[tuple[object, ...], Match | None] = {}
        self._audiences: dict[tuple[object, ...], Audience] = {}

    def _compile(self, index: int, rule: Rule) -> list[_Condition]:
        conditions: list[_Condition] = []
        for field in _TEXT_FIELDS:
            keywords = getattr(rule, field)
            if keywords is not None:
                conditions.append(_TextCondition(f"rules[{index}].{field}", field, keywords))
        if rule.organizer is not None:
            conditions.append(_AddressCondition("organizer", rule.organizer))
        if rule.attendees is not None:
            conditions.append(_AddressCondition("attendees", rule.attendees))
        if rule.audience is not None:
            conditions.append(_AudienceCondition(rule.audience, self))
        return conditions

    def classify(self, event: Event) -> Match | None:
        """The first matching rule, or None when the event is unclassified.

        Remembered by the fields the rules read, so a series' occurrences, and events that
        differ only in fields no rule reads (a description, say), are matched once."""
        key = tuple(getattr(event, field) for field in self._read)
        if key not in self._matches:
            self._matches[key] = self._classify(event)
        return self._matches[key]

    def _classify(self, event: Event) -> Match | None:
        for index, conditions in enumerate(self.rules):
            reasons = []
            for condition in conditions:
                reason = condition.check(event)
                if reason is None:
                    break
                reasons.append(reason)
            else:
                return Match(index, self.outcomes[index], tuple(reasons))
        return None

    def audience(self, event: Event) -> Audience:
        """Who else is there: anyone outside internal_domains makes it external."""
        key = (event.organizer, event.attendees)
        if key not in self._audiences:
            self._audiences[key] = self._audience(event)
        return self._audiences[key]

    def _audience(self, event: Event) -> Audience:
        others = [address for address in self._people(event) if address not in self.owner]
        if not others:
            return "solo"
        if any(self._is_external(address) for address in others):
            return "external"
        return "internal"

    def _people(self, event: Event) -> Iterable[str]:
        if event.organizer:
            yield fold(event.organizer)
        for attendee in event.attendees:
            if not attendee.is_resource:
                yield fold(attendee.email)

    def _is_external(self, address: str) -> bool:
        return address.rpartition("@")[2] not in self.internal_domains


def fields_read(rules: Sequence[Rule]) -> tuple[str, ...]:
    """The Event fields that some rule's conditions read (an audience reads the people)."""
    fields = {field for rule in rules for field in _TEXT_FIELDS if getattr(rule, field) is not None}
    if any(rule.organizer is not None or rule.audience is not None for rule in rules):
        fields.add("organizer")
    if any(rule.attendees is not None or rule.audience is not None for rule in rules):
        fields.add("attendees")
    return tuple(sorted(fields))


@dataclass(frozen=True)
class ExampleCheck:
    index: int
    title: str
    expected: str
    actual: str
    """A category id, ``ignore`` or ``unclassified``."""
    rule: str | None

    @property
    def passed(self) -> bool:
        return self.expected == self.actual


_EXAMPLE_TIME = datetime(2000, 1, 3, 10, tzinfo=UTC)


def check_examples(config: Config) -> list[ExampleCheck]:
    """Classify every ``examples:`` entry and compare with the category it names."""
    rules = RuleSet(config)
    checks = []
    for index, example in enumerate(config.examples):
        event = Event(
            uid="",
            title=example.title,
            start=_EXAMPLE_TIME,
            end=_EXAMPLE_TIME,
            calendar=example.calendar,
            description=example.description,
            location=example.location,
            organizer=example.organizer,
            attendees=tuple(Attendee(email) for email in example.attendees),
        )
        match = rules.classify(event)
        actual = match.outcome if match else UNCLASSIFIED
        checks.append(ExampleCheck(index, example.title, example.category, actual, match.describe() if match else None))
    return checks
