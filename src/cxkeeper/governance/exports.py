"""A meeting's agenda and minutes as Markdown and PDF (the outcomes report renderers: fpdf2,
vendored DejaVu), and meetings as iCalendar files written by hand (RFC 5545: CRLF line ends,
escaped text, lines folded at 75 octets, UTC times)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from cxkeeper import __version__
from cxkeeper.governance import agenda as agenda_engine
from cxkeeper.governance import queries
from cxkeeper.governance.models import Meeting
from cxkeeper.org.models import Workspace
from cxkeeper.outcomes.reports.document import Bullets, Document, Paragraph, Section, Subheading, Table
from cxkeeper.outcomes.reports.markdown import to_markdown
from cxkeeper.outcomes.reports.pdf import to_pdf

FORMATS = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
KINDS = ("agenda", "minutes")


@dataclass
class CouncilDocument(Document):
    @property
    def footer(self) -> str:
        return f"cxkeeper {__version__} · generated {dt.date.today():%d %b %Y}"


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _when(meeting: Meeting) -> str:
    return f"{meeting.starts_at.astimezone(dt.UTC):%a %d %b %Y, %H:%M} UTC, {meeting.duration_minutes} minutes"


def _meta(meeting: Meeting) -> list[tuple[str, str]]:
    council = meeting.council
    meta = [("When", _when(meeting)), ("Council", council.name), ("Facilitator", _person(council.facilitator)),
            ("Executive sponsor", _person(council.sponsor))]
    if meeting.location:
        meta.insert(1, ("Where", meeting.location))
    return meta


def _agenda_table(meeting: Meeting, *, with_notes: bool) -> Table:
    rows, details, plain = [], [], []
    for i, item in enumerate(queries.agenda_of(meeting), start=1):
        teams = ", ".join(t.name for t in item.teams.all()) or "all"
        rows.append([str(i), item.title, agenda_engine.KIND_LABELS.get(item.kind, item.kind), teams,
                     f"{item.time_box_minutes} min"])
        if with_notes:
            details.append(item.notes)
            plain.append("")
        else:  # a target's plain sentence first, its figures as a "Details:" line
            details.append(item.statistics or item.detail)
            plain.append(item.detail if item.statistics else "")
    return Table(["#", "Item", "Why it is here", "Teams", "Time"], rows, [5, 45, 22, 20, 10], align="LLLLR",
                 details=details if any(details) else [], details_title="Notes" if with_notes else "Evidence",
                 plain=plain if any(plain) else [])


def agenda_document(meeting: Meeting) -> CouncilDocument:
    items = list(queries.agenda_of(meeting))
    total = sum(i.time_box_minutes for i in items)
    intro = Paragraph(f"{len(items)} items, {total} minutes of suggested time boxes "
                      f"(the meeting lasts {meeting.duration_minutes}).", "lead")
    blocks = [intro, _agenda_table(meeting, with_notes=False)] if items else [
        Paragraph("Nothing on the agenda yet.", "muted")]
    return CouncilDocument("Council agenda", f"{meeting.council.name}, {meeting.starts_at:%d %b %Y}",
                           _meta(meeting), Workspace.current().mission, [Section("Agenda", blocks)], meeting.day)


def minutes_document(meeting: Meeting) -> CouncilDocument:
    q = queries.quorum(meeting)
    attendees = [_person(u) for u in meeting.attendees.order_by("username")]
    present = Bullets(attendees) if attendees else Paragraph("No attendance recorded.", "muted")
    sections = [Section("Attendance", [Paragraph(q.sentence), present])]
    if meeting.summary:
        sections.append(Section("Summary", [Paragraph(meeting.summary)]))
    agenda_blocks = ([_agenda_table(meeting, with_notes=True)] if meeting.items.exists()
                     else [Paragraph("No agenda item was recorded.", "muted")])
    sections.append(Section("Agenda and notes", agenda_blocks))
    decisions = list(meeting.decisions.order_by("pk"))
    blocks = []
    for d in decisions:
        blocks.append(Subheading(d.statement))
        who = d.get_decided_by_display() if d.decided_by else d.get_status_display()
        line = f"Decided by {who}." + (f" Review on {d.review_on:%d %b %Y}." if d.review_on else "")
        blocks.append(Paragraph(line, "muted"))
        if d.options:
            blocks.append(Bullets([f"Option considered: {o}" for o in d.options]))
        if d.rationale:
            blocks.append(Paragraph(f"Rationale: {d.rationale}"))
    sections.append(Section("Decisions", blocks or [Paragraph("No decision recorded.", "muted")]))
    actions = list(meeting.action_items.select_related("owner_team", "owner").order_by("pk"))
    rows = [[a.title, a.owner_team.name, _person(a.owner), f"{a.due:%d %b %Y}" if a.due else "—",
             a.get_status_display()] for a in actions]
    sections.append(Section("Action items", [Table(["Action", "Team", "Owner", "Due", "Status"], rows,
                                                   [40, 20, 18, 12, 10])] if rows else
                            [Paragraph("No action item recorded.", "muted")]))
    return CouncilDocument("Council minutes", f"{meeting.council.name}, {meeting.starts_at:%d %b %Y}",
                           _meta(meeting), Workspace.current().mission, sections, meeting.day)


def render(meeting: Meeting, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the meeting's agenda or minutes."""
    if kind not in KINDS:
        raise ValueError(f"Unknown document “{kind}”; choose agenda or minutes.")
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format “{fmt}”; choose md or pdf.")
    doc = agenda_document(meeting) if kind == "agenda" else minutes_document(meeting)
    content = to_markdown(doc).encode("utf-8") if fmt == "md" else to_pdf(doc)
    name = f"{slugify(meeting.council.name)}-{meeting.starts_at:%Y-%m-%d}-{kind}.{fmt}"
    return content, name, FORMATS[fmt]


# ---------------------------------------------------------------- iCalendar (RFC 5545)


def ics_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma; newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF + one space), never inside a UTF-8 character."""
    out, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_event(meeting: Meeting, *, host: str = "cxkeeper", url: str = "") -> list[str]:
    council = meeting.council
    items = list(queries.agenda_of(meeting))
    description = "\n".join([council.purpose, "", "Agenda:"] + [f"{i}. {item.title} ({item.time_box_minutes} min)"
                                                               for i, item in enumerate(items, start=1)])
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes))}",
        f"SUMMARY:{ics_text(council.name)}",
        f"DESCRIPTION:{ics_text(description)}",
        f"SEQUENCE:{meeting.version}",
        "STATUS:" + ("CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"),
    ]
    if meeting.location:
        lines.append(f"LOCATION:{ics_text(meeting.location)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings, *, host: str = "cxkeeper", url_of=None) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//cxkeeper//cxkeeper {__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for meeting in meetings:
        lines += meeting_event(meeting, host=host, url=url_of(meeting) if url_of else "")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
