"""Sharing the journey through the API (issue 14): the blueprint as files, what changed since a
day, suggested changes to a step and their answers — with the same role rules as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cxkeeper.journeys import actions
from cxkeeper.journeys.models import Suggestion
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix
from cxkeeper.testing.builders import build_small_org

pytestmark = pytest.mark.django_db


def open_suggestion(w):
    return actions.suggest_step_change(w.login_step, {"what": "Say SMS"}, acting_user=w.viewer)


# The JSON endpoints through the shared role matrix (the files are checked below: they are not JSON).
ENDPOINTS = [
    E("GET", "/journeys/{slug}/changes", lambda w: f"/journeys/{w.journey.slug}/changes?since=2026-01-01"),
    E("GET", "/steps/{id}/suggestions", lambda w: f"/steps/{w.login_step.pk}/suggestions"),
    E("POST", "/steps/{id}/suggestions", lambda w: f"/steps/{w.login_step.pk}/suggestions",
      lambda w: {"what": "Say the code comes by SMS", "why": "Customers look in their e-mail."}),
    E("POST", "/suggestions/{id}/decide", lambda w: f"/suggestions/{open_suggestion(w).pk}/decide",
      lambda w: {"decision": "declined", "reply": "The SMS goes away next month.", "version": 1},
      allowed="it_member", refused="sales_member", status=200),
]

TestSharingEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=build_small_org, keeps=[Suggestion])


def test_the_blueprint_as_svg_png_and_pdf(small_org, api_as, anonymous):
    viewer = api_as(small_org.viewer)
    svg = viewer.get(f"/journeys/{small_org.journey.slug}/blueprint.svg", {"team": "it"})
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"\xe2\x97\x86 IT" in svg.content  # the ◆ marker of the highlighted team
    assert 'filename="blueprint-get-help-it.svg"' in svg["Content-Disposition"]
    png = viewer.get(f"/journeys/{small_org.journey.pk}/blueprint.png")  # by id too
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf = viewer.get(f"/journeys/{small_org.journey.slug}/blueprint.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    unknown_team = viewer.get(f"/journeys/{small_org.journey.slug}/blueprint.svg", {"team": "nobody"})
    assert unknown_team.status_code == 422 and "team" in unknown_team.json()["errors"]
    assert viewer.get("/journeys/no-such-journey/blueprint.svg").status_code == 404
    assert anonymous.get(f"/journeys/{small_org.journey.slug}/blueprint.svg").status_code == 401


def test_changes_since_a_day(small_org, api_as):
    actions.add_step(small_org.stage, {"name": "Chat with an agent"}, acting_user=small_org.keeper)
    actions.delete_step(small_org.call_step, expected_version=small_org.call_step.version,
                        acting_user=small_org.keeper)
    viewer = api_as(small_org.viewer)
    today = timezone.localdate()
    answer = viewer.get(f"/journeys/{small_org.journey.slug}/changes", {"since": today.isoformat()})
    assert answer.status_code == 200
    body = answer.json()
    assert body["counts"]["added"] >= 1 and body["counts"]["removed"] == 1
    texts = [c["text"] for c in body["changes"]]
    assert "kim added step “Chat with an agent” to stage “Ask for help” (Front-stage touchpoint)." in texts
    assert "kim removed step “Call the helpline” from stage “Ask for help”." in texts
    removed = next(c for c in body["changes"] if c["kind"] == "removed")
    assert removed["step_id"] is None and removed["who"] == "kim"
    for bad, reason in (("2026-13-01", "YYYY-MM-DD"), ("yesterday", "YYYY-MM-DD"),
                        ((today + timedelta(days=2)).isoformat(), "in the future")):
        refused = viewer.get(f"/journeys/{small_org.journey.slug}/changes", {"since": bad})
        assert refused.status_code == 400 and reason in refused.json()["detail"]


def test_suggest_list_and_decide(small_org, api_as, django_capture_on_commit_callbacks):
    viewer = api_as(small_org.viewer)
    path = f"/steps/{small_org.login_step.pk}/suggestions"
    made = viewer.post(path, {"what": "Say the code comes by SMS", "why": "People look in their e-mail."})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "open" and body["author"] == "vic" and body["step_name"] == "Log in to the app"
    too_long = viewer.post(path, {"what": "x" * 501})
    assert too_long.status_code == 422 and "what" in too_long.json()["errors"]
    listed = api_as(small_org.sales_member).get(path)
    assert listed.status_code == 200 and [s["what"] for s in listed.json()] == ["Say the code comes by SMS"]

    decide = f"/suggestions/{body['id']}/decide"
    refused = api_as(small_org.sales_member).post(decide, {"decision": "accepted", "reply": "ok", "version": 1})
    assert refused.status_code == 403 and "owns" in refused.json()["detail"]
    assert api_as(small_org.viewer).post(decide, {"decision": "accepted", "reply": "ok", "version": 1}) \
        .status_code == 403
    stale = api_as(small_org.it_member).post(decide, {"decision": "accepted", "reply": "ok", "version": 7})
    assert stale.status_code == 409
    done = api_as(small_org.it_member).post(decide, {"decision": "accepted", "reply": "We'll add it.", "version": 1})
    assert done.status_code == 200 and done.json()["status"] == "accepted" and done.json()["decided_by"] == "ivan"
    again = api_as(small_org.keeper).post(decide, {"decision": "declined", "reply": "no", "version": 2})
    assert again.status_code == 422 and "already accepted" in again.json()["detail"]
    assert Suggestion.objects.get().status == "accepted"


def test_suggestions_refuse_the_anonymous(small_org, anonymous):
    item = actions.suggest_step_change(small_org.login_step, {"what": "x"}, acting_user=small_org.viewer)
    assert anonymous.post(f"/steps/{small_org.login_step.pk}/suggestions", {"what": "x"}).status_code == 401
    assert anonymous.post(f"/suggestions/{item.pk}/decide", {"decision": "accepted", "reply": "x",
                                                             "version": 1}).status_code == 401
