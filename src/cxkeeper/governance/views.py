"""Council pages. Views parse and authorize (a refusal raises `Forbidden`, rendered as a 403
with its reason); reads come from `queries`, writes from `actions`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxkeeper.core import links as site_links
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.forms import exception_text, problems_text, run_form
from cxkeeper.core.views import confirm_delete
from cxkeeper.governance import actions, exports, links, queries
from cxkeeper.governance.agenda import KIND_LABELS
from cxkeeper.governance.choices import ActionStatus, DecidedBy, DecisionStatus
from cxkeeper.governance.forms import (
    ActionItemForm,
    ActionProgressForm,
    AgendaItemForm,
    AttendanceForm,
    CouncilForm,
    DecideForm,
    DecisionForm,
    EscalateForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    MoveForm,
    ReviewForm,
    StatusForm,
)
from cxkeeper.governance.permissions import (
    is_sponsor,
    require_charter,
    require_run_meetings,
    require_sponsor,
    require_update_action,
    runs_meetings,
)
from cxkeeper.org.models import Team
from cxkeeper.org.permissions import can

FORM = "core/form.html"


# ---------------------------------------------------------------- councils and charters


def council_list(request):
    return render(request, "governance/council_list.html", {
        "councils": queries.councils(), "can_create": can(require_charter, request.user),
        "waiting": queries.escalations_waiting().count(),
    })


def council_detail(request, slug):
    council = queries.council_by_slug(slug)
    return render(request, "governance/council_detail.html", {
        "council": council, "members": queries.members_of(council),
        "meetings": queries.meetings(council=council)[:12], "next_meeting": queries.next_meeting(council),
        "decisions": queries.decisions(council=council)[:8], "history": queries.charter_history(council),
        "waiting": queries.escalations_waiting(council),
        "overdue": queries.action_items(council=council, overdue=True).count(),
        "can_charter": can(require_charter, request.user), "can_run": runs_meetings(request.user, council),
    })


def _council_initial(council) -> dict:
    return {"name": council.name, "purpose": council.purpose, "all_journeys": council.all_journeys,
            "journeys": list(council.journeys.values_list("pk", flat=True)), "sponsor": council.sponsor_id,
            "facilitator": council.facilitator_id, "council_decides": council.council_decides,
            "sponsor_decides": council.sponsor_decides, "teams_decide": council.teams_decide,
            "quorum": council.quorum, "cadence_days": council.cadence_days,
            "meeting_minutes": council.meeting_minutes, "escalation_path": council.escalation_path,
            "version": council.version}


def council_create(request):
    require_charter(request.user, "create a council")
    form = CouncilForm(request.POST or None)
    return run_form(request, form, lambda data: actions.create_council(form.values(), acting_user=request.user),
                    template=FORM, context={"title": "New council", "cancel_url": reverse("governance:councils")},
                    success_url=lambda c: c.get_absolute_url(), success_message="Council created.")


def council_edit(request, slug):
    council = queries.council_by_slug(slug)
    require_charter(request.user)
    form = CouncilForm(request.POST or None, initial=_council_initial(council))
    return run_form(request, form,
                    lambda data: actions.update_council(council, form.values(), expected_version=data["version"],
                                                        acting_user=request.user),
                    template=FORM, context={"title": f"Charter of “{council.name}”",
                                            "cancel_url": council.get_absolute_url(), "object": council},
                    success_url=lambda c: c.get_absolute_url(), success_message="Charter saved: a new version.")


def council_delete(request, slug):
    council = queries.council_by_slug(slug)
    require_charter(request.user, "delete a council")
    return confirm_delete(
        request, council, lambda version: actions.delete_council(council, expected_version=version,
                                                                 acting_user=request.user),
        title=f"Delete the council “{council.name}”?", warning="Only a council that never met can be deleted.",
        cancel_url=council.get_absolute_url(), success_url=reverse("governance:councils"),
        success_message="Council deleted.")


def member_add(request, slug):
    council = queries.council_by_slug(slug)
    require_charter(request.user, "change a council's members")
    form = MemberForm(request.POST or None)
    return run_form(request, form, lambda data: actions.add_member(council, dict(data), acting_user=request.user),
                    template=FORM, context={"title": f"Add a member team to “{council.name}”",
                                            "cancel_url": council.get_absolute_url()},
                    success_url=council.get_absolute_url() + "#members", success_message="Member team added.")


def member_delete(request, pk):
    seat = queries.member_by_id(pk)
    require_charter(request.user, "change a council's members")
    return confirm_delete(
        request, seat, lambda version: actions.remove_member(seat, expected_version=version, acting_user=request.user),
        title=f"Remove {seat.team.name} from “{seat.council.name}”?", cancel_url=seat.council.get_absolute_url(),
        success_url=seat.council.get_absolute_url() + "#members", success_message="Member team removed.")


def council_calendar(request, slug):
    council = queries.council_by_slug(slug)
    content = exports.calendar(queries.meetings(council=council).order_by("starts_at"), host=request.get_host(),
                               url_of=lambda m: site_links.absolute(m.get_absolute_url(), request))
    return _file(content, f"{council.slug}.ics", "text/calendar; charset=utf-8")


# ---------------------------------------------------------------- meetings


def meeting_create(request, slug):
    council = queries.council_by_slug(slug)
    require_run_meetings(request.user, council, "schedule this council's meetings")
    form = MeetingForm(request.POST or None, initial={"starts_at": queries.next_start_by_cadence(council),
                                                      "duration_minutes": council.meeting_minutes})
    return run_form(request, form, lambda data: actions.schedule_meeting(
        council, {k: v for k, v in data.items() if v not in (None, "")}, acting_user=request.user),
        template=FORM, context={"title": f"Schedule a meeting of “{council.name}”",
                                "cancel_url": council.get_absolute_url()},
        success_url=lambda m: m.get_absolute_url(), success_message="Meeting scheduled.")


def meeting_detail(request, pk):
    meeting = queries.meeting_by_id(pk)
    council = meeting.council
    can_run = runs_meetings(request.user, council)
    seats = list(queries.members_of(council))
    expected = {u.pk for s in seats for u in (s.representative, s.deputy) if u is not None}
    expected |= {x for x in (council.sponsor_id, council.facilitator_id) if x}
    present = set(meeting.attendees.values_list("pk", flat=True))
    from django.contrib.auth import get_user_model

    invited = get_user_model().objects.filter(pk__in=expected | present).order_by("username")
    since, end = queries.period_of(meeting)
    return render(request, "governance/meeting_detail.html", {
        "meeting": meeting, "council": council, "items": queries.agenda_of(meeting), "kind_labels": KIND_LABELS,
        "quorum": queries.quorum(meeting), "invited": invited, "present": present, "since": since, "end": end,
        "decisions": meeting.decisions.order_by("pk"),
        "action_items": meeting.action_items.select_related("owner_team", "owner").order_by("pk"),
        "can_run": can_run, "is_sponsor": is_sponsor(request.user, council),
    })


def meeting_edit(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "write the minutes")
    form = MinutesForm(request.POST or None, initial={"summary": meeting.summary, "location": meeting.location,
                                                      "version": meeting.version})
    return run_form(request, form, lambda data: actions.update_meeting(
        meeting, {"summary": data["summary"], "location": data["location"]}, expected_version=data["version"],
        acting_user=request.user), template=FORM,
        context={"title": f"Minutes of {meeting}", "cancel_url": meeting.get_absolute_url(), "object": meeting},
        success_url=lambda m: m.get_absolute_url(), success_message="Minutes saved.")


def meeting_delete(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "delete meetings")
    return confirm_delete(
        request, meeting, lambda version: actions.delete_meeting(meeting, expected_version=version,
                                                                 acting_user=request.user),
        title=f"Delete the meeting {meeting}?", warning="Its agenda goes with it.",
        cancel_url=meeting.get_absolute_url(), success_url=meeting.council.get_absolute_url(),
        success_message="Meeting deleted.")


def _back(meeting, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(meeting.get_absolute_url() + anchor)


@require_POST
def meeting_attendance(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "record attendance")
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        problems = problems_text(form.errors)
        messages.error(request, f"Attendance could not be read: {problems}")
        return _back(meeting, "#attendance")
    try:
        meeting = actions.record_attendance(meeting, form.cleaned_data["attendees"],
                                            expected_version=form.cleaned_data["version"], acting_user=request.user)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exception_text(exc))
    else:
        messages.success(request, "Attendance recorded. " + queries.quorum(meeting).sentence)
    return _back(meeting, "#attendance")


@require_POST
def agenda_generate(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "prepare the agenda")
    added = actions.generate_agenda(meeting, acting_user=request.user)
    messages.success(request, f"{len(added)} item{'s' if len(added) != 1 else ''} drawn from the data added to the "
                              "agenda." if added else "Nothing new in the data since the agenda was drawn up.")
    return _back(meeting, "#agenda")


@require_POST
def meeting_send(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "send the agenda")
    actions.send_agenda(meeting, acting_user=request.user)
    messages.success(request, "Agenda sent to the members, the sponsor and the facilitator.")
    return _back(meeting)


def agenda_item_add(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "change the agenda")
    form = AgendaItemForm(request.POST or None)
    return run_form(request, form, lambda data: actions.add_agenda_item(meeting, form.values(),
                                                                        acting_user=request.user),
                    template=FORM, context={"title": "Add an agenda item", "cancel_url": meeting.get_absolute_url()},
                    success_url=lambda item: item.get_absolute_url(), success_message="Item added.")


def agenda_item_edit(request, pk):
    item = queries.agenda_item_by_id(pk)
    require_run_meetings(request.user, item.meeting.council, "change the agenda")
    initial = {"title": item.title, "detail": item.detail, "evidence_url": item.evidence_url,
               "teams": list(item.teams.values_list("pk", flat=True)), "time_box_minutes": item.time_box_minutes,
               "notes": item.notes, "version": item.version}
    form = AgendaItemForm(request.POST or None, initial=initial)
    return run_form(request, form, lambda data: actions.update_agenda_item(
        item, form.values(), expected_version=data["version"], acting_user=request.user), template=FORM,
        context={"title": f"Agenda item “{item.title}”", "cancel_url": item.get_absolute_url(), "object": item},
        success_url=lambda i: i.get_absolute_url(), success_message="Item saved.")


@require_POST
def agenda_item_move(request, pk):
    item = queries.agenda_item_by_id(pk)
    require_run_meetings(request.user, item.meeting.council, "reorder the agenda")
    form = MoveForm(request.POST)
    if form.is_valid():
        actions.move_agenda_item(item, form.cleaned_data["direction"], acting_user=request.user)
    else:
        messages.error(request, "Move an item up or down.")
    return _back(item.meeting, f"#item-{item.pk}")


def agenda_item_delete(request, pk):
    item = queries.agenda_item_by_id(pk)
    require_run_meetings(request.user, item.meeting.council, "change the agenda")
    return confirm_delete(
        request, item, lambda version: actions.remove_agenda_item(item, expected_version=version,
                                                                  acting_user=request.user),
        title=f"Remove “{item.title}” from the agenda?", cancel_url=item.get_absolute_url(),
        success_url=item.meeting.get_absolute_url() + "#agenda", success_message="Item removed.")


def _file(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def meeting_export(request, pk, kind, fmt):
    meeting = queries.meeting_by_id(pk)
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404("Agenda or minutes, as md or pdf.")
    content, name, content_type = exports.render(meeting, kind, fmt)
    return _file(content, name, content_type)


def meeting_calendar(request, pk):
    meeting = queries.meeting_by_id(pk)
    content = exports.calendar([meeting], host=request.get_host(),
                               url_of=lambda m: site_links.absolute(m.get_absolute_url(), request))
    return _file(content, f"{meeting.council.slug}-{meeting.starts_at:%Y-%m-%d}.ics", "text/calendar; charset=utf-8")


# ---------------------------------------------------------------- decisions


def _agenda_item_of(meeting, pk):
    if not pk:
        return None
    return meeting.items.filter(pk=pk).first()


def decision_create(request, pk):
    meeting = queries.meeting_by_id(pk)
    council = meeting.council
    if not (runs_meetings(request.user, council) or is_sponsor(request.user, council)):
        require_run_meetings(request.user, council, "record the council's decisions")
    initial = {"agenda_item": request.GET.get("item") or None,
               "decided_by": DecidedBy.CONSENSUS if runs_meetings(request.user, council) else DecidedBy.SPONSOR}
    form = DecisionForm(request.POST or None, initial=initial)

    def perform(data):
        values = {k: data[k] for k in ("statement", "options", "decided_by", "rationale", "review_on")}
        return actions.record_decision(council, {**values, "meeting": meeting,
                                                 "agenda_item": _agenda_item_of(meeting, data.get("agenda_item"))},
                                       acting_user=request.user)

    return run_form(request, form, perform, template=FORM,
                    context={"title": f"Record a decision ({meeting})", "cancel_url": meeting.get_absolute_url(),
                             "intro": queries.quorum(meeting).sentence},
                    success_url=lambda d: meeting.get_absolute_url() + "#decisions",
                    success_message="Decision recorded in the log.")


def escalate(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "escalate a question to the sponsor")
    form = EscalateForm(request.POST or None)
    return run_form(request, form, lambda data: actions.escalate(meeting.council, {**data, "meeting": meeting},
                                                                 acting_user=request.user),
                    template=FORM, context={"title": "Escalate to the executive sponsor",
                                            "cancel_url": meeting.get_absolute_url()},
                    success_url=lambda d: d.get_absolute_url(), success_message="Escalated: the sponsor is notified.")


def decision_list(request):
    q = (request.GET.get("q") or "").strip()[:200]
    council = queries.councils().filter(slug=request.GET.get("council", "")).first()
    decided_by = request.GET.get("decided_by", "")
    decided_by = decided_by if decided_by in DecidedBy.values else ""
    return render(request, "governance/decision_list.html", {
        "decisions": queries.decisions(council=council, q=q, decided_by=decided_by or None)[:200], "q": q,
        "councils": queries.councils(), "selected": council, "decided_by": decided_by, "choices": DecidedBy.choices,
    })


def decision_detail(request, pk):
    decision = queries.decision_by_id(pk)
    from cxkeeper.core.queries import recent_changes_of

    return render(request, "governance/decision_detail.html", {
        "decision": decision, "history": recent_changes_of(decision), "link": links.resolve(decision.link_kind,
                                                                                             decision.link_id),
        "action_items": decision.action_items.select_related("owner_team", "owner"),
        "can_decide": decision.status == DecisionStatus.ESCALATED and is_sponsor(request.user, decision.council),
        "can_run": runs_meetings(request.user, decision.council),
    })


def decision_decide(request, pk):
    decision = queries.decision_by_id(pk)
    require_sponsor(request.user, decision.council, "decide escalations")
    form = DecideForm(request.POST or None, initial={"statement": decision.statement, "version": decision.version})
    return run_form(request, form, lambda data: actions.decide_escalation(
        decision, {k: data[k] for k in ("statement", "rationale", "review_on")}, expected_version=data["version"],
        acting_user=request.user), template=FORM,
        context={"title": "Decide as the executive sponsor", "cancel_url": decision.get_absolute_url(),
                 "object": decision},
        success_url=lambda d: d.get_absolute_url(), success_message="Decided; the council is notified.")


def decision_review(request, pk):
    decision = queries.decision_by_id(pk)
    require_run_meetings(request.user, decision.council, "review decisions")
    form = ReviewForm(request.POST or None, initial={"review_on": None, "version": decision.version})
    return run_form(request, form, lambda data: actions.update_decision(
        decision, {"review_on": data["review_on"]}, expected_version=data["version"], acting_user=request.user),
        template=FORM, context={"title": f"Reviewed: “{decision.statement}”", "cancel_url": decision.get_absolute_url(),
                                "object": decision},
        success_url=lambda d: d.get_absolute_url(), success_message="Review recorded.")


def escalations(request):
    """The sponsor's page: every escalation waiting, the user's own councils first."""
    waiting = list(queries.escalations_waiting())
    mine = [d for d in waiting if d.council.sponsor_id == request.user.pk]
    return render(request, "governance/escalations.html", {
        "mine": mine, "others": [d for d in waiting if d not in mine],
    })


# ---------------------------------------------------------------- action items


def action_board(request):
    team = Team.objects.filter(slug=request.GET.get("team", "")).first()
    council = queries.councils().filter(slug=request.GET.get("council", "")).first()
    overdue = request.GET.get("overdue") == "1"
    status = request.GET.get("status", "")
    status = status if status in ActionStatus.values else ""
    items = list(queries.action_items(council=council, team=team, overdue=overdue, status=status or None)[:500])
    today = queries.today()
    columns = [(value, label, [i for i in items if i.status == value]) for value, label in ActionStatus.choices]
    return render(request, "governance/action_board.html", {
        "columns": columns, "items": items, "team": team, "council": council, "overdue": overdue, "status": status,
        "teams": Team.objects.all(), "councils": queries.councils(), "statuses": ActionStatus.choices,
        "today": today, "overdue_count": sum(1 for i in items if i.is_overdue(today)),
    })


def action_create(request, pk):
    meeting = queries.meeting_by_id(pk)
    require_run_meetings(request.user, meeting.council, "assign action items")
    decision_id = request.GET.get("decision") or None
    form = ActionItemForm(request.POST or None, initial={"decision": decision_id})

    def perform(data):
        values = {k: data[k] for k in ("title", "description", "owner_team", "owner", "due", "status")}
        if data.get("decision"):
            values["decision"] = meeting.council.decisions.filter(pk=data["decision"]).first()
        if data.get("link_kind"):
            values.update(link_kind=data["link_kind"], link_id=data.get("link_id"))
        return actions.raise_action_item(meeting.council, {**values, "meeting": meeting}, acting_user=request.user)

    return run_form(request, form, perform, template=FORM,
                    context={"title": f"New action item ({meeting})", "cancel_url": meeting.get_absolute_url()},
                    success_url=meeting.get_absolute_url() + "#actions", success_message="Action item assigned.")


def action_detail(request, pk):
    item = queries.action_item_by_id(pk)
    from cxkeeper.core.queries import recent_changes_of

    return render(request, "governance/action_detail.html", {
        "item": item, "history": recent_changes_of(item), "link": links.resolve(item.link_kind, item.link_id),
        "can_update": can(require_update_action, request.user, item), "statuses": ActionStatus.choices,
        "overdue": item.is_overdue(queries.today()), "can_run": runs_meetings(request.user, item.council),
    })


def action_edit(request, pk):
    item = queries.action_item_by_id(pk)
    require_update_action(request.user, item)
    full = runs_meetings(request.user, item.council)
    initial = {"title": item.title, "description": item.description, "owner_team": item.owner_team_id,
               "owner": item.owner_id, "due": item.due, "status": item.status, "decision": item.decision_id,
               "link_kind": item.link_kind, "link_id": item.link_id, "version": item.version}
    form = (ActionItemForm if full else ActionProgressForm)(request.POST or None, initial=initial)

    def perform(data):
        changes = {k: v for k, v in data.items() if k not in ("version", "decision")}
        if full:
            changes["link_kind"] = changes.get("link_kind") or ""
            changes["link_id"] = changes.get("link_id") if changes["link_kind"] else None
        return actions.update_action_item(item, changes, expected_version=data["version"], acting_user=request.user)

    return run_form(request, form, perform, template=FORM,
                    context={"title": f"Action item “{item.title}”", "cancel_url": item.get_absolute_url(),
                             "object": item},
                    success_url=lambda i: i.get_absolute_url(), success_message="Action item saved.")


@require_POST
def action_status(request, pk):
    item = queries.action_item_by_id(pk)
    require_update_action(request.user, item, "change the status of")
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, problems_text(form.errors))
        return HttpResponseRedirect(item.get_absolute_url())
    try:
        item = actions.set_action_status(item, form.cleaned_data["status"],
                                         expected_version=form.cleaned_data["version"], acting_user=request.user)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exception_text(exc))
    else:
        messages.success(request, f"Marked {item.get_status_display()}.")
    return HttpResponseRedirect(item.get_absolute_url())


def action_delete(request, pk):
    item = queries.action_item_by_id(pk)
    require_run_meetings(request.user, item.council, "delete action items")
    return confirm_delete(
        request, item, lambda version: actions.delete_action_item(item, expected_version=version,
                                                                  acting_user=request.user),
        title=f"Delete the action item “{item.title}”?", cancel_url=item.get_absolute_url(),
        success_url=reverse("governance:actions"), success_message="Action item deleted.")
