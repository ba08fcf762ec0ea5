"""Applying the journey map's part of the file through `cxkeeper.journeys.actions`.

The order of work avoids tripping over unique names and slugs: first everything the file no
longer has is removed, deepest first (`prune_map`, before teams change); then, once teams exist,
personas and journeys are updated or created with their stages and steps, then
responsibilities and handoffs once every step exists, and last the personas nobody lists any
more (`prune_personas`). Diff lines of the map follow the file's order.
"""

from __future__ import annotations

from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.org.models import Team
from cxkeeper.workspace.changes import ApplyState, differences, labels, plan_slugs, positions, quote, update_in_order
from cxkeeper.workspace.sections.journeys import JourneySpec, StepSpec


def _stored(objects) -> list[tuple]:
    return [(obj.name, obj.position, obj.pk) for obj in objects]


class JourneysSync:
    def __init__(self, state: ApplyState):
        self.state = state
        self.doc = state.doc
        self.actor = state.actor
        # File positions of journeys, stages and steps, to print the diff in the file's order.
        self.order: dict[tuple, tuple] = {}
        for j, journey in enumerate(self.doc.journeys):
            self.order[(journey.name,)] = (j,)
            for s, stage in enumerate(journey.stages):
                self.order[(journey.name, stage.name)] = (j, s)
                for t, step in enumerate(stage.steps):
                    self.order[(journey.name, stage.name, step.name)] = (j, s, t)

    def _do(self, where, action, *args, **kwargs):
        return self.state.do(where, action, *args, **kwargs)

    def _record(self, op, path, fields=(), order=()):
        self.state.record(op, path, fields, order)

    # ------------------------------------------------------------ removing what the file no longer has

    def prune_map(self) -> None:
        journeys = {j.name for j in self.doc.journeys}
        stages = {(j.name, s.name) for j in self.doc.journeys for s in j.stages}
        steps = {(j.name, s.name, t.name): t for j in self.doc.journeys for s in j.stages for t in s.steps}
        responsibilities = {key + (r.team,) for key, t in steps.items() for r in t.responsibilities}
        handoffs = {(key, h.from_team, h.to, h.to_team) for key, t in steps.items() for h in t.handoffs}
        where = ("journeys",)

        def key_of(step: Step) -> tuple[str, str, str]:
            return (step.stage.journey.name, step.stage.name, step.name)

        def step_path(key) -> tuple[str, ...]:
            return (f"journey {quote(key[0])}", f"stage {quote(key[1])}", f"step {quote(key[2])}")

        for handoff in Handoff.objects.select_related(
            "from_step__stage__journey", "to_step__stage__journey", "from_team", "to_team"
        ).order_by("pk"):
            source = key_of(handoff.from_step)
            if source in steps and (source, handoff.from_team.name, key_of(handoff.to_step),
                                    handoff.to_team.name) not in handoffs:
                label = self._handoff_label(source, handoff.from_team.name, key_of(handoff.to_step),
                                            handoff.to_team.name)
                self._do(where, journey_actions.remove_handoff, handoff, expected_version=None,
                         acting_user=self.actor)
                self._record("-", step_path(source) + (label,), order=self.order[source] + (2, -1))
        for resp in Responsibility.objects.select_related("step__stage__journey", "team").order_by("pk"):
            key = key_of(resp.step)
            if key in steps and key + (resp.team.name,) not in responsibilities:
                self._do(where, journey_actions.remove_responsibility, resp, expected_version=None,
                         acting_user=self.actor)
                self._record("-", step_path(key) + (f"responsibility {quote(resp.team.name)}",),
                             order=self.order[key] + (1, -1))
        for step in Step.objects.select_related("stage__journey").order_by("pk"):
            key = key_of(step)
            if key[:2] in stages and key not in steps:
                self._do(where, journey_actions.delete_step, step, expected_version=None, acting_user=self.actor)
                self._record("-", step_path(key), order=self.order[key[:2]] + (-1,))
        for stage in Stage.objects.select_related("journey").order_by("pk"):
            if stage.journey.name in journeys and (stage.journey.name, stage.name) not in stages:
                self._do(where, journey_actions.delete_stage, stage, expected_version=None, acting_user=self.actor)
                self._record("-", (f"journey {quote(stage.journey.name)}", f"stage {quote(stage.name)}"),
                             order=self.order[(stage.journey.name,)] + (-1,))
        for journey in Journey.objects.order_by("pk"):
            if journey.name not in journeys:
                self._do(where, journey_actions.delete_journey, journey, expected_version=None,
                         acting_user=self.actor)
                self._record("-", (f"journey {quote(journey.name)}",), order=(-1,))

    def _handoff_label(self, source, from_team: str, target, to_team: str) -> str:
        to = " / ".join(target[1:] if target[0] == source[0] else target)
        return f"handoff {quote(f'{from_team} → {to_team}')} to {quote(to)}"

    def prune_personas(self) -> None:
        wanted = {spec.name for spec in self.doc.personas}
        for persona in Persona.objects.order_by("name"):
            if persona.name not in wanted:
                self._do(("personas",), journey_actions.delete_persona, persona, expected_version=None,
                         acting_user=self.actor)
                self._record("-", (f"persona {quote(persona.name)}",))

    # ------------------------------------------------------------ personas, journeys, stages, steps

    def personas(self) -> None:
        existing = {persona.name: persona for persona in Persona.objects.all()}
        for spec in self.doc.personas:
            path = (f"persona {quote(spec.name)}",)
            if spec.name in existing:
                changes = differences(existing[spec.name], {"description": spec.description})
                if changes:
                    self._do(spec.path, journey_actions.update_persona, existing[spec.name], changes,
                             expected_version=None, acting_user=self.actor)
                    self._record("~", path, labels(changes))
            else:
                self._do(spec.path, journey_actions.create_persona,
                         {"name": spec.name, "description": spec.description}, acting_user=self.actor)
                self._record("+", path)

    def journeys(self) -> None:
        existing = {journey.name: journey for journey in Journey.objects.all()}
        personas = {persona.name: persona for persona in Persona.objects.all()}
        slugs = plan_slugs(self.doc.journeys, existing)
        updates, creates = [], []
        for spec in self.doc.journeys:
            values = {"slug": slugs[spec.name], "description": spec.description,
                      "persona": personas[spec.persona] if spec.persona else None,
                      "keeper": self.state.users[spec.keeper] if spec.keeper else None, "status": spec.status}
            if spec.name in existing:
                changes = differences(existing[spec.name], values)
                if changes:
                    updates.append((spec.path, (f"journey {quote(spec.name)}",), existing[spec.name], changes))
            else:
                creates.append((spec, values))
        update_in_order(self.state, updates, journey_actions.update_journey,
                        order_of=lambda journey: self.order[(journey.name,)])
        for spec, values in creates:
            self._do(spec.path, journey_actions.create_journey, {"name": spec.name, **values},
                     acting_user=self.actor)
            self._record("+", (f"journey {quote(spec.name)}",), order=self.order[(spec.name,)])
        for spec in self.doc.journeys:
            self._stages(spec, Journey.objects.get(name=spec.name))

    def _stages(self, spec: JourneySpec, journey: Journey) -> None:
        path = (f"journey {quote(spec.name)}",)
        existing = {stage.name: stage for stage in journey.stages.all()}
        planned, reordered = positions([stage.name for stage in spec.stages], _stored(existing.values()))
        if reordered:
            self._record("~", path, ("stage order",), order=self.order[(spec.name,)] + (-1,))
        for stage_spec in spec.stages:
            values = {"description": stage_spec.description, "position": planned[stage_spec.name]}
            stage_path = path + (f"stage {quote(stage_spec.name)}",)
            stage = existing.get(stage_spec.name)
            if stage is None:
                stage = self._do(stage_spec.path, journey_actions.add_stage, journey,
                                 {"name": stage_spec.name, **values}, acting_user=self.actor)
                self._record("+", stage_path, order=self.order[(spec.name, stage_spec.name)])
            else:
                changes = differences(stage, values)
                if changes:
                    stage = self._do(stage_spec.path, journey_actions.update_stage, stage, changes,
                                     expected_version=None, acting_user=self.actor)
                    if labels(changes):
                        self._record("~", stage_path, labels(changes),
                                     order=self.order[(spec.name, stage_spec.name)])
            self._steps(stage_spec.steps, stage, stage_path, spec.name)

    def _steps(self, specs: list[StepSpec], stage: Stage, stage_path: tuple[str, ...], journey_name: str):
        existing = {step.name: step for step in stage.steps.all()}
        planned, reordered = positions([step.name for step in specs], _stored(existing.values()))
        if reordered:
            self._record("~", stage_path, ("step order",), order=self.order[(journey_name, stage.name)] + (-1,))
        for spec in specs:
            values = {"lane": spec.lane, "channel": spec.channel, "description": spec.description,
                      "phrases": spec.phrases, "position": planned[spec.name]}
            step_path = stage_path + (f"step {quote(spec.name)}",)
            step = existing.get(spec.name)
            if step is None:
                step = self._do(spec.path, journey_actions.add_step, stage, {"name": spec.name, **values},
                                acting_user=self.actor)
                self._record("+", step_path, order=self.order[(journey_name, stage.name, spec.name)])
            else:
                changes = differences(step, values)
                if changes:
                    step = self._do(spec.path, journey_actions.update_step, step, changes,
                                    expected_version=None, acting_user=self.actor)
                    if labels(changes):
                        self._record("~", step_path, labels(changes),
                                     order=self.order[(journey_name, stage.name, spec.name)])
            self.state.steps[(journey_name, stage.name, spec.name)] = step

    # ------------------------------------------------------------ responsibilities and handoffs

    def _step_specs(self):
        for journey in self.doc.journeys:
            for stage in journey.stages:
                for step in stage.steps:
                    key = (journey.name, stage.name, step.name)
                    path = (f"journey {quote(key[0])}", f"stage {quote(key[1])}", f"step {quote(key[2])}")
                    yield key, path, step

    def responsibilities(self) -> None:
        teams = {team.name: team for team in Team.objects.all()}
        for key, step_path, spec in self._step_specs():
            step = self.state.steps[key]
            existing = {r.team.name: r for r in step.responsibilities.select_related("team")}

            # A lead that moves is first taken away, so no action has to clear it behind our back.
            def loses_lead(r, existing=existing):
                return r.team in existing and existing[r.team].is_lead and not r.is_lead

            for resp_spec in sorted(spec.responsibilities, key=lambda r: not loses_lead(r)):
                values = {"role": resp_spec.role, "is_lead": resp_spec.is_lead, "note": resp_spec.note}
                path = step_path + (f"responsibility {quote(resp_spec.team)}",)
                current = existing.get(resp_spec.team)
                if current is None:
                    self._do(resp_spec.path, journey_actions.assign_responsibility, step,
                             teams[resp_spec.team], values, acting_user=self.actor)
                    self._record("+", path, order=self.order[key] + (1,))
                else:
                    current.refresh_from_db()
                    changes = differences(current, values)
                    if changes:
                        self._do(resp_spec.path, journey_actions.update_responsibility, current, changes,
                                 expected_version=None, acting_user=self.actor)
                        self._record("~", path, labels(changes), order=self.order[key] + (1,))

    def handoffs(self) -> None:
        teams = {team.name: team for team in Team.objects.all()}
        for key, step_path, spec in self._step_specs():
            step = self.state.steps[key]
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
                        "to_step": self.state.steps[handoff_spec.to], "to_team": teams[handoff_spec.to_team],
                        "description": handoff_spec.description,
                    }, acting_user=self.actor)
                    self._record("+", path, order=self.order[key] + (2,))
                else:
                    changes = differences(current, {"description": handoff_spec.description})
                    if changes:
                        self._do(handoff_spec.path, journey_actions.update_handoff, current, changes,
                                 expected_version=None, acting_user=self.actor)
                        self._record("~", path, labels(changes), order=self.order[key] + (2,))
