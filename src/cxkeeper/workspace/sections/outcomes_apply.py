"""Applying the `outcomes` section, through `cxkeeper.outcomes.actions` (audited, versioned).

Two passes around the journey-map sync (see `workspace/apply.py` for the whole order):

`prune()` runs before the map and the teams change. With an `outcomes` section it removes the
success statements, targets and team KPIs the file no longer has; without one, it removes only
what the rest of the file takes away from under them — targets whose journey, stage or step is
deleted, KPIs whose team is deleted — each as its own line in the diff, never silently by a
database cascade. Every other outcome is left as it is.

`apply()` runs once every journey, stage, step and team exists: it creates and updates metric
definitions, shared outcomes (with their metrics and order), targets, success statements, team
KPIs with their values and links, and last removes the outcomes and metric definitions the file
no longer has (by then nothing uses them).
"""

from __future__ import annotations

from cxkeeper.journeys.models import Journey, Stage
from cxkeeper.org.models import Team
from cxkeeper.outcomes import actions
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.outcomes.choices import KpiSource, Scope
from cxkeeper.outcomes.models import BASE_METRICS, KpiLink, MetricDefinition, SharedOutcome, SuccessStatement, TeamKpi
from cxkeeper.workspace.changes import ApplyState, differences, labels, positions, quote
from cxkeeper.workspace.sections.outcomes import (
    SCOPE_PARTS,
    db_target_identity,
    db_target_place,
    stored_targets,
    target_label,
)

VALUES_SOURCE = "journey-as-code"


class OutcomesSync:
    def __init__(self, state: ApplyState):
        self.state = state
        self.actor = state.actor
        self.doc = state.doc
        self.spec = state.doc.outcomes
        self.targets: dict[str, object] = {}  # target key in the file → Target
        doc = state.doc
        self.file_journeys = {j.name for j in doc.journeys}
        self.file_stages = {(j.name, s.name) for j in doc.journeys for s in j.stages}
        self.file_steps = {(j.name, s.name, t.name) for j in doc.journeys for s in j.stages for t in s.steps}
        self.file_teams = {t.name for t in doc.teams}
        self.order: dict[tuple, tuple] = {}
        if self.spec is not None:
            for o, outcome in enumerate(self.spec.outcomes):
                self.order[("outcome", outcome.name)] = (o,)
            for k, kpi in enumerate(self.spec.kpis):
                self.order[("kpi",) + kpi.identity] = (k,)

    # ------------------------------------------------------------ plumbing

    def _do(self, where, action, *args, **kwargs):
        return self.state.do(where, action, *args, **kwargs)

    def _record(self, op, path, fields=(), order=()):
        self.state.record(op, path, fields, order)

    @property
    def _section_path(self):
        return self.spec.path if self.spec is not None else ()

    @staticmethod
    def _outcome_path(name: str) -> tuple[str, ...]:
        return (f"outcome {quote(name)}",)

    @staticmethod
    def _kpi_path(team: str, name: str) -> tuple[str, ...]:
        return (f"KPI {quote(f'{team} / {name}')}",)

    def _statement_path(self, outcome: str, goal: str) -> tuple[str, ...]:
        return self._outcome_path(outcome) + (f"success statement {quote(goal)}",)

    def _target_path(self, outcome: str, metric: str, place, due) -> tuple[str, ...]:
        return self._outcome_path(outcome) + (f"target {quote(target_label(metric, place, due))}",)

    def _outcome_order(self, name: str, *rest) -> tuple:
        return self.order.get(("outcome", name), (-1,)) + rest

    # ------------------------------------------------------------ before the map changes

    def prune(self) -> None:
        if self.spec is None:
            self._prune_orphans()
            return
        wanted_statements = {(s.outcome, s.customer_goal) for s in self.spec.statements}
        for statement in SuccessStatement.objects.select_related("outcome").order_by("pk"):
            if (statement.outcome.name, statement.customer_goal) not in wanted_statements:
                self._do(self._section_path, actions.delete_success_statement, statement,
                         expected_version=None, acting_user=self.actor)
                self._record("-", self._statement_path(statement.outcome.name, statement.customer_goal),
                             order=self._outcome_order(statement.outcome.name, 2, -1))
        wanted_targets = {t.identity for t in self.spec.targets}
        for target in stored_targets().order_by("pk"):
            if db_target_identity(target) not in wanted_targets:
                self._delete_target(target)
        wanted_kpis = {k.identity for k in self.spec.kpis}
        for kpi in TeamKpi.objects.select_related("team").order_by("pk"):
            if (kpi.team.name, kpi.name) not in wanted_kpis:
                self._delete_kpi(kpi)

    def _prune_orphans(self) -> None:
        """No outcomes section: only what loses its journey, stage, step or team goes."""
        for target in stored_targets().order_by("pk"):
            journey, stage, step = db_target_place(target)
            gone = ((step is not None and (journey, stage, step) not in self.file_steps)
                    or (stage is not None and (journey, stage) not in self.file_stages)
                    or (journey is not None and journey not in self.file_journeys))
            if gone:
                self._delete_target(target)
        for kpi in TeamKpi.objects.select_related("team").order_by("pk"):
            if kpi.team.name not in self.file_teams:
                self._delete_kpi(kpi)

    def _delete_target(self, target) -> None:
        # Statements that stay lose their target through an action (recorded), not by SET NULL.
        for statement in target.statements.select_related("outcome").order_by("pk"):
            self._do(self._section_path, actions.update_success_statement, statement, {"target": None},
                     expected_version=None, acting_user=self.actor)
            self._record("~", self._statement_path(statement.outcome.name, statement.customer_goal), ("target",),
                         order=self._outcome_order(statement.outcome.name, 2, 0))
        path = self._target_path(target.outcome.name, target.metric.key, db_target_place(target), target.due)
        self._do(self._section_path, actions.delete_target, target, expected_version=None, acting_user=self.actor)
        self._record("-", path, order=self._outcome_order(target.outcome.name, 1, -1))

    def _delete_kpi(self, kpi) -> None:
        self._do(self._section_path, actions.delete_team_kpi, kpi, expected_version=None, acting_user=self.actor)
        self._record("-", self._kpi_path(kpi.team.name, kpi.name), order=(-1,))

    # ------------------------------------------------------------ after the map and teams are in place

    def apply(self) -> None:
        if self.spec is None:
            return
        self.metrics = self._metrics()
        self.outcomes = self._outcomes()
        self._targets()
        self._statements()
        self._kpis()
        for outcome in SharedOutcome.objects.order_by("pk"):
            if outcome.name not in self.outcomes:
                self._do(self._section_path, actions.delete_outcome, outcome, expected_version=None,
                         acting_user=self.actor)
                self._record("-", self._outcome_path(outcome.name), order=(-1,))
        for metric in MetricDefinition.objects.order_by("key"):
            if metric.key not in self.metrics:
                self._do(self._section_path, actions.delete_metric, metric, expected_version=None,
                         acting_user=self.actor)
                self._record("-", (f"metric {quote(metric.key)}",), order=(metric.key,))

    def _metrics(self) -> dict[str, MetricDefinition]:
        existing = {m.key: m for m in MetricDefinition.objects.all()}
        result = {}
        for spec in self.spec.metrics:
            values = {"name": spec.name, "base": spec.base, "channel": spec.channel, "segment": spec.segment,
                      "direction": spec.direction or BASE_METRICS[spec.base][2], "description": spec.description}
            path = (f"metric {quote(spec.key)}",)
            metric = existing.get(spec.key)
            if metric is None:
                metric = self._do(spec.path, actions.define_metric, {"key": spec.key, **values}, acting_user=self.actor)
                self._record("+", path, order=(spec.key,))
            else:
                changes = differences(metric, values)
                if changes:
                    metric = self._do(spec.path, actions.update_metric, metric, changes, expected_version=None,
                                      acting_user=self.actor)
                    self._record("~", path, labels(changes), order=(spec.key,))
            result[spec.key] = metric
        return result

    def _outcomes(self) -> dict[str, SharedOutcome]:
        existing = {o.name: o for o in SharedOutcome.objects.prefetch_related("metrics")}
        names = [spec.name for spec in self.spec.outcomes]
        planned, reordered = positions(names, [(o.name, o.position, o.pk) for o in existing.values()])
        if reordered:
            self._record("~", ("outcomes",), ("order",), order=(-1,))
        result = {}
        for spec in self.spec.outcomes:
            metrics = [self.metrics[key] for _, key in spec.metrics]
            path = self._outcome_path(spec.name)
            values = {"description": spec.description, "position": planned[spec.name]}
            outcome = existing.get(spec.name)
            if outcome is None:
                outcome = self._do(spec.path, actions.define_outcome,
                                   {"name": spec.name, **values, "metrics": metrics}, acting_user=self.actor)
                self._record("+", path, order=self._outcome_order(spec.name, 0))
            else:
                changes = differences(outcome, values)
                if {m.pk for m in outcome.metrics.all()} != {m.pk for m in metrics}:
                    changes["metrics"] = metrics
                if changes:
                    outcome = self._do(spec.path, actions.update_outcome, outcome, changes, expected_version=None,
                                       acting_user=self.actor)
                    if labels(changes):
                        self._record("~", path, labels(changes), order=self._outcome_order(spec.name, 0))
            result[spec.name] = outcome
        return result

    def _targets(self) -> None:
        existing = {db_target_identity(t): t for t in stored_targets()}
        journeys = {j.name: j for j in Journey.objects.all()}
        stages = {(s.journey.name, s.name): s for s in Stage.objects.select_related("journey")}
        for outcome_spec in self.spec.outcomes:
            for index, spec in enumerate(outcome_spec.targets):
                values = {"value": spec.value, "baseline": spec.baseline, "baseline_date": spec.baseline_date,
                          "window_days": spec.window_days, "note": spec.note}
                path = self._target_path(spec.outcome, spec.metric, spec.place, spec.due)
                order = self._outcome_order(spec.outcome, 1, index)
                target = existing.get(spec.identity)
                if target is None:
                    journey, stage, step = spec.place
                    place = {Scope.JOURNEY: {"journey": journeys.get(journey)},
                             Scope.STAGE: {"stage": stages.get((journey, stage))},
                             Scope.STEP: {"step": self.state.steps.get((journey, stage, step))}}.get(spec.scope, {})
                    assert all(place.values()) and set(place) <= set(SCOPE_PARTS[spec.scope])
                    target = self._do(spec.path, actions.set_target_as_given, {
                        "outcome": self.outcomes[spec.outcome], "metric": self.metrics[spec.metric],
                        "scope": spec.scope, **place, "due": spec.due, **values}, acting_user=self.actor)
                    self._record("+", path, order=order)
                else:
                    changes = differences(target, values)
                    if changes:
                        target = self._do(spec.path, actions.update_target, target, changes, expected_version=None,
                                          acting_user=self.actor)
                        self._record("~", path, labels(changes), order=order)
                if spec.key:
                    self.targets[spec.key] = target

    def _statements(self) -> None:
        stored = list(SuccessStatement.objects.select_related("outcome"))
        for outcome_spec in self.spec.outcomes:
            outcome = self.outcomes[outcome_spec.name]
            existing = {s.customer_goal: s for s in stored if s.outcome_id == outcome.pk}
            goals = [spec.customer_goal for spec in outcome_spec.statements]
            planned, reordered = positions(goals, [(s.customer_goal, s.position, s.pk) for s in existing.values()])
            if reordered:
                self._record("~", self._outcome_path(outcome.name), ("statement order",),
                             order=self._outcome_order(outcome.name, 2, -1))
            for index, spec in enumerate(outcome_spec.statements):
                values = {"business_outcome": spec.business_outcome,
                          "target": self.targets[spec.target] if spec.target else None,
                          "position": planned[spec.customer_goal]}
                path = self._statement_path(outcome.name, spec.customer_goal)
                order = self._outcome_order(outcome.name, 2, index)
                statement = existing.get(spec.customer_goal)
                if statement is None:
                    self._do(spec.path, actions.add_success_statement,
                             {"outcome": outcome, "customer_goal": spec.customer_goal, **values},
                             acting_user=self.actor)
                    self._record("+", path, order=order)
                else:
                    statement.refresh_from_db()  # its target may have been cleared in prune()
                    changes = differences(statement, values)
                    if changes:
                        self._do(spec.path, actions.update_success_statement, statement, changes,
                                 expected_version=None, acting_user=self.actor)
                        if labels(changes):
                            self._record("~", path, labels(changes), order=order)

    def _kpis(self) -> None:
        teams = {team.name: team for team in Team.objects.all()}
        existing = {(k.team.name, k.name): k for k in TeamKpi.objects.select_related("team")}
        for spec in self.spec.kpis:
            values = {"unit": spec.unit, "direction": spec.direction, "source": spec.source,
                      "metric": self.metrics[spec.metric] if spec.metric else None, "description": spec.description}
            path = self._kpi_path(spec.team, spec.name)
            order = self.order[("kpi",) + spec.identity]
            kpi = existing.get(spec.identity)
            created = kpi is None
            if created:
                kpi = self._do(spec.path, actions.declare_team_kpi,
                               {"team": teams[spec.team], "name": spec.name, **values}, acting_user=self.actor)
                self._record("+", path, order=order)
            else:
                changes = differences(kpi, values)
                if changes:
                    kpi = self._do(spec.path, actions.update_team_kpi, kpi, changes, expected_version=None,
                                   acting_user=self.actor)
                    self._record("~", path, labels(changes), order=order)
            if spec.source != KpiSource.METRIC:
                wanted = {period: value for _, period, value in spec.values}
                current = {v.period: v.value for v in kpi.values.all()}
                if wanted != current:
                    rows = [ValueRow(period, value) for period, value in sorted(wanted.items())]
                    self._do(spec.path + ("values",), actions.record_kpi_values, kpi, rows, acting_user=self.actor,
                             replace=True, source_label=VALUES_SOURCE)
                    if not created:
                        self._record("~", path, ("values",), order=order)
            self._links(spec, kpi, path, order)

    def _links(self, spec, kpi, path, order) -> None:
        existing = {link.outcome.name: link for link in KpiLink.objects.filter(kpi=kpi).select_related("outcome")}
        wanted = {link.outcome for link in spec.links}
        for name, link in sorted(existing.items()):
            if name not in wanted:
                self._do(spec.path, actions.unlink_kpi, link, acting_user=self.actor)
                self._record("-", path + (f"link to {quote(name)}",), order=order + (-1,))
        for index, link_spec in enumerate(spec.links):
            link = existing.get(link_spec.outcome)
            link_path = path + (f"link to {quote(link_spec.outcome)}",)
            if link is None or differences(link, {"kind": link_spec.kind, "note": link_spec.note}):
                self._do(link_spec.path, actions.link_kpi_to_outcome, kpi, self.outcomes[link_spec.outcome],
                         link_spec.kind, note=link_spec.note, acting_user=self.actor)
                fields = () if link is None else labels(differences(link, {"kind": link_spec.kind,
                                                                              "note": link_spec.note}))
                self._record("+" if link is None else "~", link_path, fields, order=order + (index,))
