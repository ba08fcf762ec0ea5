"""Who may raise and change friction points: keepers, admins and team members raise them
(anyone who works on the journey may notice friction); viewers read only. A friction point is
changed or deleted by keepers and admins, or by the person who raised it."""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.insights.permissions import FRICTION_RAISERS as RAISERS
from cxkeeper.insights.permissions import require_propose_friction_point as require_raise
from cxkeeper.org.permissions import TRUSTED, require_signed_in

# who raises: one rule, in insights.permissions
__all__ = ["RAISERS", "require_change", "require_change_initiative", "require_delete_initiative",
           "require_plan_initiative", "require_raise", "require_set_weights"]


def require_change(user, friction_point, doing: str = "change") -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER and friction_point.raised_by_id == user.pk:
        return
    raise Forbidden(f"Only a keeper, an admin or the person who raised “{friction_point.title}” may {doing} "
                    f"it; you are signed in as a {role.label.lower()}.")


# --- initiatives ---
# Keepers and admins plan every initiative; a team member plans the ones their team leads
# (the lead team runs the work, contributors and consulted teams are named by it). Only keepers
# and admins delete one, and only they set the priority board's weights.


def _member_teams(user) -> set[int]:
    from cxkeeper.journeys.permissions import team_ids_of

    return team_ids_of(user)


def require_plan_initiative(user, lead_team=None) -> None:
    """May `user` start an initiative led by `lead_team` (None: may they start any at all)?"""
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER and (lead_team is None or lead_team.pk in _member_teams(user)):
        return
    if role == Role.MEMBER:
        raise Forbidden(f"A team member may start an initiative only when one of their teams leads it; "
                        f"“{lead_team}” is not one of yours. Ask a member of that team or a keeper.")
    raise Forbidden("Only a keeper, an admin or a team member may start an initiative; "
                    f"you are signed in as a {role.label.lower()}.")


def require_change_initiative(user, initiative, doing: str = "change") -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    lead = initiative.team_roles.filter(role="lead").values_list("team_id", flat=True).first()
    if role == Role.MEMBER and lead is not None and lead in _member_teams(user):
        return
    raise Forbidden(f"Only a keeper, an admin or a member of the team that leads “{initiative.title}” may "
                    f"{doing} it; you are signed in as a {role.label.lower()}"
                    f"{' of another team' if role == Role.MEMBER else ''}.")


def require_delete_initiative(user, initiative) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role not in (Role.ADMIN, Role.KEEPER):
        raise Forbidden(f"Only a keeper or an admin may delete the initiative “{initiative.title}”; "
                        f"you are signed in as a {role.label.lower()}.")


def require_set_weights(user) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role not in (Role.ADMIN, Role.KEEPER):
        raise Forbidden("Only a keeper or an admin may set the weights of the priority board; "
                        f"you are signed in as a {role.label.lower()}.")
