"""Every read of the notify app: a person's preferences (stored or their role's default), who
hears an event how, who gets a team's digest, and the digests already sent."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from cxkeeper.core.roles import role_of
from cxkeeper.notify import preferences
from cxkeeper.notify.choices import DeliveryStatus, DigestMode
from cxkeeper.notify.models import DigestDelivery, DigestEntry, NotificationPreference
from cxkeeper.org.models import Person, Team


@dataclass(frozen=True)
class PreferenceView:
    kind: str
    label: str
    mode: str
    mode_label: str
    default: str
    choices: list[tuple[str, str]]
    version: int | None        # of the stored row; None: the role's default applies

    @property
    def is_default(self) -> bool:
        return self.version is None or self.mode == self.default


def preference_rows(user) -> QuerySet[NotificationPreference]:
    return NotificationPreference.objects.filter(user=user)


def preferences_of(user) -> list[PreferenceView]:
    """Every choice of this person: the weekly digest first, then each kind of event."""
    role = role_of(user)
    stored = {p.kind: p for p in preference_rows(user)}
    views = []
    for kind in [preferences.WEEKLY_DIGEST, *preferences.kinds()]:
        default = preferences.default_mode(role, kind)
        row = stored.get(kind)
        mode = row.mode if row is not None else default
        choices = preferences.modes_for(kind)
        views.append(PreferenceView(kind, preferences.label_of(kind), mode, dict(choices).get(mode, mode), default,
                                    choices, row.version if row is not None else None))
    return views


def modes_of(user_ids, kind: str) -> dict[int, str]:
    """How each of these people hears of `kind`: their choice, or their role's default."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    users = get_user_model().objects.filter(pk__in=ids).select_related("person")
    stored = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "mode"))
    return {u.pk: stored.get(u.pk) or preferences.default_mode(role_of(u), kind) for u in users}


def mode_of(user, kind: str) -> str:
    return modes_of([user.pk], kind).get(user.pk, preferences.default_mode(role_of(user), kind))


def digest_recipients(team: Team | None) -> list:
    """Who gets this team's weekly digest: its members with an e-mail address and the digest on.
    `team=None`: people in no team with entries waiting for their digest."""
    if team is not None:
        users = [p.user for p in Person.objects.filter(teams=team).select_related("user").order_by("user__username")]
    else:
        waiting = DigestEntry.objects.filter(delivery__isnull=True).values_list("user_id", flat=True)
        users = list(get_user_model().objects.filter(pk__in=waiting, person__teams__isnull=True)
                     .select_related("person").order_by("username"))
    users = [u for u in users if u.is_active and u.email]
    modes = modes_of([u.pk for u in users], preferences.WEEKLY_DIGEST)
    return [u for u in users if modes.get(u.pk) == DigestMode.EMAIL]


def waiting_entries(user) -> QuerySet[DigestEntry]:
    """What this person chose to read in their digest, not sent yet (oldest first)."""
    return DigestEntry.objects.filter(user=user, delivery__isnull=True).order_by("created_at", "id")


def deliveries(*, team: Team | None = None, week=None) -> QuerySet[DigestDelivery]:
    rows = DigestDelivery.objects.select_related("team", "user")
    if team is not None:
        rows = rows.filter(team=team)
    if week is not None:
        rows = rows.filter(week=week)
    return rows


def sent(team_id: int | None, week, user_id: int) -> bool:
    return DigestDelivery.objects.filter(key=DigestDelivery.key_for(team_id, week, user_id),
                                         status=DeliveryStatus.SENT).exists()


def teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def team_by_slug(slug: str) -> Team:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Team, slug=slug)
