"""The council's rules through its actions: bad input is refused with a message naming the
field and nothing stored; roles are data (facilitator, sponsor, owner team); every write is in
history; people are notified."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.governance import actions, queries
from cxkeeper.governance.models import ActionItem, Council, CouncilMember, Decision
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.governance_builders import build_council_world
from cxkeeper.testing.worlds import class_world

TODAY = dt.date.today


def stored():
    return (Decision.objects.count(), ActionItem.objects.count(), ChangeRecord.objects.count())


def refused(call, field: str, error=InvalidInput):
    before = stored()
    with pytest.raises(error) as info:
        call()
    assert stored() == before, "a refused write stored something"
    if error is InvalidInput:
        assert field in info.value.errors, info.value.errors
        return " ".join(info.value.errors[field])
    return info.value.reason


@pytest.fixture
def notifications(django_capture_on_commit_callbacks):
    """Notifications are sent after commit: run those callbacks inside the test's transaction."""
    return django_capture_on_commit_callbacks


def no_quorum_meeting(world):
    meeting = actions.schedule_meeting(world.council, {"starts_at": world.past.starts_at + dt.timedelta(days=1)},
                                       acting_user=SYSTEM)
    return actions.record_attendance(meeting, [world.it_member], expected_version=meeting.version,
                                     acting_user=SYSTEM)


@pytest.mark.django_db
class TestDecisions:
    world = class_world(build_council_world)

    def test_without_quorum_the_council_cannot_decide(self, world):
        meeting = no_quorum_meeting(world)
        message = refused(lambda: actions.record_decision(world.council, {
            "meeting": meeting, "statement": "Drop the paper bill"}, acting_user=world.keeper), "meeting")
        assert "No quorum: 1 of 3 member teams present; the quorum is 2" in message
        assert "the sponsor still can" in message

    def test_without_quorum_the_sponsor_still_can_as_sponsor(self, world):
        meeting = no_quorum_meeting(world)
        decision = actions.record_decision(world.council, {
            "meeting": meeting, "statement": "Drop the paper bill", "decided_by": "sponsor",
            "rationale": "Cost and carbon."}, acting_user=world.viewer)  # Vic, a viewer, is the sponsor
        assert decision.decided_by == "sponsor" and decision.recorded_by == world.viewer

    def test_only_the_sponsor_breaks_a_tie(self, world):
        reason = refused(lambda: actions.record_decision(world.council, {
            "meeting": world.past, "statement": "X", "decided_by": "sponsor"}, acting_user=world.keeper), "",
            error=Forbidden)
        assert "Only the executive sponsor of “CX council”" in reason

    def test_a_council_decision_needs_a_meeting(self, world):
        refused(lambda: actions.record_decision(world.council, {"statement": "X"}, acting_user=world.keeper),
                "meeting")

    def test_a_review_date_in_the_past_is_refused(self, world):
        message = refused(lambda: actions.record_decision(world.council, {
            "meeting": world.past, "statement": "X", "review_on": TODAY() - dt.timedelta(days=1)},
            acting_user=world.keeper), "review_on")
        assert "in the past" in message
        refused(lambda: actions.update_decision(world.decision, {"review_on": TODAY() - dt.timedelta(days=1)},
                                                expected_version=world.decision.version, acting_user=world.keeper),
                "review_on")

    def test_members_and_viewers_do_not_record_council_decisions(self, world):
        for person in (world.it_member, world.sales_member):
            reason = refused(lambda p=person: actions.record_decision(world.council, {
                "meeting": world.past, "statement": "X"}, acting_user=p), "", error=Forbidden)
            assert "Only the facilitator of “CX council”, a keeper or an admin" in reason

    def test_the_facilitator_runs_meetings_whatever_their_role(self, world):
        council = actions.update_council(world.council, {"facilitator": world.sales_member},
                                         expected_version=world.council.version, acting_user=world.keeper)
        decision = actions.record_decision(council, {"meeting": world.past, "statement": "Sara decides"},
                                           acting_user=world.sales_member)
        assert decision.decided_by == "consensus"

    def test_an_escalation_waits_for_the_sponsor_who_decides_with_a_rationale(self, world, notifications):
        with notifications(execute=True):
            asked = actions.escalate(world.council, {"meeting": world.past, "statement": "Which fix first?",
                                                     "options": ["Login", "Billing"]}, acting_user=world.keeper)
        assert list(queries.escalations_waiting()) == [asked]
        assert Notification.objects.filter(recipient=world.viewer, url=asked.get_absolute_url()).exists()
        refused(lambda: actions.decide_escalation(asked, {"rationale": "Login"}, expected_version=asked.version,
                                                  acting_user=world.keeper), "", error=Forbidden)
        refused(lambda: actions.decide_escalation(asked, {"rationale": " "}, expected_version=asked.version,
                                                  acting_user=world.viewer), "rationale")
        decided = actions.decide_escalation(asked, {"statement": "Login first", "rationale": "More customers."},
                                            expected_version=asked.version, acting_user=world.viewer)
        assert (decided.status, decided.decided_by, decided.statement) == ("decided", "sponsor", "Login first")
        assert list(queries.escalations_waiting()) == []


@pytest.mark.django_db
class TestActionItems:
    world = class_world(build_council_world)

    def test_an_action_item_without_an_owner_team_is_refused(self, world):
        message = refused(lambda: actions.raise_action_item(world.council, {"title": "Somebody should"},
                                                            acting_user=world.keeper), "owner_team")
        assert message == "Every action item is owned by a team: choose one."

    def test_the_owner_must_belong_to_the_owner_team(self, world):
        message = refused(lambda: actions.raise_action_item(world.council, {
            "title": "X", "owner_team": world.it, "owner": world.sales_member}, acting_user=world.keeper), "owner")
        assert message == "sara is not a member of IT."

    def test_members_update_their_own_teams_items_and_no_others(self, world):
        item = world.it_action
        done = actions.set_action_status(item, "done", expected_version=item.version, acting_user=world.it_member)
        assert (done.status, done.completed_on) == ("done", TODAY())
        reason = refused(lambda: actions.set_action_status(done, "open", expected_version=done.version,
                                                           acting_user=world.sales_member), "", error=Forbidden)
        assert "Only members of IT" in reason
        refused(lambda: actions.update_action_item(done, {"owner_team": world.sales}, expected_version=done.version,
                                                   acting_user=world.it_member), "owner_team")
        refused(lambda: actions.set_action_status(done, "open", expected_version=done.version,
                                                  acting_user=world.viewer), "", error=Forbidden)

    def test_a_new_item_and_its_progress_are_notified(self, world, notifications):
        with notifications(execute=True):
            item = actions.raise_action_item(world.council, {"title": "Tidy the IVR", "owner_team": world.it},
                                             acting_user=world.keeper)
        assert Notification.objects.filter(recipient=world.it_member, url=item.get_absolute_url()).exists()
        with notifications(execute=True):
            actions.set_action_status(item, "in_progress", expected_version=item.version,
                                      acting_user=world.it_member)
        assert Notification.objects.filter(recipient=world.keeper, url=item.get_absolute_url()).exists()

    def test_overdue_items_are_reminded_once_a_day(self, world, notifications):
        late = actions.raise_action_item(world.council, {"title": "Late", "owner_team": world.sales,
                                                         "owner": world.sales_member,
                                                         "due": TODAY() - dt.timedelta(days=2)}, acting_user=SYSTEM)
        with notifications(execute=True):
            assert [i.pk for i in actions.remind_overdue(acting_user=SYSTEM)] == [late.pk]
        assert Notification.objects.filter(recipient=world.sales_member,
                                           message="Overdue by 2 days (Sales): Late").count() == 1
        assert actions.remind_overdue(acting_user=SYSTEM) == []
        assert [i.pk for i in actions.remind_overdue(as_of=TODAY() + dt.timedelta(days=1), acting_user=SYSTEM)] \
            == [late.pk]


@pytest.mark.django_db
class TestCharter:
    world = class_world(build_council_world)

    def test_every_version_of_the_charter_is_in_history(self, world):
        council = actions.update_council(world.council, {"quorum": 3, "cadence_days": 14},
                                         expected_version=world.council.version, acting_user=world.keeper)
        latest = queries.charter_history(council)[0]
        assert latest.before["quorum"] == 2 and latest.after["quorum"] == 3 and latest.actor == world.keeper
        assert council.version == world.council.version + 1

    def test_members_and_viewers_cannot_change_the_charter(self, world):
        for person in (world.it_member, world.viewer):
            with pytest.raises(Forbidden):
                actions.update_council(world.council, {"quorum": 1}, expected_version=world.council.version,
                                       acting_user=person)

    def test_a_team_gets_one_seat(self, world):
        refused(lambda: actions.add_member(world.council, {"team": world.it}, acting_user=world.keeper), "team")

    def test_a_council_that_met_keeps_its_record(self, world):
        refused(lambda: actions.delete_council(world.council, expected_version=world.council.version,
                                               acting_user=world.admin), "council")

    def test_meetings_follow_the_cadence(self, world):
        meeting = actions.schedule_meeting(world.council, {}, acting_user=world.keeper)
        assert meeting.starts_at == world.upcoming.starts_at + dt.timedelta(days=world.council.cadence_days)
        assert meeting.duration_minutes == world.council.meeting_minutes

    def test_sending_the_agenda_notifies_members_and_the_sponsor(self, world, notifications):
        with notifications(execute=True):
            actions.send_agenda(world.upcoming, acting_user=world.keeper)
        notified = set(Notification.objects.filter(url=world.upcoming.get_absolute_url())
                       .values_list("recipient__username", flat=True))
        assert notified == {"ivan", "sara", "vic"}  # not the keeper who sent it

    def test_a_deleted_team_takes_its_seat_and_action_items_with_history(self, world):
        with transaction.atomic():
            org_actions.delete_team(world.it, expected_version=world.it.version, acting_user=world.admin)
        assert not CouncilMember.objects.filter(team_id=world.it.pk).exists()
        assert not ActionItem.objects.filter(pk=world.it_action.pk).exists()
        assert ChangeRecord.objects.filter(object_id=world.it_action.pk, action="delete",
                                           content_type__model="actionitem").exists()
        assert Council.objects.filter(pk=world.council.pk).exists()


@pytest.mark.django_db
def test_an_action_item_may_serve_a_friction_point_or_an_initiative_that_exists(small_org):
    from cxkeeper.governance import links
    from cxkeeper.initiatives import actions as initiative_actions
    from cxkeeper.testing.governance_builders import build_council

    w = build_council(small_org)
    fp = initiative_actions.raise_friction_point({"title": "Reset e-mails late"}, acting_user=w.it_member)
    item = actions.raise_action_item(w.council, {"title": "Fix it", "owner_team": w.it, "link_kind": "friction_point",
                                                 "link_id": fp.pk}, acting_user=w.keeper)
    assert links.resolve(item.link_kind, item.link_id).url == fp.get_absolute_url()
    message = refused(lambda: actions.raise_action_item(w.council, {
        "title": "Ship it", "owner_team": w.it, "link_kind": "initiative", "link_id": 999}, acting_user=w.keeper),
        "link_id")
    assert message == "There is no initiative 999."
    refused(lambda: actions.raise_action_item(w.council, {"title": "X", "owner_team": w.it, "link_kind": "win",
                                                          "link_id": 1}, acting_user=w.keeper), "link_kind")
