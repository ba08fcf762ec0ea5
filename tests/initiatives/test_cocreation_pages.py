"""Co-creation pages: the role matrix of every new page and form (anonymous → sign in; refused
roles → 403 with a reason, nothing written; allowed roles succeed and leave history), and what
the friction point and planned change pages show."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import AffectedTeam, Decision, Option, OptionStance, Perspective, PlannedChange
from cxkeeper.testing.cocreation import (
    DECIDE,
    add_cocreation,
    agreed,
    build_cocreation_org,
    decided,
    escalated,
    with_options,
)
from cxkeeper.testing.pages import PageCase, page_role_matrix


def world():
    return with_options(build_cocreation_org())


KEEPERS = ("admin", "keeper")
MEMBERS = ("admin", "keeper", "it_member", "sales_member")


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


CASES = [
    PageCase("friction point with co-creation", lambda o: f"/friction-points/{o.fp.pk}/"),
    PageCase("challenge form", lambda o: f"/friction-points/{o.fp.pk}/challenge/", allowed=KEEPERS),
    PageCase("set the challenge", lambda o: f"/friction-points/{o.fp.pk}/challenge/", allowed=KEEPERS,
             data=lambda o: {"owner_team": o.service.pk, "steps": [o.login_step.pk, o.call_step.pk],
                             "version": v(o.fp)}),
    PageCase("remove an affected team", lambda o: f"/friction-points/{o.fp.pk}/affected/", allowed=KEEPERS,
             data=lambda o: {"team": o.sales.pk, "change": "remove", "reason": "Only passes customers on."}),
    PageCase("perspective form", lambda o: f"/friction-points/{o.fp.pk}/perspective/?team={o.it.pk}",
             allowed=("it_member",)),
    PageCase("give a perspective", lambda o: f"/friction-points/{o.fp.pk}/perspective/?team={o.sales.pk}",
             allowed=("sales_member",),
             data=lambda o: {"team": o.sales.pk, "stance": "object", "reason": "Scripts frozen.", "importance": 4,
                             "constraint_1_kind": "timing", "constraint_1_text": "Not before April.",
                             "effort": "weeks"}),
    PageCase("propose an option", lambda o: f"/friction-points/{o.fp.pk}/options/new/", allowed=MEMBERS,
             data=lambda o: {"title": "Faster mail provider"}),
    PageCase("take a stance", lambda o: f"/friction-points/{o.fp.pk}/options/{o.option.pk}/stance/",
             allowed=("it_member",), data=lambda o: {"team": o.it.pk, "stance": "support"}),
    PageCase("escalate", lambda o: f"/friction-points/{o.fp.pk}/escalate/", allowed=KEEPERS,
             data=lambda o: {"note": "They disagree."}),
    PageCase("decide by consensus", lambda o: f"/friction-points/{agreed(o).fp.pk}/options/{o.option.pk}/decide/",
             allowed=KEEPERS, data=lambda o: DECIDE),
    PageCase("sponsor decides", lambda o: f"/friction-points/{escalated(o).fp.pk}/options/{o.option.pk}/decide/",
             allowed=("viewer",), data=lambda o: DECIDE),
    PageCase("initiative from the decision", lambda o: f"/friction-points/{decided(o).fp.pk}/initiative/",
             allowed=("admin", "keeper", "it_member"), data=lambda o: {"lead_team": o.it.pk}),
    PageCase("planned changes", lambda o: "/planned-changes/?status=planned"),
    PageCase("planned change", lambda o: f"/planned-changes/{o.planned.pk}/"),
    PageCase("declare form", lambda o: "/planned-changes/new/", allowed=MEMBERS),
    PageCase("declare", lambda o: "/planned-changes/new/", allowed=MEMBERS,
             data=lambda o: {"title": "Helpline menu change", "kind": "launch", "go_live": "2027-05-01",
                             "steps": [o.call_step.pk]}),
    PageCase("planned change edit form", lambda o: f"/planned-changes/{o.planned.pk}/edit/",
             allowed=("admin", "keeper", "it_member")),
    PageCase("edit a planned change", lambda o: f"/planned-changes/{o.planned.pk}/edit/",
             allowed=("admin", "keeper", "it_member"),
             data=lambda o: {"title": "New login page", "kind": "launch", "go_live": "2027-03-01",
                             "steps": [o.login_step.pk], "team": o.it.pk, "version": v(o.planned)}),
    PageCase("planned change perspective", lambda o: f"/planned-changes/{o.planned.pk}/perspective/?team={o.it.pk}",
             allowed=("it_member",),
             data=lambda o: {"team": o.it.pk, "stance": "concerns", "reason": "Release freeze.", "importance": 3}),
]

TestCocreationPageRoles = page_role_matrix(
    CASES, build=world, keeps=[Perspective, Option, OptionStance, Decision, AffectedTeam, PlannedChange])


# ---------------------------------------------------------------- what the pages show


@pytest.fixture
def o(small_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return add_cocreation(small_org)


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_the_tensions_box_comes_first_and_user_text_is_escaped(o):
    actions.give_perspective(o.fp, o.sales, {"stance": "object", "reason": "<script>window.pwned=1</script>"},
                             acting_user=o.sales_member)
    client = Client()
    client.force_login(o.viewer)
    raw = client.get(f"/friction-points/{o.fp.pk}/").content.decode()
    assert "<script>window.pwned" not in raw and "&lt;script&gt;" in raw
    text = html.unescape(raw)
    assert text.index("Tensions") < text.index("The shared challenge") < text.index("Perspectives")
    assert "Sales objects" in text and "2 of 3 affected teams have not been heard yet" in text
    assert "1 of 3 affected teams heard" in text


@pytest.mark.django_db
def test_a_wrong_team_is_refused_with_the_reason_and_nothing_stored(o):
    client = Client()
    client.force_login(o.sales_member)
    response = client.post(f"/friction-points/{o.fp.pk}/perspective/?team={o.it.pk}",
                           {"team": o.it.pk, "stance": "support", "importance": 3})
    assert response.status_code == 403 and "Only a member of IT" in html.unescape(response.content.decode())
    response = client.post(f"/friction-points/{o.fp.pk}/perspective/?team={o.sales.pk}",
                           {"team": o.sales.pk, "stance": "object", "importance": 3})
    assert response.status_code == 422 and "a reason is required" in html.unescape(response.content.decode())
    assert not Perspective.objects.exists()


@pytest.mark.django_db
def test_a_planned_change_without_steps_is_refused_and_the_map_lists_planned_ones(o):
    client = Client()
    client.force_login(o.it_member)
    response = client.post("/planned-changes/new/", {"title": "Mystery", "kind": "launch", "go_live": "2027-01-01"})
    assert response.status_code == 422 and "Name at least one step" in html.unescape(response.content.decode())
    assert not PlannedChange.objects.exists()
    response = client.post("/planned-changes/new/", {"title": "New login page", "kind": "launch",
                                                     "go_live": "2027-01-01", "steps": [o.login_step.pk]})
    planned = PlannedChange.objects.get()
    assert response.status_code == 302 and response["Location"] == planned.get_absolute_url()
    detail = page(o.viewer, planned.get_absolute_url())
    assert "CX impact review" in detail and "Customer service" in detail and "Not heard yet" in detail
    journey_map = page(o.viewer, o.journey.get_absolute_url())
    assert "Planned changes on this journey" in journey_map and "New login page" in journey_map
