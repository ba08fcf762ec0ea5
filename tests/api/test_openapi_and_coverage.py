"""The OpenAPI document lists every route, and every route is reached by some test."""

import re

import pytest
from django.test import Client

from cxkeeper.api import api

from . import conftest

PREFIX = "/api/v1"


def api_routes() -> set[tuple[str, str]]:
    """(METHOD, "/api/v1/teams/{id}") for every path operation of every mounted router."""
    routes = set()
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = re.sub(r"/+", "/", f"{PREFIX}/{bound.prefix}/{path}").rstrip("/")
            for operation in path_view.operations:
                routes.update((method.upper(), full) for method in operation.methods)
    return routes


@pytest.mark.django_db
def test_openapi_is_valid_json_listing_every_path(small_org):
    client = Client()
    client.force_login(small_org.viewer)
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "cxkeeper API"
    documented = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert documented == api_routes()
    conftest.EXERCISED.add(("GET", f"{PREFIX}/openapi.json"))
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    operation_ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


@pytest.mark.django_db
def test_api_docs_pages_do_not_load_from_a_cdn():
    from django.conf import settings

    if "ninja" not in settings.INSTALLED_APPS:
        assert Client().get(f"{PREFIX}/docs").status_code == 404


def _whole_api_suite_ran(request) -> bool:
    option = request.config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", "") or getattr(option, "deselect", None):
        return False
    if hasattr(request.config, "workerinput"):  # pytest-xdist: each worker sees a share
        return False
    folder = request.path.parent
    modules = {p.name for p in folder.glob("test_*.py")}
    ran = {item.path.name for item in request.session.items if item.path.parent == folder}
    return modules <= ran


@pytest.mark.route_coverage
def test_every_route_is_exercised(request):
    """Runs last (see conftest); meaningful only when the whole tests/api suite ran."""
    if not _whole_api_suite_ran(request):
        pytest.skip("route coverage needs the whole tests/api suite")
    # Feedback, metrics, import and review-queue routes are tested in tests/insights; the suite-wide URL
    # meta-test (tests/conftest.py) holds them to the same rule.
    elsewhere = tuple(f"{PREFIX}/{name}" for name in ("feedback", "metrics", "imports", "review"))
    required = {r for r in api_routes() if not r[1].startswith(elsewhere)} | {("GET", f"{PREFIX}/openapi.json")}
    missing = sorted(required - conftest.EXERCISED)
    assert not missing, f"routes no test reached: {missing}"


@pytest.mark.django_db
def test_the_api_root_is_only_a_marker(anonymous):
    """`/api/v1/` itself has no content (ninja uses it to locate the API); the docs are the
    OpenAPI document and docs/api.md."""
    assert anonymous.get("/").status_code == 404


def test_each_path_has_one_url_name_for_reverse():
    from django.urls import reverse

    assert reverse("api:team", kwargs={"id": 3}) == f"{PREFIX}/teams/3"
    assert reverse("api:teams") == f"{PREFIX}/teams"
    assert reverse("api:step_history", kwargs={"id": 3}) == f"{PREFIX}/steps/3/history"
