"""No lost update (409 with the current object), and errors that name what is wrong."""

import pytest

from cxkeeper.journeys.models import Journey, Stage, Step
from cxkeeper.org.models import Team

pytestmark = pytest.mark.django_db


def test_stale_edit_is_refused_and_the_first_writer_wins(world, api_as):
    path = f"/steps/{world.login_step.pk}"
    first = api_as(world.keeper).patch(path, {"version": 1, "description": "Keeper's text."})
    second = api_as(world.it_member).patch(path, {"version": 1, "description": "IT's text."})
    assert first.status_code == 200
    assert second.status_code == 409
    body = second.json()
    assert "changed by someone else" in body["detail"] and "version 1" in body["detail"]
    assert body["current"]["description"] == "Keeper's text." and body["current"]["version"] == 2
    assert Step.objects.get(pk=world.login_step.pk).description == "Keeper's text."


def test_if_match_header_carries_the_version(world, api_as):
    client = api_as(world.keeper)
    got = client.get(f"/journeys/{world.journey.pk}")
    assert got["ETag"] == '"1"'
    path = f"/journeys/{world.journey.pk}"
    ok = client.patch(path, {"description": "New."}, headers={"If-Match": got["ETag"]})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(path, {"description": "Old."}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert Journey.objects.get(pk=world.journey.pk).description == "New."


def test_stale_delete_is_refused(world, api_as):
    client = api_as(world.admin)
    client.patch(f"/teams/{world.sales.pk}", {"version": 1, "description": "Changed."})
    response = client.delete(f"/teams/{world.sales.pk}", {"version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["description"] == "Changed."
    assert Team.objects.filter(pk=world.sales.pk).exists()
    assert client.delete(f"/teams/{world.sales.pk}?version=2").status_code == 204


def test_stale_move_and_publish_are_refused(world, api_as):
    client = api_as(world.keeper)
    client.patch(f"/stages/{world.fix_stage.pk}", {"version": 1, "name": "Fixing"})
    move = client.post(f"/stages/{world.fix_stage.pk}/move", {"version": 1, "direction": "earlier"})
    assert move.status_code == 409
    assert Stage.objects.get(pk=world.fix_stage.pk).position == 1
    publish = client.post(f"/journeys/{world.published.pk}/unpublish", {"version": 1})
    assert publish.status_code == 409


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_write_without_a_version_is_refused(world, api_as, method):
    client = api_as(world.keeper)
    body = {"description": "x"} if method == "patch" else None
    response = getattr(client, method)(f"/stages/{world.stage.pk}", body)
    assert response.status_code == 422
    assert "version" in response.json()["errors"]
    assert Stage.objects.filter(pk=world.stage.pk, version=1).exists()


def test_publish_without_a_body_uses_if_match(world, api_as):
    response = api_as(world.keeper).post(f"/journeys/{world.journey.pk}/publish", headers={"If-Match": "1"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/responsibilities", lambda w: {"step": w.call_step.pk, "team": "Nobody"}, "team"),
    ("/responsibilities", lambda w: {"step": 999999, "team": "IT"}, "step"),
    ("/steps", lambda w: {"stage": 999999, "name": "X"}, "stage"),
    ("/stages", lambda w: {"journey": "No such journey", "name": "X"}, "journey"),
    ("/journeys", lambda w: {"name": "X", "persona": "Nobody"}, "persona"),
    ("/journeys", lambda w: {"name": "X", "keeper": "nobody"}, "keeper"),
    ("/handoffs", lambda w: {"from_step": w.login_step.pk, "from_team": "IT", "to_step": 999999,
                             "to_team": "IT"}, "to_step"),
])
def test_unknown_related_objects_are_a_422_naming_the_field(world, api_as, path, body, field):
    response = api_as(world.keeper).post(path, body(world))
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/steps", lambda w: {"stage": w.stage.pk}, "name"),
    ("/steps", lambda w: {"stage": w.stage.pk, "name": "X", "lane": "underground"}, "lane"),
    ("/steps", lambda w: {"stage": w.stage.pk, "name": "Log in to the app"}, "__all__"),
    ("/stages", lambda w: {"journey": w.journey.pk, "name": ""}, "name"),
    ("/responsibilities", lambda w: {"step": w.login_step.pk, "team": "IT"}, "team"),
    ("/responsibilities", lambda w: {"step": w.call_step.pk, "team": "Sales", "role": "informed",
                                     "is_lead": True}, "is_lead"),
])
def test_invalid_input_is_a_422_with_field_errors(world, api_as, path, body, field):
    response = api_as(world.keeper).post(path, body(world))
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert response.json()["detail"]


def test_duplicate_step_name_names_the_problem(world, api_as):
    response = api_as(world.keeper).post("/steps", {"stage": world.stage.pk, "name": "Log in to the app"})
    assert "already exists" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/steps/999999", "/teams/999999", "/journeys/999999", "/glossary/999999",
                                  "/steps/999999/history"])
def test_not_found_is_a_404_with_a_reason(world, api_as, path):
    response = api_as(world.viewer).get(path)
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]


def test_history_outlives_a_deleted_object(world, api_as):
    client = api_as(world.keeper)
    assert client.delete(f"/handoffs/{world.handoff.pk}", {"version": 1}).status_code == 204
    history = client.get(f"/handoffs/{world.handoff.pk}/history").json()
    assert [c["action"] for c in history["items"]] == ["delete", "create"]
