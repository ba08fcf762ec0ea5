"""API for friction points (`/api/v1/friction-points`). Every write goes through
`cxkeeper.initiatives.actions`, like the pages: keepers, admins and team members raise friction
points; keepers, admins and the person who raised one change or delete it; everyone signed in
reads. See docs/api.md ("Friction points") and docs/initiatives.md."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    VersionIn,
    acting_user,
    changes_of,
    expected_version,
    ref,
    serializes,
)
from cxkeeper.core.crud import Crud
from cxkeeper.initiatives import actions, priority, queries
from cxkeeper.initiatives.choices import FrictionStatus, InitiativeStatus, TeamRole
from cxkeeper.initiatives.models import FrictionPoint, Initiative, PriorityWeights
from cxkeeper.journeys.models import Journey, Step
from cxkeeper.org.models import Team
from cxkeeper.outcomes.models import MetricDefinition

Ref = int | str
Status = Literal[tuple(FrictionStatus.values)]  # type: ignore[valid-type]
Source = Literal["signal", "manual"]  # "theme" only through the theme button, with evidence built on the server

journey_ref = ref(Journey, "slug", "name")
step_ref = ref(Step)
REFS = {"journey": journey_ref, "step": step_ref}


@serializes(FrictionPoint)
class FrictionPointOut(Schema):
    id: int
    title: str
    description: str
    journey_id: int | None
    journey_name: str | None
    step_id: int | None
    step_name: str | None
    status: str
    source: str
    evidence: dict[str, Any] = Field(description="For a theme: keywords, count, shares, growth, ≤ 3 redacted "
                                                 "example texts, first_seen/last_seen.")
    raised_by: str | None = Field(description="Username of the person who raised it.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_journey_name(obj):
        return obj.journey.name if obj.journey_id else None

    @staticmethod
    def resolve_step_name(obj):
        return obj.step.name if obj.step_id else None

    @staticmethod
    def resolve_raised_by(obj):
        return obj.raised_by.get_username() if obj.raised_by_id else None


class FrictionPointIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    journey: Ref | None = Field(None, description="journey id, slug or name; defaults to the step's journey")
    step: int | None = Field(None, description="step id")
    status: Status = "open"
    source: Source = "manual"
    evidence: dict[str, Any] = Field(default_factory=dict, description="Free-form; no feedback texts, please.")


class FrictionPointPatch(VersionIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    journey: Ref | None = Field(None, description="null clears")
    step: int | None = Field(None, description="step id; null clears")
    status: Status | None = None


class FrictionPointFilters(Schema):
    journey: str | None = Field(None, description="journey id, slug or name")
    step: int | None = Field(None, description="step id")
    status: Status | None = None

    def query(self):
        """The pages' query (`initiatives.queries.friction_points`) with these filters."""
        return queries.friction_points(
            journey=journey_ref(self.journey, "journey") if self.journey else None,
            step=step_ref(self.step, "step") if self.step is not None else None,
            status=self.status)


friction_points_router = Router(tags=["initiatives"])


(Crud(friction_points_router, FrictionPoint, name="friction_point", plural="friction_points", out=FrictionPointOut,
      queryset=queries.friction_points, refs=REFS)
    .list(FrictionPointFilters, query=FrictionPointFilters.query, summary="List friction points")
    .get(summary="Get a friction point")
    .create(FrictionPointIn, actions.raise_friction_point, reread=True,
            summary="Raise a friction point (keeper, admin or team member)")
    .update(FrictionPointPatch, actions.update_friction_point, reread=True,
            summary="Edit a friction point or set its status (keeper, admin or who raised it)")
    .delete(actions.delete_friction_point, summary="Delete a friction point (keeper, admin or who raised it)")
    .history())


# --- initiatives ---
# `/api/v1/initiatives`: keepers and admins plan and change every initiative, a team member
# the ones their team leads; only keepers and admins delete. Teams, metrics, steps and
# dependencies are named by id (teams and metrics also by name, slug or key).

InitiativeStatusValue = Literal[tuple(InitiativeStatus.values)]  # type: ignore[valid-type]
RoleValue = Literal[tuple(TeamRole.values)]  # type: ignore[valid-type]
DirectionValue = Literal["up", "down"]

team_ref = ref(Team, "slug", "name")
metric_ref = ref(MetricDefinition, "key", "name")
initiative_ref = ref(Initiative)
friction_point_ref = ref(FrictionPoint)


class TeamRoleIn(Schema):
    team: Ref = Field(description="team id, slug or name")
    role: RoleValue = Field(description="lead (exactly one team), contributes or consulted")


class MetricMoveIn(Schema):
    metric: Ref = Field(description="metric definition id, key or name (the metric catalogue)")
    direction: DirectionValue


class MilestoneIO(Schema):
    title: str = Field(min_length=1, max_length=200)
    due: dt.date | None = None
    done: bool = False


def _teams(value, field):
    return [(team_ref(item["team"], field), item["role"]) for item in value or []]


def _metrics(value, field):
    return [(metric_ref(item["metric"], field), item["direction"]) for item in value or []]


def _many(resolver):
    return lambda value, field: [resolver(item, field) for item in value or []]


def _milestones(value, field):
    return [{**item, "due": item["due"].isoformat() if item.get("due") else None} for item in value or []]


INITIATIVE_REFS = {"teams": _teams, "metrics": _metrics, "steps": _many(step_ref),
                   "depends_on": _many(initiative_ref), "friction_point": friction_point_ref,
                   "milestones": _milestones}


class InitiativeTeamOut(Schema):
    team_id: int
    team: str
    role: str


class InitiativeStepOut(Schema):
    step_id: int
    step: str


class InitiativeMetricOut(Schema):
    metric_id: int
    metric: str
    metric_key: str
    direction: str


class DependencyOut(Schema):
    initiative_id: int
    title: str


@serializes(Initiative)
class InitiativeOut(Schema):
    id: int
    title: str
    description: str
    status: str
    status_label: str
    ship_date: dt.date | None = Field(description="The date from which its effect will be measured.")
    friction_point_id: int | None
    friction_point_title: str | None
    teams: list[InitiativeTeamOut]
    steps: list[InitiativeStepOut]
    metrics: list[InitiativeMetricOut]
    milestones: list[MilestoneIO]
    depends_on: list[DependencyOut]
    version: int

    @staticmethod
    def resolve_teams(obj):
        return queries.initiative_dict(obj)["teams"]

    @staticmethod
    def resolve_steps(obj):
        return queries.initiative_dict(obj)["steps"]

    @staticmethod
    def resolve_metrics(obj):
        return queries.initiative_dict(obj)["metrics"]

    @staticmethod
    def resolve_depends_on(obj):
        return queries.initiative_dict(obj)["depends_on"]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_friction_point_title(obj):
        return obj.friction_point.title if obj.friction_point_id else None


class InitiativeIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    friction_point: int | None = Field(None, description="friction point id")
    teams: list[TeamRoleIn] = Field(description="Each team with its role; exactly one leads.")
    steps: list[int] = Field(default_factory=list, description="step ids it changes")
    metrics: list[MetricMoveIn] = Field(default_factory=list)
    milestones: list[MilestoneIO] = Field(default_factory=list)
    depends_on: list[int] = Field(default_factory=list, description="ids of initiatives that must ship first")


class InitiativePatch(VersionIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    friction_point: int | None = Field(None, description="friction point id; null clears")
    status: InitiativeStatusValue | None = Field(None, description="an allowed next status; shipped needs ship_date")
    ship_date: dt.date | None = None
    teams: list[TeamRoleIn] | None = None
    steps: list[int] | None = None
    metrics: list[MetricMoveIn] | None = None
    milestones: list[MilestoneIO] | None = None
    depends_on: list[int] | None = Field(None, description="a cycle is refused, naming it")


class InitiativeFilters(Schema):
    status: InitiativeStatusValue | None = None
    team: str | None = Field(None, description="team id, slug or name: initiatives it takes part in")

    def query(self):
        return queries.initiatives(status=self.status, team=team_ref(self.team, "team") if self.team else None)


initiatives_router = Router(tags=["initiatives"])

(Crud(initiatives_router, Initiative, name="initiative", plural="initiatives", out=InitiativeOut,
      queryset=queries.initiatives, refs=INITIATIVE_REFS)
    .list(InitiativeFilters, query=InitiativeFilters.query, summary="List initiatives")
    .get(summary="Get an initiative")
    .create(InitiativeIn, actions.plan_initiative, reread=True,
            summary="Plan an initiative (keeper, admin, or a member of the lead team)")
    .update(InitiativePatch, actions.update_initiative, reread=True,
            summary="Change an initiative or move its status (keeper, admin, or a member of the lead team)")
    .delete(actions.delete_initiative, summary="Delete an initiative (keeper or admin)")
    .history())


# --- priorities ---

priorities_router = Router(tags=["initiatives"])


class BoardPeriodOut(Schema):
    start: dt.date
    end: dt.date
    days: int


class WeightsOut(Schema):
    impact: float
    fit: float
    effort: float
    confidence: float
    period_days: int
    version: int


class BoardEntryOut(Schema):
    rank: int
    friction_point_id: int
    title: str
    steps: list[str]
    score: float = Field(description="100 × (weighted impact + fit + confidence − effort) ÷ the sum of the weights")
    terms: dict[str, float] = Field(description="impact, fit, effort and confidence, each 0 to 1")
    measures: dict[str, Any] = Field(description="What the terms were computed from, with n.")
    explanation: dict[str, str] = Field(description="Each term in a plain sentence with its numbers.")
    to_sponsor: bool = Field(description="A tie, an objection or an escalation: the executive sponsor decides.")
    flags: list[str]


class BoardOut(Schema):
    period: BoardPeriodOut
    weights: dict[str, float]
    formula: str
    entries: list[BoardEntryOut]


class WeightsPatch(VersionIn):
    impact: float | None = Field(None, ge=0, le=10)
    fit: float | None = Field(None, ge=0, le=10)
    effort: float | None = Field(None, ge=0, le=10)
    confidence: float | None = Field(None, ge=0, le=10)
    period_days: int | None = Field(None, ge=28, le=366)


def _weights_out(weights) -> dict:
    return {name: getattr(weights, name) for name in (*actions.WEIGHT_FIELDS, "version")}


@priorities_router.get("", url_name="priorities", response={200: BoardOut, **READ_ERRORS},
                       summary="The priority board: open friction points ranked, every term explained")
def get_priorities(request):
    return priority.board_dict(priority.board())


@priorities_router.get("/weights", url_name="priority_weights", response={200: WeightsOut, **READ_ERRORS},
                       summary="The weights and period of the priority board")
def get_priority_weights(request):
    return _weights_out(PriorityWeights.current())


@priorities_router.patch("/weights", url_name="priority_weights_update", response={200: WeightsOut, **WRITE_ERRORS},
                         summary="Set the weights and period of the priority board (keeper or admin)")
def update_priority_weights(request, payload: WeightsPatch):
    current = PriorityWeights.current()
    version = expected_version(request, payload.version) if current.pk else payload.version
    weights = actions.set_priority_weights(changes_of(payload), expected_version=version,
                                           acting_user=acting_user(request))
    return _weights_out(weights)
