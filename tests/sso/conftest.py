"""A real OpenID provider on loopback (tests/sso/provider.py), started and stopped by the
tests, and cxkeeper configured to sign in through it."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests

from cxkeeper.core import sso
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.roles import Role
from cxkeeper.org import actions as org_actions

from .provider import Provider

MAPPING = {
    "cx-admins": {"role": "admin"},
    "cx-keepers": {"role": "keeper"},
    "billing": {"role": "member", "teams": ["billing"]},
    "it-staff": {"teams": ["IT"]},
    "staff": {"role": "viewer"},
}


@pytest.fixture(scope="session")
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def idp(provider, settings):
    """The provider, reset, and cxkeeper's settings pointing at it (password sign-in on)."""
    provider.person = None
    provider.tamper = set()
    provider.end_session = True
    provider.authorizations.clear()
    provider.token_requests.clear()
    provider.logouts.clear()
    sso._clients.clear()  # each test reads the provider's discovery document afresh
    settings.CXKEEPER_SSO_ISSUER = provider.issuer
    settings.CXKEEPER_SSO_DISCOVERY_URL = ""
    settings.CXKEEPER_SSO_CLIENT_ID = provider.client_id
    settings.CXKEEPER_SSO_CLIENT_SECRET = provider.client_secret
    settings.CXKEEPER_SSO_SCOPES = "openid email profile groups"
    settings.CXKEEPER_SSO_PROVIDER_NAME = "Example ID"
    settings.CXKEEPER_SSO_MAPPING = json.dumps(MAPPING)
    settings.CXKEEPER_PASSWORD_SIGN_IN = True
    return provider


def person(sub="u-1001", username="nora", groups=("billing",), **extra) -> dict:
    return {"sub": sub, "preferred_username": username, "email": f"{username}@example.com",
            "name": f"{username.title()} Example", "groups": list(groups), **extra}


@pytest.fixture
def teams(db):
    billing = org_actions.create_team({"name": "Billing", "slug": "billing"}, acting_user=SYSTEM)
    it = org_actions.create_team({"name": "IT"}, acting_user=SYSTEM)
    sales = org_actions.create_team({"name": "Sales"}, acting_user=SYSTEM)
    return {"billing": billing, "it": it, "sales": sales}


@pytest.fixture
def local_admin(db, password):
    return org_actions.create_person(username="ada", password=password, role=Role.ADMIN, acting_user=SYSTEM).user


def to_provider_and_back(client, start_response):
    """Follow the redirect to the provider (a real HTTP request, as a browser would) and
    return the callback path and query it sends the browser back to."""
    assert start_response.status_code == 302, start_response.content[:500]
    answer = requests.get(start_response["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def sso_sign_in(client, next_url=None):
    """The whole flow with Django's test client: start, provider, callback. Returns the
    callback's response."""
    start = client.get("/accounts/login/sso/", {"next": next_url} if next_url else {})
    return client.get(to_provider_and_back(client, start))
