"""Organization pages: the North Star, glossary, teams, people and API tokens. (A team's own
page lists every step it impacts, a journeys read, so it is `journeys.views.team_detail`.)"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.forms import problems_text, run_form
from cxkeeper.core.views import confirm_delete
from cxkeeper.org import actions
from cxkeeper.org.forms import GlossaryTermForm, NewPersonForm, PersonForm, TeamForm, TokenForm, WorkspaceForm
from cxkeeper.org.models import ApiToken, GlossaryTerm, Person, Team, Workspace
from cxkeeper.org.permissions import can, require_admin, require_keeper

FORM = "core/form.html"


def _fields(data):
    return {k: v for k, v in data.items() if k != "version"}


def workspace_edit(request):
    require_keeper(request.user, "change the mission statement")
    workspace = Workspace.current()
    form = WorkspaceForm(request.POST or None, initial={
        "name": workspace.name, "mission": workspace.mission,
        "review_interval_days": workspace.review_interval_days, "executive_sponsor": workspace.executive_sponsor_id,
        "perspective_reminder_days": workspace.perspective_reminder_days, "version": workspace.version})
    admin_only = ("review_interval_days", "executive_sponsor")
    if not can(require_admin, request.user, "x"):
        for name in admin_only:
            form.fields[name].disabled = True

    def perform(data):
        changes = _fields(data)
        for name in admin_only:
            if form.fields[name].disabled:
                changes.pop(name)
        if changes.get("perspective_reminder_days") is None:
            changes.pop("perspective_reminder_days", None)  # left empty: unchanged
        return actions.update_workspace(changes, expected_version=data["version"], acting_user=request.user)

    return run_form(request, form, perform, template=FORM,
                    context={"title": "Workspace and North Star", "object": workspace, "cancel_url": reverse("home")},
                    success_url=reverse("home"), success_message="Workspace saved.")


# ---------------------------------------------------------------- glossary


def glossary(request):
    return render(request, "org/glossary.html", {
        "terms": GlossaryTerm.objects.all(), "can_edit": can(require_keeper, request.user, "x"),
    })


def glossary_create(request):
    require_keeper(request.user, "edit the glossary")
    form = GlossaryTermForm(request.POST or None)
    return run_form(request, form, lambda d: actions.add_glossary_term(d["term"], d["definition"],
                                                                       acting_user=request.user),
                    template=FORM, context={"title": "New glossary term", "cancel_url": reverse("org:glossary")},
                    success_url=reverse("org:glossary"), success_message="Term added.")


def glossary_edit(request, pk):
    term = get_object_or_404(GlossaryTerm, pk=pk)
    require_keeper(request.user, "edit the glossary")
    form = GlossaryTermForm(request.POST or None, initial={"term": term.term, "definition": term.definition,
                                                           "version": term.version})
    return run_form(request, form, lambda d: actions.update_glossary_term(
        term, _fields(d), expected_version=d["version"], acting_user=request.user),
        template=FORM, context={"title": f"Edit “{term.term}”", "object": term,
                                "cancel_url": reverse("org:glossary")},
        success_url=reverse("org:glossary"), success_message="Term saved.")


def glossary_delete(request, pk):
    term = get_object_or_404(GlossaryTerm, pk=pk)
    require_keeper(request.user, "edit the glossary")
    return confirm_delete(
        request, term, lambda version: actions.delete_glossary_term(term, expected_version=version,
                                                                    acting_user=request.user),
        title=f"Delete “{term.term}”?", cancel_url=reverse("org:glossary"),
        success_url=reverse("org:glossary"), success_message="Term deleted.")


# ---------------------------------------------------------------- teams


def team_list(request):
    return render(request, "org/team_list.html", {
        "teams": Team.objects.select_related("lead").prefetch_related("members"),
        "can_admin": can(require_admin, request.user, "x"),
    })


def _team_initial(team):
    return {"name": team.name, "function": team.function, "office": team.office,
            "customer_facing": team.customer_facing, "lead": team.lead_id, "description": team.description,
            "version": team.version}


def team_create(request):
    require_admin(request.user, "create teams")
    form = TeamForm(request.POST or None, initial={"customer_facing": True})
    return run_form(request, form, lambda d: actions.create_team(_fields(d), acting_user=request.user),
                    template=FORM, context={"title": "New team", "cancel_url": reverse("org:teams")},
                    success_url=lambda t: t.get_absolute_url(), success_message="Team created.")


def team_edit(request, slug):
    team = get_object_or_404(Team, slug=slug)
    require_admin(request.user, "edit teams")
    form = TeamForm(request.POST or None, initial=_team_initial(team))
    return run_form(request, form, lambda d: actions.update_team(
        team, _fields(d), expected_version=d["version"], acting_user=request.user),
        template=FORM, context={"title": f"Edit team “{team.name}”", "object": team,
                                "cancel_url": team.get_absolute_url()},
        success_url=lambda t: t.get_absolute_url(), success_message="Team saved.")


def team_delete(request, slug):
    team = get_object_or_404(Team, slug=slug)
    require_admin(request.user, "delete teams")
    return confirm_delete(
        request, team, lambda version: actions.delete_team(team, expected_version=version, acting_user=request.user),
        title=f"Delete team “{team.name}”?",
        cancel_url=team.get_absolute_url(), success_url=reverse("org:teams"), success_message="Team deleted.")


# ---------------------------------------------------------------- people


def people(request):
    require_admin(request.user, "manage people")
    return render(request, "org/people.html", {
        "people": Person.objects.select_related("user").prefetch_related("teams"),
    })


def person_create(request):
    require_admin(request.user, "add people")
    form = NewPersonForm(request.POST or None)
    return run_form(request, form, lambda d: actions.create_person(
        username=d["username"], password=d["password"], role=d["role"], email=d["email"],
        full_name=d["full_name"], teams=d["teams"], acting_user=request.user),
        template=FORM, context={"title": "Add a person", "cancel_url": reverse("org:people")},
        success_url=reverse("org:people"), success_message="Person added.")


def person_edit(request, pk):
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    require_admin(request.user, "change people's roles and teams")
    form = PersonForm(request.POST or None, initial={"role": person.role, "teams": list(person.teams.all()),
                                                     "version": person.version})
    return run_form(request, form, lambda d: actions.update_person(
        person, {"role": d["role"], "teams": list(d["teams"])}, expected_version=d["version"],
        acting_user=request.user),
        template=FORM, context={"title": f"Edit {person}", "object": person, "cancel_url": reverse("org:people")},
        success_url=reverse("org:people"), success_message="Person saved.")


# ---------------------------------------------------------------- API tokens


def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data.get("days")
        try:
            _, secret = actions.create_api_token(
                request.user, form.cleaned_data["name"], acting_user=request.user,
                expires_in_days=days)
        except InvalidInput as exc:
            form.add_error("days", problems_text(exc.errors))
        else:
            form = TokenForm()
    status = 422 if request.method == "POST" and secret is None else 200
    return render(request, "org/tokens.html", {
        "form": form, "secret": secret, "tokens": ApiToken.objects.filter(user=request.user),
    }, status=status)


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    actions.revoke_api_token(token, acting_user=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("org:tokens")
