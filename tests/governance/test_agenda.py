"""The agenda engine on known data: each kind of item appears exactly when its condition
started to hold between the last meeting and the day the agenda is drawn up — and not
otherwise (held already at the last meeting, outside the council's scope, closed, not yet due).

The data: the helpline turns bad over the last 20 days of 140 (conftest.helpline_turns_bad),
the login step stays liked. So as of the last day of data, compared with 30 days before:
the helpline's NPS target turns at risk, its NPS is worse than before (a regression) and worse
than the rest of the journey (a new friction signal). Its sentiment was already worse than the
journey's 30 days before (the texts differ), so that signal is not new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions, agenda, exports, queries
from cxkeeper.governance.models import AgendaItem
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.insights import clock
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.outcomes.models import MetricDefinition
from cxkeeper.testing.governance_builders import build_council_world
from cxkeeper.testing.outcomes_builders import build_outcomes, ensure_standard_metrics
from cxkeeper.testing.worlds import class_world

from .conftest import helpline_turns_bad, load_feedback

DATA_KINDS = ("target_status", "regression", "friction_signal")


def build_helpline_world():
    w = build_council_world()
    load_feedback(helpline_turns_bad())
    ensure_standard_metrics()
    nps = MetricDefinition.objects.get(key="nps")
    loyalty = outcome_actions.define_outcome({"name": "Loyalty"}, acting_user=SYSTEM)
    due = dt.date.today() + dt.timedelta(days=180)
    w.helpline_target = outcome_actions.set_metric_target(
        {"outcome": loyalty, "metric": nps, "scope": "step", "step": w.call_step, "value": 60, "due": due},
        acting_user=SYSTEM)
    w.login_target = outcome_actions.set_metric_target(
        {"outcome": loyalty, "metric": nps, "scope": "step", "step": w.login_step, "value": 0, "due": due},
        acting_user=SYSTEM)
    w.other_journey = journey_actions.create_journey({"name": "Pay and renew"}, acting_user=SYSTEM)
    return w


def kinds(items, only=DATA_KINDS):
    return sorted((i.kind, i.key) for i in items if i.kind in only)


@pytest.mark.django_db
class TestDataDrivenKinds:
    world = class_world(build_helpline_world)

    def test_what_started_since_the_last_meeting_is_proposed_with_evidence_and_teams(self, world):
        through = clock.data_through()
        items = agenda.propose(world.council, since=through - dt.timedelta(days=30), as_of=through)
        call = world.call_step.pk
        assert kinds(items) == sorted([
            ("friction_signal", f"signal:worse_than_journey:nps:{call}"),
            ("regression", f"regression:nps:{call}"),
            ("target_status", f"target:{world.helpline_target.pk}:at_risk"),
        ])
        by_kind = {i.kind: i for i in items}
        target = by_kind["target_status"]
        assert target.evidence_url == world.helpline_target.get_absolute_url()
        assert "now at risk (was on track)" in target.title
        assert [t.name for t in target.teams] == ["Customer service"]  # the step's owner
        regression = by_kind["regression"]
        assert regression.evidence_url == reverse("insights:step", args=[call])
        assert {t.name for t in regression.teams} == {"Customer service"}
        assert all(i.time_box > 0 and i.title for i in items)

    def test_a_target_item_reads_in_plain_words_with_its_figures_behind_details(self, world, client):
        through = clock.data_through()
        items = agenda.propose(world.council, since=through - dt.timedelta(days=30), as_of=through)
        [item] = [i for i in items if i.kind == "target_status"]
        view = outcome_queries.assess(world.helpline_target, as_of=through)
        assert item.detail == view.assessment.plain and item.detail.startswith("At risk: ")
        assert item.statistics == view.assessment.explanation and "n=" in item.statistics
        assert item.as_dict()["statistics"] == item.statistics
        # stored with the meeting (a copy), shown plain first and the figures behind "Details"
        stored = [i for i in actions.generate_agenda(world.upcoming, as_of=through, acting_user=world.keeper)
                  if i.kind == "target_status"]
        assert [(i.detail, i.statistics) for i in stored] == [(item.detail, item.statistics)]
        client.force_login(world.keeper)
        page = client.get(world.upcoming.get_absolute_url()).content.decode()
        shown, folded = page.split(escape(item.detail), 1)[1].split("</details>", 1)[0].split(
            '<details class="summary-details"><summary>Details</summary>', 1)
        assert "<" not in shown.replace("</p>", "").strip() and escape(item.statistics) in folded
        markdown = exports.render(world.upcoming, "agenda", "md")[0].decode()
        assert f"{item.detail}<br>_Details: {item.statistics}_" in markdown.replace("\\", "")

    def test_conditions_that_already_held_at_the_last_meeting_are_not_proposed_again(self, world):
        through = clock.data_through()
        assert kinds(agenda.propose(world.council, since=through - dt.timedelta(days=5), as_of=through)) == []

    def test_no_time_between_the_meetings_proposes_nothing_from_the_data(self, world):
        through = clock.data_through()
        assert kinds(agenda.propose(world.council, since=through, as_of=through)) == []

    def test_a_day_past_the_data_is_measured_on_the_data_through_day(self, world):
        through = clock.data_through()
        later = agenda.propose(world.council, since=through - dt.timedelta(days=30),
                               as_of=through + dt.timedelta(days=10))
        assert kinds(later) == kinds(agenda.propose(world.council, since=through - dt.timedelta(days=30),
                                                    as_of=through))

    def test_a_council_scoped_to_another_journey_gets_none_of_it(self, world):
        council = actions.update_council(world.council, {"all_journeys": False, "journeys": [world.other_journey]},
                                         expected_version=world.council.version, acting_user=SYSTEM)
        through = clock.data_through()
        assert kinds(agenda.propose(council, since=through - dt.timedelta(days=30), as_of=through)) == []

    def test_the_next_meeting_looks_back_to_the_last_one(self, world):
        since, end = queries.period_of(world.upcoming)
        assert since == world.past.day and end == world.upcoming.day


@pytest.mark.django_db
class TestRecordKinds:
    """Friction points, overdue action items and decisions due for review (no feedback needed)."""

    world = class_world(build_council_world)

    def test_an_open_friction_point_raised_since_the_last_meeting(self, world):
        today = dt.date.today()
        fp = initiative_actions.raise_friction_point({"title": "Reset e-mails late", "step": world.login_step},
                                                     acting_user=world.it_member)
        dismissed = initiative_actions.raise_friction_point({"title": "Old idea", "step": world.call_step},
                                                            acting_user=world.it_member)
        initiative_actions.set_friction_point_status(dismissed, "dismissed", expected_version=dismissed.version,
                                                     acting_user=world.keeper)
        items = agenda.new_friction_points(world.council, today - dt.timedelta(days=1), today)
        assert [(i.key, i.evidence_url) for i in items] == [(f"friction_point:{fp.pk}", fp.get_absolute_url())]
        assert {t.name for t in items[0].teams} == {"IT", "Customer service"}
        assert agenda.new_friction_points(world.council, today, today) == []  # raised before "since": not new

    def test_a_friction_point_on_a_journey_outside_the_scope_is_left_out(self, world):
        other = journey_actions.create_journey({"name": "Pay and renew"}, acting_user=SYSTEM)
        initiative_actions.raise_friction_point({"title": "Bills confuse", "journey": other},
                                                acting_user=world.it_member)
        council = actions.update_council(world.council, {"all_journeys": False, "journeys": [world.journey]},
                                         expected_version=world.council.version, acting_user=SYSTEM)
        today = dt.date.today()
        assert agenda.new_friction_points(council, today - dt.timedelta(days=1), today) == []
        council = actions.update_council(council, {"journeys": [other]}, expected_version=council.version,
                                         acting_user=SYSTEM)
        assert len(agenda.new_friction_points(council, today - dt.timedelta(days=1), today)) == 1

    def test_an_open_action_item_past_its_due_date_and_no_other(self, world):
        today = dt.date.today()
        late = actions.raise_action_item(world.council, {"title": "Late", "owner_team": world.sales,
                                                         "due": today - dt.timedelta(days=3)}, acting_user=SYSTEM)
        actions.raise_action_item(world.council, {"title": "Done late", "owner_team": world.sales, "status": "done",
                                                  "due": today - dt.timedelta(days=3)}, acting_user=SYSTEM)
        actions.raise_action_item(world.council, {"title": "Not yet", "owner_team": world.sales,
                                                  "due": today + dt.timedelta(days=1)}, acting_user=SYSTEM)
        items = agenda.overdue_actions(world.council, today - dt.timedelta(days=28), today)
        assert [(i.key, i.title) for i in items] == [(f"overdue:{late.pk}", "Overdue by 3 days: Late (Sales)")]
        assert [t.name for t in items[0].teams] == ["Sales"]
        actions.set_action_status(late, "done", expected_version=late.version, acting_user=world.sales_member)
        assert agenda.overdue_actions(world.council, today - dt.timedelta(days=28), today) == []

    def test_a_decision_returns_to_the_agenda_when_its_review_is_due_until_it_is_reviewed(self, world):
        today = dt.date.today()
        decision = actions.update_decision(world.decision, {"review_on": today},
                                           expected_version=world.decision.version, acting_user=world.keeper)
        items = agenda.decisions_for_review(world.council, today - dt.timedelta(days=28), today)
        assert [i.key for i in items] == [f"review:{decision.pk}:{today.isoformat()}"]
        assert [t.name for t in items[0].teams] == ["IT"]  # the teams acting on it
        assert agenda.decisions_for_review(world.council, today - dt.timedelta(days=28),
                                           today - dt.timedelta(days=1)) == []
        actions.update_decision(decision, {"review_on": None}, expected_version=decision.version,
                                acting_user=world.keeper)
        assert agenda.decisions_for_review(world.council, today - dt.timedelta(days=28), today) == []

    def test_every_kind_is_registered_once_and_takes_council_period_and_day(self, world):
        names = [name for name, _ in agenda.KINDS]
        assert sorted(names) == sorted(["overdue_action", "decision_review", "target_status", "regression",
                                        "friction_signal", "friction_point", "tension", "escalation",
                                        "no_consensus", "planned_change",
                                        "win", "initiative_regression"])  # wins (issue 13)
        today = dt.date.today()
        for name, kind in agenda.KINDS:
            assert all(item.kind == name for item in kind(world.council, today - dt.timedelta(days=28), today))
            assert name in agenda.KIND_LABELS

    def test_the_stored_agenda_is_a_copy_drawn_once_and_edited_freely(self, world):
        today = dt.date.today()
        actions.raise_action_item(world.council, {"title": "Late", "owner_team": world.sales,
                                                  "due": today - dt.timedelta(days=2)}, acting_user=SYSTEM)
        added = actions.generate_agenda(world.upcoming, acting_user=world.keeper)
        assert [i.kind for i in added] == ["overdue_action"]
        assert actions.generate_agenda(world.upcoming, acting_user=world.keeper) == []  # not twice
        manual = actions.add_agenda_item(world.upcoming, {"title": "Welcome Legal", "time_box_minutes": 5},
                                         acting_user=world.keeper)
        actions.move_agenda_item(manual, "up", acting_user=world.keeper)
        assert [i.title for i in queries.agenda_of(world.upcoming)] == ["Welcome Legal", added[0].title]
        item = AgendaItem.objects.get(pk=added[0].pk)
        actions.update_agenda_item(item, {"title": "Sales: the late item", "notes": "Due Friday now."},
                                   expected_version=item.version, acting_user=world.keeper)
        actions.remove_agenda_item(manual, expected_version=AgendaItem.objects.get(pk=manual.pk).version,
                                   acting_user=world.keeper)
        assert [i.title for i in queries.agenda_of(world.upcoming)] == ["Sales: the late item"]


@pytest.mark.django_db
class TestTensions:
    """Customer service's handle time improves while effort at its steps worsens
    (testing/outcomes_builders.py): found now, not as of a year before."""

    @staticmethod
    def build():
        w = build_council_world()
        w.outcomes = build_outcomes(w.org)
        return w

    world = class_world(build)

    def test_a_tension_found_since_the_last_meeting_for_a_member_team(self, world):
        through = clock.data_through()
        items = agenda.tensions(world.council, through - dt.timedelta(days=400), through)
        assert [(i.key, [t.name for t in i.teams]) for i in items] == [
            (f"tension:{world.outcomes.handle_time.pk}:{world.outcomes.ces.pk}", ["Customer service"])]
        assert "Average handle time" in items[0].title

    def test_a_tension_already_found_at_the_last_meeting_is_not_proposed_again(self, world):
        through = clock.data_through()
        assert agenda.tensions(world.council, through - dt.timedelta(days=1), through) == []

    def test_a_tension_of_a_team_without_a_seat_is_left_out(self, world):
        seat = world.council.members.get(team=world.service)
        actions.remove_member(seat, expected_version=seat.version, acting_user=SYSTEM)
        through = clock.data_through()
        assert agenda.tensions(world.council, through - dt.timedelta(days=400), through) == []
