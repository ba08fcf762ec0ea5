"""Journey-as-code: the whole workspace model — the journey map and the outcomes model — as one
readable YAML file.

    export_workspace() -> str                       the workspace as YAML (deterministic)
    validate_workspace(text, filename) -> errors    every problem, each with its path and line
    apply_workspace(text, filename=, dry_run=)      make the workspace exactly what the file says

The CLI (`cxkeeper journeys export|apply|validate|schema`), the web UI, the API and the sample
organization loader all go through these three functions. The format, the identity rules and
the error messages are described in docs/journey-as-code.md; the JSON Schema is published at
cxkeeper/journeys/schema/workspace.schema.json.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from cxkeeper.journeys.as_code_apply import ApplyFailed, Change, WorkspaceSync
from cxkeeper.journeys.as_code_document import STEP_SEPARATOR, read_document
from cxkeeper.journeys.as_code_outcomes import outcomes_data
from cxkeeper.journeys.as_code_schema import FORMAT_VERSION, published_schema, schema_text
from cxkeeper.journeys.as_code_yaml import WorkspaceFileError, dump
from cxkeeper.journeys.choices import ResponsibilityRole
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.org.models import GlossaryTerm, Team, Workspace

__all__ = [
    "ApplyResult", "Change", "WorkspaceFileError", "apply_workspace", "export_workspace", "published_schema",
    "schema_text", "validate_workspace",
]

ROLE_ORDER = {ResponsibilityRole.OWNS: 0, ResponsibilityRole.CONTRIBUTES: 1, ResponsibilityRole.INFORMED: 2}


# ---------------------------------------------------------------- export


def _by_name(name: str) -> tuple[str, str]:
    # Sorted in Python, not by the database: SQLite and PostgreSQL collations disagree.
    return (name.casefold(), name)


def _compact(data: dict) -> dict:
    """Leave out empty optional fields; `False` and 0 are values, not emptiness."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def workspace_data() -> dict:
    """The workspace as plain data in the file's shape and order."""
    workspace = Workspace.objects.order_by("pk").first() or Workspace()
    teams = sorted(Team.objects.select_related("lead"), key=lambda t: _by_name(t.name))
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
        "version": FORMAT_VERSION,
        "workspace": _compact({"name": workspace.name, "mission": workspace.mission,
                               "review_interval_days": workspace.review_interval_days}),
        "glossary": [{"term": t.term, "definition": t.definition}
                     for t in sorted(GlossaryTerm.objects.all(), key=lambda t: _by_name(t.term))],
        "teams": [
            _compact({"name": t.name, "slug": t.slug, "function": t.function, "office": t.office,
                      "customer_facing": t.customer_facing, "lead": t.lead.get_username() if t.lead else None,
                      "description": t.description})
            for t in teams
        ],
        "personas": [_compact({"name": p.name, "description": p.description})
                     for p in sorted(Persona.objects.all(), key=lambda p: _by_name(p.name))],
        "journeys": [_journey_data(j) for j in sorted(journeys, key=lambda j: _by_name(j.name))],
        "outcomes": outcomes_data(),
    }


def _journey_data(journey: Journey) -> dict:
    return _compact({
        "name": journey.name, "slug": journey.slug, "description": journey.description,
        "persona": journey.persona.name if journey.persona else None,
        "keeper": journey.keeper.get_username() if journey.keeper else None,
        "status": journey.status,
        "stages": [
            _compact({"name": stage.name, "description": stage.description,
                      "steps": [_step_data(journey, step) for step in stage.steps.all()]})
            for stage in journey.stages.all()
        ],
    })


def _step_data(journey: Journey, step: Step) -> dict:
    responsibilities = sorted(step.responsibilities.all(),
                              key=lambda r: (ROLE_ORDER.get(r.role, 9), *_by_name(r.team.name)))
    handoffs = sorted(step.handoffs_out.all(), key=lambda h: _handoff_order(journey, h))
    return _compact({
        "name": step.name, "lane": step.lane, "channel": step.channel, "description": step.description,
        "phrases": list(step.phrases or []),
        "responsibilities": [
            _compact({"team": r.team.name, "role": r.role, "lead": True if r.is_lead else None,
                      "note": r.note})
            for r in responsibilities
        ],
        "handoffs": [
            _compact({"to": _step_ref(journey, h.to_step), "from_team": h.from_team.name,
                      "to_team": h.to_team.name, "description": h.description})
            for h in handoffs
        ],
    })


def _handoff_order(journey: Journey, handoff: Handoff) -> tuple:
    target = handoff.to_step
    other = target.stage.journey_id != journey.pk
    return (other, _by_name(target.stage.journey.name) if other else ("", ""),
            target.stage.position, target.stage.pk, target.position, target.pk,
            _by_name(handoff.from_team.name), _by_name(handoff.to_team.name))


def _step_ref(journey: Journey, step: Step):
    """ "Stage / Step" when that reads back unambiguously, else a mapping."""
    stage = step.stage
    readable = STEP_SEPARATOR not in stage.name and STEP_SEPARATOR not in step.name
    if stage.journey_id == journey.pk and readable:
        return f"{stage.name}{STEP_SEPARATOR}{step.name}"
    ref = {"stage": stage.name, "step": step.name}
    return ref if stage.journey_id == journey.pk else {"journey": stage.journey.name, **ref}


def export_workspace() -> str:
    """The workspace as YAML: the same workspace always gives the same bytes."""
    return dump(workspace_data())


# ---------------------------------------------------------------- validate and apply


def validate_workspace(text: str, filename: str = "workspace.yaml") -> list[WorkspaceFileError]:
    """Every problem in `text` (syntax, schema, references, users), sorted by line; [] if it is good."""
    _, errors = read_document(text, filename)
    return errors


@dataclass
class ApplyResult:
    """What an apply did (or, for a dry run, would do). With errors, nothing was changed."""

    changes: list[Change] = field(default_factory=list)
    errors: list[WorkspaceFileError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(change.op for change in self.changes)
        return {"created": counted["+"], "changed": counted["~"], "deleted": counted["-"]}

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}; nothing was applied."
        if not self.changes:
            return "No changes: the workspace already matches the file."
        counts = self.counts
        if self.dry_run:
            return (f"Dry run: would create {counts['created']}, change {counts['changed']}, "
                    f"delete {counts['deleted']}; nothing was saved.")
        return (f"Applied: {counts['created']} created, {counts['changed']} changed, "
                f"{counts['deleted']} deleted.")


def apply_workspace(text: str, *, filename: str = "workspace.yaml", dry_run: bool = False) -> ApplyResult:
    """Make the workspace exactly what `text` says, in one transaction, through the real actions.

    Returns the diff as `changes`. If the file has any problem, `errors` lists them all and
    nothing is written. A dry run does the same work and rolls it back, so its diff is exactly
    what a real apply would do.
    """
    document, errors = read_document(text, filename)
    if errors or document is None:
        return ApplyResult(errors=errors, dry_run=dry_run)
    try:
        with transaction.atomic():
            changes = WorkspaceSync(document).run()
            if dry_run:
                transaction.set_rollback(True)
    except ApplyFailed as exc:
        return ApplyResult(errors=[exc.error], dry_run=dry_run)
    return ApplyResult(changes=changes, dry_run=dry_run)
