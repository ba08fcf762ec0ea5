"""Keeping everyone on the same page: notifications to responsible teams, overdue reviews,
history per object and in the activity feed, concurrent edits."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Conflict
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.journeys import actions
from cxkeeper.journeys.models import Journey
from cxkeeper.journeys.queries import overdue_journeys
from cxkeeper.org.actions import create_person, update_workspace


@pytest.mark.django_db(transaction=True)
def test_responsible_teams_hear_about_a_changed_step(small_org):
    agent = create_person(username="cara", password=None, role="member", teams=[small_org.service],
                          acting_user=SYSTEM).user
    Notification.objects.all().delete()  # those about building the fixture
    actions.update_step(small_org.login_step, {"description": "Now with one-time codes."}, expected_version=1,
                        acting_user=small_org.it_member)
    notices = Notification.objects.filter(recipient=agent)
    assert notices.count() == 1 and "Log in to the app" in notices.get().message
    assert not Notification.objects.filter(recipient=small_org.it_member).exists()  # not the person who edited
    assert not Notification.objects.filter(recipient=small_org.sales_member).exists()  # Sales has no part
    client = Client()
    client.force_login(agent)
    shown = re.sub(r"<[^>]+>", "", client.get("/").content.decode())
    assert "Inbox 1 unread" in shown
    page = client.get("/notifications/")
    assert "Log in to the app" in page.content.decode()
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_journeys_not_reviewed_in_time_are_flagged(small_org):
    assert overdue_journeys() == []  # just created
    Journey.objects.filter(pk=small_org.journey.pk).update(created_at=timezone.now() - dt.timedelta(days=91))
    assert [j.name for j in overdue_journeys()] == ["Get help"]
    update_workspace({"review_interval_days": 120}, expected_version=1, acting_user=small_org.admin)
    assert overdue_journeys() == []
    update_workspace({"review_interval_days": 30}, expected_version=2, acting_user=small_org.admin)
    actions.mark_journey_reviewed(small_org.journey, acting_user=small_org.keeper)
    assert overdue_journeys() == []
    client = Client()
    client.force_login(small_org.viewer)
    Journey.objects.filter(pk=small_org.journey.pk).update(last_reviewed_at=timezone.now() - dt.timedelta(days=31))
    assert "Overdue" in client.get("/").content.decode()


def test_history_shows_who_changed_what(small_org):
    actions.update_step(small_org.login_step, {"channel": "web"}, expected_version=1, acting_user=small_org.it_member)
    record = ChangeRecord.objects.filter(step_id=small_org.login_step.pk, action="update").get()
    assert record.actor == small_org.it_member
    assert ("channel", "app", "web") in record.changed_fields
    client = Client()
    client.force_login(small_org.viewer)
    html = client.get(f"/history/journeys/step/{small_org.login_step.pk}/").content.decode()
    assert "ivan" in html and "web" in html
    assert "ivan" in client.get("/activity/").content.decode()


def test_a_stale_save_is_refused_and_the_first_one_kept(small_org):
    actions.update_step(small_org.login_step, {"description": "first"}, expected_version=1,
                        acting_user=small_org.keeper)
    with pytest.raises(Conflict, match="changed by someone else"):
        actions.update_step(small_org.login_step, {"description": "second"}, expected_version=1,
                            acting_user=small_org.it_member)
    small_org.login_step.refresh_from_db()
    assert small_org.login_step.description == "first" and small_org.login_step.version == 2


def test_members_cannot_restructure(small_org):
    from cxkeeper.core.errors import Forbidden

    with pytest.raises(Forbidden, match="needs a keeper"):
        actions.update_step(small_org.login_step, {"name": "Sign in"}, expected_version=1,
                            acting_user=small_org.it_member)
    with pytest.raises(Forbidden):
        actions.add_stage(small_org.journey, {"name": "New"}, acting_user=small_org.it_member)
