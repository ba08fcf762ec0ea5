"""Who may raise and change friction points: keepers, admins and team members raise them
(anyone who works on the journey may notice friction); viewers read only. A friction point is
changed or deleted by keepers and admins, or by the person who raised it."""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.insights.permissions import FRICTION_RAISERS as RAISERS
from cxkeeper.insights.permissions import require_propose_friction_point as require_raise
from cxkeeper.org.permissions import TRUSTED, require_keeper, require_signed_in

# Who raises: one rule, in insights.permissions.
__all__ = ["RAISERS", "require_answer_for", "require_change", "require_change_initiative", "require_change_planned",
           "require_declare_change", "require_delete_initiative", "require_plan_initiative", "require_propose_option",
           "require_raise", "require_run_process", "require_set_weights", "user_team_ids"]


def _require_keeper_or_author(user, author_id, title: str, authored: str, doing: str) -> None:
    """Keepers and admins, or the member who `authored` it (raised, declared), may `doing` it."""
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER and author_id == user.pk:
        return
    raise Forbidden(f"Only a keeper, an admin or the person who {authored} “{title}” may {doing} "
                    f"it; you are signed in as a {role.label.lower()}.")


def require_change(user, friction_point, doing: str = "change") -> None:
    _require_keeper_or_author(user, friction_point.raised_by_id, friction_point.title, "raised", doing)


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


# --- co-creation ---
# Keepers run the process (the challenge, who is affected, reminders, options, the consensus
# decision and the escalation); a team member answers for their own team only; the executive
# sponsor decides escalations (org.permissions.require_executive_sponsor); viewers read.


def require_run_process(user, doing: str) -> None:
    require_keeper(user, doing)


def user_team_ids(user) -> set[int]:
    if user is TRUSTED or not getattr(user, "is_authenticated", False):
        return set()
    person = getattr(user, "person", None)
    return set(person.teams.values_list("pk", flat=True)) if person is not None else set()


def require_answer_for(user, team, doing: str = "give the perspective of") -> None:
    """Only a member of `team` (a team member, keeper or admin who belongs to it) answers for it."""
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role == Role.VIEWER:
        raise Forbidden(f"Viewers read perspectives but cannot {doing} {team.name}; ask a member of that team.")
    if team.pk not in user_team_ids(user):
        raise Forbidden(f"Only a member of {team.name} may {doing} {team.name}; you are not in that team. "
                        "Each team answers for itself — ask one of its members, or a keeper to add you to it.")


def require_propose_option(user, friction_point, affected_team_ids: set[int]) -> None:
    """Keepers and admins, and members of an affected team, put options on the table."""
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER and user_team_ids(user) & affected_team_ids:
        return
    raise Forbidden(f"Only a keeper, an admin or a member of a team affected by “{friction_point.title}” may "
                    f"propose options; you are signed in as a {role.label.lower()}"
                    f"{'' if role == Role.VIEWER else ' of no affected team'}.")


def require_declare_change(user) -> None:
    """Any team member (and keepers and admins) declares a planned change; viewers read."""
    if user is TRUSTED:
        return
    require_signed_in(user)
    if role_of(user) == Role.VIEWER:
        raise Forbidden("Viewers read planned changes but cannot declare one; a team member, keeper or admin may.")


def require_change_planned(user, planned_change, doing: str = "change") -> None:
    _require_keeper_or_author(user, planned_change.declared_by_id, planned_change.title, "declared", doing)
