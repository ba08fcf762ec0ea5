"""API tokens never outlive what made them, and say who made them (issue 10, finding 11: a
token could mint tokens that outlive it, a password change revoked no token, tokens never
expired, and a token alex minted for kira wrote history as kira with no trace of alex)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cxkeeper.core.models import ChangeRecord
from cxkeeper.org import actions
from cxkeeper.org.models import ApiToken


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _mint_with(api_as, world, secret, **body):
    client = api_as(None)
    return client.post("/tokens", {"name": "child", **body}, headers=bearer(secret))


def test_a_token_minted_with_a_token_dies_with_it(world, api_as):
    parent, parent_secret = actions.create_api_token(world.keeper, "parent", acting_user=world.keeper)
    response = _mint_with(api_as, world, parent_secret)
    assert response.status_code == 201, response.content
    child_secret = response.json()["secret"]
    assert response.json()["parent"] == parent.pk
    assert api_as(None).get("/me", headers=bearer(child_secret)).status_code == 200
    actions.revoke_api_token(parent, acting_user=world.keeper)
    assert api_as(None).get("/me", headers=bearer(child_secret)).status_code == 401
    child = ApiToken.objects.get(parent=parent)
    assert child.revoked_at is not None
    assert child.revoked_reason == "the token it was created with (“parent”) no longer works"


def test_a_child_token_never_expires_after_its_parent(world, api_as):
    soon = timezone.now() + dt.timedelta(days=2)
    _, parent_secret = actions.create_api_token(world.keeper, "parent", acting_user=world.keeper, expires_at=soon)
    response = _mint_with(api_as, world, parent_secret,
                          expires_at=(timezone.now() + dt.timedelta(days=200)).isoformat())
    assert response.status_code == 201
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) <= soon


def test_tokens_expire(world, api_as):
    token, secret = actions.create_api_token(world.keeper, "short", acting_user=world.keeper,
                                             expires_at=timezone.now() + dt.timedelta(hours=1))
    assert api_as(None).get("/me", headers=bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_as(None).get("/me", headers=bearer(secret)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_reason == "expired"


def test_every_new_token_has_an_end_date_no_later_than_the_setting(world, settings):
    settings.CXKEEPER_TOKEN_MAX_DAYS = 30
    token, _ = actions.create_api_token(world.keeper, "default", acting_user=world.keeper)
    assert token.expires_at <= timezone.now() + dt.timedelta(days=30)
    import pytest

    from cxkeeper.core.errors import InvalidInput
    with pytest.raises(InvalidInput, match="at most 30 days"):
        actions.create_api_token(world.keeper, "long", acting_user=world.keeper,
                                 expires_at=timezone.now() + dt.timedelta(days=31))


def test_a_password_change_kills_every_token_made_before_it(world, api_as, client, password):
    _, secret = actions.create_api_token(world.viewer, "script", acting_user=world.viewer)
    assert api_as(None).get("/me", headers=bearer(secret)).status_code == 200
    client.force_login(world.viewer)
    new = "a-New-passw0rd-42"
    response = client.post("/accounts/password/", {"old_password": password, "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 302
    assert api_as(None).get("/me", headers=bearer(secret)).status_code == 401
    _, fresh = actions.create_api_token(world.viewer, "after", acting_user=world.viewer)
    assert api_as(None).get("/me", headers=bearer(fresh)).status_code == 200


def test_history_names_who_minted_a_token_for_someone_else(world, api_as):
    _, secret = actions.create_api_token(world.keeper, "made for kim", acting_user=world.admin)
    response = api_as(None).post("/glossary", {"term": "Churn", "definition": "Customers who leave."},
                                 headers=bearer(secret))
    assert response.status_code == 201, response.content
    record = ChangeRecord.objects.filter(object_repr__icontains="Churn").latest("at")
    assert record.actor_label == "kim"
    assert record.via == "through the API token “made for kim” created by ada"
    history = api_as(world.admin).get("/history", {"limit": 5}).json()
    assert any(item.get("via") == record.via for item in history["items"])
