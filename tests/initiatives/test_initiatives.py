"""Initiatives: exactly one lead team, status transitions (shipped needs its ship date),
dependency cycles refused with the cycle named and nothing stored, history of the parts,
who may plan and change, notifications, and the clean-up when a team, step or friction point
goes."""

from __future__ import annotations

import datetime as dt

import pytest

from cxkeeper.core.errors import Conflict, Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import Initiative, InitiativeTeam
from cxkeeper.org import actions as org_actions

from .initiative_world import plan_login_fix

pytestmark = pytest.mark.django_db


def fresh(initiative) -> Initiative:
    return Initiative.objects.get(pk=initiative.pk)


def test_planning_records_the_teams_metrics_and_milestones_in_history(small_org):
    initiative = plan_login_fix(small_org)
    roles = {r.team.name: r.role for r in initiative.team_roles.select_related("team")}
    assert roles == {"IT": "lead", "Customer service": "contributes", "Sales": "consulted"}
    assert initiative.status == "proposed" and initiative.created_by == small_org.it_member
    record = ChangeRecord.objects.get(content_type__model="initiative", object_id=initiative.pk)
    assert record.action == "create" and record.actor == small_org.it_member
    assert {t["team_label"]: t["role"] for t in record.after["teams"]}["IT"] == "lead"
    assert sorted(m["metric_label"] for m in record.after["metrics"]) == ["Complaints", "Customer effort (CES)"]
    assert record.after["milestones"][0] == {"title": "New mail provider", "due": "2026-05-01", "done": True}
    assert record.after["steps"] == [small_org.login_step.pk]


def test_notifications_reach_the_named_teams(small_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        initiative = plan_login_fix(small_org, acting_user=small_org.keeper)
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert notified == {"ivan", "sara"}  # IT and Sales members; Customer service has none here
    assert Notification.objects.filter(url=initiative.get_absolute_url()).count() == 2


@pytest.mark.parametrize("teams, problem", [
    ([], "Exactly one team leads an initiative; none does."),
    (["it:contributes"], "none does"),
    (["it:lead", "sales:lead"], "2 do (IT, Sales)"),
    (["it:lead", "it:consulted"], "“IT” is named twice"),
    (["it:owner"], "“owner” is not a role"),
])
def test_exactly_one_lead_and_one_role_per_team(small_org, teams, problem):
    pairs = [(getattr(small_org, t.split(":")[0]), t.split(":")[1]) for t in teams]
    with pytest.raises(InvalidInput) as refused:
        actions.plan_initiative({"title": "Anything", "teams": pairs}, acting_user=small_org.keeper)
    assert any(problem in p for p in refused.value.errors["teams"])
    assert not Initiative.objects.exists() and not ChangeRecord.objects.filter(content_type__model="initiative")


def test_status_moves_only_along_the_allowed_transitions_and_shipping_needs_a_date(small_org):
    initiative = plan_login_fix(small_org)
    with pytest.raises(InvalidInput, match="An initiative that is proposed cannot become shipped; it can become "
                                           "approved or closed"):
        actions.set_initiative_status(initiative, "shipped", expected_version=1, acting_user=small_org.keeper)
    initiative = actions.set_initiative_status(initiative, "approved", expected_version=1, acting_user=small_org.keeper)
    initiative = actions.set_initiative_status(initiative, "in_progress", expected_version=2,
                                               acting_user=small_org.it_member)
    with pytest.raises(InvalidInput) as refused:
        actions.set_initiative_status(initiative, "shipped", expected_version=3, acting_user=small_org.keeper)
    assert "the date from which its effect will be measured" in refused.value.errors["ship_date"][0]
    assert fresh(initiative).status == "in_progress"
    shipped = actions.set_initiative_status(initiative, "shipped", ship_date=dt.date(2026, 6, 1), expected_version=3,
                                            acting_user=small_org.keeper)
    assert (shipped.status, shipped.ship_date, shipped.version) == ("shipped", dt.date(2026, 6, 1), 4)
    with pytest.raises(InvalidInput, match="cannot become closed"):
        actions.set_initiative_status(shipped, "closed", expected_version=4, acting_user=small_org.keeper)
    with pytest.raises(InvalidInput, match="cannot be one of|not one of"):
        actions.set_initiative_status(shipped, "done", expected_version=4, acting_user=small_org.keeper)
    with pytest.raises(Conflict):
        actions.set_initiative_status(shipped, "measured", expected_version=3, acting_user=small_org.keeper)
    statuses = [r.after["status"] for r in ChangeRecord.objects.filter(content_type__model="initiative")
                .order_by("at", "id")]
    assert statuses == ["proposed", "approved", "in_progress", "shipped"]


def test_a_dependency_cycle_is_refused_naming_it_and_nothing_is_stored(small_org):
    a = plan_login_fix(small_org, title="New mail provider")
    b = plan_login_fix(small_org, title="Password reset flow")
    c = plan_login_fix(small_org, title="App release 4.2")
    b = actions.update_initiative(b, {"depends_on": [a]}, expected_version=1, acting_user=small_org.keeper)
    c = actions.update_initiative(c, {"depends_on": [b]}, expected_version=1, acting_user=small_org.keeper)
    records = ChangeRecord.objects.count()
    with pytest.raises(InvalidInput) as refused:
        actions.update_initiative(a, {"depends_on": [c], "title": "Mail provider"}, expected_version=1,
                                  acting_user=small_org.keeper)
    message = refused.value.errors["depends_on"][0]
    assert ("“New mail provider” → “App release 4.2” → “Password reset flow” → “New mail provider”" in message
            and "Nothing was saved" in message)
    assert list(fresh(a).depends_on.all()) == [] and fresh(a).title == "New mail provider" and fresh(a).version == 1
    assert ChangeRecord.objects.count() == records
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        actions.update_initiative(a, {"depends_on": [a]}, expected_version=1, acting_user=small_org.keeper)


def test_who_may_plan_change_and_delete(small_org):
    with pytest.raises(Forbidden, match="“IT” is not one of yours"):
        plan_login_fix(small_org, acting_user=small_org.sales_member)
    with pytest.raises(Forbidden, match="you are signed in as a viewer"):
        plan_login_fix(small_org, acting_user=small_org.viewer)
    initiative = plan_login_fix(small_org)
    with pytest.raises(Forbidden, match="member of the team that leads"):
        actions.update_initiative(initiative, {"title": "Mine now"}, expected_version=1,
                                  acting_user=small_org.sales_member)
    with pytest.raises(Forbidden, match="Only a keeper or an admin may delete"):
        actions.delete_initiative(initiative, expected_version=1, acting_user=small_org.it_member)
    with pytest.raises(Forbidden, match="not one of yours"):  # a member cannot hand the lead to another team
        actions.update_initiative(initiative, {"teams": [(small_org.sales, "lead")]}, expected_version=1,
                                  acting_user=small_org.it_member)
    assert fresh(initiative).version == 1


def test_deleting_keeps_the_dependents_without_it(small_org):
    a = plan_login_fix(small_org, title="First")
    b = plan_login_fix(small_org, title="Second")
    actions.update_initiative(b, {"depends_on": [a]}, expected_version=1, acting_user=small_org.keeper)
    actions.delete_initiative(a, expected_version=1, acting_user=small_org.keeper)
    assert list(fresh(b).depends_on.all()) == [] and fresh(b).version == 3
    deleted = ChangeRecord.objects.get(content_type__model="initiative", object_id=a.pk, action="delete")
    assert deleted.before["title"] == "First" and len(deleted.before["teams"]) == 3


def test_a_removed_team_step_or_friction_point_leaves_the_initiative_standing(small_org):
    fp = actions.raise_friction_point({"title": "Login fails", "step": small_org.login_step},
                                      acting_user=small_org.keeper)
    initiative = plan_login_fix(small_org)
    actions.update_initiative(initiative, {"friction_point": fp}, expected_version=1, acting_user=small_org.keeper)
    actions.delete_friction_point(fp, expected_version=1, acting_user=small_org.keeper)
    assert fresh(initiative).friction_point is None
    org_actions.delete_team(small_org.sales, expected_version=small_org.sales.version, acting_user=small_org.admin)
    assert not InitiativeTeam.objects.filter(team__name="Sales").exists()
    assert fresh(initiative).team_roles.count() == 2
    from cxkeeper.journeys import actions as journey_actions

    journey_actions.delete_step(small_org.login_step, expected_version=small_org.login_step.version,
                                acting_user=small_org.keeper)
    assert list(fresh(initiative).steps.all()) == []
    updates = ChangeRecord.objects.filter(content_type__model="initiative", object_id=initiative.pk, action="update")
    assert updates.count() == 4


def test_a_deleted_metric_leaves_the_initiatives_that_named_it(small_org):
    from cxkeeper.outcomes import actions as outcome_actions
    from cxkeeper.outcomes.models import MetricDefinition

    initiative = plan_login_fix(small_org)
    complaints = MetricDefinition.objects.get(key="complaints")
    outcome_actions.delete_metric(complaints, expected_version=complaints.version, acting_user=small_org.keeper)
    assert [m.metric.key for m in fresh(initiative).metric_moves.all()] == ["ces"]
    update = ChangeRecord.objects.get(content_type__model="initiative", object_id=initiative.pk, action="update")
    assert [m["metric_label"] for m in update.before["metrics"]] == ["Complaints", "Customer effort (CES)"]
    assert update.actor == small_org.keeper


def test_a_teams_open_initiatives_are_its_commitments_with_role_and_next_milestone(small_org):
    from cxkeeper.initiatives.commitments import initiatives_of
    from cxkeeper.outcomes.commitments import commitments_of

    o = small_org
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    fix = actions.plan_initiative({
        "title": "Faster reset e-mails", "teams": [(o.it, "lead"), (o.sales, "consulted")],
        "milestones": [{"title": "Provider chosen", "due": past, "done": False}]}, acting_user=o.keeper)
    actions.plan_initiative({"title": "Old plan", "teams": [(o.sales, "lead")]}, acting_user=o.keeper)
    closed = Initiative.objects.get(title="Old plan")
    actions.set_initiative_status(closed, "closed", expected_version=closed.version, acting_user=o.keeper)
    (it,) = initiatives_of(o.it)
    assert (it.kind, it.title, it.url, it.overdue) == ("initiative", fix.title, fix.get_absolute_url(), True)
    assert "next: Provider chosen" in it.status and it.source == "IT leads"
    assert [c.title for c in initiatives_of(o.sales)] == ["Faster reset e-mails"]  # the closed one is not
    assert any(c.kind == "initiative" for c in commitments_of(o.it))  # registered on the scorecard
