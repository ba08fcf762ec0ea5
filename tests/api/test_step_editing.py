"""Teams edit their own parts directly: the same rules as the step page."""

import pytest

from cxkeeper.core.models import ChangeRecord
from cxkeeper.journeys.models import Step

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("change", [
    {"description": "Sign in with Face ID."},
    {"phrases": ["face id fails", "  locked out  "]},
    {"channel": "web"},
])
def test_it_member_edits_the_content_of_a_step_it_owns(world, api_as, change):
    response = api_as(world.it_member).patch(f"/steps/{world.login_step.pk}", {"version": 1, **change})
    assert response.status_code == 200, response.content
    step = Step.objects.get(pk=world.login_step.pk)
    field, value = next(iter(change.items()))
    expected = [p.strip() for p in value] if field == "phrases" else value
    assert getattr(step, field) == expected
    assert response.json()["version"] == 2
    record = ChangeRecord.objects.filter(step_id=step.pk).first()
    assert record.actor == world.it_member and record.action == "update"


def test_it_member_cannot_rename_a_step_it_owns(world, api_as):
    response = api_as(world.it_member).patch(
        f"/steps/{world.login_step.pk}", {"version": 1, "name": "Sign in", "description": "x"}
    )
    assert response.status_code == 403
    assert "needs a keeper" in response.json()["detail"]
    step = Step.objects.get(pk=world.login_step.pk)
    assert (step.name, step.version) == ("Log in to the app", 1)


def test_it_member_cannot_edit_a_step_it_has_no_part_in(world, api_as):
    response = api_as(world.it_member).patch(f"/steps/{world.call_step.pk}",
                                             {"version": 1, "description": "x"})
    assert response.status_code == 403
    assert "none of your teams" in response.json()["detail"]
    assert Step.objects.get(pk=world.call_step.pk).description == ""


def test_viewer_cannot_write_anything(world, api_as):
    client = api_as(world.viewer)
    before = ChangeRecord.objects.count()
    refusals = [
        client.patch(f"/steps/{world.login_step.pk}", {"version": 1, "description": "x"}),
        client.post("/steps", {"stage": world.stage.pk, "name": "New"}),
        client.delete(f"/steps/{world.login_step.pk}", {"version": 1}),
        client.post(f"/journeys/{world.journey.pk}/publish", {"version": 1}),
        client.patch("/workspace", {"version": 1, "mission": "x"}),
        client.post("/teams", {"name": "New team"}),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals)
    assert all("viewer" in r.json()["detail"].lower() for r in refusals)
    assert ChangeRecord.objects.count() == before


def test_step_detail_says_what_the_caller_may_edit(world, api_as):
    detail = api_as(world.it_member).get(f"/steps/{world.login_step.pk}").json()
    assert detail["editable_fields"] == ["description", "phrases", "channel"]
    assert {(r["team_name"], r["role"]) for r in detail["responsibilities"]} == {
        ("IT", "owns"), ("Customer service", "contributes")}
    assert detail["handoffs_out"][0]["to_step_name"] == "Call the helpline"
    assert detail["journey_name"] == "Get help" and detail["stage_name"] == "Ask for help"
    assert api_as(world.keeper).get(f"/steps/{world.login_step.pk}").json()["editable_fields"] == [
        "name", "lane", "description", "phrases", "channel"]
    assert api_as(world.viewer).get(f"/steps/{world.call_step.pk}").json()["editable_fields"] == []


def test_keeper_moves_steps_within_their_stage(world, api_as):
    response = api_as(world.keeper).post(f"/steps/{world.call_step.pk}/move",
                                         {"version": 1, "direction": "earlier"})
    assert response.status_code == 200
    assert response.json()["position"] == 0
    names = [s["name"] for s in api_as(world.viewer).get("/steps", {"stage": world.stage.pk}).json()["items"]]
    assert names == ["Call the helpline", "Log in to the app"]


def test_editing_a_step_notifies_the_responsible_teams(world, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_as(world.keeper).patch(f"/steps/{world.login_step.pk}", {"version": 1, "channel": "web"})
    client = api_as(world.it_member)
    unread = client.get("/notifications", {"unread": "true"}).json()
    assert unread["count"] == 1 and "Log in to the app" in unread["items"][0]["message"]
    marked = client.post(f"/notifications/{unread['items'][0]['id']}/read")
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert client.get("/notifications", {"unread": "true"}).json()["count"] == 0
    assert client.post("/notifications/read").json() == {"marked": 0}
    # someone else's notification is not yours to read
    assert api_as(world.viewer).post(f"/notifications/{unread['items'][0]['id']}/read").status_code == 404
