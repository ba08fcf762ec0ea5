"""Shared outcomes and how they are measured.

A *metric definition* names one measure from the insight engine (NPS, CES, churn …),
optionally filtered to a channel or segment. A *shared outcome* (lower effort, loyalty …)
is measured by one or more metric definitions. A *target* says what value a metric should
reach, where (organization, journey, stage or step) and by when. *Success statements* tie a
customer goal to a business outcome and a target. Teams declare their own *KPIs*, with
values, and link them to outcomes as supporting or in tension.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cxkeeper.core.models import VersionedModel
from cxkeeper.insights.metrics import CATALOGUE, format_target
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope

# The insight engine's metrics a definition can be based on, with the direction that is good:
# a view of the metric catalogue (`insights.metrics`), in the shape its callers and the model
# choices use. key: (label, unit shown after a value, direction that is good, scale)
BASE_METRICS = {
    key: (m.label, m.unit, None if m.higher_is_better is None else Direction.UP if m.higher_is_better
          else Direction.DOWN, m.scale)
    for key, m in CATALOGUE.items()
}


class MetricDefinition(VersionedModel):
    key = models.SlugField(max_length=60, unique=True, help_text="Short stable name, e.g. ces or nps-business.")
    name = models.CharField(max_length=120)
    base = models.CharField(max_length=40, choices=[(k, v[0]) for k, v in BASE_METRICS.items()],
                            help_text="The insight-engine metric this is computed from.")
    channel = models.CharField(max_length=60, blank=True, help_text="Only feedback from this channel.")
    segment = models.CharField(max_length=100, blank=True, help_text="Only feedback from this segment.")
    direction = models.CharField(max_length=4, choices=Direction.choices, blank=True,
                                 help_text="Which way is better; taken from the base metric when left empty.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        default = BASE_METRICS.get(self.base, (None, None, None, None))[2]
        if not self.direction:
            if default is None:
                raise ValidationError({"direction": "Say whether higher or lower is better for a volume metric."})
            self.direction = default

    @property
    def higher_is_better(self) -> bool:
        return (self.direction or BASE_METRICS[self.base][2]) == Direction.UP

    @property
    def unit(self) -> str:
        return BASE_METRICS[self.base][1]

    @property
    def scale(self) -> str:
        return BASE_METRICS[self.base][3]

    @property
    def scale_bounds(self) -> tuple[float, float] | None:
        """The values the metric can take — its base metric's scale (1–7 for CES, 0–100 for a
        share, −100–100 for NPS): a channel or segment filter measures on the same scale.
        Projections and intervals are cut to it (docs/decisions/0015)."""
        return CATALOGUE[self.base].domain

    @property
    def digits(self) -> int:
        """Decimals its values are written with: its base metric's."""
        return CATALOGUE[self.base].digits

    def get_absolute_url(self):
        return reverse("outcomes:metric", args=[self.pk])


class SharedOutcome(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    metrics = models.ManyToManyField(MetricDefinition, blank=True, related_name="outcomes")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:outcome", args=[self.pk])


class Target(VersionedModel):
    outcome = models.ForeignKey(SharedOutcome, on_delete=models.PROTECT, related_name="targets")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="targets")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.ORGANIZATION)
    # PROTECT: a deleted journey, stage or step is announced and its targets are deleted through
    # the action, with history (docs/decisions/0008); the database never removes them silently.
    journey = models.ForeignKey("journeys.Journey", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="targets")
    stage = models.ForeignKey("journeys.Stage", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="targets")
    step = models.ForeignKey("journeys.Step", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="targets")
    value = models.FloatField(help_text="The value to reach (at least, or at most, by the metric's direction).")
    due = models.DateField(help_text="The date by which the value should be reached.")
    baseline = models.FloatField(null=True, blank=True, help_text="Where the metric stood when the target was set.")
    baseline_date = models.DateField(null=True, blank=True)
    window_days = models.PositiveIntegerField(default=90,
                                              help_text="The current value is measured over this many days.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self):
        value = format_target(self.value, self.metric.base)
        return f"{self.metric} at {self.scope_label} {self.comparator} {value} by {self.due:%d %b %Y}"

    @property
    def comparator(self) -> str:
        return "≥" if self.metric_id and self.metric.higher_is_better else "≤"

    @property
    def scope_object(self):
        return {Scope.JOURNEY: self.journey, Scope.STAGE: self.stage, Scope.STEP: self.step}.get(self.scope)

    @property
    def scope_label(self) -> str:
        target = self.scope_object
        if self.scope == Scope.ORGANIZATION or target is None:
            return "the organization"
        if self.scope == Scope.STEP:
            return f"step “{target.name}”"
        return f"{self.get_scope_display().lower()} “{target.name}”"

    def clean(self):
        wanted = {Scope.JOURNEY: "journey", Scope.STAGE: "stage", Scope.STEP: "step"}.get(self.scope)
        errors = {}
        for name in ("journey", "stage", "step"):
            has = getattr(self, f"{name}_id") is not None
            if name == wanted and not has:
                errors[name] = f"Choose the {name} this target is for."
            elif name != wanted and has:
                errors[name] = f"A target for {Scope(self.scope).label.lower()} scope has no {name}."
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("outcomes:target", args=[self.pk])


class SuccessStatement(VersionedModel):
    """“Customers set up service without calling us → lower cost to serve → CES at install ≥ 5.5 by Q3”."""

    outcome = models.ForeignKey(SharedOutcome, on_delete=models.CASCADE, related_name="statements")
    customer_goal = models.CharField(max_length=300, help_text="What customers achieve, in their words.")
    business_outcome = models.CharField(max_length=300, help_text="What it does for the organization.")
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["outcome__position", "position", "pk"]

    def __str__(self):
        measure = f" → {self.target}" if self.target_id else ""
        return f"{self.customer_goal} → {self.business_outcome}{measure}"


class TeamKpi(VersionedModel):
    # What record_kpi_values writes into the history beside the fields (core.history).
    history_labels = {"values": "Values", "values_source": "Values entered"}
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, related_name="kpis")  # see docs/decisions/0008
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, help_text="e.g. minutes, %, € per contact")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    source = models.CharField(max_length=8, choices=KpiSource.choices, default=KpiSource.MANUAL)
    metric = models.ForeignKey(MetricDefinition, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="kpis", help_text="For KPIs taken from a cxkeeper metric.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_kpi_name_per_team")]

    def __str__(self):
        return f"{self.team}: {self.name}"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.UP

    def clean(self):
        if self.source == KpiSource.METRIC and self.metric_id is None:
            raise ValidationError({"metric": "Choose the cxkeeper metric this KPI is taken from."})
        if self.source != KpiSource.METRIC and self.metric_id is not None:
            raise ValidationError({"metric": "Only a KPI taken from a cxkeeper metric names a metric."})

    def get_absolute_url(self):
        return reverse("outcomes:kpi", args=[self.pk])


class KpiValue(models.Model):
    """One value of a team KPI for the period starting on `period` (a day, or a month's first day)."""

    kpi = models.ForeignKey(TeamKpi, on_delete=models.CASCADE, related_name="values")
    period = models.DateField()
    value = models.FloatField()

    class Meta:
        ordering = ["period"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period"], name="one_value_per_kpi_period")]

    def __str__(self):
        return f"{self.kpi.name} {self.period}: {self.value:g}"


class KpiLink(VersionedModel):
    kpi = models.ForeignKey(TeamKpi, on_delete=models.CASCADE, related_name="links")
    outcome = models.ForeignKey(SharedOutcome, on_delete=models.CASCADE, related_name="kpi_links")
    kind = models.CharField(max_length=8, choices=LinkKind.choices, default=LinkKind.SUPPORTS)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["kpi", "outcome"]
        constraints = [models.UniqueConstraint(fields=["kpi", "outcome"], name="one_link_per_kpi_outcome")]

    def __str__(self):
        return f"{self.kpi.name} {self.get_kind_display().lower()} {self.outcome}"
