"""Who may raise and change friction points: keepers, admins and team members raise them
(anyone who works on the journey may notice friction); viewers read only. A friction point is
changed or deleted by keepers and admins, or by the person who raised it."""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.insights.permissions import FRICTION_RAISERS as RAISERS
from cxkeeper.insights.permissions import require_propose_friction_point as require_raise
from cxkeeper.org.permissions import TRUSTED, require_signed_in

__all__ = ["RAISERS", "require_change", "require_raise"]  # who raises: one rule, in insights.permissions


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
