"""The council's API (`/councils`, `/meetings`, `/decisions`, `/action-items`) in a role matrix
(anonymous 401, the wrong role 403 with a reason and nothing written, the right role succeeds
and writes leave history), and its refusals of bad input: 422 naming the field, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.governance import actions
from cxkeeper.governance.models import ActionItem, AgendaItem, Council, CouncilMember, Decision, Meeting
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.api_matrix import E, endpoint_role_matrix, v
from cxkeeper.testing.governance_builders import build_council_world


def build():
    w = build_council_world()
    w.late = actions.raise_action_item(w.council, {"title": "Late sales item", "owner_team": w.sales,
                                                   "due": dt.date.today() - dt.timedelta(days=3)}, acting_user=SYSTEM)
    w.asked = actions.escalate(w.council, {"meeting": w.past, "statement": "Login or billing first?"},
                               acting_user=SYSTEM)
    w.spare = actions.create_council({"name": "Spare council", "purpose": "Never met."}, acting_user=SYSTEM)
    w.legal = org_actions.create_team({"name": "Legal"}, acting_user=SYSTEM)
    return w


def fresh_meeting(w):
    w.fresh = actions.schedule_meeting(w.council, {"starts_at": w.upcoming.starts_at + dt.timedelta(days=28)},
                                       acting_user=SYSTEM)
    return w.fresh


def later(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


ENDPOINTS = [
    E("GET", "/councils", lambda w: "/councils"),
    E("GET", "/councils/{id}", lambda w: f"/councils/{w.council.pk}"),
    E("GET", "/councils/{id}/agenda", lambda w: f"/councils/{w.council.pk}/agenda"),
    E("GET", "/councils/{id}/history", lambda w: f"/councils/{w.council.pk}/history"),
    E("POST", "/councils", lambda w: "/councils",
      lambda w: {"name": "Billing council", "purpose": "Bills without surprises.", "sponsor": "vic", "quorum": 2},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/councils/{id}", lambda w: f"/councils/{w.council.pk}",
      lambda w: {"quorum": 3, "version": v(w.council)}, allowed="admin", refused="viewer"),
    E("DELETE", "/councils/{id}", lambda w: f"/councils/{w.spare.pk}?version={v(w.spare)}",
      allowed="keeper", refused="it_member"),
    E("POST", "/councils/{id}/members", lambda w: f"/councils/{w.council.pk}/members",
      lambda w: {"team": "Legal"}, allowed="keeper", refused="viewer"),
    E("GET", "/meetings", lambda w: f"/meetings?council={w.council.slug}"),
    E("GET", "/meetings/{id}", lambda w: f"/meetings/{w.past.pk}"),
    E("GET", "/meetings/{id}/agenda", lambda w: f"/meetings/{w.upcoming.pk}/agenda"),
    E("GET", "/meetings/{id}/history", lambda w: f"/meetings/{w.past.pk}/history"),
    E("POST", "/meetings", lambda w: "/meetings", lambda w: {"council": "cx-council", "location": "Room 4"},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/meetings/{id}", lambda w: f"/meetings/{w.past.pk}",
      lambda w: {"summary": "Logins first.", "version": v(w.past)}, allowed="keeper", refused="sales_member"),
    E("DELETE", "/meetings/{id}", lambda w: f"/meetings/{fresh_meeting(w).pk}?version={v(w.fresh)}",
      allowed="admin", refused="viewer"),
    E("POST", "/meetings/{id}/attendance", lambda w: f"/meetings/{w.upcoming.pk}/attendance",
      lambda w: {"attendees": ["ivan", "sara"], "version": v(w.upcoming)}, allowed="keeper", refused="it_member",
      status=200),
    E("POST", "/meetings/{id}/agenda", lambda w: f"/meetings/{w.upcoming.pk}/agenda", allowed="keeper",
      refused="viewer", status=200),
    E("GET", "/decisions", lambda w: "/decisions?q=reset&decided_by=consensus"),
    E("GET", "/decisions/{id}", lambda w: f"/decisions/{w.decision.pk}"),
    E("GET", "/decisions/{id}/history", lambda w: f"/decisions/{w.decision.pk}/history"),
    E("POST", "/decisions", lambda w: "/decisions",
      lambda w: {"council": "CX council", "meeting": w.past.pk, "statement": "Publish queue times",
                 "options": ["Publish", "Keep internal"], "review_on": later(30)}, allowed="keeper",
      refused="it_member"),
    E("PATCH", "/decisions/{id}", lambda w: f"/decisions/{w.decision.pk}",
      lambda w: {"review_on": later(90), "version": v(w.decision)}, allowed="keeper", refused="viewer"),
    E("DELETE", "/decisions/{id}", lambda w: f"/decisions/{w.asked.pk}?version={v(w.asked)}",
      allowed="keeper", refused="sales_member"),
    E("POST", "/decisions/{id}/decide", lambda w: f"/decisions/{w.asked.pk}/decide",
      lambda w: {"statement": "Login first", "rationale": "More customers.", "version": v(w.asked)},
      allowed="viewer", refused="keeper", status=200),
    E("GET", "/action-items", lambda w: f"/action-items?team={w.sales.slug}&overdue=true"),
    E("GET", "/action-items/{id}", lambda w: f"/action-items/{w.it_action.pk}"),
    E("GET", "/action-items/{id}/history", lambda w: f"/action-items/{w.it_action.pk}/history"),
    E("POST", "/action-items", lambda w: "/action-items",
      lambda w: {"council": "cx-council", "title": "Publish queue times", "owner_team": "Customer service",
                 "due": later(14)}, allowed="keeper", refused="it_member"),
    E("PATCH", "/action-items/{id}", lambda w: f"/action-items/{w.it_action.pk}",
      lambda w: {"status": "done", "version": v(w.it_action)}, allowed="it_member", refused="sales_member"),
    E("DELETE", "/action-items/{id}", lambda w: f"/action-items/{w.late.pk}?version={v(w.late)}",
      allowed="keeper", refused="it_member"),
]

TestCouncilEndpoints = endpoint_role_matrix(ENDPOINTS, build=build,
                                            keeps=[Council, CouncilMember, Meeting, AgendaItem, Decision, ActionItem])


@pytest.fixture
def w(db):
    return build()


def _refused_with(api_as, user, method, path, body, field):
    before = Decision.objects.count(), ActionItem.objects.count(), ChangeRecord.objects.count()
    response = api_as(user).request(method, path, body)
    assert response.status_code == 422, response.content
    detail = response.json()
    assert field in detail["errors"], detail
    assert (Decision.objects.count(), ActionItem.objects.count(), ChangeRecord.objects.count()) == before
    return " ".join(detail["errors"][field])


def test_no_quorum_no_council_decision_but_the_sponsor_may(w, api_as):
    meeting = actions.schedule_meeting(w.council, {"starts_at": w.past.starts_at + dt.timedelta(days=1)},
                                       acting_user=SYSTEM)
    message = _refused_with(api_as, w.keeper, "POST", "/decisions",
                            {"council": w.council.pk, "meeting": meeting.pk, "statement": "X"}, "meeting")
    assert "No quorum" in message
    response = api_as(w.viewer).post("/decisions", {"council": w.council.pk, "meeting": meeting.pk,
                                                     "statement": "X", "decided_by": "sponsor"})
    assert response.status_code == 201 and response.json()["decided_by"] == "sponsor"


def test_an_action_item_without_an_owner_team_is_a_422(w, api_as):
    message = _refused_with(api_as, w.keeper, "POST", "/action-items", {"council": w.council.pk, "title": "X"},
                            "owner_team")
    assert "owned by a team" in message


def test_a_review_date_in_the_past_is_a_422(w, api_as):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    _refused_with(api_as, w.keeper, "POST", "/decisions", {"council": w.council.pk, "meeting": w.past.pk,
                                                           "statement": "X", "review_on": yesterday}, "review_on")


def test_the_proposed_agenda_lists_an_overdue_item_with_its_evidence(w, api_as):
    body = api_as(w.viewer).get(f"/councils/{w.council.pk}/agenda").json()
    assert body["since"] == w.past.day.isoformat()
    overdue = [i for i in body["items"] if i["kind"] == "overdue_action"]
    assert [(i["title"], i["teams"], i["evidence_url"]) for i in overdue] == [
        ("Overdue by 3 days: Late sales item (Sales)", ["Sales"], w.late.get_absolute_url())]
