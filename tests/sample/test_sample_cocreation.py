"""The sample's co-creation: the first-bill surprise heard from Sales, Billing and Legal (one
objection with its reason, constraints), two options and the sponsor's tie-break; and one
planned change whose perspectives are still pending."""

from __future__ import annotations

import pytest

from cxkeeper.initiatives import queries
from cxkeeper.initiatives.models import Option, Perspective
from cxkeeper.org.models import Workspace
from cxkeeper.sample import organization as sample
from cxkeeper.sample.cocreation import load_sample_cocreation, sample_planned_change
from cxkeeper.sample.load import load_sample_organization


@pytest.mark.django_db
def test_the_first_bill_surprise_is_decided_by_the_sponsor_and_the_price_rise_waits(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    load_sample_organization()
    fp = load_sample_cocreation()
    assert Workspace.current().executive_sponsor.username == "evelyn"
    said = {p.team.name: p for p in Perspective.objects.filter(friction_point=fp)}
    assert set(said) == {sample.SALES, sample.BILLING, sample.LEGAL}
    assert said[sample.LEGAL].stance == "object" and "contractual promise" in said[sample.LEGAL].reason
    assert said[sample.LEGAL].constraints[0]["kind"] == "policy_legal"
    asked = {t.name for t in queries.affected_teams(fp)}
    assert asked == {sample.BILLING, sample.PRICING, sample.SALES, sample.CARE, sample.HR, sample.LEGAL}
    kinds = {t.kind for t in queries.tensions(fp)}
    assert {"objection", "not_heard", "contribution"} <= kinds
    assert Option.objects.filter(friction_point=fp).count() == 2
    decision = queries.decision_of(fp)
    assert (decision.state, decision.how, decision.decided_by.username) == ("decided", "sponsor", "evelyn")
    assert decision.option.title.startswith("Send a first-bill preview") and decision.review_on
    planned = sample_planned_change()
    summary = queries.asked_teams(planned)
    assert summary and not any(a.heard for a in summary)
    assert {a.team.name for a in summary} >= {sample.PRICING, sample.BILLING}
    assert load_sample_cocreation() is None  # loading again changes nothing
