"""rules.yaml validation: every problem is one line naming file, line and key path."""

import os
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfoNotFoundError

import pytest
import tzlocal

from calaudit import config as config_module
from calaudit import pipeline
from calaudit.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]

VALID = """\
version: 1
timezone: Europe/Berlin
owner: CTO@Weave.Example
internal_domains: [weave.example]
allocation:
  external:
    label: External
    categories:
      sales: {label: Sales, target: 40}
  internal:
    label: Internal
    categories:
      ops: {label: Ops, target: 60}
rules:
  - category: sales
    title: [customer, "/^acme\\\\b/"]
  - ignore: true
    title: lunch
"""


def parse(text: str):
    return config_module.parse(text.encode(), "rules.yaml")


def error(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse(text)
    return str(info.value)


def test_valid_configuration_with_defaults():
    config = parse(VALID).config
    assert config.owner == ["cto@weave.example"]
    assert config.rules[1].title == ["lunch"]
    assert config.accounting.overlap == "split"
    assert config.accounting.tolerance == 5
    assert config.accounting.declined == "skip"
    assert list(config.categories()) == ["sales", "ops"]


def test_the_repository_rules_yaml_is_the_startup_template_and_valid():
    text = (REPO / "rules.yaml").read_text()
    assert text == pipeline.template("startup")
    loaded = config_module.load(REPO / "rules.yaml")
    targets = {cid: cat.target for cid, (_, cat) in loaded.config.categories().items()}
    assert targets == {
        "marketing": 10,
        "recruiting": 10,
        "sales": 5,
        "partners": 5,
        "culture": 25,
        "operations": 20,
        "architecture": 15,
        "departments": 10,
    }


def test_enterprise_profile_is_seventy_thirty():
    config = config_module.parse(pipeline.template("enterprise").encode(), "t").config
    external = sum(c.target for c in config.allocation.external.categories.values())
    assert external == 70


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    title: lunch", "    titel: lunch"), "rules.yaml:18: rules[1].titel: unknown key 'titel'"),
        (
            ("  - category: sales", "  - category: salse"),
            "rules.yaml:15: rules[0].category: unknown category 'salse'",
        ),
        (("target: 60", "target: 59"), "rules.yaml:5: allocation: category targets add up to 99"),
        (
            ('"/^acme\\\\b/"', '"/(unclosed/"'),
            "rules[0].title[1]: regular expression /(unclosed/ does not compile",
        ),
        (("Europe/Berlin", "Europe/Atlantis"), "rules.yaml:2: timezone: unknown time zone 'Europe/Atlantis'"),
        (("version: 1", "version: 2"), "rules.yaml:1: version:"),
        (("target: 60", "target: lots"), "allocation.internal.categories.ops.target:"),
        (("  - ignore: true\n", "  - ignore: true\n    category: ops\n"), "rules[1]: a rule needs either"),
        (("    title: lunch", "    audience: everyone"), "rules[1].audience:"),
        (("owner: CTO@Weave.Example", "owner: [not an address]"), "owner[0]: 'not an address' is neither"),
    ],
)
def test_errors_name_the_line_and_key_path(change, expected):
    old, new = change
    assert old in VALID
    assert expected in error(VALID.replace(old, new, 1))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A missing key has no line of its own: the file alone.
        (("version: 1\n", ""), "rules.yaml: version: required key is missing"),
        # A choice not taken shows what was given ...
        (
            ("allocation:", "accounting: {multi_day: weekday}\nallocation:"),
            "rules.yaml:5: accounting.multi_day: Input should be 'workday' or 'full' (got 'weekday')",
        ),
        # ... a message of calaudit's own names it already.
        (
            ("Europe/Berlin", "Europe/Atlantis"),
            "rules.yaml:2: timezone: unknown time zone 'Europe/Atlantis'; use an IANA name such as America/New_York",
        ),
    ],
    ids=["missing-key", "invalid-choice", "own-message"],
)
def test_error_lines_in_full(change, expected):
    old, new = change
    assert old in VALID
    assert error(VALID.replace(old, new, 1)) == expected


@pytest.mark.parametrize(
    ("key", "wanted"),
    [
        ("title", "keywords in [brackets]"),
        ("description", "keywords in [brackets]"),
        ("location", "keywords in [brackets]"),
        ("calendar", "keywords in [brackets]"),
        ("organizer", "addresses or domains in [brackets]"),
        ("attendees", "addresses or domains in [brackets]"),
        ("audience", "external, internal or solo"),
    ],
)
def test_a_condition_left_empty_is_an_error_not_a_rule_that_matches_everything(key, wanted):
    # "description:" with nothing after it is YAML's null, which reads as no condition.
    text = VALID.replace("    title: lunch\n", f"    {key}:\n")
    assert error(text) == f"rules.yaml:18: rules[1].{key}: has no value: give {wanted}, or remove the key"


def test_a_rule_without_conditions_is_a_catch_all():
    config = parse(VALID.replace("    title: lunch\n", "")).config
    assert config.rules[1].catch_all and not config.rules[0].catch_all


def test_labels_are_optional_and_numbers_are_keywords():
    text = VALID.replace("{label: Sales, target: 40}", "{target: 40}").replace("    label: Internal\n", "")
    config = parse(text.replace("title: lunch", "title: [lunch, 2026]")).config
    assert config.allocation.external.categories["sales"].label == "sales"
    assert config.allocation.internal.label == "Internal"
    assert config.rules[1].title == ["lunch", "2026"]


@pytest.mark.parametrize("written", ["1:1", "010", "0x1F", "0o17", "1_000", "1.10", "1e3", "-.5", ".inf", "190:20:30"])
def test_unquoted_keywords_yaml_reads_as_numbers_stay_as_written(written):
    # YAML 1.1 reads 1:1 as 61 (base 60), 010 as 8, 0x1F as 31, 1.10 as 1.1: as keywords
    # those would match nothing the user wrote. Both parsers (C and Python) keep the text.
    config = parse(VALID.replace("title: lunch", f"title: [lunch, {written}]")).config
    assert config.rules[1].title == ["lunch", written]
    single = parse(VALID.replace("title: lunch", f"title: {written}")).config
    assert single.rules[1].title == [written]
    data, _ = config_module._read_yaml(f"k: [{written}]", config_module._PyLoader)
    assert [str(getattr(v, "text", v)) for v in data["k"]] == [written]


def test_keywords_given_as_plain_numbers_in_code_are_their_decimal_text():
    # A Rule built in Python (not read from YAML) has no written text to keep.
    rule = config_module.Rule(category="sales", title=[2026, 1.5], location=7)
    assert (rule.title, rule.location) == (["2026", "1.5"], ["7"])


def test_text_fields_keep_unquoted_numbers_as_written():
    # An example's title written like the rule's keyword, a numeric SMTP login.
    text = VALID.replace("    title: lunch\n", "    title: 1:1\nexamples:\n  - {title: 1:1, category: ignore}\n")
    config = parse(
        text
        + "email:\n  from: cto@weave.example\n  to: [a@weave.example]\n  smtp: {host: mail.weave.example, user: 1:1}\n"
    ).config
    assert (config.rules[1].title, config.examples[0].title) == (["1:1"], "1:1")
    # Optional text too: a numeric zone is a zone name, and refused as one
    assert error(VALID.replace("Europe/Berlin", "2026")).startswith("rules.yaml:2: timezone: unknown time zone '2026'")
    assert config.email is not None and config.email.smtp.user == "1:1"
    numbered = VALID.replace("      sales: {label", "      2026: {label").replace("category: sales", "category: 2026")
    assert list(parse(numbered).config.allocation.external.categories) == ["2026"]
    # as keys, 010 and 8 are two names (YAML 1.1 would read both as 8, one duplicate)
    two = VALID.replace("{label: Sales, target: 40}", "{target: 20}\n      8: {target: 20}").replace("sales", "010")
    assert list(parse(two).config.allocation.external.categories) == ["010", "8"]


@pytest.mark.parametrize("key", ["[a]", "{a: 1}", "[a, b]"])
def test_a_list_or_mapping_as_a_key_is_an_error_not_a_crash(key):
    # Python cannot hash them: this ended in "unexpected error: TypeError", exit 1.
    text = VALID.replace("      sales: {label: Sales, target: 40}", f"      ? {key}\n      : {{target: 40}}")
    assert error(text) == "rules.yaml:9: invalid YAML: a key must be a plain name, not a list or mapping"


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("yes", "YAML reads this as true (yes, no, on, off...); give a number"),
        ("off", "YAML reads this as false (yes, no, on, off...); give a number"),
        ("010", "YAML reads 010 as 8; write a plain decimal number (no leading 0, _, : or 0x)"),
        ("7:30", "YAML reads 7:30 as 450; write a plain decimal number (no leading 0, _, : or 0x)"),
        ("0x8", "YAML reads 0x8 as 8; write a plain decimal number (no leading 0, _, : or 0x)"),
        ("1_0", "YAML reads 1_0 as 10; write a plain decimal number (no leading 0, _, : or 0x)"),
        ("25", "Input should be less than or equal to 24 (got 25)"),
        (".inf", "give a finite number"),
        (".nan", "give a finite number"),
        ("'nan'", "Input should be a finite number (got 'nan')"),  # quoted: not YAML's, pydantic's
        ("~", "YAML reads ~, null or nothing as null; give a number"),  # "quote it" would not help
        ("2026-01-01", "YAML reads 2026-01-01 as a date; give a number"),
    ],
)
def test_number_fields_refuse_what_yaml_reads_as_another_number_or_a_boolean(written, problem):
    # workday_hours: yes was 1 h; tolerance: 010 was 8 points, 1:00 sixty: silently.
    text = VALID.replace("owner:", f"accounting: {{workday_hours: {written}}}\nowner:")
    assert error(text) == f"rules.yaml:3: accounting.workday_hours: {problem}"


@pytest.mark.parametrize("written", ["0", "7.5", "8", "+7", ".5", "7.", "1e1"])
def test_numbers_written_in_decimal_are_numbers(written):
    text = VALID.replace("owner:", f"accounting: {{tolerance: {written}}}\nowner:")
    assert parse(text).config.accounting.tolerance == float(written)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("title: lunch", "title: [standup, yes]", "18: rules[1].title[1]: Input should be a valid string; {bool_true}"),
        ("title: lunch", "title: off", "18: rules[1].title[0]: Input should be a valid string; {bool_false}"),
        ("title: lunch", "title: [standup,\n      Off, ~]",
         "19: rules[1].title[1]: Input should be a valid string; {bool_false}"),
        ("title: lunch", "title: [~, lunch]", "18: rules[1].title[0]: Input should be a valid string; {null}"),
        ("title: lunch", "title: [2026-03-01]", "18: rules[1].title[0]: Input should be a valid string; {date}"),
        ("{label: Sales, target: 40}", "{label: yes, target: 40}", "9: allocation.external.categories.sales.label: "
         "Input should be a valid string; {bool_true}"),
        ("owner:", "accounting: {all_day: no}\nowner:",
         "3: accounting.all_day: Input should be 'skip' or 'count'; {bool_false}"),
    ],
)  # fmt: skip
def test_scalars_yaml_reads_as_booleans_nulls_or_dates_say_to_quote_them_where_they_are(old, new, problem):
    hints = {
        "bool_true": "YAML reads an unquoted yes, no, on or off as true: quote it",
        "bool_false": "YAML reads an unquoted yes, no, on or off as false: quote it",
        "null": "YAML reads ~, null or nothing as null: quote it, or remove it",
        "date": "YAML reads 2026-03-01 as a date: quote it",
    }
    assert old in VALID
    assert error(VALID.replace(old, new)) == "rules.yaml:" + problem.format(**hints)


def test_duplicate_keys_are_an_error_not_silently_merged():
    assert "rules.yaml:3: invalid YAML: duplicate key 'timezone'" in error(
        VALID.replace("owner:", "timezone: UTC\nowner:", 1)
    )


def test_tabs_are_reported_with_their_line():
    assert error(VALID.replace("    title: lunch", "\ttitle: lunch")).startswith("rules.yaml:18: invalid YAML")


@pytest.mark.parametrize(
    ("keyword", "shown"),
    [("/" + "a" * 57 + "(/", "/" + "a" * 57 + "(/"), ("/" + "a" * 58 + "(/", "/" + "a" * 56 + "...")],
    ids=["60-whole", "61-cut-to-60"],
)
def test_a_long_regular_expression_is_cut_to_60_characters_in_its_error(keyword, shown):
    message = error(VALID.replace("title: lunch", f"title: ['{keyword}']"))
    assert message.startswith(f"rules.yaml:18: rules[1].title[0]: regular expression {shown} does not compile: ")


@pytest.mark.parametrize(
    ("keyword", "regex"),
    [("/ops/", True), ("//", True), ("/", False), ("w/", False), ("/w", False), ("1:1 w/", False), ("and/or", False)],
)
def test_only_a_keyword_between_two_slashes_is_a_regular_expression(keyword, regex):
    # "1:1 w/" ends in a slash but is text, as a keyword starting with one is.
    assert config_module.is_regex(keyword) is regex


def test_backspace_from_double_quoted_regex_is_explained():
    # In YAML double quotes "\b" is a backspace, so "/\bhiring\b/" never matches.
    message = error(VALID.replace('"/^acme\\\\b/"', '"/\\bhiring\\b/"'))
    assert message == (
        "rules.yaml:16: rules[0].title[1]: keyword '/\\x08hiring\\x08/' contains a control character; "
        "in YAML double quotes \\b is a backspace: write the regular expression in single quotes"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "owner: CTO@Weave.Example",
            'owner: ["\\e]0;PWNED\\ame@weave.example"]',
            "rules.yaml:3: owner[0]: address '\\x1b]0;PWNED\\x07me@weave.example' contains a control character; "
            "remove it",
        ),
        (
            "    title: lunch\n",
            '    attendees: ["ana\\u202e@weave.example"]\n',
            "rules.yaml:18: rules[1].attendees[0]: address 'ana\\u202e@weave.example' contains a control "
            "character; remove it",
        ),
        (
            "    title: lunch\n",
            '    title: ["lunch\\e[2J"]\n',
            "rules.yaml:18: rules[1].title[0]: keyword 'lunch\\x1b[2J' contains a control character; remove it",
        ),
    ],
    ids=["owner-escape", "attendee-bidi", "keyword-escape"],
)
def test_addresses_and_keywords_with_a_control_character_are_refused(old, new, message):
    # rules check prints owner addresses as they are: ESC ] 0 retitled the terminal. The
    # backspace advice is only for a backspace (see the test above).
    assert error(VALID.replace(old, new)) == message


def _laughs(levels: int) -> str:
    """Lists of ten references to the list before: the last stands for 10 ** levels lists."""
    lines = ["x0: &x0 []"] + [f"x{n}: &x{n} [{', '.join([f'*x{n - 1}'] * 10)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "extra",
    [
        # 30 KB: a rule of 100 keywords used 201 times is 20,100 keywords to check.
        "  - &big {category: sales, title: [" + ", ".join(f"k{n}" for n in range(100)) + "]}\n" + "  - *big\n" * 200,
        "  - {category: sales, title: x}\nlaughs:\n  " + _laughs(9).replace("\n", "\n  "),  # a billion lists
    ],
    ids=["aliased-rules", "nested-aliases"],
)
def test_aliases_that_expand_past_20000_values_are_refused_before_they_are_expanded(extra):
    # Before, 3,000 uses of a 500-keyword rule (23 KB) kept rules check busy for minutes.
    assert error(VALID + extra) == (
        "rules.yaml: more than 20,000 values, counting each use of an alias (*name) in full; "
        "a rules file needs a few hundred"
    )


BIG = "1" + "0" * 5000  # more digits than Python turns into an int (4,300)


def test_numbers_too_long_for_python_are_text_or_a_one_line_error():
    # Each ended in "unexpected error: ValueError: Exceeds the limit (4300 digits)", exit 1.
    assert parse(VALID.replace("title: lunch", f"title: [lunch, {BIG}]")).config.rules[1].title == ["lunch", BIG]
    assert error(VALID.replace("owner:", f"accounting: {{workday_hours: {BIG}}}\nowner:")) == (
        f"rules.yaml:3: accounting.workday_hours: Input should be a finite number (got '{BIG[:57]}...')"
    )
    sexagesimal = "1" + ":59" * 3000  # base 60, too large for a float: OverflowError, exit 1
    assert error(VALID.replace("owner:", f"accounting: {{tolerance: {sexagesimal}}}\nowner:")) == (
        f"rules.yaml:3: accounting.tolerance: YAML reads {sexagesimal[:57]}... as a number too large for a float; "
        "write a plain decimal number (no leading 0, _, : or 0x)"
    )


def test_a_lone_surrogate_is_refused_like_a_control_character():
    # rules check crashed printing it: "UnicodeEncodeError ... PYTHONIOENCODING=utf-8", exit 1.
    assert error(VALID.replace("owner: CTO@Weave.Example", 'owner: ["\\ud800@weave.example"]')) == (
        "rules.yaml:3: owner[0]: address '\\ud800@weave.example' contains a control character; remove it"
    )


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("cto\\u200b@weave.example", "200B"),  # zero-width space (format, Cf)
        ("\\xadme@weave.example", "00AD"),  # soft hyphen (Cf)
        ("cto@weave.example\\u034f", "034F"),  # combining grapheme joiner (Mn)
        ("cto\\ufe0f@weave.example", "FE0F"),  # variation selector (Mn)
        ("cto\\u3164@weave.example", "3164"),  # Hangul filler (Lo)
    ],
    ids=["zero-width-space", "soft-hyphen", "grapheme-joiner", "variation-selector", "hangul-filler"],
)
def test_an_address_with_an_invisible_character_is_refused(written, code):
    # Pasted from a web page, "cto<U+200B>@weave.example" matched no attendee, so declined
    # meetings counted, and the owner warning named an address that looked right. Unicode's
    # Default_Ignorable_Code_Point is the list, whatever the category, and the error shows
    # the character escaped, as YAML's escape writes it.
    assert error(VALID.replace("owner: CTO@Weave.Example", f'owner: ["{written}"]')) == (
        f"rules.yaml:3: owner[0]: address '{written}' contains an invisible character (U+{code}); remove it"
    )


def test_an_internal_domain_with_an_invisible_character_is_refused():
    # "weave.example<U+200B>" matched no colleague: every internal meeting was external.
    text = VALID.replace("internal_domains: [weave.example]", 'internal_domains: ["weave.example\\u200b"]')
    assert error(text) == (
        "rules.yaml:4: internal_domains[0]: domain 'weave.example\\u200b' contains an invisible character "
        "(U+200B); remove it"
    )


def test_smtp_password_in_the_file_is_refused():
    text = VALID + "email:\n  to: [a@b.example]\n  from: c@b.example\n  smtp: {host: h, password: hunter2}\n"
    message = error(text)
    assert "CALAUDIT_SMTP_PASSWORD" in message
    assert "hunter2" not in message


def test_reserved_category_id():
    assert "'unclassified' is reserved" in error(
        VALID.replace("sales:", "unclassified:").replace("category: sales", "category: unclassified")
    )


def test_not_a_mapping_and_not_utf8():
    assert "expected a mapping" in error("- just\n- a list\n")
    for empty in ("", "# only a comment\n", "---\n"):  # no document node at all
        assert error(empty) == "rules.yaml: expected a mapping with 'version: 1', 'allocation' and 'rules'"


def test_a_label_may_hold_a_no_break_space():
    # U+00A0 is the first character after the C1 controls: printable, and typed by some keyboards.
    config = parse(VALID.replace("{label: Sales, target: 40}", '{label: "Sales\\u00a0Ops", target: 40}')).config
    assert config.allocation.external.categories["sales"].label == "Sales\u00a0Ops"
    with pytest.raises(ConfigError, match="not UTF-8"):
        config_module.parse(b"version: 1\nowner: \xff\n", "rules.yaml")


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError, match="calaudit init"):
        config_module.load(tmp_path / "rules.yaml")


def test_relative_source_paths_resolve_against_the_rules_file(tmp_path):
    path = tmp_path / "conf" / "rules.yaml"
    path.parent.mkdir()
    path.write_text(VALID + "sources:\n  - ics: exports/work.ics\n  - ics: https://example.com/basic.ics\n")
    loaded = config_module.load(path)
    assert loaded.resolve("exports/work.ics") == str(tmp_path / "conf" / "exports" / "work.ics")
    assert loaded.resolve("https://example.com/basic.ics") == "https://example.com/basic.ics"
    assert loaded.resolve("~/x.ics") == str(Path.home() / "x.ics")


def test_rules_lookup_order(tmp_path):
    cwd, config_dir = tmp_path / "cwd", tmp_path / "config"
    cwd.mkdir()
    config_dir.mkdir()
    with pytest.raises(ConfigError, match="no rules file"):
        pipeline.find_rules(None, cwd, config_dir)
    (config_dir / "rules.yaml").write_text(VALID)
    assert pipeline.find_rules(None, cwd, config_dir) == config_dir / "rules.yaml"
    (cwd / "rules.yaml").write_text(VALID)
    assert pipeline.find_rules(None, cwd, config_dir) == cwd / "rules.yaml"
    assert pipeline.find_rules(Path("x.yaml"), cwd, config_dir) == Path("x.yaml")


def test_multi_day_defaults_to_workday_and_takes_full():
    assert parse(VALID).config.accounting.multi_day == "workday"
    text = VALID.replace("allocation:", "accounting: {multi_day: full}\nallocation:", 1)
    assert parse(text).config.accounting.multi_day == "full"


def test_an_unknown_multi_day_value_names_the_key_and_the_choices():
    message = error(VALID.replace("allocation:", "accounting: {multi_day: weekday}\nallocation:", 1))
    assert "rules.yaml:5: accounting.multi_day:" in message
    assert "'workday' or 'full'" in message


def test_the_same_category_id_in_both_groups_names_both_places():
    # Both "ops" would count toward 100 and the category's time would meet two targets.
    text = VALID.replace("sales: {label: Sales, target: 40}", "ops: {label: Ops, target: 40}")
    assert error(text.replace("category: sales", "category: ops")) == (
        "rules.yaml:13: allocation.internal.categories.ops: category id 'ops' is also "
        "allocation.external.categories.ops (rules.yaml:9); each id may appear in one group only: rename one"
    )


def test_yaml_merge_keys_load_and_the_mapping_s_own_keys_win():
    text = VALID.replace("ops: {label: Ops, target: 60}", "ops: {<<: *sales, label: Ops, target: 60}").replace(
        "sales: {label", "sales: &sales {label"
    )
    categories = parse(text).config.categories()
    assert categories["ops"][1].label == "Ops"
    assert categories["ops"][1].target == 60


def test_a_key_repeated_beside_a_merge_key_is_still_a_duplicate():
    text = VALID.replace("sales: {label", "sales: &sales {label").replace(
        "ops: {label: Ops, target: 60}", "ops: {<<: *sales, target: 50, target: 60}"
    )
    assert "rules.yaml:13: invalid YAML: duplicate key 'target'" in error(text)


def test_an_address_at_a_host_without_a_dot_is_valid():
    config = parse(VALID.replace("owner: CTO@Weave.Example", "owner: me@localhost")).config
    assert config.owner == ["me@localhost"]
    config = parse(VALID.replace("internal_domains: [weave.example]", "internal_domains: [localhost]")).config
    assert config.internal_domains == ["localhost"]


def test_an_internal_domain_may_be_written_with_its_at_sign():
    config = parse(VALID.replace("internal_domains: [weave.example]", "internal_domains: ['@Weave.Example']")).config
    assert config.internal_domains == ["weave.example"]


@pytest.mark.parametrize("bad", ["cto", "@weave.example", "a@b@c.example", "two words@x.example"])
def test_owner_values_that_are_no_address_are_refused(bad):
    assert "is neither an email address nor a domain" in error(VALID.replace("CTO@Weave.Example", f"'{bad}'"))


def test_addresses_are_normalised_and_case_folded():
    # "É" as E + U+0301 (macOS writes decomposed text) and upper case: one address.
    config = parse(VALID.replace("CTO@Weave.Example", "'Ame\u0301lie@Weave.Example'")).config
    assert config.owner == ["am\u00e9lie@weave.example"]


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("/a{4294967296}/", "rules[0].title[1]: regular expression /a{4294967296}/ repeats more than 1000 times"),
        ("/" + "(" * 2000 + "a" + ")" * 2000 + "/", "rules[0].title[1]: regular expression /((((("),
        # 1000 x 101 = 101,000 steps once the counted repeats are expanded.
        ("/(a{1000}){101}/", "regular expression /(a{1000}){101}/ expands to over 100,000 steps"),
    ],
    ids=["huge-repeat", "2000-nested-groups", "nested-counts"],
)
def test_regular_expressions_that_break_the_engine_are_config_errors(keyword, expected):
    assert expected in error(VALID.replace('"/^acme\\\\b/"', f"'{keyword}'"))


def test_nesting_too_deep_for_the_parser_names_its_line():
    text = VALID + "examples: " + "[" * 20_000 + "]" * 20_000 + "\n"
    assert error(text) == "rules.yaml:19: invalid YAML: nested more than 100 levels deep; a rules file needs a few"


def test_nesting_too_deep_names_the_line_of_the_level_past_the_limit():
    # VALID is 18 lines. Levels: the top mapping 1, examples 2, [x] 3 and closed again;
    # the k-th "[" of the second item is on line 20 + k at level 2 + k: level 101 is k = 99.
    text = VALID + "examples:\n  - [x]\n  - [" + "\n   [" * 19_999 + "]" * 20_000 + "\n"
    assert error(text) == "rules.yaml:119: invalid YAML: nested more than 100 levels deep; a rules file needs a few"


def test_an_endless_rules_file_is_refused_after_reading_just_over_1_mb(tmp_path):
    # A pipe that never ends (like /dev/zero): reading it whole would never return, or fill
    # memory. The writer goes on until the reader closes the pipe (or, read whole, 8 MB).
    pipe = tmp_path / "rules.yaml"
    os.mkfifo(pipe)
    closed_by_reader = []

    def write() -> None:
        try:
            with pipe.open("wb") as end:
                for _ in range(128):
                    end.write(b"#" * 65_536)
        except BrokenPipeError:
            closed_by_reader.append(True)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(ConfigError) as info:
            config_module.load(pipe)
    finally:
        writer.join()
    assert closed_by_reader == [True]  # it read no more than it needed
    assert (
        str(info.value)
        == f"{pipe}: larger than the 1 MB limit for a rules file (1,048,576 bytes); is this the right file?"
    )


def test_a_rules_file_over_1_mb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(VALID + ("#" * 80 + "\n") * 13_000)  # 1,053,000 bytes of comment lines, and VALID
    with pytest.raises(ConfigError) as info:
        config_module.load(path)
    assert (
        str(info.value)
        == f"{path}: larger than the 1 MB limit for a rules file (1,048,576 bytes); is this the right file?"
    )


def test_a_rules_file_just_under_1_mb_loads(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(VALID + "#" * (config_module.MAX_RULES_BYTES - len(VALID) - 1) + "\n")
    assert path.stat().st_size == config_module.MAX_RULES_BYTES
    assert config_module.load(path).config.owner == ["cto@weave.example"]


def load_in_1_gb(path: Path) -> subprocess.CompletedProcess[str]:
    """config.load(path) in a child process limited to 1 GB of memory; prints the ConfigError."""
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30)); "
        "from calaudit import config; from calaudit.errors import ConfigError\n"
        "try: config.load(__import__('pathlib').Path(sys.argv[1]))\n"
        "except ConfigError as e: print(e)"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)


def test_a_huge_counted_repeat_is_refused_before_the_engine_allocates_it(tmp_path):
    # The regex engine expands a{100000000} in memory (gigabytes): run capped at 1 GB.
    path = tmp_path / "rules.yaml"
    path.write_text(VALID.replace('"/^acme\\\\b/"', "'/a{100000000}/'"))
    done = load_in_1_gb(path)
    assert "rules[0].title[1]: regular expression /a{100000000}/ repeats more than 1000 times" in done.stdout, (
        done.stderr
    )


def _no_zone_name():
    return None


def _unknown_zone_name():
    raise ZoneInfoNotFoundError("No time zone found with key Mars/Olympus")


@pytest.mark.parametrize("machine_zone", [_no_zone_name, _unknown_zone_name], ids=["none", "unknown"])
def test_without_a_timezone_or_a_machine_zone_the_reporting_zone_is_utc(monkeypatch, machine_zone):
    # The machine's zone setting is not a parameter: tzlocal is what reads it.
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone_name", machine_zone)
    loaded = config_module.parse(VALID.replace("timezone: Europe/Berlin\n", "").encode(), "rules.yaml")
    assert loaded.zone.key == "UTC"


@pytest.fixture
def tokyo_machine(monkeypatch):
    """The machine's zone is Asia/Tokyo: TZ is what tzlocal reads first, and tzlocal keeps
    the zone it found for the whole process, so it is made to look again (and after)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    tzlocal.reload_localzone()
    yield
    monkeypatch.undo()
    tzlocal.reload_localzone()


def test_without_a_timezone_the_machine_zone_is_the_reporting_zone(tokyo_machine):
    loaded = config_module.parse(VALID.replace("timezone: Europe/Berlin\n", "").encode(), "rules.yaml")
    assert loaded.config.timezone is None
    assert loaded.zone.key == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{label: Sales, target: 40}",
            '{label: "Sales\\e[2J", target: 40}',
            "rules.yaml:9: allocation.external.categories.sales.label: label 'Sales\\x1b[2J' contains a control "
            "character; remove it (labels are printed as they are)",
        ),
        (
            "    label: Internal\n",
            '    label: "Internal\\x9b"\n',
            "rules.yaml:11: allocation.internal.label: label 'Internal\\x9b' contains a control character; "
            "remove it (labels are printed as they are)",
        ),
        (
            "{label: Sales, target: 40}",
            '{label: "Sales \\u202e evil", target: 40}',
            "rules.yaml:9: allocation.external.categories.sales.label: label 'Sales \\u202e evil' contains a "
            "control character; remove it (labels are printed as they are)",
        ),
        (
            "{label: Sales, target: 40}",
            '{label: "Sal\\x7fes", target: 40}',
            "rules.yaml:9: allocation.external.categories.sales.label: label 'Sal\\x7fes' contains a "
            "control character; remove it (labels are printed as they are)",
        ),
        (
            "    label: Internal\n",
            '    label: "Intern\\u2066al"\n',
            "rules.yaml:11: allocation.internal.label: label 'Intern\\u2066al' contains a control character; "
            "remove it (labels are printed as they are)",
        ),
    ],
    ids=["escape-in-a-category", "c1-in-a-group", "bidi-override", "delete", "bidi-isolate"],
)
def test_a_label_with_a_control_character_is_refused_naming_its_key(old, new, message):
    # Labels reach terminals as they are: ESC [ 2J would clear the screen.
    assert old in VALID
    assert error(VALID.replace(old, new)) == message


def test_a_category_id_or_domain_with_a_control_character_is_refused_naming_its_key():
    # Both are printed in tables and `rules check`: ESC [ 2J would clear the screen.
    sneaky_id = VALID.replace("      sales: {label", '      "sa\\e[2Jles": {label').replace(
        "category: sales", 'category: "sa\\e[2Jles"'
    )
    assert error(sneaky_id) == (
        "rules.yaml:8: allocation.external.categories: category id 'sa\\x1b[2Jles' contains a control character; "
        "remove it"
    )
    sneaky_domain = VALID.replace("internal_domains: [weave.example]", 'internal_domains: ["weave\\x9b.example"]')
    assert error(sneaky_domain).startswith("rules.yaml:4: internal_domains[0]: 'weave\\x9b.example' is not a domain")


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("a" * 64 + ".example", "encoding with 'idna' codec failed (UnicodeError: label empty or too long)"),
        ('"\\x9b"', "empty or a control character"),
    ],
    ids=["label-over-63", "control-character"],
)
def test_an_smtp_host_the_socket_library_cannot_look_up_is_refused_naming_its_key(host, reason):
    # It passed `rules check`, then `doctor` and `report --email` crashed with exit 1.
    text = VALID + f"email:\n  to: [a@b.example]\n  from: c@b.example\n  smtp: {{host: {host}}}\n"
    shown = repr("a" * 64 + ".example") if host.startswith("a") else "'\\x9b'"
    assert error(text) == (
        f"rules.yaml:22: email.smtp.host: {shown} is not a host name ({reason}); give the mail server's name or address"
    )
