"""The published JSON Schema of a workspace file.

`workspace.schema.json` (beside this module) is what editors, CI jobs and `cxkeeper workspace
schema` see; `build_schema()` assembles it from each section's part (`sections/*.py`, derived
from the models and choices: lengths, enums) and a test checks the two agree, so a new lane or
a longer name can never make the published schema lie.
Regenerate after changing a model or a section:  python -m cxkeeper.workspace.schema

Format versions — a file says which it is written in (`version`, omitted: 1):
    1   the workspace without people (every file written before people were part of it)
    2   adds the optional `people` section
    3   adds the executive sponsor and the reminder days to the workspace settings, and the
        optional `cocreation` section (written for review, never applied)
    4   adds the optional `priority_weights` (applied) and the initiatives under `cocreation`
        (written for review, checked, never applied)
Export writes the lowest version that holds what it wrote, so a file exported without people
is a version-1 file that older cxkeeper releases still read, and one without a sponsor, a
changed reminder period or co-creation is a version-2 file, and one with co-creation but no
initiatives and no weights a version-3 file. Every version applies.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

FORMAT_VERSION = 4  # the newest format this cxkeeper writes and reads
VERSIONS = (1, 2, 3, 4)  # every format it reads
SCHEMA_ID = f"urn:cxkeeper:schema:workspace:{FORMAT_VERSION}"
SCHEMA_FILE = "workspace.schema.json"


def schema_text() -> str:
    """The published schema, exactly as shipped (no Django needed)."""
    return (resources.files("cxkeeper.workspace") / SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def published_schema() -> dict:
    return json.loads(schema_text())


def render_schema(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def build_schema() -> dict:
    """The schema from the sections and their models: the source the published file is generated from."""
    from cxkeeper.workspace.sections import cocreation, governance, initiatives, journeys, org, outcomes, people

    parts = [org.schema(), people.schema(), journeys.schema(), outcomes.schema(),
             governance.schema(), initiatives.weights_schema(), cocreation.schema()]  # the file's order
    properties = {"version": {"enum": list(VERSIONS), "description": "The format version of this file: 1 (no "
                                                                      "people), 2 (may list people), 3 (may name "
                                                                      "the executive sponsor and carry co-creation) "
                                                                      "or 4 (may set the priority weights and carry "
                                                                      "initiatives). "
                                                                      "Omitted: 1, or 2 when the file lists people."}}
    required, defs = [], {}
    for part in parts:
        properties |= part.properties
        required += part.required
        defs |= part.defs
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cxkeeper workspace (workspace-as-code)",
        "description": "The whole workspace as one file: settings, glossary, teams, people (never their "
                       "passwords or tokens), personas, journeys with their stages, steps, responsibilities and "
                       "handoffs, the outcomes model (metric definitions, shared outcomes, targets, success "
                       "statements, team KPIs), the CX councils' charters and the priority board's weights; asked "
                       "for, the co-creation (perspectives, options, decisions, planned changes, initiatives) "
                       "for review, never applied. Objects are identified by name, "
                       "people by username; the order of stages and steps is their order on the map. Applying a "
                       "file makes the workspace exactly what the file says; a file without a people, an outcomes "
                       "or a councils section leaves those as they are.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "$defs": defs,
    }


if __name__ == "__main__":  # pragma: no cover - regenerates the published file
    import os
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django

    django.setup()
    target = Path(__file__).with_name(SCHEMA_FILE)
    target.write_text(render_schema(build_schema()), encoding="utf-8")
    print(f"wrote {target}")
