"""Help for the unclassified remainder: group it, and propose keywords for new rules.

Titles are normalised so that recurring variants fall into one group: numbers become
``#``, what follows the first colon is folded (``Interview: Ana`` and ``Interview: Bo``,
``1:1 Ana`` and ``1:1 Bo``), and names after *with* are folded (``Coffee with Sam``).
A keyword is proposed when it is frequent in unclassified time and rare in classified
titles; the category hint is the category whose classified meetings share the most
context (title words, attendee domains) with the group.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import regex

from .audit import AuditResult, Occurrence
from .models import NO_TITLE
from .rules import UNCLASSIFIED, keyword_pattern

FOLD = "…"
STOPWORDS = frozenset(
    """a an and at by for from in into of on or re fw fwd the to w with via vs x our my your
    weekly daily monthly quarterly meeting meet sync call chat session""".split()
)
_NAME_AFTER = regex.compile(r"(?<!\w)(with|w/|and|&|\+|1:1)\s+(\p{Lu}[\w'.-]*)(\s+\p{Lu}[\w'.-]*)?")
"""A name (capitalised, in any script that has capitals) after *with*, *&* or *1:1*."""
_DETAILS = re.compile(r"(?<!\d):|:(?!\d)")
"""The colon before a title's details ("Interview: SRE"), not one between digits (10:30, 1:1)."""
_NUMBER = re.compile(r"(?<![\d:])1:1(?!\d|:\d)|\d+")
_WORD = re.compile(r"[^\W\d_][\w'+-]*(?:[^\W_]|\+)|[^\W\d_]|1:1")
"""Words of letters of any script (café, straße, Łódź), and 1:1."""


def normalise(title: str) -> str:
    """The key titles are grouped by: details after a colon, names after *with* (or *and*,
    *&*, *1:1*) and numbers folded, but 1:1 kept, as the keyword it is."""
    text = title.strip()
    if details := _DETAILS.search(text):
        text = text[: details.end()] + f" {FOLD}"
    text = _NAME_AFTER.sub(lambda m: f"{m.group(1)} {FOLD}", text)
    text = _NUMBER.sub(lambda m: m.group() if m.group() == "1:1" else "#", text)
    return " ".join(text.lower().split())


MIN_WORD = 3


def words(key: str) -> list[str]:
    """Candidate keywords of a normalised title: its words, without stopwords."""
    return [w for w in _WORD.findall(key) if w not in STOPWORDS and "#" not in w and len(w) >= MIN_WORD]


def _candidates(key: str) -> list[str]:
    found = words(key)
    return found + [f"{a} {b}" for a, b in pairwise(found)]


@dataclass(frozen=True)
class KeywordScore:
    keyword: str
    score: float
    unclassified_hours: float
    classified_share: float
    """Fraction of classified occurrences whose title contains the keyword."""


@dataclass(frozen=True)
class TitleGroup:
    key: str
    example: str
    """The most frequent original title of the group."""
    hours: float
    events: int
    keywords: tuple[str, ...]
    hint: str | None
    """A category id whose rules see similar meetings, or None."""


@dataclass(frozen=True)
class Suggestions:
    groups: tuple[TitleGroup, ...]
    keywords: tuple[KeywordScore, ...]
    """Every candidate keyword, best first."""


def _context(o: Occurrence) -> set[str]:
    """Title words, and the people and domains present: what two meetings can share."""
    people = {a.email for a in o.event.attendees if not a.is_resource}
    if o.event.organizer:
        people.add(o.event.organizer)
    domains = {f"@{address.rpartition('@')[2]}" for address in people}
    return set(words(normalise(o.event.title))) | people | domains


def suggest(result: AuditResult, per_group: int = 2) -> Suggestions:
    unclassified = [o for o in result.occurrences if o.category == UNCLASSIFIED]
    classified = [o for o in result.occurrences if o.category not in (None, UNCLASSIFIED)]
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for o in unclassified:
        by_key[normalise(o.event.title)].append(o)
    # NO_TITLE is what calaudit calls an untitled event: no keyword of it matches one
    candidates = {key: set(_candidates(key)) if key != NO_TITLE else set() for key in by_key}
    group_hours = {key: sum(o.hours for o in members) for key, members in by_key.items()}

    keyword_hours: dict[str, float] = defaultdict(float)
    for key, found in candidates.items():
        for candidate in found:
            keyword_hours[candidate] += group_hours[key]
    scores = {k: _score(k, h, classified) for k, h in keyword_hours.items()}
    ranked = sorted(scores.values(), key=lambda s: (-s.score, s.keyword))

    hint = _Hinter(classified)
    groups = []
    for key, members in by_key.items():
        useful = [scores[c] for c in candidates[key] if scores[c].score > 0]
        best = sorted(useful, key=lambda s: (-s.score, len(s.keyword), s.keyword))[:per_group]
        example = Counter(o.event.title for o in members).most_common(1)[0][0]
        groups.append(
            TitleGroup(
                key=key,
                example=example,
                hours=group_hours[key],
                events=len(members),
                keywords=tuple(s.keyword for s in best),
                hint=hint(members),
            )
        )
    groups.sort(key=lambda g: (-g.hours, g.key))
    return Suggestions(tuple(groups), tuple(ranked))


def _score(keyword: str, hours: float, classified: Sequence[Occurrence]) -> KeywordScore:
    pattern = keyword_pattern(keyword)
    share = sum(1 for o in classified if pattern.search(o.event.title)) / len(classified) if classified else 0.0
    # Two-word phrases are more specific than single words, so they win a tie.
    weight = 1.1 if " " in keyword else 1.0
    return KeywordScore(keyword, hours * (1.0 - share) * weight, hours, share)


class _Hinter:
    """Votes for a category by classified hours sharing context, each shared item
    weighted by its rarity; the contexts of classified meetings are computed once."""

    def __init__(self, classified: Sequence[Occurrence]) -> None:
        self.classified = classified
        self.contexts = [_context(o) for o in classified]
        self.frequency = Counter(item for context in self.contexts for item in context)

    def __call__(self, members: Sequence[Occurrence]) -> str | None:
        context = set().union(*(_context(o) for o in members))
        votes: dict[str, float] = defaultdict(float)
        for o, other in zip(self.classified, self.contexts, strict=True):
            for item in context & other:
                # Items in most meetings (your own address and domain) carry no signal.
                rarity = math.log(len(self.classified) / (2 * self.frequency[item]))
                votes[str(o.category)] += o.hours * max(0.0, rarity)
        best = max(votes.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        return best[0] if best and best[1] > 0 else None
