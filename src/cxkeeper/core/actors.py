"""Who acts when no person does.

Every action takes a keyword-only `acting_user`. A person (a Django user) is checked against
their role; `SYSTEM` is the explicit stand-in for trusted local paths that already hold the
database in hand — the sample loader, `cxkeeper import`, workspace-as-code apply from the
command line. There is no default: a forgotten `acting_user` is a `TypeError`, never a
silently skipped permission check, and `None` is refused as well (see `require_actor`).
"""

from __future__ import annotations


class _SystemActor:
    """A singleton that is not a user: history records it as "system"."""

    pk = None
    is_authenticated = True
    is_superuser = False
    is_active = True

    def get_username(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self):
        return "SYSTEM"


SYSTEM = _SystemActor()


def is_system(user) -> bool:
    return user is SYSTEM


def require_actor(user) -> None:
    """Refuse a missing actor loudly: `None` would once have meant "trusted"."""
    if user is None:
        raise TypeError("acting_user is required: pass a user, or cxkeeper.core.actors.SYSTEM for a trusted local path")
