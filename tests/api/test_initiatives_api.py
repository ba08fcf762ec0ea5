"""/api/v1/initiatives and /api/v1/priorities: the role matrix of every endpoint (anonymous 401;
the wrong role 403 with a reason and nothing written; the right role succeeds and leaves a
history row by the caller), teams and metrics named by name, a cycle refused with 422 naming
it, transitions, and the board with every term explained."""

from __future__ import annotations

import pytest

from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import Initiative, PriorityWeights
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix, v
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.outcomes_builders import ensure_standard_metrics

pytestmark = pytest.mark.django_db


def plan(o, title="Fix the app login") -> Initiative:
    ensure_standard_metrics()
    return actions.plan_initiative({"title": title, "teams": [(o.it, "lead"), (o.service, "contributes")],
                                    "steps": [o.login_step]}, acting_user=o.it_member)


def with_an_initiative(o):
    o.initiative = plan(o)
    return o


def fresh(o) -> Initiative:
    o.initiative = plan(o)
    return o.initiative


def body(o) -> dict:
    return {"title": "Shorter hold times", "teams": [{"team": "IT", "role": "lead"},
                                                    {"team": o.service.pk, "role": "consulted"}],
            "steps": [o.call_step.pk], "metrics": [{"metric": "ces", "direction": "up"}],
            "milestones": [{"title": "New IVR", "due": "2026-07-01"}]}


ENDPOINTS = [
    E("GET", "/initiatives", lambda w: "/initiatives?status=proposed&team=IT"),
    E("GET", "/initiatives/{id}", lambda w: f"/initiatives/{w.initiative.pk}"),
    E("GET", "/initiatives/{id}/history", lambda w: f"/initiatives/{w.initiative.pk}/history"),
    E("POST", "/initiatives", lambda w: "/initiatives", body, allowed="it_member", refused="sales_member"),
    E("POST", "/initiatives (keeper)", lambda w: "/initiatives", body, allowed="keeper", refused="viewer"),
    E("PATCH", "/initiatives/{id}", lambda w: f"/initiatives/{fresh(w).pk}",
      lambda w: {"version": v(w.initiative), "status": "approved"}, allowed="it_member", refused="sales_member"),
    E("DELETE", "/initiatives/{id}", lambda w: f"/initiatives/{fresh(w).pk}",
      lambda w: {"version": v(w.initiative)}, allowed="keeper", refused="it_member"),
    E("GET", "/priorities", lambda w: "/priorities"),
    E("GET", "/priorities/weights", lambda w: "/priorities/weights"),
    E("PATCH", "/priorities/weights", lambda w: "/priorities/weights", lambda w: {"impact": 4, "effort": 2},
      allowed="keeper", refused="it_member"),
]

TestEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=lambda: with_an_initiative(build_small_org()),
                                         keeps=[Initiative, PriorityWeights])


@pytest.fixture
def iw(small_org):
    return with_an_initiative(small_org)


def test_planned_with_teams_and_metrics_by_name_and_read_back(iw, api_as):
    client = api_as(iw.keeper)
    created = client.post("/initiatives", body(iw))
    assert created.status_code == 201, created.content
    data = created.json()
    assert {t["team"]: t["role"] for t in data["teams"]} == {"IT": "lead", "Customer service": "consulted"}
    assert data["metrics"] == [{"metric_id": data["metrics"][0]["metric_id"], "metric": "Customer effort (CES)",
                                "metric_key": "ces", "direction": "up"}]
    assert data["milestones"] == [{"title": "New IVR", "due": "2026-07-01", "done": False}]
    assert data["status"] == "proposed" and data["ship_date"] is None and data["version"] == 1
    listed = client.get("/initiatives?team=Customer%20service").json()
    assert listed["count"] == 2
    assert client.get("/initiatives?team=nobody").status_code == 422


def test_a_cycle_is_refused_with_422_naming_it_and_nothing_stored(iw, api_as):
    client = api_as(iw.keeper)
    second = client.post("/initiatives", {**body(iw), "depends_on": [iw.initiative.pk]}).json()
    refused = client.patch(f"/initiatives/{iw.initiative.pk}", {"version": 1, "depends_on": [second["id"]]})
    assert refused.status_code == 422
    cycle = "“Fix the app login” → “Shorter hold times” → “Fix the app login”"
    assert cycle in refused.json()["errors"]["depends_on"][0]
    assert client.get(f"/initiatives/{iw.initiative.pk}").json()["depends_on"] == []


def test_shipping_needs_a_ship_date_and_an_allowed_transition(iw, api_as):
    client = api_as(iw.it_member)
    jump = client.patch(f"/initiatives/{iw.initiative.pk}", {"version": 1, "status": "shipped",
                                                             "ship_date": "2026-06-01"})
    assert jump.status_code == 422 and "cannot become shipped" in jump.json()["errors"]["status"][0]
    version = 1
    for status in ("approved", "in_progress"):
        version = client.patch(f"/initiatives/{iw.initiative.pk}", {"version": version, "status": status}).json()[
            "version"]
    no_date = client.patch(f"/initiatives/{iw.initiative.pk}", {"version": version, "status": "shipped"})
    assert no_date.status_code == 422 and "ship_date" in no_date.json()["errors"]
    shipped = client.patch(f"/initiatives/{iw.initiative.pk}", {"version": version, "status": "shipped",
                                                                "ship_date": "2026-06-01"})
    assert shipped.status_code == 200 and shipped.json()["ship_date"] == "2026-06-01"


def test_one_lead_exactly_and_no_unknown_team(iw, api_as):
    client = api_as(iw.keeper)
    before = Initiative.objects.count()
    for teams in ([], [{"team": "IT", "role": "consulted"}], [{"team": "Nobody", "role": "lead"}],
                  [{"team": "IT", "role": "owner"}]):
        response = client.post("/initiatives", {"title": "x", "teams": teams})
        assert response.status_code == 422, (teams, response.content)
    assert Initiative.objects.count() == before


def test_the_board_explains_each_term(iw, api_as):
    actions.raise_friction_point({"title": "Login keeps failing", "step": iw.login_step}, acting_user=iw.keeper)
    board = api_as(iw.viewer).get("/priorities").json()
    assert board["formula"].startswith("score = 100 ×") and board["weights"]["impact"] == 3.0
    entry = board["entries"][0]
    assert entry["rank"] == 1 and entry["title"] == "Login keeps failing"
    assert set(entry["terms"]) == {"impact", "fit", "effort", "confidence"}
    assert "no effort estimate yet" in entry["explanation"]["effort"]
    assert board["period"]["days"] == 90
    weights = api_as(iw.keeper).patch("/priorities/weights", {"period_days": 10})
    assert weights.status_code == 422
