"""Generic page checks: every page and form is tried anonymously, by roles that are refused
and by roles that are allowed, and every allowed write must leave a history row.

A test module declares only its data (a fixture) and its cases (URL, who may, what to post);
`page_role_matrix` turns the table into the three tests, so adding a page means adding one
row to a table:

    CASES = [PageCase("team page", lambda o: f"/teams/{o.it.slug}/"), ...]
    TestPageRoles = page_role_matrix(CASES, org="small_org")

A matrix has hundreds of tests; when its data is costly to build, pass `build` (a function
that builds and returns it) instead of a fixture name: the data is then built once for the
class and every test starts from it as built (see worlds.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django.test import Client

from cxkeeper.core.models import ChangeRecord
from cxkeeper.testing.worlds import class_world, private_copy, shared_world

PERSONAS = ("admin", "keeper", "it_member", "sales_member", "viewer")


@dataclass
class PageCase:
    name: str
    url: Callable[[object], str]                 # org -> url
    allowed: tuple[str, ...] = PERSONAS          # personas who may
    data: Callable[[object], dict] | None = None  # org -> POST data; None means GET
    writes: bool = True                          # an allowed POST must record history
    ok_status: tuple[int, ...] = (200, 302)
    extra: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        return "post" if self.data is not None else "get"


def client_for(org, persona: str | None) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(getattr(org, persona))
    return client


def prepare(case: PageCase, org, persona: str | None):
    """Build the request first: URL and data may create the objects they point at."""
    client = client_for(org, persona)
    url = case.url(org)
    if case.method == "post":
        data = case.data(org)
        return lambda: client.post(url, data)
    return lambda: client.get(url)


def check_anonymous(case: PageCase, org) -> None:
    send = prepare(case, org, None)
    before = ChangeRecord.objects.count()
    response = send()
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
        f"{case.name}: anonymous got {response.status_code}")
    assert ChangeRecord.objects.count() == before


def rows_of(models: Iterable[type]) -> list[list[tuple]]:
    """Every row of each model as (pk, version) — or (pk,) for unversioned models — to show
    that a refused request added, deleted and changed nothing."""
    snapshot = []
    for model in models:
        fields = ("pk", "version") if any(f.name == "version" for f in model._meta.fields) else ("pk",)
        snapshot.append(list(model.objects.order_by("pk").values_list(*fields)))
    return snapshot


def check_refused(case: PageCase, org, persona: str, keeps: Iterable[type] = ()) -> None:
    """`keeps`: models whose rows a refused request must leave as they are, besides history."""
    send = prepare(case, org, persona)
    before = ChangeRecord.objects.count(), rows_of(keeps)
    response = send()
    assert response.status_code == 403, f"{case.name}: {persona} got {response.status_code}, expected 403"
    assert b'class="refusal"' in response.content, f"{case.name}: 403 without a reason"
    assert (ChangeRecord.objects.count(), rows_of(keeps)) == before, (
        f"{case.name}: a refused {persona} changed something")


def check_allowed(case: PageCase, org, persona: str) -> None:
    send = prepare(case, org, persona)
    before = ChangeRecord.objects.count()
    response = send()
    assert response.status_code in case.ok_status, (
        f"{case.name}: {persona} got {response.status_code}: {response.content[:2000]!r}")
    if case.method == "post" and case.writes:
        assert ChangeRecord.objects.count() > before, f"{case.name}: the write left no history row"


def persona_params(cases: Iterable[PageCase], kind: str):
    """(case, persona) for every persona a case allows (`kind="allowed"`) or refuses."""
    for case in cases:
        personas = case.allowed if kind == "allowed" else [p for p in PERSONAS if p not in case.allowed]
        for persona in personas:
            yield pytest.param(case, persona, id=f"{case.name}-{persona}")


def page_role_matrix(cases: list[PageCase], *, org: str = "org", keeps: Iterable[type] = (),
                     build: Callable[[], object] | None = None) -> type:
    """The three role-matrix tests of a table of pages, as a test class to bind in a module.

    `org` names the fixture that builds the module's data (the object every case's `url` and
    `data` receive); or `build` builds that data once for all the class's tests, each of which
    gets its own copy and sees whatever the others wrote rolled back. `keeps` lists models whose
    rows no refused request may change.
    """
    cases, keeps = list(cases), tuple(keeps)
    if build is not None:
        org = "matrix_world"

    @pytest.mark.django_db
    @pytest.mark.usefixtures(*shared_world(build))
    class PageRoles:
        if build is not None:
            built_matrix_world = class_world(build)

            @pytest.fixture
            def matrix_world(self, built_matrix_world, db):
                return private_copy(built_matrix_world)

        @pytest.mark.parametrize("case", cases, ids=[c.name for c in cases])
        def test_anonymous_is_sent_to_sign_in(self, case, request):
            check_anonymous(case, request.getfixturevalue(org))

        @pytest.mark.parametrize(("case", "persona"), list(persona_params(cases, "refused")))
        def test_refused_roles_get_403_with_a_reason(self, case, persona, request):
            check_refused(case, request.getfixturevalue(org), persona, keeps)

        @pytest.mark.parametrize(("case", "persona"), list(persona_params(cases, "allowed")))
        def test_allowed_roles_succeed_and_writes_are_recorded(self, case, persona, request):
            check_allowed(case, request.getfixturevalue(org), persona)

    return PageRoles
