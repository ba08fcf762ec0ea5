"""The agenda kinds co-creation brings (docs/governance.md): escalations waiting for the executive
sponsor, friction points whose options have no consensus, planned changes going live before the
next meeting — each proposed exactly when its condition holds, and not otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from cxkeeper.core.actors import SYSTEM
from cxkeeper.governance import actions, agenda
from cxkeeper.initiatives import actions as initiative_actions
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.testing.cocreation import build_cocreation_org
from cxkeeper.testing.governance_builders import build_council

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
REVIEW = TODAY + dt.timedelta(days=90)


@pytest.fixture
def w():
    return build_council(build_cocreation_org())


def keys(items, kind):
    return [i.key for i in items if i.kind == kind]


def stance(option, team, user, value="support", reason=""):
    return initiative_actions.take_option_stance(option, team, {"stance": value, "reason": reason}, acting_user=user)


def propose(w, council=None):
    return agenda.propose(council or w.council, since=TODAY - dt.timedelta(days=28), as_of=TODAY)


def test_options_without_consensus_only_while_a_team_disagrees_and_nothing_is_decided(w):
    fp = w.org.fp
    a = initiative_actions.propose_option(fp, {"title": "SMS codes"}, acting_user=w.keeper)
    assert keys(propose(w), "no_consensus") == []  # an option nobody has answered: nothing to settle yet
    stance(a, w.it, w.it_member)
    assert keys(propose(w), "no_consensus") == []  # support only
    stance(a, w.sales, w.sales_member, "object", "Costs per message.")
    item = [i for i in propose(w) if i.kind == "no_consensus"]
    assert [i.key for i in item] == [f"no_consensus:{fp.pk}"] and "Sales" in item[0].detail
    assert item[0].evidence_url == fp.get_absolute_url()
    # Escalated: it is no longer "without consensus" but waiting for the sponsor, on every agenda.
    initiative_actions.escalate(fp, note="Sales objects to SMS.", acting_user=w.keeper)
    items = propose(w)
    assert keys(items, "no_consensus") == [] and keys(items, "escalation") == [f"escalation:friction_point:{fp.pk}"]
    assert agenda.escalations(w.council, TODAY, TODAY)  # whatever the period: it waits until decided
    initiative_actions.sponsor_decide(fp, a, rationale="Worth it.", review_on=REVIEW, acting_user=w.viewer)
    assert keys(propose(w), "escalation") == []


def test_a_friction_point_on_a_journey_outside_the_scope_is_left_out(w):
    fp = w.org.fp
    a = initiative_actions.propose_option(fp, {"title": "SMS codes"}, acting_user=w.keeper)
    stance(a, w.sales, w.sales_member, "object", "Costs per message.")
    other = journey_actions.create_journey({"name": "Pay and renew"}, acting_user=SYSTEM)
    council = actions.update_council(w.council, {"all_journeys": False, "journeys": [other]},
                                     expected_version=w.council.version, acting_user=SYSTEM)
    assert keys(propose(w, council), "no_consensus") == []


def test_a_council_escalation_waits_on_the_agenda_until_the_sponsor_decides(w):
    escalated = actions.escalate(w.council, {"meeting": w.past, "statement": "Who pays for the SMS codes",
                                             "rationale": "IT and Sales disagree."}, acting_user=SYSTEM)
    assert keys(propose(w), "escalation") == [f"escalation:council:{escalated.pk}"]
    actions.decide_escalation(escalated, {"rationale": "IT pays.", "review_on": REVIEW},
                              expected_version=escalated.version, acting_user=w.viewer)
    assert keys(propose(w), "escalation") == []


def test_a_planned_change_going_live_before_the_next_meeting_and_no_other(w):
    soon = initiative_actions.declare_planned_change(
        {"title": "New login page", "go_live": (TODAY + dt.timedelta(days=10)).isoformat(),
         "steps": [w.login_step], "team": w.it}, acting_user=w.it_member)
    initiative_actions.declare_planned_change(
        {"title": "Next year's prices", "go_live": (TODAY + dt.timedelta(days=200)).isoformat(),
         "steps": [w.call_step], "team": w.sales}, acting_user=w.sales_member)
    items = [i for i in propose(w) if i.kind == "planned_change"]
    assert [i.key for i in items] == [f"planned_change:{soon.pk}"]
    assert "not yet heard" in items[0].detail and items[0].evidence_url == soon.get_absolute_url()
