"""API of team channels (`/api/v1/teams/{slug}/channels`) and outgoing webhooks
(`/api/v1/webhooks`, their deliveries, replay and secret rotation). Addresses and secrets are
never answered in full: a masked end only; a webhook's signing secret is answered once, by the
call that makes it (create, rotate). See docs/integrations.md."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from cxkeeper.channels import actions, queries
from cxkeeper.channels.models import Attempt, Delivery, TeamChannel, Webhook
from cxkeeper.channels.permissions import require_webhooks
from cxkeeper.core.api import READ_ERRORS, WRITE_ERRORS, ApiPagination, acting_user, expected_version

team_channels_router = Router(tags=["channels"])
webhooks_router = Router(tags=["webhooks"])

KINDS = "Kinds of event sent there (keys of the event kinds, see GET /webhooks/event-kinds); empty: every kind."


class TeamChannelOut(Schema):
    id: int
    team: str = Field(description="The team's slug.")
    kind: str = Field(description="slack or teams")
    name: str = Field(description="The channel as people call it, e.g. #cx-it.")
    url_masked: str = Field(description="The webhook address's host and last characters; never the whole address.")
    event_kinds: list[str] = Field(description=KINDS)
    active: bool
    disabled_reason: str
    consecutive_failures: int
    version: int
    created_at: dt.datetime


class TeamChannelIn(Schema):
    kind: Literal["slack", "teams"]
    name: str = Field(description="The channel as people call it, e.g. #cx-it.")
    url: str = Field(description="The incoming webhook address (Slack) or Workflows webhook address (Teams).")
    event_kinds: list[str] = Field(default_factory=list, description=KINDS)


class TestMessageOut(Schema):
    delivered: bool
    status_code: int | None
    response_ms: int
    error: str
    in_words: str


def _channel_out(c: TeamChannel) -> dict:
    return {"id": c.pk, "team": c.team.slug, "kind": c.kind, "name": c.name, "url_masked": c.masked_url,
            "event_kinds": c.event_kinds, "active": c.active, "disabled_reason": c.disabled_reason,
            "consecutive_failures": c.consecutive_failures, "version": c.version, "created_at": c.created_at}


def _team(slug: str):
    try:
        return queries.team_by_slug(slug)
    except Http404 as exc:
        raise HttpError(404, str(exc)) from exc


def _channel(team, id: int) -> TeamChannel:
    channel = TeamChannel.objects.select_related("team", "team__lead").filter(team=team, pk=id).first()
    if channel is None:
        raise HttpError(404, f"{team.name} has no channel with id {id}.")
    return channel


@team_channels_router.get("/{slug}/channels", response={200: list[TeamChannelOut], **READ_ERRORS},
                          url_name="team_channels", summary="A team's Slack and Teams channels")
def list_team_channels(request, slug: str):
    """Everyone signed in sees which channels a team has; addresses only masked."""
    team = _team(slug)
    return [_channel_out(c) for c in queries.team_channels(team, user=acting_user(request))]


@team_channels_router.post("/{slug}/channels", response={201: TeamChannelOut, **WRITE_ERRORS},
                           url_name="team_channels", summary="Connect a Slack or Teams channel")
def connect_team_channel(request, slug: str, payload: TeamChannelIn):
    """The team's lead, keepers and admins. A Teams address must be a Workflows webhook: the
    retired Office 365 connector addresses are refused (422)."""
    team = _team(slug)
    channel = actions.connect_team_channel(team, payload.dict(), acting_user=acting_user(request))
    return 201, _channel_out(channel)


@team_channels_router.delete("/{slug}/channels/{id}", response={204: None, **WRITE_ERRORS},
                             url_name="team_channel", summary="Remove a team channel")
def remove_team_channel(request, slug: str, id: int):
    """Send the version you read (`?version=` or `If-Match`)."""
    channel = _channel(_team(slug), id)
    actions.remove_team_channel(channel, expected_version=expected_version(request), acting_user=acting_user(request))
    return 204, None


@team_channels_router.post("/{slug}/channels/{id}/test", response={200: TestMessageOut, **WRITE_ERRORS},
                           url_name="team_channel_test", summary="Send a team channel a test message")
def test_team_channel(request, slug: str, id: int):
    """Posts a test message now and answers how the channel's webhook took it (not retried)."""
    channel = _channel(_team(slug), id)
    outcome = actions.send_test_message(channel, acting_user=acting_user(request))
    return {"delivered": outcome.ok, "status_code": outcome.status_code, "response_ms": outcome.response_ms,
            "error": outcome.error, "in_words": outcome.in_words}


# ---------------------------------------------------------------- webhooks


class WebhookOut(Schema):
    id: int
    name: str
    url_masked: str = Field(description="The address's host and last characters.")
    event_kinds: list[str] = Field(description=KINDS)
    active: bool
    disabled_reason: str
    consecutive_failures: int
    secret_masked: str = Field(description="The signing secret's last characters.")
    previous_secret_until: dt.datetime | None = Field(
        description="After a rotation: until when the previous secret also signs (a second v1 signature).")
    version: int
    created_at: dt.datetime


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret (whsec_…), answered only now: keep it for the receiver.")


class WebhookIn(Schema):
    name: str
    url: str = Field(description="An http:// or https:// address.")
    event_kinds: list[str] = Field(default_factory=list, description=KINDS)


class WebhookPatch(Schema):
    name: str | None = None
    url: str | None = None
    event_kinds: list[str] | None = None
    active: bool | None = Field(None, description="false turns it off; true turns it back on and forgets its failures.")
    version: int | None = Field(None, description="The version you read. Or send it as the `If-Match` header.")


class RotateIn(Schema):
    grace_hours: float | None = Field(None, description="How long the previous secret keeps signing; default "
                                                        "CXKEEPER_WEBHOOK_ROTATION_GRACE_HOURS (24).")


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    delivered: bool
    status_code: int | None
    response_ms: int | None
    response_excerpt: str = Field(description="The first 500 characters of the answer.")
    error: str


class DeliveryOut(Schema):
    id: int
    webhook_id: int | None
    message_id: str = Field(description="The webhook-id header: the same for every attempt and replay of a message.")
    event_kind: str
    summary: str
    status: str = Field(description="pending, retrying, delivered, failed (gave up) or skipped (turned off).")
    attempts: int
    next_attempt_at: dt.datetime | None
    replay_of: int | None
    created_at: dt.datetime
    attempt_log: list[AttemptOut]


class DeliveryDetailOut(DeliveryOut):
    body: str = Field(description="The JSON body exactly as sent.")


class EventKindOut(Schema):
    kind: str
    label: str


def _webhook_out(w: Webhook, secret: str | None = None) -> dict:
    out = {"id": w.pk, "name": w.name, "url_masked": w.masked_url, "event_kinds": w.event_kinds, "active": w.active,
           "disabled_reason": w.disabled_reason, "consecutive_failures": w.consecutive_failures,
           "secret_masked": w.masked_secret, "previous_secret_until": w.previous_secret_until,
           "version": w.version, "created_at": w.created_at}
    if secret is not None:
        out["secret"] = secret
    return out


def _attempt_out(a: Attempt) -> dict:
    return {"number": a.number, "at": a.at, "delivered": a.ok, "status_code": a.status_code,
            "response_ms": a.response_ms, "response_excerpt": a.response_excerpt, "error": a.error}


def _delivery_out(d: Delivery, *, body: bool = False) -> dict:
    out = {"id": d.pk, "webhook_id": d.webhook_id, "message_id": d.message_id, "event_kind": d.event_kind,
           "summary": d.summary, "status": d.status, "attempts": d.attempts, "next_attempt_at": d.next_attempt_at,
           "replay_of": d.replay_of_id, "created_at": d.created_at,
           "attempt_log": [_attempt_out(a) for a in d.attempt_log.all()]}
    if body:
        out["body"] = d.body
    return out


def _webhook(request, id: int) -> Webhook:
    try:
        return queries.webhook(id, user=acting_user(request))
    except Http404 as exc:
        raise HttpError(404, str(exc)) from exc


@webhooks_router.get("", response={200: list[WebhookOut], **READ_ERRORS, 403: WRITE_ERRORS[403]},
                     url_name="webhooks", summary="Outgoing webhooks (admins)")
def list_webhooks(request):
    return [_webhook_out(w) for w in queries.webhooks(user=acting_user(request))]


@webhooks_router.post("", response={201: WebhookWithSecretOut, **WRITE_ERRORS}, url_name="webhooks",
                      summary="Add an outgoing webhook (admins)")
def create_webhook(request, payload: WebhookIn):
    """Answers the signing secret once."""
    webhook, secret = actions.create_webhook(payload.dict(), acting_user=acting_user(request))
    return 201, _webhook_out(webhook, secret)


@webhooks_router.get("/event-kinds", response={200: list[EventKindOut], **READ_ERRORS, 403: WRITE_ERRORS[403]},
                     url_name="webhook_event_kinds", summary="Kinds of event a webhook or channel can hear")
def list_event_kinds(request):
    require_webhooks(acting_user(request), "see the kinds of event")
    return [{"kind": k, "label": label} for k, label in queries.event_kind_choices()]


@webhooks_router.get("/deliveries/{id}", response={200: DeliveryDetailOut, **READ_ERRORS, 403: WRITE_ERRORS[403]},
                     url_name="webhook_delivery", summary="One delivery, its attempts and its body")
def get_delivery(request, id: int):
    found = Delivery.objects.filter(pk=id, webhook__isnull=False).first()
    if found is None:
        raise HttpError(404, f"No webhook delivery with id {id}.")
    return _delivery_out(queries.delivery(id, user=acting_user(request)), body=True)


@webhooks_router.post("/deliveries/{id}/replay", response={201: DeliveryOut, **WRITE_ERRORS},
                      url_name="webhook_delivery_replay", summary="Send a delivery again")
def replay_delivery(request, id: int):
    """A new delivery of the same message (same webhook-id and body; fresh timestamp and signature)."""
    found = Delivery.objects.filter(pk=id, webhook__isnull=False).first()
    if found is None:
        raise HttpError(404, f"No webhook delivery with id {id}.")
    again = actions.replay_delivery(queries.delivery(id, user=acting_user(request)), acting_user=acting_user(request))
    again.refresh_from_db()
    return 201, _delivery_out(again)


@webhooks_router.get("/{id}", response={200: WebhookOut, **READ_ERRORS, 403: WRITE_ERRORS[403]},
                     url_name="webhook", summary="One outgoing webhook")
def get_webhook(request, id: int):
    return _webhook_out(_webhook(request, id))


@webhooks_router.patch("/{id}", response={200: WebhookOut, **WRITE_ERRORS}, url_name="webhook",
                       summary="Change a webhook, turn it off or back on")
def change_webhook(request, id: int, payload: WebhookPatch):
    webhook = _webhook(request, id)
    changes = payload.dict(exclude_unset=True)
    body_version = changes.pop("version", None)
    changed = actions.change_webhook(webhook, changes, expected_version=expected_version(request, body_version),
                                     acting_user=acting_user(request))
    return _webhook_out(changed)


@webhooks_router.delete("/{id}", response={204: None, **WRITE_ERRORS}, url_name="webhook",
                        summary="Remove a webhook and its delivery log")
def remove_webhook(request, id: int):
    webhook = _webhook(request, id)
    actions.remove_webhook(webhook, expected_version=expected_version(request), acting_user=acting_user(request))
    return 204, None


@webhooks_router.post("/{id}/rotate", response={200: WebhookWithSecretOut, **WRITE_ERRORS},
                      url_name="webhook_rotate", summary="Rotate a webhook's signing secret")
def rotate_webhook_secret(request, id: int, payload: RotateIn | None = None):
    """A new secret, answered once; the previous one keeps signing for `grace_hours`."""
    webhook = _webhook(request, id)
    grace = payload.grace_hours if payload is not None else None
    rotated, secret = actions.rotate_webhook_secret(webhook, acting_user=acting_user(request), grace_hours=grace)
    return _webhook_out(rotated, secret)


@webhooks_router.get("/{id}/deliveries", response={200: list[DeliveryOut], **READ_ERRORS, 403: WRITE_ERRORS[403]},
                     url_name="webhook_deliveries", summary="A webhook's delivery log, newest first")
@paginate(ApiPagination)
def list_deliveries(request, id: int):
    return _Mapped(queries.deliveries_of(_webhook(request, id)), _delivery_out)


class _Mapped:
    """A queryset whose page (the slice the paginator takes) is turned into answers; the rest is
    never read."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice):
        return [self.convert(item) for item in self.queryset[window]]
