"""The weekly digest of a team: its content read through the owning apps (the very figures
the pages show, with n), e-mailed as HTML and plain text with an unsubscribe link that works
without signing in, never empty, never twice in a week."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.events import Event, emit
from cxkeeper.core.models import ChangeRecord
from cxkeeper.governance import actions as governance_actions
from cxkeeper.jobs import SCHEDULES, run_pending
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.notify import actions, digest, queries, tasks
from cxkeeper.notify.models import DigestDelivery, DigestEntry, NotificationPreference
from cxkeeper.outcomes import queries as outcome_queries
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.governance_builders import build_council
from cxkeeper.testing.outcomes_builders import build_outcomes
from cxkeeper.testing.wins_builders import build_wins_world
from cxkeeper.testing.worlds import class_world

from .conftest import BASE_URL, parts

pytestmark = pytest.mark.django_db


def lines(built, key) -> list[str]:
    return [line.text for section in built.sections if section.key == key for line in section.lines]


def edit_login_step(org, text="Sign in with your e-mail address."):
    step = org.login_step
    step.refresh_from_db()
    journey_actions.update_step(step, {"description": text}, expected_version=step.version, acting_user=org.keeper)


NEXT_WEEK = dt.timedelta(days=7)


def edit_login_step_next_week(org, text="Sign in with a passkey."):
    """An edit a week from now: made now, its history record moved a week ahead."""
    edit_login_step(org, text)
    latest = ChangeRecord.objects.order_by("-pk").first()
    ChangeRecord.objects.filter(pk=latest.pk).update(at=latest.at + NEXT_WEEK)


def send(**kwargs) -> int:
    count = tasks.send_digests(**kwargs)
    run_pending()
    return count


# ---------------------------------------------------------------- what it tells


def build_busy_week():
    """IT's week: the keeper edited its step, a friction point was raised there and IT is asked
    for its perspective, the council decided, an action item falls due in three days; IT has
    targets with a year of feedback behind them."""
    org = build_small_org()
    org.outcomes = build_outcomes(org)
    org.council = build_council(org)
    add_cocreation(org)
    edit_login_step(org)
    org.decision = governance_actions.record_decision(org.council.council, {
        "meeting": org.council.past, "decided_on": dt.date.today(), "statement": "Reset links stay valid for an hour",
        "rationale": "Fewer locked-out customers."}, acting_user=SYSTEM)
    org.due_soon = governance_actions.raise_action_item(org.council.council, {
        "title": "Lengthen the reset link's life", "owner_team": org.it,
        "due": dt.date.today() + dt.timedelta(days=3)}, acting_user=SYSTEM)
    return org


class TestWhatItTells:
    busy_week = class_world(build_busy_week)

    def test_the_digest_of_a_team_tells_each_part_of_its_week(self, busy_week):
        org = busy_week
        built = digest.team_digest(org.it)
        assert [s.title for s in built.sections] == [
            "What changed at our steps", "Our measures against targets", "New friction", "Perspectives we owe",
            "Decisions", "Our action items due", "Wins we share in"]
        assert any(text.startswith("Log in to the app (Get help): kim updated the step")
                   for text in lines(built, "changes"))
        assert lines(built, "friction") == ["Password reset e-mails arrive late"]
        assert lines(built, "perspectives") == ["Password reset e-mails arrive late"]
        assert "“CX council” decided: Reset links stay valid for an hour" in lines(built, "decisions")
        # the past meeting's decision (two weeks ago) is not news of this week
        assert not any("Fix password reset" in text for text in lines(built, "decisions"))
        # due within the week; the item due in three weeks waits
        assert lines(built, "actions") == ["Lengthen the reset link's life"]
        assert not built.is_empty

    def test_targets_are_the_scorecard_s_own_figures_with_n(self, busy_week):
        """One truth per figure: the digest's targets are the team scorecard's target views."""
        org = busy_week
        built = digest.team_digest(org.it)
        [section] = [s for s in built.sections if s.key == "targets"]
        card = outcome_queries.scorecard(org.it, as_of=outcome_queries.default_as_of(), period_days=90)
        assert sorted((line.detail, line.statistics) for line in section.lines) == sorted(
            (v.assessment.plain, v.assessment.explanation) for v in card.targets)
        assert len(section.lines) == 2 and all("n=" in line.statistics for line in section.lines)
        assert not any("n=" in line.detail or "interval" in line.detail for line in section.lines)

    def test_targets_read_in_plain_words_with_the_statistics_behind_details(self, busy_week, client):
        """E-mail (text and HTML) and the preview page: the plain sentence first, then the figures."""
        org = busy_week
        built = digest.team_digest(org.it)
        [section] = [s for s in built.sections if s.key == "targets"]
        _subject, text, html, _headers = digest.render(built, org.it_member)
        client.force_login(org.keeper)
        page = client.get(f"/notifications/digests/{org.it.slug}/").content.decode()
        for line in section.lines:
            assert line.detail.startswith(("On track: ", "At risk: ", "Off track: ", "Met: ", "Not enough"))
            assert f"\n  {line.detail}\n  Details: {line.statistics}\n" in text
            assert (f"<br><small>{escape(line.detail)}</small><br><small style=\"color:#5a6375\">Details: "
                    f"{escape(line.statistics)}</small>") in html
            # the keepers' preview page folds the figures away behind "Details"
            [item] = [li for li in re.findall(r"<li>.*?</li>", page, re.S) if escape(line.detail) in li]
            shown, folded = item.split("<details", 1)
            assert escape(line.detail) in shown and escape(line.statistics) not in shown
            assert f"<summary>Details</summary><p class=\"explanation small\">{escape(line.statistics)}</p>" in folded

    def test_the_preview_page_and_the_cli_show_the_same_digest(self, busy_week, client):
        from typer.testing import CliRunner

        from cxkeeper.notify.cli import digest_app

        org = busy_week
        client.force_login(org.keeper)
        page = client.get(f"/notifications/digests/{org.it.slug}/").content.decode()
        assert "Lengthen the reset link&#x27;s life" in page and "Ivan" in page  # who gets it
        shown = CliRunner().invoke(digest_app, ["preview", "--team", org.it.slug])
        assert shown.exit_code == 0, shown.output
        assert "== Our action items due ==" in shown.output and "Lengthen the reset link's life" in shown.output
        unknown = CliRunner().invoke(digest_app, ["preview", "--team", "legal"])
        assert unknown.exit_code == 2 and "No team named “legal”" in unknown.output


# ---------------------------------------------------------------- sent by e-mail


def test_the_digest_is_e_mailed_with_both_parts_and_an_unsubscribe_link(small_org, smtp):
    edit_login_step(small_org)
    assert send() == 1  # IT's Ivan; Sales has nothing to tell; Customer service has no members
    [message] = smtp.to("ivan@example.com")
    assert len(smtp.messages) == 1
    assert str(message["Subject"]).strip().startswith("Weekly digest — IT: the week to ")
    unsubscribe = re.fullmatch(r"<(.+)>", "".join(str(message["List-Unsubscribe"]).split()))[1]
    assert unsubscribe.startswith(f"{BASE_URL}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    for text in (body["text/plain"], body["text/html"]):
        assert "What changed at our steps" in text and "Log in to the app" in text and unsubscribe in text
        assert f"{BASE_URL}/steps/{small_org.login_step.pk}/" in text
    assert "<h2>What changed at our steps</h2>" in body["text/html"]
    assert DigestDelivery.objects.get().status == "sent"


def test_a_rerun_of_the_same_week_sends_nothing_twice(small_org, smtp):
    edit_login_step(small_org)
    assert send() == 1
    assert send() == 0 and send(team=small_org.it) == 0
    assert len(smtp.messages) == 1 and DigestDelivery.objects.count() == 1
    # the next week is another digest
    edit_login_step_next_week(small_org)
    assert send(until=timezone.now() + NEXT_WEEK) == 1
    assert len(smtp.to("ivan@example.com")) == 2


def test_empty_digests_are_not_sent(small_org, smtp):
    """A week after the fixture was built nothing happened: no team has anything to tell."""
    later = timezone.now() + NEXT_WEEK + dt.timedelta(hours=1)
    assert digest.team_digest(small_org.sales).is_empty and digest.team_digest(small_org.it, until=later).is_empty
    assert send(until=later) == 0 and smtp.messages == []
    assert not DigestDelivery.objects.exists()


def test_lines_chosen_for_the_digest_are_in_the_next_one_and_only_once(small_org, smtp, after_commit):
    ivan, ada = small_org.it_member, small_org.admin
    for user in (ivan, ada):
        actions.set_preferences(user, {"step.changed": "digest"}, acting_user=user)
    with after_commit():
        edit_login_step(small_org)
        # Ada is in no team: her lines come in a digest of her own
        emit(Event("step.changed", "The helpline step was renamed.", url=small_org.call_step.get_absolute_url(),
                   recipient_ids=(ada.pk,)))
    assert DigestEntry.objects.filter(user=ivan).count() == DigestEntry.objects.filter(user=ada).count() == 1
    assert send() == 2
    ivan_text = parts(smtp.to("ivan@example.com")[0])["text/plain"]
    assert "== Also for you ==" in ivan_text and "kim changed the description of step" in ivan_text
    [ada_mail] = smtp.to("ada@example.com")
    assert "The helpline step was renamed." in parts(ada_mail)["text/plain"]
    assert str(ada_mail["Subject"]).strip().startswith("Weekly digest — You: the week to ")
    assert not DigestEntry.objects.filter(delivery__isnull=True).exists()
    smtp.clear()
    edit_login_step_next_week(small_org)
    assert send(until=timezone.now() + NEXT_WEEK) == 1  # IT's digest for Ivan, without last week's lines
    assert "Also for you" not in parts(smtp.to("ivan@example.com")[0])["text/plain"] and not smtp.to("ada@example.com")


def test_the_unsubscribe_link_works_without_signing_in(small_org, smtp):
    edit_login_step(small_org)
    send()
    link = re.search(r"Stop the weekly digest: (\S+)", parts(smtp.to("ivan@example.com")[0])["text/plain"])[1]
    path = link.removeprefix(BASE_URL)
    browser = Client(enforce_csrf_checks=True)  # a stranger's browser: no session, no CSRF cookie
    asked = browser.get(path)
    assert asked.status_code == 200 and "Stop the weekly digest?" in asked.content.decode()
    assert queries.mode_of(small_org.it_member, "digest.weekly") == "email"  # a GET changes nothing
    done = browser.post(path)
    assert done.status_code == 200 and "You will no longer get the weekly digest" in done.content.decode()
    assert queries.mode_of(small_org.it_member, "digest.weekly") == "off"
    record = ChangeRecord.objects.get(content_type=ContentType.objects.get_for_model(NotificationPreference))
    assert record.actor == small_org.it_member
    again = browser.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200 and "It was off already." in again.content.decode()
    assert browser.get(path[:-6] + "xxxxx/").status_code == 404
    smtp.clear()
    edit_login_step_next_week(small_org)
    assert not digest.team_digest(small_org.it, until=timezone.now() + NEXT_WEEK).is_empty
    assert send(until=timezone.now() + NEXT_WEEK) == 0 and smtp.messages == []


def test_without_an_smtp_host_nothing_is_sent(small_org, settings):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST = "django.core.mail.backends.smtp.EmailBackend", ""
    edit_login_step(small_org)
    assert send() == 0 and not DigestDelivery.objects.exists()


def test_the_weekly_run_is_scheduled_as_configured(settings):
    entry = SCHEDULES["notify.weekly_digests"]
    assert entry.every == dt.timedelta(days=7)
    assert (entry.weekday, entry.at) == (settings.CXKEEPER_DIGEST_WEEKDAY, settings.CXKEEPER_DIGEST_AT)


class TestWins:
    wins_world = class_world(build_wins_world)

    def test_wins_we_share_in_are_the_wins_app_s_own_measurements(self, wins_world):
        """IT led the password-reset fix and Customer service contributed: the win is in both
        teams' digests, in the words and figures the wins app measured (with n)."""
        w = wins_world
        for team in (w.it, w.service):
            [section] = [s for s in digest.team_digest(team).sections if s.key == "wins"]
            assert [(line.text, line.detail) for line in section.lines] == [("Fix the password reset", w.win.sentence)]
        assert not [s for s in digest.team_digest(w.sales).sections if s.key == "wins" and s.lines]


def test_one_job_at_a_time_takes_a_digest_on(small_org):
    """Two jobs for the same team, week and person: the second finds it taken; once sent, nobody
    takes it again; a job that died while sending is taken over after a while."""
    week = digest.week_of(timezone.now())
    first = actions.claim_delivery(small_org.it, week, small_org.it_member)
    assert first is not None and actions.claim_delivery(small_org.it, week, small_org.it_member) is None
    DigestDelivery.objects.filter(pk=first.pk).update(attempted_at=timezone.now() - actions.STALE_CLAIM * 2)
    assert actions.claim_delivery(small_org.it, week, small_org.it_member) is not None
    actions.mark_sent(first, [])
    DigestDelivery.objects.filter(pk=first.pk).update(attempted_at=timezone.now() - actions.STALE_CLAIM * 2)
    assert actions.claim_delivery(small_org.it, week, small_org.it_member) is None
    assert DigestDelivery.objects.count() == 1


def test_the_cli_sends_for_cron_and_says_what_it_would_do(small_org, smtp):
    from typer.testing import CliRunner

    from cxkeeper.notify.cli import digest_app

    edit_login_step(small_org)
    dry = CliRunner().invoke(digest_app, ["send", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "IT: would go to ivan." in dry.output and "Sales: nothing to tell this week, no digest." in dry.output
    assert smtp.messages == []
    sent = CliRunner().invoke(digest_app, ["send", "--team", "it"])
    assert sent.exit_code == 0 and "1 digest sent." in sent.output and len(smtp.to("ivan@example.com")) == 1
    again = CliRunner().invoke(digest_app, ["send"])
    assert "No digest to send" in again.output and len(smtp.messages) == 1
    dry = CliRunner().invoke(digest_app, ["send", "--dry-run", "--team", "it"])
    assert "IT: would go to nobody (sent already: ivan)." in dry.output


def test_the_cli_refuses_to_send_without_an_smtp_host(small_org, settings):
    from typer.testing import CliRunner

    from cxkeeper.notify.cli import digest_app

    settings.EMAIL_BACKEND, settings.EMAIL_HOST = "django.core.mail.backends.smtp.EmailBackend", ""
    refused = CliRunner().invoke(digest_app, ["send"])
    assert refused.exit_code == 1 and "E-mail is not set up" in refused.output


def test_the_weekly_job_sends_them_through_the_queue(small_org, smtp):
    from cxkeeper.jobs import enqueue

    edit_login_step(small_org)
    enqueue("notify.weekly_digests")
    assert run_pending() == 2  # the weekly run, then Ivan's digest it queued
    assert len(smtp.to("ivan@example.com")) == 1 and len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)  # the figure store keeps only committed figures
def test_the_preview_is_built_once_per_change_of_the_data(small_org, client, monkeypatch):
    """The keepers' preview page keeps the digest it built (core.figures) until the data
    changes: a second view builds nothing, a change shows at once."""
    built = []
    real = digest.team_digest
    monkeypatch.setattr(digest, "team_digest", lambda team, **kw: built.append(team.pk) or real(team, **kw))
    client.force_login(small_org.keeper)
    url = f"/notifications/digests/{small_org.it.slug}/"
    assert "Lengthen the reset link" not in client.get(url).content.decode()
    client.get(url)
    assert built == [small_org.it.pk]
    council = build_council(small_org)
    governance_actions.raise_action_item(council.council, {
        "title": "Lengthen the reset link's life", "owner_team": small_org.it,
        "due": dt.date.today() + dt.timedelta(days=3)}, acting_user=SYSTEM)
    assert "Lengthen the reset link&#x27;s life" in client.get(url).content.decode()
    assert len(built) == 2
