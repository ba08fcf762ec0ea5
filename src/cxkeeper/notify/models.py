"""What each person chose, the notices waiting for their digest, and each digest sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cxkeeper.core.models import ChangeRecord, VersionedModel
from cxkeeper.notify.choices import DeliveryStatus, Mode


def kind_choices() -> list[tuple[str, str]]:
    """Every kind a person chooses for, read when asked (apps declare kinds at import)."""
    from cxkeeper.notify import preferences

    return [(k, preferences.label_of(k)) for k in [preferences.WEEKLY_DIGEST, *preferences.kinds()]]


class NotificationPreference(VersionedModel):
    """How one person hears of one kind of event (`core.events.EVENT_KINDS`), or of the weekly
    digest (kind "digest.weekly"). No row: the default of the person's role (preferences.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="person",
                             related_name="notification_preferences")
    kind = models.CharField("notices of", max_length=80, choices=kind_choices)
    mode = models.CharField("how", max_length=10, choices=Mode.choices)

    class Meta:
        verbose_name = "notification preference"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_one_preference_per_kind")]
        ordering = ["user_id", "kind"]

    def __str__(self):
        from cxkeeper.notify.preferences import label_of

        return f"{self.user.get_username()}: {label_of(self.kind)}"


class DigestEntry(models.Model):
    """A notice a person chose to read in their weekly digest, waiting for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_entries")
    kind = models.CharField(max_length=80)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    change = models.ForeignKey(ChangeRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivery = models.ForeignKey("DigestDelivery", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="entries")

    class Meta:
        ordering = ["created_at", "id"]


class DigestDelivery(models.Model):
    """One weekly digest to one person: of a team (or of no team: only their own entries) for
    the week starting on `week`. `key` makes a second run of the same week send nothing."""

    key = models.CharField(max_length=80, unique=True)
    team = models.ForeignKey("org.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    attempted_at = models.DateTimeField(null=True, blank=True)  # when a job last took it on
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-week", "id"]

    @staticmethod
    def key_for(team_id: int | None, week, user_id: int) -> str:
        return f"{team_id or '-'}:{week.isoformat()}:{user_id}"
