"""An in-process API client that authenticates like a script (a personal API token) and
remembers every route it reached, so `test_route_coverage` can fail when a route is untested."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from cxkeeper.core.actors import SYSTEM
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.models import Handoff, Journey, Persona, Stage
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import GlossaryTerm
from cxkeeper.testing.builders import SmallOrg

PREFIX = "/api/v1"

# (METHOD, "/api/v1/teams/{id}") of every request any API test made in this process.
EXERCISED: set[tuple[str, str]] = set()


def route_of(path: str) -> str | None:
    """"/api/v1/teams/5?x=1" → "/api/v1/teams/{id}" (the route pattern, in OpenAPI notation)."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)


class ApiClient:
    """`client.get("/teams")` → `/api/v1/teams` with `Authorization: Bearer <token>` of `user`."""

    def __init__(self, user=None, *, session_client: Client | None = None):
        self.user = user
        self.client = session_client or Client()
        self.headers = {}
        if user is not None and session_client is None:
            _, secret = org_actions.create_api_token(user, "tests", acting_user=user)
            self.headers["Authorization"] = f"Bearer {secret}"

    def request(self, method: str, path: str, data=None, headers: dict | None = None):
        url = path if path.startswith(PREFIX) else PREFIX + path
        route = route_of(url)
        if route is not None:
            EXERCISED.add((method.upper(), route))
        all_headers = {**self.headers, **(headers or {})}
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return call(url, data or {}, headers=all_headers)
        body = json.dumps(data) if data is not None else ""
        return call(url, body, content_type="application/json", headers=all_headers)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("PATCH", path, data, **kw)

    def delete(self, path, data=None, **kw):
        return self.request("DELETE", path, data, **kw)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The builders hash five passwords per test; the production hasher makes that seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """The small org plus what the API tests also need: a persona, a glossary term, a second
    stage, a handoff and a published second journey."""

    org: SmallOrg
    persona: Persona
    term: GlossaryTerm
    fix_stage: Stage
    handoff: Handoff
    published: Journey

    def __getattr__(self, name):
        return getattr(self.org, name)


@pytest.fixture
def world(small_org) -> World:
    o = small_org
    persona = journey_actions.create_persona({"name": "Busy parent"}, acting_user=SYSTEM)
    term = org_actions.add_glossary_term("CES", "Customer effort score, 1–7.", acting_user=SYSTEM)
    fix_stage = journey_actions.add_stage(o.journey, {"name": "Get it fixed"}, acting_user=SYSTEM)
    handoff = journey_actions.add_handoff(
        {"from_step": o.login_step, "from_team": o.it, "to_step": o.call_step, "to_team": o.service,
         "description": "Locked-out customers call the helpline."},
        acting_user=SYSTEM,
    )
    published = journey_actions.create_journey({"name": "Join and get connected"}, acting_user=SYSTEM)
    published = journey_actions.publish_journey(published, expected_version=published.version,
                                                acting_user=SYSTEM)
    return World(o, persona, term, fix_stage, handoff, published)


@pytest.fixture
def api_as(db):
    """`api_as(user)`: a client acting as `user` through an API token; `api_as(None)`: anonymous."""
    return ApiClient


@pytest.fixture
def anonymous(db):
    return ApiClient()


def pytest_configure(config):
    config.addinivalue_line("markers", "route_coverage: checks that every API route was reached; runs last")


def pytest_collection_modifyitems(config, items):
    """The route-coverage check must run after every other test."""
    last = [item for item in items if item.get_closest_marker("route_coverage")]
    items[:] = [item for item in items if item not in last] + last
