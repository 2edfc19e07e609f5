"""calaudit plan: committed hours of the coming period against targets x a basis."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from calaudit import pipeline
from calaudit.cli import main
from calaudit.env import Env
from calaudit.report import mail
from calaudit.report import plan as plan_report
from calaudit.report import text as text_report
from tests.helpers import ICS, RULES

PLAN_ICS = str(ICS / "plan.ics")
APRIL_1 = datetime(2026, 4, 1, 12, tzinfo=UTC)
# plan.ics, classified hours per month (fixture rules: sales 30%, recruiting 20%, culture 30%, ops 20%):
#   2025-11: 4 h (ops)      2025-12: 8 h (sales)      2026-01: no events at all
#   2026-02: 10 h (sales 5, recruiting 5) + 1 h unclassified coffee
#   2026-03: 12 h (culture 6, ops 6)
#   2026-04, committed: recruiting 1 h, ops 5 h, culture 3 h, sales 0 h


def env_at(tmp_path, now: datetime) -> Env:
    return Env(config_dir=tmp_path, cache_dir=tmp_path, data_dir=tmp_path, clock=lambda: now)


def plan_cli(tmp_path, *extra: str, now: datetime = APRIL_1):
    args = ["plan", "--ics", PLAN_ICS, "--rules", str(RULES), "--no-cache", *extra]
    return CliRunner().invoke(main, args, obj=env_at(tmp_path, now))


def test_plan_next_month_from_the_three_previous_months_with_data(tmp_path):
    # On 1 April next-month would be May; the plan is asked for April, which has begun.
    result = plan_cli(tmp_path, "--period", "2026-04", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2026-04"
    # January has no data, so the basis is March, February and December: (12 + 10 + 8) / 3 = 10 h
    # (classified hours: February's unclassified coffee is not part of it).
    assert data["basis_hours"] == pytest.approx(10.0)
    assert data["basis_periods"] == ["2026-03", "2026-02", "2025-12"]
    assert lines_of(data["categories"]) == [
        ("sales", 0.0, 3.0, 3.0),
        ("recruiting", 1.0, 2.0, 1.0),
        ("culture", 3.0, 3.0, 0.0),
        ("ops", 5.0, 2.0, -3.0),
    ]
    assert lines_of(data["groups"]) == [("external", 1.0, 5.0, 4.0), ("internal", 8.0, 5.0, -3.0)]


def lines_of(items: list[dict]) -> list[tuple]:
    """(id, committed, target_hours, room), rounded only past float noise (10 x 0.3 is 2.9999...)."""
    return [(i["id"], *(round(i[k], 9) for k in ("committed", "target_hours", "room"))) for i in items]


def test_the_basis_uses_only_periods_that_have_ended(tmp_path):
    # On 20 March, March is not over: the basis is February, December and November, (10 + 8 + 4) / 3.
    planned = pipeline.plan(
        pipeline.Inputs(ics=(PLAN_ICS,), rules=RULES, cache=False), env_at(tmp_path, datetime(2026, 3, 20, tzinfo=UTC))
    )
    assert planned.plan.period.label == "2026-04"  # next-month is the default
    assert planned.plan.basis_periods == ("2026-02", "2025-12", "2025-11")
    assert planned.plan.basis_hours == pytest.approx(22 / 3)


def test_basis_hours_can_be_given(tmp_path):
    data = json.loads(plan_cli(tmp_path, "--period", "2026-04", "--format", "json", "--basis-hours", "20").stdout)
    assert (data["basis_hours"], data["basis_periods"]) == (20.0, [])
    assert [c["target_hours"] for c in data["categories"]] == pytest.approx([6.0, 4.0, 6.0, 4.0])


def test_without_any_earlier_data_the_plan_asks_for_a_basis(tmp_path):
    result = plan_cli(tmp_path, "--period", "2025-11", now=APRIL_1)
    assert result.exit_code == 2
    assert "--basis-hours" in result.output


def test_the_table_says_what_to_book_and_what_to_protect(tmp_path):
    result = plan_cli(tmp_path, "--period", "2026-04")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "basis 10.0 h: mean classified hours of 2026-03, 2026-02, 2025-12" in text
    assert "Sales / Customers: 0 h committed of ~3 h; book ~3 h" in text
    assert "Recruiting: 1 h committed of ~2 h; book ~1 h" in text
    assert "Engineering culture: 3 h committed of ~3 h; on plan" in text
    assert "Engineering operations: 5 h committed of ~2 h; already ~3 h over: book no more, move what you can" in text


def test_the_monthly_report_section_plans_the_month_after_the_report(tmp_path):
    # The report of March audits December to March for its trend; the ended ones with data,
    # newest first, are the basis: (12 + 10 + 8) / 3 = 10 h, as for `calaudit plan`.
    env = env_at(tmp_path, APRIL_1)
    setup = pipeline.prepare(pipeline.Inputs(ics=(PLAN_ICS,), rules=RULES, period="2026-03", cache=False), env)
    report = pipeline.monthly_report(setup, env.now()).report
    assert report.next_plan is not None and report.next_plan.period.label == "2026-04"
    lines = [
        "Next month (2026-04) as the calendar stands, "
        "basis 10.0 h: mean classified hours of 2026-03, 2026-02, 2025-12:",
        "- Sales / Customers: 0 h committed of ~3 h; book ~3 h.",
    ]
    assert plan_report.section_lines(report.next_plan)[:2] == lines
    assert "\n".join(lines) in text_report.render(report)
    markdown = text_report.markdown(report)
    assert "## Next month\n\nNext month \\(2026-04\\) as the calendar stands" in markdown
    assert "\n- Sales / Customers: 0 h committed of \\~3 h; book \\~3 h.\n" in markdown
    assert "<li>Sales / Customers: 0 h committed of ~3 h; book ~3 h.</li>" in mail.render(report).html_inline
    # Before the calendar's first month nothing can be based on: no section at all.
    early = pipeline.prepare(pipeline.Inputs(ics=(PLAN_ICS,), rules=RULES, period="2025-10", cache=False), env)
    early_report = pipeline.monthly_report(early, env.now()).report
    assert early_report.next_plan is None
    assert "Next month" not in text_report.render(early_report)


def test_demo_plans_the_month_after_the_demo_month(tmp_path):
    result = CliRunner().invoke(main, ["plan", "--demo", "--format", "json"], obj=env_at(tmp_path, APRIL_1))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2026-04"
    assert data["basis_periods"] == ["2026-03", "2026-02", "2026-01"]
    assert sum(c["committed"] for c in data["categories"]) > 0


@pytest.mark.parametrize(("hours", "shown"), [(0.0, "0"), (0.26, "0.5"), (3.48, "3.5"), (9.74, "9.5"), (12.4, "12")])
def test_amounts_are_rounded_as_people_plan(hours, shown):
    assert plan_report.amount(hours) == shown


@pytest.mark.parametrize("reported", ["2026-03", "2026-02", "2026-01", "2026-W10", "2026-W12"])
def test_the_report_plans_the_next_period_exactly_as_calaudit_plan_does(tmp_path, reported):
    # The report re-audits only its trend window; plan looks further back for periods with
    # data. Both must reach the same basis, so the report never contradicts `calaudit plan`.
    env = env_at(tmp_path, APRIL_1)
    inputs = pipeline.Inputs(ics=(PLAN_ICS,), rules=RULES, period=reported, cache=False)
    setup = pipeline.prepare(inputs, env)
    from_report = pipeline.monthly_report(setup, env.now()).report.next_plan
    coming = pipeline.following(setup.period).label
    planned = pipeline.plan(pipeline.Inputs(ics=(PLAN_ICS,), rules=RULES, period=coming, cache=False), env).plan
    assert from_report is not None
    assert (from_report.basis_hours, from_report.basis_periods) == (planned.basis_hours, planned.basis_periods)
    assert from_report.categories == planned.categories
