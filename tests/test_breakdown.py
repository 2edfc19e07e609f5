"""audit --by week, --compare and --trend: other periods through the same accounting."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from calaudit import breakdown, pipeline
from calaudit.cli import main
from calaudit.env import Env
from calaudit.report.breakdown import sparkline
from tests.helpers import ICS, RULES, audit_fixture

WEEKS_ICS = str(ICS / "weeks.ics")


def audit_json(*extra: str) -> dict:
    args = ["audit", "--ics", WEEKS_ICS, "--rules", str(RULES), "--period", "2026-03", "--format", "json", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_weeks_are_clipped_to_the_month_and_split_occurrences_exactly():
    # weeks.ics, March 2026 (1 March is a Sunday, so W09 is that one day):
    #   Incident Sun 1 Mar 22:00 - Mon 02:00: 2 h in W09, 2 h in W10;
    #   Incident on the DST night, 00:30 - 03:30 local: 2 h elapsed, W10;
    #   Interview Sun 15 Mar 23:00 - Mon 01:00 and 1:1 Mon 00:00 - 01:00 share 00:00-01:00:
    #     the interview counts 1 h in W11 and 0.5 h in W12 (not 0.75 + 0.75 by its length),
    #     the 1:1 0.5 h in W12;
    #   Customer call Tue 31 Mar 23:00 - 01:00: 1 h inside March, in W14 (30 and 31 March).
    weeks = audit_json("--by", "week")["weeks"]
    assert [(w["label"], w["hours"], {k: v for k, v in w["categories"].items() if v}) for w in weeks] == [
        ("2026-W09", 2.0, {"ops": 2.0}),
        ("2026-W10", 4.0, {"ops": 4.0}),
        ("2026-W11", 1.0, {"recruiting": 1.0}),
        ("2026-W12", 1.0, {"recruiting": 0.5, "culture": 0.5}),
        ("2026-W13", 0.0, {}),
        ("2026-W14", 1.0, {"sales": 1.0}),
    ]
    assert (weeks[0]["start"], weeks[0]["end"]) == ("2026-03-01T00:00:00-05:00", "2026-03-02T00:00:00-05:00")
    assert weeks[1]["end"] == "2026-03-09T00:00:00-04:00"
    assert (weeks[-1]["start"], weeks[-1]["end"]) == ("2026-03-30T00:00:00-04:00", "2026-04-01T00:00:00-04:00")
    assert set(weeks[0]["categories"]) == {"sales", "recruiting", "culture", "ops"}


def test_weeks_add_up_to_the_period_on_the_demo_calendar():
    loaded = pipeline.demo_config()
    period = pipeline.demo_period(loaded)
    result = pipeline.run_audit(loaded, pipeline.fetch_all([pipeline.demo_source(loaded)], period), period)
    weeks = breakdown.weeks(result, loaded.config)
    assert sum(w.total_hours for w in weeks) == pytest.approx(result.total_hours, abs=1e-9)
    for index, category in enumerate(result.categories):
        assert sum(w.categories[index].hours for w in weeks) == pytest.approx(category.hours, abs=1e-9)


def test_compare_with_another_period_gives_the_change_in_points():
    # March (weeks.ics, all 9 h classified): ops 6 h = 66.7%, recruiting 1.5 h = 16.7%,
    # culture 0.5 h = 5.6%, sales 1 h = 11.1%. W12: recruiting 0.5 h, culture 0.5 h = 50% each.
    compare = audit_json("--compare", "2026-W12")["compare"]
    assert compare["period"]["label"] == "2026-W12"
    assert compare["categories"] == [
        {"id": "sales", "hours": 0.0, "share": 0.0, "change": 11.1},
        {"id": "recruiting", "hours": 0.5, "share": 50.0, "change": -33.3},
        {"id": "culture", "hours": 0.5, "share": 50.0, "change": -44.4},
        {"id": "ops", "hours": 0.0, "share": 0.0, "change": 66.7},
    ]
    # external 27.8% now (sales + recruiting) against 50% then
    assert compare["groups"] == [
        {"id": "external", "hours": 0.5, "share": 50.0, "change": -22.2},
        {"id": "internal", "hours": 0.5, "share": 50.0, "change": 22.2},
    ]


def test_compare_with_a_period_without_data_says_so_instead_of_zero():
    compare = audit_json("--compare", "previous")["compare"]
    assert compare["period"]["label"] == "2026-02"
    assert {(c["hours"], c["share"], c["change"]) for c in compare["categories"]} == {(None, None, None)}


def test_trend_lists_the_previous_periods_with_no_data_as_null():
    trend = audit_json("--trend", "2")["trend"]
    assert [(t["period"]["label"], t["hours"], t["categories"]["ops"]) for t in trend] == [
        ("2026-01", None, None),
        ("2026-02", None, None),
    ]


def test_weekly_trend_uses_weeks(tmp_path):
    result = audit_fixture("weeks.ics", period="2026-W12")
    env = Env(
        config_dir=tmp_path,
        cache_dir=tmp_path,
        data_dir=tmp_path,
        clock=lambda: datetime(2026, 4, 1, tzinfo=UTC),
    )
    inputs = pipeline.Inputs(ics=(WEEKS_ICS,), rules=RULES, period="2026-W12", cache=False)
    audited, views = pipeline.audit_views(inputs, env, compare="previous", trend=3)
    assert audited.result.total_hours == result.total_hours == 1.0
    assert [p.period.label for p in views.trend] == ["2026-W09", "2026-W10", "2026-W11"]
    # W09: the Sunday-night incident until Monday 00:00 (2 h); W10: its other 2 h + the DST night.
    assert [p.total_hours for p in views.trend] == [2.0, 4.0, 1.0]
    assert views.comparison is not None and views.comparison.other.period.label == "2026-W11"


def test_the_table_shows_weeks_vs_column_and_trend():
    args = ["audit", "--ics", WEEKS_ICS, "--rules", str(RULES), "--period", "2026-03"]
    result = CliRunner().invoke(main, [*args, "--by", "week", "--compare", "2026-W12", "--trend", "1"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "2026-W12 03-16..03-22" in text
    assert "vs 2026-W12" in text
    assert "-33.3 pp" in text
    assert "2026-02" in text and "—" in text


def test_weeks_and_comparisons_are_refused_in_csv_and_markdown():
    args = ["audit", "--ics", WEEKS_ICS, "--rules", str(RULES), "--period", "2026-03", "--format", "csv"]
    result = CliRunner().invoke(main, [*args, "--by", "week"])
    assert result.exit_code == 2
    assert "table or json" in result.output


def test_sparkline_scales_to_the_largest_and_marks_nothing():
    assert sparkline([0.0, 1.0, 2.0, 4.0]) == "·▃▅█"
    assert sparkline([0.0, 0.0]) == "··"
