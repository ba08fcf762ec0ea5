"""The API's role matrix, like the pages' (`cxkeeper.testing.pages`): every endpoint gets the
same checks — anonymous → 401 naming the Bearer scheme, the wrong role → 403 with a reason and
nothing written, the right role → its success status, and a write leaves a `ChangeRecord` by
the caller. A test module declares only its data (a fixture) and its table of endpoints:

    ENDPOINTS = [E("GET", "/teams/{id}", lambda w: f"/teams/{w.it.pk}"), ...]
    TestEndpointRoles = endpoint_role_matrix(ENDPOINTS, world="world")

Also here: the token-authenticated client (`api_as`, `anonymous`) that remembers every route
it reached, for the route-coverage check of tests/api, and the `world` most API tests use.
Registered as a pytest plugin by tests/conftest.py, so its fixtures are everywhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.journeys.models import Handoff, Journey, Persona, Stage
from cxkeeper.org import actions as org_actions
from cxkeeper.org.models import GlossaryTerm
from cxkeeper.testing.builders import SmallOrg
from cxkeeper.testing.pages import rows_of
from cxkeeper.testing.worlds import class_world, private_copy, shared_world

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


# ---------------------------------------------------------------- the data most API tests use


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


def build_world(o: SmallOrg) -> World:
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
def world(small_org) -> World:
    return build_world(small_org)


@pytest.fixture
def api_as(db):
    """`api_as(user)`: a client acting as `user` through an API token; `api_as(None)`: anonymous."""
    return ApiClient


@pytest.fixture
def anonymous(db):
    return ApiClient()


# ---------------------------------------------------------------- endpoint cases


@dataclass
class Endpoint:
    method: str
    path: Callable  # world → path
    body: Callable | None = None  # world → JSON body
    allowed: str = "viewer"  # persona (attribute of the world) who may
    refused: str | None = None  # persona who may not (403), if any role may not
    refused_body: Callable | None = None  # a different body for the refused call
    status: int | None = None  # expected success status; default by method
    audited: bool | None = None  # writes leave a ChangeRecord; default: not GET

    @property
    def id(self) -> str:
        return f"{self.method} {self.label}"

    label: str = field(default="")

    def expected_status(self) -> int:
        return self.status or {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}[self.method]

    def is_audited(self) -> bool:
        return self.method != "GET" if self.audited is None else self.audited


def E(method, label, path, body=None, **kw) -> Endpoint:
    """One row of a table: `E("PATCH", "/teams/{id}", path, body, allowed="admin", refused="keeper")`."""
    return Endpoint(method, path, body, label=label, **kw)


def v(obj):
    """The object's current version, read fresh (earlier setup may have bumped it)."""
    return type(obj).objects.get(pk=obj.pk).version


def body_of(endpoint: Endpoint, world, refused: bool = False):
    make = (endpoint.refused_body or endpoint.body) if refused else endpoint.body
    return make(world) if make else None


def check_anonymous(endpoint: Endpoint, world, client: ApiClient) -> None:
    response = client.request(endpoint.method, endpoint.path(world), body_of(endpoint, world))
    assert response.status_code == 401, response.content
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def check_refused(endpoint: Endpoint, world, keeps: Iterable[type] = ()) -> None:
    """`keeps`: models whose rows the refused call must leave as they are, besides history."""
    client = ApiClient(getattr(world, endpoint.refused))
    path, body = endpoint.path(world), body_of(endpoint, world, refused=True)
    before = ChangeRecord.objects.count(), rows_of(keeps)
    response = client.request(endpoint.method, path, body)
    assert response.status_code == 403, response.content
    detail = response.json()["detail"]
    assert len(detail) > 20 and "Forbidden" not in detail, detail
    assert (ChangeRecord.objects.count(), rows_of(keeps)) == before


def check_allowed(endpoint: Endpoint, world) -> None:
    user = getattr(world, endpoint.allowed)
    client = ApiClient(user)
    path, body = endpoint.path(world), body_of(endpoint, world)
    before = set(ChangeRecord.objects.values_list("pk", flat=True))
    response = client.request(endpoint.method, path, body)
    assert response.status_code == endpoint.expected_status(), response.content
    if response.status_code != 204:
        response.json()
    new = ChangeRecord.objects.exclude(pk__in=before)
    if endpoint.is_audited():
        assert new.exists(), "a write must leave a history row"
        assert set(new.values_list("actor_id", flat=True)) == {user.pk}
    else:
        assert not new.exists()


def endpoint_role_matrix(endpoints: list[Endpoint], *, world: str = "world", keeps: Iterable[type] = (),
                         build: Callable[[], object] | None = None) -> type:
    """The three role-matrix tests of a table of endpoints, as a test class to bind in a module.

    `world` names the fixture that builds the module's data (what every path and body receive);
    or `build` builds that data once for all the class's tests, each of which gets its own copy
    and sees whatever the others wrote rolled back (testing/worlds.py). The refusal is tried for
    rows that name a `refused` persona; `keeps` lists models whose rows no refused call may change.
    """
    endpoints, keeps = list(endpoints), tuple(keeps)
    writes = [e for e in endpoints if e.refused]
    if build is not None:
        world = "matrix_world"

    @pytest.mark.django_db
    @pytest.mark.usefixtures(*shared_world(build))
    class EndpointRoles:
        if build is not None:
            built_matrix_world = class_world(build)

            @pytest.fixture
            def matrix_world(self, built_matrix_world, db):
                return private_copy(built_matrix_world)

        @pytest.mark.parametrize("endpoint", endpoints, ids=[e.id for e in endpoints])
        def test_anonymous_is_refused_with_401(self, endpoint, request):
            check_anonymous(endpoint, request.getfixturevalue(world), ApiClient())

        @pytest.mark.parametrize("endpoint", writes, ids=[e.id for e in writes])
        def test_wrong_role_is_refused_with_a_reason_and_nothing_written(self, endpoint, request):
            check_refused(endpoint, request.getfixturevalue(world), keeps)

        @pytest.mark.parametrize("endpoint", endpoints, ids=[e.id for e in endpoints])
        def test_right_role_succeeds_and_writes_are_recorded(self, endpoint, request):
            check_allowed(endpoint, request.getfixturevalue(world))

    return EndpointRoles
