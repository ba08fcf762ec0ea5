"""The pages: a team's channels (its lead, keepers and admins manage them; everyone signed in sees
which exist, never their addresses), and the admins' Integrations area (webhooks, the secret
shown once, rotation, the delivery log with replay). Reached from the team page and the menu."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cxkeeper.channels import actions
from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.core.models import ChangeRecord
from cxkeeper.jobs import run_pending

pytestmark = pytest.mark.django_db

SECRET_TAIL = "T0SECRETzz9Q"


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def channel(org, receiver):
    url = receiver.url(f"/services/T000/B000/{SECRET_TAIL}")
    return actions.connect_team_channel(org.it, {"kind": "slack", "name": "#cx-it", "url": url},
                                        acting_user=org.it_member)


def test_the_team_page_links_to_its_channels_and_the_menu_to_integrations(org):
    page = html(as_(org.viewer).get(f"/teams/{org.it.slug}/"))
    assert f'href="/teams/{org.it.slug}/channels/"' in page
    nav = re.search(r'<nav aria-label="Main".*?</nav>', html(as_(org.admin).get("/")), re.S).group(0)
    assert 'href="/integrations/"' in nav
    keeper_nav = re.search(r'<nav aria-label="Main".*?</nav>', html(as_(org.keeper).get("/")), re.S).group(0)
    assert 'href="/integrations/"' not in keeper_nav


@pytest.mark.parametrize("persona, may", [("it_member", True), ("keeper", True), ("admin", True),
                                          ("sales_member", False), ("viewer", False)])
def test_who_may_connect_a_channel(org, receiver, persona, may):
    client = as_(getattr(org, persona))
    url = f"/teams/{org.it.slug}/channels/"
    page = client.get(url)
    assert page.status_code == 200
    assert ("Connect a channel" in html(page)) is may
    before = ChangeRecord.objects.count()
    response = client.post(url, {"kind": "teams", "name": "IT", "url": receiver.url("/teams-hook/abcdefghijkl")})
    if may:
        assert response.status_code == 302 and TeamChannel.objects.filter(team=org.it).count() == 1
        assert ChangeRecord.objects.count() == before + 1
    else:
        assert response.status_code == 403 and not TeamChannel.objects.exists()
        assert "lead" in html(response) and ChangeRecord.objects.count() == before


def test_addresses_are_never_shown_in_full(org, channel):
    full = channel.url
    lead_page = html(as_(org.it_member).get(f"/teams/{org.it.slug}/channels/"))
    assert full not in lead_page and SECRET_TAIL not in lead_page
    assert channel.masked_url == f"{full.split('/services')[0]}/…{SECRET_TAIL[-4:]}" and channel.masked_url in lead_page
    viewer_page = html(as_(org.viewer).get(f"/teams/{org.it.slug}/channels/"))
    assert "#cx-it" in viewer_page and "127.0.0.1" not in viewer_page
    history = html(as_(org.viewer).get(f"/history/channels/teamchannel/{channel.pk}/"))
    assert full not in history and SECRET_TAIL not in history
    record = ChangeRecord.objects.get(content_type__model="teamchannel", object_id=channel.pk)
    assert SECRET_TAIL not in str(record.after)
    admin_page = html(as_(org.admin).get("/integrations/"))
    assert "#cx-it" in admin_page and full not in admin_page


def test_a_bad_address_is_refused_naming_the_field(org):
    response = as_(org.keeper).post(f"/teams/{org.it.slug}/channels/",
                                    {"kind": "teams", "name": "IT", "url": "https://x.webhook.office.com/webhookb2/1"})
    assert response.status_code == 422 and "Office 365 connector" in html(response)
    assert not TeamChannel.objects.exists()


def test_test_message_switch_and_remove(org, channel, receiver):
    lead = as_(org.it_member)
    base = f"/teams/{org.it.slug}/channels/{channel.pk}"
    response = lead.post(f"{base}/test/", follow=True)
    assert "Test message sent to #cx-it" in html(response) and len(receiver.received) == 1
    assert as_(org.viewer).post(f"{base}/test/").status_code == 403
    assert len(receiver.received) == 1
    lead.post(f"{base}/switch/", {"version": channel.version, "active": "0"})
    channel.refresh_from_db()
    assert not channel.active and channel.disabled_reason == "Turned off by hand."
    stale = lead.post(f"{base}/switch/", {"version": channel.version - 1, "active": "1"}, follow=True)
    assert "changed by someone else" in html(stale)
    assert as_(org.sales_member).post(f"{base}/remove/", {"version": channel.version}).status_code == 403
    lead.post(f"{base}/remove/", {"version": channel.version})
    assert not TeamChannel.objects.exists()
    assert as_(org.it_member).get(f"/teams/{org.it.slug}/channels/999/test/").status_code == 405


def test_integrations_are_for_admins(org):
    for persona in ("keeper", "it_member", "viewer"):
        client = as_(getattr(org, persona))
        assert client.get("/integrations/").status_code == 403
        assert client.get("/integrations/webhooks/new/").status_code == 403
        assert client.post("/integrations/webhooks/new/", {"name": "x", "url": "https://example.org/"}) \
            .status_code == 403
    assert not Webhook.objects.exists()


def test_a_webhook_from_creation_to_replay(org, receiver, happen, kinds):
    admin = as_(org.admin)
    assert admin.get("/integrations/").status_code == 200
    form = admin.get("/integrations/webhooks/new/")
    assert "A step your team owns changed (test)" in html(form)  # kinds of event by their labels
    bad = admin.post("/integrations/webhooks/new/", {"name": "Desk", "url": "ftp://example.org/"})
    assert bad.status_code == 422 and "Only http:// and https://" in html(bad)
    created = admin.post("/integrations/webhooks/new/", {"name": "Desk", "url": receiver.url("/desk"),
                                                         "event_kinds": [kinds.step_changed]})
    hook = Webhook.objects.get()
    assert created.status_code == 200 and hook.secret in html(created)  # shown once, now
    page = html(admin.get(f"/integrations/webhooks/{hook.pk}/"))
    assert hook.secret not in page and hook.secret[-4:] in page and receiver.url("/desk") not in page
    rotated = admin.post(f"/integrations/webhooks/{hook.pk}/rotate/")
    new_secret = Webhook.objects.get().secret
    assert new_secret != hook.secret and new_secret in html(rotated) and "signs beside it" in html(rotated)
    from cxkeeper.core.events import Event

    happen(Event(kind=kinds.step_changed, message="IT changed a step.", url="/"))
    sent = Delivery.objects.get()
    page = html(admin.get(f"/integrations/webhooks/{hook.pk}/"))
    assert "IT changed a step." in page and "delivered" in page
    detail = admin.get(f"/integrations/deliveries/{sent.pk}/")
    assert detail.status_code == 200 and sent.message_id in html(detail)
    assert as_(org.keeper).get(f"/integrations/deliveries/{sent.pk}/").status_code == 403
    assert as_(org.keeper).post(f"/integrations/deliveries/{sent.pk}/replay/").status_code == 403
    replayed = admin.post(f"/integrations/deliveries/{sent.pk}/replay/", follow=True)
    assert "Queued to be sent again" in html(replayed) and len(receiver.at("/desk")) == 1
    run_pending()  # the worker's part
    assert len(receiver.at("/desk")) == 2
    edited = admin.post(f"/integrations/webhooks/{hook.pk}/", {"name": "Service desk", "url": "", "version":
                                                              Webhook.objects.get().version, "active": ""})
    assert edited.status_code == 302
    hook = Webhook.objects.get()
    assert hook.name == "Service desk" and not hook.active and hook.url == receiver.url("/desk")
    stale = admin.post(f"/integrations/webhooks/{hook.pk}/", {"name": "Other", "version": hook.version - 1})
    assert stale.status_code == 422 and "changed by someone else" in html(stale)
    admin.post(f"/integrations/webhooks/{hook.pk}/remove/", {"version": hook.version})
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
