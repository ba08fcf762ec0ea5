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
    get_or_404,
    ref,
    serializes,
)
from cxkeeper.core.crud import Crud
from cxkeeper.initiatives import actions, priority, queries
from cxkeeper.initiatives.choices import (
    ChangeKind,
    ConstraintKind,
    Effort,
    FrictionStatus,
    InitiativeStatus,
    OptionStanceValue,
    PlannedStatus,
    Stance,
    TeamRole,
)
from cxkeeper.initiatives.models import FrictionPoint, Initiative, Option, PlannedChange, PriorityWeights
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
    owner_team: str | None = Field(description="The team that carries the shared challenge (see …/challenge).")
    steps: list[int] = Field(description="Ids of the steps it concerns; [] means its own step.")
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

    @staticmethod
    def resolve_owner_team(obj):
        return obj.owner_team.name if obj.owner_team_id else None

    @staticmethod
    def resolve_steps(obj):
        return sorted(s.pk for s in obj.steps.all())


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


@priorities_router.patch("/weights", url_name="priority_weights", response={200: WeightsOut, **WRITE_ERRORS},
                         summary="Set the weights and period of the priority board (keeper or admin)")
def update_priority_weights(request, payload: WeightsPatch):
    current = PriorityWeights.current()
    version = expected_version(request, payload.version) if current.pk else payload.version
    weights = actions.set_priority_weights(changes_of(payload), expected_version=version,
                                           acting_user=acting_user(request))
    return _weights_out(weights)


# --- co-creation ---
# /friction-points/{id}/perspectives, …/options (with stances and the decision), …/tensions,
# …/escalate, and /planned-changes: the same actions as the pages (docs/initiatives.md).

team_named = ref(Team, "slug", "name")
StanceValue = Literal[tuple(Stance.values)]  # type: ignore[valid-type]
OptionStanceLiteral = Literal[tuple(OptionStanceValue.values)]  # type: ignore[valid-type]
EffortValue = Literal[tuple(Effort.values)]  # type: ignore[valid-type]
KindValue = Literal[tuple(ConstraintKind.values)]  # type: ignore[valid-type]
ChangeKindValue = Literal[tuple(ChangeKind.values)]  # type: ignore[valid-type]
PlannedStatusValue = Literal[tuple(PlannedStatus.values)]  # type: ignore[valid-type]


class ConstraintIO(Schema):
    kind: KindValue
    text: str = Field(min_length=1, max_length=1000)


class PerspectiveOut(Schema):
    id: int
    team_id: int
    team: str
    stance: str
    reason: str
    importance: int = Field(description="1 (hardly matters to the team) to 5 (critical)")
    constraints: list[ConstraintIO]
    contribution: str
    effort: str = Field(description="'' (not estimated), none, days, weeks, months or quarters")
    answered_by: str | None
    version: int
    updated_at: dt.datetime


class AskedTeamOut(Schema):
    team_id: int
    team: str
    why: str = Field(description="Why the team is affected (from the map, or the keeper's reason)")
    origin: str = Field(description="map or keeper")
    asked_at: dt.datetime | None
    reminded_at: dt.datetime | None
    perspective: PerspectiveOut | None = Field(description="null: not heard yet")


class PerspectivesOut(Schema):
    teams_asked: int
    teams_heard: int
    teams: list[AskedTeamOut]


class PerspectiveIn(Schema):
    team: Ref = Field(description="team id, slug or name: a team you are a member of")
    stance: StanceValue
    reason: str = Field("", max_length=5000, description="required with concerns and object")
    importance: int = Field(3, ge=1, le=5)
    constraints: list[ConstraintIO] = Field(default_factory=list)
    contribution: str = Field("", max_length=5000)
    effort: EffortValue = ""
    version: int | None = Field(None, description="to change the team's earlier answer: the version you read")


class FrictionTensionOut(Schema):
    kind: str = Field(description="objection, contribution, target, not_heard or data")
    title: str
    detail: str
    teams: list[str]
    statistics: str = Field("", description="The figures behind the detail (a target's explanation), or empty.")


class StanceOut(Schema):
    team_id: int
    team: str
    stance: str | None = Field(description="null: the team has not taken a stance yet")
    reason: str
    version: int | None


class OptionOut(Schema):
    id: int
    title: str
    description: str
    proposed_by: str | None
    supported_by_all: bool
    stances: list[StanceOut]
    version: int


class DecisionOut(Schema):
    state: str = Field(description="escalated (waiting for the executive sponsor) or decided")
    option_id: int | None
    option: str | None
    how: str = Field(description="consensus, sponsor or '' while escalated")
    rationale: str
    review_on: dt.date | None
    decided_by: str | None
    decided_at: dt.datetime | None
    escalation_note: str
    escalated_at: dt.datetime | None


class OptionsOut(Schema):
    options: list[OptionOut]
    decision: DecisionOut | None


class OptionIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)


class OptionStanceIn(Schema):
    team: Ref = Field(description="team id, slug or name: a team you are a member of")
    stance: OptionStanceLiteral
    reason: str = Field("", max_length=5000, description="required with concerns and object")
    version: int | None = Field(None, description="to change the team's earlier stance: the version you read")


class DecideIn(Schema):
    rationale: str = Field(min_length=1, max_length=5000)
    review_on: dt.date = Field(description="when to look at the decision again")


class EscalateIn(Schema):
    note: str = Field(min_length=1, max_length=5000, description="what the teams disagree on")


def _perspective_out(p) -> PerspectiveOut:
    return PerspectiveOut(
        id=p.pk, team_id=p.team_id, team=p.team.name, stance=p.stance, reason=p.reason, importance=p.importance,
        constraints=[ConstraintIO(**c) for c in p.constraints], contribution=p.contribution, effort=p.effort,
        answered_by=p.answered_by.get_username() if p.answered_by_id else None, version=p.version,
        updated_at=p.updated_at)


def _asked_out(subject) -> PerspectivesOut:
    asked = queries.asked_teams(subject)
    return PerspectivesOut(teams_asked=len(asked), teams_heard=sum(1 for a in asked if a.heard), teams=[
        AskedTeamOut(team_id=a.team.pk, team=a.team.name, why=a.row.why or a.row.reason, origin=a.row.origin,
                     asked_at=a.row.asked_at, reminded_at=a.row.reminded_at,
                     perspective=_perspective_out(a.perspective) if a.perspective else None)
        for a in asked])


def _perspective_values(payload) -> dict:
    values = payload.dict()
    values["constraints"] = [dict(c) for c in values.get("constraints") or []]
    return values


def _options_out(friction_point) -> OptionsOut:
    options = [OptionOut(
        id=view.option.pk, title=view.option.title, description=view.option.description,
        proposed_by=view.option.proposed_by.get_username() if view.option.proposed_by_id else None,
        supported_by_all=view.supported_by_all, version=view.option.version,
        stances=[StanceOut(team_id=t.pk, team=t.name, stance=s.stance if s else None, reason=s.reason if s else "",
                           version=s.version if s else None) for t, s in view.stances])
        for view in queries.option_views(friction_point)]
    d = queries.decision_of(friction_point)
    decision = None if d is None else DecisionOut(
        state=d.state, option_id=d.option_id, option=d.option.title if d.option_id else None, how=d.how,
        rationale=d.rationale, review_on=d.review_on,
        decided_by=d.decided_by.get_username() if d.decided_by_id else None,
        decided_at=d.decided_at, escalation_note=d.escalation_note, escalated_at=d.escalated_at)
    return OptionsOut(options=options, decision=decision)


def _fp(id: int) -> FrictionPoint:
    return get_or_404(FrictionPoint, id)


class ChallengeIn(VersionIn):
    owner_team: Ref | None = Field(None, description="the team that carries it: id, slug or name")
    steps: list[int] = Field(description="ids of the steps it concerns (several); [] means its own step")


@friction_points_router.post("/{id}/challenge", url_name="friction_point_challenge",
                             response={200: PerspectivesOut, **WRITE_ERRORS},
                             summary="Set the shared challenge: owner team and steps; the affected teams follow "
                                     "from the map and are asked (keeper)")
def set_friction_point_challenge(request, id: int, payload: ChallengeIn):
    friction_point = _fp(id)
    friction_point = actions.set_challenge(
        friction_point, owner_team=team_named(payload.owner_team, "owner_team") if payload.owner_team else None,
        steps=_steps(payload.steps, "steps"), expected_version=expected_version(request, payload.version),
        acting_user=acting_user(request))
    return _asked_out(friction_point)


@friction_points_router.get("/{id}/perspectives", url_name="friction_point_perspectives",
                            response={200: PerspectivesOut, **READ_ERRORS},
                            summary="Affected teams of a friction point and their perspectives (null: not heard)")
def list_friction_point_perspectives(request, id: int):
    return _asked_out(_fp(id))


@friction_points_router.post("/{id}/perspectives", url_name="friction_point_perspectives",
                             response={201: PerspectiveOut, 200: PerspectiveOut, **WRITE_ERRORS},
                             summary="Give (201) or change (200, with version) your team's perspective")
def give_friction_point_perspective(request, id: int, payload: PerspectiveIn):
    friction_point = _fp(id)
    team = team_named(payload.team, "team")
    existed = queries.perspective_of(friction_point, team) is not None
    perspective = actions.give_perspective(friction_point, team, _perspective_values(payload),
                                           expected_version=payload.version, acting_user=acting_user(request))
    return (200 if existed else 201), _perspective_out(perspective)


@friction_points_router.get("/{id}/tensions", url_name="friction_point_tensions",
                            response={200: list[FrictionTensionOut], **READ_ERRORS},
                            summary="Tensions of a friction point, computed from the perspectives and the data")
def list_friction_point_tensions(request, id: int):
    return [FrictionTensionOut(kind=t.kind, title=t.title, detail=t.detail, teams=list(t.teams),
                               statistics=t.statistics)
            for t in queries.tensions(_fp(id))]


@friction_points_router.get("/{id}/options", url_name="friction_point_options",
                            response={200: OptionsOut, **READ_ERRORS},
                            summary="Options of a friction point with every affected team's stance, and the decision")
def list_friction_point_options(request, id: int):
    return _options_out(_fp(id))


@friction_points_router.post("/{id}/options", url_name="friction_point_options",
                             response={201: OptionsOut, **WRITE_ERRORS},
                             summary="Propose an option (keeper, admin or a member of an affected team)")
def propose_friction_point_option(request, id: int, payload: OptionIn):
    friction_point = _fp(id)
    actions.propose_option(friction_point, payload.dict(), acting_user=acting_user(request))
    return 201, _options_out(friction_point)


@friction_points_router.post("/{id}/options/{option_id}/stances", url_name="friction_point_option_stances",
                             response={200: OptionsOut, **WRITE_ERRORS},
                             summary="Take (or change, with version) your team's stance on an option")
def take_friction_point_option_stance(request, id: int, option_id: int, payload: OptionStanceIn):
    friction_point = _fp(id)
    option = get_or_404(Option, option_id, Option.objects.filter(friction_point=friction_point))
    actions.take_option_stance(option, team_named(payload.team, "team"),
                               {"stance": payload.stance, "reason": payload.reason},
                               expected_version=payload.version, acting_user=acting_user(request))
    return _options_out(friction_point)


@friction_points_router.post("/{id}/options/{option_id}/decide", url_name="friction_point_option_decide",
                             response={200: OptionsOut, **WRITE_ERRORS},
                             summary="Decide on an option: by consensus (keeper) or, when escalated, "
                                     "the executive sponsor's tie-break")
def decide_friction_point_option(request, id: int, option_id: int, payload: DecideIn):
    friction_point = _fp(id)
    option = get_or_404(Option, option_id, Option.objects.filter(friction_point=friction_point))
    decision = queries.decision_of(friction_point)
    decide = actions.sponsor_decide if decision is not None and decision.state == "escalated" \
        else actions.decide_by_consensus
    decide(friction_point, option, rationale=payload.rationale, review_on=payload.review_on,
           acting_user=acting_user(request))
    return _options_out(friction_point)


@friction_points_router.post("/{id}/escalate", url_name="friction_point_escalate",
                             response={200: OptionsOut, **WRITE_ERRORS},
                             summary="Escalate to the executive sponsor when the teams disagree (keeper)")
def escalate_friction_point(request, id: int, payload: EscalateIn):
    friction_point = _fp(id)
    actions.escalate(friction_point, note=payload.note, acting_user=acting_user(request))
    return _options_out(friction_point)


class FromDecisionIn(Schema):
    lead_team: str | None = Field(None, description="team id, slug or name; default: the friction point's owner team")


@friction_points_router.post("/{id}/initiative", url_name="friction_point_initiative",
                             response={201: InitiativeOut, **WRITE_ERRORS},
                             summary="Start an initiative from the decided option (keeper, admin, or a member of "
                                     "the lead team)")
def initiative_from_decision(request, id: int, payload: FromDecisionIn):
    friction_point = _fp(id)
    lead = team_ref(payload.lead_team, "lead_team") if payload.lead_team else None
    initiative = actions.plan_initiative_from_decision(friction_point, lead_team=lead,
                                                       acting_user=acting_user(request))
    return 201, queries.initiatives().get(pk=initiative.pk)


# ---------------------------------------------------------------- planned changes


@serializes(PlannedChange)
class PlannedChangeOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    go_live: dt.date
    status: str
    steps: list[int]
    team_id: int | None
    team: str | None
    declared_by: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_steps(obj):
        return sorted(s.pk for s in obj.steps.all())

    @staticmethod
    def resolve_team(obj):
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_declared_by(obj):
        return obj.declared_by.get_username() if obj.declared_by_id else None


class PlannedChangeIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    kind: ChangeKindValue = "launch"
    go_live: dt.date
    steps: list[int] = Field(description="ids of the steps it touches (at least one)")
    team: Ref | None = Field(None, description="the team planning it (one of yours): id, slug or name")


class PlannedChangePatch(VersionIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    kind: ChangeKindValue | None = None
    go_live: dt.date | None = None
    steps: list[int] | None = None
    status: PlannedStatusValue | None = None


class PlannedChangeFilters(Schema):
    status: PlannedStatusValue | None = None
    step: int | None = Field(None, description="step id")

    def query(self):
        return queries.planned_changes(status=self.status,
                                       step=step_ref(self.step, "step") if self.step is not None else None)


def _steps(value, field):
    return [step_ref(pk, field) for pk in value]


planned_changes_router = Router(tags=["initiatives"])

(Crud(planned_changes_router, PlannedChange, name="planned_change", plural="planned_changes", out=PlannedChangeOut,
      queryset=queries.planned_changes, refs={"steps": _steps, "team": team_named})
    .list(PlannedChangeFilters, query=PlannedChangeFilters.query, summary="List planned changes")
    .get(summary="Get a planned change")
    .create(PlannedChangeIn, actions.declare_planned_change, reread=True, exclude_none=False,
            summary="Declare a planned change (any team member); its affected teams are asked")
    .update(PlannedChangePatch, actions.update_planned_change, reread=True,
            summary="Edit a planned change (keeper, admin or who declared it)")
    .history())


@planned_changes_router.get("/{id}/perspectives", url_name="planned_change_perspectives",
                            response={200: PerspectivesOut, **READ_ERRORS},
                            summary="Affected teams of a planned change and their perspectives (null: not heard)")
def list_planned_change_perspectives(request, id: int):
    return _asked_out(get_or_404(PlannedChange, id))


@planned_changes_router.post("/{id}/perspectives", url_name="planned_change_perspectives",
                             response={201: PerspectiveOut, 200: PerspectiveOut, **WRITE_ERRORS},
                             summary="Give (201) or change (200, with version) your team's perspective")
def give_planned_change_perspective(request, id: int, payload: PerspectiveIn):
    planned = get_or_404(PlannedChange, id)
    team = team_named(payload.team, "team")
    existed = queries.perspective_of(planned, team) is not None
    perspective = actions.give_perspective(planned, team, _perspective_values(payload),
                                           expected_version=payload.version, acting_user=acting_user(request))
    return (200 if existed else 201), _perspective_out(perspective)
