"""rules.yaml validation: behaviour that mutation testing found unpinned (issue 14).

Error lines are part of the contract, so they are compared in full; line numbers are
counted by hand in VALID (18 lines, the title regex on line 16).
"""

from __future__ import annotations

import pytest

from tests.test_config import VALID, error, parse

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
        "which can take exponential time on some titles; simplify it"
    )


@pytest.mark.parametrize("keyword", ["/(?:a++)+/", "/(?:\\w*+,)*/"])
def test_a_possessive_repetition_inside_a_repetition_is_accepted(keyword):
    # A possessive repeat never gives back what it took, so the outer one cannot backtrack into it.
    assert parse(VALID.replace(TITLE_REGEX, f"'{keyword}'")).config.rules[0].title == ["customer", keyword]
