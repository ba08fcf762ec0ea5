"""Who may do what with wins: everyone signed in reads them (viewers too) and may add a kudos
note to a win; watches of mentions are set by whoever may change the initiative."""

from __future__ import annotations

from cxkeeper.initiatives.permissions import require_change_initiative
from cxkeeper.org.permissions import require_signed_in

__all__ = ["require_add_kudos", "require_read", "require_watch"]


def require_read(user) -> None:
    require_signed_in(user)


def require_add_kudos(user) -> None:
    """Anyone signed in — viewers included: thanking a team is every employee's to do."""
    require_signed_in(user)


def require_watch(user, initiative) -> None:
    require_change_initiative(user, initiative, "set what mentions to count for")
