"""A friction point: somewhere customers struggle that the organization has decided to look
at — raised by hand, from a theme in unrouted or negative feedback, or from a friction signal."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.initiatives.choices import FrictionSource, FrictionStatus
from cxkeeper.journeys.models import Journey, Step


class FrictionPoint(VersionedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Both optional: a theme of unrouted feedback may belong to no step (yet). Deleting the
    # journey or step keeps the friction point (and its evidence), unplaced: the delete is
    # announced and the place cleared through an action, with history (docs/decisions/0008);
    # PROTECT so the database never does it silently.
    journey = models.ForeignKey(Journey, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="friction_points")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.PROTECT, related_name="friction_points")
    status = models.CharField(max_length=12, choices=FrictionStatus.choices, default=FrictionStatus.OPEN)
    source = models.CharField(max_length=10, choices=FrictionSource.choices, default=FrictionSource.MANUAL)
    # For a theme: keywords, item count, shares, growth, ≤ 3 PII-redacted example texts and the
    # date range of its items (see actions.theme_evidence). Shown escaped, never as HTML.
    evidence = models.JSONField(default=dict, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="friction_points_raised")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "journey"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:friction_point", args=[self.pk])

    def history_place(self):
        return self.journey_id, self.step_id

    def clean(self):
        if not isinstance(self.evidence, dict):
            raise ValidationError({"evidence": "Evidence must be a JSON object."})
        if self.step_id is not None:
            step_journey = Step.objects.filter(pk=self.step_id).values_list("stage__journey_id", flat=True).first()
            if self.journey_id is None:  # a step places the friction point on its journey
                self.journey_id = step_journey
            elif step_journey is not None and step_journey != self.journey_id:
                raise ValidationError({"step": "That step is not on the chosen journey."})
