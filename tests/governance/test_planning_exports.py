"""Planning exports (issue 15, item 7): initiatives and action items as CSV (plain and Jira's
importer layout, formula-safe) and iCalendar (checked by a strict reader and by `icalendar`),
from the pages' download links and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.governance import planning_exports
from cxkeeper.insights.pipeline import FORMULA_STARTS
from cxkeeper.testing import icalcheck
from cxkeeper.testing.planning_builders import HOSTILE_TITLE, LONG_DESCRIPTION, build_planning

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(small_org):
    return build_planning(small_org)


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def dicts(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def assert_formula_safe(table: list[list[str]]) -> None:
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


# ---------------------------------------------------------------- CSV


def test_plain_csv_round_trips_every_initiative_and_action_item_safely(w):
    initiatives = planning_exports.initiatives_csv(base_url="https://cx.example.com/")
    assert initiatives.content_type.startswith("text/csv") and initiatives.filename == "initiatives.csv"
    assert_formula_safe(rows(initiatives.content))
    (row,) = dicts(initiatives.content)
    assert row["title"] == "'" + HOSTILE_TITLE  # shown as text, never run as a formula
    assert row["description"] == LONG_DESCRIPTION
    assert row["lead team"] == w.it.name and row["other teams"] == f"{w.service.name} (contributes)"
    assert row["next milestone"] == "Release 4.2" and row["next milestone due"] == "2027-06-01"
    assert row["url"] == f"https://cx.example.com/initiatives/{w.initiative.pk}/"

    items = planning_exports.action_items_csv()
    table = rows(items.content)
    assert_formula_safe(table)
    by_title = {r["title"]: r for r in dicts(items.content)}
    assert set(by_title) == {"Send reset e-mails within a minute", "'@SUM(1,2) — brief the helpline; then +call",
                             "Write the FAQ"}
    linked = by_title["'@SUM(1,2) — brief the helpline; then +call"]
    assert linked["overdue"] == "yes" and linked["owner team"] == w.service.name
    assert linked["serves"] == f"initiative: {HOSTILE_TITLE}"
    assert linked["description"] == LONG_DESCRIPTION
    assert by_title["Write the FAQ"]["due"] == ""


def test_jira_layout_has_the_importers_columns_and_links_tasks_to_their_epic(w):
    content = planning_exports.initiatives_csv(layout="jira").content
    table = rows(content)
    assert table[0] == ["Issue ID", "Parent", "Summary", "Description", "Issue Type", "Priority", "Due Date",
                        "Epic Name", "Epic Link", "Team", "Labels", "Labels", "Labels", "Labels"]
    assert_formula_safe(table)
    epic, *milestones = [dict(zip(table[0][:10], r[:10], strict=True)) | {"labels": r[10:]} for r in table[1:]]
    assert epic["Issue Type"] == "Epic" and epic["Summary"] == epic["Epic Name"] == "'" + HOSTILE_TITLE
    assert epic["Team"] == w.it.name and epic["Priority"] in ("High", "Medium")
    assert epic["Due Date"] == ""  # not shipped: no ship date yet
    assert "team-it" in epic["labels"] and all(" " not in label for label in epic["labels"])
    assert [m["Summary"] for m in milestones] == ["New mail provider, chosen", "Release 4.2", "Tell the helpline"]
    for m in milestones:
        assert m["Issue Type"] == "Task" and m["Parent"] == epic["Issue ID"]
        assert m["Epic Link"] == epic["Epic Name"]
    # the importer's default date format, dd/MMM/yy h:mm a
    assert dt.datetime.strptime(milestones[1]["Due Date"], "%d/%b/%y %I:%M %p").date() == dt.date(2027, 6, 1)
    assert milestones[2]["Due Date"] == ""

    items = rows(planning_exports.action_items_csv(layout="jira").content)
    assert items[0] == table[0]
    assert_formula_safe(items)
    linked = next(r for r in items[1:] if "brief the helpline" in r[2])
    assert linked[4] == "Task" and linked[5] == "High"  # overdue
    assert linked[8] == epic["Epic Name"]  # under its initiative's epic
    assert dt.datetime.strptime(linked[6], "%d/%b/%y %I:%M %p").date() == w.linked_action.due


def test_an_unknown_layout_or_format_names_the_choices(w):
    with pytest.raises(planning_exports.UnknownExport, match="plain, jira"):
        planning_exports.initiatives_csv(layout="excel")
    with pytest.raises(planning_exports.UnknownExport, match="csv, ics"):
        planning_exports.export("initiatives", "xlsx")


# ---------------------------------------------------------------- iCalendar


def test_ics_is_strict_rfc5545_with_stable_uids(w):
    content = planning_exports.initiatives_ics(base_url="https://cx.example.com/").content
    calendar = icalcheck.parse(content)
    events = [c for c in calendar.children if c.name == "VEVENT"]
    # the undated milestone ("Tell the helpline") has no day to show, and no ship date is set yet
    assert [e.get("DTSTART") for e in events] == ["20270501", "20270601"]
    assert all(e.params("DTSTART") == "VALUE=DATE" for e in events)
    assert events[0].text("SUMMARY") == f"Done: New mail provider, chosen — {HOSTILE_TITLE}"
    assert f"the initiative “{HOSTILE_TITLE}” (led by IT)" in events[1].text("DESCRIPTION")
    assert max(len(line) for line in content.split(b"\r\n")) > 70  # long text was really folded
    again = icalcheck.parse(planning_exports.initiatives_ics().content)
    assert [e.get("UID") for e in events] == [e.get("UID") for e in again.children]  # stable across exports
    assert len({e.get("UID") for e in events}) == len(events)

    items = icalcheck.parse(planning_exports.action_items_ics().content)
    summaries = [e.text("SUMMARY") for e in items.children]
    assert "@SUM(1,2) — brief the helpline; then +call (Customer service)" in summaries
    assert not any("Write the FAQ" in s for s in summaries)  # no due date, no event
    linked = next(e for e in items.children if "brief the helpline" in e.text("SUMMARY"))
    assert LONG_DESCRIPTION in linked.text("DESCRIPTION")  # escaped, folded and read back whole
    domain = planning_exports.uid_domain()
    assert {e.get("UID") for e in items.children} == {f"action-item-{w.it_action.pk}@{domain}",
                                                      f"action-item-{w.linked_action.pk}@{domain}"}


@pytest.mark.parametrize("bad, message", [
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\n", "CRLF"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nSUMMARY:" + b"x" * 80 + b"\r\nEND:VCALENDAR\r\n", "octets"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n", "does not close"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:a, b\r\nEND:VCALENDAR\r\n", "unescaped ','"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-CALNAME:a; b\r\nEND:VCALENDAR\r\n", "unescaped ';'"),
])
def test_the_strict_reader_refuses_what_calendars_stumble_over(bad, message):
    with pytest.raises(icalcheck.IcsError, match=message):
        icalcheck.parse(bad)


def test_icalendar_reads_the_same_events(w):
    icalendar = pytest.importorskip("icalendar")
    for content in (planning_exports.initiatives_ics().content, planning_exports.action_items_ics().content):
        calendar = icalendar.Calendar.from_ical(content)
        events = list(calendar.walk("VEVENT"))
        ours = [c for c in icalcheck.parse(content).children if c.name == "VEVENT"]
        assert [str(e["SUMMARY"]) for e in events] == [c.text("SUMMARY") for c in ours]
        assert [e.decoded("DTSTART") for e in events] == [dt.datetime.strptime(c.get("DTSTART"), "%Y%m%d").date()
                                                           for c in ours]
        assert all(e.decoded("DTEND") - e.decoded("DTSTART") == dt.timedelta(days=1) for e in events)


# ---------------------------------------------------------------- pages and CLI


def test_download_links_on_both_lists_for_anyone_signed_in(client, w):
    client.force_login(w.viewer)
    assert 'href="/initiatives/export.csv?layout=jira"' in client.get("/initiatives/").content.decode()
    board = client.get("/council/actions/").content.decode()
    assert 'href="/council/action-items/export.ics"' in board and 'href="/council/action-items/export.csv"' in board
    response = client.get("/initiatives/export.csv", {"layout": "jira"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="initiatives-jira.csv"'
    assert rows(response.content)[1][2] == "'" + HOSTILE_TITLE
    response = client.get("/council/action-items/export.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert icalcheck.parse(response.content).children
    assert client.get("/council/action-items/export.csv").status_code == 200
    assert client.get("/initiatives/export.ics").status_code == 200
    bad = client.get("/initiatives/export.csv", {"layout": "excel"})
    assert bad.status_code == 400 and "layout must be one of plain, jira" in bad.content.decode()
    assert client.get("/initiatives/export.xlsx").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, w):
    response = client.get("/initiatives/export.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_cli_writes_each_format(w, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["export", "initiatives", "--format", "jira"])
    assert result.exit_code == 0, result.output
    assert rows(result.stdout_bytes)[0][:3] == ["Issue ID", "Parent", "Summary"]
    out = tmp_path / "items.ics"
    result = runner.invoke(app, ["export", "action-items", "--format", "ics", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert icalcheck.parse(out.read_bytes()).children
    result = runner.invoke(app, ["export", "initiatives", "--format", "xlsx"])
    assert result.exit_code == 2 and "csv, jira, ics" in result.output
