"""The command line through click's CliRunner: formats, files and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from click.testing import CliRunner

from calaudit.cli import main
from tests.helpers import DATA, ICS, RULES


def run(*args: str, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


def audit_args(*extra: str) -> list[str]:
    return [
        "audit",
        "--ics",
        str(ICS / "skips.ics"),
        "--ics",
        str(ICS / "overlap.ics"),
        "--rules",
        str(RULES),
        "--period",
        "2026-03",
        *extra,
    ]


def test_json_output_follows_the_contract():
    # skips.ics: culture 1.5 h, Coffee 1 h unclassified, five skipped events.
    # overlap.ics: sales = recruiting = 35/24 h, ops = 1/12 h (split).
    # total 5.5 h, classified 4.5 h.
    result = run(*audit_args("--format", "json"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {
        "label": "2026-03",
        "start": "2026-03-01T00:00:00-05:00",
        "end": "2026-04-01T00:00:00-04:00",
        "timezone": "America/New_York",
    }
    assert data["hours"] == pytest.approx({"total": 5.5, "classified": 4.5, "unclassified": 1.0})
    assert data["coverage"] == 81.8
    assert data["groups"] == [
        {
            "id": "external",
            "label": "External",
            "hours": pytest.approx(70 / 24),
            "share": 64.8,
            "target": 50.0,
            "delta": 14.8,
            "status": "over",
        },
        {
            "id": "internal",
            "label": "Internal",
            "hours": pytest.approx(1.5 + 1 / 12),
            "share": 35.2,
            "target": 50.0,
            "delta": -14.8,
            "status": "under",
        },
    ]
    categories = {c["id"]: c for c in data["categories"]}
    assert list(categories) == ["sales", "recruiting", "culture", "ops"]
    assert categories["sales"] == {
        "id": "sales",
        "group": "external",
        "label": "Sales / Customers",
        "hours": pytest.approx(35 / 24),
        "share": 32.4,
        "target": 30.0,
        "delta": 2.4,
        "status": "on",
        "events": 1,
    }
    assert (categories["recruiting"]["delta"], categories["recruiting"]["status"]) == (12.4, "over")
    assert (categories["culture"]["share"], categories["culture"]["events"]) == (33.3, 2)
    assert (categories["ops"]["share"], categories["ops"]["status"]) == (1.9, "under")
    assert data["unclassified"] == [{"title": "Coffee with Sam", "hours": 1.0, "events": 1}]
    assert data["skipped"] == {
        "cancelled": {"events": 1, "hours": 2.0},
        "declined": {"events": 1, "hours": 1.0},
        "tentative": {"events": 0, "hours": 0.0},
        "free": {"events": 1, "hours": 2.0},
        "all_day": {"events": 1, "hours": 0.0},
        "ignored": {"events": 1, "hours": 1.0},
        "out_of_office": {"events": 0, "hours": 0.0},
        "invalid": {"events": 0, "hours": 0.0},
    }


def test_table_output():
    result = run(*audit_args())
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "2026-03",
        "Sales / Customers",
        "▲ over",
        "▼ under",
        "✓ on",
        "Coverage",
        "81.8%",
        "Coffee with Sam",
        "declined",
        "cancelled",
    ):
        assert text in out


def test_csv_output():
    result = run(*audit_args("--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["category"] for r in rows] == ["sales", "recruiting", "culture", "ops", "unclassified"]
    assert rows[2] == {
        "group": "internal",
        "category": "culture",
        "label": "Engineering culture",
        "hours": "1.50",
        "share": "33.3",
        "target": "30.0",
        "delta": "3.3",
        "status": "on",
        "events": "2",
    }
    assert rows[4]["hours"] == "1.00"


def test_markdown_output_matches_the_golden_file():
    result = run(*audit_args("--format", "md"))
    assert result.stdout == (DATA / "golden" / "audit.md").read_text()


def test_output_file_is_written_and_stdout_stays_empty(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "march.json"
    result = run(*audit_args("--format", "json", "--output", str(target)))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["hours"]["total"] == pytest.approx(5.5)
    assert [p.name for p in tmp_path.iterdir()] == ["march.json"]


def test_failed_audit_leaves_no_partial_output_file(tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "report.json"
    result = run(
        "audit",
        "--ics",
        str(DATA / "bad" / "truncated.ics"),
        "--rules",
        str(RULES),
        "--period",
        "2026-03",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert result.exit_code == 3
    assert list(tmp_path.iterdir()) == []


def test_warnings_for_unreadable_events_go_to_stderr():
    result = run(
        "audit",
        "--ics",
        str(ICS / "invalid-events.ics"),
        "--rules",
        str(RULES),
        "--period",
        "2026-03",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["skipped"]["invalid"]["events"] == 5
    assert "skipped unreadable event 'Backwards meeting' (UID backwards@test)" in result.stderr


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--ics", str(DATA / "bad" / "truncated.ics")], 3, "truncated iCalendar file"),
        (["--ics", str(DATA / "bad" / "binary.ics")], 3, "binary data"),
        (["--ics", str(ICS / "missing.ics")], 3, "calendar file not found"),
        (["--ics", "http://127.0.0.1:9/cal.ics"], 3, "cannot download calendar"),
        (
            ["--ics", str(ICS / "dst.ics"), "--rules", str(DATA / "bad" / "invalid-yaml.yaml")],
            2,
            "invalid YAML: while parsing a flow sequence started on line 3",
        ),
        (["--ics", str(ICS / "dst.ics"), "--period", "March"], 2, "period 'March' not understood"),
        (["--ics", str(ICS / "dst.ics"), "--from", "2026-03-01"], 2, "--from and --to go together"),
        (["--ics", str(ICS / "dst.ics"), "--format", "pdf"], 2, "Invalid value"),
    ],
)
def test_errors_are_one_line_with_a_documented_exit_status(args, status, message):
    if "--rules" not in args:
        args = [*args, "--rules", str(RULES)]
    result = run("audit", *args)
    assert result.exit_code == status
    assert message in result.stderr
    assert "Traceback" not in result.output
    if status != 2 or "Invalid value" not in message:
        assert result.stderr.count("\n") == 1


def test_debug_shows_the_traceback():
    result = run("--debug", "audit", "--ics", str(DATA / "bad" / "binary.ics"), "--rules", str(RULES))
    assert result.exit_code == 3
    assert "Traceback" in result.stderr


def test_no_calendar_given(tmp_path):
    result = run("audit", "--rules", str(RULES))
    assert result.exit_code == 2
    assert "no calendar given" in result.stderr


def test_rules_are_found_in_the_working_directory(tmp_path):
    (tmp_path / "rules.yaml").write_bytes(RULES.read_bytes())
    result = run("audit", "--ics", str(ICS / "dst.ics"), "--period", "2026-03", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hours"]["total"] == 2.0


def test_sources_from_rules_yaml_resolve_relative_to_it(tmp_path):
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "dst.ics").write_bytes((ICS / "dst.ics").read_bytes())
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text() + "sources:\n  - ics: cal/dst.ics\n")
    result = run("audit", "--rules", str(rules), "--period", "2026-11", "--format", "json")
    assert json.loads(result.stdout)["hours"]["total"] == 3.0


def test_from_to_period():
    result = run(
        "audit",
        "--ics",
        str(ICS / "recurrence.ics"),
        "--rules",
        str(RULES),
        "--from",
        "2026-03-16",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2026-03-16..2026-03-31"
    # moved standup 17 Mar (1 h) + standup 30 Mar (0.5) + 1:1 30 and 31 Mar (1 h)
    assert data["hours"]["total"] == 2.5


def test_demo_runs_without_any_files(tmp_path):
    result = run("audit", "--demo", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "2026-03"
    assert data["coverage"] > 90
    assert all(c["hours"] > 0 for c in data["categories"])
    assert data["skipped"]["declined"]["events"] >= 3


def test_explain_names_the_rule_or_the_skip_reason():
    result = run("explain", "--ics", str(ICS / "skips.ics"), "--rules", str(RULES), "--period", "2026-03")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "rules[2]: title ~ '1:1'" in out
    assert "skipped: declined" in out
    assert "no rule matched" in out
    assert "8 occurrences, 2.50 counted hours in 2026-03" in out


def test_explain_filters():
    base = ["explain", "--ics", str(ICS / "skips.ics"), "--rules", str(RULES), "--period", "2026-03"]
    assert "1 occurrence, 1.00 counted hours" in run(*base, "--unclassified").stdout
    assert "2 occurrences, 1.50 counted hours" in run(*base, "--category", "culture").stdout
    assert "1 occurrence, 0.00" in run(*base, "--search", "LUNCH").stdout
    bad = run(*base, "--category", "nope")
    assert bad.exit_code == 2
    assert "unknown category 'nope'" in bad.stderr


def test_rules_check_summarises():
    result = run("rules", "check", str(RULES))
    assert result.exit_code == 0
    assert "valid" in result.stdout
    assert "5 rules (1 ignore), 3 examples" in result.stdout


def test_rules_check_reports_errors_with_status_2(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(RULES.read_text().replace("target: 20}\n  internal", "target: 19}\n  internal"))
    result = run("rules", "check", str(bad))
    assert result.exit_code == 2
    assert "targets add up to 99" in result.stderr


def test_rules_test_passes_and_fails_with_status_5(tmp_path):
    ok = run("rules", "test", str(RULES))
    assert (ok.exit_code, ok.stdout.strip()) == (0, "3 examples passed")
    broken = tmp_path / "rules.yaml"
    broken.write_text(
        RULES.read_text().replace('{title: "Coffee", category: unclassified}', '{title: "Coffee", category: culture}')
    )
    failed = run("rules", "test", str(broken))
    assert failed.exit_code == 5
    assert "examples[2] 'Coffee': expected culture, got unclassified" in failed.stdout


def test_init_writes_a_valid_template_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "rules.yaml"
    first = run("init", "--profile", "enterprise", str(path))
    assert first.exit_code == 0, first.output
    assert "rules test" not in first.stderr
    assert run("rules", "check", str(path)).exit_code == 0
    assert run("rules", "test", str(path)).exit_code == 0
    before = path.read_text()
    second = run("init", str(path))
    assert second.exit_code == 2
    assert "already exists" in second.stderr
    assert path.read_text() == before


@pytest.mark.slow
def test_python_dash_m_runs_the_same_command_line():
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calaudit",
            "audit",
            "--ics",
            str(ICS / "dst.ics"),
            "--rules",
            str(RULES),
            "--period",
            "2026-03",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hours"]["total"] == 2.0


def test_fail_under_exits_5_naming_the_top_unclassified_titles():
    # skips.ics + overlap.ics: coverage 81.8%.
    failed = run(*audit_args("--format", "json", "--fail-under", "90"))
    assert failed.exit_code == 5
    assert json.loads(failed.stdout)["coverage"] == 81.8  # the report is still written
    assert "coverage 81.8% is below --fail-under 90%" in failed.stderr
    assert "'Coffee with Sam' (1.0 h)" in failed.stderr
    assert run(*audit_args("--format", "json", "--fail-under", "81.8")).exit_code == 0


def test_by_audience_cross_tab():
    # audience.ics: sales = customer call with acme (external) 1 h, customer prep alone
    # 1 h, customer sync with a colleague 0.5 h; interview with a candidate (the room is
    # not a person) 1 h; 1:1 with Ana (plus a Google room) 0.5 h; coffee alone 1 h.
    def by_audience(*fmt: str) -> str:
        args = ["--ics", str(ICS / "audience.ics"), "--rules", str(RULES), "--period", "2026-03"]
        return run("audit", *args, *fmt, "--by", "audience").stdout

    rows = {
        r["category"]: (r["external"], r["internal"], r["solo"], r["total"])
        for r in json.loads(by_audience("--format", "json"))["by_audience"]
    }
    assert rows == {
        "sales": (1.0, 0.5, 1.0, 2.5),
        "recruiting": (1.0, 0.0, 0.0, 1.0),
        "culture": (0.0, 0.5, 0.0, 0.5),
        "ops": (0.0, 0.0, 0.0, 0.0),
        "unclassified": (0.0, 0.0, 1.0, 1.0),
    }
    assert "Hours by audience" in by_audience()
    csv_rows = by_audience("--format", "csv").splitlines()
    assert csv_rows[:2] == ["category,external,internal,solo,total", "sales,1.00,0.50,1.00,2.50"]


def test_json_without_by_keeps_the_contract_shape():
    data = json.loads(run(*audit_args("--format", "json")).stdout)
    assert list(data) == ["period", "hours", "coverage", "groups", "categories", "unclassified", "skipped"]


def test_rules_check_with_a_source_reports_hits_and_unused_keywords():
    result = run("rules", "check", str(RULES), "--ics", str(ICS / "recurrence.ics"), "--period", "2026-03")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "rule hits in 2026-03 (7 occurrences):" in out
    assert "rules[3]     3  ops" in out
    assert "warning: rules[0].title: matched nothing: 'interview'" in out
    assert "warning: owner[0]: 'cto@weave.example' is still the template's placeholder" in out
    assert "5 warnings" in out  # 3 unused keywords, the template's owner and domain


def test_table_output_matches_the_golden_file():
    assert run(*audit_args()).stdout == (DATA / "golden" / "audit.txt").read_text()


def test_placeholders_are_flagged_in_your_rules_but_not_in_the_bundled_demo(tmp_path):
    assert "placeholder" not in run("rules", "check", "--demo").stdout
    run("init", str(tmp_path / "rules.yaml"))
    mine = run("rules", "check", str(tmp_path / "rules.yaml")).stdout
    assert "owner[0]: 'cto@weave.example' is still the template's placeholder" in mine


def test_markdown_by_audience_adds_the_cross_tab():
    # audience.ics, hand-counted in test_by_audience_cross_tab; categories without time are left out.
    args = ["--ics", str(ICS / "audience.ics"), "--rules", str(RULES), "--period", "2026-03"]
    result = run("audit", *args, "--format", "md", "--by", "audience")
    assert result.exit_code == 0, result.output
    section = result.stdout.split("## Hours by audience\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section == [
        "| Category | External | Internal | Solo | Total |",
        "|---|---:|---:|---:|---:|",
        "| Sales / Customers | 1.0 | 0.5 | 1.0 | 2.5 |",
        "| Recruiting | 1.0 | 0.0 | 0.0 | 1.0 |",
        "| Engineering culture | 0.0 | 0.5 | 0.0 | 0.5 |",
        "| Unclassified | 0.0 | 0.0 | 1.0 | 1.0 |",
    ]
    assert "Hours by audience" not in run("audit", *args, "--format", "md").stdout


def _group_with(command):
    """The real error handling of the calaudit command group around one test command."""
    import click

    from calaudit.cli.app import CalauditGroup, _set_debug

    debug = click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_debug)
    group = CalauditGroup(name="calaudit", params=[debug])
    group.add_command(click.Command("boom", callback=command))
    return group


def test_an_unexpected_error_is_one_line_with_status_1():
    def boom():
        raise ZeroDivisionError("division by zero")

    result = CliRunner().invoke(_group_with(boom), ["boom"])
    assert result.exit_code == 1
    assert result.stderr == (
        "calaudit: error: unexpected error: ZeroDivisionError: division by zero; rerun with --debug and report it\n"
    )
    debug = CliRunner().invoke(_group_with(boom), ["--debug", "boom"])
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_ctrl_c_ends_with_status_130_and_one_line():
    def interrupted():
        raise KeyboardInterrupt

    result = CliRunner().invoke(_group_with(interrupted), ["boom"])
    assert result.stderr == "calaudit: error: interrupted; nothing was written\n"
    assert result.exit_code == 130


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "--timeout", "nan"], "Invalid value for '--timeout': 'nan' is not a finite number."),
        (["audit", "--timeout", "1e308"], "Invalid value for '--timeout': 1e+308 is not in the range 0<x<=86400."),
        (
            ["audit", "--max-download-mb", "1e400"],
            "Invalid value for '--max-download-mb': inf is not in the range 0<x<=1000000.",
        ),
        (["audit", "--fail-under", "nan"], "Invalid value for '--fail-under': 'nan' is not a finite number."),
        (["plan", "--basis-hours", "inf"], "Invalid value for '--basis-hours': inf is not in the range 0<x<=1000000."),
        (["plan", "--basis-hours", "NaN"], "Invalid value for '--basis-hours': 'NaN' is not a finite number."),
    ],
    ids=["timeout-nan", "timeout-huge", "download-inf", "fail-under-nan", "basis-inf", "basis-nan"],
)
def test_a_number_option_that_is_not_a_finite_number_in_range_is_a_usage_error(args, message):
    # FloatRange alone lets nan through (it compares false with every bound), which then
    # crashed deep in the run with exit 1.
    result = run(*args, "--demo")
    assert result.exit_code == 2
    assert f"calaudit: error: {message} (see 'calaudit {args[0]} --help')" in result.output


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a day of the calendar (day is out of range for month)."),
        ("2026-2-3", "'2026-2-3' is not a date; write YYYY-MM-DD."),
        ("03/01/2026", "'03/01/2026' is not a date; write YYYY-MM-DD."),
        ("２０２６-０３-０１", "'２０２６-０３-０１' is not a date; write YYYY-MM-DD."),
    ],
)
def test_a_from_day_that_does_not_exist_says_so(day, message):
    # click.DateTime said 2026-02-30 "does not match the format '%Y-%m-%d'", which it does.
    result = run("audit", "--demo", "--from", day, "--to", "2026-03-31")
    assert result.exit_code == 2
    assert result.output == f"calaudit: error: Invalid value for '--from': {message} (see 'calaudit audit --help')\n"


def test_from_and_to_give_the_days_they_name():
    result = run("audit", "--demo", "--from", "2026-02-27", "--to", "2026-03-02", "--format", "json")
    assert result.exit_code == 0, result.output
    period = json.loads(result.output)["period"]
    assert period == {
        "label": "2026-02-27..2026-03-02",
        "start": "2026-02-27T00:00:00-05:00",
        "end": "2026-03-03T00:00:00-05:00",
        "timezone": "America/New_York",
    }


@pytest.mark.parametrize("command", ["audit", "plan", "report"])
@pytest.mark.parametrize("demo", [True, False], ids=["demo", "ics"])
def test_an_empty_period_is_a_usage_error_not_the_default(command, demo):
    # --period "$PERIOD" with PERIOD unset in a cron script audited the default period, exit 0.
    sources = ["--demo"] if demo else ["--rules", str(RULES), "--ics", str(ICS / "dst.ics")]
    result = run(command, *sources, "--period", "")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("calaudit: error: period '' not understood; use YYYY-MM,")


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_a_sign_in_port_outside_1_to_65535_is_a_usage_error(tmp_path, port):
    # 99999 printed ssh instructions, then crashed in bind() with exit 1; 0 printed
    # "ssh -L 0:localhost:0" while the redirect used a random port.
    secrets = tmp_path / "client.json"
    secrets.write_text("{}")
    result = run("auth", "google", "--client-secrets", str(secrets), "--no-browser", "--port", port)
    assert result.exit_code == 2
    assert f"Invalid value for '--port': {port} is not in the range 1<=x<=65535." in result.output
    assert "ssh" not in result.output
