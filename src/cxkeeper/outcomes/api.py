"""API for shared outcomes: metric definitions, outcomes, targets, success statements, team
KPIs (values, CSV import, links), tensions, the alignment map, scorecards and the CX language.

Every write goes through `cxkeeper.outcomes.actions`, like the pages: keepers and admins
define outcomes, metrics, targets and success statements; members manage their own team's
KPIs; everyone signed in reads. Every figure comes from `cxkeeper.outcomes.queries`, so the
API, the pages and the reports always agree. See docs/api.md ("Outcomes")."""

import datetime as dt
import json
import math
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import TypeAdapter, ValidationError

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiPagination,
    VersionIn,
    acting_user,
    add_history_endpoint,
    changes_of,
    expected_version,
    get_or_404,
    ref,
    resolve_refs,
    serializes,
    set_etag,
)
from cxkeeper.core.errors import Conflict, InvalidInput
from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team, Workspace
from cxkeeper.outcomes import actions, queries
from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope, Status
from cxkeeper.outcomes.models import (
    BASE_METRICS,
    KpiLink,
    MetricDefinition,
    SharedOutcome,
    SuccessStatement,
    Target,
    TeamKpi,
)
from cxkeeper.outcomes.permissions import require_team_kpis

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


def _num(x) -> float | None:
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
    return {"value": _num(value.value), "low": _num(value.low), "high": _num(value.high), "n": int(value.n),
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


class TeamBriefOut(Schema):
    id: int
    name: str
    slug: str


class StepBriefOut(Schema):
    id: int
    name: str
    stage_id: int
    stage_name: str
    journey_id: int
    journey_name: str


def team_brief(team: Team) -> dict:
    return {"id": team.pk, "name": team.name, "slug": team.slug}


def step_brief(step: Step) -> dict:
    return {"id": step.pk, "name": step.name, "stage_id": step.stage_id, "stage_name": step.stage.name,
            "journey_id": step.stage.journey_id, "journey_name": step.stage.journey.name}


def _version_check(obj, version: int | None) -> None:
    """For writes whose action takes no version (links, values): refuse a stale one if sent."""
    if version is not None and obj.version != version:
        raise Conflict(type(obj).objects.get(pk=obj.pk), version)


def _optional_version(request: HttpRequest) -> int | None:
    """`?version=` or `If-Match` when sent (checked like everywhere else), else None."""
    if request.GET.get("version") is None and request.headers.get("If-Match") is None:
        return None
    return expected_version(request)


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


metric_definitions_router = Router(tags=["outcomes"])


def _metrics():
    return MetricDefinition.objects.prefetch_related("outcomes", "targets")


@metric_definitions_router.get("", url_name="metric_definitions",
                               response={200: list[MetricDefinitionOut], **READ_ERRORS},
                               summary="List metric definitions")
@paginate(ApiPagination)
def list_metric_definitions(request, filters: Query[MetricDefinitionFilters]):
    return filters.apply(_metrics())


@metric_definitions_router.get("/{id}", url_name="metric_definition",
                               response={200: MetricDefinitionOut, **READ_ERRORS},
                               summary="Get a metric definition")
def get_metric_definition(request, id: int, response: HttpResponse):
    metric = get_or_404(MetricDefinition, id, _metrics())
    set_etag(response, metric)
    return metric


@metric_definitions_router.post("", url_name="metric_definitions",
                                response={201: MetricDefinitionOut, **WRITE_ERRORS},
                                summary="Define a metric (keeper)")
def create_metric_definition(request, payload: MetricDefinitionIn):
    values = payload.dict()
    values["direction"] = values["direction"] or ""
    metric = actions.define_metric(values, acting_user=acting_user(request))
    return 201, get_or_404(MetricDefinition, metric.pk, _metrics())


@metric_definitions_router.patch("/{id}", url_name="metric_definition",
                                 response={200: MetricDefinitionOut, **WRITE_ERRORS},
                                 summary="Edit a metric definition (keeper)")
def update_metric_definition(request, id: int, payload: MetricDefinitionPatch):
    metric = actions.update_metric(get_or_404(MetricDefinition, id), changes_of(payload),
                                   expected_version=expected_version(request, payload.version),
                                   acting_user=acting_user(request))
    return get_or_404(MetricDefinition, metric.pk, _metrics())


@metric_definitions_router.delete("/{id}", url_name="metric_definition", response={204: None, **WRITE_ERRORS},
                                  summary="Delete a metric definition (keeper; refused while targets use it)")
def delete_metric_definition(request, id: int, version: int | None = None):
    """Refused with 422 naming the targets and KPIs that still measure with it; nothing is deleted."""
    actions.delete_metric(get_or_404(MetricDefinition, id), expected_version=expected_version(request, version),
                          acting_user=acting_user(request))
    return 204, None


add_history_endpoint(metric_definitions_router, MetricDefinition)


# ---------------------------------------------------------------- targets


def _view(target: Target):
    """The target's assessment (status, current value, projection), computed once per object."""
    view = getattr(target, "_cx_view", None)
    if view is None:
        view = queries.assess(target)
        target._cx_view = view
    return view


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
    explanation: str = Field(description="Why: the value, its interval, n, the trend and the date, in words.")
    current: MetricValueOut = Field(description="The metric over the last window_days days at the scope.")
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
    def resolve_explanation(obj):
        return _view(obj).assessment.explanation

    @staticmethod
    def resolve_current(obj):
        return metric_value_dict(_view(obj).assessment.current)


class TargetDetailOut(TargetOut):
    as_of: dt.date
    projection: ProjectionOut
    monthly: list[MonthValueOut] = Field(description="The metric per calendar month, oldest first (n = 0: none).")

    @staticmethod
    def resolve_as_of(obj):
        return queries.today()

    @staticmethod
    def resolve_projection(obj):
        a = _view(obj).assessment
        return {"value": _num(a.projected), "low": _num(a.projected_low), "high": _num(a.projected_high),
                "slope_per_month": _num(a.slope_per_month), "trend_p": _num(a.trend_p),
                "months_used": a.months_used}

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


targets_router = Router(tags=["outcomes"])


def _targets():
    return Target.objects.select_related("metric", "outcome", "journey", "stage", "step")


@targets_router.get("", url_name="targets", response={200: list[TargetOut], **READ_ERRORS},
                    summary="List targets with their status")
@paginate(ApiPagination)
def list_targets(request, filters: Query[TargetFilters]):
    return filters.apply(_targets())


@targets_router.get("/{id}", url_name="target", response={200: TargetDetailOut, **READ_ERRORS},
                    summary="Get a target: status, current value, projection, explanation, monthly series")
def get_target(request, id: int, response: HttpResponse):
    target = get_or_404(Target, id, _targets())
    set_etag(response, target)
    return target


@targets_router.post("", url_name="targets", response={201: TargetOut, **WRITE_ERRORS},
                     summary="Set a target (keeper)")
def create_target(request, payload: TargetIn):
    values = resolve_refs(payload.dict(exclude_none=True), TARGET_REFS)
    target = actions.set_metric_target(values, acting_user=acting_user(request))
    return 201, get_or_404(Target, target.pk, _targets())


@targets_router.patch("/{id}", url_name="target", response={200: TargetOut, **WRITE_ERRORS},
                      summary="Edit a target (keeper)")
def update_target(request, id: int, payload: TargetPatch):
    target = actions.update_target(get_or_404(Target, id), resolve_refs(changes_of(payload), TARGET_REFS),
                                   expected_version=expected_version(request, payload.version),
                                   acting_user=acting_user(request))
    return get_or_404(Target, target.pk, _targets())


@targets_router.delete("/{id}", url_name="target", response={204: None, **WRITE_ERRORS},
                       summary="Delete a target (keeper)")
def delete_target(request, id: int, version: int | None = None):
    actions.delete_target(get_or_404(Target, id), expected_version=expected_version(request, version),
                          acting_user=acting_user(request))
    return 204, None


add_history_endpoint(targets_router, Target)


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


def _metric_list(values: dict) -> dict:
    if "metrics" in values:
        values["metrics"] = [metric_ref(m, f"metrics.{i}") for i, m in enumerate(values["metrics"] or [])]
    return values


class NameFilters(Schema):
    q: str | None = Field(None, description="text in the name or description")


outcomes_router = Router(tags=["outcomes"])


def _outcomes():
    return SharedOutcome.objects.prefetch_related("metrics")


@outcomes_router.get("", url_name="outcomes", response={200: list[OutcomeOut], **READ_ERRORS},
                     summary="List shared outcomes with their metrics and targets")
@paginate(ApiPagination)
def list_outcomes(request, filters: Query[NameFilters]):
    outcomes = _outcomes()
    if filters.q:
        outcomes = outcomes.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q))
    return outcomes


@outcomes_router.get("/{id}", url_name="outcome", response={200: OutcomeOut, **READ_ERRORS},
                     summary="Get a shared outcome")
def get_outcome(request, id: int, response: HttpResponse):
    outcome = get_or_404(SharedOutcome, id, _outcomes())
    set_etag(response, outcome)
    return outcome


@outcomes_router.post("", url_name="outcomes", response={201: OutcomeOut, **WRITE_ERRORS},
                      summary="Define a shared outcome (keeper)")
def create_outcome(request, payload: OutcomeIn):
    values = _metric_list(payload.dict(exclude_none=True))
    outcome = actions.define_outcome(values, acting_user=acting_user(request))
    return 201, get_or_404(SharedOutcome, outcome.pk, _outcomes())


@outcomes_router.patch("/{id}", url_name="outcome", response={200: OutcomeOut, **WRITE_ERRORS},
                       summary="Edit a shared outcome (keeper)")
def update_outcome(request, id: int, payload: OutcomePatch):
    outcome = actions.update_outcome(get_or_404(SharedOutcome, id), _metric_list(changes_of(payload)),
                                     expected_version=expected_version(request, payload.version),
                                     acting_user=acting_user(request))
    return get_or_404(SharedOutcome, outcome.pk, _outcomes())


@outcomes_router.delete("/{id}", url_name="outcome", response={204: None, **WRITE_ERRORS},
                        summary="Delete a shared outcome (keeper; refused while it has targets)")
def delete_outcome(request, id: int, version: int | None = None):
    actions.delete_outcome(get_or_404(SharedOutcome, id), expected_version=expected_version(request, version),
                           acting_user=acting_user(request))
    return 204, None


add_history_endpoint(outcomes_router, SharedOutcome)


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


success_statements_router = Router(tags=["outcomes"])


def _statements():
    return SuccessStatement.objects.select_related("outcome", "target", "target__metric", "target__journey",
                                                   "target__stage", "target__step", "target__outcome")


@success_statements_router.get("", url_name="success_statements",
                               response={200: list[SuccessStatementOut], **READ_ERRORS},
                               summary="List success statements")
@paginate(ApiPagination)
def list_success_statements(request, filters: Query[StatementFilters]):
    statements = _statements()
    if filters.outcome:
        statements = statements.filter(outcome=outcome_ref(filters.outcome, "outcome"))
    return statements


@success_statements_router.get("/{id}", url_name="success_statement",
                               response={200: SuccessStatementOut, **READ_ERRORS},
                               summary="Get a success statement")
def get_success_statement(request, id: int, response: HttpResponse):
    statement = get_or_404(SuccessStatement, id, _statements())
    set_etag(response, statement)
    return statement


@success_statements_router.post("", url_name="success_statements",
                                response={201: SuccessStatementOut, **WRITE_ERRORS},
                                summary="Write a success statement (keeper)")
def create_success_statement(request, payload: SuccessStatementIn):
    values = resolve_refs(payload.dict(exclude_none=True), STATEMENT_REFS)
    statement = actions.add_success_statement(values, acting_user=acting_user(request))
    return 201, get_or_404(SuccessStatement, statement.pk, _statements())


@success_statements_router.patch("/{id}", url_name="success_statement",
                                 response={200: SuccessStatementOut, **WRITE_ERRORS},
                                 summary="Edit a success statement (keeper)")
def update_success_statement(request, id: int, payload: SuccessStatementPatch):
    statement = actions.update_success_statement(
        get_or_404(SuccessStatement, id), resolve_refs(changes_of(payload), STATEMENT_REFS),
        expected_version=expected_version(request, payload.version), acting_user=acting_user(request))
    return get_or_404(SuccessStatement, statement.pk, _statements())


@success_statements_router.delete("/{id}", url_name="success_statement", response={204: None, **WRITE_ERRORS},
                                  summary="Delete a success statement (keeper)")
def delete_success_statement(request, id: int, version: int | None = None):
    actions.delete_success_statement(get_or_404(SuccessStatement, id),
                                     expected_version=expected_version(request, version),
                                     acting_user=acting_user(request))
    return 204, None


add_history_endpoint(success_statements_router, SuccessStatement)


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


kpis_router = Router(tags=["team KPIs"])


def _kpis():
    return TeamKpi.objects.select_related("team", "metric").prefetch_related(
        Prefetch("links", queryset=KpiLink.objects.select_related("outcome")))


@kpis_router.get("", url_name="kpis", response={200: list[KpiOut], **READ_ERRORS}, summary="List team KPIs")
@paginate(ApiPagination)
def list_kpis(request, filters: Query[KpiFilters]):
    kpis = _kpis()
    if filters.team:
        kpis = kpis.filter(team=team_ref(filters.team, "team"))
    if filters.source:
        kpis = kpis.filter(source=filters.source)
    if filters.q:
        kpis = kpis.filter(Q(name__icontains=filters.q) | Q(description__icontains=filters.q))
    return kpis


@kpis_router.get("/{id}", url_name="kpi", response={200: KpiOut, **READ_ERRORS}, summary="Get a team KPI")
def get_kpi(request, id: int, response: HttpResponse):
    kpi = get_or_404(TeamKpi, id, _kpis())
    set_etag(response, kpi)
    return kpi


@kpis_router.post("", url_name="kpis", response={201: KpiOut, **WRITE_ERRORS},
                  summary="Declare a team KPI (members of the team, keeper)")
def create_kpi(request, payload: KpiIn):
    values = resolve_refs(payload.dict(exclude_none=True), KPI_REFS)
    kpi = actions.declare_team_kpi(values, acting_user=acting_user(request))
    return 201, get_or_404(TeamKpi, kpi.pk, _kpis())


@kpis_router.patch("/{id}", url_name="kpi", response={200: KpiOut, **WRITE_ERRORS},
                   summary="Edit a team KPI (members of the team, keeper)")
def update_kpi(request, id: int, payload: KpiPatch):
    kpi = actions.update_team_kpi(get_or_404(TeamKpi, id, _kpis()), resolve_refs(changes_of(payload), KPI_REFS),
                                  expected_version=expected_version(request, payload.version),
                                  acting_user=acting_user(request))
    return get_or_404(TeamKpi, kpi.pk, _kpis())


@kpis_router.delete("/{id}", url_name="kpi", response={204: None, **WRITE_ERRORS},
                    summary="Delete a team KPI with its values and links (members of the team, keeper)")
def delete_kpi(request, id: int, version: int | None = None):
    actions.delete_team_kpi(get_or_404(TeamKpi, id, _kpis()), expected_version=expected_version(request, version),
                            acting_user=acting_user(request))
    return 204, None


add_history_endpoint(kpis_router, TeamKpi)


# ---------------------------------------------------------------- KPI values


class KpiValuesOut(Schema):
    kpi_id: int
    name: str
    unit: str
    direction: str
    source: str
    version: int = Field(description="The KPI's version (each change of its values raises it).")
    values: list[PeriodValueOut] = Field(description="Oldest first; a metric KPI: months with enough responses.")


class ValueIn(Schema):
    period: dt.date = Field(description="The period's first day (YYYY-MM-DD), e.g. a month's 1st.")
    value: float


class StoredOut(KpiValuesOut):
    stored: int = Field(description="How many values were written (new or changed periods included).")


def _values_payload(kpi: TeamKpi, months: int = queries.TREND_MONTHS) -> dict:
    return {"kpi_id": kpi.pk, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "source": kpi.source,
            "version": kpi.version,
            "values": [{"period": p, "value": v} for p, v in queries.kpi_series(kpi, months=months)]}


class MonthsQuery(Schema):
    months: int = Field(queries.TREND_MONTHS, ge=1, le=120, description="calendar months up to today")


class FileQuery(Schema):
    filename: str = Field("upload.csv", description="the name of a text/csv body, used in error messages")


@kpis_router.get("/{id}/values", url_name="kpi_values", response={200: KpiValuesOut, **READ_ERRORS},
                 summary="A KPI's values (series)")
def get_kpi_values(request, id: int, query: Query[MonthsQuery]):
    return _values_payload(get_or_404(TeamKpi, id, _kpis()), query.months)


VALUE_ITEM = {"type": "object", "required": ["period", "value"], "properties": {
    "period": {"type": "string", "format": "date", "description": "the period's first day, YYYY-MM-DD"},
    "value": {"type": "number"}}}
VALUES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {
                "oneOf": [
                    {"type": "array", "items": VALUE_ITEM},
                    {"type": "object", "properties": {
                        "values": {"type": "array", "items": VALUE_ITEM},
                        "version": {"type": "integer"}}, "required": ["values"]},
                ]}},
            "text/csv": {"schema": {"type": "string",
                                    "description": "period,value[,unit] — header row first; ?filename= names it"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}, "required": ["file"]}},
        },
    }
}

_VALUE_LIST = TypeAdapter(list[ValueIn])


def _json_rows(request: HttpRequest) -> tuple[list[actions.ValueRow], int | None]:
    try:
        body = json.loads(request.body or b"null")
    except ValueError as exc:
        raise InvalidInput({"__all__": f"The body is not JSON: {exc}."}) from exc
    prefix, version = "", None
    if isinstance(body, dict):
        prefix, version, body = "values.", body.get("version"), body.get("values")
    if not isinstance(body, list) or not body:
        raise InvalidInput({"values": "Send a non-empty JSON list of {\"period\": \"YYYY-MM-DD\", \"value\": n}."})
    try:
        items = _VALUE_LIST.validate_python(body)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            field = prefix + ".".join(str(p) for p in error["loc"])
            errors.setdefault(field, []).append(error["msg"])
        raise InvalidInput(errors) from exc
    if version is not None and not isinstance(version, int):
        raise InvalidInput({"version": f"“{version}” is not a version number."})
    return [actions.ValueRow(item.period, item.value) for item in items], version


@kpis_router.post("/{id}/values", url_name="kpi_values", response={200: StoredOut, **WRITE_ERRORS},
                  summary="Record KPI values: JSON [{period, value}], or import a CSV (text/csv or multipart)",
                  openapi_extra=VALUES_BODY)
def post_kpi_values(request, id: int, query: Query[FileQuery]):
    """Values are upserted, one per period, in one transaction: any error (which names the
    file, row and column for CSV) and nothing is stored. A KPI taken from a cxkeeper metric
    has no values to enter. Sending the KPI's `version` (body or If-Match) guards against a
    concurrent change (409)."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    user = acting_user(request)
    content_type = (request.content_type or "").lower()
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput({"file": "Send the CSV as the multipart field “file”."})
        _version_check(kpi, _optional_version(request))
        stored = actions.import_kpi_values(kpi, _text(upload.read(), upload.name), filename=upload.name,
                                           acting_user=user)
    elif content_type in ("text/csv", "text/plain", "application/csv"):
        _version_check(kpi, _optional_version(request))
        stored = actions.import_kpi_values(kpi, _text(request.body, query.filename), filename=query.filename,
                                           acting_user=user)
    elif content_type in ("application/json", ""):
        rows, version = _json_rows(request)
        _version_check(kpi, version if version is not None else _optional_version(request))
        stored = actions.record_kpi_values(kpi, rows, acting_user=user, source_label="API")
    else:
        raise HttpError(415, f"Send JSON, text/csv or multipart/form-data, not {content_type}.")
    return {**_values_payload(TeamKpi.objects.select_related("team", "metric").get(pk=kpi.pk)), "stored": stored}


def _text(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput({"file": f"{filename}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8."}) from exc


# ---------------------------------------------------------------- KPI links


class LinkIn(Schema):
    outcome: Ref = Field(description="shared outcome id or name")
    kind: LinkKind = LinkKind.SUPPORTS
    note: str = ""


class LinkPut(VersionIn):
    kind: LinkKind = LinkKind.SUPPORTS
    note: str = ""


@kpis_router.get("/{id}/links", url_name="kpi_links", response={200: list[KpiLinkOut], **READ_ERRORS},
                 summary="A KPI's links to shared outcomes")
def list_kpi_links(request, id: int):
    return list(get_or_404(TeamKpi, id, _kpis()).links.all())


@kpis_router.post("/{id}/links", url_name="kpi_links", response={201: KpiLinkOut, 200: KpiLinkOut, **WRITE_ERRORS},
                  summary="Link a KPI to a shared outcome as supports or tension (members of the team, keeper)")
def create_kpi_link(request, id: int, payload: LinkIn):
    """One link per KPI and outcome: linking again changes its kind and note (200)."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    outcome = outcome_ref(payload.outcome, "outcome")
    existed = KpiLink.objects.filter(kpi=kpi, outcome=outcome).exists()
    link = actions.link_kpi_to_outcome(kpi, outcome, payload.kind, note=payload.note, acting_user=acting_user(request))
    return (200 if existed else 201), KpiLink.objects.select_related("outcome").get(pk=link.pk)


@kpis_router.put("/{id}/links/{outcome_id}", url_name="kpi_link", response={200: KpiLinkOut, **WRITE_ERRORS},
                 summary="Set the link between a KPI and a shared outcome (members of the team, keeper)")
def put_kpi_link(request, id: int, outcome_id: int, payload: LinkPut):
    """Creates the link or changes it; `version` (optional) refuses a stale change with 409."""
    kpi = get_or_404(TeamKpi, id, _kpis())
    outcome = get_or_404(SharedOutcome, outcome_id)
    existing = KpiLink.objects.filter(kpi=kpi, outcome=outcome).first()
    if existing is not None:
        _version_check(existing, payload.version if payload.version is not None else _optional_version(request))
    link = actions.link_kpi_to_outcome(kpi, outcome, payload.kind, note=payload.note, acting_user=acting_user(request))
    return KpiLink.objects.select_related("outcome").get(pk=link.pk)


@kpis_router.delete("/{id}/links/{outcome_id}", url_name="kpi_link", response={204: None, **WRITE_ERRORS},
                    summary="Remove the link between a KPI and a shared outcome (members of the team, keeper)")
def delete_kpi_link(request, id: int, outcome_id: int, version: int | None = None):
    kpi = get_or_404(TeamKpi, id, _kpis())
    link = KpiLink.objects.filter(kpi=kpi, outcome_id=outcome_id).select_related("kpi__team").first()
    if link is None:
        raise HttpError(404, f"“{kpi.name}” has no link to the shared outcome with id {outcome_id}.")
    require_team_kpis(acting_user(request), kpi.team)
    _version_check(link, expected_version(request, version))
    actions.unlink_kpi(link, acting_user=acting_user(request))
    return 204, None


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
        "found": bool(t.found), "strength": t.strength, "p_value": _num(t.p_value), "p_adjusted": _num(t.p_adjusted),
        "comparisons": t.comparisons, "kpi_p": _num(t.kpi_p), "measure_p": _num(t.measure_p),
        "kpi_slope": _num(t.kpi_slope), "measure_slope": _num(t.measure_slope), "kpi_change": _num(t.kpi_change),
        "effect": _num(t.effect), "min_effect": _num(t.min_effect) or 0.0, "correlation": _num(t.correlation),
        "periods": t.periods, "min_periods": t.min_periods, "first_month": _day(t.first_month),
        "last_month": _day(t.last_month), "span_months": t.span_months, "steps": list(finding.steps),
        "explanation": t.explanation,
    }


class TensionFilters(Schema):
    team: str | None = Field(None, description="team id, slug or name: its KPIs")
    kpi: int | None = Field(None, description="KPI id")
    found: bool | None = Field(None, description="true: only tensions found in the data")


tensions_router = Router(tags=["outcomes"])


@tensions_router.get("", url_name="tensions", response={200: list[TensionOut], **READ_ERRORS},
                     summary="Every KPI × shared-measure comparison, found or not, with its evidence")
@paginate(ApiPagination)
def list_tensions(request, filters: Query[TensionFilters]):
    """The correction for multiple comparisons is always made across every team's KPIs, so a
    team filter shows the same verdicts as the whole list. Found tensions come first."""
    team = team_ref(filters.team, "team") if filters.team else None
    findings = queries.tension_findings(team=team)
    if filters.kpi is not None:
        findings = [f for f in findings if f.kpi.pk == filters.kpi]
    if filters.found is not None:
        findings = [f for f in findings if f.found == filters.found]
    findings.sort(key=lambda f: (not f.found, f.kpi.team.name, f.kpi.name, f.metric.name))
    return [tension_dict(f) for f in findings]


# ---------------------------------------------------------------- alignment map


class AlignmentNodeOut(Schema):
    id: str = Field(description="north, o<id>, m<id>, t<id> or k<id>")
    kind: str = Field(description="north_star, outcome, metric, target or kpi")
    column: str
    label: str
    detail: str
    status: str = Field(description="a target's status; “tension” for a KPI in a found tension")
    url: str = Field(description="the page")
    api_url: str = Field(description="the same object in this API")


class AlignmentEdgeOut(Schema):
    source: str
    target: str
    kind: str = Field(description="measures, targets, supports, tension (declared) or found_tension (in the data)")


class AlignmentColumnOut(Schema):
    title: str
    node_ids: list[str]


class AlignmentOut(Schema):
    mission: str
    columns: list[AlignmentColumnOut]
    nodes: list[AlignmentNodeOut]
    edges: list[AlignmentEdgeOut]
    tensions_found: int


API_PATHS = {"north_star": "language", "outcome": "outcomes", "metric": "metric-definitions",
             "target": "targets", "kpi": "kpis"}


def _api_url(node) -> str:
    if node.kind == "north_star":
        return f"{PREFIX}/language"
    return f"{PREFIX}/{API_PATHS[node.kind]}/{node.id[1:]}"


alignment_router = Router(tags=["outcomes"])


@alignment_router.get("", url_name="alignment", response={200: AlignmentOut, **READ_ERRORS},
                      summary="North Star → shared outcomes → metrics and targets → team KPIs")
def get_alignment(request):
    result = queries.alignment()
    nodes = [{"id": n.id, "kind": n.kind, "column": title, "label": n.label, "detail": n.detail, "status": n.status,
              "url": n.url, "api_url": _api_url(n)} for title, column in result.columns for n in column]
    return {"mission": result.mission,
            "columns": [{"title": title, "node_ids": [n.id for n in column]} for title, column in result.columns],
            "nodes": nodes, "edges": [vars(e) for e in result.edges],
            "tensions_found": sum(1 for f in result.findings if f.found)}


# ---------------------------------------------------------------- scorecards


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    days: int


class PeriodChangeOut(Schema):
    metric: str
    current: MetricValueOut
    previous: MetricValueOut
    difference: float | None = Field(description="current − previous (null without enough responses)")
    significant: bool = Field(description="after Benjamini–Hochberg across the scorecard")
    better: bool | None = Field(description="true: credibly better; false: credibly worse; null: no clear change")
    test: str | None
    p_value: float | None
    p_adjusted: float | None


def change_dict(change) -> dict:
    c = change.comparison
    return {"metric": change.metric, "current": metric_value_dict(change.current),
            "previous": metric_value_dict(change.previous), "difference": _num(change.difference),
            "significant": change.significant, "better": change.better, "test": getattr(c, "test", None),
            "p_value": _num(getattr(c, "p_value", None)), "p_adjusted": _num(getattr(c, "p_adjusted", None))}


class ScorecardStepOut(Schema):
    step: StepBriefOut
    role: str = Field(description="owns or contributes")
    n: int = Field(description="feedback items in the period")
    changes: dict[str, PeriodChangeOut] = Field(description="nps, ces, csat, complaint_share: this period vs the last")
    targets: list[TargetOut]


class ScorecardKpiOut(Schema):
    id: int
    name: str
    unit: str
    direction: str
    source: str
    series: list[PeriodValueOut]
    latest: PeriodValueOut | None
    previous: PeriodValueOut | None
    change: float | None
    improving: bool | None
    links: list[KpiLinkOut]
    tensions: list[TensionOut] = Field(description="tensions found in the data for this KPI")


class HandoffBriefOut(Schema):
    id: int
    from_step_id: int
    from_step_name: str
    from_team: str
    to_step_id: int
    to_step_name: str
    to_team: str
    crosses_teams: bool
    description: str


class TeamScorecardOut(Schema):
    team: TeamBriefOut
    as_of: dt.date = Field(description="the last day with feedback (or today)")
    period: PeriodOut
    status_counts: dict[str, int]
    totals: dict[str, PeriodChangeOut] = Field(description="the team's steps together")
    steps: list[ScorecardStepOut]
    targets: list[TargetOut] = Field(description="targets at the team's steps, their stages and journeys, "
                                                 "and the organization")
    kpis: list[ScorecardKpiOut]
    tensions: list[TensionOut]
    friction: list[dict[str, Any]] = Field(description="friction signals at the team's steps (as /metrics/friction)")
    handoffs: list[HandoffBriefOut]


def _period_value(pair) -> dict | None:
    return {"period": pair[0], "value": pair[1]} if pair is not None else None


def kpi_view_dict(view) -> dict:
    kpi = view.kpi
    return {"id": kpi.pk, "name": kpi.name, "unit": kpi.unit, "direction": kpi.direction, "source": kpi.source,
            "series": [{"period": p, "value": v} for p, v in view.series], "latest": _period_value(view.latest),
            "previous": _period_value(view.previous), "change": _num(view.change), "improving": view.improving,
            "links": list(view.links),
            "tensions": [tension_dict(f) for f in view.tensions]}


def handoff_dict(handoff) -> dict:
    return {"id": handoff.pk, "from_step_id": handoff.from_step_id, "from_step_name": handoff.from_step.name,
            "from_team": handoff.from_team.name, "to_step_id": handoff.to_step_id,
            "to_step_name": handoff.to_step.name, "to_team": handoff.to_team.name,
            "crosses_teams": handoff.crosses_teams, "description": handoff.description}


def period_dict(period) -> dict:
    return {"start": period.start, "end": period.end, "previous_start": period.previous_start,
            "previous_end": period.previous_end, "days": period.days}


def scorecard_dict(card) -> dict:
    """A `queries.Scorecard` as plain data: the same figures as the page and the reports."""
    return {
        "team": team_brief(card.team), "as_of": card.as_of, "period": period_dict(card.period),
        "status_counts": card.status_counts,
        "totals": {name: change_dict(c) for name, c in card.totals.items()},
        "steps": [{"step": step_brief(line.step), "role": line.role, "n": line.n,
                   "changes": {name: change_dict(c) for name, c in line.changes.items()},
                   "targets": [target_dict(v) for v in line.targets]} for line in card.steps],
        "targets": [target_dict(v) for v in card.targets],
        "kpis": [kpi_view_dict(v) for v in card.kpis],
        "tensions": [tension_dict(f) for f in card.tensions],
        "friction": [_signal_dict(s) for s in card.friction],
        "handoffs": [handoff_dict(h) for h in card.handoffs],
    }


def _signal_dict(signal) -> dict:
    from cxkeeper.insights.queries import signal_dict

    data = signal_dict(signal)
    return {k: (_num(v) if isinstance(v, float) else v) for k, v in data.items()}


class ScorecardQuery(Schema):
    period_days: int = Field(90, ge=7, le=732, description="days in the period (compared with the one before)")
    as_of: dt.date | None = Field(None, description="last day of the period; default: the last day with feedback")


scorecards_router = Router(tags=["outcomes"])


@scorecards_router.get("/teams/{slug}", url_name="team_scorecard", response={200: TeamScorecardOut, **READ_ERRORS},
                       summary="A team's scorecard: its steps against targets, KPIs, tensions, friction")
def team_scorecard(request, slug: str, query: Query[ScorecardQuery]):
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise HttpError(404, f"No team with slug “{slug}”.")
    return scorecard_dict(queries.scorecard(team, as_of=query.as_of, period_days=query.period_days))


class OutcomeViewOut(Schema):
    id: int
    name: str
    description: str
    metric_keys: list[str]
    targets: list[TargetOut]
    statements: list[SuccessStatementOut]
    kpi_links: list[dict[str, Any]] = Field(description="{id, kind, note, kpi_id, kpi_name, team_name}")


class SharedWithoutLeadOut(Schema):
    step: StepBriefOut
    teams: list[TeamBriefOut]


class HeroOut(Schema):
    team: TeamBriefOut
    owns: int
    contributes: int
    informed: int


class CoverageOut(Schema):
    n_steps: int
    unowned_steps: list[StepBriefOut]
    shared_without_lead: list[SharedWithoutLeadOut]
    idle_teams: list[TeamBriefOut]
    hidden_heroes: list[HeroOut]
    cross_team_handoffs: list[HandoffBriefOut]


class StaleJourneyOut(Schema):
    id: int
    name: str
    keeper: str | None
    last_reviewed_at: dt.datetime | None


class WorstStepOut(Schema):
    step: StepBriefOut
    metric: str
    value: MetricValueOut
    owners: list[TeamBriefOut]


class OrgScorecardOut(Schema):
    as_of: dt.date
    mission: str
    period_days: int
    status_counts: dict[str, int]
    outcomes: list[OutcomeViewOut]
    coverage: CoverageOut
    stale_journeys: list[StaleJourneyOut]
    worst_steps: list[WorstStepOut]
    tensions: list[TensionOut] = Field(description="tensions found in the data")


def _statement_dict(statement) -> SuccessStatement:
    return statement  # serialized by SuccessStatementOut


def org_dict(view, period_days: int) -> dict:
    coverage = view.coverage
    return {
        "as_of": view.as_of, "mission": view.mission, "period_days": period_days,
        "status_counts": view.status_counts,
        "outcomes": [{
            "id": o.outcome.pk, "name": o.outcome.name, "description": o.outcome.description,
            "metric_keys": [m.key for m in o.outcome.metrics.all()],
            "targets": [target_dict(t) for t in o.targets],
            "statements": [_statement_dict(s) for s in o.statements],
            "kpi_links": [{"id": link.pk, "kind": link.kind, "note": link.note, "kpi_id": link.kpi_id,
                           "kpi_name": link.kpi.name, "team_name": link.kpi.team.name} for link in o.kpi_links],
        } for o in view.outcomes],
        "coverage": {
            "n_steps": coverage.n_steps,
            "unowned_steps": [step_brief(s) for s in coverage.unowned_steps],
            "shared_without_lead": [{"step": step_brief(s), "teams": [team_brief(t) for t in teams]}
                                    for s, teams in coverage.shared_without_lead],
            "idle_teams": [team_brief(t) for t in coverage.idle_teams],
            "hidden_heroes": [{"team": team_brief(h.team), "owns": h.owns, "contributes": h.contributes,
                               "informed": h.informed} for h in coverage.hidden_heroes],
            "cross_team_handoffs": [handoff_dict(h) for h in coverage.cross_team_handoffs],
        },
        "stale_journeys": [{"id": j.pk, "name": j.name, "keeper": j.keeper.get_username() if j.keeper_id else None,
                            "last_reviewed_at": j.last_reviewed_at} for j in view.stale_journeys],
        "worst_steps": [{"step": step_brief(w.step), "metric": w.metric, "value": metric_value_dict(w.value),
                         "owners": [team_brief(t) for t in w.owners]} for w in view.worst_steps],
        "tensions": [tension_dict(f) for f in view.tensions],
    }


class OrgQuery(ScorecardQuery):
    worst_metric: Literal["nps", "ces", "csat", "ces_easy", "sentiment", "negative_share",
                          "complaint_share"] = Field("ces", description="the metric worst steps are ranked by")


@scorecards_router.get("/organization", url_name="org_scorecard", response={200: OrgScorecardOut, **READ_ERRORS},
                       summary="The organization view: every outcome against target, gaps, stale journeys, worst steps")
def org_scorecard(request, query: Query[OrgQuery]):
    view = queries.org_view(as_of=query.as_of, period_days=query.period_days, worst_metric=query.worst_metric)
    return org_dict(view, query.period_days)


# ---------------------------------------------------------------- the universal CX language


class MissionChangeOut(Schema):
    id: int = Field(description="the history row (see /history)")
    at: dt.datetime
    actor: str = Field(description="username, or “system”")
    before: str | None
    after: str | None


class LanguageOut(Schema):
    mission: str = Field(description="the North Star")
    mission_history: list[MissionChangeOut] = Field(description="newest first")
    success_statements: list[SuccessStatementOut]
    glossary_url: str = Field(description="the glossary in this API")


language_router = Router(tags=["outcomes"])


@language_router.get("", url_name="language", response={200: LanguageOut, **READ_ERRORS},
                     summary="The CX language: mission, who changed it and when, success statements")
def get_language(request):
    history = [{"id": r.pk, "at": r.at, "actor": r.actor_label or "system",
                "before": (r.before or {}).get("mission"), "after": (r.after or {}).get("mission")}
               for r in queries.mission_history()]
    return {"mission": Workspace.current().mission, "mission_history": history,
            "success_statements": [_statement_dict(s) for s in queries.success_statements()],
            "glossary_url": f"{PREFIX}/glossary"}
