"""API of the CX council: `/api/v1/councils`, `/meetings`, `/decisions`, `/action-items`.
Every write goes through `cxkeeper.governance.actions`, like the pages: keepers and admins keep
the charter; the facilitator, keepers and admins run meetings; members update their own team's
action items; the sponsor decides escalations; everyone signed in reads.
See docs/api.md ("The CX council") and docs/governance.md."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Q
from ninja import Field, Router, Schema

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    VersionIn,
    acting_user,
    expected_version,
    get_or_404,
    ref,
    resolve_user,
    serializes,
)
from cxkeeper.core.crud import Crud
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.params import MAX_ID
from cxkeeper.governance import actions, agenda, queries
from cxkeeper.governance.choices import ActionStatus, DecidedBy, DecisionStatus, LinkKind, MeetingStatus
from cxkeeper.governance.models import ActionItem, Council, Decision, Meeting
from cxkeeper.journeys.models import Journey
from cxkeeper.org.models import Team

Ref = int | str
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)  # the days a council may look at
council_ref = ref(Council, "slug", "name")
team_ref = ref(Team, "slug", "name")
meeting_ref = ref(Meeting)
decision_ref = ref(Decision)


def _user_ref(value, field):
    return resolve_user(value, field=field)


def _journeys_ref(values, field):
    if values is None:
        return []
    journey = ref(Journey, "slug", "name")
    return [journey(v, field=field) for v in values]


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# ---------------------------------------------------------------- councils


class MemberOut(Schema):
    id: int
    team: str
    team_id: int
    representative: str | None
    deputy: str | None
    version: int

    @staticmethod
    def resolve_team(obj):
        return obj.team.name

    @staticmethod
    def resolve_representative(obj):
        return _username(obj.representative)

    @staticmethod
    def resolve_deputy(obj):
        return _username(obj.deputy)


@serializes(Council)
class CouncilOut(Schema):
    id: int
    name: str
    slug: str
    purpose: str
    all_journeys: bool
    journeys: list[str] = Field(description="Journey names in scope when not every journey.")
    sponsor: str | None = Field(description="Username of the executive sponsor.")
    facilitator: str | None
    council_decides: str
    sponsor_decides: str
    teams_decide: str
    quorum: int
    cadence_days: int
    meeting_minutes: int
    escalation_path: str
    members: list[MemberOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_journeys(obj):
        return [j.name for j in obj.journeys.all()]

    @staticmethod
    def resolve_sponsor(obj):
        return _username(obj.sponsor)

    @staticmethod
    def resolve_facilitator(obj):
        return _username(obj.facilitator)

    @staticmethod
    def resolve_members(obj):
        return list(queries.members_of(obj))


class CouncilIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    purpose: str = Field(min_length=1)
    all_journeys: bool = True
    journeys: list[Ref] = Field(default_factory=list, description="journey ids, slugs or names")
    sponsor: Ref | None = Field(None, description="user id or username")
    facilitator: Ref | None = Field(None, description="user id or username")
    council_decides: str = ""
    sponsor_decides: str = ""
    teams_decide: str = ""
    quorum: int = Field(1, ge=1, le=1000)
    cadence_days: int = Field(28, ge=1, le=366)
    meeting_minutes: int = Field(60, ge=5, le=600)
    escalation_path: str = ""


class CouncilPatch(VersionIn):
    name: str | None = Field(None, min_length=1, max_length=120)
    purpose: str | None = Field(None, min_length=1)
    all_journeys: bool | None = None
    journeys: list[Ref] | None = None
    sponsor: Ref | None = None
    facilitator: Ref | None = None
    council_decides: str | None = None
    sponsor_decides: str | None = None
    teams_decide: str | None = None
    quorum: int | None = Field(None, ge=1, le=1000)
    cadence_days: int | None = Field(None, ge=1, le=366)
    meeting_minutes: int | None = Field(None, ge=5, le=600)
    escalation_path: str | None = None


class CouncilFilters(Schema):
    journey: str | None = Field(None, description="journey id, slug or name: the councils whose scope covers it")

    def query(self):
        rows = queries.councils()
        if self.journey:
            journey = ref(Journey, "slug", "name")(self.journey, field="journey")
            rows = rows.filter(Q(all_journeys=True) | Q(journeys=journey)).distinct()
        return rows


COUNCIL_REFS = {"sponsor": _user_ref, "facilitator": _user_ref, "journeys": _journeys_ref}

councils_router = Router(tags=["governance"])

(Crud(councils_router, Council, name="council", plural="councils", out=CouncilOut, queryset=queries.councils,
      refs=COUNCIL_REFS)
    .list(CouncilFilters, query=CouncilFilters.query, summary="List councils and their charters")
    .get(summary="Get a council's charter and members")
    .create(CouncilIn, actions.create_council, reread=True, exclude_none=False,
            summary="Create a council (keeper or admin)")
    .update(CouncilPatch, actions.update_council, reread=True,
            summary="Change a council's charter: a new version, the history keeps the old (keeper or admin)")
    .delete(actions.delete_council, summary="Delete a council that never met (keeper or admin)")
    .history())


class MemberIn(Schema):
    team: Ref = Field(description="team id, slug or name")
    representative: Ref | None = Field(None, description="user id or username")
    deputy: Ref | None = Field(None, description="user id or username")


@councils_router.post("/{id}/members", url_name="council_members", response={201: MemberOut, **WRITE_ERRORS},
                      summary="Give a team a seat, with its representative and deputy (keeper or admin)")
def add_member(request, id: int, payload: MemberIn):
    council = get_or_404(Council, id)
    values = {"team": team_ref(payload.team, field="team"),
              "representative": _user_ref(payload.representative, "representative"),
              "deputy": _user_ref(payload.deputy, "deputy")}
    return 201, actions.add_member(council, values, acting_user=acting_user(request))


class ProposedOut(Schema):
    kind: str
    kind_label: str
    key: str
    title: str
    detail: str
    statistics: str = Field("", description="the figures behind the detail (a target's explanation), or empty")
    evidence_url: str
    teams: list[str]
    time_box_minutes: int


class ProposalOut(Schema):
    council: str
    since: dt.date = Field(description="The last meeting's day (or one cadence back): the period starts here.")
    as_of: dt.date
    items: list[ProposedOut]


@councils_router.get("/{id}/agenda", url_name="council_agenda", response={200: ProposalOut, **READ_ERRORS},
                     summary="The agenda the data proposes since the council's last meeting")
def proposed_agenda(request, id: int, as_of: dt.date | None = None):
    """Drawn from everything since the last meeting up to `as_of` (default today): each item with
    its kind, evidence link, the teams concerned and a suggested time box. Read-only: a meeting's
    stored agenda is a copy the facilitator edits (`POST /meetings/{id}/agenda`)."""
    council = get_or_404(Council, id)
    as_of = as_of or queries.today()
    if not EARLIEST <= as_of <= LATEST:
        raise InvalidInput({"as_of": f"Give a day between {EARLIEST} and {LATEST}."})
    last = council.meetings.filter(starts_at__date__lt=as_of).exclude(status=MeetingStatus.CANCELLED) \
        .order_by("-starts_at").first()
    since = last.day if last is not None else as_of - dt.timedelta(days=council.cadence_days)
    items = agenda.propose(council, since=since, as_of=as_of)
    return {"council": council.name, "since": since, "as_of": as_of,
            "items": [{**i.as_dict(), "kind_label": agenda.KIND_LABELS.get(i.kind, i.kind)} for i in items]}


# ---------------------------------------------------------------- meetings


class AgendaItemOut(Schema):
    id: int
    position: int
    kind: str
    title: str
    detail: str
    statistics: str = Field("", description="the figures behind the detail (a target's explanation), or empty")
    evidence_url: str
    teams: list[str]
    time_box_minutes: int
    notes: str
    version: int

    @staticmethod
    def resolve_teams(obj):
        return [t.name for t in obj.teams.all()]


@serializes(Meeting)
class MeetingOut(Schema):
    id: int
    council_id: int
    council: str
    starts_at: dt.datetime
    duration_minutes: int
    location: str
    status: str
    summary: str
    attendees: list[str]
    quorum_met: bool
    quorum: str = Field(description="The quorum in a sentence: teams present, seats, required.")
    agenda_sent_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_council(obj):
        return obj.council.name

    @staticmethod
    def resolve_attendees(obj):
        return sorted(u.get_username() for u in obj.attendees.all())

    @staticmethod
    def resolve_quorum_met(obj):
        return queries.quorum(obj).met

    @staticmethod
    def resolve_quorum(obj):
        return queries.quorum(obj).sentence


class MeetingIn(Schema):
    council: Ref = Field(description="council id, slug or name")
    starts_at: dt.datetime | None = Field(None, description="default: on the cadence after the last meeting")
    duration_minutes: int | None = Field(None, ge=5, le=600)
    location: str = ""


class MeetingPatch(VersionIn):
    starts_at: dt.datetime | None = None
    duration_minutes: int | None = Field(None, ge=5, le=600)
    location: str | None = None
    status: Literal[tuple(MeetingStatus.values)] | None = None  # type: ignore[valid-type]
    summary: str | None = None


class MeetingFilters(Schema):
    council: str | None = Field(None, description="council id, slug or name")

    def query(self):
        return queries.meetings(council=council_ref(self.council, "council") if self.council else None)


def _schedule(values, *, acting_user):
    council = values.pop("council")
    return actions.schedule_meeting(council, values, acting_user=acting_user)


meetings_router = Router(tags=["governance"])

meeting_crud = (
    Crud(meetings_router, Meeting, name="meeting", plural="meetings", out=MeetingOut, queryset=queries.meetings,
         refs={"council": council_ref})
    .list(MeetingFilters, query=MeetingFilters.query, summary="List council meetings, newest first")
    .get(summary="Get a meeting")
    .create(MeetingIn, _schedule, reread=True, summary="Schedule a meeting (facilitator, keeper or admin)")
    .update(MeetingPatch, actions.update_meeting, reread=True,
            summary="Change a meeting or write its minutes (facilitator, keeper or admin)")
    .delete(actions.delete_meeting, summary="Delete a meeting that recorded nothing (facilitator, keeper or admin)")
)


class AttendanceIn(VersionIn):
    attendees: list[Ref] = Field(description="user ids or usernames of everyone present")


@meetings_router.post("/{id}/attendance", url_name="meeting_attendance", response={200: MeetingOut, **WRITE_ERRORS},
                      summary="Record who attended (facilitator, keeper or admin)")
def record_attendance(request, id: int, payload: AttendanceIn):
    meeting = get_or_404(Meeting, id)
    people = [resolve_user(v, field="attendees") for v in payload.attendees]
    return actions.record_attendance(meeting, people, expected_version=expected_version(request, payload.version),
                                     acting_user=acting_user(request))


@meetings_router.get("/{id}/agenda", url_name="meeting_agenda", response={200: list[AgendaItemOut], **READ_ERRORS},
                     summary="A meeting's stored agenda, in order")
def meeting_agenda(request, id: int):
    return list(queries.agenda_of(get_or_404(Meeting, id)))


@meetings_router.post("/{id}/agenda", url_name="meeting_agenda",
                      response={200: list[AgendaItemOut], **WRITE_ERRORS},
                      summary="Copy what the data proposes into the stored agenda (facilitator, keeper or admin)")
def generate_agenda(request, id: int):
    """Items already on the agenda are not added twice; answers with the whole agenda."""
    meeting = get_or_404(Meeting, id)
    actions.generate_agenda(meeting, acting_user=acting_user(request))
    return list(queries.agenda_of(meeting))


meeting_crud.history()


# ---------------------------------------------------------------- decisions


@serializes(Decision)
class CouncilDecisionOut(Schema):
    id: int
    council_id: int
    council: str
    meeting_id: int | None
    agenda_item_id: int | None
    statement: str
    options: list[str]
    status: str
    decided_by: str = Field(description="consensus, sponsor, or empty while waiting for the sponsor")
    rationale: str
    decided_on: dt.date | None
    review_on: dt.date | None
    link_kind: str
    link_id: int | None
    recorded_by: str | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_council(obj):
        return obj.council.name

    @staticmethod
    def resolve_recorded_by(obj):
        return _username(obj.recorded_by)


Links = Literal[tuple(v for v in LinkKind.values if v)]  # type: ignore[valid-type]


class DecisionIn(Schema):
    council: Ref = Field(description="council id, slug or name")
    meeting: int | None = Field(None, description="meeting id; required for a council (consensus) decision")
    statement: str = Field(min_length=1, max_length=500)
    options: list[str] = Field(default_factory=list, description="the options considered")
    decided_by: Literal[tuple(DecidedBy.values)] = DecidedBy.CONSENSUS  # type: ignore[valid-type]
    escalate: bool = Field(False, description="true: the council did not agree; the question waits for the sponsor")
    rationale: str = ""
    review_on: dt.date | None = Field(None, description="not in the past; the decision returns to the agenda then")
    link_kind: Links | None = None
    link_id: int | None = Field(None, ge=1, le=MAX_ID)


class DecisionPatch(VersionIn):
    statement: str | None = Field(None, min_length=1, max_length=500)
    options: list[str] | None = None
    rationale: str | None = None
    review_on: dt.date | None = Field(None, description="null: no further review")


class DecisionFilters(Schema):
    council: str | None = Field(None, description="council id, slug or name")
    q: str | None = Field(None, max_length=200, description="words in the statement, options or rationale")
    status: Literal[tuple(DecisionStatus.values)] | None = None  # type: ignore[valid-type]
    decided_by: Literal[tuple(DecidedBy.values)] | None = None  # type: ignore[valid-type]

    def query(self):
        return queries.decisions(council=council_ref(self.council, "council") if self.council else None,
                                 q=(self.q or "").strip(), status=self.status, decided_by=self.decided_by)


def _decide_or_escalate(values, *, acting_user):
    council = values.pop("council")
    if values.pop("escalate", False):
        values.pop("decided_by", None)
        values.pop("review_on", None)
        values.pop("decided_on", None)
        return actions.escalate(council, values, acting_user=acting_user)
    return actions.record_decision(council, values, acting_user=acting_user)


decisions_router = Router(tags=["governance"])

decision_crud = (
    Crud(decisions_router, Decision, name="decision", plural="decisions", out=CouncilDecisionOut,
         queryset=queries.decisions, refs={"council": council_ref, "meeting": meeting_ref})
    .list(DecisionFilters, query=DecisionFilters.query, summary="Search the decision log")
    .get(summary="Get a decision")
    .create(DecisionIn, _decide_or_escalate, reread=True,
            summary="Record a decision (consensus: facilitator, keeper or admin at a meeting with quorum; "
                    "tie-break: the sponsor) or escalate a question to the sponsor")
    .update(DecisionPatch, actions.update_decision, reread=True,
            summary="Correct a decision or set its next review (facilitator, keeper or admin)")
    .delete(actions.delete_decision, summary="Delete a decision (facilitator, keeper or admin)")
)


class CouncilDecideIn(VersionIn):
    statement: str | None = Field(None, min_length=1, max_length=500, description="default: the question as asked")
    rationale: str = Field(min_length=1)
    review_on: dt.date | None = None


@decisions_router.post("/{id}/decide", url_name="decision_decide", response={200: CouncilDecisionOut, **WRITE_ERRORS},
                       summary="Decide an escalation as the executive sponsor")
def decide(request, id: int, payload: CouncilDecideIn):
    decision = get_or_404(Decision, id)
    values = {"rationale": payload.rationale, "review_on": payload.review_on}
    if payload.statement:
        values["statement"] = payload.statement
    result = actions.decide_escalation(decision, values, expected_version=expected_version(request, payload.version),
                                       acting_user=acting_user(request))
    return get_or_404(Decision, result.pk, queries.decisions())


decision_crud.history()


# ---------------------------------------------------------------- action items


@serializes(ActionItem)
class ActionItemOut(Schema):
    id: int
    council_id: int
    meeting_id: int | None
    decision_id: int | None
    title: str
    description: str
    owner_team: str
    owner_team_id: int
    owner: str | None
    due: dt.date | None
    status: str
    overdue: bool
    completed_on: dt.date | None
    link_kind: str
    link_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_team(obj):
        return obj.owner_team.name

    @staticmethod
    def resolve_owner(obj):
        return _username(obj.owner)

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(queries.today())


class ActionItemIn(Schema):
    council: Ref = Field(description="council id, slug or name")
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    owner_team: Ref | None = Field(None, description="team id, slug or name (required)")
    owner: Ref | None = Field(None, description="user id or username, a member of the owner team")
    due: dt.date | None = None
    status: Literal[tuple(ActionStatus.values)] = ActionStatus.OPEN  # type: ignore[valid-type]
    meeting: int | None = None
    decision: int | None = None
    link_kind: Links | None = None
    link_id: int | None = Field(None, ge=1, le=MAX_ID)


class ActionItemPatch(VersionIn):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    owner_team: Ref | None = None
    owner: Ref | None = None
    due: dt.date | None = None
    status: Literal[tuple(ActionStatus.values)] | None = None  # type: ignore[valid-type]


class ActionItemFilters(Schema):
    council: str | None = Field(None, description="council id, slug or name")
    team: str | None = Field(None, description="owner team id, slug or name")
    status: Literal[tuple(ActionStatus.values)] | None = None  # type: ignore[valid-type]
    overdue: bool = Field(False, description="true: open items past their due date")

    def query(self):
        return queries.action_items(council=council_ref(self.council, "council") if self.council else None,
                                    team=team_ref(self.team, "team") if self.team else None,
                                    status=self.status, overdue=self.overdue)


def _raise(values, *, acting_user):
    council = values.pop("council")
    values.setdefault("owner_team", None)
    return actions.raise_action_item(council, values, acting_user=acting_user)


action_items_router = Router(tags=["governance"])

(Crud(action_items_router, ActionItem, name="action_item", plural="action_items", out=ActionItemOut,
      queryset=queries.action_items,
      refs={"council": council_ref, "owner_team": team_ref, "owner": _user_ref, "meeting": meeting_ref,
            "decision": decision_ref})
    .list(ActionItemFilters, query=ActionItemFilters.query, summary="List action items (the action board)")
    .get(summary="Get an action item")
    .create(ActionItemIn, _raise, reread=True, summary="Assign an action item to a team (facilitator, keeper or admin)")
    .update(ActionItemPatch, actions.update_action_item, reread=True,
            summary="Update an action item (members of its team: status, owner, due date; whoever runs the "
                    "meetings: anything)")
    .delete(actions.delete_action_item, summary="Delete an action item (facilitator, keeper or admin)")
    .history())

