"""Who may propose a friction point from what the feedback shows (a theme, a signal):
keepers, admins and team members — anyone who works on the journey may notice friction;
viewers read only.

The rule lives here, below the insight pages that show the "Raise as friction point" button,
and `initiatives.permissions.require_raise` is this rule, so the button and the action that
raises a friction point always agree.
"""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.org.permissions import TRUSTED, can, require_signed_in

FRICTION_RAISERS = (Role.ADMIN, Role.KEEPER, Role.MEMBER)


def require_propose_friction_point(user) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    if role_of(user) not in FRICTION_RAISERS:
        raise Forbidden("Viewers cannot raise friction points; ask a team member or a keeper to raise it.")


def can_propose_friction_point(user) -> bool:
    return can(require_propose_friction_point, user)
