"""Reading a workspace file: YAML → schema check → cross-reference checks → a `Document`.

Every problem is collected (not just the first) with its path and line. The schema check and
the cross-reference checks both run on one pass: fields with the wrong type fall back to their
defaults so the rest of the file can still be checked, and the schema error names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from cxkeeper.journeys.as_code_outcomes import OutcomesSpec, build_outcomes, check_outcomes
from cxkeeper.journeys.as_code_schema import published_schema
from cxkeeper.journeys.as_code_yaml import LineMap, Path, WorkspaceFileError, format_path, load
from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
from cxkeeper.org.choices import Office, TeamFunction

STEP_SEPARATOR = " / "

# ---------------------------------------------------------------- the document


@dataclass
class WorkspaceSpec:
    path: Path
    name: str
    mission: str
    review_interval_days: int


@dataclass
class GlossarySpec:
    path: Path
    term: str
    definition: str


@dataclass
class TeamSpec:
    path: Path
    name: str
    slug: str | None
    function: str
    office: str
    customer_facing: bool
    lead: str | None
    description: str


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


@dataclass
class Document:
    """A checked workspace file; `users` maps every username it mentions to its user."""

    filename: str
    lines: LineMap
    workspace: WorkspaceSpec
    glossary: list[GlossarySpec]
    teams: list[TeamSpec]
    personas: list[PersonaSpec]
    journeys: list[JourneySpec]
    users: dict[str, object] = field(default_factory=dict)
    # None when the file has no `outcomes` section: the workspace's outcomes are left as they are.
    outcomes: OutcomesSpec | None = None

    def error(self, path: Path, message: str) -> WorkspaceFileError:
        return WorkspaceFileError(self.filename, self.lines.line(path), format_path(path), message)


# ---------------------------------------------------------------- lenient readers


def _value(data, key, types, default):
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) and types is not bool:  # YAML `yes` is a bool, and a bool is an int
        return default
    return value if isinstance(value, types) else default


def _text(data, key) -> str:
    return _value(data, key, str, "")


def _name(data, key="name") -> str:
    return _text(data, key).strip()


def _choice(data, key, choices, default) -> str:
    value = _value(data, key, str, default)
    return value if value in choices.values else default


def _items(data, key, path: Path) -> list[tuple[Path, dict]]:
    values = data.get(key) if isinstance(data, dict) else None
    if not isinstance(values, list):
        return []
    return [(path + (key, index), item) for index, item in enumerate(values) if isinstance(item, dict)]


def _names(specs) -> str:
    names = sorted(spec.name for spec in specs)
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return shown or "none"


def parse_step_ref(value) -> list[tuple[str | None, str, str]]:
    """The (journey, stage, step) readings of a handoff target; a text may split several ways."""
    if isinstance(value, dict):
        return [(_name(value, "journey") or None, _name(value, "stage"), _name(value, "step"))]
    if not isinstance(value, str):
        return []
    parts = value.split(STEP_SEPARATOR)
    return [(None, STEP_SEPARATOR.join(parts[:i]).strip(), STEP_SEPARATOR.join(parts[i:]).strip())
            for i in range(1, len(parts))]


# ---------------------------------------------------------------- reading


def _schema_errors(data, doc_lines: LineMap, filename: str) -> tuple[list[WorkspaceFileError], set[str]]:
    """The schema's complaints, and the paths they cover: the refused value and, for a value of
    the wrong type or a missing field, everything that would have been inside it."""
    validator = Draft202012Validator(published_schema())
    errors, covered = [], set()
    for error in validator.iter_errors(data):
        path = tuple(error.absolute_path)
        message = _schema_message(error)
        if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
            # A refused key (a KPI value's period): point at the key itself, not at its mapping.
            path = path + (error.instance,)
            message = f"{error.instance!r} is not a date; write YYYY-MM-DD"
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [key for key in error.validator_value if key not in error.instance]
            covered.update(format_path(path + (key,)) + suffix for key in missing for suffix in ("", "*"))
        elif error.validator != "additionalProperties":  # those two speak of a field, not the object
            covered.add(format_path(path))
        if error.validator == "type":
            covered.add(format_path(path) + "*")
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in sorted((k for k in error.instance if k not in allowed), key=str):
                key_path = path + (key,)
                errors.append(WorkspaceFileError(
                    filename, doc_lines.line(key_path), format_path(key_path),
                    f"unknown field {key!r}; allowed here: {', '.join(sorted(allowed))}"))
            continue
        errors.append(WorkspaceFileError(filename, doc_lines.line(path), format_path(path), message))
    return errors, covered


def _schema_message(error: SchemaError) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "anyOf":
        titles = [sub.get("title") for sub in error.schema.get("anyOf", [])]
        options = " or ".join(title for title in titles if title)
        return f"{error.instance!r} is not valid here; expected {options}"
    return error.message


def read_document(text: str, filename: str) -> tuple[Document | None, list[WorkspaceFileError]]:
    """The checked document and every problem found. The document is None when nothing could be read."""
    data, lines, errors = load(text, filename)
    if data is None:
        return None, errors
    schema_errors, refused = _schema_errors(data, lines, filename)
    errors += schema_errors
    if not isinstance(data, dict):
        return None, errors
    document = _build(data, lines, filename)
    # One complaint per place: a field the schema already refused needs no second message.
    errors += [e for e in _check(document) + check_outcomes(document, data) if not _covered(e.path, refused)]
    unique = list(dict.fromkeys(errors))
    unique.sort(key=lambda e: (e.line, e.path))
    return document, unique


def _covered(path: str, covered: set[str]) -> bool:
    if path in covered:
        return True
    parents = [prefix[:-1] for prefix in covered if prefix.endswith("*")]
    return any(path.startswith(parent + sep) for parent in parents for sep in ".[")


def _build(data: dict, lines: LineMap, filename: str) -> Document:
    ws = data.get("workspace") if isinstance(data.get("workspace"), dict) else {}
    interval = _value(ws, "review_interval_days", int, 90)
    workspace = WorkspaceSpec(("workspace",), _name(ws), _text(ws, "mission"),
                              interval if interval >= 1 else 90)
    glossary = [GlossarySpec(path, _name(item, "term"), _text(item, "definition"))
                for path, item in _items(data, "glossary", ())]
    teams = [
        TeamSpec(path, _name(item), _name(item, "slug") or None,
                 _choice(item, "function", TeamFunction, TeamFunction.OTHER),
                 _choice(item, "office", Office, Office.FRONT),
                 _value(item, "customer_facing", bool, True), _name(item, "lead") or None,
                 _text(item, "description"))
        for path, item in _items(data, "teams", ())
    ]
    personas = [PersonaSpec(path, _name(item), _text(item, "description"))
                for path, item in _items(data, "personas", ())]
    journeys = []
    for jpath, jitem in _items(data, "journeys", ()):
        journey = JourneySpec(jpath, _name(jitem), _name(jitem, "slug") or None, _text(jitem, "description"),
                              _name(jitem, "persona") or None, _name(jitem, "keeper") or None,
                              _choice(jitem, "status", JourneyStatus, JourneyStatus.DRAFT))
        for spath, sitem in _items(jitem, "stages", jpath):
            stage = StageSpec(spath, _name(sitem), _text(sitem, "description"))
            for tpath, titem in _items(sitem, "steps", spath):
                phrases = _value(titem, "phrases", list, [])
                step = StepSpec(
                    tpath, _name(titem), _choice(titem, "lane", Lane, Lane.FRONTSTAGE),
                    _text(titem, "channel"), _text(titem, "description"),
                    # The model keeps phrases trimmed and drops empty ones; so does the file's reading.
                    [p.strip() for p in phrases if isinstance(p, str) and p.strip()],
                )
                step.responsibilities = [
                    ResponsibilitySpec(rpath, _name(ritem, "team"),
                                       _choice(ritem, "role", ResponsibilityRole, ResponsibilityRole.OWNS),
                                       _value(ritem, "lead", bool, False), _text(ritem, "note"))
                    for rpath, ritem in _items(titem, "responsibilities", tpath)
                ]
                # Targets are resolved in _check, once every step of every journey is known.
                step.handoffs = [
                    HandoffSpec(hpath, None, _name(hitem, "from_team"), _name(hitem, "to_team"),
                                _text(hitem, "description"), raw_to=hitem.get("to"))
                    for hpath, hitem in _items(titem, "handoffs", tpath)
                ]
                stage.steps.append(step)
            journey.stages.append(stage)
        journeys.append(journey)
    return Document(filename, lines, workspace, glossary, teams, personas, journeys,
                    outcomes=build_outcomes(data))


def _check(doc: Document) -> list[WorkspaceFileError]:
    errors: list[WorkspaceFileError] = []

    def unique(specs, key, what, where=""):
        first: dict[str, object] = {}
        for spec in specs:
            value = key(spec)
            if not value:
                continue
            if value in first:
                first_line = doc.lines.line(first[value])
                errors.append(doc.error(spec.path, f"duplicate {what} {value!r}{where} "
                                                   f"(first at line {first_line})"))
            else:
                first[value] = spec.path

    def not_blank(spec, field_name="name"):
        if isinstance(getattr(spec, field_name), str) and not getattr(spec, field_name):
            errors.append(doc.error(spec.path + (field_name,), f"the {field_name} is empty"))

    not_blank(doc.workspace)
    for term in doc.glossary:
        not_blank(term, "term")
    unique(doc.glossary, lambda s: s.term, "glossary term")
    for spec in doc.teams + doc.personas + doc.journeys:
        not_blank(spec)
    unique(doc.teams, lambda s: s.name, "team name")
    unique(doc.teams, lambda s: s.slug, "team slug")
    unique(doc.personas, lambda s: s.name, "persona name")
    unique(doc.journeys, lambda s: s.name, "journey name")
    unique(doc.journeys, lambda s: s.slug, "journey slug")

    team_names = {t.name for t in doc.teams}
    persona_names = {p.name for p in doc.personas}
    steps = {(j.name, s.name, t.name) for j in doc.journeys for s in j.stages for t in s.steps}

    def known_team(name: str, path: Path):
        if name and name not in team_names:
            errors.append(doc.error(path, f"unknown team {name!r}; teams in this file: {_names(doc.teams)}"))

    for journey in doc.journeys:
        if journey.persona and journey.persona not in persona_names:
            errors.append(doc.error(journey.path + ("persona",), f"unknown persona {journey.persona!r}; "
                                    f"personas in this file: {_names(doc.personas)}"))
        for stage in journey.stages:
            not_blank(stage)
        unique(journey.stages, lambda s: s.name, "stage name", f" in journey {journey.name!r}")
        for stage in journey.stages:
            for step in stage.steps:
                not_blank(step)
            unique(stage.steps, lambda s: s.name, "step name", f" in stage {stage.name!r}")
            for step in stage.steps:
                _check_step(doc, journey, stage, step, steps, known_team, errors)

    errors += _resolve_users(doc)
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


def _unknown_step_message(doc: Document, raw, target) -> str:
    journey_name, stage_name, step_name = target
    journey = next((j for j in doc.journeys if j.name == journey_name), None)
    if journey is None:
        return f"unknown handoff target {raw!r}: no journey {journey_name!r} in this file"
    stage = next((s for s in journey.stages if s.name == stage_name), None)
    if stage is None:
        return (f"unknown handoff target {raw!r}: journey {journey_name!r} has no stage {stage_name!r} "
                f"(stages: {_names(journey.stages)})")
    return (f"unknown handoff target {raw!r}: stage {stage_name!r} has no step {step_name!r} "
            f"(steps: {_names(stage.steps)})")


def _resolve_users(doc: Document) -> list[WorkspaceFileError]:
    wanted: list[tuple[str, Path]] = [(t.lead, t.path + ("lead",)) for t in doc.teams if t.lead]
    wanted += [(j.keeper, j.path + ("keeper",)) for j in doc.journeys if j.keeper]
    User = get_user_model()
    found = {u.get_username(): u for u in User.objects.filter(
        **{f"{User.USERNAME_FIELD}__in": sorted({name for name, _ in wanted})})}
    doc.users = found
    return [doc.error(path, f"unknown user {name!r}; people are not part of this file: add them first "
                            "(cxkeeper createuser)")
            for name, path in wanted if name not in found]
