"""From an event to a delivered message: the listener queues one delivery per webhook and team
channel that hears the event; the job `channels.deliver` makes one attempt and, when it fails,
queues the next one after a growing delay (CXKEEPER_WEBHOOK_RETRY_DELAYS), until it is
delivered or given up. A target that fails CXKEEPER_WEBHOOK_DISABLE_AFTER attempts in a row is
turned off, and the people who look after it get a notice.

A job may run twice (after a crash): an attempt already logged is not made again.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cxkeeper.channels import formats, queries, signing, transport
from cxkeeper.channels.choices import ChannelKind, DeliveryStatus
from cxkeeper.channels.models import Attempt, Delivery, TeamChannel, Webhook
from cxkeeper.channels.snapshots import history_snapshot
from cxkeeper.core.events import Event
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction, Notification
from cxkeeper.core.roles import Role
from cxkeeper.jobs import enqueue, task
from cxkeeper.org.models import Person, Team, Workspace

log = logging.getLogger(__name__)

TASK = "channels.deliver"


# ---------------------------------------------------------------- what a target receives


def team_refs(team_ids) -> list[dict]:
    return [{"id": t.pk, "slug": t.slug, "name": t.name}
            for t in Team.objects.filter(pk__in=list(team_ids)).order_by("name")]


def body_for(target: Webhook | TeamChannel, event: Event, *, teams: list[dict], workspace: str,
             label: str | None = None) -> str:
    limit = settings.CXKEEPER_WEBHOOK_MAX_BYTES
    if isinstance(target, Webhook):
        return formats.bounded_body(formats.webhook_payload(event, teams=teams), limit)
    if target.kind == ChannelKind.SLACK:
        return formats.dumps(formats.slack_message(event, workspace=workspace, label=label))
    return formats.dumps(formats.teams_message(event, workspace=workspace, label=label))


def secrets_in_force(webhook: Webhook) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    found = [webhook.secret]
    if webhook.previous_secret and webhook.previous_secret_until and webhook.previous_secret_until > timezone.now():
        found.append(webhook.previous_secret)
    return found


def send(delivery: Delivery, target: Webhook | TeamChannel) -> transport.Outcome:
    headers = {}
    if isinstance(target, Webhook):
        headers = signing.headers(secrets_in_force(target), delivery.message_id, int(time.time()), delivery.body)
    return transport.post(target.url, delivery.body.encode(), headers)


# ---------------------------------------------------------------- the listener


def queue(delivery: Delivery) -> None:
    enqueue(TASK, delivery_id=delivery.pk, attempt=delivery.attempts + 1)


def on_event(event: Event) -> None:
    """Every webhook and team channel that hears this kind of event gets a delivery, queued."""
    targets = [*queries.webhooks_hearing(event.kind), *queries.channels_hearing(event.kind, event.team_ids)]
    if not targets:
        return
    teams = team_refs(event.team_ids)
    workspace = Workspace.current().name
    message_id = signing.new_message_id()  # one message, whichever targets it goes to
    created = []
    with transaction.atomic():
        for target in targets:
            created.append(Delivery.objects.create(
                webhook=target if isinstance(target, Webhook) else None,
                channel=target if isinstance(target, TeamChannel) else None,
                message_id=message_id, event_kind=event.kind, summary=event.message[:500],
                body=body_for(target, event, teams=teams, workspace=workspace)))
    for delivery in created:
        queue(delivery)


# ---------------------------------------------------------------- one attempt (the job)


@task(TASK, max_attempts=3)
def deliver(delivery_id: int, attempt: int = 1) -> None:
    attempt_delivery(delivery_id, attempt)


def retry_delay(attempt: int) -> float | None:
    """Seconds before the attempt after `attempt` (1-based); None: no attempt after it."""
    delays = settings.CXKEEPER_WEBHOOK_RETRY_DELAYS
    return delays[attempt - 1] if 1 <= attempt <= len(delays) else None


def attempt_delivery(delivery_id: int, attempt: int) -> Attempt | None:
    """Make attempt number `attempt` of a delivery, log it, and queue the next one if it failed."""
    delivery = Delivery.objects.select_related("webhook", "channel", "channel__team").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED):
        return None
    if delivery.attempt_log.filter(number=attempt).exists():
        return None  # this job already ran (a repeat after a crash)
    target = delivery.target
    if target is None or not target.active:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SKIPPED, next_attempt_at=None)
        return None
    outcome = send(delivery, target)
    next_at = None
    with transaction.atomic():
        try:
            with transaction.atomic():
                logged = Attempt.objects.create(
                    delivery=delivery, number=attempt, at=timezone.now(), ok=outcome.ok,
                    status_code=outcome.status_code, response_ms=outcome.response_ms,
                    response_excerpt=outcome.excerpt, error=outcome.error)
        except IntegrityError:
            return None  # another run of the same job logged it first
        model = type(target)
        current = model.objects.select_for_update().get(pk=target.pk)
        if outcome.ok:
            model.objects.filter(pk=current.pk).update(consecutive_failures=0)
            status = DeliveryStatus.DELIVERED
        else:
            failures = current.consecutive_failures + 1
            model.objects.filter(pk=current.pk).update(consecutive_failures=failures)
            if current.active and failures >= settings.CXKEEPER_WEBHOOK_DISABLE_AFTER:
                turn_off_after_failures(current, failures, outcome)
            delay = retry_delay(attempt)
            if current.active and failures < settings.CXKEEPER_WEBHOOK_DISABLE_AFTER and delay is not None:
                status, next_at = DeliveryStatus.RETRYING, timezone.now() + timedelta(seconds=delay)
            else:
                status = DeliveryStatus.FAILED
        Delivery.objects.filter(pk=delivery.pk).update(status=status, attempts=attempt, next_attempt_at=next_at)
    if next_at is not None:
        # Queued with the attempt logged: the real queue stores the job in the same database.
        enqueue(TASK, run_at=next_at, delivery_id=delivery.pk, attempt=attempt + 1)
    return logged


def turn_off_after_failures(target: Webhook | TeamChannel, failures: int, outcome: transport.Outcome) -> None:
    """Stop sending to a target that keeps failing, in its history, with a notice to those who
    look after it: the admins (and a channel's team lead)."""
    before = history_snapshot(target)
    target.active = False
    target.consecutive_failures = failures
    target.disabled_reason = (f"Turned off after {failures} failed attempts in a row; "
                              f"the last was {outcome.in_words}.")[:300]
    target.version += 1
    target.save(update_fields=["active", "consecutive_failures", "disabled_reason", "version", "updated_at"])
    change = record_change(target, ChangeAction.UPDATE, before, history_snapshot(target), None)
    recipients = set(Person.objects.filter(role=Role.ADMIN).values_list("user_id", flat=True))
    if isinstance(target, TeamChannel):
        what = f"The {target.get_kind_display()} channel {target.name} of {target.team.name}"
        if target.team.lead_id:
            recipients.add(target.team.lead_id)
    else:
        what = f"The webhook “{target.name}”"
    message = (f"{what} was turned off after {failures} failed attempts in a row ({outcome.in_words}). "
               "Fix the receiving end, then turn it back on.")
    Notification.objects.bulk_create([Notification(recipient_id=uid, message=message[:500],
                                                   url=target.get_absolute_url()[:300], change=change)
                                      for uid in sorted(recipients)])
    log.warning("%s", message)


def send_now(delivery: Delivery) -> transport.Outcome:
    """One attempt at once, logged, never retried nor counted against the target: a test message
    a person is waiting to see arrive."""
    target = delivery.target
    outcome = send(delivery, target)
    with transaction.atomic():
        Attempt.objects.create(delivery=delivery, number=1, at=timezone.now(), ok=outcome.ok,
                               status_code=outcome.status_code, response_ms=outcome.response_ms,
                               response_excerpt=outcome.excerpt, error=outcome.error)
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=1, status=DeliveryStatus.DELIVERED if outcome.ok else DeliveryStatus.FAILED)
    return outcome
