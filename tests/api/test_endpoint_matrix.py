"""Every endpoint, the same four checks (like NetBox's ViewTestCases): anonymous → 401,
the wrong role → 403 with a reason and nothing written, the right role → 2xx, and a write
leaves a `core.ChangeRecord` by the caller. Each row declares only its data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord, Notification
from cxkeeper.org.actions import create_api_token
from cxkeeper.org.models import Workspace


@dataclass
class Endpoint:
    method: str
    path: Callable  # world → path
    body: Callable | None = None  # world → JSON body
    allowed: str = "viewer"  # persona (attribute of the world) who may
    refused: str | None = None  # persona who may not (403), if any role may not
    refused_body: Callable | None = None  # a different body for the refused call
    status: int | None = None  # expected success status; default by method
    audited: bool | None = None  # writes leave a ChangeRecord; default: not GET

    @property
    def id(self) -> str:
        return f"{self.method} {self.label}"

    label: str = field(default="")

    def expected_status(self) -> int:
        return self.status or {"GET": 200, "POST": 201, "PATCH": 200, "DELETE": 204}[self.method]

    def is_audited(self) -> bool:
        return self.method != "GET" if self.audited is None else self.audited


def E(method, label, path, body=None, **kw) -> Endpoint:
    return Endpoint(method, path, body, label=label, **kw)


def v(obj):
    """The object's current version, read fresh (earlier setup may have bumped it)."""
    return type(obj).objects.get(pk=obj.pk).version


def first_part(world):
    return world.login_step.responsibilities.first()


def call_part(world):
    """Customer service's responsibility for the call step (its only one)."""
    return world.call_step.responsibilities.get()


def notification_for(user):
    return Notification.objects.create(recipient=user, message="Step “Log in to the app” changed.")


ENDPOINTS = [
    # ---- the caller, tokens, notifications
    E("GET", "/me", lambda w: "/me"),
    E("GET", "/tokens", lambda w: "/tokens"),
    E("GET", "/tokens?all=true", lambda w: "/tokens?all=true", allowed="admin", refused="keeper"),
    E("POST", "/tokens", lambda w: "/tokens", lambda w: {"name": "export script"},
      refused="viewer", refused_body=lambda w: {"name": "for kim", "user": "kim"}, audited=False),
    E("DELETE", "/tokens/{id}",
      lambda w: f"/tokens/{create_api_token(w.keeper, 'x', acting_user=SYSTEM)[0].pk}",
      allowed="keeper", refused="viewer", audited=False),
    E("GET", "/notifications", lambda w: "/notifications"),
    E("POST", "/notifications/read", lambda w: "/notifications/read", status=200, audited=False),
    E("POST", "/notifications/{id}/read", lambda w: f"/notifications/{notification_for(w.viewer).pk}/read",
      status=200, audited=False),
    E("GET", "/history", lambda w: "/history"),
    # ---- workspace and glossary
    E("GET", "/workspace", lambda w: "/workspace"),
    E("PATCH", "/workspace", lambda w: "/workspace",
      lambda w: {"version": Workspace.current().version, "mission": "Effortless help."},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/workspace (review interval)", lambda w: "/workspace",
      lambda w: {"version": Workspace.current().version, "review_interval_days": 30},
      allowed="admin", refused="keeper"),
    E("GET", "/glossary", lambda w: "/glossary"),
    E("GET", "/glossary/{id}", lambda w: f"/glossary/{w.term.pk}"),
    E("GET", "/glossary/{id}/history", lambda w: f"/glossary/{w.term.pk}/history"),
    E("POST", "/glossary", lambda w: "/glossary",
      lambda w: {"term": "NPS", "definition": "Net promoter score."},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/glossary/{id}", lambda w: f"/glossary/{w.term.pk}",
      lambda w: {"version": v(w.term), "definition": "Customer effort score."},
      allowed="keeper", refused="viewer"),
    E("DELETE", "/glossary/{id}", lambda w: f"/glossary/{w.term.pk}", lambda w: {"version": v(w.term)},
      allowed="keeper", refused="it_member"),
    # ---- teams
    E("GET", "/teams", lambda w: "/teams"),
    E("GET", "/teams/{id}", lambda w: f"/teams/{w.it.pk}"),
    E("GET", "/teams/{id}/history", lambda w: f"/teams/{w.it.pk}/history"),
    E("POST", "/teams", lambda w: "/teams", lambda w: {"name": "Billing", "function": "billing_finance",
                                                       "office": "back", "lead": "ada"},
      allowed="admin", refused="keeper"),
    E("PATCH", "/teams/{id}", lambda w: f"/teams/{w.sales.pk}",
      lambda w: {"version": v(w.sales), "description": "Sells broadband."},
      allowed="admin", refused="keeper"),
    E("DELETE", "/teams/{id}", lambda w: f"/teams/{w.sales.pk}", lambda w: {"version": v(w.sales)},
      allowed="admin", refused="it_member"),
    # ---- personas
    E("GET", "/personas", lambda w: "/personas"),
    E("GET", "/personas/{id}", lambda w: f"/personas/{w.persona.pk}"),
    E("GET", "/personas/{id}/history", lambda w: f"/personas/{w.persona.pk}/history"),
    E("POST", "/personas", lambda w: "/personas", lambda w: {"name": "Small business"},
      allowed="keeper", refused="viewer"),
    E("PATCH", "/personas/{id}", lambda w: f"/personas/{w.persona.pk}",
      lambda w: {"version": v(w.persona), "description": "Two kids, no time."},
      allowed="keeper", refused="viewer"),
    E("DELETE", "/personas/{id}", lambda w: f"/personas/{w.persona.pk}", lambda w: {"version": v(w.persona)},
      allowed="keeper", refused="it_member"),
    # ---- journeys
    E("GET", "/journeys", lambda w: "/journeys"),
    E("GET", "/journeys/{id}", lambda w: f"/journeys/{w.journey.pk}"),
    E("GET", "/journeys/{id}/history", lambda w: f"/journeys/{w.journey.pk}/history"),
    E("POST", "/journeys", lambda w: "/journeys",
      lambda w: {"name": "Pay and renew", "persona": "Busy parent", "keeper": "kim"},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/journeys/{id}", lambda w: f"/journeys/{w.journey.pk}",
      lambda w: {"version": v(w.journey), "persona": w.persona.pk}, allowed="keeper", refused="it_member"),
    E("DELETE", "/journeys/{id}", lambda w: f"/journeys/{w.journey.pk}", lambda w: {"version": v(w.journey)},
      allowed="keeper", refused="viewer"),
    E("POST", "/journeys/{id}/publish", lambda w: f"/journeys/{w.journey.pk}/publish",
      lambda w: {"version": v(w.journey)}, allowed="keeper", refused="it_member", status=200),
    E("POST", "/journeys/{id}/unpublish", lambda w: f"/journeys/{w.published.pk}/unpublish",
      lambda w: {"version": v(w.published)}, allowed="keeper", refused="viewer", status=200),
    E("POST", "/journeys/{id}/review", lambda w: f"/journeys/{w.journey.pk}/review",
      allowed="keeper", refused="sales_member", status=200),
    # ---- stages
    E("GET", "/stages", lambda w: f"/stages?journey={w.journey.pk}"),
    E("GET", "/stages/{id}", lambda w: f"/stages/{w.stage.pk}"),
    E("GET", "/stages/{id}/history", lambda w: f"/stages/{w.stage.pk}/history"),
    E("POST", "/stages", lambda w: "/stages", lambda w: {"journey": "Get help", "name": "Stay fixed"},
      allowed="keeper", refused="viewer"),
    E("PATCH", "/stages/{id}", lambda w: f"/stages/{w.stage.pk}",
      lambda w: {"version": v(w.stage), "description": "First contact."},
      allowed="keeper", refused="it_member"),
    E("DELETE", "/stages/{id}", lambda w: f"/stages/{w.stage.pk}", lambda w: {"version": v(w.stage)},
      allowed="keeper", refused="it_member"),
    E("POST", "/stages/{id}/move", lambda w: f"/stages/{w.fix_stage.pk}/move",
      lambda w: {"version": v(w.fix_stage), "direction": "earlier"}, allowed="keeper", refused="viewer",
      status=200),
    # ---- steps
    E("GET", "/steps", lambda w: f"/steps?journey={w.journey.pk}"),
    E("GET", "/steps/{id}", lambda w: f"/steps/{w.login_step.pk}"),
    E("GET", "/steps/{id}/history", lambda w: f"/steps/{w.login_step.pk}/history"),
    E("POST", "/steps", lambda w: "/steps",
      lambda w: {"stage": w.stage.pk, "name": "Chat with an agent", "channel": "chat"},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/steps/{id}", lambda w: f"/steps/{w.login_step.pk}",
      lambda w: {"version": v(w.login_step), "description": "Sign in with Face ID or a password."},
      allowed="it_member", refused="sales_member"),
    E("DELETE", "/steps/{id}", lambda w: f"/steps/{w.call_step.pk}", lambda w: {"version": v(w.call_step)},
      allowed="keeper", refused="it_member"),
    E("POST", "/steps/{id}/move", lambda w: f"/steps/{w.call_step.pk}/move",
      lambda w: {"version": v(w.call_step), "direction": "earlier"}, allowed="keeper", refused="it_member",
      status=200),
    # ---- responsibilities
    E("GET", "/responsibilities", lambda w: f"/responsibilities?step={w.login_step.pk}"),
    E("GET", "/responsibilities/{id}", lambda w: f"/responsibilities/{first_part(w).pk}"),
    E("GET", "/responsibilities/{id}/history",
      lambda w: f"/responsibilities/{first_part(w).pk}/history"),
    E("POST", "/responsibilities", lambda w: "/responsibilities",
      lambda w: {"step": w.call_step.pk, "team": "IT", "role": "informed"},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/responsibilities/{id}", lambda w: f"/responsibilities/{call_part(w).pk}",
      lambda w: {"version": v(call_part(w)), "note": "Answers the phone."},
      allowed="keeper", refused="viewer"),
    E("DELETE", "/responsibilities/{id}", lambda w: f"/responsibilities/{call_part(w).pk}",
      lambda w: {"version": v(call_part(w))}, allowed="keeper", refused="it_member"),
    # ---- handoffs
    E("GET", "/handoffs", lambda w: f"/handoffs?journey={w.journey.pk}"),
    E("GET", "/handoffs/{id}", lambda w: f"/handoffs/{w.handoff.pk}"),
    E("GET", "/handoffs/{id}/history", lambda w: f"/handoffs/{w.handoff.pk}/history"),
    E("POST", "/handoffs", lambda w: "/handoffs",
      lambda w: {"from_step": w.call_step.pk, "from_team": "Customer service", "to_step": w.login_step.pk,
                 "to_team": w.it.pk, "description": "Agents escalate login bugs."},
      allowed="keeper", refused="it_member"),
    E("PATCH", "/handoffs/{id}", lambda w: f"/handoffs/{w.handoff.pk}",
      lambda w: {"version": v(w.handoff), "description": "They call."},
      allowed="keeper", refused="it_member"),
    E("DELETE", "/handoffs/{id}", lambda w: f"/handoffs/{w.handoff.pk}", lambda w: {"version": v(w.handoff)},
      allowed="keeper", refused="viewer"),
]

IDS = [e.id for e in ENDPOINTS]
WRITES = [e for e in ENDPOINTS if e.refused]


def _body(endpoint, world, refused=False):
    make = (endpoint.refused_body or endpoint.body) if refused else endpoint.body
    return make(world) if make else None


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_anonymous_is_refused_with_401(endpoint, world, anonymous):
    response = anonymous.request(endpoint.method, endpoint.path(world), _body(endpoint, world))
    assert response.status_code == 401, response.content
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", WRITES, ids=[e.id for e in WRITES])
def test_wrong_role_is_refused_with_a_reason(endpoint, world, api_as):
    client = api_as(getattr(world, endpoint.refused))
    path, body = endpoint.path(world), _body(endpoint, world, refused=True)
    before = ChangeRecord.objects.count()
    response = client.request(endpoint.method, path, body)
    assert response.status_code == 403, response.content
    detail = response.json()["detail"]
    assert len(detail) > 20 and "Forbidden" not in detail, detail
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_right_role_succeeds_and_writes_are_recorded(endpoint, world, api_as):
    user = getattr(world, endpoint.allowed)
    client = api_as(user)
    path, body = endpoint.path(world), _body(endpoint, world)
    before = set(ChangeRecord.objects.values_list("pk", flat=True))
    response = client.request(endpoint.method, path, body)
    assert response.status_code == endpoint.expected_status(), response.content
    if response.status_code != 204:
        response.json()
    new = ChangeRecord.objects.exclude(pk__in=before)
    if endpoint.is_audited():
        assert new.exists(), "a write must leave a history row"
        assert set(new.values_list("actor_id", flat=True)) == {user.pk}
    else:
        assert not new.exists()
