"""Who may change the journey map. Keepers and admins restructure; team members edit the
content of the steps their team owns or contributes to; viewers read."""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.journeys.choices import EDITING_ROLES, ResponsibilityRole
from cxkeeper.org.permissions import TRUSTED, require_keeper, require_signed_in

# The fields of a step that a member of a responsible team may edit.
MEMBER_EDITABLE_STEP_FIELDS = ("description", "phrases", "channel")


def require_structure(user, doing: str = "change the structure of journeys") -> None:
    require_keeper(user, doing)


def team_ids_of(user) -> set[int]:
    person = getattr(user, "person", None)
    return set(person.teams.values_list("pk", flat=True)) if person is not None else set()


def require_step_content_edit(user, step) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER:
        editing_teams = set(
            step.responsibilities.filter(role__in=EDITING_ROLES).values_list("team_id", flat=True)
        )
        if editing_teams & team_ids_of(user):
            return
        raise Forbidden(
            f"Only members of a team that owns or contributes to “{step.name}” (or a keeper) may edit it; "
            "none of your teams does."
        )
    raise Forbidden(f"Viewers cannot edit steps; ask a keeper or a team responsible for “{step.name}”.")


def step_fields_editable_by(user, step) -> tuple[str, ...]:
    """All editable fields for keepers; the content fields for responsible members; none otherwise."""
    if user is TRUSTED or role_of(user) in (Role.ADMIN, Role.KEEPER):
        return ("name", "lane", *MEMBER_EDITABLE_STEP_FIELDS)
    try:
        require_step_content_edit(user, step)
    except Forbidden:
        return ()
    return MEMBER_EDITABLE_STEP_FIELDS


def require_suggestion_decision(user, step, doing: str = "answer suggestions for this step") -> None:
    """A suggested change is answered by a keeper (or admin) or by a member of a team that owns the step."""
    if user is TRUSTED:
        return
    require_signed_in(user)
    if role_of(user) in (Role.ADMIN, Role.KEEPER):
        return
    owners = set(step.responsibilities.filter(role=ResponsibilityRole.OWNS).values_list("team_id", flat=True))
    if role_of(user) == Role.MEMBER and owners & team_ids_of(user):
        return
    raise Forbidden(f"Only a keeper or a member of a team that owns “{step.name}” may {doing}.")
