"""/api/v1/friction-points/{id}/perspectives, …/options (stances, decide, escalate), …/tensions,
…/challenge and /api/v1/planned-changes: the role matrix (anonymous 401; the wrong role 403 with
a reason and nothing written; the right role succeeds with a history row by the caller) and
what the answers say."""

from __future__ import annotations

import pytest

from cxkeeper.initiatives.models import AffectedTeam, Decision, Option, OptionStance, Perspective, PlannedChange
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix, v
from cxkeeper.testing.cocreation import (
    DECIDE,
    add_cocreation,
    agreed,
    build_cocreation_org,
    decided,
    escalated,
    with_options,
)

pytestmark = pytest.mark.django_db
KEEPS = [Perspective, Option, OptionStance, Decision, AffectedTeam, PlannedChange]


ENDPOINTS = [
    E("GET", "/friction-points/{id}/perspectives", lambda w: f"/friction-points/{w.fp.pk}/perspectives"),
    E("GET", "/friction-points/{id}/tensions", lambda w: f"/friction-points/{w.fp.pk}/tensions"),
    E("GET", "/friction-points/{id}/options", lambda w: f"/friction-points/{w.fp.pk}/options"),
    E("POST", "/friction-points/{id}/perspectives", lambda w: f"/friction-points/{w.fp.pk}/perspectives",
      lambda w: {"team": "Sales", "stance": "object", "reason": "Scripts are frozen.",
                 "constraints": [{"kind": "timing", "text": "Not before April."}], "effort": "weeks"},
      allowed="sales_member", refused="it_member"),
    E("POST", "/friction-points/{id}/challenge", lambda w: f"/friction-points/{w.fp.pk}/challenge",
      lambda w: {"owner_team": "IT", "steps": [w.login_step.pk, w.call_step.pk], "version": v(w.fp)},
      allowed="keeper", refused="it_member", status=200),
    E("POST", "/friction-points/{id}/options", lambda w: f"/friction-points/{w.fp.pk}/options",
      lambda w: {"title": "Faster mail provider"}, allowed="service_member", refused="viewer"),
    E("POST", "/friction-points/{id}/options/{option_id}/stances",
      lambda w: f"/friction-points/{w.fp.pk}/options/{w.option.pk}/stances",
      lambda w: {"team": w.it.pk, "stance": "support"}, allowed="it_member", refused="sales_member", status=200),
    E("POST", "/friction-points/{id}/escalate", lambda w: f"/friction-points/{w.fp.pk}/escalate",
      lambda w: {"note": "They disagree."}, allowed="keeper", refused="it_member", status=200),
    E("POST", "/friction-points/{id}/options/{option_id}/decide (consensus)",
      lambda w: f"/friction-points/{agreed(w).fp.pk}/options/{w.option.pk}/decide", lambda w: DECIDE,
      allowed="keeper", refused="sales_member", status=200),
    E("POST", "/friction-points/{id}/options/{option_id}/decide (sponsor)",
      lambda w: f"/friction-points/{escalated(w).fp.pk}/options/{w.option.pk}/decide", lambda w: DECIDE,
      allowed="viewer", refused="keeper", status=200),
    E("POST", "/friction-points/{id}/initiative", lambda w: f"/friction-points/{decided(w).fp.pk}/initiative",
      lambda w: {"lead_team": "IT"}, allowed="it_member", refused="sales_member"),
    E("GET", "/planned-changes", lambda w: "/planned-changes?status=planned"),
    E("GET", "/planned-changes/{id}", lambda w: f"/planned-changes/{w.planned.pk}"),
    E("GET", "/planned-changes/{id}/history", lambda w: f"/planned-changes/{w.planned.pk}/history"),
    E("GET", "/planned-changes/{id}/perspectives", lambda w: f"/planned-changes/{w.planned.pk}/perspectives"),
    E("POST", "/planned-changes", lambda w: "/planned-changes",
      lambda w: {"title": "Price rise in April", "kind": "price", "go_live": "2027-04-01",
                 "steps": [w.call_step.pk], "team": "Sales"}, allowed="sales_member", refused="viewer"),
    E("PATCH", "/planned-changes/{id}", lambda w: f"/planned-changes/{w.planned.pk}",
      lambda w: {"version": v(w.planned), "go_live": "2027-03-01"}, allowed="it_member", refused="sales_member"),
    E("POST", "/planned-changes/{id}/perspectives", lambda w: f"/planned-changes/{w.planned.pk}/perspectives",
      lambda w: {"team": "Customer service", "stance": "concerns", "reason": "Agents need a script."},
      allowed="service_member", refused="sales_member"),
]

TestCocreationEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=lambda: with_options(build_cocreation_org()),
                                                   keeps=KEEPS)


@pytest.fixture
def w(small_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return with_options(add_cocreation(small_org))


def test_perspectives_list_who_is_heard_and_an_answer_changes_with_its_version(w, api_as):
    client = api_as(w.sales_member)
    given = client.post(f"/friction-points/{w.fp.pk}/perspectives",
                        {"team": "Sales", "stance": "support", "contribution": "Scripts mention the delay."})
    assert given.status_code == 201, given.content
    again = client.post(f"/friction-points/{w.fp.pk}/perspectives", {"team": "Sales", "stance": "support"})
    assert again.status_code == 422 and "already answered" in again.content.decode()
    changed = client.post(f"/friction-points/{w.fp.pk}/perspectives",
                          {"team": "Sales", "stance": "concerns", "reason": "Busy season.",
                           "version": given.json()["version"]})
    assert changed.status_code == 200 and changed.json()["stance"] == "concerns"
    listed = api_as(w.viewer).get(f"/friction-points/{w.fp.pk}/perspectives").json()
    assert (listed["teams_asked"], listed["teams_heard"]) == (3, 1)
    heard = {t["team"]: t["perspective"] for t in listed["teams"]}
    assert heard["IT"] is None and heard["Sales"]["reason"] == "Busy season."
    point = api_as(w.viewer).get(f"/friction-points/{w.fp.pk}").json()
    assert point["owner_team"] == "IT" and point["steps"] == [w.login_step.pk]


def test_bad_input_names_the_field_and_stores_nothing(w, api_as):
    client = api_as(w.sales_member)
    refused = client.post(f"/friction-points/{w.fp.pk}/perspectives", {"team": "IT", "stance": "support"})
    assert refused.status_code == 403 and "Only a member of IT" in refused.json()["detail"]
    no_reason = client.post(f"/friction-points/{w.fp.pk}/perspectives", {"team": "Sales", "stance": "object"})
    assert no_reason.status_code == 422 and "reason" in no_reason.content.decode()
    no_steps = client.post("/planned-changes", {"title": "Mystery launch", "go_live": "2027-01-01", "steps": []})
    assert no_steps.status_code == 422 and "at least one step" in no_steps.content.decode()
    assert not Perspective.objects.exists() and PlannedChange.objects.count() == 1


def test_tensions_and_the_sponsor_decision_through_the_api(w, api_as):
    api_as(w.it_member).post(f"/friction-points/{w.fp.pk}/perspectives",
                             {"team": "IT", "stance": "object", "reason": "Mail platform frozen."})
    tensions = api_as(w.viewer).get(f"/friction-points/{w.fp.pk}/tensions").json()
    assert [t["kind"] for t in tensions] == ["objection", "not_heard"]
    escalated(w)
    decided = api_as(w.viewer).post(f"/friction-points/{w.fp.pk}/options/{w.option.pk}/decide", DECIDE)
    assert decided.status_code == 200, decided.content
    decision = decided.json()["decision"]
    assert (decision["state"], decision["how"], decision["decided_by"]) == ("decided", "sponsor", "vic")


def test_a_planned_change_asks_the_teams_downstream(w, api_as):
    created = api_as(w.it_member).post("/planned-changes", {"title": "Helpline menu change", "go_live": "2027-05-01",
                                                            "steps": [w.call_step.pk]})
    assert created.status_code == 201, created.content
    listed = api_as(w.viewer).get(f"/planned-changes/{created.json()['id']}/perspectives").json()
    # Customer service owns the call step; Sales hands off from it, so IT receives it downstream
    assert {t["team"] for t in listed["teams"]} == {"Customer service", "IT"}
