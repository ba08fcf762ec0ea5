"""Who may change the organization's settings, language, teams and people.

Every check raises `Forbidden` with a reason naming the role that may, so a refused page,
API call or CLI command tells the person what to do next.
"""

from __future__ import annotations

from cxkeeper.core import words
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
        raise Forbidden(f"Only {words.with_article(allowed)} may {doing}; "
                        f"you are signed in as {words.with_article(role_of(user).label.lower())}.")


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


def is_executive_sponsor(user) -> bool:
    """The person the workspace settings name as executive sponsor (whatever their role)."""
    from cxkeeper.org.models import Workspace

    if user is None or user is TRUSTED or not getattr(user, "is_authenticated", False):
        return False
    sponsor_id = Workspace.objects.order_by("pk").values_list("executive_sponsor_id", flat=True).first()
    return sponsor_id is not None and sponsor_id == user.pk


def require_executive_sponsor(user, doing: str) -> None:
    """Only the executive sponsor (the local CLI, trusted, stands in for them)."""
    require_actor(user)
    if user is TRUSTED:
        return
    require_signed_in(user)
    if not is_executive_sponsor(user):
        from cxkeeper.org.models import Workspace

        sponsor = Workspace.current().executive_sponsor
        who = f"the executive sponsor ({sponsor.get_full_name() or sponsor.get_username()})" if sponsor \
            else "the executive sponsor, and the workspace names none yet (an admin sets one in the workspace settings)"
        raise Forbidden(f"Only {who} may {doing}.")
