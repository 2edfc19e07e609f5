"""The monthly report's numbers and its renderings."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest

from calaudit import config as config_module
from calaudit import monthly
from calaudit.period import parse_period
from calaudit.pipeline import Setup, monthly_report
from calaudit.report import mail
from calaudit.report import text as text_report
from calaudit.sources.ics import IcsSource
from tests.helpers import ICS, NOW, RULES, audit_fixture, audit_hours, fixture_rules

GENERATED = datetime(2026, 4, 1, 7, tzinfo=UTC)


def report_of(*names: str, period: str = "2026-03"):
    loaded = fixture_rules()
    sources = [IcsSource(str(ICS / n), loaded.config.owner, loaded.zone) for n in names]
    return monthly_report(Setup(loaded, sources, parse_period(period, loaded.zone, NOW)), GENERATED).report


def test_moves_pair_over_with_under_without_overshooting():
    # skips + overlap: classified 4.5 h; recruiting 35/24 h = 32.4% (target 20, over),
    # ops 1/12 h = 1.9% (target 20, under); sales and culture are within ±5.
    # Recruiting's excess: 35/24 - 0.2 * 4.5 = 0.5583 h; ops' deficit 0.9 - 1/12 = 0.8167 h.
    # One move of the smaller gap.
    [move] = monthly.moves(audit_fixture("skips.ics", "overlap.ics"))
    assert move.hours == pytest.approx(35 / 24 - 0.9)
    assert (move.source.id, move.destination.id) == ("recruiting", "ops")
    assert move.sentence("month") == "To reach target, move ~0.6 h/month from Recruiting to Engineering operations"


def test_several_moves_take_the_largest_gaps_first():
    # recurrence.ics: sales 1, culture 1, ops 2 of 4 h. Targets 30/20/30/20:
    # ops +30 pp (1.2 h over), recruiting -20 pp (0.8 h under), sales and culture -5 (on).
    [move] = monthly.moves(audit_fixture("recurrence.ics"))
    assert move.hours == pytest.approx(0.8)
    assert (move.source.id, move.destination.id) == ("ops", "recruiting")


def test_costly_recurring_series():
    # Standup series: 2 Mar 0.5 + moved 17 Mar 1.0 + 30 Mar 0.5; 1:1 Ana 30+31 Mar;
    # the customer call series has one March instance.
    series = monthly.costly_series(audit_fixture("recurrence.ics"))
    assert [(s.title, s.hours, s.events, s.category) for s in series] == [
        ("Standup", 2.0, 3, "ops"),
        ("1:1 Ana", 1.0, 2, "culture"),
        ("Customer call", 1.0, 1, "sales"),
    ]


def test_trends_re_audit_the_three_previous_periods():
    report = report_of("recurrence.ics")
    assert [r.period.label for r in report.timeline] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    february = report.previous[-1]
    # Standup on 2, 9, 16, 23 Feb (0.5 h each); customer call 20 and 27 Feb (1 h each).
    assert {c.id: c.hours for c in february.categories if c.hours} == {"ops": 2.0, "sales": 2.0}
    assert report.change("ops") == pytest.approx(50.0 - 50.0)
    assert report.change("sales") == pytest.approx(25.0 - 50.0)
    assert report.unit == "month"


def test_html_has_inline_charts_and_every_section():
    rendered = mail.render(report_of("recurrence.ics"))
    html = rendered.html_inline
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    for text in (
        "Where your time went: 2026-03",
        "What to change",
        "Actual vs target",
        "Trend",
        "Recurring meetings that cost the most",
        "Not counted",
        "rules version",
    ):
        assert text in html
    assert "cid:" in rendered.html_mail and "data:image" not in rendered.html_mail
    assert rendered.subject == "calaudit 2026-03: 25% external / 75% internal (target 50/50), 100% classified"


def test_text_and_markdown():
    report = report_of("recurrence.ics")
    text = text_report.render(report)
    assert "- To reach target, move ~0.8 h/month from Engineering operations to Recruiting." in text
    assert "vs 2026-02" in text
    md = text_report.markdown(report)
    assert "## Trend" in md and "| Engineering operations | — | — | 50.0% | 50.0% |" in md


def test_text_report_matches_the_golden_file():
    from tests.helpers import DATA

    assert text_report.render(report_of("recurrence.ics")) == (DATA / "golden" / "report.txt").read_text()


def build(result, previous=()):
    return monthly.build(result, previous, "0" * 64, GENERATED)


def test_an_over_category_with_no_partner_still_gets_advice():
    # 30 h classified: sales 11 h = 36.7% (+6.7 over), recruiting 5.5 h and culture 8.5 h
    # (-1.7 each), ops 5 h = 16.7% (-3.3, band ±5): nobody is under, so no move exists.
    # Sales' excess: 6.67% of 30 h = 2.0 h. Groups 55/45 of 50/50: ±5.0, on.
    report = build(audit_hours(sales=11, recruiting=5.5, culture=8.5, ops=5))
    assert report.moves == ()
    assert report.advice == ("Sales / Customers is 6.7 pp over target: about 2.0 h/month could go elsewhere",)
    for rendered in (text_report.render(report), text_report.markdown(report), mail.render(report).html_inline):
        assert "Sales / Customers is 6.7 pp over target: about 2.0 h/month could go elsewhere." in rendered
        assert "on target:" not in rendered and "within ±5 points" not in rendered


def test_an_under_category_with_no_partner_still_gets_advice():
    # 10 h: sales 2.6 h = 26% (-4, on), recruiting 2.5 = 25% (+5, on), culture 2.4 = 24%
    # (-6, under: 0.6 h short), ops 2.5 = 25% (+5, on).
    report = build(audit_hours(sales=2.6, recruiting=2.5, culture=2.4, ops=2.5))
    assert report.advice == ("Engineering culture is 6.0 pp under target: it could take about 0.6 h/month more",)


def test_all_on_target_is_said_only_when_every_group_and_category_is_on():
    report = build(audit_hours(sales=3, recruiting=2, culture=3, ops=2))  # exactly the targets
    assert report.advice == ()
    assert report.on_target_sentence in text_report.render(report)
    assert report.on_target_sentence in text_report.markdown(report)


def test_nothing_classified_is_not_on_target():
    report = build(audit_hours(other=3))
    assert report.advice == (
        "No time in 2026-03 was classified, so every group and category is under its target: "
        "add rules for the unclassified time (calaudit rules suggest)",
    )
    assert "on target:" not in text_report.render(report)


def test_a_period_without_events_says_so():
    report = build(audit_hours(period="2026-05"))
    assert report.advice == ("No events in 2026-05: there is nothing to compare with the targets",)


def test_advice_starts_from_the_group_split():
    # recurrence.ics: sales 1, culture 1, ops 2 of 4 h. Internal 75% of 50 (+25 pp, 1.0 h),
    # External 25% (-25 pp). Categories: ops +30 pp (1.2 h over), recruiting -20 pp (0.8 h
    # under; the band of a 20% target is ±5), sales and culture -5 (on). One move of 0.8 h
    # leaves ops 0.4 h over.
    report = build(audit_fixture("recurrence.ics"))
    assert report.advice == (
        "Internal is 25.0 pp over its 50%: about 1.0 h/month could move to External (25.0 pp under its 50%)",
        "To reach target, move ~0.8 h/month from Engineering operations to Recruiting",
        "Engineering operations would still be over target after the moves above: about 0.4 h/month could go elsewhere",
    )


def test_a_group_off_alone_is_named_from_its_side():
    # sales 4.5 + recruiting 2 = 65% external of 10 h (+15, over): recruiting 20% on,
    # sales 45% (+15 over); culture 2.5 = 25% (-5 on), ops 1 = 10% (-10 under, band 5).
    # Internal is -15 pp: under too. Move 1.0 h sales -> ops, sales 0.5 h left.
    report = build(audit_hours(sales=4.5, recruiting=2, culture=2.5, ops=1))
    assert report.advice[0] == (
        "External is 15.0 pp over its 50%: about 1.5 h/month could move to Internal (15.0 pp under its 50%)"
    )
    external, internal = report.result.groups
    assert (external.status, internal.status) == ("over", "under")


def test_trends_show_periods_without_events_as_no_data():
    # dst.ics has one event in March 2026 and one in November: December to February have none.
    report = report_of("dst.ics")
    assert [r.has_data for r in report.timeline] == [False, False, False, True]
    assert report.shares("ops") == [None, None, None, 100.0]
    assert report.shares("internal", group=True) == [None, None, None, 100.0]
    assert report.change("ops") is None
    text = text_report.render(report)
    assert f"  {'Engineering operations':<44}" + f"{'—':>10}" * 3 + f"{'100.0%':>10}" in text
    assert "| Engineering operations | — | — | — | 100.0% |" in text_report.markdown(report)
    html = mail.render(report).html_inline
    assert html.count('font-variant-numeric:tabular-nums;">—</td>') == 3 * (4 + 1)  # 4 categories + coverage


def test_the_trend_chart_has_gaps_for_periods_without_events():
    import math

    from calaudit.report import charts

    lines = charts.trend_lines(report_of("dst.ics"))
    assert [group.id for group, _ in lines] == ["external", "internal"]
    for _, shares in lines:
        assert [math.isnan(s) for s in shares] == [True, True, True, False]


def test_a_small_group_can_be_off_target_alone(tmp_path):
    # External 8% (sales 4, recruiting 4), internal 92% (46 + 46): the bands are ±4 and ±5.
    # 100 h: external 3.5 h = 3.5% (-4.5 pp, under), internal 96.5% (+4.5 pp, on).
    rules = RULES.read_text()
    for category, target in [("sales", 4), ("recruiting", 4), ("culture", 46), ("ops", 46)]:
        rules = re.sub(rf"({category}: {{label: [^,]+, target: )\d+", rf"\g<1>{target}", rules)
    (tmp_path / "rules.yaml").write_text(rules)
    loaded = config_module.load(tmp_path / "rules.yaml")
    result = audit_hours(loaded=loaded, sales=1.75, recruiting=1.75, culture=48.25, ops=48.25)
    assert [g.status for g in result.groups] == ["under", "on"]
    assert build(result).advice[0] == "External is 4.5 pp under its 8%: about 4.5 h/month could come from Internal"


def test_a_single_invited_instance_of_a_series_is_a_recurring_series():
    # recurrence-edges.ics: the Standup series has 5 one-hour March occurrences (the first,
    # on 2 March, is an instance moved there and carries its own title); the 1:1 Bo override
    # has no master in the file but is still one instance of a series (0.5 h). The two
    # "Incident review" events share a UID but have no RRULE: not recurring.
    series = monthly.costly_series(audit_fixture("recurrence-edges.ics"))
    assert [(s.title, s.hours, s.events, s.category) for s in series] == [
        ("Standup (moved into March)", 5.0, 5, "ops"),
        ("1:1 Bo (single invited instance)", 0.5, 1, "culture"),
    ]


def test_months_before_the_first_event_are_no_data_in_the_trend():
    # recurrence.ics starts on 2 February 2026: December and January have no data.
    text = text_report.render(report_of("recurrence.ics"))
    trend = text.split("Trend (share of classified time)\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"Sales / Customers\s+—\s+—\s+", trend)
    assert not re.search(r"Sales / Customers\s+0\.0%\s+0\.0%", trend)
