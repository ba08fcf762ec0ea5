"""Friction point pages. Views parse and authorize (a refusal raises `Forbidden`, rendered as
a 403 with its reason); reads come from `queries`, writes from `actions`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxkeeper.core import words
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.forms import exception_text, problems_text, run_form
from cxkeeper.core.params import parse_id
from cxkeeper.core.queries import recent_changes_of
from cxkeeper.core.roles import Role, role_of
from cxkeeper.core.views import confirm_delete, safe_next
from cxkeeper.initiatives import actions, priority, queries
from cxkeeper.initiatives.choices import (
    STATUS_TRANSITIONS,
    FrictionStatus,
    InitiativeStatus,
    OptionStanceValue,
    PlannedStatus,
)
from cxkeeper.initiatives.forms import (
    AffectedTeamForm,
    ChallengeForm,
    DecideForm,
    EscalateForm,
    FrictionPointForm,
    FromSignalForm,
    FromThemeForm,
    InitiativeForm,
    InitiativeStatusForm,
    OptionForm,
    OptionStanceForm,
    PerspectiveForm,
    PlannedChangeForm,
    StatusForm,
    WeightsForm,
)
from cxkeeper.initiatives.models import PriorityWeights
from cxkeeper.initiatives.permissions import (
    require_answer_for,
    require_change,
    require_change_initiative,
    require_change_planned,
    require_declare_change,
    require_delete_initiative,
    require_plan_initiative,
    require_propose_option,
    require_raise,
    require_run_process,
    require_set_weights,
    user_team_ids,
)
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team
from cxkeeper.org.permissions import can, is_executive_sponsor, require_executive_sponsor

FORM = "core/form.html"


def _int(value) -> int | None:
    return parse_id(value) if isinstance(value, str) else None


def friction_point_list(request):
    journey = Journey.objects.filter(slug=request.GET.get("journey", "")).first()
    step_id = _int(request.GET.get("step"))
    step = Step.objects.select_related("stage__journey").filter(pk=step_id).first() if step_id else None
    status = request.GET.get("status", "")
    status = status if status in FrictionStatus.values else ""
    return render(request, "initiatives/frictionpoint_list.html", {
        "friction_points": queries.friction_points(journey=journey, step=step, status=status or None),
        "journeys": Journey.objects.all(), "selected": journey, "step": step, "status": status,
        "statuses": FrictionStatus.choices, "can_raise": can(require_raise, request.user),
    })


def friction_point_detail(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    return render(request, "initiatives/frictionpoint_detail.html", {
        "fp": friction_point, "evidence": friction_point.evidence or {}, "history": recent_changes_of(friction_point),
        "can_change": can(require_change, request.user, friction_point),
        "statuses": FrictionStatus.choices, **_cocreation_context(request, friction_point),
    })


def friction_point_create(request):
    require_raise(request.user)
    initial = {}
    step_id = _int(request.GET.get("step"))
    if step_id:
        initial["step"] = step_id
    form = FrictionPointForm(request.POST or None, initial=initial)
    return run_form(
        request, form, lambda data: actions.raise_friction_point(form.values(), acting_user=request.user),
        template=FORM,
        context={"title": "Raise a friction point", "cancel_url": reverse("initiatives:friction_points")},
        success_url=lambda fp: fp.get_absolute_url(), success_message="Friction point raised.",
    )


def friction_point_edit(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_change(request.user, friction_point)
    initial = {"title": friction_point.title, "description": friction_point.description,
               "journey": friction_point.journey_id, "step": friction_point.step_id,
               "status": friction_point.status, "version": friction_point.version}
    form = FrictionPointForm(request.POST or None, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.update_friction_point(friction_point, form.values(), expected_version=data["version"],
                                                   acting_user=request.user),
        template=FORM, context={"title": f"Edit friction point “{friction_point.title}”",
                                "cancel_url": friction_point.get_absolute_url(), "object": friction_point},
        success_url=lambda fp: fp.get_absolute_url(), success_message="Friction point saved.",
    )


@require_POST
def friction_point_status(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_change(request.user, friction_point, "change the status of")
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, problems_text(form.errors))
        return HttpResponseRedirect(friction_point.get_absolute_url())
    try:
        friction_point = actions.set_friction_point_status(
            friction_point, form.cleaned_data["status"], expected_version=form.cleaned_data["version"],
            acting_user=request.user)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Marked {friction_point.get_status_display()}.")
    return HttpResponseRedirect(friction_point.get_absolute_url())


def friction_point_delete(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_change(request.user, friction_point, "delete")
    return confirm_delete(
        request, friction_point,
        lambda version: actions.delete_friction_point(friction_point, expected_version=version,
                                                      acting_user=request.user),
        title=f"Delete friction point “{friction_point.title}”?", warning="Its evidence is kept only in the history.",
        cancel_url=friction_point.get_absolute_url(),
        success_url=reverse("initiatives:friction_points"), success_message="Friction point deleted.")


@require_POST
def friction_point_from_theme(request):
    """The "Raise as friction point" button of the friction and step pages.

    Only the theme's key and where it was discovered travel; the theme is found again in the
    same cached discovery the page used, so nobody can post made-up evidence."""
    require_raise(request.user)  # refused before any text work
    form = FromThemeForm(request.POST)
    fallback = reverse("insights:friction")
    if not form.is_valid():
        messages.error(request, "That theme could not be read from the form; reload the page and try again.")
        return HttpResponseRedirect(fallback)
    data = form.cleaned_data
    back = safe_next(request, data["next"], fallback)
    journey = Journey.objects.filter(slug=data["journey"]).first() if data["journey"] else None
    if data["journey"] and journey is None:
        messages.error(request, "That journey no longer exists.")
        return HttpResponseRedirect(back)
    step = None
    if data["step"]:
        step = Step.objects.select_related("stage__journey").filter(pk=data["step"]).first()
        if step is None or (journey is not None and step.stage.journey_id != journey.pk):
            messages.error(request, "That step is not on the theme's journey.")
            return HttpResponseRedirect(back)
    theme = queries.theme_by_key(journey, data["key"], since=data["since"], as_of=data.get("as_of"))
    if theme is None:
        messages.error(request, "That theme is no longer found — new feedback may have changed the themes. "
                                "Reload the page and try again.")
        return HttpResponseRedirect(back)
    try:
        friction_point = actions.raise_friction_point_from_theme(theme, step=step, journey=journey,
                                                                 since=data["since"], acting_user=request.user)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    messages.success(request, f"Raised the friction point “{friction_point.title}”.")
    return HttpResponseRedirect(friction_point.get_absolute_url())


@require_POST
def friction_point_from_signal(request):
    """The "Raise as friction point" button of a friction signal.

    Only which signal travels (journey, window, step, kind, metric); the signal is found again
    in the same run the friction page made, so its evidence comes from the server."""
    require_raise(request.user)
    form = FromSignalForm(request.POST)
    fallback = reverse("insights:friction")
    if not form.is_valid():
        messages.error(request, "That signal could not be read from the form; reload the page and try again.")
        return HttpResponseRedirect(fallback)
    data = form.cleaned_data
    back = safe_next(request, data["next"], fallback)
    journey = Journey.objects.filter(slug=data["journey"]).first() if data["journey"] else None
    if data["journey"] and journey is None:
        messages.error(request, "That journey no longer exists.")
        return HttpResponseRedirect(back)
    signal, result = queries.signal_by_ref(journey, window_days=data["window"], kind=data["kind"],
                                           metric=data["metric"], step_id=data["step"], theme_key=data["key"] or "")
    if signal is None:
        messages.error(request, "That signal is no longer found — new feedback may have changed the signals. "
                                "Reload the page and try again.")
        return HttpResponseRedirect(back)
    try:
        friction_point = actions.raise_friction_point_from_signal(
            signal, journey=journey, as_of=result["as_of"], window_days=data["window"],
            comparisons=result["family_size"], acting_user=request.user)
    except InvalidInput as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    messages.success(request, f"Raised the friction point “{friction_point.title}”.")
    return HttpResponseRedirect(friction_point.get_absolute_url())


# --- initiatives ---


def initiative_list(request):
    status = request.GET.get("status", "")
    status = status if status in InitiativeStatus.values else ""
    return render(request, "initiatives/initiative_list.html", {
        "initiatives": queries.initiatives(status=status or None), "status": status,
        "statuses": InitiativeStatus.choices, "can_plan": can(require_plan_initiative, request.user),
    })


def initiative_detail(request, pk):
    initiative = queries.initiative_by_id(pk)
    return render(request, "initiatives/initiative_detail.html", {
        "initiative": initiative, "lead": queries.lead_team(initiative), "history": recent_changes_of(initiative),
        "can_change": can(require_change_initiative, request.user, initiative),
        "can_delete": can(require_delete_initiative, request.user, initiative),
        "next_statuses": [(s, InitiativeStatus(s).label) for s in STATUS_TRANSITIONS[initiative.status]],
        "dependents": initiative.dependents.all(),
    })


def initiative_create(request):
    require_plan_initiative(request.user)
    initial = {}
    fp_id = _int(request.GET.get("friction_point"))
    if fp_id:
        initial["friction_point"] = fp_id
    form = InitiativeForm(request.POST or None, initial=initial)
    return run_form(
        request, form, lambda data: actions.plan_initiative(form.values(), acting_user=request.user),
        template=FORM, context={"title": "Plan an initiative", "cancel_url": reverse("initiatives:initiatives")},
        success_url=lambda i: i.get_absolute_url(), success_message="Initiative planned.",
    )


def initiative_edit(request, pk):
    initiative = queries.initiative_by_id(pk)
    require_change_initiative(request.user, initiative)
    form = InitiativeForm(request.POST or None, initial=InitiativeForm.initial_of(initiative), initiative=initiative)
    return run_form(
        request, form,
        lambda data: actions.update_initiative(initiative, form.values(), expected_version=data["version"],
                                               acting_user=request.user),
        template=FORM, context={"title": f"Edit initiative “{initiative.title}”",
                                "cancel_url": initiative.get_absolute_url(), "object": initiative},
        success_url=lambda i: i.get_absolute_url(), success_message="Initiative saved.",
    )


@require_POST
def initiative_status(request, pk):
    initiative = queries.initiative_by_id(pk)
    require_change_initiative(request.user, initiative, "change the status of")
    form = InitiativeStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, problems_text(form.errors))
        return HttpResponseRedirect(initiative.get_absolute_url())
    try:
        initiative = actions.set_initiative_status(
            initiative, form.cleaned_data["status"], ship_date=form.cleaned_data["ship_date"],
            expected_version=form.cleaned_data["version"], acting_user=request.user)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Now {initiative.get_status_display()}.")
    return HttpResponseRedirect(initiative.get_absolute_url())


def initiative_delete(request, pk):
    initiative = queries.initiative_by_id(pk)
    require_delete_initiative(request.user, initiative)
    return confirm_delete(
        request, initiative,
        lambda version: actions.delete_initiative(initiative, expected_version=version, acting_user=request.user),
        title=f"Delete initiative “{initiative.title}”?",
        warning="Its teams, metrics and milestones are kept only in the history; initiatives that depend on it "
                "lose that dependency.",
        cancel_url=initiative.get_absolute_url(), success_url=reverse("initiatives:initiatives"),
        success_message="Initiative deleted.")


# --- priorities ---


def priority_board(request):
    board = priority.board()
    weights = PriorityWeights.current()
    points = priority.matrix_points(board)
    return render(request, "initiatives/priorities.html", {
        "board": board, "rows": [(e, e.sentences()) for e in board.entries], "weights": weights,
        "formula": priority.FORMULA, "points": points, "matrix": priority.MATRIX,
        "tie_points": priority.TIE_POINTS, "history": _rank_changes(queries.ranking_history()),
        "can_set_weights": can(require_set_weights, request.user),
        "severity_factor": priority.SEVERITY_FACTOR, "evidence_full_n": priority.EVIDENCE_FULL_N,
        "unknown_effort": priority.UNKNOWN_EFFORT,
    })


def _rank_changes(snapshots) -> list[tuple]:
    """Each kept ranking, newest first, with what moved since the one before it."""
    rows = []
    ordered = list(reversed(snapshots))
    for i, snap in enumerate(ordered):
        before = {r["friction_point"]: r["rank"] for r in ordered[i - 1].ranks} if i else {}
        moves = []
        for r in snap.ranks:
            old = before.get(r["friction_point"])
            if not i:
                continue
            if old is None:
                moves.append(f"“{r['title']}” new at #{r['rank']}")
            elif old != r["rank"]:
                moves.append(f"“{r['title']}” {'up' if r['rank'] < old else 'down'} from #{old} to #{r['rank']}")
        rows.append((snap, moves))
    return list(reversed(rows))


def priority_weights(request):
    require_set_weights(request.user)
    weights = PriorityWeights.current()
    initial = {name: getattr(weights, name) for name in actions.WEIGHT_FIELDS}
    initial["version"] = weights.version if weights.pk else None
    form = WeightsForm(request.POST or None, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.set_priority_weights(form.values(), expected_version=data["version"],
                                                  acting_user=request.user),
        template=FORM,
        context={"title": "Weights of the priority board", "cancel_url": reverse("initiatives:priorities")},
        success_url=reverse("initiatives:priorities"), success_message="Weights saved; the board is ranked again.",
    )


# --- co-creation ---


def _cocreation_context(request, friction_point) -> dict:
    """What the friction point page shows of co-creation: the tensions first, the challenge, who
    is asked and what each team said, the options with every team's stance, the decision."""
    user = request.user
    mine = user_team_ids(user)
    asked = queries.asked_teams(friction_point)
    decision = queries.decision_of(friction_point)
    affected_ids = {a.team.pk for a in asked}
    return {
        "tensions": queries.tensions(friction_point),
        "asked": asked, "heard": sum(1 for a in asked if a.heard),
        "removed_rows": queries.affected_rows(friction_point, include_removed=True).filter(removed=True),
        "concerned": queries.concerned_steps(friction_point),
        "my_asked": [a for a in asked if a.team.pk in mine and role_of(user) != Role.VIEWER],
        "options": queries.option_views(friction_point),
        "decision": decision,
        "can_run": can(require_run_process, user, "x"),
        "can_propose": can(require_propose_option, user, friction_point, affected_ids),
        "is_sponsor": is_executive_sponsor(user),
        "can_start_initiative": can(require_plan_initiative, user),
        "stances": OptionStanceValue.choices,
        "all_teams": Team.objects.all(),
    }


def friction_point_challenge(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_run_process(request.user, "set the challenge of a friction point")
    form = ChallengeForm(request.POST or None, initial={
        "owner_team": friction_point.owner_team_id, "steps": [s.pk for s in friction_point.steps.all()],
        "version": friction_point.version})
    return run_form(
        request, form,
        lambda data: actions.set_challenge(friction_point, owner_team=data["owner_team"], steps=list(data["steps"]),
                                           expected_version=data["version"], acting_user=request.user),
        template=FORM, context={"title": f"The challenge of “{friction_point.title}”",
                                "cancel_url": friction_point.get_absolute_url(), "object": friction_point},
        success_url=lambda fp: fp.get_absolute_url(),
        success_message="Challenge saved; the affected teams are asked for their perspective.")


def _back(friction_point, request, exc=None, ok: str = ""):
    if exc is not None:
        messages.error(request, exception_text(exc))
    elif ok:
        messages.success(request, ok)
    return HttpResponseRedirect(friction_point.get_absolute_url())


@require_POST
def friction_point_affected(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_run_process(request.user, "change the affected teams")
    form = AffectedTeamForm(request.POST)
    if not form.is_valid():
        return _back(friction_point, request, InvalidInput({"team": "Choose a team and add or remove."}))
    data = form.cleaned_data
    act = actions.add_affected_team if data["change"] == "add" else actions.remove_affected_team
    try:
        act(friction_point, data["team"], reason=data["reason"], acting_user=request.user)
    except InvalidInput as exc:
        return _back(friction_point, request, exc)
    done = "added" if data["change"] == "add" else "removed"
    return _back(friction_point, request, ok=f"{data['team'].name} {done}.")


def _team_param(request):
    team_id = _int(request.GET.get("team") or request.POST.get("team"))
    return Team.objects.filter(pk=team_id).first() if team_id else None


def _perspective_page(request, subject, cancel_url):
    team = _team_param(request)
    if team is None:
        mine = [a.team for a in queries.asked_teams(subject) if a.team.pk in user_team_ids(request.user)]
        team = mine[0] if len(mine) == 1 else None
    if team is None:
        raise InvalidTeam()
    require_answer_for(request.user, team)
    existing = queries.perspective_of(subject, team)
    form = PerspectiveForm(request.POST or None, initial=PerspectiveForm.initial_of(existing))
    return run_form(
        request, form,
        lambda data: actions.give_perspective(subject, team, form.values(), expected_version=data.get("version"),
                                              acting_user=request.user),
        template="initiatives/perspective_form.html",
        context={"title": f"{team.name}’s perspective on “{subject.title}”", "cancel_url": cancel_url,
                 "team": team, "subject": subject, "object": existing},
        success_url=lambda p: cancel_url, success_message=f"{words.possessive(team.name)} perspective saved.")


class InvalidTeam(Http404):
    def __init__(self):
        super().__init__("Say which team you answer for (?team=<id>).")


def friction_point_perspective(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    return _perspective_page(request, friction_point, friction_point.get_absolute_url())


@require_POST
def friction_point_option_new(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_propose_option(request.user, friction_point, {t.pk for t in queries.affected_teams(friction_point)})
    form = OptionForm(request.POST)
    if not form.is_valid():
        return _back(friction_point, request, InvalidInput({"title": "Give the option a title."}))
    try:
        option = actions.propose_option(friction_point, form.cleaned_data, acting_user=request.user)
    except InvalidInput as exc:
        return _back(friction_point, request, exc)
    return _back(friction_point, request,
                 ok=f"Option “{option.title}” added; each affected team is asked for its stance.")


@require_POST
def friction_point_option_stance(request, pk, option_pk):
    friction_point = queries.friction_point_by_id(pk)
    option = queries.option_by_id(friction_point, option_pk)
    form = OptionStanceForm(request.POST)
    if not form.is_valid():
        return _back(friction_point, request, InvalidInput({"stance": "Choose a team and a stance."}))
    data = form.cleaned_data
    require_answer_for(request.user, data["team"], "take a stance on an option for")
    try:
        actions.take_option_stance(option, data["team"], {"stance": data["stance"], "reason": data["reason"]},
                                   expected_version=data["version"], acting_user=request.user)
    except (InvalidInput, Conflict) as exc:
        return _back(friction_point, request, exc)
    return _back(friction_point, request, ok=f"{data['team'].name}’s stance on “{option.title}” saved.")


@require_POST
def friction_point_option_decide(request, pk, option_pk):
    friction_point = queries.friction_point_by_id(pk)
    option = queries.option_by_id(friction_point, option_pk)
    decision = queries.decision_of(friction_point)
    if decision is not None and decision.state == "escalated":
        require_executive_sponsor(request.user, "decide an escalation")
        decide = actions.sponsor_decide
    else:
        require_run_process(request.user, "record a decision")
        decide = actions.decide_by_consensus
    form = DecideForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        decide(friction_point, option, rationale=data.get("rationale") or "", review_on=data.get("review_on"),
               acting_user=request.user)
    except InvalidInput as exc:
        return _back(friction_point, request, exc)
    return _back(friction_point, request, ok=f"Decided: “{option.title}”.")


@require_POST
def friction_point_escalate(request, pk):
    friction_point = queries.friction_point_by_id(pk)
    require_run_process(request.user, "escalate to the executive sponsor")
    form = EscalateForm(request.POST)
    form.is_valid()
    try:
        actions.escalate(friction_point, note=form.cleaned_data.get("note") or "", acting_user=request.user)
    except InvalidInput as exc:
        return _back(friction_point, request, exc)
    return _back(friction_point, request, ok="Escalated to the executive sponsor.")


# ---------------------------------------------------------------- planned changes


def planned_change_list(request):
    status = request.GET.get("status", "")
    status = status if status in PlannedStatus.values else ""
    return render(request, "initiatives/plannedchange_list.html", {
        "changes": queries.planned_changes(status=status or None), "status": status,
        "statuses": PlannedStatus.choices, "can_declare": can(require_declare_change, request.user),
    })


def planned_change_detail(request, pk):
    planned = queries.planned_change_by_id(pk)
    mine = user_team_ids(request.user)
    asked = queries.asked_teams(planned)
    return render(request, "initiatives/plannedchange_detail.html", {
        "pc": planned, "review": queries.impact_review(planned), "asked": asked,
        "heard": sum(1 for a in asked if a.heard),
        "my_asked": [a for a in asked if a.team.pk in mine and role_of(request.user) != Role.VIEWER],
        "history": recent_changes_of(planned), "can_change": can(require_change_planned, request.user, planned),
    })


def planned_change_create(request):
    require_declare_change(request.user)
    form = PlannedChangeForm(request.POST or None)
    return run_form(
        request, form, lambda data: actions.declare_planned_change(form.values(), acting_user=request.user),
        template=FORM,
        context={"title": "Declare a planned change", "cancel_url": reverse("initiatives:planned_changes")},
        success_url=lambda pc: pc.get_absolute_url(),
        success_message="Planned change declared; the teams it affects are asked for their perspective.")


def planned_change_edit(request, pk):
    planned = queries.planned_change_by_id(pk)
    require_change_planned(request.user, planned)
    form = PlannedChangeForm(request.POST or None, initial={
        "title": planned.title, "description": planned.description, "kind": planned.kind, "go_live": planned.go_live,
        "steps": [s.pk for s in planned.steps.all()], "team": planned.team_id, "version": planned.version})
    return run_form(
        request, form,
        lambda data: actions.update_planned_change(planned, form.values(), expected_version=data["version"],
                                                   acting_user=request.user),
        template=FORM, context={"title": f"Edit “{planned.title}”", "cancel_url": planned.get_absolute_url(),
                                "object": planned},
        success_url=lambda pc: pc.get_absolute_url(), success_message="Planned change saved.")


def planned_change_perspective(request, pk):
    planned = queries.planned_change_by_id(pk)
    return _perspective_page(request, planned, planned.get_absolute_url())


# --- from decision to initiative ---


@require_POST
def friction_point_initiative(request, pk):
    """Start an initiative from the decided option; the lead team (default: the owner team) may
    then shape it on the initiative's edit page."""
    friction_point = queries.friction_point_by_id(pk)
    lead_id = _int(request.POST.get("lead_team"))
    lead = Team.objects.filter(pk=lead_id).first() if lead_id else None
    try:
        initiative = actions.plan_initiative_from_decision(friction_point, lead_team=lead, acting_user=request.user)
    except InvalidInput as exc:
        return _back(friction_point, request, exc)
    messages.success(request, "Initiative started from the decision; its teams were told.")
    return HttpResponseRedirect(initiative.get_absolute_url())
