"""Who may change outcomes: keepers and admins define outcomes, metrics, targets and success
statements; members manage their own team's KPIs; everyone signed in reads."""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.journeys.permissions import team_ids_of
from cxkeeper.org.permissions import TRUSTED, require_keeper, require_signed_in


def require_define(user, doing: str = "define shared outcomes, metrics and targets") -> None:
    require_keeper(user, doing)


def require_team_kpis(user, team) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    role = role_of(user)
    if role in (Role.ADMIN, Role.KEEPER):
        return
    if role == Role.MEMBER:
        if team.pk in team_ids_of(user):
            return
        raise Forbidden(f"Only members of {team.name} (or a keeper) may manage its KPIs; you are not in that team.")
    raise Forbidden(f"Viewers cannot change KPIs; ask a member of {team.name} or a keeper.")
