"""Who may do what with channels and webhooks.

A team's Slack and Teams channels are managed by its lead, keepers and admins; everyone signed
in sees which channels a team has (never their addresses). Outgoing webhooks, their secrets
and their delivery log are the admins' (the Integrations area).
"""

from __future__ import annotations

from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.org.permissions import TRUSTED, require_admin, require_signed_in


def require_see_channels(user) -> None:
    require_signed_in(user)


def require_manage_channels(user, team) -> None:
    if user is TRUSTED:
        return
    require_signed_in(user)
    if role_of(user) in (Role.ADMIN, Role.KEEPER):
        return
    if team.lead_id is not None and team.lead_id == user.pk:
        return
    lead = f"its lead ({team.lead.get_username()})" if team.lead_id else "its lead (it has none yet)"
    raise Forbidden(f"Only {lead}, a keeper or an admin may change where {team.name} hears of events in "
                    f"Slack or Microsoft Teams; you are signed in as a {role_of(user).label.lower()}.")


def require_webhooks(user, doing: str = "manage outgoing webhooks") -> None:
    require_admin(user, doing)
