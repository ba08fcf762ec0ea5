"""Friction point pages: every page and form tried anonymously, by refused roles (403 with a
reason, nothing written) and by allowed roles (success; every write leaves a history row) —
plus raising from a real theme on the friction and step pages, escaped example texts, stale
edits and filters."""

from __future__ import annotations

import html
import re

from django.test import Client

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.initiatives import actions, queries
from cxkeeper.initiatives.models import FrictionPoint
from cxkeeper.insights import queries as insight_queries
from cxkeeper.insights.themes import discover_themes
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.pages import PageCase, page_role_matrix

from .conftest import XSS, plant_themes, raised_by_it

RAISERS = ("admin", "keeper", "it_member", "sales_member")
CHANGERS = ("admin", "keeper", "it_member")  # the friction point was raised by the IT member


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


def fresh(o) -> FrictionPoint:
    """A friction point of its own for each destructive case (raised by the IT member)."""
    o.fp = raised_by_it(o)
    return o.fp


def themes_of(o):
    return insight_queries.journey_themes(o.journey, since=None, discover=discover_themes)


def theme_post(o) -> dict:
    plant_themes()
    theme = themes_of(o)[0]
    return {"journey": o.journey.slug, "key": theme.key, "since": "", "step": o.login_step.pk}


CASES = [
    PageCase("friction points", lambda o: "/friction-points/"),
    PageCase("friction points, filtered",
             lambda o: f"/friction-points/?journey={o.journey.slug}&status=open&step={o.login_step.pk}"),
    PageCase("friction point", lambda o: f"/friction-points/{o.fp.pk}/"),
    PageCase("raise form", lambda o: "/friction-points/new/", allowed=RAISERS),
    PageCase("raise", lambda o: "/friction-points/new/", allowed=RAISERS,
             data=lambda o: {"title": "Queue music is too loud", "step": o.call_step.pk, "status": "open"}),
    PageCase("edit form", lambda o: f"/friction-points/{o.fp.pk}/edit/", allowed=CHANGERS),
    PageCase("edit", lambda o: f"/friction-points/{fresh(o).pk}/edit/", allowed=CHANGERS,
             data=lambda o: {"title": "Reset e-mails late", "description": "An hour or more.", "status": "open",
                             "step": o.login_step.pk, "journey": o.journey.pk, "version": v(o.fp)}),
    PageCase("set status", lambda o: f"/friction-points/{fresh(o).pk}/status/", allowed=CHANGERS,
             data=lambda o: {"status": "addressed", "version": v(o.fp)}),
    PageCase("delete form", lambda o: f"/friction-points/{o.fp.pk}/delete/", allowed=CHANGERS),
    PageCase("delete", lambda o: f"/friction-points/{fresh(o).pk}/delete/", allowed=CHANGERS,
             data=lambda o: {"version": v(o.fp)}),
    PageCase("raise from a theme", lambda o: "/friction-points/from-theme/", allowed=RAISERS, data=theme_post),
]


def org_with_a_friction_point():
    org = build_small_org()
    org.fp = raised_by_it(org)
    return org


TestPageRoles = page_role_matrix(CASES, build=org_with_a_friction_point, keeps=[FrictionPoint])


# ---------------------------------------------------------------- what the pages do


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_viewer_is_refused_raising_with_the_reason_shown(org):
    response = as_user(org.viewer).post("/friction-points/new/", {"title": "x", "status": "open"})
    assert response.status_code == 403
    assert "Viewers cannot raise friction points" in html.unescape(response.content.decode())
    assert FrictionPoint.objects.count() == 1


def test_raising_a_step_places_it_on_the_journey_and_records_who(org):
    fp = FrictionPoint.objects.get(pk=org.fp.pk)
    assert fp.journey_id == org.journey.pk and fp.raised_by == org.it_member and fp.source == "manual"
    record = ChangeRecord.objects.filter(object_id=fp.pk, content_type__model="frictionpoint").get()
    assert record.actor == org.it_member and record.step_id == org.login_step.pk
    page = as_user(org.viewer).get(f"/history/initiatives/frictionpoint/{fp.pk}/")
    assert page.status_code == 200 and "Password reset e-mails arrive late" in page.content.decode()


def _forms_posting_to(page: str, action: str) -> list[dict]:
    forms = []
    for match in re.finditer(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S):
        if match.group(1) != action:
            continue
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', match.group(2)))
        forms.append({k: html.unescape(v) for k, v in fields.items() if k != "csrfmiddlewaretoken"})
    return forms


def test_friction_page_raises_a_theme_with_its_evidence(org):
    plant_themes()
    client = as_user(org.sales_member)
    page = client.get(f"/feedback/friction/?journey={org.journey.slug}").content.decode()
    assert "/friction-points/?journey=" in page  # the link to the friction points of the journey
    forms = _forms_posting_to(page, "/friction-points/from-theme/")
    assert len(forms) == 2, page[-3000:]  # one button per theme
    router_key = next(t.key for t in themes_of(org) if "router" in t.keywords)
    response = client.post("/friction-points/from-theme/", next(f for f in forms if f["key"] == router_key))
    assert response.status_code == 302
    fp = FrictionPoint.objects.exclude(pk=org.fp.pk).get()
    assert response["Location"] == fp.get_absolute_url()
    assert fp.source == "theme" and fp.raised_by == org.sales_member and fp.status == "open"
    evidence = fp.evidence
    assert evidence["count"] == 30 and "router" in evidence["keywords"]
    assert 1 <= len(evidence["examples"]) <= 3 and all("router" in e for e in evidence["examples"])
    assert evidence["first_seen"] <= evidence["last_seen"] and evidence["growth"]["days"] == 28
    assert evidence["share_unrouted"] == 1.0
    detail = client.get(fp.get_absolute_url()).content.decode()
    assert "blinking" in detail and "Evidence" in detail


def test_step_page_raises_a_theme_at_that_step(org):
    plant_themes()
    # Route the invoice topic to the login step (a keeper's correction), so the theme sits there.
    theme = [t for t in themes_of(org) if "invoice" in t.keywords][0]
    from cxkeeper.insights import actions as insight_actions
    from cxkeeper.insights.models import Feedback

    for feedback in Feedback.objects.filter(pk__in=theme.feedback_ids):
        insight_actions.correct_feedback_step(feedback, org.login_step, acting_user=org.keeper)
    client = as_user(org.it_member)
    page = client.get(f"/steps/{org.login_step.pk}/insights/").content.decode()
    assert f"/friction-points/?step={org.login_step.pk}" in page  # friction points at this step
    forms = _forms_posting_to(page, "/friction-points/from-theme/")
    assert forms and forms[0]["step"] == str(org.login_step.pk), page[-3000:]
    response = client.post("/friction-points/from-theme/", forms[0])
    assert response.status_code == 302
    fp = FrictionPoint.objects.exclude(pk=org.fp.pk).get()
    assert fp.step == org.login_step and fp.journey == org.journey and "invoice" in fp.evidence["keywords"]
    listed = client.get(f"/friction-points/?step={org.login_step.pk}").content.decode()
    assert fp.title in listed


def test_example_texts_are_always_escaped(org):
    plant_themes(xss=True)
    theme = [t for t in themes_of(org) if "router" in t.keywords][0]
    fp = actions.raise_friction_point_from_theme(theme, journey=org.journey, acting_user=org.keeper)
    assert any(XSS in e for e in fp.evidence["examples"])  # stored as text …
    for url in (fp.get_absolute_url(), f"/feedback/friction/?journey={org.journey.slug}"):
        body = as_user(org.viewer).get(url).content.decode()
        assert XSS not in body and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in body  # … shown escaped


def test_an_unknown_or_stale_theme_writes_nothing(org):
    plant_themes()
    before = ChangeRecord.objects.count()
    response = as_user(org.keeper).post("/friction-points/from-theme/",
                                        {"journey": org.journey.slug, "key": "0123456789ab", "since": ""})
    assert response.status_code == 302 and ChangeRecord.objects.count() == before
    bad = as_user(org.keeper).post("/friction-points/from-theme/", {"journey": org.journey.slug, "key": "<b>"})
    assert bad.status_code == 302 and ChangeRecord.objects.count() == before
    assert FrictionPoint.objects.count() == 1


def test_a_step_of_another_journey_is_refused(org):
    from cxkeeper.journeys import actions as journey_actions

    other = journey_actions.create_journey({"name": "Move home", "keeper": org.keeper}, acting_user=SYSTEM)
    stage = journey_actions.add_stage(other, {"name": "Plan"}, acting_user=SYSTEM)
    step = journey_actions.add_step(stage, {"name": "Book the move"}, acting_user=SYSTEM)
    response = as_user(org.keeper).post("/friction-points/new/", {"title": "Mixed up", "status": "open",
                                                                  "journey": org.journey.pk, "step": step.pk})
    assert response.status_code == 422 and "not on the chosen journey" in response.content.decode()


def test_a_stale_edit_is_refused_and_keeps_the_input(org):
    actions.set_friction_point_status(org.fp, "addressed", expected_version=1, acting_user=org.keeper)
    response = as_user(org.it_member).post(f"/friction-points/{org.fp.pk}/edit/",
                                           {"title": "My newer title", "status": "open", "version": 1})
    assert response.status_code == 409 and "My newer title" in response.content.decode()
    assert FrictionPoint.objects.get(pk=org.fp.pk).title == "Password reset e-mails arrive late"


def test_list_filters_by_status_and_journey(org):
    actions.raise_friction_point({"title": "Unplaced worry", "status": "dismissed"}, acting_user=org.keeper)
    assert [fp.title for fp in queries.friction_points(status="dismissed")] == ["Unplaced worry"]
    assert [fp.title for fp in queries.friction_points(journey=org.journey)] == [org.fp.title]
    page = as_user(org.viewer).get("/friction-points/?status=dismissed").content.decode()
    assert "Unplaced worry" in page and org.fp.title not in page
    assert "Raise a friction point" not in page  # viewers see no raise button


def test_a_member_who_did_not_raise_it_cannot_change_it(org):
    response = as_user(org.sales_member).post(f"/friction-points/{org.fp.pk}/status/",
                                              {"status": "dismissed", "version": 1})
    assert response.status_code == 403
    assert "the person who raised" in html.unescape(response.content.decode())
    assert FrictionPoint.objects.get(pk=org.fp.pk).status == "open"
