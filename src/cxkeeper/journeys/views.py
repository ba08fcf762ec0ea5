"""Journey pages. Views parse and authorize; reads come from queries, writes from actions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cxkeeper.core import words
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.forms import MISSING_VERSION, run_form
from cxkeeper.core.views import confirm_delete
from cxkeeper.journeys import actions, queries
from cxkeeper.journeys import blueprint_export as exports
from cxkeeper.journeys.choices import Lane, ResponsibilityRole
from cxkeeper.journeys.forms import (
    ConfirmForm,
    HandoffForm,
    JourneyForm,
    PersonaForm,
    ResponsibilityForm,
    StageForm,
    StepForm,
    SuggestionDecisionForm,
    SuggestionForm,
)
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, ShareLink, Stage
from cxkeeper.journeys.permissions import (
    require_step_content_edit,
    require_structure,
    require_suggestion_decision,
    step_fields_editable_by,
)
from cxkeeper.org.models import Person, Team
from cxkeeper.org.permissions import can, require_admin, require_signed_in

FORM = "core/form.html"
SUGGESTION_FORM = "journeys/suggestion_form.html"  # the core form with a sentence of context above it
ROLE_ORDER = {role: i for i, role in enumerate(ResponsibilityRole.values)}


def _version(form):
    """The version a button's form carried; a missing one refuses the action (InvalidInput,
    shown as a message by _post_action) rather than acting on whatever is there now."""
    if not form.is_valid() or form.cleaned_data.get("version") is None:
        raise InvalidInput({"version": MISSING_VERSION})
    return form.cleaned_data["version"]


# ---------------------------------------------------------------- journeys


def journey_list(request):
    return render(request, "journeys/journey_list.html", {
        "overview": queries.journeys_overview(),
        "can_structure": can(require_structure, request.user),
    })


def journey_map(request, slug):
    journey = queries.journey_by_slug(slug)
    team_slug = request.GET.get("team", "")
    highlight = Team.objects.filter(slug=team_slug).first() if team_slug else None
    if highlight is None and request.GET.get("mine") == "1":
        person = getattr(request.user, "person", None)
        highlight = person.teams.first() if person is not None else None
    blueprint = queries.journey_blueprint(journey, highlight)
    context = {
        "journey": journey,
        "blueprint": blueprint,
        "all_teams": Team.objects.all(),
        "my_teams": list(request.user.person.teams.all()) if hasattr(request.user, "person") else [],
        "overdue": queries.is_overdue(journey),
        "deadline": queries.review_deadline(journey),
        "can_structure": can(require_structure, request.user),
        "activity": queries.recent_activity(8, journey),
        "confirm": ConfirmForm(initial={"version": journey.version}),
        "sheets": queries.blueprint_sheets(blueprint),
    }
    template = "journeys/partials/blueprint.html" if request.headers.get("HX-Request") else "journeys/map.html"
    return render(request, template, context)


def journey_create(request):
    require_structure(request.user, "create journeys")
    form = JourneyForm(request.POST or None, initial={"keeper": request.user.pk, "status": "draft"})
    return run_form(
        request, form,
        lambda data: actions.create_journey({k: v for k, v in data.items() if k != "version"},
                                            acting_user=request.user),
        template=FORM, context={"title": "New journey", "cancel_url": reverse("journeys:list")},
        success_url=lambda j: j.get_absolute_url(), success_message="Journey created.",
    )


def journey_edit(request, slug):
    journey = queries.journey_by_slug(slug)
    require_structure(request.user, "edit journeys")
    initial = {"name": journey.name, "description": journey.description, "persona": journey.persona_id,
               "keeper": journey.keeper_id, "status": journey.status, "version": journey.version}
    form = JourneyForm(request.POST or None, initial=initial)
    return run_form(
        request, form,
        lambda data: actions.update_journey(journey, {k: v for k, v in data.items() if k != "version"},
                                            expected_version=data["version"], acting_user=request.user),
        template=FORM, context={"title": f"Edit journey “{journey.name}”", "object": journey,
                                "cancel_url": journey.get_absolute_url()},
        success_url=lambda j: j.get_absolute_url(), success_message="Journey saved.",
    )


def journey_delete(request, slug):
    journey = queries.journey_by_slug(slug)
    require_structure(request.user, "delete journeys")
    return confirm_delete(
        request, journey,
        lambda version: actions.delete_journey(journey, expected_version=version, acting_user=request.user),
        title=f"Delete journey “{journey.name}”?",
        warning="Its stages, steps, responsibilities and handoffs are deleted too (all recorded in history).",
        cancel_url=journey.get_absolute_url(),
        success_url=reverse("journeys:list"), success_message="Journey deleted.",
    )


@require_POST
def journey_publish(request, slug, publish: bool):
    journey = queries.journey_by_slug(slug)
    form = ConfirmForm(request.POST)
    form.is_valid()
    return _post_action(request, journey.get_absolute_url(), lambda: actions.publish_journey(
        journey, expected_version=_version(form), acting_user=request.user, publish=publish),
        "Journey published." if publish else "Journey is a draft again.")


@require_POST
def journey_review(request, slug):
    journey = queries.journey_by_slug(slug)
    return _post_action(request, journey.get_absolute_url(),
                        lambda: actions.mark_journey_reviewed(journey, acting_user=request.user),
                        "Marked reviewed: the map matches reality today.")


def _post_action(request, next_url, perform, success_message):
    """Buttons that POST one action; a conflict or invalid state becomes a message, not a crash."""
    try:
        perform()
    except (Conflict, InvalidInput) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success_message)
    return redirect(next_url)


# ---------------------------------------------------------------- stages


def stage_create(request, slug):
    journey = queries.journey_by_slug(slug)
    require_structure(request.user, "add stages")
    form = StageForm(request.POST or None)
    return run_form(
        request, form,
        lambda data: actions.add_stage(journey, {"name": data["name"], "description": data["description"]},
                                       acting_user=request.user),
        template=FORM, context={"title": f"New stage in “{journey.name}”", "cancel_url": journey.get_absolute_url()},
        success_url=journey.get_absolute_url(), success_message="Stage added.",
    )


def stage_edit(request, pk):
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=pk)
    require_structure(request.user, "edit stages")
    form = StageForm(request.POST or None, initial={"name": stage.name, "description": stage.description,
                                                    "version": stage.version})
    return run_form(
        request, form,
        lambda data: actions.update_stage(stage, {"name": data["name"], "description": data["description"]},
                                          expected_version=data["version"], acting_user=request.user),
        template=FORM, context={"title": f"Edit stage “{stage.name}”", "object": stage,
                                "cancel_url": stage.journey.get_absolute_url()},
        success_url=stage.journey.get_absolute_url(), success_message="Stage saved.",
    )


def stage_delete(request, pk):
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=pk)
    require_structure(request.user, "delete stages")
    return confirm_delete(
        request, stage,
        lambda version: actions.delete_stage(stage, expected_version=version, acting_user=request.user),
        title=f"Delete stage “{stage.name}”?", warning=f"Its {stage.steps.count()} step(s) are deleted too.",
        cancel_url=stage.journey.get_absolute_url(),
        success_url=stage.journey.get_absolute_url(), success_message="Stage deleted.",
    )


@require_POST
def stage_move(request, pk, direction: int):
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    return _post_action(request, stage.journey.get_absolute_url(), lambda: actions.move_stage(
        stage, direction, expected_version=_version(form), acting_user=request.user), "Stage moved.")


# ---------------------------------------------------------------- steps


def step_detail(request, pk):
    step = queries.step_by_id(pk)
    return render(request, "journeys/step.html", {
        "step": step,
        "journey": step.stage.journey,
        "responsibilities": sorted(step.responsibilities.all(),
                                   key=lambda r: (ROLE_ORDER[r.role], not r.is_lead, r.team.name)),
        "handoffs_out": step.handoffs_out.select_related("to_step", "from_team", "to_team"),
        "handoffs_in": step.handoffs_in.select_related("from_step", "from_team", "to_team"),
        "history": queries.step_history(step)[:50],
        "can_edit": bool(step_fields_editable_by(request.user, step)),
        "can_structure": can(require_structure, request.user),
        "confirm": ConfirmForm(initial={"version": step.version}),
        "suggestions": queries.suggestions_for(step),
        "can_decide": can(require_suggestion_decision, request.user, step),
    })


def step_create(request, stage_pk):
    stage = get_object_or_404(Stage.objects.select_related("journey"), pk=stage_pk)
    require_structure(request.user, "add steps")
    form = StepForm(request.POST or None, initial={"lane": request.GET.get("lane", Lane.FRONTSTAGE)})
    return run_form(
        request, form,
        lambda data: actions.add_step(stage, {k: v for k, v in data.items() if k != "version"},
                                      acting_user=request.user),
        template=FORM, context={"title": f"New step in “{stage.name}”", "cancel_url": stage.journey.get_absolute_url()},
        success_url=lambda s: s.get_absolute_url(), success_message="Step added.",
    )


def step_edit(request, pk):
    step = queries.step_by_id(pk)
    require_step_content_edit(request.user, step)
    editable = step_fields_editable_by(request.user, step)
    initial = {"name": step.name, "lane": step.lane, "channel": step.channel, "description": step.description,
               "phrases": step.phrases, "version": step.version}
    form = StepForm(request.POST or None, initial=initial, editable=editable)
    return run_form(
        request, form,
        lambda data: actions.update_step(step, form.changes(editable), expected_version=data["version"],
                                         acting_user=request.user),
        template=FORM, context={"title": f"Edit step “{step.name}”", "object": step,
                                "cancel_url": step.get_absolute_url()},
        success_url=lambda s: s.get_absolute_url(), success_message="Step saved; its teams were notified.",
    )


def step_delete(request, pk):
    step = queries.step_by_id(pk)
    require_structure(request.user, "delete steps")
    return confirm_delete(
        request, step,
        lambda version: actions.delete_step(step, expected_version=version, acting_user=request.user),
        title=f"Delete step “{step.name}”?", warning="Its responsibilities and handoffs are deleted too.",
        cancel_url=step.get_absolute_url(),
        success_url=step.stage.journey.get_absolute_url(), success_message="Step deleted.",
    )


@require_POST
def step_move(request, pk, direction: int):
    step = queries.step_by_id(pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    return _post_action(request, step.stage.journey.get_absolute_url(), lambda: actions.move_step(
        step, direction, expected_version=_version(form), acting_user=request.user), "Step moved.")


# ---------------------------------------------------------------- responsibilities and handoffs


def responsibility_create(request, step_pk):
    step = queries.step_by_id(step_pk)
    require_structure(request.user, "assign teams to steps")
    form = ResponsibilityForm(request.POST or None, initial={"role": ResponsibilityRole.OWNS})
    return run_form(
        request, form,
        lambda data: actions.assign_responsibility(
            step, data["team"], {"role": data["role"], "is_lead": data["is_lead"], "note": data["note"]},
            acting_user=request.user),
        template=FORM, context={"title": f"Add a team to “{step.name}”", "cancel_url": step.get_absolute_url()},
        success_url=step.get_absolute_url(), success_message="Responsibility assigned; the team was notified.",
    )


def responsibility_edit(request, pk):
    responsibility = get_object_or_404(Responsibility.objects.select_related("step", "team"), pk=pk)
    require_structure(request.user, "change responsibilities")
    initial = {"team": responsibility.team_id, "role": responsibility.role, "is_lead": responsibility.is_lead,
               "note": responsibility.note, "version": responsibility.version}
    form = ResponsibilityForm(request.POST or None, initial=initial)
    form.fields["team"].disabled = True
    return run_form(
        request, form,
        lambda data: actions.update_responsibility(
            responsibility, {"role": data["role"], "is_lead": data["is_lead"], "note": data["note"]},
            expected_version=data["version"], acting_user=request.user),
        template=FORM,
        context={"title": f"Edit {words.possessive(responsibility.team)} part in “{responsibility.step.name}”",
                 "cancel_url": responsibility.step.get_absolute_url()},
        success_url=responsibility.step.get_absolute_url(), success_message="Responsibility saved.",
    )


def responsibility_delete(request, pk):
    responsibility = get_object_or_404(Responsibility.objects.select_related("step", "team"), pk=pk)
    require_structure(request.user, "remove responsibilities")
    return confirm_delete(
        request, responsibility,
        lambda version: actions.remove_responsibility(responsibility, expected_version=version,
                                                      acting_user=request.user),
        title=f"Remove {responsibility.team} from “{responsibility.step.name}”?",
        cancel_url=responsibility.step.get_absolute_url(),
        success_url=responsibility.step.get_absolute_url(), success_message="Responsibility removed.",
    )


def handoff_create(request, step_pk):
    step = queries.step_by_id(step_pk)
    require_structure(request.user, "add handoffs")
    form = HandoffForm(request.POST or None, journey=step.stage.journey)
    return run_form(
        request, form,
        lambda data: actions.add_handoff({"from_step": step, **{k: v for k, v in data.items() if k != "version"}},
                                         acting_user=request.user),
        template=FORM, context={"title": f"Add a handoff from “{step.name}”", "cancel_url": step.get_absolute_url()},
        success_url=step.get_absolute_url(), success_message="Handoff added.",
    )


def handoff_delete(request, pk):
    handoff = get_object_or_404(Handoff.objects.select_related("from_step", "to_step", "from_team", "to_team"),
                                pk=pk)
    require_structure(request.user, "remove handoffs")
    return confirm_delete(
        request, handoff,
        lambda version: actions.remove_handoff(handoff, expected_version=version, acting_user=request.user),
        title=f"Remove handoff {handoff}?", cancel_url=handoff.from_step.get_absolute_url(),
        success_url=handoff.from_step.get_absolute_url(), success_message="Handoff removed.",
    )


# ---------------------------------------------------------------- a team's part in every journey


def team_detail(request, slug):
    """The team page (/teams/<slug>/, named org:team): every step the team impacts and its
    handoffs are journeys reads, so the page lives here, above org, which cannot read journeys."""
    team = get_object_or_404(Team.objects.select_related("lead"), slug=slug)
    return render(request, "journeys/team_detail.html", {
        "team": team,
        "journeys": queries.team_steps(team),
        "handoffs": queries.team_handoffs(team),
        "members": Person.objects.filter(teams=team).select_related("user"),
        "can_admin": can(require_admin, request.user, "x"),
    })


# ---------------------------------------------------------------- reports


def matrix(request):
    journey = Journey.objects.filter(slug=request.GET.get("journey", "")).first()
    team = Team.objects.filter(slug=request.GET.get("team", "")).first()
    role = request.GET.get("role", "")
    role = role if role in ResponsibilityRole.values else ""
    teams, rows = queries.responsibility_matrix(journey, team, role)
    return render(request, "journeys/matrix.html", {
        "teams": teams, "rows": rows, "journeys": Journey.objects.all(), "all_teams": Team.objects.all(),
        "roles": ResponsibilityRole.choices, "selected": {"journey": journey, "team": team, "role": role},
    })


def coverage(request):
    journey = Journey.objects.filter(slug=request.GET.get("journey", "")).first()
    return render(request, "journeys/coverage.html", {
        "coverage": queries.coverage_report(journey), "journeys": Journey.objects.all(), "selected": journey,
    })


# ---------------------------------------------------------------- personas


def persona_list(request):
    return render(request, "journeys/persona_list.html", {
        "personas": Persona.objects.all(), "can_structure": can(require_structure, request.user),
    })


def persona_create(request):
    require_structure(request.user, "add personas")
    form = PersonaForm(request.POST or None)
    return run_form(
        request, form,
        lambda data: actions.create_persona({"name": data["name"], "description": data["description"]},
                                            acting_user=request.user),
        template=FORM, context={"title": "New persona", "cancel_url": reverse("journeys:personas")},
        success_url=reverse("journeys:personas"), success_message="Persona added.",
    )


def persona_edit(request, pk):
    persona = get_object_or_404(Persona, pk=pk)
    require_structure(request.user, "edit personas")
    form = PersonaForm(request.POST or None, initial={"name": persona.name, "description": persona.description,
                                                      "version": persona.version})
    return run_form(
        request, form,
        lambda data: actions.update_persona(persona, {"name": data["name"], "description": data["description"]},
                                            expected_version=data["version"], acting_user=request.user),
        template=FORM, context={"title": f"Edit persona “{persona.name}”", "object": persona,
                                "cancel_url": reverse("journeys:personas")},
        success_url=reverse("journeys:personas"), success_message="Persona saved.",
    )


def persona_delete(request, pk):
    persona = get_object_or_404(Persona, pk=pk)
    require_structure(request.user, "delete personas")
    return confirm_delete(
        request, persona,
        lambda version: actions.delete_persona(persona, expected_version=version, acting_user=request.user),
        title=f"Delete persona “{persona.name}”?", cancel_url=reverse("journeys:personas"),
        success_url=reverse("journeys:personas"), success_message="Persona deleted.",
    )



# ---------------------------------------------------------------- sharing the journey (issue 14, decisions/0037)


def _export_team(request):
    """The team to highlight in an export (?team=slug), None for all; an unknown slug is refused."""
    slug = (request.GET.get("team") or "").strip()
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise InvalidInput({"team": f"No team has the short name “{slug[:60]}”; leave it out for all teams."})
    return team


def blueprint_export(request, slug, fmt):
    """The blueprint as a file (SVG, PNG or PDF), all teams or one highlighted: anyone signed in."""
    journey = queries.journey_by_slug(slug)
    if fmt not in exports.FORMATS:
        raise Http404(f"No {fmt} export: the blueprint is exported as {', '.join(exports.FORMATS)}.")
    try:
        team = _export_team(request)
    except InvalidInput as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    blueprint = queries.journey_blueprint(journey, team)
    response = HttpResponse(exports.render(blueprint, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(blueprint, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def share_links(request, slug):
    """The keeper's list of a journey's share links: create one, copy it, revoke it."""
    journey = queries.journey_by_slug(slug)
    require_structure(request.user, "share journeys by link")
    return render(request, "journeys/share_links.html", {
        "journey": journey, "links": queries.share_links_of(journey),
    })


@require_POST
def share_link_create(request, slug):
    journey = queries.journey_by_slug(slug)
    link = actions.create_share_link(journey, acting_user=request.user)
    messages.success(request, "Share link created: everyone signed in to the workspace can open it.")
    return redirect(reverse("journeys:share_links", args=[journey.slug]) + f"#link-{link.pk}")


@require_POST
def share_link_revoke(request, pk):
    link = get_object_or_404(ShareLink.objects.select_related("journey"), pk=pk)
    actions.revoke_share_link(link, acting_user=request.user)
    messages.success(request, "Share link revoked: it no longer opens the journey.")
    return redirect("journeys:share_links", link.journey.slug)


def shared_blueprint(request, token):
    """The read-only blueprint behind a share link: for anyone signed in (the sign-in gate asks
    the others to sign in first); no edit controls. Unknown or revoked → a clear 404 page."""
    link = queries.active_share_link(token)
    if link is None:
        return render(request, "journeys/share_gone.html", status=404)
    journey = queries.journey_by_slug(link.journey.slug)
    team_slug = request.GET.get("team", "")
    highlight = Team.objects.filter(slug=team_slug).first() if team_slug else None
    blueprint = queries.journey_blueprint(journey, highlight)
    return render(request, "journeys/shared.html", {
        "journey": journey, "link": link, "blueprint": blueprint, "sheets": queries.blueprint_sheets(blueprint),
        "all_teams": Team.objects.all(), "can_structure": False, "read_only": True,
    })


def suggestion_create(request, pk):
    step = queries.step_by_id(pk)
    require_signed_in(request.user)
    form = SuggestionForm(request.POST or None)
    return run_form(
        request, form,
        lambda data: actions.suggest_step_change(step, {"what": data["what"], "why": data["why"]},
                                                 acting_user=request.user),
        template=SUGGESTION_FORM, context={"title": f"Suggest a change to “{step.name}”",
                                           "cancel_url": step.get_absolute_url(),
                                "intro": "Your suggestion goes to the teams that own this step and to the "
                                         "journey's keeper; you hear back when they answer."},
        success_url=lambda s: s.get_absolute_url(),
        success_message="Thank you: the step's owning teams and the keeper were told.",
    )


def suggestion_decide(request, pk):
    suggestion = queries.suggestion_by_id(pk)
    step = suggestion.step
    require_suggestion_decision(request.user, step)
    form = SuggestionDecisionForm(request.POST or None, initial={"version": suggestion.version})
    return run_form(
        request, form,
        lambda data: actions.decide_suggestion(suggestion, data["decision"], data["reply"],
                                               expected_version=data["version"], acting_user=request.user),
        template=SUGGESTION_FORM, context={"title": f"Answer the suggestion for “{step.name}”", "object": suggestion,
                                "intro": f"{suggestion.author.get_username() if suggestion.author else 'Someone'} "
                                         f"suggested: {suggestion.what}",
                                "cancel_url": step.get_absolute_url()},
        success_url=lambda s: s.get_absolute_url(), success_message="Answered; the person who suggested it was told.",
    )


def map_changes(request, slug):
    """What changed on the map since a date (a week ago unless chosen)."""
    journey = queries.journey_by_slug(slug)
    today = timezone.localdate()
    given = request.GET.get("since")
    status, changes, error = 200, None, ""
    try:
        since = queries.parse_since(given) if given else today - timedelta(days=7)
    except InvalidInput as exc:
        since, status, error = None, 400, " ".join(exc.errors["since"])
    else:
        changes = queries.map_changes_since(journey, since)
    return render(request, "journeys/changes.html", {
        "journey": journey, "changes": changes, "since": since, "given": given or "", "error": error,
        "today": today, "week_ago": today - timedelta(days=7), "month_ago": today - timedelta(days=30),
    }, status=status)
