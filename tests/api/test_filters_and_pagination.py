"""Lists: `?limit=&offset=` with `count`, and filters that name related objects by id or name."""

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions

pytestmark = pytest.mark.django_db


def names(response):
    assert response.status_code == 200, response.content
    return [item.get("name") or item.get("term") for item in response.json()["items"]]


def test_pagination_has_count_limit_and_offset(world, api_as):
    for n in range(7):
        org_actions.create_team({"name": f"Team {n}", "function": "operations"}, acting_user=SYSTEM)
    client = api_as(world.viewer)
    page = client.get("/teams", {"limit": 4, "offset": 2}).json()
    assert page["count"] == 10
    assert [t["name"] for t in page["items"]] == ["Sales", "Team 0", "Team 1", "Team 2"]
    assert len(client.get("/teams", {"limit": 4, "offset": 8}).json()["items"]) == 2
    too_many = client.get("/teams", {"limit": 501})
    assert too_many.status_code == 422 and "limit" in too_many.json()["errors"]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["Customer service", "IT", "Sales"]),
    ({"function": "it"}, ["IT"]),
    ({"office": "back"}, ["IT"]),
    ({"customer_facing": "true"}, ["Customer service", "Sales"]),
    ({"customer_facing": "false"}, ["IT"]),
    ({"q": "serv"}, ["Customer service"]),
])
def test_team_filters(world, api_as, params, expected):
    assert names(api_as(world.viewer).get("/teams", params)) == expected


def test_team_output_has_readable_names(world, api_as):
    team = api_as(world.viewer).get(f"/teams/{world.it.pk}").json()
    assert team["function_label"] == "IT" and team["office"] == "back" and team["customer_facing"] is False
    assert {"id", "version", "created_at", "updated_at"} <= set(team)


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "published"}, ["Join and get connected"]),
    ({"status": "draft"}, ["Get help"]),
    ({"keeper": "kim"}, ["Get help"]),
    ({"q": "fixed"}, ["Get help"]),
    ({"persona": "Busy parent"}, ["Get help"]),
])
def test_journey_filters(world, api_as, params, expected):
    journey_actions.update_journey(world.journey, {"persona": world.persona}, expected_version=1,
                                   acting_user=SYSTEM)
    assert names(api_as(world.viewer).get("/journeys", params)) == expected


def test_journey_detail_nests_stages_and_steps(world, api_as):
    detail = api_as(world.viewer).get(f"/journeys/{world.journey.pk}").json()
    assert [s["name"] for s in detail["stages"]] == ["Ask for help", "Get it fixed"]
    steps = detail["stages"][0]["steps"]
    assert [(s["name"], s["owners"]) for s in steps] == [
        ("Log in to the app", ["IT"]), ("Call the helpline", ["Customer service"])]
    assert detail["keeper"] == "kim"
    assert detail["review_overdue"] is False and detail["review_due_at"] > detail["created_at"]


@pytest.mark.parametrize(("params", "expected"), [
    (lambda w: {"journey": "get-help"}, ["Log in to the app", "Call the helpline"]),
    (lambda w: {"stage": w.stage.pk}, ["Log in to the app", "Call the helpline"]),
    (lambda w: {"lane": "customer_action"}, ["Log in to the app"]),
    (lambda w: {"team": "IT"}, ["Log in to the app"]),
    (lambda w: {"team": w.service.pk}, ["Log in to the app", "Call the helpline"]),
    (lambda w: {"team": "sales"}, []),
    (lambda w: {"channel": "PHONE"}, ["Call the helpline"]),
    (lambda w: {"q": "password reset"}, ["Log in to the app"]),
    (lambda w: {"q": "helpline"}, ["Call the helpline"]),
])
def test_step_filters(world, api_as, params, expected):
    assert names(api_as(world.viewer).get("/steps", params(world))) == expected


def test_an_unknown_name_in_a_filter_is_a_422(world, api_as):
    response = api_as(world.viewer).get("/steps", {"team": "Nobody"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["team"]


@pytest.mark.parametrize(("params", "expected"), [
    (lambda w: {"step": w.login_step.pk},
     {("Log in to the app", "Customer service"), ("Log in to the app", "IT")}),
    (lambda w: {"team": "Customer service"},
     {("Log in to the app", "Customer service"), ("Call the helpline", "Customer service")}),
    (lambda w: {"role": "owns"}, {("Log in to the app", "IT"), ("Call the helpline", "Customer service")}),
    (lambda w: {"journey": w.published.pk}, set()),
])
def test_responsibility_filters(world, api_as, params, expected):
    response = api_as(world.viewer).get("/responsibilities", params(world))
    assert {(r["step_name"], r["team_name"]) for r in response.json()["items"]} == expected


def test_handoff_filters(world, api_as):
    same_team = journey_actions.add_handoff(
        {"from_step": world.call_step, "from_team": world.service, "to_step": world.login_step,
         "to_team": world.service}, acting_user=SYSTEM)
    client = api_as(world.viewer)

    def ids(params):
        return {h["id"] for h in client.get("/handoffs", params).json()["items"]}

    assert ids({"crosses_teams": "true"}) == {world.handoff.pk}
    assert ids({"crosses_teams": "false"}) == {same_team.pk}
    assert ids({"team": "IT"}) == {world.handoff.pk}
    assert ids({"journey": "Get help"}) == {world.handoff.pk, same_team.pk}
    assert ids({"step": world.call_step.pk}) == {world.handoff.pk, same_team.pk}
    handoff = client.get(f"/handoffs/{world.handoff.pk}").json()
    assert (handoff["from_team_name"], handoff["to_team_name"], handoff["crosses_teams"]) == (
        "IT", "Customer service", True)


def test_stage_persona_and_glossary_lists(world, api_as):
    client = api_as(world.viewer)
    assert names(client.get("/stages", {"journey": "Get help"})) == ["Ask for help", "Get it fixed"]
    assert names(client.get("/stages", {"q": "fixed"})) == ["Get it fixed"]
    assert names(client.get("/personas", {"q": "busy"})) == ["Busy parent"]
    assert names(client.get("/glossary", {"q": "effort"})) == ["CES"]
    assert [s["name"] for s in client.get(f"/stages/{world.stage.pk}").json()["steps"]] == [
        "Log in to the app", "Call the helpline"]


def test_history_filters(world, api_as):
    api_as(world.it_member).patch(f"/steps/{world.login_step.pk}", {"version": 1, "channel": "web"})
    client = api_as(world.viewer)
    mine = client.get("/history", {"actor": "ivan"}).json()
    assert mine["count"] == 1
    change = mine["items"][0]
    assert (change["object_type"], change["object_id"], change["action"]) == (
        "journeys.step", world.login_step.pk, "update")
    assert change["changes"] == [{"field": "channel", "before": "app", "after": "web"}]

    by_step = client.get("/history", {"step": world.login_step.pk}).json()["items"]
    assert {c["object_type"] for c in by_step} == {
        "journeys.step", "journeys.responsibility", "journeys.handoff"}
    one_step = client.get("/history", {"object_type": "step", "object_id": world.call_step.pk})
    assert one_step.json()["count"] == 1
    assert client.get("/history", {"journey": world.published.pk, "action": "update"}).json()["count"] == 1
    assert client.get(f"/steps/{world.login_step.pk}/history").json()["count"] == len(by_step)
    assert client.get(f"/journeys/{world.journey.pk}/history").json()["count"] > len(by_step)
    unknown = client.get("/history", {"object_type": "spaceship"})
    assert unknown.status_code == 422 and "object_type" in unknown.json()["errors"]
