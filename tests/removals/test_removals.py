"""Deletes are announced, never cascaded behind history's back (docs/decisions/0008).

A step, stage, journey or team that carries feedback, targets, KPIs (with values and links)
and friction points is deleted through its action; afterwards the rollup tables equal a
rebuild, every removed object has a DELETE record, every detached one an UPDATE record, and
no row points at a missing object — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import ProtectedError, Sum

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict
from cxkeeper.core.models import ChangeAction, ChangeRecord
from cxkeeper.core.removals import announce_removal, handlers_for, on_removal
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.insights import actions as insight_actions
from cxkeeper.insights import rollup_store
from cxkeeper.insights.choices import RoutedBy
from cxkeeper.insights.ingest.canonical import CanonicalRow
from cxkeeper.insights.models import Feedback, FeedbackRollup, FieldRollup, StepDayRollup, StepMonthRollup
from cxkeeper.insights.text.router import RouteResult
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.models import Handoff, Journey, Persona, Responsibility, Stage, Step
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import Person, Team, Workspace
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes.models import KpiLink, KpiValue, SharedOutcome, SuccessStatement, Target, TeamKpi
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.layers import LAYERS
from cxkeeper.testing.outcomes_builders import SmallOutcomes, build_outcomes

ROLLUPS = (FeedbackRollup, StepDayRollup, StepMonthRollup, FieldRollup)
OUR_APPS = ("core", "org", "journeys", "insights", "outcomes", "initiatives")


class RouteSignIns:
    """A stand-in router: texts about signing in go to the login step (a model routing)."""

    threshold = 0.5

    def __init__(self, step_id: int):
        self.step_id = step_id

    def route(self, texts):
        return [RouteResult(self.step_id, 0.8, []) if "sign" in t else RouteResult(None, 0.2, []) for t in texts]


def extra_rows() -> list[CanonicalRow]:
    """Feedback the year of survey answers lacks: a segment, a custom numeric field, model
    routings and unrouted items (one of which a person will route to the login step)."""
    day = dt.datetime(2026, 3, 30, 22, tzinfo=dt.UTC)
    rows = []
    for i in range(8):
        rows.append(CanonicalRow(external_id=f"L{i}", row_number=i + 2, channel="app", segment="Student",
                                 received_at=day + dt.timedelta(days=i % 4), text=f"login visit {i}", nps=9,
                                 metrics={"handle_minutes": float(i + 1)}, step="Log in to the app"))
    for i in range(4):
        rows.append(CanonicalRow(external_id=f"M{i}", row_number=20 + i, channel="web", received_at=day,
                                 text=f"could not sign in on try {i}", ces=3, metrics={"handle_minutes": 7.0}))
    for i in range(3):
        rows.append(CanonicalRow(external_id=f"U{i}", row_number=30 + i, channel="web", received_at=day,
                                 text=f"something odd happened {i}", nps=4, metrics={"handle_minutes": 2.0}))
    return rows


@dataclass
class World:
    org: object
    outcomes: SmallOutcomes
    stage_target: Target
    journey_target: Target
    login_statement: SuccessStatement  # measured by the login step's target
    handoff: Handoff
    step_friction: FrictionPoint       # at the login step (and so on the journey)
    journey_friction: FrictionPoint    # on the journey, at no step
    corrected: Feedback                # routed to the login step by a person


@pytest.fixture
def world(small_org) -> World:
    org = small_org
    outcomes = build_outcomes(org)  # a year of feedback at both steps, targets, a statement, KPIs with values
    source = insight_actions.source_named("Effort survey", acting_user=SYSTEM)
    insight_actions.ingest_feedback_batch(source, extra_rows(), router=RouteSignIns(org.login_step.pk))
    corrected = insight_actions.correct_feedback_step(Feedback.objects.get(external_id="U0"), org.login_step,
                                                      acting_user=org.it_member)
    due = dt.date.today() + dt.timedelta(days=200)
    stage_target = outcome_actions.set_metric_target(
        {"outcome": outcomes.effort, "metric": outcomes.ces, "scope": "stage", "stage": org.stage, "value": 5.2,
         "due": due}, acting_user=SYSTEM)
    journey_target = outcome_actions.set_metric_target(
        {"outcome": outcomes.loyalty, "metric": outcomes.nps, "scope": "journey", "journey": org.journey,
         "value": 30, "due": due}, acting_user=SYSTEM)
    login_statement = outcome_actions.add_success_statement(
        {"outcome": outcomes.effort, "customer_goal": "Customers sign in the first time",
         "business_outcome": "fewer calls", "target": outcomes.login_target}, acting_user=SYSTEM)
    handoff = journey_actions.add_handoff(
        {"from_step": org.login_step, "from_team": org.it, "to_step": org.call_step, "to_team": org.service,
         "description": "Locked-out customers call"}, acting_user=SYSTEM)
    step_friction = initiative_actions.raise_friction_point(
        {"title": "Password reset e-mails arrive late", "step": org.login_step}, acting_user=org.it_member)
    journey_friction = initiative_actions.raise_friction_point(
        {"title": "Nobody knows where to start", "journey": org.journey}, acting_user=org.keeper)
    return World(org, outcomes, stage_target, journey_target, login_statement, handoff, step_friction,
                 journey_friction, corrected)


# ---------------------------------------------------------------- what every test checks


def rollup_tables() -> dict[str, list[tuple]]:
    tables = {}
    for model in ROLLUPS:
        columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        tables[model.__name__] = sorted(model.objects.values_list(*columns))
    return tables


def _close(a: list[tuple], b: list[tuple]) -> bool:
    """Equal rows; float sums (sentiment, custom fields) up to the order they were added in."""
    return len(a) == len(b) and all(
        len(x) == len(y) and all(u == v or (isinstance(u, float) and abs(u - v) <= 1e-9 * max(1, abs(v)))
                                 for u, v in zip(x, y, strict=True)) for x, y in zip(a, b, strict=True))


def assert_rollups_equal_a_rebuild() -> None:
    incremental = rollup_tables()
    rollup_store.rebuild()
    rebuilt = rollup_tables()
    for name, rows in incremental.items():
        assert _close(rows, rebuilt[name]), f"{name} differs from a rebuild"


def dangling() -> list[str]:
    """Rows that point at a missing object: every foreign key of every cxkeeper table (the
    many-to-many tables too), and the step of every rollup cell (0 is "unrouted")."""
    found = []
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                remote = field.remote_field.model
                lost = (model._default_manager.exclude(**{f"{field.attname}__isnull": True})
                        .exclude(**{f"{field.attname}__in": remote._default_manager.values("pk")}))
                found += [f"{model.__name__} {pk}.{field.name}" for pk in lost.values_list("pk", flat=True)]
    steps = Step.objects.values("pk")
    for model in ROLLUPS:
        lost = model.objects.exclude(step_id=0).exclude(step_id__in=steps)
        found += [f"{model.__name__} cell of step {s}" for s in lost.values_list("step_id", flat=True).distinct()]
    return found


def records(obj_or_model, pk=None, *, action: str) -> list[ChangeRecord]:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    pk = obj_or_model.pk if pk is None else pk
    return list(ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                            object_id=pk, action=action))


def deleted(obj) -> bool:
    return len(records(obj, action=ChangeAction.DELETE)) == 1 and not type(obj).objects.filter(pk=obj.pk).exists()


def unrouted_in_rollups() -> int:
    return StepDayRollup.objects.filter(step_id=0).aggregate(n=Sum("n"))["n"] or 0


# ---------------------------------------------------------------- a step


def test_deleting_a_step_unroutes_its_feedback_deletes_its_targets_and_detaches_its_friction(world):
    org, step = world.org, world.org.login_step
    at_step = set(Feedback.objects.filter(step=step).values_list("pk", flat=True))
    how = dict(Feedback.objects.filter(step=step).values_list("routed_by").annotate(n=models.Count("pk")))
    assert how[RoutedBy.RULE] > 700 and how[RoutedBy.MODEL] == 4 and how[RoutedBy.PERSON] == 1
    assert FieldRollup.objects.filter(step_id=step.pk).exists()
    responsibilities = list(step.responsibilities.all())

    journey_actions.delete_step(step, expected_version=step.version, acting_user=org.keeper)

    assert not Step.objects.filter(pk=step.pk).exists()
    moved = Feedback.objects.filter(pk__in=at_step)
    assert moved.count() == len(at_step), "feedback is evidence: a map edit never deletes it"
    assert set(moved.values_list("step", "routed_by", "routing_confidence")) == {(None, RoutedBy.NONE, None)}
    assert not any(model.objects.filter(step_id=step.pk).exists() for model in ROLLUPS)
    assert unrouted_in_rollups() == Feedback.objects.filter(step__isnull=True).count()
    assert_rollups_equal_a_rebuild()
    (summary,) = records(Feedback, 0, action=ChangeAction.UPDATE)
    assert summary.before["feedback_items"] == len(at_step) and summary.before["routed_by"] == how
    assert summary.after["step"] is None and summary.actor == org.keeper
    assert (summary.journey_id, summary.step_id) == (org.journey.pk, step.pk)

    assert deleted(world.outcomes.login_target)
    (cleared,) = records(world.login_statement, action=ChangeAction.UPDATE)
    assert cleared.after["target"] is None and SuccessStatement.objects.get(pk=world.login_statement.pk).target is None
    assert all(Target.objects.filter(pk=t.pk).exists()
               for t in (world.outcomes.org_target, world.stage_target, world.journey_target))

    friction = FrictionPoint.objects.get(pk=world.step_friction.pk)
    assert (friction.step_id, friction.journey_id) == (None, org.journey.pk)
    (detached,) = records(friction, action=ChangeAction.UPDATE)
    assert detached.before["step"] == step.pk and detached.after["step"] is None

    assert all(deleted(r) for r in responsibilities) and deleted(world.handoff) and deleted(step)
    assert not dangling()


def test_a_stale_delete_is_refused_before_anything_happens(world):
    step = world.org.login_step
    history, cells = ChangeRecord.objects.count(), rollup_tables()
    with pytest.raises(Conflict):
        journey_actions.delete_step(step, expected_version=step.version - 1 or 99, acting_user=world.org.keeper)
    assert Step.objects.filter(pk=step.pk).exists() and Feedback.objects.filter(step=step).count() > 700
    assert ChangeRecord.objects.count() == history and rollup_tables() == cells


def test_a_handler_that_fails_rolls_the_whole_delete_back(world, monkeypatch):
    step = world.org.login_step
    history, cells, at_step = ChangeRecord.objects.count(), rollup_tables(), Feedback.objects.filter(step=step).count()

    def refuse(place, *, acting_user):
        raise RuntimeError("outcomes cannot let go")

    monkeypatch.setattr(outcome_actions, "remove_targets_at", refuse)
    with pytest.raises(RuntimeError, match="cannot let go"):
        journey_actions.delete_step(step, expected_version=None, acting_user=world.org.keeper)

    assert Step.objects.filter(pk=step.pk).exists() and Feedback.objects.filter(step=step).count() == at_step
    assert FrictionPoint.objects.get(pk=world.step_friction.pk).step_id == step.pk  # initiatives ran first
    assert ChangeRecord.objects.count() == history and rollup_tables() == cells


# ---------------------------------------------------------------- a stage and a journey


def test_deleting_a_stage_takes_each_step_the_step_path(world):
    org = world.org
    steps = list(org.stage.steps.all())
    responsibilities = list(Responsibility.objects.filter(step__in=steps))
    routed = Feedback.objects.filter(step__in=steps).count()

    journey_actions.delete_stage(org.stage, expected_version=org.stage.version, acting_user=org.keeper)

    assert all(deleted(s) for s in steps) and deleted(org.stage) and all(deleted(r) for r in responsibilities)
    assert deleted(world.handoff)
    assert not Feedback.objects.filter(step__isnull=False).exists()
    summaries = records(Feedback, 0, action=ChangeAction.UPDATE)
    assert sorted(s.step_id for s in summaries) == sorted(s.pk for s in steps)
    assert sum(s.before["feedback_items"] for s in summaries) == routed
    assert_rollups_equal_a_rebuild()
    assert deleted(world.outcomes.login_target) and deleted(world.stage_target)
    assert Target.objects.filter(pk=world.journey_target.pk).exists()
    friction = FrictionPoint.objects.get(pk=world.step_friction.pk)
    assert (friction.step_id, friction.journey_id) == (None, org.journey.pk)
    assert not dangling()


def test_deleting_a_journey_leaves_its_friction_points_unplaced(world):
    org = world.org
    steps, stages = list(Step.objects.filter(stage__journey=org.journey)), list(org.journey.stages.all())

    journey_actions.delete_journey(org.journey, expected_version=org.journey.version, acting_user=org.keeper)

    assert deleted(org.journey) and all(deleted(s) for s in stages) and all(deleted(s) for s in steps)
    assert not Feedback.objects.filter(step__isnull=False).exists()
    assert_rollups_equal_a_rebuild()
    assert all(deleted(t) for t in (world.outcomes.login_target, world.stage_target, world.journey_target))
    assert Target.objects.filter(pk=world.outcomes.org_target.pk).exists()
    for friction_point in (world.step_friction, world.journey_friction):
        friction = FrictionPoint.objects.get(pk=friction_point.pk)
        assert (friction.step_id, friction.journey_id) == (None, None)
        assert records(friction, action=ChangeAction.UPDATE)[0].after["journey"] is None  # newest first
    assert not dangling()


# ---------------------------------------------------------------- a team


def test_deleting_a_team_deletes_its_kpis_with_their_values_and_links_and_its_place_on_the_map(world):
    org, kpi = world.org, world.outcomes.login_success
    values = {v.period.isoformat(): v.value for v in kpi.values.all()}
    links = list(kpi.links.all())
    responsibilities = list(org.it.responsibilities.all())
    assert len(values) == 12 and len(links) == 1 and responsibilities

    org_actions.delete_team(org.it, expected_version=org.it.version, acting_user=org.admin)

    assert deleted(org.it) and deleted(kpi) and all(deleted(link) for link in links)
    (kpi_deleted,) = records(kpi, action=ChangeAction.DELETE)
    assert kpi_deleted.before["values"] == values and kpi_deleted.before["name"] == "Login success rate"
    assert not KpiValue.objects.filter(kpi_id=kpi.pk).exists()
    assert all(deleted(r) for r in responsibilities) and deleted(world.handoff)
    ivan = Person.objects.get(user=org.it_member)
    assert list(ivan.teams.all()) == []
    (left,) = records(ivan, action=ChangeAction.UPDATE)
    assert left.before["teams"] == [org.it.pk] and left.after["teams"] == []
    assert TeamKpi.objects.filter(pk=world.outcomes.handle_time.pk).exists()  # another team's KPI stays
    assert_rollups_equal_a_rebuild()
    assert not dangling()


# ---------------------------------------------------------------- the smaller removals


def test_deleting_a_persona_leaves_its_journeys_drawn_for_nobody(small_org):
    persona = journey_actions.create_persona({"name": "Students"}, acting_user=SYSTEM)
    journey_actions.update_journey(small_org.journey, {"persona": persona}, expected_version=None,
                                   acting_user=SYSTEM)
    journey_actions.delete_persona(persona, expected_version=persona.version, acting_user=small_org.keeper)
    assert deleted(persona) and Journey.objects.get(pk=small_org.journey.pk).persona is None
    assert records(small_org.journey, action=ChangeAction.UPDATE)[0].after["persona"] is None
    assert not dangling()


def test_deleting_an_outcome_records_its_statements_and_links(small_org):
    outcomes = build_outcomes(small_org, with_feedback=False)
    loyalty = outcomes.loyalty
    statement = outcome_actions.add_success_statement(
        {"outcome": loyalty, "customer_goal": "Customers stay", "business_outcome": "revenue"}, acting_user=SYSTEM)
    link = outcome_actions.link_kpi_to_outcome(outcomes.handle_time, loyalty, "tension", acting_user=SYSTEM)
    outcome_actions.delete_outcome(loyalty, expected_version=loyalty.version, acting_user=small_org.keeper)
    assert deleted(loyalty) and deleted(statement) and deleted(link)
    assert SharedOutcome.objects.filter(pk=outcomes.effort.pk).exists() and KpiLink.objects.count() == 2


# ---------------------------------------------------------------- the database refuses what was not announced


def test_the_database_refuses_a_delete_that_was_not_announced(world):
    for obj in (world.org.login_step, world.org.stage, world.org.journey, world.org.it):
        with pytest.raises(ProtectedError), transaction.atomic():
            type(obj).objects.get(pk=obj.pk).delete()
    assert Step.objects.filter(pk=world.org.login_step.pk).exists() and Team.objects.filter(pk=world.org.it.pk)


# ---------------------------------------------------------------- the registry


def test_handlers_run_highest_layer_first():
    def order(model):
        return [r.app_label for r in handlers_for(model)]

    assert order(Step) == ["initiatives", "outcomes", "insights"]
    assert order(Stage) == ["outcomes"]
    assert order(Journey) == ["governance", "initiatives", "outcomes"]
    # initiatives, then co-creation
    assert order(Team) == ["governance", "initiatives", "initiatives", "outcomes", "journeys"]
    assert order(Persona) == []
    # An app's layer is its top package (cxkeeper.insights.warehouse sits in insights).
    installed = [c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("cxkeeper.")]
    assert installed == sorted(installed, key=LAYERS.index), "INSTALLED_APPS must list the apps in layer order"


def test_a_lower_app_cannot_handle_a_higher_apps_removals():
    def handler(obj, *, acting_user):
        return None

    handler.__module__ = "cxkeeper.journeys.planted"
    with pytest.raises(ImproperlyConfigured, match="journeys is below outcomes"):
        on_removal(Target)(handler)
    assert all(r.handler is not handler for r in handlers_for(Target))


def test_an_announcement_belongs_inside_the_deleting_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        announce_removal(Team(pk=1, name="Ghosts"), acting_user=SYSTEM)
    with pytest.raises(ValueError, match="never saved"):
        announce_removal(Team(name="Ghosts"), acting_user=SYSTEM)


# ---------------------------------------------------------------- a delete while an import runs


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes writers")
@pytest.mark.django_db(transaction=True)
def test_a_step_delete_waits_for_a_running_import_instead_of_deadlocking():
    """An import holds the ingest lock (the workspace row) and refers to a step; its foreign-key
    check at commit waits for a locked step. The delete takes the workspace row first, so it
    waits for the import, then unroutes what the import stored (PostgreSQL; SQLite serializes
    writers anyway)."""
    Workspace.current()
    org = build_small_org()
    source = insight_actions.create_source({"name": "Web form"}, acting_user=SYSTEM)
    importing, outcome = threading.Event(), {}

    def import_one():
        try:
            with transaction.atomic():
                insight_actions.ingest_lock()
                Feedback.objects.create(source=source, external_id="x", channel="app", step=org.login_step,
                                        received_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC), routed_by=RoutedBy.RULE)
                importing.set()
                threading.Event().wait(1.0)  # the delete arrives meanwhile
            outcome["import"] = "ok"
        except Exception as error:  # reported by the assertion below
            outcome["import"] = repr(error)
        finally:
            connection.close()

    def delete():
        importing.wait(10)
        try:
            journey_actions.delete_step(org.login_step, expected_version=None, acting_user=SYSTEM)
            outcome["delete"] = "ok"
        except Exception as error:
            outcome["delete"] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_one), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"import": "ok", "delete": "ok"}
    assert Feedback.objects.get(external_id="x").step is None


# ---------------------------------------------------------------- said before it is done


def test_the_delete_question_says_what_every_app_will_do_and_the_delete_does_exactly_that(world):
    """The confirmation page lists each app's consequence with its count, read before anyone
    says yes; the counts are the ones the delete then carries out."""
    from django.test import Client

    from cxkeeper.core.removals import removal_consequences

    org, step = world.org, world.org.login_step
    items = Feedback.objects.filter(step=step).count()
    targets = Target.objects.filter(step=step).count()
    points = FrictionPoint.objects.filter(step=step).count()
    assert items > 700 and targets == 1 and points == 1
    said = removal_consequences(step)
    assert said == [
        f"{items:,} feedback items routed there become unrouted: kept, still counted in organization-wide "
        "figures, and back in the review queue to be routed again.",
        "1 target set there is deleted (success statements that name one stay, without a target).",
        "1 friction point placed there stays, with status and evidence, but without that place.",
    ]
    client = Client()
    client.force_login(org.keeper)
    page = client.get(f"/steps/{step.pk}/delete/").content.decode()
    assert all(sentence.replace("’", "&#x27;") in page or sentence in page for sentence in said)

    journey_actions.delete_step(step, expected_version=step.version, acting_user=org.keeper)
    assert Feedback.objects.filter(step__isnull=True, routed_by=RoutedBy.NONE).count() >= items
    assert len(records(Target, world.outcomes.login_target.pk, action=ChangeAction.DELETE)) == targets


def test_a_journey_question_counts_everything_below_it(world):
    from cxkeeper.core.removals import removal_consequences

    journey = world.org.journey
    items = Feedback.objects.filter(step__stage__journey=journey).count()
    targets = Target.objects.filter(journey=journey).count() + Target.objects.filter(stage__journey=journey).count() \
        + Target.objects.filter(step__stage__journey=journey).count()
    said = " ".join(removal_consequences(journey))
    assert f"{items:,} feedback items" in said and f"{targets} targets set there are deleted" in said


def test_a_team_question_counts_its_map_parts_and_kpis(world):
    from cxkeeper.core.removals import removal_consequences

    team = world.org.service
    responsibilities = Responsibility.objects.filter(team=team).count()
    handoffs = Handoff.objects.filter(models.Q(from_team=team) | models.Q(to_team=team)).count()
    kpis = TeamKpi.objects.filter(team=team).count()
    said = removal_consequences(team)
    assert said[0].startswith(f"Its {responsibilities} responsibilit")
    assert f"and {handoffs} handoff" in said[0]
    assert kpis and said[1].startswith(f"Its {kpis} KPI")


def test_an_import_after_a_step_delete_leaves_routes_to_it_unrouted(world):
    """The stored router still knows a deleted step until it is retrained; what it routes
    there is stored unrouted instead of failing the import on the missing step."""
    org, step = world.org, world.org.login_step
    journey_actions.delete_step(step, expected_version=step.version, acting_user=org.keeper)
    source = insight_actions.source_named("Effort survey", acting_user=SYSTEM)
    day = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
    rows = [CanonicalRow(external_id=f"after-{i}", row_number=i + 2, channel="web", received_at=day,
                         text=f"could not sign in again {i}", ces=2) for i in range(3)]
    result = insight_actions.ingest_feedback_batch(source, rows, router=RouteSignIns(step.pk))
    assert result.imported == 3
    stored = Feedback.objects.filter(external_id__startswith="after-")
    assert set(stored.values_list("step", "routed_by")) == {(None, RoutedBy.NONE)}
    assert_rollups_equal_a_rebuild()
    assert not dangling()
