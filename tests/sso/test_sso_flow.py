"""Single sign-on through a real OpenID provider on loopback: Django's test client in the
browser's place, the provider reached over HTTP (tests/sso/provider.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from cxkeeper.core.models import ChangeRecord
from cxkeeper.core.roles import Role
from cxkeeper.org.models import Person, SingleSignOnIdentity

from .conftest import person, sso_sign_in, to_provider_and_back

pytestmark = pytest.mark.django_db


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_a_new_person_is_made_with_the_mapped_role_and_teams(idp, teams):
    idp.person = person(groups=["billing", "it-staff", "unmapped-group"])
    client = Client()
    response = sso_sign_in(client, next_url="/teams/")
    assert response.status_code == 302 and response["Location"] == "/teams/"
    user = signed_in_as(client)
    assert user.username == "nora" and user.email == "nora@example.com" and user.get_full_name() == "Nora Example"
    assert not user.has_usable_password() and not user.is_staff
    nora = Person.objects.get(user=user)
    assert nora.role == Role.MEMBER
    assert {t.name for t in nora.teams.all()} == {"Billing", "IT"}
    assert SingleSignOnIdentity.objects.get(user=user).subject == "u-1001"
    record = ChangeRecord.objects.get(object_id=nora.pk, content_type__model="person", action="create")
    assert record.actor == user and "signed in through single sign-on (Example ID)" in record.via
    # What the provider saw: the authorization code flow with PKCE (S256), a state and a nonce.
    asked = idp.authorizations[-1]
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and "groups" in asked["scope"].split()
    assert idp.token_requests[-1]["code_verifier"]
    # Signed in for real: a page that needs a person opens.
    assert client.get("/teams/").status_code == 200


def test_changed_groups_change_role_and_teams_at_the_next_sign_in(idp, teams):
    idp.person = person(groups=["cx-keepers", "billing"])
    sso_sign_in(Client())
    nora = Person.objects.get(user__username="nora")
    assert nora.role == Role.KEEPER and [t.name for t in nora.teams.all()] == ["Billing"]
    # An admin puts her in Sales by hand: a team the mapping does not name stays hers.
    nora.teams.add(teams["sales"])
    idp.person = person(groups=["staff", "it-staff"])  # keeper and billing taken away at the provider
    client = Client()
    assert sso_sign_in(client).status_code == 302
    nora.refresh_from_db()
    assert nora.role == Role.VIEWER
    assert {t.name for t in nora.teams.all()} == {"IT", "Sales"}
    change = ChangeRecord.objects.filter(object_id=nora.pk, content_type__model="person",
                                         action="update").latest("pk")
    assert change.before["role"] == "keeper" and change.after["role"] == "viewer"
    assert "single sign-on" in change.via
    # The same person, known by the subject: a renamed username at the provider changes nothing.
    idp.person = person(username="nora.renamed", groups=["cx-admins"])
    sso_sign_in(Client())
    nora.refresh_from_db()
    assert nora.user.username == "nora" and nora.role == Role.ADMIN and nora.user.is_superuser
    assert get_user_model().objects.filter(username__startswith="nora").count() == 1


def test_no_mapped_role_is_refused_with_a_page_that_says_why(idp, teams):
    idp.person = person(groups=["it-staff", "unmapped-group"])  # a team, but no role
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 403
    assert "none of your groups there gives a role" in response.content.decode()
    assert signed_in_as(client) is None
    assert not get_user_model().objects.filter(username="nora").exists()


def test_a_person_who_lost_every_mapped_group_is_refused_and_keeps_nothing_new(idp, teams):
    idp.person = person(groups=["billing"])
    sso_sign_in(Client())
    idp.person = person(groups=[])
    client = Client()
    assert sso_sign_in(client).status_code == 403 and signed_in_as(client) is None


def test_a_deactivated_person_stays_out(idp, teams):
    idp.person = person(groups=["billing"])
    sso_sign_in(Client())
    get_user_model().objects.filter(username="nora").update(is_active=False)
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 403 and "deactivated" in response.content.decode()
    assert not get_user_model().objects.get(username="nora").is_active


def test_an_account_with_a_password_is_not_taken_over(idp, teams, local_admin):
    idp.person = person(sub="attacker", username="ada", groups=["staff"])
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 403 and "is not taken over" in response.content.decode()
    assert signed_in_as(client) is None and not SingleSignOnIdentity.objects.exists()


def test_moving_a_workspace_to_single_sign_on_links_accounts_with_passwords_when_told(idp, teams, local_admin,
                                                                                    settings):
    settings.CXKEEPER_SSO_LINK_EXISTING = True
    idp.person = person(sub="ada-at-idp", username="ada", groups=["cx-keepers"])
    client = Client()
    assert sso_sign_in(client).status_code == 302 and signed_in_as(client) == local_admin
    # The mapping decides from now on: the admin the workspace had is a keeper, as her groups say.
    assert Person.objects.get(user=local_admin).role == Role.KEEPER
    local_admin.refresh_from_db()
    assert not local_admin.is_superuser
    # Another subject with the same username is still refused: the account is linked already.
    idp.person = person(sub="someone-else", username="ada", groups=["cx-admins"])
    assert sso_sign_in(Client()).status_code == 403


def test_a_person_from_a_workspace_file_without_a_password_is_linked(idp, teams):
    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.org.actions import create_person

    create_person(username="nora", password=None, role=Role.VIEWER, acting_user=SYSTEM)
    idp.person = person(groups=["cx-keepers"])
    client = Client()
    assert sso_sign_in(client).status_code == 302
    assert signed_in_as(client).username == "nora"
    assert Person.objects.get(user__username="nora").role == Role.KEEPER


@pytest.mark.parametrize("tamper", ["nonce", "signature", "audience", "issuer"])
def test_a_forged_id_token_is_refused(idp, teams, tamper):
    idp.person = person(groups=["cx-admins"])
    idp.tamper = {tamper}
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 400 and "could not be verified" in response.content.decode()
    assert signed_in_as(client) is None and not get_user_model().objects.filter(username="nora").exists()


def test_a_tampered_or_replayed_state_is_refused(idp, teams):
    idp.person = person(groups=["billing"])
    client = Client()
    callback = to_provider_and_back(client, client.get("/accounts/login/sso/"))
    url = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    forged = client.get(url.path, {**query, "state": query["state"] + "x"})
    assert forged.status_code == 400 and signed_in_as(client) is None
    # The real answer in another browser (no session that started it): refused.
    other = Client()
    assert other.get(callback).status_code == 400 and signed_in_as(other) is None
    # The real answer where it started: in; the same answer again is refused (state used once).
    assert client.get(callback).status_code == 302 and signed_in_as(client).username == "nora"
    assert client.get(callback).status_code == 400


def test_a_provider_that_refuses_is_said_plainly(idp, teams):
    idp.person = None  # nobody signed in at the provider: it answers access_denied
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 403 and "did not let you through" in response.content.decode()


def test_a_flood_of_forged_answers_is_locked_out_like_wrong_passwords(idp, teams, settings):
    settings.CXKEEPER_LOGIN_MAX_FAILURES = 3
    idp.person = person(groups=["billing"])
    attacker = Client()
    for n in range(3):
        assert attacker.get("/accounts/login/sso/callback/", {"code": f"x{n}", "state": "forged"}).status_code == 400
    locked = attacker.get("/accounts/login/sso/callback/", {"code": "x", "state": "forged"})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    # From the same address even a real answer waits out the lock…
    client = Client()
    assert sso_sign_in(client).status_code == 429 and signed_in_as(client) is None
    # …while another address is not held up by it.
    elsewhere = Client(REMOTE_ADDR="127.0.0.9")
    assert sso_sign_in(elsewhere).status_code == 302 and signed_in_as(elsewhere).username == "nora"


def test_sign_out_ends_the_session_here_and_at_the_provider(idp, teams):
    idp.person = person(groups=["billing"])
    client = Client()
    sso_sign_in(client)
    id_token = client.session["cxkeeper_sso_id_token"]
    response = client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    # A page that moves the browser on to the provider (a redirect would break the form's CSP).
    provider_url = response.context["provider_url"]
    assert response.status_code == 200 and provider_url.startswith(f"{idp.issuer}/logout?")
    assert f'content="0;url={escape(provider_url)}"' in response.content.decode()
    # The browser follows it to the provider, which ends its own session and sends it back.
    answer = requests.get(provider_url, allow_redirects=False, timeout=10)
    assert idp.logouts[-1]["id_token_hint"] == id_token
    assert answer.headers["Location"].startswith("http://testserver/accounts/login/")


def test_sign_out_without_an_end_session_endpoint_stays_here(idp, teams):
    idp.end_session = False
    idp.person = person(groups=["billing"])
    client = Client()
    sso_sign_in(client)
    response = client.post("/accounts/logout/")
    assert signed_in_as(client) is None and response["Location"] == "/accounts/login/"


def test_the_sign_in_page_offers_the_provider_beside_the_password(idp, teams):
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Example ID" in page and 'name="password"' in page


def test_without_single_sign_on_its_pages_are_not_there(db, settings):
    settings.CXKEEPER_SSO_ISSUER = ""
    settings.CXKEEPER_SSO_DISCOVERY_URL = ""
    client = Client()
    assert client.get("/accounts/login/sso/").status_code == 404
    assert client.get("/accounts/login/sso/callback/", {"state": "x"}).status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_an_unreachable_provider_is_said_plainly(db, settings):
    settings.CXKEEPER_SSO_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.CXKEEPER_SSO_CLIENT_ID = "x"
    settings.CXKEEPER_SSO_PROVIDER_NAME = "Example ID"
    response = Client().get("/accounts/login/sso/")
    assert response.status_code == 503 and "cannot be reached" in response.content.decode()


def test_a_discovery_document_of_another_issuer_is_refused(idp, settings):
    settings.CXKEEPER_SSO_ISSUER = "http://127.0.0.1:1/another"
    settings.CXKEEPER_SSO_DISCOVERY_URL = f"{idp.issuer}/.well-known/openid-configuration"
    response = Client().get("/accounts/login/sso/")
    assert response.status_code == 503 and "not the configured CXKEEPER_SSO_ISSUER" in response.content.decode()


def test_the_provider_is_strict_about_pkce(idp):
    """The test provider itself refuses a code flow without PKCE, so the tests above prove the
    client sends it."""
    idp.person = person()
    answer = requests.get(f"{idp.issuer}/authorize", params={
        "response_type": "code", "client_id": idp.client_id, "scope": "openid", "state": "s",
        "redirect_uri": "http://testserver/accounts/login/sso/callback/"}, allow_redirects=False, timeout=10)
    assert "error=invalid_request" in answer.headers["Location"]


def test_a_wrong_mapping_is_named_not_half_applied(idp, teams, settings):
    settings.CXKEEPER_SSO_MAPPING = '{"billing": {"role": "boss"}}'
    idp.person = person(groups=["billing"])
    client = Client()
    response = sso_sign_in(client)
    assert response.status_code == 503
    assert "group “billing”: unknown role “boss”" in response.content.decode()
    assert signed_in_as(client) is None and not get_user_model().objects.filter(username="nora").exists()


@pytest.mark.parametrize("text, problem", [
    ("[1]", "must be a JSON object"), ("{", "not valid JSON"), ('{"g": {"rank": 1}}', "group “g”"),
    ('{"g": {"teams": [1]}}', "list of team names"),
])
def test_mapping_mistakes_name_the_group(text, problem):
    from django.core.exceptions import ImproperlyConfigured

    from cxkeeper.org.sso import parse_mapping

    with pytest.raises(ImproperlyConfigured, match=problem):
        parse_mapping(text)


def test_the_highest_role_wins_and_teams_add_up():
    from cxkeeper.org.sso import parse_mapping

    mapping = parse_mapping('{"a": {"role": "viewer", "teams": "x"}, "b": {"role": "keeper"}, '
                            '"c": {"role": "member", "teams": ["y"]}}')
    assert mapping.role_for(["a", "c"]) == Role.MEMBER and mapping.role_for(["c", "b", "a"]) == Role.KEEPER
    assert mapping.role_for(["z"]) is None and mapping.teams_for(["a", "c", "z"]) == {"x", "y"}


def test_name_and_email_follow_the_provider_with_history(idp, teams):
    idp.person = person(groups=["billing"])
    sso_sign_in(Client())
    idp.person = person(groups=["billing"], name="Nora Newname", email="nora.new@example.com")
    sso_sign_in(Client())
    user = get_user_model().objects.get(username="nora")
    assert user.get_full_name() == "Nora Newname" and user.email == "nora.new@example.com"
    change = ChangeRecord.objects.filter(content_type__model="person", action="update").latest("pk")
    assert change.before == {"full_name": "Nora Example", "email": "nora@example.com"}
    assert change.after == {"full_name": "Nora Newname", "email": "nora.new@example.com"}


def test_admins_see_the_links_in_django_admin(idp, teams, local_admin):
    idp.person = person(groups=["billing"])
    sso_sign_in(Client())
    admin = Client()
    admin.force_login(local_admin)
    page = admin.get("/admin/org/singlesignonidentity/")
    assert page.status_code == 200 and "u-1001" in page.content.decode()
