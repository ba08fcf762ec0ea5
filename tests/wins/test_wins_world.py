"""The wins app on a small generated world (cxkeeper.testing.wins_builders): verdicts and their
sentences, bad input ("cannot measure yet" with the reason), credit, measured once per data
version and again when feedback changes, regressions flagged to the teams and on the council's
agenda, kudos rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.initiatives.models import Initiative
from cxkeeper.insights import actions as insight_actions
from cxkeeper.testing.wins_builders import FIX, _rows, build_wins_world
from cxkeeper.testing.worlds import class_world
from cxkeeper.wins import actions, measure, queries
from cxkeeper.wins.models import KUDOS_MAX, Kudos, Measurement

runner = CliRunner()


@pytest.mark.django_db
class TestWinsWorld:
    world = class_world(build_wins_world)

    def test_verdicts_and_sentences(self, world):
        w = world
        assert w.win.verdict == "win" and w.win.sentence.startswith("Win: CES at “Log in to the app” rose")
        assert w.win.low > 0 and w.win.effect_text.startswith("+") and w.win.n_before > 100 and w.win.n_after > 50
        assert w.win.details["comparison_steps"] and w.win.stamp
        quiet = Measurement.objects.get(initiative=w.quiet, key="ces")
        assert quiet.verdict == "no_credible_change" and quiet.sentence.startswith("No credible change:")

    def test_bad_input_says_why_it_cannot_be_measured_yet(self, world):
        w = world
        no_metric = Measurement.objects.get(initiative=w.no_metric)
        assert no_metric.verdict == "cannot_measure" and "names no metric" in no_metric.sentence
        report = queries.subject_report(Initiative.objects.get(pk=w.unshipped.pk))
        assert report["problem"].startswith("Cannot measure yet:") and "has not shipped" in report["problem"]
        assert not Measurement.objects.filter(initiative=w.unshipped).exists()
        as_of = FIX + dt.timedelta(weeks=10)
        later = Initiative.objects.get(pk=w.quiet.pk)
        later.ship_date = as_of + dt.timedelta(days=5)
        assert "after the last day of data" in measure.subject_problem(later, as_of)
        later.ship_date = None
        assert "has no ship date" in measure.subject_problem(later, as_of)
        # a step with too little data: the call step has no feedback at all
        plan = measure.Planned("ces", "ces", "CES", step_ids=(w.call_step.pk,))
        values = measure.measure_one(w.quiet, plan, as_of=as_of, exclude=set())
        assert values["verdict"] == "cannot_measure" and values["sentence"].startswith("Cannot measure")

    def test_credit_with_roles_hidden_heroes_first(self, world):
        credit = queries.credit(world.fix)
        assert [(c.team.name, c.role, c.hidden_hero) for c in credit] == [
            ("IT", "leads", True), ("Customer service", "contributes", False)]

    def test_the_chain_runs_back_to_the_friction_point(self, world):
        chain = queries.chain(world.win)
        assert chain.friction_point.pk == world.friction_point.pk
        assert chain.perspectives and chain.decision is not None and chain.subject.pk == world.fix.pk

    def test_measured_once_then_again_when_feedback_changes(self, world):
        w = world
        assert queries.ensure_measured() is False
        stamp = w.win.stamp
        source = insight_actions.source_named("Survey", acting_user=SYSTEM)
        extra = [dataclasses.replace(r, external_id="x" + r.external_id)
                 for r in _rows([(w.login_step, True)], seed=99)[:50]]
        insight_actions.ingest_feedback_batch(source, extra)
        assert queries.ensure_measured() is True
        assert Measurement.objects.get(pk=w.win.pk).stamp != stamp  # the same row, measured again
        assert queries.ensure_measured() is False

    def test_a_new_ship_date_measures_again(self, world):
        w = world
        fix = Initiative.objects.get(pk=w.fix.pk)
        initiative_actions.set_initiative_status(fix, "measured", expected_version=fix.version, acting_user=SYSTEM)
        assert queries.ensure_measured() is True

    def test_a_regression_is_flagged_to_its_teams_and_on_the_agenda(self, world, django_capture_on_commit_callbacks):
        w = world
        row = Measurement.objects.get(initiative=w.tracker, key="ces")
        assert row.verdict == "worse" and row.sentence.startswith("Worse:"), row.sentence
        assert row.flagged_at is not None  # flagged when measured (the notice waits for the commit)
        with django_capture_on_commit_callbacks(execute=True):
            measure.flag_regression(row, row.measured_at)
        notice = Notification.objects.get(recipient=w.sales_member, message__startswith="Regression:")
        assert notice.url == row.get_absolute_url() and "New repair tracker" in notice.message
        assert not Notification.objects.filter(recipient=w.it_member, message__startswith="Regression:").exists()
        from cxkeeper.governance import actions as governance_actions
        from cxkeeper.governance import agenda

        council = governance_actions.create_council({"name": "CX council", "purpose": "Decide."}, acting_user=SYSTEM)
        today = dt.date.today()
        items = agenda.propose(council, since=today - dt.timedelta(days=14), as_of=today)
        regression = next(i for i in items if i.kind == "initiative_regression")
        assert [t.name for t in regression.teams] == ["Sales"] and regression.evidence_url == row.get_absolute_url()
        win = next(i for i in items if i.kind == "win")
        assert win.evidence_url == w.win.get_absolute_url()
        assert {t.name for t in win.teams} == {"IT", "Customer service"}
        assert agenda.propose(council, since=today, as_of=today) == [] or all(
            i.kind not in ("win", "initiative_regression") for i in agenda.propose(council, since=today, as_of=today))

    def test_kudos_rules(self, world):
        w = world
        kudos = actions.add_kudos(w.win, "  Thank you, <b>IT</b>!  ", acting_user=w.viewer)
        assert kudos.text == "Thank you, <b>IT</b>!" and kudos.author == w.viewer
        assert ChangeRecord.objects.filter(object_id=kudos.pk, content_type__model="kudos").exists()
        for text, field in (("", "text"), ("x" * (KUDOS_MAX + 1), "text"), ("bad\x00byte", "text")):
            with pytest.raises(InvalidInput) as error:
                actions.add_kudos(w.win, text, acting_user=w.viewer)
            assert field in error.value.errors
        quiet = Measurement.objects.get(initiative=w.quiet, key="ces")
        with pytest.raises(InvalidInput):
            actions.add_kudos(quiet, "Well done", acting_user=w.viewer)
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(Forbidden):
            actions.add_kudos(w.win, "Well done", acting_user=AnonymousUser())
        assert Kudos.objects.count() == 1

    def test_cli_wins_and_impact(self, world):
        w = world
        out = runner.invoke(app, ["wins", "--json"])
        assert out.exit_code == 0, out.output
        wins = json.loads(out.output)
        assert [(x["initiative"], x["metric"], x["verdict"]) for x in wins] == [
            ("Fix the password reset", "ces", "win")]
        assert wins[0]["teams"][0] == {"team": "IT", "role": "leads", "hidden_hero": True, "office": "back",
                                       "customer_facing": False}
        assert wins[0]["interval"] and wins[0]["scope"] == "Log in to the app"
        out = runner.invoke(app, ["wins", "--team", "Nobody"])
        assert out.exit_code == 2 and "--team" in out.output
        out = runner.invoke(app, ["impact", str(w.unshipped.pk), "--json"])
        assert out.exit_code == 0 and "has not shipped" in json.loads(out.output)["problem"]
        out = runner.invoke(app, ["impact", "No such thing"])
        assert out.exit_code == 2 and "INITIATIVE" in out.output
        out = runner.invoke(app, ["impact", "Fix the password reset", "--metric", "ces"])
        assert out.exit_code == 2
        out = runner.invoke(app, ["impact"])
        assert out.exit_code == 2 and "--steps" in out.output
        out = runner.invoke(app, ["impact", "--steps", "Log in to the app", "--metric", "ces", "--since",
                                  FIX.isoformat(), "--json"])
        assert out.exit_code == 0 and json.loads(out.output)["verdict"] == "win"
