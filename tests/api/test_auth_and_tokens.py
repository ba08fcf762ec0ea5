"""Who is calling: API tokens (created, listed, revoked) and the browser session with CSRF."""

import pytest
from django.test import Client

from cxkeeper.org.actions import create_api_token, revoke_api_token
from cxkeeper.org.models import ApiToken

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_a_token_acts_as_its_owner(world, api_as):
    response = api_as(world.it_member).get("/me")
    assert response.status_code == 200
    me = response.json()
    assert (me["username"], me["role"]) == ("ivan", "member")
    assert [t["name"] for t in me["teams"]] == ["IT"]
    assert "description" in me["may"]


def test_unknown_and_revoked_tokens_are_refused_with_401(world, anonymous):
    bad = anonymous.get("/me", headers={"Authorization": "Bearer cxk_nonsense"})
    assert bad.status_code == 401
    assert "unknown or has been revoked" in bad.json()["detail"]

    token, secret = create_api_token(world.keeper, "ci", acting_user=world.keeper)
    assert anonymous.get("/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoke_api_token(token, acting_user=world.keeper)
    assert anonymous.get("/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_the_secret_is_shown_once_and_works(world, api_as):
    client = api_as(world.viewer)
    created = client.post("/tokens", {"name": "nightly export"})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("cxk_") and body["secret"].startswith(body["prefix"])
    assert body["user"] == "vic"

    listed = client.get("/tokens").json()
    assert listed["count"] == 2  # the client's own token and the new one
    assert all("secret" not in t for t in listed["items"])

    second = ApiClient(session_client=Client())
    second.headers["Authorization"] = f"Bearer {body['secret']}"
    assert second.get("/me").json()["username"] == "vic"
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None


def test_revoking_a_token_stops_it(world, api_as):
    client = api_as(world.keeper)
    created = client.post("/tokens", {"name": "one-off"}).json()
    assert client.delete(f"/tokens/{created['id']}").status_code == 204
    listed = client.get("/tokens", {"active": "false"}).json()
    assert [t["id"] for t in listed["items"]] == [created["id"]]
    other = ApiClient(session_client=Client())
    other.headers["Authorization"] = f"Bearer {created['secret']}"
    assert other.get("/me").status_code == 401


def test_admins_list_create_and_revoke_others_tokens(world, api_as):
    token, _ = create_api_token(world.keeper, "kim's script", acting_user=world.keeper)
    admin = api_as(world.admin)
    listed = admin.get("/tokens", {"user": "kim"}).json()
    assert [t["name"] for t in listed["items"]] == ["kim's script"]
    assert admin.get("/tokens", {"all": "true"}).json()["count"] >= 2

    created = admin.post("/tokens", {"name": "for vic", "user": "vic"})
    assert created.status_code == 201 and created.json()["user"] == "vic"
    assert admin.delete(f"/tokens/{token.pk}").status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_members_cannot_see_or_revoke_others_tokens(world, api_as):
    token, _ = create_api_token(world.keeper, "kim's script", acting_user=world.keeper)
    client = api_as(world.it_member)
    listed = client.get("/tokens", {"user": "kim"})
    assert listed.status_code == 403 and "admin" in listed.json()["detail"]
    refused = client.delete(f"/tokens/{token.pk}")
    assert refused.status_code == 403 and "revoke someone else's API token" in refused.json()["detail"]
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_token_needs_a_name(world, api_as):
    response = api_as(world.viewer).post("/tokens", {"name": "  "})
    assert response.status_code == 422
    assert "name" in response.json()["errors"]


def test_unknown_user_for_a_token_is_a_422_naming_the_field(world, api_as):
    response = api_as(world.admin).post("/tokens", {"name": "x", "user": "nobody"})
    assert response.status_code == 422
    assert "nobody" in response.json()["errors"]["user"][0]


class TestBrowserSession:
    """The UI's own calls use the session cookie; unsafe methods need the CSRF token."""

    def session(self, user):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        return ApiClient(session_client=browser), browser

    def test_reads_work_with_the_session(self, world):
        client, _ = self.session(world.keeper)
        assert client.get("/me").json()["username"] == "kim"

    def test_writes_without_csrf_token_are_refused(self, world):
        client, _ = self.session(world.keeper)
        response = client.post("/personas", {"name": "Student"})
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]

    def test_writes_with_csrf_token_succeed(self, world):
        client, browser = self.session(world.keeper)
        token = "k" * 32  # a CSRF secret, as the csrftoken cookie carries it
        browser.cookies["csrftoken"] = token
        response = client.post("/personas", {"name": "Student"}, headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.content

    def test_anonymous_browser_gets_401_not_a_csrf_error(self, world):
        client = ApiClient(session_client=Client(enforce_csrf_checks=True))
        response = client.post("/personas", {"name": "Student"})
        assert response.status_code == 401
