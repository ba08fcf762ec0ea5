"""Reads of councils, meetings, decisions and action items, for pages, API, CLI and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cxkeeper.governance.choices import CLOSED_STATUSES, DecisionStatus, MeetingStatus
from cxkeeper.governance.models import ActionItem, AgendaItem, Council, CouncilMember, Decision, Meeting
from cxkeeper.org.models import Team


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- councils


def councils() -> QuerySet[Council]:
    return Council.objects.select_related("sponsor", "facilitator").prefetch_related("journeys")


def council_by_slug(slug: str) -> Council:
    return get_object_or_404(councils(), slug=slug)


def council_named(name: str | None) -> Council:
    """By name or slug; without a name the only council (or the first by name)."""
    rows = councils()
    if name:
        found = rows.filter(Q(name__iexact=name) | Q(slug=name)).first()
        if found is None:
            names = ", ".join(rows.values_list("name", flat=True)) or "none yet"
            raise Council.DoesNotExist(f"No council named “{name}”. Councils: {names}.")
        return found
    found = rows.first()
    if found is None:
        raise Council.DoesNotExist("No council yet: a keeper creates one on the Councils page.")
    return found


def members_of(council: Council) -> QuerySet[CouncilMember]:
    return council.members.select_related("team", "representative", "deputy")


def member_by_id(pk: int) -> CouncilMember:
    return get_object_or_404(CouncilMember.objects.select_related("council", "team"), pk=pk)


def charter_history(council: Council, limit: int = 20):
    from cxkeeper.core.queries import recent_changes_of

    return recent_changes_of(council, limit)


# ---------------------------------------------------------------- meetings


def meetings(*, council: Council | None = None) -> QuerySet[Meeting]:
    rows = Meeting.objects.select_related("council", "council__sponsor", "council__facilitator")
    return rows.filter(council=council) if council is not None else rows


def meeting_by_id(pk: int) -> Meeting:
    return get_object_or_404(meetings(), pk=pk)


def agenda_of(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.items.prefetch_related("teams").order_by("position", "id")


def agenda_item_by_id(pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("meeting", "meeting__council"), pk=pk)


def last_meeting_before(council: Council, when: dt.datetime) -> Meeting | None:
    return (council.meetings.filter(starts_at__lt=when).exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at").first())


def next_meeting(council: Council, *, after: dt.datetime | None = None) -> Meeting | None:
    after = after or timezone.now()
    return (council.meetings.filter(starts_at__gte=after, status=MeetingStatus.PLANNED)
            .order_by("starts_at").first())


def next_start_by_cadence(council: Council) -> dt.datetime:
    """Meetings follow the cadence: the last meeting plus `cadence_days`, never in the past
    (then the same weekday and hour, the first one after now)."""
    last = council.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at").first()
    now = timezone.now()
    if last is None:
        return (now + dt.timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    start = last.starts_at + dt.timedelta(days=council.cadence_days)
    while start < now:
        start += dt.timedelta(days=council.cadence_days)
    return start


@dataclass
class Quorum:
    required: int
    present_teams: list[Team]
    seats: int

    @property
    def met(self) -> bool:
        return len(self.present_teams) >= self.required

    @property
    def sentence(self) -> str:
        n = len(self.present_teams)
        return (f"{n} of {self.seats} member teams present; the quorum is {self.required}"
                f" — {'met' if self.met else 'not met'}.")


def quorum(meeting: Meeting) -> Quorum:
    """A member team is present when its representative or its deputy attended."""
    present = set(meeting.attendees.values_list("pk", flat=True))
    seats = list(members_of(meeting.council))
    teams = [s.team for s in seats if (s.representative_id in present) or (s.deputy_id in present)]
    return Quorum(meeting.council.quorum, teams, len(seats))


def period_of(meeting: Meeting) -> tuple[dt.date, dt.date]:
    """What a meeting's agenda looks back over: from the previous meeting's day (or one cadence
    before, for a first meeting) to the meeting's own day."""
    previous = last_meeting_before(meeting.council, meeting.starts_at)
    end = meeting.day
    start = previous.day if previous is not None else end - dt.timedelta(days=meeting.council.cadence_days)
    return start, end


# ---------------------------------------------------------------- decisions


def decisions(*, council: Council | None = None, q: str = "", status: str | None = None,
              decided_by: str | None = None) -> QuerySet[Decision]:
    """The decision log, searchable in statement, options and rationale."""
    rows = Decision.objects.select_related("council", "meeting", "recorded_by")
    if council is not None:
        rows = rows.filter(council=council)
    if q:
        rows = rows.filter(Q(statement__icontains=q) | Q(rationale__icontains=q) | Q(options__icontains=q))
    if status:
        rows = rows.filter(status=status)
    if decided_by:
        rows = rows.filter(decided_by=decided_by)
    return rows


def decision_by_id(pk: int) -> Decision:
    return get_object_or_404(decisions(), pk=pk)


def escalations_waiting(council: Council | None = None) -> QuerySet[Decision]:
    return decisions(council=council, status=DecisionStatus.ESCALATED).order_by("created_at", "id")


def decisions_due_for_review(council: Council, as_of: dt.date) -> QuerySet[Decision]:
    return decisions(council=council, status=DecisionStatus.DECIDED).filter(
        review_on__isnull=False, review_on__lte=as_of).order_by("review_on", "id")


# ---------------------------------------------------------------- action items


def action_items(*, council: Council | None = None, team: Team | None = None, overdue: bool = False,
                 status: str | None = None, as_of: dt.date | None = None) -> QuerySet[ActionItem]:
    rows = ActionItem.objects.select_related("council", "owner_team", "owner", "decision", "meeting")
    if council is not None:
        rows = rows.filter(council=council)
    if team is not None:
        rows = rows.filter(owner_team=team)
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(due__lt=as_of or today()).exclude(status__in=CLOSED_STATUSES)
    return rows.order_by("due", "id")


def action_item_by_id(pk: int) -> ActionItem:
    return get_object_or_404(action_items(), pk=pk)


def overdue_items(as_of: dt.date | None = None) -> QuerySet[ActionItem]:
    return action_items(overdue=True, as_of=as_of)


def team_by_name(name: str) -> Team:
    team = Team.objects.filter(Q(name__iexact=name) | Q(slug=name)).first()
    if team is None:
        names = ", ".join(Team.objects.values_list("name", flat=True)[:40])
        raise Team.DoesNotExist(f"No team named “{name}”. Teams: {names}.")
    return team
