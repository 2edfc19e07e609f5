"""Findings about a rule set that is valid but probably not what its author meant.

Static checks need only the configuration: rules an earlier rule always pre-empts,
keywords that can never decide, categories without rules, keywords that look like
regular expressions without slashes, and keywords shared by different categories.
Usage checks need audited occurrences: how often each rule decided, and keywords that
matched nothing in the period.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .audit import Occurrence
from .config import MATCH_FIELDS, Config, Rule, is_regex
from .rules import address_matches, keyword_pattern

TEXT_FIELDS = ("title", "description", "location", "calendar")
_REGEX_HINT = re.compile(r"\\[bdswBDSW]|\.\*|\.\+|^\^|\$$|\[[^\]]+\]|\|")


@dataclass(frozen=True)
class Finding:
    where: str
    """A key path such as ``rules[4].title``."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _conditions(rule: Rule) -> dict[str, list[str]]:
    """Field -> values of every condition of a rule (audience as a one-value list)."""
    found = {field: list(getattr(rule, field)) for field in MATCH_FIELDS if getattr(rule, field) is not None}
    if rule.audience is not None:
        found["audience"] = [rule.audience]
    return found


def _value_covers(field: str, earlier: str, later: str) -> bool:
    """Whether every event matching ``later`` on ``field`` also matches ``earlier``."""
    if field in TEXT_FIELDS:
        if earlier.casefold() == later.casefold():
            return True
        # A plain keyword found inside the later keyword's own text is found in any
        # title that contains that text: "customer" covers "customer success".
        return not is_regex(earlier) and not is_regex(later) and bool(keyword_pattern(earlier).search(later))
    if field in ("organizer", "attendees"):
        return earlier == later or ("@" in later and address_matches(later, earlier))
    return earlier == later


def _covers(field: str, earlier: Sequence[str], later: Sequence[str]) -> str | None:
    """The earlier value that covers all of ``later``, when one does."""
    for value in later:
        if not any(_value_covers(field, e, value) for e in earlier):
            return None
    return next((e for e in earlier if _value_covers(field, e, later[0])), None)


def _catch_alls(config: Config) -> Iterable[Finding]:
    for i, rule in enumerate(config.rules):
        if rule.catch_all and i < len(config.rules) - 1:
            yield Finding(
                f"rules[{i}]", "has no condition, so it matches every event and the rules after it never apply"
            )


def _shadowing(config: Config) -> Iterable[Finding]:
    compiled = [_conditions(rule) for rule in config.rules]
    for j, later in enumerate(compiled):
        for i, earlier in enumerate(compiled[:j]):
            if all(f in later and _covers(f, earlier[f], later[f]) for f in earlier):
                yield Finding(f"rules[{j}]", f"can never match: rules[{i}] catches everything it catches")
                break
        else:
            yield from _dead_values(compiled, j)


def _dead_values(compiled: list[dict[str, list[str]]], j: int) -> Iterable[Finding]:
    """Values of rule j that an earlier single-condition rule on the same field always takes."""
    for field, values in compiled[j].items():
        for value in values:
            for i, earlier in enumerate(compiled[:j]):
                if list(earlier) == [field] and (hit := _covers(field, earlier[field], [value])):
                    yield Finding(
                        f"rules[{j}].{field}",
                        f"{value!r} never decides: rules[{i}] ({hit!r}) takes every such event first",
                    )
                    break


def _unused_categories(config: Config) -> Iterable[Finding]:
    used = {rule.category for rule in config.rules}
    for cid, (gid, _) in config.categories().items():
        if cid not in used:
            yield Finding(f"allocation.{gid}.categories.{cid}", "no rule assigns this category")


def _regex_lookalikes(config: Config) -> Iterable[Finding]:
    for i, rule in enumerate(config.rules):
        for field in TEXT_FIELDS:
            for keyword in getattr(rule, field) or ():
                if not is_regex(keyword) and _REGEX_HINT.search(keyword):
                    yield Finding(
                        f"rules[{i}].{field}",
                        f"{keyword!r} looks like a regular expression but is matched as plain "
                        f"text; write '/{keyword}/' to use it as one",
                    )


def _shared_keywords(config: Config) -> Iterable[Finding]:
    owners: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for i, rule in enumerate(config.rules):
        outcome = "ignore" if rule.ignore else str(rule.category)
        for field in TEXT_FIELDS:
            for keyword in getattr(rule, field) or ():
                owners[(field, keyword.casefold())].setdefault(outcome, i)
    for (field, keyword), by_outcome in owners.items():
        if len(by_outcome) > 1:
            places = ", ".join(f"{outcome} (rules[{i}])" for outcome, i in by_outcome.items())
            yield Finding(f"{field} {keyword!r}", f"appears in rules of several outcomes: {places}")


def lint(config: Config) -> list[Finding]:
    return [
        *_catch_alls(config),
        *_shadowing(config),
        *_unused_categories(config),
        *_regex_lookalikes(config),
        *_shared_keywords(config),
    ]


@dataclass(frozen=True)
class Usage:
    hits: list[int]
    """Occurrences each rule decided, by rule index."""
    unmatched: list[Finding]
    """Keywords that matched no occurrence of the period at all."""


def usage(config: Config, occurrences: Sequence[Occurrence]) -> Usage:
    hits = [0] * len(config.rules)
    for o in occurrences:
        if o.match is not None:
            hits[o.match.index] += 1
    unmatched = []
    for i, rule in enumerate(config.rules):
        for field in TEXT_FIELDS:
            keywords = getattr(rule, field) or ()
            texts = [getattr(o.event, field) for o in occurrences]
            patterns = {keyword: keyword_pattern(keyword) for keyword in keywords}
            silent = [k for k, pattern in patterns.items() if not any(pattern.search(t) for t in texts)]
            if silent:
                unmatched.append(Finding(f"rules[{i}].{field}", "matched nothing: " + ", ".join(map(repr, silent))))
    return Usage(hits, unmatched)
