"""Every endpoint of org and journeys, the same four checks (like NetBox's ViewTestCases):
anonymous → 401, the wrong role → 403 with a reason and nothing written, the right role → 2xx,
and a write leaves a `core.ChangeRecord` by the caller. This module declares only its rows;
the checks are cxkeeper.testing.api_matrix's."""

from __future__ import annotations

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import Notification
from cxkeeper.org.actions import create_api_token
from cxkeeper.org.models import Workspace
from cxkeeper.testing.api_matrix import E, build_world, endpoint_role_matrix, v
from cxkeeper.testing.builders import build_small_org


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

TestEndpointRoles = endpoint_role_matrix(ENDPOINTS, build=lambda: build_world(build_small_org()))
