"""Grouping of unclassified titles and keyword proposals."""

import pytest
from click.testing import CliRunner

from calaudit.cli import main
from calaudit.rules_suggest import normalise, suggest
from tests.helpers import audit_fixture

REPO_RULES = __import__("pathlib").Path(__file__).resolve().parents[1] / "rules.yaml"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1:1 Ana", "1:1 Bo"),
        ("Interview: backend candidate 3", "Interview: SRE"),
        ("Coffee with Sam", "Coffee with Priya Patel"),
        ("Sprint 41 planning", "Sprint 42 planning"),
        ("Demo & Sam", "Demo & Bo"),
    ],
)
def test_variants_of_a_title_fall_into_one_group(a, b):
    assert normalise(a) == normalise(b)


def test_different_meetings_stay_apart():
    assert normalise("Board review") != normalise("Budget review")
    assert normalise("Engineering standup") == "engineering standup"
    # a colon between digits is a time or a 1:1, not the start of a title's details
    assert normalise("10:30 deploy window") == "#:# deploy window"
    assert normalise("2:00 board call") == "#:# board call"
    assert normalise("Interview:SRE") == "interview: …"


def suggested_yaml(tmp_path, *events: str):
    """The rule snippets `rules suggest --format yaml` prints for a calendar of ``events``
    under rules that classify only customer meetings; and the rules and calendar files."""
    from tests.test_ics import calendar

    path = tmp_path / "cal.ics"
    path.write_bytes(calendar(*events))
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ntimezone: UTC\nowner: cto@weave.example\ninternal_domains: [weave.example]\n"
        "allocation:\n  external: {categories: {sales: {target: 40}}}\n"
        "  internal: {categories: {culture: {target: 60}}}\n"
        "rules:\n  - {category: sales, title: customer}\n"
    )
    args = ["rules", "suggest", "--rules", str(rules), "--ics", str(path), "--period", "2026-03", "--format", "yaml"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[2:], rules, path


def test_one_on_ones_group_by_1_1_and_propose_it_as_a_keyword(tmp_path):
    # 1:1 Ana 1 h, 1:1 Bo 1 h, 10:30 deploy window 1 h: two groups, and "1:1" the top
    # keyword (2 h unclassified, in no classified title) though its digits are numbers.
    snippets, _, _ = suggested_yaml(
        tmp_path,
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:1:1 Ana",
        "UID:b\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:1:1 Bo",
        "UID:c\nDTSTART:20260304T150000Z\nDTEND:20260304T160000Z\nSUMMARY:10:30 deploy window",
    )
    assert snippets == [
        '#   - category: CHOOSE  # 2.0 h, 2 events, e.g. "1:1 Ana"',
        '#     title: ["1:1"]',
        '#   - category: CHOOSE  # 1.0 h, 1 event, e.g. "10:30 deploy window"',
        '#     title: ["deploy window", "deploy"]',
    ]


def test_titles_in_any_script_give_keywords_that_match_them_and_an_untitled_group_none(tmp_path):
    # Réunion équipe 2 h, Straße planen 0.5 h, an untitled event 0.25 h, 1:1: Łukasz 10 min.
    # Letters outside a-z were dropped ("union quipe", "stra"), keywords matching nothing;
    # "(no title)" was offered the keyword "title".
    snippets, rules, path = suggested_yaml(
        tmp_path,
        "UID:a\nDTSTART:20260302T150000Z\nDTEND:20260302T160000Z\nSUMMARY:Réunion équipe",
        "UID:b\nDTSTART:20260303T150000Z\nDTEND:20260303T160000Z\nSUMMARY:Réunion équipe",
        "UID:c\nDTSTART:20260304T150000Z\nDTEND:20260304T153000Z\nSUMMARY:Straße planen",
        "UID:d\nDTSTART:20260305T150000Z\nDTEND:20260305T151500Z\nSUMMARY:",
        "UID:e\nDTSTART:20260306T150000Z\nDTEND:20260306T151000Z\nSUMMARY:1:1: Łukasz",
    )
    assert snippets == [
        '#   - category: CHOOSE  # 2.0 h, 2 events, e.g. "Réunion équipe"',
        '#     title: ["réunion équipe", "équipe"]',
        '#   - category: CHOOSE  # 0.5 h, 1 event, e.g. "Straße planen"',
        '#     title: ["straße planen", "planen"]',
        '#   - category: CHOOSE  # 0.2 h, 1 event, e.g. "1:1: Łukasz"',
        '#     title: ["1:1"]',
    ]
    # pasted under rules:, every titled event is classified
    pasted = "\n".join(line.removeprefix("# ") for line in snippets).replace("CHOOSE", "culture")
    rules.write_text(rules.read_text() + pasted + "\n")
    audited = CliRunner().invoke(
        main, ["audit", "--rules", str(rules), "--ics", str(path), "--period", "2026-03", "--format", "json"]
    )
    assert audited.exit_code == 0, audited.output
    assert [(u["title"], u["hours"]) for u in __import__("json").loads(audited.output)["unclassified"]] == [
        ("(no title)", 0.25)
    ]


def test_keywords_are_ranked_by_unclassified_hours_and_rarity_in_classified_titles():
    # Unclassified: Coffee with Sam 1 h, Coffee with Priya Patel 1 h, Board review 1.5 h.
    # Classified: Customer review 1 h (sales), Standup 0.5 h (ops) -> "review" is in 1 of 2.
    #   coffee        2.0 * (1 - 0)   = 2.0
    #   board review  1.5 * (1 - 0) * 1.1 (phrase) = 1.65
    #   board         1.5 * (1 - 0)   = 1.5
    #   review        1.5 * (1 - 1/2) = 0.75
    found = suggest(audit_fixture("unclassified.ics"))
    ranked = [(k.keyword, round(k.score, 4)) for k in found.keywords]
    assert ranked == [("coffee", 2.0), ("board review", 1.65), ("board", 1.5), ("review", 0.75)]
    assert [(g.key, g.hours, g.events, g.keywords) for g in found.groups] == [
        ("coffee with …", 2.0, 2, ("coffee",)),
        ("board review", 1.5, 1, ("board review", "board")),
    ]


def test_no_unclassified_time_suggests_nothing():
    found = suggest(audit_fixture("dst.ics"))
    assert found.groups == () and found.keywords == ()


def test_a_thinned_demo_rule_set_gets_its_removed_keywords_back(tmp_path):
    text = REPO_RULES.read_text()
    thinned = text.replace("title: [interview, candidate, ", "title: [").replace(
        "title: [standup, stand-up, ", "title: ["
    )
    thinned = thinned[: thinned.index("examples:")]
    assert thinned != text
    rules = tmp_path / "rules.yaml"
    rules.write_text(thinned)
    result = CliRunner().invoke(main, ["rules", "suggest", "--demo", "--rules", str(rules), "--format", "yaml"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[2:4] == [
        '  - category: recruiting  # 10.5 h, 14 events, e.g. "Interview: Senior backend engineer (candidate 9)"',
        '    title: ["interview"]',
    ]
    assert lines[4].startswith("  - category: operations")
    assert '"standup"' in lines[5]


def test_table_output_lists_groups_and_top_keywords(tmp_path):
    from tests.helpers import ICS, RULES

    result = CliRunner().invoke(
        main,
        [
            "rules",
            "suggest",
            "--ics",
            str(ICS / "unclassified.ics"),
            "--rules",
            str(RULES),
            "--period",
            "2026-03",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "coffee with …" in result.stdout
    assert "Top keywords" in result.stdout
