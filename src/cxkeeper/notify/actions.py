"""Every write of the notify app: notices as each person chose them, preference edits (audited,
like every edit), the digest turned off from its unsubscribe link, and digests sent once."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cxkeeper.core.actions import create_object, update_object
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.events import Event
from cxkeeper.core.models import Notification
from cxkeeper.jobs import enqueue
from cxkeeper.notify import mail, preferences, queries
from cxkeeper.notify.choices import DeliveryStatus, DigestMode, Mode
from cxkeeper.notify.models import DigestDelivery, DigestEntry, NotificationPreference

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- an event reaches people


def deliver_event(event: Event) -> None:
    """In the app, by e-mail at once (and in the app), in the digest, or not at all — by each
    recipient's preference for the event's kind."""
    if not event.recipient_ids:
        return
    modes = queries.modes_of(event.recipient_ids, event.kind)
    notice = [uid for uid in sorted(modes) if modes[uid] in (Mode.IN_APP, Mode.EMAIL)]
    later = [uid for uid in sorted(modes) if modes[uid] == Mode.DIGEST]
    message, url = event.message[:500], event.url[:300]
    with transaction.atomic():
        Notification.objects.bulk_create([Notification(recipient_id=uid, message=message, url=url,
                                                       change_id=event.change_id) for uid in notice])
        DigestEntry.objects.bulk_create([DigestEntry(user_id=uid, kind=event.kind, message=message, url=url,
                                                     change_id=event.change_id) for uid in later])
    if not mail.configured():
        return
    for uid in sorted(uid for uid in modes if modes[uid] == Mode.EMAIL):
        try:
            enqueue("notify.send_notice", user_id=uid, kind=event.kind, message=message, url=url)
        except Exception:  # the queue unreachable: the notices are written, the others still queued
            log.exception("e-mail of a %s notice to user %s failed", event.kind, uid)


# ---------------------------------------------------------------- preferences


def _require_own(user, acting_user, what: str) -> None:
    if acting_user is SYSTEM:
        return
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        raise Forbidden(f"Sign in to {what}.")
    if acting_user.pk != user.pk:
        raise Forbidden(f"Only the person themselves may {what}.")


def set_preferences(user, changes: dict[str, str], *, acting_user) -> list:
    """Change how this person hears of some kinds of events (kind → mode). Each change is one
    audited edit of their preference; every kind and mode is checked before anything is saved."""
    _require_own(user, acting_user, "change their notification preferences")
    problems = {}
    for kind, mode in changes.items():
        if not preferences.is_choice(kind):
            problems[kind] = "There is no such kind of notice."
        elif mode not in dict(preferences.modes_for(kind)):
            allowed = ", ".join(f"“{value}” ({label.lower()})" for value, label in preferences.modes_for(kind))
            problems[kind] = f"“{mode}” is not a choice here; choose one of {allowed}."
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        stored = {p.kind: p for p in queries.preference_rows(user).select_for_update()}
        for kind, mode in sorted(changes.items()):
            row = stored.get(kind)
            if row is None:
                if mode == queries.mode_of(user, kind):
                    continue  # the default already: nothing to record
                create_object(NotificationPreference, {"user": user, "kind": kind, "mode": mode},
                              acting_user=acting_user)
            elif row.mode != mode:
                update_object(row, {"mode": mode}, expected_version=None, acting_user=acting_user)
    return queries.preferences_of(user)


def unsubscribe_from_digest(user) -> bool:
    """The unsubscribe link of a digest: the person's digest is turned off (recorded as their own
    edit — the signed link stands for them). Returns False when it was off already."""
    if queries.mode_of(user, preferences.WEEKLY_DIGEST) == DigestMode.OFF:
        return False
    set_preferences(user, {preferences.WEEKLY_DIGEST: DigestMode.OFF}, acting_user=user)
    return True


# ---------------------------------------------------------------- digests


STALE_CLAIM = dt.timedelta(minutes=15)  # a job that took a digest on this long ago and never finished died


def claim_delivery(team, week, user) -> DigestDelivery | None:
    """The delivery of this week's digest of `team` to `user`, taken on by this job; None when it
    is sent already or another job is sending it. The unique key makes two runs of the same week
    share one row, and the conditional update lets one job at a time take it on (a job that died
    while sending is taken over after STALE_CLAIM: the digest may then go out twice, never not)."""
    key = DigestDelivery.key_for(getattr(team, "pk", None), week, user.pk)
    try:
        with transaction.atomic():
            row, _ = DigestDelivery.objects.get_or_create(key=key, defaults={"team": team, "user": user, "week": week})
    except IntegrityError:  # the other run created it between our read and our write
        row = DigestDelivery.objects.get(key=key)
    now = timezone.now()
    takeable = (Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED])
                | Q(status=DeliveryStatus.SENDING, attempted_at__lt=now - STALE_CLAIM))
    taken = DigestDelivery.objects.filter(takeable, pk=row.pk).update(status=DeliveryStatus.SENDING, attempted_at=now)
    return row if taken else None


def mark_sent(delivery: DigestDelivery, entry_ids: list[int]) -> None:
    with transaction.atomic():
        DigestDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(),
                                                             error="")
        DigestEntry.objects.filter(pk__in=entry_ids, delivery__isnull=True).update(delivery=delivery)


def mark_failed(delivery: DigestDelivery, error: str) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=error[:500])
