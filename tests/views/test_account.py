"""Sign-in, sign-out, password change, token revocation and the public endpoints."""

from cxkeeper.core.middleware import CONTENT_SECURITY_POLICY
from cxkeeper.org.actions import create_api_token
from cxkeeper.org.models import ApiToken


def test_health_check_is_public(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_sign_in_page_and_sign_in(client, small_org, password):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    response = client.post("/accounts/login/", {"username": "kim", "password": password})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_then_rate_limit(client, small_org, password, settings):
    settings.CXKEEPER_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "kim", "password": "nope"})
        assert response.status_code == 200 and b"correct username and password" in response.content
    blocked = client.post("/accounts/login/", {"username": "kim", "password": password})
    assert blocked.status_code == 429 and b"Too many failed sign-ins" in blocked.content
    assert client.get("/").status_code == 302  # still signed out, even with the right password


def test_sign_out(client, small_org):
    client.force_login(small_org.viewer)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, small_org, password):
    client.force_login(small_org.viewer)
    new = "another-long-passphrase"
    response = client.post("/accounts/password/", {"old_password": password, "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 302
    small_org.viewer.refresh_from_db()
    assert small_org.viewer.check_password("another-long-passphrase")


def test_token_revoke_own_and_not_others(client, small_org):
    own, _ = create_api_token(small_org.viewer, "mine", acting_user=small_org.viewer)
    theirs, _ = create_api_token(small_org.keeper, "theirs", acting_user=small_org.keeper)
    client.force_login(small_org.viewer)
    assert client.post(f"/account/tokens/{own.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
    assert client.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 403
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_api_docs_page_is_served_offline(client, small_org):
    client.force_login(small_org.viewer)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content and b"cdn" not in response.content.lower()


def test_bad_query_parameters_do_not_break_pages(client, small_org):
    client.force_login(small_org.viewer)
    assert client.get("/activity/?journey=abc&model=x").status_code == 200
    assert client.get(f"/activity/?journey={small_org.journey.pk}").status_code == 200
    assert client.get("/history/journeys/step/999999/").status_code == 404  # never existed
