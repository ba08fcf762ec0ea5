from django.db import models


class ChannelKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "waiting to be sent"
    RETRYING = "retrying", "failed, will try again"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed, gave up"
    SKIPPED = "skipped", "not sent: turned off"
