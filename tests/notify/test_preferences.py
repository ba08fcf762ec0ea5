"""Preferences per person and kind of news: the defaults of each role, edits (audited, own only,
checked), and the page reached from the user menu."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.events import EVENT_KINDS
from cxkeeper.core.models import ChangeRecord
from cxkeeper.notify import actions, queries
from cxkeeper.notify.models import NotificationPreference
from cxkeeper.notify.preferences import WEEKLY_DIGEST

pytestmark = pytest.mark.django_db


def modes(user) -> dict[str, str]:
    return {p.kind: p.mode for p in queries.preferences_of(user)}


def test_every_kind_the_apps_emit_is_a_choice_with_a_plain_label(small_org):
    kinds = set(modes(small_org.it_member))
    # the five places that used to write notices directly now declare their kinds
    assert {"step.changed", "council.decided", "action_item.overdue", "wins.regression", "perspective.asked",
            "initiative.team_named", "friction.escalated", WEEKLY_DIGEST} <= kinds
    assert kinds == set(EVENT_KINDS) | {WEEKLY_DIGEST}
    for pref in queries.preferences_of(small_org.it_member):
        assert pref.label[:1].isupper() and "." not in pref.label and "_" not in pref.label, pref.label


def test_defaults_follow_the_role(small_org):
    member, keeper, viewer = modes(small_org.it_member), modes(small_org.keeper), modes(small_org.viewer)
    # what waits on a member arrives by e-mail too; news about the map in the app
    assert member["perspective.asked"] == member["action_item.assigned"] == "email"
    assert member["step.changed"] == member["council.decided"] == "in_app"
    # keepers hear of every perspective given in the app, not by e-mail
    assert keeper["perspective.given"] == "in_app" and keeper["action_item.overdue"] == "email"
    # a viewer may be the sponsor: escalations by e-mail; no weekly digest by default
    assert viewer["council.escalated"] == "email" and viewer["step.changed"] == "in_app"
    assert viewer[WEEKLY_DIGEST] == "off" and member[WEEKLY_DIGEST] == keeper[WEEKLY_DIGEST] == "email"
    assert not NotificationPreference.objects.exists()  # defaults are not stored


def test_an_edit_is_stored_and_recorded_in_history_by_the_person(small_org):
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "digest", WEEKLY_DIGEST: "off"}, acting_user=ivan)
    assert modes(ivan)["step.changed"] == "digest" and modes(ivan)[WEEKLY_DIGEST] == "off"
    def records():
        return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(NotificationPreference))

    assert records().count() == 2 and {r.actor for r in records()} == {ivan}
    # back to in-app: an update of the same row, one more history record
    actions.set_preferences(ivan, {"step.changed": "in_app"}, acting_user=ivan)
    assert modes(ivan)["step.changed"] == "in_app" and records().count() == 3
    assert NotificationPreference.objects.get(user=ivan, kind="step.changed").version == 2
    # choosing what is already chosen records nothing
    actions.set_preferences(ivan, {"step.changed": "in_app", "council.decided": "in_app"}, acting_user=ivan)
    assert records().count() == 3


def test_bad_kinds_and_modes_are_refused_by_name_and_nothing_is_saved(small_org):
    ivan = small_org.it_member
    with pytest.raises(InvalidInput) as refused:
        actions.set_preferences(ivan, {"step.changed": "digest", "no.such": "off", WEEKLY_DIGEST: "digest",
                                       "council.decided": "sms"}, acting_user=ivan)
    assert set(refused.value.errors) == {"no.such", WEEKLY_DIGEST, "council.decided"}
    assert "“sms” is not a choice" in refused.value.errors["council.decided"][0]
    assert not NotificationPreference.objects.exists()


def test_only_the_person_changes_their_preferences(small_org):
    with pytest.raises(Forbidden):
        actions.set_preferences(small_org.it_member, {"step.changed": "off"}, acting_user=small_org.admin)
    actions.set_preferences(small_org.it_member, {"step.changed": "off"}, acting_user=SYSTEM)  # the trusted CLI
    assert modes(small_org.it_member)["step.changed"] == "off"


def test_the_page_is_in_the_user_menu_and_saves_choices(client, small_org):
    client.force_login(small_org.it_member)
    home = client.get("/").content.decode()
    assert 'href="/notifications/preferences/">Notification preferences</a>' in home
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "A step your team is responsible for changed" in text and "The weekly digest of your teams" in text
    assert "/notifications/digests/" not in text  # previews are for keepers and admins
    saved = client.post("/notifications/preferences/", {"step.changed": "email", WEEKLY_DIGEST: "off"})
    assert saved.status_code == 302
    assert modes(small_org.it_member)["step.changed"] == "email"
    refused = client.post("/notifications/preferences/", {"step.changed": "pigeon"})
    assert refused.status_code == 422 and "Nothing was saved" in refused.content.decode()
    assert modes(small_org.it_member)["step.changed"] == "email"


def test_keepers_reach_each_team_s_digest_preview_from_the_page(client, small_org):
    client.force_login(small_org.keeper)
    assert f'href="/notifications/digests/{small_org.it.slug}/"' in client.get("/notifications/preferences/") \
        .content.decode()
    assert client.get(f"/notifications/digests/{small_org.it.slug}/").status_code == 200
    client.force_login(small_org.it_member)
    assert client.get(f"/notifications/digests/{small_org.it.slug}/").status_code == 403
