"""Each lint finding of `calaudit rules check`."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calaudit import config as config_module
from calaudit.rules import keyword_pattern
from calaudit.rules_lint import lint, usage
from tests.helpers import audit_fixture, fixture_rules

BASE = """\
version: 1
internal_domains: [weave.example]
allocation:
  external:
    label: External
    categories: {sales: {label: Sales, target: 50}, partners: {label: Partners, target: 10}}
  internal:
    label: Internal
    categories: {ops: {label: Ops, target: 40}}
"""


def findings(rules: str) -> list[str]:
    config = config_module.parse((BASE + "rules:\n" + rules).encode(), "t").config
    return [str(f) for f in lint(config) if "no rule assigns" not in str(f) and "placeholder" not in str(f)]


def test_identical_rule_later_can_never_match():
    assert findings("  - {category: sales, title: [call]}\n  - {category: ops, title: [call]}\n") == [
        "rules[1]: can never match: rules[0] catches everything it catches",
        "title 'call': appears in rules of several outcomes: sales (rules[0]), ops (rules[1])",
    ]


def test_narrower_rule_after_a_broader_one_can_never_match():
    # rules[1] needs "call" AND an acme attendee; rules[0] takes every "call" already.
    found = findings(
        "  - {category: sales, title: [call, demo]}\n  - {category: ops, title: [call], attendees: [acme.example]}\n"
    )
    assert found[0] == "rules[1]: can never match: rules[0] catches everything it catches"


def test_broader_rule_after_a_narrower_one_is_fine():
    assert (
        findings(
            "  - {category: sales, title: [call], attendees: [acme.example]}\n  - {category: ops, title: [review]}\n"
        )
        == []
    )


def test_keyword_contained_in_an_earlier_keyword_never_decides():
    assert findings(
        "  - {category: sales, title: [customer]}\n  - {category: ops, title: [customer success, incident]}\n"
    ) == ["rules[1].title: 'customer success' never decides: rules[0] ('customer') takes every such event first"]


def test_domain_covers_addresses_at_it():
    found = findings(
        "  - {category: partners, attendees: [acme.example]}\n"
        "  - {category: sales, attendees: [pat@acme.example, bo@other.example]}\n"
    )
    assert found == [
        "rules[1].attendees: 'pat@acme.example' never decides: rules[0] ('acme.example') takes every such event first"
    ]


def test_categories_without_rules():
    config = config_module.parse((BASE + "rules:\n  - {category: sales, title: [call]}\n").encode(), "t").config
    assert [str(f) for f in lint(config)][1:] == [
        "allocation.external.categories.partners: no rule assigns this category",
        "allocation.internal.categories.ops: no rule assigns this category",
    ]


def test_keywords_that_look_like_regular_expressions():
    found = findings("  - {category: sales, title: ['\\bcall\\b', 'demo.*', acme|globex, c++, '1:1']}\n")
    assert [f.split(": ", 1)[1].split(" looks")[0] for f in found] == [
        "'\\\\bcall\\\\b'",
        "'demo.*'",
        "'acme|globex'",
    ]


def test_rule_hits_and_keywords_that_matched_nothing():
    # tests/data/rules.yaml on recurrence.ics: 4 standups (one cancelled, still decided
    # by no rule), 2 x 1:1, 1 customer call; "interview", "incident" and "lunch" unused.
    loaded = fixture_rules()
    used = usage(loaded.config, audit_fixture("recurrence.ics").occurrences)
    assert used.hits == [0, 1, 2, 3, 0]
    assert [str(f) for f in used.unmatched] == [
        "rules[0].title: matched nothing: 'interview'",
        "rules[3].title: matched nothing: 'incident'",
        "rules[4].title: matched nothing: 'lunch'",
    ]


def test_the_repository_rules_are_lint_clean_but_for_the_placeholders():
    from pathlib import Path

    loaded = config_module.load(Path(__file__).resolve().parents[1] / "rules.yaml")
    assert [str(f).split(":")[0] for f in lint(loaded.config)] == ["owner[0]", "internal_domains[0]"]


def test_a_catch_all_rule_before_others():
    found = findings("  - {category: sales}\n  - {category: ops, title: [standup]}\n")
    assert found[0] == "rules[0]: has no condition, so it matches every event and the rules after it never apply"
    assert "rules[1]: can never match: rules[0] catches everything it catches" in found


def test_coverage_follows_word_boundaries_case_and_normalisation():
    found = findings(
        "  - {category: sales, title: [Customer, caf\u00e9, '1:1', /^acme/]}\n"
        "  - {category: ops, title: [CUSTOMER-success, cafe\u0301 chat, 1:1 ana, customers, /^ACME/, 11:15 sync]}\n"
    )
    assert found == [
        "rules[1].title: 'CUSTOMER-success' never decides: rules[0] ('Customer') takes every such event first",
        "rules[1].title: 'cafe\u0301 chat' never decides: rules[0] ('caf\u00e9') takes every such event first",
        "rules[1].title: '1:1 ana' never decides: rules[0] ('1:1') takes every such event first",
        "rules[1].title: '/^ACME/' never decides: rules[0] ('/^acme/') takes every such event first",
        "title '/^acme/': appears in rules of several outcomes: sales (rules[0]), ops (rules[1])",
    ]


def test_the_first_covering_value_of_the_earlier_rule_is_named():
    found = findings("  - {category: sales, title: [weekly, sync]}\n  - {category: ops, title: [weekly sync, x]}\n")
    assert found == ["rules[1].title: 'weekly sync' never decides: rules[0] ('weekly') takes every such event first"]


_WORDS = st.text(alphabet="ab -:_\u00e9", min_size=1, max_size=8).filter(lambda k: k.strip() != "")


@given(earlier=_WORDS, later=_WORDS)
def test_a_keyword_covers_another_exactly_when_it_is_found_in_its_text(earlier, later):
    # The definition lint used to run pair by pair: the earlier keyword's pattern finds
    # the later keyword's own text. The index must agree with it on every pair.
    found = findings(f"  - {{category: sales, title: [{earlier!r}]}}\n  - {{category: ops, title: [{later!r}]}}\n")
    shadowed = "rules[1]: can never match: rules[0] catches everything it catches" in found
    assert shadowed == keyword_pattern(earlier).search(later)


def test_the_template_s_placeholder_owner_and_domain_are_flagged():
    config = config_module.parse(
        (BASE + "owner: [me@acme.example, cto@weave.example]\nrules: []\n").encode(), "t"
    ).config
    assert [str(f) for f in lint(config) if "placeholder" in str(f)] == [
        "owner[1]: 'cto@weave.example' is still the template's placeholder: set your own address",
        "internal_domains[0]: 'weave.example' is still the template's placeholder: set your company's domain",
    ]


def test_the_placeholders_are_the_template_s_values():
    from calaudit import pipeline
    from calaudit.rules_lint import TEMPLATE_DOMAIN, TEMPLATE_OWNER

    for profile in ("startup", "enterprise"):
        config = config_module.parse(pipeline.template(profile).encode(), "t").config
        assert (config.owner, config.internal_domains) == ([TEMPLATE_OWNER], [TEMPLATE_DOMAIN])


def _usage_with(owner: list[str], domains: list[str]) -> list[str]:
    from calaudit.audit import audit
    from calaudit.config import LoadedConfig
    from calaudit.period import parse_period
    from tests.helpers import NOW, fetch

    loaded = fixture_rules()
    config = loaded.config.model_copy(update={"owner": owner, "internal_domains": domains})
    fetched = fetch("audience.ics", loaded=LoadedConfig(config, loaded.path, loaded.digest))
    result = audit(fetched.events, config, parse_period("2026-03", loaded.zone, NOW), fetched.invalid)
    return [str(f) for f in usage(config, result.occurrences).unmatched if "matched nothing" not in str(f)]


def test_owner_and_internal_domains_found_among_the_attendees_give_no_finding():
    assert _usage_with(["cto@weave.example"], ["weave.example"]) == []


def test_a_mistyped_owner_and_domain_are_named_with_the_period_s_evidence():
    # audience.ics: 5 events with attendees (colleagues at weave.example, pat@acme.example).
    assert _usage_with(["cto@wevae.example"], ["weave.example", "wevae.example"]) == [
        "owner: cto@wevae.example appears in none of the period's 5 events with attendees, so declined "
        "meetings are counted: set the address your invitations go to",
        "internal_domains[1]: 'wevae.example' matches no attendee of the period, so colleagues count as "
        "external: check the domain",
    ]


def test_a_runaway_regex_met_only_by_the_usage_check_is_named(tmp_path):
    # The audit never reaches rules[2] for this title (rules[0] "customer" decides it
    # first), but the usage check searches every keyword in every title.
    import subprocess
    import sys

    from tests.helpers import DATA

    ics = tmp_path / "one.ics"
    title = "Customer x " + "a" * 300
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:u@test\r\n"
        "DTSTAMP:20260301T000000Z\r\nDTSTART:20260302T150000Z\r\nDTEND:20260302T153000Z\r\n"
        f"SUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    rules = DATA / "bad" / "runaway-regex.yaml"
    command = ["rules", "check", str(rules), "--ics", str(ics), "--period", "2026-03", "--no-cache"]
    done = subprocess.run(
        [sys.executable, "-m", "calaudit", *command], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        "calaudit: error: rules[2].title[0]: regular expression /(.*)(.*)(.*)(.*)\\4x/ searched the title of "
        "'Customer x aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"
    )


def test_a_comma_separated_list_written_without_brackets_is_one_keyword_and_is_named():
    # YAML reads `description: acme, initech` as the one string "acme, initech", which is
    # found only in a text holding both words with that comma between them.
    config = config_module.parse(
        (BASE + "rules:\n  - category: sales\n    description: acme, initech\n    title: [call]\n").encode(), "t"
    ).config
    assert config.rules[0].description == ["acme, initech"]
    assert [str(f) for f in lint(config) if "no rule assigns" not in str(f) and "placeholder" not in str(f)] == [
        "rules[0].description: 'acme, initech' is one keyword, found only where that whole text appears; "
        "for several keywords write [acme, initech]"
    ]


@pytest.mark.parametrize(
    "title",
    ["'/acme,\\s*initech/'", "'acme,'", "', call'", '["Doe, Jane 1:1"]', "[acme, initech]"],
    ids=["regex", "comma-at-the-end", "comma-at-the-start", "in-a-list-on-purpose", "a-real-list"],
)
def test_a_comma_in_a_regex_at_a_keyword_s_end_or_in_a_list_is_not_named(title):
    assert findings(f"  - {{category: sales, title: {title}}}\n") == []


def test_the_list_suggested_for_a_comma_text_is_yaml_that_reads_back_as_those_keywords():
    # Unquoted, 1:1 is YAML 1.1's base-60 number 61, and a{1 and 3}b are not plain scalars.
    found = findings("  - category: sales\n    title: 1:1, sync, a{1,3}b\n")
    assert found == [
        "rules[0].title: '1:1, sync, a{1,3}b' is one keyword, found only where that whole text appears; "
        "for several keywords write ['1:1', sync, 'a{1', '3}b']"
    ]
    suggested = found[0].rpartition("write ")[2]
    assert config_module.parse(
        (BASE + f"rules:\n  - {{category: sales, title: {suggested}}}\n").encode(), "t"
    ).config.rules[0].title == ["1:1", "sync", "a{1", "3}b"]


def test_a_keyword_of_thousands_of_words_is_checked_like_a_short_one():
    # A list of 3,000 names written without brackets is one keyword holding "keyword17,":
    # rules[0] catches every event it would. Enumerating every word-bounded stretch of it
    # (4.5 million) took gigabytes; only stretches as long as a keyword there is are looked up.
    names = ", ".join(f"keyword{n}" for n in range(3000))
    found = findings(f"  - {{category: sales, title: [keyword17]}}\n  - {{category: ops, title: '{names}'}}\n")
    assert found[0] == "rules[1]: can never match: rules[0] catches everything it catches"
    assert found[1].startswith("rules[1].title: 'keyword0, keyword1, keyword2, ")
    assert len(found) == 2
