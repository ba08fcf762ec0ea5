"""A friction point: somewhere customers struggle that the organization has decided to look
at — raised by hand, from a theme in unrouted or negative feedback, or from a friction signal."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.initiatives.choices import FrictionSource, FrictionStatus, InitiativeStatus, MoveDirection, TeamRole
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import MetricDefinition


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


# --- initiatives ---
# An initiative: what teams will change, together, about a friction point (or by hand), and
# the metrics it should move from its ship date on. Priority weights and ranking snapshots
# belong to the priority board (`initiatives.priority`). See docs/initiatives.md.


def _no_milestone_problems(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Milestones must be a list.")
    for i, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not str(item.get("title", "")).strip():
            raise ValidationError(f"Milestone {i} needs a title.")
        if item.get("due"):
            try:
                date.fromisoformat(str(item["due"]))
            except ValueError:
                raise ValidationError(f"Milestone {i}: “{item['due']}” is not a date (YYYY-MM-DD).") from None


class Initiative(VersionedModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Deleting a friction point detaches its initiatives through an action (with history);
    # PROTECT so the database never does it silently.
    friction_point = models.ForeignKey(FrictionPoint, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="initiatives")
    status = models.CharField(max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED)
    # The date from which its effect will be measured; required to reach "shipped".
    ship_date = models.DateField(null=True, blank=True)
    steps = models.ManyToManyField(Step, blank=True, related_name="initiatives",
                                   help_text="The steps of the journey it changes.")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents",
                                        help_text="Initiatives that must ship first.")
    # [{"title": …, "due": "YYYY-MM-DD" or null, "done": bool}], in order. Value objects with
    # no identity of their own, so they live (and change, with history) on the initiative.
    milestones = models.JSONField(default=list, blank=True, validators=[_no_milestone_problems])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="initiatives_created")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:initiative", args=[self.pk])

    def teams_in_order(self) -> list[InitiativeTeam]:
        """The lead first, then contributors, then consulted teams, each by name."""
        order = {role: i for i, role in enumerate(TeamRole.values)}
        return sorted(self.team_roles.all(), key=lambda r: (order.get(r.role, 9), r.team.name))

    def clean(self):
        if self.status in (InitiativeStatus.SHIPPED, InitiativeStatus.MEASURED) and self.ship_date is None:
            raise ValidationError({"ship_date": "A shipped initiative needs its ship date: the date from which "
                                                "its effect will be measured."})


class InitiativeTeam(models.Model):
    """A team's part in an initiative. Written only by the initiative's actions, which record
    the teams in the initiative's own history (`actions._snapshot`)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="team_roles")
    # A deleted team is announced and taken off its initiatives by an action (removals.py).
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="initiative_roles")
    role = models.CharField(max_length=12, choices=TeamRole.choices, default=TeamRole.CONTRIBUTES)

    class Meta:
        ordering = ["initiative", "role", "team__name"]
        constraints = [models.UniqueConstraint(fields=["initiative", "team"], name="one_role_per_team")]

    def __str__(self):
        return f"{self.team} {self.get_role_display()} {self.initiative}"


class InitiativeMetric(models.Model):
    """A metric of the catalogue the initiative should move, and which way."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="metric_moves")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="initiative_moves")
    direction = models.CharField(max_length=4, choices=MoveDirection.choices)

    class Meta:
        ordering = ["initiative", "metric__name"]
        constraints = [models.UniqueConstraint(fields=["initiative", "metric"], name="one_move_per_metric")]

    def __str__(self):
        return f"{self.metric} {self.direction}"


class PriorityWeights(VersionedModel):
    """The keepers' weights of the priority board (one row; changed with history)."""

    impact = models.FloatField(default=3.0, validators=[MinValueValidator(0), MaxValueValidator(10)])
    fit = models.FloatField(default=2.0, validators=[MinValueValidator(0), MaxValueValidator(10)])
    effort = models.FloatField(default=1.0, validators=[MinValueValidator(0), MaxValueValidator(10)])
    confidence = models.FloatField(default=1.0, validators=[MinValueValidator(0), MaxValueValidator(10)])
    period_days = models.PositiveIntegerField(default=90, validators=[MinValueValidator(28), MaxValueValidator(366)])

    class Meta:
        verbose_name_plural = "priority weights"

    def __str__(self):
        return (f"impact {self.impact:g}, strategic fit {self.fit:g}, effort {self.effort:g}, "
                f"confidence {self.confidence:g} over {self.period_days} days")

    def clean(self):
        if self.impact + self.fit + self.confidence <= 0:
            raise ValidationError({"impact": "At least one of impact, strategic fit and confidence needs a weight "
                                             "above 0, or every score would be nothing but effort."})

    @classmethod
    def current(cls) -> PriorityWeights:
        return cls.objects.order_by("pk").first() or cls()


class RankingSnapshot(models.Model):
    """The board's order when the data or the weights changed (`priority.remember_ranking`).
    `stamp` names the data versions and weights it was computed at, so each is kept once."""

    stamp = models.CharField(max_length=250, unique=True)
    taken_at = models.DateTimeField(auto_now_add=True, db_index=True)
    weights = models.JSONField(default=dict)
    period = models.JSONField(default=dict)  # {"start": …, "end": …}
    cause = models.CharField(max_length=200, blank=True)
    # [{"friction_point": id, "title": …, "rank": 1, "score": 61.2}], best first
    ranks = models.JSONField(default=list)

    class Meta:
        ordering = ["-taken_at", "-id"]

    def __str__(self):
        return f"Ranking of {self.taken_at:%d %b %Y %H:%M}"
