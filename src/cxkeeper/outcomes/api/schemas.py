"""The JSON of the outcomes API: every schema more than one of its routers uses, and the
inputs, filters and outputs of the objects with list/get/create/update/delete endpoints
(metric definitions, targets, shared outcomes, success statements, team KPIs), with the
functions that turn query results (targets with their status, tensions) into that JSON.

Each router module (`cxkeeper.outcomes.api.<router>`) keeps the schemas only it answers with."""

import datetime as dt
import math
from typing import Literal

from django.db.models import Q
from ninja import Field, Schema

from cxkeeper.core.api import VersionIn, ref, serializes
from cxkeeper.insights import clock
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes import queries
from cxkeeper.outcomes.choices import Direction, KpiSource, Scope, Status
from cxkeeper.outcomes.models import (
    BASE_METRICS,
    KpiLink,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)

Ref = int | str  # an id, or a unique name / key / slug
BaseMetric = Literal[tuple(BASE_METRICS)]  # type: ignore[valid-type]
PREFIX = "/api/v1"

outcome_ref = ref(SharedOutcome, "name")
metric_ref = ref(MetricDefinition, "key", "name")
team_ref = ref(Team, "slug", "name")
journey_ref = ref(Journey, "slug", "name")
stage_ref = ref(Stage)
step_ref = ref(Step)
target_ref = ref(Target)


def num(x) -> float | None:
    """A float for JSON: None for missing or non-finite values (JSON has no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _day(x) -> str | None:
    if x is None:
        return None
    return (x.date() if isinstance(x, dt.datetime) else x).isoformat()


# ---------------------------------------------------------------- shared output pieces


class MetricValueOut(Schema):
    value: float | None = Field(description="null when there are too few responses (enough = false)")
    low: float | None = Field(description="95% interval, low end")
    high: float | None = Field(description="95% interval, high end")
    n: int
    enough: bool = Field(description="n ≥ the minimum number of responses")


def metric_value_dict(value) -> dict:
    """`stats.MetricValue` → {value, low, high, n, enough}."""
    if value is None:
        return {"value": None, "low": None, "high": None, "n": 0, "enough": False}
    return {"value": num(value.value), "low": num(value.low), "high": num(value.high), "n": int(value.n),
            "enough": bool(value.enough)}


class MonthValueOut(MetricValueOut):
    month: dt.date = Field(description="First day of the calendar month.")


class ProjectionOut(Schema):
    value: float | None = Field(description="The value the trend projects at the due date.")
    low: float | None
    high: float | None
    slope_per_month: float | None
    trend_p: float | None = Field(description="Two-sided p of the slope.")
    months_used: int = Field(description="Monthly points with enough responses used for the trend.")
    note: str = Field("", description="Where value, low or high were cut to the metric's scale: “the top of the "
                      "scale”, “the bottom of the scale”, “both ends of the scale”; empty when nothing was cut "
                      "(the pages write it after the interval).")


# ---------------------------------------------------------------- metric definitions


@serializes(MetricDefinition)
class MetricDefinitionOut(Schema):
    id: int
    key: str
    name: str
    base: str = Field(description="The insight-engine metric: " + ", ".join(BASE_METRICS))
    base_label: str
    channel: str
    segment: str
    direction: str = Field(description="up: higher is better; down: lower is better")
    higher_is_better: bool
    unit: str
    scale: str
    description: str
    outcome_ids: list[int] = Field(description="Shared outcomes this metric measures.")
    target_ids: list[int] = Field(description="Targets set on this metric.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_base_label(obj):
        return obj.get_base_display()

    @staticmethod
    def resolve_outcome_ids(obj):
        return [o.pk for o in obj.outcomes.all()]

    @staticmethod
    def resolve_target_ids(obj):
        return [t.pk for t in obj.targets.all()]


class MetricDefinitionIn(Schema):
    key: str = Field(description="Short stable name, e.g. ces or nps-business.")
    name: str
    base: BaseMetric = Field(description="The insight-engine metric it is computed from.")
    channel: str = ""
    segment: str = ""
    direction: Direction | None = Field(None, description="Left out: the base metric's direction.")
    description: str = ""


class MetricDefinitionPatch(VersionIn):
    key: str | None = None
    name: str | None = None
    base: BaseMetric | None = None
    channel: str | None = None
    segment: str | None = None
    direction: Direction | None = None
    description: str | None = None


class MetricDefinitionFilters(Schema):
    base: BaseMetric | None = None
    q: str | None = Field(None, description="text in the key, name or description")

    def apply(self, metrics):
        if self.base:
            metrics = metrics.filter(base=self.base)
        if self.q:
            metrics = metrics.filter(Q(key__icontains=self.q) | Q(name__icontains=self.q)
                                     | Q(description__icontains=self.q))
        return metrics


# ---------------------------------------------------------------- targets


def _view(target: Target):
    """The target's assessment (status, current value, projection), computed once per object."""
    view = getattr(target, "_cx_view", None)
    if view is None:
        view = queries.assess(target)
        target._cx_view = view
    return view


class TargetPeriodOut(Schema):
    start: dt.date
    end: dt.date
    days: int


@serializes(Target)
class TargetOut(Schema):
    id: int
    outcome_id: int
    outcome_name: str
    metric_id: int
    metric_key: str
    metric_name: str
    scope: str = Field(description="organization, journey, stage or step")
    journey_id: int | None
    stage_id: int | None
    step_id: int | None
    scope_label: str = Field(description="e.g. step “Log in to the app”")
    comparator: str = Field(description="≥ when higher is better, ≤ otherwise")
    value: float
    due: dt.date
    baseline: float | None
    baseline_date: dt.date | None
    window_days: int
    note: str
    status: str = Field(description="on_track, at_risk, off_track or no_data")
    status_label: str
    plain: str = Field(description="The status and why in everyday words, for a team lead: the value now and where "
                                   "it is heading, without p values, intervals or n (the page's first sentence).")
    explanation: str = Field(description="Why: the value, its interval, n, the trend and the date, in words "
                                         "(the statistics behind `plain`, shown under “Details” on the pages).")
    current: MetricValueOut = Field(description="The metric over the last window_days days at the scope.")
    period: TargetPeriodOut = Field(description="the days of `current`: window_days ending on the as-of day")
    data_through: dt.date | None = Field(description="the clock's last day of data (docs/insights.md, “The clock”)")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_outcome_name(obj):
        return obj.outcome.name

    @staticmethod
    def resolve_metric_key(obj):
        return obj.metric.key

    @staticmethod
    def resolve_metric_name(obj):
        return obj.metric.name

    @staticmethod
    def resolve_status(obj):
        return _view(obj).status

    @staticmethod
    def resolve_status_label(obj):
        return _view(obj).status_label

    @staticmethod
    def resolve_plain(obj):
        return _view(obj).assessment.plain

    @staticmethod
    def resolve_explanation(obj):
        return _view(obj).assessment.explanation

    @staticmethod
    def resolve_current(obj):
        return metric_value_dict(_view(obj).assessment.current)

    @staticmethod
    def resolve_period(obj):
        return _view(obj).period.as_dict()

    @staticmethod
    def resolve_data_through(obj):
        through = _view(obj).data_through
        return clock.data_through() if through is clock.UNREAD else through


class TargetDetailOut(TargetOut):
    as_of: dt.date
    projection: ProjectionOut
    monthly: list[MonthValueOut] = Field(description="The metric per calendar month, oldest first (n = 0: none).")

    @staticmethod
    def resolve_as_of(obj):
        return _view(obj).as_of

    @staticmethod
    def resolve_projection(obj):
        a = _view(obj).assessment
        return {"value": num(a.projected), "low": num(a.projected_low), "high": num(a.projected_high),
                "slope_per_month": num(a.slope_per_month), "trend_p": num(a.trend_p),
                "months_used": a.months_used, "note": a.projection_note}

    @staticmethod
    def resolve_monthly(obj):
        return [{"month": month, **metric_value_dict(value)} for month, value in _view(obj).monthly]


def target_dict(view) -> Target:
    """A `queries.TargetView`'s target, to be serialized by TargetOut with the status it was
    assessed with (its as_of, e.g. a scorecard's), not recomputed for today."""
    view.target._cx_view = view
    return view.target


class TargetIn(Schema):
    outcome: Ref = Field(description="shared outcome id or name")
    metric: Ref = Field(description="metric definition id, key or name")
    scope: Scope = Scope.ORGANIZATION
    journey: Ref | None = Field(None, description="journey id, slug or name (scope journey)")
    stage: int | None = Field(None, description="stage id (scope stage)")
    step: int | None = Field(None, description="step id (scope step)")
    value: float
    due: dt.date
    baseline: float | None = Field(None, description="Left out: the metric's current value, when there is enough data.")
    baseline_date: dt.date | None = None
    window_days: int = Field(90, ge=1, le=3660)
    note: str = ""


class TargetPatch(VersionIn):
    outcome: Ref | None = None
    metric: Ref | None = None
    scope: Scope | None = None
    journey: Ref | None = Field(None, description="null clears")
    stage: int | None = Field(None, description="null clears")
    step: int | None = Field(None, description="null clears")
    value: float | None = None
    due: dt.date | None = None
    baseline: float | None = None
    baseline_date: dt.date | None = None
    window_days: int | None = Field(None, ge=1, le=3660)
    note: str | None = None


TARGET_REFS = {"outcome": outcome_ref, "metric": metric_ref, "journey": journey_ref, "stage": stage_ref,
               "step": step_ref}


class TargetFilters(Schema):
    outcome: str | None = Field(None, description="shared outcome id or name")
    metric: str | None = Field(None, description="metric definition id, key or name")
    scope: Scope | None = None
    journey: str | None = Field(None, description="journey id, slug or name: targets for it or inside it")
    step: int | None = Field(None, description="step id: targets for the step only")
    status: Status | None = Field(None, description="only targets with this status (computed)")

    def apply(self, targets):
        if self.outcome:
            targets = targets.filter(outcome=outcome_ref(self.outcome, "outcome"))
        if self.metric:
            targets = targets.filter(metric=metric_ref(self.metric, "metric"))
        if self.scope:
            targets = targets.filter(scope=self.scope)
        if self.journey:
            journey = journey_ref(self.journey, "journey")
            targets = targets.filter(Q(journey=journey) | Q(stage__journey=journey) | Q(step__stage__journey=journey))
        if self.step is not None:
            targets = targets.filter(step=step_ref(self.step, "step"))
        if self.status:
            return [t for t in targets if _view(t).status == self.status]
        return targets


# ---------------------------------------------------------------- shared outcomes


@serializes(SharedOutcome)
class OutcomeOut(Schema):
    id: int
    name: str
    description: str
    position: int
    metric_ids: list[int]
    metric_keys: list[str]
    targets: list[TargetOut] = Field(description="Its targets, each with its status now.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_metric_ids(obj):
        return [m.pk for m in obj.metrics.all()]

    @staticmethod
    def resolve_metric_keys(obj):
        return [m.key for m in obj.metrics.all()]

    @staticmethod
    def resolve_targets(obj):
        return [target_dict(queries.assess(t)) for t in obj.targets.select_related("metric", "outcome", "journey",
                                                                                  "stage", "step")]


class OutcomeIn(Schema):
    name: str
    description: str = ""
    position: int | None = Field(None, description="Left out: after the last outcome.")
    metrics: list[Ref] = Field(default_factory=list, description="metric definition ids, keys or names")


class OutcomePatch(VersionIn):
    name: str | None = None
    description: str | None = None
    position: int | None = None
    metrics: list[Ref] | None = Field(None, description="replaces the list: metric ids, keys or names")


def metric_list_ref(values, field: str) -> list[MetricDefinition]:
    """`metrics: [id, key or name, …]` → the definitions; an unknown one is a 422 naming `metrics.<i>`."""
    return [metric_ref(m, f"{field}.{i}") for i, m in enumerate(values or [])]


OUTCOME_REFS = {"metrics": metric_list_ref}


class NameFilters(Schema):
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, outcomes):
        if self.q:
            outcomes = outcomes.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return outcomes


# ---------------------------------------------------------------- success statements


@serializes(SuccessStatement)
class SuccessStatementOut(Schema):
    id: int
    outcome_id: int
    outcome_name: str
    customer_goal: str
    business_outcome: str
    target_id: int | None
    target_label: str | None = Field(description="The measure with its target, e.g. “CES at … ≥ 5.5 by …”.")
    target_status: str | None
    sentence: str = Field(description="customer goal → business outcome → measure")
    position: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_outcome_name(obj):
        return obj.outcome.name

    @staticmethod
    def resolve_target_label(obj):
        return str(obj.target) if obj.target_id else None

    @staticmethod
    def resolve_target_status(obj):
        return _view(obj.target).status if obj.target_id else None

    @staticmethod
    def resolve_sentence(obj):
        return str(obj)


class SuccessStatementIn(Schema):
    outcome: Ref = Field(description="shared outcome id or name")
    customer_goal: str
    business_outcome: str
    target: int | None = Field(None, description="target id")
    position: int = 0


class SuccessStatementPatch(VersionIn):
    outcome: Ref | None = None
    customer_goal: str | None = None
    business_outcome: str | None = None
    target: int | None = Field(None, description="target id; null clears")
    position: int | None = None


STATEMENT_REFS = {"outcome": outcome_ref, "target": target_ref}


class StatementFilters(Schema):
    outcome: str | None = Field(None, description="shared outcome id or name")

    def apply(self, statements):
        if self.outcome:
            statements = statements.filter(outcome=outcome_ref(self.outcome, "outcome"))
        return statements


# ---------------------------------------------------------------- team KPIs


@serializes(KpiLink)
class KpiLinkOut(Schema):
    id: int
    kpi_id: int
    outcome_id: int
    outcome_name: str
    kind: str = Field(description="supports or tension")
    note: str
    version: int

    @staticmethod
    def resolve_outcome_name(obj):
        return obj.outcome.name


class PeriodValueOut(Schema):
    period: dt.date
    value: float


@serializes(TeamKpi)
class KpiOut(Schema):
    id: int
    team_id: int
    team_name: str
    team_slug: str
    name: str
    unit: str
    direction: str = Field(description="up: higher is better; down: lower is better")
    source: str = Field(description="manual, csv or metric")
    metric_id: int | None = Field(description="For source metric: the metric definition it is taken from.")
    metric_key: str | None
    description: str
    latest: PeriodValueOut | None = Field(description="The latest value of the last 12 months.")
    links: list[KpiLinkOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name

    @staticmethod
    def resolve_team_slug(obj):
        return obj.team.slug

    @staticmethod
    def resolve_metric_key(obj):
        return obj.metric.key if obj.metric_id else None

    @staticmethod
    def resolve_latest(obj):
        series = queries.kpi_series(obj)
        return {"period": series[-1][0], "value": series[-1][1]} if series else None

    @staticmethod
    def resolve_links(obj):
        return list(obj.links.all())


class KpiIn(Schema):
    team: Ref = Field(description="team id, slug or name")
    name: str
    unit: str = Field(description="e.g. minutes, %, € per contact")
    direction: Direction
    source: KpiSource = KpiSource.MANUAL
    metric: Ref | None = Field(None, description="metric definition id, key or name (source metric only)")
    description: str = ""


class KpiPatch(VersionIn):
    team: Ref | None = None
    name: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    source: KpiSource | None = None
    metric: Ref | None = Field(None, description="null clears")
    description: str | None = None


KPI_REFS = {"team": team_ref, "metric": metric_ref}


class KpiFilters(Schema):
    team: str | None = Field(None, description="team id, slug or name")
    source: KpiSource | None = None
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, kpis):
        if self.team:
            kpis = kpis.filter(team=team_ref(self.team, "team"))
        if self.source:
            kpis = kpis.filter(source=self.source)
        if self.q:
            kpis = kpis.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return kpis


# ---------------------------------------------------------------- tensions


class NamedOut(Schema):
    id: int
    name: str


class TensionKpiOut(Schema):
    id: int
    name: str
    team_id: int
    team_name: str
    unit: str
    direction: str


class TensionMetricOut(Schema):
    id: int
    key: str
    name: str


class TensionOut(Schema):
    kpi: TensionKpiOut
    metric: TensionMetricOut = Field(description="The shared measure, taken at the steps the KPI's team owns.")
    outcomes: list[NamedOut] = Field(description="The shared outcomes the metric measures.")
    declared: str | None = Field(description="“tension” when the team declared this link as in tension.")
    found: bool = Field(description="The KPI improves while the measure worsens, credibly (BH-corrected).")
    strength: str = Field(description="strong, moderate, none or “not enough data”")
    p_value: float | None = Field(description="max of the two one-sided p's (intersection–union test)")
    p_adjusted: float | None = Field(description="Benjamini–Hochberg q across every comparison")
    comparisons: int
    kpi_p: float | None
    measure_p: float | None
    kpi_slope: float | None = Field(description="per month, in the KPI's unit")
    measure_slope: float | None = Field(description="per month, in the measure's unit")
    kpi_change: float | None = Field(description="the KPI's improvement over the span (positive = better)")
    effect: float | None = Field(description="the measure's worsening over the span (positive = worse)")
    min_effect: float
    correlation: float | None
    periods: int = Field(description="months both series have")
    min_periods: int
    first_month: dt.date | None
    last_month: dt.date | None
    span_months: int | None
    steps: list[int] = Field(description="The team's owned steps the measure was taken at.")
    explanation: str


def tension_dict(finding) -> dict:
    t = finding.test
    kpi, metric = finding.kpi, finding.metric
    return {
        "kpi": {"id": kpi.pk, "name": kpi.name, "team_id": kpi.team_id, "team_name": kpi.team.name,
                "unit": kpi.unit, "direction": kpi.direction},
        "metric": {"id": metric.pk, "key": metric.key, "name": metric.name},
        "outcomes": [{"id": o.pk, "name": o.name} for o in finding.outcomes],
        "declared": finding.declared.kind if finding.declared is not None else None,
        "found": bool(t.found), "strength": t.strength, "p_value": num(t.p_value), "p_adjusted": num(t.p_adjusted),
        "comparisons": t.comparisons, "kpi_p": num(t.kpi_p), "measure_p": num(t.measure_p),
        "kpi_slope": num(t.kpi_slope), "measure_slope": num(t.measure_slope), "kpi_change": num(t.kpi_change),
        "effect": num(t.effect), "min_effect": num(t.min_effect) or 0.0, "correlation": num(t.correlation),
        "periods": t.periods, "min_periods": t.min_periods, "first_month": _day(t.first_month),
        "last_month": _day(t.last_month), "span_months": t.span_months, "steps": list(finding.steps),
        "explanation": t.explanation,
    }
