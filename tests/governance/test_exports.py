"""Agenda and minutes as Markdown and PDF; meetings as iCalendar, checked strictly against
RFC 5545: CRLF line ends only, no line over 75 octets, folding undone exactly, components
balanced, required properties present, TEXT values escaped and read back to what was written."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2
import pytest
from django.test import Client

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions, exports
from cxkeeper.testing.governance_builders import build_council_world
from cxkeeper.testing.worlds import class_world

NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")
TRICKY = "Queue times; calls, chats\\emails\nand a very long line " + "é" * 60 + " 💬 done"


def unfold(raw: bytes) -> list[str]:
    """The logical lines of an iCalendar stream, refusing anything RFC 5545 does not allow."""
    assert raw.endswith(b"\r\n"), "the stream must end with CRLF"
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, f"bare LF or CR in {line!r}"
        assert len(line) <= 75, f"line of {len(line)} octets: {line!r}"
        line.decode("utf-8")  # folding never splits a character
    logical: list[bytes] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            assert logical, "a continuation line before any content line"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert c not in ";,", f"unescaped {c!r} in TEXT {value!r}"
        out.append(c)
        i += 1
    return "".join(out)


def parse(raw: bytes) -> list[dict]:
    """The VEVENTs as {name: value}, checking names, nesting and required properties."""
    stack, events, current = [], [], None
    for line in unfold(raw):
        name, sep, value = line.partition(":")
        assert sep, f"no colon in {line!r}"
        name = name.split(";")[0]
        assert NAME.match(name), f"bad property name {name!r}"
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                current = {}
        elif name == "END":
            assert stack and stack.pop() == value, f"END:{value} does not close what is open"
            if value == "VEVENT":
                events.append(current)
                current = None
        elif current is not None:
            current[name] = value
    assert stack == [], "unclosed components"
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, f"{required} missing"
        for stamp in ("DTSTAMP", "DTSTART", "DTEND"):
            assert re.fullmatch(r"\d{8}T\d{6}Z", event[stamp]), event[stamp]
    return events


@pytest.mark.django_db
class TestExports:
    @staticmethod
    def build():
        w = build_council_world()
        w.council = actions.update_council(w.council, {"name": "CX council, North; East"},
                                           expected_version=w.council.version, acting_user=SYSTEM)
        w.upcoming = actions.update_meeting(w.upcoming, {"location": "Room 4, floor 2; Lisbon"},
                                            expected_version=w.upcoming.version, acting_user=SYSTEM)
        actions.add_agenda_item(w.upcoming, {"title": TRICKY, "time_box_minutes": 15}, acting_user=SYSTEM)
        return w

    world = class_world(build)

    def test_a_meeting_is_a_strictly_valid_calendar_event(self, world):
        client = Client()
        client.force_login(world.viewer)
        response = client.get(f"/council/meetings/{world.upcoming.pk}/calendar.ics")
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        [event] = parse(response.content)
        assert unescape(event["SUMMARY"]) == "CX council, North; East"
        assert unescape(event["LOCATION"]) == "Room 4, floor 2; Lisbon"
        assert TRICKY in unescape(event["DESCRIPTION"])
        start = world.upcoming.starts_at.astimezone(dt.UTC)
        assert event["DTSTART"] == start.strftime("%Y%m%dT%H%M%SZ")
        assert event["DTEND"] == (start + dt.timedelta(minutes=60)).strftime("%Y%m%dT%H%M%SZ")
        assert event["UID"] == f"meeting-{world.upcoming.pk}@testserver"

    def test_the_councils_calendar_holds_every_meeting(self, world):
        events = parse(exports.calendar([world.past, world.upcoming]))
        assert [e["UID"] for e in events] == [f"meeting-{world.past.pk}@cxkeeper",
                                              f"meeting-{world.upcoming.pk}@cxkeeper"]

    def test_the_strict_check_itself_refuses_broken_calendars(self, world):
        good = exports.calendar([world.upcoming])
        with pytest.raises(AssertionError):
            parse(good.replace(b"\r\n", b"\n"))
        with pytest.raises(AssertionError):
            parse(good.replace(b"END:VEVENT\r\n", b""))
        with pytest.raises(AssertionError):
            unescape("a,b")

    def test_folding_keeps_every_character_whole(self, world):
        line = "DESCRIPTION:" + "é" * 100
        folded = exports.fold(line)
        assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
        assert folded.replace("\r\n ", "") == line

    def test_agenda_and_minutes_in_markdown_escape_user_text(self, world):
        content, name, kind = exports.render(world.upcoming, "agenda", "md")
        text = content.decode()
        assert name.endswith("-agenda.md") and kind.startswith("text/markdown")
        assert "# Council agenda: CX council, North; East" in text
        assert "Queue times; calls, chats\\\\emails" in text  # a backslash is escaped, not eaten
        minutes = exports.render(world.past, "minutes", "md")[0].decode()
        assert "2 of 3 member teams present; the quorum is 2 — met." in minutes
        assert "Fix password reset e-mails before anything else at login" in minutes
        assert "| Send reset e-mails within a minute | IT | Ivan |" in minutes

    def test_agenda_and_minutes_in_pdf(self, world):
        for meeting, kind, expected in ((world.upcoming, "agenda", "Queue times"),
                                        (world.past, "minutes", "Send reset e-mails within a minute")):
            content, name, content_type = exports.render(meeting, kind, "pdf")
            assert content.startswith(b"%PDF") and content_type == "application/pdf"
            pdf = pypdfium2.PdfDocument(content)
            text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            pdf.close()
            assert expected in text.replace("\r\n", " ").replace("\n", " ")


@pytest.mark.django_db
def test_the_scorecard_report_lists_the_teams_commitments(small_org):
    from cxkeeper.outcomes import reports
    from cxkeeper.testing.governance_builders import build_council

    w = build_council(small_org)
    text = reports.scorecard_report(w.it, "md").content.decode()
    assert "## Commitments" in text and "| Send reset e-mails within a minute | action item | open |" in text
    assert "## Commitments" not in reports.scorecard_report(w.sales, "md").content.decode()
