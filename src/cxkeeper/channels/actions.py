"""Writes of channels and webhooks, each with its role check and its history row (secrets masked):
connect or remove a team's Slack or Teams channel, send it a test message; create, change,
remove an outgoing webhook, rotate its secret, replay a delivery."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cxkeeper.channels import delivery as engine
from cxkeeper.channels import signing, transport
from cxkeeper.channels.choices import ChannelKind
from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.channels.permissions import require_manage_channels, require_webhooks
from cxkeeper.channels.snapshots import history_snapshot
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.core.events import EVENT_KINDS, Event
from cxkeeper.core.history import record_change
from cxkeeper.core.models import ChangeAction
from cxkeeper.core.text_rules import text_problems
from cxkeeper.org.models import Team, Workspace

# Hosts of the Office 365 connectors Microsoft retired: their URLs no longer post anything.
RETIRED_TEAMS_HOSTS = ("webhook.office.com", "outlook.office.com", "outlook.office365.com")
TEST_LABEL = "A test message from cxkeeper"


def _validate(obj) -> None:
    problems = text_problems(obj)
    try:
        obj.full_clean(exclude=["event_kinds"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.setdefault(field, []).extend(messages)
    if problems:
        raise InvalidInput(problems)


def clean_kinds(kinds) -> list[str]:
    """The kinds of event to send, each declared (core.events.EVENT_KINDS); none: every kind."""
    if kinds is None:
        return []
    if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
        raise InvalidInput({"event_kinds": "A list of kinds of event (or an empty list for every kind)."})
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise InvalidInput({"event_kinds": f"No kind of event “{unknown[0]}”. Known kinds: "
                                           f"{', '.join(sorted(EVENT_KINDS)) or 'none yet'}."})
    return sorted(set(kinds))


def clean_url(url: str, *, kind: str | None = None) -> str:
    url = (url or "").strip()
    problem = transport.url_problem(url)
    if problem:
        raise InvalidInput({"url": problem})
    host = (urlsplit(url).hostname or "").lower()
    if kind == ChannelKind.TEAMS and any(host == h or host.endswith("." + h) for h in RETIRED_TEAMS_HOSTS):
        raise InvalidInput({"url": "This is an Office 365 connector address, which Microsoft retired. In Teams, "
                                   "create a Workflows webhook for the channel (“Post to a channel when a webhook "
                                   "request is received”) and paste its address."})
    return url


def _locked(model, obj, expected_version):
    current = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(current, expected_version)
    return current


def _apply(target, changes: dict, *, expected_version, acting_user, kind: str | None = None):
    """Change a channel or a webhook: the fields sent, cleaned, versioned, in history. Turning a
    target back on forgets its failures."""
    model = type(target)
    with transaction.atomic():
        current = _locked(model, target, expected_version)
        before = history_snapshot(current)
        for name, value in changes.items():
            if name == "url":
                value = clean_url(value, kind=kind or getattr(current, "kind", None))
            elif name == "event_kinds":
                value = clean_kinds(value)
            elif name == "name":
                value = (value or "").strip()
            elif name != "active":
                raise InvalidInput({name: "This cannot be changed here."})
            setattr(current, name, value)
        if changes.get("active") is True and not before["active"]:
            current.consecutive_failures, current.disabled_reason = 0, ""
        if changes.get("active") is False:
            current.disabled_reason = "Turned off by hand."
        _validate(current)
        after = history_snapshot(current)
        if after == before and "url" not in changes:
            return current
        current.version += 1
        current.save()
        record_change(current, ChangeAction.UPDATE, before, history_snapshot(current), acting_user)
    return current


def _remove(target, *, expected_version, acting_user) -> None:
    with transaction.atomic():
        current = _locked(type(target), target, expected_version)
        record_change(current, ChangeAction.DELETE, history_snapshot(current), None, acting_user)
        current.delete()


def _creator(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


# ---------------------------------------------------------------- team channels


def connect_team_channel(team: Team, values: dict, *, acting_user) -> TeamChannel:
    """Connect a Slack or Teams channel to a team by its incoming webhook address."""
    require_manage_channels(acting_user, team)
    kind = values.get("kind")
    if kind not in ChannelKind.values:
        raise InvalidInput({"kind": "Choose Slack or Microsoft Teams (“slack” or “teams”)."})
    channel = TeamChannel(team=team, kind=kind, name=(values.get("name") or "").strip(),
                          url=clean_url(values.get("url", ""), kind=kind),
                          event_kinds=clean_kinds(values.get("event_kinds")), created_by=_creator(acting_user))
    with transaction.atomic():
        _validate(channel)
        channel.save()
        record_change(channel, ChangeAction.CREATE, None, history_snapshot(channel), acting_user)
    return channel


def change_team_channel(channel: TeamChannel, changes: dict, *, expected_version, acting_user) -> TeamChannel:
    require_manage_channels(acting_user, channel.team)
    return _apply(channel, changes, expected_version=expected_version, acting_user=acting_user)


def remove_team_channel(channel: TeamChannel, *, expected_version, acting_user) -> None:
    require_manage_channels(acting_user, channel.team)
    _remove(channel, expected_version=expected_version, acting_user=acting_user)


def send_test_message(channel: TeamChannel, *, acting_user) -> transport.Outcome:
    """Post a test message to the channel now and say how it went (not retried, not counted)."""
    require_manage_channels(acting_user, channel.team)
    team = channel.team
    event = Event(kind="", message=f"Events for {team.name} will appear in this channel like this message. "
                                   f"Sent by {acting_user.get_username()}.",
                  url=team.get_absolute_url(), team_ids=(team.pk,), actor=acting_user.get_username())
    body = engine.body_for(channel, event, teams=[], workspace=Workspace.current().name, label=TEST_LABEL)
    delivery = Delivery.objects.create(channel=channel, message_id=signing.new_message_id(), event_kind="",
                                       summary=TEST_LABEL, body=body, requested_by=_creator(acting_user))
    return engine.send_now(delivery)


# ---------------------------------------------------------------- outgoing webhooks


def create_webhook(values: dict, *, acting_user) -> tuple[Webhook, str]:
    """A new webhook and its signing secret (shown to the person once; stored to sign)."""
    require_webhooks(acting_user, "add outgoing webhooks")
    secret = signing.new_secret()
    webhook = Webhook(name=(values.get("name") or "").strip(), url=clean_url(values.get("url", "")),
                      event_kinds=clean_kinds(values.get("event_kinds")), secret=secret,
                      created_by=_creator(acting_user))
    with transaction.atomic():
        if Webhook.objects.filter(name__iexact=webhook.name).exists():
            raise InvalidInput({"name": f"A webhook is already called “{webhook.name}”."})
        _validate(webhook)
        webhook.save()
        record_change(webhook, ChangeAction.CREATE, None, history_snapshot(webhook), acting_user)
    return webhook, secret


def change_webhook(webhook: Webhook, changes: dict, *, expected_version, acting_user) -> Webhook:
    require_webhooks(acting_user, "change outgoing webhooks")
    if "name" in changes and Webhook.objects.filter(name__iexact=(changes["name"] or "").strip()).exclude(
            pk=webhook.pk).exists():
        raise InvalidInput({"name": f"A webhook is already called “{changes['name'].strip()}”."})
    return _apply(webhook, changes, expected_version=expected_version, acting_user=acting_user)


def remove_webhook(webhook: Webhook, *, expected_version, acting_user) -> None:
    require_webhooks(acting_user, "remove outgoing webhooks")
    _remove(webhook, expected_version=expected_version, acting_user=acting_user)


def rotate_webhook_secret(webhook: Webhook, *, acting_user, grace_hours: float | None = None) -> tuple[Webhook, str]:
    """A new signing secret; the one it replaces signs beside it for `grace_hours`
    (CXKEEPER_WEBHOOK_ROTATION_GRACE_HOURS), so the receiver can switch without losing a message."""
    require_webhooks(acting_user, "rotate webhook secrets")
    hours = settings.CXKEEPER_WEBHOOK_ROTATION_GRACE_HOURS if grace_hours is None else grace_hours
    if hours < 0 or hours > 24 * 30:
        raise InvalidInput({"grace_hours": "Between 0 and 720 hours (30 days)."})
    secret = signing.new_secret()
    with transaction.atomic():
        current = _locked(Webhook, webhook, None)
        before = history_snapshot(current)
        current.previous_secret, current.secret = current.secret, secret
        current.previous_secret_until = timezone.now() + timedelta(hours=hours)
        current.version += 1
        current.save()
        record_change(current, ChangeAction.UPDATE, before, history_snapshot(current), acting_user)
    return current, secret


def replay_delivery(delivery: Delivery, *, acting_user) -> Delivery:
    """Send a webhook message again: a new delivery of the same message (same `webhook-id`, same
    body, a fresh timestamp and signature), queued like any other."""
    require_webhooks(acting_user, "replay webhook deliveries")
    webhook = delivery.webhook
    if webhook is None:
        raise InvalidInput({"delivery": "Only webhook deliveries can be replayed."})
    webhook.refresh_from_db()
    if not webhook.active:
        raise InvalidInput({"delivery": f"The webhook “{webhook.name}” is turned off; turn it on first."})
    with transaction.atomic():
        again = Delivery.objects.create(webhook=webhook, message_id=delivery.message_id,
                                        event_kind=delivery.event_kind, summary=delivery.summary, body=delivery.body,
                                        replay_of=delivery, requested_by=_creator(acting_user))
        record_change(again, ChangeAction.CREATE, None,
                      {"webhook": webhook.pk, "webhook_label": webhook.name, "replay_of": delivery.pk,
                       "message_id": delivery.message_id, "summary": delivery.summary}, acting_user)
    engine.queue(again)
    return again
