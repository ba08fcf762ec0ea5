"""Writes of the governance app. Every write is a versioned, audited core action; permissions
are checked here so pages, API and CLI enforce the same rules (permissions.py). Notifications
are sent after commit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.events import Event, emit, event_kind
from cxkeeper.core.models import ChangeRecord
from cxkeeper.governance import links, queries
from cxkeeper.governance.choices import (
    ActionStatus,
    DecidedBy,
    DecisionStatus,
    MeetingStatus,
)
from cxkeeper.governance.models import ActionItem, AgendaItem, Council, CouncilMember, Decision, Meeting
from cxkeeper.governance.permissions import (
    require_charter,
    require_run_meetings,
    require_sponsor,
    require_update_action,
    runs_meetings,
)
from cxkeeper.org.models import Person

COUNCIL_FIELDS = ("name", "purpose", "all_journeys", "journeys", "sponsor", "facilitator", "council_decides",
                  "sponsor_decides", "teams_decide", "quorum", "cadence_days", "meeting_minutes", "escalation_path")
MEMBER_FIELDS = ("team", "representative", "deputy")
MEETING_FIELDS = ("starts_at", "duration_minutes", "location", "status", "summary")
ITEM_FIELDS = ("title", "detail", "evidence_url", "teams", "time_box_minutes", "notes")
DECISION_FIELDS = ("meeting", "agenda_item", "statement", "options", "decided_by", "rationale", "decided_on",
                   "review_on", "link_kind", "link_id")
ACTION_FIELDS = ("title", "description", "owner_team", "owner", "due", "status", "decision", "meeting",
                 "link_kind", "link_id")
# What a member of the owner team may change on their own team's item (not who owns it).
MEMBER_ACTION_FIELDS = ("status", "owner", "due", "description")


def _only(values: dict, allowed: tuple[str, ...]) -> dict:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidInput({name: "This field cannot be set here." for name in unknown})
    return dict(values)


SEAT_GIVEN = event_kind("council.seat", "You were given a seat on a council")
AGENDA_SENT = event_kind("council.agenda", "A council you sit on sent its agenda")
COUNCIL_DECIDED = event_kind("council.decided", "A council you sit on decided")
ESCALATED_TO_SPONSOR = event_kind("council.escalated", "A council question waits for your decision as sponsor")
SPONSOR_DECIDED = event_kind("council.sponsor_decided", "The sponsor decided a council's escalated question")
ACTION_ASSIGNED = event_kind("action_item.assigned", "A new action item for you or your team")
ACTION_PROGRESS = event_kind("action_item.progress", "An action item of a council you run changed status")
ACTION_OVERDUE = event_kind("action_item.overdue", "An action item of yours is overdue")


def _notify(kind: str, user_ids, message: str, url: str, change: ChangeRecord | None, *, acting_user,
            team_ids=()) -> None:
    """After commit: the event, told to each person (never to whoever acted)."""
    actor = getattr(acting_user, "pk", None)
    recipients = sorted({uid for uid in user_ids if uid is not None and uid != actor})
    if not recipients:
        return
    emit(Event(kind, message[:500], url=url[:300], recipient_ids=tuple(recipients),
               team_ids=tuple(sorted({t for t in team_ids if t is not None})),
               actor=acting_user.get_username() if actor else None,
               change_id=change.pk if change is not None else None))


def _team_member_ids(team_id: int) -> list[int]:
    return list(Person.objects.filter(teams=team_id).values_list("user_id", flat=True))


def _today() -> dt.date:
    return queries.today()


# ---------------------------------------------------------------- the charter


def _unique_slug(name: str, exclude: int | None = None) -> str:
    base = slugify(name)[:100] or "council"
    slug, n = base, 2
    while Council.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_council(values: dict, *, acting_user) -> Council:
    require_charter(acting_user, "create a council")
    values = _only(values, COUNCIL_FIELDS)
    values["slug"] = _unique_slug(values.get("name", ""))
    council, _ = create_object(Council, values, acting_user=acting_user)
    return council


def update_council(council: Council, changes: dict, *, expected_version, acting_user) -> Council:
    """A new version of the charter; the history keeps every earlier one."""
    require_charter(acting_user)
    changes = _only(changes, COUNCIL_FIELDS)
    if "name" in changes and changes["name"] != council.name:
        changes["slug"] = _unique_slug(changes["name"], exclude=council.pk)
    council, _ = update_object(council, changes, expected_version=expected_version, acting_user=acting_user)
    return council


def delete_council(council: Council, *, expected_version, acting_user) -> None:
    """Only a council without meetings, decisions or action items: its record is kept."""
    require_charter(acting_user, "delete a council")
    if council.meetings.exists() or council.decisions.exists() or council.action_items.exists():
        raise InvalidInput({"council": f"“{council.name}” has met, decided or assigned action items: its record "
                                       "is kept. Change its charter instead."})
    with transaction.atomic():
        for seat in council.members.order_by("pk"):
            delete_object(seat, expected_version=None, acting_user=acting_user)
        delete_object(council, expected_version=expected_version, acting_user=acting_user)


def add_member(council: Council, values: dict, *, acting_user) -> CouncilMember:
    require_charter(acting_user, "change a council's members")
    values = _only(values, MEMBER_FIELDS)
    team = values.get("team")
    if team is None:
        raise InvalidInput({"team": "Choose the team this seat is for."})
    if council.members.filter(team=team).exists():
        raise InvalidInput({"team": f"{team.name} already has a seat on “{council.name}”."})
    seat, change = create_object(CouncilMember, {**values, "council": council}, acting_user=acting_user)
    _notify(SEAT_GIVEN, [seat.representative_id, seat.deputy_id], f"You represent {team.name} on “{council.name}”.",
            council.get_absolute_url(), change, acting_user=acting_user,
            team_ids=[team.pk])
    return seat


def update_member(seat: CouncilMember, changes: dict, *, expected_version, acting_user) -> CouncilMember:
    require_charter(acting_user, "change a council's members")
    changes = _only(changes, ("representative", "deputy"))
    seat, _ = update_object(seat, changes, expected_version=expected_version, acting_user=acting_user)
    return seat


def remove_member(seat: CouncilMember, *, expected_version, acting_user) -> None:
    require_charter(acting_user, "change a council's members")
    delete_object(seat, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- meetings


def schedule_meeting(council: Council, values: dict, *, acting_user) -> Meeting:
    """A meeting on the cadence unless a start is given; it lasts the charter's meeting length."""
    require_run_meetings(acting_user, council, "schedule this council's meetings")
    values = _only(values, ("starts_at", "duration_minutes", "location"))
    values.setdefault("starts_at", None)
    if values["starts_at"] is None:
        values["starts_at"] = queries.next_start_by_cadence(council)
    if not values.get("duration_minutes"):
        values["duration_minutes"] = council.meeting_minutes
    meeting, _ = create_object(Meeting, {**values, "council": council}, acting_user=acting_user)
    return meeting


def update_meeting(meeting: Meeting, changes: dict, *, expected_version, acting_user) -> Meeting:
    require_run_meetings(acting_user, meeting.council)
    changes = _only(changes, MEETING_FIELDS)
    meeting, _ = update_object(meeting, changes, expected_version=expected_version, acting_user=acting_user)
    return meeting


def record_attendance(meeting: Meeting, attendees, *, expected_version, acting_user) -> Meeting:
    """Who attended; a meeting whose attendance is recorded has been held."""
    require_run_meetings(acting_user, meeting.council, "record attendance")
    changes = {"attendees": list(attendees)}
    if meeting.status == MeetingStatus.PLANNED:
        changes["status"] = MeetingStatus.HELD
    meeting, _ = update_object(meeting, changes, expected_version=expected_version, acting_user=acting_user)
    return meeting


def delete_meeting(meeting: Meeting, *, expected_version, acting_user) -> None:
    """A meeting that recorded no decision or action item may go (its agenda with it)."""
    require_run_meetings(acting_user, meeting.council, "delete meetings")
    if meeting.decisions.exists() or meeting.action_items.exists():
        raise InvalidInput({"meeting": "This meeting recorded decisions or action items: its minutes are kept. "
                                       "Mark it cancelled instead."})
    with transaction.atomic():
        for item in meeting.items.order_by("pk"):
            delete_object(item, expected_version=None, acting_user=acting_user)
        delete_object(meeting, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- the agenda


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1


def generate_agenda(meeting: Meeting, *, as_of: dt.date | None = None, acting_user) -> list[AgendaItem]:
    """Copy the proposed agenda (`agenda.propose`) into the meeting's stored agenda: items
    already there (same key) are not added twice, so running it again only adds what is new.
    Returns the items added."""
    from cxkeeper.governance import agenda

    require_run_meetings(acting_user, meeting.council, "prepare the agenda")
    proposal = agenda.propose_for_meeting(meeting, as_of=as_of)
    have = set(meeting.items.exclude(key="").values_list("key", flat=True))
    added = []
    with transaction.atomic():
        position = _next_position(meeting)
        for proposed in proposal:
            if proposed.key in have:
                continue
            item, _ = create_object(AgendaItem, {
                "meeting": meeting, "position": position, "kind": proposed.kind, "key": proposed.key[:120],
                "title": proposed.title[:300], "detail": proposed.detail,
                "statistics": proposed.statistics, "evidence_url": proposed.evidence_url[:500],
                "teams": [t.pk for t in proposed.teams], "time_box_minutes": proposed.time_box,
            }, acting_user=acting_user)
            added.append(item)
            position += 1
    return added


def add_agenda_item(meeting: Meeting, values: dict, *, acting_user) -> AgendaItem:
    require_run_meetings(acting_user, meeting.council, "change the agenda")
    values = _only(values, ITEM_FIELDS)
    item, _ = create_object(AgendaItem, {**values, "meeting": meeting, "kind": "manual",
                                         "position": _next_position(meeting)}, acting_user=acting_user)
    return item


def update_agenda_item(item: AgendaItem, changes: dict, *, expected_version, acting_user) -> AgendaItem:
    require_run_meetings(acting_user, item.meeting.council, "change the agenda")
    changes = _only(changes, ITEM_FIELDS)
    item, _ = update_object(item, changes, expected_version=expected_version, acting_user=acting_user)
    return item


def move_agenda_item(item: AgendaItem, direction: str, *, acting_user) -> AgendaItem:
    """Swap the item with its neighbour ("up" or "down"); both moves are in history."""
    require_run_meetings(acting_user, item.meeting.council, "reorder the agenda")
    if direction not in ("up", "down"):
        raise InvalidInput({"direction": "Move an item “up” or “down”."})
    with transaction.atomic():
        ordered = list(item.meeting.items.order_by("position", "id"))
        index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(ordered):
            return item
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, other in enumerate(ordered, start=1):
            if other.position != position:
                update_object(other, {"position": position}, expected_version=None, acting_user=acting_user)
    return AgendaItem.objects.get(pk=item.pk)


def remove_agenda_item(item: AgendaItem, *, expected_version, acting_user) -> None:
    require_run_meetings(acting_user, item.meeting.council, "change the agenda")
    delete_object(item, expected_version=expected_version, acting_user=acting_user)


def send_agenda(meeting: Meeting, *, acting_user) -> Meeting:
    """Members (representatives and deputies), the sponsor and the facilitator get a
    notification with the meeting's page, where the agenda and its calendar file are."""
    require_run_meetings(acting_user, meeting.council, "send the agenda")
    council = meeting.council
    meeting, change = update_object(meeting, {"agenda_sent_at": timezone.now()}, expected_version=None,
                                    acting_user=acting_user)
    people = [council.sponsor_id, council.facilitator_id]
    for seat in council.members.all():
        people += [seat.representative_id, seat.deputy_id]
    n = meeting.items.count()
    _notify(AGENDA_SENT, people, f"Agenda of “{council.name}” on {meeting.starts_at:%d %b %Y %H:%M} UTC: {n} items. "
                    "The calendar file is on the meeting's page.", meeting.get_absolute_url(), change,
            acting_user=acting_user)
    return meeting


# ---------------------------------------------------------------- decisions


def _check_review(values: dict) -> None:
    review_on = values.get("review_on")
    if review_on is not None and review_on < _today():
        raise InvalidInput({"review_on": f"The review date {review_on:%d %b %Y} is in the past; choose today or a "
                                         "later day (or none)."})


def _check_link(values: dict) -> None:
    problems = links.check(values.get("link_kind", "") or "", values.get("link_id"))
    if problems:
        raise InvalidInput(problems)


def _clean_options(values: dict) -> None:
    options = values.get("options")
    if options is None:
        return
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise InvalidInput({"options": "Give the options considered as a list of texts."})
    values["options"] = [o.strip() for o in options if o.strip()]


def record_decision(council: Council, values: dict, *, acting_user) -> Decision:
    """A decision of the log. By consensus: recorded by whoever runs the meetings, at a meeting
    whose quorum is met. By the sponsor's tie-break: by the sponsor (no quorum needed).
    A review date in the past is refused. Nothing is stored when anything is wrong."""
    values = _only(values, DECISION_FIELDS)
    decided_by = values.get("decided_by") or DecidedBy.CONSENSUS
    values["decided_by"] = decided_by
    if decided_by not in DecidedBy.values:
        raise InvalidInput({"decided_by": f"“{decided_by}” is not one of {', '.join(DecidedBy.values)}."})
    meeting = values.get("meeting")
    if decided_by == DecidedBy.SPONSOR:
        require_sponsor(acting_user, council, "record a tie-break")
    else:
        require_run_meetings(acting_user, council, "record the council's decisions")
        if meeting is None:
            raise InvalidInput({"meeting": "A council decision is taken at a meeting: say which one (or record it "
                                           "as the sponsor's tie-break)."})
        q = queries.quorum(meeting)
        if not q.met:
            raise InvalidInput({"meeting": f"No quorum: {q.sentence} The council cannot decide; the sponsor still "
                                           "can, as sponsor, or record who attended first."})
    if meeting is not None and meeting.council_id != council.pk:
        raise InvalidInput({"meeting": "That meeting is of another council."})
    item = values.get("agenda_item")
    if item is not None and (meeting is None or item.meeting_id != meeting.pk):
        raise InvalidInput({"agenda_item": "That agenda item is not on this meeting's agenda."})
    _check_review(values)
    _check_link(values)
    _clean_options(values)
    values.setdefault("decided_on", None)
    if values["decided_on"] is None:
        values["decided_on"] = meeting.day if meeting is not None else _today()
    values.update(council=council, status=DecisionStatus.DECIDED, recorded_by=_user(acting_user))
    decision, change = create_object(Decision, values, acting_user=acting_user)
    people = [seat.representative_id for seat in council.members.all()] + [council.sponsor_id]
    _notify(COUNCIL_DECIDED,
            people, f"“{council.name}” decided: {decision.statement}", decision.get_absolute_url(), change,
            acting_user=acting_user)
    return decision


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def escalate(council: Council, values: dict, *, acting_user) -> Decision:
    """The council cannot agree: the question and its options wait for the sponsor."""
    require_run_meetings(acting_user, council, "escalate a question to the sponsor")
    values = _only(values, ("meeting", "agenda_item", "statement", "options", "rationale", "link_kind", "link_id"))
    _check_link(values)
    _clean_options(values)
    meeting = values.get("meeting")
    if meeting is not None and meeting.council_id != council.pk:
        raise InvalidInput({"meeting": "That meeting is of another council."})
    values.update(council=council, status=DecisionStatus.ESCALATED, decided_by="", recorded_by=_user(acting_user))
    decision, change = create_object(Decision, values, acting_user=acting_user)
    _notify(ESCALATED_TO_SPONSOR,
            [council.sponsor_id], f"Waiting for your decision (“{council.name}”): {decision.statement}",
            decision.get_absolute_url(), change, acting_user=acting_user)
    return decision


def decide_escalation(decision: Decision, values: dict, *, expected_version, acting_user) -> Decision:
    """The sponsor breaks the tie: the chosen statement, the rationale and a review date."""
    require_sponsor(acting_user, decision.council, "decide escalations")
    if decision.status != DecisionStatus.ESCALATED:
        raise InvalidInput({"status": "This decision has already been taken."})
    values = _only(values, ("statement", "rationale", "review_on"))
    if not (values.get("rationale") or "").strip():
        raise InvalidInput({"rationale": "Say why: the council and the teams read the rationale."})
    _check_review(values)
    changes = {**values, "status": DecisionStatus.DECIDED, "decided_by": DecidedBy.SPONSOR,
               "decided_on": _today()}
    decision, change = update_object(decision, changes, expected_version=expected_version, acting_user=acting_user)
    council = decision.council
    people = [seat.representative_id for seat in council.members.all()] + [council.facilitator_id]
    _notify(SPONSOR_DECIDED,
            people, f"The sponsor decided (“{council.name}”): {decision.statement}", decision.get_absolute_url(),
            change, acting_user=acting_user)
    return decision


def update_decision(decision: Decision, changes: dict, *, expected_version, acting_user) -> Decision:
    """Correct the wording, options, rationale or review date (the history keeps each version).
    Setting a new review date after a review takes the decision off the agenda again."""
    require_run_meetings(acting_user, decision.council, "change the decision log")
    changes = _only(changes, ("statement", "options", "rationale", "review_on", "link_kind", "link_id"))
    _check_review(changes)
    _clean_options(changes)
    if "link_kind" in changes or "link_id" in changes:
        _check_link({"link_kind": changes.get("link_kind", decision.link_kind),
                     "link_id": changes.get("link_id", decision.link_id)})
    decision, _ = update_object(decision, changes, expected_version=expected_version, acting_user=acting_user)
    return decision


def delete_decision(decision: Decision, *, expected_version, acting_user) -> None:
    require_run_meetings(acting_user, decision.council, "delete from the decision log")
    delete_object(decision, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- action items


def _action_checks(values: dict, council: Council) -> None:
    problems = {}
    if "owner_team" in values and values["owner_team"] is None:
        problems["owner_team"] = "Every action item is owned by a team: choose one."
    owner, team = values.get("owner"), values.get("owner_team")
    if owner is not None and team is not None:
        person = getattr(owner, "person", None)
        if person is None or not person.teams.filter(pk=team.pk).exists():
            problems["owner"] = f"{owner.get_username()} is not a member of {team.name}."
    decision = values.get("decision")
    if decision is not None and decision.council_id != council.pk:
        problems["decision"] = "That decision is of another council."
    problems.update(links.check(values.get("link_kind", "") or "", values.get("link_id")))
    if problems:
        raise InvalidInput(problems)


def raise_action_item(council: Council, values: dict, *, acting_user) -> ActionItem:
    require_run_meetings(acting_user, council, "assign action items")
    values = _only(values, ACTION_FIELDS)
    values.setdefault("owner_team", None)
    _action_checks(values, council)
    if values.get("status") == ActionStatus.DONE:
        values["completed_on"] = _today()
    item, change = create_object(ActionItem, {**values, "council": council}, acting_user=acting_user)
    people = [item.owner_id] if item.owner_id else _team_member_ids(item.owner_team_id)
    due = f", due {item.due:%d %b %Y}" if item.due else ""
    _notify(ACTION_ASSIGNED,
            people, f"New action item for {item.owner_team.name}{due}: {item.title}", item.get_absolute_url(),
            change, acting_user=acting_user,
            team_ids=[item.owner_team_id])
    return item


def update_action_item(item: ActionItem, changes: dict, *, expected_version, acting_user) -> ActionItem:
    """Members of the owner team update progress (status, owner, due date, description); whoever
    runs the meetings may change anything. Done sets the day it was completed."""
    require_update_action(acting_user, item)
    allowed = ACTION_FIELDS if runs_meetings(acting_user, item.council) else MEMBER_ACTION_FIELDS
    changes = _only(changes, allowed)
    merged = {"owner_team": changes.get("owner_team", item.owner_team), "owner": changes.get("owner", item.owner)}
    if "owner" in changes or "owner_team" in changes:
        _action_checks({**merged, **{k: v for k, v in changes.items() if k not in merged}}, item.council)
    elif "link_kind" in changes or "link_id" in changes or "decision" in changes:
        _action_checks({k: v for k, v in changes.items()}, item.council)
    if "status" in changes:
        if changes["status"] not in ActionStatus.values:
            raise InvalidInput({"status": f"“{changes['status']}” is not one of {', '.join(ActionStatus.values)}."})
        changes["completed_on"] = _today() if changes["status"] == ActionStatus.DONE else None
    item, change = update_object(item, changes, expected_version=expected_version, acting_user=acting_user)
    if change is not None and "status" in changes:
        council = item.council
        _notify(ACTION_PROGRESS,
                [council.facilitator_id], f"{item.owner_team.name} marked “{item.title}” {item.get_status_display()}.",
                item.get_absolute_url(), change, acting_user=acting_user,
            team_ids=[item.owner_team_id])
    return item


def set_action_status(item: ActionItem, status: str, *, expected_version, acting_user) -> ActionItem:
    return update_action_item(item, {"status": status}, expected_version=expected_version, acting_user=acting_user)


def delete_action_item(item: ActionItem, *, expected_version, acting_user) -> None:
    require_run_meetings(acting_user, item.council, "delete action items")
    delete_object(item, expected_version=expected_version, acting_user=acting_user)


def remind_overdue(*, as_of: dt.date | None = None, acting_user) -> list[ActionItem]:
    """Notify the owner (or, without one, the owner team's members) of every overdue item not
    reminded today; what a scheduler runs (`cxkeeper actions remind`). Returns the items."""
    as_of = as_of or _today()
    reminded = []
    for item in queries.overdue_items(as_of).exclude(reminded_on=as_of):
        require_run_meetings(acting_user, item.council, "send reminders")
        item, change = update_object(item, {"reminded_on": as_of}, expected_version=None, acting_user=acting_user)
        people = [item.owner_id] if item.owner_id else _team_member_ids(item.owner_team_id)
        days = (as_of - item.due).days
        _notify(ACTION_OVERDUE,
                people, f"Overdue by {days} day{'s' if days != 1 else ''} ({item.owner_team.name}): {item.title}",
                item.get_absolute_url(), change, acting_user=acting_user,
            team_ids=[item.owner_team_id])
        reminded.append(item)
    return reminded


# ---------------------------------------------------------------- removals of lower objects


def remove_team_from_councils(team, *, acting_user) -> None:
    """A team is being deleted (announced, docs/decisions/0008): its seats go, and its action
    items with it — each a DELETE in history (an action item needs an owner team)."""
    for item in ActionItem.objects.filter(owner_team=team).order_by("pk"):
        delete_object(item, expected_version=None, acting_user=acting_user)
    for seat in CouncilMember.objects.filter(team=team).order_by("pk"):
        delete_object(seat, expected_version=None, acting_user=acting_user)
    for item in AgendaItem.objects.filter(teams=team).order_by("pk"):
        update_object(item, {"teams": [t for t in item.teams.values_list("pk", flat=True) if t != team.pk]},
                      expected_version=None, acting_user=acting_user)


def remove_journey_from_councils(journey, *, acting_user) -> None:
    for council in Council.objects.filter(journeys=journey).order_by("pk"):
        others = [pk for pk in council.journeys.values_list("pk", flat=True) if pk != journey.pk]
        update_object(council, {"journeys": others}, expected_version=None, acting_user=acting_user)



