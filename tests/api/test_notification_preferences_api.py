"""`/api/v1/me/notification-preferences`: the caller's own choices, the role's defaults, edits
checked and audited like the page's (the same action)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from cxkeeper.core.models import ChangeRecord
from cxkeeper.notify.models import NotificationPreference

PATH = "/me/notification-preferences"
pytestmark = pytest.mark.django_db


def by_kind(body) -> dict[str, dict]:
    return {p["kind"]: p for p in body["preferences"]}


def test_anonymous_callers_are_asked_to_sign_in(anonymous):
    assert anonymous.get(PATH).status_code == 401
    assert anonymous.request("PUT", PATH, {"preferences": {"step.changed": "off"}}).status_code == 401


def test_each_person_reads_their_own_with_the_defaults_of_their_role(small_org, api_as):
    member = api_as(small_org.it_member).get(PATH)
    assert member.status_code == 200
    prefs = by_kind(member.json())
    assert prefs["perspective.asked"]["mode"] == prefs["perspective.asked"]["default"] == "email"
    assert prefs["step.changed"] == {"kind": "step.changed", "label": "A step your team is responsible for changed",
                                     "mode": "in_app", "default": "in_app",
                                     "choices": ["in_app", "email", "digest", "off"], "changed": False}
    assert prefs["digest.weekly"]["choices"] == ["email", "off"] and prefs["digest.weekly"]["mode"] == "email"
    viewer = by_kind(api_as(small_org.viewer).get(PATH).json())
    assert viewer["digest.weekly"]["mode"] == "off"


def test_a_change_is_saved_for_the_caller_only_and_recorded(small_org, api_as):
    answer = api_as(small_org.viewer).request("PUT", PATH, {"preferences": {"step.changed": "digest",
                                                                            "digest.weekly": "email"}})
    assert answer.status_code == 200, answer.content
    prefs = by_kind(answer.json())
    assert prefs["step.changed"]["mode"] == "digest" and prefs["step.changed"]["changed"]
    assert prefs["council.decided"]["mode"] == "in_app"  # left out: unchanged
    assert set(NotificationPreference.objects.values_list("user__username", flat=True)) == {"vic"}
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(NotificationPreference))
    assert records.count() == 2 and {r.actor_label for r in records} == {"vic"}
    assert by_kind(api_as(small_org.keeper).get(PATH).json())["step.changed"]["mode"] == "in_app"


def test_wrong_kinds_and_modes_are_named_and_nothing_is_saved(small_org, api_as):
    answer = api_as(small_org.it_member).request("PUT", PATH, {"preferences": {
        "step.changed": "off", "step.vanished": "off", "digest.weekly": "digest"}})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"step.vanished", "digest.weekly"}
    assert not NotificationPreference.objects.exists()
    malformed = api_as(small_org.it_member).request("PUT", PATH, {"preferences": ["step.changed"]})
    assert malformed.status_code == 422
