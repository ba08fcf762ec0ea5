"""Reads of channels and webhooks: what hears an event, a team's channels, the delivery log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.channels.permissions import require_manage_channels, require_see_channels, require_webhooks
from cxkeeper.core.events import EVENT_KINDS
from cxkeeper.org.models import Team

RECENT = 50  # deliveries shown on a page


def event_kind_choices() -> list[tuple[str, str]]:
    """Every declared kind of event with its plain label, by label."""
    return sorted(EVENT_KINDS.items(), key=lambda item: item[1].lower())


def webhooks_hearing(kind: str) -> list[Webhook]:
    return [w for w in Webhook.objects.filter(active=True) if w.hears(kind)]


def channels_hearing(kind: str, team_ids) -> list[TeamChannel]:
    if not team_ids:
        return []
    return [c for c in TeamChannel.objects.filter(active=True, team_id__in=list(team_ids)).select_related("team")
            if c.hears(kind)]


def team_by_slug(slug: str) -> Team:
    team = Team.objects.select_related("lead").filter(slug=slug).first()
    if team is None:
        raise Http404(f"No team “{slug}”.")
    return team


def team_channels(team: Team, *, user) -> QuerySet[TeamChannel]:
    require_see_channels(user)
    return TeamChannel.objects.filter(team=team).select_related("team").order_by("name", "pk")


def channel_of(team: Team, pk: int) -> TeamChannel:
    channel = TeamChannel.objects.select_related("team", "team__lead").filter(team=team, pk=pk).first()
    if channel is None:
        raise Http404(f"{team.name} has no channel with id {pk}.")
    return channel


def channel_deliveries(team: Team) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(channel__team=team).select_related("channel")
            .prefetch_related("attempt_log")[:RECENT])


def all_team_channels(*, user) -> QuerySet[TeamChannel]:
    require_webhooks(user, "see every team's channels")
    return TeamChannel.objects.select_related("team").order_by("team__name", "name")


def webhooks(*, user) -> QuerySet[Webhook]:
    require_webhooks(user, "see outgoing webhooks")
    return Webhook.objects.all()


def webhook(pk: int, *, user) -> Webhook:
    require_webhooks(user, "see outgoing webhooks")
    found = Webhook.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No webhook with id {pk}.")
    return found


def deliveries_of(webhook: Webhook) -> QuerySet[Delivery]:
    return webhook.deliveries.select_related("replay_of").prefetch_related("attempt_log")


def delivery(pk: int, *, user) -> Delivery:
    found = Delivery.objects.select_related("webhook", "channel", "channel__team", "replay_of").filter(pk=pk).first()
    if found is None:
        raise Http404(f"No delivery with id {pk}.")
    if found.webhook_id is not None:
        require_webhooks(user, "see the webhook delivery log")
    else:
        require_manage_channels(user, found.channel.team)
    return found
