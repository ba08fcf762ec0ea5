from django.db import models


class Mode(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "By e-mail at once (and in the app)"
    DIGEST = "digest", "In the weekly digest"
    OFF = "off", "Off"


class DigestMode(models.TextChoices):
    """The weekly digest itself: sent by e-mail, or not."""

    EMAIL = "email", "Send it to me by e-mail"
    OFF = "off", "Off"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
