"""Password sign-in turned off (CXKEEPER_PASSWORD_SIGN_IN=off): the sign-in page offers the
provider only, and every path that checks a password refuses one — the sign-in page, Django
admin's login, the password change — before checking it. The break glass is a one-time link
made on the server (`cxkeeper signin-link`)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from typer.testing import CliRunner

from cxkeeper.cli import app
from cxkeeper.core.models import LoginFailure
from cxkeeper.core.roles import Role
from cxkeeper.org import actions as org_actions
from cxkeeper.org.sso import one_time_token

from .conftest import person, sso_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_only(idp, settings):
    settings.CXKEEPER_PASSWORD_SIGN_IN = False
    return idp


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sign_in_page_offers_only_the_provider(sso_only):
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Example ID" in page
    assert 'name="password"' not in page and 'name="username"' not in page


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/?next=/admin/"])
def test_a_right_password_is_refused_on_every_sign_in_path(sso_only, local_admin, password, path):
    client = Client()
    response = client.post(path, {"username": "ada", "password": password})
    assert response.status_code == 403 and "Password sign-in is turned off" in response.content.decode()
    assert not signed_in(client)
    assert not LoginFailure.objects.exists()  # refused before any check: no password was tried


def test_admin_login_sends_people_to_the_provider_button(sso_only):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/admin/")


def test_authenticate_itself_refuses_a_password(sso_only, local_admin, password):
    from django.contrib.auth import authenticate

    assert authenticate(None, username="ada", password=password) is None


def test_password_change_is_refused(sso_only, local_admin, password):
    client = Client()
    client.force_login(local_admin)
    assert client.get("/accounts/password/").status_code == 403
    response = client.post("/accounts/password/", {"old_password": password, "new_password1": "Another-pass-42",
                                                   "new_password2": "Another-pass-42"})
    assert response.status_code == 403
    local_admin.refresh_from_db()
    assert local_admin.check_password(password)


def test_single_sign_on_still_works(sso_only, teams):
    sso_only.person = person(groups=["billing"])
    client = Client()
    assert sso_sign_in(client).status_code == 302 and signed_in(client)


def test_passwords_stay_on_while_single_sign_on_is_not_configured(db, settings, local_admin, password):
    """Turning passwords off without a provider would lock everyone out: it is ignored."""
    settings.CXKEEPER_SSO_ISSUER = settings.CXKEEPER_SSO_DISCOVERY_URL = ""
    settings.CXKEEPER_PASSWORD_SIGN_IN = False
    client = Client()
    client.post("/accounts/login/", {"username": "ada", "password": password})
    assert signed_in(client)


def test_with_passwords_on_admin_login_is_django_admins_own(idp, local_admin, password):
    client = Client()
    assert client.get("/admin/login/").status_code == 200
    client.post("/admin/login/?next=/admin/", {"username": "ada", "password": password})
    assert signed_in(client)


# ------------------------------------------------------------------ break glass


def _link_path(output: str) -> str:
    return re.search(r"https?://[^/]+(/accounts/login/once/\S+/)", output).group(1)


def test_break_glass_link_signs_an_admin_in_once(sso_only, local_admin):
    result = CliRunner().invoke(app, ["signin-link", "ada", "--base-url", "https://cx.example.com"])
    assert result.exit_code == 0, result.output
    assert "https://cx.example.com/accounts/login/once/" in result.output
    path = _link_path(result.output)
    client = Client()
    page = client.get(path)  # a look (or a mail scanner's) does not use it up
    assert page.status_code == 200 and not signed_in(client)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302 and signed_in(client)
    again = Client()
    response = again.post(path)
    assert response.status_code == 400 and "has been used" in response.content.decode()
    assert not signed_in(again)


def test_break_glass_links_are_for_admins_only(sso_only, db):
    from cxkeeper.core.actors import SYSTEM

    org_actions.create_person(username="kim", password=None, role=Role.KEEPER, acting_user=SYSTEM)
    result = CliRunner().invoke(app, ["signin-link", "kim"])
    assert result.exit_code == 2 and "administrators only" in result.output
    assert CliRunner().invoke(app, ["signin-link", "nobody"]).exit_code == 2


def test_an_expired_or_forged_link_is_refused(sso_only, local_admin, settings):
    token = one_time_token(local_admin)
    settings.CXKEEPER_SIGNIN_LINK_MINUTES = 0
    client = Client()
    assert client.post(f"/accounts/login/once/{token}/").status_code == 400 and not signed_in(client)
    settings.CXKEEPER_SIGNIN_LINK_MINUTES = 15
    assert client.post(f"/accounts/login/once/{token[:-2]}xx/").status_code == 400 and not signed_in(client)


def test_guessing_links_is_locked_out(sso_only, local_admin, settings):
    settings.CXKEEPER_LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        assert client.post("/accounts/login/once/guess/").status_code == 400
    token = one_time_token(local_admin)
    assert client.post(f"/accounts/login/once/{token}/").status_code == 429 and not signed_in(client)
