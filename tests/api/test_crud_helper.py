"""The CRUD helper (`cxkeeper.core.crud.Crud`) itself: what it puts in the OpenAPI document,
lookup by a slug, and a stale write refused by the action under its row lock, not by a check
on the copy the handler read."""

from __future__ import annotations

import pytest
from django.urls import path
from ninja import Router

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.api import Api, SessionAuth, install_error_handlers
from cxkeeper.core.crud import Crud
from cxkeeper.org import actions as org_actions
from cxkeeper.org.api import GlossaryFilters, GlossaryTermOut, GlossaryTermPatch, TeamFilters, TeamOut, TeamPatch
from cxkeeper.org.api_auth import UNAUTHENTICATED, BearerTokenAuth
from cxkeeper.org.models import GlossaryTerm, Team
from cxkeeper.testing.api_matrix import PREFIX


def racing_update(term, changes, *, expected_version, acting_user):
    """Someone else saves the term after the handler looked it up and before this action runs:
    the handler's copy still has the version the client sent, the row does not."""
    org_actions.update_glossary_term(GlossaryTerm.objects.get(pk=term.pk), {"definition": "Theirs."},
                                     expected_version=term.version, acting_user=SYSTEM)
    return org_actions.update_glossary_term(term, changes, expected_version=expected_version,
                                            acting_user=acting_user)


def _build_api() -> Api:
    api = Api(title="crud helper test", urls_namespace="crud_helper_test", docs_url=None,
              auth=[BearerTokenAuth(), SessionAuth()])
    install_error_handlers(api, unauthenticated_detail=UNAUTHENTICATED)
    terms = Router(tags=["glossary"])
    (Crud(terms, GlossaryTerm, name="racing_term", plural="racing_terms", out=GlossaryTermOut)
        .list(GlossaryFilters, summary="List terms")
        .get(summary="Get a term")
        .update(GlossaryTermPatch, racing_update, summary="Edit a term while someone else does")
        .history())
    teams = Router(tags=["teams"])
    (Crud(teams, Team, name="team_by_slug", plural="teams_by_slug", out=TeamOut, lookup="slug")
        .list(TeamFilters, summary="List teams")
        .get(summary="Get a team by its slug", description="The slug is the team's name in URLs.")
        .update(TeamPatch, org_actions.update_team, summary="Edit a team by its slug")
        .delete(org_actions.delete_team, summary="Delete a team by its slug"))
    api.add_router("/terms", terms)
    api.add_router("/teams", teams)
    return api


test_api = _build_api()
urlpatterns = [path("api/v1/crud-test/", test_api.urls)]


def _operations(schema) -> dict[tuple[str, str], dict]:
    return {(method.upper(), p): op for p, ops in schema["paths"].items() for method, op in ops.items()}


def test_the_endpoints_are_documented_with_their_ids_codes_and_parameters():
    ops = _operations(test_api.get_openapi_schema(path_prefix="/x"))
    ids = {key: op["operationId"] for key, op in ops.items()}
    assert ids == {
        ("GET", "/x/terms"): "cxkeeper_org_api_list_racing_terms",
        ("GET", "/x/terms/{id}"): "cxkeeper_org_api_get_racing_term",
        ("PATCH", "/x/terms/{id}"): "cxkeeper_org_api_update_racing_term",
        ("GET", "/x/terms/{id}/history"): "glossaryterm_history",
        ("GET", "/x/teams"): "cxkeeper_org_api_list_teams_by_slug",
        ("GET", "/x/teams/{slug}"): "cxkeeper_org_api_get_team_by_slug",
        ("PATCH", "/x/teams/{slug}"): "cxkeeper_org_api_update_team_by_slug",
        ("DELETE", "/x/teams/{slug}"): "cxkeeper_org_api_delete_team_by_slug",
    }
    assert set(ops["GET", "/x/terms"]["responses"]) == {200, 401, 404, 422}
    # a body can also be unreadable (400) or too large (413): declared for every operation with one
    assert set(ops["PATCH", "/x/terms/{id}"]["responses"]) == {200, 400, 401, 403, 404, 409, 413, 422}
    assert set(ops["DELETE", "/x/teams/{slug}"]["responses"]) == {204, 401, 403, 404, 409, 422}
    assert [p["name"] for p in ops["GET", "/x/terms"]["parameters"]] == ["q", "limit", "offset"]
    slug = ops["GET", "/x/teams/{slug}"]
    assert slug["parameters"][0] == {"in": "path", "name": "slug", "required": True,
                                     "schema": {"title": "Slug", "type": "string"}}
    assert slug["summary"] == "Get a team by its slug" and slug["description"] == "The slug is the team's name in URLs."
    assert [p["name"] for p in ops["DELETE", "/x/teams/{slug}"]["parameters"]] == ["slug", "version"]
    assert ops["PATCH", "/x/terms/{id}"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GlossaryTermPatch"}


def test_the_real_api_names_helper_endpoints_like_the_hand_written_ones():
    from django.urls import reverse

    from cxkeeper.api import api

    ops = _operations(api.get_openapi_schema(path_prefix=f"{PREFIX}/"))
    assert ops["GET", f"{PREFIX}/teams"]["operationId"] == "cxkeeper_org_api_list_teams"
    assert ops["PATCH", f"{PREFIX}/kpis/{{id}}"]["operationId"] == "cxkeeper_outcomes_api_update_kpi"
    # a hand-written endpoint in a module of the split outcomes api keeps the package's id
    assert ops["POST", f"{PREFIX}/kpis/{{id}}/values"]["operationId"] == "cxkeeper_outcomes_api_post_kpi_values"
    assert reverse("api:kpis") == f"{PREFIX}/kpis" and reverse("api:kpi", kwargs={"id": 1}) == f"{PREFIX}/kpis/1"


with_test_urls = pytest.mark.urls(__name__)  # the API above, at /api/v1/crud-test/


@pytest.mark.django_db
@with_test_urls
def test_a_stale_patch_is_refused_by_the_action_under_the_lock(world, api_as):
    term = world.term
    client = api_as(world.keeper)
    response = client.patch(f"/crud-test/terms/{term.pk}", {"version": term.version, "definition": "Mine."})
    assert response.status_code == 409, response.content
    body = response.json()
    assert "changed by someone else" in body["detail"]
    assert body["current"]["definition"] == "Theirs." and body["current"]["version"] == term.version + 1
    assert GlossaryTerm.objects.get(pk=term.pk).definition == "Theirs."
    history = client.get(f"/crud-test/terms/{term.pk}/history").json()
    assert [c["after"]["definition"] for c in history["items"] if c["action"] == "update"] == ["Theirs."]


@pytest.mark.django_db
@with_test_urls
def test_lookup_by_slug_reads_writes_and_answers_404_with_a_reason(world, api_as):
    admin = api_as(world.admin)
    got = admin.get(f"/crud-test/teams/{world.sales.slug}")
    assert got.status_code == 200 and got.json()["id"] == world.sales.pk and got["ETag"] == f'"{world.sales.version}"'
    listed = admin.get("/crud-test/teams", {"limit": 500}).json()
    assert world.sales.slug in [t["slug"] for t in listed["items"]] and listed["count"] == Team.objects.count()
    missing = admin.get("/crud-test/teams/no-such-team")
    assert missing.status_code == 404 and "no-such-team" in missing.json()["detail"]
    path = f"/crud-test/teams/{world.sales.slug}"
    version = world.sales.version
    assert admin.patch(path, {"version": version, "description": "Sells."}).status_code == 200
    assert admin.patch(path, {"version": version, "description": "Stale."}).status_code == 409
    assert api_as(world.keeper).delete(path, {"version": version + 1}).status_code == 403
    assert admin.delete(f"{path}?version={version + 1}").status_code == 204
    assert not Team.objects.filter(pk=world.sales.pk).exists()
