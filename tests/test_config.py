"""rules.yaml validation: every problem is one line naming file, line and key path."""

from pathlib import Path

import pytest

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


def test_a_rule_without_conditions_is_a_catch_all():
    config = parse(VALID.replace("    title: lunch\n", "")).config
    assert config.rules[1].catch_all and not config.rules[0].catch_all


def test_labels_are_optional_and_numbers_are_keywords():
    text = VALID.replace("{label: Sales, target: 40}", "{target: 40}").replace("    label: Internal\n", "")
    config = parse(text.replace("title: lunch", "title: [lunch, 2026]")).config
    assert config.allocation.external.categories["sales"].label == "sales"
    assert config.allocation.internal.label == "Internal"
    assert config.rules[1].title == ["lunch", "2026"]


def test_duplicate_keys_are_an_error_not_silently_merged():
    assert "rules.yaml:3: invalid YAML: duplicate key 'timezone'" in error(
        VALID.replace("owner:", "timezone: UTC\nowner:", 1)
    )


def test_tabs_are_reported_with_their_line():
    assert error(VALID.replace("    title: lunch", "\ttitle: lunch")).startswith("rules.yaml:18: invalid YAML")


def test_backspace_from_double_quoted_regex_is_explained():
    # In YAML double quotes "\b" is a backspace, so "/\bhiring\b/" never matches.
    message = error(VALID.replace('"/^acme\\\\b/"', '"/\\bhiring\\b/"'))
    assert "single quotes" in message


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


def test_without_a_timezone_the_machine_zone_is_the_reporting_zone(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # what tzlocal reads first
    loaded = config_module.parse(VALID.replace("timezone: Europe/Berlin\n", "").encode(), "rules.yaml")
    assert loaded.config.timezone is None
    assert loaded.zone.key == "Asia/Tokyo"
