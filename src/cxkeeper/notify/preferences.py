"""The choices a person has, and the defaults of each role (decision 0040).

Every kind of event declared with `core.events.event_kind` can be heard in the app, by e-mail
at once (and in the app, so the inbox stays the one record), in the weekly digest, or not at
all. By default everything arrives in the app; what waits on someone — a question escalated to
them, an action item of theirs, a perspective their team owes — also arrives by e-mail. The
weekly digest of a person's teams is on for everyone but viewers.
"""

from __future__ import annotations

from cxkeeper.core.events import EVENT_KINDS
from cxkeeper.core.roles import Role
from cxkeeper.notify.choices import DigestMode, Mode

WEEKLY_DIGEST = "digest.weekly"
WEEKLY_DIGEST_LABEL = "The weekly digest of your teams"

# What waits on someone: by e-mail at once by default (and in the app).
_SPONSOR = {"council.escalated", "friction.escalated"}
_OWED = {"action_item.assigned", "action_item.overdue", "perspective.asked", "perspective.reminder"}
EMAIL_BY_DEFAULT: dict[str, set[str]] = {
    Role.ADMIN: _SPONSOR | {"action_item.assigned", "action_item.overdue"},
    Role.KEEPER: _SPONSOR | {"action_item.assigned", "action_item.overdue"},
    Role.MEMBER: _SPONSOR | _OWED,
    Role.VIEWER: _SPONSOR,
}


def kinds() -> list[str]:
    """Every event kind a person can choose for, in a stable order (by label)."""
    return sorted(EVENT_KINDS, key=lambda k: EVENT_KINDS[k].lower())


def label_of(kind: str) -> str:
    if kind == WEEKLY_DIGEST:
        return WEEKLY_DIGEST_LABEL
    return EVENT_KINDS.get(kind, kind)


def modes_for(kind: str) -> list[tuple[str, str]]:
    return list(DigestMode.choices) if kind == WEEKLY_DIGEST else list(Mode.choices)


def default_mode(role: str, kind: str) -> str:
    if kind == WEEKLY_DIGEST:
        return DigestMode.OFF if role == Role.VIEWER else DigestMode.EMAIL
    return Mode.EMAIL if kind in EMAIL_BY_DEFAULT.get(Role(role), set()) else Mode.IN_APP


def is_choice(kind: str) -> bool:
    return kind == WEEKLY_DIGEST or kind in EVENT_KINDS
