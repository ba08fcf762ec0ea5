"""Reading a workspace file: YAML → schema check → each section's reading → cross-reference
checks → a `Document`.

Every problem is collected (not just the first) with its path and line. The schema check and
the cross-reference checks both run on one pass: fields with the wrong type fall back to their
defaults (`lenient.py`) so the rest of the file can still be checked, and the schema error names
them.

    read_document(text, filename, people=True) -> (document, errors)
    validate_workspace(text, filename, people=True) -> errors      [] when the file is good

`people=False` reads the file as if it had no people section (`--without-people`): people are
then left as they are, and the usernames the file names must already be in the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from cxkeeper.workspace import lenient
from cxkeeper.workspace.schema import VERSIONS, published_schema
from cxkeeper.workspace.sections import governance as councils_section
from cxkeeper.workspace.sections import initiatives as initiatives_section
from cxkeeper.workspace.sections import journeys, org
from cxkeeper.workspace.sections import people as people_section
from cxkeeper.workspace.sections.journeys import JourneySpec, PersonaSpec
from cxkeeper.workspace.sections.org import GlossarySpec, TeamSpec, WorkspaceSpec
from cxkeeper.workspace.sections.outcomes import OutcomesSpec, build_outcomes, check_outcomes
from cxkeeper.workspace.sections.people import PersonSpec
from cxkeeper.workspace.yaml_io import LineMap, Path, WorkspaceFileError, format_path, load


@dataclass
class Document:
    """A checked workspace file; `users` maps the usernames it names to users already in the
    workspace (a file without people) — with people, the apply creates or finds them."""

    filename: str
    lines: LineMap
    version: int | None  # as written; None when the file does not say
    workspace: WorkspaceSpec
    glossary: list[GlossarySpec]
    teams: list[TeamSpec]
    personas: list[PersonaSpec]
    journeys: list[JourneySpec]
    # None when the file has no `people` section (or it is read without people): people stay as they are.
    people: list[PersonSpec] | None = None
    # None when the file has no `outcomes` section: the workspace's outcomes are left as they are.
    outcomes: OutcomesSpec | None = None
    # None when the file has no `councils` section: the councils are left as they are.
    councils: list[councils_section.CouncilSpec] | None = None
    # None when the file has no `priority_weights`: the weights are left as they are.
    priority_weights: initiatives_section.WeightsSpec | None = None
    # The initiatives under `cocreation`: read to be checked, never applied (None: the file has none).
    initiatives: list[initiatives_section.InitiativeSpec] | None = None
    users: dict[str, object] = field(default_factory=dict)

    def error(self, path: Path, message: str) -> WorkspaceFileError:
        return WorkspaceFileError(self.filename, self.lines.line(path), format_path(path), message)


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
    if tuple(error.absolute_path) == ("version",):
        return (f"unknown format version {error.instance!r}; this cxkeeper reads versions "
                f"{', '.join(map(str, VERSIONS))} (a newer cxkeeper may have written this file)")
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "anyOf":
        titles = [sub.get("title") for sub in error.schema.get("anyOf", [])]
        options = " or ".join(title for title in titles if title)
        return f"{error.instance!r} is not valid here; expected {options}"
    return error.message


def read_document(text: str, filename: str, *, people: bool = True) -> tuple[Document | None, list[WorkspaceFileError]]:
    """The checked document and every problem found. The document is None when nothing could be read."""
    data, lines, errors = load(text, filename)
    if data is None:
        return None, errors
    schema_errors, refused = _schema_errors(data, lines, filename)
    errors += schema_errors
    if not isinstance(data, dict):
        return None, errors
    document = _build(data, lines, filename, with_people=people)
    # One complaint per place: a field the schema already refused needs no second message.
    errors += [e for e in _check(document, data) if not _covered(e.path, refused)]
    unique = list(dict.fromkeys(errors))
    unique.sort(key=lambda e: (e.line, e.path))
    return document, unique


def validate_workspace(text: str, filename: str = "workspace.yaml", *, people: bool = True
                       ) -> list[WorkspaceFileError]:
    """Every problem in `text` (syntax, schema, references, users), sorted by line; [] if it is good."""
    _, errors = read_document(text, filename, people=people)
    return errors


def _covered(path: str, covered: set[str]) -> bool:
    if path in covered:
        return True
    parents = [prefix[:-1] for prefix in covered if prefix.endswith("*")]
    return any(path.startswith(parent + sep) for parent in parents for sep in ".[")


def _build(data: dict, lines: LineMap, filename: str, *, with_people: bool) -> Document:
    version = lenient.value(data, "version", int, None)
    workspace, glossary, teams = org.build_org(data)
    personas, journey_specs = journeys.build_journeys(data)
    return Document(filename, lines, version if version in VERSIONS else None, workspace, glossary, teams,
                    personas, journey_specs, people=people_section.build_people(data) if with_people else None,
                    outcomes=build_outcomes(data), councils=councils_section.build_councils(data),
                    priority_weights=initiatives_section.build_weights(data),
                    initiatives=initiatives_section.build_initiatives(data))


def _check(document: Document, data: dict) -> list[WorkspaceFileError]:
    errors = org.check_org(document) + people_section.check_people(document) + journeys.check_journeys(document)
    errors += check_outcomes(document, data) + councils_section.check_councils(document)
    errors += initiatives_section.check_initiatives(document)
    wanted = (org.user_references(document) + journeys.user_references(document)
              + councils_section.user_references(document))
    return errors + people_section.check_user_references(document, wanted)
