"""The API of team channels (`/teams/{slug}/channels`) and outgoing webhooks (`/webhooks`, their
deliveries, replay, rotation) in a role matrix — a team's channels are read by everyone signed in
and managed by its lead, keepers and admins; webhooks are the admins' — and its answers:
addresses and secrets masked (a secret answered only by the call that makes it), bad input
422 naming the field with nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cxkeeper.channels import actions
from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.events import event_kind
from cxkeeper.jobs import run_pending
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.api_matrix import ApiClient, E, endpoint_role_matrix, v
from cxkeeper.testing.builders import SmallOrg, build_small_org
from cxkeeper.testing.worlds import class_world

STEP_CHANGED = event_kind("test.step_changed", "A step your team owns changed (test)")
NOBODY = "http://127.0.0.1:9/hooks/T000/B000/SECRETtail42"  # the discard port: nothing answers


@dataclass
class ChannelsWorld:
    org: SmallOrg
    channel: TeamChannel
    webhook: Webhook
    delivery: Delivery

    def __getattr__(self, name):
        return getattr(self.org, name)


def build_channels_world() -> ChannelsWorld:
    o = build_small_org()
    o.it = org_actions.update_team(o.it, {"lead": o.it_member}, expected_version=o.it.version, acting_user=SYSTEM)
    channel = actions.connect_team_channel(o.it, {"kind": "slack", "name": "#cx-it", "url": NOBODY},
                                           acting_user=SYSTEM)
    webhook, _ = actions.create_webhook({"name": "Service desk", "url": NOBODY}, acting_user=SYSTEM)
    delivery = Delivery.objects.create(webhook=webhook, message_id="msg_1", event_kind=STEP_CHANGED,
                                       summary="IT changed a step.", body='{"type":"test.step_changed"}')
    return ChannelsWorld(o, channel, webhook, delivery)


def channels(w):
    return f"/teams/{w.it.slug}/channels"


ENDPOINTS = [
    E("GET", "/teams/{slug}/channels", channels),
    E("POST", "/teams/{slug}/channels", channels,
      lambda w: {"kind": "teams", "name": "IT in Teams", "url": "https://prod-1.westeurope.logic.azure.com/wf/1"},
      allowed="it_member", refused="viewer"),
    E("DELETE", "/teams/{slug}/channels/{id}", lambda w: f"{channels(w)}/{w.channel.pk}?version={v(w.channel)}",
      allowed="keeper", refused="sales_member"),
    E("POST", "/teams/{slug}/channels/{id}/test", lambda w: f"{channels(w)}/{w.channel.pk}/test",
      allowed="it_member", refused="viewer", status=200, audited=False),
    E("GET", "/webhooks", lambda w: "/webhooks", allowed="admin", refused="keeper"),
    E("POST", "/webhooks", lambda w: "/webhooks", lambda w: {"name": "CRM", "url": "https://crm.example.org/in"},
      allowed="admin", refused="keeper"),
    E("GET", "/webhooks/event-kinds", lambda w: "/webhooks/event-kinds", allowed="admin", refused="keeper"),
    E("GET", "/webhooks/{id}", lambda w: f"/webhooks/{w.webhook.pk}", allowed="admin", refused="keeper"),
    E("PATCH", "/webhooks/{id}", lambda w: f"/webhooks/{w.webhook.pk}",
      lambda w: {"name": "Service desk (EU)", "version": v(w.webhook)}, allowed="admin", refused="keeper"),
    E("DELETE", "/webhooks/{id}", lambda w: f"/webhooks/{w.webhook.pk}?version={v(w.webhook)}",
      allowed="admin", refused="it_member"),
    E("POST", "/webhooks/{id}/rotate", lambda w: f"/webhooks/{w.webhook.pk}/rotate", lambda w: {"grace_hours": 2},
      allowed="admin", refused="keeper", status=200),
    E("GET", "/webhooks/{id}/deliveries", lambda w: f"/webhooks/{w.webhook.pk}/deliveries", allowed="admin",
      refused="viewer"),
    E("GET", "/webhooks/deliveries/{id}", lambda w: f"/webhooks/deliveries/{w.delivery.pk}", allowed="admin",
      refused="keeper"),
    E("POST", "/webhooks/deliveries/{id}/replay", lambda w: f"/webhooks/deliveries/{w.delivery.pk}/replay",
      allowed="admin", refused="keeper"),
]

TestChannelsEndpoints = endpoint_role_matrix(ENDPOINTS, build=build_channels_world,
                                             keeps=(TeamChannel, Webhook, Delivery))


@pytest.mark.django_db
class TestChannelsAnswers:
    world = class_world(build_channels_world)

    def test_channels_are_listed_masked_and_managed_by_the_lead(self, world):
        listed = ApiClient(world.viewer).get(channels(world)).json()
        assert [(c["name"], c["kind"], c["url_masked"]) for c in listed] == [
            ("#cx-it", "slack", "http://127.0.0.1:9/…il42")]
        assert "SECRETtail42" not in str(listed) and "url" not in listed[0]
        refused = ApiClient(world.sales_member).post(channels(world), {"kind": "slack", "name": "x",
                                                                       "url": "https://hooks.slack.com/x"})
        assert refused.status_code == 403 and "lead (ivan)" in refused.json()["detail"]
        answer = ApiClient(world.it_member).post(f"{channels(world)}/{world.channel.pk}/test").json()
        assert answer["delivered"] is False and answer["error"].startswith("cannot connect")
        assert ApiClient(world.viewer).get("/teams/no-such-team/channels").status_code == 404
        assert ApiClient(world.keeper).delete(f"{channels(world)}/999999?version=1").status_code == 404

    def test_bad_channels_are_refused_naming_the_field(self, world):
        api = ApiClient(world.keeper)
        cases = [({"kind": "teams", "name": "T", "url": "https://x.webhook.office.com/webhookb2/1"}, "url"),
                 ({"kind": "slack", "name": "S", "url": "file:///etc/passwd"}, "url"),
                 ({"kind": "slack", "name": "", "url": "https://hooks.slack.com/x"}, "name"),
                 ({"kind": "slack", "name": "S", "url": "https://hooks.slack.com/x", "event_kinds": ["nope"]},
                  "event_kinds")]
        for body, field in cases:
            response = api.post(channels(world), body)
            assert response.status_code == 422, body
            assert field in response.json()["errors"], response.json()
        assert api.post(channels(world), {"kind": "discord", "name": "D", "url": "https://x"}).status_code == 422
        assert TeamChannel.objects.count() == 1
        assert api.delete(f"{channels(world)}/{world.channel.pk}").status_code == 422  # no version
        assert api.delete(f"{channels(world)}/{world.channel.pk}?version=99").status_code == 409

    def test_a_webhook_secret_is_answered_once_and_rotation_keeps_the_old_one_a_while(self, world):
        api = ApiClient(world.admin)
        created = api.post("/webhooks", {"name": "CRM", "url": "https://crm.example.org/in",
                                         "event_kinds": [STEP_CHANGED]})
        assert created.status_code == 201
        body = created.json()
        secret = body["secret"]
        assert secret.startswith("whsec_") and body["secret_masked"] == f"whsec_…{secret[-4:]}"
        assert body["url_masked"] == "https://crm.example.org/…g/in"
        read = api.get(f"/webhooks/{body['id']}").json()
        assert "secret" not in read and secret not in str(read)
        assert secret not in str(api.get("/webhooks").json())
        rotated = api.post(f"/webhooks/{body['id']}/rotate", {"grace_hours": 1}).json()
        assert rotated["secret"] != secret and rotated["previous_secret_until"] is not None
        assert api.post(f"/webhooks/{body['id']}/rotate", {"grace_hours": -1}).status_code == 422
        assert api.post("/webhooks", {"name": "crm", "url": "https://x.example.org/"}).status_code == 422
        assert api.post("/webhooks", {"name": "Other", "url": "ftp://x.example.org/"}).json()["errors"]["url"]
        kinds = api.get("/webhooks/event-kinds").json()
        assert {"kind": STEP_CHANGED, "label": "A step your team owns changed (test)"} in kinds

    def test_turning_a_webhook_off_and_the_delivery_log(self, world):
        api = ApiClient(world.admin)
        off = api.patch(f"/webhooks/{world.webhook.pk}", {"active": False, "version": v(world.webhook)}).json()
        assert off["active"] is False and off["disabled_reason"] == "Turned off by hand."
        refused = api.post(f"/webhooks/deliveries/{world.delivery.pk}/replay")
        assert refused.status_code == 422 and "turned off" in refused.json()["errors"]["delivery"][0]
        on = api.patch(f"/webhooks/{world.webhook.pk}", {"active": True}, headers={"If-Match": str(v(world.webhook))})
        assert on.json()["active"] is True
        replayed = api.post(f"/webhooks/deliveries/{world.delivery.pk}/replay").json()
        assert replayed["replay_of"] == world.delivery.pk and replayed["message_id"] == "msg_1"
        assert replayed["attempt_log"] == []  # queued: the worker sends it
        run_pending()
        sent = api.get(f"/webhooks/deliveries/{replayed['id']}").json()
        assert sent["attempt_log"][0]["error"].startswith("cannot connect")
        log = api.get(f"/webhooks/{world.webhook.pk}/deliveries", {"limit": 1}).json()
        assert log["count"] == 2 and [d["id"] for d in log["items"]] == [replayed["id"]]
        one = api.get(f"/webhooks/deliveries/{world.delivery.pk}").json()
        assert one["body"] == '{"type":"test.step_changed"}'
        assert api.get("/webhooks/deliveries/999999").status_code == 404
        assert api.get("/webhooks/999999").status_code == 404
        assert api.post("/webhooks/deliveries/999999/replay").status_code == 404
