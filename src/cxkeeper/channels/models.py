"""Where events go outside cxkeeper: a team's Slack or Teams channel (an incoming webhook URL,
a secret) and the organization's outgoing webhooks (signed with a secret of their own), and
every delivery to either with each attempt made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cxkeeper.channels.choices import ChannelKind, DeliveryStatus
from cxkeeper.core.events import EVENT_KINDS
from cxkeeper.core.models import VersionedModel
from cxkeeper.org.models import Team


def mask(secret: str, shown: int = 4) -> str:
    """What a person sees of a stored secret: where it goes and its last characters, never the rest.
    "https://hooks.slack.com/services/T0/B0/abcd1234" → "https://hooks.slack.com/…1234"."""
    if not secret:
        return ""
    tail = secret[-shown:] if len(secret) > shown * 3 else ""
    if "://" in secret:
        scheme, _, rest = secret.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
        return f"{scheme}://{host}/…{tail}"
    prefix = secret.split("_", 1)[0] + "_" if "_" in secret[:8] else ""
    return f"{prefix}…{tail}"


class Target(VersionedModel):
    """What a team channel and a webhook share: where to send, which kinds of event, and whether
    it still sends (turned off by hand, or after too many failures in a row)."""

    url = models.CharField("address", max_length=2000)
    # Kinds of event (keys of core.events.EVENT_KINDS) sent there; empty: every kind, new ones too.
    event_kinds = models.JSONField("kinds of event", default=list, blank=True)
    active = models.BooleanField("on", default=True)
    consecutive_failures = models.PositiveIntegerField("failed attempts in a row", default=0)
    disabled_reason = models.CharField("why it was turned off", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        abstract = True

    @property
    def masked_url(self) -> str:
        return mask(self.url)

    @property
    def kinds_text(self) -> str:
        """The kinds of event sent there, in words."""
        if not self.event_kinds:
            return "every kind of event"
        return "; ".join(EVENT_KINDS.get(k, "a kind no longer sent") for k in self.event_kinds)

    def hears(self, kind: str) -> bool:
        return self.active and (not self.event_kinds or kind in self.event_kinds)


class TeamChannel(Target):
    """A Slack or Microsoft Teams channel a team reads, reached by its incoming webhook (Teams:
    a Workflows webhook). The URL alone lets anyone post there: it is kept like a password."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="chat_channels")
    kind = models.CharField("app", max_length=10, choices=ChannelKind.choices)
    name = models.CharField("channel", max_length=100, help_text="As people call it, e.g. #cx-it.")

    class Meta:
        ordering = ["team__name", "name"]
        verbose_name = "team channel"

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}) of {self.team.name}"

    def get_absolute_url(self):
        return reverse("channels:team_channels", args=[self.team.slug])


class Webhook(Target):
    """An outgoing webhook to another system, signed by the Standard Webhooks scheme. After a
    rotation the previous secret keeps signing beside the new one until `previous_secret_until`."""

    name = models.CharField(max_length=100, unique=True)
    secret = models.CharField("signing secret", max_length=100)
    previous_secret = models.CharField("previous signing secret", max_length=100, blank=True)
    previous_secret_until = models.DateTimeField("previous secret signs until", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "webhook"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("channels:webhook", args=[self.pk])

    @property
    def masked_secret(self) -> str:
        return mask(self.secret)


class Delivery(models.Model):
    """One message to one webhook or team channel: the exact body, sent (and re-sent) until it
    is delivered or given up. A replay is a new delivery of the same message (same id, same body)."""

    webhook = models.ForeignKey(Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(TeamChannel, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="deliveries")
    message_id = models.CharField(max_length=40, db_index=True)  # the `webhook-id` header
    event_kind = models.CharField(max_length=100)
    summary = models.CharField(max_length=500)  # the event's sentence, for the log
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "delivery"
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.summary[:80]} → {self.webhook or self.channel}"

    def get_absolute_url(self):
        return reverse("channels:delivery", args=[self.pk])

    @property
    def target(self) -> Webhook | TeamChannel | None:
        return self.webhook or self.channel

    @property
    def last_attempt(self) -> Attempt | None:
        attempts = list(self.attempt_log.all())  # prefetched on the log pages
        return attempts[-1] if attempts else None


class Attempt(models.Model):
    """One try at sending a delivery, as the receiver answered it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)  # the first 500 characters
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number", "id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="channels_attempt_once")]

    def __str__(self):
        return f"attempt {self.number} of delivery {self.delivery_id}"
