"""explain as data: one record per occurrence, with its calendar and what the split took."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from calaudit.audit import overlapping_others
from calaudit.cli import main
from calaudit.report import csv as csv_report
from calaudit.report import explain
from tests.helpers import ICS, RULES, audit_fixture

EXPLAIN_ICS = str(ICS / "explain.ics")


def explain_cli(*extra: str) -> list[dict]:
    args = ["explain", "--ics", EXPLAIN_ICS, "--rules", str(RULES), "--period", "2026-03", "--format", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    if extra[0] == "json":
        data = json.loads(result.stdout)
        assert data["period"] == "2026-03"
        return data["occurrences"]
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_json_has_one_record_per_occurrence_with_source_and_sharing():
    # explain.ics: Customer call 10-12 and Interview 11-13 share 11-12, so each counts
    # 1 + 0.5 = 1.5 h and shared its time with 1 other; the 13-14 event only touches the
    # interview (0 others); Lunch (ignored) and the declined sync count nothing.
    records = explain_cli("json")
    assert [
        (r["title"], r["hours"], r["span_hours"], r["category"], r["skipped"], r["shared_with"]) for r in records
    ] == [
        ("Customer call", 1.5, 2.0, "sales", None, 1),
        ("Interview", 1.5, 2.0, "recruiting", None, 1),
        ("Lunch", 0.0, 0.75, None, "ignored", 0),
        ('=HYPERLINK("http://evil.example")', 1.0, 1.0, "unclassified", None, 0),
        ("Customer sync", 0.0, 1.0, None, "declined", 0),
    ]
    first = records[0]
    assert (first["start"], first["end"]) == ("2026-03-03T10:00:00-05:00", "2026-03-03T12:00:00-05:00")
    assert first["rule"] == "rules[1]: title ~ 'customer'"
    assert records[3]["rule"] is None
    assert {r["source"] for r in records} == {EXPLAIN_ICS}


def test_counted_hours_of_the_records_add_up_to_the_audit_total():
    records = explain_cli("json")
    assert sum(r["hours"] for r in records) == audit_fixture("explain.ics").total_hours == 4.0


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas():
    rows = explain_cli("csv")
    assert rows[3]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["title"] == "Customer call"
    assert (rows[0]["hours"], rows[0]["shared_with"], rows[0]["skipped"]) == ("1.5", "1", "")
    assert (rows[4]["category"], rows[4]["skipped"]) == ("", "declined")
    assert [csv_report.cell_text(v) for v in ("+1", "-2", "@x", "a=b")] == ["'+1", "'-2", "'@x", "a=b"]


def test_the_table_names_the_calendar_and_how_much_the_split_took():
    result = audit_fixture("explain.ics")
    customer = result.occurrences[0]
    assert explain.why(customer) == "rules[1]: title ~ 'customer'; shared with 1 other (1.50 of 2.00 h)"
    text = (
        CliRunner()
        .invoke(
            main, ["explain", "--ics", EXPLAIN_ICS, "--rules", str(RULES), "--period", "2026-03"], terminal_width=250
        )
        .stdout
    )
    assert "explain.ics" in text
    assert "shared with 1 other" in text


def test_shared_with_counts_each_other_event_once():
    # overlap.ics: Customer call 10-12, Interview 11-13, Standup 11:30-11:45: all three meet.
    result = audit_fixture("overlap.ics")
    assert [(o.event.title, o.shared_with) for o in result.occurrences] == [
        ("Customer call", 2),
        ("Interview", 2),
        ("Standup", 2),
    ]
    assert [o.shared_with for o in audit_fixture("overlap.ics", overlap="full").occurrences] == [0, 0, 0]


def test_overlapping_others_ignores_touching_and_empty_intervals():
    from datetime import UTC, datetime

    def at(hour: int) -> datetime:
        return datetime(2026, 3, 3, hour, tzinfo=UTC)

    # [9,12) meets [10,11) and [11,13); [12,13)... touches [9,12) only at 12; [10,10) is empty.
    spans = [(at(9), at(12)), (at(10), at(11)), (at(11), at(13)), (at(12), at(14)), (at(10), at(10))]
    assert overlapping_others(spans) == [2, 1, 2, 1, 0]


def test_overlapping_others_agrees_with_counting_pairs():
    import random
    from datetime import UTC, datetime, timedelta

    rng = random.Random(15)
    origin = datetime(2026, 3, 3, tzinfo=UTC)
    spans = []
    for _ in range(200):
        start = origin + timedelta(minutes=15 * rng.randrange(40))
        spans.append((start, start + timedelta(minutes=15 * rng.randrange(5))))
    pairs = [
        sum(1 for j, (s2, e2) in enumerate(spans) if j != i and s2 < e and e2 > s and e2 > s2) if e > s else 0
        for i, (s, e) in enumerate(spans)
    ]
    assert overlapping_others(spans) == pairs
