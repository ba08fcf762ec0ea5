"""/api/v1/friction-points: the role matrix of every endpoint (anonymous 401; the wrong role 403
with a reason and nothing written; the right role succeeds and leaves a history row by the
caller), filters, versions (409 on a stale one), and evidence kept as plain data."""

from __future__ import annotations

import pytest

from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix, v
from cxkeeper.testing.builders import SmallOrg, build_small_org

pytestmark = pytest.mark.django_db


def raised_by_it(o: SmallOrg) -> FrictionPoint:
    return actions.raise_friction_point({"title": "Password reset e-mails arrive late", "step": o.login_step},
                                        acting_user=o.it_member)


def with_a_friction_point(org: SmallOrg) -> SmallOrg:
    org.fp = raised_by_it(org)
    return org


@pytest.fixture
def fw(small_org) -> SmallOrg:
    return with_a_friction_point(small_org)


def fresh(o) -> FrictionPoint:
    o.fp = raised_by_it(o)
    return o.fp


ENDPOINTS = [
    E("GET", "/friction-points", lambda w: f"/friction-points?journey={w.journey.slug}&status=open"),
    E("GET", "/friction-points/{id}", lambda w: f"/friction-points/{w.fp.pk}"),
    E("GET", "/friction-points/{id}/history", lambda w: f"/friction-points/{w.fp.pk}/history"),
    E("POST", "/friction-points", lambda w: "/friction-points",
      lambda w: {"title": "Queue music too loud", "step": w.call_step.pk, "evidence": {"note": "three calls"}},
      allowed="sales_member", refused="viewer"),
    E("PATCH", "/friction-points/{id}", lambda w: f"/friction-points/{fresh(w).pk}",
      lambda w: {"version": v(w.fp), "status": "addressed", "description": "Fixed in release 4.2."},
      allowed="it_member", refused="sales_member"),
    E("PATCH", "/friction-points/{id} (keeper)", lambda w: f"/friction-points/{fresh(w).pk}",
      lambda w: {"version": v(w.fp), "status": "dismissed"}, allowed="keeper", refused="viewer"),
    E("DELETE", "/friction-points/{id}", lambda w: f"/friction-points/{fresh(w).pk}",
      lambda w: {"version": v(w.fp)}, allowed="admin", refused="sales_member"),
]

TestEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=lambda: with_a_friction_point(build_small_org()),
                                         keeps=[FrictionPoint])


def test_raised_point_is_placed_on_the_step_journey_and_listed_by_filters(fw, api_as):
    client = api_as(fw.keeper)
    created = client.post("/friction-points", {"title": "Helpline hold too long", "step": fw.call_step.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["journey_id"] == fw.journey.pk and body["step_name"] == "Call the helpline"
    assert body["raised_by"] == fw.keeper.get_username() and body["source"] == "manual" and body["version"] == 1
    by_step = client.get(f"/friction-points?step={fw.call_step.pk}").json()
    assert [i["id"] for i in by_step["items"]] == [body["id"]] and by_step["count"] == 1
    assert client.get("/friction-points?status=addressed").json()["count"] == 0
    assert client.get("/friction-points?journey=nowhere").status_code == 422
    got = client.get(f"/friction-points/{body['id']}")
    assert got["ETag"] == '"1"'


def test_a_stale_version_is_refused_with_409_and_the_current_object(fw, api_as):
    client = api_as(fw.keeper)
    first = client.patch(f"/friction-points/{fw.fp.pk}", {"version": 1, "status": "addressed"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(f"/friction-points/{fw.fp.pk}", {"version": 1, "status": "dismissed"})
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "addressed"
    missing = client.patch(f"/friction-points/{fw.fp.pk}", {"status": "dismissed"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    assert FrictionPoint.objects.get(pk=fw.fp.pk).status == "addressed"


def test_bad_input_is_refused_with_nothing_stored(fw, api_as):
    client = api_as(fw.keeper)
    before = FrictionPoint.objects.count()
    for body in ({"title": ""}, {"title": "x", "status": "solved"}, {"title": "x", "source": "theme"},
                 {"title": "x", "step": 999999}):
        response = client.post("/friction-points", body)
        assert response.status_code == 422, (body, response.content)
    assert FrictionPoint.objects.count() == before
