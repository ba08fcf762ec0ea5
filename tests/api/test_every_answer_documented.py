"""Every status an operation can answer is in the OpenAPI document, with its error schema
(issue 10, finding 16: "400/404/405/409 answers not in the OpenAPI document"), and each of
those answers is JSON with a `detail`, whichever layer gives it: ninja (400), Django's body
cap (413), routing (404 for a path no route matches, 405 for a method a path does not take).
The schemathesis pass (test_schemathesis.py) holds every real answer to the document; these
tests pin the rules and the answers it rarely provokes."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI, Router, Schema

from cxkeeper.core.api import Api, document_every_answer

from . import conftest

PREFIX = "/api/v1"


@pytest.fixture
def document(client, small_org):
    client.force_login(small_org.viewer)
    return client.get(f"{PREFIX}/openapi.json").json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _error_schema(operation, status) -> str:
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def test_every_operation_declares_the_answers_any_call_can_get(document):
    for method, path, operation in _operations(document):
        statuses = set(operation["responses"])
        assert {"401", "404", "422"} <= statuses, (method, path)
        assert _error_schema(operation, 401) == "ErrorOut" and _error_schema(operation, 422) == "InvalidOut"
        if method != "get":
            assert "403" in statuses, (method, path)  # a role refusal, or a browser without its CSRF token
        if "requestBody" in operation:
            assert {"400", "413"} <= statuses, (method, path)
            assert _error_schema(operation, 400) == _error_schema(operation, 413) == "ErrorOut"


def test_versioned_writes_declare_409_with_the_current_object(document):
    writes = [(m, p, o) for m, p, o in _operations(document) if m in ("patch", "delete") and "{id}" in p
              and "/tokens/" not in p]
    assert len(writes) > 20
    for method, path, operation in writes:
        assert _error_schema(operation, 409) == "ConflictOut", (method, path)


def test_the_document_says_how_a_405_looks(document):
    assert "405" in document["info"]["description"] and "Allow" in document["info"]["description"]


def test_imports_declare_their_body_and_refusals(document):
    batch = document["paths"][f"{PREFIX}/imports/batch"]["post"]
    assert set(batch["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    assert {"200", "400", "401", "403", "404", "413", "422"} <= set(batch["responses"])
    assert "403" in document["paths"][f"{PREFIX}/imports"]["get"]["responses"]


def test_malformed_json_is_a_documented_400(world, api_as):
    client = api_as(world.admin)
    response = client.client.post(f"{PREFIX}/teams", "{not json", content_type="application/json",
                                  headers=client.headers)
    conftest.EXERCISED.add(("POST", f"{PREFIX}/teams"))
    assert response.status_code == 400 and response.json()["detail"]


def test_a_body_over_the_cap_is_a_documented_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_as(world.admin)
    response = client.post("/teams", {"name": "x" * 2000, "function": "it"})
    assert response.status_code == 413, response.content
    assert "larger than 1,000 bytes" in response.json()["detail"]
    assert "CXKEEPER_MAX_REQUEST_BYTES" in response.json()["detail"]


def test_a_method_a_path_does_not_take_is_a_json_405_naming_the_others(world, api_as):
    client = api_as(world.admin)
    response = client.request("PUT", "/teams")
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert response["Content-Type"] == "application/json"
    assert "PUT is not allowed here" in response.json()["detail"]


def test_a_path_no_route_matches_is_a_json_404_and_pages_keep_theirs(world, api_as, client):
    response = api_as(world.admin).get("/teams/it/extra/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "No such path" in response.json()["detail"]
    client.force_login(world.admin)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_the_shared_rules_fill_in_what_an_operation_leaves_out():
    document = {"paths": {"/x": {
        "get": {"responses": {200: {"description": "OK"}}},
        "post": {"requestBody": {}, "responses": {201: {"description": "Created"}, 403: {"description": "mine"}}},
    }}}
    document_every_answer(document)
    get, post = document["paths"]["/x"]["get"]["responses"], document["paths"]["/x"]["post"]["responses"]
    assert set(get) == {200, 401, 404, 422}
    assert set(post) == {201, 400, 401, 403, 404, 413, 422}
    assert post[403] == {"description": "mine"}  # what an endpoint declares itself is kept
    assert {"ErrorOut", "InvalidOut", "ConflictOut"} <= set(document["components"]["schemas"])


def test_two_schemas_of_one_name_are_refused_instead_of_merged():
    """Ninja keeps the last of two same-named schemas, so one endpoint was documented with
    another's fields (`PeriodOut` of the metrics and of the scorecards)."""

    class PeriodOut(Schema):
        start: int

    first = PeriodOut

    class PeriodOut(Schema):  # noqa: F811 - the clash is the point
        start: int
        previous_start: int

    router = Router()

    @router.get("/a", response=first)
    def metrics_period(request):
        return None

    @router.get("/b", response=PeriodOut)
    def scorecard_period(request):
        return None

    api = Api(urls_namespace="clash-test")
    api.add_router("/", router)
    with pytest.raises(ImproperlyConfigured, match="PeriodOut"):
        api.get_openapi_schema(path_prefix="/")
    assert isinstance(api, NinjaAPI)


def test_kpi_values_declare_the_415_for_a_format_they_do_not_read(document):
    responses = document["paths"][f"{PREFIX}/kpis/{{id}}/values"]["post"]["responses"]
    assert _error_schema({"responses": responses}, 415) == "ErrorOut"


def test_every_status_the_api_code_can_answer_is_in_the_document(document):
    """A reading of the code: each status an API module raises or answers with
    (`HttpError(415, …)`, `status=409`) is declared by some operation."""
    from pathlib import Path

    import cxkeeper

    root = Path(cxkeeper.__file__).parent
    modules = [root / "api.py", *root.glob("*/api.py"), *root.glob("*/api/*.py"), *root.glob("*/api_*.py")]
    found = set()
    for module in modules:
        text = module.read_text()
        found |= {int(s) for s in re.findall(r"HttpError\((\d{3})", text)}
        found |= {int(s) for s in re.findall(r"status=(4\d\d)", text)}
    assert {401, 403, 404, 405, 409, 413, 415, 422} <= found, found  # the reading reads what it should
    documented = {int(code) for _, _, operation in _operations(document) for code in operation["responses"]}
    assert found - {405} <= documented, sorted(found - documented)
