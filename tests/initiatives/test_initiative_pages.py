"""Pages of initiatives and the priority board: every page and form tried anonymously, by
refused roles (403 with a reason, nothing written) and by allowed roles (success, every write
leaves a history row) — plus what the board shows: the formula, each term explained, the
matrix, the sponsor's list and the history of rank changes; user text always escaped."""

from __future__ import annotations

import html

from django.test import Client

from cxkeeper.core.models import ChangeRecord
from cxkeeper.initiatives import actions
from cxkeeper.initiatives.models import FrictionPoint, Initiative, PriorityWeights
from cxkeeper.testing.builders import build_small_org
from cxkeeper.testing.pages import PageCase, page_role_matrix

from .initiative_world import plan_login_fix, with_an_initiative
from .priority_world import friction_points, plant_feedback

KEEPERS = ("admin", "keeper")
PLANNERS = ("admin", "keeper", "it_member", "sales_member")
IT_LEADS = ("admin", "keeper", "it_member")  # the initiative is led by IT


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


def fresh(o) -> Initiative:
    o.initiative = plan_login_fix(o)
    return o.initiative


def planned(o) -> dict:
    return {"title": "Shorter hold times", "lead": o.it.pk, "contributors": [o.service.pk], "steps": [o.call_step.pk],
            "milestones": "2026-07-01 | New IVR\n | Staff trained | done"}


CASES = [
    PageCase("priorities", lambda o: "/priorities/"),
    PageCase("weights form", lambda o: "/priorities/weights/", allowed=KEEPERS),
    PageCase("set weights", lambda o: "/priorities/weights/", allowed=KEEPERS,
             data=lambda o: {"impact": 4, "fit": 2, "effort": 1, "confidence": 1, "period_days": 90, "version": ""}),
    PageCase("initiatives", lambda o: "/initiatives/"),
    PageCase("initiatives, filtered", lambda o: "/initiatives/?status=proposed"),
    PageCase("initiative", lambda o: f"/initiatives/{o.initiative.pk}/"),
    PageCase("plan form", lambda o: "/initiatives/new/", allowed=PLANNERS),
    PageCase("plan", lambda o: "/initiatives/new/", allowed=IT_LEADS, data=planned),
    PageCase("edit form", lambda o: f"/initiatives/{o.initiative.pk}/edit/", allowed=IT_LEADS),
    PageCase("edit", lambda o: f"/initiatives/{fresh(o).pk}/edit/", allowed=IT_LEADS,
             data=lambda o: {**planned(o), "title": "Login fixed for good", "version": v(o.initiative)}),
    PageCase("set status", lambda o: f"/initiatives/{fresh(o).pk}/status/", allowed=IT_LEADS,
             data=lambda o: {"status": "approved", "ship_date": "", "version": v(o.initiative)}),
    PageCase("delete form", lambda o: f"/initiatives/{o.initiative.pk}/delete/", allowed=KEEPERS),
    PageCase("delete", lambda o: f"/initiatives/{fresh(o).pk}/delete/", allowed=KEEPERS,
             data=lambda o: {"version": v(o.initiative)}),
]

TestPageRoles = page_role_matrix(CASES, build=lambda: with_an_initiative(build_small_org()),
                                 keeps=[Initiative, PriorityWeights])


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_board_shows_the_formula_every_term_the_matrix_and_the_sponsors_list(small_org):
    plant_feedback(small_org)
    login, _ = friction_points(small_org)
    actions.raise_friction_point({"title": "<b>Bold</b> twin", "step": small_org.call_step},
                                 acting_user=small_org.keeper)
    page = html.unescape(as_user(small_org.viewer).get("/priorities/").content.decode())
    assert "score = 100 × (impact weight × impact" in page
    assert "customers a month at its steps" in page and "Why this score" in page
    assert "Impact against effort" in page and "<svg" in page
    assert "Goes to the executive sponsor" in page and "tied with" in page  # the two helpline points tie
    assert "How the ranking changed" in page and "first ranking" in page
    raw = as_user(small_org.viewer).get("/priorities/").content.decode()
    assert "<b>Bold</b>" not in raw and "&lt;b&gt;Bold&lt;/b&gt; twin" in raw
    assert "Set the weights" not in page
    assert "Set the weights" in as_user(small_org.keeper).get("/priorities/").content.decode()


def test_planning_from_the_form_names_the_teams_and_parses_milestones(small_org):
    response = as_user(small_org.it_member).post("/initiatives/new/", {
        **planned(small_org), "consulted": [small_org.sales.pk]})
    assert response.status_code == 302, response.content.decode()[-2000:]
    initiative = Initiative.objects.get()
    assert response["Location"] == initiative.get_absolute_url()
    assert {r.team.name: r.role for r in initiative.team_roles.all()} == {
        "IT": "lead", "Customer service": "contributes", "Sales": "consulted"}
    assert initiative.milestones == [{"title": "New IVR", "due": "2026-07-01", "done": False},
                                     {"title": "Staff trained", "due": None, "done": True}]
    detail = as_user(small_org.viewer).get(initiative.get_absolute_url()).content.decode()
    assert "led by" in detail and "New IVR" in detail and "Shorter hold times" in detail


def test_a_team_named_twice_or_a_bad_milestone_is_refused_on_the_form(small_org):
    response = as_user(small_org.keeper).post("/initiatives/new/", {
        **planned(small_org), "consulted": [small_org.it.pk], "milestones": "next week | Launch"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 422
    assert "Give each team one role: IT named twice." in body and "“next week” is not a date" in body
    assert not Initiative.objects.exists()


def test_a_cycle_from_the_edit_form_names_it_and_keeps_the_input(small_org):
    a = plan_login_fix(small_org, title="First")
    b = plan_login_fix(small_org, title="Second")
    actions.update_initiative(b, {"depends_on": [a]}, expected_version=1, acting_user=small_org.keeper)
    response = as_user(small_org.keeper).post(f"/initiatives/{a.pk}/edit/", {
        **planned(small_org), "title": "First, renamed", "depends_on": [b.pk], "version": 1})
    body = html.unescape(response.content.decode())
    assert response.status_code == 422 and "“First” → “Second” → “First”" in body and "First, renamed" in body
    assert Initiative.objects.get(pk=a.pk).title == "First"


def test_a_refused_status_move_says_why(small_org):
    initiative = plan_login_fix(small_org)
    client = as_user(small_org.it_member)
    response = client.post(f"/initiatives/{initiative.pk}/status/", {"status": "shipped", "version": 1}, follow=True)
    assert "cannot become shipped" in html.unescape(response.content.decode())
    assert Initiative.objects.get(pk=initiative.pk).status == "proposed"
    assert ChangeRecord.objects.filter(content_type__model="initiative").count() == 1


def test_friction_points_stay_untouched_by_the_board(small_org):
    plant_feedback(small_org)
    friction_points(small_org)
    versions = list(FrictionPoint.objects.values_list("version", flat=True))
    as_user(small_org.viewer).get("/priorities/")
    assert list(FrictionPoint.objects.values_list("version", flat=True)) == versions


def test_the_weights_history_is_linked_from_the_board(small_org):
    client = as_user(small_org.keeper)
    assert "(the defaults)" in client.get("/priorities/").content.decode()
    response = client.post("/priorities/weights/", {"impact": 5, "fit": 2, "effort": 1, "confidence": 1,
                                                    "period_days": 60, "version": ""})
    assert response.status_code == 302
    weights = PriorityWeights.objects.get()
    board = as_user(small_org.viewer).get("/priorities/").content.decode()
    history_url = f"/history/initiatives/priorityweights/{weights.pk}/"
    assert history_url in board and "for the 60 days" in board
    history = as_user(small_org.viewer).get(history_url)
    assert history.status_code == 200 and "kim" in history.content.decode()
    stale = client.post("/priorities/weights/", {"impact": 1, "fit": 2, "effort": 1, "confidence": 1,
                                                 "period_days": 60, "version": weights.version - 1 or 99})
    assert stale.status_code == 409 and PriorityWeights.objects.get().impact == 5
