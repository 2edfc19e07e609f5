"""The rule engine: behaviour that mutation testing found unpinned (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from calaudit import config as config_module
from calaudit.errors import ConfigError
from calaudit.models import Attendee, Event
from calaudit.rules import RuleSet

T = datetime(2026, 3, 2, 10, tzinfo=UTC)

BASE = """\
version: 1
owner: [cto@weave.example]
internal_domains: [weave.example]
allocation:
  external:
    categories: {sales: {target: 50}}
  internal:
    categories: {ops: {target: 50}}
"""

# Passes every load-time check, and backtracks without end on a long text starting with "x".
RUNAWAY = r"/(.*)(.*)(.*)(.*)\4x/"
LONG_TEXT = "x " + "a" * 300
ADVICE = "for over 0.25 s and was stopped; simplify it (avoid repeating a repetition, such as '(.*)*' or '(a|aa)*')"


def ruleset(rules_yaml: str) -> RuleSet:
    return RuleSet(config_module.parse((BASE + rules_yaml).encode(), "rules.yaml").config)


def event(title: str = "", **kw) -> Event:
    return Event(uid="", title=title, start=T, end=T, calendar="work", **kw)


def runaway_message(rules: RuleSet, e: Event) -> str:
    with pytest.raises(ConfigError) as raised:
        rules.classify(e)
    return str(raised.value)


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Weekly sync", "Weekly sync"),
        ("t" * 60, "t" * 60),  # 60 characters are named whole
        ("t" * 61, "t" * 57 + "..."),  # a longer title: 57 characters and "...", 60 in all
    ],
    ids=["short", "60-characters", "61-characters"],
)
def test_a_runaway_regular_expression_names_the_title_whole_up_to_60_characters(title, shown):
    # The regex runs away on the description; the event is still named by its title.
    rules = ruleset(f"rules:\n  - category: ops\n    description: ['{RUNAWAY}']\n")
    assert runaway_message(rules, event(title, description=LONG_TEXT)) == (
        f"rules[0].description[0]: regular expression {RUNAWAY} searched the description of {shown!r} "
        f"(2026-03-02 10:00) {ADVICE}"
    )


def test_a_runaway_regular_expression_is_named_by_its_first_60_characters():
    keyword = r"/(.*)(.*)(.*)(.*)\4x|an alternative that makes the keyword longer/"
    assert len(keyword) == 66  # the first 60: the 21 of the runaway part and "|an alternative that makes the keyword l"
    rules = ruleset(f"rules:\n  - category: ops\n    title: ['{keyword}']\n")
    assert runaway_message(rules, event(LONG_TEXT)) == (
        "rules[0].title[0]: regular expression /(.*)(.*)(.*)(.*)\\4x|an alternative that makes the keyword l "
        f"searched the title of {LONG_TEXT[:57] + '...'!r} (2026-03-02 10:00) {ADVICE}"
    )


# RFC 5321 allows "@" inside a quoted local part: the domain is what follows the last "@".
QUOTED_EXTERNAL = '"ana@weave.example"@acme.example'
QUOTED_INTERNAL = '"ops@acme.example"@weave.example'


def test_a_domain_pattern_matches_the_domain_after_the_last_at_sign():
    rules = ruleset("rules:\n  - category: sales\n    attendees: [acme.example]\n")
    assert rules.classify(event(attendees=(Attendee(QUOTED_EXTERNAL),))) is not None
    assert rules.classify(event(attendees=(Attendee(QUOTED_INTERNAL),))) is None


def test_the_audience_reads_the_domain_after_the_last_at_sign():
    rules = ruleset("rules:\n  - category: ops\n    title: [sync]\n")
    assert rules.audience(event(attendees=(Attendee(QUOTED_INTERNAL),))) == "internal"
    assert rules.audience(event(attendees=(Attendee(QUOTED_EXTERNAL),))) == "external"
