"""Making the workspace exactly what a checked `Document` says, through the real actions.

Identity is by name: a glossary term by its term, a team, persona or journey by its name, a
stage by its name in its journey, a step by its name in its stage, a responsibility by its
team in its step, a handoff by (from step, from team, to step, to team). Anything else is a
field that is updated in place. Renaming an object is therefore a delete and a create.

The order of work avoids tripping over unique names and slugs: first everything the file no
longer has is removed (deepest first), then teams, personas and journeys are updated or
created, then responsibilities and handoffs once every step exists, and last the personas
nobody lists any more. Each write goes through an action with `acting_user=SYSTEM` (the trusted
CLI), so it is validated and recorded in history like any other change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, models
from django.utils.text import slugify

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import InvalidInput
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.as_code_document import Document, JourneySpec, StepSpec
from cxkeeper.journeys.as_code_yaml import Path, WorkspaceFileError
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import GlossaryTerm, Team, Workspace

SECTIONS = ("workspace", "glossary", "team", "persona", "journey", "metric", "outcomes", "outcome", "KPI")
FILE_FIELD_NAMES = {"is_lead": "lead"}  # model field → its name in the file


@dataclass(frozen=True)
class Change:
    """One line of the diff: `op` is "+" (created), "~" (changed) or "-" (deleted)."""

    op: str
    path: tuple[str, ...]
    fields: tuple[str, ...] = ()
    # Where the line goes in the printed diff: journey-map lines follow the file's order.
    sort_key: tuple = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        text = f"{self.op} {' › '.join(self.path)}"
        return text + (f": {', '.join(self.fields)}" if self.fields else "")

    @property
    def section(self) -> str:
        return self.path[0].split(" ", 1)[0]


class ApplyFailed(Exception):
    """An action refused a write the checks did not foresee; the whole apply is rolled back."""

    def __init__(self, error: WorkspaceFileError):
        super().__init__(str(error))
        self.error = error


def _q(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _differences(obj: models.Model, desired: dict) -> dict:
    """The entries of `desired` (model field → value) that differ from `obj`."""
    changes = {}
    for name, value in desired.items():
        field = obj._meta.get_field(name)
        if field.is_relation:
            current, new = getattr(obj, field.attname), (value.pk if value is not None else None)
        else:
            current, new = getattr(obj, name), value
        if current != new:
            changes[name] = value
    return changes


def _labels(changes: dict) -> tuple[str, ...]:
    return tuple(FILE_FIELD_NAMES.get(name, name) for name in changes if name != "position")


def _plan_positions(names: list[str], existing: dict[str, models.Model]) -> dict[str, int]:
    """Positions for the file's order. Existing positions are kept when the order already holds
    and new items fit between them (so appending never renumbers); otherwise 0..n-1."""
    positions: dict[str, int] = {}
    previous, run = -1, []
    for name in names:
        if name not in existing:
            run.append(name)
            continue
        position = existing[name].position
        if position <= previous + len(run):
            return {n: i for i, n in enumerate(names)}
        positions.update({n: previous + 1 + i for i, n in enumerate(run)})
        positions[name], previous, run = position, position, []
    positions.update({n: previous + 1 + i for i, n in enumerate(run)})
    return positions


def _reordered(names: list[str], existing: dict[str, models.Model]) -> bool:
    kept = sorted((obj for name, obj in existing.items() if name in names), key=lambda o: (o.position, o.pk))
    return [obj.name for obj in kept] != [name for name in names if name in existing]


def _plan_slugs(specs, existing: dict[str, models.Model]) -> dict[str, str]:
    """Explicit slugs as written; an omitted slug keeps the existing one, or is made from the name."""
    plan = {spec.name: spec.slug for spec in specs if spec.slug}
    taken = set(plan.values())
    for spec in specs:
        current = existing.get(spec.name)
        if not spec.slug and current is not None and current.slug not in taken:
            plan[spec.name] = current.slug
            taken.add(current.slug)
    for spec in specs:
        if spec.name not in plan:
            base = slugify(spec.name)[:90] or "item"
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            plan[spec.name] = slug
            taken.add(slug)
    return plan


class WorkspaceSync:
    def __init__(self, document: Document):
        self.doc = document
        self.changes: list[Change] = []
        self.steps: dict[tuple[str, str, str], Step] = {}
        # File positions of journeys, stages and steps, to print the diff in the file's order.
        self.order: dict[tuple, tuple] = {}
        for j, journey in enumerate(document.journeys):
            self.order[(journey.name,)] = (j,)
            for s, stage in enumerate(journey.stages):
                self.order[(journey.name, stage.name)] = (j, s)
                for t, step in enumerate(stage.steps):
                    self.order[(journey.name, stage.name, step.name)] = (j, s, t)

    # ------------------------------------------------------------ plumbing

    def _do(self, where: Path, action: Callable, *args, **kwargs):
        """Run an action; a refusal becomes an error at the file position being applied."""
        try:
            return action(*args, **kwargs)
        except InvalidInput as exc:
            detail = "; ".join(f"{FILE_FIELD_NAMES.get(k, k) if k != '__all__' else 'value'}: {' '.join(v)}"
                               for k, v in exc.errors.items())
            raise ApplyFailed(self.doc.error(where, f"could not be saved: {detail}")) from exc
        except IntegrityError as exc:
            raise ApplyFailed(self.doc.error(where, f"could not be saved: {exc}")) from exc

    def _record(self, op: str, path: tuple[str, ...], fields: tuple[str, ...] = (),
                order: tuple = ()) -> None:
        self.changes.append(Change(op, path, fields, order))

    def run(self) -> list[Change]:
        from cxkeeper.journeys.as_code_outcomes_apply import OutcomesSync  # it builds on this module

        workspace = Workspace.current()
        # One apply at a time: the settings row is the lock (SQLite serializes writers anyway).
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        outcomes = OutcomesSync(self)
        self._workspace()
        self._glossary()
        outcomes.prune()  # before the map and teams change, so nothing goes by a silent cascade
        self._prune_map()
        self._teams()
        self._personas()
        self._journeys()
        self._responsibilities()
        self._handoffs()
        outcomes.apply()
        self._prune_personas()
        unique = list(dict.fromkeys(self.changes))  # a statement's target cleared, then set: one line
        return sorted(unique, key=lambda c: (SECTIONS.index(c.section), c.sort_key))

    # ------------------------------------------------------------ settings and language

    def _workspace(self) -> None:
        spec = self.doc.workspace
        workspace = Workspace.current()
        changes = _differences(workspace, {"name": spec.name, "mission": spec.mission,
                                           "review_interval_days": spec.review_interval_days})
        if changes:
            self._do(spec.path, org_actions.update_workspace, changes, expected_version=None,
                     acting_user=SYSTEM)
            self._record("~", ("workspace",), _labels(changes))

    def _glossary(self) -> None:
        wanted = {spec.term: spec for spec in self.doc.glossary}
        existing = {term.term: term for term in GlossaryTerm.objects.all()}
        for term, obj in sorted(existing.items()):
            if term not in wanted:
                org_actions.delete_glossary_term(obj, expected_version=None, acting_user=SYSTEM)
                self._record("-", (f"glossary term {_q(term)}",))
        for spec in self.doc.glossary:
            path = (f"glossary term {_q(spec.term)}",)
            if spec.term in existing:
                changes = _differences(existing[spec.term], {"definition": spec.definition})
                if changes:
                    self._do(spec.path, org_actions.update_glossary_term, existing[spec.term], changes,
                             expected_version=None, acting_user=SYSTEM)
                    self._record("~", path, _labels(changes))
            else:
                self._do(spec.path, org_actions.add_glossary_term, spec.term, spec.definition,
                         acting_user=SYSTEM)
                self._record("+", path)

    # ------------------------------------------------------------ removing what the file no longer has

    def _prune_map(self) -> None:
        journeys = {j.name for j in self.doc.journeys}
        stages = {(j.name, s.name) for j in self.doc.journeys for s in j.stages}
        steps = {(j.name, s.name, t.name): t for j in self.doc.journeys for s in j.stages for t in s.steps}
        responsibilities = {key + (r.team,) for key, t in steps.items() for r in t.responsibilities}
        handoffs = {(key, h.from_team, h.to, h.to_team) for key, t in steps.items() for h in t.handoffs}

        def key_of(step: Step) -> tuple[str, str, str]:
            return (step.stage.journey.name, step.stage.name, step.name)

        def step_path(key) -> tuple[str, ...]:
            return (f"journey {_q(key[0])}", f"stage {_q(key[1])}", f"step {_q(key[2])}")

        for handoff in Handoff.objects.select_related(
            "from_step__stage__journey", "to_step__stage__journey", "from_team", "to_team"
        ).order_by("pk"):
            source = key_of(handoff.from_step)
            if source in steps and (source, handoff.from_team.name, key_of(handoff.to_step),
                                    handoff.to_team.name) not in handoffs:
                label = self._handoff_label(source, handoff.from_team.name, key_of(handoff.to_step),
                                            handoff.to_team.name)
                journey_actions.remove_handoff(handoff, expected_version=None, acting_user=SYSTEM)
                self._record("-", step_path(source) + (label,), order=self.order[source] + (2, -1))
        for resp in Responsibility.objects.select_related("step__stage__journey", "team").order_by("pk"):
            key = key_of(resp.step)
            if key in steps and key + (resp.team.name,) not in responsibilities:
                journey_actions.remove_responsibility(resp, expected_version=None, acting_user=SYSTEM)
                self._record("-", step_path(key) + (f"responsibility {_q(resp.team.name)}",),
                             order=self.order[key] + (1, -1))
        for step in Step.objects.select_related("stage__journey").order_by("pk"):
            key = key_of(step)
            if key[:2] in stages and key not in steps:
                journey_actions.delete_step(step, expected_version=None, acting_user=SYSTEM)
                self._record("-", step_path(key), order=self.order[key[:2]] + (-1,))
        for stage in Stage.objects.select_related("journey").order_by("pk"):
            if stage.journey.name in journeys and (stage.journey.name, stage.name) not in stages:
                journey_actions.delete_stage(stage, expected_version=None, acting_user=SYSTEM)
                self._record("-", (f"journey {_q(stage.journey.name)}", f"stage {_q(stage.name)}"),
                             order=self.order[(stage.journey.name,)] + (-1,))
        for journey in Journey.objects.order_by("pk"):
            if journey.name not in journeys:
                journey_actions.delete_journey(journey, expected_version=None, acting_user=SYSTEM)
                self._record("-", (f"journey {_q(journey.name)}",), order=(-1,))

    def _handoff_label(self, source, from_team: str, target, to_team: str) -> str:
        to = " / ".join(target[1:] if target[0] == source[0] else target)
        return f"handoff {_q(f'{from_team} → {to_team}')} to {_q(to)}"

    # ------------------------------------------------------------ teams, personas, journeys

    def _update_all(self, updates: list[tuple[Path, tuple[str, ...], models.Model, dict]], update) -> None:
        """Apply field updates, ordering them so that swapped slugs never collide midway."""
        holders = {obj.slug: obj.pk for _, _, obj, _ in updates if hasattr(obj, "slug")}
        pending = list(updates)
        while pending:
            ready = [u for u in pending if holders.get(u[3].get("slug"), u[2].pk) == u[2].pk]
            if not ready:  # a cycle (a ↔ b): park one on a temporary slug first
                where, _, obj, _ = pending[0]
                holders.pop(obj.slug, None)
                obj = self._do(where, update, obj, {"slug": f"{obj.slug[:80]}-{obj.pk}-renaming"},
                               expected_version=None, acting_user=SYSTEM)
                pending[0] = (pending[0][0], pending[0][1], obj, pending[0][3])
                continue
            for where, path, obj, changes in ready:
                holders.pop(obj.slug, None)
                self._do(where, update, obj, changes, expected_version=None, acting_user=SYSTEM)
                holders[changes.get("slug", obj.slug)] = obj.pk
                pending.remove((where, path, obj, changes))
        for _, path, obj, changes in updates:  # reported in the file's order, whatever order they ran in
            order = self.order[(obj.name,)] if isinstance(obj, Journey) else ()
            self._record("~", path, _labels(changes), order=order)

    def _teams(self) -> None:
        wanted = {spec.name for spec in self.doc.teams}
        existing = {team.name: team for team in Team.objects.all()}
        for name, team in sorted(existing.items()):
            if name not in wanted:
                org_actions.delete_team(team, expected_version=None, acting_user=SYSTEM)
                self._record("-", (f"team {_q(name)}",))
        existing = {name: team for name, team in existing.items() if name in wanted}
        slugs = _plan_slugs(self.doc.teams, existing)
        updates, creates = [], []
        for spec in self.doc.teams:
            values = {"slug": slugs[spec.name], "function": spec.function, "office": spec.office,
                      "customer_facing": spec.customer_facing,
                      "lead": self.doc.users[spec.lead] if spec.lead else None,
                      "description": spec.description}
            if spec.name in existing:
                changes = _differences(existing[spec.name], values)
                if changes:
                    updates.append((spec.path, (f"team {_q(spec.name)}",), existing[spec.name], changes))
            else:
                creates.append((spec, values))
        self._update_all(updates, org_actions.update_team)
        for spec, values in creates:
            self._do(spec.path, org_actions.create_team, {"name": spec.name, **values}, acting_user=SYSTEM)
            self._record("+", (f"team {_q(spec.name)}",))

    def _personas(self) -> None:
        existing = {persona.name: persona for persona in Persona.objects.all()}
        for spec in self.doc.personas:
            path = (f"persona {_q(spec.name)}",)
            if spec.name in existing:
                changes = _differences(existing[spec.name], {"description": spec.description})
                if changes:
                    self._do(spec.path, journey_actions.update_persona, existing[spec.name], changes,
                             expected_version=None, acting_user=SYSTEM)
                    self._record("~", path, _labels(changes))
            else:
                self._do(spec.path, journey_actions.create_persona,
                         {"name": spec.name, "description": spec.description}, acting_user=SYSTEM)
                self._record("+", path)

    def _prune_personas(self) -> None:
        wanted = {spec.name for spec in self.doc.personas}
        for persona in Persona.objects.order_by("name"):
            if persona.name not in wanted:
                journey_actions.delete_persona(persona, expected_version=None, acting_user=SYSTEM)
                self._record("-", (f"persona {_q(persona.name)}",))

    def _journeys(self) -> None:
        existing = {journey.name: journey for journey in Journey.objects.all()}
        personas = {persona.name: persona for persona in Persona.objects.all()}
        slugs = _plan_slugs(self.doc.journeys, existing)
        updates, creates = [], []
        for spec in self.doc.journeys:
            values = {"slug": slugs[spec.name], "description": spec.description,
                      "persona": personas[spec.persona] if spec.persona else None,
                      "keeper": self.doc.users[spec.keeper] if spec.keeper else None, "status": spec.status}
            if spec.name in existing:
                changes = _differences(existing[spec.name], values)
                if changes:
                    updates.append((spec.path, (f"journey {_q(spec.name)}",), existing[spec.name], changes))
            else:
                creates.append((spec, values))
        self._update_all(updates, journey_actions.update_journey)
        for spec, values in creates:
            self._do(spec.path, journey_actions.create_journey, {"name": spec.name, **values},
                     acting_user=SYSTEM)
            self._record("+", (f"journey {_q(spec.name)}",), order=self.order[(spec.name,)])
        for spec in self.doc.journeys:
            self._stages(spec, Journey.objects.get(name=spec.name))

    def _stages(self, spec: JourneySpec, journey: Journey) -> None:
        path = (f"journey {_q(spec.name)}",)
        existing = {stage.name: stage for stage in journey.stages.all()}
        names = [stage.name for stage in spec.stages]
        positions = _plan_positions(names, existing)
        if _reordered(names, existing):
            self._record("~", path, ("stage order",), order=self.order[(spec.name,)] + (-1,))
        for stage_spec in spec.stages:
            values = {"description": stage_spec.description, "position": positions[stage_spec.name]}
            stage_path = path + (f"stage {_q(stage_spec.name)}",)
            stage = existing.get(stage_spec.name)
            if stage is None:
                stage = self._do(stage_spec.path, journey_actions.add_stage, journey,
                                 {"name": stage_spec.name, **values}, acting_user=SYSTEM)
                self._record("+", stage_path, order=self.order[(spec.name, stage_spec.name)])
            else:
                changes = _differences(stage, values)
                if changes:
                    stage = self._do(stage_spec.path, journey_actions.update_stage, stage, changes,
                                     expected_version=None, acting_user=SYSTEM)
                    if _labels(changes):
                        self._record("~", stage_path, _labels(changes),
                                     order=self.order[(spec.name, stage_spec.name)])
            self._steps(stage_spec.steps, stage, stage_path, spec.name)

    def _steps(self, specs: list[StepSpec], stage: Stage, stage_path: tuple[str, ...], journey_name: str):
        existing = {step.name: step for step in stage.steps.all()}
        names = [step.name for step in specs]
        positions = _plan_positions(names, existing)
        if _reordered(names, existing):
            self._record("~", stage_path, ("step order",),
                         order=self.order[(journey_name, stage.name)] + (-1,))
        for spec in specs:
            values = {"lane": spec.lane, "channel": spec.channel, "description": spec.description,
                      "phrases": spec.phrases, "position": positions[spec.name]}
            step_path = stage_path + (f"step {_q(spec.name)}",)
            step = existing.get(spec.name)
            if step is None:
                step = self._do(spec.path, journey_actions.add_step, stage, {"name": spec.name, **values},
                                acting_user=SYSTEM)
                self._record("+", step_path, order=self.order[(journey_name, stage.name, spec.name)])
            else:
                changes = _differences(step, values)
                if changes:
                    step = self._do(spec.path, journey_actions.update_step, step, changes,
                                    expected_version=None, acting_user=SYSTEM)
                    if _labels(changes):
                        self._record("~", step_path, _labels(changes),
                                     order=self.order[(journey_name, stage.name, spec.name)])
            self.steps[(journey_name, stage.name, spec.name)] = step

    # ------------------------------------------------------------ responsibilities and handoffs

    def _step_specs(self):
        for journey in self.doc.journeys:
            for stage in journey.stages:
                for step in stage.steps:
                    key = (journey.name, stage.name, step.name)
                    path = (f"journey {_q(key[0])}", f"stage {_q(key[1])}", f"step {_q(key[2])}")
                    yield key, path, step

    def _responsibilities(self) -> None:
        teams = {team.name: team for team in Team.objects.all()}
        for key, step_path, spec in self._step_specs():
            step = self.steps[key]
            existing = {r.team.name: r for r in step.responsibilities.select_related("team")}
            # A lead that moves is first taken away, so no action has to clear it behind our back.
            def loses_lead(r, existing=existing):
                return r.team in existing and existing[r.team].is_lead and not r.is_lead

            order = sorted(spec.responsibilities, key=lambda r: not loses_lead(r))
            for resp_spec in order:
                values = {"role": resp_spec.role, "is_lead": resp_spec.is_lead, "note": resp_spec.note}
                path = step_path + (f"responsibility {_q(resp_spec.team)}",)
                current = existing.get(resp_spec.team)
                if current is None:
                    self._do(resp_spec.path, journey_actions.assign_responsibility, step,
                             teams[resp_spec.team], values, acting_user=SYSTEM)
                    self._record("+", path, order=self.order[key] + (1,))
                else:
                    current.refresh_from_db()
                    changes = _differences(current, values)
                    if changes:
                        self._do(resp_spec.path, journey_actions.update_responsibility, current, changes,
                                 expected_version=None, acting_user=SYSTEM)
                        self._record("~", path, _labels(changes), order=self.order[key] + (1,))

    def _handoffs(self) -> None:
        teams = {team.name: team for team in Team.objects.all()}
        for key, step_path, spec in self._step_specs():
            step = self.steps[key]
            existing = {
                (h.from_team.name, (h.to_step.stage.journey.name, h.to_step.stage.name, h.to_step.name),
                 h.to_team.name): h
                for h in step.handoffs_out.select_related("from_team", "to_team", "to_step__stage__journey")
            }
            for handoff_spec in spec.handoffs:
                identity = (handoff_spec.from_team, handoff_spec.to, handoff_spec.to_team)
                path = step_path + (self._handoff_label(key, handoff_spec.from_team, handoff_spec.to,
                                                        handoff_spec.to_team),)
                current = existing.get(identity)
                if current is None:
                    self._do(handoff_spec.path, journey_actions.add_handoff, {
                        "from_step": step, "from_team": teams[handoff_spec.from_team],
                        "to_step": self.steps[handoff_spec.to], "to_team": teams[handoff_spec.to_team],
                        "description": handoff_spec.description,
                    }, acting_user=SYSTEM)
                    self._record("+", path, order=self.order[key] + (2,))
                else:
                    changes = _differences(current, {"description": handoff_spec.description})
                    if changes:
                        self._do(handoff_spec.path, journey_actions.update_handoff, current, changes,
                                 expected_version=None, acting_user=SYSTEM)
                        self._record("~", path, _labels(changes), order=self.order[key] + (2,))
