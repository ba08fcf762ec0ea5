"""A measured effect of a shipped initiative or a live planned change on one metric (`Measurement`,
kept per subject × metric and re-measured when the feedback or the subject changes), the
mentions an initiative aims to reduce (`MentionWatch`), and the kudos notes people add to a win."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.initiatives.models import Initiative, PlannedChange
from cxkeeper.journeys.models import Step
from cxkeeper.wins.choices import Verdict

KUDOS_MAX = 500


class Measurement(models.Model):
    """One subject × metric: its verdict, effect with its interval, n, sentence and details, and
    the data version it was measured on (`stamp`). Computed, not edited: `wins.measure` writes it."""

    initiative = models.ForeignKey(Initiative, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="measurements")
    planned_change = models.ForeignKey(PlannedChange, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="measurements")
    key = models.CharField(max_length=120, help_text="The metric measured, unique per subject "
                                                     "(e.g. ces, complaint_count, mentions:login:phone).")
    metric = models.CharField(max_length=40, blank=True, help_text="The impact engine's metric key.")
    label = models.CharField(max_length=200)
    direction = models.CharField(max_length=4, blank=True, help_text="up or down: which way the subject aims.")
    scope = models.CharField(max_length=500, blank=True, help_text="Where it was measured, in words.")
    change_date = models.DateField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    effect = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    effect_text = models.CharField(max_length=120, blank=True)
    interval_text = models.CharField(max_length=120, blank=True)
    n_before = models.PositiveIntegerField(default=0)
    n_after = models.PositiveIntegerField(default=0)
    sentence = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    stamp = models.CharField(max_length=250, help_text="The data version it was measured on.")
    as_of = models.DateField(null=True, blank=True)
    measured_at = models.DateTimeField()
    verdict_since = models.DateTimeField(help_text="When the current verdict was first reached.")
    flagged_at = models.DateTimeField(null=True, blank=True, help_text="When a regression was flagged to the teams.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "key"], name="measurement_unique_initiative",
                                    condition=models.Q(initiative__isnull=False)),
            models.UniqueConstraint(fields=["planned_change", "key"], name="measurement_unique_planned",
                                    condition=models.Q(planned_change__isnull=False)),
            models.CheckConstraint(condition=(models.Q(initiative__isnull=False, planned_change__isnull=True)
                                              | models.Q(initiative__isnull=True, planned_change__isnull=False)),
                                   name="measurement_one_subject"),
        ]
        indexes = [models.Index(fields=["verdict"])]

    def __str__(self):
        return f"{self.subject}: {self.label} ({self.get_verdict_display()})"

    def get_absolute_url(self):
        return reverse("wins:win", args=[self.pk])

    @property
    def subject(self):
        return self.initiative if self.initiative_id else self.planned_change


class MentionWatch(VersionedModel):
    """Words an initiative aims to make customers mention less (e.g. calls mentioning the login),
    counted at `steps` (default: the initiative's steps), in one channel when given."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="mention_watches")
    topic = models.CharField(max_length=60)
    channel = models.CharField(max_length=60, blank=True)
    steps = models.ManyToManyField(Step, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["initiative", "topic", "channel"], name="one_watch_per_topic")]

    def __str__(self):
        return f"“{self.topic}”" + (f" ({self.channel})" if self.channel else "")

    @property
    def key(self) -> str:
        return f"mentions:{self.topic.lower()}:{self.channel}"


class Kudos(models.Model):
    """A note of thanks on a measured win, by anyone signed in."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="kudos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.CharField(max_length=KUDOS_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "kudos"

    def __str__(self):
        return f"Kudos on {self.measurement.label}"

    def get_absolute_url(self):
        return reverse("wins:win", args=[self.measurement_id]) + f"#kudos-{self.pk}"
