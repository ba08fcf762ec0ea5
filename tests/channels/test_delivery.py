"""Events reach a real receiver on loopback: Slack Block Kit and Teams Adaptive Card messages in
their documented shapes with people's text escaped, and webhooks signed by the Standard
Webhooks scheme — checked with the independent `standardwebhooks` package — through retries,
replays, secret rotation, and a target turned off after failing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from cxkeeper.channels import actions, delivery, formats, signing
from cxkeeper.channels.choices import DeliveryStatus
from cxkeeper.channels.models import Delivery, TeamChannel, Webhook
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import InvalidInput
from cxkeeper.core.events import EVENT_KINDS, Event
from cxkeeper.core.models import ChangeRecord, Notification

pytestmark = pytest.mark.django_db

# Declared by tests/channels/conftest.py, as an emitting app declares its kinds.
STEP_CHANGED, DECIDED = "test.step_changed", "test.decided"
assert STEP_CHANGED in EVENT_KINDS and DECIDED in EVENT_KINDS

HOSTILE = ("Login <!channel> & <https://evil.example|click> **bold** [x](https://evil.example) "
           "{{DATE(2017-02-14T06:08:39Z)}}")


def step_changed(org, message="IT changed “Log in to the app”.", **kw) -> Event:
    return Event(kind=STEP_CHANGED, message=message, url=org.login_step.get_absolute_url(), team_ids=(org.it.pk,),
                 actor="kim", data={"step_id": org.login_step.pk}, **kw)


def verify(secret: str, received) -> dict:
    return Verifier(secret).verify(received.body, received.headers)


# ---------------------------------------------------------------- Slack and Teams


def test_slack_gets_blocks_with_mrkdwn_a_link_button_and_escaped_text(org, receiver, happen):
    actions.connect_team_channel(org.it, {"kind": "slack", "name": "#cx-it", "url": receiver.url("/slack")},
                                 acting_user=org.it_member)
    happen(step_changed(org, message=HOSTILE))
    [got] = receiver.at("/slack")
    assert got.headers["content-type"] == "application/json"
    message = got.json
    section, context = message["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    text = section["text"]["text"]
    assert text.startswith("*A step your team owns changed (test)*\n")
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "<!channel>" not in got.body.decode() and "<https://evil" not in got.body.decode()
    button = section["accessory"]
    assert button["type"] == "button" and button["text"] == {"type": "plain_text", "text": "Open in cxkeeper",
                                                              "emoji": False}
    assert button["url"] == f"https://cx.example.org{org.login_step.get_absolute_url()}"
    assert context["type"] == "context" and "by kim" in context["elements"][0]["text"]
    assert message["text"].startswith("A step your team owns changed (test): Login &lt;!channel&gt;")
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_teams_gets_an_adaptive_card_whose_texts_are_not_markdown(org, receiver, happen):
    actions.connect_team_channel(org.it, {"kind": "teams", "name": "CX / IT", "url": receiver.url("/teams")},
                                 acting_user=org.keeper)
    happen(step_changed(org, message=HOSTILE))
    [got] = receiver.at("/teams")
    message = got.json
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    # Every text is a TextRun (shown as written: no markdown), never a TextBlock that would render it.
    assert {block["type"] for block in card["body"]} == {"RichTextBlock"}
    runs = [run for block in card["body"] for run in block["inlines"]]
    assert all(run["type"] == "TextRun" for run in runs)
    assert runs[0]["text"] == "A step your team owns changed (test)" and runs[0]["weight"] == "Bolder"
    assert runs[1]["text"] == HOSTILE.replace("{{", "{\u200b{")  # as written, no date function runs
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in cxkeeper",
                                "url": f"https://cx.example.org{org.login_step.get_absolute_url()}"}]


def test_channels_hear_only_their_teams_and_their_kinds(org, receiver, happen):
    actions.connect_team_channel(org.it, {"kind": "slack", "name": "#it-steps", "url": receiver.url("/it-steps"),
                                          "event_kinds": [STEP_CHANGED]}, acting_user=org.admin)
    actions.connect_team_channel(org.sales, {"kind": "slack", "name": "#sales", "url": receiver.url("/sales")},
                                 acting_user=org.admin)
    happen(step_changed(org))
    happen(Event(kind=DECIDED, message="The council decided.", team_ids=(org.it.pk,)))
    assert len(receiver.at("/it-steps")) == 1 and receiver.at("/sales") == []


def test_the_test_message_arrives_and_says_how_it_went(org, receiver):
    channel = actions.connect_team_channel(org.it, {"kind": "teams", "name": "IT", "url": receiver.url("/t")},
                                           acting_user=org.it_member)
    outcome = actions.send_test_message(channel, acting_user=org.it_member)
    assert outcome.ok and outcome.status_code == 200 and "delivered" in outcome.in_words
    [got] = receiver.at("/t")
    runs = [run["text"] for block in got.json["attachments"][0]["content"]["body"] for run in block["inlines"]]
    assert runs[0] == "A test message from cxkeeper" and "Events for IT will appear" in runs[1]
    receiver.answer("/t", 404)
    outcome = actions.send_test_message(channel, acting_user=org.it_member)
    assert not outcome.ok and "404" in outcome.in_words
    channel.refresh_from_db()
    assert channel.active and channel.consecutive_failures == 0  # a test is not counted against it


def test_retired_office_365_connectors_and_other_schemes_are_refused(org):
    for url, words in [("https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/x/y", "retired"),
                       ("file:///etc/passwd", "Only http:// and https://"),
                       ("ftp://example.org/hook", "Only http:// and https://"),
                       ("javascript:alert(1)", "Only http:// and https://"),
                       ("https:///nohost", "no host"),
                       ("http://169.254.169.254/latest/meta-data/", "metadata"),
                       ("http://[fe80::1]/hook", "metadata"),
                       ("http://metadata.google.internal/computeMetadata/v1/", "metadata")]:
        with pytest.raises(InvalidInput) as refused:
            actions.connect_team_channel(org.it, {"kind": "teams", "name": "x", "url": url}, acting_user=org.admin)
        assert words in refused.value.errors["url"][0]
    assert not TeamChannel.objects.exists()
    with pytest.raises(InvalidInput) as refused:
        actions.create_webhook({"name": "x", "url": "gopher://example.org/"}, acting_user=org.admin)
    assert "url" in refused.value.errors


# ---------------------------------------------------------------- signed webhooks


def test_webhook_payload_is_signed_by_the_standard_webhooks_scheme(org, receiver, happen):
    hook, secret = actions.create_webhook({"name": "Service desk", "url": receiver.url("/hook")},
                                          acting_user=org.admin)
    assert secret.startswith("whsec_")
    happen(step_changed(org))
    [got] = receiver.at("/hook")
    payload = verify(secret, got)  # the independent implementation accepts it
    assert payload["type"] == STEP_CHANGED and payload["timestamp"].endswith("Z")
    data = payload["data"]
    assert data["message"] == "IT changed “Log in to the app”." and data["actor"] == "kim"
    assert data["url"] == f"https://cx.example.org{org.login_step.get_absolute_url()}"
    assert data["teams"] == [{"id": org.it.pk, "slug": org.it.slug, "name": "IT"}]
    assert data["details"] == {"step_id": org.login_step.pk}
    assert got.headers["webhook-id"].startswith("msg_") and got.headers["webhook-timestamp"].isdigit()
    assert got.headers["webhook-signature"].startswith("v1,") and " " not in got.headers["webhook-signature"]
    # Tampering with the body, the id or the secret fails verification.
    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(got.body.replace(b"kim", b"eve"), got.headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(secret).verify(got.body, {**got.headers, "webhook-id": "msg_other"})
    with pytest.raises(WebhookVerificationError):
        Verifier(signing.new_secret()).verify(got.body, got.headers)


def test_our_signature_equals_the_reference_signature():
    secret = signing.new_secret()
    moment = timezone.now().replace(microsecond=0)
    body = '{"type":"x","data":{"é":1}}'
    ours = signing.sign(secret, "msg_1", int(moment.timestamp()), body)
    assert ours == Verifier(secret).sign("msg_1", moment, body)


def test_webhooks_hear_the_kinds_they_subscribe_to_and_every_kind_when_none(org, receiver, happen):
    actions.create_webhook({"name": "All", "url": receiver.url("/all")}, acting_user=org.admin)
    actions.create_webhook({"name": "Decisions", "url": receiver.url("/decisions"), "event_kinds": [DECIDED]},
                           acting_user=org.admin)
    happen(step_changed(org))
    happen(Event(kind=DECIDED, message="Decided."))
    assert [r.json["type"] for r in receiver.at("/all")] == [STEP_CHANGED, DECIDED]
    assert [r.json["type"] for r in receiver.at("/decisions")] == [DECIDED]
    with pytest.raises(InvalidInput) as refused:
        actions.create_webhook({"name": "Bad", "url": receiver.url("/x"), "event_kinds": ["no.such"]},
                               acting_user=org.admin)
    assert "no.such" in refused.value.errors["event_kinds"][0]


def test_a_500_is_retried_with_the_same_message_until_it_succeeds(org, receiver, happen):
    hook, secret = actions.create_webhook({"name": "Flaky", "url": receiver.url("/flaky")}, acting_user=org.admin)
    receiver.answer("/flaky", 500, 500, 200)
    happen(step_changed(org))
    got = receiver.at("/flaky")
    assert len(got) == 3
    assert len({r.headers["webhook-id"] for r in got}) == 1  # one message, tried three times
    assert len({r.body for r in got}) == 1
    for r in got:
        verify(secret, r)
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.DELIVERED and sent.attempts == 3
    log = list(sent.attempt_log.all())
    assert [(a.number, a.status_code, a.ok) for a in log] == [(1, 500, False), (2, 500, False), (3, 200, True)]
    assert log[0].response_excerpt.startswith("receiver says no") and len(log[0].response_excerpt) == 500
    assert all(a.response_ms is not None for a in log)
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 0


def test_retry_delays_grow_and_the_next_attempt_is_queued_for_later(org, receiver, settings, monkeypatch):
    settings.CXKEEPER_WEBHOOK_RETRY_DELAYS = [5, 300, 1800]
    assert [delivery.retry_delay(n) for n in (1, 2, 3, 4)] == [5, 300, 1800, None]
    hook, _ = actions.create_webhook({"name": "Later", "url": receiver.url("/later")}, acting_user=org.admin)
    receiver.answer("/later", 503)
    sent = Delivery.objects.create(webhook=hook, message_id="msg_1", event_kind=STEP_CHANGED, summary="x", body="{}")
    before = timezone.now()
    queued = []
    # What is handed to the job queue, kept instead of run (whichever queue is behind `enqueue`).
    monkeypatch.setattr(delivery, "enqueue", lambda name, run_at=None, **kw: queued.append((name, run_at, kw)))
    delivery.attempt_delivery(sent.pk, 1)
    sent.refresh_from_db()
    assert sent.status == DeliveryStatus.RETRYING and sent.attempts == 1
    assert before + timedelta(seconds=5) <= sent.next_attempt_at <= timezone.now() + timedelta(seconds=5)
    assert queued == [(delivery.TASK, sent.next_attempt_at, {"delivery_id": sent.pk, "attempt": 2})]
    assert delivery.attempt_delivery(sent.pk, 1) is None  # the same job again: not sent twice
    assert len(receiver.at("/later")) == 1


def test_a_delivery_is_given_up_after_the_last_retry(org, receiver, happen, settings):
    settings.CXKEEPER_WEBHOOK_DISABLE_AFTER = 100
    hook, _ = actions.create_webhook({"name": "Down", "url": receiver.url("/down")}, acting_user=org.admin)
    receiver.answer("/down", 502)
    happen(step_changed(org))
    sent = Delivery.objects.get()
    assert sent.status == DeliveryStatus.FAILED and sent.attempts == 4 and len(receiver.at("/down")) == 4
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 4


def test_replay_sends_the_same_message_freshly_signed(org, receiver, happen, drain):
    hook, secret = actions.create_webhook({"name": "Replay", "url": receiver.url("/r")}, acting_user=org.admin)
    happen(step_changed(org))
    first = Delivery.objects.get()
    again = actions.replay_delivery(first, acting_user=org.admin)
    drain()
    again.refresh_from_db()
    assert again.status == DeliveryStatus.DELIVERED and again.replay_of == first
    one, two = receiver.at("/r")
    assert one.body == two.body and one.headers["webhook-id"] == two.headers["webhook-id"]
    verify(secret, two)
    record = ChangeRecord.objects.filter(object_id=again.pk, content_type__model="delivery").get()
    assert record.actor == org.admin and record.after["replay_of"] == first.pk


def test_rotation_signs_with_both_secrets_during_the_grace_period(org, receiver, happen):
    hook, old = actions.create_webhook({"name": "Rotating", "url": receiver.url("/rot")}, acting_user=org.admin)
    hook, new = actions.rotate_webhook_secret(hook, acting_user=org.admin, grace_hours=1)
    assert new != old and new.startswith("whsec_")
    happen(step_changed(org))
    [got] = receiver.at("/rot")
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    verify(old, got)  # a receiver not yet switched still verifies
    verify(new, got)  # and one already switched
    # After the grace period only the new secret signs.
    Webhook.objects.filter(pk=hook.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    happen(step_changed(org))
    latest = receiver.at("/rot")[-1]
    assert len(latest.headers["webhook-signature"].split(" ")) == 1
    verify(new, latest)
    with pytest.raises(WebhookVerificationError):
        verify(old, latest)
    # History records the rotation with secrets masked.
    record = ChangeRecord.objects.filter(object_id=hook.pk, content_type__model="webhook").order_by("-pk")[0]
    assert new not in str(record.after) and old not in str(record.after) and old not in str(record.before)


def test_a_target_failing_again_and_again_is_turned_off_with_a_notice(org, receiver, happen):
    hook, _ = actions.create_webhook({"name": "Broken", "url": receiver.url("/broken")}, acting_user=org.admin)
    channel = actions.connect_team_channel(org.it, {"kind": "slack", "name": "#it", "url": receiver.url("/it")},
                                           acting_user=org.it_member)
    receiver.answer("/broken", 500)
    receiver.answer("/it", 500)
    happen(step_changed(org))
    hook.refresh_from_db()
    channel.refresh_from_db()
    assert not hook.active and hook.consecutive_failures == 4
    assert "4 failed attempts in a row" in hook.disabled_reason and "500" in hook.disabled_reason
    assert len(receiver.at("/broken")) == 4
    assert not channel.active
    notices = Notification.objects.filter(url=hook.get_absolute_url())
    assert set(notices.values_list("recipient", flat=True)) == {org.admin.pk}
    assert "turned off" in notices[0].message
    assert set(Notification.objects.filter(url=channel.get_absolute_url()).values_list("recipient", flat=True)) \
        == {org.admin.pk, org.it_member.pk}  # the admins and IT's lead
    # Turned off: nothing more is sent, and a replay is refused until it is turned back on.
    happen(step_changed(org))
    assert len(receiver.at("/broken")) == 4
    with pytest.raises(InvalidInput):
        actions.replay_delivery(Delivery.objects.filter(webhook=hook).first(), acting_user=org.admin)
    receiver.answer("/broken", 200)
    hook = actions.change_webhook(hook, {"active": True}, expected_version=hook.version, acting_user=org.admin)
    assert hook.active and hook.consecutive_failures == 0 and hook.disabled_reason == ""
    happen(step_changed(org))
    assert len(receiver.at("/broken")) == 5


def test_no_answer_in_time_and_redirects_are_failures_with_their_reason(org, receiver):
    hook, _ = actions.create_webhook({"name": "Slow", "url": receiver.url("/slow")}, acting_user=org.admin)
    receiver.delays["/slow"] = 1.5
    sent = Delivery.objects.create(webhook=hook, message_id="msg_s", event_kind=STEP_CHANGED, summary="x", body="{}")
    attempt = delivery.send(sent, hook)
    assert not attempt.ok and attempt.status_code is None and "no answer within 1 seconds" in attempt.error
    hook2, _ = actions.create_webhook({"name": "Moved", "url": receiver.url("/moved")}, acting_user=org.admin)
    receiver.answer("/moved", 302)
    outcome = delivery.send(sent, hook2)
    assert not outcome.ok and outcome.status_code == 302 and "redirects are not followed" in outcome.error
    closed = receiver.url("/x").rsplit(":", 1)[0] + ":9/x"  # the discard port: nothing listens
    hook3, _ = actions.create_webhook({"name": "Nobody", "url": closed}, acting_user=SYSTEM)
    outcome = delivery.send(sent, hook3)
    assert not outcome.ok and outcome.error.startswith("cannot connect")


def test_payloads_are_bounded(org, receiver, happen, settings):
    settings.CXKEEPER_WEBHOOK_MAX_BYTES = 2000
    hook, secret = actions.create_webhook({"name": "Big", "url": receiver.url("/big")}, acting_user=org.admin)
    happen(Event(kind=DECIDED, message="Decided.", data={"blob": "x" * 10_000}))
    [got] = receiver.at("/big")
    assert len(got.body) <= 2000
    payload = verify(secret, got)
    assert payload["data"]["details"] == {} and payload["data"]["details_left_out"] is True
    assert formats.bounded_body({"type": "t", "timestamp": "now", "data": {"message": "y" * 5000}}, 500) \
        .startswith('{"type":"t"')


def test_a_listener_problem_never_stops_the_action(org, receiver, happen):
    TeamChannel.objects.create(team=org.it, kind="slack", name="#broken", url="not a url at all")
    happen(step_changed(org))  # no exception: the delivery fails and is logged
    sent = Delivery.objects.get()
    assert sent.attempt_log.get(number=1).error == \
        "Only http:// and https:// addresses are allowed, not “not a url at all”."
