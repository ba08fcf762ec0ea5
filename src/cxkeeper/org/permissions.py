"""Who may change the organization's settings, language, teams and people.

Every check raises `Forbidden` with a reason naming the role that may, so a refused page,
API call or CLI command tells the person what to do next.
"""

from __future__ import annotations

from cxkeeper.core.actors import SYSTEM, require_actor
from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of

TRUSTED = SYSTEM  # the local CLI, which already has the database in hand (None is refused)


def require_signed_in(user) -> None:
    require_actor(user)
    if user is not TRUSTED and not user.is_authenticated:
        raise Forbidden("Sign in first.")


def require_role(user, *roles: Role, doing: str) -> None:
    require_actor(user)
    if user is TRUSTED:
        return
    require_signed_in(user)
    if role_of(user) not in roles:
        allowed = " or ".join(r.label.lower() for r in roles)
        raise Forbidden(f"Only a {allowed} may {doing}; you are signed in as a {role_of(user).label.lower()}.")


def require_admin(user, doing: str) -> None:
    require_role(user, Role.ADMIN, doing=doing)


def require_keeper(user, doing: str) -> None:
    require_role(user, Role.ADMIN, Role.KEEPER, doing=doing)


def can(check, *args, **kwargs) -> bool:
    """True if `check(*args)` would not raise: templates use this to hide buttons."""
    try:
        check(*args, **kwargs)
    except Forbidden:
        return False
    return True
