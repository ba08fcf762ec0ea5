"""Who may do what with councils (roles as data, asked by pages, API and CLI alike):

- the charter (council, members): keepers and admins;
- meetings (schedule, agenda, attendance, notes, consensus decisions, action items): the
  council's facilitator, keepers and admins;
- an action item's progress: members of its owner team (and whoever runs the meetings);
- escalations and tie-breaks: the council's executive sponsor (and admins);
- everyone signed in reads.
Every refusal raises `Forbidden` with a reason naming who may."""

from __future__ import annotations

from cxkeeper.core import words
from cxkeeper.core.errors import Forbidden
from cxkeeper.core.roles import Role, role_of
from cxkeeper.org.permissions import TRUSTED, require_role, require_signed_in


def _you(user) -> str:
    return f"you are signed in as {words.with_article(role_of(user).label.lower())}"


def require_charter(user, doing: str = "change a council's charter") -> None:
    require_role(user, Role.ADMIN, Role.KEEPER, doing=doing)


def runs_meetings(user, council) -> bool:
    if user is TRUSTED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return role_of(user) in (Role.ADMIN, Role.KEEPER) or (council.facilitator_id is not None
                                                          and council.facilitator_id == user.pk)


def require_run_meetings(user, council, doing: str = "run this council's meetings") -> None:
    require_signed_in(user)
    if not runs_meetings(user, council):
        raise Forbidden(f"Only the facilitator of “{council.name}”, a keeper or an admin may {doing}; {_you(user)}.")


def is_sponsor(user, council) -> bool:
    if user is TRUSTED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return role_of(user) == Role.ADMIN or (council.sponsor_id is not None and council.sponsor_id == user.pk)


def require_sponsor(user, council, doing: str = "decide as the executive sponsor") -> None:
    require_signed_in(user)
    if not is_sponsor(user, council):
        raise Forbidden(f"Only the executive sponsor of “{council.name}” (or an admin) may {doing}; {_you(user)}.")


def team_ids_of(user) -> set[int]:
    person = getattr(user, "person", None)
    return set(person.teams.values_list("pk", flat=True)) if person is not None else set()


def require_update_action(user, item, doing: str = "update") -> None:
    """Members of the owner team update their own team's action items; whoever runs the
    council's meetings may too."""
    require_signed_in(user)
    if runs_meetings(user, item.council):
        return
    if role_of(user) == Role.MEMBER and item.owner_team_id in team_ids_of(user):
        return
    raise Forbidden(f"Only members of {item.owner_team.name}, the council's facilitator, a keeper or an admin may "
                    f"{doing} the action item “{item.title}”; {_you(user)}.")
