"""Co-creation on a friction point (docs/initiatives.md "Co-creation"): affected teams from the
map, perspectives answered by each team for itself, tensions computed exactly when their
condition holds, options with every team's stance, consensus or the sponsor's tie-break, and
reminders — all through the real actions, with history and notices."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils.html import escape

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict, Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.initiatives import actions, queries
from cxkeeper.initiatives.models import AffectedTeam, Decision, Perspective
from cxkeeper.testing.cocreation import add_cocreation

pytestmark = pytest.mark.django_db

REVIEW = dt.date(2027, 3, 1)


@pytest.fixture
def o(small_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the notices are sent after commit
        return add_cocreation(small_org)


def answer(o, team, user, stance="support", **more):
    return actions.give_perspective(o.fp, team, {"stance": stance, **more}, acting_user=user)


def kinds(o):
    return [t.kind for t in queries.tensions(o.fp)]


def test_affected_teams_come_from_the_map_with_why_and_each_is_asked(o):
    rows = {r.team.name: r for r in queries.affected_rows(o.fp)}
    assert set(rows) == {"IT", "Customer service", "Sales"}
    assert rows["IT"].why == "owns “Log in to the app”"
    assert rows["Customer service"].why == "contributes to “Log in to the app”"
    assert rows["Sales"].why.startswith("hands off into “Log in to the app”")
    assert all(r.asked_at is not None for r in rows.values())
    # raised at the step, the teams there are asked at once: every member of an affected team
    # hears of it but the one who raised it (ivan, of IT)
    asked = Notification.objects.filter(message__contains="asked for its perspective")
    assert set(asked.values_list("recipient__username", flat=True)) == {"sven", "sara"}
    assert [t.name for t in queries.affected_teams(o.fp)] == ["Customer service", "IT", "Sales"]


def test_a_keeper_removes_and_adds_a_team_with_a_reason_and_the_map_does_not_bring_it_back(o):
    with pytest.raises(InvalidInput, match="Say why"):
        actions.remove_affected_team(o.fp, o.sales, reason=" ", acting_user=o.keeper)
    actions.remove_affected_team(o.fp, o.sales, reason="Sales only passes customers on.", acting_user=o.keeper)
    assert "Sales" not in [t.name for t in queries.affected_teams(o.fp)]
    actions.set_challenge(o.fp, owner_team=o.it, steps=[o.login_step], expected_version=v(o.fp),
                          acting_user=o.keeper)
    assert "Sales" not in [t.name for t in queries.affected_teams(o.fp)]
    row = AffectedTeam.objects.get(friction_point=o.fp, team=o.sales)
    assert row.removed and row.reason == "Sales only passes customers on."
    actions.add_affected_team(o.fp, o.sales, reason="They make the promise.", acting_user=o.keeper)
    assert "Sales" in [t.name for t in queries.affected_teams(o.fp)]
    with pytest.raises(Forbidden, match="keeper"):
        actions.add_affected_team(o.fp, o.sales, reason="x", acting_user=o.it_member)


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


def test_a_member_answers_only_for_their_own_team_with_a_reason_nothing_stored(o):
    before = ChangeRecord.objects.count()
    with pytest.raises(Forbidden, match="Only a member of IT"):
        answer(o, o.it, o.sales_member)
    with pytest.raises(Forbidden, match="Viewers"):
        answer(o, o.it, o.viewer)
    with pytest.raises(InvalidInput, match="reason is required"):
        answer(o, o.sales, o.sales_member, "object")
    with pytest.raises(InvalidInput, match="kind must be one of"):
        answer(o, o.sales, o.sales_member, constraints=[{"kind": "mood", "text": "x"}])
    assert ChangeRecord.objects.count() == before and not Perspective.objects.exists()


def test_a_perspective_is_edited_with_history_and_a_version_check(o):
    p = answer(o, o.it, o.it_member, "concerns", reason="Our mail provider is slow.", effort="weeks")
    with pytest.raises(InvalidInput, match="already answered"):
        answer(o, o.it, o.it_member)
    with pytest.raises(Conflict):
        actions.give_perspective(o.fp, o.it, {"stance": "support"}, expected_version=p.version + 1,
                                 acting_user=o.it_member)
    p2 = actions.give_perspective(o.fp, o.it, {"stance": "support", "effort": "days"}, expected_version=p.version,
                                  acting_user=o.it_member)
    assert p2.pk == p.pk and p2.version == p.version + 1
    changes = ChangeRecord.objects.filter(content_type__model="perspective", object_id=p.pk).order_by("pk")
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[1].before["stance"] == "concerns" and changes[1].after["stance"] == "support"


def test_perspective_summary_counts_heard_objections_effort_points_and_escalation(o):
    s = queries.perspective_summary(o.fp)
    assert (s.teams_asked, s.teams_heard, s.objections, s.effort_points, s.escalated) == (3, 0, 0, None, False)
    answer(o, o.it, o.it_member, effort="weeks")
    answer(o, o.sales, o.sales_member, "object", reason="Our scripts cannot change this quarter.", effort="months")
    answer(o, o.service, o.service_member, "concerns", reason="Agents need training.")
    s = queries.perspective_summary(o.fp)
    assert (s.teams_asked, s.teams_heard, s.objections, s.effort_points) == (3, 3, 1, 3.0 + 8.0)


# ---------------------------------------------------------------- tensions, each exactly when it holds


def test_not_heard_shows_until_every_team_answered(o):
    first = queries.tensions(o.fp)
    assert [t.kind for t in first] == ["not_heard"] and first[0].teams == ("Customer service", "IT", "Sales")
    answer(o, o.it, o.it_member)
    answer(o, o.sales, o.sales_member)
    assert queries.tensions(o.fp)[0].teams == ("Customer service",)
    answer(o, o.service, o.service_member)
    assert kinds(o) == []


def test_an_objection_shows_with_its_reason(o):
    answer(o, o.sales, o.sales_member, "concerns", reason="Busy season.")
    assert "objection" not in kinds(o)
    answer(o, o.it, o.it_member, "object", reason="The mail platform is frozen until March.")
    found = [t for t in queries.tensions(o.fp) if t.kind == "objection"]
    assert len(found) == 1 and found[0].title == "IT objects" and "frozen until March" in found[0].detail


def test_a_constraint_meets_another_teams_contribution_only_at_a_shared_step(o):
    answer(o, o.it, o.it_member, constraints=[{"kind": "capacity", "text": "No developers until May."}])
    answer(o, o.service, o.service_member)  # no contribution: no collision
    assert "contribution" not in kinds(o)
    actions.give_perspective(o.fp, o.service, {"stance": "support", "contribution": "Agents can resend the mail."},
                             expected_version=v(queries.perspective_of(o.fp, o.service)), acting_user=o.service_member)
    found = [t for t in queries.tensions(o.fp) if t.kind == "contribution"]
    assert len(found) == 1 and found[0].teams == ("IT", "Customer service")
    assert "No developers until May." in found[0].detail and "“Log in to the app”" in found[0].detail


def test_not_affected_against_a_signal_in_the_evidence_at_its_steps(o):
    answer(o, o.service, o.service_member, "not_affected")
    assert "data" not in kinds(o)  # no signal at the step: nothing contradicts the claim
    actions.update_friction_point(o.fp, {"evidence": {"signal_kind": "worse_than_journey",
                                                      "explanation": "NPS here is 30 points below the journey."}},
                                  expected_version=v(o.fp), acting_user=o.keeper)
    o.fp.refresh_from_db()
    found = [t for t in queries.tensions(o.fp) if t.kind == "data"]
    assert len(found) == 1 and found[0].teams == ("Customer service",) and "30 points below" in found[0].detail


# ---------------------------------------------------------------- options, consensus, escalation


def two_options(o):
    a = actions.propose_option(o.fp, {"title": "Send the code by SMS"}, acting_user=o.keeper)
    b = actions.propose_option(o.fp, {"title": "Faster mail provider", "description": "Switch providers."},
                               acting_user=o.it_member)
    return a, b


def stance(o, option, team, user, value="support", reason=""):
    return actions.take_option_stance(option, team, {"stance": value, "reason": reason}, acting_user=user)


def test_an_option_every_team_supports_is_decided_by_consensus(o):
    a, b = two_options(o)
    stance(o, a, o.it, o.it_member)
    stance(o, a, o.sales, o.sales_member)
    with pytest.raises(InvalidInput, match="not yet: Customer service"):
        actions.decide_by_consensus(o.fp, a, rationale="All agree.", review_on=REVIEW, acting_user=o.keeper)
    stance(o, a, o.service, o.service_member)
    with pytest.raises(InvalidInput, match="review_on|look at this decision"):
        actions.decide_by_consensus(o.fp, a, rationale="All agree.", review_on=None, acting_user=o.keeper)
    with pytest.raises(InvalidInput, match="record it as the decision"):
        actions.escalate(o.fp, note="?", acting_user=o.keeper)
    decision = actions.decide_by_consensus(o.fp, a, rationale="All agree.", review_on=REVIEW, acting_user=o.keeper)
    assert (decision.state, decision.how, decision.option, decision.decided_by) == ("decided", "consensus", a, o.keeper)
    assert decision.review_on == REVIEW
    with pytest.raises(InvalidInput, match="decided"):
        stance(o, b, o.it, o.it_member)


def test_disagreement_is_escalated_and_only_the_sponsor_decides(o, django_capture_on_commit_callbacks):
    a, b = two_options(o)
    stance(o, a, o.it, o.it_member, "object", "SMS costs us per message.")
    stance(o, b, o.sales, o.sales_member, "concerns", "Another vendor to onboard.")
    with pytest.raises(InvalidInput, match="reason is required"):
        stance(o, a, o.sales, o.sales_member, "object")
    with django_capture_on_commit_callbacks(execute=True):
        decision = actions.escalate(o.fp, note="IT objects to SMS; Sales worries about B.", acting_user=o.keeper)
    assert decision.state == "escalated" and queries.perspective_summary(o.fp).escalated
    assert Notification.objects.filter(recipient=o.viewer, message__startswith="Escalated to you").exists()
    for not_sponsor in (o.keeper, o.admin, o.it_member):
        with pytest.raises(Forbidden, match="executive sponsor"):
            actions.sponsor_decide(o.fp, b, rationale="x", review_on=REVIEW, acting_user=not_sponsor)
    decision = actions.sponsor_decide(o.fp, b, rationale="Cheaper in a year.", review_on=REVIEW,
                                      acting_user=o.viewer)
    assert (decision.state, decision.how, decision.option, decision.decided_by) == ("decided", "sponsor", b, o.viewer)
    assert not queries.perspective_summary(o.fp).escalated
    assert Decision.objects.count() == 1


def test_an_option_from_someone_of_no_affected_team_is_refused(o):
    from cxkeeper.core.roles import Role
    from cxkeeper.org import actions as org_actions

    outsider = org_actions.create_person(username="otto", password="x-long-password-123", role=Role.MEMBER,
                                         teams=[], acting_user=SYSTEM).user
    with pytest.raises(Forbidden, match="no affected team"):
        actions.propose_option(o.fp, {"title": "x"}, acting_user=outsider)


def test_reminders_go_after_the_configured_days_once(o, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from cxkeeper.org import actions as org_actions

    answer(o, o.it, o.it_member)
    assert actions.remind_pending(acting_user=SYSTEM) == 0
    org_actions.update_workspace({"perspective_reminder_days": 3}, expected_version=None, acting_user=SYSTEM)
    later = timezone.now() + dt.timedelta(days=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.remind_pending(acting_user=SYSTEM, now=later) == 2  # Customer service and Sales, not IT
    reminded = Notification.objects.filter(message__startswith="Reminder")
    assert set(reminded.values_list("recipient__username", flat=True)) == {"sven", "sara"}
    assert actions.remind_pending(acting_user=SYSTEM, now=later) == 0
    assert actions.remind_pending(acting_user=SYSTEM, now=later + dt.timedelta(days=3)) == 2


def test_deleting_the_friction_point_or_a_team_leaves_history_and_nothing_dangling(o):
    from cxkeeper.org import actions as org_actions

    answer(o, o.sales, o.sales_member, "object", reason="No.")
    a, _ = two_options(o)
    stance(o, a, o.sales, o.sales_member, "support")
    org_actions.delete_team(o.sales, expected_version=v(o.sales), acting_user=o.admin)
    assert not Perspective.objects.filter(team_id=o.sales.pk).exists()
    assert ChangeRecord.objects.filter(content_type__model="perspective", action="delete").count() == 1
    actions.delete_friction_point(o.fp, expected_version=v(o.fp), acting_user=o.keeper)
    assert not AffectedTeam.objects.exists() and not Decision.objects.exists()


def test_a_step_delete_takes_it_off_the_challenge_and_the_planned_change_with_history(o):
    from cxkeeper.initiatives.models import PlannedChange
    from cxkeeper.journeys import actions as journey_actions

    actions.set_challenge(o.fp, owner_team=o.it, steps=[o.login_step, o.call_step], expected_version=v(o.fp),
                          acting_user=o.keeper)
    planned = actions.declare_planned_change({"title": "Helpline menu", "go_live": dt.date(2027, 1, 1),
                                              "steps": [o.login_step, o.call_step]}, acting_user=o.it_member)
    journey_actions.delete_step(o.call_step, expected_version=v(o.call_step), acting_user=o.keeper)
    o.fp.refresh_from_db()
    assert [s.pk for s in o.fp.steps.all()] == [o.login_step.pk]
    assert [s.pk for s in PlannedChange.objects.get(pk=planned.pk).steps.all()] == [o.login_step.pk]
    updates = ChangeRecord.objects.filter(content_type__model="plannedchange", object_id=planned.pk, action="update")
    assert updates.count() == 1 and updates.get().before["steps"] == sorted([o.login_step.pk, o.call_step.pk])


def test_a_planned_change_needs_steps_and_a_member_declares_it_only_for_their_own_team(o):
    from cxkeeper.initiatives.models import PlannedChange

    with pytest.raises(InvalidInput, match="at least one step"):
        actions.declare_planned_change({"title": "Mystery", "go_live": dt.date(2027, 1, 1)}, acting_user=o.it_member)
    with pytest.raises(InvalidInput, match="You are not in Sales"):
        actions.declare_planned_change({"title": "x", "go_live": dt.date(2027, 1, 1), "steps": [o.login_step],
                                        "team": o.sales}, acting_user=o.it_member)
    with pytest.raises(Forbidden, match="Viewers"):
        actions.declare_planned_change({"title": "x", "go_live": dt.date(2027, 1, 1), "steps": [o.login_step]},
                                       acting_user=o.viewer)
    assert not PlannedChange.objects.exists()


def test_a_constraint_meets_a_target_only_when_it_is_in_trouble_at_the_teams_steps(o):
    from cxkeeper.outcomes import actions as outcome_actions
    from cxkeeper.outcomes import queries as outcome_queries
    from cxkeeper.testing.outcomes_builders import build_outcomes

    made = build_outcomes(o)  # a year of effort answers; CES at login around 4.4 rising to 5.5
    answer(o, o.it, o.it_member, constraints=[{"kind": "budget", "text": "No budget this year."}])
    answer(o, o.service, o.service_member)  # no constraints: never a target tension
    outcome_actions.update_target(made.login_target, {"value": 1.0}, expected_version=v(made.login_target),
                                         acting_user=SYSTEM)
    assert outcome_queries.assess(type(made.login_target).objects.get(pk=made.login_target.pk)).status == "on_track"
    assert "target" not in kinds(o)
    hard = outcome_actions.set_metric_target({"outcome": made.effort, "metric": made.ces, "scope": "step",
                                              "step": o.login_step, "value": 6.9,
                                              "due": dt.date.today() + dt.timedelta(days=60)}, acting_user=SYSTEM)
    status = outcome_queries.assess(hard).status
    assert status in ("off_track", "at_risk")
    found = [t for t in queries.tensions(o.fp) if t.kind == "target"]
    assert len(found) == 1 and found[0].teams == ("IT",) and "No budget this year." in found[0].detail
    # the target in plain words in the tension, its figures behind "Details"
    assessment = outcome_queries.assess(hard).assessment
    assert assessment.plain in found[0].detail and "n=" not in found[0].detail
    assert found[0].statistics == assessment.explanation
    # the pages: the friction point's tension and the planned change's review, plain first, figures folded
    client = Client()
    client.force_login(o.it_member)
    planned = actions.declare_planned_change({"title": "New login page", "go_live": dt.date(2027, 1, 1),
                                              "steps": [o.login_step]}, acting_user=o.it_member)
    for url in (o.fp.get_absolute_url(), planned.get_absolute_url()):
        page = client.get(url).content.decode()
        assert escape(assessment.plain) in page, url
        shown, folded = page.split(escape(assessment.plain), 1)[1].split("</details>", 1)[0].split(
            "<summary>Details</summary>", 1)
        assert "<details" in shown and escape(assessment.explanation) in folded, url
        assert escape(assessment.explanation) not in re.sub(r"<details.*?</details>", "", page, flags=re.S), url


def test_not_affected_against_a_live_friction_signal_at_its_steps(o):
    """The friction run the friction page shows finds NPS at login worse than the journey's in
    the last four weeks: a team tied to login that says "not affected" is contradicted."""
    from cxkeeper.insights import rollup_store
    from cxkeeper.insights.analytics.rollups import SUM_COLUMNS, RollupKey

    def nps(n, promoters, detractors):
        return {c: {"n": n, "nps_n": n, "promoters": promoters, "detractors": detractors}.get(c, 0)
                for c in SUM_COLUMNS}

    answer(o, o.service, o.service_member, "not_affected")
    assert "data" not in kinds(o)  # no feedback: nothing contradicts the claim
    end, cells = dt.date.today(), {}
    for k in range(16):
        day = end - dt.timedelta(days=7 * k)
        cells[RollupKey(o.login_step.pk, day, "app", None)] = nps(60, 6, 36) if k < 4 else nps(60, 21, 15)
        cells[RollupKey(o.call_step.pk, day, "app", None)] = nps(60, 21, 15)
    rollup_store.apply_cells(cells)
    found = [t for t in queries.tensions(o.fp) if t.kind == "data"]
    assert len(found) == 1 and found[0].teams == ("Customer service",)
    assert "Log in to the app" in found[0].detail


def test_an_initiative_starts_only_from_a_decided_option_with_supporters_contributing(o):
    from cxkeeper.initiatives.models import Initiative

    a, b = two_options(o)
    with pytest.raises(InvalidInput, match="no decided option yet"):
        actions.plan_initiative_from_decision(o.fp, lead_team=o.it, acting_user=o.keeper)
    for team, member in ((o.it, o.it_member), (o.sales, o.sales_member), (o.service, o.service_member)):
        stance(o, a, team, member)
    stance(o, b, o.sales, o.sales_member, "object", "Too dear.")
    actions.decide_by_consensus(o.fp, a, rationale="All agree.", review_on=REVIEW, acting_user=o.keeper)
    with pytest.raises(Forbidden):  # a member may start one only when their own team leads it
        actions.plan_initiative_from_decision(o.fp, lead_team=o.it, acting_user=o.sales_member)
    assert not Initiative.objects.exists()
    initiative = actions.plan_initiative_from_decision(o.fp, lead_team=o.it, acting_user=o.it_member)
    roles = {t.team: t.role for t in initiative.teams_in_order()}
    assert roles == {o.it: "lead", o.sales: "contributes", o.service: "contributes"}
    assert (initiative.title, initiative.friction_point, initiative.status) == (a.title, o.fp, "proposed")
    assert "All agree." in initiative.description
    assert list(initiative.steps.all()) == queries.concerned_steps(o.fp)
