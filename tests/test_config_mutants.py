"""rules.yaml validation: behaviour that mutation testing found unpinned (issue 14).

Error lines are part of the contract, so they are compared in full; line numbers are
counted by hand in VALID (18 lines, the title regex on line 16).
"""

from __future__ import annotations

import pytest

from calaudit import config as config_module
from calaudit.errors import ConfigError
from tests.test_config import VALID, error, load_in_1_gb, parse

TITLE_REGEX = '"/^acme\\\\b/"'


def test_the_reserved_category_id_is_named_by_its_line_and_key_path():
    text = VALID.replace("sales:", "unclassified:").replace("category: sales", "category: unclassified")
    assert error(text) == (
        "rules.yaml:9: allocation.external.categories.unclassified: "
        "'unclassified' is reserved for time no rule matched; pick another id"
    )


def test_a_repetition_inside_a_repetition_is_refused():
    assert error(VALID.replace(TITLE_REGEX, "'/(?:a+)+/'")) == (
        "rules.yaml:16: rules[0].title[1]: regular expression /(?:a+)+/ repeats a repetition (like '(a+)+'), "
        "which can take exponential time on some texts; simplify it"
    )


@pytest.mark.parametrize("keyword", ["/(?:a++)+/", "/(?:\\w*+,)*/"])
def test_a_possessive_repetition_inside_a_repetition_is_accepted(keyword):
    # A possessive repeat never gives back what it took, so the outer one cannot backtrack into it.
    assert parse(VALID.replace(TITLE_REGEX, f"'{keyword}'")).config.rules[0].title == ["customer", keyword]


def with_title_regex(keyword: str) -> str:
    return VALID.replace(TITLE_REGEX, f"'{keyword}'")


@pytest.mark.parametrize(
    "keyword",
    [
        "/(?:a{1000}){100}/",  # 100 x 1000: exactly the 100,000-step limit
        "/(?:(?:a?){1000}){100}/",  # an optional item is one step, not two
        "/(?:\\w+ )?review/",  # an optional group repeats nothing: at most once
        "/\\p{Lu}\\w+/",  # syntax only the regex engine knows: nothing to walk, nothing refused
    ],
    ids=["at-the-step-limit", "optional-item", "optional-group", "regex-only-syntax"],
)
def test_regular_expressions_within_the_limits_are_accepted(keyword):
    assert parse(with_title_regex(keyword)).config.rules[0].title == ["customer", keyword]


@pytest.mark.parametrize(
    "keyword",
    [
        "/b(?:a{1000}){100}/",  # 1 + 100 x 1000
        "/(?:a{1000}x){100}/",  # 100 x (1000 + 1)
        "/(?:a{1,1000}){101}/",  # 101 x 1000: a range counts its upper bound
        "/(?:a{1000}|bc){100}/",  # 100 x (1000 + 2): alternatives add up
        "/(?:a{1000}){101}+/",  # 101 x 1000: a possessive count expands like any other
    ],
    ids=["before-a-count", "after-a-count", "range", "alternatives", "possessive"],
)
def test_regular_expressions_past_the_step_limit_are_refused(keyword):
    assert error(with_title_regex(keyword)) == (
        f"rules.yaml:16: rules[0].title[1]: regular expression {keyword} expands to over 100,000 steps "
        "(nested counts multiply); use smaller counts"
    )


@pytest.mark.parametrize(
    "keyword",
    [
        "/(?:a+?)+/",  # a lazy repetition repeated
        "/(?:x+|yz)+/",  # a repetition in one alternative of a repetition
        "/(?:a+)+b+/",  # a later, harmless repetition does not clear the first
        "/(?:\\w+\\s){2}/",  # a count of two repeats what it holds
    ],
    ids=["lazy", "alternative", "followed-by-repetition", "count-of-two"],
)
def test_repetitions_inside_repetitions_are_refused(keyword):
    assert error(with_title_regex(keyword)) == (
        f"rules.yaml:16: rules[0].title[1]: regular expression {keyword} repeats a repetition (like '(a+)+'), "
        "which can take exponential time on some texts; simplify it"
    )


def test_a_mailto_prefix_is_not_part_of_the_address():
    assert parse(VALID.replace("CTO@Weave.Example", "MailTo:CTO@Weave.Example")).config.owner == ["cto@weave.example"]


def test_an_unknown_rule_category_lists_the_known_ones():
    assert error(VALID.replace("  - category: sales", "  - category: salse")) == (
        "rules.yaml:15: rules[0].category: unknown category 'salse'; known: sales, ops"
    )


def test_an_unknown_example_category_lists_the_outcomes():
    text = VALID + "examples:\n  - {title: Acme call, category: slaes}\n"
    assert error(text) == (
        "rules.yaml:20: examples[0].category: unknown category 'slaes'; use one of sales, ops, ignore, unclassified"
    )


def test_a_rules_path_that_cannot_be_read_says_why(tmp_path):
    with pytest.raises(ConfigError) as info:
        config_module.load(tmp_path)
    assert str(info.value) == f"{tmp_path}: cannot read rules file: Is a directory"


def test_a_huge_rules_file_is_read_no_further_than_the_limit(tmp_path):
    # 64 GB of sparse zeros: reading it whole would need 64 GB of memory (run capped at 1 GB).
    path = tmp_path / "rules.yaml"
    with path.open("wb") as file:
        file.truncate(64 * 2**30)
    done = load_in_1_gb(path)
    assert done.stdout == (
        f"{path}: larger than the 1 MB limit for a rules file (1,048,576 bytes); is this the right file?\n"
    ), done.stderr


@pytest.mark.parametrize(
    ("loc", "expected"),
    [(("rules", 3, "title", 0), "rules[3].title[0]"), (("allocation",), "allocation"), ((), "(top level)")],
)
def test_key_paths_are_written_as_in_the_file(loc, expected):
    assert config_module.key_path(loc) == expected


@pytest.mark.parametrize("blank", ["''", "'   '"])
def test_an_empty_keyword_is_named_by_its_line_and_key_path(blank):
    assert error(VALID.replace(TITLE_REGEX, blank)) == "rules.yaml:16: rules[0].title[1]: empty keyword"


def test_values_are_counted_as_the_mapping_its_keys_the_list_and_its_items():
    # {"a": [1, 2]}: the mapping, its key, the list, and 1 and 2: five values, not more.
    data = {"a": [1, 2]}
    assert (config_module._more_values_than(data, 5), config_module._more_values_than(data, 4)) == (False, True)


@pytest.mark.parametrize(("char", "code"), [("\x07", "0007"), ("\ufffe", "FFFE")])
def test_a_character_yaml_does_not_allow_is_one_line_naming_its_line(char, code):
    # PyYAML said: unacceptable character #x0007: ... not allowed\n  in "<unicode string>", position 371
    line = next(n for n, text in enumerate(VALID.splitlines(), 1) if "title: lunch" in text)
    assert error(VALID.replace("title: lunch", f"title: lu{char}nch")) == (
        f"rules.yaml:{line}: invalid YAML: character U+{code} is not allowed in YAML; remove it"
    )
