"""API for the journey map: personas, journeys, stages, steps, responsibilities, handoffs.

Every write goes through `cxkeeper.journeys.actions`, like the pages: keepers restructure,
members of a responsible team edit a step's content, viewers read."""


from datetime import date, datetime
from typing import Literal

from django.db.models import F, Prefetch, Q
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cxkeeper.core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    VersionIn,
    acting_user,
    expected_version,
    get_or_404,
    ref,
    resolve,
    resolve_user,
    serializes,
)
from cxkeeper.core.crud import Crud
from cxkeeper.core.errors import InvalidInput
from cxkeeper.journeys import actions
from cxkeeper.journeys import blueprint_export as exports
from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step, Suggestion
from cxkeeper.journeys.permissions import step_fields_editable_by
from cxkeeper.journeys.queries import (
    is_overdue,
    journey_blueprint,
    map_changes_since,
    parse_since,
    review_deadline,
    suggestions_for,
)
from cxkeeper.org.models import Team, Workspace

Ref = int | str  # an id, or a name (or slug) where the object has a unique one

team_ref = ref(Team, "name", "slug")
journey_ref = ref(Journey, "name", "slug")
persona_ref = ref(Persona, "name")
stage_ref = ref(Stage)
step_ref = ref(Step)

DIRECTIONS = {"earlier": -1, "later": 1}


def _workspace(context) -> Workspace:
    """The workspace settings, read once per request (journey lists need the review interval)."""
    request = (context or {}).get("request")
    workspace = getattr(request, "_cxkeeper_workspace", None)
    if workspace is None:
        workspace = Workspace.current()
        if request is not None:
            request._cxkeeper_workspace = workspace
    return workspace


class MoveIn(VersionIn):
    direction: Literal["earlier", "later"] = Field(description="earlier: left/up; later: right/down")


# ---------------------------------------------------------------- personas


@serializes(Persona)
class PersonaOut(Schema):
    id: int
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime


class PersonaIn(Schema):
    name: str
    description: str = ""


class PersonaPatch(VersionIn):
    name: str | None = None
    description: str | None = None


class NameFilters(Schema):
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, rows):
        if self.q:
            rows = rows.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return rows


personas_router = Router(tags=["personas"])

(Crud(personas_router, Persona, name="persona", plural="personas", out=PersonaOut)
    .list(NameFilters, summary="List personas")
    .get(summary="Get a persona")
    .create(PersonaIn, actions.create_persona, summary="Add a persona (keeper)", exclude_none=False)
    .update(PersonaPatch, actions.update_persona, summary="Edit a persona (keeper)")
    .delete(actions.delete_persona, summary="Delete a persona (keeper)")
    .history())


# ---------------------------------------------------------------- output: steps, responsibilities, handoffs


@serializes(Responsibility)
class ResponsibilityOut(Schema):
    id: int
    step_id: int
    step_name: str
    journey_id: int
    team_id: int
    team_name: str
    role: str
    is_lead: bool
    note: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_step_name(obj):
        return obj.step.name

    @staticmethod
    def resolve_journey_id(obj):
        return obj.step.stage.journey_id

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name


@serializes(Handoff)
class HandoffOut(Schema):
    id: int
    journey_id: int = Field(description="The journey of the step the work comes from.")
    from_step_id: int
    from_step_name: str
    from_team_id: int
    from_team_name: str
    to_step_id: int
    to_step_name: str
    to_team_id: int
    to_team_name: str
    crosses_teams: bool
    description: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_journey_id(obj):
        return obj.from_step.stage.journey_id

    @staticmethod
    def resolve_from_step_name(obj):
        return obj.from_step.name

    @staticmethod
    def resolve_from_team_name(obj):
        return obj.from_team.name

    @staticmethod
    def resolve_to_step_name(obj):
        return obj.to_step.name

    @staticmethod
    def resolve_to_team_name(obj):
        return obj.to_team.name


@serializes(Step)
class StepOut(Schema):
    id: int
    journey_id: int
    journey_name: str
    stage_id: int
    stage_name: str
    name: str
    lane: str
    lane_label: str
    channel: str
    description: str
    phrases: list[str]
    position: int
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_journey_id(obj):
        return obj.stage.journey_id

    @staticmethod
    def resolve_journey_name(obj):
        return obj.stage.journey.name

    @staticmethod
    def resolve_stage_name(obj):
        return obj.stage.name

    @staticmethod
    def resolve_lane_label(obj):
        return obj.get_lane_display()


class StepDetailOut(StepOut):
    responsibilities: list[ResponsibilityOut]
    handoffs_out: list[HandoffOut]
    handoffs_in: list[HandoffOut]
    editable_fields: list[str] = Field(description="What you may PATCH on this step.")

    @staticmethod
    def resolve_editable_fields(obj, context):
        return list(step_fields_editable_by(acting_user(context["request"]), obj))


class StepSummaryOut(Schema):
    id: int
    name: str
    lane: str
    channel: str
    position: int
    version: int
    owners: list[str] = Field(description="Names of the teams that own the step.")

    @staticmethod
    def resolve_owners(obj):
        return [r.team.name for r in obj.responsibilities.all() if r.role == ResponsibilityRole.OWNS]


def _responsibilities():
    return Responsibility.objects.select_related("step__stage", "team")


def _handoffs():
    return Handoff.objects.select_related("from_step__stage", "to_step", "from_team", "to_team")


def _steps():
    return Step.objects.select_related("stage__journey")


# ---------------------------------------------------------------- journeys


@serializes(Journey)
class JourneyOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    persona_id: int | None
    persona_name: str | None
    keeper: str | None = Field(description="The keeper's username.")
    status: str
    last_reviewed_at: datetime | None
    last_reviewed_by: str | None
    review_due_at: datetime = Field(description="Last review (or creation) + the review interval.")
    review_overdue: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_review_due_at(obj, context):
        return review_deadline(obj, _workspace(context))

    @staticmethod
    def resolve_review_overdue(obj, context):
        return is_overdue(obj, _workspace(context))

    @staticmethod
    def resolve_persona_name(obj):
        return obj.persona.name if obj.persona_id else None

    @staticmethod
    def resolve_keeper(obj):
        return obj.keeper.get_username() if obj.keeper_id else None

    @staticmethod
    def resolve_last_reviewed_by(obj):
        return obj.last_reviewed_by.get_username() if obj.last_reviewed_by_id else None


class StageSummaryOut(Schema):
    id: int
    name: str
    description: str
    position: int
    version: int
    steps: list[StepSummaryOut]


class JourneyDetailOut(JourneyOut):
    stages: list[StageSummaryOut]


class JourneyIn(Schema):
    name: str
    slug: str | None = Field(None, description="Made from the name when left out.")
    description: str = ""
    persona: Ref | None = Field(None, description="persona id or name")
    keeper: str | None = Field(None, description="username")


class JourneyPatch(VersionIn):
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    persona: Ref | None = Field(None, description="persona id or name; null clears")
    keeper: str | None = Field(None, description="username; null clears")


class JourneyFilters(Schema):
    status: JourneyStatus | None = None
    persona: str | None = Field(None, description="persona id or name")
    keeper: str | None = Field(None, description="username")
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, journeys):
        if self.status:
            journeys = journeys.filter(status=self.status)
        if self.persona:
            journeys = journeys.filter(persona=resolve(Persona, self.persona, field="persona"))
        if self.keeper:
            journeys = journeys.filter(keeper=resolve_user(self.keeper, field="keeper"))
        if self.q:
            journeys = journeys.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return journeys


JOURNEY_REFS = {"persona": persona_ref, "keeper": resolve_user}

journeys_router = Router(tags=["journeys"])


def _journeys():
    return Journey.objects.select_related("persona", "keeper", "last_reviewed_by")


def _journey_detail():
    steps = Step.objects.order_by("position", "pk").prefetch_related("responsibilities__team")
    stages = Stage.objects.order_by("position", "pk").prefetch_related(Prefetch("steps", queryset=steps))
    return _journeys().prefetch_related(Prefetch("stages", queryset=stages))


journey_crud = (
    Crud(journeys_router, Journey, name="journey", plural="journeys", out=JourneyOut, queryset=_journeys,
         refs=JOURNEY_REFS)
    .list(JourneyFilters, summary="List journeys")
    .get(summary="Get a journey with its stages and steps", out=JourneyDetailOut, queryset=_journey_detail)
    .create(JourneyIn, actions.create_journey, summary="Create a journey (keeper)")
    .update(JourneyPatch, actions.update_journey, summary="Edit a journey (keeper)",
            description="Name, description, persona, keeper. Publishing has its own endpoints.")
    .delete(actions.delete_journey, summary="Delete a journey (keeper)",
            description="With every stage, step, responsibility and handoff in it, each recorded in history.")
)


@journeys_router.post("/{id}/publish", url_name="journey_publish", response={200: JourneyOut, **WRITE_ERRORS},
                      summary="Publish a journey (keeper)")
def publish_journey(request, id: int, payload: VersionIn | None = None):
    return actions.publish_journey(
        get_or_404(Journey, id), expected_version=expected_version(request, payload and payload.version),
        acting_user=acting_user(request), publish=True,
    )


@journeys_router.post("/{id}/unpublish", url_name="journey_unpublish",
                      response={200: JourneyOut, **WRITE_ERRORS},
                      summary="Return a journey to draft (keeper)")
def unpublish_journey(request, id: int, payload: VersionIn | None = None):
    return actions.publish_journey(
        get_or_404(Journey, id), expected_version=expected_version(request, payload and payload.version),
        acting_user=acting_user(request), publish=False,
    )


@journeys_router.post("/{id}/review", url_name="journey_review", response={200: JourneyOut, **WRITE_ERRORS},
                      summary="Mark a journey reviewed (keeper)")
def review_journey(request, id: int):
    """The keeper confirms the map still matches reality; restarts the review clock. No version
    needed: it changes only the review date, never content someone else is editing."""
    return actions.mark_journey_reviewed(get_or_404(Journey, id), acting_user=acting_user(request))


journey_crud.history(scope="journey")


# ---------------------------------------------------------------- stages


@serializes(Stage)
class StageOut(Schema):
    id: int
    journey_id: int
    journey_name: str
    name: str
    description: str
    position: int
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_journey_name(obj):
        return obj.journey.name


class StageDetailOut(StageOut):
    steps: list[StepSummaryOut]


class StageIn(Schema):
    journey: Ref = Field(description="journey id, name or slug")
    name: str
    description: str = ""
    position: int | None = Field(None, description="Left out: after the last stage.")


class StagePatch(VersionIn):
    name: str | None = None
    description: str | None = None


class StageFilters(Schema):
    journey: str | None = Field(None, description="journey id, name or slug")
    q: str | None = Field(None, description="text in the name or description")

    def apply(self, stages):
        if self.journey:
            stages = stages.filter(journey=journey_ref(self.journey, "journey"))
        if self.q:
            stages = stages.filter(Q(name__icontains=self.q) | Q(description__icontains=self.q))
        return stages


stages_router = Router(tags=["stages"])


def _stages():
    return Stage.objects.select_related("journey")


def _stage_detail():
    steps = Step.objects.order_by("position", "pk").prefetch_related("responsibilities__team")
    return _stages().prefetch_related(Prefetch("steps", queryset=steps))


stage_crud = (
    Crud(stages_router, Stage, name="stage", plural="stages", out=StageOut, queryset=_stages,
         refs={"journey": journey_ref})
    .list(StageFilters, summary="List stages")
    .get(summary="Get a stage with its steps", out=StageDetailOut, queryset=_stage_detail)
    .create(StageIn, lambda values, acting_user: actions.add_stage(values.pop("journey"), values,
                                                                   acting_user=acting_user),
            summary="Add a stage (keeper)")
    .update(StagePatch, actions.update_stage, summary="Edit a stage (keeper)")
    .delete(actions.delete_stage, summary="Delete a stage (keeper)",
            description="With every step in it, each recorded in history.")
)


@stages_router.post("/{id}/move", url_name="stage_move", response={200: StageOut, **WRITE_ERRORS},
                    summary="Move a stage earlier or later (keeper)")
def move_stage(request, id: int, payload: MoveIn):
    return actions.move_stage(
        get_or_404(Stage, id), DIRECTIONS[payload.direction],
        expected_version=expected_version(request, payload.version), acting_user=acting_user(request),
    )


stage_crud.history()


# ---------------------------------------------------------------- steps


class StepIn(Schema):
    stage: int = Field(description="stage id")
    name: str
    lane: Lane = Lane.FRONTSTAGE
    channel: str = ""
    description: str = ""
    phrases: list[str] = Field(default_factory=list, description="Things customers say about this step.")
    position: int | None = Field(None, description="Left out: after the last step of the stage.")


class StepPatch(VersionIn):
    name: str | None = Field(None, description="keepers only")
    lane: Lane | None = Field(None, description="keepers only")
    channel: str | None = None
    description: str | None = None
    phrases: list[str] | None = None


class StepFilters(Schema):
    journey: str | None = Field(None, description="journey id, name or slug")
    stage: int | None = Field(None, description="stage id")
    lane: Lane | None = None
    team: str | None = Field(None, description="team id, name or slug: steps the team is responsible for")
    channel: str | None = None
    q: str | None = Field(None, description="text in the name, description or example phrases")

    def apply(self, steps):
        if self.journey:
            steps = steps.filter(stage__journey=journey_ref(self.journey, "journey"))
        if self.stage is not None:
            steps = steps.filter(stage=stage_ref(self.stage, "stage"))
        if self.lane:
            steps = steps.filter(lane=self.lane)
        if self.team:
            team = team_ref(self.team, "team")
            steps = steps.filter(pk__in=Responsibility.objects.filter(team=team).values("step_id"))
        if self.channel:
            steps = steps.filter(channel__iexact=self.channel)
        if self.q:
            steps = steps.filter(
                Q(name__icontains=self.q) | Q(description__icontains=self.q) | Q(phrases__icontains=self.q)
            )
        return steps


steps_router = Router(tags=["steps"])


def _step_detail():
    return _steps().prefetch_related(
        Prefetch("responsibilities", queryset=_responsibilities()),
        Prefetch("handoffs_out", queryset=_handoffs()),
        Prefetch("handoffs_in", queryset=_handoffs()),
    )


step_crud = (
    Crud(steps_router, Step, name="step", plural="steps", out=StepOut, queryset=_steps, refs={"stage": stage_ref})
    .list(StepFilters, summary="List steps")
    .get(summary="Get a step with its responsibilities and handoffs", out=StepDetailOut, queryset=_step_detail)
    .create(StepIn, lambda values, acting_user: actions.add_step(values.pop("stage"), values,
                                                                 acting_user=acting_user),
            summary="Add a step (keeper)")
    .update(StepPatch, actions.update_step, summary="Edit a step",
            description="""Keepers change anything; members of a team that owns or contributes to the step change
            its description, example phrases and channel. Send only the fields you change.""")
    .delete(actions.delete_step, summary="Delete a step (keeper)",
            description="With its responsibilities and handoffs, each recorded in history.")
)


@steps_router.post("/{id}/move", url_name="step_move", response={200: StepOut, **WRITE_ERRORS},
                   summary="Move a step earlier or later in its stage (keeper)")
def move_step(request, id: int, payload: MoveIn):
    return actions.move_step(
        get_or_404(Step, id), DIRECTIONS[payload.direction],
        expected_version=expected_version(request, payload.version), acting_user=acting_user(request),
    )


step_crud.history(scope="step")


# ---------------------------------------------------------------- responsibilities


class ResponsibilityIn(Schema):
    step: int = Field(description="step id")
    team: Ref = Field(description="team id, name or slug")
    role: ResponsibilityRole = ResponsibilityRole.OWNS
    is_lead: bool = False
    note: str = ""


class ResponsibilityPatch(VersionIn):
    role: ResponsibilityRole | None = None
    is_lead: bool | None = None
    note: str | None = None


class ResponsibilityFilters(Schema):
    step: int | None = Field(None, description="step id")
    team: str | None = Field(None, description="team id, name or slug")
    role: ResponsibilityRole | None = None
    journey: str | None = Field(None, description="journey id, name or slug")

    def apply(self, responsibilities):
        if self.step is not None:
            responsibilities = responsibilities.filter(step=step_ref(self.step, "step"))
        if self.team:
            responsibilities = responsibilities.filter(team=team_ref(self.team, "team"))
        if self.role:
            responsibilities = responsibilities.filter(role=self.role)
        if self.journey:
            journey = journey_ref(self.journey, "journey")
            responsibilities = responsibilities.filter(step__stage__journey=journey)
        return responsibilities


responsibilities_router = Router(tags=["responsibilities"])


(Crud(responsibilities_router, Responsibility, name="responsibility", plural="responsibilities",
      out=ResponsibilityOut, queryset=_responsibilities, refs={"step": step_ref, "team": team_ref})
    .list(ResponsibilityFilters, summary="List responsibilities")
    .get(summary="Get a responsibility")
    .create(ResponsibilityIn, lambda values, acting_user: actions.assign_responsibility(
        values.pop("step"), values.pop("team"), values, acting_user=acting_user),
        summary="Assign a team to a step (keeper)", exclude_none=False)
    .update(ResponsibilityPatch, actions.update_responsibility, summary="Change a team's part in a step (keeper)",
            description="Making a team the lead owner clears the lead flag of the step's other teams.")
    .delete(actions.remove_responsibility, summary="Remove a team from a step (keeper)")
    .history())


# ---------------------------------------------------------------- handoffs


class HandoffIn(Schema):
    from_step: int = Field(description="step id")
    from_team: Ref = Field(description="team id, name or slug")
    to_step: int = Field(description="step id")
    to_team: Ref = Field(description="team id, name or slug")
    description: str = ""


class HandoffPatch(VersionIn):
    from_step: int | None = None
    from_team: Ref | None = None
    to_step: int | None = None
    to_team: Ref | None = None
    description: str | None = None


HANDOFF_REFS = {"from_step": step_ref, "to_step": step_ref, "from_team": team_ref, "to_team": team_ref}


class HandoffFilters(Schema):
    journey: str | None = Field(None, description="journey id, name or slug (of the step work comes from)")
    team: str | None = Field(None, description="team id, name or slug, on either side")
    step: int | None = Field(None, description="step id, on either side")
    crosses_teams: bool | None = Field(None, description="true: work passes to another team")

    def apply(self, handoffs):
        if self.journey:
            handoffs = handoffs.filter(from_step__stage__journey=journey_ref(self.journey, "journey"))
        if self.team:
            team = team_ref(self.team, "team")
            handoffs = handoffs.filter(Q(from_team=team) | Q(to_team=team))
        if self.step is not None:
            step = step_ref(self.step, "step")
            handoffs = handoffs.filter(Q(from_step=step) | Q(to_step=step))
        if self.crosses_teams is True:
            handoffs = handoffs.exclude(from_team=F("to_team"))
        elif self.crosses_teams is False:
            handoffs = handoffs.filter(from_team=F("to_team"))
        return handoffs


handoffs_router = Router(tags=["handoffs"])


(Crud(handoffs_router, Handoff, name="handoff", plural="handoffs", out=HandoffOut, queryset=_handoffs,
      refs=HANDOFF_REFS)
    .list(HandoffFilters, summary="List handoffs")
    .get(summary="Get a handoff")
    .create(HandoffIn, actions.add_handoff, summary="Add a handoff (keeper)", exclude_none=False)
    .update(HandoffPatch, actions.update_handoff, summary="Edit a handoff (keeper)")
    .delete(actions.remove_handoff, summary="Remove a handoff (keeper)")
    .history())


# ---------------------------------------------------------------- sharing the journey (issue 14, decisions/0037)


def _journey_at(value: str) -> Journey:
    """A journey named in a path by slug (or id); unknown → 404."""
    journey = Journey.objects.select_related("persona", "keeper").filter(slug=value).first()
    if journey is None and value.isdigit() and len(value) < 19:
        journey = Journey.objects.select_related("persona", "keeper").filter(pk=int(value)).first()
    if journey is None:
        raise HttpError(404, f"No journey with the slug or id “{value[:80]}”.")
    return journey


def _export_team(value: str | None) -> Team | None:
    if not value:
        return None
    team = Team.objects.filter(slug=value).first()
    if team is None:
        raise InvalidInput({"team": f"No team has the short name (slug) “{value[:60]}”; leave it out for all teams."})
    return team


class BlueprintQuery(Schema):
    team: str | None = Field(None, description="slug of a team to highlight; the other teams' steps are dimmed")


def _file_answer(fmt: str) -> dict:
    return {"responses": {200: {
        "description": f"The blueprint as a {fmt.upper()} file (an attachment named after the journey and team).",
        "content": {exports.CONTENT_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}},
    }}}


def _blueprint_file(slug: str, team: str | None, fmt: str) -> HttpResponse:
    blueprint = journey_blueprint(_journey_at(slug), _export_team(team))
    response = HttpResponse(exports.render(blueprint, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(blueprint, fmt)}"'
    return response


EXPORT_HELP = ("Stages as columns, lanes as rows, each step with its teams (O owns, C contributes, I informed, "
               "* lead). With `team`, that team's steps get a thick border and a ◆ marker and the others are "
               "dimmed. The same file as the download links on the journey page.")


@journeys_router.get("/{slug}/blueprint.svg", url_name="journey_blueprint_svg", response=READ_ERRORS,
                     summary="The service blueprint as SVG", description=EXPORT_HELP, openapi_extra=_file_answer("svg"))
def blueprint_svg(request, slug: str, query: Query[BlueprintQuery]):
    return _blueprint_file(slug, query.team, "svg")


@journeys_router.get("/{slug}/blueprint.png", url_name="journey_blueprint_png", response=READ_ERRORS,
                     summary="The service blueprint as PNG", description=EXPORT_HELP, openapi_extra=_file_answer("png"))
def blueprint_png(request, slug: str, query: Query[BlueprintQuery]):
    return _blueprint_file(slug, query.team, "png")


@journeys_router.get("/{slug}/blueprint.pdf", url_name="journey_blueprint_pdf", response=READ_ERRORS,
                     summary="The service blueprint as PDF", openapi_extra=_file_answer("pdf"),
                     description=EXPORT_HELP + " Landscape A4, a few stages a page, then the journey as text, stage "
                                               "by stage (for screen readers).")
def blueprint_pdf(request, slug: str, query: Query[BlueprintQuery]):
    return _blueprint_file(slug, query.team, "pdf")


class MapChangeOut(Schema):
    kind: Literal["added", "removed", "re-owned", "renamed", "moved"]
    kind_label: str
    at: datetime
    who: str
    text: str = Field(description="The change in one plain sentence, with who.")
    step_id: int | None = Field(description="The step, when it still exists.")
    step_name: str


class MapChangesOut(Schema):
    journey_id: int
    journey_name: str
    since: date
    counts: dict[str, int] = Field(description="How many changes of each kind.")
    changes: list[MapChangeOut] = Field(description="Newest first.")


class ChangesQuery(Schema):
    since: str = Field(description="a day, YYYY-MM-DD, up to today: changes from the start of that day")


@journeys_router.get("/{slug}/changes", url_name="journey_changes",
                     response={200: MapChangesOut, 400: ErrorOut, **READ_ERRORS},
                     summary="What changed on the map since a day")
def journey_changes(request, slug: str, query: Query[ChangesQuery]):
    """Steps and stages added, removed, renamed or moved (to another stage or lane) and every change of
    responsibility, since the start of `since`, in plain words with who and when — read from history.
    A `since` that is not a date, or is in the future, is answered 400 with the reason."""
    journey = _journey_at(slug)
    try:
        since = parse_since(query.since)
    except InvalidInput as exc:
        return 400, {"detail": " ".join(exc.errors["since"])}
    found = map_changes_since(journey, since)
    return {"journey_id": journey.pk, "journey_name": journey.name, "since": since,
            "counts": {kind: n for kind, _, n in found.counts},
            "changes": [{"kind": c.kind, "kind_label": c.kind_label, "at": c.at, "who": c.who, "text": c.text,
                         "step_id": c.step_id, "step_name": c.step_name} for c in found.changes]}


@serializes(Suggestion)
class StepSuggestionOut(Schema):
    id: int
    step_id: int
    step_name: str
    author: str | None = Field(description="Username of who suggested it.")
    what: str
    why: str
    status: Literal["open", "accepted", "declined"]
    reply: str
    decided_by: str | None
    decided_at: datetime | None
    version: int
    created_at: datetime

    @staticmethod
    def resolve_step_name(obj):
        return obj.step.name

    @staticmethod
    def resolve_author(obj):
        return obj.author.get_username() if obj.author_id else None

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.get_username() if obj.decided_by_id else None


class StepSuggestionIn(Schema):
    what: str = Field(description="What should change (up to 500 characters).")
    why: str = Field("", description="Why (up to 2,000 characters).")


class StepSuggestionDecisionIn(VersionIn):
    decision: Literal["accepted", "declined"]
    reply: str = Field(description="A short reply the person who suggested it reads (up to 500 characters).")


@steps_router.get("/{id}/suggestions", url_name="step_suggestions",
                  response={200: list[StepSuggestionOut], **READ_ERRORS},
                  summary="Suggested changes to a step")
def list_step_suggestions(request, id: int):
    return list(suggestions_for(get_or_404(Step, id)).select_related("step"))


@steps_router.post("/{id}/suggestions", url_name="step_suggestions", response={201: StepSuggestionOut, **WRITE_ERRORS},
                   summary="Suggest a change to a step (anyone signed in)")
def suggest_step_change(request, id: int, payload: StepSuggestionIn):
    """The step's owning teams and the journey's keeper hear of it (event `step.suggestion`)."""
    return 201, actions.suggest_step_change(get_or_404(Step, id), payload.dict(), acting_user=acting_user(request))


suggestions_router = Router(tags=["steps"])


@suggestions_router.post("/{id}/decide", url_name="suggestion_decide",
                         response={200: StepSuggestionOut, **WRITE_ERRORS},
                         summary="Accept or decline a suggested change (owning team or keeper)")
def decide_suggestion(request, id: int, payload: StepSuggestionDecisionIn):
    """Only an open suggestion; the person who suggested it hears back (event `step.suggestion_answered`)."""
    suggestion = get_or_404(Suggestion, id, Suggestion.objects.select_related("step__stage__journey", "author"))
    return actions.decide_suggestion(suggestion, payload.decision, payload.reply,
                                     expected_version=expected_version(request, payload.version),
                                     acting_user=acting_user(request))
