"""Writes to the journey map, named for what happens in the organization.

Each action checks the acting user's permission, runs in one transaction, records the
change in history and, after commit, notifies the teams responsible for affected steps.
`acting_user=SYSTEM` means the trusted local CLI (journey-as-code apply, demo loading).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from cxkeeper.core import history, words
from cxkeeper.core.actions import create_object, delete_object, update_object
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict, Forbidden, InvalidInput
from cxkeeper.core.events import Event, emit, emit_after_commit, event_kind
from cxkeeper.core.models import ChangeRecord
from cxkeeper.core.removals import announce_removal, lock_for_removal
from cxkeeper.core.roles import Role
from cxkeeper.journeys.choices import JourneyStatus, ResponsibilityRole
from cxkeeper.journeys.models import (
    Handoff,
    Journey,
    Persona,
    Responsibility,
    ShareLink,
    Stage,
    Step,
    Suggestion,
    SuggestionStatus,
)
from cxkeeper.journeys.permissions import (
    require_step_content_edit,
    require_structure,
    require_suggestion_decision,
    step_fields_editable_by,
)
from cxkeeper.org.actions import unique_slug
from cxkeeper.org.models import Person, Team, Workspace
from cxkeeper.org.permissions import require_signed_in

# ---------------------------------------------------------------- notifications


STEP_CHANGED = event_kind("step.changed", "A step your team is responsible for changed")


def notify_step_teams(step: Step, change: ChangeRecord | None, *, acting_user, message: str) -> None:
    """After commit: every member of a team responsible for the step hears of the change."""
    if change is None:
        return
    step_id, actor_id, actor = step.pk, getattr(acting_user, "pk", None), _actor_name(acting_user)

    def event():
        team_ids = sorted(set(Responsibility.objects.filter(step_id=step_id).values_list("team_id", flat=True)))
        recipients = (
            Person.objects.filter(teams__in=team_ids).exclude(user_id=actor_id).values_list("user_id", flat=True)
        )
        return Event(STEP_CHANGED, message[:500], url=step.get_absolute_url(),
                     recipient_ids=tuple(sorted(set(recipients))), team_ids=tuple(team_ids), actor=actor,
                     change_id=change.pk, data={"step_id": step_id})

    emit_after_commit(STEP_CHANGED, event)


def _actor_name(acting_user) -> str | None:
    return acting_user.get_username() if getattr(acting_user, "pk", None) else None


def _who(acting_user) -> str:
    return acting_user.get_username() if acting_user is not None else "the command line"


# ---------------------------------------------------------------- personas


def create_persona(values: dict, *, acting_user) -> Persona:
    require_structure(acting_user, "add personas")
    persona, _ = create_object(Persona, dict(values), acting_user=acting_user)
    return persona


def update_persona(persona: Persona, changes: dict, *, expected_version, acting_user) -> Persona:
    require_structure(acting_user, "edit personas")
    persona, _ = update_object(persona, changes, expected_version=expected_version, acting_user=acting_user)
    return persona


def delete_persona(persona: Persona, *, expected_version, acting_user) -> None:
    """The persona's journeys stay, drawn for no persona (an UPDATE in each one's history)."""
    require_structure(acting_user, "delete personas")
    with transaction.atomic():
        current = lock_for_removal(persona, expected_version=expected_version)
        announce_removal(current, acting_user=acting_user)
        for journey in current.journeys.all():
            update_object(journey, {"persona": None}, expected_version=None, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- journeys


def create_journey(values: dict, *, acting_user) -> Journey:
    require_structure(acting_user, "create journeys")
    values = dict(values)
    values.setdefault("slug", unique_slug(Journey, values.get("name", "")))
    journey, _ = create_object(Journey, values, acting_user=acting_user)
    return journey


def update_journey(journey: Journey, changes: dict, *, expected_version, acting_user) -> Journey:
    require_structure(acting_user, "edit journeys")
    journey, _ = update_object(journey, changes, expected_version=expected_version, acting_user=acting_user)
    return journey


def publish_journey(journey: Journey, *, expected_version, acting_user, publish: bool = True) -> Journey:
    require_structure(acting_user, "publish journeys")
    status = JourneyStatus.PUBLISHED if publish else JourneyStatus.DRAFT
    journey, _ = update_object(journey, {"status": status}, expected_version=expected_version,
                               acting_user=acting_user)
    return journey


def mark_journey_reviewed(journey: Journey, *, acting_user) -> Journey:
    """The keeper confirms the map still matches reality; restarts the review clock."""
    require_structure(acting_user, "mark journeys reviewed")
    journey, _ = update_object(
        journey,
        {"last_reviewed_at": timezone.now(), "last_reviewed_by": acting_user},
        expected_version=None,
        acting_user=acting_user,
    )
    return journey


def delete_journey(journey: Journey, *, expected_version, acting_user) -> None:
    """Each stage goes the way `delete_stage` takes it, then the journey is announced (so
    journey-wide targets and friction points are handled) and deleted."""
    require_structure(acting_user, "delete journeys")
    with transaction.atomic():
        _lock_workspace()
        current = lock_for_removal(journey, expected_version=expected_version)
        for stage in current.stages.all():
            _remove_stage(stage, expected_version=None, acting_user=acting_user)
        for link in current.share_links.all():
            delete_object(link, expected_version=None, acting_user=acting_user)
        announce_removal(current, acting_user=acting_user)
        delete_object(current, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- stages


def _next_position(queryset) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def add_stage(journey: Journey, values: dict, *, acting_user) -> Stage:
    require_structure(acting_user, "add stages")
    values = {"position": _next_position(journey.stages.all()), **values, "journey": journey}
    stage, _ = create_object(Stage, values, acting_user=acting_user)
    return stage


def update_stage(stage: Stage, changes: dict, *, expected_version, acting_user) -> Stage:
    require_structure(acting_user, "edit stages")
    stage, _ = update_object(stage, changes, expected_version=expected_version, acting_user=acting_user)
    return stage


def _remove_stage(stage: Stage, *, expected_version, acting_user) -> None:
    current = lock_for_removal(stage, expected_version=expected_version)
    for step in current.steps.all():
        _remove_step(step, expected_version=None, acting_user=acting_user)
    announce_removal(current, acting_user=acting_user)
    delete_object(current, expected_version=expected_version, acting_user=acting_user)


def delete_stage(stage: Stage, *, expected_version, acting_user) -> None:
    """Each step goes the way `delete_step` takes it (announced, with its responsibilities and
    handoffs recorded), then the stage is announced (stage targets) and deleted."""
    require_structure(acting_user, "delete stages")
    with transaction.atomic():
        _lock_workspace()
        _remove_stage(stage, expected_version=expected_version, acting_user=acting_user)


def _move(obj, siblings, direction: int, *, expected_version, acting_user):
    """Swap `obj` with its neighbour in `direction` (-1 earlier, +1 later), renumbering 0..n-1."""
    with transaction.atomic():
        ordered = list(siblings.select_for_update().order_by("position", "pk"))
        index = next(i for i, item in enumerate(ordered) if item.pk == obj.pk)
        if expected_version is not None and ordered[index].version != expected_version:
            raise Conflict(ordered[index], expected_version)
        target = index + direction
        if not 0 <= target < len(ordered):
            return obj
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                update_object(item, {"position": position}, expected_version=None, acting_user=acting_user)
    return type(obj).objects.get(pk=obj.pk)


def move_stage(stage: Stage, direction: int, *, expected_version, acting_user) -> Stage:
    require_structure(acting_user, "reorder stages")
    return _move(stage, Stage.objects.filter(journey_id=stage.journey_id), direction,
                 expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- steps


def add_step(stage: Stage, values: dict, *, acting_user) -> Step:
    require_structure(acting_user, "add steps")
    values = {"position": _next_position(stage.steps.all()), **values, "stage": stage}
    step, _ = create_object(Step, values, acting_user=acting_user)
    return step


def update_step(step: Step, changes: dict, *, expected_version, acting_user) -> Step:
    """Keepers change anything; members of an owning/contributing team change its content only."""
    require_step_content_edit(acting_user, step)
    allowed = set(step_fields_editable_by(acting_user, step)) | (
        {"stage", "position"} if acting_user is SYSTEM else set()
    )
    refused = sorted(set(changes) - allowed)
    if refused:
        if "stage" in refused or "position" in refused:
            require_structure(acting_user, "move steps")
        raise Forbidden(
            f"You may edit only {', '.join(sorted(allowed))} of “{step.name}”; "
            f"changing {', '.join(refused)} needs a keeper."
        )
    step, change = update_object(step, changes, expected_version=expected_version, acting_user=acting_user)
    changed = words.and_join([words.kind(label.lower()) for label in history.changed_labels(change)])
    notify_step_teams(step, change, acting_user=acting_user,
                      message=f"{_who(acting_user)} changed the {changed} of step “{step.name}”." if changed
                      else f"{_who(acting_user)} updated step “{step.name}”.")
    return step


def add_example_phrases(step: Step, phrases: list[str], *, expected_version, acting_user) -> tuple[Step, int]:
    """Adopt customer wording (e.g. a feedback theme) as example phrases; returns how many were new."""
    new = [p for p in dict.fromkeys(p.strip()[:200] for p in phrases if p.strip()) if p not in step.phrases]
    if not new:
        return step, 0
    step = update_step(step, {"phrases": [*step.phrases, *new]}, expected_version=expected_version,
                       acting_user=acting_user)
    return step, len(new)


def move_step(step: Step, direction: int, *, expected_version, acting_user) -> Step:
    require_structure(acting_user, "reorder steps")
    return _move(step, Step.objects.filter(stage_id=step.stage_id), direction,
                 expected_version=expected_version, acting_user=acting_user)


def _delete_step_contents(step: Step, acting_user) -> None:
    for suggestion in step.suggestions.all():
        delete_object(suggestion, expected_version=None, acting_user=acting_user)
    for responsibility in step.responsibilities.all():
        delete_object(responsibility, expected_version=None, acting_user=acting_user)
    for handoff in Handoff.objects.filter(from_step=step) | Handoff.objects.filter(to_step=step):
        delete_object(handoff, expected_version=None, acting_user=acting_user)


def _lock_workspace() -> None:
    """Deleting steps moves their feedback, under the ingest lock — the workspace row, which
    imports and journey-as-code applies lock first and then refer to steps. Take it before any
    step row, so a delete and an import never wait on each other in opposite orders (a
    deadlock on PostgreSQL, where the import's foreign-key check waits for the locked step)."""
    Workspace.objects.select_for_update().filter(pk=Workspace.current().pk).exists()


def _remove_step(step: Step, *, expected_version, acting_user) -> None:
    current = lock_for_removal(step, expected_version=expected_version)
    announce_removal(current, acting_user=acting_user)  # feedback, targets, friction points
    _delete_step_contents(current, acting_user)
    delete_object(current, expected_version=expected_version, acting_user=acting_user)


def delete_step(step: Step, *, expected_version, acting_user) -> None:
    """Announced first (docs/decisions/0008): feedback routed here becomes unrouted, targets
    at the step are deleted, friction points lose their step; then its responsibilities and
    handoffs and the step itself are deleted, every one with a history record."""
    require_structure(acting_user, "delete steps")
    with transaction.atomic():
        _lock_workspace()
        _remove_step(step, expected_version=expected_version, acting_user=acting_user)


# ---------------------------------------------------------------- responsibilities


def _clear_other_leads(responsibility: Responsibility, acting_user) -> None:
    if responsibility.is_lead:
        for other in Responsibility.objects.filter(step_id=responsibility.step_id, is_lead=True).exclude(
            pk=responsibility.pk
        ):
            update_object(other, {"is_lead": False}, expected_version=None, acting_user=acting_user)


def assign_responsibility(step: Step, team: Team, values: dict, *, acting_user) -> Responsibility:
    require_structure(acting_user, "assign teams to steps")
    if Responsibility.objects.filter(step=step, team=team).exists():
        raise InvalidInput({"team": f"{team} already has a responsibility for “{step.name}”; edit it instead."})
    with transaction.atomic():
        responsibility, change = create_object(
            Responsibility, {**values, "step": step, "team": team}, acting_user=acting_user
        )
        _clear_other_leads(responsibility, acting_user)
    notify_step_teams(step, change, acting_user=acting_user,
                      message=f"{_who(acting_user)} made {team} {responsibility.get_role_display().lower()} "
                              f"of step “{step.name}”.")
    return responsibility


def update_responsibility(responsibility: Responsibility, changes: dict, *, expected_version,
                          acting_user) -> Responsibility:
    require_structure(acting_user, "change responsibilities")
    with transaction.atomic():
        responsibility, change = update_object(
            responsibility, changes, expected_version=expected_version, acting_user=acting_user
        )
        _clear_other_leads(responsibility, acting_user)
    notify_step_teams(responsibility.step, change, acting_user=acting_user,
                      message=f"{_who(acting_user)} changed {words.possessive(responsibility.team)} part in "
                              f"“{responsibility.step.name}”.")
    return responsibility


def remove_responsibility(responsibility: Responsibility, *, expected_version, acting_user) -> None:
    require_structure(acting_user, "remove responsibilities")
    step, team = responsibility.step, responsibility.team
    with transaction.atomic():
        change = delete_object(responsibility, expected_version=expected_version, acting_user=acting_user)
    notify_step_teams(step, change, acting_user=acting_user,
                      message=f"{_who(acting_user)} removed {team} from step “{step.name}”.")


def remove_team_from_map(team: Team, *, acting_user) -> None:
    """Before a team is deleted (announced by `org.actions.delete_team`, handled in
    `journeys.removals`): its responsibilities and handoffs go, each recorded."""
    for responsibility in Responsibility.objects.filter(team=team):
        delete_object(responsibility, expected_version=None, acting_user=acting_user)
    for handoff in Handoff.objects.filter(from_team=team) | Handoff.objects.filter(to_team=team):
        delete_object(handoff, expected_version=None, acting_user=acting_user)


# ---------------------------------------------------------------- handoffs


def add_handoff(values: dict, *, acting_user) -> Handoff:
    require_structure(acting_user, "add handoffs")
    handoff, change = create_object(Handoff, dict(values), acting_user=acting_user)
    notify_step_teams(handoff.from_step, change, acting_user=acting_user,
                      message=f"{_who(acting_user)} added a handoff: {handoff}.")
    return handoff


def update_handoff(handoff: Handoff, changes: dict, *, expected_version, acting_user) -> Handoff:
    require_structure(acting_user, "change handoffs")
    handoff, _ = update_object(handoff, changes, expected_version=expected_version, acting_user=acting_user)
    return handoff


def remove_handoff(handoff: Handoff, *, expected_version, acting_user) -> None:
    require_structure(acting_user, "remove handoffs")
    delete_object(handoff, expected_version=expected_version, acting_user=acting_user)



# ---------------------------------------------------------------- sharing the journey (issue 14, decisions/0037)

STEP_SUGGESTION = event_kind("step.suggestion", "Someone suggested a change to a step your team owns")
SUGGESTION_ANSWERED = event_kind("step.suggestion_answered", "Your suggested change to a step was answered")
MAX_OPEN_SUGGESTIONS_PER_PERSON = 20  # open at once, whole workspace: a person, not a flood


def create_share_link(journey: Journey, *, acting_user) -> ShareLink:
    """A new read-only address of the journey's blueprint for everyone signed in."""
    require_structure(acting_user, "share journeys by link")
    link, _ = create_object(ShareLink, {
        "journey": journey, "token": secrets.token_urlsafe(24),
        "created_by": acting_user if getattr(acting_user, "pk", None) else None,
    }, acting_user=acting_user)
    return link


def revoke_share_link(link: ShareLink, *, acting_user) -> ShareLink:
    """The address stops working at once (a clear "no longer shared" page); revoking twice is a no-op."""
    require_structure(acting_user, "revoke share links")
    if link.revoked_at is not None:
        return link
    link, _ = update_object(link, {
        "revoked_at": timezone.now(), "revoked_by": acting_user if getattr(acting_user, "pk", None) else None,
    }, expected_version=None, acting_user=acting_user)
    return link


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _keeper_ids(journey: Journey) -> set[int]:
    """The journey's keeper; a journey without one is kept by every keeper of the workspace."""
    if journey.keeper_id:
        return {journey.keeper_id}
    return set(Person.objects.filter(role=Role.KEEPER).values_list("user_id", flat=True))


def suggestion_recipients(step: Step) -> tuple[set[int], set[int]]:
    """(user ids, team ids) who hear of a suggestion: members of the owning teams and the keeper(s)."""
    owners = set(step.responsibilities.filter(role=ResponsibilityRole.OWNS).values_list("team_id", flat=True))
    members = set(Person.objects.filter(teams__in=owners).values_list("user_id", flat=True))
    return members | _keeper_ids(step.stage.journey), owners


def suggest_step_change(step: Step, values: dict, *, acting_user) -> Suggestion:
    """Anyone signed in (viewers too) suggests a change; the owning teams and the keeper hear of it."""
    require_signed_in(acting_user)
    if acting_user is SYSTEM or not getattr(acting_user, "pk", None):
        raise InvalidInput({"author": "A suggestion needs a person who signed in; the command line cannot suggest."})
    what, why = (values.get("what") or "").strip(), (values.get("why") or "").strip()
    if not what:
        raise InvalidInput({"what": "Say what should change (one or two sentences)."})
    if Suggestion.objects.filter(author=acting_user, status=SuggestionStatus.OPEN).count() \
            >= MAX_OPEN_SUGGESTIONS_PER_PERSON:
        raise InvalidInput({"what": f"You have {MAX_OPEN_SUGGESTIONS_PER_PERSON} suggestions still open; "
                                    "wait for answers before adding more."})
    with transaction.atomic():
        suggestion, change = create_object(
            Suggestion, {"step": step, "author": acting_user, "what": what, "why": why}, acting_user=acting_user)
        users, teams = suggestion_recipients(step)
        emit(Event(
            STEP_SUGGESTION,
            f"{_who(acting_user)} suggested a change to step “{step.name}”: {_short(what)}",
            url=suggestion.get_absolute_url(),
            recipient_ids=tuple(sorted(users - {acting_user.pk})), team_ids=tuple(sorted(teams)),
            actor=acting_user.get_username(), change_id=change.pk,
            data={"suggestion_id": suggestion.pk, "step_id": step.pk, "journey_id": step.stage.journey_id},
        ))
    return suggestion


def decide_suggestion(suggestion: Suggestion, decision: str, reply: str, *, expected_version,
                      acting_user) -> Suggestion:
    """Accept or decline an open suggestion with a short reply; the person who suggested it hears back.
    Accepting records the answer only: the step itself is changed by its editors as usual."""
    step = suggestion.step
    require_suggestion_decision(acting_user, step)
    if decision not in (SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED):
        raise InvalidInput({"decision": "Choose accepted or declined."})
    reply = (reply or "").strip()
    if not reply:
        raise InvalidInput({"reply": "Write a short reply: the person who suggested it reads it."})
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if current.status != SuggestionStatus.OPEN:
            raise InvalidInput({"decision": f"This suggestion was already {current.get_status_display().lower()}."})
        suggestion, change = update_object(current, {
            "status": decision, "reply": reply, "decided_at": timezone.now(),
            "decided_by": acting_user if getattr(acting_user, "pk", None) else None,
        }, expected_version=expected_version, acting_user=acting_user)
        if suggestion.author_id and suggestion.author_id != getattr(acting_user, "pk", None):
            emit(Event(
                SUGGESTION_ANSWERED,
                f"{_who(acting_user)} {suggestion.get_status_display().lower()} your suggestion for step "
                f"“{step.name}”: {_short(reply)}",
                url=suggestion.get_absolute_url(), recipient_ids=(suggestion.author_id,),
                actor=getattr(acting_user, "get_username", lambda: None)(), change_id=change.pk if change else None,
                data={"suggestion_id": suggestion.pk, "step_id": step.pk, "status": suggestion.status},
            ))
    return suggestion
