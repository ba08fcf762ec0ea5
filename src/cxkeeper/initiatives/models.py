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
from cxkeeper.initiatives.choices import (
    AffectedOrigin,
    ChangeKind,
    DecidedHow,
    DecisionState,
    Effort,
    FrictionSource,
    FrictionStatus,
    Importance,
    InitiativeStatus,
    MoveDirection,
    OptionStanceValue,
    PlannedStatus,
    Stance,
    TeamRole,
)
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
    # The shared challenge (docs/initiatives.md "Co-creation"): the team that carries it and the
    # steps it concerns (several; none set means the step it is placed at). Removing a team or a
    # step is announced and cleared here through an action (initiatives.removals).
    owner_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="friction_points_owned")
    steps = models.ManyToManyField(Step, blank=True, related_name="friction_points_concerning")

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


# --- co-creation ---
# Who is asked (AffectedTeam), what each team says (Perspective: the same model for friction
# points and planned changes), the options shaped together with each team's stance on them,
# and the decision (consensus, or the executive sponsor's tie-break). docs/decisions/0025.


class PlannedChange(VersionedModel):
    """A launch, a policy, a price change or a system migration some team plans: before its
    go-live date the teams it touches are shown, notified and asked (a CX impact review)."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices, default=ChangeKind.LAUNCH)
    go_live = models.DateField(help_text="The day it reaches customers.")
    steps = models.ManyToManyField(Step, blank=True, related_name="planned_changes")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="planned_changes",
                             help_text="The team planning it.")
    status = models.CharField(max_length=10, choices=PlannedStatus.choices, default=PlannedStatus.PLANNED)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="planned_changes_declared")

    class Meta:
        ordering = ["go_live", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:planned_change", args=[self.pk])


class _Subject(models.Model):
    """A row about one friction point or one planned change (exactly one of the two)."""

    friction_point = models.ForeignKey(FrictionPoint, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+")
    planned_change = models.ForeignKey(PlannedChange, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+")

    class Meta:
        abstract = True

    @property
    def subject(self):
        return self.friction_point if self.friction_point_id else self.planned_change

    def history_place(self):
        subject = self.subject
        return (subject.journey_id, subject.step_id) if isinstance(subject, FrictionPoint) else (None, None)


def _one_subject(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(models.Q(friction_point__isnull=False, planned_change__isnull=True)
                   | models.Q(friction_point__isnull=True, planned_change__isnull=False)),
        name=name)


class AffectedTeam(_Subject, VersionedModel):
    """A team a friction point or planned change concerns: derived from the map (owners and
    contributors of its steps, teams on handoffs into and out of them) or added by a keeper.
    A keeper's removal is kept (`removed`, with the reason) so the map does not bring it back."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=10, choices=AffectedOrigin.choices, default=AffectedOrigin.MAP)
    why = models.CharField(max_length=300, blank=True, help_text="Why the team is affected, in words.")
    removed = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True, help_text="The keeper's reason to add or remove it.")
    asked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team__name"]
        constraints = [
            _one_subject("affectedteam_one_subject"),
            models.UniqueConstraint(fields=["friction_point", "team"], name="affectedteam_unique_fp",
                                    condition=models.Q(friction_point__isnull=False)),
            models.UniqueConstraint(fields=["planned_change", "team"], name="affectedteam_unique_pc",
                                    condition=models.Q(planned_change__isnull=False)),
        ]

    def __str__(self):
        return f"{self.team} on “{self.subject}”"


class Perspective(_Subject, VersionedModel):
    """One team's position on a friction point or a planned change, answered by a member of
    that team; edited in place (history keeps every earlier answer)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    reason = models.TextField(blank=True, help_text="Required with concerns and objections.")
    importance = models.PositiveSmallIntegerField(choices=Importance.choices, default=Importance.MATTERS)
    # [{"kind": "capacity" | "budget" | "policy_legal" | "technical" | "timing" | "other", "text": "…"}]
    constraints = models.JSONField(default=list, blank=True)
    contribution = models.TextField(blank=True, help_text="What the team could contribute.")
    effort = models.CharField(max_length=10, choices=Effort.choices, default=Effort.UNKNOWN, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["team__name"]
        constraints = [
            _one_subject("perspective_one_subject"),
            models.UniqueConstraint(fields=["friction_point", "team"], name="perspective_unique_fp",
                                    condition=models.Q(friction_point__isnull=False)),
            models.UniqueConstraint(fields=["planned_change", "team"], name="perspective_unique_pc",
                                    condition=models.Q(planned_change__isnull=False)),
        ]

    def __str__(self):
        return f"{self.team}’s perspective on “{self.subject}”"


class Option(VersionedModel):
    """One way to solve a friction point, shaped together; each affected team takes a stance."""

    friction_point = models.ForeignKey(FrictionPoint, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title

    def history_place(self):
        return self.friction_point.history_place()


class OptionStance(VersionedModel):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="stances")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=10, choices=OptionStanceValue.choices)
    reason = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["team__name"]
        constraints = [models.UniqueConstraint(fields=["option", "team"], name="optionstance_unique")]

    def __str__(self):
        return f"{self.team} on option “{self.option}”"

    def history_place(self):
        return self.option.history_place()


class Decision(VersionedModel):
    """What was decided about a friction point: an option every affected team supports
    (consensus), or — escalated when they disagree — the option the executive sponsor chose.
    Loomio's outcome: who decided, why, and when to look at it again."""

    friction_point = models.OneToOneField(FrictionPoint, on_delete=models.CASCADE, related_name="decision")
    state = models.CharField(max_length=10, choices=DecisionState.choices)
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    how = models.CharField(max_length=10, choices=DecidedHow.choices, blank=True)
    rationale = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    escalation_note = models.TextField(blank=True)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Decision on “{self.friction_point}”"

    def history_place(self):
        return self.friction_point.history_place()
