"""Who sees and retries background work: keepers and admins (the people who import and
configure). Core roles only — this layer sits right above core."""

from __future__ import annotations

from cxkeeper.core import words
from cxkeeper.core.actors import SYSTEM, require_actor
from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of

ALLOWED = (Role.ADMIN, Role.KEEPER)


def require_keeper(user, doing: str) -> None:
    require_actor(user)
    if user is SYSTEM:
        return
    if not user.is_authenticated:
        raise Forbidden("Sign in first.")
    if role_of(user) not in ALLOWED:
        raise Forbidden(f"Only an admin or a keeper may {doing}; "
                        f"you are signed in as {words.with_article(role_of(user).label.lower())}.")


def require_read(user) -> None:
    require_keeper(user, "see the background work")
