"""Rule semantics: first match wins, whole words, regexes, addresses and audience."""

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from calaudit import config as config_module
from calaudit.models import Attendee, Event
from calaudit.rules import RuleSet, check_examples, keyword_pattern
from tests.helpers import DATA

T = datetime(2026, 3, 2, 10, tzinfo=UTC)

BASE = """\
version: 1
owner: [cto@weave.example, me@alias.example]
internal_domains: [weave.example]
allocation:
  external:
    label: External
    categories: {sales: {label: Sales, target: 50}}
  internal:
    label: Internal
    categories: {ops: {label: Ops, target: 50}}
"""


def ruleset(rules_yaml: str) -> RuleSet:
    return RuleSet(config_module.parse((BASE + rules_yaml).encode(), "t").config)


def event(title: str = "", **kw) -> Event:
    return Event(uid="", title=title, start=T, end=T, calendar=kw.pop("calendar", "work"), **kw)


def outcome(rules: RuleSet, e: Event) -> str | None:
    match = rules.classify(e)
    return match.outcome if match else None


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("demo", "Product DEMO for Acme", True),
        ("demo", "Demos and more", False),
        ("demo", "demolition", False),
        ("1:1", "1:1 Ana", True),
        ("1:1", "11:15 sync", False),
        ("focus time", "Focus   Time (no meetings)", True),
        ("focus time", "focus", False),
        ("c++", "C++ guild", True),
        ("all-hands", "Company all-hands", True),
        ("/^re:/", "Re: budget", True),
        ("/^re:/", "Pre: budget", False),
        ("/sev ?[12]/", "SEV1 review", True),
    ],
)
def test_keyword_semantics(keyword, text, matches):
    assert bool(keyword_pattern(keyword).search(text)) is matches


def test_first_matching_rule_wins():
    rules = ruleset(
        "rules:\n  - {category: ops, title: [interview]}\n  - {category: sales, title: [interview, call]}\n"
    )
    assert outcome(rules, event("Interview call")) == "ops"
    assert outcome(rules, event("Sales call")) == "sales"
    assert outcome(rules, event("Coffee")) is None


def test_all_fields_of_a_rule_must_match_and_a_list_means_any():
    rules = ruleset("rules:\n  - {category: sales, title: [call, sync], location: [zoom]}\n")
    assert outcome(rules, event("Weekly sync", location="Zoom meeting")) == "sales"
    assert outcome(rules, event("Weekly sync", location="Room 4")) is None


def test_description_and_calendar_fields():
    rules = ruleset(
        "rules:\n  - {category: sales, description: [opportunity]}\n  - {category: ops, calendar: [on-call]}\n"
    )
    assert outcome(rules, event("Sync", description="Salesforce opportunity #42")) == "sales"
    assert outcome(rules, event("Shift", calendar="On-call rota")) == "ops"


def test_addresses_match_exactly_and_domains_match_any_address_case_insensitively():
    rules = ruleset(
        "rules:\n"
        "  - {category: sales, attendees: [acme.example]}\n"
        "  - {category: ops, organizer: [Boss@Weave.Example]}\n"
    )
    acme = event("Sync", attendees=(Attendee("pat@acme.example"),))
    sub = event("Sync", attendees=(Attendee("pat@eu.acme.example"),))
    assert outcome(rules, acme) == "sales"
    assert outcome(rules, sub) is None
    assert outcome(rules, event("Sync", organizer="boss@weave.example")) == "ops"
    assert outcome(rules, event("Sync", organizer="bossy@weave.example")) is None


def test_audience_counts_people_other_than_the_owner_and_never_rooms():
    rules = ruleset("rules: []\n")
    me = Attendee("cto@weave.example")
    room = Attendee("room-4@resource.calendar.google.com", is_resource=True)
    assert rules.audience(event(attendees=(me, room))) == "solo"
    assert rules.audience(event(organizer="me@alias.example")) == "solo"
    assert rules.audience(event(attendees=(me, Attendee("ana@weave.example")))) == "internal"
    assert rules.audience(event(organizer="pat@acme.example", attendees=(me,))) == "external"
    both = (Attendee("ana@weave.example"), Attendee("pat@acme.example"))
    assert rules.audience(event(attendees=both)) == "external"


def test_audience_rule_combined_with_title():
    rules = ruleset("rules:\n  - {category: sales, audience: external, title: [call]}\n")
    assert outcome(rules, event("Call", attendees=(Attendee("pat@acme.example"),))) == "sales"
    assert outcome(rules, event("Call", attendees=(Attendee("ana@weave.example"),))) is None


def test_ignore_rules_and_the_match_description():
    rules = ruleset("rules:\n  - {category: ops, title: [standup]}\n  - {ignore: true, title: [lunch]}\n")
    match = rules.classify(event("Team lunch"))
    assert match is not None
    assert match.outcome == "ignore"
    assert match.describe() == "rules[1]: title ~ 'lunch'"


def test_examples_report_mismatches():
    config = config_module.parse(
        (
            BASE
            + "rules:\n  - {category: ops, title: [standup]}\n"
            + "examples:\n"
            + "  - {title: Daily standup, category: ops}\n"
            + "  - {title: Acme call, category: sales}\n"
            + "  - {title: Coffee, category: unclassified}\n"
        ).encode(),
        "t",
    ).config
    checks = check_examples(config)
    assert [(c.passed, c.actual) for c in checks] == [
        (True, "ops"),
        (False, "unclassified"),
        (True, "unclassified"),
    ]


def test_a_rule_without_conditions_matches_everything_that_reaches_it():
    rules = ruleset("rules:\n  - {category: sales, title: [call]}\n  - {category: ops}\n")
    match = rules.classify(event("Anything at all"))
    assert match is not None and match.outcome == "ops"
    assert match.describe() == "rules[1]: no condition (matches everything)"


def test_decomposed_accents_match_composed_keywords_and_back():
    # macOS exports write "café" as "cafe" + U+0301; keywords are usually typed composed.
    rules = ruleset(
        "rules:\n  - {category: sales, title: [caf\u00e9], location: [Z\u00fcrich]}\n"
        "  - {category: ops, title: [re\u0301union], description: ['/^Stra\u00dfe/']}\n"
    )
    assert outcome(rules, event("Cafe\u0301 with Ana", location="Zu\u0308rich HQ")) == "sales"
    assert outcome(rules, event("CAFÉ with Ana", location="ZÜRICH")) == "sales"
    assert outcome(rules, event("R\u00e9union", description="Stra\u00dfe 4")) == "ops"
    assert outcome(rules, event("Réunion", description="Strasse 4")) is None  # regex: ß is not ss


def test_plain_keywords_compare_case_folded():
    assert keyword_pattern("straße").search("STRASSE planning")
    assert not keyword_pattern("straße").search("Strassenbahn")


def test_addresses_in_events_are_compared_normalised():
    rules = ruleset("rules:\n  - {category: sales, attendees: [ame\u0301lie@acme.example]}\n")
    assert outcome(rules, event("Sync", attendees=(Attendee("AM\u00c9LIE@Acme.Example"),))) == "sales"
    assert rules.audience(event(attendees=(Attendee("CTO@WEAVE.example"),))) == "solo"


def _calendar(tmp_path, *titles: str):
    """One 30-minute event per title on 2026-03-02, each title on one (long) line."""
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:t{i}@test\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:2026030{2 + i}T150000Z\r\n"
        f"DTEND:2026030{2 + i}T153000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
        for i, title in enumerate(titles)
    )
    path = tmp_path / "titles.ics"
    path.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
    return path


def _audit(ics, rules) -> subprocess.CompletedProcess[str]:
    """In a subprocess with a timeout: a regression to unbounded matching fails, never hangs."""
    command = ["audit", "--ics", str(ics), "--rules", str(rules), "--period", "2026-03", "--format", "json"]
    return subprocess.run(
        [sys.executable, "-m", "calaudit", *command, "--no-cache"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_runaway_regular_expression_is_stopped_and_named(tmp_path):
    title = "x " + "a" * 300
    done = _audit(_calendar(tmp_path, "Customer call", title), DATA / "bad" / "runaway-regex.yaml")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        "calaudit: error: rules[2].title[0]: regular expression /(.*)(.*)(.*)(.*)\\4x/ searched the title of "
        "'x aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (2026-03-03 15:00) for over 0.25 s"
    )
    assert done.stderr.count("\n") == 1


def test_ambiguous_alternation_and_stacked_wildcards_match_quickly(tmp_path):
    # Each took from 25 s to minutes with Python's re on these 44-character titles.
    done = _audit(_calendar(tmp_path, "a" * 44, "a" * 43 + "c", "a" * 44 + "x"), DATA / "bad" / "ambiguous-regex.yaml")
    assert done.returncode == 0, done.stderr
    hours = {c["id"]: c["hours"] for c in json.loads(done.stdout)["categories"]}
    assert hours == {"sales": 0.5, "ops": 0.5}


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("ops", "DevOps sync"),  # a word ending in the keyword
        ("call", "Recall planning"),
        ("demo", "pseudodemo"),
        ("ops", "opsreview"),  # a word starting with it
        ("call", "callback"),
        ("focus time", "refocus timeline"),  # a phrase: both ends, too
    ],
)
def test_keywords_do_not_match_inside_a_word_on_either_side(keyword, text):
    assert not keyword_pattern(keyword).search(text)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [("ops", "Ops: pager review"), ("call", "Sales call"), ("demo", "(demo) Acme"), ("ops", "dev/ops")],
)
def test_keywords_match_between_non_word_characters(keyword, text):
    assert keyword_pattern(keyword).search(text)


def test_a_rule_keyword_inside_another_word_leaves_the_event_unclassified():
    rules = ruleset("rules:\n  - {category: ops, title: [ops]}\n  - {category: sales, title: [call, demo]}\n")
    assert outcome(rules, event("DevOps guild")) is None
    assert outcome(rules, event("Recall: Q3 numbers")) is None
    assert outcome(rules, event("pseudodemo")) is None
    assert outcome(rules, event("Weekly ops")) == "ops"


def test_an_organizer_rule_does_not_match_an_event_without_organizer():
    rules = ruleset("rules:\n  - {category: ops, organizer: [weave.example]}\n")
    assert outcome(rules, event("Sync", attendees=(Attendee("ana@weave.example"),))) is None
    assert outcome(rules, event("Sync", organizer="ana@weave.example")) == "ops"


def test_examples_use_every_field_they_give():
    config = config_module.parse(
        (
            BASE
            + "rules:\n"
            + "  - {category: sales, description: [opportunity]}\n"
            + "  - {category: sales, location: [acme hq]}\n"
            + "  - {category: ops, calendar: [on-call]}\n"
            + "  - {category: ops, organizer: [boss@weave.example]}\n"
            + "  - {category: sales, attendees: [acme.example]}\n"
            + "examples:\n"
            + "  - {title: Sync, description: 'opportunity #42', category: sales}\n"
            + "  - {title: Sync, location: Acme HQ, category: sales}\n"
            + "  - {title: Shift, calendar: On-call rota, category: ops}\n"
            + "  - {title: Review, organizer: boss@weave.example, category: ops}\n"
            + "  - {title: Visit, attendees: [pat@acme.example], category: sales}\n"
            + "  - {title: Sync, category: unclassified}\n"
        ).encode(),
        "t",
    ).config
    checks = check_examples(config)
    assert [(c.passed, c.actual, c.rule) for c in checks] == [
        (True, "sales", "rules[0]: description ~ 'opportunity'"),
        (True, "sales", "rules[1]: location ~ 'acme hq'"),
        (True, "ops", "rules[2]: calendar ~ 'on-call'"),
        (True, "ops", "rules[3]: organizer ~ 'boss@weave.example'"),
        (True, "sales", "rules[4]: attendees ~ 'acme.example'"),
        (True, "unclassified", None),
    ]
    assert [(c.index, c.title, c.expected) for c in checks][:2] == [(0, "Sync", "sales"), (1, "Sync", "sales")]


def test_the_match_description_names_every_condition_that_held():
    rules = ruleset("rules:\n  - {category: sales, title: [call], location: [zoom], audience: external}\n")
    match = rules.classify(event("Acme call", location="Zoom", attendees=(Attendee("pat@acme.example"),)))
    assert match is not None
    assert match.describe() == "rules[0]: title ~ 'call', location ~ 'zoom', audience = external"


@pytest.mark.parametrize(
    ("rule", "matching", "other"),
    [
        ("title: [sync]", {"title": "Sync"}, {"title": "Lunch"}),
        ("description: [sync]", {"description": "sync"}, {"description": "lunch"}),
        ("location: [hq]", {"location": "HQ"}, {"location": "home"}),
        ("calendar: [work]", {"calendar": "work"}, {"calendar": "home"}),
        ("organizer: [acme.example]", {"organizer": "a@acme.example"}, {"organizer": "b@beta.example"}),
        ("attendees: [acme.example]", {"attendees": (Attendee("a@acme.example"),)}, {"attendees": ()}),
        ("audience: external", {"organizer": "a@acme.example"}, {"organizer": "b@weave.example"}),
        ("audience: external", {"attendees": (Attendee("a@acme.example"),)}, {"attendees": ()}),
        (
            "audience: external",
            {"attendees": (Attendee("a@acme.example"),)},
            {"attendees": (Attendee("a@acme.example", is_resource=True),)},
        ),
    ],
)
def test_a_remembered_match_is_never_reused_for_an_event_that_differs_in_what_rules_read(rule, matching, other):
    # Classification is remembered per value of the fields the rules read (an audience
    # reads the organizer and attendees): the same RuleSet must tell apart events that
    # differ in any one of them.
    rules = ruleset(f"rules:\n  - {{category: sales, {rule}}}\n")
    base = {"title": "Sync", "description": "sync", "location": "HQ", "calendar": "work"}
    first, second = event(**{**base, **matching}), event(**{**base, **other})
    assert [outcome(rules, first), outcome(rules, second), outcome(rules, first)] == ["sales", None, "sales"]


@pytest.mark.parametrize(
    ("keywords", "title", "reason"),
    [
        ('[ops, sync, "focus time"]', "DevOps review", None),
        ('[ops, sync, "focus time"]', "pseudosync", None),
        ('[ops, sync, "focus time"]', "Weekly SYNC and ops", "title ~ 'ops'"),
        ('[ops, sync, "focus time"]', "Weekly SYNC", "title ~ 'sync'"),
        ('[ops, sync, "focus time"]', "Focus \u00a0 time", "title ~ 'focus time'"),
        ('["/^re:/", ops]', "Ops call", "title ~ 'ops'"),
        ('["/^re:/", ops]', "Re: DevOps", "title ~ '/^re:/'"),
        ('["/^re:/", ops]', "Pre: DevOps", None),
    ],
)
def test_several_keywords_of_a_field_match_each_as_alone_and_the_first_listed_is_named(keywords, title, reason):
    # Plain keywords of one field are searched together first; that must not change
    # what matches, nor which keyword the reason names (the first listed that matches).
    rules = ruleset(f"rules:\n  - {{category: ops, title: {keywords}}}\n")
    match = rules.classify(event(title))
    assert (match.reasons[0] if match else None) == reason


def test_a_remembered_audience_is_never_reused_for_other_people():
    rules = ruleset("rules: []\n")
    inside, outside = Attendee("ana@weave.example"), Attendee("bo@acme.example")
    events = [
        event(attendees=(inside,)),
        event(attendees=(inside, outside)),
        event(organizer="bo@acme.example", attendees=(inside,)),
        event(),
    ]
    assert [rules.audience(e) for e in events] == ["internal", "external", "external", "solo"]


def test_a_runaway_regular_expression_is_named_with_the_event_it_ran_on():
    # In-process twin of the subprocess test above (mutation runs leave subprocesses out).
    config = config_module.load(DATA / "bad" / "runaway-regex.yaml").config
    long_title = "x " + "a" * 300
    with pytest.raises(config_module.ConfigError) as raised:
        RuleSet(config).classify(event(long_title))
    assert str(raised.value) == (
        "rules[2].title[0]: regular expression /(.*)(.*)(.*)(.*)\\4x/ searched the title of "
        "'x aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (2026-03-02 10:00) for over 0.25 s "
        "and was stopped; simplify it (avoid repeating a repetition, such as '(.*)*' or '(a|aa)*')"
    )


def test_a_runaway_regular_expression_in_an_example_is_an_error_not_a_crash():
    text = (
        (DATA / "bad" / "runaway-regex.yaml").read_text()
        + "examples:\n  - {title: 'x "
        + "a" * 300
        + "', category: ops}\n"
    )
    config = config_module.parse(text.encode(), "rules.yaml").config
    with pytest.raises(config_module.ConfigError, match=r"searched the title of 'x a+\.\.\.' \(2000-01-03 10:00\)"):
        check_examples(config)
