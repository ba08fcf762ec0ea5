"""Planning exports (issue 15, item 7): initiatives and action items as CSV — a plain layout
and one Jira's CSV importer reads — and as iCalendar, for the tools teams plan in.

- **CSV** is written with the standard `csv` module and every text cell through
  `formula_safe` (the import error report's rule: a cell a spreadsheet would read as a formula
  starts with a quote), so a title like ``=HYPERLINK(…)`` stays text.
- **Jira layout**: the columns of Jira's CSV importer (Summary, Description, Issue Type,
  Priority, Due Date, Labels — repeated, one label each, Epic Name / Epic Link for
  company-managed Server and Data Center projects, Issue ID / Parent for Jira Cloud, where
  Epic Link is retired; parents come before their children, as the importer needs). An
  initiative is an Epic and each of its milestones a Task under it; an action item is a Task,
  under its initiative's epic when it serves one. Teams become labels (``team-it``): Jira
  assignees are Jira accounts cxkeeper does not know. Dates are written in the importer's
  default format ``dd/MMM/yy h:mm a`` (English month names), so no setting needs changing.
- **iCalendar** (RFC 5545, written by hand like the council's meeting calendar, whose escaping
  and folding it reuses): an all-day VEVENT for each action item with a due date, each
  initiative's ship date and each dated milestone. Events, not VTODOs: the calendars people
  subscribe with (Google, Outlook) show no tasks from a feed. UIDs are stable — the kind, the
  id (and the milestone's position) at a domain named after the workspace — so a subscribed
  calendar updates an event rather than adding a second one.

Who may export: anyone signed in, what they may read (everyone reads initiatives and action
items). See docs/integrations.md, "Planning exports", and docs/decisions/0038.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from cxkeeper import __version__
from cxkeeper.governance import queries
from cxkeeper.governance.choices import CLOSED_STATUSES, ActionStatus, LinkKind
from cxkeeper.governance.exports import fold, ics_text
from cxkeeper.initiatives import queries as initiative_queries
from cxkeeper.initiatives.choices import InitiativeStatus, TeamRole
from cxkeeper.insights.pipeline import formula_safe
from cxkeeper.org.models import Workspace

LAYOUTS = ("plain", "jira")
FORMATS = ("csv", "ics")
CSV_TYPE = "text/csv; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HIGH_PRIORITY_RANKS = 3  # initiatives on the board's top friction points are "High" in Jira

JIRA_COLUMNS = ("Issue ID", "Parent", "Summary", "Description", "Issue Type", "Priority", "Due Date",
                "Epic Name", "Epic Link", "Team")
JIRA_LABEL_COLUMNS = 4  # "Labels" repeated: Jira reads one label per column

INITIATIVE_COLUMNS = ("id", "title", "status", "lead team", "other teams", "ship date", "next milestone",
                      "next milestone due", "milestones", "friction point", "steps", "depends on", "url",
                      "description")
ACTION_ITEM_COLUMNS = ("id", "title", "status", "owner team", "owner", "due", "overdue", "council", "decision",
                       "serves", "completed on", "url", "description")


class UnknownExport(ValueError):
    """A layout or format that does not exist: the message names the choices."""


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise UnknownExport(f"layout must be one of {', '.join(LAYOUTS)}, not “{layout}”.")
    return layout


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownExport(f"format must be one of {', '.join(FORMATS)}, not “{fmt}”.")
    return fmt


# ---------------------------------------------------------------- what is exported


def _initiatives():
    return list(initiative_queries.initiatives().order_by("pk"))


def _action_items():
    return list(queries.action_items().order_by("pk"))


def _milestones(initiative) -> list[tuple[int, str, dt.date | None, bool]]:
    """(position from 1, title, due, done) of each milestone."""
    found = []
    for position, m in enumerate(initiative.milestones or [], start=1):
        due = dt.date.fromisoformat(str(m["due"])) if m.get("due") else None
        found.append((position, str(m.get("title", "")), due, bool(m.get("done"))))
    return found


def _lead(initiative):
    return next((r.team for r in initiative.teams_in_order() if r.role == TeamRole.LEAD), None)


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path if base else path


def _served_initiatives(items) -> dict[int, object]:
    ids = {i.link_id for i in items if i.link_kind == LinkKind.INITIATIVE and i.link_id}
    return {i.pk: i for i in initiative_queries.initiatives().filter(pk__in=ids)} if ids else {}


# ---------------------------------------------------------------- CSV


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([formula_safe(cell) if isinstance(cell, str) else ("" if cell is None else cell)
                         for cell in row])
    return buffer.getvalue().encode("utf-8")


def jira_date(day: dt.date | None) -> str:
    """The importer's default date format, dd/MMM/yy h:mm a (English month names): 05/Jun/27 12:00 AM."""
    return f"{day.day:02d}/{MONTHS[day.month - 1]}/{day:%y} 12:00 AM" if day else ""


def _label(text: str) -> str:
    """A Jira label: no spaces (Jira splits on them)."""
    return slugify(text) or "x"


def _jira_row(*, issue_id: str, parent_id: str = "", summary: str, description: str, issue_type: str,
              priority: str, due: dt.date | None, epic_name: str = "", epic_link: str = "", team: str = "",
              labels: list[str]) -> list:
    labels = (labels + [""] * JIRA_LABEL_COLUMNS)[:JIRA_LABEL_COLUMNS]
    return [issue_id, parent_id, summary, description, issue_type, priority, jira_date(due), epic_name, epic_link,
            team, *labels]


def _jira_header() -> list[str]:
    return [*JIRA_COLUMNS, *(["Labels"] * JIRA_LABEL_COLUMNS)]


def _board_ranks() -> dict[int, int]:
    """Friction point → its rank on the priority board (computed once per data change)."""
    from cxkeeper.initiatives import priority

    return {entry.friction_point_id: entry.rank for entry in priority.board(remember=False).entries}


def _initiative_priority(initiative, ranks: dict[int, int]) -> str:
    rank = ranks.get(initiative.friction_point_id)
    return "High" if rank is not None and rank <= HIGH_PRIORITY_RANKS else "Medium"


def _description(text: str, url: str, *extra: str) -> str:
    parts = [text.strip()] if text.strip() else []
    parts += [line for line in extra if line]
    parts.append(f"In cxkeeper: {url}")
    return "\n\n".join(parts)


def initiatives_csv(*, layout: str = "plain", base_url: str = "") -> Export:
    check_layout(layout)
    rows = []
    initiatives = _initiatives()
    if layout == "plain":
        for i in initiatives:
            lead = _lead(i)
            milestones = _milestones(i)
            upcoming = next(((title, due) for _, title, due, done in milestones if not done), ("", None))
            rows.append([i.pk, i.title, i.get_status_display(), lead.name if lead else "",
                         "; ".join(f"{r.team.name} ({r.get_role_display()})" for r in i.teams_in_order()
                                   if r.role != TeamRole.LEAD),
                         i.ship_date.isoformat() if i.ship_date else "", upcoming[0],
                         upcoming[1].isoformat() if upcoming[1] else "",
                         "; ".join(f"{title} ({due.isoformat() if due else 'no date'}{', done' if done else ''})"
                                   for _, title, due, done in milestones),
                         i.friction_point.title if i.friction_point_id else "",
                         "; ".join(s.name for s in i.steps.all()), "; ".join(d.title for d in i.depends_on.all()),
                         _url(base_url, i.get_absolute_url()), i.description])
        return Export(_csv(INITIATIVE_COLUMNS, rows), "initiatives.csv", CSV_TYPE)
    ranks = _board_ranks()
    tasks = []  # after every epic: Jira's importer links a child only to a parent already read
    for i in initiatives:
        lead = _lead(i)
        team = lead.name if lead else ""
        labels = ["cxkeeper", f"status-{_label(i.status)}"] + [f"team-{_label(r.team.slug)}"
                                                             for r in i.teams_in_order()][:2]
        epic_id = f"initiative-{i.pk}"
        rows.append(_jira_row(
            issue_id=epic_id, summary=i.title, issue_type="Epic", priority=_initiative_priority(i, ranks),
            due=i.ship_date, epic_name=i.title, team=team, labels=labels,
            description=_description(i.description, _url(base_url, i.get_absolute_url()),
                                     f"Friction point: {i.friction_point.title}" if i.friction_point_id else "",
                                     f"Status in cxkeeper: {i.get_status_display()}")))
        for position, title, due, done in _milestones(i):
            tasks.append(_jira_row(
                issue_id=f"{epic_id}-milestone-{position}", parent_id=epic_id, summary=title, issue_type="Task",
                priority=_initiative_priority(i, ranks), due=due, epic_link=i.title, team=team,
                labels=["cxkeeper", "milestone"] + (["done"] if done else []),
                description=_description("", _url(base_url, i.get_absolute_url()),
                                         f"Milestone {position} of the initiative “{i.title}”.")))
    rows += tasks
    return Export(_csv(_jira_header(), rows), "initiatives-jira.csv", CSV_TYPE)


def _overdue(item, today: dt.date) -> bool:
    return bool(item.due and item.due < today and item.status not in CLOSED_STATUSES)


def action_items_csv(*, layout: str = "plain", base_url: str = "") -> Export:
    check_layout(layout)
    items = _action_items()
    served = _served_initiatives(items)
    today = timezone.localdate()
    rows = []
    if layout == "plain":
        for a in items:
            serves = served.get(a.link_id) if a.link_kind == LinkKind.INITIATIVE else None
            link = a.get_link_kind_display() if a.link_kind else ""
            rows.append([a.pk, a.title, a.get_status_display(), a.owner_team.name,
                         (a.owner.get_full_name() or a.owner.get_username()) if a.owner_id else "",
                         a.due.isoformat() if a.due else "", "yes" if _overdue(a, today) else "no",
                         a.council.name, a.decision.statement if a.decision_id else "",
                         f"initiative: {serves.title}" if serves else link,
                         a.completed_on.isoformat() if a.completed_on else "", _url(base_url, a.get_absolute_url()),
                         a.description])
        return Export(_csv(ACTION_ITEM_COLUMNS, rows), "action-items.csv", CSV_TYPE)
    for a in items:
        serves = served.get(a.link_id) if a.link_kind == LinkKind.INITIATIVE else None
        rows.append(_jira_row(
            issue_id=f"action-item-{a.pk}", summary=a.title, issue_type="Task",
            priority="High" if _overdue(a, today) else "Medium", due=a.due, epic_link=serves.title if serves else "",
            team=a.owner_team.name, labels=["cxkeeper", "action-item", f"status-{_label(a.status)}",
                                            f"team-{_label(a.owner_team.slug)}"],
            description=_description(a.description, _url(base_url, a.get_absolute_url()),
                                     f"Council: {a.council.name}",
                                     f"Decision: {a.decision.statement}" if a.decision_id else "")))
    return Export(_csv(_jira_header(), rows), "action-items-jira.csv", CSV_TYPE)


# ---------------------------------------------------------------- iCalendar


def uid_domain() -> str:
    """The UIDs' domain: the workspace's name, so an event keeps its UID whichever address the
    calendar was fetched from (web, API or CLI)."""
    return f"{slugify(Workspace.current().name) or 'workspace'}.cxkeeper"


def _day_event(*, uid: str, day: dt.date, summary: str, description: str, url: str, sequence: int,
               status: str = "CONFIRMED", categories: tuple[str, ...] = ()) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{timezone.now().astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",  # all day: the end is exclusive
        f"SUMMARY:{ics_text(summary)}",
        f"DESCRIPTION:{ics_text(description)}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{status}",
        "TRANSP:TRANSPARENT",  # a due date, not a meeting: the day stays free
    ]
    if categories:
        lines.append("CATEGORIES:" + ",".join(ics_text(c) for c in categories))  # the commas separate
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def _calendar(name: str, events: list[list[str]]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//cxkeeper//cxkeeper {__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{ics_text(name)}"]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def initiative_events(initiative, *, domain: str, base_url: str = "") -> list[list[str]]:
    url = _url(base_url, initiative.get_absolute_url()) if base_url else ""
    lead = _lead(initiative)
    led = f" (led by {lead.name})" if lead else ""
    status = "CANCELLED" if initiative.status == InitiativeStatus.CLOSED and not initiative.ship_date else "CONFIRMED"
    events = []
    if initiative.ship_date:
        events.append(_day_event(
            uid=f"initiative-{initiative.pk}-ship@{domain}", day=initiative.ship_date,
            summary=f"Ships: {initiative.title}", url=url, sequence=initiative.version, status=status,
            description=_description(initiative.description, url or initiative.get_absolute_url(),
                                     f"Ship date of the initiative{led}; its effect is measured from this day."),
            categories=("cxkeeper", "initiative")))
    for position, title, due, done in _milestones(initiative):
        if due is None:
            continue
        events.append(_day_event(
            uid=f"initiative-{initiative.pk}-milestone-{position}@{domain}", day=due,
            summary=f"{'Done: ' if done else ''}{title} — {initiative.title}", url=url, sequence=initiative.version,
            status=status, description=_description(
                "", url or initiative.get_absolute_url(),
                f"Milestone {position} of the initiative “{initiative.title}”{led}."),
            categories=("cxkeeper", "milestone")))
    return events


def action_item_event(item, *, domain: str, base_url: str = "") -> list[str]:
    url = _url(base_url, item.get_absolute_url()) if base_url else ""
    prefix = {ActionStatus.DONE: "Done: ", ActionStatus.DROPPED: "Dropped: "}.get(item.status, "")
    return _day_event(
        uid=f"action-item-{item.pk}@{domain}", day=item.due, summary=f"{prefix}{item.title} ({item.owner_team.name})",
        url=url, sequence=item.version, status="CANCELLED" if item.status == ActionStatus.DROPPED else "CONFIRMED",
        description=_description(item.description, url or item.get_absolute_url(),
                                 f"Action item of {item.owner_team.name}, from the council “{item.council.name}”; "
                                 f"{item.get_status_display()}."),
        categories=("cxkeeper", "action item"))


def initiatives_ics(*, base_url: str = "") -> Export:
    domain = uid_domain()
    events = [e for i in _initiatives() for e in initiative_events(i, domain=domain, base_url=base_url)]
    return Export(_calendar(f"{Workspace.current().name}: initiatives", events), "initiatives.ics", ICS_TYPE)


def action_items_ics(*, base_url: str = "") -> Export:
    domain = uid_domain()
    events = [action_item_event(a, domain=domain, base_url=base_url) for a in _action_items() if a.due]
    return Export(_calendar(f"{Workspace.current().name}: action items", events), "action-items.ics", ICS_TYPE)


def export(what: str, fmt: str, *, layout: str = "plain", base_url: str = "") -> Export:
    """`what`: "initiatives" or "action-items"; `fmt`: csv (with `layout` plain or jira) or ics."""
    check_format(fmt)
    check_layout(layout)
    if what == "initiatives":
        return initiatives_csv(layout=layout, base_url=base_url) if fmt == "csv" else initiatives_ics(base_url=base_url)
    if what == "action-items":
        return (action_items_csv(layout=layout, base_url=base_url) if fmt == "csv"
                else action_items_ics(base_url=base_url))
    raise UnknownExport(f"what must be initiatives or action-items, not “{what}”.")
