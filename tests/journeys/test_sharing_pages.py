"""Sharing the journey (issue 14): exports, share links, suggested changes, changes since — each
page for the roles that may and refused for those that may not, writes recorded in history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cxkeeper.core import events
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.errors import Forbidden, InvalidInput
from cxkeeper.core.models import ChangeRecord
from cxkeeper.journeys import actions
from cxkeeper.journeys.models import ShareLink, Suggestion
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.pages import PageCase, page_role_matrix

STRUCTURE = ("admin", "keeper")


def link(o):
    return actions.create_share_link(o.journey, acting_user=SYSTEM)


def suggestion(o):
    return actions.suggest_step_change(o.login_step, {"what": "Mention the SMS code", "why": "People wait"},
                                       acting_user=o.viewer)


CASES = [
    PageCase("blueprint as SVG", lambda o: f"/journeys/{o.journey.slug}/blueprint.svg"),
    PageCase("blueprint as PDF, a team highlighted", lambda o: f"/journeys/{o.journey.slug}/blueprint.pdf?team=it"),
    PageCase("changes since", lambda o: f"/journeys/{o.journey.slug}/changes/"),
    PageCase("share links", lambda o: f"/journeys/{o.journey.slug}/sharing/", allowed=STRUCTURE),
    PageCase("create a share link", lambda o: f"/journeys/{o.journey.slug}/sharing/new/", allowed=STRUCTURE,
             data=lambda o: {}),
    PageCase("revoke a share link", lambda o: f"/share-links/{link(o).pk}/revoke/", allowed=STRUCTURE,
             data=lambda o: {}),
    PageCase("a shared blueprint", lambda o: link(o).get_absolute_url()),
    PageCase("suggest a change (form)", lambda o: f"/steps/{o.login_step.pk}/suggest/"),
    PageCase("suggest a change", lambda o: f"/steps/{o.login_step.pk}/suggest/",
             data=lambda o: {"what": "Say the code comes by SMS", "why": "Customers look in their e-mail"}),
    PageCase("answer a suggestion (form)", lambda o: f"/suggestions/{suggestion(o).pk}/decide/",
             allowed=(*STRUCTURE, "it_member")),
    PageCase("answer a suggestion", lambda o: f"/suggestions/{suggestion(o).pk}/decide/",
             allowed=(*STRUCTURE, "it_member"),
             data=lambda o: {"decision": "accepted", "reply": "Good point, we'll add it.", "version": 1}),
]

TestSharingPageRoles = page_role_matrix(CASES, build=build_small_org)


class Heard(list):
    """Every event delivered (a real listener). Events go out after commit, which the test's
    own transaction never reaches: `with heard.commits():` plays the commits of what it wraps."""

    def __init__(self, capture):
        super().__init__()
        self.commits = lambda: capture(execute=True)


@pytest.fixture
def heard(django_capture_on_commit_callbacks):
    got = Heard(django_capture_on_commit_callbacks)
    events.subscribe(got.append)
    yield got
    events.unsubscribe(got.append)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_exports_download_as_files_with_magic_bytes(small_org):
    c = client(small_org.viewer)
    base = f"/journeys/{small_org.journey.slug}/blueprint"
    svg = c.get(f"{base}.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert 'filename="blueprint-get-help.svg"' in svg["Content-Disposition"]
    assert c.get(f"{base}.png?team=it").content.startswith(b"\x89PNG")
    assert c.get(f"{base}.pdf").content.startswith(b"%PDF-")
    assert c.get(f"{base}.doc").status_code == 404
    bad = c.get(f"{base}.svg?team=nobody")
    assert bad.status_code == 400 and "nobody" in bad.content.decode()


def test_the_map_offers_downloads_for_the_chosen_team(small_org):
    html = client(small_org.viewer).get(f"/journeys/{small_org.journey.slug}/?team=it").content.decode()
    assert f"/journeys/{small_org.journey.slug}/blueprint.pdf?team=it" in html
    assert "with IT highlighted" in html and "◆ IT" in html
    assert "/sharing/" not in html  # only keepers manage share links
    assert "/sharing/" in client(small_org.keeper).get(small_org.journey.get_absolute_url()).content.decode()


def test_a_share_link_opens_read_only_for_anyone_signed_in_until_revoked(small_org):
    made = client(small_org.keeper).post(f"/journeys/{small_org.journey.slug}/sharing/new/")
    assert made.status_code == 302
    share = ShareLink.objects.get()
    assert len(share.token) >= 32
    url = share.get_absolute_url()
    page = client(small_org.viewer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Log in to the app" in html and "read-only" in html
    assert "+ step" not in html and "/edit/" not in html and "Move " not in html  # no edit controls
    assert Client().get(url).status_code == 302  # not signed in: to the sign-in page, never the map
    listed = client(small_org.keeper).get(f"/journeys/{small_org.journey.slug}/sharing/").content.decode()
    assert url in listed
    client(small_org.keeper).post(f"/share-links/{share.pk}/revoke/")
    gone = client(small_org.viewer).get(url)
    assert gone.status_code == 404 and "no longer works" in gone.content.decode()
    assert client(small_org.viewer).get("/shared/not-a-real-token/").status_code == 404
    actions_done = set(ChangeRecord.objects.filter(object_id=share.pk, content_type__model="sharelink")
                       .values_list("action", flat=True))
    assert actions_done == {"create", "update"}


def test_a_viewer_suggests_a_change_and_the_owners_and_keeper_hear_of_it(small_org, heard):
    with heard.commits():
        response = client(small_org.viewer).post(f"/steps/{small_org.login_step.pk}/suggest/", {
            "what": "Say the code comes by SMS", "why": "Customers look for it in their e-mail."})
    assert response.status_code == 302
    item = Suggestion.objects.get()
    assert item.author == small_org.viewer and item.status == "open"
    told = [e for e in heard if e.kind == "step.suggestion"]
    assert len(told) == 1
    # IT owns the step (ivan is in IT); the journey's keeper is kim; Customer service only contributes.
    assert set(told[0].recipient_ids) == {small_org.it_member.pk, small_org.keeper.pk}
    assert told[0].team_ids == (small_org.it.pk,)
    assert "Say the code comes by SMS" in told[0].message
    assert told[0].url.startswith(f"/steps/{small_org.login_step.pk}/")
    step_page = client(small_org.sales_member).get(small_org.login_step.get_absolute_url()).content.decode()
    assert "Say the code comes by SMS" in step_page and "Open" in step_page
    assert "Answer this suggestion" not in step_page  # Sales does not own the step

    owner_page = client(small_org.it_member).get(small_org.login_step.get_absolute_url()).content.decode()
    assert "Answer this suggestion" in owner_page
    with heard.commits():
        answered = client(small_org.it_member).post(f"/suggestions/{item.pk}/decide/", {
            "decision": "declined", "reply": "The SMS is being replaced by the app's push message.", "version": 1})
    assert answered.status_code == 302
    item.refresh_from_db()
    assert item.status == "declined" and item.decided_by == small_org.it_member
    back = [e for e in heard if e.kind == "step.suggestion_answered"]
    assert len(back) == 1 and back[0].recipient_ids == (small_org.viewer.pk,) and "declined" in back[0].message
    again = client(small_org.keeper).post(f"/suggestions/{item.pk}/decide/", {
        "decision": "accepted", "reply": "Changed my mind.", "version": item.version})
    assert again.status_code == 422 and "already declined" in again.content.decode()
    kinds = list(ChangeRecord.objects.filter(step_id=small_org.login_step.pk, content_type__model="suggestion")
                 .values_list("action", flat=True))
    assert sorted(kinds) == ["create", "update"]


def test_suggestions_have_limits_and_need_a_person(small_org):
    with pytest.raises(InvalidInput) as empty:
        actions.suggest_step_change(small_org.login_step, {"what": "  "}, acting_user=small_org.viewer)
    assert "what" in empty.value.errors
    with pytest.raises(InvalidInput) as long:
        actions.suggest_step_change(small_org.login_step, {"what": "x" * 501}, acting_user=small_org.viewer)
    assert "what" in long.value.errors
    with pytest.raises(InvalidInput):
        actions.suggest_step_change(small_org.login_step, {"what": "ok", "why": "y" * 2001},
                                    acting_user=small_org.viewer)
    with pytest.raises(InvalidInput):
        actions.suggest_step_change(small_org.login_step, {"what": "ok"}, acting_user=SYSTEM)
    item = actions.suggest_step_change(small_org.login_step, {"what": "ok"}, acting_user=small_org.viewer)
    with pytest.raises(Forbidden):
        actions.decide_suggestion(item, "accepted", "yes", expected_version=1, acting_user=small_org.sales_member)
    with pytest.raises(InvalidInput) as no_reply:
        actions.decide_suggestion(item, "accepted", " ", expected_version=1, acting_user=small_org.keeper)
    assert "reply" in no_reply.value.errors


def test_a_removed_step_takes_its_suggestions_with_history(small_org):
    item = actions.suggest_step_change(small_org.call_step, {"what": "Shorter menu"}, acting_user=small_org.viewer)
    actions.delete_step(small_org.call_step, expected_version=small_org.call_step.version, acting_user=SYSTEM)
    assert not Suggestion.objects.filter(pk=item.pk).exists()
    assert ChangeRecord.objects.filter(content_type__model="suggestion", object_id=item.pk, action="delete").exists()


def test_changes_since_name_what_was_added_removed_reowned_and_renamed(small_org):
    from cxkeeper.journeys.choices import Lane, ResponsibilityRole

    added = actions.add_step(small_org.stage, {"name": "Chat with an agent", "lane": Lane.FRONTSTAGE},
                             acting_user=small_org.keeper)
    actions.assign_responsibility(added, small_org.sales, {"role": ResponsibilityRole.OWNS},
                                  acting_user=small_org.keeper)
    part = small_org.login_step.responsibilities.get(team=small_org.service)
    actions.update_responsibility(part, {"role": ResponsibilityRole.INFORMED}, expected_version=part.version,
                                  acting_user=small_org.keeper)
    actions.update_step(small_org.login_step, {"name": "Sign in to the app"},
                        expected_version=small_org.login_step.version, acting_user=small_org.keeper)
    actions.delete_step(small_org.call_step, expected_version=small_org.call_step.version,
                        acting_user=small_org.keeper)
    today = timezone.localdate().isoformat()
    html = client(small_org.viewer).get(f"/journeys/{small_org.journey.slug}/changes/?since={today}").content.decode()
    assert "kim added step “Chat with an agent” to stage “Ask for help” (Front-stage touchpoint)." in html
    assert "kim recorded that Sales owns “Chat with an agent”." in html
    assert "kim changed Customer service’s part in “Log in to the app”: it now is informed of it " \
           "(before: contributes to)." in html
    assert "kim renamed step “Log in to the app” to “Sign in to the app”." in html
    assert "kim removed step “Call the helpline” from stage “Ask for help”." in html
    assert "Removed: <strong>" in html
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    # Before today nothing of this happened; the small org itself was built by the system today.
    future = client(small_org.viewer).get(f"/journeys/{small_org.journey.slug}/changes/?since={tomorrow}")
    assert future.status_code == 400 and "in the future" in future.content.decode()
    bad = client(small_org.viewer).get(f"/journeys/{small_org.journey.slug}/changes/?since=last+week")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()
