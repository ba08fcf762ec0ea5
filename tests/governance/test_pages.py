"""Council pages: every page and form tried anonymously, by refused roles (403 with a reason,
nothing written) and by allowed roles (success; every write leaves a history row). Roles are
data here: Kim (a keeper) facilitates, Vic (a viewer) is the executive sponsor, Ivan's team IT
owns an action item. Plus what the pages show: escaped user text, refusal messages on forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord
from cxkeeper.governance import actions
from cxkeeper.governance.models import ActionItem, AgendaItem, Council, CouncilMember, Decision, Meeting
from cxkeeper.org import actions as org_actions
from cxkeeper.testing.governance_builders import build_council_world
from cxkeeper.testing.pages import PageCase, page_role_matrix

EVERYONE = ("admin", "keeper", "it_member", "sales_member", "viewer")
KEEPERS = ("admin", "keeper")          # the charter; and meetings (Kim the keeper facilitates)
SPONSOR = ("admin", "viewer")          # Vic, a viewer, is the sponsor
IT_UPDATERS = ("admin", "keeper", "it_member")
XSS = "<script>window.pwned=1</script>"


def v(obj):
    return type(obj).objects.get(pk=obj.pk).version


def build():
    w = build_council_world()
    today = dt.date.today()
    w.late = actions.raise_action_item(w.council, {"title": "Late sales item", "owner_team": w.sales,
                                                   "due": today - dt.timedelta(days=3)}, acting_user=SYSTEM)
    w.first = actions.add_agenda_item(w.upcoming, {"title": "Welcome", "time_box_minutes": 5}, acting_user=SYSTEM)
    w.second = actions.add_agenda_item(w.upcoming, {"title": f"Queue times {XSS}", "time_box_minutes": 10},
                                       acting_user=SYSTEM)
    w.asked = actions.escalate(w.council, {"meeting": w.past, "statement": "Login or billing first?",
                                           "options": ["Login", "Billing"]}, acting_user=SYSTEM)
    w.spare = actions.create_council({"name": "Spare council", "purpose": "Never met."}, acting_user=SYSTEM)
    return w


def fresh_meeting(w):
    w.fresh = actions.schedule_meeting(w.council, {"starts_at": w.upcoming.starts_at + dt.timedelta(days=28)},
                                       acting_user=SYSTEM)
    return w.fresh


def new_team(w):
    w.new_team = org_actions.create_team({"name": "Legal"}, acting_user=SYSTEM)
    return w.new_team


def seat(w):
    return CouncilMember.objects.get(council=w.council, team=w.service)


def charter(w):
    return {"name": "CX council", "purpose": "Decide together, faster.", "all_journeys": "on", "quorum": 2,
            "cadence_days": 14, "meeting_minutes": 45, "sponsor": w.viewer.pk, "facilitator": w.keeper.pk,
            "version": v(w.council)}


def today_plus(days):
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


M = "/council/meetings"
CASES = [
    # reading: everyone signed in
    PageCase("councils", lambda w: "/councils/"),
    PageCase("council", lambda w: f"/councils/{w.council.slug}/"),
    PageCase("council calendar", lambda w: f"/councils/{w.council.slug}/calendar.ics"),
    PageCase("past meeting", lambda w: f"{M}/{w.past.pk}/"),
    PageCase("next meeting", lambda w: f"{M}/{w.upcoming.pk}/"),
    PageCase("meeting calendar", lambda w: f"{M}/{w.upcoming.pk}/calendar.ics"),
    PageCase("agenda markdown", lambda w: f"{M}/{w.upcoming.pk}/agenda.md"),
    PageCase("minutes markdown", lambda w: f"{M}/{w.past.pk}/minutes.md"),
    PageCase("decision log", lambda w: "/council/decisions/"),
    PageCase("decision log searched", lambda w: f"/council/decisions/?q=reset&council={w.council.slug}"
                                                "&decided_by=consensus"),
    PageCase("decision", lambda w: f"/council/decisions/{w.decision.pk}/"),
    PageCase("escalations", lambda w: "/council/escalations/"),
    PageCase("action board", lambda w: "/council/actions/"),
    PageCase("team board", lambda w: f"/council/actions/?team={w.it.slug}&overdue=1&status=open"),
    PageCase("action item", lambda w: f"/council/action-items/{w.it_action.pk}/"),
    # the charter: keepers and admins
    PageCase("new council form", lambda w: "/councils/new/", allowed=KEEPERS),
    PageCase("new council", lambda w: "/councils/new/", allowed=KEEPERS,
             data=lambda w: {"name": "Billing council", "purpose": "Bills without surprises.", "quorum": 2,
                             "cadence_days": 28, "meeting_minutes": 60}),
    PageCase("charter form", lambda w: f"/councils/{w.council.slug}/edit/", allowed=KEEPERS),
    PageCase("charter", lambda w: f"/councils/{w.council.slug}/edit/", allowed=KEEPERS, data=charter),
    PageCase("delete council form", lambda w: f"/councils/{w.spare.slug}/delete/", allowed=KEEPERS),
    PageCase("delete council", lambda w: f"/councils/{w.spare.slug}/delete/", allowed=KEEPERS,
             data=lambda w: {"version": v(w.spare)}),
    PageCase("add member form", lambda w: f"/councils/{w.council.slug}/members/new/", allowed=KEEPERS),
    PageCase("add member", lambda w: f"/councils/{w.council.slug}/members/new/", allowed=KEEPERS,
             data=lambda w: {"team": new_team(w).pk}),
    PageCase("remove member form", lambda w: f"/council/members/{seat(w).pk}/delete/", allowed=KEEPERS),
    PageCase("remove member", lambda w: f"/council/members/{seat(w).pk}/delete/", allowed=KEEPERS,
             data=lambda w: {"version": v(seat(w))}),
    # meetings: the facilitator, keepers, admins
    PageCase("schedule form", lambda w: f"/councils/{w.council.slug}/meetings/new/", allowed=KEEPERS),
    PageCase("schedule", lambda w: f"/councils/{w.council.slug}/meetings/new/", allowed=KEEPERS,
             data=lambda w: {"starts_at": "", "location": "Room 4"}),
    PageCase("minutes form", lambda w: f"{M}/{w.past.pk}/edit/", allowed=KEEPERS),
    PageCase("minutes", lambda w: f"{M}/{w.past.pk}/edit/", allowed=KEEPERS,
             data=lambda w: {"summary": "Agreed to fix logins first.", "location": "", "version": v(w.past)}),
    PageCase("delete meeting form", lambda w: f"{M}/{fresh_meeting(w).pk}/delete/", allowed=KEEPERS),
    PageCase("delete meeting", lambda w: f"{M}/{fresh_meeting(w).pk}/delete/", allowed=KEEPERS,
             data=lambda w: {"version": v(w.fresh)}),
    PageCase("attendance", lambda w: f"{M}/{w.upcoming.pk}/attendance/", allowed=KEEPERS,
             data=lambda w: {"attendees": [w.it_member.pk, w.sales_member.pk], "version": v(w.upcoming)}),
    PageCase("draw up the agenda", lambda w: f"{M}/{w.upcoming.pk}/agenda/generate/", allowed=KEEPERS,
             data=lambda w: {}),
    PageCase("send the agenda", lambda w: f"{M}/{w.upcoming.pk}/send/", allowed=KEEPERS, data=lambda w: {}),
    PageCase("add item form", lambda w: f"{M}/{w.upcoming.pk}/agenda/new/", allowed=KEEPERS),
    PageCase("add item", lambda w: f"{M}/{w.upcoming.pk}/agenda/new/", allowed=KEEPERS,
             data=lambda w: {"title": "Legal joins", "time_box_minutes": 5, "teams": [w.it.pk]}),
    PageCase("item form", lambda w: f"/council/agenda-items/{w.second.pk}/edit/", allowed=KEEPERS),
    PageCase("item notes", lambda w: f"/council/agenda-items/{w.second.pk}/edit/", allowed=KEEPERS,
             data=lambda w: {"title": "Queue times", "time_box_minutes": 10, "notes": "Down to 4 minutes.",
                             "version": v(w.second)}),
    PageCase("move item", lambda w: f"/council/agenda-items/{w.second.pk}/move/", allowed=KEEPERS,
             data=lambda w: {"direction": "up"}),
    PageCase("remove item form", lambda w: f"/council/agenda-items/{w.first.pk}/delete/", allowed=KEEPERS),
    PageCase("remove item", lambda w: f"/council/agenda-items/{w.first.pk}/delete/", allowed=KEEPERS,
             data=lambda w: {"version": v(w.first)}),
    PageCase("decision form", lambda w: f"{M}/{w.past.pk}/decisions/new/", allowed=KEEPERS + ("viewer",)),
    PageCase("council decision", lambda w: f"{M}/{w.past.pk}/decisions/new/", allowed=KEEPERS,
             data=lambda w: {"statement": "Publish queue times", "decided_by": "consensus",
                             "options": "Publish\nKeep internal", "review_on": today_plus(30)}),
    PageCase("sponsor's tie-break", lambda w: f"{M}/{w.past.pk}/decisions/new/", allowed=SPONSOR,
             data=lambda w: {"statement": "Billing waits", "decided_by": "sponsor", "rationale": "Fewer customers."}),
    PageCase("escalate form", lambda w: f"{M}/{w.past.pk}/escalate/", allowed=KEEPERS),
    PageCase("escalate", lambda w: f"{M}/{w.past.pk}/escalate/", allowed=KEEPERS,
             data=lambda w: {"statement": "Who pays for SMS?", "options": "IT\nCare"}),
    PageCase("review form", lambda w: f"/council/decisions/{w.decision.pk}/review/", allowed=KEEPERS),
    PageCase("review", lambda w: f"/council/decisions/{w.decision.pk}/review/", allowed=KEEPERS,
             data=lambda w: {"review_on": today_plus(90), "version": v(w.decision)}),
    PageCase("new action form", lambda w: f"{M}/{w.past.pk}/actions/new/", allowed=KEEPERS),
    PageCase("new action", lambda w: f"{M}/{w.past.pk}/actions/new/?decision={w.decision.pk}", allowed=KEEPERS,
             data=lambda w: {"title": "Publish queue times", "owner_team": w.service.pk, "status": "open",
                             "due": today_plus(14), "decision": w.decision.pk}),
    PageCase("delete action form", lambda w: f"/council/action-items/{w.late.pk}/delete/", allowed=KEEPERS),
    PageCase("delete action", lambda w: f"/council/action-items/{w.late.pk}/delete/", allowed=KEEPERS,
             data=lambda w: {"version": v(w.late)}),
    # the sponsor decides escalations
    PageCase("decide form", lambda w: f"/council/decisions/{w.asked.pk}/decide/", allowed=SPONSOR),
    PageCase("decide", lambda w: f"/council/decisions/{w.asked.pk}/decide/", allowed=SPONSOR,
             data=lambda w: {"statement": "Login first", "rationale": "More customers.", "version": v(w.asked)}),
    # members of the owner team (and whoever runs the meetings) update its action items
    PageCase("action edit form", lambda w: f"/council/action-items/{w.it_action.pk}/edit/", allowed=IT_UPDATERS),
    PageCase("action edit", lambda w: f"/council/action-items/{w.it_action.pk}/edit/", allowed=IT_UPDATERS,
             data=lambda w: {"title": w.it_action.title, "owner_team": w.it.pk, "status": "in_progress",
                             "owner": w.it_member.pk, "due": today_plus(10), "version": v(w.it_action)}),
    PageCase("action done", lambda w: f"/council/action-items/{w.it_action.pk}/status/", allowed=IT_UPDATERS,
             data=lambda w: {"status": "done", "version": v(w.it_action)}),
]

TestPageRoles = page_role_matrix(CASES, build=build,
                                 keeps=[Council, CouncilMember, Meeting, AgendaItem, Decision, ActionItem])


@pytest.fixture
def w(db):
    return build()


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_user_text_is_escaped_on_the_meeting_page(w):
    page = as_(w.viewer).get(f"{M}/{w.upcoming.pk}/").content.decode()
    assert XSS not in page and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_a_council_decision_without_quorum_is_refused_on_the_form_and_nothing_stored(w):
    meeting = actions.schedule_meeting(w.council, {"starts_at": w.past.starts_at + dt.timedelta(days=1)},
                                       acting_user=SYSTEM)
    before = Decision.objects.count(), ChangeRecord.objects.count()
    response = as_(w.keeper).post(f"{M}/{meeting.pk}/decisions/new/", {"statement": "Drop paper bills",
                                                                        "decided_by": "consensus"})
    assert response.status_code == 422
    assert "No quorum: 0 of 3 member teams present" in response.content.decode()
    assert (Decision.objects.count(), ChangeRecord.objects.count()) == before


def test_a_review_date_in_the_past_is_refused_on_the_form(w):
    before = Decision.objects.count()
    response = as_(w.keeper).post(f"{M}/{w.past.pk}/decisions/new/", {
        "statement": "X", "decided_by": "consensus", "review_on": (dt.date.today() - dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 422 and "is in the past" in response.content.decode()
    assert Decision.objects.count() == before


def test_an_action_item_without_a_team_is_refused_on_the_form(w):
    before = ActionItem.objects.count()
    response = as_(w.keeper).post(f"{M}/{w.past.pk}/actions/new/", {"title": "Somebody should", "status": "open"})
    assert response.status_code == 422
    assert "Every action item is owned by a team: choose one." in response.content.decode()
    assert ActionItem.objects.count() == before


def test_the_team_scorecard_shows_the_teams_commitments(w):
    page = as_(w.viewer).get(f"/scorecards/{w.it.slug}/").content.decode()
    assert "Send reset e-mails within a minute" in page and w.it_action.get_absolute_url() in page
    sales = as_(w.viewer).get(f"/scorecards/{w.sales.slug}/").content.decode()
    assert "Late sales item" in sales and "overdue" in sales
    assert "Send reset e-mails" not in sales
