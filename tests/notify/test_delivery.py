"""Each way of hearing of an event, end to end: an action emits, the listener follows the
recipient's preference, and e-mail goes through a real SMTP server on loopback."""

from __future__ import annotations

import pytest

from cxkeeper.core.models import Notification
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.notify import actions
from cxkeeper.notify.models import DigestEntry

from .conftest import BASE_URL, FROM, parts

pytestmark = pytest.mark.django_db


def change_the_login_step(org, after_commit, text="Sign in with your e-mail address."):
    """The keeper edits a step IT owns: IT's members hear of it (`step.changed`)."""
    step = org.login_step
    step.refresh_from_db()
    with after_commit():
        journey_actions.update_step(step, {"description": text}, expected_version=step.version,
                                    acting_user=org.keeper)


def notices(user):
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def test_in_the_app_by_default(small_org, smtp, after_commit):
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    assert notices(small_org.it_member) == ["kim changed the description of step “Log in to the app”."]
    assert not notices(small_org.keeper) and not notices(small_org.sales_member)  # not the actor, not Sales
    assert smtp.messages == []


def test_by_e_mail_at_once_with_its_headers_and_both_parts(small_org, smtp, after_commit):
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "email"}, acting_user=ivan)
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    [message] = smtp.to("ivan@example.com")
    [notice] = notices(ivan)  # the Inbox keeps it too
    assert str(message["Subject"]).strip() == notice and message["From"] == FROM and message["To"] == "ivan@example.com"
    assert message["Auto-Submitted"] == "auto-generated" and message["Message-ID"]
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    link = f"{BASE_URL}/steps/{small_org.login_step.pk}/"
    assert notice in body["text/plain"] and link in body["text/plain"]
    assert link in body["text/html"] and "<p>" in body["text/html"]
    assert f"{BASE_URL}/notifications/preferences/" in body["text/plain"]
    assert [r.mail_from for r in smtp.messages] == ["cx@example.org"]


def test_user_content_is_escaped_in_the_html_part(small_org, smtp, after_commit):
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "email"}, acting_user=ivan)
    step = small_org.login_step
    with after_commit():
        journey_actions.update_step(step, {"name": "Log in <script>x</script>"}, expected_version=step.version,
                                    acting_user=small_org.keeper)
    [message] = smtp.to("ivan@example.com")
    html = parts(message)["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_in_the_weekly_digest_waits_for_it(small_org, smtp, after_commit):
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "digest"}, acting_user=ivan)
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    assert notices(ivan) == [] and smtp.messages == []
    [entry] = DigestEntry.objects.filter(user=ivan)
    assert entry.kind == "step.changed" and entry.delivery is None and "Log in to the app" in entry.message


def test_off_means_nothing_at_all(small_org, smtp, after_commit):
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "off"}, acting_user=ivan)
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    assert notices(ivan) == [] and smtp.messages == [] and not DigestEntry.objects.exists()


def test_without_an_smtp_host_e_mail_choices_stay_in_the_app(small_org, after_commit, settings, mailoutbox):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = "django.core.mail.backends.smtp.EmailBackend", ""
    ivan = small_org.it_member
    actions.set_preferences(ivan, {"step.changed": "email"}, acting_user=ivan)
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    assert len(notices(ivan)) == 1 and mailoutbox == []


def test_a_refused_address_does_not_stop_the_others(small_org, smtp, after_commit):
    """The server refuses one recipient: the others still get their e-mail, everyone the notice."""
    from cxkeeper.core.actors import SYSTEM
    from cxkeeper.core.roles import Role
    from cxkeeper.org import actions as org_actions

    second = org_actions.create_person(username="ines", password="x-long-password-1", role=Role.MEMBER,
                                       teams=[small_org.it], acting_user=SYSTEM, full_name="Ines",
                                       email="ines@example.com").user
    for user in (small_org.it_member, second):
        actions.set_preferences(user, {"step.changed": "email"}, acting_user=user)

    async def refuse_ivan(server, session, envelope, address, rcpt_options):
        if address == "ivan@example.com":
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = refuse_ivan
    Notification.objects.all().delete()
    change_the_login_step(small_org, after_commit)
    assert smtp.to("ines@example.com") and not smtp.to("ivan@example.com")
    assert len(notices(small_org.it_member)) == len(notices(second)) == 1
