"""Findings about a rule set that is valid but probably not what its author meant.

Static checks need only the configuration: rules an earlier rule always pre-empts,
keywords that can never decide, categories without rules, keywords that look like
regular expressions without slashes, comma-separated lists written as one keyword,
keywords shared by different categories, and the template's placeholder owner and domain
left unedited. Usage checks need audited occurrences: how often each rule decided,
keywords that matched nothing in the period, internal domains that match no attendee and
an owner who attends nothing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import yaml

from .audit import Occurrence
from .config import MATCH_FIELDS, Config, Rule, is_regex
from .models import fold
from .rules import keyword_pattern, runaway

TEXT_FIELDS = ("title", "description", "location", "calendar")
TEMPLATE_OWNER = "cto@weave.example"
TEMPLATE_DOMAIN = "weave.example"
"""The example values of ``calaudit init``'s rules.yaml: left as they are, declined
meetings are counted and every colleague is external."""
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


def _text_key(keyword: str) -> str:
    """What a keyword is compared as: a regex by its folded text, plain words joined by one space."""
    folded = fold(keyword)
    return "/" + folded if is_regex(keyword) else " ".join(folded.split())


def _text_covering_keys(keyword: str, lengths: Collection[int]) -> Iterable[str]:
    """Keys of every keyword that finds ``keyword``'s own text, and so any title holding it,
    among keys of the given ``lengths`` (those of the keywords there are).

    A plain keyword is found where its words stand between non-word characters:
    "customer" covers "customer success" and "customer-success". Enumerating the
    word-bounded stretches of the later keyword, of the lengths keywords have, replaces
    compiling and running every earlier keyword against it, which made lint quadratic;
    keeping to those lengths keeps a keyword of thousands of words (a list written
    without brackets) from making millions of stretches.
    """
    if is_regex(keyword):
        yield "/" + fold(keyword)
        return
    text = " ".join(fold(keyword).split())
    ends = {
        q for q in range(1, len(text) + 1) if not text[q - 1].isspace() and (q == len(text) or not _is_word(text[q]))
    }
    by_length = len(lengths) < len(ends)  # whichever is fewer to try from each start
    for p in range(len(text)):
        if not text[p].isspace() and (p == 0 or not _is_word(text[p - 1])):
            if by_length:
                yield from (text[p : p + length] for length in lengths if p + length in ends)
            else:
                yield from (text[p:q] for q in ends if q - p in lengths)


def _is_word(char: str) -> bool:
    """re's \\w for str patterns."""
    return char.isalnum() or char == "_"


def _covering_keys(field: str, value: str, lengths: Collection[int]) -> Iterable[str]:
    """Keys of the values that match every event ``value`` matches on ``field``."""
    if field in TEXT_FIELDS:
        yield from _text_covering_keys(value, lengths)
    elif field in ("organizer", "attendees"):
        yield value
        if "@" in value:
            yield value.rpartition("@")[2]  # a bare domain covers every address at it
    else:
        yield value


def _key(field: str, value: str) -> str:
    return _text_key(value) if field in TEXT_FIELDS else value


class _Coverage:
    """For each condition value, which rules hold a value that covers it, found by key
    lookups (linear in the number of values, not in their pairs)."""

    def __init__(self, compiled: list[dict[str, list[str]]]) -> None:
        self.holders: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        self.lengths: dict[str, set[int]] = defaultdict(set)
        for i, conditions in enumerate(compiled):
            for field, values in conditions.items():
                for position, value in enumerate(values):
                    key = _key(field, value)
                    self.holders[(field, key)].append((i, position, value))
                    self.lengths[field].add(len(key))

    def covering(self, field: str, value: str, before: int) -> dict[int, str]:
        """Rule index (< ``before``) -> its first value, in list order, covering ``value``."""
        found: dict[int, tuple[int, str]] = {}
        for key in set(_covering_keys(field, value, self.lengths[field])):
            for i, position, held in self.holders.get((field, key), ()):
                if i < before and (i not in found or position < found[i][0]):
                    found[i] = (position, held)
        return {i: held for i, (_, held) in found.items()}


def _catch_alls(config: Config) -> Iterable[Finding]:
    for i, rule in enumerate(config.rules):
        if rule.catch_all and i < len(config.rules) - 1:
            yield Finding(
                f"rules[{i}]", "has no condition, so it matches every event and the rules after it never apply"
            )


def _shadowing(config: Config) -> Iterable[Finding]:
    compiled = [_conditions(rule) for rule in config.rules]
    coverage = _Coverage(compiled)
    catch_alls = [i for i, conditions in enumerate(compiled) if not conditions]
    for j, later in enumerate(compiled):
        by_value = {field: [coverage.covering(field, value, j) for value in values] for field, values in later.items()}
        # Rules with a value covering every value of the field, for each field of rule j.
        covering_all = {field: _covering_all(found, j) for field, found in by_value.items()}
        # Only a catch-all or a rule covering some field can shadow rule j.
        candidates = sorted({i for i in catch_alls if i < j}.union(*covering_all.values()))
        shadow = next((i for i in candidates if all(f in later and i in covering_all[f] for f in compiled[i])), None)
        if shadow is not None:
            yield Finding(f"rules[{j}]", f"can never match: rules[{shadow}] catches everything it catches")
        else:
            yield from _dead_values(compiled, j, by_value)


def _covering_all(found: list[dict[int, str]], j: int) -> set[int]:
    """Rules covering each of a field's values (every earlier rule when the list is empty)."""
    if not found:
        return set(range(j))
    rules = set(found[0])
    for covering in found[1:]:
        rules &= covering.keys()
    return rules


def _dead_values(
    compiled: list[dict[str, list[str]]], j: int, by_value: dict[str, list[dict[int, str]]]
) -> Iterable[Finding]:
    """Values of rule j that an earlier single-condition rule on the same field always takes."""
    for field, values in compiled[j].items():
        for value, covering in zip(values, by_value[field], strict=True):
            single = [i for i in covering if list(compiled[i]) == [field]]
            if single:
                i = min(single)
                yield Finding(
                    f"rules[{j}].{field}",
                    f"{value!r} never decides: rules[{i}] ({covering[i]!r}) takes every such event first",
                )


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


def _comma_lists(config: Config) -> Iterable[Finding]:
    """``title: acme, initech`` is YAML for one string, so one keyword that needs the whole
    text; ``title: ["Doe, Jane"]`` says so on purpose. The list suggested is written as YAML
    reads it back (``'1:1'`` quoted, as any YAML reader needs)."""
    for i, rule in enumerate(config.rules):
        for field in TEXT_FIELDS:
            for keyword in getattr(rule, field) or ():
                parts = [part.strip() for part in keyword.split(",")]
                if rule.written_as_text(field) and not is_regex(keyword) and len(parts) > 1 and all(parts):
                    listed = yaml.safe_dump(parts, default_flow_style=True, width=math.inf, allow_unicode=True)
                    yield Finding(
                        f"rules[{i}].{field}",
                        f"{keyword!r} is one keyword, found only where that whole text appears; "
                        f"for several keywords write {listed.strip()}",
                    )


def _shared_keywords(config: Config) -> Iterable[Finding]:
    owners: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for i, rule in enumerate(config.rules):
        outcome = "ignore" if rule.ignore else str(rule.category)
        for field in TEXT_FIELDS:
            for keyword in getattr(rule, field) or ():
                owners[(field, fold(keyword))].setdefault(outcome, i)
    for (field, keyword), by_outcome in owners.items():
        if len(by_outcome) > 1:
            places = ", ".join(f"{outcome} (rules[{i}])" for outcome, i in by_outcome.items())
            yield Finding(f"{field} {keyword!r}", f"appears in rules of several outcomes: {places}")


def _placeholders(config: Config) -> Iterable[Finding]:
    for k, address in enumerate(config.owner):
        if address == TEMPLATE_OWNER:
            yield Finding(f"owner[{k}]", f"{address!r} is still the template's placeholder: set your own address")
    for k, domain in enumerate(config.internal_domains):
        if domain == TEMPLATE_DOMAIN:
            yield Finding(
                f"internal_domains[{k}]",
                f"{domain!r} is still the template's placeholder: set your company's domain",
            )


def lint(config: Config, own_file: bool = True) -> list[Finding]:
    """``own_file``: the user's rules, not the bundled demo ones (whose placeholders are meant)."""
    return [
        *(_placeholders(config) if own_file else ()),
        *_catch_alls(config),
        *_shadowing(config),
        *_unused_categories(config),
        *_regex_lookalikes(config),
        *_comma_lists(config),
        *_shared_keywords(config),
    ]


@dataclass(frozen=True)
class Usage:
    hits: list[int]
    """Occurrences each rule decided, by rule index."""
    unmatched: list[Finding]
    """Keywords that matched no occurrence of the period at all, internal domains that
    match no attendee, and an owner who appears in no event with attendees."""


def usage(config: Config, occurrences: Sequence[Occurrence]) -> Usage:
    hits = [0] * len(config.rules)
    for o in occurrences:
        if o.match is not None:
            hits[o.match.index] += 1
    unmatched = []
    for i, rule in enumerate(config.rules):
        for field in TEXT_FIELDS:
            keywords = getattr(rule, field) or ()
            silent = [
                keyword
                for k, keyword in enumerate(keywords)
                if not _found(f"rules[{i}].{field}[{k}]", keyword, field, occurrences)
            ]
            if silent:
                unmatched.append(Finding(f"rules[{i}].{field}", "matched nothing: " + ", ".join(map(repr, silent))))
    return Usage(hits, [*_people(config, occurrences), *unmatched])


def _found(where: str, keyword: str, field: str, occurrences: Sequence[Occurrence]) -> bool:
    """Whether ``keyword`` matches ``field`` of any occurrence, whichever rule decided it."""
    pattern = keyword_pattern(keyword)
    for o in occurrences:
        try:
            if pattern.search(getattr(o.event, field)):
                return True
        except TimeoutError:
            raise runaway(where, keyword, field, o.event) from None
    return False


def _people(config: Config, occurrences: Sequence[Occurrence]) -> Iterable[Finding]:
    """Owner and internal_domains checked against the period's attendees (when any event
    has attendees: a calendar without them cannot tell)."""
    meetings = [o.event for o in occurrences if o.event.attendees]
    addresses = {fold(a.email) for e in meetings for a in e.attendees if not a.is_resource}
    addresses |= {fold(e.organizer) for e in meetings if e.organizer}
    if not addresses:
        return
    if config.owner and not addresses.intersection(config.owner):
        yield Finding(
            "owner",
            f"{', '.join(config.owner)} appears in none of the period's {len(meetings)} events with attendees, "
            "so declined meetings are counted: set the address your invitations go to",
        )
    domains = {address.rpartition("@")[2] for address in addresses}
    for k, domain in enumerate(config.internal_domains):
        if domain not in domains:
            yield Finding(
                f"internal_domains[{k}]",
                f"{domain!r} matches no attendee of the period, so colleagues count as external: check the domain",
            )
