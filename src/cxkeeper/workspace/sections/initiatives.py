"""Initiatives and the priority board's weights in the workspace file (docs/initiatives.md).

    priority_weights   the keepers' weights of the priority board and its period — APPLIED, through
                       `initiatives.actions.set_priority_weights` (one settings row, with history)
    cocreation.initiatives
                       each initiative: its teams with their role, the steps it changes, the
                       metrics it should move and which way, milestones, dependencies, status,
                       ship date and friction point — written for review, read and checked, never
                       applied (decision 0033)

Initiatives are co-creation: the teams plan them and move them on through their statuses on the
pages, the API or the CLI, each change notified to the teams it names, and a status may only
move as `choices.STATUS_TRANSITIONS` allows — a file that rewrote them would skip all of that.
So, like the rest of the `cocreation` section, they are written only when asked (`cxkeeper
workspace export --with-cocreation`) and an apply checks them (every team, step, metric and
dependency they name must exist, each error at its line) and leaves them as they are.

The weights are a keeper's setting like the review interval: a file may set them. Written only
when a keeper has set them (a workspace on the defaults writes no `priority_weights`); omitted,
they are left as they are.

Identity: an initiative by its title (and id, for two of the same title); its dependencies by
title, teams by name, steps as "journey › step", metrics by key, the friction point by title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.initiatives.actions import WEIGHT_FIELDS
from cxkeeper.initiatives.choices import InitiativeStatus, MoveDirection, TeamRole
from cxkeeper.initiatives.models import Initiative, PriorityWeights
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.workspace import lenient
from cxkeeper.workspace.changes import ApplyState, differences, labels
from cxkeeper.workspace.checks import check_unique, listed
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, length, obj
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError

STRING = {"type": ["string", "null"]}
STEP_SEPARATOR = " › "
# The weights' bounds, as the model's validators say (the schema and the reading agree with them).
WEIGHT_RANGE = (0, 10)
PERIOD_RANGE = (28, 366)


def _step(step) -> str:
    return f"{step.stage.journey.name}{STEP_SEPARATOR}{step.name}"


# ---------------------------------------------------------------- schema


def weights_schema() -> SchemaPart:
    def weight(what: str, default: float) -> dict:
        return {"type": ["number", "null"], "minimum": WEIGHT_RANGE[0], "maximum": WEIGHT_RANGE[1],
                "description": f"The weight of {what} (0 to 10; default {default:g})."}

    defaults = PriorityWeights()
    return SchemaPart(
        properties={"priority_weights": obj({
            "impact": weight("customer impact", defaults.impact),
            "fit": weight("strategic fit", defaults.fit),
            "effort": weight("effort (it lowers the score)", defaults.effort),
            "confidence": weight("confidence", defaults.confidence),
            "period_days": {"type": ["integer", "null"], "minimum": PERIOD_RANGE[0], "maximum": PERIOD_RANGE[1],
                            "description": f"Days of data the board ranks on (default {defaults.period_days})."},
        }, [], "The keepers' weights of the priority board. Applied, with history; omitted: left as they are.")},
    )


def initiative_schema() -> dict:
    """The `initiative` definition; `cocreation.schema()` lists it under `cocreation.initiatives`."""
    team = {"type": "string", "minLength": 1, "description": "A team, by name."}
    title = {"type": "string", "minLength": 1, **length(Initiative, "title"), "description": "An initiative, by title."}
    return obj({
        "id": {"type": "integer"},
        "title": title | {"description": "The title; with the id, its identity in this file."},
        "description": STRING,
        "friction_point": {"type": ["string", "null"], "description": "The friction point it answers, by title."},
        "status": choice(InitiativeStatus, "Its status"),
        "ship_date": {"type": ["string", "null"], "pattern": lenient.DATE_PATTERN,
                      "description": "YYYY-MM-DD: the date from which its effect will be measured."},
        "teams": array(obj({"team": team, "role": choice(TeamRole, "Its role")}, ["team", "role"],
                           "A contributing team and its role."), "The teams, the lead first."),
        "steps": array({"type": "string", "description": "“journey › step”"}, "The steps it changes."),
        "metrics": array(obj({"metric": {"type": "string", "minLength": 1, "description": "A metric, by key."},
                              "direction": choice(MoveDirection, "Which way it should move")},
                             ["metric", "direction"], "A metric it should move."), "The metrics it should move."),
        "milestones": array(obj({"title": {"type": "string", "minLength": 1},
                                 "due": {"type": ["string", "null"], "pattern": lenient.DATE_PATTERN,
                                         "description": "YYYY-MM-DD"},
                                 "done": {"type": ["boolean", "null"]}}, ["title"], "A milestone."),
                            "Its milestones, in order."),
        "depends_on": array(title, "Initiatives that must ship first, by title."),
    }, ["id", "title"], "An initiative (written for review, never applied).")


# ---------------------------------------------------------------- export


def weights_data() -> dict:
    """{"priority_weights": …} when a keeper has set the weights, else {} (the defaults: no section)."""
    weights = PriorityWeights.objects.order_by("pk").first()
    if weights is None:
        return {}
    return {"priority_weights": {name: getattr(weights, name) for name in WEIGHT_FIELDS}}


def _initiative(initiative: Initiative) -> dict:
    return compact({
        "id": initiative.pk, "title": initiative.title, "description": initiative.description,
        "friction_point": initiative.friction_point.title if initiative.friction_point_id else None,
        "status": initiative.status,
        "ship_date": initiative.ship_date.isoformat() if initiative.ship_date else None,
        "teams": [{"team": r.team.name, "role": r.role} for r in initiative.teams_in_order()],
        "steps": [_step(s) for s in initiative.steps.select_related("stage__journey").order_by("pk")],
        "metrics": [{"metric": m.metric.key, "direction": m.direction}
                    for m in sorted(initiative.metric_moves.select_related("metric"), key=lambda m: m.metric.key)],
        "milestones": [compact({"title": m["title"], "due": m.get("due"), "done": bool(m.get("done"))})
                       for m in initiative.milestones],
        "depends_on": sorted((d.title for d in initiative.depends_on.all()), key=by_name),
    })


def initiatives_data() -> list[dict]:
    initiatives = Initiative.objects.select_related("friction_point").prefetch_related("team_roles__team")
    return [_initiative(i) for i in sorted(initiatives, key=lambda i: (by_name(i.title), i.pk))]


# ---------------------------------------------------------------- reading and checks


@dataclass
class WeightsSpec:
    path: Path
    values: dict  # model field → value, only those the file gives


@dataclass
class InitiativeSpec:
    path: Path
    title: str
    teams: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, team, role)
    steps: list[tuple[Path, str]] = field(default_factory=list)
    metrics: list[tuple[Path, str]] = field(default_factory=list)
    depends_on: list[tuple[Path, str]] = field(default_factory=list)


def build_weights(data: dict) -> WeightsSpec | None:
    found = data.get("priority_weights")
    if not isinstance(found, dict):
        return None
    values = {}
    for name in WEIGHT_FIELDS:
        if name == "period_days":
            days = lenient.value(found, name, int, None)
            if days is not None and PERIOD_RANGE[0] <= days <= PERIOD_RANGE[1]:
                values[name] = days
        else:
            weight = lenient.number(found, name)
            if weight is not None and WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
                values[name] = weight
    return WeightsSpec(("priority_weights",), values)


def _texts_with_paths(item: dict, key: str, path: Path) -> list[tuple[Path, str]]:
    found = item.get(key)
    if not isinstance(found, list):
        return []
    return [(path + (key, index), value.strip()) for index, value in enumerate(found)
            if isinstance(value, str) and value.strip()]


def build_initiatives(data: dict) -> list[InitiativeSpec] | None:
    """The initiatives under `cocreation`, read to be checked (never applied); None when there are none."""
    section = data.get("cocreation")
    if not isinstance(section, dict) or not isinstance(section.get("initiatives"), list):
        return None
    specs = []
    for path, item in lenient.items(section, "initiatives", ("cocreation",)):
        specs.append(InitiativeSpec(
            path, lenient.name(item, "title"),
            [(team_path, lenient.name(team, "team"), lenient.text(team, "role"))
             for team_path, team in lenient.items(item, "teams", path)],
            _texts_with_paths(item, "steps", path),
            [(metric_path + ("metric",), lenient.name(metric, "metric"))
             for metric_path, metric in lenient.items(item, "metrics", path)],
            _texts_with_paths(item, "depends_on", path)))
    return specs


def _file_steps(doc) -> set[str]:
    return {f"{j.name}{STEP_SEPARATOR}{step.name}" for j in doc.journeys for stage in j.stages for step in stage.steps}


WEIGHTS_VERSION = 4  # the format version that added the weights and the initiatives (schema.py)


def check_version(doc) -> list[WorkspaceFileError]:
    """A file that says it is an older version cannot hold what that version did not have."""
    if doc.version is None or doc.version >= WEIGHTS_VERSION:
        return []
    held = [what for what, found in (("the priority weights", doc.priority_weights is not None),
                                     ("initiatives", doc.initiatives is not None)) if found]
    if not held:
        return []
    return [doc.error(("version",), f"{' and '.join(held)} are part of the file from version {WEIGHTS_VERSION} on; "
                                    f"write version: {WEIGHTS_VERSION}")]


def check_initiatives(doc) -> list[WorkspaceFileError]:
    """Every team, step, metric and dependency an initiative names must exist — teams and steps
    in this file, metrics in its outcomes section (or, without one, in the workspace)."""
    if not doc.initiatives:
        return check_version(doc)
    teams = {t.name for t in doc.teams}
    steps = _file_steps(doc)
    metrics = ({m.key for m in doc.outcomes.metrics} if doc.outcomes is not None
               else set(MetricDefinition.objects.values_list("key", flat=True)))
    titles = {spec.title for spec in doc.initiatives}
    errors = check_version(doc)
    for spec in doc.initiatives:
        where = f" on initiative {spec.title!r}"
        errors += check_unique(doc, [_Named(p, team) for p, team, _ in spec.teams], lambda t: t.name, "team", where)
        for team_path, team, _ in spec.teams:
            if team and team not in teams:
                errors.append(doc.error(team_path + ("team",), f"unknown team {team!r}; teams: {listed(teams)}"))
        for step_path, step in spec.steps:
            if step not in steps:
                errors.append(doc.error(step_path, f"unknown step {step!r}; write “journey › step”, as on the "
                                                   f"journeys of this file: {listed(steps)}"))
        for metric_path, key in spec.metrics:
            if key and key not in metrics:
                errors.append(doc.error(metric_path, f"unknown metric {key!r}; metric keys: {listed(metrics)}"))
        for dep_path, title in spec.depends_on:
            if title not in titles:
                errors.append(doc.error(dep_path, f"unknown initiative {title!r}; initiatives: {listed(titles)}"))
            elif title == spec.title:
                errors.append(doc.error(dep_path, f"{title!r} cannot depend on itself"))
    return errors


@dataclass
class _Named:
    path: Path
    name: str


# ---------------------------------------------------------------- apply (the weights only)


class WeightsSync:
    """The priority board's weights, through `initiatives.actions.set_priority_weights`.
    Initiatives are never applied (see the module's docstring)."""

    def __init__(self, state: ApplyState):
        self.state = state
        self.spec = state.doc.priority_weights

    def apply(self) -> None:
        if self.spec is None:
            return
        current = PriorityWeights.objects.order_by("pk").first()
        if current is None:  # on the defaults: the file sets them, so it exports them again
            self.state.do(self.spec.path, initiative_actions.set_priority_weights, self.spec.values,
                          expected_version=None, acting_user=self.state.actor)
            self.state.record("+", ("priority weights",))
            return
        changes = differences(current, self.spec.values)
        if changes:
            self.state.do(self.spec.path, initiative_actions.set_priority_weights, changes, expected_version=None,
                          acting_user=self.state.actor)
            self.state.record("~", ("priority weights",), labels(changes))
