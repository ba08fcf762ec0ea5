"""Search everything through the API (`/api/v1/search?q=`, issue 14): the same answer as the
page (tests/views/test_search.py), role-checked, every refusal naming its field, documented."""

import pytest
from views.test_search import build_search_world  # tests/ is on sys.path (rootdir-relative packages)

from cxkeeper import search
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix


@pytest.fixture
def sw(db):
    return build_search_world()


ENDPOINTS = [E("GET", "/search", lambda w: "/search?q=password")]
TestSearchApiRoles = endpoint_role_matrix(ENDPOINTS, build=build_search_world)



@pytest.mark.django_db
def test_the_api_answers_like_the_page(sw, api_as):
    body = api_as(sw.viewer).get("/search?q=password").json()
    assert body["q"] == "password"
    assert [k["kind"] for k in body["kinds"]] == ["steps", "friction_points", "decisions", "feedback"]
    steps = body["kinds"][0]
    assert steps["label"] == "Steps" and steps["more"] is False
    assert steps["hits"] == [{"title": "Log in to the app", "url": f"/steps/{sw.login_step.pk}/",
                              "context": "Get help › Ask for help", "snippet": "password reset never arrives"}]
    one = api_as(sw.viewer).get("/search?q=password&kind=decisions&limit=1").json()
    assert [k["kind"] for k in one["kinds"]] == ["decisions"]
    assert api_as(sw.viewer).get("/search?q=ivan").json()["kinds"] == []
    assert [k["kind"] for k in api_as(sw.admin).get("/search?q=ivan").json()["kinds"]] == ["people"]


@pytest.mark.django_db
def test_control_characters_in_the_query_are_spaces_not_a_server_error(sw, api_as):
    """NUL cannot reach PostgreSQL (schemathesis found the 500)."""
    body = api_as(sw.viewer).get("/search?q=pass%00word%1b").json()
    assert body["q"] == "pass word"
    page = api_as(sw.viewer).get("/search?q=%00%00%00")
    assert page.status_code == 200 and page.json()["kinds"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [("q=a", "q"), ("q=" + "x" * 101, "q"), ("", "q"),
                                              ("q=log&limit=0", "limit"), ("q=log&limit=51", "limit"),
                                              ("q=log&kind=secrets", "kind")])
def test_the_api_names_the_field_it_refuses(small_org, api_as, query, field):
    response = api_as(small_org.viewer).get(f"/search?{query}")
    assert response.status_code == 422
    assert field in str(response.json())


def test_the_search_operation_is_documented_with_every_answer():
    """Checked on its own document too: the whole API's document is checked in tests/api."""
    from cxkeeper.core.api import Api

    api = Api(urls_namespace="search-doc-test")
    api.add_router("/search", search.search_router)
    document = api.get_openapi_schema(path_prefix="/api/v1")
    (operation,) = document["paths"]["/api/v1/search"].values()
    assert {"200", "401", "404", "422"} <= set(map(str, operation["responses"]))
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"q", "kind", "limit"} and params["q"]["required"] is True
    assert "description" in params["q"] and "description" in params["limit"]
