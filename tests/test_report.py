"""The renderers: text from calendars and rules is data in every format, counts read
"1 event", the CSV has no formulas, and the email's charts are inline images."""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType

from calaudit import config as config_module
from calaudit.audit import audit
from calaudit.cli import main
from calaudit.history import Run
from calaudit.monthly import build
from calaudit.period import parse_period
from calaudit.report import count, listings, mail
from calaudit.report import csv as csv_report
from calaudit.report import explain as explain_report
from calaudit.report import html as html_report
from calaudit.report import json as json_report
from calaudit.report import markdown as markdown_report
from calaudit.report import rules as rules_report
from calaudit.report import table as table_report
from calaudit.report import text as text_report
from calaudit.rules_suggest import suggest
from calaudit.sources.google import CalendarInfo
from tests.helpers import ICS, NOW, RULES, audit_fixture, audit_hours, fetch

MARKUP = ICS / "markup-titles.ics"
LITERAL_TITLES = [
    "[hold] Board prep",
    "[private]",
    "Deploy [/api/v2] <script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")',
]
"""The unclassified titles of markup-titles.ics; "[bold]Acme[/bold] customer call" is sales."""
ACME = "[bold]Acme[/bold] customer call"


def shown(renderable: RenderableType) -> str:
    """Rendered by a console that *does* read markup: renderers must not depend on it being off."""
    buffer = io.StringIO()
    Console(file=buffer, width=250, color_system=None).print(renderable)
    return buffer.getvalue()


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def sources(*extra: str) -> list[str]:
    return ["--ics", str(MARKUP), "--rules", str(RULES), "--period", "2026-03", *extra]


@pytest.mark.parametrize(
    ("command", "titles"),
    [
        (["audit"], LITERAL_TITLES),
        # Markdown shows them literally once rendered: brackets escaped, HTML as entities.
        (
            ["audit", "--format", "md"],
            [
                "\\[hold\\] Board prep",
                "\\[private\\]",
                "Deploy \\[/api/v2\\] &lt;script&gt;alert\\(1\\)&lt;/script&gt;",
            ],
        ),
        (["explain"], [*LITERAL_TITLES, ACME]),
        (["rules", "suggest"], ["[hold] Board prep", "[private]", "Deploy [/api/v2]"]),
        (["report", "--format", "text"], [*LITERAL_TITLES, ACME]),
    ],
)
def test_titles_are_printed_as_written_by_every_command(command, titles):
    out = run(*command, *sources())
    for title in titles:
        assert title in out


def test_rules_check_audits_a_calendar_with_bracketed_titles():
    out = run("rules", "check", *sources())
    assert "rule hits in 2026-03 (6 occurrences):" in out  # the Acme call repeats once


def test_renderers_show_titles_literally_even_on_a_markup_console():
    result = audit_fixture("markup-titles.ics")
    for title in LITERAL_TITLES:
        assert title in shown(table_report.render(result))
        assert title in shown(explain_report.render(result, list(result.occurrences)))
    assert ACME in shown(explain_report.render(result, list(result.occurrences)))
    suggested = shown(rules_report.table(result, suggest(result)))
    assert "[hold] Board prep" in suggested and "Deploy [/api/v2]" in suggested
    run_ = Run("2026-03", datetime(2026, 4, 1, tzinfo=UTC), "failed", ("[cto]@weave.example",), "0" * 12, {},
               "[red]calendar[/red] down")  # fmt: skip
    assert "[red]calendar[/red] down" in shown(listings.runs([run_]))
    assert "[team] Calendar" in shown(listings.calendars([CalendarInfo("x@group", "[team] Calendar", "reader", False)]))


def test_html_escapes_titles():
    report = build(audit_fixture("markup-titles.ics"), (), "0" * 64, datetime(2026, 4, 1, tzinfo=UTC))
    html = mail.render(report).html_inline
    assert "<script>" not in html
    assert "Deploy [/api/v2] &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[bold]Acme[/bold] customer call" in html


def test_csv_text_cells_never_start_a_formula(tmp_path: Path):
    rules = RULES.read_text()
    for old, new in [
        ("Sales / Customers", "=SUM(A1:A9)"),
        ("Recruiting", "+Recruiting"),
        ("Engineering culture", "-culture"),
        ("Engineering operations", "@ops"),
    ]:
        rules = rules.replace(f"label: {old}", f"label: '{new}'")
    path = tmp_path / "rules.yaml"
    path.write_text(rules)
    loaded = config_module.load(path)
    fetched = fetch("recurrence.ics", loaded=loaded)
    result = audit(fetched.events, loaded.config, parse_period("2026-03", loaded.zone, NOW))
    rows = list(csv.DictReader(io.StringIO(csv_report.render(result))))
    assert [r["label"] for r in rows] == ["'=SUM(A1:A9)", "'+Recruiting", "'-culture", "'@ops", "Unclassified"]
    # numbers stay numbers, minus sign included: recruiting has no time, -20 pp
    assert [r["delta"] for r in rows[:4]] == ["-5.0", "-20.0", "-5.0", "30.0"]


def test_counts_of_one_are_singular():
    assert (count(1, "event"), count(0, "event"), count(2, "meeting")) == ("1 event", "0 events", "2 meetings")
    # markup-titles.ics: every unclassified title once, the Acme call twice (a series)
    report = build(audit_fixture("markup-titles.ics"), (), "0" * 64, datetime(2026, 4, 1, tzinfo=UTC))
    text = text_report.render(report)
    assert " 1 events" not in text and " 1 meetings" not in text
    assert "1.0 h     1 event" in text and "2 meetings" in text
    suggested = rules_report.yaml(report.result, suggest(report.result))
    assert "1 events" not in suggested and "1 event," in suggested


def test_chart_images_are_inline_parts_referenced_by_content_id():
    message = mail.build_message(
        subject="s",
        sender="calaudit@weave.example",
        recipients=["cto@weave.example"],
        text="text",
        html='<img src="cid:chart@weave.example">',
        images={"allocation": b"\x89PNG fake"},
        cids={"allocation": "chart@weave.example"},
        attachments=[mail.Attachment("report.csv", "text/csv", b"a,b\n")],
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    parts = {part.get_content_type(): part for part in parsed.walk()}
    image = parts["image/png"]
    assert image.get_content_disposition() == "inline"
    assert image["Content-ID"] == "<chart@weave.example>"
    assert parts["text/csv"].get_content_disposition() == "attachment"


def test_json_groups_have_a_status():
    # 10 h: sales 6 = 60% (+30), culture 4 = 40% (+10): External 60/50 over, Internal 40/50 under
    groups = json_report.to_dict(audit_hours(sales=6, culture=4))["groups"]
    assert [(g["id"], g["delta"], g["status"]) for g in groups] == [
        ("external", 10.0, "over"),
        ("internal", -10.0, "under"),
    ]


ALL_ON = re.compile(r"\b(every|all)\b[^.]*\b(on target|within)\b", re.IGNORECASE)
"""A sentence claiming that everything is on target (or, as before, "within ±5 points")."""


@settings(max_examples=40, deadline=None)
@example(quarters={"sales": 0, "recruiting": 0, "culture": 0, "ops": 0, "other": 4}, tolerance=5.0)
@example(quarters={"sales": 44, "recruiting": 22, "culture": 34, "ops": 20, "other": 0}, tolerance=5.0)
@given(
    quarters=st.fixed_dictionaries(
        {c: st.integers(0, 160) for c in ("sales", "recruiting", "culture", "ops", "other")}
    ),
    tolerance=st.sampled_from([0.0, 2.5, 5.0, 10.0, 30.0]),
)
def test_no_report_claims_more_than_its_statuses(quarters, tolerance):
    """For any hours (in quarter hours, up to 40 h a category, unclassified included), the
    text (also the email's text part), Markdown and HTML reports say all is on target only
    when every group and category is, and the advice names each one that is not."""
    result = audit_hours(tolerance=tolerance, **{c: q / 4 for c, q in quarters.items()})
    report = build(result, (), "0" * 64, datetime(2026, 4, 1, tzinfo=UTC))
    rendered = [
        text_report.render(report),
        text_report.markdown(report),
        html_report.render(report, {"allocation": "cid:allocation"}),
    ]
    items = [*result.groups, *result.categories]
    all_on = all(i.status == "on" for i in items)
    for text in rendered:
        assert bool(ALL_ON.search(text)) == (all_on and result.classified_hours > 0), text
        for sentence in report.advice:
            shown_as = (sentence, html.escape(sentence, quote=False), markdown_report.text(sentence))
            assert any(form in text for form in shown_as)
    advice = " ".join(report.advice)
    if result.classified_hours == 0:
        assert advice.startswith("No time in 2026-03 was classified") or advice.startswith("No events")
    else:
        assert [i.label for i in items if i.status != "on" and i.label not in advice] == []
