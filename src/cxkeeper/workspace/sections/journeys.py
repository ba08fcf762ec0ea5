"""The journey map's part of the file: personas, and journeys with their stages, steps,
responsibilities and handoffs. The sync that applies it is in `journeys_apply.py`.

Identity: a persona or a journey by its name, a stage by its name in its journey, a step by its
name in its stage, a responsibility by its team in its step, a handoff by (from step, from team,
to step, to team). A handoff's target is "Stage / Step" (same journey) or a mapping
{journey?, stage, step}.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.workspace import lenient
from cxkeeper.workspace.checks import check_unique, listed
from cxkeeper.workspace.schema_types import SchemaPart, array, choice, name, obj, slug, text, username
from cxkeeper.workspace.writing import by_name, compact
from cxkeeper.workspace.yaml_io import Path, WorkspaceFileError

STEP_SEPARATOR = " / "
ROLE_ORDER = {ResponsibilityRole.OWNS: 0, ResponsibilityRole.CONTRIBUTES: 1, ResponsibilityRole.INFORMED: 2}


@dataclass
class PersonaSpec:
    path: Path
    name: str
    description: str


@dataclass
class ResponsibilitySpec:
    path: Path
    team: str
    role: str
    is_lead: bool
    note: str


@dataclass
class HandoffSpec:
    path: Path
    to: tuple[str, str, str] | None  # (journey, stage, step) once resolved
    from_team: str
    to_team: str
    description: str
    raw_to: object = None  # as written: "Stage / Step" or {journey?, stage, step}


@dataclass
class StepSpec:
    path: Path
    name: str
    lane: str
    channel: str
    description: str
    phrases: list[str]
    responsibilities: list[ResponsibilitySpec] = field(default_factory=list)
    handoffs: list[HandoffSpec] = field(default_factory=list)


@dataclass
class StageSpec:
    path: Path
    name: str
    description: str
    steps: list[StepSpec] = field(default_factory=list)


@dataclass
class JourneySpec:
    path: Path
    name: str
    slug: str | None
    description: str
    persona: str | None
    keeper: str | None
    status: str
    stages: list[StageSpec] = field(default_factory=list)


# ---------------------------------------------------------------- schema


def schema() -> SchemaPart:
    step_ref = {
        "anyOf": [
            {"type": "string", "pattern": ".+ / .+",
             "title": "a text 'Stage name / Step name' (a step of the same journey)"},
            obj({"journey": {"type": "string", "minLength": 1,
                             "description": "Another journey's name; omitted: the same journey."},
                 "stage": {"type": "string", "minLength": 1},
                 "step": {"type": "string", "minLength": 1}},
                ["stage", "step"], "A step named by its parts.")
            | {"title": "a mapping {stage, step} with an optional journey"},
        ],
        "description": "The step the work passes to.",
    }
    return SchemaPart(
        properties={
            "personas": array({"$ref": "#/$defs/persona"}, "Customer personas or segments.", nullable=False),
            "journeys": array({"$ref": "#/$defs/journey"}, "Journeys; journeys not listed are deleted.",
                              nullable=False),
        },
        required=["personas", "journeys"],
        defs={
            "persona": obj({
                "name": name(Persona),
                "description": text(Persona, "description", "Who they are and what they need."),
            }, ["name"], "A customer persona or segment."),
            "journey": obj({
                "name": name(Journey),
                "slug": slug(Journey),
                "description": text(Journey, "description", "What the journey covers."),
                "persona": {"type": ["string", "null"], "minLength": 1,
                            "description": "The name of a persona listed in this file."},
                "keeper": username("The journey's keeper."),
                "status": choice(JourneyStatus, "Draft or published (default draft)"),
                "stages": array({"$ref": "#/$defs/stage"}, "Stages in order."),
            }, ["name"], "A journey: stages of steps."),
            "stage": obj({
                "name": name(Stage),
                "description": text(Stage, "description", "What happens in this stage."),
                "steps": array({"$ref": "#/$defs/step"}, "Steps in order."),
            }, ["name"], "A stage of a journey."),
            "step": obj({
                "name": name(Step),
                "lane": choice(Lane, "The service-blueprint lane (default frontstage)"),
                "channel": text(Step, "channel", "e.g. web, app, phone, store, e-mail, field."),
                "description": text(Step, "description", "What happens at this step."),
                "phrases": array({"type": "string"}, "Things customers say about this step."),
                "responsibilities": array({"$ref": "#/$defs/responsibility"}, "Teams' parts in this step."),
                "handoffs": array({"$ref": "#/$defs/handoff"}, "Work passing from this step to another."),
            }, ["name"], "A step of a stage."),
            "responsibility": obj({
                "team": {"type": "string", "minLength": 1, "description": "The name of a team in this file."},
                "role": choice(ResponsibilityRole, "The team's part (default owns)"),
                "lead": {"type": ["boolean", "null"],
                         "description": "The lead owner when several teams own the step (owners only, "
                                        "at most one per step)."},
                "note": text(Responsibility, "note", "What exactly this team impacts here."),
            }, ["team"], "A team's part in a step."),
            "handoff": obj({
                "to": step_ref,
                "from_team": {"type": "string", "minLength": 1, "description": "The team handing over."},
                "to_team": {"type": "string", "minLength": 1, "description": "The team taking over."},
                "description": text(Handoff, "description", "What is handed over."),
            }, ["to", "from_team", "to_team"], "Work passing from this step's team to another step's team."),
        },
    )


# ---------------------------------------------------------------- export


def journeys_data() -> dict:
    """Personas and journeys in the file's shape and order."""
    journeys = Journey.objects.select_related("persona", "keeper").prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "pk").prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("position", "pk").prefetch_related(
                Prefetch("responsibilities", queryset=Responsibility.objects.select_related("team")),
                Prefetch("handoffs_out", queryset=Handoff.objects.select_related(
                    "from_team", "to_team", "to_step__stage__journey")),
            )),
        )),
    )
    return {
        "personas": [compact({"name": p.name, "description": p.description})
                     for p in sorted(Persona.objects.all(), key=lambda p: by_name(p.name))],
        "journeys": [_journey_data(j) for j in sorted(journeys, key=lambda j: by_name(j.name))],
    }


def _journey_data(journey: Journey) -> dict:
    return compact({
        "name": journey.name, "slug": journey.slug, "description": journey.description,
        "persona": journey.persona.name if journey.persona else None,
        "keeper": journey.keeper.get_username() if journey.keeper else None,
        "status": journey.status,
        "stages": [
            compact({"name": stage.name, "description": stage.description,
                     "steps": [_step_data(journey, step) for step in stage.steps.all()]})
            for stage in journey.stages.all()
        ],
    })


def _step_data(journey: Journey, step: Step) -> dict:
    responsibilities = sorted(step.responsibilities.all(),
                              key=lambda r: (ROLE_ORDER.get(r.role, 9), *by_name(r.team.name)))
    handoffs = sorted(step.handoffs_out.all(), key=lambda h: _handoff_order(journey, h))
    return compact({
        "name": step.name, "lane": step.lane, "channel": step.channel, "description": step.description,
        "phrases": list(step.phrases or []),
        "responsibilities": [
            compact({"team": r.team.name, "role": r.role, "lead": True if r.is_lead else None, "note": r.note})
            for r in responsibilities
        ],
        "handoffs": [
            compact({"to": _step_ref(journey, h.to_step), "from_team": h.from_team.name,
                     "to_team": h.to_team.name, "description": h.description})
            for h in handoffs
        ],
    })


def _handoff_order(journey: Journey, handoff: Handoff) -> tuple:
    target = handoff.to_step
    other = target.stage.journey_id != journey.pk
    return (other, by_name(target.stage.journey.name) if other else ("", ""),
            target.stage.position, target.stage.pk, target.position, target.pk,
            by_name(handoff.from_team.name), by_name(handoff.to_team.name))


def _step_ref(journey: Journey, step: Step):
    """ "Stage / Step" when that reads back unambiguously, else a mapping."""
    stage = step.stage
    readable = STEP_SEPARATOR not in stage.name and STEP_SEPARATOR not in step.name
    if stage.journey_id == journey.pk and readable:
        return f"{stage.name}{STEP_SEPARATOR}{step.name}"
    ref = {"stage": stage.name, "step": step.name}
    return ref if stage.journey_id == journey.pk else {"journey": stage.journey.name, **ref}


# ---------------------------------------------------------------- reading


def parse_step_ref(value) -> list[tuple[str | None, str, str]]:
    """The (journey, stage, step) readings of a handoff target; a text may split several ways."""
    if isinstance(value, dict):
        return [(lenient.name(value, "journey") or None, lenient.name(value, "stage"), lenient.name(value, "step"))]
    if not isinstance(value, str):
        return []
    parts = value.split(STEP_SEPARATOR)
    return [(None, STEP_SEPARATOR.join(parts[:i]).strip(), STEP_SEPARATOR.join(parts[i:]).strip())
            for i in range(1, len(parts))]


def build_journeys(data: dict) -> tuple[list[PersonaSpec], list[JourneySpec]]:
    personas = [PersonaSpec(path, lenient.name(item), lenient.text(item, "description"))
                for path, item in lenient.items(data, "personas", ())]
    journeys = []
    for jpath, jitem in lenient.items(data, "journeys", ()):
        journey = JourneySpec(jpath, lenient.name(jitem), lenient.name(jitem, "slug") or None,
                              lenient.text(jitem, "description"), lenient.name(jitem, "persona") or None,
                              lenient.name(jitem, "keeper") or None,
                              lenient.choice(jitem, "status", JourneyStatus, JourneyStatus.DRAFT))
        for spath, sitem in lenient.items(jitem, "stages", jpath):
            stage = StageSpec(spath, lenient.name(sitem), lenient.text(sitem, "description"))
            for tpath, titem in lenient.items(sitem, "steps", spath):
                step = StepSpec(
                    tpath, lenient.name(titem), lenient.choice(titem, "lane", Lane, Lane.FRONTSTAGE),
                    lenient.text(titem, "channel"), lenient.text(titem, "description"),
                    # The model keeps phrases trimmed and drops empty ones; so does the file's reading.
                    lenient.texts(titem, "phrases"),
                )
                step.responsibilities = [
                    ResponsibilitySpec(rpath, lenient.name(ritem, "team"),
                                       lenient.choice(ritem, "role", ResponsibilityRole, ResponsibilityRole.OWNS),
                                       lenient.value(ritem, "lead", bool, False), lenient.text(ritem, "note"))
                    for rpath, ritem in lenient.items(titem, "responsibilities", tpath)
                ]
                # Targets are resolved in check_journeys, once every step of every journey is known.
                step.handoffs = [
                    HandoffSpec(hpath, None, lenient.name(hitem, "from_team"), lenient.name(hitem, "to_team"),
                                lenient.text(hitem, "description"), raw_to=hitem.get("to"))
                    for hpath, hitem in lenient.items(titem, "handoffs", tpath)
                ]
                stage.steps.append(step)
            journey.stages.append(stage)
        journeys.append(journey)
    return personas, journeys


def user_references(doc) -> list[tuple[str, Path]]:
    """Every username this part of the file names, with where."""
    return [(j.keeper, j.path + ("keeper",)) for j in doc.journeys if j.keeper]


# ---------------------------------------------------------------- checks


def check_journeys(doc) -> list[WorkspaceFileError]:
    errors: list[WorkspaceFileError] = []

    def not_blank(spec):
        if not spec.name:
            errors.append(doc.error(spec.path + ("name",), "the name is empty"))

    for spec in doc.personas + doc.journeys:
        not_blank(spec)
    errors += check_unique(doc, doc.personas, lambda s: s.name, "persona name")
    errors += check_unique(doc, doc.journeys, lambda s: s.name, "journey name")
    errors += check_unique(doc, doc.journeys, lambda s: s.slug, "journey slug")

    team_names = {t.name for t in doc.teams}
    persona_names = {p.name for p in doc.personas}
    steps = {(j.name, s.name, t.name) for j in doc.journeys for s in j.stages for t in s.steps}

    def known_team(team: str, path: Path):
        if team and team not in team_names:
            errors.append(doc.error(path, f"unknown team {team!r}; teams in this file: {listed(team_names)}"))

    for journey in doc.journeys:
        if journey.persona and journey.persona not in persona_names:
            errors.append(doc.error(journey.path + ("persona",), f"unknown persona {journey.persona!r}; "
                                    f"personas in this file: {listed(persona_names)}"))
        for stage in journey.stages:
            not_blank(stage)
        errors += check_unique(doc, journey.stages, lambda s: s.name, "stage name", f" in journey {journey.name!r}")
        for stage in journey.stages:
            for step in stage.steps:
                not_blank(step)
            errors += check_unique(doc, stage.steps, lambda s: s.name, "step name", f" in stage {stage.name!r}")
            for step in stage.steps:
                _check_step(doc, journey, stage, step, steps, known_team, errors)
    return errors


def _check_step(doc, journey, stage, step, steps, known_team, errors) -> None:
    seen_teams: dict[str, Path] = {}
    lead = None
    for resp in step.responsibilities:
        known_team(resp.team, resp.path + ("team",))
        if resp.team in seen_teams:
            errors.append(doc.error(resp.path + ("team",), f"team {resp.team!r} is listed twice for step "
                                    f"{step.name!r} (first at line {doc.lines.line(seen_teams[resp.team])}); "
                                    "a team has one part in a step"))
        seen_teams.setdefault(resp.team, resp.path)
        if resp.is_lead and resp.role != ResponsibilityRole.OWNS:
            errors.append(doc.error(resp.path + ("lead",), f"only an owning team can be the lead owner; "
                                    f"{resp.team!r} {resp.role}"))
        elif resp.is_lead:
            if lead is not None:
                errors.append(doc.error(resp.path + ("lead",), f"step {step.name!r} already has a lead owner "
                                        f"({lead.team!r}, line {doc.lines.line(lead.path)}); a step has one"))
            else:
                lead = resp
    seen_handoffs: dict[tuple, Path] = {}
    for handoff in step.handoffs:
        known_team(handoff.from_team, handoff.path + ("from_team",))
        known_team(handoff.to_team, handoff.path + ("to_team",))
        raw = handoff.raw_to
        readings = [(j or journey.name, s, t) for j, s, t in parse_step_ref(raw)]
        found = [r for r in readings if r in steps]
        if len(found) > 1:
            errors.append(doc.error(handoff.path + ("to",), f"{raw!r} can be read as more than one step; "
                                    "write it as {stage: …, step: …}"))
            continue
        if not found:
            if len(readings) == 1:
                errors.append(doc.error(handoff.path + ("to",), _unknown_step_message(doc, raw, readings[0])))
            elif readings:
                errors.append(doc.error(handoff.path + ("to",), f"unknown handoff target {raw!r}: no such "
                                        f"'Stage / Step' in journey {journey.name!r}"))
            continue
        handoff.to = found[0]
        key = (handoff.to, handoff.from_team, handoff.to_team)
        if key in seen_handoffs:
            errors.append(doc.error(handoff.path, f"this handoff is listed twice (first at line "
                                                  f"{doc.lines.line(seen_handoffs[key])})"))
        seen_handoffs.setdefault(key, handoff.path)
        if handoff.to == (journey.name, stage.name, step.name) and handoff.from_team == handoff.to_team:
            errors.append(doc.error(handoff.path, "a handoff must change step or team"))


def _unknown_step_message(doc, raw, target) -> str:
    journey_name, stage_name, step_name = target
    journey = next((j for j in doc.journeys if j.name == journey_name), None)
    if journey is None:
        return f"unknown handoff target {raw!r}: no journey {journey_name!r} in this file"
    stage = next((s for s in journey.stages if s.name == stage_name), None)
    if stage is None:
        return (f"unknown handoff target {raw!r}: journey {journey_name!r} has no stage {stage_name!r} "
                f"(stages: {listed(s.name for s in journey.stages)})")
    return (f"unknown handoff target {raw!r}: stage {stage_name!r} has no step {step_name!r} "
            f"(steps: {listed(s.name for s in stage.steps)})")
