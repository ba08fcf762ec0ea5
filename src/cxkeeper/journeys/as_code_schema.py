"""The published JSON Schema of a journey-as-code workspace file.

`schema/workspace.schema.json` is what editors, CI jobs and `cxkeeper journeys schema` see;
`build_schema()` derives it from the models and choices (lengths, enums) and a test checks the
two agree, so a new lane or a longer name can never make the published schema lie.
Regenerate after changing a model:  python -m cxkeeper.journeys.as_code_schema
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

SCHEMA_ID = "urn:cxkeeper:schema:workspace:1"
FORMAT_VERSION = 1


def schema_text() -> str:
    """The published schema, exactly as shipped (no Django needed)."""
    path = resources.files("cxkeeper.journeys") / "schema" / "workspace.schema.json"
    return path.read_text(encoding="utf-8")


@cache
def published_schema() -> dict:
    return json.loads(schema_text())


def render_schema(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def build_schema() -> dict:
    """The schema from the models: the source the published file is generated from."""
    from cxkeeper.journeys.choices import JourneyStatus, Lane, ResponsibilityRole
    from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
    from cxkeeper.org.choices import Office, TeamFunction
    from cxkeeper.org.models import GlossaryTerm, Team, Workspace
    from cxkeeper.outcomes.choices import Direction, KpiSource, LinkKind, Scope
    from cxkeeper.outcomes.models import (
        BASE_METRICS,
        KpiLink,
        MetricDefinition,
        SharedOutcome,
        SuccessStatement,
        Target,
        TeamKpi,
    )

    def length(model, field) -> dict:
        max_length = model._meta.get_field(field).max_length
        return {"maxLength": max_length} if max_length else {}

    def name(model, field="name", what="name") -> dict:
        return {"type": "string", "minLength": 1, **length(model, field),
                "description": f"The {what}; also its identity in this file."}

    def text(model, field, description) -> dict:
        return {"type": ["string", "null"], **length(model, field), "description": description}

    def choice(choices, description) -> dict:
        labels = "; ".join(f"{value} = {label}" for value, label in choices.choices)
        return {"enum": list(choices.values), "description": f"{description} ({labels})."}

    def username(description) -> dict:
        return {"type": ["string", "null"], "minLength": 1, "maxLength": 150,
                "description": f"{description} An existing username; people are not part of this file."}

    def slug(model) -> dict:
        return {"type": ["string", "null"], "pattern": "^[-a-zA-Z0-9_]+$", **length(model, "slug"),
                "description": "Used in web addresses. Omitted: kept for an existing object, made from "
                               "the name for a new one."}

    def obj(properties: dict, required: list[str], description: str) -> dict:
        return {"type": "object", "description": description, "properties": properties,
                "required": required, "additionalProperties": False}

    def array(items: dict, description: str, nullable: bool = True) -> dict:
        return {"type": ["array", "null"] if nullable else "array", "items": items,
                "description": description}

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
    date = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
    metric_key = {"type": "string", "minLength": 1, **length(MetricDefinition, "key"),
                  "description": "The key of a metric definition listed in outcomes.metrics."}
    base_metrics = "; ".join(f"{key} = {label} ({scale})" for key, (label, _, _, scale) in BASE_METRICS.items())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cxkeeper workspace (journey-as-code)",
        "description": "The whole workspace model as one file: settings, glossary, teams, personas, "
                       "journeys with their stages, steps, responsibilities and handoffs, and the outcomes "
                       "model (metric definitions, shared outcomes, targets, success statements, team KPIs). "
                       "Objects are identified by name; the order of stages and steps is their order on the "
                       "map. Applying a file makes the workspace exactly what the file says; a file without "
                       "an outcomes section leaves the workspace's outcomes as they are.",
        "type": "object",
        "properties": {
            "version": {"const": FORMAT_VERSION, "description": "Format version of this file."},
            "workspace": obj({
                "name": {"type": "string", "minLength": 1, **length(Workspace, "name"),
                         "description": "The organization's name."},
                "mission": text(Workspace, "mission", "The CX mission statement: the North Star."),
                "review_interval_days": {"type": ["integer", "null"], "minimum": 1,
                                         "description": "A journey not reviewed for this many days is "
                                                        "flagged as overdue (default 90)."},
            }, ["name"], "Workspace settings."),
            "glossary": array({"$ref": "#/$defs/glossary_term"}, "The shared CX language.", nullable=False),
            "teams": array({"$ref": "#/$defs/team"}, "Every team; teams not listed are deleted.",
                           nullable=False),
            "personas": array({"$ref": "#/$defs/persona"}, "Customer personas or segments.",
                              nullable=False),
            "journeys": array({"$ref": "#/$defs/journey"}, "Journeys; journeys not listed are deleted.",
                              nullable=False),
            "outcomes": obj({
                "metrics": array({"$ref": "#/$defs/metric"}, "Every metric definition, the standard ones "
                                 "included; definitions not listed are deleted.", nullable=False),
                "shared_outcomes": array({"$ref": "#/$defs/shared_outcome"}, "Shared outcomes in order; "
                                         "outcomes not listed are deleted.", nullable=False),
                "team_kpis": array({"$ref": "#/$defs/team_kpi"}, "Every team's KPIs; KPIs not listed are "
                                   "deleted.", nullable=False),
            }, ["metrics", "shared_outcomes", "team_kpis"], "The outcomes model. Optional: when the file has "
               "no outcomes section, applying it leaves the workspace's outcomes as they are (except targets "
               "and KPIs whose journey, stage, step or team the file deletes)."),
        },
        "required": ["workspace", "glossary", "teams", "personas", "journeys"],
        "additionalProperties": False,
        "$defs": {
            "glossary_term": obj({
                "term": name(GlossaryTerm, "term", "term"),
                "definition": {"type": "string", "minLength": 1, "description": "What the term means here."},
            }, ["term", "definition"], "A glossary entry."),
            "team": obj({
                "name": name(Team),
                "slug": slug(Team),
                "function": choice(TeamFunction, "The function (default other)"),
                "office": choice(Office, "Front or back office (default front)"),
                "customer_facing": {"type": ["boolean", "null"],
                                    "description": "Does the team deal with customers directly "
                                                   "(default true)?"},
                "lead": username("The team lead."),
                "description": text(Team, "description", "What the team does."),
            }, ["name"], "A team of the organization."),
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
            "metric": obj({
                "key": {"type": "string", "minLength": 1, "pattern": "^[-a-zA-Z0-9_]+$",
                        **length(MetricDefinition, "key"),
                        "description": "Short stable name (e.g. ces, nps-business); also its identity in this "
                                       "file."},
                "name": {"type": "string", "minLength": 1, **length(MetricDefinition, "name"),
                         "description": "The name shown on pages."},
                "base": {"enum": list(BASE_METRICS), "description": "The insight-engine metric it is computed "
                                                                    f"from ({base_metrics})."},
                "channel": text(MetricDefinition, "channel", "Only feedback from this channel."),
                "segment": text(MetricDefinition, "segment", "Only feedback from this segment."),
                "direction": choice(Direction, "Which way is better; omitted: the base metric's"),
                "description": text(MetricDefinition, "description", "What it measures."),
            }, ["key", "name", "base"], "A metric definition: an insight-engine metric, optionally filtered."),
            "shared_outcome": obj({
                "name": name(SharedOutcome),
                "description": text(SharedOutcome, "description", "What the teams agree to improve."),
                "metrics": array(metric_key, "The keys of the metrics that measure it."),
                "targets": array({"$ref": "#/$defs/target"}, "What its metrics should reach, where, by when."),
                "statements": array({"$ref": "#/$defs/success_statement"}, "Success statements in order."),
            }, ["name"], "A shared outcome, measured by metrics, with targets and success statements."),
            "target": obj({
                "key": {"type": ["string", "null"], "minLength": 1, "maxLength": 200,
                        "description": "A label for success statements to refer to this target; unique in the "
                                       "file, not stored (export writes metric-place-due)."},
                "metric": metric_key,
                "scope": choice(Scope, "Where the metric is measured"),
                "journey": {"type": ["string", "null"], "minLength": 1, **length(Journey, "name"),
                            "description": "For journey, stage and step scope: a journey's name in this file."},
                "stage": {"type": ["string", "null"], "minLength": 1, **length(Stage, "name"),
                          "description": "For stage and step scope: a stage's name in that journey."},
                "step": {"type": ["string", "null"], "minLength": 1, **length(Step, "name"),
                         "description": "For step scope: a step's name in that stage."},
                "value": {"type": "number", "description": "The value to reach (at least, or at most, by the "
                                                           "metric's direction)."},
                "due": date | {"description": "The date by which the value should be reached (YYYY-MM-DD)."},
                "baseline": {"type": ["number", "null"],
                             "description": "Where the metric stood when the target was set."},
                "baseline_date": {**date, "type": ["string", "null"], "description": "When (YYYY-MM-DD)."},
                "window_days": {"type": ["integer", "null"], "minimum": 1,
                                "description": "The current value is measured over this many days (default 90)."},
                "note": text(Target, "note", "Why this target."),
            }, ["metric", "scope", "value", "due"], "A target. Identified by its outcome, metric, place and due "
               "date."),
            "success_statement": obj({
                "customer_goal": {"type": "string", "minLength": 1, **length(SuccessStatement, "customer_goal"),
                                  "description": "What customers achieve, in their words; its identity in "
                                                 "its outcome."},
                "business_outcome": {"type": "string", "minLength": 1,
                                     **length(SuccessStatement, "business_outcome"),
                                     "description": "What it does for the organization."},
                "target": {"type": ["string", "null"], "minLength": 1,
                           "description": "The key of a target in this file."},
            }, ["customer_goal", "business_outcome"], "Customer goal → business outcome → target."),
            "team_kpi": obj({
                "team": {"type": "string", "minLength": 1, "description": "The name of a team in this file."},
                "name": {"type": "string", "minLength": 1, **length(TeamKpi, "name"),
                         "description": "The KPI's name; with its team, its identity in this file."},
                "unit": {"type": "string", "minLength": 1, **length(TeamKpi, "unit"),
                         "description": "e.g. minutes, %, € per contact."},
                "direction": choice(Direction, "Which way is better"),
                "source": choice(KpiSource, "Where its values come from (default manual)"),
                "metric": metric_key | {"type": ["string", "null"],
                                        "description": "For source metric: the key of the metric it is taken "
                                                       "from."},
                "description": text(TeamKpi, "description", "What it measures."),
                "values": {"type": ["object", "null"], "propertyNames": {"pattern": date["pattern"]},
                           "additionalProperties": {"type": "number"},
                           "description": "Values by the first day of their period (YYYY-MM-DD: value); none for "
                                          "a KPI taken from a metric."},
                "links": array({"$ref": "#/$defs/kpi_link"}, "Shared outcomes the KPI supports or is in tension "
                                                             "with."),
            }, ["team", "name", "unit", "direction"], "A team's KPI with its values."),
            "kpi_link": obj({
                "outcome": {"type": "string", "minLength": 1, **length(SharedOutcome, "name"),
                            "description": "The name of a shared outcome in this file."},
                "kind": choice(LinkKind, "Supports or in tension with (default supports)"),
                "note": text(KpiLink, "note", "Why."),
            }, ["outcome"], "A KPI's link to a shared outcome."),
        },
    }


if __name__ == "__main__":  # pragma: no cover - regenerates the published file
    import os
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxkeeper.settings")
    import django

    django.setup()
    target = Path(__file__).with_name("schema") / "workspace.schema.json"
    target.write_text(render_schema(build_schema()), encoding="utf-8")
    print(f"wrote {target}")
